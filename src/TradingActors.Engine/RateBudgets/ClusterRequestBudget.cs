using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using TradingActors.Brokers.Http;
using TradingActors.Engine.Observability;

namespace TradingActors.Engine.RateBudgets;

/// <summary>
/// A node's side of a cluster-wide request budget (decision 023): callers wait in one first-come queue; the node's
/// <see cref="RequestBudgetGate"/> asks the cluster's <see cref="RequestBudgetKeeper"/> for a batch when anyone waits
/// and lets waiters go in order as grants arrive. Usable before the actor system is up: waiters queue until
/// <see cref="Attach"/>.
/// </summary>
public sealed class ClusterRequestBudget(RequestBudgetOptions options) : IRequestBudget
{
    private readonly ConcurrentQueue<TaskCompletionSource<RequestGrant>> _waiters = new();
    private IActorRef? _gate;

    public string Name => options.Name;

    /// <summary>How long after the gate asked for it a grant may still be sent (<see cref="RequestBudgetOptions.SendWithin"/>).</summary>
    public TimeSpan SendWithin => options.SendWithin;

    /// <summary>How long the keeper counts a grant (<see cref="RequestBudgetOptions.CountedFor"/>).</summary>
    public TimeSpan CountedFor => options.CountedFor;

    internal ConcurrentQueue<TaskCompletionSource<RequestGrant>> Waiters => _waiters;

    public void Attach(IActorRef gate)
    {
        _gate = gate;
        gate.Tell(RequestBudgetGate.Wake.Instance);
    }

    public async ValueTask<RequestGrant> AcquireAsync(CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var waiter = new TaskCompletionSource<RequestGrant>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var _ = ct.Register(() => waiter.TrySetCanceled(ct));
        _waiters.Enqueue(waiter);
        _gate?.Tell(RequestBudgetGate.Wake.Instance);
        var grant = await waiter.Task;
        EngineInstruments.RequestBudgetWait.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("budget", options.Name));
        return grant;
    }
}

/// <summary>
/// The node-local pump of one budget: holds the requests granted to this node for a short lease and releases waiters
/// in the order they came; asks for more only while someone waits, one ask at a time, which the keeper answers in its
/// turn. Grants left unused when the lease ends are dropped (the keeper counted them anyway: unused grants only make
/// the cluster slower, never exceed the venue's limit). Each grant must be sent within
/// <see cref="ClusterRequestBudget.SendWithin"/> of the ask that obtained it plus the time the keeper held that ask —
/// the keeper granted it no earlier, and counts it for a window plus SendWithin.
/// </summary>
public sealed class RequestBudgetGate : ReceiveActor, IWithTimers
{
    public sealed class Wake
    {
        public static readonly Wake Instance = new();
        private Wake() { }
    }

    private sealed record AskAgain;
    private sealed record Unanswered(long Ask);

    /// <summary>The most one node asks for at once: small against the budget, so nodes take turns.</summary>
    public const int MaxBatch = 20;

    public static readonly TimeSpan Lease = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// An ask still unanswered after this (beyond the keeper's counting span, which is the longest it holds an ask while
    /// others take their turns) was lost — the keeper moved or its node left — and is made again.
    /// </summary>
    public static readonly TimeSpan AnswerGuard = TimeSpan.FromSeconds(3);

    private readonly ClusterRequestBudget _budget;
    private readonly IActorRef _keeper;
    private readonly TimeProvider _time;
    /// <summary>When each unanswered ask was made: its grants are to be sent within SendWithin of that plus the keeper's hold.</summary>
    private readonly Dictionary<long, DateTimeOffset> _asks = [];
    private long _lastAsk;
    private int _granted;
    private DateTimeOffset _grantedUntil;
    private RequestGrant? _grant;
    private bool _asking;

    public ITimerScheduler Timers { get; set; } = null!;

    public RequestBudgetGate(ClusterRequestBudget budget, IActorRef keeper, TimeProvider time)
    {
        _budget = budget;
        _keeper = keeper;
        _time = time;
        Receive<Wake>(_ => Pump());
        Receive<AskAgain>(_ => Pump());
        Receive<PermitsGranted>(g =>
        {
            if (!_asks.Remove(g.Ask, out var askedAt)) return; // an ask given up long ago: its grants cannot be bounded
            if (g.Ask == _lastAsk)
            {
                _asking = false;
                Timers.Cancel("unanswered");
            }
            if (g.Granted > 0)
            {
                _granted = g.Granted;
                // Granted no earlier than the ask plus the time the keeper held it: sent within SendWithin of that.
                var sendBy = askedAt + g.HeldFor + _budget.SendWithin;
                _grant = new RequestGrant(sendBy, _time);
                var leaseEnds = _time.GetUtcNow() + Lease;
                _grantedUntil = leaseEnds < sendBy ? leaseEnds : sendBy;
            }
            Release();
            if (g.Granted == 0 && !_budget.Waiters.IsEmpty)
                Timers.StartSingleTimer("ask", new AskAgain(), g.RetryAfter > TimeSpan.Zero ? g.RetryAfter : TimeSpan.FromMilliseconds(10));
            else
                Pump();
        });
        Receive<Unanswered>(u =>
        {
            // The keeper is moving or unreachable: waiters keep their place; ask again (a late answer to this ask still counts).
            if (u.Ask != _lastAsk) return;
            _asking = false;
            foreach (var old in _asks.Where(a => _time.GetUtcNow() - a.Value > TimeSpan.FromMinutes(1)).Select(a => a.Key).ToList()) _asks.Remove(old);
            Pump();
        });
    }

    public static Props Props(ClusterRequestBudget budget, IActorRef keeper, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new RequestBudgetGate(budget, keeper, time));

    private void Pump()
    {
        Release();
        if (_asking || _budget.Waiters.IsEmpty || Timers.IsTimerActive("ask")) return;
        _asking = true;
        _asks[++_lastAsk] = _time.GetUtcNow();
        _keeper.Tell(new RequestPermits(_budget.Name, Math.Min(MaxBatch, _budget.Waiters.Count), _lastAsk), Self);
        Timers.StartSingleTimer("unanswered", new Unanswered(_lastAsk), _budget.CountedFor + AnswerGuard);
    }

    private void Release()
    {
        if (_time.GetUtcNow() > _grantedUntil) _granted = 0;
        // A waiter cancelled meanwhile does not use a grant.
        while (_granted > 0 && _budget.Waiters.TryDequeue(out var waiter))
            if (waiter.TrySetResult(_grant!)) _granted--;
    }
}
