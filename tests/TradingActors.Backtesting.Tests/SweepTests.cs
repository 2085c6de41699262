using TradingActors.Domain.Strategies;

namespace TradingActors.Backtesting.Tests;

public class SweepTests
{
    private static readonly StrategyKind Rsi = RsiThresholdStrategy.Kind;

    [Fact]
    public void Grid_enumerates_the_product_with_the_last_axis_fastest()
    {
        var grid = ParameterGrid.Build(Rsi, null, [ParameterAxis.Of("period", 7, 14), ParameterAxis.Of("oversold", 20, 25, 30)]);

        Assert.Equal(6, grid.Total);
        Assert.Empty(grid.Skipped);
        Assert.Equal(
            ["7/20", "7/25", "7/30", "14/20", "14/25", "14/30"],
            grid.Points.Select(p => $"{p.Parameters["period"]}/{p.Parameters["oversold"]}"));
        Assert.Equal([0, 1, 2, 3, 4, 5], grid.Points.Select(p => p.Index));
        Assert.All(grid.Points, p => Assert.Equal(70, p.Parameters["overbought"])); // the default
        Assert.Equal([14.0, 25], grid.Points[4].AxisValues);
    }

    [Fact]
    public void Grid_varies_over_the_base_parameters()
    {
        var baseParameters = StrategyParameters.FromJson(Rsi, """{"period": 9, "overbought": 80}""", out _);
        var grid = ParameterGrid.Build(Rsi, baseParameters, [ParameterAxis.Of("oversold", 10, 20)]);

        Assert.Equal(["""{"period":9,"oversold":10,"overbought":80}""", """{"period":9,"oversold":20,"overbought":80}"""], grid.Points.Select(p => p.Parameters.ToJson()));
    }

    [Fact]
    public void Points_the_kind_refuses_are_skipped_and_reported_and_keep_their_index()
    {
        var grid = ParameterGrid.Build(Rsi, null, [ParameterAxis.Of("oversold", 60, 70, 80), ParameterAxis.Of("overbought", 65, 75)]);

        // oversold must be below overbought: 70/65, 80/65 and 80/75 are refused.
        Assert.Equal(6, grid.Total);
        Assert.Equal([0, 1, 3], grid.Points.Select(p => p.Index));
        Assert.Equal([2, 4, 5], grid.Skipped.Select(p => p.Index));
        var skipped = grid.Skipped[0];
        Assert.Equal([70.0, 65], skipped.AxisValues);
        Assert.Equal("oversold", Assert.Single(skipped.Errors).Parameter);
    }

    [Fact]
    public void Values_out_of_a_parameters_range_are_skipped_too()
    {
        var grid = ParameterGrid.Build(Rsi, null, [ParameterAxis.Of("period", 1, 2, 2.5)]);

        Assert.Equal([1], grid.Points.Select(p => p.Index));
        Assert.Equal(2, grid.Skipped.Count);
        Assert.Contains("between 2 and 1000", grid.Skipped[0].Errors[0].Message);
        Assert.Contains("whole number", grid.Skipped[1].Errors[0].Message);
    }

    [Fact]
    public void Grid_larger_than_the_cap_is_refused_before_it_is_built()
    {
        var big = ParameterAxis.Range("period", 2, 1000, 1); // 999 values
        var e = Assert.Throws<ArgumentException>(() => ParameterGrid.Build(Rsi, null, [big, ParameterAxis.Range("oversold", 1, 50, 1), ParameterAxis.Range("overbought", 51, 99, 1)]));

        Assert.StartsWith("the sweep has 2,447,550 points, more than the cap of 10,000", e.Message);
        Assert.Equal(999 * 2, ParameterGrid.Build(Rsi, null, [big, ParameterAxis.Of("oversold", 20, 30)]).Total);
        Assert.Throws<ArgumentException>(() => ParameterGrid.Build(Rsi, null, [ParameterAxis.Of("period", 5, 6, 7)], maxPoints: 2));
        Assert.Equal(3, ParameterGrid.Build(Rsi, null, [ParameterAxis.Of("period", 5, 6, 7)], maxPoints: 3).Total);
    }

