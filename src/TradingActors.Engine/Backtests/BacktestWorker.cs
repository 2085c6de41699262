using System.Text;
using Akka.Actor;
using Akka.Event;
using TradingActors.Backtesting;

namespace TradingActors.Engine.Backtests;

/// <summary>
/// The node's backtest worker, one per engine node at /user/backtest-worker (decision 029). It pulls runs from the jobs'
/// coordinators, never more than its runners can run at once (the backtest dispatcher's threads), so a node with more
/// cores takes more work and a busy node takes none. Runs go to its runners, which run on the backtest dispatcher; the
/// worker itself stays on the default dispatcher so it answers (a cancel, a pull) while every runner is busy. Inline
/// bars are fetched from the coordinator once and cached on the node; a file dataset is read from the node's own data
/// directory. A run is pure: a coordinator that loses this node runs its points again elsewhere.
/// </summary>
public sealed class BacktestWorker : ReceiveActor
{
    public const string Name = "backtest-worker";

    private readonly BacktestDatasets _datasets;
    private readonly BacktestJobStore _store;
    private readonly int _capacity;
    private readonly string _node;
    private readonly int _maxRecordedBars;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    private readonly Stack<IActorRef> _idle = new();
    private readonly Dictionary<IActorRef, BacktestRun> _busy = [];
    private readonly List<Granted> _queue = [];
    // Jobs that announced runs, by id: pulled from while this node has free runners.
    private readonly Dictionary<string, IActorRef> _coordinators = new(StringComparer.Ordinal);
    // Pulls not yet answered, and how many runs each asked for (promised runners).
    private readonly Dictionary<string, int> _asked = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CancellationTokenSource> _cancels = new(StringComparer.Ordinal);
    // Inline bars being fetched, by hash: from which job's coordinator, and the parts so far.
    private readonly Dictionary<string, (string JobId, Dictionary<int, byte[]> Parts)> _fetching = new(StringComparer.Ordinal);

    public BacktestWorker(BacktestDatasets datasets, BacktestJobStore store, int capacity, string node, int maxRecordedBars)
    {
        _datasets = datasets;
        _store = store;
        _capacity = capacity;
        _node = node;
        _maxRecordedBars = maxRecordedBars;

        Receive<BacktestWorkAvailable>(m =>
        {
            Context.Watch(Sender);
            _coordinators[m.JobId] = Sender;
            Pull();
        });
        Receive<BacktestRunsGranted>(m =>
        {
            // A grant nobody is waiting for: the job was dropped (cancelled, ended) after the pull went out.
            if (!_asked.Remove(m.JobId, out var asked)) return;
            foreach (var run in m.Runs) _queue.Add(new Granted(run, Sender));
            // Fewer than asked: the job has nothing more waiting (until it announces again).
            if (m.Runs.Count < asked) _coordinators.Remove(m.JobId);
            Dispatch();
            Pull();
        });
        Receive<BacktestBarsChunk>(OnChunk);
        Receive<RunnerDone>(m =>
        {
            _busy.Remove(Sender, out var run);
            _idle.Push(Sender);
            // A cancelled run reports nothing: its job is over.
            if (run is not null && m.Result is not CancelBacktestRuns && !IsCancelled(run.JobId)) m.Coordinator.Tell(m.Result);
            Dispatch();
            Pull();
        });
        Receive<CancelBacktestRuns>(m =>
        {
            Forget(m.JobId);
            Pull();
        });
        Receive<Terminated>(m =>
        {
            // A coordinator that stopped (its job ended, its node left) hands out nothing more: drop its runs.
            foreach (var jobId in _queue.Where(g => g.Coordinator.Equals(m.ActorRef)).Select(g => g.Run.JobId)
                         .Concat(_coordinators.Where(c => c.Value.Equals(m.ActorRef)).Select(c => c.Key)).Distinct().ToList())
                Forget(jobId);
            Dispatch();
            Pull();
        });
    }

