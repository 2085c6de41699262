using System.Collections.Concurrent;
using Akka.Actor;
using Akka.TestKit;
using TradingActors.Backtesting;
using TradingActors.Engine.Backtests;

namespace TradingActors.Engine.Tests.Backtests;

/// <summary>
/// The sweep coordinator's protocol (decision 029) against probes for the workers and an in-memory job row: runs handed
/// out up to what a worker asks, a lost worker's points handed out again first, a point completed twice counted once,
/// the table ranked from the figures, a failed run failing the job, a cancelled row stopping it.
/// </summary>
public sealed class SweepCoordinatorTests() : Akka.TestKit.Xunit2.TestKit("akka.loglevel = WARNING")
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(200);

    private static BacktestJobSpec Sweep(params double[] periods) => new("job-1", "tenant-a", "rsi", "{}", BacktestDataset.OfFile("BTCUSDT-1m.csv"), "BTCUSDT",
        new BacktestVenueSettings(), [new SweepAxis("period", periods)], "final-equity");

    private static BacktestFigures Figures(double finalEquity) => new(10_000, finalEquity, finalEquity / 100 - 100, null, 1, TimeSpan.Zero, true, null, null,
        10, 50, 2, 1, 1, 0, 100, 10, 0, null, 1, 0);

    private (IActorRef Coordinator, TestProbe Workers, FakeJobState State) Start(BacktestJobSpec spec)
    {
        var workers = CreateTestProbe();
        var state = new FakeJobState();
        var coordinator = Sys.ActorOf(SweepCoordinator.Props(spec, null, state, workers.Ref, Tick));
        workers.ExpectMsg<BacktestWorkAvailable>(m => m.JobId == spec.JobId);
        Assert.Equal(spec.Sweep![0].Values.Count, state.Total);
        return (coordinator, workers, state);
    }

    private static IReadOnlyList<BacktestRun> Pull(TestProbe worker, IActorRef coordinator, int count)
    {
        coordinator.Tell(new RequestBacktestRuns("job-1", count), worker.Ref);
        return worker.ExpectMsg<BacktestRunsGranted>().Runs;
    }

    [Fact]
    public void A_lost_workers_points_go_out_again_first_and_a_point_completed_twice_counts_once()
    {
        var (coordinator, workers, state) = Start(Sweep(5, 7, 10, 14, 21));
        var a = CreateTestProbe();
        var b = CreateTestProbe();
        Assert.Equal([0, 1], Pull(a, coordinator, 2).Select(r => r.Point));
        var granted = Pull(b, coordinator, 2);
        Assert.Equal([2, 3], granted.Select(r => r.Point));
        Assert.All(granted, r => Assert.False(r.Record)); // a sweep records nothing but its figures
        Assert.Equal("""{"period":10,"oversold":30,"overbought":70}""", granted[0].Parameters);

        // a's node is gone with points 0 and 1: they are announced again and handed out before point 4.
        Watch(a.Ref);
        Sys.Stop(a.Ref);
        ExpectTerminated(a.Ref);
        workers.FishForMessage(m => m is BacktestWorkAvailable, TimeSpan.FromSeconds(3));
        Assert.Equal([0, 1, 4], Pull(b, coordinator, 5).Select(r => r.Point));

        foreach (var point in new[] { 2, 3, 0, 1, 2, 4, 0 }) // 2 and 0 twice: a worker thought lost finished them after all
            coordinator.Tell(new BacktestRunCompleted("job-1", point, Figures(10_000 + point), "node-b", BacktestDispatcher.Id, "t"), b.Ref);

        AwaitCondition(() => state.Completed is not null, TimeSpan.FromSeconds(5));
        Assert.Equal(5, state.CompletedPoints);
        Assert.Equal(new Dictionary<string, int> { ["node-b"] = 5 }, state.RunsByNode);
        var csv = state.Completed![BacktestOutputs.ResultsCsv].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // Ranked by final equity, best first: point 4 (10,004) down to point 0.
        Assert.Equal(["4", "3", "2", "1", "0"], csv.Skip(1).Select(line => line.Split(',')[1]));
        Assert.Contains("\"metric\": \"final-equity\"", state.Completed[BacktestOutputs.Results]);
        workers.FishForMessage(m => m is CancelBacktestRuns, TimeSpan.FromSeconds(3)); // the workers drop what they hold of it
        Watch(coordinator);
        ExpectTerminated(coordinator);
    }

    [Fact]
    public void A_run_that_cannot_run_fails_the_job_with_the_point_and_the_reason()
    {
        var (coordinator, workers, state) = Start(Sweep(5, 7));
        var a = CreateTestProbe();
        Pull(a, coordinator, 2);
        coordinator.Tell(new BacktestRunFailed("job-1", 1, "dataset 'BTCUSDT-1m.csv' is not in this node's data directory", "node-a"), a.Ref);
        AwaitCondition(() => state.Failure is not null, TimeSpan.FromSeconds(5));
        Assert.Equal("""point 1 {"period":7,"oversold":30,"overbought":70}: dataset 'BTCUSDT-1m.csv' is not in this node's data directory""", state.Failure);
        workers.FishForMessage(m => m is CancelBacktestRuns, TimeSpan.FromSeconds(3));
        Assert.Null(state.Completed);
    }

    [Fact]
    public void A_coordinator_that_cannot_write_its_end_stops_instead_of_retrying_forever()
    {
        var workers = CreateTestProbe();
        var state = new FakeJobState { Broken = true };
        var coordinator = Sys.ActorOf(SweepCoordinator.Props(Sweep(5), null, state, workers.Ref, Tick));
        workers.ExpectMsg<BacktestWorkAvailable>();
        var a = CreateTestProbe();
        Pull(a, coordinator, 1);
        Watch(coordinator);
        coordinator.Tell(new BacktestRunCompleted("job-1", 0, Figures(10_000), "node-a", BacktestDispatcher.Id, "t"), a.Ref);
        ExpectTerminated(coordinator, TimeSpan.FromSeconds(5));
        Assert.Equal(1, state.FailAttempts); // the completion failed, then its failure: no third try
    }

    [Fact]
    public void A_job_whose_row_is_no_longer_running_stops_and_its_runs_are_dropped()
    {
        var (coordinator, workers, state) = Start(Sweep(5, 7, 10));
        var a = CreateTestProbe();
        Pull(a, coordinator, 1);
        state.Running = false; // cancelled through another node, or failed by another node's desk
        workers.FishForMessage(m => m is CancelBacktestRuns, TimeSpan.FromSeconds(3));
        Watch(coordinator);
        ExpectTerminated(coordinator);
        Assert.True(state.Progress.Count > 0);
        Assert.Null(state.Completed);
    }

    [Fact]
    public void A_single_backtest_is_one_recorded_point_and_its_documents_are_the_workers()
    {
        var spec = Sweep(5) with { Sweep = null };
        var workers = CreateTestProbe();
        var state = new FakeJobState();
        var coordinator = Sys.ActorOf(SweepCoordinator.Props(spec, null, state, workers.Ref, Tick));
        workers.ExpectMsg<BacktestWorkAvailable>();
        var a = CreateTestProbe();
        var run = Assert.Single(Pull(a, coordinator, 4));
        Assert.True(run.Record);
        Assert.Equal(0, run.Point);
        coordinator.Tell(new BacktestRunCompleted("job-1", 0, Figures(10_500), "node-a", BacktestDispatcher.Id, "t"), a.Ref);
        AwaitCondition(() => state.Completed is not null, TimeSpan.FromSeconds(5));
        Assert.Empty(state.Completed!); // the report, equity, trades and chart were written by the worker that ran it
        Assert.Equal(1, state.CompletedPoints);
    }

    [Fact]
    public void Inline_bars_are_sent_in_chunks_that_rebuild_them()
    {
        var bars = new byte[SweepCoordinator.ChunkBytes * 2 + 123];
        new Random(3).NextBytes(bars);
        var hash = BacktestDatasets.HashOf(bars);
        var spec = Sweep(5) with { Dataset = BacktestDataset.OfInline(hash) };
        var workers = CreateTestProbe();
        var coordinator = Sys.ActorOf(SweepCoordinator.Props(spec, bars, new FakeJobState(), workers.Ref, Tick));
        workers.ExpectMsg<BacktestWorkAvailable>();
        var a = CreateTestProbe();
        Pull(a, coordinator, 1);
        coordinator.Tell(new FetchBacktestBars("job-1", hash), a.Ref);
        var chunks = Enumerable.Range(0, 3).Select(_ => a.ExpectMsg<BacktestBarsChunk>()).ToList();
        Assert.All(chunks, c => Assert.Equal(3, c.Count));
        Assert.Equal([0, 1, 2], chunks.Select(c => c.Index));
        Assert.Equal(bars, chunks.SelectMany(c => c.Data).ToArray());
    }

    private sealed class FakeJobState : IBacktestJobState
    {
        public volatile bool Running = true;
        public int Total;
        public readonly ConcurrentQueue<int> Progress = new();
        public volatile IReadOnlyDictionary<string, string>? Completed;
        public IReadOnlyDictionary<string, int>? RunsByNode;
        public int CompletedPoints;
        public volatile string? Failure;

        public Task<bool> StartAsync(string jobId, int pointsTotal)
        {
            Total = pointsTotal;
            return Task.FromResult(true);
        }

        public Task<bool> ProgressAsync(string jobId, int pointsDone)
        {
            Progress.Enqueue(pointsDone);
            return Task.FromResult(Running);
        }

        public bool Broken;
        public int FailAttempts;

        public Task<bool> CompleteAsync(string jobId, string tenantId, int pointsDone, IReadOnlyDictionary<string, int> runsByNode, IReadOnlyDictionary<string, string> outputs)
        {
            if (Broken) return Task.FromException<bool>(new InvalidOperationException("the database is away"));
            CompletedPoints = pointsDone;
            RunsByNode = runsByNode.ToDictionary();
            Completed = outputs.ToDictionary();
            return Task.FromResult(true);
        }

        public Task<bool> FailAsync(string jobId, string reason)
        {
            Interlocked.Increment(ref FailAttempts);
            if (Broken) return Task.FromException<bool>(new InvalidOperationException("the database is away"));
            Failure = reason;
            return Task.FromResult(true);
        }
    }
}
