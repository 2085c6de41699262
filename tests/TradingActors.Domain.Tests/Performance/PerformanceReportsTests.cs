using TradingActors.Domain.Orders;
using TradingActors.Domain.Performance;

namespace TradingActors.Domain.Tests.Performance;

/// <summary>Performance over time (decision 030): fills booked as the tenant books them, the curve marked at each interval.</summary>
public class PerformanceReportsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private static DateTimeOffset At(int minutes, int seconds = 0) => T0.AddMinutes(minutes).AddSeconds(seconds);

    private static FillReport Buy(DateTimeOffset at, decimal quantity, decimal price, decimal fee = 0m, string id = "o-1") => new(at, id, OrderSide.Buy, quantity, price, fee);

    private static FillReport Sell(DateTimeOffset at, decimal quantity, decimal price, decimal fee = 0m, string id = "o-2") => new(at, id, OrderSide.Sell, quantity, price, fee);

    /// <summary>Budget 1,000: buy 1 at 100 at 10:00:30, marked 110 at 10:00:50, sold at 120 (fee 1) at 10:02:10; 125 now (10:03:30).</summary>
    private static PerformanceReport RoundTrip() => PerformanceReports.Build(new PerformanceRequest(1_000m, T0, At(3, 30), Minute,
        [Sell(At(2, 10), 1m, 120m, 1m), Buy(At(0, 30), 1m, 100m)], [new PriceMark(At(0, 50), 110m)], 125m));

    [Fact]
    public void A_round_trip_is_marked_at_the_start_each_minute_and_now()
    {
        var report = RoundTrip();

        Assert.Equal([T0, At(1), At(2), At(3), At(3, 30)], report.Curve.Select(p => p.At));
        // Nothing known at the start; then the mark after the buy; the same a minute later; the sell's price; now's price.
        Assert.Equal([null, 110m, 110m, 120m, 125m], report.Curve.Select(p => p.Price));
        Assert.Equal([1_000m, 1_010m, 1_010m, 1_019m, 1_019m], report.Curve.Select(p => p.Equity));
        Assert.Equal([0m, 1m, 1m, 0m, 0m], report.Curve.Select(p => p.Position));
        Assert.Equal([0m, 10m, 10m, 0m, 0m], report.Curve.Select(p => p.Unrealised));
        Assert.Equal([0m, 0m, 0m, 19m, 19m], report.Curve.Select(p => p.Realised));
        Assert.All(report.Curve, p => Assert.Equal(0m, p.DrawdownPercent));
    }

    [Fact]
    public void A_round_trip_sums_up_with_the_backtesters_definitions()
    {
        var s = RoundTrip().Summary;

        Assert.Equal(19m, s.Realised); // 120 - 1 - 100
        Assert.Equal(0m, s.Unrealised);
        Assert.Equal(1_019m, s.Equity);
        Assert.Equal(1.9m, s.ReturnPercent);
        Assert.Equal(1m, s.Fees);
        Assert.Equal((2, 1, 1), (s.Trades, s.RoundTrips, s.Wins));
        Assert.Equal(1m, s.WinRate);
        Assert.Equal(0m, s.MaxDrawdownPercent);
        Assert.Equal(125m, s.Price);
        // Returns between the points: 1%, 0, 9/1010, 0; sample deviation; annualised by the minute (365.25 days a year).
        double[] r = [0.01, 0, 9.0 / 1010, 0];
        var mean = r.Average();
        var sd = Math.Sqrt(r.Sum(x => (x - mean) * (x - mean)) / (r.Length - 1));
        Assert.Equal(mean / sd * Math.Sqrt(365.25 * 24 * 60), s.Sharpe!.Value, 6);
        Assert.Null(s.Sortino); // no return below zero
    }

    [Fact]
    public void The_trade_list_has_each_part_with_what_it_realised()
    {
        var trades = RoundTrip().Trades;

        Assert.Equal(2, trades.Count);
        Assert.Equal(new PerformanceTrade(At(0, 30), "o-1", OrderSide.Buy, 1m, 100m, 0m, 0m, 1m, 0m), trades[0]);
        Assert.Equal(new PerformanceTrade(At(2, 10), "o-2", OrderSide.Sell, 1m, 120m, 1m, 19m, 0m, 19m), trades[1]);
    }

    [Fact]
    public void Cumulative_reports_book_only_their_growth_and_a_repeated_report_books_nothing()
    {
        // One order reported three times: 0.5 at 100, then 1 at an average of 101 (the second half at 102), then the same again.
        var report = PerformanceReports.Build(new PerformanceRequest(1_000m, T0, At(1), Minute,
            [Buy(At(0, 10), 0.5m, 100m, 0.1m), Buy(At(0, 20), 1m, 101m, 0.3m), Buy(At(0, 30), 1m, 101m, 0.3m)], [], null));

        Assert.Equal([(0.5m, 100m, 0.1m), (0.5m, 102m, 0.2m)], report.Trades.Select(t => (t.Quantity, t.Price, t.Fee)));
        Assert.Equal(1m, report.Summary.Position);
        Assert.Equal(101.3m, report.Summary.AverageCost); // (101 + 0.3 fees) per unit
        Assert.Equal(0.3m, report.Summary.Fees);
        // Marked at the last fill's part: 1 × 102 - 101.3.
        Assert.Equal(0.7m, report.Summary.Unrealised);
        Assert.Null(report.Summary.WinRate);
    }

    [Fact]
    public void Drawdown_is_from_the_running_peak_of_the_curve()
    {
        // Budget 100, all in at 100: marked 120 (equity 120), then 90 (equity 90: 25 % below 120), then 108 (10 % below).
        var report = PerformanceReports.Build(new PerformanceRequest(100m, T0, At(4), Minute,
            [Buy(At(0, 1), 1m, 100m)], [new PriceMark(At(0, 30), 120m), new PriceMark(At(1, 30), 90m), new PriceMark(At(2, 30), 108m)], null));

        Assert.Equal([0m, 0m, 25m, 10m, 10m], report.Curve.Select(p => p.DrawdownPercent));
        Assert.Equal(25m, report.Summary.MaxDrawdownPercent);
        Assert.Equal(8m, report.Summary.ReturnPercent);
        Assert.NotNull(report.Summary.Sortino);
    }

    [Fact]
    public void Fills_and_marks_after_the_end_are_left_out()
    {
        var report = PerformanceReports.Build(new PerformanceRequest(1_000m, T0, At(1), Minute,
            [Buy(At(0, 30), 1m, 100m), Sell(At(1, 1), 1m, 200m)], [new PriceMark(At(1, 1), 300m)], null));

        Assert.Single(report.Trades);
        Assert.Equal(1m, report.Summary.Position);
        Assert.Equal(100m, report.Summary.Price);
    }

    [Fact]
    public void A_mark_at_the_same_time_as_a_fill_comes_first_so_the_fill_prices_the_point()
    {
        var report = PerformanceReports.Build(new PerformanceRequest(1_000m, T0, At(1), Minute,
            [Buy(At(0, 30), 1m, 100m)], [new PriceMark(At(0, 30), 99m)], null));

        Assert.Equal(100m, report.Curve[^1].Price);
    }

    [Fact]
    public void Without_fills_or_prices_the_curve_is_the_budget()
    {
        var report = PerformanceReports.Build(new PerformanceRequest(500m, T0, At(2), Minute, [], [], null));

        Assert.Equal([500m, 500m, 500m], report.Curve.Select(p => p.Equity));
        Assert.All(report.Curve, p => Assert.Null(p.Price));
        Assert.Equal(0m, report.Summary.ReturnPercent);
        Assert.Null(report.Summary.Sharpe);
        Assert.Null(report.Summary.WinRate);
        Assert.Equal(0, report.Summary.Trades);
    }

    [Fact]
    public void A_span_with_no_length_is_one_point_and_an_end_before_the_start_is_the_start()
    {
        Assert.Single(PerformanceReports.Build(new PerformanceRequest(1m, T0, T0, Minute, [], [], 5m)).Curve);
        var backwards = PerformanceReports.Build(new PerformanceRequest(1m, T0, T0.AddHours(-1), Minute, [], [], 5m));
        Assert.Equal(T0, Assert.Single(backwards.Curve).At);
        Assert.Equal(T0, backwards.To);
    }

    [Fact]
    public void A_losing_round_trip_is_not_a_win_and_a_zero_budget_has_no_return()
    {
        var losing = PerformanceReports.Build(new PerformanceRequest(1_000m, T0, At(1), Minute,
            [Buy(At(0, 10), 1m, 100m), Sell(At(0, 20), 1m, 99m)], [], null)).Summary;
        Assert.Equal((1, 0, 0m), (losing.RoundTrips, losing.Wins, losing.WinRate));
        Assert.Equal(-1m, losing.Realised);

        var nothing = PerformanceReports.Build(new PerformanceRequest(0m, T0, At(1), Minute, [], [], null)).Summary;
        Assert.Equal(0m, nothing.ReturnPercent);
        Assert.Equal(0m, nothing.MaxDrawdownPercent);
    }

    [Fact]
    public void The_interval_must_be_positive() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PerformanceReports.Build(new PerformanceRequest(1m, T0, At(1), TimeSpan.Zero, [], [], null)));

    // Span in minutes from 10:00:00 (or from 10:00:30 when offset), the interval named, the points expected.
    [Theory]
    [InlineData(0, false, "1m", 1)]
    [InlineData(1, false, "1m", 2)] // start and end: the end is the boundary
    [InlineData(2, false, "1m", 3)]
    [InlineData(2, true, "1m", 4)] // 10:00:30 → 10:01, 10:02 inside → 10:02:30
    [InlineData(60, false, "1h", 2)]
    [InlineData(61, false, "1h", 3)]
    [InlineData(1_999, false, "1m", 2_000)]
    public void Points_count_the_start_the_boundaries_inside_and_the_end(int minutes, bool offset, string interval, long points)
    {
        var from = offset ? T0.AddSeconds(30) : T0;
        var length = PerformanceReports.Intervals.Single(i => i.Name == interval).Length;

        Assert.Equal(points, PerformanceReports.Points(from, from.AddMinutes(minutes), length));
        Assert.Equal(points, PerformanceReports.Build(new PerformanceRequest(1m, from, from.AddMinutes(minutes), length, [], [], null)).Curve.Count);
    }

    // Span in minutes, the interval asked for (null: chosen), the interval given (null: refused), a part of the refusal.
    [Theory]
    [InlineData(60, null, "1m", null)]
    [InlineData(1_999, null, "1m", null)] // 2,000 points: as many as may be
    [InlineData(2_000, null, "5m", null)] // 2,001 points a minute apart: one too many
    [InlineData(3 * 24 * 60, null, "5m", null)]
    [InlineData(30 * 24 * 60, null, "1h", null)]
    [InlineData(300 * 24 * 60, null, "4h", null)]
    [InlineData(3_650 * 24 * 60, null, "1d", null)]
    [InlineData(400_000 * 24 * 60, null, "1d", null)] // longer than any fits: the longest interval still
    [InlineData(60, "15m", "15m", null)]
    [InlineData(1_999, "1m", "1m", null)]
    [InlineData(2_000, "1m", null, "gives 2001 points over this span; at most 2000")]
    [InlineData(60, "2m", null, "unknown interval '2m' (intervals: 1m, 5m, 15m, 1h, 4h, 1d)")]
    public void The_interval_is_the_named_one_or_the_shortest_that_fits(int minutes, string? asked, string? given, string? refusal)
    {
        var interval = PerformanceReports.ChooseInterval(asked, T0, T0.AddMinutes(minutes), out var why);

        Assert.Equal(given, interval is { } i ? PerformanceReports.NameOf(i) : null);
        if (refusal is null) Assert.Null(why);
        else Assert.Contains(refusal, why);
    }

    [Fact]
    public void The_curve_and_trades_export_as_csv()
    {
        var report = RoundTrip();
        var curve = new StringWriter();
        var trades = new StringWriter();

        PerformanceCsv.WriteCurve(report, curve);
        PerformanceCsv.WriteTrades(report, trades);

        Assert.Equal("""
            time,price,position,realised,unrealised,equity,drawdown_pct
            2026-03-02T10:00:00Z,,0,0,0,1000,0
            2026-03-02T10:01:00Z,110,1,0,10,1010,0
            2026-03-02T10:02:00Z,110,1,0,10,1010,0
            2026-03-02T10:03:00Z,120,0,19,0,1019,0
            2026-03-02T10:03:30Z,125,0,19,0,1019,0

            """.ReplaceLineEndings("\n"), curve.ToString());
        Assert.Equal("""
            time,client_order_id,side,quantity,price,fee,realised,position_after,realised_after
            2026-03-02T10:00:30Z,o-1,buy,1,100,0,0,1,0
            2026-03-02T10:02:10Z,o-2,sell,1,120,1,19,0,19

            """.ReplaceLineEndings("\n"), trades.ToString());
    }

    [Fact]
    public void Csv_numbers_keep_eight_decimals_and_a_field_that_would_break_the_row_is_quoted()
    {
        Assert.Equal("0.12345679", PerformanceCsv.Number(0.123456789m));
        Assert.Equal("-3.5", PerformanceCsv.Number(-3.50m));
        var report = PerformanceReports.Build(new PerformanceRequest(1_000m, T0, At(1), Minute, [Buy(At(0, 1), 1m, 1m, 0m, "a,\"b\"")], [], null));
        var trades = new StringWriter();
        PerformanceCsv.WriteTrades(report, trades);
        Assert.Contains("Z,\"a,\"\"b\"\"\",buy,", trades.ToString());
    }

    [Fact]
    public void Csv_writers_take_no_nulls_and_a_field_starting_with_a_comma_is_quoted()
    {
        var report = PerformanceReports.Build(new PerformanceRequest(1_000m, T0, At(1), Minute, [Buy(At(0, 1), 1m, 1m, 0m, ",x")], [], null));
        Assert.Throws<ArgumentNullException>(() => PerformanceCsv.WriteCurve(null!, new StringWriter()));
        Assert.Throws<ArgumentNullException>(() => PerformanceCsv.WriteCurve(report, null!));
        Assert.Throws<ArgumentNullException>(() => PerformanceCsv.WriteTrades(null!, new StringWriter()));
        Assert.Throws<ArgumentNullException>(() => PerformanceCsv.WriteTrades(report, null!));

        var trades = new StringWriter();
        PerformanceCsv.WriteTrades(report, trades);
        Assert.Contains("Z,\",x\",buy,", trades.ToString());
    }

    [Fact]
    public void Only_the_intervals_offered_have_a_name() =>
        Assert.Throws<InvalidOperationException>(() => PerformanceReports.NameOf(TimeSpan.FromMinutes(2)));

    [Fact]
    public void A_loss_below_a_budget_of_nothing_has_no_drawdown_to_divide()
    {
        // Equity 0, then -10: below a peak of 0, a drawdown of infinity percent; reported as 0.
        var report = PerformanceReports.Build(new PerformanceRequest(0m, T0, At(2), Minute, [Buy(At(0, 1), 1m, 100m)], [new PriceMark(At(1, 1), 90m)], null));

        Assert.Equal(-10m, report.Curve[^1].Equity);
        Assert.All(report.Curve, p => Assert.Equal(0m, p.DrawdownPercent));
    }
}
