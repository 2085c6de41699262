namespace TradingActors.Billing;

/// <summary>A Checkout Session created for a user: where to send them (<see cref="Url"/>).</summary>
public sealed record StripeCheckout(string SessionId, string Url);

/// <summary>
/// A subscription as Stripe holds it now (fetched, never taken from an event's snapshot): its status, its price and what that
/// price sells here (<see cref="Plan"/>, null for a price this deployment does not sell), the end of the period paid for
/// (Stripe.net 53: the item's current_period_end), and the user it was bought for (metadata user_id, set at checkout).
/// </summary>
public sealed record StripeSubscriptionState(
    string Id,
    string? CustomerId,
    string Status,
    string? PriceId,
    PlanPrice? Plan,
    DateTimeOffset? CurrentPeriodEnd,
    bool CancelAtPeriodEnd,
    string? UserId);

/// <summary>An invoice as the tenant's billing history shows it: amounts in the currency's smallest unit (cents).</summary>
public sealed record StripeInvoice(
    string Id,
    string? Number,
    string? Status,
    long AmountDue,
    long AmountPaid,
    string Currency,
    DateTimeOffset? PeriodStart,
    DateTimeOffset? PeriodEnd,
    DateTimeOffset Created,
    string? HostedInvoiceUrl,
    string? SubscriptionId,
    string? CustomerId);
