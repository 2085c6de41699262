using TradingActors.Domain.Orders;

namespace TradingActors.Domain.Tenants;

/// <summary>Marker for everything a TenantActor persists; bound to our serializer by this interface.</summary>
public interface ITenantEvent
{
    /// <summary>When the tenant decided it (the engine's clock).</summary>
    DateTimeOffset At { get; }
}

/// <summary>Events about one order of the tenant's ledger.</summary>
public interface IOrderEvent : ITenantEvent
{
    OrderIntent Intent { get; }
}

public sealed record TenantCreated(string TenantId, string DisplayName, DateTimeOffset At) : ITenantEvent;

/// <summary>An operator stopped the tenant's trading (tradectl tenants suspend): Reason is the operator's, never shown to the trader.</summary>
public sealed record TenantSuspended(string Reason, DateTimeOffset At) : ITenantEvent;

/// <summary>An operator let the suspended tenant trade again: from the next signal on.</summary>
public sealed record TenantResumed(DateTimeOffset At) : ITenantEvent;

/// <summary>The embedded paper venue: the account's cash and positions live in the tenant's own state.</summary>
public sealed record PaperAccountLinked(string AccountId, decimal StartingCash, DateTimeOffset At) : ITenantEvent;

/// <summary>
/// An account at an external venue: the venue owns its balances; orders follow the intent-first protocol.
/// SealedCredentials is the user's API key, secret and account number sealed under the tenant's data key
/// (decision 008): the event never holds them in clear, and VenueAccountNumber is then empty (it is inside).
/// t.broker-linked.v1 (engine-linked accounts without credentials) reads with Label, Mode, KeyIdHint and
/// SealedCredentials null.
/// </summary>
public sealed record BrokerAccountLinked(string AccountId, string Venue, string VenueAccountNumber, DateTimeOffset At,
    string? Label = null, AccountMode? Mode = null, string? KeyIdHint = null, string? SealedCredentials = null) : ITenantEvent;

/// <summary>The tenant's data key, wrapped by the active master key (decision 008): issued with its first sealed credentials.</summary>
public sealed record CredentialKeyIssued(string WrappedDataKey, DateTimeOffset At) : ITenantEvent;

/// <summary>The same data key wrapped by another master key (rotation): no credential is read or rewritten.</summary>
public sealed record CredentialKeyRewrapped(string WrappedDataKey, DateTimeOffset At) : ITenantEvent;

public sealed record BrokerAccountRenamed(string AccountId, string Label, DateTimeOffset At) : ITenantEvent;

/// <summary>The account becomes its venue's primary account (the others of that venue stop being it).</summary>
public sealed record PrimaryAccountChosen(string AccountId, DateTimeOffset At) : ITenantEvent;

/// <summary>The outcome of a connectivity check through the account's broker session; Reason says why it failed.</summary>
public sealed record BrokerAccountVerified(string AccountId, bool Passed, string? Reason, DateTimeOffset At) : ITenantEvent;

/// <summary>
/// A venue session token (KIS) the account's broker session was issued, sealed under the tenant's data key, and when
/// the venue stops taking it: kept so a restart or a shard move reuses it instead of asking the venue again.
/// </summary>
public sealed record VenueTokenStored(string AccountId, string SealedToken, DateTimeOffset ExpiresAt, DateTimeOffset At) : ITenantEvent;

/// <summary>The account is gone (never while a subscription or an open order uses it); its past orders stay in the ledger.</summary>
public sealed record BrokerAccountUnlinked(string AccountId, DateTimeOffset At) : ITenantEvent;

/// <summary>
/// A subscription starts after the strategy's latest signal at that moment (StartAfterSequence):
/// the tenant never walks the strategy's history before it joined. SubscriptionId is the subscription's
/// own id; null is the strategy's default subscription (whose id is the strategy id and whose orders'
/// source is "strategy:{id}") — what every subscription was before subscriptions had ids (manifest
/// t.subscribed.v1, read into this type with SubscriptionId null).
/// </summary>
public sealed record Subscribed(string StrategyId, string AccountId, string Symbol, decimal Budget, DateTimeOffset At, long StartAfterSequence = 0, string? SubscriptionId = null) : ITenantEvent
{
    /// <summary>The key of the subscription in <see cref="TenantState.Subscriptions"/> (a method: not part of the stored shape).</summary>
    public string Key() => SubscriptionId ?? StrategyId;
}

