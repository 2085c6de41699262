using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace TradingActors.Bench;

/// <summary>
/// <c>TradingActors.Bench sweep --runs N --nodes K --url URL --data-dir DIR --email E --password P [--bars B] [--timeout S]</c>:
/// a parameter sweep of N points (RSI period × oversold) over a generated one-minute random walk of B bars, submitted to a
/// running cluster's API (scripts/bench.sh sweep starts K engine node processes on loopback, node0 with the API) and timed
/// from the submit to the ranked table in hand. A warm-up sweep first (not timed) lets every node read the dataset and
/// JIT its code. The last stdout line: <c>sweep runs=N nodes=K runs_per_s=X</c> (docs/benchmarks.md).
/// </summary>
public static class SweepBench
{
    public const string Usage =
        "usage: TradingActors.Bench sweep --runs N --nodes K --url URL --data-dir DIR --email E --password P [--bars B (default 4000000)] [--timeout S (default 900)]";

    /// <summary>The generated dataset's file name: one file per length, written once and kept in the data directory.</summary>
    private static string DatasetOf(int bars) => $"SWEEPWALK-{bars}.csv";

    private sealed record Args(int Runs, int Nodes, Uri Url, string DataDir, string Email, string Password, int Bars, TimeSpan Timeout);

    public static async Task<int> RunAsync(string[] argv, TextWriter stdout)
    {
        Args a;
        try
        {
            a = Parse(argv);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"bench sweep: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var started = Stopwatch.GetTimestamp();
        void Log(string message) => Console.Error.WriteLine($"bench [{Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s] {message}");
        try
        {
            var dataset = DatasetOf(a.Bars);
            var path = Path.Combine(a.DataDir, dataset);
            var phase = Stopwatch.StartNew();
            if (WriteWalk(path, a.Bars)) Log($"dataset {dataset}: {a.Bars} bars written ({new FileInfo(path).Length / 1_048_576} MiB, {phase.ElapsedMilliseconds} ms)");
            else Log($"dataset {dataset} ({new FileInfo(path).Length / 1_048_576} MiB) already there");

            using var http = new HttpClient { BaseAddress = a.Url, Timeout = TimeSpan.FromMinutes(2) };
            // The demo user is seeded by node0 shortly after it is ready: log in until it is there.
            HttpResponseMessage login;
            var loginDeadline = Stopwatch.StartNew();
            while ((login = await http.PostAsJsonAsync("/api/v1/auth/login", new { email = a.Email, password = a.Password })).StatusCode != HttpStatusCode.OK)
            {
                if (loginDeadline.Elapsed > TimeSpan.FromSeconds(90))
                    throw new InvalidOperationException($"login: {(int)login.StatusCode} {await login.Content.ReadAsStringAsync()}");
                await Task.Delay(1000);
            }
            var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

            // Warm-up, not timed: every node reads the dataset once and JITs the backtester (4 points per node).
            phase.Restart();
            var warm = await SweepAsync(http, dataset, Grid(4 * a.Nodes, overbought: 75), a.Timeout, Log);
            Log($"warm-up sweep of {warm.Points} points done in {phase.ElapsedMilliseconds} ms (dataset read on the nodes)");

            var grid = Grid(a.Runs, overbought: 70);
            var timer = Stopwatch.StartNew();
            var result = await SweepAsync(http, dataset, grid, a.Timeout, Log);
            var seconds = timer.Elapsed.TotalSeconds;
            if (result.Points != a.Runs) throw new InvalidOperationException($"the sweep ran {result.Points} points, not {a.Runs}");
            Log($"sweep of {result.Points} points: ranked table in {seconds:0.000} s; best {result.Best}");
            stdout.WriteLine($"sweep runs={result.Points} nodes={a.Nodes} runs_per_s={(result.Points / seconds).ToString("0.00", CultureInfo.InvariantCulture)}");
            return 0;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"bench sweep: FAILED: {e}");
            return 1;
        }
    }

    /// <summary>period × oversold with <paramref name="runs"/> points: four oversold levels when the count allows, else one.</summary>
    private static Dictionary<string, double[]> Grid(int runs, double overbought)
    {
        double[] oversold = runs % 4 == 0 ? [20, 25, 30, 35] : [30];
        var periods = Enumerable.Range(0, runs / oversold.Length).Select(i => 5.0 + i).ToArray();
        return new Dictionary<string, double[]> { ["period"] = periods, ["oversold"] = oversold, ["overbought"] = [overbought] };
    }

