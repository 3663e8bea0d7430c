// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Idl;
using SharpSwitch.Ovsdb.Schema;

namespace SharpSwitch.Cli.Vsctl;

/// <summary>
/// <c>show</c>: the configuration as an indented tree that starts at the Open_vSwitch row and follows references
/// to bridges, ports, interfaces, controllers and managers, printing each row's name and its non-default columns.
/// </summary>
internal static class ShowCommand
{
    /// <summary>What <c>show</c> prints of a table: the column naming a row, and the columns to print or follow, in order.</summary>
    private sealed record ShowTable(string? NameColumn, string[] Columns);

    private static readonly Dictionary<string, ShowTable> s_tables = new(StringComparer.Ordinal)
    {
        ["Open_vSwitch"] = new(null, ["manager_options", "bridges", "ovs_version"]),
        ["Bridge"] = new("name", ["controller", "fail_mode", "datapath_type", "ports"]),
        ["Port"] = new("name", ["tag", "trunks", "interfaces"]),
        ["Interface"] = new("name", ["type", "options", "error", "bfd_status"]),
        ["Controller"] = new("target", ["is_connected"]),
        ["Manager"] = new("target", ["is_connected"]),
    };

    public static void Run(VsctlContext context)
    {
        foreach (IdlRow row in context.Rows("Open_vSwitch").Rows)
        {
            ShowRow(context, row, 0, []);
        }
    }

    private static void ShowRow(VsctlContext context, IdlRow row, int level, HashSet<IdlRow> shown)
    {
        ShowTable show = s_tables[row.Table.Name];
        string indent = new(' ', level * 4);
        context.Output.Append(indent);
        if (show.NameColumn is null)
        {
            context.Output.Append(row.Uuid.ToString("D"));
        }
        else
        {
            context.Output.Append(row.Table.Name).Append(' ').Append(row[show.NameColumn].ToOvsString());
        }
        context.Output.Append('\n');
        shown.Add(row);
        foreach (string columnName in show.Columns)
        {
            ColumnSchema column = row.Table.Schema.FindColumn(columnName)!;
            Datum value = row[columnName];
            if (column.Type.Key.RefTable is { } target && s_tables.ContainsKey(target))
            {
                IdlTable targetRows = context.Rows(target);
                foreach (Atom reference in value.Keys)
                {
                    if (targetRows.Find(reference.Uuid) is not { } referenced)
                    {
                        continue;
                    }
                    if (shown.Contains(referenced))
                    {
                        context.Output.Append(indent).Append("    ").Append(target).Append(' ').Append(reference.Uuid.ToString("D")).Append('\n');
                        continue;
                    }
                    ShowRow(context, referenced, level + 1, shown);
                }
                continue;
            }
            if (value.Equals(Datum.DefaultFor(column.Type)))
            {
                continue;
            }
            context.Output.Append(indent).Append("    ").Append(columnName).Append(": ").Append(value.ToOvsString()).Append('\n');
        }
        shown.Remove(row);
    }
}
