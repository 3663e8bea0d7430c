// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Schema;
using SharpSwitch.Ovsdb.Transactions;

namespace SharpSwitch.Ovsdb.Server;

/// <summary>
/// The read-only <c>_Server</c> database. Its <c>Database</c> table has one row per served database (itself
/// included) carrying the model and the schema as one JSON string; the C IDL reads the data schema from there
/// instead of calling <c>get_schema</c>.
/// </summary>
internal static class ServerDatabase
{
    public const string Name = "_Server";

    // The schema of _Server as OVS 3.1 defines it (name, version, checksum and columns are facts of the protocol).
    private const string SchemaJson = """
        {
          "name": "_Server", "version": "1.2.0", "cksum": "3009684573 744",
          "tables": {
            "Database": {
              "isRoot": true,
              "columns": {
                "name": {"type": "string"},
                "model": {"type": {"key": {"type": "string", "enum": ["set", ["clustered", "relay", "standalone"]]}}},
                "connected": {"type": "boolean"},
                "leader": {"type": "boolean"},
                "schema": {"type": {"key": "string", "min": 0, "max": 1}},
                "cid": {"type": {"key": "uuid", "min": 0, "max": 1}},
                "sid": {"type": {"key": "uuid", "min": 0, "max": 1}},
                "index": {"type": {"key": "integer", "min": 0, "max": 1}}
              }
            }
          }
        }
        """;

    public static DatabaseSchema Schema { get; } = DatabaseSchema.Parse(SchemaJson);

    /// <summary>Builds the <c>_Server</c> contents for the given data databases.</summary>
    public static Database Build(IEnumerable<DatabaseSchema> served)
    {
        var database = new Database(Schema, "reserved database _Server");
        TableSchema table = Schema.FindTable("Database")!;
        var changes = new List<RowChange>();
        foreach (DatabaseSchema schema in served.Append(Schema))
        {
            Row row = Row.CreateDefault(table, Guid.NewGuid());
            row = row.With(table.FindColumn("name")!, Datum.Scalar(Atom.FromString(schema.Name)));
            row = row.With(table.FindColumn("model")!, Datum.Scalar(Atom.FromString("standalone")));
            row = row.With(table.FindColumn("connected")!, Datum.Scalar(Atom.FromBoolean(true)));
            row = row.With(table.FindColumn("leader")!, Datum.Scalar(Atom.FromBoolean(true)));
            row = row.With(table.FindColumn("schema")!, Datum.Single(table.FindColumn("schema")!.Type, Atom.FromString(schema.ToJsonString())));
            changes.Add(new RowChange(table, row.Uuid, null, row));
        }
        database.Apply(new ChangeSet(changes, null));
        return database;
    }
}
