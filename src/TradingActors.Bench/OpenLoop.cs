using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace TradingActors.Bench;

/// <summary>
/// The open-loop, fixed-rate generator: request k of a route is due at start + k / rate, whatever earlier
/// requests are doing. One dispatcher thread hands every due request to the thread pool (it never waits for a
/// response); a dispatcher that wakes late sends what is overdue at once, and every latency is measured from
/// the request's scheduled instant, not from when it was sent, so a stall of the server (or of this process)
/// shows in the figures instead of lowering the rate (no coordinated omission). Latencies of the requests
/// scheduled in the measured window are all kept (exact percentiles, nearest rank).
/// </summary>
public static class OpenLoop
{
    private sealed class Recorder
    {
        public readonly List<double> Latencies = new(64 * 1024);
        public long Errors;
        public readonly Dictionary<string, int> ErrorKinds = new();

        public void Ok(double ms)
        {
            lock (Latencies) Latencies.Add(ms);
        }

        public void Error(string kind)
        {
            Interlocked.Increment(ref Errors);
            lock (ErrorKinds) ErrorKinds[kind] = ErrorKinds.GetValueOrDefault(kind) + 1;
        }
    }

    public static async Task<List<RouteResult>> RunAsync(HttpClient client, IReadOnlyList<Route> routes, TimeSpan warmup, TimeSpan duration,
        ApiArgs args, Action<string> log)
    {
        var frequency = Stopwatch.Frequency;
        var run = Random.Shared.Next(1_000_000, 9_999_999); // a fresh Idempotency-Key space for every call
        var recorders = routes.Select(_ => new Recorder()).ToArray();
        var inFlight = 0L;
        var maxInFlight = 0L;
        var pending = new List<Task>(capacity: 1 << 16);
        var start = Stopwatch.GetTimestamp() + frequency / 10; // 100 ms from now
        var measureFrom = start + (long)(warmup.TotalSeconds * frequency);
        var measureTo = measureFrom + (long)(duration.TotalSeconds * frequency);
        var maxLateMs = 0.0;
        Cpu? cpu = null;
        var loadAtStart = "";

        async Task Send(int route, int index, long due)
        {
            var r = routes[route];
            var measured = due >= measureFrom && due < measureTo;
            var now = Interlocked.Increment(ref inFlight);
            if (measured && now > Volatile.Read(ref maxInFlight)) Interlocked.Exchange(ref maxInFlight, now);
            try
            {
                using var request = r.Request(index, run);
                using var response = await (r.Client?.Invoke(index) ?? client).SendAsync(request, HttpCompletionOption.ResponseContentRead);
                var end = Stopwatch.GetTimestamp();
                if (!measured) return;
                if (response.StatusCode == r.Expected) recorders[route].Ok((end - due) * 1000.0 / frequency);
                else recorders[route].Error(((int)response.StatusCode).ToString(CultureInfo.InvariantCulture));
            }
            catch (Exception e)
            {
                if (measured) recorders[route].Error(e is TaskCanceledException ? "timeout" : e.GetType().Name);
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        }

        log($"open loop: {string.Join(", ", routes.Select(r => $"{r.Name} {r.Rate}/s"))}; warm-up {warmup.TotalSeconds:0} s (not measured), then {duration.TotalSeconds:0} s measured");
        var dispatcher = new Thread(() =>
        {
            var next = new int[routes.Count];
            var due = routes.Select(_ => start).ToArray();
            var interval = routes.Select(r => (double)frequency / r.Rate).ToArray();
            var measuring = false;
            while (true)
            {
                var now = Stopwatch.GetTimestamp();
                if (!measuring && now >= measureFrom)
                {
                    measuring = true;
                    cpu = Cpu.Start(args);
                    loadAtStart = ApiLoad.LoadAverage();
                }
                if (now >= measureTo) break;
                var earliest = long.MaxValue;
                for (var r = 0; r < routes.Count; r++)
                {
                    while (due[r] <= now && due[r] < measureTo)
                    {
                        var late = (now - due[r]) * 1000.0 / frequency;
                        if (due[r] >= measureFrom && late > maxLateMs) maxLateMs = late;
                        var (route, index, at) = (r, next[r], due[r]);
                        lock (pending) pending.Add(Task.Run(() => Send(route, index, at)));
                        next[r]++;
                        due[r] = start + (long)(next[r] * interval[r]);
                    }
                    earliest = Math.Min(earliest, due[r]);
                }
                // Sleep, never spin: the generator shares the machine with the server it measures, and a Sleep(0) loop
                // between requests 1 ms apart took 0.7 of the 2 cores. What falls due while it sleeps goes out when it
                // wakes, and its latency still counts from its scheduled instant.
                var waitMs = (earliest - Stopwatch.GetTimestamp()) * 1000.0 / frequency;
                if (waitMs > 0) Thread.Sleep(Math.Max(1, (int)waitMs));
            }
        }) { IsBackground = true, Name = "open-loop dispatcher", Priority = ThreadPriority.AboveNormal };
        dispatcher.Start();
        await Task.Run(dispatcher.Join);
        var window = cpu?.Describe(routes.Sum(r => (long)(r.Rate * duration.TotalSeconds))) ?? "";
        var loadAtEnd = ApiLoad.LoadAverage();
        Task[] all;
        lock (pending) all = pending.ToArray();
        await Task.WhenAll(all);

        log($"measured window: loadavg {loadAtStart} -> {loadAtEnd}; {window}; dispatcher at most {Measure.F1(maxLateMs)} ms late; " +
            $"at most {Interlocked.Read(ref maxInFlight)} requests in flight; bench threads {ThreadPool.ThreadCount}");
        var results = new List<RouteResult>();
        for (var r = 0; r < routes.Count; r++)
        {
            var rec = recorders[r];
            var sorted = rec.Latencies.Order().ToList();
            var p = (double q) => sorted.Count == 0 ? double.NaN : Measure.Percentile(sorted, q);
            log($"  {routes[r].Name}: {sorted.Count} ok, {rec.Errors} errors{(rec.ErrorKinds.Count > 0 ? " (" + string.Join(", ", rec.ErrorKinds.Select(k => $"{k.Key}: {k.Value}")) + ")" : "")}; ms " +
                $"min {Measure.F1(sorted.Count > 0 ? sorted[0] : double.NaN)} p50 {Measure.F1(p(50))} p90 {Measure.F1(p(90))} p99 {Measure.F1(p(99))} " +
                $"p99.9 {Measure.F1(p(99.9))} max {Measure.F1(sorted.Count > 0 ? sorted[^1] : double.NaN)}");
            var rps = sorted.Count / duration.TotalSeconds;
            results.Add(new RouteResult(
                $"api route={routes[r].Name} rps={rps.ToString("F0", CultureInfo.InvariantCulture)} p50_ms={Measure.F1(p(50))} p99_ms={Measure.F1(p(99))} errors={rec.Errors}",
                rec.Errors));
        }
        return results;
    }
}

/// <summary>CPU over a window: the nodes' and PostgreSQL's processes (from /proc), this process's, and the machine's.</summary>
public sealed class Cpu
{
    private const double TicksPerSecond = 100.0; // USER_HZ
    private readonly IReadOnlyList<(string Name, int Pid)> _nodes;
    private readonly int? _postgres;
    private readonly long[] _nodeTicks;
    private readonly long _postgresTicks;
    private readonly TimeSpan _self;
    private readonly (long Busy, long Total) _machine;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private Cpu(IReadOnlyList<(string Name, int Pid)> nodes, int? postgres)
    {
        _nodes = nodes;
        _postgres = postgres;
        _nodeTicks = [.. nodes.Select(n => ProcessTicks(n.Pid))];
        _postgresTicks = _postgres is { } p ? TreeTicks(p) : 0;
        _self = Process.GetCurrentProcess().TotalProcessorTime;
        _machine = Machine();
    }

