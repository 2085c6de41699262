using System.Globalization;
using Akka.Actor;
using Akka.Event;
using TradingActors.Backtesting;
using TradingActors.Domain.Strategies;

namespace TradingActors.Engine.Backtests;

/// <summary>
/// Runs one backtest job (decision 029), on the node that took it: expands the grid (a single backtest is a grid of one
/// recorded point), announces the job to every engine node's worker, hands runs to the workers that pull them, collects
/// their figures, runs again the points of a worker that is gone (a run is pure, so a point run twice is counted once),
/// reports progress in the job's row every second (the row is also its heartbeat, and how it learns of a cancel made
/// through another node), and at the end ranks a sweep's results and completes the job with its documents in one
/// transaction. It computes nothing itself.
/// </summary>
public sealed class SweepCoordinator : ReceiveActor, IWithTimers
{
    public const int ChunkBytes = 64 * 1024;

    private readonly BacktestJobSpec _spec;
    private readonly byte[]? _inlineBars;
    private readonly IBacktestJobState _store;
    private readonly IActorRef _workers;
    private readonly TimeSpan _tick;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    private readonly Dictionary<int, StrategyParameters> _points = [];
    private IReadOnlyList<SkippedPoint> _skipped = [];
    private readonly LinkedList<int> _pending = new();
    private readonly Dictionary<int, IActorRef> _assigned = [];
    private readonly SortedDictionary<int, BacktestFigures> _done = [];
    private readonly SortedDictionary<string, int> _runsByNode = new(StringComparer.Ordinal);
    private int _reported = -1;
    private bool _saving;
    private bool _failing;

