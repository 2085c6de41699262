using TradingActors.Domain.Market;
using static TradingActors.Backtesting.Tests.Scripted;

namespace TradingActors.Backtesting.Tests;

public class FundingTests
{
    private static Candle At(DateTimeOffset time, double close) => new(time, close, close, close, close, 1);

    /// <summary>Hourly bars from 06:00 with closes 100, 100, 120, 130, 140; two units bought at 07:00's open.</summary>
    private static (BacktestReport Report, Scripted Strategy) LongFromSeven(double rate, double quantity = 2)
    {
        var start = B.T0.AddHours(6);
        Candle[] bars = [At(start, 100), At(start.AddHours(1), 100), At(start.AddHours(2), 120), At(start.AddHours(3), 130), At(start.AddHours(4), 140)];
        var s = new Scripted { Bar = (i, _, o) => { if (i == 0) o.Add(MarketBuy(1, quantity)); } };
        return (Run(s, bars, B.Free(), FundingSchedule.Every8Hours(rate)), s);
    }

    [Fact]
    public void Long_position_pays_rate_times_notional_at_the_close_of_the_bar_holding_the_funding_time()
    {
        var (report, _) = LongFromSeven(0.001);

        // 08:00 falls in the 08:00 bar (close 120): 0.001 * 2 * 120 = 0.24. No other funding time from 06:00 to 11:00.
        Assert.Equal(0.24, report.Metrics.FundingPaid, 12);
        var curve = report.EquityCurve!;
        Assert.Equal(10_000 - 200 + 2 * 100, curve[1].Equity, 9);
        Assert.Equal(10_000 - 200 - 0.24 + 2 * 120, curve[2].Equity, 9);
        Assert.Equal(9800 - 0.24, curve[2].Cash, 9);
        Assert.Equal(9800 - 0.24, curve[4].Cash, 9);
    }

    [Fact]
    public void Negative_rate_is_received()
    {
        var (report, _) = LongFromSeven(-0.0005);

        // -0.0005 * 2 * 120 = -0.12: paid -0.12, i.e. received
        Assert.Equal(-0.12, report.Metrics.FundingPaid, 12);
        Assert.Equal(9800.12, report.EquityCurve![4].Cash, 9);
    }

    [Fact]
    public void Funding_time_inside_a_bar_that_does_not_open_on_it_is_charged_at_that_bars_close()
    {
        // Bars at 05:30, 06:30 (bought at its open), 07:30 (covers 07:30-08:30, so holds 08:00; close 120), 08:30.
        var start = B.T0.AddHours(5).AddMinutes(30);
        Candle[] bars = [At(start, 100), At(start.AddHours(1), 100), At(start.AddHours(2), 120), At(start.AddHours(3), 130)];
        var s = new Scripted { Bar = (i, _, o) => { if (i == 0) o.Add(MarketBuy(1, 2)); } };

        var report = Run(s, bars, B.Free(), FundingSchedule.Every8Hours(0.001));

        Assert.Equal(0.001 * 2 * 120, report.Metrics.FundingPaid, 12);
        Assert.Equal(9800, report.EquityCurve![1].Cash, 9);
        Assert.Equal(9800 - 0.24, report.EquityCurve[2].Cash, 9);
    }

    [Fact]
    public void Funding_time_outside_every_bar_is_not_charged()
    {
        // 09:00 to 13:00 (the last bar covers 13:00-14:00): no 00/08/16 in it.
        var start = B.T0.AddHours(9);
        Candle[] bars = [At(start, 100), At(start.AddHours(1), 100), At(start.AddHours(2), 100), At(start.AddHours(3), 100), At(start.AddHours(4), 100)];
        var s = new Scripted { Bar = (i, _, o) => { if (i == 0) o.Add(MarketBuy(1, 1)); } };

        var report = Run(s, bars, B.Free(), FundingSchedule.Every8Hours(0.01));

        Assert.Equal(0, report.Metrics.FundingPaid);
    }

    [Fact]
    public void Last_bar_covers_one_bar_interval()
    {
        // 13:00, 14:00, 15:00: the last bar covers 15:00-16:00, so 16:00 is not in it.
        var start = B.T0.AddHours(13);
        var s = new Scripted { Bar = (i, _, o) => { if (i == 0) o.Add(MarketBuy(1, 1)); } };
        var report = Run(s, [At(start, 100), At(start.AddHours(1), 100), At(start.AddHours(2), 100)], B.Free(), FundingSchedule.Every8Hours(0.01));
        Assert.Equal(0, report.Metrics.FundingPaid);

        // ... and one more bar at 16:00 holds it.
        var s2 = new Scripted { Bar = (i, _, o) => { if (i == 0) o.Add(MarketBuy(1, 1)); } };
        var report2 = Run(s2, [At(start, 100), At(start.AddHours(1), 100), At(start.AddHours(2), 100), At(start.AddHours(3), 90)], B.Free(), FundingSchedule.Every8Hours(0.01));
        Assert.Equal(0.9, report2.Metrics.FundingPaid, 12);
    }

