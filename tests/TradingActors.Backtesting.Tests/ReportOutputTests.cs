using System.Text;
using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;
using static TradingActors.Backtesting.Tests.Scripted;

namespace TradingActors.Backtesting.Tests;

public class ReportOutputTests
{
    /// <summary>The golden case: RSI(6, 35/65) over the first 240 bars of the shipped BTCUSDT-1m dataset, default venue.</summary>
    private static BacktestRequest GoldenRequest() => new()
    {
        Strategy = "rsi",
        Parameters = """{"period": 6, "oversold": 35, "overbought": 65}""",
        Symbols = [new BacktestSymbol("BTCUSDT", Repo.Dataset("BTCUSDT-1m.csv")[..240])],
        Settings = new BacktestSettings { InitialCash = 10_000, TakerFeeRate = 0.001, MakerFeeRate = 0.0008, SlippageBps = 5 },
    };

    private static Dictionary<string, string> Outputs(BacktestReport report)
    {
        string Write(Action<TextWriter> write)
        {
            var text = new StringWriter();
            write(text);
            return text.ToString();
        }
        return new Dictionary<string, string>
        {
            ["report.json"] = Write(w => ReportWriter.WriteJson(report, w)),
            ["equity.csv"] = Write(w => ReportWriter.WriteEquityCsv(report, w)),
            ["trades.csv"] = Write(w => ReportWriter.WriteTradesCsv(report, w)),
            ["trades.json"] = Write(w => ReportWriter.WriteTradesJson(report, w)),
            ["equity.svg"] = Write(w => EquityChart.Write(report, w)),
        };
    }

