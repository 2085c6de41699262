// TradingActors.Bench fanout --tenants N [--cold] [--buckets B] [--parallelism P] [--timeout S]
// TradingActors.Bench budget --tenants N --nodes K                        (BudgetBench.cs: Bybit tenants, one per-IP budget)
// TradingActors.Bench api --url URL [--rps N] [--duration S] [--users U] ...   (ApiLoad.cs: a running node's API)
// TradingActors.Bench cluster --nodes N --tenants T --urls URL,...          (ClusterBench.cs: running node processes)
// TradingActors.Bench backtest [--bars N] [--min-seconds S]                (BacktestBench.cs: backtester throughput, no database)
// TradingActors.Bench sweep --runs N --nodes K --url URL --data-dir DIR ...  (SweepBench.cs: a sweep through a running cluster's API)
//
// One signal fanned out to N paper tenants by the engine running in this process, against the
// PostgreSQL given in TRADINGACTORS_BENCH_PG (admin connection string to database `postgres`).
// Progress goes to stderr; the last stdout line is the result (see docs/benchmarks.md).
using System.Diagnostics;
using Akka.Actor;
using Npgsql;
using TradingActors.Bench;
using TradingActors.Domain.Orders;
using TradingActors.Engine;
using TradingActors.Engine.Strategies;
using TradingActors.Engine.Tenants;

// Akka writes a few lines to Console.Out while a system terminates (its standard-out logger):
// everything but the result line goes to stderr.
var stdout = Console.Out;
Console.SetOut(Console.Error);

if (args.Length > 0 && args[0] == "api") return await ApiLoad.RunAsync(args[1..], stdout);
if (args.Length > 0 && args[0] == "cluster") return await ClusterBench.RunAsync(args[1..], stdout);
if (args.Length > 0 && args[0] == BacktestBench.Mode) return BacktestBench.Run(args[1..], stdout);
if (args.Length > 0 && args[0] == "sweep") return await SweepBench.RunAsync(args[1..], stdout);

BenchArgs bench;
try
{
    bench = BenchArgs.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"bench: {e.Message}");
    Console.Error.WriteLine(BenchArgs.Usage);
    return 2;
}

var adminConnectionString = Environment.GetEnvironmentVariable("TRADINGACTORS_BENCH_PG");
if (string.IsNullOrWhiteSpace(adminConnectionString))
{
    Console.Error.WriteLine("bench: TRADINGACTORS_BENCH_PG is not set (run through scripts/bench.sh)");
    return 2;
}

var database = $"bench_{DateTime.UtcNow:yyyyMMdd_HHmmss}_{Environment.ProcessId}";
var connectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = database }.ConnectionString;
var runStarted = Stopwatch.GetTimestamp();

void Log(string message) =>
    Console.Error.WriteLine($"bench [{Measure.F1(Measure.Ms(runStarted, Stopwatch.GetTimestamp()) / 1000.0)} s] {message}");

const OrderSide SignalSide = OrderSide.Buy;
const decimal SignalPrice = 60_000m;

string? resultLine = null;
var exitCode = 1;
try
{
    await using (var admin = new NpgsqlConnection(adminConnectionString))
    {
        await admin.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin);
        await create.ExecuteNonQueryAsync();
    }
    Log($"{bench.Mode} tenants={bench.Tenants} mode={(bench.Cold ? "cold" : "warm")} database={database} cores={Environment.ProcessorCount} " +
        $"gc={(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}{(System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.Batch ? "/non-concurrent" : "/concurrent")}");

    if (bench.Mode == "failover")
    {
        var (line, passed) = await FailoverBench.RunAsync(bench, connectionString, e => CreateTenantsAsync(e, bench), Log);
        resultLine = line;
        exitCode = passed ? 0 : 1;
    }
    else if (bench.Mode == BudgetBench.Mode)
    {
        var (line, passed) = await BudgetBench.RunAsync(bench, connectionString, Log);
        resultLine = line;
        exitCode = passed ? 0 : 1;
    }
    else
    {
        await RunFanoutAsync();
    }
}
catch (Exception e)
{
    Console.Error.WriteLine($"bench: FAILED: {e}");
    exitCode = 1;
}
finally
{
    await DropDatabaseAsync(adminConnectionString, database);
}

if (resultLine is not null) stdout.WriteLine(resultLine);
stdout.Flush();
return exitCode;

