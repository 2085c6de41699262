using Akka.Actor;
using TradingActors.Domain.RateBudgets;

namespace TradingActors.Engine.RateBudgets;

/// <summary>
/// The one keeper of the cluster's per-IP request budgets (a cluster singleton on the engine nodes): node gates ask
/// it for a batch of requests when they have waiters, and it answers the asks in the order they came, each with what
/// its <see cref="RequestBudgetLedger"/> allows, holding the rest until the ledger has room. While several gates are
/// active, each gets at most an equal share of the budget per counting span: the keeper's own node asks again within
/// microseconds of each answer, another node across the network, and without shares the near node took nearly every
/// grant that freed up. (Equal, not in proportion to the waiters a gate reported: that count is stale by the time
/// the far gate asks again, and a stale small count starved it the same way.) Decision 023.
/// </summary>
public sealed class RequestBudgetKeeper : ReceiveActor, IWithTimers
{
    private sealed record ServeInTurn(string Budget);

    /// <summary>A gate answered this recently is still taking part (its next ask is on its way) and keeps its share.</summary>
    public static readonly TimeSpan ActiveFor = TimeSpan.FromMilliseconds(500);

    /// <summary>How often asks held back for their share are looked at again.</summary>
    private static readonly TimeSpan ShareCheck = TimeSpan.FromMilliseconds(20);

    private sealed class Gate
    {
        public readonly Queue<(DateTimeOffset At, int Count)> Grants = new();
        public int InSpan;
        public DateTimeOffset LastSeen;
    }

    private sealed class Budget(RequestBudgetOptions options, RequestBudgetLedger ledger)
    {
        public readonly RequestBudgetOptions Options = options;
        public readonly RequestBudgetLedger Ledger = ledger;
        public readonly List<(IActorRef Gate, RequestPermits Ask, DateTimeOffset Came)> Asks = [];
        public readonly Dictionary<IActorRef, Gate> Gates = [];
    }

    private readonly Dictionary<string, Budget> _budgets;
    private readonly TimeProvider _time;

    public ITimerScheduler Timers { get; set; } = null!;

    public RequestBudgetKeeper(IReadOnlyList<RequestBudgetOptions> budgets, TimeProvider time)
    {
        _time = time;
        var now = time.GetUtcNow();
        _budgets = budgets.ToDictionary(b => b.Name, b => new Budget(b, RequestBudgetLedger.Starting(b.EffectiveLimit, b.CountedFor, now)), StringComparer.Ordinal);
        Receive<RequestPermits>(r =>
        {
            if (!_budgets.TryGetValue(r.Budget, out var budget))
            {
                Sender.Tell(new PermitsGranted(r.Budget, 0, TimeSpan.FromSeconds(1), r.Ask));
                return;
            }
            var at = _time.GetUtcNow();
            var gate = budget.Gates.TryGetValue(Sender, out var g) ? g : budget.Gates[Sender] = new Gate();
            gate.LastSeen = at;
            budget.Asks.Add((Sender, r, at));
            Serve(budget);
        });
        Receive<ServeInTurn>(s => Serve(_budgets[s.Budget]));
    }

    public static Props Props(IReadOnlyList<RequestBudgetOptions> budgets, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new RequestBudgetKeeper(budgets, time));

    private void Serve(Budget budget)
    {
        var now = _time.GetUtcNow();
        var limit = budget.Ledger.Limit;
        foreach (var (gateRef, gate) in budget.Gates.ToList())
        {
            while (gate.Grants.Count > 0 && gate.Grants.Peek().At + budget.Options.CountedFor <= now) gate.InSpan -= gate.Grants.Dequeue().Count;
            var waiting = budget.Asks.Any(a => a.Gate.Equals(gateRef));
            if (!waiting && gate.InSpan == 0 && now - gate.LastSeen > budget.Options.CountedFor) budget.Gates.Remove(gateRef);
        }
        var active = budget.Gates.Where(g => budget.Asks.Any(a => a.Gate.Equals(g.Key)) || now - g.Value.LastSeen <= ActiveFor).ToList();
        // Rounded up: the shares never add up to less than the budget, so the gates together can always use all of it.
        var share = active.Count <= 1 ? limit : (limit + active.Count - 1) / active.Count;
        var heldForShare = false;
        for (var i = 0; i < budget.Asks.Count;)
        {
            var available = budget.Ledger.Available(now);
            if (available == 0) break;
            var (gateRef, ask, came) = budget.Asks[i];
            var gate = budget.Gates[gateRef];
            var allowed = Math.Min(ask.Wanted, share - gate.InSpan);
            if (allowed <= 0 && ask.Wanted > 0)
            {
                heldForShare = true;
                i++;
                continue;
            }
            var granted = budget.Ledger.Grant(now, allowed);
            budget.Asks.RemoveAt(i);
            if (granted > 0)
            {
                gate.Grants.Enqueue((now, granted));
                gate.InSpan += granted;
            }
            gate.LastSeen = now;
            gateRef.Tell(new PermitsGranted(ask.Budget, granted, TimeSpan.Zero, ask.Ask, now - came));
        }
        if (budget.Asks.Count > 0)
        {
            // Restarted each time (same key): when the ledger has room again, or soon when asks wait only for their share.
            var wait = budget.Ledger.WaitFor(now);
            if (heldForShare && (wait == TimeSpan.Zero || wait > ShareCheck)) wait = ShareCheck;
            Timers.StartSingleTimer(budget.Options.Name, new ServeInTurn(budget.Options.Name), wait > TimeSpan.FromMilliseconds(1) ? wait : TimeSpan.FromMilliseconds(1));
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
