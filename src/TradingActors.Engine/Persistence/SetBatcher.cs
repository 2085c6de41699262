namespace TradingActors.Engine.Persistence;

/// <summary>What a batcher has done so far: set-based queries run, requests they served, the largest batch.</summary>
public sealed record SetBatcherStats(long Batches, long Requests, int LargestBatch);

/// <summary>
/// Coalesces concurrent requests (recovery reads, journal writes) into set-based statements. A request
/// that arrives while nothing is in
/// flight runs at once; requests that arrive while queries are in flight wait for the next free
/// slot and go together (natural batching: no timer, no added latency when the store is idle).
/// <para>
/// The batch function gets the requests in arrival order and must return one result per request,
/// in the same order. If it throws, every request of that batch fails with the same exception.
/// Results complete on thread-pool threads, never inline on the thread that finished the query,
/// so per-request work (deserialization, callbacks) spreads over the pool.
/// </para>
/// </summary>
public sealed class SetBatcher<TRequest, TResult>
{
    private readonly Func<IReadOnlyList<TRequest>, CancellationToken, Task<IReadOnlyList<TResult>>> _runBatch;
    private readonly int _maxBatchSize;
    private readonly int _maxBatchesInFlight;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly Queue<PendingRequest> _waiting = new();
    private int _inFlight;
    private bool _stopped;
    private long _batches;
    private long _requests;
    private int _largestBatch;

    public SetBatcher(
        Func<IReadOnlyList<TRequest>, CancellationToken, Task<IReadOnlyList<TResult>>> readBatch,
        int maxBatchSize,
        int maxBatchesInFlight)
    {
        ArgumentNullException.ThrowIfNull(readBatch);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchesInFlight, 1);
        _runBatch = readBatch;
        _maxBatchSize = maxBatchSize;
        _maxBatchesInFlight = maxBatchesInFlight;
    }

    public SetBatcherStats Stats
    {
        get
        {
            lock (_gate) return new SetBatcherStats(_batches, _requests, _largestBatch);
        }
    }

    /// <summary>
    /// Queues one request. Cancelling <paramref name="cancellationToken"/> abandons this request only
    /// (a batch already running still completes for the others).
    /// </summary>
    public Task<TResult> RunAsync(TRequest request, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<TResult>(cancellationToken);
        var pending = new PendingRequest(request, cancellationToken);
        List<PendingRequest>? batch = null;
        lock (_gate)
        {
            if (_stopped) return Task.FromException<TResult>(StoppedException());
            _waiting.Enqueue(pending);
            if (_inFlight < _maxBatchesInFlight)
            {
                batch = TakeBatch();
                if (batch is not null) _inFlight++;
            }
        }
        // The statement runs off the caller's thread: callers are actors and must not do the I/O set-up.
        if (batch is not null) _ = Task.Run(() => RunAsync(batch));
        return pending.Task;
    }

    /// <summary>Fails every waiting request and cancels running statements; later requests fail at once.</summary>
    public void Stop()
    {
        List<PendingRequest> abandoned;
        lock (_gate)
        {
            if (_stopped) return;
            _stopped = true;
            abandoned = [.. _waiting];
            _waiting.Clear();
        }
        var stopped = StoppedException();
        foreach (var pending in abandoned) pending.Fail(stopped);
        _stopping.Cancel();
    }

    private async Task RunAsync(List<PendingRequest>? batch)
    {
        while (batch is not null)
        {
            try
            {
                var results = await _runBatch(batch.ConvertAll(p => p.Request), _stopping.Token).ConfigureAwait(false);
                if (results.Count != batch.Count)
                    throw new InvalidOperationException($"a batch of {batch.Count} requests returned {results.Count} results");
                for (var i = 0; i < batch.Count; i++) batch[i].Complete(results[i]);
            }
            catch (Exception e)
            {
                foreach (var pending in batch) pending.Fail(e);
            }

            lock (_gate)
            {
                batch = _stopped ? null : TakeBatch();
                if (batch is null) _inFlight--;
            }
        }
    }

    /// <summary>Under the lock: the next batch (requests already cancelled are dropped), or null when none wait.</summary>
    private List<PendingRequest>? TakeBatch()
    {
        List<PendingRequest>? batch = null;
        while (_waiting.Count > 0 && (batch?.Count ?? 0) < _maxBatchSize)
        {
            var pending = _waiting.Dequeue();
            if (pending.Task.IsCompleted) continue;
            (batch ??= new List<PendingRequest>(Math.Min(_waiting.Count + 1, _maxBatchSize))).Add(pending);
        }
        if (batch is null) return null;
        _batches++;
        _requests += batch.Count;
        _largestBatch = Math.Max(_largestBatch, batch.Count);
        return batch;
    }

    private static InvalidOperationException StoppedException() =>
        new("the batcher was stopped (its persistence plugin stopped) before the request ran");

    private sealed class PendingRequest
    {
        // Continuations run asynchronously so completing a batch of 1000 does not run 1000 replays inline.
        private readonly TaskCompletionSource<TResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenRegistration _registration;

        public PendingRequest(TRequest request, CancellationToken cancellationToken)
        {
            Request = request;
            if (cancellationToken.CanBeCanceled)
                _registration = cancellationToken.Register(static (state, token) => ((PendingRequest)state!)._completion.TrySetCanceled(token), this);
        }

        public TRequest Request { get; }
        public Task<TResult> Task => _completion.Task;

        public void Complete(TResult result)
        {
            _registration.Unregister();
            _completion.TrySetResult(result);
        }

        public void Fail(Exception error)
        {
            _registration.Unregister();
            _completion.TrySetException(error);
        }
    }
}