async Task RunFanoutAsync()
{
    var options = EngineHost.BenchOptions(connectionString, bench.Buckets);
    var phase = Stopwatch.StartNew();
    var engine = await EngineHost.StartAsync(options, bench.LogLevel);
    Log($"engine up, strategy answers ({phase.ElapsedMilliseconds} ms); fan-out buckets={options.FanoutBuckets}, tenant shards={options.TenantShards}");

    try
    {
        // ---- tenants (not timed), memory per warm tenant
        var rssBeforeForced = Measure.RssAfterFullGc();
        var rssBefore = Measure.RssAfterFullGc(releaseFreeMemory: true);
        var heapBefore = GC.GetTotalMemory(forceFullCollection: false); // right after RssAfterFullGc's collection
        Log($"RSS before tenants: {rssBefore / 1024} KiB after an aggressive full GC, {rssBeforeForced / 1024} KiB after a forced one (managed heap {heapBefore / 1024} KiB)");

        phase.Restart();
        var cpu = CpuWindow.Start();
        await CreateTenantsAsync(engine, bench);
        Log($"{bench.Tenants} tenants created, linked, subscribed ({phase.ElapsedMilliseconds} ms; {cpu.Describe()})");

        phase.Restart();
        var lastSeen = -1;
        await Wait.Until(async () =>
        {
            var (subscribers, _) = await engine.FanoutTotals();
            lastSeen = subscribers;
            return subscribers == bench.Tenants;
        }, TimeSpan.FromSeconds(300), $"all {bench.Tenants} subscribers registered in the fan-out buckets", TimeSpan.FromMilliseconds(200));
        Log($"fan-out buckets hold {lastSeen} subscribers ({phase.ElapsedMilliseconds} ms after the last reply)");

        var rssAfterForced = Measure.RssAfterFullGc();
        await Task.Delay(TimeSpan.FromSeconds(10)); // does the GC hand freed regions back on its own?
        var rssAfterSettled = Measure.Rss();
        var rssAfter = Measure.RssAfterFullGc(releaseFreeMemory: true);
        var rssPerTenant = (rssAfter - rssBefore) / bench.Tenants;
        var heapAfter = GC.GetTotalMemory(forceFullCollection: false);
        Log($"RSS with {bench.Tenants} warm tenants: {rssAfter / 1024} KiB -> {rssPerTenant} bytes per tenant after an aggressive full GC " +
            $"({(rssAfterForced - rssBeforeForced) / bench.Tenants} bytes per tenant after a forced one, which leaves freed GC regions resident, " +
            $"{(rssAfterSettled - rssBeforeForced) / bench.Tenants} bytes 10 s later; " +
            $"managed heap {heapAfter / 1024} KiB -> {(heapAfter - heapBefore) / bench.Tenants} bytes per tenant)");

        // ---- cold: nothing in memory, a new node on the same database
        if (bench.Cold)
        {
            phase.Restart();
            await engine.StopAsync();
            Log($"engine stopped ({phase.ElapsedMilliseconds} ms)");
            phase.Restart();
            engine = await EngineHost.StartAsync(options, bench.LogLevel);
            Log($"new engine up, strategy answers ({phase.ElapsedMilliseconds} ms); publishing at once");
        }

        // Profiling aid (off by default): a pause before the signal to attach dotnet-trace.
        if (int.TryParse(Environment.GetEnvironmentVariable("BENCH_PAUSE_BEFORE_SIGNAL_MS"), out var pauseMs) && pauseMs > 0)
        {
            Log($"pausing {pauseMs} ms before the signal (BENCH_PAUSE_BEFORE_SIGNAL_MS), pid {Environment.ProcessId}");
            await Task.Delay(pauseMs);
        }

        // ---- the measured signal
        var recorder = new OutcomeRecorder(bench.Tenants);
        recorder.Attach(engine.System);

        cpu = CpuWindow.Start();
        var start = Stopwatch.GetTimestamp(); // before the signal is persisted: includes its own write
        var published = await engine.Strategies.Ask<SignalPublished>(new EmitManualSignal(EngineHost.Strategy, SignalSide, SignalPrice), TimeSpan.FromSeconds(30));
        var replied = Stopwatch.GetTimestamp();
        Log($"signal #{published.Signal.Sequence} {published.Signal.Side} {published.Signal.Symbol} @ {published.Signal.Price} persisted and published; reply after {Measure.F1(Measure.Ms(start, replied))} ms");

        var allFilled = await Task.WhenAny(recorder.AllFilled, Task.Delay(bench.FillTimeout)) == recorder.AllFilled;
        var window = cpu.Describe();
        var fills = recorder.FillTimestamps();
        var latencies = fills.Select(t => Measure.Ms(start, t)).Order().ToList();
        var totalMs = latencies.Count > 0 ? latencies[^1] : double.NaN;
        if (!allFilled)
            Log($"TIMEOUT after {bench.FillTimeout.TotalSeconds:0} s: {recorder.Describe()}");
        else
            Log($"all filled: {recorder.Describe()}; {window}");
        if (latencies.Count > 0)
            Log($"fill latency ms: min {Measure.F1(latencies[0])} p10 {Measure.F1(Measure.Percentile(latencies, 10))} p50 {Measure.F1(Measure.Percentile(latencies, 50))} " +
                $"p90 {Measure.F1(Measure.Percentile(latencies, 90))} p99 {Measure.F1(Measure.Percentile(latencies, 99))} max {Measure.F1(totalMs)}");
        if (latencies.Count > 0)
        {
            var binMs = Math.Max(10, Math.Ceiling(totalMs / 20 / 10) * 10); // about 20 bins of a round width
            var bins = latencies.GroupBy(l => (int)(l / binMs)).OrderBy(g => g.Key).Select(g => $"{g.Key * binMs:0}-{(g.Key + 1) * binMs:0}:{g.Count()}");
            Log($"fills per {binMs:0} ms window after the start: {string.Join(" ", bins)}");
        }

        // ---- after the run: nothing left to deliver, then the journal's word on duplicates
        phase.Restart();
        try
        {
            await Wait.Until(async () => (await engine.FanoutTotals()).Lagging == 0, TimeSpan.FromSeconds(30), "fan-out buckets fully acknowledged");
            Log($"fan-out buckets fully acknowledged ({phase.ElapsedMilliseconds} ms after the fills)");
        }
        catch (TimeoutException e)
        {
            Log($"warning: {e.Message} (lagging={(await engine.FanoutTotals()).Lagging})");
        }
        var audit = await JournalAudit.ReadFillsAsync(engine.System);
        Log($"journal: {audit.FilledEvents} OrderFilled events, {audit.Orders} distinct client order ids, {audit.Duplicates} filled more than once, {audit.OtherExecutionEvents} other execution events");

        // Memory of a node that has traded: every tenant holds its fill, its position and its ledger now.
        var rssTraded = Measure.RssAfterFullGc(releaseFreeMemory: true);
        var rssTradedPerTenant = (rssTraded - rssBefore) / bench.Tenants;
        var heapTraded = GC.GetTotalMemory(forceFullCollection: false);
        Log($"RSS after the signal was traded: {rssTraded / 1024} KiB -> {rssTradedPerTenant} bytes per tenant after an aggressive full GC " +
            $"(before the signal: {rssPerTenant}; managed heap {heapTraded / 1024} KiB -> {(heapTraded - heapBefore) / bench.Tenants} bytes per tenant)");

        phase.Restart();
        await engine.StopAsync();
        Log($"engine stopped ({phase.ElapsedMilliseconds} ms)");

        // ---- baseline: the seeds' broadcaster, same process, same PostgreSQL, engine stopped
        var baseline = await Baseline.RunAsync(connectionString, bench.Tenants, EngineHost.Strategy, SignalSide, SignalPrice, published.Signal.Sequence);
        Log($"baseline: {baseline.Subscribers} subscribers read, {baseline.Filled} filled, {baseline.Rows} execution rows in {Measure.F1(baseline.ElapsedMs)} ms (pool of {Math.Min(new NpgsqlConnectionStringBuilder(connectionString).MaxPoolSize, bench.Tenants)} connections opened beforehand, untimed, in {Measure.F1(baseline.PoolWarmupMs)} ms)");

        var p50 = Measure.Percentile(latencies, 50);
        var p99 = Measure.Percentile(latencies, 99);
        resultLine = $"fanout tenants={bench.Tenants} orders={audit.Orders} duplicates={audit.Duplicates} " +
                     $"total_ms={Measure.F1(totalMs)} p50_ms={Measure.F1(p50)} p99_ms={Measure.F1(p99)} " +
                     $"baseline_ms={Measure.F1(baseline.ElapsedMs)} speedup={Measure.F2(baseline.ElapsedMs / totalMs)} rss_per_tenant_bytes={rssTradedPerTenant}";
        exitCode = allFilled && audit.Orders == bench.Tenants && audit.Duplicates == 0 ? 0 : 1;
    }
    finally
    {
        await engine.StopAsync();
    }
}

