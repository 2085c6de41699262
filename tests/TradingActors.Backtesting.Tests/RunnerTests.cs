using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;
using static TradingActors.Backtesting.Tests.Scripted;

namespace TradingActors.Backtesting.Tests;

public class RunnerTests
{
    private static Candle[] Hours(params double[] hours) => hours.Select(h => B.Flat(0, 100) with { Time = B.T0.AddHours(h) }).ToArray();

    /// <summary>Runs one scripted instance per symbol (made in ordinal symbol order, named by it).</summary>
    private static (BacktestReport Report, List<string> Log, Dictionary<string, Scripted> Strategies) RunSymbols(
        BacktestSymbol[] symbols, Action<string, Scripted>? setup = null, BacktestSettings? settings = null)
    {
        var log = new List<string>();
        var names = new Queue<string>(symbols.Select(s => s.Symbol).Order(StringComparer.Ordinal));
        var made = new Dictionary<string, Scripted>();
        var kind = KindOf(() =>
        {
            var name = names.Dequeue();
            var s = new Scripted(log, name);
            setup?.Invoke(name, s);
            made[name] = s;
            return s;
        });
        var report = Backtester.Run(
            new BacktestRequest { Strategy = "scripted", Symbols = symbols, Settings = settings ?? B.Free() },
            new BacktestRunOptions { ResolveKind = _ => kind });
        return (report, log, made);
    }

    [Fact]
    public void Symbols_merge_by_time_then_by_ordinal_name_whatever_order_they_come_in()
    {
        var (report, log, _) = RunSymbols(
        [
            new BacktestSymbol("eth", Hours(0, 2, 3)),
            new BacktestSymbol("ETH", Hours(0, 1.5)),
            new BacktestSymbol("BTC", Hours(0, 1, 2)),
        ]);

        // Ordinal: "BTC" < "ETH" < "eth".
        Assert.Equal(
            ["BTC bar 0", "ETH bar 0", "eth bar 0", "BTC bar 1", "ETH bar 1", "BTC bar 2", "eth bar 1", "eth bar 2"],
            log);
        Assert.Equal(["BTC", "ETH", "eth"], report.Symbols.Select(s => s.Symbol));
        // One equity point per distinct time: 0, 1, 1.5, 2, 3.
        Assert.Equal(5, report.Metrics.EquityPoints);
        Assert.Equal([0.0, 1, 1.5, 2, 3], report.EquityCurve!.Select(p => (p.Time - B.T0).TotalHours));
        // Median of gaps 1, 0.5, 0.5, 1 -> lower middle 0.5 h
        Assert.Equal(TimeSpan.FromMinutes(30), report.BarInterval);
        Assert.Equal(B.T0.AddHours(3.5), report.End);
    }

    [Fact]
    public void Symbols_share_one_cash_account_and_equity_marks_every_position()
    {
        var (report, _, made) = RunSymbols(
            [new BacktestSymbol("BBB", Hours(0, 1, 2)), new BacktestSymbol("AAA", Hours(0, 1, 2))],
            (name, s) => s.Bar = (i, _, o) => { if (i == 0) o.Add(MarketBuy(1, 60)); },
            B.Free(10_000));

        // AAA's buy (6000) fills first at hour 1; BBB's would need 6000 of the 4000 left: rejected.
        Assert.Single(made["AAA"].Fills);
        Assert.Equal([1L], made["BBB"].EndedRefs);
        Assert.Equal(4000, report.Trades![0].CashAfter, 9);
        Assert.Equal("AAA", report.Trades[0].Symbol);
        Assert.Equal(10_000, report.EquityCurve![2].Equity, 9);
        Assert.Equal(6000, report.EquityCurve[2].PositionValue, 9);
        Assert.Equal([60.0, 0], report.Symbols.Select(s => s.Position));
    }

    [Fact]
    public void Signal_buys_on_two_symbols_in_one_bar_do_not_spend_the_same_cash_twice()
    {
        var (report, _, _) = RunSymbols(
            [new BacktestSymbol("A", Hours(0, 1, 2)), new BacktestSymbol("B", Hours(0, 1, 2))],
            (name, s) => s.Bar = (i, _, o) => { if (i == 0) o.Add(StrategyIntent.Signal(OrderSide.Buy, IntentReason.None, 0, 0)); },
            B.Free(10_000));

        // A's buy reserves all the cash: B's budget is zero, so SignalOrders asks for nothing.
        Assert.Equal(new OrderCounts(1, 1, 0, 0, 0), report.Orders);
        Assert.Equal("A", Assert.Single(report.Trades!).Symbol);
    }