    public static Cpu Start(ApiArgs args) => new(args.NodePid is { } n ? [("node", n)] : [], args.PostgresPid);

    /// <summary>Several node processes, each named in the description (node0, node1...).</summary>
    public static Cpu Start(IReadOnlyList<(string Name, int Pid)> nodes, int? postgres) => new(nodes, postgres);

    public string Describe(long requests = 0)
    {
        var seconds = _clock.Elapsed.TotalSeconds;
        var self = (Process.GetCurrentProcess().TotalProcessorTime - _self).TotalSeconds / seconds;
        var (busy, total) = Machine();
        var machine = total > _machine.Total ? 100.0 * (busy - _machine.Busy) / (total - _machine.Total) : double.NaN;
        var parts = new List<string>();
        string PerRequest(double cpuSeconds) => requests > 0 ? $" = {Measure.F2(cpuSeconds * 1000 / requests)} ms CPU per request" : "";
        for (var i = 0; i < _nodes.Count; i++)
        {
            var s = (ProcessTicks(_nodes[i].Pid) - _nodeTicks[i]) / TicksPerSecond;
            parts.Add($"{_nodes[i].Name} {Measure.F2(s / seconds)} cores{(requests > 0 ? PerRequest(s) : $" ({Measure.F1(s)} s)")}");
        }
        if (_postgres is { } p)
        {
            var s = (TreeTicks(p) - _postgresTicks) / TicksPerSecond;
            parts.Add($"postgres {Measure.F2(s / seconds)} cores{(requests > 0 ? PerRequest(s) : $" ({Measure.F1(s)} s)")}");
        }
        parts.Add($"bench {Measure.F2(self)} cores ({Measure.F1(self * seconds)} s)");
        if (_nodes.Count > 1)
        {
            var all = _nodes.Select((n, i) => (ProcessTicks(n.Pid) - _nodeTicks[i]) / TicksPerSecond).Sum();
            parts.Add($"all nodes {Measure.F2(all / seconds)} cores ({Measure.F1(all)} s)");
        }
        parts.Add($"machine {Measure.F1(machine)} % busy of {Environment.ProcessorCount} cores");
        return $"CPU over {Measure.F1(seconds)} s: " + string.Join(", ", parts);
    }

