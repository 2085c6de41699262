using Akka.Actor;
using TradingActors.Domain.RateBudgets;

namespace TradingActors.Engine.RateBudgets;

/// <summary>
/// The one keeper of the cluster's per-IP request budgets (a cluster singleton on the engine nodes): node gates ask
/// it for a batch of requests when they have waiters, and it answers the asks in the order they came, each with what
/// its <see cref="RequestBudgetLedger"/> allows, holding the rest until the ledger has room. In turn, so a node near
/// the keeper, which asks again within microseconds of each answer, cannot take every grant that frees up: each gate
/// has one ask at a time, so the gates take turns in batches of at most <see cref="RequestBudgetGate.MaxBatch"/>.
/// Decision 023.
/// </summary>
public sealed class RequestBudgetKeeper : ReceiveActor, IWithTimers
{
    private sealed record ServeInTurn(string Budget);

    private readonly Dictionary<string, RequestBudgetLedger> _ledgers;
    private readonly Dictionary<string, Queue<(IActorRef Gate, RequestPermits Ask, DateTimeOffset Came)>> _inTurn;
    private readonly TimeProvider _time;

    public ITimerScheduler Timers { get; set; } = null!;

    public RequestBudgetKeeper(IReadOnlyList<RequestBudgetOptions> budgets, TimeProvider time)
    {
        _time = time;
        var now = time.GetUtcNow();
        _ledgers = budgets.ToDictionary(b => b.Name, b => RequestBudgetLedger.Starting(b.EffectiveLimit, b.CountedFor, now), StringComparer.Ordinal);
        _inTurn = budgets.ToDictionary(b => b.Name, _ => new Queue<(IActorRef, RequestPermits, DateTimeOffset)>(), StringComparer.Ordinal);
        Receive<RequestPermits>(r =>
        {
            if (!_inTurn.TryGetValue(r.Budget, out var queue))
            {
                Sender.Tell(new PermitsGranted(r.Budget, 0, TimeSpan.FromSeconds(1), r.Ask));
                return;
            }
            queue.Enqueue((Sender, r, _time.GetUtcNow()));
            Serve(r.Budget);
        });
        Receive<ServeInTurn>(s => Serve(s.Budget));
    }

    public static Props Props(IReadOnlyList<RequestBudgetOptions> budgets, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new RequestBudgetKeeper(budgets, time));

    private void Serve(string budget)
    {
        var ledger = _ledgers[budget];
        var queue = _inTurn[budget];
        var now = _time.GetUtcNow();
        while (queue.Count > 0)
        {
            var (gate, ask, came) = queue.Peek();
            var granted = ledger.Grant(now, ask.Wanted);
            if (granted == 0 && ask.Wanted > 0) break;
            queue.Dequeue();
            gate.Tell(new PermitsGranted(budget, granted, TimeSpan.Zero, ask.Ask, now - came));
        }
        if (queue.Count > 0)
        {
            // Restarted each time (same key): the ledger says when it next has room.
            var wait = ledger.WaitFor(now);
            Timers.StartSingleTimer(budget, new ServeInTurn(budget), wait > TimeSpan.FromMilliseconds(1) ? wait : TimeSpan.FromMilliseconds(1));
        }
    }
}

/// <summary>A node gate asks for up to Wanted requests of a budget; Ask numbers the gate's asks, so it knows when each answered one was made.</summary>
public sealed record RequestPermits(string Budget, int Wanted, long Ask = 0) : ITradingMessage;

/// <summary>
/// Granted requests for the gate's ask number Ask (to be sent within the gate's lease), after the keeper held the ask
/// HeldFor (by its own clock: the grant is no earlier than the ask plus that); for an unknown budget none, and when to
/// ask again.
/// </summary>
public sealed record PermitsGranted(string Budget, int Granted, TimeSpan RetryAfter, long Ask = 0, TimeSpan HeldFor = default) : ITradingMessage;

/// <summary>
/// One shared request budget: the venue whose requests it counts, the venue's limit per window, and the share of it
/// the cluster uses (the rest absorbs requests granted late in a window and sent early in the next, and clock drift).
/// </summary>
public sealed record RequestBudgetOptions
{
    /// <summary>Its name in messages and metrics, e.g. "bybit-ip".</summary>
    public string Name { get; init; } = "";
    public string Venue { get; init; } = "";
    public int Limit { get; init; }
    public TimeSpan Window { get; init; }
    public int UsePercent { get; init; } = 90;

    /// <summary>
    /// How long after a node gate asked for a grant its request may still be sent; later, the grant is dropped and the
    /// request waits again. The venue counts a request when it arrives, so the keeper counts each grant for
    /// <see cref="Window"/> plus this (<see cref="CountedFor"/>): a grant sent late cannot reach the venue in a window
    /// the next grants fill.
    /// </summary>
    public TimeSpan SendWithin { get; init; } = TimeSpan.FromSeconds(1);

    public int EffectiveLimit => Math.Max(1, Limit * UsePercent / 100);

    /// <summary>The span the keeper counts a grant in: the venue's window plus the time the grant may take to be sent.</summary>
    public TimeSpan CountedFor => Window + SendWithin;

    /// <summary>Bybit: 600 requests per 5 s per IP, then a ban of at least ten minutes.</summary>
    public static RequestBudgetOptions BybitPerIp { get; } = new() { Name = "bybit-ip", Venue = "bybit", Limit = 600, Window = TimeSpan.FromSeconds(5) };

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Name)) yield return "a request budget needs a name";
        if (string.IsNullOrWhiteSpace(Venue)) yield return $"request budget '{Name}' needs a venue";
        if (Limit <= 0) yield return $"request budget '{Name}' needs a positive limit";
        if (Window <= TimeSpan.Zero) yield return $"request budget '{Name}' needs a positive window";
        if (UsePercent is <= 0 or > 100) yield return $"request budget '{Name}': UsePercent must be 1..100";
        if (SendWithin <= TimeSpan.Zero) yield return $"request budget '{Name}' needs a positive SendWithin";
    }
}
