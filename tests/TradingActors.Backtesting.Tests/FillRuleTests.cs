using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;
using static TradingActors.Backtesting.Tests.Scripted;

namespace TradingActors.Backtesting.Tests;

public class FillRuleTests
{
    private static BacktestSettings Costs(double cash = 10_000, double taker = 0.001, double maker = 0.002, double bps = 10) =>
        new() { InitialCash = cash, TakerFeeRate = taker, MakerFeeRate = maker, SlippageBps = bps };

    [Fact]
    public void Market_buy_fills_at_the_next_open_plus_slippage_and_pays_the_taker_fee()
    {
        var s = new Scripted { Bar = (i, _, o) => { if (i == 0) o.Add(MarketBuy(1, 2)); } };
        var report = Run(s, [B.Flat(0, 100), B.Bar(1, 110, 115, 105, 112), B.Flat(2, 112)], Costs());

        // price = 110 * (1 + 10/10000) = 110.11; notional = 2 * 110.11 = 220.22; fee = 0.001 * 220.22 = 0.22022
        // cash = 10000 - 220.22 - 0.22022 = 9779.55978
        var trade = Assert.Single(report.Trades!);
        Assert.Equal(B.T0.AddHours(1), trade.Time);
        Assert.Equal(OrderSide.Buy, trade.Side);
        Assert.Equal(IntentKind.Market, trade.OrderKind);
        Assert.Equal(2, trade.Quantity);
        Assert.Equal(110.11, trade.Price, 10);
        Assert.Equal(0.22022, trade.Fee, 10);
        Assert.Equal(9779.55978, trade.CashAfter, 8);
        Assert.Equal(2, trade.PositionAfter);
        var fill = Assert.Single(s.Fills);
        Assert.Equal(new StrategyFill(1, OrderSide.Buy, 2, trade.Price, trade.Fee, true), fill);
        // Equity at bar 1's close: 9779.55978 + 2 * 112 = 10003.55978.
        Assert.Equal(10003.55978, report.EquityCurve![1].Equity, 8);
        Assert.Equal(10000, report.EquityCurve[0].Equity);
        Assert.Equal(0.22022, report.Metrics.FeesPaid, 10);
    }