    [Fact]
    public void Grid_refuses_unknown_and_repeated_parameters_and_base_parameters_of_another_kind()
    {
        var unknown = Assert.Throws<ArgumentException>(() => ParameterGrid.Build(Rsi, null, [ParameterAxis.Of("length", 5)]));
        Assert.StartsWith("rsi has no parameter 'length' (it has: period, oversold, overbought)", unknown.Message);
        var twice = Assert.Throws<ArgumentException>(() => ParameterGrid.Build(Rsi, null, [ParameterAxis.Of("period", 5), ParameterAxis.Of("period", 6)]));
        Assert.StartsWith("parameter period is swept twice", twice.Message);
        var ema = StrategyParameters.FromJson(EmaCrossStrategy.Kind, "{}", out _);
        Assert.Throws<ArgumentException>(() => ParameterGrid.Build(Rsi, ema, []));
    }

    [Fact]
    public void No_axes_is_the_base_point_alone()
    {
        var grid = ParameterGrid.Build(Rsi, null, []);

        Assert.Equal(1, grid.Total);
        Assert.Equal("""{"period":14,"oversold":30,"overbought":70}""", Assert.Single(grid.Points).Parameters.ToJson());
    }

    [Fact]
    public void Range_steps_in_decimal_and_includes_its_end()
    {
        Assert.Equal([0.1, 0.2, 0.3, 0.4], ParameterAxis.Range("x", 0.1, 0.4, 0.1).Values);
        Assert.Equal([10.0, 15, 20], ParameterAxis.Range("x", 10, 22, 5).Values);
        Assert.Equal([5.0], ParameterAxis.Range("x", 5, 5, 1).Values);
    }

    [Theory]
    [InlineData(1, 5, 0)]
    [InlineData(1, 5, -1)]
    [InlineData(5, 1, 1)]
    [InlineData(double.NaN, 5, 1)]
    [InlineData(0, 1e9, 1)]
    public void Bad_range_is_refused(double from, double to, double step)
    {
        Assert.Throws<ArgumentException>(() => ParameterAxis.Range("x", from, to, step));
    }

    [Fact]
    public void Axis_needs_values()
    {
        Assert.Throws<ArgumentException>(() => ParameterAxis.Of("x"));
    }

    private static BacktestMetrics M(double? sharpe = null, double ret = 0, double dd = 0, double? pf = null) =>
        new(1000, 1000 * (1 + ret / 100), ret, null, dd, TimeSpan.Zero, true, sharpe, null, 10, 0, 0, 0, 0, 0, null, 0, 0, pf, 0, 0);

    private static SweepResult R(int index, BacktestMetrics metrics) =>
        new(index, StrategyParameters.FromJson(Rsi, $$"""{"period": {{index + 2}}}""", out _), metrics);

    [Fact]
    public void Ranking_puts_the_best_first_breaks_ties_by_point_index_and_undefined_last()
    {
        var ranked = SweepRanking.Rank([R(4, M(1.5)), R(2, M(null)), R(3, M(2.0)), R(0, M(1.5)), R(1, M(double.NaN)), R(5, M(-1))]);

        Assert.Equal([3, 0, 4, 5, 1, 2], ranked.Select(r => r.Result.PointIndex));
        Assert.Equal([1, 2, 3, 4, 5, 6], ranked.Select(r => r.Rank));
        Assert.Equal([2.0, 1.5, 1.5, -1, null, null], ranked.Select(r => r.Score));
    }

    [Fact]
    public void Ranking_by_drawdown_puts_the_smallest_first()
    {
        var ranked = SweepRanking.Rank([R(0, M(dd: 12)), R(1, M(dd: 3)), R(2, M(dd: 7)), R(3, M(dd: 3))], RankMetric.MaxDrawdown);

        Assert.Equal([1, 3, 2, 0], ranked.Select(r => r.Result.PointIndex));
    }

