using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using TradingActors.Backtesting;
using TradingActors.Domain.Market;

namespace TradingActors.Engine.Backtests;

/// <summary>A dataset a node can run: its file name, the symbol its bars are for, its size.</summary>
public sealed record DatasetInfo(string Name, string Symbol, long Bytes);

/// <summary>
/// The bars backtests run on, per node (decision 029): the *.csv files of the node's data directory by name, and inline
/// bars by content hash. Parsed once and shared by every run on the node (most recently used kept, a few at a time);
/// a dataset being parsed is waited for, never parsed twice at once. Thread-safe: runs read it from the backtest
/// dispatcher's threads.
/// </summary>
public sealed partial class BacktestDatasets
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly int _capacity;
    private long _clock;

    public BacktestDatasets(string directory, int capacity)
    {
        Directory = directory;
        _capacity = capacity;
    }

    /// <summary>The data directory as configured; resolved like the replay file (working directory, then up from the app).</summary>
    public string Directory { get; }

    /// <summary>A dataset name is a file name: letters, digits, dot, dash, underscore, ending in .csv (no path).</summary>
    public static bool IsValidName(string? name) => name is { Length: > 4 and <= 128 } && NamePattern().IsMatch(name);

    /// <summary>The symbol a file's bars are for: its name up to the first dash (BTCUSDT-1m.csv → BTCUSDT).</summary>
    public static string SymbolOf(string name)
    {
        var stem = Path.GetFileNameWithoutExtension(name);
        var dash = stem.IndexOf('-');
        return (dash > 0 ? stem[..dash] : stem).ToUpperInvariant();
    }

    public static string HashOf(ReadOnlySpan<byte> csv) => Convert.ToHexStringLower(SHA256.HashData(csv));

    /// <summary>Every dataset in the data directory, by name (none when the directory does not exist).</summary>
    public IReadOnlyList<DatasetInfo> List()
    {
        if (Resolve() is not { } directory) return [];
        return new DirectoryInfo(directory).EnumerateFiles("*.csv")
            .Where(f => IsValidName(f.Name))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .Select(f => new DatasetInfo(f.Name, SymbolOf(f.Name), f.Length))
            .ToList();
    }

    public bool Exists(string name) => IsValidName(name) && Resolve() is { } directory && File.Exists(Path.Combine(directory, name));

    /// <summary>The bars of a run's dataset; a file is read on first use, inline bars must have been <see cref="AddInline"/>ed.</summary>
    public Candle[] Bars(BacktestDataset dataset)
    {
        if (dataset.IsInline)
        {
            lock (_gate)
                if (_entries.TryGetValue(dataset.CacheKey, out var inline)) return Use(inline).Bars.Value;
            throw new InvalidOperationException($"inline bars {dataset.Hash} are not on this node");
        }
        if (!IsValidName(dataset.Name)) throw new InvalidOperationException($"'{dataset.Name}' is not a dataset name");
        var path = Resolve() is { } dir ? Path.Combine(dir, dataset.Name) : null;
        if (path is null || !File.Exists(path)) throw new FileNotFoundException($"dataset '{dataset.Name}' is not in this node's data directory ({Directory})");
        var file = new FileInfo(path);
        // A file replaced under the same name is read again.
        var version = $"{file.Length}:{file.LastWriteTimeUtc.Ticks}";
        Entry entry;
        lock (_gate)
        {
            if (!_entries.TryGetValue(dataset.CacheKey, out entry!) || entry.Version != version)
            {
                entry = new Entry(version, new Lazy<Candle[]>(() => Read(path), LazyThreadSafetyMode.ExecutionAndPublication));
                _entries[dataset.CacheKey] = entry;
            }
            Use(entry);
            Evict(); // after Use: the entry just added is the most recent, never the one to go
        }
        return entry.Bars.Value;
    }

    public bool HasInline(string hash)
    {
        lock (_gate) return _entries.ContainsKey("inline:" + hash);
    }

    /// <summary>Inline bars shipped to this node (checked against their hash); parsed when a run first needs them.</summary>
    public void AddInline(string hash, byte[] csv)
    {
        if (!string.Equals(HashOf(csv), hash, StringComparison.Ordinal)) throw new InvalidOperationException($"inline bars do not match their hash {hash}");
        lock (_gate)
        {
            _entries["inline:" + hash] = Use(new Entry(hash, new Lazy<Candle[]>(() => CandleCsv.Parse(Encoding.UTF8.GetString(csv)), LazyThreadSafetyMode.ExecutionAndPublication)));
            Evict();
        }
    }

    private static Candle[] Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return CandleCsv.Read(stream);
    }

    private Entry Use(Entry entry)
    {
        entry.LastUsed = ++_clock;
        return entry;
    }

    private void Evict()
    {
        while (_entries.Count > _capacity)
            _entries.Remove(_entries.MinBy(e => e.Value.LastUsed).Key);
    }

    private string? Resolve()
    {
        if (Path.IsPathRooted(Directory)) return System.IO.Directory.Exists(Directory) ? Directory : null;
        if (System.IO.Directory.Exists(Directory)) return Path.GetFullPath(Directory);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, Directory);
            if (System.IO.Directory.Exists(candidate)) return candidate;
        }
        return null;
    }

    private sealed class Entry(string version, Lazy<Candle[]> bars)
    {
        public string Version { get; } = version;
        public Lazy<Candle[]> Bars { get; } = bars;
        public long LastUsed { get; set; }
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]*\.csv$")]
    private static partial Regex NamePattern();
}