    [Fact]
    public void Same_request_twice_writes_byte_identical_outputs()
    {
        var first = Outputs(Backtester.Run(GoldenRequest()));
        var second = Outputs(Backtester.Run(GoldenRequest()));

        foreach (var (name, text) in first)
            Assert.True(Encoding.UTF8.GetBytes(text).AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(second[name])), name + " differs between two runs");
    }

    [Theory]
    [InlineData("report.json")]
    [InlineData("equity.csv")]
    [InlineData("trades.csv")]
    [InlineData("trades.json")]
    [InlineData("equity.svg")]
    public void Output_matches_its_golden_file(string name)
    {
        var actual = Outputs(Backtester.Run(GoldenRequest()))[name];
        var path = Repo.Path("tests", "TradingActors.Backtesting.Tests", "Golden", "rsi-btcusdt-240." + name);
        // An intended change: BACKTEST_UPDATE_GOLDEN=1 rewrites the files; review their diff before committing.
        if (Environment.GetEnvironmentVariable("BACKTEST_UPDATE_GOLDEN") == "1") File.WriteAllText(path, actual);

        Assert.Equal(File.ReadAllText(path), actual);
    }

    [Fact]
    public void Golden_case_trades()
    {
        var report = Backtester.Run(GoldenRequest());

        Assert.True(report.Metrics.Trades >= 6, $"{report.Metrics.Trades} trades");
        Assert.True(report.Metrics.RoundTrips >= 3);
    }

    [Fact]
    public void Report_json_has_every_section_in_a_fixed_order_and_states_the_rules()
    {
        var json = ReportWriter.ToJson(Backtester.Run(GoldenRequest()));

        string[] sections = ["\"strategy\"", "\"parameters\"", "\"symbols\"", "\"settings\"", "\"period\"", "\"metrics\"", "\"orders\"", "\"openAtEnd\"", "\"rules\"", "\"trades\"", "\"roundTrips\""];
        var at = sections.Select(s => json.IndexOf("\n  " + s + ": ", StringComparison.Ordinal)).ToArray();
        Assert.All(at, i => Assert.True(i > 0));
        Assert.Equal(at.Order(), at);
        Assert.StartsWith("{\n  \"strategy\": \"rsi\",\n  \"parameters\": {\"period\":6,\"oversold\":35,\"overbought\":65},\n", json);
        Assert.EndsWith("]\n}\n", json);
        Assert.DoesNotContain("\r", json);
        foreach (var rule in BacktestRules.Fills.Concat(BacktestRules.Metrics)) Assert.Contains(Formatting.JsonString(rule), json);
        using var parsed = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal(BacktestRules.Fills.Count, parsed.RootElement.GetProperty("rules").GetProperty("fills").GetArrayLength());
        Assert.Equal(
            ["initialCash", "finalEquity", "totalReturnPct", "cagrPct", "maxDrawdownPct", "maxDrawdownDurationSeconds", "maxDrawdownRecovered", "sharpe", "sortino",
             "equityPoints", "exposurePct", "trades", "roundTrips", "wins", "losses", "winRatePct", "grossProfit", "grossLoss", "profitFactor", "feesPaid", "fundingPaid"],
            parsed.RootElement.GetProperty("metrics").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Report_json_writes_money_with_eight_decimals_ratios_with_six_and_times_in_utc()
    {
        var s = new Scripted { Bar = (i, _, o) => { if (i == 0) o.Add(MarketBuy(1, 1)); } };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100), B.Flat(2, 90)], B.Free(1000));
        var json = ReportWriter.ToJson(report);

        Assert.Contains("\"finalEquity\": 990.00000000,", json);
        Assert.Contains("\"totalReturnPct\": -1.000000,", json);
        Assert.Contains("\"maxDrawdownPct\": 1.000000,", json);
        // the peak (1000) is last reached at 01:00; still under it at the last point, 02:00
        Assert.Contains("\"maxDrawdownDurationSeconds\": 3600,", json);
        Assert.Contains("\"maxDrawdownRecovered\": false,", json);
        // returns 0 and -1 %: mean -0.005, sample sd 0.00707107, sqrt(8766 hours a year) = 93.627: -66.204229
        Assert.Contains("\"sharpe\": -66.204229,", json);
        Assert.Contains("\"profitFactor\": null,", json);
        Assert.Contains("\"winRatePct\": null,", json);
        Assert.Contains("\"start\": \"2024-01-01T00:00:00Z\"", json);
        Assert.Contains("\"end\": \"2024-01-01T03:00:00Z\"", json);
        Assert.Contains("\"barIntervalSeconds\": 3600", json);
        Assert.Contains("{\"time\": \"2024-01-01T01:00:00Z\", \"symbol\": \"TEST\", \"orderRef\": 1, \"kind\": \"market\", \"side\": \"buy\", \"quantity\": 1, \"price\": 100, \"notional\": 100.00000000, \"fee\": 0.00000000, \"cashAfter\": 900.00000000, \"positionAfter\": 1, \"reason\": \"none\"}", json);
        Assert.Contains("\"funding\": null", json);
        Assert.Contains("\"equityCurve\": \"full\"", json);
        Assert.Contains("\"recordTrades\": true", json);
    }

    [Fact]
    public void Report_json_lists_orders_open_at_end_and_the_funding_schedule()
    {
        var s = new Scripted { Bar = (i, _, o) => { if (i == 1) { o.Add(LimitBuy(9, 2, 50)); o.Add(LimitBuy(3, 1, 40)); } } };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100), B.Flat(2, 100)], B.Free(), new FundingSchedule(-0.0001, TimeSpan.FromHours(4)));
        var json = ReportWriter.ToJson(report);

        Assert.Contains("\"openAtEnd\": [\n    {\"symbol\": \"TEST\", \"orderRef\": 3, \"kind\": \"limit\", \"side\": \"buy\", \"sizing\": \"base\", \"amount\": 1, \"limitPrice\": 40},\n    {\"symbol\": \"TEST\", \"orderRef\": 9,", json);
        Assert.Contains("\"funding\": {\"rate\": -0.0001, \"intervalSeconds\": 14400}", json);
        Assert.Contains("\"orders\": {\n    \"placed\": 2,\n    \"filled\": 0,\n    \"rejected\": 0,\n    \"cancelled\": 0,\n    \"openAtEnd\": 2\n  }", json);
    }

    [Fact]
    public void Equity_csv_has_one_row_per_point()
    {
        var s = new Scripted { Bar = (i, _, o) => { if (i == 0) o.Add(MarketBuy(1, 1)); } };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100), B.Flat(2, 80), B.Flat(3, 90)], B.Free(1000));
        var text = new StringWriter();
        ReportWriter.WriteEquityCsv(report, text);

        Assert.Equal(
            "time,equity,cash,position_value,drawdown_pct\n" +
            "2024-01-01T00:00:00Z,1000.00000000,1000.00000000,0.00000000,0.000000\n" +
            "2024-01-01T01:00:00Z,1000.00000000,900.00000000,100.00000000,0.000000\n" +
            "2024-01-01T02:00:00Z,980.00000000,900.00000000,80.00000000,2.000000\n" +
            "2024-01-01T03:00:00Z,990.00000000,900.00000000,90.00000000,1.000000\n",
            text.ToString());
    }

    [Fact]
    public void Trades_csv_has_one_row_per_fill()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i == 0) o.Add(StrategyIntent.Signal(OrderSide.Buy, IntentReason.EmaCrossedUp, 1, 2));
                if (i == 1) o.Add(LimitSell(5, 5, 101.5));
            },
        };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100), B.Bar(2, 100, 102, 99, 101)], B.Free(1000));
        var text = new StringWriter();
        ReportWriter.WriteTradesCsv(report, text);

        Assert.Equal(
            "time,symbol,order_ref,kind,side,quantity,price,notional,fee,cash_after,position_after,reason\n" +
            "2024-01-01T01:00:00Z,TEST,-1,market,buy,10,100,1000.00000000,0.00000000,0.00000000,10,ema-crossed-up\n" +
            "2024-01-01T02:00:00Z,TEST,5,limit,sell,5,101.5,507.50000000,0.00000000,507.50000000,5,grid-level\n",
            text.ToString());
    }

    [Fact]
    public void Outputs_that_were_not_recorded_are_refused()
    {
        var report = Run(new Scripted(), B.Flats(3), B.Free() with { EquityCurve = EquityCurveRecording.None, RecordTrades = false });

        Assert.Null(report.EquityCurve);
        Assert.Null(report.Trades);
        Assert.Null(report.RoundTrips);
        Assert.Throws<InvalidOperationException>(() => ReportWriter.WriteEquityCsv(report, new StringWriter()));
        Assert.Throws<InvalidOperationException>(() => ReportWriter.WriteTradesCsv(report, new StringWriter()));
        Assert.Throws<InvalidOperationException>(() => ReportWriter.WriteTradesJson(report, new StringWriter()));
        Assert.Throws<InvalidOperationException>(() => EquityChart.Write(report, new StringWriter()));
        var json = ReportWriter.ToJson(report);
        Assert.Contains("\"trades\": null,\n  \"roundTrips\": null\n}", json);
        Assert.Contains("\"equityCurve\": \"none\"", json);
        Assert.Equal(3, report.Metrics.EquityPoints);
    }

    [Theory]
    [InlineData(-0.0, "0.00000000")]
    [InlineData(-1e-12, "0.00000000")]
    [InlineData(-0.000000005, "-0.00000001")]
    [InlineData(1234.5, "1234.50000000")]
    [InlineData(double.NaN, "")]
    public void Money_is_fixed_and_never_negative_zero(double value, string expected)
    {
        Assert.Equal(expected, Formatting.Money(value));
    }

    [Theory]
    [InlineData(0.1 + 0.2, "0.3")]
    [InlineData(-1e-15, "0")]
    [InlineData(62000.5, "62000.5")]
    [InlineData(1.23456789012345, "1.234567890123")]
    [InlineData(double.PositiveInfinity, "")]
    public void Prices_have_up_to_twelve_decimals(double value, string expected)
    {
        Assert.Equal(expected, Formatting.Price(value));
    }

    [Fact]
    public void Times_show_a_fraction_only_when_there_is_one()
    {
        Assert.Equal("2024-01-01T08:00:00Z", Formatting.Time(new DateTimeOffset(2024, 1, 1, 9, 0, 0, TimeSpan.FromHours(1))));
        Assert.Equal("2024-01-01T08:00:00.5Z", Formatting.Time(new DateTimeOffset(2024, 1, 1, 8, 0, 0, 500, TimeSpan.Zero)));
    }

    [Fact]
    public void Json_strings_and_csv_fields_are_escaped()
    {
        Assert.Equal("\"a\\\"b\\\\c\\nd\\u003c\\u0001\"", Formatting.JsonString("a\"b\\c\nd<\u0001"));
        Assert.Equal("\"a,b\"", Formatting.Csv("a,b"));
        Assert.Equal("\"say \"\"hi\"\"\"", Formatting.Csv("say \"hi\""));
        Assert.Equal("plain", Formatting.Csv("plain"));
        Assert.Equal("&lt;a &amp; &quot;b&quot;&gt;", Formatting.Xml("<a & \"b\">"));
    }

    [Fact]
    public void Chart_is_an_svg_with_an_equity_line_a_drawdown_area_and_labelled_ticks()
    {
        var report = Backtester.Run(GoldenRequest());
        var text = new StringWriter();
        EquityChart.Write(report, text, "title <x>");
        var svg = text.ToString();

        var doc = System.Xml.Linq.XDocument.Parse(svg);
        var ns = doc.Root!.Name.Namespace;
        Assert.Equal("svg", doc.Root.Name.LocalName);
        var line = Assert.Single(doc.Descendants(ns + "polyline"));
        Assert.Equal(240, line.Attribute("points")!.Value.Split(' ').Length);
        var area = Assert.Single(doc.Descendants(ns + "polygon"));
        Assert.Equal(242, area.Attribute("points")!.Value.Split(' ').Length);
        var labels = doc.Descendants(ns + "text").Select(t => t.Value).ToList();
        Assert.Contains("title <x>", labels);
        Assert.Contains("2024-01-01 00:00", labels);
        Assert.Contains("2024-01-01 03:59", labels);
        Assert.Contains("0.0%", labels);
        Assert.Contains("-2.0%", labels);
        Assert.Contains(labels, l => l.StartsWith('-') && l.EndsWith('%'));
        Assert.True(labels.Count(l => double.TryParse(l, System.Globalization.CultureInfo.InvariantCulture, out _)) >= 3);
    }

    [Fact]
    public void Chart_of_a_long_curve_downsamples_to_at_most_two_thousand_points_keeping_the_extremes()
    {
        var points = new EquityPoint[10_007];
        for (var i = 0; i < points.Length; i++)
            points[i] = new EquityPoint(B.T0.AddMinutes(i), 1000 + Math.Sin(i / 50.0) * 100 + i * 0.01, 0, 0, (i % 97) / 10.0);
        points[4321] = points[4321] with { Equity = 5000 };
        points[777] = points[777] with { Equity = 10, DrawdownPct = 99 };

        var kept = EquityChart.Downsample(points);

        Assert.InRange(kept.Length, 1000, 2000);
        Assert.Equal(0, kept[0]);
        Assert.Equal(points.Length - 1, kept[^1]);
        Assert.Contains(4321, kept);
        Assert.Contains(777, kept);
        Assert.Equal(kept.Order(), kept); // time order
        Assert.Equal(kept.Distinct().Count(), kept.Length);
        Assert.Equal(kept, EquityChart.Downsample(points)); // a fixed rule
    }

    [Fact]
    public void Short_curve_is_drawn_whole()
    {
        var points = Enumerable.Range(0, 2000).Select(i => new EquityPoint(B.T0.AddMinutes(i), 100 + i, 0, 0, 0)).ToArray();

        Assert.Equal(Enumerable.Range(0, 2000), EquityChart.Downsample(points));
    }

    [Fact]
    public void Chart_of_a_flat_single_point_curve_still_draws()
    {
        var report = Run(new Scripted(), [B.Flat(0, 100)], B.Free());
        var text = new StringWriter();
        EquityChart.Write(report, text);

        var doc = System.Xml.Linq.XDocument.Parse(text.ToString());
        Assert.Single(doc.Descendants(doc.Root!.Name.Namespace + "polyline"));
    }

    [Theory]
    [InlineData(0, 100, 0, 100, 20)]
    [InlineData(9500, 10870, 9500, 11000, 500)]
    [InlineData(9420, 10870, 9000, 11000, 500)]
    [InlineData(0.013, 0.0391, 0.01, 0.04, 0.01)]
    public void Axis_ranges_round_out_to_steps_of_one_two_or_five(double min, double max, double low, double high, double step)
    {
        var (l, h, s) = EquityChart.NiceRange(min, max);

        Assert.Equal(step, s, 12);
        Assert.Equal(low, l, 12);
        Assert.Equal(high, h, 12);
    }

    [Fact]
    public void Downsampling_keeps_each_runs_lowest_highest_and_deepest_point()
    {
        var points = new EquityPoint[6660];
        for (var i = 0; i < points.Length; i++) points[i] = new EquityPoint(B.T0.AddMinutes(i), 1000, 0, 0, 1);
        // Run 3 holds points 30..39: its lowest at 31, highest at 35, deepest at 38.
        points[31] = points[31] with { Equity = 900 };
        points[35] = points[35] with { Equity = 1100 };
        points[38] = points[38] with { DrawdownPct = 20 };

        var kept = EquityChart.Downsample(points);

        // Equal values keep the first of the run (its first point); the last point is added at the end.
        var expected = new List<int> { 0 };
        for (var b = 1; b < 666; b++)
            expected.AddRange(b == 3 ? [31, 35, 38] : [b * 10]);
        expected.Add(6659);
        Assert.Equal(expected, kept);
    }

    [Fact]
    public void Chart_of_one_point_centres_it()
    {
        var report = Run(new Scripted(), [B.Flat(0, 100)], B.Free());
        var text = new StringWriter();
        EquityChart.Write(report, text);
        var doc = System.Xml.Linq.XDocument.Parse(text.ToString());

        var line = Assert.Single(doc.Descendants(doc.Root!.Name.Namespace + "polyline"));
        Assert.StartsWith("515.0,", line.Attribute("points")!.Value);
    }

    [Fact]
    public void Chart_over_three_days_or_more_labels_dates_only_and_has_a_default_title()
    {
        var bars = Enumerable.Range(0, 73).Select(h => B.Flat(h, 100 + h % 5)).ToArray();
        var s = new Scripted { Bar = (i, _, o) => { if (i == 0) o.Add(MarketBuy(1, 1)); } };
        var report = Run(s, bars, B.Free());
        var text = new StringWriter();
        EquityChart.Write(report, text);
        var labels = System.Xml.Linq.XDocument.Parse(text.ToString()).Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value).ToList();

        Assert.Equal("scripted {} on TEST", labels[0]);
        Assert.Equal(["2024-01-01", "2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"], labels.Where(l => l.StartsWith("2024")));
    }

    [Fact]
    public void Chart_under_three_days_labels_times()
    {
        var bars = Enumerable.Range(0, 72).Select(h => B.Flat(h, 100)).ToArray();
        var report = Run(new Scripted(), bars, B.Free());
        var text = new StringWriter();
        EquityChart.Write(report, text);

        Assert.Contains(">2024-01-03 23:00<", text.ToString());
    }

    [Theory]
    [InlineData(100, 100, 99, 101, 0.5)]   // flat: padded by 1 % of the value
    [InlineData(1000, 1000, 990, 1010, 5)]
    [InlineData(0, 0, -1, 1, 0.5)]         // flat at zero: padded by 1
    [InlineData(0, 5, 0, 5, 1)]            // raw step exactly 1
    [InlineData(0, 10, 0, 10, 2)]          // exactly 2
    [InlineData(0, 25, 0, 25, 5)]          // exactly 5
    [InlineData(0, 26, 0, 30, 10)]         // above 5: 10
    public void Axis_range_steps_and_flat_ranges(double min, double max, double low, double high, double step)
    {
        var (l, h, s) = EquityChart.NiceRange(min, max);

        Assert.Equal(step, s, 12);
        Assert.Equal(low, l, 12);
        Assert.Equal(high, h, 12);
    }

    [Theory]
    [InlineData(-1e-9, 0.5, "0.0")]
    [InlineData(-2, 1, "-2")]
    [InlineData(-10, 5, "-10")]
    [InlineData(2.5, 0.5, "2.5")]
    [InlineData(10050, 50, "10050")]
    [InlineData(0.04, 0.01, "0.04")]
    public void Tick_labels_have_the_steps_decimals_and_no_negative_zero(double value, double step, string expected)
    {
        Assert.Equal(expected, EquityChart.Label(value, step));
    }

    [Fact]
    public void Coordinates_have_one_decimal_and_no_negative_zero()
    {
        Assert.Equal("0.0", EquityChart.C(-0.01));
        Assert.Equal("-0.1", EquityChart.C(-0.1));
        Assert.Equal("12.3", EquityChart.C(12.34));
    }

    [Fact]
    public void Writers_refuse_nulls_and_name_what_was_not_recorded()
    {
        var report = Run(new Scripted(), B.Flats(2), B.Free() with { EquityCurve = EquityCurveRecording.None, RecordTrades = false });
        var w = new StringWriter();

        Assert.Throws<ArgumentNullException>(() => ReportWriter.WriteJson(null!, w));
        Assert.Throws<ArgumentNullException>(() => ReportWriter.WriteJson(report, null!));
        Assert.Throws<ArgumentNullException>(() => ReportWriter.WriteEquityCsv(null!, w));
        Assert.Throws<ArgumentNullException>(() => ReportWriter.WriteEquityCsv(report, null!));
        Assert.Throws<ArgumentNullException>(() => ReportWriter.WriteTradesCsv(null!, w));
        Assert.Throws<ArgumentNullException>(() => ReportWriter.WriteTradesCsv(report, null!));
        Assert.Throws<ArgumentNullException>(() => ReportWriter.WriteTradesJson(null!, w));
        Assert.Throws<ArgumentNullException>(() => ReportWriter.WriteTradesJson(report, null!));
        Assert.Throws<ArgumentNullException>(() => EquityChart.Write(null!, w));
        Assert.Throws<ArgumentNullException>(() => EquityChart.Write(report, null!));
        Assert.Equal("the equity curve was not recorded (settings.EquityCurve = None)", Assert.Throws<InvalidOperationException>(() => ReportWriter.WriteEquityCsv(report, w)).Message);
        Assert.Equal("the equity curve was not recorded (settings.EquityCurve = None)", Assert.Throws<InvalidOperationException>(() => EquityChart.Write(report, w)).Message);
        Assert.Equal("trades were not recorded (settings.RecordTrades = false)", Assert.Throws<InvalidOperationException>(() => ReportWriter.WriteTradesCsv(report, w)).Message);
        Assert.Equal("trades were not recorded (settings.RecordTrades = false)", Assert.Throws<InvalidOperationException>(() => ReportWriter.WriteTradesJson(report, w)).Message);
        Assert.Equal("", w.ToString());
    }

    [Fact]
    public void Open_orders_at_end_show_their_sizing_and_a_null_limit_for_market_orders()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i == 1) o.Add(StrategyIntent.Market(4, OrderSide.Buy, IntentSizing.Quote, 250, IntentReason.None));
            },
        };
        var json = ReportWriter.ToJson(Run(s, [B.Flat(0, 100), B.Flat(1, 100)], B.Free()));

        Assert.Contains("{\"symbol\": \"TEST\", \"orderRef\": 4, \"kind\": \"market\", \"side\": \"buy\", \"sizing\": \"quote\", \"amount\": 250, \"limitPrice\": null}", json);
    }
}