    private static async Task<(int Points, string Best)> SweepAsync(HttpClient http, string dataset, Dictionary<string, double[]> sweep, TimeSpan timeout, Action<string> log)
    {
        var created = await http.PostAsJsonAsync("/api/v1/backtests", new { strategy = "rsi", dataset, sweep, rankBy = "sharpe" });
        if (created.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException($"submit: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
        var location = created.Headers.Location!.ToString();
        var deadline = Stopwatch.StartNew();
        var lastDone = -1;
        while (true)
        {
            var job = await http.GetFromJsonAsync<JsonElement>(location);
            var status = job.GetProperty("status").GetString();
            var done = job.GetProperty("progress").GetProperty("done").GetInt32();
            if (status == "completed")
            {
                if (job.TryGetProperty("runsByNode", out var nodes)) log($"  runs by node: {nodes.GetRawText()}");
                break;
            }
            if (status is not ("queued" or "running")) throw new InvalidOperationException($"the sweep ended {status}: {job}");
            if (deadline.Elapsed > timeout) throw new TimeoutException($"the sweep is still {status} after {timeout.TotalSeconds:0} s: {job}");
            if (done != lastDone && done > 0) log($"  {done}/{job.GetProperty("progress").GetProperty("total").GetInt32()} points");
            lastDone = done;
            await Task.Delay(50);
        }
        var table = await http.GetFromJsonAsync<JsonElement>(location + "/results");
        var rows = table.GetProperty("results");
        var best = rows.GetArrayLength() > 0 ? rows[0].GetProperty("parameters").GetRawText() + " sharpe " + rows[0].GetProperty("sharpe") : "-";
        return (rows.GetArrayLength(), best);
    }

    /// <summary>A deterministic one-minute random walk (fixed seed); false when the file is already there.</summary>
    private static bool WriteWalk(string path, int bars)
    {
        if (File.Exists(path)) return false;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var random = new Random(20_260_101);
        var start = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var price = 30_000.0;
        var temp = path + ".tmp";
        using (var writer = new StreamWriter(temp, false, new UTF8Encoding(false), 1 << 20))
        {
            writer.Write("time,open,high,low,close,volume\n");
            for (var i = 0; i < bars; i++)
            {
                var close = price * (1 + (random.NextDouble() - 0.5) * 0.003);
                var high = Math.Max(price, close) * (1 + random.NextDouble() * 0.0008);
                var low = Math.Min(price, close) * (1 - random.NextDouble() * 0.0008);
                writer.Write(string.Create(CultureInfo.InvariantCulture,
                    $"{start.AddMinutes(i):yyyy-MM-dd'T'HH:mm:ss'Z'},{price:F2},{high:F2},{low:F2},{close:F2},{1 + random.NextDouble() * 20:F3}\n"));
                price = close;
            }
        }
        File.Move(temp, path);
        return true;
    }

    private static Args Parse(string[] args)
    {
        int? runs = null, nodes = null;
        Uri? url = null;
        string? dataDir = null, email = null, password = null;
        var bars = 4_000_000;
        var timeout = 900;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{arg} needs a value");
            int Positive(string text) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{arg} must be a positive integer");
            switch (arg)
            {
                case "--runs": runs = Positive(Value()); break;
                case "--nodes": nodes = Positive(Value()); break;
                case "--url": url = Uri.TryCreate(Value(), UriKind.Absolute, out var u) ? u : throw new ArgumentException("--url must be an absolute URL"); break;
                case "--data-dir": dataDir = Value(); break;
                case "--email": email = Value(); break;
                case "--password": password = Value(); break;
                case "--bars": bars = Positive(Value()); break;
                case "--timeout": timeout = Positive(Value()); break;
                default: throw new ArgumentException($"unknown argument '{arg}'");
            }
        }
        if (runs is null or > 1_000) throw new ArgumentException("--runs N is required, at most 1000");
        if (nodes is null) throw new ArgumentException("--nodes is required");
        if (url is null || dataDir is null || email is null || password is null) throw new ArgumentException("--url, --data-dir, --email and --password are required");
        return new Args(runs.Value, nodes.Value, url, dataDir, email, password, bars, TimeSpan.FromSeconds(timeout));
    }
}
