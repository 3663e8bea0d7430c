// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text;
using System.Text.Json;

namespace SharpSwitch.JsonRpc.Tests;

public sealed class MessageTests
{
    private static JsonRpcMessage Parse(string json)
    {
        return JsonRpcMessage.Parse(Encoding.UTF8.GetBytes(json));
    }

    private static JsonElement Json(string json)
    {
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    [Theory]
    [InlineData("{\"id\":1,\"method\":\"get_schema\",\"params\":[\"_Server\"]}", JsonRpcMessageKind.Request)]
    [InlineData("{\"id\":null,\"method\":\"update3\",\"params\":[null,\"0\",{}]}", JsonRpcMessageKind.Notification)]
    [InlineData("{\"method\":\"cancel\",\"params\":[24]}", JsonRpcMessageKind.Notification)]
    [InlineData("{\"id\":2,\"result\":{},\"error\":null}", JsonRpcMessageKind.Reply)]
    [InlineData("{\"id\":3,\"error\":\"unknown method\"}", JsonRpcMessageKind.Error)]
    [InlineData("{\"id\":4,\"result\":null,\"error\":{\"error\":\"unknown database\"}}", JsonRpcMessageKind.Error)]
    public void Kind_is_derived_from_the_members_present(string json, JsonRpcMessageKind kind)
    {
        Assert.Equal(kind, Parse(json).Kind);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-17")]
    [InlineData("1.5e3")]
    [InlineData("\"echo\"")]
    [InlineData("\"str-id\"")]
    [InlineData("true")]
    [InlineData("false")]
    [InlineData("[\"monid\",\"Open_vSwitch\"]")]
    [InlineData("{\"a\":[1,{\"b\":null}]}")]
    public void Ids_of_every_json_type_are_kept_verbatim_in_the_reply(string id)
    {
        JsonRpcMessage request = Parse("{\"id\":" + id + ",\"method\":\"echo\",\"params\":[\"hello\",1]}");
        Assert.Equal(JsonRpcMessageKind.Request, request.Kind);
        JsonRpcMessage reply = JsonRpcMessage.CreateReply(request.Id!.Value, request.Params!.Value);
        Assert.Equal("{\"id\":" + id + ",\"result\":[\"hello\",1],\"error\":null}", reply.ToString());
        Assert.True(Parse(reply.ToString()).IsAnswerTo(request.Id.Value));
    }

    [Fact]
    public void Messages_are_written_in_the_shapes_ovs_writes()
    {
        Assert.Equal("{\"id\":1,\"method\":\"get_schema\",\"params\":[\"_Server\"]}", JsonRpcMessage.CreateRequest(1, "get_schema", Json("[\"_Server\"]")).ToString());
        Assert.Equal("{\"id\":null,\"method\":\"locked\",\"params\":[\"L1\"]}", JsonRpcMessage.CreateNotification("locked", Json("[\"L1\"]")).ToString());
        Assert.Equal("{\"id\":7,\"result\":{},\"error\":null}", JsonRpcMessage.CreateReply(Json("7"), Json("{}")).ToString());
        Assert.Equal("{\"id\":3,\"error\":\"unknown method\"}", JsonRpcMessage.CreateError(Json("3"), "unknown method").ToString());
        Assert.Equal("{\"id\":\"echo\",\"method\":\"echo\",\"params\":[]}", JsonRpcMessage.CreateEchoProbe().ToString());
    }

    [Fact]
    public void Non_ascii_text_is_written_as_utf8_not_escaped()
    {
        JsonRpcMessage message = JsonRpcMessage.CreateReply(Json("1"), Json("\"väl <&> ✓\""));
        Assert.Equal("{\"id\":1,\"result\":\"väl <&> ✓\",\"error\":null}", message.ToString());
    }

    [Theory]
    [InlineData("{\"id\":1,\"method\":\"x\",\"params\":[],\"extra\":1}", "unexpected member \"extra\"")]
    [InlineData("{\"id\":1,\"result\":1,\"error\":\"e\"}", "both \"result\" and \"error\"")]
    [InlineData("{\"id\":1,\"method\":5,\"params\":[]}", "\"method\" is not a JSON string")]
    [InlineData("{\"id\":1,\"method\":\"x\",\"params\":{}}", "\"params\" must be JSON array")]
    [InlineData("{\"id\":1,\"method\":\"x\"}", "without \"params\"")]
    [InlineData("{\"result\":1}", "not a JSON-RPC request")]
    [InlineData("{\"id\":1}", "neither \"result\" nor \"error\"")]
    [InlineData("[1]", "not a JSON object")]
    [InlineData("{\"id\":1,\"method\":\"x\",\"params\":[}", "error parsing stream")]
    [InlineData("{\"id\":1,\"method\":\"x\",\"params\":[] } x", "error parsing stream")]
    [InlineData("{\"id\":1,\"method\":\"x\",\"params\":[\"\\ud800\"]", "error parsing stream")]
    public void Malformed_messages_give_a_clear_error(string json, string expected)
    {
        var error = Assert.Throws<JsonRpcProtocolException>(() => Parse(json));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_is_a_protocol_error()
    {
        byte[] bytes = [.. "{\"id\":1,\"result\":\""u8, 0xff, 0xfe, .. "\",\"error\":null}"u8];
        Assert.Throws<JsonRpcProtocolException>(() => JsonRpcMessage.Parse(bytes));
    }

    [Fact]
    public void A_request_cannot_be_created_with_a_null_id_or_non_array_params()
    {
        Assert.Throws<ArgumentException>(() => JsonRpcMessage.CreateRequest(Json("null"), "x", Json("[]")));
        Assert.Throws<ArgumentException>(() => JsonRpcMessage.CreateNotification("x", Json("{}")));
        Assert.Throws<ArgumentException>(() => JsonRpcMessage.CreateReply(Json("1"), Json("null")));
    }
}
