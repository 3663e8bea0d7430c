// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Schema;

namespace SharpSwitch.Ovsdb.Tests.Data;

/// <summary>
/// The memory-saving representations keep their meaning: atoms share one payload slot between integer, real and
/// uuid, and <see cref="JsonText.ToElement"/> reuses one buffer per thread.
/// </summary>
public sealed class CompactRepresentationTests
{
    [Fact]
    public void An_atom_is_32_bytes()
    {
        Assert.Equal(32, Unsafe.SizeOf<Atom>());
    }

    [Fact]
    public void Accessors_of_other_types_read_as_defaults_not_as_the_shared_bytes()
    {
        var uuid = Guid.Parse("ffffffff-ffff-ffff-ffff-ffffffffffff");
        Atom u = Atom.FromUuid(uuid);
        Assert.Equal(uuid, u.Uuid);
        Assert.Equal(0, u.Integer);
        Assert.Equal(0.0, u.Real);
        Assert.False(u.Boolean);

        Atom i = Atom.FromInteger(-1);
        Assert.Equal(-1, i.Integer);
        Assert.Equal(Guid.Empty, i.Uuid);
        Assert.Equal(0.0, i.Real);

        Atom r = Atom.FromReal(1.5);
        Assert.Equal(1.5, r.Real);
        Assert.Equal(0, r.Integer);
        Assert.Equal(Guid.Empty, r.Uuid);

        Assert.True(Atom.FromBoolean(true).Boolean);
        Assert.Equal("x", Atom.FromString("x").String);
    }

    [Fact]
    public void Atoms_whose_payload_bytes_coincide_still_differ_by_type()
    {
        // -1 as a long and the uuid whose first 8 bytes are all ones share their first 8 bytes of storage.
        Atom integer = Atom.FromInteger(-1);
        Atom uuid = Atom.FromUuid(new Guid([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0]));
        Assert.NotEqual(integer, uuid);
        Assert.NotEqual(Atom.FromInteger(1), Atom.FromReal(BitConverter.Int64BitsToDouble(1)));
        Assert.NotEqual(0, integer.CompareTo(uuid));
        Assert.Equal(Atom.FromInteger(-1), integer);
        Assert.Equal(Atom.FromInteger(-1).GetHashCode(), integer.GetHashCode());
    }

    [Fact]
    public void Default_atoms_are_recognised_for_every_type()
    {
        foreach (AtomType type in Enum.GetValues<AtomType>())
        {
            Assert.True(Atom.DefaultFor(type).IsDefault, type.ToString());
        }
        Assert.False(Atom.FromUuid(Guid.NewGuid()).IsDefault);
        Assert.False(Atom.FromReal(0.5).IsDefault);
    }

    [Fact]
    public void An_element_from_ToElement_survives_later_calls_that_reuse_the_buffer()
    {
        JsonElement first = JsonText.ToElement(new JsonObject { ["a"] = new JsonArray(1, 2, 3), ["s"] = "first" });
        var big = new JsonArray();
        for (int i = 0; i < 20_000; i++)
        {
            big.Add(JsonValue.Create("value-" + i));
        }
        JsonElement second = JsonText.ToElement(big);
        JsonElement third = JsonText.ToElement(JsonValue.Create("short"));
        JsonElement none = JsonText.ToElement(null);

        Assert.Equal("""{"a":[1,2,3],"s":"first"}""", first.GetRawText());
        Assert.Equal(20_000, second.GetArrayLength());
        Assert.Equal("value-19999", second[19_999].GetString());
        Assert.Equal("short", third.GetString());
        Assert.Equal(JsonValueKind.Null, none.ValueKind);
    }

    [Fact]
    public void ToElement_keeps_non_ascii_text_unescaped_in_the_element()
    {
        JsonElement element = JsonText.ToElement(JsonValue.Create("ünï <&>"));
        Assert.Equal("ünï <&>", element.GetString());
    }
}