    public SweepCoordinator(BacktestJobSpec spec, byte[]? inlineBars, IBacktestJobState store, IActorRef workers, TimeSpan tick)
    {
        _spec = spec;
        _inlineBars = inlineBars;
        _store = store;
        _workers = workers;
        _tick = tick;

        Receive<Started>(m =>
        {
            if (!m.Running)
            {
                Context.Stop(Self); // cancelled before it started
                return;
            }
            Become(Running);
            Announce();
            Timers.StartPeriodicTimer("tick", Tick.Instance, _tick);
        });
        Receive<Status.Failure>(m => Fail("the job could not be started: " + m.Cause.Message));
        Receive<CancelBacktestJob>(_ => Stop());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(BacktestJobSpec spec, byte[]? inlineBars, IBacktestJobState store, IActorRef workers, TimeSpan? tick = null) =>
        Akka.Actor.Props.Create(() => new SweepCoordinator(spec, inlineBars, store, workers, tick ?? TimeSpan.FromSeconds(1)));

    protected override void PreStart()
    {
        try
        {
            Expand();
        }
        catch (ArgumentException e)
        {
            Fail(e.Message);
            return;
        }
        _store.StartAsync(_spec.JobId, _points.Count).PipeTo(Self, success: running => new Started(running));
    }

    private void Running()
    {
        Receive<RequestBacktestRuns>(m =>
        {
            Context.Watch(Sender);
            var runs = new List<BacktestRun>();
            while (runs.Count < m.Count && _pending.First is { } first)
            {
                _pending.RemoveFirst();
                _assigned[first.Value] = Sender;
                runs.Add(RunOf(first.Value));
            }
            Sender.Tell(new BacktestRunsGranted(_spec.JobId, runs));
        });
        Receive<FetchBacktestBars>(m =>
        {
            if (_inlineBars is null || m.Hash != _spec.Dataset.Hash) return;
            var count = Math.Max(1, (_inlineBars.Length + ChunkBytes - 1) / ChunkBytes);
            for (var i = 0; i < count; i++)
            {
                var offset = i * ChunkBytes;
                Sender.Tell(new BacktestBarsChunk(_spec.JobId, m.Hash, i, count, _inlineBars.AsSpan(offset, Math.Min(ChunkBytes, _inlineBars.Length - offset)).ToArray()));
            }
        });
        Receive<BacktestRunCompleted>(m =>
        {
            if (!_points.ContainsKey(m.Point) || _done.ContainsKey(m.Point)) return; // a point run twice counts once
            _done[m.Point] = m.Figures;
            _runsByNode[m.Node] = _runsByNode.GetValueOrDefault(m.Node) + 1;
            _assigned.Remove(m.Point);
            _pending.Remove(m.Point);
            Context.System.EventStream.Publish(m);
            if (_done.Count == _points.Count) Finish();
        });
        Receive<BacktestRunFailed>(m =>
        {
            var where = _spec.IsSweep && _points.TryGetValue(m.Point, out var p) ? $"point {m.Point} {p.ToJson()}: " : "";
            Fail(where + m.Reason);
        });
        Receive<Terminated>(m =>
        {
            // The worker (or its node) is gone: its points go back to the front of the queue and are announced again.
            var lost = _assigned.Where(a => a.Value.Equals(m.ActorRef)).Select(a => a.Key).OrderDescending().ToList();
            foreach (var point in lost)
            {
                _assigned.Remove(point);
                _pending.AddFirst(point);
            }
            if (lost.Count > 0)
            {
                _log.Info("backtest job {0}: the worker {1} is gone; its {2} points run again elsewhere", _spec.JobId, m.ActorRef.Path, lost.Count);
                Announce();
            }
        });
        Receive<Tick>(_ =>
        {
            if (_pending.Count > 0) Announce();
            if (_saving) return;
            _saving = true;
            var done = _done.Count;
            _store.ProgressAsync(_spec.JobId, done).PipeTo(Self, success: running => new Saved(running, done), failure: e => new Saved(true, _reported));
        });
        Receive<Saved>(m =>
        {
            _saving = false;
            _reported = m.Done;
            // No longer running: cancelled by its user (through any node) or failed by another node; nothing more to do.
            if (!m.Running) Stop();
        });
        Receive<CancelBacktestJob>(_ => Stop());
        Receive<Status.Failure>(m => _log.Warning("backtest job {0}: {1}", _spec.JobId, m.Cause.Message));
    }

    private void Finishing()
    {
        Receive<Completed>(m =>
        {
            if (!m.Stored) _log.Info("backtest job {0} ended before its results were stored (cancelled)", _spec.JobId);
            Stop();
        });
        Receive<Status.Failure>(m => Fail("the results could not be stored: " + m.Cause.Message));
        Receive<CancelBacktestJob>(_ => { });
        ReceiveAny(_ => { });
    }

    private void Expand()
    {
        var kind = StrategyKinds.Get(_spec.Strategy);
        var parameters = StrategyParameters.FromJson(kind, _spec.Parameters, out var errors);
        if (errors.Count > 0) throw new ArgumentException(string.Join("; ", errors.Select(e => $"parameter {e.Parameter}: {e.Message}")));
        if (_spec.IsSweep)
        {
            var grid = ParameterGrid.Build(kind, parameters, _spec.Sweep!.Select(a => new ParameterAxis(a.Name, a.Values)).ToList());
            foreach (var point in grid.Points) _points[point.Index] = point.Parameters;
            _skipped = grid.Skipped;
        }
        else _points[0] = parameters;
        foreach (var index in _points.Keys.Order()) _pending.AddLast(index);
    }

    private BacktestRun RunOf(int point) => new(_spec.JobId, _spec.TenantId, point, _spec.Strategy, _points[point].ToJson(), _spec.Dataset, _spec.Symbol,
        _spec.Settings, Record: !_spec.IsSweep);

    private void Announce() => _workers.Tell(new BacktestWorkAvailable(_spec.JobId), Self);

    private void Finish()
    {
        Become(Finishing);
        var outputs = new Dictionary<string, string>();
        if (_spec.IsSweep)
        {
            SweepRanking.TryParse(_spec.RankBy, out var metric);
            var ranked = SweepRanking.Rank(_done.Select(d => new SweepResult(d.Key, _points[d.Key], d.Value.ToMetrics())), metric);
            var json = new StringWriter(CultureInfo.InvariantCulture);
            SweepRanking.WriteJson(ranked, metric, json, _skipped);
            var csv = new StringWriter(CultureInfo.InvariantCulture);
            SweepRanking.WriteCsv(ranked, csv);
            outputs[BacktestOutputs.Results] = json.ToString();
            outputs[BacktestOutputs.ResultsCsv] = csv.ToString();
        }
        _store.CompleteAsync(_spec.JobId, _spec.TenantId, _done.Count, _runsByNode, outputs).PipeTo(Self, success: stored => new Completed(stored));
    }

    private void Fail(string reason)
    {
        if (_failing)
        {
            // The failure could not be written either (the database is away): stop; another node's desk fails the job once its row is stale.
            _log.Warning("backtest job {0}: could not record its failure ({1}); it is failed when its row goes stale", _spec.JobId, reason);
            Stop();
            return;
        }
        _failing = true;
        _log.Info("backtest job {0} failed: {1}", _spec.JobId, reason);
        Become(Finishing);
        _store.FailAsync(_spec.JobId, reason).PipeTo(Self, success: _ => new Completed(false));
    }

    private void Stop()
    {
        // Every worker drops what it holds of the job (runs in progress stop at their next check).
        _workers.Tell(new CancelBacktestRuns(_spec.JobId), Self);
        Context.Stop(Self);
    }

    private sealed record Started(bool Running);

    private sealed record Saved(bool Running, int Done);

    private sealed record Completed(bool Stored);

    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }
}
