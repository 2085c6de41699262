using System.Text.Json;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;
using static TradingActors.Backtesting.Tests.Scripted;

namespace TradingActors.Backtesting.Tests;

public class EdgeTests
{
    [Fact]
    public void Buy_over_the_cash_by_less_than_the_tolerance_fills_and_leaves_zero_cash()
    {
        var s = new Scripted { Bar = (i, _, o) => { if (i == 0) o.Add(MarketBuy(1, 1)); } };
        // cost 100.00000001 against cash 100: over by 1e-10 of the cash (tolerance 1e-9)
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100.00000001)], B.Free(100));

        var trade = Assert.Single(report.Trades!);
        Assert.Equal(0, trade.CashAfter);
    }

    [Fact]
    public void Buy_over_the_cash_by_more_than_the_tolerance_is_rejected()
    {
        var s = new Scripted { Bar = (i, _, o) => { if (i == 0) o.Add(MarketBuy(1, 1)); } };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100.000001)], B.Free(100));

        Assert.Empty(report.Trades!);
        Assert.Equal(1, report.Orders.Rejected);
    }

    [Fact]
    public void Sell_over_the_position_by_more_than_the_tolerance_is_rejected()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i == 0) o.Add(MarketBuy(1, 1));
                if (i == 1) o.Add(MarketSell(2, 1 + 1e-8));
            },
        };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100), B.Flat(2, 100)], B.Free());

        Assert.Equal([2L], s.EndedRefs);
    }

    [Fact]
    public void Dust_left_by_a_partial_sell_counts_as_flat()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i == 0) o.Add(MarketBuy(1, 3));
                if (i == 1) o.Add(MarketSell(2, 3 - 1e-12));
            },
        };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100), B.Flat(2, 101)], B.Free());

        Assert.Equal(0, report.Trades![1].PositionAfter);
        Assert.Equal(0, report.Symbols[0].Position);
        Assert.Equal(1, report.Metrics.RoundTrips);
        Assert.Equal(0, report.EquityCurve![2].PositionValue);
    }

    [Fact]
    public void Partial_sell_above_the_dust_keeps_the_trip_open()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i == 0) o.Add(MarketBuy(1, 3));
                if (i == 1) o.Add(MarketSell(2, 3 - 1e-6));
            },
        };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100), B.Flat(2, 101)], B.Free());

        Assert.Equal(1e-6, report.Symbols[0].Position, 15);
        Assert.Equal(0, report.Metrics.RoundTrips);
        Assert.Equal(200.0 / 3, report.Metrics.ExposurePct, 9); // exposed at 2 of 3 closes
    }

    [Fact]
    public void Base_sized_market_buy_reserves_its_estimate_at_the_close_with_slippage_and_fee()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i != 0) return;
                o.Add(MarketBuy(1, 10)); // reserves 10 * 200 * 1.001 * 1.002 = 2006.004
                o.Add(StrategyIntent.Signal(OrderSide.Buy, IntentReason.None, 0, 0));
            },
        };
        var settings = new BacktestSettings { InitialCash = 10_000, TakerFeeRate = 0.002, MakerFeeRate = 0, SlippageBps = 10 };
        var report = Run(s, [B.Flat(0, 200), B.Flat(1, 200)], settings);

        // The signal's order: amount = (10000 - 2006.004) / 1.002 -> notional 7978.0479..., fills at 200.2
        var signal = report.Trades!.Single(t => t.OrderRef == -1);
        Assert.Equal((10_000 - 10 * 200 * 1.001 * 1.002) / 1.002, signal.Notional, 8);
    }

    [Fact]
    public void Cancelled_or_rejected_buys_release_their_reservation()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i == 0) { o.Add(LimitBuy(1, 50, 100)); o.Add(MarketBuy(2, 1000)); } // 5000 reserved + a buy it cannot afford
                if (i == 1) o.Add(StrategyIntent.Cancel(1));
                if (i == 1) o.Add(StrategyIntent.Signal(OrderSide.Buy, IntentReason.None, 0, 0));
            },
        };
        var report = Run(s, [B.Flat(0, 200), B.Flat(1, 200), B.Flat(2, 200)], B.Free(10_000));

        // Bar 1: order 2 rejected (200,000 > 10,000), order 1 cancelled: the signal gets all 10,000.
        Assert.Equal(10_000, report.Trades!.Single(t => t.OrderRef == -1).Notional, 8);
    }

    [Fact]
    public void Intents_from_a_rejection_callback_are_placed()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) => { if (i == 0) o.Add(MarketBuy(1, 1000)); },
            Ended = (id, o) => { if (id == 1) o.Add(MarketBuy(2, 1)); },
        };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100), B.Flat(2, 105)], B.Free(1000));

        var trade = Assert.Single(report.Trades!);
        Assert.Equal(2, trade.OrderRef);
        Assert.Equal(B.T0.AddHours(2), trade.Time);
        Assert.Equal(105, trade.Price);
    }

    [Fact]
    public void Intents_from_a_cancel_callback_are_placed()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i == 0) o.Add(LimitBuy(1, 1, 50));
                if (i == 1) o.Add(StrategyIntent.Cancel(1));
            },
            Ended = (id, o) => { if (id == 1) o.Add(MarketBuy(2, 1)); },
        };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100), B.Flat(2, 101)], B.Free());

        Assert.Equal(2, Assert.Single(report.Trades!).OrderRef);
    }

    [Fact]
    public void Many_orders_filling_in_one_bar_all_fill_in_path_order()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i != 0) return;
                for (var k = 0; k < 40; k++) o.Add(LimitBuy(100 - k, 1, 99 - k * 0.5)); // deeper limits have lower refs
            },
        };
        var report = Run(s, [B.Flat(0, 100), B.Bar(1, 100, 101, 70, 100)], B.Free(100_000));

        Assert.Equal(40, report.Trades!.Count);
        Assert.Equal(Enumerable.Range(0, 40).Select(k => 100L - k), report.Trades.Select(t => t.OrderRef));
        Assert.Equal(Enumerable.Range(0, 40).Select(k => 99 - k * 0.5), report.Trades.Select(t => t.Price));
    }

    [Fact]
    public void Unknown_intent_kind_is_a_strategy_bug()
    {
        var s = new Scripted { Bar = (i, _, o) => o.Add(new StrategyIntent((IntentKind)99, OrderSide.Buy, IntentSizing.Base, 1, 0, 1, IntentReason.None, 0, 0)) };

        var e = Assert.Throws<InvalidOperationException>(() => Run(s, B.Flats(2), B.Free()));
        Assert.Contains("unknown intent kind 99", e.Message);
    }

    [Fact]
    public void Request_is_plain_data_that_round_trips_through_json()
    {
        var request = new BacktestRequest
        {
            Strategy = "ema-cross",
            Parameters = """{"fast": 5, "slow": 20}""",
            Symbols = [new BacktestSymbol("ETHUSDT", Repo.Dataset("ETHUSDT-1h.csv")), new BacktestSymbol("PERP", Repo.Dataset("BTCUSDT-PERP-1h.csv"), FundingSchedule.Every8Hours(0.0001))],
            Settings = new BacktestSettings { InitialCash = 5000, SlippageBps = 3, SignalBudget = 0.5 },
        };

        var copy = JsonSerializer.Deserialize<BacktestRequest>(JsonSerializer.Serialize(request))!;

        Assert.Equal(ReportWriter.ToJson(Backtester.Run(request)), ReportWriter.ToJson(Backtester.Run(copy)));
        Assert.Equal(request.Settings, copy.Settings);
    }

    [Fact]
    public void Missing_settings_null_symbols_and_unnamed_symbols_are_refused()
    {
        var problems = Backtester.Validate(new BacktestRequest
        {
            Strategy = "rsi",
            Symbols = [null!, new BacktestSymbol(" ", B.Flats(2))],
            Settings = null!,
        });

        Assert.Equal(["settings are required", "a symbol is null", "a symbol has no name"], problems);
        Assert.Equal(
            ["equityCurve must be None or Full (got 7)"],
            Backtester.Validate(new BacktestRequest { Strategy = "rsi", Symbols = [new("X", B.Flats(2))], Settings = new BacktestSettings { EquityCurve = (EquityCurveRecording)7 } }));
    }

    [Fact]
    public void Settings_at_their_limits_are_accepted()
    {
        var settings = new BacktestSettings { TakerFeeRate = 0.1, MakerFeeRate = 0, SlippageBps = 1000, SignalBudget = 1 };
        var request = new BacktestRequest { Strategy = "rsi", Symbols = [new("X", B.Flats(2), new FundingSchedule(-0.99, TimeSpan.FromMinutes(1)))], Settings = settings };

        Assert.Empty(Backtester.Validate(request));
    }

    [Fact]
    public void Small_values_of_progress_round_trip_and_curve()
    {
        Assert.Equal(1, new BacktestProgress(0, 0).Fraction);
        Assert.Equal(0.25, new BacktestProgress(1, 4).Fraction);
        Assert.Equal(0, new RoundTrip("X", B.T0, B.T0, 0, 0, 5).ReturnPct);
        Assert.Equal(10, new RoundTrip("X", B.T0, B.T0, 2, 50, 5).ReturnPct);
        Assert.Equal(200, new BacktestTrade(B.T0, "X", 1, IntentKind.Market, OrderSide.Buy, 2, 100, 0, 0, 2, IntentReason.None).Notional);

        var report = Run(new Scripted(), B.Flats(3), B.Free());
        var curve = report.EquityCurve!;
        Assert.Equal(3, curve.Count);
        Assert.Equal(3, curve.Count());
        Assert.Equal(curve.AsSpan().ToArray(), curve.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => curve[3]);
        Assert.Throws<ArgumentOutOfRangeException>(() => curve[-1]);
        Assert.Equal(3, ((System.Collections.IEnumerable)curve).Cast<EquityPoint>().Count());
    }

    [Fact]
    public void Grid_refuses_a_null_axis_and_a_cap_below_one()
    {
        Assert.Throws<ArgumentException>(() => ParameterGrid.Build(RsiThresholdStrategy.Kind, null, [null!]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ParameterGrid.Build(RsiThresholdStrategy.Kind, null, [], maxPoints: 0));
    }

    [Theory]
    [InlineData("\r\t", "\"\\r\\t\"")]
    [InlineData(">&", "\"\\u003e\\u0026\"")]
    [InlineData("\u2028\u2029", "\"\\u2028\\u2029\"")]
    [InlineData("é ok", "\"é ok\"")]
    public void Json_strings_escape_control_and_html_characters(string value, string expected)
    {
        Assert.Equal(expected, Formatting.JsonString(value));
    }

    [Theory]
    [InlineData("a\rb", "\"a\rb\"")]
    [InlineData("a\nb", "\"a\nb\"")]
    public void Csv_fields_with_line_breaks_are_quoted(string value, string expected)
    {
        Assert.Equal(expected, Formatting.Csv(value));
    }

    [Fact]
    public void Reason_names_are_kebab_case()
    {
        Assert.Equal("rsi-crossed-down", ReportWriter.Name(IntentReason.RsiCrossedDown));
        Assert.Equal("dca-safety-order", ReportWriter.Name(IntentReason.DcaSafetyOrder));
        Assert.Equal("none", ReportWriter.Name(IntentReason.None));
        Assert.Equal("limit", ReportWriter.Name(IntentKind.Limit));
        Assert.Equal("market", ReportWriter.Name(IntentKind.Market));
        Assert.Equal("sell", ReportWriter.Name(OrderSide.Sell));
    }

    [Fact]
    public void Ratios_and_seconds_format_fixed()
    {
        Assert.Equal("1.500000", Formatting.Ratio(1.5));
        Assert.Equal("", Formatting.Ratio((double?)null));
        Assert.Equal("0.000000", Formatting.Ratio(-1e-9));
        Assert.Equal("90.5", Formatting.Seconds(TimeSpan.FromSeconds(90.5)));
        Assert.Equal("null", Formatting.Json(""));
        Assert.Equal("1.5", Formatting.Json("1.5"));
    }

    [Fact]
    public void Sell_clamped_to_the_position_is_paid_for_the_position()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i == 0) o.Add(MarketBuy(1, 1));
                if (i == 1) o.Add(MarketSell(2, 1 + 1e-12));
            },
        };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100), B.Flat(2, 120)], new BacktestSettings { InitialCash = 1000, TakerFeeRate = 0.001, MakerFeeRate = 0, SlippageBps = 0 });

        // buy: 100 + 0.1 fee -> 899.9; sell exactly 1 at 120: 120 - 0.12 -> 1019.78
        var sell = report.Trades![1];
        Assert.Equal(120, sell.Notional, 12);
        Assert.Equal(0.12, sell.Fee, 12);
        Assert.Equal(1019.78, sell.CashAfter, 9);
    }

    [Fact]
    public void Quote_sized_market_buy_reserves_its_amount_and_taker_fee()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i != 0) return;
                o.Add(StrategyIntent.Market(1, OrderSide.Buy, IntentSizing.Quote, 1000, IntentReason.None)); // reserves 1000 * 1.002 = 1002
                o.Add(StrategyIntent.Signal(OrderSide.Buy, IntentReason.None, 0, 0));
            },
        };
        var report = Run(s, [B.Flat(0, 50), B.Flat(1, 50)], new BacktestSettings { InitialCash = 10_000, TakerFeeRate = 0.002, MakerFeeRate = 0, SlippageBps = 0 });

        Assert.Equal((10_000 - 1002) / 1.002, report.Trades!.Single(t => t.OrderRef == -1).Notional, 8);
    }

    [Fact]
    public void Releasing_one_buy_keeps_the_others_reservation()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i == 0) { o.Add(LimitBuy(1, 10, 100)); o.Add(LimitBuy(2, 20, 100)); } // 1000 and 2000 reserved
                if (i == 1) { o.Add(StrategyIntent.Cancel(1)); o.Add(StrategyIntent.Signal(OrderSide.Buy, IntentReason.None, 0, 0)); }
            },
        };
        var report = Run(s, [B.Flat(0, 200), B.Flat(1, 200), B.Flat(2, 200)], B.Free(10_000));

        Assert.Equal(8000, report.Trades!.Single(t => t.OrderRef == -1).Notional, 8);
    }

    [Fact]
    public void Sells_reserve_nothing_and_release_nothing()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i == 0) o.Add(MarketBuy(1, 1));
                if (i == 1) { o.Add(LimitBuy(2, 10, 100)); o.Add(MarketSell(3, 1)); } // 1000 reserved; the sell none
                if (i == 2) o.Add(StrategyIntent.Signal(OrderSide.Buy, IntentReason.None, 0, 0));
            },
        };
        var report = Run(s, [B.Flat(0, 200), B.Flat(1, 200), B.Flat(2, 200), B.Flat(3, 200)], B.Free(10_000));

        // After the sell cash is back to 10000, the limit buy still holds 1000: the signal spends 9000.
        Assert.Equal(9000, report.Trades!.Single(t => t.OrderRef == -1).Notional, 8);
    }

    [Fact]
    public void Seconds_keep_three_decimals_and_csv_quotes_a_leading_comma()
    {
        Assert.Equal("0.333", Formatting.Seconds(TimeSpan.FromTicks(3_333_333)));
        Assert.Equal("3600", Formatting.Seconds(TimeSpan.FromHours(1)));
        Assert.Equal("\",a\"", Formatting.Csv(",a"));
    }
}
