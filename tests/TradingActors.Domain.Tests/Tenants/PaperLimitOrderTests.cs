using TradingActors.Domain.Orders;
using TradingActors.Domain.Paper;
using TradingActors.Domain.Tenants;
using static TradingActors.Domain.Tests.Tenants.TenantHistory;

namespace TradingActors.Domain.Tests.Tenants;

/// <summary>
/// Resting paper limit orders (decision 027): the paper venue takes a limit it cannot fill now as working, the tenant's
/// ledger opens it, and a price that crosses it fills it whole at its limit with the paper fee (no slippage), or cancels
/// it when the account can no longer pay. Numbers: fee 0.1%, 0.01 BTC.
/// </summary>
public sealed class PaperLimitOrderTests
{
    private static readonly PaperVenueCosts Costs = new(0.001m, 5m);
    private static readonly DateTimeOffset T1 = T0.AddMinutes(1);

    private static OrderIntent Limit(long n, OrderSide side, decimal limit, decimal quantity = 0.01m, string account = PaperAccountId, string symbol = Symbol) =>
        new(ClientOrderIds.Create(Tenant, account, "manual:k" + n, 0, 0), account, "manual:k" + n, 0, symbol, side, quantity, 50_000m, OrderType.Limit, limit);

    private static OrderWorking Rests(OrderIntent intent) => new(intent, null, "P-" + intent.ClientOrderId, T0);

    [Fact]
    public void A_limit_the_paper_venue_takes_to_rest_opens_working_in_the_ledger_once()
    {
        var buy = Limit(1, OrderSide.Buy, 49_000m);
        var outcome = TenantDecisions.OutcomeOf(WithAccounts(), buy, VenueAnswerKind.Accepted, null, null, isLookup: false, T0, "P-" + buy.ClientOrderId);
        Assert.Equal(Rests(buy), outcome);

        var s = WithAccounts().Then(Rests(buy));
        Assert.Equal(new OrderRecord(buy, OrderStatus.Working, null, null, T0, T0, "P-" + buy.ClientOrderId), s.Open[buy.ClientOrderId]);
        Assert.True(s.Knows(buy.ClientOrderId));
        Assert.Equal(10_000m, s.Accounts[PaperAccountId].Paper!.Cash); // nothing booked until it fills
        // The same report again, or a report once it ended, changes nothing.
        Assert.Null(TenantDecisions.OutcomeOf(s, buy, VenueAnswerKind.Accepted, null, null, isLookup: false, T1, "P-" + buy.ClientOrderId));
        Assert.Equal(s, s.Then(Rests(buy)));
        var ended = s.Then(new OrderCancelled(buy, "by the trader", T1));
        Assert.Empty(ended.Then(Rests(buy)).Open);
        // Only a paper account's orders open this way: an external one's is followed only once submitted.
        var external = Limit(2, OrderSide.Buy, 49_000m, account: ExternalAccountId);
        Assert.Null(TenantDecisions.OutcomeOf(WithAccounts(), external, VenueAnswerKind.Accepted, null, null, isLookup: false, T0, "V-1"));
        Assert.Empty(WithAccounts().Then(new OrderWorking(external, null, "V-1", T0)).Open);
    }

    public sealed record CrossRow(string Rule, OrderSide Side, decimal Limit, decimal Low, decimal High, bool Fills);

    public static TheoryData<CrossRow> Crossings => new()
    {
        new("a buy fills when the price falls to its limit", OrderSide.Buy, 49_000m, 49_000m, 49_000m, true),
        new("a buy fills when the price falls through its limit", OrderSide.Buy, 49_000m, 48_500m, 48_500m, true),
        new("a buy rests while the price stays above its limit", OrderSide.Buy, 49_000m, 49_000.01m, 51_000m, false),
        new("a buy fills when a busy spell's low reached it", OrderSide.Buy, 49_000m, 48_999m, 50_500m, true),
        new("a sell fills when the price rises to its limit", OrderSide.Sell, 51_000m, 51_000m, 51_000m, true),
        new("a sell rests while the price stays below its limit", OrderSide.Sell, 51_000m, 49_000m, 50_999.99m, false),
        new("a sell fills when a busy spell's high reached it", OrderSide.Sell, 51_000m, 49_000m, 51_000.5m, true),
    };

