// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.Json;
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Storage;
using SharpSwitch.Ovsdb.Transactions;

namespace SharpSwitch.Ovsdb.Server;

/// <summary>A database the server offers: its contents and, for file-backed databases, the file that makes commits durable.</summary>
public sealed class ServedDatabase
{
    /// <summary>Serves a file-backed database.</summary>
    public ServedDatabase(DatabaseFile file)
    {
        File = file;
        Database = file.Database;
    }

    /// <summary>Serves an in-memory database (used for <c>_Server</c> and in tests).</summary>
    public ServedDatabase(Database database)
    {
        Database = database;
    }

    /// <summary>The database name.</summary>
    public string Name => Database.Schema.Name;

    /// <summary>The contents.</summary>
    public Database Database { get; }

    /// <summary>The backing file, or null for in-memory databases.</summary>
    public DatabaseFile? File { get; }

    /// <summary>
    /// The schema as the <c>get_schema</c> reply carries it. Every client asks for it (ovs-vsctl twice per
    /// invocation) and a served schema never changes, so it is built once instead of once per request.
    /// </summary>
    internal JsonElement SchemaJson => _schemaJson ??= JsonText.ToElement(Database.Schema.ToJson());

    private JsonElement? _schemaJson;
}
