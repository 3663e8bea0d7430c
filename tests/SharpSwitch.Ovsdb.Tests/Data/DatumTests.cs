// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Schema;

namespace SharpSwitch.Ovsdb.Tests.Data;

public sealed class DatumTests
{
    private static ColumnType TypeOf(string json) => ColumnType.Parse(JsonText.Parse(json));

    private static readonly ColumnType s_stringMap = TypeOf("""{"key":"string","value":"string","min":0,"max":"unlimited"}""");
    private static readonly ColumnType s_vlanSet = TypeOf("""{"key":{"type":"integer","minInteger":0,"maxInteger":4095},"min":0,"max":4096}""");
    private static readonly ColumnType s_optionalTag = TypeOf("""{"key":{"type":"integer","minInteger":0,"maxInteger":4095},"min":0,"max":1}""");
    private static readonly ColumnType s_failMode = TypeOf("""{"key":{"type":"string","enum":["set",["standalone","secure"]]},"min":0,"max":1}""");
    private static readonly ColumnType s_portRefs = TypeOf("""{"key":{"type":"uuid","refTable":"Port"},"min":0,"max":"unlimited"}""");

    [Theory]
    [InlineData("""["set",[20,10]]""", """["set",[10,20]]""")]
    [InlineData("""["set",[10]]""", "10")]
    [InlineData("10", "10")]
    [InlineData("""["set",[]]""", """["set",[]]""")]
    public void Sets_are_sorted_and_single_elements_are_bare_on_output(string input, string expected)
    {
        Datum datum = Datum.FromJson(JsonText.Parse(input), s_vlanSet);
        Assert.Equal(expected, JsonText.Compact(datum.ToJson()));
    }

    [Fact]
    public void Maps_are_always_wrapped_and_sorted_by_key()
    {
        Datum datum = Datum.FromJson(JsonText.Parse("""["map",[["b","2"],["a","1"]]]"""), s_stringMap);
        Assert.Equal("""["map",[["a","1"],["b","2"]]]""", JsonText.Compact(datum.ToJson()));
        Assert.Equal("""["map",[]]""", JsonText.Compact(Datum.Empty(s_stringMap).ToJson()));
    }

    [Fact]
    public void Range_violations_use_the_ovs_wording()
    {
        OvsdbException error = Assert.Throws<OvsdbException>(() => Datum.FromJson(JsonText.Parse("5000"), s_optionalTag));
        Assert.Equal("constraint violation", error.Tag);
        Assert.Equal("5000 is not in the valid range 0 to 4095 (inclusive)", error.Details);
    }

    [Fact]
    public void Enum_violations_list_the_allowed_values()
    {
        OvsdbException error = Assert.Throws<OvsdbException>(() => Datum.FromJson(JsonText.Parse("\"bogus\""), s_failMode));
        Assert.Equal("bogus is not one of the allowed values ([secure, standalone])", error.Details);
    }

    [Fact]
    public void Wrong_atom_type_is_a_syntax_error_with_the_json_as_syntax()
    {
        OvsdbException error = Assert.Throws<OvsdbException>(() => Datum.FromJson(JsonText.Parse("7"), ColumnType.Scalar(AtomType.String)));
        Assert.Equal("syntax error", error.Tag);
        Assert.Equal("expected string", error.Details);
        Assert.Equal("7", error.Syntax);
    }

    [Fact]
    public void Too_many_elements_report_the_limits()
    {
        OvsdbException error = Assert.Throws<OvsdbException>(() => Datum.FromJson(JsonText.Parse("""["set",[1,2]]"""), s_optionalTag));
        Assert.Equal("set must have 0 to 1 members but 2 are present", error.Details);
    }

    [Fact]
    public void Duplicate_keys_are_rejected()
    {
        Assert.Throws<OvsdbException>(() => Datum.FromJson(JsonText.Parse("""["map",[["a","1"],["a","2"]]]"""), s_stringMap));
    }

    [Fact]
    public void Named_uuids_resolve_through_the_symbol_table_including_forward_references()
    {
        var symbols = new SymbolTable();
        Datum datum = Datum.FromJson(JsonText.Parse("""["named-uuid","row1"]"""), s_portRefs, symbols);
        Assert.Equal(symbols.Find("row1")!.Uuid, datum.Keys[0].Uuid);
        Assert.True(symbols.Find("row1")!.StrongReference);
        Assert.Throws<OvsdbException>(() => Datum.FromJson(JsonText.Parse("""["named-uuid","row1"]"""), s_portRefs));
    }

    [Theory]
    [InlineData("{a=b, c=d}", "{a=b, c=d}")]
    [InlineData("c=d,a=b", "{a=b, c=d}")]
    [InlineData("{}", "{}")]
    [InlineData("{\"x y\"=\"1\"}", "{\"x y\"=\"1\"}")]
    [InlineData("{bond-primary=b1}", "{bond-primary=b1}")]
    [InlineData("{k=true}", "{k=\"true\"}")]
    public void Map_string_syntax_round_trips(string input, string expected)
    {
        Assert.Equal(expected, Datum.ParseOvsString(s_stringMap, input).ToOvsString());
    }

    [Theory]
    [InlineData("[20, 10]", "[10, 20]")]
    [InlineData("20 10", "[10, 20]")]
    [InlineData("[]", "[]")]
    [InlineData("7", "[7]")]
    public void Set_string_syntax_round_trips(string input, string expected)
    {
        Assert.Equal(expected, Datum.ParseOvsString(s_vlanSet, input).ToOvsString());
    }

