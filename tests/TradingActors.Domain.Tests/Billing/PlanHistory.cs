using TradingActors.Domain.Billing;
using TradingActors.Domain.Bots;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using static TradingActors.Domain.Tests.Tenants.TenantHistory;

namespace TradingActors.Domain.Tests.Billing;

/// <summary>
/// Tenant states with a plan, built by applying events as the engine does, on top of <see cref="TenantHistory"/> (tenant
/// "t1", paper account "pa", external account "ext" — live, it never said otherwise) and a testnet account "tn".
/// </summary>
internal static class PlanHistory
{
    public const string TestnetAccountId = "tn";

    public static TenantState WithTestnet(this TenantState s) => s.Then(new BrokerAccountLinked(TestnetAccountId, "sim", "TN-1", T0, Mode: AccountMode.Testnet));

    public static TenantState On(this TenantState s, Plan plan, DateTimeOffset? periodEnd = null, DateTimeOffset? at = null) =>
        s.Then(new TenantPlanChanged(plan, periodEnd, at ?? T0));

    public static TenantState InZone(this TenantState s, string zone) => s.Then(new TenantTimeZoneSet(zone, T0));

    /// <summary>Automated orders counted on the local day of <paramref name="at"/> (set directly: what the count is, not how it came to be).</summary>
    public static TenantState Traded(this TenantState s, int trades, DateTimeOffset? at = null) =>
        s with { Quota = new QuotaCounters(TradingDay.Of(at ?? T0, s.TimeZoneId), trades) };

    /// <summary>A paper order of the strategy's default subscription, filled at once (one event): placed and counted at <paramref name="at"/>.</summary>
    public static OrderFilled PaperFill(long sequence, DateTimeOffset at, OrderSide side = OrderSide.Buy)
    {
        var intent = Intent(sequence, side, 0.0001m);
        return new OrderFilled(intent, FillOf(intent, fee: 0m), at);
    }

    /// <summary>One paper order filled at each time (numbered after the orders filled so far).</summary>
    public static TenantState PlacedAt(this TenantState s, params DateTimeOffset[] times) =>
        times.Aggregate(s, (state, at) => state.Apply(PaperFill(state.OrdersFilled + 1, at)));

    public static BotConfig Bot(string id, string account = PaperAccountId, string symbol = Symbol) =>
        new(id, "rsi", symbol, account, Bots.BotHistory.RsiParameters, 1_000m, 60, new BotRisk());

    /// <summary>A bot created at <paramref name="at"/> and, with <paramref name="status"/> running or paused, started (and paused).</summary>
    public static TenantState WithBot(this TenantState s, string id, BotStatus status = BotStatus.Running, string account = PaperAccountId, string symbol = Symbol,
        DateTimeOffset? at = null)
    {
        var next = s.Then(new BotCreated(Bot(id, account, symbol), at ?? T0));
        if (status != BotStatus.Stopped) next = next.Then(new BotStarted(id, at ?? T0));
        return status == BotStatus.Paused ? next.Then(new BotPaused(id, at ?? T0)) : next;
    }

    /// <summary>A subscription "id" (to strategy "s-id", on the paper account) holding 0.01 BTC its buy (sequence <paramref name="sequence"/>) filled.</summary>
    public static TenantState WithHolding(this TenantState s, string id, long sequence = 1)
    {
        var buy = Intent(sequence, source: Sources.Subscription(id));
        return s.WithSubscription(id, strategy: "s-" + id).Then(new OrderFilled(buy, FillOf(buy), T0));
    }

    /// <summary>A subscription with its own id to <paramref name="strategy"/>, active since <paramref name="at"/> (or paused).</summary>
    public static TenantState WithSubscription(this TenantState s, string id, string account = PaperAccountId, bool paused = false, DateTimeOffset? at = null,
        string strategy = Strategy)
    {
        var next = s.Then(new Subscribed(strategy, account, Symbol, 1_000m, at ?? T0, SubscriptionId: id));
        return paused ? next.Then(new SubscriptionPaused(strategy, at ?? T0, id)) : next;
    }
}