    /// <summary>utime + stime of one process (fields 14 and 15 of /proc/PID/stat), with its ended children's (16, 17); 0 when it is gone.</summary>
    private static long ProcessTicks(int pid)
    {
        try
        {
            var fields = Fields(File.ReadAllText($"/proc/{pid}/stat"));
            return fields.Skip(11).Take(4).Sum(f => long.Parse(f, CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return 0;
        }
    }

    /// <summary>The postmaster and its children (the backends, live ones here, ended ones in the postmaster's cutime/cstime): PostgreSQL's whole CPU.</summary>
    private static long TreeTicks(int postmaster)
    {
        var sum = ProcessTicks(postmaster);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var fields = Fields(File.ReadAllText($"{dir}/stat"));
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == postmaster)
                    sum += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
            }
        }
        return sum;
    }

    /// <summary>The fields after "pid (comm)": index 0 is the state, 1 the parent pid, 11/12 utime/stime.</summary>
    private static string[] Fields(string stat) => stat[(stat.LastIndexOf(')') + 2)..].Split(' ');

    private static (long Busy, long Total) Machine()
    {
        try
        {
            var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            var total = cpu.Take(8).Sum(); // user nice system idle iowait irq softirq steal
            var idle = cpu[3] + cpu[4];
            return (total - idle, total);
        }
        catch (Exception e) when (e is IOException or FormatException)
        {
            return (0, 0);
        }
    }
}
