using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using static TradingActors.Domain.Tests.Tenants.TenantHistory;

namespace TradingActors.Domain.Tests.Tenants;

/// <summary>TenantDecisions.OutcomeOf: what a venue's answer becomes in the tenant's ledger (null: the order stays open).</summary>
public sealed class VenueOutcomeTests
{
    private static readonly DateTimeOffset Now = T0.AddMinutes(1);

    private static readonly OrderIntent PaperBuy = Intent(7, OrderSide.Buy, 0.01m, PaperAccountId, price: 60_000m);
    private static readonly OrderIntent PaperSell = Intent(8, OrderSide.Sell, 0.01m, PaperAccountId, price: 60_000m);
    private static readonly OrderIntent ExternalBuy = Intent(7, OrderSide.Buy, 0.01m, ExternalAccountId, price: 60_000m);

    // 0.01 * 60 000 + 0.6 fee = 600.6 to pay.
    private static readonly Fill BuyFill = new(0.01m, 60_000m, 0.6m, "V-1", Now);

    private static TenantState Paper(decimal cash) => WithAccounts(cash);

    /// <summary>A paper account holding 0.01 BTC and no cash left.</summary>
    private static TenantState PaperHolding() => WithAccounts(600m)
        .Then(new OrderFilled(Intent(1, OrderSide.Buy, 0.01m), new Fill(0.01m, 60_000m, 0m, "V-0", T0), T0));

    private static TenantState ExternalWithoutOpenOrder() => WithAccounts();
    private static TenantState ExternalSubmitted() => WithAccounts().Then(new OrderSubmitted(ExternalBuy, T0));
    private static TenantState ExternalUnknown() => ExternalSubmitted().Then(new OrderMarkedUnknown(ExternalBuy, "timeout", T0));
    private static TenantState ExternalNeedsAttention() => ExternalUnknown().Then(new OrderNeedsAttention(ExternalBuy, "slow", T0));

    private sealed record Case(TenantState State, OrderIntent Intent, VenueAnswerKind Kind, Fill? Fill, string? Reason, bool IsLookup, ITenantEvent? Expected);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        // ---- Filled
        ["a fill the paper account can pay for is booked"] = new(Paper(1_000m), PaperBuy, VenueAnswerKind.Filled, BuyFill, null, false, new OrderFilled(PaperBuy, BuyFill, Now)),
        ["a fill costing exactly the paper cash is booked"] = new(Paper(600.6m), PaperBuy, VenueAnswerKind.Filled, BuyFill, null, false, new OrderFilled(PaperBuy, BuyFill, Now)),
        ["a fill costing more than the paper cash is rejected so the event always applies"] = new(
            Paper(600.59999999m), PaperBuy, VenueAnswerKind.Filled, BuyFill, null, false, new OrderRejected(PaperBuy, "insufficient funds at the fill price", Now)),
        ["the fee counts toward what a paper buy must pay"] = new(
            Paper(600.5m), PaperBuy, VenueAnswerKind.Filled, BuyFill, null, false, new OrderRejected(PaperBuy, "insufficient funds at the fill price", Now)),
        ["a paper sell of exactly the holding is booked without any cash"] = new(
            PaperHolding(), PaperSell, VenueAnswerKind.Filled, BuyFill, null, false, new OrderFilled(PaperSell, BuyFill, Now)),
        ["a paper sell beyond the holding is rejected"] = new(
            PaperHolding(), PaperSell, VenueAnswerKind.Filled, BuyFill with { Quantity = 0.0100001m }, null, false,
            new OrderRejected(PaperSell, "insufficient funds at the fill price", Now)),
        ["an external fill is booked whatever it costs"] = new(
            ExternalSubmitted(), ExternalBuy, VenueAnswerKind.Filled, BuyFill with { Quantity = 1_000m }, null, false,
            new OrderFilled(ExternalBuy, BuyFill with { Quantity = 1_000m }, Now)),
        ["a fill found by a lookup is booked"] = new(ExternalUnknown(), ExternalBuy, VenueAnswerKind.Filled, BuyFill, null, true, new OrderFilled(ExternalBuy, BuyFill, Now)),
        ["a paper fill found by a lookup beyond the cash is rejected"] = new(
            Paper(1m), PaperBuy, VenueAnswerKind.Filled, BuyFill, null, true, new OrderRejected(PaperBuy, "insufficient funds at the fill price", Now)),

        // ---- Rejected
        ["a rejection keeps the venue's reason"] = new(ExternalSubmitted(), ExternalBuy, VenueAnswerKind.Rejected, null, "margin", false, new OrderRejected(ExternalBuy, "margin", Now)),
        ["a rejection without a reason says rejected"] = new(ExternalSubmitted(), ExternalBuy, VenueAnswerKind.Rejected, null, null, false, new OrderRejected(ExternalBuy, "rejected", Now)),
        ["a rejection found by a lookup is recorded"] = new(ExternalUnknown(), ExternalBuy, VenueAnswerKind.Rejected, null, "expired", true, new OrderRejected(ExternalBuy, "expired", Now)),
        ["a paper rejection is recorded"] = new(Paper(1_000m), PaperBuy, VenueAnswerKind.Rejected, null, "no price", false, new OrderRejected(PaperBuy, "no price", Now)),

