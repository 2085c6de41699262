using TradingActors.Domain.Performance;

namespace TradingActors.Domain.Tests.Performance;

/// <summary>The equity figures backtests and live performance share, against formulas worked by hand.</summary>
public class EquityStatisticsTests
{
    private static readonly long Day = TimeSpan.TicksPerDay;

    private static EquityStatistics Series(params double[] equity)
    {
        var stats = new EquityStatistics();
        for (var i = 0; i < equity.Length; i++) stats.Add(i * Day, equity[i], exposed: i % 2 == 1);
        return stats;
    }

    [Fact]
    public void Metrics_of_a_four_point_series_match_the_formulas_by_hand()
    {
        // Equity at daily closes: 100, 110, 99, 121; bar interval one week (so CAGR stays readable).
        var stats = Series(100, 110, 99, 121);
        var summary = stats.Summarize(100, 7 * Day, 0, 3 * Day + 7 * Day);

        // total return = 121 / 100 - 1 = 21 %
        Assert.Equal(21, summary.TotalReturnPct, 10);
        Assert.Equal(121, summary.FinalEquity);
        // r = 110/100-1 = 0.1, 99/110-1 = -0.1, 121/99-1 = 0.2222...
        double r1 = 0.1, r2 = -0.1, r3 = 121.0 / 99 - 1;
        var mean = (r1 + r2 + r3) / 3;
        // sample stdev: sqrt(sum((r - mean)^2) / (n - 1))
        var sd = Math.Sqrt((Math.Pow(r1 - mean, 2) + Math.Pow(r2 - mean, 2) + Math.Pow(r3 - mean, 2)) / 2);
        // bars per year P = 365.25 days / 7 days
        var sqrtP = Math.Sqrt(365.25 / 7);
        // Sharpe = mean / sd * sqrt(P)  (mean = 0.074074, sd = 0.162668, sqrt(P) = 7.223476: 3.2893)
        Assert.Equal(mean / sd * sqrtP, summary.Sharpe!.Value, 10);
        Assert.Equal(3.2893, summary.Sharpe.Value, 4);
        // Sortino = mean / sqrt((0 + 0.01 + 0) / 3) * sqrt(P) = 0.074074 / 0.057735 * 7.223476 = 9.2677
        Assert.Equal(mean / Math.Sqrt(0.01 / 3) * sqrtP, summary.Sortino!.Value, 10);
        Assert.Equal(9.2677, summary.Sortino.Value, 4);
        // max drawdown = (110 - 99) / 110 = 10 %, from day 1 back to 110 or above on day 3: 2 days, recovered
        Assert.Equal(10, summary.MaxDrawdownPct, 10);
        Assert.Equal(2 * Day, summary.MaxUnderwaterTicks);
        Assert.True(summary.MaxUnderwaterRecovered);
        // CAGR = 1.21^(1 / years) - 1, years = (3 days + 7 days) / 365.25 days
        Assert.Equal((Math.Pow(1.21, 365.25 / 10) - 1) * 100, summary.CagrPct!.Value, 6);
        // exposed at points 1 and 3 of 4
        Assert.Equal(50, summary.ExposurePct);
        Assert.Equal(0.0, stats.CurrentDrawdown);
    }

    [Fact]
    public void Drawdown_not_recovered_lasts_to_the_last_point()
    {
        // 100, 120, 90, 100: peak 120 on day 1, never regained: 25 % and 2 days, not recovered.
        var summary = Series(100, 120, 90, 100).Summarize(100, Day, 0, 4 * Day);

        Assert.Equal(25, summary.MaxDrawdownPct, 10);
        Assert.Equal(2 * Day, summary.MaxUnderwaterTicks);
        Assert.False(summary.MaxUnderwaterRecovered);
    }

    [Fact]
    public void Longest_underwater_period_wins_whether_recovered_or_not()
    {
        // 100, 90, 95, 101 (3 days under, recovered), 99 (1 day under at the end).
        var recovered = Series(100, 90, 95, 101, 99).Summarize(100, Day, 0, 5 * Day);
        Assert.Equal(3 * Day, recovered.MaxUnderwaterTicks);
        Assert.True(recovered.MaxUnderwaterRecovered);
        Assert.Equal(10, recovered.MaxDrawdownPct, 10);

        // 100, 90, 100 (2 days, recovered: back AT the peak counts), 99, 98, 97 (3 days to the end, not recovered).
        var open = Series(100, 90, 100, 99, 98, 97).Summarize(100, Day, 0, 6 * Day);
        Assert.Equal(3 * Day, open.MaxUnderwaterTicks);
        Assert.False(open.MaxUnderwaterRecovered);
    }