    [Fact]
    public void Market_sell_fills_at_the_next_open_minus_slippage_less_the_taker_fee()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i == 0) o.Add(MarketBuy(1, 2));
                if (i == 1) o.Add(MarketSell(2, 2));
            },
        };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100), B.Bar(2, 120, 121, 119, 120)], Costs());

        // buy: 100.1 * 2 = 200.2 + fee 0.2002 -> cash 9799.5998
        // sell: 120 * 0.999 = 119.88; notional 239.76; fee 0.23976 -> cash 9799.5998 + 239.52024 = 10039.12004
        var sell = report.Trades![1];
        Assert.Equal(OrderSide.Sell, sell.Side);
        Assert.Equal(119.88, sell.Price, 10);
        Assert.Equal(0.23976, sell.Fee, 10);
        Assert.Equal(10039.12004, sell.CashAfter, 8);
        Assert.Equal(0, sell.PositionAfter);
        Assert.Equal(10039.12004, report.Metrics.FinalEquity, 8);
    }

    [Fact]
    public void Quote_sized_market_buy_spends_its_amount_as_notional_at_the_fill_price()
    {
        var s = new Scripted { Bar = (i, _, o) => { if (i == 0) o.Add(StrategyIntent.Market(1, OrderSide.Buy, IntentSizing.Quote, 1000, IntentReason.None)); } };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 125)], Costs(bps: 0));

        // quantity = 1000 / 125 = 8; fee = 0.001 * 1000 = 1; cash = 10000 - 1001 = 8999
        var trade = Assert.Single(report.Trades!);
        Assert.Equal(8, trade.Quantity, 12);
        Assert.Equal(1, trade.Fee, 12);
        Assert.Equal(8999, trade.CashAfter, 9);
    }

    [Fact]
    public void Quote_sized_limit_buy_fixes_its_quantity_at_the_limit_price_when_placed()
    {
        var s = new Scripted { Bar = (i, _, o) => { if (i == 0) o.Add(StrategyIntent.Limit(1, OrderSide.Buy, IntentSizing.Quote, 1000, 100, IntentReason.None)); } };
        // Gaps down to 80: quantity stays 1000 / 100 = 10, bought at 80 -> notional 800, maker fee 0.002 * 800 = 1.6.
        var report = Run(s, [B.Flat(0, 100), B.Bar(1, 80, 85, 79, 84)], Costs());

        var trade = Assert.Single(report.Trades!);
        Assert.Equal(10, trade.Quantity, 12);
        Assert.Equal(80, trade.Price);
        Assert.Equal(1.6, trade.Fee, 12);
        Assert.Equal(10_000 - 801.6, trade.CashAfter, 9);
    }

    [Fact]
    public void Market_order_placed_on_the_last_bar_never_fills_and_is_listed_open_at_end()
    {
        var s = new Scripted { Bar = (i, _, o) => { if (i == 1) o.Add(MarketBuy(4, 1)); } };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100)], Costs());

        Assert.Empty(report.Trades!);
        Assert.Equal(new OrderCounts(1, 0, 0, 0, 1), report.Orders);
        var open = Assert.Single(report.OpenAtEnd);
        Assert.Equal(new OpenOrderAtEnd("TEST", 4, IntentKind.Market, OrderSide.Buy, IntentSizing.Base, 1, 0), open);
        Assert.Empty(s.EndedRefs);
        Assert.Equal(10_000, report.Metrics.FinalEquity);
    }

    [Theory]
    // Opens below the limit: a gap through it fills at the open.
    [InlineData(95, 97, 94, 96, 95.0)]
    // Opens above, trades down through it: fills at the limit.
    [InlineData(105, 106, 99, 101, 100.0)]
    // The low just touches the limit: fills at the limit.
    [InlineData(105, 106, 100, 101, 100.0)]
    public void Limit_buy_fills_when_the_low_reaches_it_at_the_lower_of_open_and_limit(double open, double high, double low, double close, double expected)
    {
        var s = new Scripted { Bar = (i, _, o) => { if (i == 0) o.Add(LimitBuy(1, 1, 100)); } };
        var report = Run(s, [B.Flat(0, 110), B.Bar(1, open, high, low, close)], Costs());

        var trade = Assert.Single(report.Trades!);
        Assert.Equal(expected, trade.Price);
        Assert.Equal(IntentKind.Limit, trade.OrderKind);
        Assert.Equal(expected * 0.002, trade.Fee, 12); // maker fee, no slippage
        Assert.Equal(10_000 - expected * 1.002, trade.CashAfter, 9);
    }

    [Fact]
    public void Limit_buy_rests_untouched_while_the_low_stays_above_it()
    {
        var s = new Scripted { Bar = (i, _, o) => { if (i == 0) o.Add(LimitBuy(1, 1, 100)); } };
        var report = Run(s, [B.Flat(0, 110), B.Bar(1, 105, 106, 100.01, 101), B.Bar(2, 101, 102, 100.5, 101)], Costs());

        Assert.Empty(report.Trades!);
        Assert.Equal(new OrderCounts(1, 0, 0, 0, 1), report.Orders);
        Assert.Equal(100, Assert.Single(report.OpenAtEnd).LimitPrice);
    }

    [Theory]
    [InlineData(110, 112, 108, 111, 110.0)] // gap up through the limit: fills at the open
    [InlineData(100, 106, 99, 104, 105.0)]  // trades up through it: at the limit
    [InlineData(100, 105, 99, 104, 105.0)]  // the high just touches it
    public void Limit_sell_fills_when_the_high_reaches_it_at_the_higher_of_open_and_limit(double open, double high, double low, double close, double expected)
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i == 0) o.Add(MarketBuy(1, 1));
                if (i == 1) o.Add(LimitSell(2, 1, 105));
            },
        };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100), B.Bar(2, open, high, low, close)], Costs(bps: 0));

        var sell = report.Trades![1];
        Assert.Equal(expected, sell.Price);
        Assert.Equal(expected * 0.002, sell.Fee, 12);
        Assert.Equal(0, sell.PositionAfter);
    }

    [Fact]
    public void Limit_sell_below_the_high_rests()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i == 0) o.Add(MarketBuy(1, 1));
                if (i == 1) o.Add(LimitSell(2, 1, 105));
            },
        };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100), B.Bar(2, 100, 104.99, 99, 104)], Costs(bps: 0));

        Assert.Single(report.Trades!);
        Assert.Equal(1, report.Orders.OpenAtEnd);
    }

    [Fact]
    public void Orders_placed_in_a_fill_callback_are_eligible_from_the_next_bar_only()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) => { if (i == 0) o.Add(MarketBuy(1, 1)); },
            // Bar 1 (high 115) would reach this sell at once; it may only fill from bar 2.
            Fill = (f, o) => { if (f.OrderRef == 1) o.Add(LimitSell(2, 1, 105)); },
        };
        var report = Run(s, [B.Flat(0, 100), B.Bar(1, 100, 115, 99, 110), B.Bar(2, 104, 106, 103, 104)], B.Free());

        Assert.Equal(2, report.Trades!.Count);
        Assert.Equal(B.T0.AddHours(2), report.Trades[1].Time);
        Assert.Equal(105, report.Trades[1].Price);
    }

    [Fact]
    public void Market_order_placed_in_a_fill_callback_fills_at_the_next_bars_open()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) => { if (i == 0) o.Add(MarketBuy(1, 1)); },
            Fill = (f, o) => { if (f.OrderRef == 1) o.Add(MarketSell(2, 1)); },
        };
        var report = Run(s, [B.Flat(0, 100), B.Bar(1, 100, 115, 99, 110), B.Bar(2, 107, 108, 106, 107)], B.Free());

        Assert.Equal([100.0, 107.0], report.Trades!.Select(t => t.Price));
        Assert.Equal(B.T0.AddHours(2), report.Trades![1].Time);
    }

    [Fact]
    public void Limit_placed_on_bar_t_does_not_fill_on_bar_t_even_though_its_range_covers_it()
    {
        // Bar 0 spans 90..110; a buy at 95 placed from its OnBar first meets bar 1 (low 96: untouched), then bar 2.
        var s = new Scripted { Bar = (i, _, o) => { if (i == 0) o.Add(LimitBuy(1, 1, 95)); } };
        var report = Run(s, [B.Bar(0, 100, 110, 90, 100), B.Bar(1, 100, 101, 96, 100), B.Bar(2, 100, 101, 94, 100)], B.Free());

        var trade = Assert.Single(report.Trades!);
        Assert.Equal(B.T0.AddHours(2), trade.Time);
    }

    /// <summary>
    /// Cash 100, one unit bought at 100 on bar 1 (cash 0); then a buy at 95 and a sell at 105 rest. On a rising bar
    /// (open→low→high) the buy is reached first and is rejected (no cash yet); on a falling bar (open→high→low) the
    /// sell comes first, and its proceeds pay for the buy.
    /// </summary>
    [Theory]
    [InlineData(104, new[] { "ended 2", "fill 3 sell 1@105 fee 0" }, 105.0, 0.0)]
    [InlineData(96, new[] { "fill 3 sell 1@105 fee 0", "fill 2 buy 1@95 fee 0" }, 10.0, 1.0)]
    public void Resting_orders_fill_in_the_order_the_bars_path_reaches_them(double close, string[] expected, double cash, double position)
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i == 0) o.Add(MarketBuy(1, 1));
                if (i == 1)
                {
                    o.Add(LimitBuy(2, 1, 95));
                    o.Add(LimitSell(3, 1, 105));
                }
            },
        };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100), B.Bar(2, 100, 110, 90, close)], B.Free(100));

        Assert.Equal(expected, s.Log.SkipWhile(l => l != "bar 1").Skip(1).TakeWhile(l => l != "bar 2"));
        Assert.Equal(cash, report.EquityCurve![2].Cash, 9);
        Assert.Equal(position, report.Symbols[0].Position);
    }

    [Fact]
    public void Deeper_buys_fill_later_on_the_way_down_and_higher_sells_later_on_the_way_up()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i == 0) o.Add(MarketBuy(1, 2));
                if (i == 1)
                {
                    o.Add(LimitBuy(10, 1, 92));
                    o.Add(LimitBuy(11, 1, 96));
                    o.Add(LimitSell(12, 1, 108));
                    o.Add(LimitSell(13, 1, 104));
                }
            },
        };
        // Rising bar: open 100 -> low 90 (buys 96, then 92) -> high 110 (sells 104, then 108).
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100), B.Bar(2, 100, 110, 90, 105)], B.Free());

        Assert.Equal([11L, 10L, 13L, 12L], report.Trades!.Skip(1).Select(t => t.OrderRef));
    }

    [Fact]
    public void Orders_reached_at_the_same_point_fill_by_order_ref()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i != 0) return;
                // All three meet bar 1 at its open (100): the two buys are crossed already.
                o.Add(LimitBuy(7, 1, 101));
                o.Add(MarketBuy(5, 1));
                o.Add(LimitBuy(3, 1, 102));
            },
        };
        var report = Run(s, [B.Flat(0, 100), B.Bar(1, 100, 101, 99, 100)], B.Free());

        Assert.Equal([3L, 5L, 7L], report.Trades!.Select(t => t.OrderRef));
        Assert.All(report.Trades!, t => Assert.Equal(100, t.Price));
    }

    [Fact]
    public void Equal_limit_prices_fill_by_order_ref()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i == 0) o.Add(MarketBuy(1, 2));
                if (i == 1)
                {
                    o.Add(LimitSell(9, 1, 105));
                    o.Add(LimitSell(4, 1, 105));
                }
            },
        };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100), B.Bar(2, 100, 106, 99, 105)], B.Free());

        Assert.Equal([4L, 9L], report.Trades!.Skip(1).Select(t => t.OrderRef));
    }

    [Fact]
    public void Buy_costing_more_than_the_cash_is_rejected_and_told_ended()
    {
        var s = new Scripted { Bar = (i, _, o) => { if (i == 0) o.Add(MarketBuy(1, 1)); } };
        // cost = 100 + 0.001 * 100 = 100.1 > 100
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100)], Costs(cash: 100, bps: 0));

        Assert.Empty(report.Trades!);
        Assert.Equal([1L], s.EndedRefs);
        Assert.Empty(s.Fills);
        Assert.Equal(new OrderCounts(1, 0, 1, 0, 0), report.Orders);
        Assert.Equal(100, report.Metrics.FinalEquity);
        Assert.Equal(0, report.Metrics.FeesPaid);
    }

    [Fact]
    public void Buy_costing_exactly_the_cash_fills()
    {
        var s = new Scripted { Bar = (i, _, o) => { if (i == 0) o.Add(MarketBuy(1, 1)); } };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100)], Costs(cash: 100.1, bps: 0));

        var trade = Assert.Single(report.Trades!);
        Assert.Equal(0, trade.CashAfter, 9);
        Assert.Equal(new OrderCounts(1, 1, 0, 0, 0), report.Orders);
    }

    [Fact]
    public void Sell_of_more_than_the_position_is_rejected_and_told_ended()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i == 0) o.Add(MarketBuy(1, 1));
                if (i == 1) o.Add(MarketSell(2, 1.5));
            },
        };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100), B.Flat(2, 100)], B.Free());

        Assert.Single(report.Trades!);
        Assert.Equal([2L], s.EndedRefs);
        Assert.Equal(1, report.Symbols[0].Position);
        Assert.Equal(new OrderCounts(2, 1, 1, 0, 0), report.Orders);
    }

    [Fact]
    public void Sell_while_flat_is_rejected()
    {
        var s = new Scripted { Bar = (i, _, o) => { if (i == 0) o.Add(LimitSell(1, 0.1, 90)); } };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100)], B.Free());

        Assert.Equal([1L], s.EndedRefs);
        Assert.Equal(1, report.Orders.Rejected);
    }

    [Fact]
    public void Sell_within_floating_point_dust_above_the_position_sells_the_whole_position()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i == 0) o.Add(MarketBuy(1, 1));
                if (i == 1) o.Add(MarketSell(2, 1 + 1e-12));
            },
        };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100), B.Flat(2, 100)], B.Free());

        var sell = report.Trades![1];
        Assert.Equal(1, sell.Quantity);
        Assert.Equal(0, sell.PositionAfter);
        Assert.Equal(1, report.Metrics.RoundTrips);
    }

    [Fact]
    public void Cancel_takes_effect_at_once_and_is_told_ended()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i == 0) o.Add(LimitBuy(1, 1, 90));
                if (i == 1) o.Add(StrategyIntent.Cancel(1));
            },
        };
        var report = Run(s, [B.Flat(0, 100), B.Bar(1, 100, 101, 95, 100), B.Bar(2, 100, 101, 80, 100)], B.Free());

        Assert.Empty(report.Trades!);
        Assert.Equal(["bar 0", "bar 1", "ended 1", "bar 2"], s.Log);
        Assert.Equal(new OrderCounts(1, 0, 0, 1, 0), report.Orders);
    }

    [Fact]
    public void Cancel_from_a_fill_callback_stops_an_order_the_same_bar_would_reach_later()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i == 0) o.Add(MarketBuy(1, 1));
                if (i == 1)
                {
                    o.Add(LimitBuy(2, 1, 95));
                    o.Add(LimitSell(3, 1, 105));
                }
            },
            Fill = (f, o) => { if (f.OrderRef == 2) o.Add(StrategyIntent.Cancel(3)); },
        };
        // Rising bar: the buy at 95 fills on the way down, its callback cancels the sell before the price gets to 105.
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100), B.Bar(2, 100, 110, 90, 108)], B.Free());

        Assert.Equal(["fill 2 buy 1@95 fee 0", "ended 3", "bar 2"], s.Log.TakeLast(3));
        Assert.Equal([1L, 2L], report.Trades!.Select(t => t.OrderRef));
        Assert.Equal(1, report.Orders.Cancelled);
    }

    [Fact]
    public void Cancel_of_an_order_that_is_not_open_is_ignored()
    {
        var s = new Scripted { Bar = (i, _, o) => { if (i == 0) o.Add(StrategyIntent.Cancel(42)); } };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100)], B.Free());

        Assert.Empty(s.EndedRefs);
        Assert.Equal(new OrderCounts(0, 0, 0, 0, 0), report.Orders);
    }

    [Theory]
    [InlineData(0.0, 100.0)]
    [InlineData(-1.0, 100.0)]
    [InlineData(double.NaN, 100.0)]
    [InlineData(double.PositiveInfinity, 100.0)]
    [InlineData(1.0, 0.0)]
    [InlineData(1.0, -5.0)]
    [InlineData(1.0, double.NaN)]
    public void Order_with_an_invalid_amount_or_limit_is_rejected_when_placed(double amount, double limit)
    {
        var s = new Scripted { Bar = (i, _, o) => { if (i == 0) o.Add(LimitBuy(1, amount, limit)); } };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 50)], B.Free());

        Assert.Equal(["bar 0", "ended 1", "bar 1"], s.Log);
        Assert.Equal(new OrderCounts(1, 0, 1, 0, 0), report.Orders);
    }

    [Fact]
    public void Market_order_with_a_zero_amount_is_rejected_when_placed()
    {
        var s = new Scripted { Bar = (i, _, o) => { if (i == 0) o.Add(MarketBuy(1, 0)); } };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 50)], B.Free());

        Assert.Equal(["bar 0", "ended 1", "bar 1"], s.Log);
        Assert.Equal(1, report.Orders.Rejected);
    }

    [Fact]
    public void Placing_a_ref_that_is_still_open_is_a_strategy_bug()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i == 0) o.Add(LimitBuy(1, 1, 50));
                if (i == 1) o.Add(LimitBuy(1, 1, 60));
            },
        };

        var e = Assert.Throws<InvalidOperationException>(() => Run(s, [B.Flat(0, 100), B.Flat(1, 100)], B.Free()));
        Assert.Contains("order ref 1", e.Message);
    }

    [Fact]
    public void A_ref_can_be_reused_once_its_order_ended()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i == 0) o.Add(MarketBuy(1, 1));
                if (i == 1) o.Add(MarketSell(1, 1));
            },
        };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100), B.Flat(2, 100)], B.Free());

        Assert.Equal(2, report.Orders.Filled);
    }

    [Fact]
    public void Signal_buy_spends_the_budget_of_the_free_cash_fee_included_and_sell_closes_the_position()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i == 0) o.Add(StrategyIntent.Signal(OrderSide.Buy, IntentReason.RsiCrossedUp, 31, 30));
                if (i == 1) o.Add(StrategyIntent.Signal(OrderSide.Sell, IntentReason.RsiCrossedDown, 69, 70));
            },
        };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100), B.Flat(2, 110)], Costs(bps: 0));

        // budget = 1.0 * 10000 / 1.001 = 9990.00999...; quantity = budget / 100; cost = budget * 1.001 = 10000 -> cash 0
        var buy = report.Trades![0];
        Assert.Equal(-1, buy.OrderRef);
        Assert.Equal(IntentReason.RsiCrossedUp, buy.Reason);
        Assert.Equal(10_000 / 1.001 / 100, buy.Quantity, 10);
        Assert.Equal(0, buy.CashAfter, 8);
        // sell: all of it at 110, fee 0.1 %
        var sell = report.Trades[1];
        Assert.Equal(-2, sell.OrderRef);
        Assert.Equal(buy.Quantity, sell.Quantity);
        Assert.Equal(buy.Quantity * 110 * 0.999, sell.CashAfter, 8);
        Assert.Equal([-1L, -2L], s.Fills.Select(f => f.OrderRef));
    }

    [Fact]
    public void Signal_budget_is_a_fraction_of_the_cash()
    {
        var s = new Scripted { Bar = (i, _, o) => { if (i == 0) o.Add(StrategyIntent.Signal(OrderSide.Buy, IntentReason.None, 0, 0)); } };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100)], Costs(bps: 0) with { SignalBudget = 0.25 });

        // budget = 0.25 * 10000 / 1.001; cost = budget * 1.001 = 2500
        Assert.Equal(7500, report.Trades![0].CashAfter, 8);
    }

    [Fact]
    public void Signals_repeating_the_positions_direction_place_nothing()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i == 0) o.Add(StrategyIntent.Signal(OrderSide.Sell, IntentReason.None, 0, 0)); // flat: nothing to sell
                if (i == 1) o.Add(StrategyIntent.Signal(OrderSide.Buy, IntentReason.None, 0, 0));
                if (i == 2) o.Add(StrategyIntent.Signal(OrderSide.Buy, IntentReason.None, 0, 0)); // long already
            },
        };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100), B.Flat(2, 100), B.Flat(3, 100)], B.Free());

        Assert.Equal(new OrderCounts(1, 1, 0, 0, 0), report.Orders);
    }

    [Fact]
    public void Signal_budget_leaves_out_cash_reserved_by_open_buys()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i != 0) return;
                o.Add(LimitBuy(1, 10, 50)); // reserves 10 * 50 * 1.002 = 501
                o.Add(StrategyIntent.Signal(OrderSide.Buy, IntentReason.None, 0, 0));
            },
        };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100)], Costs(bps: 0));

        // budget = (10000 - 501) / 1.001; the signal's buy costs budget * 1.001 = 9499
        Assert.Equal(501, report.Trades![0].CashAfter, 8);
    }

    [Fact]
    public void Doji_bar_takes_the_rising_path()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i == 0) o.Add(MarketBuy(1, 1));
                if (i == 1) { o.Add(LimitBuy(2, 1, 95)); o.Add(LimitSell(3, 1, 105)); }
            },
        };
        // close == open: open -> low -> high, the buy first
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100), B.Bar(2, 100, 110, 90, 100)], B.Free(1000));

        Assert.Equal([1L, 2, 3], report.Trades!.Select(t => t.OrderRef));
    }

    [Fact]
    public void On_a_falling_bar_sells_fill_on_the_way_up_lowest_first_then_buys_on_the_way_down_highest_first()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i == 0) o.Add(MarketBuy(1, 2));
                if (i == 1)
                {
                    o.Add(LimitBuy(10, 1, 92));
                    o.Add(LimitBuy(11, 1, 96));
                    o.Add(LimitSell(12, 1, 108));
                    o.Add(LimitSell(13, 1, 104));
                }
            },
        };
        // Falling bar: open 100 -> high 110 (sells 104, then 108) -> low 90 (buys 96, then 92).
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100), B.Bar(2, 100, 110, 90, 95)], B.Free());

        Assert.Equal([13L, 12L, 11L, 10L], report.Trades!.Skip(1).Select(t => t.OrderRef));
    }

    [Fact]
    public void Buy_limit_at_the_open_of_a_falling_bar_fills_at_the_open_before_the_sells()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i == 0) o.Add(MarketBuy(1, 1));
                if (i == 1) { o.Add(LimitSell(2, 1, 105)); o.Add(LimitBuy(3, 1, 100)); }
            },
        };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100), B.Bar(2, 100, 110, 90, 95)], B.Free());

        Assert.Equal([3L, 2L], report.Trades!.Skip(1).Select(t => t.OrderRef));
        Assert.Equal(100, report.Trades![1].Price);
    }

    [Fact]
    public void Sell_limit_at_the_open_of_a_rising_bar_fills_at_the_open_before_the_buys()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i == 0) o.Add(MarketBuy(1, 1));
                if (i == 1) { o.Add(LimitBuy(2, 1, 95)); o.Add(LimitSell(3, 1, 100)); }
            },
        };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100), B.Bar(2, 100, 110, 90, 105)], B.Free());

        Assert.Equal([3L, 2L], report.Trades!.Skip(1).Select(t => t.OrderRef));
        Assert.Equal(100, report.Trades![1].Price);
    }

    [Fact]
    public void Orders_reached_together_fill_by_ref_whatever_order_they_were_placed_in()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i != 0) return;
                o.Add(LimitBuy(3, 1, 102));
                o.Add(MarketBuy(5, 1));
                o.Add(LimitBuy(7, 1, 101));
                o.Add(LimitBuy(6, 1, 103));
            },
        };
        var report = Run(s, [B.Flat(0, 100), B.Bar(1, 100, 101, 99, 100)], B.Free());

        Assert.Equal([3L, 5L, 6L, 7L], report.Trades!.Select(t => t.OrderRef));
    }

    [Fact]
    public void A_ref_reused_in_a_fill_callback_is_a_new_order_that_waits_for_the_next_bar()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i == 0) { o.Add(LimitBuy(1, 1, 99)); o.Add(LimitBuy(2, 1, 98)); }
                if (i == 1) o.Add(LimitBuy(3, 1, 99.5));
            },
            // The buy with ref 2 filled: ref 2 now names a sell far above.
            Fill = (f, o) => { if (f.OrderRef == 2 && f.Side == OrderSide.Buy) o.Add(LimitSell(2, 1, 150)); },
        };
        var report = Run(s, [B.Flat(0, 100), B.Bar(1, 100, 101, 97, 100), B.Bar(2, 100, 101, 99, 100)], B.Free());

        Assert.Equal([(1L, OrderSide.Buy), (2L, OrderSide.Buy), (3L, OrderSide.Buy)], report.Trades!.Select(t => (t.OrderRef, t.Side)));
        Assert.Equal(150, Assert.Single(report.OpenAtEnd).LimitPrice);
    }
}
