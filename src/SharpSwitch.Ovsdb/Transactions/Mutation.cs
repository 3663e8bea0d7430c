// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.Json;
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Schema;

namespace SharpSwitch.Ovsdb.Transactions;

/// <summary>The mutators of a <c>mutate</c> operation.</summary>
internal enum Mutator
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
    Insert,
    Delete,
}

/// <summary>
/// One parsed mutation, <c>[column, mutator, argument]</c>. Arithmetic applies to every element of an integer or
/// real column; <c>insert</c>/<c>delete</c> work on sets and maps (map insert never overwrites a key).
/// </summary>
internal sealed record Mutation(ColumnSchema Column, Mutator Mutator, string MutatorName, Datum Argument)
{
    public static IReadOnlyList<Mutation> ParseList(JsonElement json, TableSchema table, SymbolTable symbols)
    {
        var list = new List<Mutation>();
        foreach (JsonElement mutation in json.EnumerateArray())
        {
            list.Add(Parse(mutation, table, symbols));
        }
        return list;
    }

    private static Mutation Parse(JsonElement json, TableSchema table, SymbolTable symbols)
    {
        if (json.ValueKind != JsonValueKind.Array || json.GetArrayLength() != 3 || json[0].ValueKind != JsonValueKind.String
            || json[1].ValueKind != JsonValueKind.String)
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(json), "Parse error in mutation.");
        }
        string columnName = json[0].GetString()!;
        ColumnSchema column = table.FindColumn(columnName)
            ?? throw new OvsdbException("unknown column", $"No column {columnName} in table {table.Name}.", JsonText.Sorted(json));
        if (!column.Mutable || column.IsReserved)
        {
            throw new OvsdbException("constraint violation", $"Cannot mutate immutable column {columnName} in table {table.Name}.", JsonText.Sorted(json));
        }
        string name = json[1].GetString()!;
        Mutator mutator = name switch
        {
            "+=" => Mutator.Add,
            "-=" => Mutator.Subtract,
            "*=" => Mutator.Multiply,
            "/=" => Mutator.Divide,
            "%=" => Mutator.Modulo,
            "insert" => Mutator.Insert,
            "delete" => Mutator.Delete,
            _ => throw new OvsdbException("unknown mutator", $"No mutator named {name}."),
        };
        ColumnType type = column.Type;
        Datum argument;
        if (mutator is Mutator.Insert or Mutator.Delete)
        {
            if (!type.IsSet && !type.IsMap)
            {
                throw TypeMismatch(json, name, column);
            }
            ColumnType argumentType = new(type.Key, type.Value, 0, mutator == Mutator.Delete ? ColumnType.Unlimited : type.Max);
            try
            {
                argument = Datum.FromJson(json[2], argumentType, symbols);
            }
            catch (OvsdbException) when (type.IsMap && mutator == Mutator.Delete)
            {
                // Deleting from a map also accepts a plain set of keys.
                argument = Datum.FromJson(json[2], new ColumnType(type.Key, null, 0, ColumnType.Unlimited), symbols);
            }
        }
        else
        {
            if ((!type.IsScalar && !type.IsSet) || type.Key.Type is not (AtomType.Integer or AtomType.Real)
                || (mutator == Mutator.Modulo && type.Key.Type == AtomType.Real))
            {
                throw TypeMismatch(json, name, column);
            }
            argument = Datum.FromJson(json[2], new ColumnType(type.Key.Unconstrained(), null, 1, 1), symbols);
        }
        return new Mutation(column, mutator, name, argument);
    }

    private static OvsdbException TypeMismatch(JsonElement json, string mutator, ColumnSchema column) =>
        OvsdbException.SyntaxError(JsonText.Sorted(json), $"Type mismatch: \"{mutator}\" operator may not be applied to column {column.Name} of type {column.Type}.");

    /// <summary>Applies the mutation to a datum, returning the new datum or throwing OVS's error.</summary>
    public Datum Apply(Datum current)
    {
        ColumnType type = Column.Type;
        switch (Mutator)
        {
            case Mutator.Insert:
                return CheckCount(current.Union(Argument.WithType(type.WithoutSizeLimits())).WithType(type));
            case Mutator.Delete:
                return CheckCount(current.Subtract(Argument).WithType(type));
            default:
                var results = new Atom[current.Count];
                Atom operand = Argument.Keys[0];
                for (int i = 0; i < current.Count; i++)
                {
                    results[i] = type.Key.Type == AtomType.Integer
                        ? Atom.FromInteger(ApplyInteger(current.Keys[i].Integer, operand.Integer))
                        : Atom.FromReal(ApplyReal(current.Keys[i].Real, operand.Real));
                    type.Key.CheckConstraints(results[i]);
                }
                try
                {
                    return new Datum(type, results, null);
                }
                catch (OvsdbException)
                {
                    throw OvsdbException.ConstraintViolation($"Result of \"{MutatorName}\" operation contains duplicates.");
                }
        }
    }

    private Datum CheckCount(Datum result)
    {
        if (result.Count < Column.Type.Min || result.Count > Column.Type.Max)
        {
            throw OvsdbException.ConstraintViolation($"Attempted to store {result.Count} elements in {Column.Type}.");
        }
        return result;
    }

    private long ApplyInteger(long x, long y)
    {
        try
        {
            return Mutator switch
            {
                Mutator.Add => checked(x + y),
                Mutator.Subtract => checked(x - y),
                Mutator.Multiply => checked(x * y),
                Mutator.Divide => y == 0 ? throw DivisionByZero() : checked(x / y),
                _ => y == 0 ? throw DivisionByZero() : (x == long.MinValue && y == -1 ? throw new OverflowException() : x % y),
            };
        }
        catch (OverflowException)
        {
            throw OutOfRange();
        }
    }

    private double ApplyReal(double x, double y)
    {
        double result = Mutator switch
        {
            Mutator.Add => x + y,
            Mutator.Subtract => x - y,
            Mutator.Multiply => x * y,
            _ => y == 0 ? throw DivisionByZero() : x / y,
        };
        return double.IsFinite(result) ? result : throw OutOfRange();
    }

    private static OvsdbException DivisionByZero() => new("domain error", "Division by zero.");

    private OvsdbException OutOfRange() => new("range error", $"Result of \"{MutatorName}\" operation is out of range.");
}
