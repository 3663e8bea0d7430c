// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Packets;

namespace SharpSwitch.Switchd.Flows;

/// <summary>The one error <see cref="OdpFlowParser"/> raises; its message is the reply OVS gives for the same text.</summary>
internal sealed class OdpFlowParseException(string message) : Exception(message)
{
}

/// <summary>
/// Parses OVS's datapath flow key syntax (<c>in_port(1),eth(src=..,dst=..),eth_type(0x0800),ipv4(..),tcp(..)</c>)
/// the way <c>netdev-dummy/receive</c> reads it. Attributes are separated by commas or white space; integers are
/// C-style (decimal, <c>0x</c> hex, leading-zero octal) and wrap to the field's width as OVS's scanf does. A text
/// OVS rejects gets OVS's message, "syntax error at REST", where REST starts at the attribute that failed.
/// </summary>
internal static class OdpFlowParser
{
    private const string Delimiters = ", \t\r\n";
    private const ushort VlanCfi = 0x1000;

    /// <summary>Attributes SharpSwitch reads and ignores, because they describe datapath metadata, not frame bytes.</summary>
    private static readonly string[] s_metadataAttributes = ["skb_priority(", "skb_mark(", "recirc_id(", "dp_hash(", "ct_state(", "ct_zone(", "ct_mark("];

    /// <summary>Attributes OVS accepts that SharpSwitch cannot build frames from yet; they get an error that says so.</summary>
    private static readonly string[] s_unsupportedAttributes =
    [
        "ipv6", "icmpv6", "nd", "nd_ext", "sctp", "mpls", "tunnel", "ct_tuple4", "ct_tuple6", "ct_label", "packet_type", "nsh",
    ];

