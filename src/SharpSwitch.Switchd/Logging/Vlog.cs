// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using System.Text;

namespace SharpSwitch.Switchd.Logging;

/// <summary>OVS's log levels, most severe first.</summary>
public enum VlogLevel
{
    /// <summary>Logging disabled.</summary>
    Off,
    /// <summary>Errors that stop the program.</summary>
    Emer,
    /// <summary>Errors.</summary>
    Err,
    /// <summary>Warnings.</summary>
    Warn,
    /// <summary>Informational messages.</summary>
    Info,
    /// <summary>Debugging messages.</summary>
    Dbg,
}

/// <summary>
/// Logging in OVS's vlog format, so that operators' greps and scripts keep working: the file gets
/// <c>2026-11-25T23:05:26.761Z|00049|bond|INFO|member p1: disabled</c>, the console the same without
/// milliseconds. Levels are set per module and destination, as <c>vlog/set</c> sets them.
/// </summary>
public sealed class Vlog : IDisposable
{
    /// <summary>The destinations OVS knows; syslog is accepted but not written by SharpSwitch.</summary>
    public static readonly string[] Destinations = ["console", "syslog", "file"];

    private readonly object _gate = new();
    private readonly SortedDictionary<string, VlogLevel[]> _levels = new(StringComparer.Ordinal);
    private readonly Func<DateTimeOffset> _utcNow;
    private readonly TextWriter _console;
    private StreamWriter? _file;
    private long _sequence;

    /// <summary>Creates a logger; <paramref name="console"/> defaults to standard error, as OVS logs there.</summary>
    public Vlog(Func<DateTimeOffset> utcNow, TextWriter? console = null, IEnumerable<string>? modules = null)
    {
        _utcNow = utcNow;
        _console = console ?? Console.Error;
        foreach (string module in modules ?? ["bond", "bridge", "lacp", "netdev_dummy", "ovsdb_idl", "reconnect", "unixctl", "vswitchd", "timeval", "memory"])
        {
            RegisterModule(module);
        }
    }

    /// <summary>The path of the log file, when one is open.</summary>
    public string? FilePath { get; private set; }

    /// <summary>Adds a module at OVS's default levels.</summary>
    /// <remarks>OVS's defaults are <c>console:INFO syslog:INFO file:INFO</c> for every module.</remarks>
    public void RegisterModule(string module)
    {
        lock (_gate)
        {
            _levels.TryAdd(module, [VlogLevel.Info, VlogLevel.Info, VlogLevel.Info]);
        }
    }