/// <summary>SubscriptionId null: the strategy's default subscription (t.unsubscribed.v1 has none).</summary>
public sealed record Unsubscribed(string StrategyId, DateTimeOffset At, string? SubscriptionId = null) : ITenantEvent
{
    public string Key() => SubscriptionId ?? StrategyId;
}

/// <summary>
/// SubscriptionId null: the strategy's default subscription (t.paused.v1 has none). Reason: why the tenant paused it (its
/// plan no longer allowing it, decision 032); null when its trader did (and in every event written before plans).
/// </summary>
public sealed record SubscriptionPaused(string StrategyId, DateTimeOffset At, string? SubscriptionId = null, string? Reason = null) : ITenantEvent
{
    public string Key() => SubscriptionId ?? StrategyId;
}

/// <summary>Signals published while paused are passed over: the subscription continues after StartAfterSequence.</summary>
public sealed record SubscriptionResumed(string StrategyId, DateTimeOffset At, long StartAfterSequence = 0, string? SubscriptionId = null) : ITenantEvent
{
    public string Key() => SubscriptionId ?? StrategyId;
}

/// <summary>The subscription's budget from now on: the next buy is sized with it (what it holds is not traded for it).</summary>
public sealed record SubscriptionBudgetChanged(string StrategyId, decimal Budget, DateTimeOffset At, string? SubscriptionId = null) : ITenantEvent
{
    public string Key() => SubscriptionId ?? StrategyId;
}

/// <summary>External venues only: the decision is durable before the venue is called.</summary>
public sealed record OrderSubmitted(OrderIntent Intent, DateTimeOffset At) : IOrderEvent;

/// <summary>
/// One event for a paper order and its fill; for external venues, the outcome of a submitted order. Fill is the order's
/// final cumulative fill (all of it, or the part that filled before the order was cancelled or expired); applying it
/// books only what an earlier <see cref="OrderWorking"/> has not.
/// </summary>
public sealed record OrderFilled(OrderIntent Intent, Fill Fill, DateTimeOffset At) : IOrderEvent;

/// <summary>
/// The venue holds the order and it has not ended (resting, or partly filled): persisted when the tenant first learns
/// so, and again whenever its cumulative fill grows (FilledSoFar; the growth is booked when this is applied) or its
/// venue order id becomes known. It is followed by lookups until it ends, and never flagged as needing attention.
/// </summary>
public sealed record OrderWorking(OrderIntent Intent, Fill? FilledSoFar, string? VenueOrderId, DateTimeOffset At) : IOrderEvent;

/// <summary>The order ended at the venue with nothing filled (cancelled by the trader or the venue, expired).</summary>
public sealed record OrderCancelled(OrderIntent Intent, string Reason, DateTimeOffset At) : IOrderEvent;

/// <summary>Rejected by the venue (or by the paper account before the call): not placed.</summary>
public sealed record OrderRejected(OrderIntent Intent, string Reason, DateTimeOffset At) : IOrderEvent;

/// <summary>Definitely not placed (the venue refused the call, the circuit was open, the paper venue failed, or the order was not found after the visibility window at a venue that does not deduplicate): a failed execution.</summary>
public sealed record OrderFailed(OrderIntent Intent, string Reason, DateTimeOffset At) : IOrderEvent;

/// <summary>The call timed out or its answer was lost: the venue may or may not have the order. Resolved by client order id.</summary>
public sealed record OrderMarkedUnknown(OrderIntent Intent, string Reason, DateTimeOffset At) : IOrderEvent;

/// <summary>
/// The venue has not settled this order after the resolution limit: visible as "needs attention".
/// The order stays open (it is still looked up, at the slowest pace) and keeps blocking its subscription.
/// </summary>
public sealed record OrderNeedsAttention(OrderIntent Intent, string Reason, DateTimeOffset At) : IOrderEvent;

/// <summary>
/// Signals FromSequence..ToSequence of a strategy settled without an order (stale, already holding,
/// flat, older than the subscription...): an execution outcome like any other, and it advances the
/// subscription's last processed sequence. One event covers a run of signals skipped for one reason.
/// SubscriptionId null: the strategy's default subscription (t.signals-skipped.v1 has none).
/// </summary>
public sealed record SignalsSkipped(string StrategyId, long FromSequence, long ToSequence, string Reason, DateTimeOffset At, string? SubscriptionId = null) : ITenantEvent
{
    public string Key() => SubscriptionId ?? StrategyId;
}
