using TradingActors.Domain.Orders;

namespace TradingActors.Domain.Tenants;

/// <summary>Marker for everything a TenantActor persists; bound to our serializer by this interface.</summary>
public interface ITenantEvent;

/// <summary>Events that settle one strategy signal for the tenant (they advance its last processed sequence).</summary>
public interface ISignalOutcome : ITenantEvent
{
    OrderIntent Intent { get; }
}

public sealed record TenantCreated(string TenantId, string DisplayName, DateTimeOffset At) : ITenantEvent;

/// <summary>The embedded paper venue: the account's cash and positions live in the tenant's own state.</summary>
public sealed record PaperAccountLinked(string AccountId, decimal StartingCash, DateTimeOffset At) : ITenantEvent;

/// <summary>An account at an external venue: the venue owns its balances; orders follow the intent-first protocol.</summary>
public sealed record BrokerAccountLinked(string AccountId, string Venue, string VenueAccountNumber, DateTimeOffset At) : ITenantEvent;

public sealed record Subscribed(string StrategyId, string AccountId, string Symbol, decimal Budget, DateTimeOffset At) : ITenantEvent;
public sealed record Unsubscribed(string StrategyId, DateTimeOffset At) : ITenantEvent;
public sealed record SubscriptionPaused(string StrategyId, DateTimeOffset At) : ITenantEvent;
public sealed record SubscriptionResumed(string StrategyId, DateTimeOffset At) : ITenantEvent;

/// <summary>External venues only: the decision is durable before the venue is called.</summary>
public sealed record OrderSubmitted(OrderIntent Intent, DateTimeOffset At) : ISignalOutcome;

/// <summary>One event for a paper order and its fill; for external venues, the outcome of a submitted order.</summary>
public sealed record OrderFilled(OrderIntent Intent, Fill Fill, DateTimeOffset At) : ISignalOutcome;

public sealed record OrderRejected(OrderIntent Intent, string Reason, DateTimeOffset At) : ISignalOutcome;

/// <summary>The venue failed before taking the order (threw, refused, circuit open): recorded as a failed execution.</summary>
public sealed record OrderFailed(OrderIntent Intent, string Reason, DateTimeOffset At) : ISignalOutcome;

/// <summary>The call timed out or its answer was lost: the venue may or may not have the order. Resolved by client order id.</summary>
public sealed record OrderMarkedUnknown(OrderIntent Intent, string Reason, DateTimeOffset At) : ISignalOutcome;