    /// <param name="node">how its runs name the node they ran on (the cluster address)</param>
    /// <param name="maxRecordedBars">a single (recorded) backtest over more bars fails (<see cref="BacktestOptions.MaxRecordedBars"/>)</param>
    public static Props Props(BacktestDatasets datasets, BacktestJobStore store, int capacity, string node, int maxRecordedBars = 250_000) =>
        Akka.Actor.Props.Create(() => new BacktestWorker(datasets, store, capacity, node, maxRecordedBars));

    protected override void PreStart()
    {
        for (var i = 0; i < _capacity; i++)
            _idle.Push(Context.ActorOf(BacktestRunner.Props(_datasets, _store, _node, _maxRecordedBars).WithDispatcher(BacktestDispatcher.Id), "runner-" + i));
    }

    protected override void PostStop()
    {
        // Runs in progress stop at their next check (every 65,536 bars), so the node's shutdown does not wait for them.
        foreach (var cancel in _cancels.Values) cancel.Cancel();
    }

    /// <summary>Free slots: runners neither busy nor promised to a queued run or to a pull not yet answered.</summary>
    private int Free => _idle.Count - _queue.Count - _asked.Values.Sum();

    private void Pull()
    {
        foreach (var (jobId, coordinator) in _coordinators.ToList())
        {
            var free = Free;
            if (free <= 0) return;
            if (_asked.ContainsKey(jobId)) continue;
            _asked[jobId] = free;
            coordinator.Tell(new RequestBacktestRuns(jobId, free));
        }
    }

    private void Dispatch()
    {
        for (var i = 0; i < _queue.Count && _idle.Count > 0;)
        {
            var (run, coordinator) = _queue[i];
            if (run.Dataset.IsInline && !_datasets.HasInline(run.Dataset.Hash))
            {
                // Bars this node has not seen: fetched once from the job's coordinator; the run waits for them.
                if (_fetching.TryAdd(run.Dataset.Hash, (run.JobId, []))) coordinator.Tell(new FetchBacktestBars(run.JobId, run.Dataset.Hash));
                i++;
                continue;
            }
            _queue.RemoveAt(i);
            if (!_cancels.TryGetValue(run.JobId, out var cancel)) _cancels[run.JobId] = cancel = new CancellationTokenSource();
            var runner = _idle.Pop();
            _busy[runner] = run;
            runner.Tell(new RunnerStart(run, cancel.Token, coordinator));
        }
    }

    private void OnChunk(BacktestBarsChunk chunk)
    {
        if (!_fetching.TryGetValue(chunk.Hash, out var fetch)) return;
        var parts = fetch.Parts;
        parts[chunk.Index] = chunk.Data;
        if (parts.Count < chunk.Count) return;
        _fetching.Remove(chunk.Hash);
        try
        {
            _datasets.AddInline(chunk.Hash, parts.OrderBy(p => p.Key).SelectMany(p => p.Value).ToArray());
        }
        catch (InvalidOperationException e)
        {
            _log.Warning("inline bars of job {0} refused: {1}", chunk.JobId, e.Message);
        }
        Dispatch();
    }

    private void Forget(string jobId)
    {
        if (_cancels.Remove(jobId, out var cancel))
        {
            cancel.Cancel();
            cancel.Dispose();
        }
        _coordinators.Remove(jobId);
        _asked.Remove(jobId);
        _queue.RemoveAll(g => g.Run.JobId == jobId);
        // A fetch asked of this job's coordinator will not be answered now: another job with the same bars asks again.
        foreach (var hash in _fetching.Where(f => f.Value.JobId == jobId).Select(f => f.Key).ToList()) _fetching.Remove(hash);
        Dispatch();
    }

    private bool IsCancelled(string jobId) => _cancels.TryGetValue(jobId, out var cancel) && cancel.IsCancellationRequested;

    private sealed record Granted(BacktestRun Run, IActorRef Coordinator);

    /// <summary>Local: worker → runner.</summary>
    internal sealed record RunnerStart(BacktestRun Run, CancellationToken Cancel, IActorRef Coordinator);

    /// <summary>Local: runner → worker, with what to tell the coordinator.</summary>
    internal sealed record RunnerDone(IBacktestMessage Result, IActorRef Coordinator);
}