    /// <summary>Opens (or reopens, for logrotate) the log file.</summary>
    public void OpenFile(string path)
    {
        lock (_gate)
        {
            _file?.Dispose();
            string? directory = Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }
            _file = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite), new UTF8Encoding(false)) { AutoFlush = true };
            FilePath = path;
        }
    }

    /// <summary>Reopens the current log file (after rotation); returns an error text or null.</summary>
    public string? Reopen()
    {
        string? path = FilePath;
        if (path is null)
        {
            return null;
        }
        try
        {
            OpenFile(path);
            return null;
        }
        catch (IOException ex)
        {
            return $"could not reopen log file \"{path}\" ({ex.Message})";
        }
    }

    /// <summary>True when a message of <paramref name="level"/> from <paramref name="module"/> goes anywhere.</summary>
    public bool IsEnabled(string module, VlogLevel level)
    {
        lock (_gate)
        {
            VlogLevel[] levels = LevelsOf(module);
            return level <= levels[0] || (_file is not null && level <= levels[2]);
        }
    }

    /// <summary>Writes one message.</summary>
    public void Log(string module, VlogLevel level, string message)
    {
        lock (_gate)
        {
            VlogLevel[] levels = LevelsOf(module);
            bool toConsole = level <= levels[0];
            bool toFile = _file is not null && level <= levels[2];
            if (!toConsole && !toFile)
            {
                return;
            }
            _sequence++;
            DateTimeOffset now = _utcNow();
            string levelText = LevelName(level).ToUpperInvariant();
            string sequence = _sequence.ToString("D5", CultureInfo.InvariantCulture);
            if (toFile)
            {
                _file!.WriteLine($"{now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)}|{sequence}|{module}|{levelText}|{message}");
            }
            if (toConsole)
            {
                _console.WriteLine($"{now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}|{sequence}|{module}|{levelText}|{message}");
            }
        }
    }

    /// <summary>Info-level shorthand.</summary>
    public void Info(string module, string message) => Log(module, VlogLevel.Info, message);

    /// <summary>Warn-level shorthand.</summary>
    public void Warn(string module, string message) => Log(module, VlogLevel.Warn, message);

    /// <summary>Err-level shorthand.</summary>
    public void Error(string module, string message) => Log(module, VlogLevel.Err, message);

    /// <summary>Debug-level shorthand.</summary>
    public void Debug(string module, string message) => Log(module, VlogLevel.Dbg, message);

    /// <summary>
    /// Applies one <c>vlog/set</c> specification, <c>[module|ANY][:destination|ANY][:level]</c> in any order as OVS
    /// accepts it; returns null on success or OVS's error text.
    /// </summary>
    public string? Set(string specification)
    {
        string? module = null;
        int destination = -1;
        VlogLevel? level = null;
        foreach (string word in specification.Split(':'))
        {
            string lowered = word.ToLowerInvariant();
            if (lowered is "any")
            {
                continue;
            }
            int destinationIndex = Array.IndexOf(Destinations, lowered);
            if (destinationIndex >= 0)
            {
                destination = destinationIndex;
                continue;
            }
            if (TryParseLevel(lowered, out VlogLevel parsed))
            {
                level = parsed;
                continue;
            }
            lock (_gate)
            {
                if (_levels.ContainsKey(word))
                {
                    module = word;
                    continue;
                }
            }
            return $"no destination, level, or module \"{word}\"";
        }
        lock (_gate)
        {
            foreach ((string name, VlogLevel[] levels) in _levels)
            {
                if (module is not null && name != module)
                {
                    continue;
                }
                for (int i = 0; i < levels.Length; i++)
                {
                    if (destination < 0 || destination == i)
                    {
                        levels[i] = level ?? VlogLevel.Dbg;
                    }
                }
            }
        }
        return null;
    }

    /// <summary>The <c>vlog/list</c> table, in OVS's layout.</summary>
    public string RenderList()
    {
        var text = new StringBuilder("                 console    syslog    file\n                 -------    ------    ------\n");
        lock (_gate)
        {
            foreach ((string module, VlogLevel[] levels) in _levels)
            {
                text.Append(CultureInfo.InvariantCulture, $"{module,-16} {LevelName(levels[0]),4}       {LevelName(levels[1]),4}       {LevelName(levels[2]),4}\n");
            }
        }
        return text.ToString();
    }

    private VlogLevel[] LevelsOf(string module)
    {
        if (!_levels.TryGetValue(module, out VlogLevel[]? levels))
        {
            levels = [VlogLevel.Info, VlogLevel.Info, VlogLevel.Info];
            _levels[module] = levels;
        }
        return levels;
    }

    private static string LevelName(VlogLevel level) => level switch
    {
        VlogLevel.Off => "OFF",
        VlogLevel.Emer => "EMER",
        VlogLevel.Err => "ERR",
        VlogLevel.Warn => "WARN",
        VlogLevel.Info => "INFO",
        VlogLevel.Dbg => "DBG",
        _ => throw new ArgumentOutOfRangeException(nameof(level)),
    };

    private static bool TryParseLevel(string text, out VlogLevel level)
    {
        switch (text)
        {
            case "off": level = VlogLevel.Off; return true;
            case "emer": level = VlogLevel.Emer; return true;
            case "err": level = VlogLevel.Err; return true;
            case "warn": level = VlogLevel.Warn; return true;
            case "info": level = VlogLevel.Info; return true;
            case "dbg": level = VlogLevel.Dbg; return true;
            default: level = VlogLevel.Off; return false;
        }
    }

    /// <summary>Closes the log file.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _file?.Dispose();
            _file = null;
        }
    }
}
