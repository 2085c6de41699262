namespace TradingActors.Billing.Tests;

public sealed class BillingReconciliationTests
{
    private static readonly DateTimeOffset End = new(2026, 4, 30, 12, 0, 0, TimeSpan.Zero);
    private static readonly PlanPrice ProMonthly = new("pro", BillingPeriod.Monthly, "price_pro_monthly");

    private static StripeSubscriptionState Subscription(string status, PlanPrice? plan = null, string? priceId = "price_pro_monthly", DateTimeOffset? end = null, bool cancelAtPeriodEnd = false) =>
        new("sub_1", "cus_1", status, priceId, plan ?? ProMonthly, end ?? End, cancelAtPeriodEnd, "user-1");

    public static TheoryData<string, BillingInstruction> EveryStatus() => new()
    {
        { "active", new BillingInstruction.Activate("sub_1", "pro", BillingPeriod.Monthly, End, false) },
        { "trialing", new BillingInstruction.Activate("sub_1", "pro", BillingPeriod.Monthly, End, false) },
        { "past_due", new BillingInstruction.PastDue("sub_1", "pro", BillingPeriod.Monthly) },
        { "unpaid", new BillingInstruction.PastDue("sub_1", "pro", BillingPeriod.Monthly) },
        { "incomplete", new BillingInstruction.Nothing("sub_1", "incomplete") },
        { "incomplete_expired", new BillingInstruction.Lapse("sub_1", "incomplete_expired") },
        { "canceled", new BillingInstruction.Lapse("sub_1", "canceled") },
        { "paused", new BillingInstruction.Lapse("sub_1", "paused") },
        { "frozen", new BillingInstruction.Refused("sub_1", "unknown subscription status 'frozen'") },
    };

    [Theory]
    [MemberData(nameof(EveryStatus))]
    public void Each_stripe_status_tells_the_tenant_one_thing(string status, BillingInstruction expected) =>
        Assert.Equal(expected, BillingReconciliation.Reconcile("sub_1", Subscription(status)));

    [Fact]
    public void A_subscription_stripe_no_longer_knows_lapses() =>
        Assert.Equal(new BillingInstruction.Lapse("sub_gone", "deleted"), BillingReconciliation.Reconcile("sub_gone", null));

    [Fact]
    public void A_yearly_plan_cancelling_at_period_end_stays_active_until_then()
    {
        var yearly = new PlanPrice("enterprise", BillingPeriod.Yearly, "price_enterprise_yearly");

        var instruction = BillingReconciliation.Reconcile("sub_1", Subscription("active", yearly, yearly.PriceId, cancelAtPeriodEnd: true));

        Assert.Equal(new BillingInstruction.Activate("sub_1", "enterprise", BillingPeriod.Yearly, End, true), instruction);
    }

    [Theory]
    [InlineData("active")]
    [InlineData("trialing")]
    [InlineData("past_due")]
    [InlineData("unpaid")]
    public void An_unknown_price_is_refused_never_a_plan(string status)
    {
        var state = Subscription(status) with { PriceId = "price_someone_else", Plan = null };

        var instruction = BillingReconciliation.Reconcile("sub_1", state);

        var refused = Assert.IsType<BillingInstruction.Refused>(instruction);
        Assert.Equal("sub_1", refused.SubscriptionId);
        Assert.Contains("price 'price_someone_else' sells no plan here", refused.Reason);
        Assert.Contains($"status '{status}'", refused.Reason);
    }

    [Fact]
    public void A_subscription_without_a_price_is_refused()
    {
        var refused = Assert.IsType<BillingInstruction.Refused>(BillingReconciliation.Reconcile("sub_1", Subscription("active") with { PriceId = null, Plan = null }));
        Assert.Equal("subscription has no price (status 'active')", refused.Reason);
    }

    [Theory]
    [InlineData("canceled")]
    [InlineData("incomplete_expired")]
    public void A_subscription_that_ended_lapses_whatever_its_price(string status) =>
        Assert.Equal(new BillingInstruction.Lapse("sub_1", status),
            BillingReconciliation.Reconcile("sub_1", Subscription(status) with { PriceId = "price_someone_else", Plan = null }));

    [Fact]
    public void An_active_subscription_without_a_period_end_is_refused()
    {
        var refused = Assert.IsType<BillingInstruction.Refused>(BillingReconciliation.Reconcile("sub_1", Subscription("active") with { CurrentPeriodEnd = null }));
        Assert.Equal("subscription status 'active' has no current period end", refused.Reason);
    }

    [Fact]
    public void The_instruction_names_the_subscription_fetched()
    {
        var instruction = BillingReconciliation.Reconcile("sub_1", Subscription("active") with { Id = "sub_2" });
        Assert.Equal("sub_2", instruction.SubscriptionId);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void A_subscription_id_is_required(string? id) =>
        Assert.ThrowsAny<ArgumentException>(() => BillingReconciliation.Reconcile(id!, null));
}
