using TradingActors.Brokers.Kis;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Tests.Venues.Kis;

/// <summary>
/// Reconciliation by inquiry, pure: which daily order row is the order looked up (no client order id at KIS), and
/// what state a row means.
/// </summary>
public sealed class KisReconciliationTests
{
    /// <summary>2025-03-04 10:00:00 KST.</summary>
    private static readonly DateTimeOffset T0 = new(2025, 3, 4, 1, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan NoTolerance = TimeSpan.Zero;

    private static KisOrderRow Row(string odno, DateTimeOffset at, string code = "005930", string side = "02", string qty = "10",
        string filled = "0", string remaining = "10", string cancelled = "N", string original = "") => new()
    {
        OrderDate = KisWire.Date(at),
        OrderTime = KisWire.Time(at),
        OrderBranch = "06010",
        OrderNumber = odno,
        OriginalOrderNumber = original,
        Code = code,
        SideCode = side,
        Quantity = qty,
        UnitPrice = "70000",
        OrderDivision = "00",
        FilledQuantity = filled,
        AveragePrice = filled == "0" ? "0" : "70000",
        FilledAmount = filled == "0" ? "0" : (decimal.Parse(filled) * 70_000m).ToString(),
        RemainingQuantity = remaining,
        Cancelled = cancelled,
        CancelConfirmedQuantity = "0",
        RejectedQuantity = "0",
    };

    private static OrderLookup Lookup(DateTimeOffset? sentAfter, params string[] known) =>
        new("cid-1", "005930", OrderSide.Buy, 10m) { SentAfter = sentAfter, KnownVenueOrderIds = known };

    private static string? Match(OrderLookup lookup, TimeSpan tolerance, params KisOrderRow[] rows) => KisReconciliation.Match(rows, lookup, tolerance)?.OrderNumber;

    // ---- matching without a venue order id

    [Fact]
    public void Of_two_identical_orders_the_one_already_known_is_skipped()
    {
        var rows = new[] { Row("0000000001", T0.AddSeconds(1)), Row("0000000002", T0.AddSeconds(2)) };

        Assert.Equal("0000000002", Match(Lookup(T0, "0000000001"), NoTolerance, rows));
        Assert.Equal("0000000001", Match(Lookup(T0, "0000000002"), NoTolerance, rows));
        Assert.Null(Match(Lookup(T0, "0000000001", "0000000002"), NoTolerance, rows));
    }

    [Fact]
    public void Of_identical_unknown_orders_the_earliest_is_taken_whatever_the_row_order()
    {
        var rows = new[] { Row("0000000009", T0.AddSeconds(9)), Row("0000000007", T0.AddSeconds(3)), Row("0000000008", T0.AddSeconds(5)) };

        Assert.Equal("0000000007", Match(Lookup(T0), NoTolerance, rows));
    }

    [Fact]
    public void Orders_stamped_in_the_same_second_are_taken_in_order_number_order()
    {
        var rows = new[] { Row("0000000012", T0), Row("0000000011", T0) };

        Assert.Equal("0000000011", Match(Lookup(T0), NoTolerance, rows));
    }

    [Fact]
    public void An_order_sent_before_the_send_time_is_not_matched()
    {
        Assert.Null(Match(Lookup(T0), NoTolerance, Row("0000000001", T0.AddSeconds(-10))));
        Assert.Null(Match(Lookup(T0), TimeSpan.FromSeconds(2), Row("0000000001", T0.AddSeconds(-3))));
    }

    [Fact]
    public void An_order_within_the_clock_tolerance_before_the_send_time_is_matched() =>
        Assert.Equal("0000000001", Match(Lookup(T0), TimeSpan.FromSeconds(2), Row("0000000001", T0.AddSeconds(-2))));

    [Fact]
    public void An_order_stamped_in_the_second_of_the_send_time_is_matched()
    {
        // The venue stamps to the second: 10:00:00 for an order sent at 10:00:00.900.
        Assert.Equal("0000000001", Match(Lookup(T0.AddMilliseconds(900)), NoTolerance, Row("0000000001", T0)));
        Assert.Null(Match(Lookup(T0.AddMilliseconds(1_000)), NoTolerance, Row("0000000001", T0)));
    }

    [Fact]
    public void Without_a_send_time_any_day_matches() =>
        Assert.Equal("0000000001", Match(Lookup(null), NoTolerance, Row("0000000001", T0.AddDays(-3))));

    [Fact]
    public void A_row_without_a_readable_time_never_matches_a_send_time()
    {
        var row = Row("0000000001", T0.AddSeconds(5)) with { OrderTime = "" };

        Assert.Null(Match(Lookup(T0), NoTolerance, row));
        Assert.Equal("0000000001", Match(Lookup(null), NoTolerance, row));
    }

    [Theory]
    [InlineData("01")]
    [InlineData("00")]
    [InlineData("")]
    public void A_sell_does_not_match_a_buy(string side) =>
        Assert.Null(Match(Lookup(T0), NoTolerance, Row("0000000001", T0.AddSeconds(1), side: side)));

    [Fact]
    public void A_sell_matches_a_sell() =>
        Assert.Equal("0000000001", Match(Lookup(T0) with { Side = OrderSide.Sell }, NoTolerance, Row("0000000001", T0.AddSeconds(1), side: "01")));

    [Fact]
    public void Another_symbol_or_quantity_does_not_match()
    {
        Assert.Null(Match(Lookup(T0), NoTolerance, Row("0000000001", T0.AddSeconds(1), code: "000660")));
        Assert.Null(Match(Lookup(T0), NoTolerance, Row("0000000001", T0.AddSeconds(1), qty: "11")));
        Assert.Equal("0000000001", Match(Lookup(T0), NoTolerance, Row("0000000001", T0.AddSeconds(1), qty: "10.000")));
    }

    [Fact]
    public void A_cancel_or_modify_order_is_not_taken_for_the_order()
    {
        var cancel = Row("0000000002", T0.AddSeconds(1), original: "0000000001", cancelled: "Y");

        Assert.Null(Match(Lookup(T0), NoTolerance, cancel));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("0000000000")]
    [InlineData(null)]
    public void A_blank_or_zero_original_number_is_an_original_order(string? original)
    {
        var row = Row("0000000001", T0.AddSeconds(1)) with { OriginalOrderNumber = original };

        Assert.True(KisReconciliation.IsOriginal(row));
        Assert.Equal("0000000001", Match(Lookup(T0), NoTolerance, row));
    }

    [Fact]
    public void A_row_without_a_number_still_matches_while_numbers_are_known() =>
        Assert.NotNull(KisReconciliation.Match([Row(null!, T0.AddSeconds(1))], Lookup(T0, "0000000001"), NoTolerance));

    // ---- matching by venue order id

    [Fact]
    public void A_venue_order_id_finds_that_order_whatever_it_was_sent_as()
    {
        var rows = new[] { Row("0000000001", T0.AddSeconds(1)), Row("0000000002", T0.AddSeconds(2), code: "000660", side: "01", qty: "3") };

        Assert.Equal("0000000002", Match(Lookup(T0) with { VenueOrderId = "0000000002" }, NoTolerance, rows));
        Assert.Null(Match(Lookup(T0) with { VenueOrderId = "0000000003" }, NoTolerance, rows));
    }

    [Fact]
    public void A_number_repeated_across_days_is_the_first_order_sent_after_the_send_time()
    {
        var rows = new[] { Row("0000000005", T0.AddDays(2)), Row("0000000005", T0.AddDays(-1)), Row("0000000005", T0.AddSeconds(3)), Row("0000000005", T0.AddDays(-2)) };

        var row = KisReconciliation.Match(rows, Lookup(T0) with { VenueOrderId = "0000000005" }, NoTolerance);

        Assert.Equal(KisWire.Date(T0), row!.OrderDate);
    }

    [Fact]
    public void A_wrong_send_time_never_hides_a_numbered_order_the_latest_is_taken()
    {
        var rows = new[] { Row("0000000005", T0.AddDays(-2)), Row("0000000005", T0.AddDays(-1)) };

        var row = KisReconciliation.Match(rows, Lookup(T0) with { VenueOrderId = "0000000005" }, NoTolerance);

        Assert.Equal(KisWire.Date(T0.AddDays(-1)), row!.OrderDate);
    }

    [Fact]
    public void Arguments_are_required()
    {
        Assert.Throws<ArgumentNullException>(() => KisReconciliation.Match(null!, Lookup(T0), NoTolerance));
        Assert.Throws<ArgumentNullException>(() => KisReconciliation.Match([], null!, NoTolerance));
        Assert.Throws<ArgumentNullException>(() => KisReconciliation.ToResult(null!, "c", T0));
    }

    // ---- a row's state

    private static BrokerOrderResult State(KisOrderRow row) => KisReconciliation.ToResult(row, "cid-1", T0.AddHours(1));

    [Fact]
    public void An_open_order_with_nothing_executed_is_accepted()
    {
        var result = State(Row("0000000001", T0));

        Assert.Equal(BrokerOrderStatus.Accepted, result.Status);
        Assert.Null(result.Fill);
        Assert.Equal("cid-1", result.ClientOrderId);
        Assert.Equal("0000000001", result.VenueOrderId);
        Assert.Equal("005930", result.Symbol);
        Assert.Equal(OrderSide.Buy, result.Side);
        Assert.Equal(10m, result.Quantity);
        Assert.Equal(70_000m, result.LimitPrice);
        Assert.Null(result.RejectReason);
        Assert.False(result.IsFinal);
    }

    [Fact]
    public void A_part_executed_with_the_rest_open_is_partially_filled_cumulatively()
    {
        var result = State(Row("0000000001", T0, filled: "4", remaining: "6"));

        Assert.Equal(BrokerOrderStatus.PartiallyFilled, result.Status);
        Assert.Equal(4m, result.Fill!.Quantity);
        Assert.Equal(70_000m, result.Fill.Price);
        Assert.Equal(0m, result.Fill.Fee);
        Assert.Equal("0000000001", result.Fill.VenueOrderId);
        Assert.Equal(T0, result.Fill.Time);
    }

    [Fact]
    public void All_executed_is_filled()
    {
        var result = State(Row("0000000001", T0, filled: "10", remaining: "0"));

        Assert.Equal(BrokerOrderStatus.Filled, result.Status);
        Assert.Equal(10m, result.Fill!.Quantity);
        Assert.True(result.IsFinal);
    }

    [Theory]
    [InlineData("Y", "0", "0", "6")]
    [InlineData("N", "6", "0", "6")]
    [InlineData("N", "0", "6", "6")]
    [InlineData("N", "0", "0", "0")]
    [InlineData("N", "0", "0", "-1")]
    public void Cancelled_refused_or_ended_with_a_part_unfilled_is_cancelled_keeping_the_executed_part(string cncl, string cancelledQty, string rejectedQty, string remaining)
    {
        var row = Row("0000000001", T0, filled: "4", remaining: remaining, cancelled: cncl) with { CancelConfirmedQuantity = cancelledQty, RejectedQuantity = rejectedQty };

        var result = State(row);

        Assert.Equal(BrokerOrderStatus.Cancelled, result.Status);
        Assert.Equal(4m, result.Fill!.Quantity);
    }

    [Fact]
    public void A_cancelled_order_with_nothing_executed_has_no_fill()
    {
        var result = State(Row("0000000001", T0, remaining: "0", cancelled: "Y"));

        Assert.Equal(BrokerOrderStatus.Cancelled, result.Status);
        Assert.Null(result.Fill);
    }

    [Fact]
    public void An_order_left_open_on_an_earlier_day_has_ended()
    {
        var row = Row("0000000001", T0.AddDays(-1), filled: "4", remaining: "6");

        Assert.Equal(BrokerOrderStatus.Cancelled, State(row).Status);
        Assert.Equal(BrokerOrderStatus.PartiallyFilled, KisReconciliation.ToResult(row, "c", T0.AddDays(-1)).Status);
    }

    [Fact]
    public void A_filled_order_of_an_earlier_day_stays_filled() =>
        Assert.Equal(BrokerOrderStatus.Filled, State(Row("0000000001", T0.AddDays(-1), filled: "10", remaining: "0")).Status);

    [Theory]
    [InlineData("", "0", BrokerOrderStatus.Accepted)]
    [InlineData(" ", "4", BrokerOrderStatus.PartiallyFilled)]
    [InlineData(null, "10", BrokerOrderStatus.Filled)]
    public void A_blank_remaining_quantity_is_what_was_not_executed_cancelled_or_refused(string? remaining, string filled, BrokerOrderStatus status) =>
        Assert.Equal(status, State(Row("0000000001", T0, filled: filled) with { RemainingQuantity = remaining }).Status);

    [Fact]
    public void A_blank_remaining_quantity_with_the_rest_cancelled_has_ended()
    {
        var row = Row("0000000001", T0, filled: "4") with { RemainingQuantity = "", CancelConfirmedQuantity = "6" };

        Assert.Equal(BrokerOrderStatus.Cancelled, State(row).Status);
    }

    [Fact]
    public void A_zero_quantity_row_is_never_filled() =>
        Assert.Equal(BrokerOrderStatus.Cancelled, State(Row("0000000001", T0, qty: "0", remaining: "0")).Status);

    [Fact]
    public void Without_an_average_price_the_fill_is_priced_from_its_amount()
    {
        var row = Row("0000000001", T0, filled: "4", remaining: "6") with { AveragePrice = "", FilledAmount = "281000" };

        Assert.Equal(70_250m, State(row).Fill!.Price);
    }

    [Fact]
    public void The_average_price_wins_over_the_amount()
    {
        var row = Row("0000000001", T0, filled: "4", remaining: "6") with { AveragePrice = "70100", FilledAmount = "1" };

        Assert.Equal(70_100m, State(row).Fill!.Price);
    }

    [Fact]
    public void A_market_order_has_no_limit_price()
    {
        Assert.Null(State(Row("0000000001", T0) with { OrderDivision = "01", UnitPrice = "70000" }).LimitPrice);
        Assert.Null(State(Row("0000000001", T0) with { OrderDivision = "", UnitPrice = "0" }).LimitPrice);
        Assert.Equal(70_000m, State(Row("0000000001", T0) with { OrderDivision = "" }).LimitPrice);
    }

    [Fact]
    public void A_row_without_a_readable_time_fills_at_the_time_asked()
    {
        var now = T0.AddHours(1);

        var result = KisReconciliation.ToResult(Row("0000000001", T0, filled: "10", remaining: "0") with { OrderTime = "x" }, "c", now);

        Assert.Equal(now, result.Fill!.Time);
    }

    [Fact]
    public void A_row_without_a_number_fills_under_an_empty_one() =>
        Assert.Equal("", State(Row(null!, T0, filled: "10", remaining: "0")).Fill!.VenueOrderId);

    [Fact]
    public void Sides_are_coded_01_sell_02_buy()
    {
        Assert.Equal("01", KisReconciliation.SideCode(OrderSide.Sell));
        Assert.Equal("02", KisReconciliation.SideCode(OrderSide.Buy));
        Assert.Equal(OrderSide.Sell, KisReconciliation.SideOf("01"));
        Assert.Equal(OrderSide.Buy, KisReconciliation.SideOf("02"));
        Assert.Null(KisReconciliation.SideOf("00"));
        Assert.Null(KisReconciliation.SideOf(null));
        Assert.Equal(OrderSide.Sell, State(Row("0000000001", T0, side: "01")).Side);
    }
}
