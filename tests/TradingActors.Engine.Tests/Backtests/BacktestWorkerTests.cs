using System.Text;
using Akka.Actor;
using Akka.TestKit;
using Npgsql;
using TradingActors.Backtesting;
using TradingActors.Engine.Backtests;

namespace TradingActors.Engine.Tests.Backtests;

/// <summary>
/// A node's backtest worker (decision 029) against a probe for the coordinator: it pulls no more runs than it has runners,
/// runs them on the backtest dispatcher's threads, pulls again as runners free up, stops pulling from a job that has no
/// more, fetches inline bars once, and reports a run that cannot run.
/// </summary>
public sealed class BacktestWorkerTests : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("ta-worker-").FullName;
    private readonly BacktestDatasets _datasets;
    // Sweep runs write nothing: the store is never opened.
    private readonly BacktestJobStore _store = new(NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=none"));

    public BacktestWorkerTests() : base("akka.loglevel = WARNING\n" + BacktestDispatcher.Hocon(2))
    {
        File.WriteAllText(Path.Combine(_data, "AAA-1m.csv"), Csv(3_000));
        _datasets = new BacktestDatasets(_data, 4);
    }

    void IDisposable.Dispose()
    {
        _store.Dispose();
        Directory.Delete(_data, recursive: true);
        base.Dispose();
    }

    private static string Csv(int bars)
    {
        var text = new StringBuilder(CandleCsv.Header + "\n");
        var start = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < bars; i++)
        {
            var price = 100 + 10 * Math.Sin(i / 25.0);
            text.Append($"{start.AddMinutes(i):yyyy-MM-dd'T'HH:mm:ss'Z'},{price:F4},{price + 0.5:F4},{price - 0.5:F4},{price:F4},1\n");
        }
        return text.ToString();
    }

    private static BacktestRun Run(int point, BacktestDataset? dataset = null, string job = "j") =>
        new(job, "t", point, "rsi", $$"""{"period":{{5 + point}}}""", dataset ?? BacktestDataset.OfFile("AAA-1m.csv"), "AAA", new BacktestVenueSettings(), Record: false);

    [Fact]
    public void It_pulls_up_to_its_runners_runs_on_the_backtest_dispatcher_and_pulls_again_until_the_job_has_no_more()
    {
        var coordinator = CreateTestProbe();
        var worker = Sys.ActorOf(BacktestWorker.Props(_datasets, _store, 2, "node-x"));
        worker.Tell(new BacktestWorkAvailable("j"), coordinator.Ref);
        Assert.Equal(2, coordinator.ExpectMsg<RequestBacktestRuns>().Count);
        worker.Tell(new BacktestRunsGranted("j", [Run(0), Run(1)]), coordinator.Ref);

        var done = new List<BacktestRunCompleted>();
        var asked = 0;
        while (done.Count < 2)
        {
            switch (coordinator.ReceiveOne(TimeSpan.FromSeconds(10)))
            {
                case BacktestRunCompleted c: done.Add(c); break;
                case RequestBacktestRuns r:
                    Assert.InRange(r.Count, 1, 2);
                    asked++;
                    worker.Tell(new BacktestRunsGranted("j", []), coordinator.Ref); // the job has no more
                    break;
                case var other: Assert.Fail($"unexpected {other}"); break;
            }
        }
        Assert.Equal([0, 1], done.Select(d => d.Point).Order());
        Assert.All(done, d => Assert.Equal(BacktestDispatcher.Id, d.Dispatcher));
        Assert.All(done, d => Assert.StartsWith(BacktestDispatcher.Id, d.Thread));
        Assert.All(done, d => Assert.Equal("node-x", d.Node));
        // The figures are the library's own for the same run.
        var expected = Backtester.Run(new BacktestRequest
        {
            Strategy = "rsi", Parameters = """{"period":5}""", Symbols = [new BacktestSymbol("AAA", _datasets.Bars(BacktestDataset.OfFile("AAA-1m.csv")))],
            Settings = new BacktestVenueSettings().ToSettings(record: false),
        }).Metrics;
        Assert.Equal(expected, done.Single(d => d.Point == 0).Figures.ToMetrics());
        Assert.True(asked >= 1, "it asked again once a runner was free");
        coordinator.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // told "no more": it waits for the next announcement
    }

    [Fact]
    public void Inline_bars_are_fetched_once_from_the_coordinator_and_a_run_that_cannot_run_is_reported()
    {
        var coordinator = CreateTestProbe();
        var worker = Sys.ActorOf(BacktestWorker.Props(_datasets, _store, 2, "node-x"));
        var csv = Encoding.UTF8.GetBytes(Csv(500));
        var hash = BacktestDatasets.HashOf(csv);
        worker.Tell(new BacktestWorkAvailable("j"), coordinator.Ref);
        coordinator.ExpectMsg<RequestBacktestRuns>();
        worker.Tell(new BacktestRunsGranted("j", [Run(0, BacktestDataset.OfInline(hash)), Run(1, BacktestDataset.OfInline(hash))]), coordinator.Ref);
        Assert.Equal(hash, coordinator.ExpectMsg<FetchBacktestBars>().Hash); // once for both runs
        worker.Tell(new BacktestBarsChunk("j", hash, 1, 2, csv[100..]), coordinator.Ref);
        worker.Tell(new BacktestBarsChunk("j", hash, 0, 2, csv[..100]), coordinator.Ref);
        var completed = new List<int>();
        while (completed.Count < 2)
        {
            var message = coordinator.ReceiveOne(TimeSpan.FromSeconds(10));
            Assert.IsNotType<FetchBacktestBars>(message);
            if (message is BacktestRunCompleted c) completed.Add(c.Point);
            if (message is RequestBacktestRuns) worker.Tell(new BacktestRunsGranted("j", []), coordinator.Ref);
        }
        Assert.True(_datasets.HasInline(hash));

        worker.Tell(new BacktestWorkAvailable("k"), coordinator.Ref);
        coordinator.FishForMessage(m => m is RequestBacktestRuns { JobId: "k" });
        worker.Tell(new BacktestRunsGranted("k", [Run(0, BacktestDataset.OfFile("GONE-1m.csv"), job: "k")]), coordinator.Ref);
        var failed = (BacktestRunFailed)coordinator.FishForMessage(m => m is BacktestRunFailed, TimeSpan.FromSeconds(10));
        Assert.Equal("k", failed.JobId);
        Assert.Contains("GONE-1m.csv", failed.Reason);
    }

    [Fact]
    public void A_recorded_backtest_over_more_bars_than_it_may_keep_fails_saying_so()
    {
        var coordinator = CreateTestProbe();
        var worker = Sys.ActorOf(BacktestWorker.Props(_datasets, _store, 1, "node-x", maxRecordedBars: 2_000));
        worker.Tell(new BacktestWorkAvailable("j"), coordinator.Ref);
        coordinator.ExpectMsg<RequestBacktestRuns>();
        worker.Tell(new BacktestRunsGranted("j", [Run(0) with { Record = true }]), coordinator.Ref);
        var failed = (BacktestRunFailed)coordinator.FishForMessage(m => m is BacktestRunFailed, TimeSpan.FromSeconds(10));
        Assert.Contains("3,000 bars is more than the 2,000", failed.Reason);
    }

    [Fact]
    public void Bars_another_job_was_fetching_when_it_was_dropped_are_fetched_again_for_the_job_that_still_needs_them()
    {
        var first = CreateTestProbe();
        var second = CreateTestProbe();
        var worker = Sys.ActorOf(BacktestWorker.Props(_datasets, _store, 2, "node-x"));
        var csv = Encoding.UTF8.GetBytes(Csv(400));
        var hash = BacktestDatasets.HashOf(csv);
        worker.Tell(new BacktestWorkAvailable("a"), first.Ref);
        first.ExpectMsg<RequestBacktestRuns>();
        worker.Tell(new BacktestRunsGranted("a", [Run(0, BacktestDataset.OfInline(hash), job: "a")]), first.Ref);
        first.ExpectMsg<FetchBacktestBars>();
        worker.Tell(new BacktestWorkAvailable("b"), second.Ref);
        second.ExpectMsg<RequestBacktestRuns>();
        worker.Tell(new BacktestRunsGranted("b", [Run(1, BacktestDataset.OfInline(hash), job: "b")]), second.Ref);
        second.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // the bars are on their way already

        worker.Tell(new CancelBacktestRuns("a"), first.Ref); // job a ends before its coordinator answered
        Assert.Equal(hash, second.FishForMessage(m => m is FetchBacktestBars, TimeSpan.FromSeconds(3)) is FetchBacktestBars f ? f.Hash : null);
        worker.Tell(new BacktestBarsChunk("b", hash, 0, 1, csv), second.Ref);
        var done = (BacktestRunCompleted)second.FishForMessage(m => m is BacktestRunCompleted, TimeSpan.FromSeconds(10));
        Assert.Equal(("b", 1), (done.JobId, done.Point));
    }

    [Fact]
    public void A_grant_for_a_job_dropped_meanwhile_is_not_run()
    {
        var coordinator = CreateTestProbe();
        var worker = Sys.ActorOf(BacktestWorker.Props(_datasets, _store, 2, "node-x"));
        worker.Tell(new BacktestWorkAvailable("j"), coordinator.Ref);
        coordinator.ExpectMsg<RequestBacktestRuns>();
        worker.Tell(new CancelBacktestRuns("j"), coordinator.Ref);
        worker.Tell(new BacktestRunsGranted("j", [Run(0)]), coordinator.Ref);
        coordinator.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
    }
}