    [Fact]
    public void Progress_is_reported_every_n_bars_and_once_at_the_end()
    {
        var seen = new List<BacktestProgress>();
        var s = new Scripted();
        Run(s, B.Flats(10), options: new BacktestRunOptions { Progress = new Sync<BacktestProgress>(seen.Add), CheckEvery = 3 });

        Assert.Equal([3L, 6, 9, 10], seen.Select(p => p.BarsDone));
        Assert.All(seen, p => Assert.Equal(10, p.BarsTotal));
        Assert.Equal(1.0, seen[^1].Fraction);
        Assert.Equal(0.3, seen[0].Fraction, 12);
    }

    [Fact]
    public void Progress_counts_bars_of_every_symbol()
    {
        var seen = new List<BacktestProgress>();
        var kind = KindOf(() => new Scripted());
        Backtester.Run(
            new BacktestRequest { Strategy = "scripted", Symbols = [new("A", B.Flats(4)), new("B", B.Flats(3))], Settings = B.Free() },
            new BacktestRunOptions { ResolveKind = _ => kind, Progress = new Sync<BacktestProgress>(seen.Add), CheckEvery = 2 });

        Assert.Equal([2L, 4, 6, 7], seen.Select(p => p.BarsDone));
        Assert.All(seen, p => Assert.Equal(7, p.BarsTotal));
    }

    [Fact]
    public void Cancellation_is_noticed_at_the_next_check()
    {
        using var cancel = new CancellationTokenSource();
        var s = new Scripted();
        var kind = KindOf(() => s);
        var options = new BacktestRunOptions { ResolveKind = _ => kind, CheckEvery = 3, Progress = new Sync<BacktestProgress>(_ => cancel.Cancel()) };
        var request = new BacktestRequest { Strategy = "scripted", Symbols = [new("T", B.Flats(10))], Settings = B.Free() };

        Assert.Throws<OperationCanceledException>(() => Backtester.Run(request, options, cancel.Token));
        // Cancelled during the report after bar 3; seen at the check after bar 6.
        Assert.Equal(6, s.Log.Count);
    }

    [Fact]
    public void Cancelled_token_stops_before_the_first_bar()
    {
        var s = new Scripted();
        var request = new BacktestRequest { Strategy = "scripted", Symbols = [new("T", B.Flats(10))], Settings = B.Free() };

        Assert.Throws<OperationCanceledException>(() => Backtester.Run(request, new BacktestRunOptions { ResolveKind = _ => KindOf(() => s) }, new CancellationToken(true)));
        Assert.Empty(s.Log);
    }

    [Fact]
    public void Multi_symbol_run_is_cancellable_too()
    {
        using var cancel = new CancellationTokenSource();
        var made = 0;
        var kind = KindOf(() => { made++; return new Scripted(); });
        var request = new BacktestRequest { Strategy = "scripted", Symbols = [new("A", B.Flats(10)), new("B", B.Flats(10))], Settings = B.Free() };
        var options = new BacktestRunOptions { ResolveKind = _ => kind, CheckEvery = 4, Progress = new Sync<BacktestProgress>(_ => cancel.Cancel()) };

        Assert.Throws<OperationCanceledException>(() => Backtester.Run(request, options, cancel.Token));
        Assert.Equal(2, made);
    }

