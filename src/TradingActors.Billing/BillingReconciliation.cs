namespace TradingActors.Billing;

/// <summary>
/// What the tenant should be told about its subscription (decision 033), decided from the subscription's current state.
/// The caller applies it only to the tenant whose subscription it is (<see cref="SubscriptionId"/>, the user id in the
/// subscription's metadata).
/// </summary>
public abstract record BillingInstruction(string SubscriptionId)
{
    /// <summary>Paid up (active or trialing): the tenant is on PlanId until PeriodEnd (a renewal moves it on).</summary>
    public sealed record Activate(string SubscriptionId, string PlanId, BillingPeriod Period, DateTimeOffset PeriodEnd, bool CancelAtPeriodEnd)
        : BillingInstruction(SubscriptionId);

    /// <summary>A payment failed (past_due, unpaid): the grace period starts, or keeps running; the plan holds meanwhile.</summary>
    public sealed record PastDue(string SubscriptionId, string PlanId, BillingPeriod Period) : BillingInstruction(SubscriptionId);

    /// <summary>The subscription is over (canceled, incomplete_expired, paused, deleted): the tenant falls to Free.</summary>
    public sealed record Lapse(string SubscriptionId, string Status) : BillingInstruction(SubscriptionId);

    /// <summary>Nothing to tell the tenant yet (incomplete: the first payment is not through).</summary>
    public sealed record Nothing(string SubscriptionId, string Status) : BillingInstruction(SubscriptionId);

    /// <summary>The subscription cannot be turned into a plan (an unknown price or status): the caller logs Reason and changes nothing.</summary>
    public sealed record Refused(string SubscriptionId, string Reason) : BillingInstruction(SubscriptionId);
}

/// <summary>
/// The one place a Stripe subscription becomes a plan instruction (decision 033). Pure: every webhook, whatever its type
/// and arrival order, is handled by fetching the subscription and reconciling to what it is now, so a late or repeated
/// delivery converges to the same instruction.
/// </summary>
public static class BillingReconciliation
{
    /// <summary>
    /// The instruction for the subscription <paramref name="subscriptionId"/> in its current state; <paramref name="current"/>
    /// null means Stripe does not know it (deleted): a lapse.
    /// </summary>
    public static BillingInstruction Reconcile(string subscriptionId, StripeSubscriptionState? current)
    {
        ArgumentException.ThrowIfNullOrEmpty(subscriptionId);
        if (current is null) return new BillingInstruction.Lapse(subscriptionId, "deleted");
        return current.Status switch
        {
            "active" or "trialing" => Paid(current),
            "past_due" or "unpaid" => Behind(current),
            // Over without a plan to keep: paused means a trial ended with no way to pay (a resume comes back as active).
            "canceled" or "incomplete_expired" or "paused" => new BillingInstruction.Lapse(current.Id, current.Status),
            // Checkout not paid yet (or the first payment needs an action): the tenant never had this plan, so no grace either.
            "incomplete" => new BillingInstruction.Nothing(current.Id, current.Status),
            _ => new BillingInstruction.Refused(current.Id, $"unknown subscription status '{current.Status}'"),
        };
    }

    private static BillingInstruction Paid(StripeSubscriptionState s)
    {
        if (s.Plan is not { } plan) return UnknownPrice(s);
        if (s.CurrentPeriodEnd is not { } end) return new BillingInstruction.Refused(s.Id, $"subscription status '{s.Status}' has no current period end");
        return new BillingInstruction.Activate(s.Id, plan.PlanId, plan.Period, end, s.CancelAtPeriodEnd);
    }

    private static BillingInstruction Behind(StripeSubscriptionState s) =>
        s.Plan is { } plan ? new BillingInstruction.PastDue(s.Id, plan.PlanId, plan.Period) : UnknownPrice(s);

    private static BillingInstruction.Refused UnknownPrice(StripeSubscriptionState s) =>
        new(s.Id, s.PriceId is null
            ? $"subscription has no price (status '{s.Status}')"
            : $"price '{s.PriceId}' sells no plan here (status '{s.Status}'): configure it under Prices or check the subscription");
}
