// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.Json;
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Schema;

namespace SharpSwitch.Ovsdb.Transactions;

/// <summary>The comparison functions of a <c>where</c> clause (RFC 7047 section 5.1).</summary>
internal enum ConditionFunction
{
    True,
    False,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Includes,
    Excludes,
}

/// <summary>One clause: <c>[column, function, value]</c>, or a bare boolean.</summary>
internal sealed record Clause(ColumnSchema? Column, ConditionFunction Function, Datum? Argument);

/// <summary>
/// A parsed <c>where</c> condition: the conjunction of its clauses (an empty list is true). The same parser
/// serves <c>transact</c> and the conditions of <c>monitor_cond</c>.
/// </summary>
internal sealed class Condition
{
    private Condition(IReadOnlyList<Clause> clauses)
    {
        Clauses = clauses;
    }

    public IReadOnlyList<Clause> Clauses { get; }

    public static readonly Condition Always = new([]);

    /// <summary>True when the condition is trivially true (no clauses or only <c>true</c>).</summary>
    public bool IsAlwaysTrue => Clauses.All(c => c.Function == ConditionFunction.True);

    public static Condition Parse(JsonElement json, TableSchema table, SymbolTable? symbols)
    {
        if (json.ValueKind != JsonValueKind.Array)
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(json), "Parse error in condition.");
        }
        var clauses = new List<Clause>();
        foreach (JsonElement clause in json.EnumerateArray())
        {
            clauses.Add(ParseClause(clause, table, symbols));
        }
        return new Condition(clauses);
    }

    private static Clause ParseClause(JsonElement json, TableSchema table, SymbolTable? symbols)
    {
        if (json.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return new Clause(null, json.ValueKind == JsonValueKind.True ? ConditionFunction.True : ConditionFunction.False, null);
        }
        if (json.ValueKind != JsonValueKind.Array || json.GetArrayLength() != 3 || json[0].ValueKind != JsonValueKind.String
            || json[1].ValueKind != JsonValueKind.String)
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(json), "Parse error in condition.");
        }
        string columnName = json[0].GetString()!;
        ColumnSchema column = table.FindColumn(columnName)
            ?? throw new OvsdbException("unknown column", $"No column {columnName} in table {table.Name}.", JsonText.Sorted(json));
        string functionName = json[1].GetString()!;
        ConditionFunction function = functionName switch
        {
            "==" => ConditionFunction.Equal,
            "!=" => ConditionFunction.NotEqual,
            "<" => ConditionFunction.Less,
            "<=" => ConditionFunction.LessOrEqual,
            ">" => ConditionFunction.Greater,
            ">=" => ConditionFunction.GreaterOrEqual,
            "includes" => ConditionFunction.Includes,
            "excludes" => ConditionFunction.Excludes,
            _ => throw new OvsdbException("unknown function", $"No function named {functionName}.", JsonText.Sorted(json)),
        };
        ColumnType type = column.Type;
        switch (function)
        {
            case ConditionFunction.Less or ConditionFunction.LessOrEqual or ConditionFunction.Greater or ConditionFunction.GreaterOrEqual:
                if (type.IsMap || type.Max != 1 || type.Key.Type is not (AtomType.Integer or AtomType.Real))
                {
                    throw OvsdbException.SyntaxError(JsonText.Sorted(json),
                        $"Type mismatch: \"{functionName}\" operator may not be applied to column {column.Name} of type {type}.");
                }
                break;
            case ConditionFunction.Includes or ConditionFunction.Excludes:
                if (!type.IsScalar)
                {
                    type = type.WithoutSizeLimits();
                }
                break;
            default:
                break;
        }
        Datum argument = Datum.FromJson(json[2], type, symbols);
        return new Clause(column, function, argument);
    }

    public bool Matches(Row row)
    {
        foreach (Clause clause in Clauses)
        {
            if (!Evaluate(clause, row))
            {
                return false;
            }
        }
        return true;
    }

    private static bool Evaluate(Clause clause, Row row)
    {
        if (clause.Function == ConditionFunction.True)
        {
            return true;
        }
        if (clause.Function == ConditionFunction.False)
        {
            return false;
        }
        Datum value = row.Get(clause.Column!);
        Datum argument = clause.Argument!;
        switch (clause.Function)
        {
            case ConditionFunction.Equal:
                return value.Equals(argument);
            case ConditionFunction.NotEqual:
                return !value.Equals(argument);
            case ConditionFunction.Includes:
                return value.Includes(argument);
            case ConditionFunction.Excludes:
                return value.Excludes(argument);
            default:
                // Ordering comparisons on an optional column are false when either side is empty.
                if (value.Count == 0 || argument.Count == 0)
                {
                    return false;
                }
                int order = value.Keys[0].CompareTo(argument.Keys[0]);
                return clause.Function switch
                {
                    ConditionFunction.Less => order < 0,
                    ConditionFunction.LessOrEqual => order <= 0,
                    ConditionFunction.Greater => order > 0,
                    _ => order >= 0,
                };
        }
    }

    /// <summary>If the condition pins <c>_uuid</c> with <c>==</c>, the uuid; lets lookups skip a table scan.</summary>
    public Guid? PinnedUuid()
    {
        foreach (Clause clause in Clauses)
        {
            if (clause.Function == ConditionFunction.Equal && clause.Column is { IsReserved: true, Name: "_uuid" } && clause.Argument!.Count == 1)
            {
                return clause.Argument.Keys[0].Uuid;
            }
        }
        return null;
    }
}