    [Fact]
    public void Invalid_request_lists_every_problem()
    {
        Candle[] unsorted = [B.Flat(1, 100), B.Flat(0, 100)];
        var request = new BacktestRequest
        {
            Strategy = "rsi",
            Parameters = """{"period": 1, "oversold": 30}""",
            Symbols = [new("X", unsorted), new("Y", []), new("X", B.Flats(2), new FundingSchedule(2, TimeSpan.FromSeconds(1)))],
            Settings = new BacktestSettings { InitialCash = -1, TakerFeeRate = 0.5, MakerFeeRate = -0.1, SlippageBps = 2000, SignalBudget = 0 },
        };

        var problems = Backtester.Validate(request);

        Assert.Contains(problems, p => p.StartsWith("parameter period:"));
        Assert.Contains(problems, p => p.StartsWith("initialCash must be a positive number"));
        Assert.Contains(problems, p => p.StartsWith("takerFeeRate must be in [0, 0.1]"));
        Assert.Contains(problems, p => p.StartsWith("makerFeeRate must be in [0, 0.1]"));
        Assert.Contains(problems, p => p.StartsWith("slippageBps must be in [0, 1000]"));
        Assert.Contains(problems, p => p.StartsWith("signalBudget must be in (0, 1]"));
        Assert.Contains("X: bar 1 (2024-01-01T00:00:00.0000000Z) is not after the bar before it", problems);
        Assert.Contains("Y: no bars", problems);
        Assert.Contains("symbol X is given twice", problems);
        Assert.Contains(problems, p => p.StartsWith("X: funding rate must be"));
        Assert.Contains(problems, p => p.StartsWith("X: funding interval must be at least one minute"));
        Assert.Equal(11, problems.Count);
        var e = Assert.Throws<ArgumentException>(() => Backtester.Run(request));
        Assert.Contains("Y: no bars", e.Message);
    }

    [Theory]
    [InlineData(0, 100, 100, 100, "a price that is not a positive number")]
    [InlineData(100, 100, 100, double.NaN, "a price that is not a positive number")]
    [InlineData(100, 99, 98, 100, "high below max(open, close) or low above min(open, close)")]
    [InlineData(100, 101, 100.5, 100, "high below max(open, close) or low above min(open, close)")]
    public void Bar_that_is_not_valid_OHLC_is_refused(double open, double high, double low, double close, string problem)
    {
        var request = new BacktestRequest { Strategy = "rsi", Symbols = [new("X", [B.Flat(0, 100), B.Bar(1, open, high, low, close)])] };

        Assert.Equal([$"X: bar 1 (2024-01-01T01:00:00.0000000Z) has {problem}"], Backtester.Validate(request));
    }

    [Fact]
    public void Negative_volume_is_refused()
    {
        var request = new BacktestRequest { Strategy = "rsi", Symbols = [new("X", [B.Flat(0, 100) with { Volume = -1 }])] };

        Assert.Equal(["X: bar 0 (2024-01-01T00:00:00.0000000Z) has a negative or non-finite volume"], Backtester.Validate(request));
    }

    [Fact]
    public void Unknown_kind_and_missing_symbols_are_refused()
    {
        var problems = Backtester.Validate(new BacktestRequest { Strategy = "nope", Symbols = [] });

        Assert.Equal(2, problems.Count);
        Assert.StartsWith("unknown strategy kind 'nope'", problems[0]);
        Assert.Equal("at least one symbol with bars is required", problems[1]);
    }

    [Fact]
    public void Valid_request_has_no_problems_and_check_every_must_be_positive()
    {
        var request = new BacktestRequest { Strategy = "ema-cross", Parameters = """{"fast": 3, "slow": 5}""", Symbols = [new("X", B.Flats(3))] };

        Assert.Empty(Backtester.Validate(request));
        Assert.Equal(["checkEvery must be at least 1 (got 0)"], Backtester.Validate(request, new BacktestRunOptions { CheckEvery = 0 }));
    }

    [Fact]
    public void Each_symbol_gets_its_own_strategy_instance()
    {
        var (_, _, made) = RunSymbols([new BacktestSymbol("A", B.Flats(2)), new BacktestSymbol("B", B.Flats(2))]);

        Assert.Equal(2, made.Count);
        Assert.NotSame(made["A"], made["B"]);
    }