/// <summary>
/// Runs one backtest at a time on the backtest dispatcher (its thread is blocked for the run: that is what the dispatcher's
/// own threads are for). A single job's run is recorded and its documents written to PostgreSQL from here, so only
/// figures travel back; a sweep's runs record nothing.
/// </summary>
public sealed class BacktestRunner : ReceiveActor
{
    public BacktestRunner(BacktestDatasets datasets, BacktestJobStore store, string node, int maxRecordedBars)
    {
        Receive<BacktestWorker.RunnerStart>(m =>
        {
            var run = m.Run;
            IBacktestMessage result;
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                var bars = datasets.Bars(run.Dataset);
                if (run.Record && bars.Length > maxRecordedBars)
                    throw new InvalidOperationException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"a backtest keeps every bar's equity and every trade: {bars.Length:N0} bars is more than the {maxRecordedBars:N0} it may keep; run it as a sweep (metrics only) or on fewer bars"));
                var request = new BacktestRequest
                {
                    Strategy = run.Strategy,
                    Parameters = run.Parameters,
                    Symbols = [new BacktestSymbol(run.Symbol, bars, run.Settings.Funding)],
                    Settings = run.Settings.ToSettings(run.Record),
                };
                var report = Backtester.Run(request, new BacktestRunOptions(), m.Cancel);
                if (run.Record) store.SaveOutputs(run.JobId, run.TenantId, Documents(report));
                result = new BacktestRunCompleted(run.JobId, run.Point, BacktestFigures.Of(report.Metrics), node, Context.Props.Dispatcher,
                    Thread.CurrentThread.Name ?? $"thread-{Environment.CurrentManagedThreadId}");
            }
            catch (OperationCanceledException)
            {
                result = new CancelBacktestRuns(run.JobId); // nothing to report: the job was cancelled
            }
            catch (Exception e) when (e is ArgumentException or FormatException or IOException or InvalidOperationException)
            {
                result = new BacktestRunFailed(run.JobId, run.Point, e.Message, node);
            }
            catch (Exception e)
            {
                result = new BacktestRunFailed(run.JobId, run.Point, $"{e.GetType().Name}: {e.Message}", node);
            }
            var outcome = result switch { BacktestRunCompleted => "completed", CancelBacktestRuns => "cancelled", _ => "failed" };
            Observability.EngineInstruments.BacktestRuns.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
            if (result is BacktestRunCompleted)
                Observability.EngineInstruments.BacktestRun.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
            Sender.Tell(new BacktestWorker.RunnerDone(result, m.Coordinator));
        });
    }

    public static Props Props(BacktestDatasets datasets, BacktestJobStore store, string node, int maxRecordedBars) =>
        Akka.Actor.Props.Create(() => new BacktestRunner(datasets, store, node, maxRecordedBars));

    /// <summary>A recorded run's documents: the report, the equity curve, the trades, the chart.</summary>
    public static IReadOnlyDictionary<string, string> Documents(BacktestReport report)
    {
        static string Write(Action<TextWriter> write)
        {
            var text = new StringWriter(new StringBuilder(), System.Globalization.CultureInfo.InvariantCulture);
            write(text);
            return text.ToString();
        }
        return new Dictionary<string, string>
        {
            [BacktestOutputs.Report] = Write(w => ReportWriter.WriteJson(report, w)),
            [BacktestOutputs.Equity] = Write(w => ReportWriter.WriteEquityCsv(report, w)),
            [BacktestOutputs.Trades] = Write(w => ReportWriter.WriteTradesCsv(report, w)),
            [BacktestOutputs.Chart] = Write(w => EquityChart.Write(report, w)),
        };
    }
}

/// <summary>The backtest dispatcher: dedicated threads, one per core by default, for the runners only (decision 029).</summary>
public static class BacktestDispatcher
{
    public const string Id = "trading.backtest-dispatcher";

    public static string Hocon(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        // throughput 1: a runner handles one run and gives its thread back.
        return $$"""
            {{Id}} {
              type = ForkJoinDispatcher
              throughput = 1
              dedicated-thread-pool { thread-count = {{threads}}, threadtype = background }
            }
            """;
    }
}