    [Fact]
    public void Ranking_reads_each_metric()
    {
        var m = new BacktestMetrics(1000, 1200, 20, 35, 8, TimeSpan.Zero, true, 1.1, 1.7, 10, 50, 4, 2, 1, 1, 50, 30, 10, 3, 2, 0.5);

        Assert.Equal(1.1, SweepRanking.Score(m, RankMetric.Sharpe));
        Assert.Equal(1.7, SweepRanking.Score(m, RankMetric.Sortino));
        Assert.Equal(20, SweepRanking.Score(m, RankMetric.TotalReturn));
        Assert.Equal(35, SweepRanking.Score(m, RankMetric.Cagr));
        Assert.Equal(8, SweepRanking.Score(m, RankMetric.MaxDrawdown));
        Assert.Equal(3, SweepRanking.Score(m, RankMetric.ProfitFactor));
        Assert.Equal(50, SweepRanking.Score(m, RankMetric.WinRate));
        Assert.Equal(1200, SweepRanking.Score(m, RankMetric.FinalEquity));
        Assert.Throws<ArgumentOutOfRangeException>(() => SweepRanking.Score(m, (RankMetric)99));
    }

    [Theory]
    [InlineData("sharpe", RankMetric.Sharpe)]
    [InlineData("sortino", RankMetric.Sortino)]
    [InlineData("cagr", RankMetric.Cagr)]
    [InlineData("profit-factor", RankMetric.ProfitFactor)]
    [InlineData("win-rate", RankMetric.WinRate)]
    [InlineData("Total-Return", RankMetric.TotalReturn)]
    [InlineData("max-drawdown", RankMetric.MaxDrawdown)]
    [InlineData("final-equity", RankMetric.FinalEquity)]
    public void Metric_names_parse(string name, RankMetric expected)
    {
        Assert.True(SweepRanking.TryParse(name, out var metric));
        Assert.Equal(expected, metric);
        Assert.Equal(name.ToLowerInvariant(), SweepRanking.Name(metric));
    }

    [Fact]
    public void Unknown_metric_name_does_not_parse()
    {
        Assert.False(SweepRanking.TryParse("calmar", out _));
        Assert.False(SweepRanking.TryParse(null, out _));
    }

    [Fact]
    public void Ranked_table_as_csv_and_json()
    {
        var ranked = SweepRanking.Rank([R(0, M(0.5, ret: 1)), R(1, M(1.25, ret: -2, dd: 4.5, pf: 0.75))]);
        var csv = new StringWriter();
        SweepRanking.WriteCsv(ranked, csv);
        var json = new StringWriter();
        SweepRanking.WriteJson(ranked, RankMetric.Sharpe, json, [new SkippedPoint(7, [80, 70], [new ParameterError("oversold", "oversold (80) must be below overbought (70)")])]);

        Assert.Equal(
            "rank,point,period,oversold,overbought,score,total_return_pct,cagr_pct,max_drawdown_pct,sharpe,sortino,win_rate_pct,profit_factor,round_trips,trades,final_equity\n" +
            "1,1,3,30,70,1.250000,-2.000000,,4.500000,1.250000,,,0.750000,0,0,980.00000000\n" +
            "2,0,2,30,70,0.500000,1.000000,,0.000000,0.500000,,,,0,0,1010.00000000\n",
            csv.ToString());
        Assert.Equal(
            "{\n" +
            "  \"metric\": \"sharpe\",\n" +
            "  \"results\": [\n" +
            "    {\"rank\": 1, \"point\": 1, \"parameters\": {\"period\":3,\"oversold\":30,\"overbought\":70}, \"score\": 1.250000, \"totalReturnPct\": -2.000000, \"cagrPct\": null, \"maxDrawdownPct\": 4.500000, \"sharpe\": 1.250000, \"sortino\": null, \"winRatePct\": null, \"profitFactor\": 0.750000, \"roundTrips\": 0, \"trades\": 0, \"finalEquity\": 980.00000000},\n" +
            "    {\"rank\": 2, \"point\": 0, \"parameters\": {\"period\":2,\"oversold\":30,\"overbought\":70}, \"score\": 0.500000, \"totalReturnPct\": 1.000000, \"cagrPct\": null, \"maxDrawdownPct\": 0.000000, \"sharpe\": 0.500000, \"sortino\": null, \"winRatePct\": null, \"profitFactor\": null, \"roundTrips\": 0, \"trades\": 0, \"finalEquity\": 1010.00000000}\n" +
            "  ],\n" +
            "  \"skipped\": [\n" +
            "    {\"point\": 7, \"values\": [80, 70], \"errors\": [\"oversold (80) must be below overbought (70)\"]}\n" +
            "  ]\n" +
            "}\n",
            json.ToString());
    }