async Task CreateTenantsAsync(EngineHost engine, BenchArgs b)
{
    var timeout = TimeSpan.FromSeconds(60);
    var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
    await Parallel.ForEachAsync(Enumerable.Range(0, b.Tenants), new ParallelOptions { MaxDegreeOfParallelism = b.Parallelism }, async (i, _) =>
    {
        var id = $"bench-{i:D6}";
        ITenantCommand[] commands =
        [
            new CreateTenant(id, id),
            new LinkPaperAccount(id, "paper-1", 10_000m),
            new SubscribeToStrategy(id, EngineHost.Strategy, "paper-1", 1_000m),
        ];
        foreach (var command in commands)
        {
            object reply;
            try
            {
                reply = await engine.Tenants.Ask<object>(command, timeout);
            }
            catch (Exception e)
            {
                failures.Enqueue($"{command}: {e.GetType().Name}: {e.Message}");
                return;
            }
            if (reply is not CommandAccepted)
            {
                failures.Enqueue($"{command}: {reply}");
                return;
            }
        }
    });
    if (!failures.IsEmpty)
        throw new InvalidOperationException($"{failures.Count} tenants were not set up; first: " + string.Join(" | ", failures.Take(5)));
}

async Task DropDatabaseAsync(string adminCs, string name)
{
    try
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(adminCs);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
        Log($"database {name} dropped");
    }
    catch (Exception e)
    {
        Log($"warning: could not drop database {name}: {e.Message}");
    }
}
