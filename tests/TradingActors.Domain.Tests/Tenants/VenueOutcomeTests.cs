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

    // Working: held by the venue under V-9; partly filled, 0.004 of 0.01 booked.
    private static readonly Fill Part = new(0.004m, 60_000m, 0.24m, "V-9", Now);
    private static readonly Fill MorePart = new(0.007m, 60_010m, 0.42m, "V-9", Now);
    private static TenantState ExternalResting() => ExternalSubmitted().Then(new OrderWorking(ExternalBuy, null, "V-9", T0));
    private static TenantState ExternalPartlyFilled() => ExternalSubmitted().Then(new OrderWorking(ExternalBuy, Part, "V-9", T0));

    /// <summary>A paper order working with a part booked (no paper venue rests orders; the ledger's rules hold for any account).</summary>
    private static TenantState PaperPartlyFilled(decimal cash) => Paper(cash).Then(new OrderSubmitted(PaperBuy, T0), new OrderWorking(PaperBuy, Part, "V-9", T0));

    private sealed record Case(TenantState State, OrderIntent Intent, VenueAnswerKind Kind, Fill? Fill, string? Reason, bool IsLookup, ITenantEvent? Expected)
    {
        public string? VenueOrderId { get; init; }
    }

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
        // 0.004 of the paper buy booked (240.24 paid): the rest, 0.006 for 360.36, is what must fit.
        ["a paper fill of a partly booked order needs cash for the rest only"] = new(
            PaperPartlyFilled(240.24m + 360.36m), PaperBuy, VenueAnswerKind.Filled, BuyFill, null, true, new OrderFilled(PaperBuy, BuyFill, Now)),
        ["a paper fill of a partly booked order whose rest does not fit is rejected"] = new(
            PaperPartlyFilled(240.24m + 360.35m), PaperBuy, VenueAnswerKind.Filled, BuyFill, null, true, new OrderRejected(PaperBuy, "insufficient funds at the fill price", Now)),
        ["a paper fill that adds nothing to what is booked is filled with no cash left"] = new(
            PaperPartlyFilled(240.24m), PaperBuy, VenueAnswerKind.Filled, Part, null, true, new OrderFilled(PaperBuy, Part, Now)),
        ["an external fill of a partly filled order is its final cumulative fill"] = new(
            ExternalPartlyFilled(), ExternalBuy, VenueAnswerKind.Filled, BuyFill, null, true, new OrderFilled(ExternalBuy, BuyFill, Now)),

        // ---- Accepted: working
        ["a submitted order the venue accepted is working, with its venue order id"] = new(
            ExternalSubmitted(), ExternalBuy, VenueAnswerKind.Accepted, null, null, false, new OrderWorking(ExternalBuy, null, "V-9", Now)) { VenueOrderId = "V-9" },
        ["a submitted order accepted without a venue order id is working"] = new(
            ExternalSubmitted(), ExternalBuy, VenueAnswerKind.Accepted, null, null, false, new OrderWorking(ExternalBuy, null, null, Now)),
        ["an unknown order a lookup finds open is working"] = new(
            ExternalUnknown(), ExternalBuy, VenueAnswerKind.Accepted, null, null, true, new OrderWorking(ExternalBuy, null, "V-9", Now)) { VenueOrderId = "V-9" },
        ["an order needing attention that a lookup finds open is working"] = new(
            ExternalNeedsAttention(), ExternalBuy, VenueAnswerKind.Accepted, null, null, true, new OrderWorking(ExternalBuy, null, "V-9", Now)) { VenueOrderId = "V-9" },
        ["a submitted order found partly filled is working with its fill"] = new(
            ExternalSubmitted(), ExternalBuy, VenueAnswerKind.Accepted, Part, null, true, new OrderWorking(ExternalBuy, Part, "V-9", Now)) { VenueOrderId = "V-9" },
        ["a resting order found as it was is nothing new"] = new(
            ExternalResting(), ExternalBuy, VenueAnswerKind.Accepted, null, null, true, null) { VenueOrderId = "V-9" },
        ["a resting order found without its venue order id is nothing new"] = new(ExternalResting(), ExternalBuy, VenueAnswerKind.Accepted, null, null, true, null),
        ["a resting order that starts to fill is working with its fill"] = new(
            ExternalResting(), ExternalBuy, VenueAnswerKind.Accepted, Part, null, true, new OrderWorking(ExternalBuy, Part, "V-9", Now)) { VenueOrderId = "V-9" },
        ["a partly filled order found with the same fill is nothing new"] = new(
            ExternalPartlyFilled(), ExternalBuy, VenueAnswerKind.Accepted, Part, null, true, null) { VenueOrderId = "V-9" },
        ["a partly filled order found with less filled keeps what is booked and is nothing new"] = new(
            ExternalPartlyFilled(), ExternalBuy, VenueAnswerKind.Accepted, Part with { Quantity = 0.003m }, null, true, null) { VenueOrderId = "V-9" },
        ["a partly filled order whose fill grew is working with the cumulative fill"] = new(
            ExternalPartlyFilled(), ExternalBuy, VenueAnswerKind.Accepted, MorePart, null, true, new OrderWorking(ExternalBuy, MorePart, "V-9", Now)) { VenueOrderId = "V-9" },
        ["a working order whose venue order id becomes known keeps its booked fill"] = new(
            ExternalSubmitted().Then(new OrderWorking(ExternalBuy, Part, null, T0)), ExternalBuy, VenueAnswerKind.Accepted, Part, null, true,
            new OrderWorking(ExternalBuy, Part, "V-9", Now)) { VenueOrderId = "V-9" },
        ["a partly filled order whose fill grew, reported without a venue order id, keeps the one known"] = new(
            ExternalPartlyFilled(), ExternalBuy, VenueAnswerKind.Accepted, MorePart, null, true, new OrderWorking(ExternalBuy, MorePart, "V-9", Now)),
        ["a working order reported under another venue order id takes it"] = new(
            ExternalPartlyFilled(), ExternalBuy, VenueAnswerKind.Accepted, null, null, true, new OrderWorking(ExternalBuy, Part, "V-10", Now)) { VenueOrderId = "V-10" },
        ["an accepted answer for an order the ledger does not hold open is nothing"] = new(
            ExternalWithoutOpenOrder(), ExternalBuy, VenueAnswerKind.Accepted, Part, null, true, null) { VenueOrderId = "V-9" },
        ["an accepted paper answer is nothing: paper orders are never open"] = new(Paper(1_000m), PaperBuy, VenueAnswerKind.Accepted, Part, null, false, null) { VenueOrderId = "V-9" },

        // ---- Cancelled
        ["a resting order that ended unfilled is cancelled with the venue's reason"] = new(
            ExternalResting(), ExternalBuy, VenueAnswerKind.Cancelled, null, "expired", true, new OrderCancelled(ExternalBuy, "expired", Now)),
        ["a cancellation without a reason says cancelled"] = new(
            ExternalSubmitted(), ExternalBuy, VenueAnswerKind.Cancelled, null, null, false, new OrderCancelled(ExternalBuy, "cancelled", Now)),
        ["an order that ended unfilled after part of it was booked ended filled with that part"] = new(
            ExternalPartlyFilled(), ExternalBuy, VenueAnswerKind.Cancelled, null, "cancelled by the client", true, new OrderFilled(ExternalBuy, Part, Now)),

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

        var outcome = TenantDecisions.OutcomeOf(c.State, c.Intent, c.Kind, c.Fill, c.Reason, c.IsLookup, Now, c.VenueOrderId);

        Assert.Equal(c.Expected, outcome);
    }

    [Theory]
    [InlineData(VenueAnswerKind.NotFound, false)]
    [InlineData(VenueAnswerKind.NotFound, true)]
    [InlineData(VenueAnswerKind.Duplicate, false)]
    [InlineData(VenueAnswerKind.Duplicate, true)]
    public void An_answer_that_settles_nothing_leaves_the_order_open(VenueAnswerKind kind, bool isLookup)
    {
        Assert.Null(TenantDecisions.OutcomeOf(ExternalSubmitted(), ExternalBuy, kind, null, "x", isLookup, Now));
        Assert.Null(TenantDecisions.OutcomeOf(ExternalUnknown(), ExternalBuy, kind, null, "x", isLookup, Now));
        Assert.Null(TenantDecisions.OutcomeOf(ExternalPartlyFilled(), ExternalBuy, kind, null, "x", isLookup, Now, "V-9"));
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
            .Concat([VenueAnswerKind.NotFound, VenueAnswerKind.Duplicate])
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

    [Fact]
    public void A_working_order_that_fills_in_two_parts_books_each_part_once_however_often_it_is_looked_up()
    {
        var state = ExternalSubmitted();
        var reports = new (VenueAnswerKind Kind, Fill? Fill)[]
        {
            (VenueAnswerKind.Accepted, null), (VenueAnswerKind.Accepted, null), (VenueAnswerKind.Accepted, Part), (VenueAnswerKind.Accepted, Part),
            (VenueAnswerKind.Accepted, Part), (VenueAnswerKind.Filled, BuyFill),
        };
        var persisted = new List<ITenantEvent>();
        foreach (var (kind, fill) in reports)
        {
            if (TenantDecisions.OutcomeOf(state, ExternalBuy, kind, fill, null, true, Now, "V-9") is not { } e) continue;
            persisted.Add(e);
            state = state.Apply(e);
        }

        Assert.Equal([new OrderWorking(ExternalBuy, null, "V-9", Now), new OrderWorking(ExternalBuy, Part, "V-9", Now), new OrderFilled(ExternalBuy, BuyFill, Now)], persisted);
        Assert.Empty(state.Open);
        Assert.Equal(1, state.OrdersFilled);
        Assert.Equal(BuyFill, Assert.Single(state.Recent).Fill);
    }
}
