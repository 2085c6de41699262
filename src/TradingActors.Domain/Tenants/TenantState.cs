using System.Collections.Immutable;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Paper;

namespace TradingActors.Domain.Tenants;

public enum SubscriptionStatus
{
    Active = 1,
    Paused = 2,
}

/// <summary>A strategy the tenant follows on one of its accounts; Held is what this subscription bought and still holds.</summary>
/// <remarks>ActiveSince is when it was created or last resumed: older signals (caught up after a restart) never trade.</remarks>
public sealed record Subscription(string StrategyId, string AccountId, string Symbol, decimal Budget, SubscriptionStatus Status, decimal Held, DateTimeOffset ActiveSince);

/// <summary>A linked broker account. Paper is set for the embedded paper venue (its balances are ours).</summary>
public sealed record LinkedAccount(string AccountId, string Venue, string VenueAccountNumber, PaperAccount? Paper)
{
    public bool IsEmbeddedPaper => Paper is not null;
}

public enum OrderStatus
{
    Submitted = 1,
    Filled = 2,
    Rejected = 3,
    Failed = 4,
    Unknown = 5,
}

public sealed record OrderRecord(OrderIntent Intent, OrderStatus Status, Fill? Fill, string? Reason, DateTimeOffset At);

/// <summary>
/// Everything a tenant owns, rebuilt from its events. Orders still awaiting a venue answer
/// (submitted or unknown) are kept in Open; settled ones in a bounded Recent list (the full
/// history belongs to the read models).
/// </summary>
public sealed record TenantState(
    string TenantId,
    bool Exists,
    string DisplayName,
    ImmutableDictionary<string, LinkedAccount> Accounts,
    ImmutableDictionary<string, Subscription> Subscriptions,
    ImmutableDictionary<string, long> LastSignal,
    ImmutableDictionary<string, OrderRecord> Open,
    ImmutableList<OrderRecord> Recent,
    long OrdersFilled,
    long OrdersRejected,
    long OrdersFailed)
{
    public const int RecentOrdersKept = 20;

    public static TenantState Empty(string tenantId) => new(
        tenantId, false, "",
        ImmutableDictionary<string, LinkedAccount>.Empty,
        ImmutableDictionary<string, Subscription>.Empty,
        ImmutableDictionary<string, long>.Empty,
        ImmutableDictionary<string, OrderRecord>.Empty,
        ImmutableList<OrderRecord>.Empty,
        0, 0, 0);

    /// <summary>Tenants with an active subscription must stay resident to act on signals.</summary>
    public bool HasActiveSubscriptions => Subscriptions.Values.Any(s => s.Status == SubscriptionStatus.Active);

    public long LastProcessed(string strategyId) => LastSignal.GetValueOrDefault(strategyId);

    public TenantState Apply(ITenantEvent e) => e switch
    {
        TenantCreated c => this with { Exists = true, DisplayName = c.DisplayName },
        PaperAccountLinked p => this with { Accounts = Accounts.SetItem(p.AccountId, new LinkedAccount(p.AccountId, Venues.Paper, p.AccountId, PaperAccount.Open(p.StartingCash))) },
        BrokerAccountLinked b => this with { Accounts = Accounts.SetItem(b.AccountId, new LinkedAccount(b.AccountId, b.Venue, b.VenueAccountNumber, null)) },
        Subscribed s => this with { Subscriptions = Subscriptions.SetItem(s.StrategyId, new Subscription(s.StrategyId, s.AccountId, s.Symbol, s.Budget, SubscriptionStatus.Active, 0m, s.At)) },
        Unsubscribed u => this with { Subscriptions = Subscriptions.Remove(u.StrategyId) },
        SubscriptionPaused p => WithSubscription(p.StrategyId, s => s with { Status = SubscriptionStatus.Paused }),
        SubscriptionResumed r => WithSubscription(r.StrategyId, s => s with { Status = SubscriptionStatus.Active, ActiveSince = r.At }),
        OrderSubmitted o => Advance(o.Intent) with { Open = Open.SetItem(o.Intent.ClientOrderId, new OrderRecord(o.Intent, OrderStatus.Submitted, null, null, o.At)) },
        OrderMarkedUnknown u => Advance(u.Intent) with { Open = Open.SetItem(u.Intent.ClientOrderId, new OrderRecord(u.Intent, OrderStatus.Unknown, null, u.Reason, u.At)) },
        OrderFilled f => ApplyFill(f),
        OrderRejected r => Settle(r.Intent, new OrderRecord(r.Intent, OrderStatus.Rejected, null, r.Reason, r.At)) with { OrdersRejected = OrdersRejected + 1 },
        OrderFailed x => Settle(x.Intent, new OrderRecord(x.Intent, OrderStatus.Failed, null, x.Reason, x.At)) with { OrdersFailed = OrdersFailed + 1 },
        _ => throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name, "unknown tenant event"),
    };

    private TenantState ApplyFill(OrderFilled f)
    {
        var next = Settle(f.Intent, new OrderRecord(f.Intent, OrderStatus.Filled, f.Fill, null, f.At)) with { OrdersFilled = OrdersFilled + 1 };
        if (next.Accounts.TryGetValue(f.Intent.AccountId, out var account) && account.Paper is { } paper)
            next = next with { Accounts = next.Accounts.SetItem(account.AccountId, account with { Paper = paper.Apply(f.Intent.Side, f.Fill, f.Intent.Symbol) }) };
        var strategyId = Sources.StrategyIdOf(f.Intent.Source);
        if (strategyId is not null && next.Subscriptions.TryGetValue(strategyId, out var sub))
        {
            var held = f.Intent.Side == OrderSide.Buy ? sub.Held + f.Fill.Quantity : Math.Max(0m, sub.Held - f.Fill.Quantity);
            next = next with { Subscriptions = next.Subscriptions.SetItem(strategyId, sub with { Held = held }) };
        }
        return next;
    }

    /// <summary>Every outcome of a signal advances that strategy's last processed sequence (dedupe on redelivery).</summary>
    private TenantState Advance(OrderIntent intent)
    {
        var strategyId = Sources.StrategyIdOf(intent.Source);
        if (strategyId is null || LastProcessed(strategyId) >= intent.SourceSequence) return this;
        return this with { LastSignal = LastSignal.SetItem(strategyId, intent.SourceSequence) };
    }

    private TenantState Settle(OrderIntent intent, OrderRecord record)
    {
        var recent = Recent.Add(record);
        if (recent.Count > RecentOrdersKept) recent = recent.RemoveRange(0, recent.Count - RecentOrdersKept);
        return Advance(intent) with { Open = Open.Remove(intent.ClientOrderId), Recent = recent };
    }

    private TenantState WithSubscription(string strategyId, Func<Subscription, Subscription> change) =>
        Subscriptions.TryGetValue(strategyId, out var s) ? this with { Subscriptions = Subscriptions.SetItem(strategyId, change(s)) } : this;
}

public static class Venues
{
    /// <summary>The embedded paper venue: fills computed in-process, balances in the tenant's state.</summary>
    public const string Paper = "paper";
}

/// <summary>Order sources, the "source" part of a client order id.</summary>
public static class Sources
{
    private const string StrategyPrefix = "strategy:";

    public static string Strategy(string strategyId) => StrategyPrefix + strategyId;

    public static string? StrategyIdOf(string source) =>
        source.StartsWith(StrategyPrefix, StringComparison.Ordinal) ? source[StrategyPrefix.Length..] : null;
}