    [Theory]
    [InlineData("rsi", """{"period": 14, "oversold": 30, "overbought": 70}""")]
    [InlineData("ema-cross", """{"fast": 12, "slow": 26}""")]
    public void Built_in_strategies_trade_the_shipped_dataset_and_the_books_balance(string kind, string parameters)
    {
        var bars = Repo.Dataset("BTCUSDT-1m.csv");
        var report = Backtester.Run(new BacktestRequest { Strategy = kind, Parameters = parameters, Symbols = [new("BTCUSDT", bars)] });

        var m = report.Metrics;
        Assert.True(m.Trades > 4, $"{m.Trades} trades");
        Assert.True(m.RoundTrips > 2);
        Assert.Equal(report.Orders.Placed, report.Orders.Filled + report.Orders.Rejected + report.Orders.Cancelled + report.Orders.OpenAtEnd);
        Assert.Equal(m.Trades, report.Trades!.Count);
        Assert.Equal(report.Trades.Sum(t => t.Fee), m.FeesPaid, 8);
        var last = report.Trades[^1];
        var symbol = report.Symbols[0];
        Assert.Equal(last.CashAfter + symbol.Position * bars[^1].Close, m.FinalEquity, 6);
        Assert.Equal(m.FinalEquity, report.EquityCurve![^1].Equity);
        Assert.Equal(bars.Length, report.EquityCurve.Count);
        Assert.True(m.Wins + m.Losses <= m.RoundTrips);
        Assert.Equal(report.RoundTrips!.Sum(t => t.Pnl), report.RoundTrips!.Where(t => t.Pnl > 0).Sum(t => t.Pnl) - m.GrossLoss, 6);
        Assert.All(report.Trades, t => Assert.True(t.OrderRef < 0)); // signal orders
    }

    [Fact]
    public void Rsi_on_the_perpetual_dataset_pays_funding()
    {
        var report = Backtester.Run(new BacktestRequest
        {
            Strategy = "rsi",
            Symbols = [new("BTCUSDT-PERP", Repo.Dataset("BTCUSDT-PERP-1h.csv"), FundingSchedule.Every8Hours(0.0001))],
        });

        Assert.True(report.Metrics.FundingPaid > 0);
        Assert.True(report.Metrics.ExposurePct > 0);
    }

    [Fact]
    public void Grid_like_strategy_of_limits_and_cancels_keeps_the_books_balanced_on_the_ranging_dataset()
    {
        var bars = Repo.Dataset("SOLUSDT-15m.csv");
        var s = MiniGrid(levels: 6, spacing: 1.5, quote: 1000);
        var report = Run(s, bars, new BacktestSettings());

        var m = report.Metrics;
        Assert.True(m.Trades > 20, $"{m.Trades} trades");
        Assert.True(report.Orders.Cancelled > 0);
        Assert.Equal(report.Orders.Placed, report.Orders.Filled + report.Orders.Rejected + report.Orders.Cancelled + report.Orders.OpenAtEnd);
        Assert.Equal(report.Trades!.Sum(t => t.Fee), m.FeesPaid, 8);
        Assert.All(report.Trades!, t => Assert.Equal(IntentKind.Limit, t.OrderKind));
        var position = report.Trades!.Sum(t => t.Side == OrderSide.Buy ? t.Quantity : -t.Quantity);
        Assert.Equal(position, report.Symbols[0].Position, 9);
        Assert.Equal(report.Trades![^1].CashAfter + position * bars[^1].Close, m.FinalEquity, 6);
        Assert.Equal(s.Fills.Count, m.Trades);
    }

    /// <summary>
    /// A tiny grid: buys below the price every <paramref name="spacing"/>; each filled buy places a sell one step up;
    /// every 96 bars the unfilled buys are cancelled and re-laid around the close.
    /// </summary>
    internal static Scripted MiniGrid(int levels, double spacing, double quote)
    {
        var s = new Scripted();
        long next = 1;
        var buys = new HashSet<long>();
        s.Bar = (i, bar, o) =>
        {
            if (i % 96 != 0) return;
            foreach (var id in buys) o.Add(StrategyIntent.Cancel(id));
            buys.Clear();
            for (var l = 1; l <= levels; l++)
            {
                var id = next++;
                buys.Add(id);
                o.Add(StrategyIntent.Limit(id, OrderSide.Buy, IntentSizing.Quote, quote, Math.Round(bar.Close - l * spacing, 3), IntentReason.GridLevel, l, l));
            }
        };
        s.Fill = (f, o) =>
        {
            if (f.Side != OrderSide.Buy) return;
            buys.Remove(f.OrderRef);
            o.Add(StrategyIntent.Limit(next++, OrderSide.Sell, IntentSizing.Base, f.Quantity, f.Price + spacing, IntentReason.GridLevel));
        };
        s.Ended = (id, _) => buys.Remove(id);
        return s;
    }