    [Theory]
    [MemberData(nameof(Crossings))]
    public void Prices_cross_resting_orders(CrossRow row)
    {
        var order = Limit(1, row.Side, row.Limit);
        var s = WithAccounts().Then(new OrderFilled(Limit(9, OrderSide.Buy, 50_000m), new Fill(0.02m, 50_000m, 1m, "P-x", T0), T0), Rests(order));

        var events = PaperLimitOrders.Crossed(s, Symbol, row.Low, row.High, Costs, T1);

        if (!row.Fills)
        {
            Assert.Empty(events);
            return;
        }
        // At its limit, never better nor worse: 0.01 * limit * 0.1% fee.
        var fill = new Fill(0.01m, row.Limit, 0.01m * row.Limit * 0.001m, "P-" + order.ClientOrderId, T1);
        Assert.Equal([new OrderFilled(order, fill, T1)], events);
        var after = s.Then(events.ToArray());
        Assert.Empty(after.Open);
        var cash = row.Side == OrderSide.Buy ? 10_000m - 1_001m - 0.01m * row.Limit - fill.Fee : 10_000m - 1_001m + 0.01m * row.Limit - fill.Fee;
        Assert.Equal(cash, after.Accounts[PaperAccountId].Paper!.Cash);
    }

    [Fact]
    public void Orders_fill_oldest_first_against_the_account_as_the_earlier_ones_leave_it_and_one_that_cannot_be_paid_is_cancelled()
    {
        // 1 100 cash: the first buy (0.02 at 50 000 = 1 000 + 1 fee) fits, the second (0.01 at 49 000) no longer does.
        var first = Limit(1, OrderSide.Buy, 50_000m, quantity: 0.02m);
        var second = Limit(2, OrderSide.Buy, 49_000m);
        var s = WithAccounts(paperCash: 1_100m).Then(Rests(first), Rests(second) with { At = T0.AddSeconds(1) });
        s = s with { Open = s.Open.SetItem(second.ClientOrderId, s.Open[second.ClientOrderId] with { SubmittedAt = T0.AddSeconds(1) }) };

        var events = PaperLimitOrders.Crossed(s, Symbol, 48_000m, 48_000m, Costs, T1);

        Assert.Equal(2, events.Count);
        Assert.Equal(new OrderFilled(first, new Fill(0.02m, 50_000m, 1m, "P-" + first.ClientOrderId, T1), T1), events[0]);
        var cancelled = Assert.IsType<OrderCancelled>(events[1]);
        Assert.Equal(second, cancelled.Intent);
        Assert.Equal("cancelled by the paper venue: its limit 49000 was reached but the account no longer has the cash", cancelled.Reason);
        Assert.Empty(s.Then(events.ToArray()).Open);
    }

