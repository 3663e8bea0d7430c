// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Ovsdb.Schema;

namespace SharpSwitch.Ovsdb.Data;

/// <summary>
/// The names a transaction gives to rows it inserts (<c>uuid-name</c>) and refers to (<c>named-uuid</c>).
/// A name gets its uuid the first time it is seen, whether that is its insert or a forward reference,
/// so references resolve across the whole transaction.
/// </summary>
public sealed class SymbolTable
{
    private readonly Dictionary<string, Symbol> _symbols = new(StringComparer.Ordinal);

    /// <summary>One named row.</summary>
    public sealed class Symbol(Guid uuid)
    {
        /// <summary>The uuid the name stands for.</summary>
        public Guid Uuid { get; set; } = uuid;

        /// <summary>True once an insert has defined the name.</summary>
        public bool Created { get; set; }

        /// <summary>True when some strong reference uses the name.</summary>
        public bool StrongReference { get; set; }

        /// <summary>True when some weak reference uses the name.</summary>
        public bool WeakReference { get; set; }
    }

    /// <summary>Looks a name up without creating it.</summary>
    public Symbol? Find(string name) => _symbols.TryGetValue(name, out Symbol? symbol) ? symbol : null;

    /// <summary>Returns the symbol for a name, creating it with a fresh uuid when new.</summary>
    public Symbol Insert(string name)
    {
        if (!_symbols.TryGetValue(name, out Symbol? symbol))
        {
            symbol = new Symbol(Guid.NewGuid());
            _symbols.Add(name, symbol);
        }
        return symbol;
    }

    /// <summary>Resolves a reference to a named row, noting whether the reference is strong or weak.</summary>
    public Guid Reference(string name, BaseType type)
    {
        Symbol symbol = Insert(name);
        if (type.RefTable is not null)
        {
            if (type.RefType == RefType.Strong)
            {
                symbol.StrongReference = true;
            }
            else
            {
                symbol.WeakReference = true;
            }
        }
        return symbol.Uuid;
    }

    /// <summary>All names and their symbols.</summary>
    public IEnumerable<KeyValuePair<string, Symbol>> All => _symbols;
}