    [Fact]
    public void Current_drawdown_is_from_the_running_peak()
    {
        var stats = Series(100, 120, 90);
        Assert.Equal(0.25, stats.CurrentDrawdown, 12);
        stats.Add(3 * Day, 108, false);
        Assert.Equal(0.1, stats.CurrentDrawdown, 12);
    }

    [Fact]
    public void Flat_equity_has_no_sharpe_and_no_sortino()
    {
        var summary = Series(100, 100, 100).Summarize(100, Day, 0, 3 * Day);

        Assert.Null(summary.Sharpe);
        Assert.Null(summary.Sortino);
        Assert.Equal(0, summary.MaxDrawdownPct);
        Assert.Equal(0, summary.MaxUnderwaterTicks);
        Assert.True(summary.MaxUnderwaterRecovered);
        Assert.Equal(0, summary.CagrPct);
    }

    [Fact]
    public void Only_rising_equity_has_a_sharpe_but_no_sortino()
    {
        var summary = Series(100, 101, 103).Summarize(100, Day, 0, 3 * Day);

        Assert.NotNull(summary.Sharpe);
        Assert.Null(summary.Sortino);
    }

    [Fact]
    public void Two_points_give_one_return_and_no_sharpe()
    {
        var summary = Series(100, 90).Summarize(100, Day, 0, 2 * Day);

        Assert.Null(summary.Sharpe);
        // one negative return: mean -0.1, downside sqrt(0.01 / 1) = 0.1 -> -1 * sqrt(365.25)
        Assert.Equal(-Math.Sqrt(365.25), summary.Sortino!.Value, 10);
    }

    [Fact]
    public void Without_a_bar_interval_nothing_is_annualised()
    {
        var summary = Series(100).Summarize(100, 0, 0, 0);

        Assert.Null(summary.CagrPct);
        Assert.Null(summary.Sharpe);
        Assert.Null(summary.Sortino);
        Assert.Equal(0, summary.TotalReturnPct);
    }

    [Fact]
    public void Equally_long_underwater_periods_keep_the_first_one()
    {
        // 100, 90, 100 (2 days, recovered), 99, 98 (2 days, not recovered): the first stays the longest.
        var summary = Series(100, 90, 100, 99, 98).Summarize(100, Day, 0, 5 * Day);

        Assert.Equal(2 * Day, summary.MaxUnderwaterTicks);
        Assert.True(summary.MaxUnderwaterRecovered);
    }

    [Fact]
    public void No_points_summarise_as_the_initial_cash()
    {
        var summary = new EquityStatistics().Summarize(100, Day, 0, Day);

        Assert.Equal(100, summary.FinalEquity);
        Assert.Equal(0, summary.TotalReturnPct);
        Assert.Equal(0, summary.ExposurePct);
        Assert.Null(summary.Sharpe);
        Assert.Null(summary.Sortino);
    }

    [Fact]
    public void Equal_returns_have_no_sharpe()
    {
        // 100, 110, 121: both returns 10 %, no deviation
        var summary = Series(100, 110, 121).Summarize(100, Day, 0, 3 * Day);

        Assert.Null(summary.Sharpe);
        Assert.Null(summary.Sortino);
        Assert.Equal(21, summary.TotalReturnPct, 10);
    }

    [Fact]
    public void Exposure_counts_the_points_a_position_was_held_at()
    {
        var stats = new EquityStatistics();
        stats.Add(0, 100, exposed: true);
        stats.Add(Day, 100, exposed: false);
        stats.Add(2 * Day, 100, exposed: false);
        stats.Add(3 * Day, 100, exposed: false);

        Assert.Equal(25, stats.Summarize(100, Day, 0, 4 * Day).ExposurePct);
    }

    [Fact]
    public void A_new_peak_after_a_recovery_is_not_underwater()
    {
        // 100, 90, back to 100 on day 2 (2 days under), then a new peak on day 10: the 8 days between were above water.
        var stats = new EquityStatistics();
        stats.Add(0, 100, false);
        stats.Add(Day, 90, false);
        stats.Add(2 * Day, 100, false);
        stats.Add(10 * Day, 101, false);

        var summary = stats.Summarize(100, Day, 0, 10 * Day);
        Assert.Equal(2 * Day, summary.MaxUnderwaterTicks);
        Assert.True(summary.MaxUnderwaterRecovered);
    }

    [Fact]
    public void Cagr_counts_the_years_from_the_start_not_from_zero()
    {
        // 100 → 121 over two years that start in year ten: 10 % a year.
        var start = 3_652 * Day;
        var stats = new EquityStatistics();
        stats.Add(start, 100, false);
        stats.Add(start + 365 * Day, 121, false);

        Assert.Equal(10, stats.Summarize(100, 365 * Day, start, start + (long)(2 * EquityStatistics.DaysPerYear * Day)).CagrPct!.Value, 6);
    }
}
