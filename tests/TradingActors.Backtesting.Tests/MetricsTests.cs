using TradingActors.Domain.Market;
using static TradingActors.Backtesting.Tests.Scripted;

namespace TradingActors.Backtesting.Tests;

public class MetricsTests
{
    /// <summary>Cash 100, one unit bought at 100 on bar 1's open: equity at the closes is 100, 110, 99, 121.</summary>
    private static BacktestReport EngineSeries(params double[] closesAfterBuy)
    {
        var bars = new List<Candle> { B.Flat(0, 100) };
        for (var i = 0; i < closesAfterBuy.Length; i++) bars.Add(B.Bar(i + 1, 100, Math.Max(100, closesAfterBuy[i]), Math.Min(100, closesAfterBuy[i]), closesAfterBuy[i]));
        var s = new Scripted { Bar = (i, _, o) => { if (i == 0) o.Add(MarketBuy(1, 1)); } };
        return Run(s, [.. bars], B.Free(100));
    }

    [Fact]
    public void Report_metrics_come_from_the_equity_at_each_bar_close()
    {
        var m = EngineSeries(110, 99, 121).Metrics;

        double r1 = 0.1, r2 = -0.1, r3 = 121.0 / 99 - 1;
        var mean = (r1 + r2 + r3) / 3;
        var sd = Math.Sqrt((Math.Pow(r1 - mean, 2) + Math.Pow(r2 - mean, 2) + Math.Pow(r3 - mean, 2)) / 2);
        var sqrtP = Math.Sqrt(365.25 * 24); // hourly bars
        Assert.Equal(121, m.FinalEquity, 10);
        Assert.Equal(21, m.TotalReturnPct, 8);
        Assert.Equal(mean / sd * sqrtP, m.Sharpe!.Value, 8);
        Assert.Equal(mean / Math.Sqrt(0.01 / 3) * sqrtP, m.Sortino!.Value, 8);
        Assert.Equal(10, m.MaxDrawdownPct, 8);
        Assert.Equal(TimeSpan.FromHours(2), m.MaxDrawdownDuration);
        Assert.True(m.MaxDrawdownRecovered);
        // years = 4 hours / 365.25 days
        Assert.Equal((Math.Pow(1.21, 365.25 * 24 / 4) - 1) * 100, m.CagrPct!.Value, 0);
        Assert.Equal(4, m.EquityPoints);
        Assert.Equal(75, m.ExposurePct); // a position at 3 of the 4 closes
        Assert.Equal(1, m.Trades);
    }

    [Fact]
    public void Report_period_runs_from_the_first_open_to_the_last_open_plus_a_bar()
    {
        var report = EngineSeries(110, 99);

        Assert.Equal(B.T0, report.Start);
        Assert.Equal(B.T0.AddHours(3), report.End);
        Assert.Equal(TimeSpan.FromHours(1), report.BarInterval);
    }

    [Fact]
    public void Round_trips_count_wins_and_losses_after_fees()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                // buy at 100, sell at 110 (win); buy at 110, sell at 105 (loss); buy at 105, sell at 105.1 (loss after fees)
                if (i is 0 or 2 or 4) o.Add(MarketBuy(i + 1, 1));
                if (i is 1 or 3 or 5) o.Add(MarketSell(i + 1, 1));
            },
        };
        double[] opens = [100, 100, 110, 110, 105, 105, 105.1, 105.1];
        var bars = opens.Select((p, i) => B.Flat(i, p)).ToArray();
        var report = Run(s, bars, new BacktestSettings { InitialCash = 1000, TakerFeeRate = 0.001, MakerFeeRate = 0, SlippageBps = 0 });

        // trip 1: -100.1 + 109.89 = 9.79; trip 2: -110.11 + 104.895 = -5.215; trip 3: -105.105 + 104.9949 = -0.1101
        var m = report.Metrics;
        Assert.Equal(3, m.RoundTrips);
        Assert.Equal(1, m.Wins);
        Assert.Equal(2, m.Losses);
        Assert.Equal(100.0 / 3, m.WinRatePct!.Value, 10);
        Assert.Equal(9.79, m.GrossProfit, 9);
        Assert.Equal(5.215 + 0.1101, m.GrossLoss, 9);
        Assert.Equal(9.79 / 5.3251, m.ProfitFactor!.Value, 9);
        Assert.Equal([9.79, -5.215, -0.1101], report.RoundTrips!.Select(t => Math.Round(t.Pnl, 9)));
        var first = report.RoundTrips![0];
        Assert.Equal(B.T0.AddHours(1), first.Opened);
        Assert.Equal(B.T0.AddHours(2), first.Closed);
        Assert.Equal(2, first.Fills);
        Assert.Equal(100.1, first.BuyCost, 10);
        Assert.Equal(9.79 / 100.1 * 100, first.ReturnPct, 9);
    }

    [Fact]
    public void Profit_factor_without_a_losing_trip_is_null()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i == 0) o.Add(MarketBuy(1, 1));
                if (i == 1) o.Add(MarketSell(2, 1));
            },
        };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100), B.Flat(2, 120)], B.Free());

        Assert.Equal(1, report.Metrics.Wins);
        Assert.Equal(0, report.Metrics.GrossLoss);
        Assert.Null(report.Metrics.ProfitFactor);
        Assert.Equal(100, report.Metrics.WinRatePct);
        Assert.Contains("\"profitFactor\": null", ReportWriter.ToJson(report));
    }

    [Fact]
    public void Without_round_trips_win_rate_and_profit_factor_are_null_and_open_trips_do_not_count()
    {
        var s = new Scripted { Bar = (i, _, o) => { if (i == 0) o.Add(MarketBuy(1, 1)); } };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100), B.Flat(2, 50)], B.Free());

        Assert.Equal(0, report.Metrics.RoundTrips);
        Assert.Null(report.Metrics.WinRatePct);
        Assert.Null(report.Metrics.ProfitFactor);
        Assert.Empty(report.RoundTrips!);
    }

    [Fact]
    public void A_trip_built_and_cut_in_parts_closes_when_the_position_is_flat_again()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i == 0) { o.Add(MarketBuy(1, 1)); o.Add(MarketBuy(2, 2)); }
                if (i == 1) o.Add(MarketSell(3, 1.5));
                if (i == 2) o.Add(MarketSell(4, 1.5));
            },
        };
        var report = Run(s, [B.Flat(0, 100), B.Flat(1, 100), B.Flat(2, 110), B.Flat(3, 90)], B.Free());

        // -300 + 1.5 * 110 + 1.5 * 90 = 0: neither a win nor a loss
        var trip = Assert.Single(report.RoundTrips!);
        Assert.Equal(4, trip.Fills);
        Assert.Equal(0, trip.Pnl, 10);
        Assert.Equal(0, report.Metrics.Wins);
        Assert.Equal(0, report.Metrics.Losses);
        Assert.Equal(0, report.Metrics.WinRatePct);
    }

}
