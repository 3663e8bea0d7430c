// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SharpSwitch.JsonRpc;

/// <summary>The four JSON-RPC 1.0 message kinds, told apart by which members are present.</summary>
public enum JsonRpcMessageKind
{
    /// <summary><c>method</c>, <c>params</c> and a non-null <c>id</c>: the peer expects a reply.</summary>
    Request,

    /// <summary><c>method</c> and <c>params</c> with a null or missing <c>id</c>: no reply is expected.</summary>
    Notification,

    /// <summary>A non-null <c>result</c> and an <c>id</c>: the successful answer to a request.</summary>
    Reply,

    /// <summary>A non-null <c>error</c> and an <c>id</c>: the failed answer to a request.</summary>
    Error,
}

/// <summary>
/// One JSON-RPC 1.0 message, classified the way OVS classifies it: a JSON <c>null</c> member counts as absent, any
/// member other than <c>method</c>, <c>params</c>, <c>result</c>, <c>error</c> and <c>id</c> is rejected, and the
/// id may be any JSON value, which is kept verbatim so that replies echo it unchanged.
/// </summary>
/// <remarks>
/// A message made by <see cref="ParseLeased"/> reads its members out of pooled buffers, which <see cref="Dispose"/>
/// gives back; every other message owns its memory, and disposing it does nothing.
/// </remarks>
public sealed class JsonRpcMessage : IDisposable
{
    private static readonly JsonWriterOptions s_writerOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    /// <summary>The writer options of the wire format: compact, non-ASCII text as it is.</summary>
    internal static JsonWriterOptions WireWriterOptions => s_writerOptions;

