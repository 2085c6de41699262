using System.Diagnostics;
using System.Globalization;

namespace TradingActors.Bench;

public static class Measure
{
    /// <summary>
    /// Resident set size after a full, compacting, blocking collection: VmRSS from /proc/self/status
    /// (falls back to Process.WorkingSet64, which on Linux is the same figure rounded to pages, off Linux).
    /// <paramref name="releaseFreeMemory"/>: the collection is Aggressive, which also returns the GC's free
    /// regions to the OS at once. Without it those regions leave RSS only gradually, so the figure depends
    /// on GC timing and configuration (measured: 6–15 KB per tenant for the same live data).
    /// </summary>
    public static long RssAfterFullGc(bool releaseFreeMemory = false)
    {
        var mode = releaseFreeMemory ? GCCollectionMode.Aggressive : GCCollectionMode.Forced;
        GC.Collect(2, mode, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, mode, blocking: true, compacting: true);
        return Rss();
    }

    /// <summary>VmRSS of another process (a node), 0 when it is gone or unreadable.</summary>
    public static long RssOf(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        return 0;
    }

    public static long Rss()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries); // "VmRSS:", "123456", "kB"
                return long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        return self.WorkingSet64;
    }

    public static double Ms(long fromTimestamp, long toTimestamp) =>
        (toTimestamp - fromTimestamp) * 1000.0 / Stopwatch.Frequency;

    /// <summary>Nearest-rank percentile of sorted values (p in 0..100).</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0) return double.NaN;
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    public static string F1(double value) => value.ToString("F1", CultureInfo.InvariantCulture);
    public static string F2(double value) => value.ToString("F2", CultureInfo.InvariantCulture);
}

/// <summary>CPU used by this process and by the whole machine between two points (diagnostics only).</summary>
public sealed class CpuWindow
{
    private readonly TimeSpan _processStart;
    private readonly (long Busy, long Total)? _machineStart;
    private readonly long _wallStart;

    private CpuWindow()
    {
        _wallStart = Stopwatch.GetTimestamp();
        _processStart = ProcessCpu();
        _machineStart = MachineJiffies();
    }

    public static CpuWindow Start() => new();

    public string Describe()
    {
        var wallMs = Measure.Ms(_wallStart, Stopwatch.GetTimestamp());
        var processMs = (ProcessCpu() - _processStart).TotalMilliseconds;
        var text = $"wall {Measure.F1(wallMs)} ms, bench process CPU {Measure.F1(processMs)} ms ({Measure.F2(processMs / Math.Max(wallMs, 0.001))} cores of {Environment.ProcessorCount})";
        if (_machineStart is { } start && MachineJiffies() is { } end && end.Total > start.Total)
            text += $", machine busy {100.0 * (end.Busy - start.Busy) / (end.Total - start.Total):F0}% of all cores";
        return text;
    }

    private static TimeSpan ProcessCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    /// <summary>First line of /proc/stat: user nice system idle iowait irq softirq steal ...</summary>
    private static (long Busy, long Total)? MachineJiffies()
    {
        try
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Take(8).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            var total = fields.Sum();
            var idle = fields[3] + fields[4];
            return (total - idle, total);
        }
        catch (Exception)
        {
            return null;
        }
    }
}
