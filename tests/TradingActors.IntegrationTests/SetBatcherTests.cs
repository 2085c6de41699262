using System.Collections.Concurrent;
using TradingActors.Engine.Persistence;

namespace TradingActors.IntegrationTests;

/// <summary>The coalescer on its own: no database, a scripted batch function.</summary>
public sealed class SetBatcherTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>A batch function whose batches the test releases one by one; results are request × 10.</summary>
    private sealed class GatedReads
    {
        private readonly ConcurrentQueue<(int[] Requests, TaskCompletionSource Release)> _started = new();
        private readonly SemaphoreSlim _startedSignal = new(0);
        private int _running;

        public int MaxRunning;
        public Exception? FailWith;
        public bool ReturnTooFew;

        public async Task<IReadOnlyList<int>> Read(IReadOnlyList<int> requests, CancellationToken cancellationToken)
        {
            var running = Interlocked.Increment(ref _running);
            InterlockedMax(ref MaxRunning, running);
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _started.Enqueue(([.. requests], release));
            _startedSignal.Release();
            try
            {
                await release.Task.WaitAsync(cancellationToken);
                if (FailWith is { } error) throw error;
                return ReturnTooFew ? requests.Skip(1).Select(r => r * 10).ToList() : requests.Select(r => r * 10).ToList();
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }

        public async Task<(int[] Requests, TaskCompletionSource Release)> NextBatch()
        {
            Assert.True(await _startedSignal.WaitAsync(Timeout), "a batch started");
            Assert.True(_started.TryDequeue(out var batch));
            return batch;
        }

        public async Task NoBatchStarts()
        {
            Assert.False(await _startedSignal.WaitAsync(TimeSpan.FromMilliseconds(200)), "no batch started");
        }
    }

    [Fact]
    public async Task The_first_read_runs_at_once_and_reads_arriving_meanwhile_share_the_next_query()
    {
        var reads = new GatedReads();
        var batcher = new SetBatcher<int, int>(reads.Read, maxBatchSize: 1000, maxBatchesInFlight: 1);

        var first = batcher.RunAsync(1);
        var (firstBatch, releaseFirst) = await reads.NextBatch();
        Assert.Equal([1], firstBatch);

        var waiting = Enumerable.Range(2, 50).Select(r => batcher.RunAsync(r)).ToList();
        await reads.NoBatchStarts();
        releaseFirst.SetResult();
        Assert.Equal(10, await first.WaitAsync(Timeout));

        var (secondBatch, releaseSecond) = await reads.NextBatch();
        Assert.Equal(Enumerable.Range(2, 50), secondBatch);
        releaseSecond.SetResult();
        Assert.Equal(Enumerable.Range(2, 50).Select(r => r * 10), await Task.WhenAll(waiting).WaitAsync(Timeout));
        Assert.Equal(new SetBatcherStats(Batches: 2, Requests: 51, LargestBatch: 50), batcher.Stats);
    }

    [Fact]
    public async Task Batches_are_capped_and_no_more_than_the_allowed_number_run_at_once()
    {
        var reads = new GatedReads();
        var batcher = new SetBatcher<int, int>(reads.Read, maxBatchSize: 10, maxBatchesInFlight: 2);

        var all = Enumerable.Range(1, 27).Select(r => batcher.RunAsync(r)).ToList();
        // The first two batches start on pool threads: either may reach the store first.
        var started = new[] { await reads.NextBatch(), await reads.NextBatch() }.OrderBy(x => x.Item1.First()).ToArray();
        var (a, releaseA) = started[0];
        var (b, releaseB) = started[1];
        Assert.Equal([1], a);
        Assert.Equal([2], b);
        await reads.NoBatchStarts();

        releaseA.SetResult();
        var (c, releaseC) = await reads.NextBatch();
        Assert.Equal(Enumerable.Range(3, 10), c);
        releaseB.SetResult();
        var (d, releaseD) = await reads.NextBatch();
        Assert.Equal(Enumerable.Range(13, 10), d);
        releaseC.SetResult();
        var (e, releaseE) = await reads.NextBatch();
        Assert.Equal(Enumerable.Range(23, 5), e);
        releaseD.SetResult();
        releaseE.SetResult();

        Assert.Equal(Enumerable.Range(1, 27).Select(r => r * 10), await Task.WhenAll(all).WaitAsync(Timeout));
        Assert.Equal(2, reads.MaxRunning);
        Assert.Equal(new SetBatcherStats(Batches: 5, Requests: 27, LargestBatch: 10), batcher.Stats);
    }

    [Fact]
    public async Task A_failed_query_fails_every_read_in_its_batch_and_the_next_batch_still_runs()
    {
        var reads = new GatedReads();
        var batcher = new SetBatcher<int, int>(reads.Read, maxBatchSize: 100, maxBatchesInFlight: 1);

        var first = batcher.RunAsync(1);
        var (_, releaseFirst) = await reads.NextBatch();
        var doomed = Enumerable.Range(2, 20).Select(r => batcher.RunAsync(r)).ToList();
        releaseFirst.SetResult();
        Assert.Equal(10, await first.WaitAsync(Timeout));

        var (doomedBatch, releaseDoomed) = await reads.NextBatch();
        Assert.Equal(20, doomedBatch.Length);
        var error = new InvalidOperationException("relation \"journal\" does not exist");
        reads.FailWith = error;
        var after = batcher.RunAsync(99);
        releaseDoomed.SetResult();
        foreach (var read in doomed)
            Assert.Same(error, await Assert.ThrowsAsync<InvalidOperationException>(() => read.WaitAsync(Timeout)));

        reads.FailWith = null;
        var (afterBatch, releaseAfter) = await reads.NextBatch();
        Assert.Equal([99], afterBatch);
        releaseAfter.SetResult();
        Assert.Equal(990, await after.WaitAsync(Timeout));
    }

    [Fact]
    public async Task A_batch_function_that_loses_results_fails_its_reads_instead_of_misassigning_them()
    {
        var reads = new GatedReads { ReturnTooFew = true };
        var batcher = new SetBatcher<int, int>(reads.Read, maxBatchSize: 100, maxBatchesInFlight: 1);
        var read = batcher.RunAsync(7);
        (await reads.NextBatch()).Release.SetResult();
        await Assert.ThrowsAsync<InvalidOperationException>(() => read.WaitAsync(Timeout));
    }

    [Fact]
    public async Task A_cancelled_read_leaves_its_batch_and_the_others_still_complete()
    {
        var reads = new GatedReads();
        var batcher = new SetBatcher<int, int>(reads.Read, maxBatchSize: 100, maxBatchesInFlight: 1);
        var first = batcher.RunAsync(1);
        var (_, releaseFirst) = await reads.NextBatch();

        using var cancel = new CancellationTokenSource();
        var abandoned = batcher.RunAsync(2, cancel.Token);
        var kept = batcher.RunAsync(3);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned.WaitAsync(Timeout));

        releaseFirst.SetResult();
        var (next, releaseNext) = await reads.NextBatch();
        Assert.Equal([3], next);
        releaseNext.SetResult();
        Assert.Equal(10, await first.WaitAsync(Timeout));
        Assert.Equal(30, await kept.WaitAsync(Timeout));
    }

    [Fact]
    public async Task Stopping_fails_waiting_reads_cancels_running_ones_and_refuses_new_ones()
    {
        var reads = new GatedReads();
        var batcher = new SetBatcher<int, int>(reads.Read, maxBatchSize: 100, maxBatchesInFlight: 1);
        var running = batcher.RunAsync(1);
        await reads.NextBatch();
        var waiting = batcher.RunAsync(2);

        batcher.Stop();
        await Assert.ThrowsAsync<InvalidOperationException>(() => waiting.WaitAsync(Timeout));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(Timeout));
        await Assert.ThrowsAsync<InvalidOperationException>(() => batcher.RunAsync(3).WaitAsync(Timeout));
    }

    [Fact]
    public async Task Thousands_of_reads_from_many_threads_each_get_their_own_result_in_far_fewer_queries()
    {
        var running = 0;
        var maxRunning = 0;
        var batcher = new SetBatcher<int, int>(async (requests, ct) =>
        {
            InterlockedMax(ref maxRunning, Interlocked.Increment(ref running));
            await Task.Delay(2, ct);
            Interlocked.Decrement(ref running);
            return requests.Select(r => -r).ToList();
        }, maxBatchSize: 500, maxBatchesInFlight: 2);

        var results = await Task.WhenAll(Enumerable.Range(0, 10_000).Select(r => Task.Run(() => batcher.RunAsync(r)))).WaitAsync(Timeout);

        Assert.Equal(Enumerable.Range(0, 10_000).Select(r => -r), results);
        Assert.True(maxRunning <= 2, $"{maxRunning} queries ran at once");
        var stats = batcher.Stats;
        Assert.Equal(10_000, stats.Requests);
        Assert.True(stats.Batches < 10_000 / 5, $"{stats.Batches} queries for 10000 reads");
        Assert.True(stats.LargestBatch <= 500);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current) return;
            current = seen;
        }
    }
}