    [Fact]
    public void Empty_ranking_writes_just_the_header_and_empty_lists()
    {
        var csv = new StringWriter();
        SweepRanking.WriteCsv([], csv);
        var json = new StringWriter();
        SweepRanking.WriteJson([], RankMetric.Cagr, json);

        Assert.Equal("rank,point,score," + SweepRanking.MetricColumns + "\n", csv.ToString());
        Assert.Equal("{\n  \"metric\": \"cagr\",\n  \"results\": [],\n  \"skipped\": []\n}\n", json.ToString());
    }

    [Fact]
    public void Sweep_runs_every_valid_point_with_metrics_only_and_reports_progress()
    {
        var bars = Repo.Dataset("BTCUSDT-1m.csv");
        var grid = ParameterGrid.Build(Rsi, null, [ParameterAxis.Of("period", 7, 14), ParameterAxis.Of("oversold", 25, 75)]);
        var request = new BacktestRequest { Strategy = "rsi", Symbols = [new("BTCUSDT", bars)] };
        var seen = new List<long>();

        var results = Sweep.Run(request, grid, new RunnerTests.Sync<BacktestProgress>(p => seen.Add(p.BarsDone)));

        Assert.Equal([0, 2], results.Select(r => r.PointIndex)); // oversold 75 >= overbought 70: skipped
        Assert.Equal([1L, 2], seen);
        var single = Backtester.Run(request with { Parameters = grid.Points[1].Parameters.ToJson() });
        Assert.Equal(single.Metrics, results[1].Metrics);
        var ranked = SweepRanking.Rank(results, RankMetric.TotalReturn);
        Assert.Equal(2, ranked.Count);
    }

    [Fact]
    public void Sweep_is_cancellable()
    {
        var grid = ParameterGrid.Build(Rsi, null, [ParameterAxis.Of("period", 7, 14)]);
        var request = new BacktestRequest { Strategy = "rsi", Symbols = [new("X", B.Flats(10))] };

        Assert.Throws<OperationCanceledException>(() => Sweep.Run(request, grid, cancellationToken: new CancellationToken(true)));
    }

    [Fact]
    public void Axis_and_range_errors_name_the_axis()
    {
        Assert.Equal("sweep axis x has no values (Parameter 'values')", Assert.Throws<ArgumentException>(() => ParameterAxis.Of("x")).Message);
        Assert.Equal("sweep axis x: step must be positive (got 0) (Parameter 'step')", Assert.Throws<ArgumentException>(() => ParameterAxis.Range("x", 1, 5, 0)).Message);
        Assert.Equal("sweep axis x: to (1) is below from (5) (Parameter 'to')", Assert.Throws<ArgumentException>(() => ParameterAxis.Range("x", 5, 1, 1)).Message);
        Assert.Equal("sweep axis x: from, to and step must be finite numbers", Assert.Throws<ArgumentException>(() => ParameterAxis.Range("x", 0, double.PositiveInfinity, 1)).Message);
        Assert.Equal("sweep axis x: 0 to 10 by 1 has more than 10 values (Parameter 'step')", Assert.Throws<ArgumentException>(() => ParameterAxis.Range("x", 0, 10, 1, maxValues: 10)).Message);
        Assert.Equal(10, ParameterAxis.Range("x", 0, 9, 1, maxValues: 10).Values.Count);
        Assert.Throws<ArgumentException>(() => new ParameterAxis(" ", [1]));
        Assert.Throws<ArgumentNullException>(() => new ParameterAxis("x", null!));
    }

