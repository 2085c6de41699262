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
public sealed class ClusterRequestBudget(string name) : IRequestBudget
{
    private readonly ConcurrentQueue<TaskCompletionSource> _waiters = new();
    private IActorRef? _gate;

    public string Name => name;

    internal ConcurrentQueue<TaskCompletionSource> Waiters => _waiters;

    public void Attach(IActorRef gate)
    {
        _gate = gate;
        gate.Tell(RequestBudgetGate.Wake.Instance);
    }

    public async ValueTask AcquireAsync(CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var _ = ct.Register(() => waiter.TrySetCanceled(ct));
        _waiters.Enqueue(waiter);
        _gate?.Tell(RequestBudgetGate.Wake.Instance);
        await waiter.Task;
        EngineInstruments.RequestBudgetWait.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("budget", name));
    }
}

/// <summary>
/// The node-local pump of one budget: holds the requests granted to this node for a short lease and releases waiters
/// in the order they came; asks for more only while someone waits. Grants left unused when the lease ends are dropped
/// (the keeper counted them anyway: unused grants only make the cluster slower, never exceed the venue's limit).
/// </summary>
public sealed class RequestBudgetGate : ReceiveActor, IWithTimers
{
    public sealed class Wake
    {
        public static readonly Wake Instance = new();
        private Wake() { }
    }

    private sealed record AskAgain;
    private sealed record AskFailed;

    /// <summary>The most one node asks for at once: small against the budget, so nodes take turns.</summary>
    public const int MaxBatch = 20;

    public static readonly TimeSpan Lease = TimeSpan.FromMilliseconds(250);

    private readonly ClusterRequestBudget _budget;
    private readonly IActorRef _keeper;
    private readonly TimeProvider _time;
    private int _granted;
    private DateTimeOffset _grantedUntil;
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
            _asking = false;
            _granted = g.Granted;
            _grantedUntil = _time.GetUtcNow() + Lease;
            Release();
            if (g.Granted == 0 && !_budget.Waiters.IsEmpty)
                Timers.StartSingleTimer("ask", new AskAgain(), g.RetryAfter > TimeSpan.Zero ? g.RetryAfter : TimeSpan.FromMilliseconds(10));
            else
                Pump();
        });
        Receive<AskFailed>(_ =>
        {
            // The keeper is moving or unreachable: waiters keep their place; ask again shortly.
            _asking = false;
            Timers.StartSingleTimer("ask", new AskAgain(), TimeSpan.FromMilliseconds(500));
        });
    }

    public static Props Props(ClusterRequestBudget budget, IActorRef keeper, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new RequestBudgetGate(budget, keeper, time));

    private void Pump()
    {
        Release();
        if (_asking || _budget.Waiters.IsEmpty || Timers.IsTimerActive("ask")) return;
        _asking = true;
        var wanted = Math.Min(MaxBatch, _budget.Waiters.Count);
        _keeper.Ask<PermitsGranted>(new RequestPermits(_budget.Name, wanted), TimeSpan.FromSeconds(3))
            .PipeTo(Self, failure: _ => new AskFailed());
    }

    private void Release()
    {
        if (_time.GetUtcNow() > _grantedUntil) _granted = 0;
        // A waiter cancelled meanwhile does not use a grant.
        while (_granted > 0 && _budget.Waiters.TryDequeue(out var waiter))
            if (waiter.TrySetResult()) _granted--;
    }
}