    [Fact]
    public void Optional_values_print_bare_or_as_empty_brackets()
    {
        Assert.Equal("10", Datum.ParseOvsString(s_optionalTag, "10").ToOvsString());
        Assert.Equal("[]", Datum.Empty(s_optionalTag).ToOvsString());
    }

    [Fact]
    public void String_syntax_errors_are_clear()
    {
        Assert.Equal("use \"{}\" to specify the empty map", Assert.Throws<OvsdbException>(() => Datum.ParseOvsString(s_stringMap, " ")).Details);
        Assert.Contains("expecting \"=\"", Assert.Throws<OvsdbException>(() => Datum.ParseOvsString(s_stringMap, "{a}")).Details);
        Assert.Contains("is not a valid integer", Assert.Throws<OvsdbException>(() => Datum.ParseOvsString(s_vlanSet, "x")).Details);
        Assert.Contains("valid range", Assert.Throws<OvsdbException>(() => Datum.ParseOvsString(s_vlanSet, "5000")).Details);
        Assert.Contains("quoted string extends", Assert.Throws<OvsdbException>(() => Datum.ParseOvsString(s_stringMap, "{a=\"b}")).Details);
    }

    [Theory]
    [InlineData("br0", "br0")]
    [InlineData("", "\"\"")]
    [InlineData("1.0", "\"1.0\"")]
    [InlineData("true", "\"true\"")]
    [InlineData("a b", "\"a b\"")]
    [InlineData("aa:55:aa:55:00:05", "\"aa:55:aa:55:00:05\"")]
    [InlineData("01234567-89ab-cdef-0123-456789abcdef", "\"01234567-89ab-cdef-0123-456789abcdef\"")]
    public void Strings_are_quoted_only_when_needed(string value, string expected)
    {
        Assert.Equal(expected, Atom.FromString(value).ToOvsString());
    }

    [Fact]
    public void Diff_and_apply_diff_are_inverse_for_maps_and_sets()
    {
        Datum before = Datum.ParseOvsString(s_stringMap, "{a=1, b=2, c=3}");
        Datum after = Datum.ParseOvsString(s_stringMap, "{a=1, b=9, d=4}");
        Datum diff = after.DiffFrom(before);
        Assert.Equal("{b=\"9\", c=\"3\", d=\"4\"}", diff.ToOvsString());
        Assert.Equal(after, before.ApplyDiff(diff));
        Datum setBefore = Datum.ParseOvsString(s_vlanSet, "[10, 20]");
        Datum setAfter = Datum.ParseOvsString(s_vlanSet, "[20, 30]");
        Assert.Equal(setAfter, setBefore.ApplyDiff(setAfter.DiffFrom(setBefore)));
    }

    [Fact]
    public void Map_union_never_overwrites_and_subtract_by_pair_needs_matching_value()
    {
        Datum map = Datum.ParseOvsString(s_stringMap, "{mk=v1}");
        Assert.Equal("{mk=v1}", map.Union(Datum.ParseOvsString(s_stringMap, "{mk=v2}")).ToOvsString());
        Assert.Equal("{mk=v1}", map.Subtract(Datum.ParseOvsString(s_stringMap, "{mk=v2}")).ToOvsString());
        Assert.Equal("{}", map.Subtract(Datum.ParseOvsString(s_stringMap, "{mk=v1}")).ToOvsString());
        ColumnType keySet = new(s_stringMap.Key, null, 0, ColumnType.Unlimited);
        Assert.Equal("{}", map.Subtract(Datum.ParseOvsString(keySet, "[mk]")).ToOvsString());
    }

    [Fact]
    public void Uuid_order_matches_their_text_order()
    {
        var uuids = Enumerable.Range(0, 200).Select(_ => Guid.NewGuid()).ToList();
        var byAtom = uuids.Select(Atom.FromUuid).OrderBy(a => a).Select(a => a.Uuid.ToString()).ToList();
        var byText = uuids.Select(u => u.ToString()).OrderBy(s => s, StringComparer.Ordinal).ToList();
        Assert.Equal(byText, byAtom);
    }

    [Fact]
    public void Strings_order_by_utf8_bytes()
    {
        Assert.True(Atom.FromString("\uFFFD") < Atom.FromString("\U0001F600"));
        Assert.True(Atom.FromString("a") < Atom.FromString("b"));
        Assert.True(Atom.FromString("B") < Atom.FromString("a"));
    }

    [Fact]
    public void Integer_ranges_expand_in_sets_and_are_checked()
    {
        Assert.Equal("[1, 2, 3, 4, 10]", Datum.ParseOvsString(s_vlanSet, "1-4,10").ToOvsString());
        Assert.Equal("[-3]", Datum.ParseOvsString(ColumnType.Parse(JsonText.Parse("""{"key":"integer","min":0,"max":"unlimited"}""")), "-3").ToOvsString());
        Assert.Contains("Range end cannot be before start", Assert.Throws<OvsdbException>(() => Datum.ParseOvsString(s_vlanSet, "5-1")).Details);
        Assert.Contains("is too big", Assert.Throws<OvsdbException>(() => Datum.ParseOvsString(s_vlanSet, "0-5000")).Details);
        Assert.Contains("valid range 0 to 4095", Assert.Throws<OvsdbException>(() => Datum.ParseOvsString(s_vlanSet, "4090-4096")).Details);
    }

    [Fact]
    public void Bare_form_has_no_brackets_or_quotes()
    {
        Assert.Equal("a=b c=d e", Datum.ParseOvsString(s_stringMap, "{a=b, c=\"d e\"}").ToBareString());
        Assert.Equal("10 20", Datum.ParseOvsString(s_vlanSet, "[10, 20]").ToBareString());
        Assert.Equal("", Datum.Empty(s_optionalTag).ToBareString());
    }
}