    [Fact]
    public void Grid_argument_errors()
    {
        Assert.Throws<ArgumentNullException>(() => ParameterGrid.Build(null!, null, []));
        Assert.Throws<ArgumentNullException>(() => ParameterGrid.Build(Rsi, null, null!));
        Assert.Equal("a sweep axis is null (Parameter 'axes')", Assert.Throws<ArgumentException>(() => ParameterGrid.Build(Rsi, null, [null!])).Message);
        Assert.StartsWith("the cap must be at least 1", Assert.Throws<ArgumentOutOfRangeException>(() => ParameterGrid.Build(Rsi, null, [], maxPoints: 0)).Message);
        var ema = StrategyParameters.FromJson(EmaCrossStrategy.Kind, "{}", out _);
        Assert.Equal("base parameters are for ema-cross, not rsi (Parameter 'baseParameters')", Assert.Throws<ArgumentException>(() => ParameterGrid.Build(Rsi, ema, [])).Message);
        Assert.Equal(1, ParameterGrid.Build(Rsi, null, [ParameterAxis.Of("period", 5)], maxPoints: 1).Total);
    }

    [Fact]
    public void Ranking_arguments_are_checked()
    {
        Assert.Throws<ArgumentNullException>(() => SweepRanking.Rank(null!));
        Assert.Throws<ArgumentNullException>(() => SweepRanking.Score(null!, RankMetric.Sharpe));
        Assert.Throws<ArgumentNullException>(() => SweepRanking.WriteCsv(null!, new StringWriter()));
        Assert.Throws<ArgumentNullException>(() => SweepRanking.WriteCsv([], null!));
        Assert.Throws<ArgumentNullException>(() => SweepRanking.WriteJson(null!, RankMetric.Sharpe, new StringWriter()));
        Assert.Throws<ArgumentNullException>(() => SweepRanking.WriteJson([], RankMetric.Sharpe, null!));
        Assert.Throws<ArgumentNullException>(() => Sweep.Run(null!, ParameterGrid.Build(Rsi, null, [])));
        Assert.Throws<ArgumentNullException>(() => Sweep.Run(new BacktestRequest { Strategy = "rsi", Symbols = [] }, null!));
        Assert.Equal("unknown rank metric (Parameter 'metric')\nActual value was 99.", Assert.Throws<ArgumentOutOfRangeException>(() => SweepRanking.Score(M(), (RankMetric)99)).Message.ReplaceLineEndings("\n"));
    }

    /// <summary>A test kind with a number and a boolean: it buys on bar 0 when "buy" is true, "size" units.</summary>
    private static readonly StrategyKind Toggle = new(
        "toggle", "test kind", emitsSignals: false,
        [ParameterSpec.Number("size", 0, 100, 1, "units"), ParameterSpec.Boolean("buy", true, "buy on the first bar")],
        _ => [],
        (p, _) => new Scripted { Bar = (i, _, o) => { if (i == 0 && p.Bool("buy")) o.Add(Scripted.MarketBuy(1, p["size"])); } });

    [Fact]
    public void Sweep_runs_a_kind_outside_the_registry_and_the_table_shows_booleans()
    {
        var grid = ParameterGrid.Build(Toggle, null, [ParameterAxis.Of("buy", 0, 1), ParameterAxis.Of("size", 1, 2)]);
        var request = new BacktestRequest { Strategy = "toggle", Symbols = [new("X", [B.Flat(0, 100), B.Flat(1, 100), B.Flat(2, 110)])], Settings = B.Free(1000) };

        var ranked = SweepRanking.Rank(Sweep.Run(request, grid), RankMetric.FinalEquity);
        var csv = new StringWriter();
        SweepRanking.WriteCsv(ranked, csv);

        Assert.StartsWith(
            "rank,point,size,buy,score," + SweepRanking.MetricColumns + "\n" +
            "1,3,2,true,1020.000000,2.000000,",
            csv.ToString());
        Assert.Equal([3, 2, 0, 1], ranked.Select(r => r.Result.PointIndex));
        Assert.Contains("\n3,0,1,false,1000.000000,", csv.ToString());
    }
}