        // ---- NotPlaced
        ["a placement that was not placed is a failed execution with its reason"] = new(
            ExternalSubmitted(), ExternalBuy, VenueAnswerKind.NotPlaced, null, "429", false, new OrderFailed(ExternalBuy, "429", Now)),
        ["a placement that was not placed, without a reason, says not placed"] = new(
            ExternalSubmitted(), ExternalBuy, VenueAnswerKind.NotPlaced, null, null, false, new OrderFailed(ExternalBuy, "not placed", Now)),
        ["a paper placement that was not placed is a failed execution"] = new(
            Paper(1_000m), PaperBuy, VenueAnswerKind.NotPlaced, null, "refused", false, new OrderFailed(PaperBuy, "refused", Now)),
        ["a lookup that did not reach the venue leaves the order open"] = new(ExternalUnknown(), ExternalBuy, VenueAnswerKind.NotPlaced, null, "401", true, null),

        // ---- Unknown
        ["a paper placement without an answer placed nothing: failed with its reason"] = new(
            Paper(1_000m), PaperBuy, VenueAnswerKind.Unknown, null, "timeout", false, new OrderFailed(PaperBuy, "timeout", Now)),
        ["a paper placement without an answer or reason: failed, no answer from the paper venue"] = new(
            Paper(1_000m), PaperBuy, VenueAnswerKind.Unknown, null, null, false, new OrderFailed(PaperBuy, "no answer from the paper venue", Now)),
        ["a submitted external order without an answer is marked unknown"] = new(
            ExternalSubmitted(), ExternalBuy, VenueAnswerKind.Unknown, null, "timeout", false, new OrderMarkedUnknown(ExternalBuy, "timeout", Now)),
        ["an external placement without an answer or reason is marked unknown, no answer"] = new(
            ExternalSubmitted(), ExternalBuy, VenueAnswerKind.Unknown, null, null, false, new OrderMarkedUnknown(ExternalBuy, "no answer", Now)),
        ["an external placement without an answer and no open order is marked unknown"] = new(
            ExternalWithoutOpenOrder(), ExternalBuy, VenueAnswerKind.Unknown, null, "timeout", false, new OrderMarkedUnknown(ExternalBuy, "timeout", Now)),
        ["an external order already unknown is not marked again"] = new(ExternalUnknown(), ExternalBuy, VenueAnswerKind.Unknown, null, "timeout", false, null),
        ["an external order needing attention is not marked unknown"] = new(ExternalNeedsAttention(), ExternalBuy, VenueAnswerKind.Unknown, null, "timeout", false, null),
        ["an external lookup without an answer leaves the order open"] = new(ExternalSubmitted(), ExternalBuy, VenueAnswerKind.Unknown, null, "timeout", true, null),
        ["a paper lookup without an answer leaves the order as it is"] = new(Paper(1_000m), PaperBuy, VenueAnswerKind.Unknown, null, "timeout", true, null),
    };

    public static TheoryData<string> Rules => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(Rules))]
    public void Outcome_of(string rule)
    {
        var c = Cases[rule];

        var outcome = TenantDecisions.OutcomeOf(c.State, c.Intent, c.Kind, c.Fill, c.Reason, c.IsLookup, Now);

        Assert.Equal(c.Expected, outcome);
    }

    [Theory]
    [InlineData(VenueAnswerKind.Accepted, false)]
    [InlineData(VenueAnswerKind.Accepted, true)]
    [InlineData(VenueAnswerKind.NotFound, false)]
    [InlineData(VenueAnswerKind.NotFound, true)]
    [InlineData(VenueAnswerKind.Duplicate, false)]
    [InlineData(VenueAnswerKind.Duplicate, true)]
    public void An_answer_that_settles_nothing_leaves_the_order_open(VenueAnswerKind kind, bool isLookup)
    {
        Assert.Null(TenantDecisions.OutcomeOf(ExternalSubmitted(), ExternalBuy, kind, null, "x", isLookup, Now));
        Assert.Null(TenantDecisions.OutcomeOf(ExternalUnknown(), ExternalBuy, kind, null, "x", isLookup, Now));
        Assert.Null(TenantDecisions.OutcomeOf(Paper(1_000m), PaperBuy, kind, null, "x", isLookup, Now));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_fill_answer_without_its_fill_is_a_programming_error(bool isLookup)
    {
        var ex = Assert.Throws<ArgumentException>(() => TenantDecisions.OutcomeOf(ExternalSubmitted(), ExternalBuy, VenueAnswerKind.Filled, null, null, isLookup, Now));

        Assert.Equal("fill", ex.ParamName);
        Assert.StartsWith("a fill answer carries its fill", ex.Message);
    }

    [Fact]
    public void Every_answer_kind_has_a_rule()
    {
        var covered = Cases.Values.Select(c => c.Kind)
            .Concat([VenueAnswerKind.Accepted, VenueAnswerKind.NotFound, VenueAnswerKind.Duplicate])
            .ToHashSet();

        Assert.Equal(Enum.GetValues<VenueAnswerKind>().ToHashSet(), covered);
    }

    [Fact]
    public void Unknown_then_a_lookup_fill_books_the_order_once()
    {
        var state = ExternalSubmitted();

        var unknown = TenantDecisions.OutcomeOf(state, ExternalBuy, VenueAnswerKind.Unknown, null, "timeout", false, Now)!;
        state = state.Apply(unknown);
        Assert.Null(TenantDecisions.OutcomeOf(state, ExternalBuy, VenueAnswerKind.Unknown, null, "timeout", false, Now));
        state = state.Apply(TenantDecisions.OutcomeOf(state, ExternalBuy, VenueAnswerKind.Filled, BuyFill, null, true, Now)!);

        Assert.Empty(state.Open);
        Assert.Equal(1, state.OrdersFilled);
        Assert.Equal(OrderStatus.Filled, Assert.Single(state.Recent).Status);
    }
}
