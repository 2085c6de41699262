using Akka.Actor;
using TradingActors.Domain.RateBudgets;

namespace TradingActors.Engine.RateBudgets;

/// <summary>
/// The one keeper of the cluster's per-IP request budgets (a cluster singleton on the engine nodes): node gates ask
/// it for a batch of requests when they have waiters, it grants what its <see cref="RequestBudgetLedger"/> allows and
/// says how long to wait when the window is full. Decision 023.
/// </summary>
public sealed class RequestBudgetKeeper : ReceiveActor
{
    private readonly Dictionary<string, RequestBudgetLedger> _ledgers;

    public RequestBudgetKeeper(IReadOnlyList<RequestBudgetOptions> budgets, TimeProvider time)
    {
        var now = time.GetUtcNow();
        _ledgers = budgets.ToDictionary(b => b.Name, b => RequestBudgetLedger.Starting(b.EffectiveLimit, b.Window, now), StringComparer.Ordinal);
        Receive<RequestPermits>(r =>
        {
            var at = time.GetUtcNow();
            if (!_ledgers.TryGetValue(r.Budget, out var ledger))
            {
                Sender.Tell(new PermitsGranted(r.Budget, 0, TimeSpan.FromSeconds(1)));
                return;
            }
            var granted = ledger.Grant(at, r.Wanted);
            Sender.Tell(new PermitsGranted(r.Budget, granted, granted > 0 ? TimeSpan.Zero : ledger.WaitFor(at)));
        });
    }

    public static Props Props(IReadOnlyList<RequestBudgetOptions> budgets, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new RequestBudgetKeeper(budgets, time));
}

/// <summary>A node gate asks for up to Wanted requests of a budget.</summary>
public sealed record RequestPermits(string Budget, int Wanted) : ITradingMessage;

/// <summary>Granted requests (to be sent within the gate's lease); when none, how long until the window has room.</summary>
public sealed record PermitsGranted(string Budget, int Granted, TimeSpan RetryAfter) : ITradingMessage;

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

    public int EffectiveLimit => Math.Max(1, Limit * UsePercent / 100);

    /// <summary>Bybit: 600 requests per 5 s per IP, then a ban of at least ten minutes.</summary>
    public static RequestBudgetOptions BybitPerIp { get; } = new() { Name = "bybit-ip", Venue = "bybit", Limit = 600, Window = TimeSpan.FromSeconds(5) };

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Name)) yield return "a request budget needs a name";
        if (string.IsNullOrWhiteSpace(Venue)) yield return $"request budget '{Name}' needs a venue";
        if (Limit <= 0) yield return $"request budget '{Name}' needs a positive limit";
        if (Window <= TimeSpan.Zero) yield return $"request budget '{Name}' needs a positive window";
        if (UsePercent is <= 0 or > 100) yield return $"request budget '{Name}': UsePercent must be 1..100";
    }
}