    [Fact]
    public void Position_bought_at_the_open_of_the_funding_bar_pays_nothing_for_it()
    {
        // Placed on 07:00, filled at 08:00's open: the position held at the bar's open was zero.
        var start = B.T0.AddHours(7);
        var s = new Scripted { Bar = (i, _, o) => { if (i == 0) o.Add(MarketBuy(1, 1)); } };

        var report = Run(s, [At(start, 100), At(start.AddHours(1), 100), At(start.AddHours(2), 100)], B.Free(), FundingSchedule.Every8Hours(0.01));

        Assert.Equal(1, report.Symbols[0].Position);
        Assert.Equal(0, report.Metrics.FundingPaid);
    }

    [Fact]
    public void Daily_bar_holds_three_eight_hour_funding_times()
    {
        Candle[] bars = [At(B.T0, 100), At(B.T0.AddDays(1), 100), At(B.T0.AddDays(2), 110)];
        var s = new Scripted { Bar = (i, _, o) => { if (i == 0) o.Add(MarketBuy(1, 1)); } };

        var report = Run(s, bars, B.Free(), FundingSchedule.Every8Hours(0.001));

        // Day 0: flat. Day 1: bought at its open, so flat at the bar's open: nothing (funding comes before fills).
        // Day 2 (00, 08, 16): 3 * 0.001 * 1 * 110 = 0.33.
        Assert.Equal(0.33, report.Metrics.FundingPaid, 12);
    }

    [Fact]
    public void Funding_counts_in_the_round_trips_pnl()
    {
        var s = new Scripted
        {
            Bar = (i, _, o) =>
            {
                if (i == 0) o.Add(MarketBuy(1, 1));
                if (i == 2) o.Add(MarketSell(2, 1));
            },
        };
        // Bought at 06:30's open, held over 08:00 (the 07:30 bar covers it), sold at 08:30's open.
        var half = B.T0.AddHours(5).AddMinutes(30);
        var report = Run(s, [At(half, 100), At(half.AddHours(1), 100), At(half.AddHours(2), 100), At(half.AddHours(3), 100)], B.Free(), FundingSchedule.Every8Hours(0.002));

        // Funding 0.002 * 1 * 100 = 0.2 at the 07:30 bar; the trip bought and sold at 100: pnl -0.2, a loss.
        Assert.Equal(0.2, report.Metrics.FundingPaid, 12);
        var trip = Assert.Single(report.RoundTrips!);
        Assert.Equal(-0.2, trip.Pnl, 12);
        Assert.Equal(1, report.Metrics.Losses);
        Assert.Equal(0.2, report.Metrics.GrossLoss, 12);
    }

    [Fact]
    public void Symbol_without_funding_pays_none()
    {
        var (withFunding, _) = LongFromSeven(0.001);
        var s = new Scripted { Bar = (i, _, o) => { if (i == 0) o.Add(MarketBuy(1, 2)); } };
        var start = B.T0.AddHours(6);
        var report = Run(s, [At(start, 100), At(start.AddHours(1), 100), At(start.AddHours(2), 120)], B.Free());

        Assert.NotEqual(0, withFunding.Metrics.FundingPaid);
        Assert.Equal(0, report.Metrics.FundingPaid);
    }

    [Fact]
    public void Bar_before_a_gap_in_the_data_covers_the_funding_times_in_the_gap()
    {
        // 05:00, 06:00 (bought at its open), 07:00, then nothing until 20:00: the 07:00 bar covers 07:00-20:00,
        // holding 08:00 and 16:00.
        Candle[] held = [At(B.T0.AddHours(5), 100), At(B.T0.AddHours(6), 100), At(B.T0.AddHours(7), 110), At(B.T0.AddHours(20), 120), At(B.T0.AddHours(21), 120)];
        var s2 = new Scripted { Bar = (i, _, o) => { if (i == 0) o.Add(MarketBuy(1, 1)); } };
        var report2 = Run(s2, held, B.Free(), FundingSchedule.Every8Hours(0.001));

        // 08:00 and 16:00 both at the 07:00 bar's close: 2 * 0.001 * 1 * 110
        Assert.Equal(0.22, report2.Metrics.FundingPaid, 12);
        Assert.Equal(9900 - 0.22, report2.EquityCurve![2].Cash, 9);
    }
}
