using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TradingActors.Backtesting;
using TradingActors.Domain.Strategies;
using TradingActors.Engine.Backtests;
using TradingActors.Engine.Hosting;
using TradingActors.IntegrationTests.Infrastructure;
using TradingActors.Tests.Shared;

namespace TradingActors.IntegrationTests;

/// <summary>
/// Backtest jobs in the cluster (decision 029): a sweep's runs are pulled by every engine node's worker and run on the
/// backtest dispatcher; the ranked table is the one a local sweep writes; a worker node that leaves loses no point and
/// counts none twice; a job whose coordinator's node is gone is failed with the reason. Real PostgreSQL, nodes in one process.
/// </summary>
public sealed class BacktestSweepTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("ta-sweep-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private static readonly BacktestVenueSettings Venue = new(InitialCash: 10_000, TakerFeeRate: 0.001, MakerFeeRate: 0.001, SlippageBps: 5);

    [Fact]
    public async Task A_sweep_spread_over_two_nodes_ranks_every_point_once_as_a_local_sweep_does_and_runs_on_the_backtest_dispatcher()
    {
        var file = WriteWalk(_data, "WALK-1m.csv", bars: 150_000, seed: 7);
        await using var db = await TestDatabase.CreateAsync();
        var (first, second) = await StartTwo(db);
        try
        {
            var completions = Collect(first);
            SweepAxis[] sweep =
            [
                new("period", [5, 7, 10, 14, 21, 28]),
                new("oversold", [20, 25, 30, 70]),
                new("overbought", [65, 75]), // oversold 70 with overbought 65 is refused: 6 points skipped
            ];
            var spec = Spec("sweep-determinism", sweep, "sharpe");
            var accepted = Assert.IsType<BacktestSubmission.Accepted>(await Submit(first, spec));
            Assert.Equal(42, accepted.Points);

            await WaitForStatus(db, spec.JobId, BacktestJobStatus.Completed, TimeSpan.FromSeconds(180));
            var csv = await Output(db, spec.JobId, BacktestOutputs.ResultsCsv);
            var json = await Output(db, spec.JobId, BacktestOutputs.Results);

            // The same sweep on this thread, through the library: byte for byte the same table.
            var kind = StrategyKinds.Get("rsi");
            var grid = ParameterGrid.Build(kind, StrategyParameters.FromJson(kind, "{}", out _), sweep.Select(a => new ParameterAxis(a.Name, a.Values)).ToList());
            var request = new BacktestRequest
            {
                Strategy = "rsi",
                Symbols = [new BacktestSymbol("WALK", CandleCsv.Read(File.OpenRead(file)))],
                Settings = Venue.ToSettings(record: false),
            };
            var ranked = SweepRanking.Rank(Sweep.Run(request, grid), RankMetric.Sharpe);
            var localCsv = new StringWriter(CultureInfo.InvariantCulture);
            SweepRanking.WriteCsv(ranked, localCsv);
            var localJson = new StringWriter(CultureInfo.InvariantCulture);
            SweepRanking.WriteJson(ranked, RankMetric.Sharpe, localJson, grid.Skipped);
            Assert.Equal(localCsv.ToString(), csv);
            Assert.Equal(localJson.ToString(), json);
            Assert.Equal(42, csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1);

            // Every point counted once, both nodes took runs, and every run ran on the backtest dispatcher's own threads.
            var runs = completions.ToArray();
            Assert.Equal(grid.Points.Select(p => p.Index).Order(), runs.Select(r => r.Point).Order());
            Assert.Equal(2, runs.Select(r => r.Node).Distinct().Count());
            Assert.All(runs, r => Assert.Equal(BacktestDispatcher.Id, r.Dispatcher));
            Assert.All(runs, r => Assert.StartsWith(BacktestDispatcher.Id, r.Thread));
            Assert.Equal(42, await Scalar(db, $"SELECT points_done FROM backtest_jobs WHERE id = '{spec.JobId}'"));
            var byNode = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, int>>(await Text(db, $"SELECT runs_by_node::text FROM backtest_jobs WHERE id = '{spec.JobId}'"))!;
            Assert.Equal(runs.GroupBy(r => r.Node).ToDictionary(g => g.Key, g => g.Count()), byNode);
        }
        finally
        {
            await second.DisposeAsync();
            await first.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_worker_node_that_leaves_mid_sweep_loses_no_point_and_counts_none_twice()
    {
        WriteWalk(_data, "WALK-1m.csv", bars: 400_000, seed: 11);
        await using var db = await TestDatabase.CreateAsync();
        var (first, second) = await StartTwo(db);
        var secondAddress = second.Address.ToString();
        try
        {
            var completions = Collect(first);
            // Enough points that the sweep cannot end before the node leaves, even on a quiet machine (about 13 ms a run there).
            SweepAxis[] sweep = [new("period", Enumerable.Range(5, 60).Select(p => (double)p).ToArray()), new("oversold", [25, 30])];
            var spec = Spec("sweep-leave", sweep, "total-return");
            Assert.IsType<BacktestSubmission.Accepted>(await Submit(first, spec));

            // The second node has done some runs (and holds more): it leaves.
            await Eventually.TrueAsync(() => Task.FromResult(completions.Count(c => c.Node == secondAddress) >= 2), TimeSpan.FromSeconds(120),
                "the second node completed runs");
            Assert.True(completions.Count < 120, "the sweep finished before the node left; make the runs longer");
            await second.DisposeAsync();

            await WaitForStatus(db, spec.JobId, BacktestJobStatus.Completed, TimeSpan.FromSeconds(240));
            var runs = completions.ToArray();
            Assert.Equal(Enumerable.Range(0, 120), runs.Select(r => r.Point).Order());
            var results = (await Output(db, spec.JobId, BacktestOutputs.ResultsCsv)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(line => int.Parse(line.Split(',')[1], CultureInfo.InvariantCulture)).Order().ToArray();
            Assert.Equal(Enumerable.Range(0, 120), results);
            Assert.Contains(runs, r => r.Node == secondAddress);
            Assert.Contains(runs, r => r.Node != secondAddress);
        }
        finally
        {
            await second.DisposeAsync();
            await first.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_job_whose_coordinators_node_is_gone_is_failed_with_the_reason()
    {
        WriteWalk(_data, "WALK-1m.csv", bars: 400_000, seed: 13);
        await using var db = await TestDatabase.CreateAsync();
        var (first, second) = await StartTwo(db);
        var firstAddress = first.Address.ToString();
        try
        {
            // 1,000 points: seconds of work even on a quiet machine, so the job is still running when its node leaves.
            var spec = Spec("orphan", [new("period", Enumerable.Range(5, 250).Select(p => (double)p).ToArray()), new("oversold", [20, 25, 30, 35])], "sharpe");
            Assert.IsType<BacktestSubmission.Accepted>(await Submit(first, spec));
            await WaitForStatus(db, spec.JobId, BacktestJobStatus.Running, TimeSpan.FromSeconds(30));
            await first.DisposeAsync(); // the coordinator's node leaves with the job half done

            await WaitForStatus(db, spec.JobId, BacktestJobStatus.Failed, TimeSpan.FromSeconds(60));
            var error = await Text(db, $"SELECT error FROM backtest_jobs WHERE id = '{spec.JobId}'");
            Assert.Contains(firstAddress, error);
            Assert.Contains("left the cluster", error);
        }
        finally
        {
            await second.DisposeAsync();
            await first.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(0)] // as many backtest threads as cores: the default
    [InlineData(1)] // one: what a node that trades on few cores can be given
    public async Task Tenants_trade_a_signal_while_a_sweep_keeps_every_backtest_thread_busy(int threads)
    {
        WriteWalk(_data, "WALK-1m.csv", bars: 400_000, seed: 17);
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        var options = Options(db, venues, seeds: "");
        options.Backtests.Threads = threads;
        var busyThreads = options.Backtests.ThreadCount;
        await using var node = await EngineNode.StartAsync(options);
        var tenants = Enumerable.Range(1, 200).Select(i => $"bt-trader-{i:D3}").ToArray();
        foreach (var batch in tenants.Chunk(50)) await Task.WhenAll(batch.Select(t => node.CreatePaperSubscriber(t)));
        await Eventually.TrueAsync(async () => await node.RegisteredSubscribers() == tenants.Length, TimeSpan.FromSeconds(30), "all registered");

        var fills = new ConcurrentQueue<long>();
        var listener = node.System.ActorOf(Props.Create(() => new FillListener(fills)));
        node.System.EventStream.Subscribe(listener, typeof(Engine.Tenants.OrderOutcomePersisted));

        // A round trip to warm the path (not timed), then without a sweep: a buy to every subscriber, timed from the signal
        // to the last persisted fill.
        await SignalToLastFill(node, fills, Domain.Orders.OrderSide.Buy, 60_000m, tenants.Length);
        await SignalToLastFill(node, fills, Domain.Orders.OrderSide.Sell, 60_100m, tenants.Length);
        var quiet = await SignalToLastFill(node, fills, Domain.Orders.OrderSide.Buy, 60_000m, tenants.Length);

        // A sweep that keeps every backtest thread busy for a long while, then the sell.
        var completions = Collect(node);
        var spec = Spec("busy", [new("period", Enumerable.Range(5, 250).Select(p => (double)p).ToArray()), new("oversold", [20, 25, 30, 35])], "sharpe");
        Assert.IsType<BacktestSubmission.Accepted>(await Submit(node, spec));
        await Eventually.TrueAsync(() => Task.FromResult(completions.Count >= busyThreads), TimeSpan.FromSeconds(60), "the sweep is running");
        var busy = await SignalToLastFill(node, fills, Domain.Orders.OrderSide.Sell, 60_500m, tenants.Length);
        Assert.Equal(BacktestJobStatus.Running, await Text(db, $"SELECT status FROM backtest_jobs WHERE id = '{spec.JobId}'")); // it overlapped
        Assert.Equal(4 * tenants.Length, venues.Paper.TotalPlacements);
        output.WriteLine($"a signal to {tenants.Length} paper tenants, to the last persisted fill: {quiet.TotalMilliseconds:0} ms without a sweep, " +
            $"{busy.TotalMilliseconds:0} ms with {busyThreads} backtest thread(s) busy on {Environment.ProcessorCount} cores ({completions.Count} runs done by then)");
        Assert.True(busy < TimeSpan.FromSeconds(30), $"the sell took {busy.TotalMilliseconds:0} ms during the sweep");

        var jobs = node.Services.GetRequiredService<BacktestJobs>();
        Assert.True((await jobs.CancelAsync(node.Services.GetRequiredService<IActorRegistry>().Get<BacktestDeskKey>(), spec.JobId, "tenant-a", CancellationToken.None)).Cancelled);
    }

    private static async Task<TimeSpan> SignalToLastFill(EngineNode node, ConcurrentQueue<long> fills, Domain.Orders.OrderSide side, decimal price, int orders)
    {
        fills.Clear();
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        await node.EmitSignal(side, price);
        await Eventually.TrueAsync(() => Task.FromResult(fills.Count >= orders), TimeSpan.FromSeconds(60), $"{orders} fills persisted");
        return System.Diagnostics.Stopwatch.GetElapsedTime(start, fills.Max());
    }

    private sealed class FillListener : ReceiveActor
    {
        public FillListener(ConcurrentQueue<long> fills) =>
            Receive<Engine.Tenants.OrderOutcomePersisted>(o => { if (o.Status == Domain.Tenants.OrderStatus.Filled) fills.Enqueue(o.PersistedTimestamp); });
    }

    private async Task<(EngineNode First, EngineNode Second)> StartTwo(TestDatabase db)
    {
        var venues = new TestVenues();
        var first = await EngineNode.StartAsync(Options(db, venues, seeds: ""));
        var second = await EngineNode.StartAsync(Options(db, venues, seeds: first.Address.ToString()));
        await Eventually.TrueAsync(() => Task.FromResult(Cluster.Get(first.System).State.Members.Count(m => m.Status == MemberStatus.Up) == 2),
            TimeSpan.FromSeconds(30), "two Up members");
        return (first, second);
    }

    private TradingEngineOptions Options(TestDatabase db, TestVenues venues, string seeds)
    {
        var options = EngineNode.DefaultOptions(db.ConnectionString, venues);
        options.Cluster = new TradingActors.Engine.Hosting.ClusterSettings { Port = 0, Seeds = seeds };
        options.Backtests = new BacktestOptions { DataDirectory = _data, Threads = 2 };
        return options;
    }

    private static BacktestJobSpec Spec(string name, IReadOnlyList<SweepAxis> sweep, string rankBy) =>
        new($"{name}-{Guid.NewGuid():N}"[..32], "tenant-a", "rsi", "{}", BacktestDataset.OfFile("WALK-1m.csv"), "WALK", Venue, sweep, rankBy);

    private static Task<BacktestSubmission> Submit(EngineNode node, BacktestJobSpec spec) =>
        node.Services.GetRequiredService<BacktestJobs>().SubmitAsync(node.System, node.Services.GetRequiredService<IActorRegistry>().Get<BacktestDeskKey>(),
            spec, null, CancellationToken.None);

    /// <summary>Every run the node's coordinators counted (the first completion of each point), as they are counted.</summary>
    private static ConcurrentQueue<BacktestRunCompleted> Collect(EngineNode node)
    {
        var queue = new ConcurrentQueue<BacktestRunCompleted>();
        var collector = node.System.ActorOf(Props.Create(() => new Collector(queue)));
        node.System.EventStream.Subscribe(collector, typeof(BacktestRunCompleted));
        return queue;
    }

    private sealed class Collector : ReceiveActor
    {
        public Collector(ConcurrentQueue<BacktestRunCompleted> queue) => Receive<BacktestRunCompleted>(queue.Enqueue);
    }

    private static async Task WaitForStatus(TestDatabase db, string jobId, string status, TimeSpan timeout)
    {
        string? seen = null;
        try
        {
            await Eventually.TrueAsync(async () => (seen = await Text(db, $"SELECT status FROM backtest_jobs WHERE id = '{jobId}'")) == status, timeout,
                $"job {jobId} {status}");
        }
        catch (TimeoutException e)
        {
            var error = await Text(db, $"SELECT coalesce(error, '') FROM backtest_jobs WHERE id = '{jobId}'");
            throw new TimeoutException($"{e.Message} (it is {seen}: {error})");
        }
    }

    private static async Task<string> Output(TestDatabase db, string jobId, string name) =>
        await Text(db, $"SELECT content FROM backtest_outputs WHERE job_id = '{jobId}' AND name = '{name}'");

    private static async Task<string> Text(TestDatabase db, string sql)
    {
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (await command.ExecuteScalarAsync()) as string ?? "";
    }

    private static async Task<long> Scalar(TestDatabase db, string sql) => await db.ScalarAsync(sql);

    /// <summary>A deterministic one-minute random walk (fixed seed), long enough that a run takes a while.</summary>
    public static string WriteWalk(string directory, string name, int bars, int seed)
    {
        var path = Path.Combine(directory, name);
        var random = new Random(seed);
        var text = new StringBuilder(bars * 72);
        text.Append(CandleCsv.Header).Append('\n');
        var time = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var price = 100.0;
        for (var i = 0; i < bars; i++)
        {
            var open = price;
            var close = open * (1 + (random.NextDouble() - 0.5) * 0.004);
            var high = Math.Max(open, close) * (1 + random.NextDouble() * 0.001);
            var low = Math.Min(open, close) * (1 - random.NextDouble() * 0.001);
            text.Append(time.AddMinutes(i).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append(',')
                .Append(open.ToString("F6", CultureInfo.InvariantCulture)).Append(',')
                .Append(high.ToString("F6", CultureInfo.InvariantCulture)).Append(',')
                .Append(low.ToString("F6", CultureInfo.InvariantCulture)).Append(',')
                .Append(close.ToString("F6", CultureInfo.InvariantCulture)).Append(',')
                .Append((1 + random.NextDouble() * 10).ToString("F4", CultureInfo.InvariantCulture)).Append('\n');
            price = close;
        }
        File.WriteAllText(path, text.ToString());
        return path;
    }
}