    [Fact]
    public void A_sell_whose_holding_was_sold_meanwhile_is_cancelled_and_other_symbols_and_accounts_are_left_alone()
    {
        var sell = Limit(1, OrderSide.Sell, 51_000m);
        var eth = Limit(2, OrderSide.Buy, 3_000m, symbol: "ETHUSDT");
        var external = Limit(3, OrderSide.Buy, 60_000m, account: ExternalAccountId);
        var s = WithAccounts().Then(Rests(sell), Rests(eth), new OrderSubmitted(external, T0), new OrderWorking(external, null, "V-3", T0));

        var events = PaperLimitOrders.Crossed(s, Symbol, 40_000m, 52_000m, Costs, T1);

        Assert.Equal("cancelled by the paper venue: its limit 51000 was reached but the account no longer holds the quantity",
            Assert.IsType<OrderCancelled>(Assert.Single(events)).Reason);
        Assert.Equal(new HashSet<string> { Symbol, "ETHUSDT" }, PaperLimitOrders.WatchedSymbols(s));
        Assert.True(PaperLimitOrders.IsResting(s, s.Open[eth.ClientOrderId]));
        Assert.False(PaperLimitOrders.IsResting(s, s.Open[external.ClientOrderId]));
        Assert.Empty(PaperLimitOrders.WatchedSymbols(WithAccounts()));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(-1, 1)]
    [InlineData(2, 1)]
    public void Prices_must_be_positive_and_in_order(decimal low, decimal high) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PaperLimitOrders.Crossed(WithAccounts(), Symbol, low, high, Costs, T1));

    [Fact]
    public void Prices_out_of_order_are_refused_naming_them()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => PaperLimitOrders.Crossed(WithAccounts(), Symbol, 2m, 1m, Costs, T1));
        Assert.Equal("low", e.ParamName);
        Assert.StartsWith("prices must be positive with low <= high (got 2..1)", e.Message);
    }

    public sealed record AffordRow(string Rule, OrderSide Side, decimal Cash, decimal Held, bool Fills);

    // A buy of 0.01 at 49 000 costs 490 + 0.49 fee = 490.49; a sell of 0.01 needs 0.01 held.
    public static TheoryData<AffordRow> Affordability => new()
    {
        new("a buy the cash exactly pays for", OrderSide.Buy, 490.49m, 0m, true),
        new("a buy the cash is a cent short of", OrderSide.Buy, 490.48m, 0m, false),
        new("a buy the cash pays for without its fee only", OrderSide.Buy, 490m, 0m, false),
        new("a sell of exactly what is held", OrderSide.Sell, 10_000m, 0.01m, true),
        new("a sell of a hair more than is held", OrderSide.Sell, 10_000m, 0.009999m, false),
    };

    [Theory]
    [MemberData(nameof(Affordability))]
    public void A_crossed_order_fills_when_the_account_can_pay_for_it_to_the_cent(AffordRow row)
    {
        var limit = row.Side == OrderSide.Buy ? 49_000m : 51_000m;
        var order = Limit(1, row.Side, limit);
        // The holding bought for nothing (no fee) so the cash is what the row says.
        var s = WithAccounts(paperCash: row.Cash + row.Held * 1m);
        if (row.Held > 0) s = s.Then(new OrderFilled(Limit(9, OrderSide.Buy, 1m, row.Held), new Fill(row.Held, 1m, 0m, "P-x", T0), T0));
        s = s.Then(Rests(order));
        Assert.Equal(row.Cash, s.Accounts[PaperAccountId].Paper!.Cash);

        var e = Assert.Single(PaperLimitOrders.Crossed(s, Symbol, 48_000m, 52_000m, Costs, T1));

        Assert.Equal(row.Fills, e is OrderFilled);
    }

    [Fact]
    public void A_resting_order_without_a_venue_id_fills_under_the_paper_venues_own()
    {
        var order = Limit(1, OrderSide.Buy, 49_000m);
        var s = WithAccounts().Then(new OrderWorking(order, null, null, T0));
        Assert.Null(s.Open[order.ClientOrderId].VenueOrderId);
        var filled = Assert.IsType<OrderFilled>(Assert.Single(PaperLimitOrders.Crossed(s, Symbol, 48_000m, 48_000m, Costs, T1)));
        Assert.Equal("P-" + order.ClientOrderId, filled.Fill.VenueOrderId);
        // With one, its own.
        var own = WithAccounts().Then(new OrderWorking(order, null, "P-own", T0));
        Assert.Equal("P-own", Assert.IsType<OrderFilled>(Assert.Single(PaperLimitOrders.Crossed(own, Symbol, 48_000m, 48_000m, Costs, T1))).Fill.VenueOrderId);
    }

    [Fact]
    public void Orders_resting_since_the_same_moment_go_in_client_order_id_order()
    {
        // Cash for one buy of 0.01 at 49 000 (490.49): the one whose id sorts first fills, the other is cancelled.
        var a = Limit(1, OrderSide.Buy, 49_000m);
        var b = Limit(2, OrderSide.Buy, 49_000m);
        var (first, second) = string.CompareOrdinal(a.ClientOrderId, b.ClientOrderId) < 0 ? (a, b) : (b, a);
        foreach (var s in new[] { WithAccounts(paperCash: 500m).Then(Rests(a), Rests(b)), WithAccounts(paperCash: 500m).Then(Rests(b), Rests(a)) })
        {
            var events = PaperLimitOrders.Crossed(s, Symbol, 48_000m, 48_000m, Costs, T1);
            Assert.Equal(first, Assert.IsType<OrderFilled>(events[0]).Intent);
            Assert.Equal(second, Assert.IsType<OrderCancelled>(events[1]).Intent);
        }
    }

    [Fact]
    public void Only_a_working_limit_order_rests()
    {
        // A paper limit order submitted but not taken to rest, and a paper market order reported working: neither rests.
        var submitted = Limit(1, OrderSide.Buy, 49_000m);
        var market = Limit(2, OrderSide.Buy, 49_000m) with { Type = OrderType.Market, LimitPrice = null };
        var s = WithAccounts().Then(new OrderSubmitted(submitted, T0), new OrderWorking(market, null, "P-2", T0));
        Assert.Equal((OrderStatus.Submitted, OrderStatus.Working), (s.Open[submitted.ClientOrderId].Status, s.Open[market.ClientOrderId].Status));
        Assert.False(PaperLimitOrders.IsResting(s, s.Open[submitted.ClientOrderId]));
        Assert.False(PaperLimitOrders.IsResting(s, s.Open[market.ClientOrderId]));
        Assert.Empty(PaperLimitOrders.WatchedSymbols(s));
        var resting = Limit(3, OrderSide.Buy, 49_000m);
        var rests = s.Then(Rests(resting));
        Assert.True(PaperLimitOrders.IsResting(rests, rests.Open[resting.ClientOrderId]));
    }
}
