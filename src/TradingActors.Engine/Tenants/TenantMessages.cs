using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tenants;

namespace TradingActors.Engine.Tenants;

/// <summary>A new tenant; with PlanId it starts on that plan (the API's sign-ups: Free), without one on the legacy plan (decision 032).</summary>
public sealed record CreateTenant(string TenantId, string DisplayName, string? PlanId = null) : ITenantCommand;
public sealed record LinkPaperAccount(string TenantId, string AccountId, decimal StartingCash, string? Label = null) : ITenantCommand;

/// <summary>
/// An external account. The API's link carries the user's keys only as SealedCredentials (under the tenant's data
/// key, decision 008; VenueAccountNumber is then empty) and, for the tenant's first sealed account, the wrapped
/// data key it sealed them with (NewCredentialKey). The engine's own link (drills, tests) carries neither.
/// </summary>
public sealed record LinkBrokerAccount(string TenantId, string AccountId, string Venue, string VenueAccountNumber,
    string? Label = null, AccountMode? Mode = null, string? KeyIdHint = null, string? SealedCredentials = null, string? NewCredentialKey = null) : ITenantCommand
{
    // The sealed text and wrap are ciphertext, but a command is logged on dead letters: keep it short.
    public override string ToString() => $"LinkBrokerAccount {{ TenantId = {TenantId}, AccountId = {AccountId}, Venue = {Venue}, Mode = {Mode} }}";
}

/// <summary>The tenant's wrapped data key (to seal credentials under): answered by <see cref="CredentialKeyOf"/>.</summary>
public sealed record GetCredentialKey(string TenantId) : ITenantCommand;
public sealed record CredentialKeyOf(string TenantId, string? WrappedDataKey) : ITradingMessage;

public sealed record RenameBrokerAccount(string TenantId, string AccountId, string Label) : ITenantCommand;
public sealed record ChoosePrimaryAccount(string TenantId, string AccountId) : ITenantCommand;

/// <summary>Refused while a subscription or an open order uses the account.</summary>
public sealed record UnlinkBrokerAccount(string TenantId, string AccountId) : ITenantCommand;

/// <summary>A connectivity check through the account's BrokerSession (the paper venue always passes): answered by <see cref="BrokerAccountChecked"/>.</summary>
public sealed record VerifyBrokerAccount(string TenantId, string AccountId) : ITenantCommand;
public sealed record BrokerAccountChecked(string TenantId, string AccountId, bool Passed, string? Reason, long Version) : ITradingMessage;

/// <summary>Rotation step 2: wrap the tenant's data key under the active master key (nothing when it already is).</summary>
public sealed record RewrapCredentialKey(string TenantId) : ITenantCommand;
/// <summary>
/// Follow a strategy on one account. SubscriptionId is the subscription's own id (the API draws it, or derives it
/// from an Idempotency-Key): sent again, it is answered accepted with nothing new. Without one, the strategy's default
/// subscription (its id is the strategy id; what every subscription was before they had ids).
/// </summary>
public sealed record SubscribeToStrategy(string TenantId, string StrategyId, string AccountId, decimal Budget, string? SubscriptionId = null) : ITenantCommand;

/// <summary>SubscriptionId: the subscription's id (a default subscription's is its strategy id), as in the commands below.</summary>
public sealed record UnsubscribeFromStrategy(string TenantId, string SubscriptionId) : ITenantCommand;
public sealed record PauseSubscription(string TenantId, string SubscriptionId) : ITenantCommand;
public sealed record ResumeSubscription(string TenantId, string SubscriptionId) : ITenantCommand;

/// <summary>The budget of the subscription's next buy.</summary>
public sealed record ChangeSubscriptionBudget(string TenantId, string SubscriptionId, decimal Budget) : ITenantCommand;

/// <summary>
/// A live signal, delivered by a fan-out bucket. The tenant executes a strategy's signals strictly in
/// sequence (a later one waits for the gap to be fetched and executed) and acknowledges to its bucket
/// (<see cref="Fanout.SignalAcknowledged"/>) once its outcome is persisted.
/// </summary>
public sealed record ExecuteSignal(string TenantId, Signal Signal) : ITenantCommand;

/// <summary>
/// The strategy has published through <paramref name="Through"/>: process everything up to it
/// (fetched from the strategy's journal) and acknowledge. Sent by a bucket when it starts (which also
/// wakes its members) and to members that have not acknowledged the latest signal.
/// </summary>
public sealed record CatchUpSignals(string TenantId, string StrategyId, long Through) : ITenantCommand;

/// <summary>
/// A trader's order, sized by Quantity or by Notional (exactly one). RequestKey (the API's
/// Idempotency-Key) makes the client order id: the same request sent again is the same order.
/// A limit order (Type) carries its LimitPrice; a market order none.
/// </summary>
public sealed record PlaceManualOrder(string TenantId, string RequestKey, string AccountId, string Symbol, OrderSide Side, decimal? Quantity, decimal? Notional,
    OrderType Type = OrderType.Market, decimal? LimitPrice = null) : ITenantCommand;

