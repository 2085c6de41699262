using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;

namespace TradingActors.Domain.Tests.Tenants;

/// <summary>TenantDecisions.OutcomeOf: what a venue's answer becomes in the tenant's ledger.</summary>
public sealed class VenueOutcomeTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.Parse("2026-01-02T03:04:05Z");
    private static readonly OrderIntent Buy = new(ClientOrderIds.Create("t", "a", "strategy:s", 7, 0), "a", "strategy:s", 7, "BTCUSDT", OrderSide.Buy, 0.01m, 60_000m);

    private static TenantState Paper(decimal cash) => TenantState.Empty("t")
        .Apply(new TenantCreated("t", "T", At))
        .Apply(new PaperAccountLinked("a", cash, At));

    private static TenantState External() => TenantState.Empty("t")
        .Apply(new TenantCreated("t", "T", At))
        .Apply(new BrokerAccountLinked("a", "sim", "ACC-1", At));

    [Fact]
    public void A_fill_the_paper_account_can_pay_for_is_booked()
    {
        var fill = new Fill(0.01m, 60_030m, 0.6m, "P-1", At);
        var outcome = Assert.IsType<OrderFilled>(TenantDecisions.OutcomeOf(Paper(1_000m), Buy, VenueAnswerKind.Filled, fill, null, isLookup: false, At));
        Assert.Equal(fill, outcome.Fill);
        Assert.Equal(Buy, outcome.Intent);
    }

    [Fact]
    public void A_paper_fill_beyond_the_cash_is_rejected_so_the_event_always_applies()
    {
        var fill = new Fill(0.01m, 60_030m, 0.6m, "P-1", At);
        var outcome = Assert.IsType<OrderRejected>(TenantDecisions.OutcomeOf(Paper(100m), Buy, VenueAnswerKind.Filled, fill, null, isLookup: false, At));
        Assert.Equal("insufficient funds at the fill price", outcome.Reason);
    }

    [Fact]
    public void A_rejection_is_recorded_with_the_venue_reason()
    {
        var outcome = Assert.IsType<OrderRejected>(TenantDecisions.OutcomeOf(External(), Buy, VenueAnswerKind.Rejected, null, "margin", isLookup: false, At));
        Assert.Equal("margin", outcome.Reason);
    }

    [Theory]
    [InlineData(VenueAnswerKind.Failed)]
    [InlineData(VenueAnswerKind.Unavailable)]
    public void A_placement_that_definitely_did_not_reach_the_venue_is_a_failed_execution(VenueAnswerKind kind)
    {
        var outcome = Assert.IsType<OrderFailed>(TenantDecisions.OutcomeOf(External(), Buy, kind, null, "boom", isLookup: false, At));
        Assert.Equal("boom", outcome.Reason);
    }

    [Theory]
    [InlineData(VenueAnswerKind.Failed)]
    [InlineData(VenueAnswerKind.Unavailable)]
    [InlineData(VenueAnswerKind.Unknown)]
    [InlineData(VenueAnswerKind.NotFound)]
    [InlineData(VenueAnswerKind.Accepted)]
    public void A_lookup_that_learns_nothing_final_leaves_the_order_open(VenueAnswerKind kind)
    {
        var submitted = External().Apply(new OrderSubmitted(Buy, At));
        Assert.Null(TenantDecisions.OutcomeOf(submitted, Buy, kind, null, "x", isLookup: true, At));
    }

    [Fact]
    public void A_placement_without_an_answer_marks_a_submitted_order_unknown_once()
    {
        var submitted = External().Apply(new OrderSubmitted(Buy, At));
        var unknown = Assert.IsType<OrderMarkedUnknown>(TenantDecisions.OutcomeOf(submitted, Buy, VenueAnswerKind.Unknown, null, "timeout", isLookup: false, At));
        Assert.Equal("timeout", unknown.Reason);

        // Already unknown: a second timeout (a re-placement) adds nothing; the lookup resolves it.
        Assert.Null(TenantDecisions.OutcomeOf(submitted.Apply(unknown), Buy, VenueAnswerKind.Unknown, null, "timeout", isLookup: false, At));
    }

    [Fact]
    public void An_accepted_but_unfilled_placement_stays_open()
    {
        var submitted = External().Apply(new OrderSubmitted(Buy, At));
        Assert.Null(TenantDecisions.OutcomeOf(submitted, Buy, VenueAnswerKind.Accepted, null, null, isLookup: false, At));
    }
}