    [Theory]
    [InlineData(100, 0, 100, 100, "a price that is not a positive number")]
    [InlineData(100, 100, 0, 100, "a price that is not a positive number")]
    [InlineData(100, 100, 100, 0, "a price that is not a positive number")]
    [InlineData(100, 101, 100, 102, "high below max(open, close) or low above min(open, close)")]
    [InlineData(100, 100, 99, 98, "high below max(open, close) or low above min(open, close)")]
    public void Each_price_and_each_side_of_the_range_is_checked(double open, double high, double low, double close, string problem)
    {
        var request = new BacktestRequest { Strategy = "rsi", Symbols = [new("X", [B.Bar(0, open, high, low, close)])] };

        Assert.Equal([$"X: bar 0 (2024-01-01T00:00:00.0000000Z) has {problem}"], Backtester.Validate(request));
    }

    [Fact]
    public void Zero_volume_and_the_smallest_check_interval_are_fine()
    {
        var request = new BacktestRequest { Strategy = "rsi", Symbols = [new("X", [B.Flat(0, 100) with { Volume = 0 }])] };

        Assert.Empty(Backtester.Validate(request, new BacktestRunOptions { CheckEvery = 1 }));
    }

    [Fact]
    public void Two_bars_at_the_same_time_are_refused()
    {
        var request = new BacktestRequest { Strategy = "rsi", Symbols = [new("X", [B.Flat(0, 100), B.Flat(0, 101)])] };

        Assert.Equal(["X: bar 1 (2024-01-01T00:00:00.0000000Z) is not after the bar before it"], Backtester.Validate(request));
    }

    [Theory]
    [InlineData(0.0, "initialCash must be a positive number (got 0)")]
    [InlineData(double.PositiveInfinity, "initialCash must be a positive number (got Infinity)")]
    public void Initial_cash_must_be_positive_and_finite(double cash, string problem)
    {
        var request = new BacktestRequest { Strategy = "rsi", Symbols = [new("X", B.Flats(2))], Settings = new BacktestSettings { InitialCash = cash } };

        Assert.Equal([problem], Backtester.Validate(request));
    }

    [Fact]
    public void Fee_rates_slippage_and_funding_rate_limits_are_inclusive_where_stated()
    {
        var atLimits = new BacktestSettings { TakerFeeRate = 0.1, MakerFeeRate = 0.1, SlippageBps = 0, SignalBudget = 0.0001 };
        Assert.Empty(Backtester.Validate(new BacktestRequest { Strategy = "rsi", Symbols = [new("X", B.Flats(2))], Settings = atLimits }));

        var problems = Backtester.Validate(new BacktestRequest
        {
            Strategy = "rsi",
            Symbols = [new("X", B.Flats(2), new FundingSchedule(1, TimeSpan.FromHours(8))), new("Y", B.Flats(2), new FundingSchedule(double.NaN, TimeSpan.FromHours(8)))],
            Settings = new BacktestSettings { MakerFeeRate = 0.10001, SignalBudget = 1.5 },
        });
        Assert.Equal(
            [
                "makerFeeRate must be in [0, 0.1] (got 0.10001)",
                "signalBudget must be in (0, 1] (got 1.5)",
                "X: funding rate must be a finite number in (-1, 1) (got 1)",
                "Y: funding rate must be a finite number in (-1, 1) (got NaN)",
            ],
            problems);
    }

    [Fact]
    public void Run_refuses_an_invalid_request_with_every_problem_in_the_message()
    {
        var request = new BacktestRequest { Strategy = "rsi", Symbols = [new("X", []), new("Y", [])] };

        var e = Assert.Throws<ArgumentException>(() => Backtester.Run(request));

        Assert.StartsWith("invalid backtest request: X: no bars; Y: no bars", e.Message);
        Assert.Equal("request", e.ParamName);
        Assert.Throws<ArgumentNullException>(() => Backtester.Run(null!));
        Assert.Throws<ArgumentNullException>(() => Backtester.Validate(null!));
    }

    /// <summary>Reports on the calling thread at once (Progress&lt;T&gt; would post to the thread pool).</summary>
    internal sealed class Sync<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}