/// <summary>
/// A trader's cancel of an open order: its venue is asked to cancel it and the answer is persisted like a lookup's.
/// Answered by <see cref="OrderCancelAnswered"/> with the order's status afterwards, or <see cref="OrderCancelRefused"/>.
/// </summary>
public sealed record CancelOrder(string TenantId, string ClientOrderId) : ITenantCommand;

/// <summary>
/// The venue answered the cancel (or did not, in time): Status is the order's status now — cancelled, filled (it filled
/// first, or in part before it was cancelled), or still open (the venue has not ended it yet; it is still followed).
/// </summary>
public sealed record OrderCancelAnswered(string TenantId, string ClientOrderId, OrderStatus Status, string? Reason, long Version) : ITradingMessage;

/// <summary>Nothing to cancel: the tenant has no such order, or it has already ended.</summary>
public sealed record OrderCancelRefused(string TenantId, string ClientOrderId, CancelRefusal Refusal, string Reason) : ITradingMessage;

public sealed record GetPortfolio(string TenantId) : ITenantCommand;

/// <summary>An operator stops the tenant's trading (tradectl tenants suspend): signals settle as skipped, manual orders are refused.</summary>
public sealed record SuspendTenant(string TenantId, string Reason) : ITenantCommand;

/// <summary>An operator lets a suspended tenant trade again, from its next signal.</summary>
public sealed record ResumeTenant(string TenantId) : ITenantCommand;

/// <summary>
/// Replies: a command is acknowledged only after its events are persisted. Version is the tenant's
/// journal sequence number after them: a read that waits for it sees the command's effect.
/// </summary>
public sealed record CommandAccepted(string TenantId, string Command, long Version = 0) : ITradingMessage;

/// <summary>
/// The order a <see cref="PlaceManualOrder"/> is: placed now (its first event persisted) or earlier by the
/// same request. Status is null when the tenant remembers only the order's id (see /orders for the rest).
/// </summary>
public sealed record ManualOrderPlaced(string TenantId, string ClientOrderId, OrderStatus? Status, string? Reason, long Version) : ITradingMessage;
/// <summary>Nothing changed. OverPlan: the tenant's plan refused it (the limit and the plan that lifts it, decision 032).</summary>
public sealed record CommandRejected(string TenantId, string Command, string Reason, Domain.Billing.PlanRefusal? OverPlan = null) : ITradingMessage;

public sealed record Portfolio(string TenantId, TenantState State) : ITradingMessage;

/// <summary>Published on the node's local event stream after an order outcome is persisted (metrics, benchmarks).</summary>
public sealed record OrderOutcomePersisted(string TenantId, string ClientOrderId, OrderStatus Status, long PersistedTimestamp);

/// <summary>Published on the node's local event stream after skipped signals are persisted (metrics).</summary>
public sealed record SignalsSkipPersisted(string TenantId, string StrategyId, long FromSequence, long ToSequence, string Reason);

/// <summary>The persisted snapshot of a tenant.</summary>
public sealed record TenantSnapshot(TenantState State) : ITradingMessage;

/// <summary>Creates a bot (decision 028), stopped; answered accepted or rejected with every problem of its configuration.</summary>
public sealed record CreateBot(string TenantId, Domain.Bots.BotConfig Config) : ITenantCommand;

public sealed record StartBot(string TenantId, string BotId) : ITenantCommand;

/// <summary>The bot decides nothing until started again; its resting orders stay.</summary>
public sealed record PauseBot(string TenantId, string BotId) : ITenantCommand;

/// <summary>The bot stops: its open orders are cancelled, and with ClosePosition its position is sold at market.</summary>
public sealed record StopBot(string TenantId, string BotId, bool ClosePosition) : ITenantCommand;

/// <summary>A stopped bot whose orders have all ended is deleted (its orders stay in the tenant's history).</summary>
public sealed record DeleteBot(string TenantId, string BotId) : ITenantCommand;

/// <summary>
/// The trader's risk limits across all the tenant's bots (decision 031): answered accepted (persisted, and the kill switch
/// checked at once against them) or rejected with every problem of the limits.
/// </summary>
public sealed record SetTenantRisk(string TenantId, Domain.Bots.TenantRisk Limits) : ITenantCommand;

/// <summary>
/// The tenant's plan from now on (billing paid for it, or an operator moved it), with the end of the period paid for (null: no
/// end, a free plan or an operator's grant). The plan's limits are taken from the catalog as it is now; what the new plan does
/// not allow is paused with the reason; the same plan and period again change nothing (a webhook delivered twice).
/// </summary>
public sealed record ChangeTenantPlan(string TenantId, string PlanId, DateTimeOffset? PeriodEnd = null) : ITenantCommand;

/// <summary>A payment failed: the plan keeps its limits until GraceUntil (default: now plus the engine's grace period), then lapses.</summary>
public sealed record MarkTenantPlanPastDue(string TenantId, DateTimeOffset? GraceUntil = null) : ITenantCommand;

/// <summary>The paid plan ended (its subscription was deleted): the tenant falls to Free at once; live trading pauses, nothing is deleted or closed.</summary>
public sealed record LapseTenantPlan(string TenantId) : ITenantCommand;

/// <summary>The tenant's IANA time zone: its trades-per-day count starts at its local midnight.</summary>
public sealed record SetTenantTimeZone(string TenantId, string TimeZoneId) : ITenantCommand;
