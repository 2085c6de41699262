using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using static TradingActors.Domain.Tests.Tenants.TenantHistory;

namespace TradingActors.Domain.Tests.Tenants;

/// <summary>
/// How TenantState applies OrderWorking, OrderFilled after it, and OrderCancelled: each part of a fill is booked once
/// (subscription holding, paper cash and position), whatever the order of reports, and a replay gives the same state.
/// </summary>
public sealed class WorkingOrderTests
{
    private static readonly OrderIntent ExternalBuy = Intent(1, OrderSide.Buy, 0.01m, ExternalAccountId, price: 60_000m);
    private static readonly OrderIntent ExternalSell = Intent(2, OrderSide.Sell, 0.01m, ExternalAccountId, price: 60_000m);
    private static readonly OrderIntent PaperBuy = Intent(1, OrderSide.Buy, 0.01m, PaperAccountId, price: 60_000m);

    private static readonly Fill Part = new(0.004m, 60_000m, 0.24m, "V-9", T0);
    private static readonly Fill All = new(0.01m, 60_006m, 0.6m, "V-9", T0.AddMinutes(2));

    /// <summary>Following on the external account, the buy submitted.</summary>
    private static TenantState Submitted() => Following(ExternalAccountId).Then(new OrderSubmitted(ExternalBuy, T0));

    private static decimal Held(TenantState s) => s.Subscriptions[Strategy].Held;

    [Fact]
    public void A_working_report_makes_the_open_order_working_with_its_venue_order_id_and_books_nothing_unfilled()
    {
        var s = Submitted().Then(new OrderMarkedUnknown(ExternalBuy, "timeout", T0.AddSeconds(5)), new OrderWorking(ExternalBuy, null, "V-9", T0.AddMinutes(1)));

        var order = s.Open[ExternalBuy.ClientOrderId];
        Assert.Equal(new OrderRecord(ExternalBuy, OrderStatus.Working, null, null, T0.AddMinutes(1), T0, "V-9"), order);
        Assert.True(order.IsOpen);
        Assert.Equal(0m, Held(s));
        Assert.Equal(0, s.OrdersFilled);
        Assert.Same(order, s.OpenOrderOf(Strategy)); // still blocks the subscription's next signal
    }

    [Fact]
    public void A_partial_fill_is_booked_when_its_report_is_applied_and_the_final_fill_books_only_the_rest()
    {
        var working = Submitted().Then(new OrderWorking(ExternalBuy, Part, "V-9", T0.AddMinutes(1)));
        Assert.Equal(0.004m, Held(working));
        Assert.Equal(Part, working.Open[ExternalBuy.ClientOrderId].Fill);
        Assert.Equal(Part, working.BookedFill(ExternalBuy));

        var filled = working.Then(new OrderFilled(ExternalBuy, All, T0.AddMinutes(2)));

        Assert.Equal(0.01m, Held(filled));
        Assert.Equal(1, filled.OrdersFilled);
        Assert.Empty(filled.Open);
        Assert.Equal(new OrderRecord(ExternalBuy, OrderStatus.Filled, All, null, T0.AddMinutes(2), T0, "V-9"), Assert.Single(filled.Recent));
        Assert.Null(filled.BookedFill(ExternalBuy));
    }

    [Fact]
    public void The_same_report_again_books_nothing_and_a_replay_of_the_events_gives_the_same_state()
    {
        ITenantEvent[] events =
        [
            new OrderWorking(ExternalBuy, null, "V-9", T0.AddMinutes(1)),
            new OrderWorking(ExternalBuy, Part, "V-9", T0.AddMinutes(2)),
            new OrderWorking(ExternalBuy, Part, "V-9", T0.AddMinutes(3)),
            new OrderWorking(ExternalBuy, Part with { Quantity = 0.003m }, null, T0.AddMinutes(4)),
            new OrderFilled(ExternalBuy, All, T0.AddMinutes(5)),
        ];

        var once = Submitted().Then(events);
        var replayed = Submitted().Then(events);

        Assert.Equal(0.01m, Held(once));
        Assert.Equal(Held(once), Held(replayed));
        Assert.Equal(once.Recent, replayed.Recent);
        var afterThree = Submitted().Then(events[..4]);
        Assert.Equal(0.004m, Held(afterThree));
        Assert.Equal(new OrderRecord(ExternalBuy, OrderStatus.Working, Part, null, T0.AddMinutes(4), T0, "V-9"), afterThree.Open[ExternalBuy.ClientOrderId]);
    }

    [Fact]
    public void A_sell_that_fills_in_parts_lowers_the_holding_by_each_part_once()
    {
        var holding = Following(ExternalAccountId).Then(new OrderFilled(Intent(1, OrderSide.Buy, 0.01m, ExternalAccountId), All, T0));
        var s = holding.Then(new OrderSubmitted(ExternalSell, T0), new OrderWorking(ExternalSell, Part, "V-10", T0));
        Assert.Equal(0.006m, Held(s));

        s = s.Then(new OrderFilled(ExternalSell, All with { VenueOrderId = "V-10" }, T0));

        Assert.Equal(0m, Held(s));
    }