    /// <summary>Parses <paramref name="text"/>; throws <see cref="OdpFlowParseException"/> and nothing else.</summary>
    public static OdpFlow Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var flow = new OdpFlow();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? firstDuplicate = null;
        var rendered = new List<string>();
        int position = 0;
        while (true)
        {
            position = SkipDelimiters(text, position);
            if (position >= text.Length)
            {
                break;
            }
            int consumed = ParseAttribute(text, position, flow, seen, rendered, nested: false, out string? duplicate);
            if (consumed <= 0)
            {
                string? unsupported = UnsupportedAttributeAt(text, position);
                throw new OdpFlowParseException(unsupported is null
                    ? "syntax error at " + text[position..]
                    : $"syntax error at {text[position..]} (OVS accepts {unsupported}(), SharpSwitch cannot build such frames yet)");
            }
            firstDuplicate ??= duplicate;
            position += consumed;
        }
        if (firstDuplicate is not null)
        {
            // OVS checks the syntax of the whole key before it validates it, so a syntax error anywhere wins.
            throw new OdpFlowParseException($"duplicate {firstDuplicate} attribute in flow key; the flow key in error is: {string.Join(',', rendered)}");
        }
        if (flow.VlanTci is ushort tci && tci != 0 && (tci & VlanCfi) == 0)
        {
            throw new OdpFlowParseException($"OVS_KEY_ATTR_VLAN 0x{tci:x4} is nonzero but CFI bit is not set; the flow key in error is: {string.Join(',', rendered)}");
        }
        return flow;
    }

    /// <summary>The name of an OVS attribute SharpSwitch does not support that starts at (or inside) the failed attribute.</summary>
    private static string? UnsupportedAttributeAt(string text, int position)
    {
        foreach (string name in s_unsupportedAttributes)
        {
            string opening = name + "(";
            int at = text.IndexOf(opening, position, StringComparison.Ordinal);
            if (at == position || (at > position && text.AsSpan(position).StartsWith("encap(") && (text[at - 1] is '(' or ',' or ' ')))
            {
                return name;
            }
        }
        return null;
    }

    /// <summary>Parses one attribute at <paramref name="start"/>; returns the characters consumed, or 0 on a syntax error.</summary>
    private static int ParseAttribute(string text, int start, OdpFlow flow, HashSet<string> seen, List<string> rendered, bool nested, out string? duplicate)
    {
        duplicate = null;
        var scanner = new Scanner(text, start);
        string? encapText = null;
        ulong metadata = 0;
        string? name = scanner.AttributeName();
        if (name is null)
        {
            return 0;
        }
        if (name != "encap" && !seen.Add(name))
        {
            duplicate = name;
        }
        bool ok = name switch
        {
            "in_port" => ParseSingle(ref scanner, 32, value => flow.InPort = (uint)value),
            "eth" => ParseEthernet(ref scanner, flow),
            "vlan" => ParseVlan(ref scanner, flow),
            "eth_type" => ParseSingle(ref scanner, 16, value =>
            {
                if (nested)
                {
                    flow.InnerEtherType = (ushort)value;
                }
                else
                {
                    flow.EtherType = (ushort)value;
                }
            }),
            "ipv4" => ParseIpv4(ref scanner, flow),
            "tcp" or "udp" => ParsePorts(ref scanner, flow),
            "icmp" => ParseIcmp(ref scanner, flow),
            "tcp_flags" => ParseTcpFlags(ref scanner, flow),
            "arp" => ParseArp(ref scanner, flow),
            "encap" => !nested && ParseEncap(ref scanner, flow, ref duplicate, out encapText),
            _ => s_metadataAttributes.Contains(name + "(", StringComparer.Ordinal) && ParseSingle(ref scanner, 32, value => metadata = value),
        };
        if (!ok)
        {
            return 0;
        }
        rendered.Add(name == "encap" ? encapText! : Render(name, flow, nested, metadata));
        return scanner.Position - start;
    }

    /// <summary>Writes one attribute back the way OVS prints a parsed key (every field, in OVS's order and bases).</summary>
    private static string Render(string name, OdpFlow flow, bool nested, ulong metadata)
    {
        return name switch
        {
            "in_port" => $"in_port({flow.InPort})",
            "eth" => $"eth(src={flow.EthernetSource},dst={flow.EthernetDestination})",
            "vlan" => RenderVlan(flow.VlanTci ?? 0),
            "eth_type" => $"eth_type(0x{(nested ? flow.InnerEtherType : flow.EtherType) ?? 0:x4})",
            "ipv4" => $"ipv4(src={RenderIp(flow.Ipv4Source)},dst={RenderIp(flow.Ipv4Destination)},proto={flow.IpProtocol},tos={flow.IpTos},ttl={flow.IpTtl},frag={flow.Fragment.ToString().ToLowerInvariant()})",
            "tcp" or "udp" => $"{name}(src={flow.TransportSource},dst={flow.TransportDestination})",
            "icmp" => $"icmp(type={flow.TransportSource},code={flow.TransportDestination})",
            "tcp_flags" => $"tcp_flags({RenderTcpFlags(flow.TcpFlags)})",
            "arp" => $"arp(sip={RenderIp(flow.ArpSenderIp)},tip={RenderIp(flow.ArpTargetIp)},op={flow.ArpOperation},sha={flow.ArpSenderMac},tha={flow.ArpTargetMac})",
            _ => $"{name}(0x{metadata:x})",
        };
    }

    private static string RenderVlan(ushort tci)
    {
        string text = $"vlan(vid={tci & 0xFFF},pcp={tci >> 13}";
        return (tci & VlanCfi) != 0 ? text + ")" : text + ",cfi=0)";
    }

    private static string RenderIp(uint address) => $"{address >> 24}.{(address >> 16) & 0xFF}.{(address >> 8) & 0xFF}.{address & 0xFF}";

    private static string RenderTcpFlags(ushort flags)
    {
        if (flags == 0)
        {
            return "0";
        }
        string[] names = ["fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns", "[200]", "[400]", "[800]"];
        var parts = new List<string>();
        for (int bit = 0; bit < names.Length; bit++)
        {
            if ((flags & (1 << bit)) != 0)
            {
                parts.Add(names[bit]);
            }
        }
        return string.Join('|', parts);
    }

    private static bool ParseSingle(ref Scanner scanner, int bits, Action<ulong> store)
    {
        if (!scanner.Integer(bits, out ulong value))
        {
            return false;
        }
        store(value);
        return scanner.Take(')');
    }

    private static bool ParseEthernet(ref Scanner scanner, OdpFlow flow)
    {
        flow.HasEthernet = true;
        flow.EthernetSource = default;
        flow.EthernetDestination = default;
        return Scanner.Fields(ref scanner, (ref Scanner s, string field) => field switch
        {
            "src=" => s.Mac(out MacAddress mac) && Set(() => flow.EthernetSource = mac),
            "dst=" => s.Mac(out MacAddress mac) && Set(() => flow.EthernetDestination = mac),
            _ => false,
        }, "src=", "dst=");
    }

    private static bool ParseVlan(ref Scanner scanner, OdpFlow flow)
    {
        // OVS starts a vlan() key with the CFI bit set, so "vlan(vid=10)" describes a real tag.
        int tci = VlanCfi;
        bool ok = Scanner.Fields(ref scanner, (ref Scanner s, string field) =>
        {
            if (!s.Integer(16, out ulong value))
            {
                return false;
            }
            switch (field)
            {
                case "vid=" when value <= 0xFFF:
                    tci = (tci & ~0xFFF) | (int)value;
                    return true;
                case "pcp=" when value <= 7:
                    tci = (tci & 0x1FFF) | ((int)value << 13);
                    return true;
                case "cfi=" when value <= 1:
                    tci = value == 1 ? tci | VlanCfi : tci & ~VlanCfi;
                    return true;
                default:
                    return false;
            }
        }, "vid=", "pcp=", "cfi=");
        flow.VlanTci = (ushort)tci;
        return ok;
    }

    private static bool ParseIpv4(ref Scanner scanner, OdpFlow flow)
    {
        flow.HasIpv4 = true;
        (flow.Ipv4Source, flow.Ipv4Destination, flow.IpProtocol, flow.IpTos, flow.IpTtl, flow.Fragment) = (0, 0, 0, 0, 0, OdpFragment.No);
        return Scanner.Fields(ref scanner, (ref Scanner s, string field) =>
        {
            switch (field)
            {
                case "src=":
                    return s.Ipv4(out uint source) && Set(() => flow.Ipv4Source = source);
                case "dst=":
                    return s.Ipv4(out uint destination) && Set(() => flow.Ipv4Destination = destination);
                case "frag=":
                    return s.Fragment(out OdpFragment fragment) && Set(() => flow.Fragment = fragment);
                default:
                    if (!s.Integer(8, out ulong value))
                    {
                        return false;
                    }
                    switch (field)
                    {
                        case "proto=":
                            flow.IpProtocol = (byte)value;
                            break;
                        case "tos=":
                            flow.IpTos = (byte)value;
                            break;
                        default:
                            flow.IpTtl = (byte)value;
                            break;
                    }
                    return true;
            }
        }, "src=", "dst=", "proto=", "tos=", "ttl=", "frag=");
    }

    private static bool ParsePorts(ref Scanner scanner, OdpFlow flow)
    {
        (flow.TransportSource, flow.TransportDestination) = (0, 0);
        return Scanner.Fields(ref scanner, (ref Scanner s, string field) =>
        {
            if (!s.Integer(16, out ulong value))
            {
                return false;
            }
            if (field == "src=")
            {
                flow.TransportSource = (ushort)value;
            }
            else
            {
                flow.TransportDestination = (ushort)value;
            }
            return true;
        }, "src=", "dst=");
    }

    private static bool ParseIcmp(ref Scanner scanner, OdpFlow flow)
    {
        (flow.TransportSource, flow.TransportDestination) = (0, 0);
        return Scanner.Fields(ref scanner, (ref Scanner s, string field) =>
        {
            if (!s.Integer(8, out ulong value))
            {
                return false;
            }
            if (field == "type=")
            {
                flow.TransportSource = (byte)value;
            }
            else
            {
                flow.TransportDestination = (byte)value;
            }
            return true;
        }, "type=", "code=");
    }

    private static bool ParseArp(ref Scanner scanner, OdpFlow flow)
    {
        flow.HasArp = true;
        (flow.ArpSenderIp, flow.ArpTargetIp, flow.ArpOperation, flow.ArpSenderMac, flow.ArpTargetMac) = (0, 0, 0, default, default);
        return Scanner.Fields(ref scanner, (ref Scanner s, string field) => field switch
        {
            "sip=" => s.Ipv4(out uint ip) && Set(() => flow.ArpSenderIp = ip),
            "tip=" => s.Ipv4(out uint ip) && Set(() => flow.ArpTargetIp = ip),
            "op=" => s.Integer(16, out ulong op) && Set(() => flow.ArpOperation = (ushort)op),
            "sha=" => s.Mac(out MacAddress mac) && Set(() => flow.ArpSenderMac = mac),
            "tha=" => s.Mac(out MacAddress mac) && Set(() => flow.ArpTargetMac = mac),
            _ => false,
        }, "sip=", "tip=", "op=", "sha=", "tha=");
    }

    private static bool ParseTcpFlags(ref Scanner scanner, OdpFlow flow)
    {
        if (scanner.Peek() is >= '0' and <= '9')
        {
            if (!scanner.Integer(16, out ulong value))
            {
                return false;
            }
            flow.TcpFlags = (ushort)(value & 0xFFF);
            return scanner.Take(')');
        }
        ushort flags = 0;
        while (true)
        {
            int bit = scanner.TcpFlagName();
            if (bit < 0)
            {
                return false;
            }
            flags |= (ushort)bit;
            if (scanner.Take('|'))
            {
                continue;
            }
            flow.TcpFlags = flags;
            return scanner.Take(')');
        }
    }

    private static bool ParseEncap(ref Scanner scanner, OdpFlow flow, ref string? duplicate, out string? text)
    {
        flow.HasEncap = true;
        text = null;
        var innerSeen = new HashSet<string>(StringComparer.Ordinal);
        var inner = new List<string>();
        while (true)
        {
            scanner.Position = SkipDelimiters(scanner.Text, scanner.Position);
            if (scanner.Position >= scanner.Text.Length)
            {
                return false;
            }
            if (scanner.Peek() == ')')
            {
                scanner.Position++;
                text = $"encap({string.Join(',', inner)})";
                return true;
            }
            int consumed = ParseAttribute(scanner.Text, scanner.Position, flow, innerSeen, inner, nested: true, out string? innerDuplicate);
            if (consumed <= 0)
            {
                return false;
            }
            duplicate ??= innerDuplicate;
            scanner.Position += consumed;
        }
    }

    private static bool Set(Action action)
    {
        action();
        return true;
    }

    private static int SkipDelimiters(string text, int position)
    {
        while (position < text.Length && Delimiters.Contains(text[position], StringComparison.Ordinal))
        {
            position++;
        }
        return position;
    }

    private delegate bool FieldParser(ref Scanner scanner, string field);

    /// <summary>A cursor over the flow text with the scanners OVS's key syntax needs.</summary>
    private struct Scanner(string text, int position)
    {
        public string Text { get; } = text;

        public int Position { get; set; } = position;

        public readonly char Peek() => Position < Text.Length ? Text[Position] : '\0';

        public bool Take(char expected)
        {
            if (Peek() != expected)
            {
                return false;
            }
            Position++;
            return true;
        }

        /// <summary>Reads "name(" and returns the name, or null when the text does not start an attribute.</summary>
        public string? AttributeName()
        {
            int start = Position;
            while (Position < Text.Length && (char.IsAsciiLetterOrDigit(Text[Position]) || Text[Position] == '_'))
            {
                Position++;
            }
            if (Position == start || !Take('('))
            {
                Position = start;
                return null;
            }
            return Text[start..(Position - 1)];
        }

        /// <summary>
        /// Reads "field=value,field=value)" where every field is one of <paramref name="names"/> (any order, any
        /// subset, repeats allowed as in OVS: the last one wins). An empty list "()" is allowed.
        /// </summary>
        public static bool Fields(ref Scanner self, FieldParser parseValue, params string[] names)
        {
            if (self.Take(')'))
            {
                return true;
            }
            while (true)
            {
                string? field = null;
                foreach (string name in names)
                {
                    if (string.CompareOrdinal(self.Text, self.Position, name, 0, name.Length) == 0)
                    {
                        field = name;
                        break;
                    }
                }
                if (field is null)
                {
                    return false;
                }
                self.Position += field.Length;
                if (!parseValue(ref self, field))
                {
                    return false;
                }
                if (self.Take(','))
                {
                    continue;
                }
                return self.Take(')');
            }
        }

        /// <summary>
        /// Reads a C-style integer as scanf's %i does (sign, 0x hex, leading-zero octal, decimal) and wraps it to
        /// <paramref name="bits"/> bits.
        /// </summary>
        public bool Integer(int bits, out ulong value)
        {
            value = 0;
            int start = Position;
            bool negative = false;
            if (Peek() is '+' or '-')
            {
                negative = Peek() == '-';
                Position++;
            }
            int numberBase = 10;
            if (Peek() == '0' && Position + 1 < Text.Length && Text[Position + 1] is 'x' or 'X' && Position + 2 < Text.Length && char.IsAsciiHexDigit(Text[Position + 2]))
            {
                numberBase = 16;
                Position += 2;
            }
            else if (Peek() == '0')
            {
                numberBase = 8;
            }
            int digitsStart = Position;
            ulong result = 0;
            while (Position < Text.Length)
            {
                int digit = HexValue(Text[Position]);
                if (digit < 0 || digit >= numberBase)
                {
                    break;
                }
                result = unchecked((result * (ulong)numberBase) + (ulong)digit);
                Position++;
            }
            if (Position == digitsStart)
            {
                Position = start;
                return false;
            }
            if (negative)
            {
                result = unchecked(0 - result);
            }
            value = bits >= 64 ? result : result & ((1UL << bits) - 1);
            return true;
        }

        /// <summary>Reads six colon-separated hex bytes.</summary>
        public bool Mac(out MacAddress mac)
        {
            mac = default;
            ulong value = 0;
            for (int i = 0; i < MacAddress.Size; i++)
            {
                if (i > 0 && !Take(':'))
                {
                    return false;
                }
                int digits = 0;
                int octet = 0;
                while (digits < 2 && HexValue(Peek()) >= 0)
                {
                    octet = (octet << 4) | HexValue(Peek());
                    Position++;
                    digits++;
                }
                if (digits == 0)
                {
                    return false;
                }
                value = (value << 8) | (uint)octet;
            }
            mac = new MacAddress(value);
            return true;
        }

        /// <summary>Reads a dotted-quad IPv4 address (no mask: a key given to netdev-dummy/receive has none).</summary>
        public bool Ipv4(out uint address)
        {
            address = 0;
            for (int i = 0; i < 4; i++)
            {
                if (i > 0 && !Take('.'))
                {
                    return false;
                }
                int start = Position;
                uint octet = 0;
                while (Position < Text.Length && char.IsAsciiDigit(Text[Position]) && Position - start < 3)
                {
                    octet = (octet * 10) + (uint)(Text[Position] - '0');
                    Position++;
                }
                if (Position == start || octet > 255)
                {
                    return false;
                }
                address = (address << 8) | octet;
            }
            return true;
        }

        public bool Fragment(out OdpFragment fragment)
        {
            foreach ((string name, OdpFragment value) in (ReadOnlySpan<(string, OdpFragment)>)[("no", OdpFragment.No), ("first", OdpFragment.First), ("later", OdpFragment.Later)])
            {
                if (string.CompareOrdinal(Text, Position, name, 0, name.Length) == 0)
                {
                    Position += name.Length;
                    fragment = value;
                    return true;
                }
            }
            fragment = OdpFragment.No;
            return false;
        }

        /// <summary>Reads one TCP flag name and returns its bit, or -1.</summary>
        public int TcpFlagName()
        {
            ReadOnlySpan<(string Name, int Bit)> names =
            [
                ("fin", 0x001), ("syn", 0x002), ("rst", 0x004), ("psh", 0x008), ("ack", 0x010), ("urg", 0x020),
                ("ece", 0x040), ("cwr", 0x080), ("ns", 0x100), ("[200]", 0x200), ("[400]", 0x400), ("[800]", 0x800),
            ];
            foreach ((string name, int bit) in names)
            {
                if (string.CompareOrdinal(Text, Position, name, 0, name.Length) == 0)
                {
                    Position += name.Length;
                    return bit;
                }
            }
            return -1;
        }

        private static int HexValue(char c)
        {
            return c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => -1,
            };
        }
    }
}