    private static readonly JsonReaderOptions s_readerOptions = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 1000 };
    private static readonly JsonDocumentOptions s_documentOptions = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 1000 };
    private static readonly System.Text.UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly JsonElement s_emptyArray = JsonDocument.Parse("[]").RootElement.Clone();
    private static readonly JsonElement s_echoId = JsonDocument.Parse("\"echo\"").RootElement.Clone();

    // A body given as a JsonNode is kept as the node and written straight from it: turning a large OVSDB reply into
    // a JsonElement first would copy all of its text and build a token table, both large objects, only to write the
    // same bytes again. The element form is built on demand, for callers that read Params or Result.
    private readonly JsonNode? _paramsNode;
    private readonly JsonNode? _resultNode;
    private JsonElement? _params;
    private JsonElement? _result;

    // Set only on a leased message: the pooled document its members point into, and the received frame when the
    // document reads the frame's own segment in place.
    private JsonDocument? _leasedDocument;
    private PooledSegmentWriter? _leasedFrame;
    private byte[]? _leasedBuffer;

    private JsonRpcMessage(JsonRpcMessageKind kind, string? method, JsonElement? @params, JsonElement? result, JsonElement? error, JsonElement? id)
    {
        Kind = kind;
        Method = method;
        _params = @params;
        _result = result;
        Error = error;
        Id = id;
    }

    private JsonRpcMessage(JsonRpcMessageKind kind, string? method, JsonNode? paramsNode, JsonNode? resultNode, JsonElement? id)
    {
        Kind = kind;
        Method = method;
        _paramsNode = paramsNode;
        _resultNode = resultNode;
        Id = id;
    }

    /// <summary>What kind of message this is.</summary>
    public JsonRpcMessageKind Kind { get; }

    /// <summary>The method name of a request or notification; null for replies.</summary>
    public string? Method { get; }

    /// <summary>The parameter array of a request or notification; null for replies.</summary>
    public JsonElement? Params => _paramsNode is null ? _params : Materialize(_paramsNode, ref _params);

    /// <summary>The result of a <see cref="JsonRpcMessageKind.Reply"/>; null otherwise.</summary>
    public JsonElement? Result => _resultNode is null ? _result : Materialize(_resultNode, ref _result);

    /// <summary>The error of an <see cref="JsonRpcMessageKind.Error"/> reply (a string or an object); null otherwise.</summary>
    public JsonElement? Error { get; }

    /// <summary>The id exactly as received or given; null for notifications.</summary>
    public JsonElement? Id { get; }

    /// <summary>The id <c>"echo"</c> that OVS uses for its inactivity probes.</summary>
    public static JsonElement EchoId => s_echoId;

    /// <summary>Creates a request that expects a reply carrying the same <paramref name="id"/>.</summary>
    public static JsonRpcMessage CreateRequest(JsonElement id, string method, JsonElement @params)
    {
        ArgumentNullException.ThrowIfNull(method);
        if (id.ValueKind == JsonValueKind.Null)
        {
            throw new ArgumentException("a request needs a non-null id; use CreateNotification instead", nameof(id));
        }
        RequireArray(@params);
        return new JsonRpcMessage(JsonRpcMessageKind.Request, method, @params.Clone(), null, null, id.Clone());
    }

    /// <summary>Creates a request with an integer id, the form OVS clients use.</summary>
    public static JsonRpcMessage CreateRequest(long id, string method, JsonElement @params)
    {
        return CreateRequest(JsonValues.Integer(id), method, @params);
    }

    /// <summary>Creates a notification: a request that gets no reply (written with <c>"id":null</c>).</summary>
    public static JsonRpcMessage CreateNotification(string method, JsonElement @params)
    {
        ArgumentNullException.ThrowIfNull(method);
        RequireArray(@params);
        return new JsonRpcMessage(JsonRpcMessageKind.Notification, method, @params.Clone(), null, null, null);
    }

    /// <summary>
    /// Creates a notification whose parameters are written straight from <paramref name="params"/> when sent. The
    /// message takes the node over: the caller must not change it afterwards, since the message may be written on
    /// another thread.
    /// </summary>
    public static JsonRpcMessage CreateNotification(string method, JsonArray @params)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(@params);
        return new JsonRpcMessage(JsonRpcMessageKind.Notification, method, @params, null, null);
    }

    /// <summary>
    /// Creates a successful reply whose result is written straight from <paramref name="result"/> when sent. The
    /// message takes the node over: the caller must not change it afterwards, since the message may be written on
    /// another thread.
    /// </summary>
    public static JsonRpcMessage CreateReply(JsonElement id, JsonNode result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.GetValueKind() == JsonValueKind.Null)
        {
            throw new ArgumentException("a reply's result must not be null, because OVS would read it as absent", nameof(result));
        }
        return new JsonRpcMessage(JsonRpcMessageKind.Reply, null, null, result, id.Clone());
    }

    /// <summary>Creates a successful reply to the request with <paramref name="id"/>.</summary>
    public static JsonRpcMessage CreateReply(JsonElement id, JsonElement result)
    {
        if (result.ValueKind == JsonValueKind.Null)
        {
            throw new ArgumentException("a reply's result must not be null, because OVS would read it as absent", nameof(result));
        }
        return new JsonRpcMessage(JsonRpcMessageKind.Reply, null, null, result.Clone(), null, id.Clone());
    }

    /// <summary>Creates an error reply to the request with <paramref name="id"/>; OVS errors are strings or objects.</summary>
    public static JsonRpcMessage CreateError(JsonElement id, JsonElement error)
    {
        if (error.ValueKind == JsonValueKind.Null)
        {
            throw new ArgumentException("an error reply's error must not be null", nameof(error));
        }
        return new JsonRpcMessage(JsonRpcMessageKind.Error, null, null, null, error.Clone(), id.Clone());
    }

    /// <summary>Creates an error reply whose error is a plain string, such as <c>"unknown method"</c>.</summary>
    public static JsonRpcMessage CreateError(JsonElement id, string error)
    {
        return CreateError(id, JsonValues.String(error));
    }

    /// <summary>The probe OVS sends after a period of silence: <c>{"id":"echo","method":"echo","params":[]}</c>.</summary>
    public static JsonRpcMessage CreateEchoProbe()
    {
        return new JsonRpcMessage(JsonRpcMessageKind.Request, "echo", s_emptyArray, null, null, s_echoId);
    }

    /// <summary>
    /// Parses one complete JSON text into a message. Throws <see cref="JsonRpcProtocolException"/> with a clear
    /// reason when the text is not JSON or not a JSON-RPC message.
    /// </summary>
    public static JsonRpcMessage Parse(ReadOnlySpan<byte> utf8Json)
    {
        if (!System.Text.Unicode.Utf8.IsValid(utf8Json))
        {
            throw new JsonRpcProtocolException("error parsing stream: invalid UTF-8 sequence");
        }
        var reader = new Utf8JsonReader(utf8Json, s_readerOptions);
        return ParseValue(ref reader);
    }

    /// <summary>
    /// Parses one complete JSON text held in several buffers (as <see cref="JsonStreamFramer"/> gathers a large
    /// message), with the same checks as the contiguous form and without first copying it into one array.
    /// </summary>
    public static JsonRpcMessage Parse(ReadOnlySequence<byte> utf8Json)
    {
        if (utf8Json.IsSingleSegment)
        {
            return Parse(utf8Json.FirstSpan);
        }
        CheckUtf8(utf8Json);
        var reader = new Utf8JsonReader(utf8Json, s_readerOptions);
        return ParseValue(ref reader);
    }

    /// <summary>
    /// Parses one received frame without copying it: the message's members read the frame's pooled memory (or one
    /// pooled copy, when the frame spans several segments) and stay valid only until <see cref="Dispose"/>, which
    /// returns that memory. The message takes the frame over, also when parsing fails.
    /// </summary>
    /// <remarks>
    /// A server that handles each request before reading the next uses this: an <c>ovs-vsctl add-port</c> on a
    /// bridge with 1000 ports is a ~90 KB request, and <see cref="Parse(ReadOnlySequence{byte})"/>'s private copy of
    /// its text and of its token table were both large objects that only a full collection frees; measured with an
    /// allocation trace over 600 add-ports, they were 96 % of all large-object allocations of <c>vsw ovsdb-server</c>.
    /// </remarks>
    public static JsonRpcMessage ParseLeased(PooledSegmentWriter frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        JsonDocument? document = null;
        byte[]? contiguous = null;
        bool frameKept = false;
        try
        {
            ReadOnlySequence<byte> text = frame.ToSequence();
            CheckUtf8(text);
            ReadOnlyMemory<byte> memory;
            if (text.IsSingleSegment)
            {
                memory = text.First;
            }
            else
            {
                // A longer message is copied once into one buffer of the JSON-RPC pool, which the document reads in
                // place; left to the document, the copy would come from the runtime's shared pool, which keeps it.
                contiguous = JsonRpcBuffers.Rent(checked((int)text.Length));
                text.CopyTo(contiguous);
                memory = contiguous.AsMemory(0, (int)text.Length);
            }
            try
            {
                document = JsonDocument.Parse(memory, s_documentOptions);
            }
            catch (JsonException ex)
            {
                throw new JsonRpcProtocolException("error parsing stream: " + ex.Message, ex);
            }
            JsonRpcMessage message = FromJson(document.RootElement, copyMembers: false);
            message._leasedDocument = document;
            message._leasedBuffer = contiguous;
            contiguous = null;
            if (text.IsSingleSegment)
            {
                message._leasedFrame = frame;
                frameKept = true;
            }
            document = null;
            return message;
        }
        finally
        {
            document?.Dispose();
            if (contiguous is not null)
            {
                JsonRpcBuffers.Return(contiguous);
            }
            if (!frameKept)
            {
                frame.Dispose();
            }
        }
    }

    /// <summary>Gives back the pooled memory of a leased message (see <see cref="ParseLeased"/>); otherwise does nothing.</summary>
    public void Dispose()
    {
        _leasedDocument?.Dispose();
        _leasedDocument = null;
        _leasedFrame?.Dispose();
        _leasedFrame = null;
        if (_leasedBuffer is not null)
        {
            JsonRpcBuffers.Return(_leasedBuffer);
            _leasedBuffer = null;
        }
    }

    private static void CheckUtf8(ReadOnlySequence<byte> utf8Json)
    {
        if (utf8Json.IsSingleSegment)
        {
            if (!System.Text.Unicode.Utf8.IsValid(utf8Json.FirstSpan))
            {
                throw new JsonRpcProtocolException("error parsing stream: invalid UTF-8 sequence");
            }
            return;
        }
        // A character may be split between two buffers, so validity is checked by a decoder that carries state from
        // one buffer to the next. Decoder.GetCharCount would not do: it leaves the decoder's state untouched, so a
        // character cut at a boundary was seen as two invalid halves (a valid message refused) or an invalid one
        // slipped through; Convert keeps the cut character's first bytes for the next buffer.
        System.Text.Decoder decoder = s_strictUtf8.GetDecoder();
        Span<char> scratch = stackalloc char[1024];
        try
        {
            SequencePosition position = utf8Json.Start;
            while (utf8Json.TryGet(ref position, out ReadOnlyMemory<byte> segment))
            {
                ReadOnlySpan<byte> bytes = segment.Span;
                while (!bytes.IsEmpty)
                {
                    decoder.Convert(bytes, scratch, flush: false, out int bytesUsed, out _, out _);
                    bytes = bytes[bytesUsed..];
                }
            }
            decoder.Convert([], scratch, flush: true, out _, out _, out _);
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw new JsonRpcProtocolException("error parsing stream: invalid UTF-8 sequence");
        }
    }

    private static JsonRpcMessage ParseValue(ref Utf8JsonReader reader)
    {
        JsonElement root;
        try
        {
            // JsonElement.ParseValue keeps one private copy of the text that needs no disposal, so the members taken
            // from it below are not copied again by Clone; a pooled JsonDocument made every large result be copied
            // twice, each copy a large object for a big monitor reply.
            root = JsonElement.ParseValue(ref reader);
            if (reader.TokenType != JsonTokenType.None && reader.Read())
            {
                throw new JsonRpcProtocolException($"error parsing stream: byte {reader.TokenStartIndex}: trailing data after the JSON value");
            }
        }
        catch (JsonException ex)
        {
            throw new JsonRpcProtocolException("error parsing stream: " + ex.Message, ex);
        }
        return FromJson(root);
    }

    /// <summary>Interprets an already-parsed JSON value as a message, with the same checks as <see cref="Parse(ReadOnlySpan{byte})"/>.</summary>
    public static JsonRpcMessage FromJson(JsonElement json) => FromJson(json, copyMembers: true);

    private static JsonRpcMessage FromJson(JsonElement json, bool copyMembers)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new JsonRpcProtocolException("message is not a JSON object");
        }
        JsonElement? method = null;
        JsonElement? @params = null;
        JsonElement? result = null;
        JsonElement? error = null;
        JsonElement? id = null;
        foreach (JsonProperty member in json.EnumerateObject())
        {
            JsonElement? value = member.Value.ValueKind == JsonValueKind.Null ? null : copyMembers ? member.Value.Clone() : member.Value;
            switch (member.Name)
            {
                case "method":
                    method = value;
                    break;
                case "params":
                    @params = value;
                    break;
                case "result":
                    result = value;
                    break;
                case "error":
                    error = value;
                    break;
                case "id":
                    id = value;
                    break;
                default:
                    throw new JsonRpcProtocolException($"message has unexpected member \"{member.Name}\"");
            }
        }
        if (result is not null && error is not null)
        {
            throw new JsonRpcProtocolException("message has both \"result\" and \"error\"");
        }
        if (method is not null && @params is not null)
        {
            if (method.Value.ValueKind != JsonValueKind.String)
            {
                throw new JsonRpcProtocolException("\"method\" is not a JSON string");
            }
            if (@params.Value.ValueKind != JsonValueKind.Array)
            {
                throw new JsonRpcProtocolException("\"params\" must be JSON array");
            }
            if (result is not null || error is not null)
            {
                throw new JsonRpcProtocolException("request or notification has \"result\" or \"error\"");
            }
            JsonRpcMessageKind kind = id is null ? JsonRpcMessageKind.Notification : JsonRpcMessageKind.Request;
            return new JsonRpcMessage(kind, method.Value.GetString(), @params, null, null, id);
        }
        if (method is not null || @params is not null)
        {
            throw new JsonRpcProtocolException("message has \"method\" without \"params\" or \"params\" without \"method\"");
        }
        if (id is null)
        {
            throw new JsonRpcProtocolException("message is not a JSON-RPC request, notification or reply");
        }
        if (result is not null)
        {
            return new JsonRpcMessage(JsonRpcMessageKind.Reply, null, null, result, null, id);
        }
        if (error is not null)
        {
            return new JsonRpcMessage(JsonRpcMessageKind.Error, null, null, null, error, id);
        }
        throw new JsonRpcProtocolException("reply has neither \"result\" nor \"error\"");
    }

    /// <summary>Writes the message the way OVS does: members in the order id, method/result/error, params.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WritePropertyName("id");
        if (Id is { } id)
        {
            id.WriteTo(writer);
        }
        else
        {
            writer.WriteNullValue();
        }
        switch (Kind)
        {
            case JsonRpcMessageKind.Request:
            case JsonRpcMessageKind.Notification:
                writer.WriteString("method", Method);
                writer.WritePropertyName("params");
                if (_paramsNode is not null)
                {
                    _paramsNode.WriteTo(writer);
                }
                else
                {
                    _params!.Value.WriteTo(writer);
                }
                break;
            case JsonRpcMessageKind.Reply:
                writer.WritePropertyName("result");
                if (_resultNode is not null)
                {
                    _resultNode.WriteTo(writer);
                }
                else
                {
                    _result!.Value.WriteTo(writer);
                }
                writer.WriteNull("error");
                break;
            case JsonRpcMessageKind.Error:
                writer.WritePropertyName("error");
                Error!.Value.WriteTo(writer);
                break;
        }
        writer.WriteEndObject();
    }

    /// <summary>
    /// Writes the message as compact UTF-8 JSON (the bytes that go on the wire) into <paramref name="output"/>,
    /// reusing <paramref name="writer"/> when one is given (it is reset to <paramref name="output"/> first), so that
    /// a connection sending many messages allocates no writer and no buffer per message.
    /// </summary>
    public void WriteUtf8To(IBufferWriter<byte> output, Utf8JsonWriter? writer = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (writer is null)
        {
            using var own = new Utf8JsonWriter(output, s_writerOptions);
            WriteTo(own);
            return;
        }
        writer.Reset(output);
        WriteTo(writer);
        writer.Flush();
    }

    /// <summary>A writer with the options the wire format needs, for reuse with <see cref="WriteUtf8To"/>.</summary>
    public static Utf8JsonWriter CreateWireWriter(IBufferWriter<byte> output) => new(output, s_writerOptions);

    /// <summary>The message as compact UTF-8 JSON, ready to send, in one array of exactly its length.</summary>
    public byte[] ToUtf8Bytes()
    {
        using var buffer = new PooledSegmentWriter();
        WriteUtf8To(buffer);
        return buffer.ToArray();
    }

    /// <summary>The message as compact JSON text.</summary>
    public override string ToString()
    {
        return System.Text.Encoding.UTF8.GetString(ToUtf8Bytes());
    }

    /// <summary>True when this is a reply or error whose id equals <paramref name="id"/> as a JSON value.</summary>
    public bool IsAnswerTo(JsonElement id)
    {
        return Kind is JsonRpcMessageKind.Reply or JsonRpcMessageKind.Error && Id is { } mine && JsonElement.DeepEquals(mine, id);
    }

    private static JsonElement? Materialize(JsonNode node, ref JsonElement? cache)
    {
        // Reading a node from two threads at once is not documented as safe, so the one-time conversion and every
        // read of its result (a nullable struct, which could be seen half-written) happen under the same lock.
        lock (node)
        {
            if (cache is null)
            {
                using var buffer = new PooledSegmentWriter();
                using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
                {
                    node.WriteTo(writer);
                }
                var reader = new Utf8JsonReader(buffer.ToSequence());
                cache = JsonElement.ParseValue(ref reader);
            }
            return cache;
        }
    }

    private static void RequireArray(JsonElement @params)
    {
        if (@params.ValueKind != JsonValueKind.Array)
        {
            throw new ArgumentException("params must be a JSON array", nameof(@params));
        }
    }
}