    [Fact]
    public void A_paper_order_working_in_parts_books_cash_and_position_per_part_to_the_total()
    {
        // No paper venue rests orders today; the ledger's rule holds for any account.
        var s = WithAccounts(paperCash: 1_000m).Then(new OrderSubmitted(PaperBuy, T0), new OrderWorking(PaperBuy, Part, "V-9", T0));
        var paper = s.Accounts[PaperAccountId].Paper!;
        Assert.Equal(1_000m - 240m - 0.24m, paper.Cash);
        Assert.Equal(0.004m, paper.Held(Symbol));

        s = s.Then(new OrderFilled(PaperBuy, All, T0));

        paper = s.Accounts[PaperAccountId].Paper!;
        Assert.Equal(1_000m - 0.01m * 60_006m - 0.6m, paper.Cash);
        Assert.Equal(0.01m, paper.Held(Symbol));
        Assert.Equal(60_006m, paper.Positions[Symbol].AveragePrice);
        Assert.Equal(0.6m, paper.FeesPaid);
    }

    [Fact]
    public void A_working_report_of_an_order_that_is_not_open_changes_nothing()
    {
        var filled = Submitted().Then(new OrderFilled(ExternalBuy, All, T0));

        Assert.Same(filled, filled.Apply(new OrderWorking(ExternalBuy, All with { Quantity = 0.02m }, "V-9", T0)));
        var empty = WithAccounts();
        Assert.Same(empty, empty.Apply(new OrderWorking(ExternalBuy, Part, "V-9", T0)));
    }

    [Fact]
    public void A_working_report_without_a_venue_order_id_keeps_the_one_known()
    {
        var s = Submitted().Then(new OrderWorking(ExternalBuy, null, "V-9", T0), new OrderWorking(ExternalBuy, Part, null, T0));

        Assert.Equal("V-9", s.Open[ExternalBuy.ClientOrderId].VenueOrderId);
    }

    [Fact]
    public void A_working_report_under_another_venue_order_id_takes_it()
    {
        var s = Submitted().Then(new OrderWorking(ExternalBuy, null, "V-9", T0), new OrderWorking(ExternalBuy, null, "V-10", T0));

        Assert.Equal("V-10", s.Open[ExternalBuy.ClientOrderId].VenueOrderId);
    }

    [Fact]
    public void A_working_report_clears_the_reason_an_unknown_or_flagged_order_had()
    {
        var s = Submitted().Then(new OrderMarkedUnknown(ExternalBuy, "timeout", T0), new OrderNeedsAttention(ExternalBuy, "slow", T0), new OrderWorking(ExternalBuy, null, null, T0));

        Assert.Equal((OrderStatus.Working, (string?)null), (s.Open[ExternalBuy.ClientOrderId].Status, s.Open[ExternalBuy.ClientOrderId].Reason));
    }

    [Fact]
    public void A_cancelled_order_ends_with_its_reason_and_venue_order_id_counted_once_and_advances_its_subscription()
    {
        var s = Submitted().Then(new OrderWorking(ExternalBuy, null, "V-9", T0), new OrderCancelled(ExternalBuy, "cancelled by the client", T0.AddMinutes(1)));

        Assert.Empty(s.Open);
        Assert.Equal(new OrderRecord(ExternalBuy, OrderStatus.Cancelled, null, "cancelled by the client", T0.AddMinutes(1), T0, "V-9"), Assert.Single(s.Recent));
        Assert.Equal((1L, 0L, 0L, 0L), (s.OrdersCancelled, s.OrdersFilled, s.OrdersRejected, s.OrdersFailed));
        Assert.Equal(1, s.LastProcessed(Strategy));
        Assert.Equal(0m, Held(s));
        Assert.Equal(OrderStatus.Cancelled, s.Find(ExternalBuy.ClientOrderId)!.Status);
        Assert.False(s.Recent[0].IsOpen);
    }

    [Fact]
    public void A_cancelled_order_that_was_never_open_ends_without_a_venue_order_id()
    {
        var s = Following(ExternalAccountId).Then(new OrderCancelled(ExternalBuy, "cancelled", T0));

        Assert.Equal(new OrderRecord(ExternalBuy, OrderStatus.Cancelled, null, "cancelled", T0, T0), Assert.Single(s.Recent));
        Assert.Equal(1, s.OrdersCancelled);
    }

    [Fact]
    public void A_cancelled_record_keeps_a_part_booked_before_so_the_ledger_shows_what_was_booked()
    {
        var s = Submitted().Then(new OrderWorking(ExternalBuy, Part, "V-9", T0), new OrderCancelled(ExternalBuy, "cancelled", T0));

        Assert.Equal(Part, Assert.Single(s.Recent).Fill);
        Assert.Equal(0.004m, Held(s));
    }
}
