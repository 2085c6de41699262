using TradingActors.Domain.Market;

namespace TradingActors.Backtesting.Tests;

public class TimelineTests
{
    private static Candle[] At(params double[] hours) => hours.Select(h => new Candle(B.T0.AddHours(h), 1, 1, 1, 1, 0)).ToArray();

    private static TimeSpan Median(params Candle[][] bars) => TimeSpan.FromTicks(BarTimeline.MedianGap(bars));

    [Fact]
    public void Regular_bars_have_their_spacing_as_interval()
    {
        Assert.Equal(TimeSpan.FromHours(1), Median(At(0, 1, 2, 3)));
    }

    [Fact]
    public void A_gap_does_not_move_the_median()
    {
        // gaps 1, 1, 48, 1
        Assert.Equal(TimeSpan.FromHours(1), Median(At(0, 1, 2, 50, 51)));
    }

    [Fact]
    public void Even_count_takes_the_lower_middle_gap()
    {
        // gaps 1, 3, 3, 1 -> sorted 1, 1, 3, 3: lower middle 1
        Assert.Equal(TimeSpan.FromHours(1), Median(At(0, 1, 4, 7, 8)));
        // gaps 3, 3, 1 -> 1, 3, 3: middle 3
        Assert.Equal(TimeSpan.FromHours(3), Median(At(0, 3, 6, 7)));
    }

    [Fact]
    public void Merged_symbols_count_distinct_times_once()
    {
        // union 0, 0.5, 1, 1.5, 2, 3 -> gaps 0.5, 0.5, 0.5, 0.5, 1: median 0.5
        Assert.Equal(TimeSpan.FromMinutes(30), Median(At(0, 1, 2, 3), At(0, 0.5, 1.5)));
    }

    [Fact]
    public void One_time_has_no_interval()
    {
        Assert.Equal(TimeSpan.Zero, Median(At(5)));
        Assert.Equal(TimeSpan.Zero, Median(At(5), At(5)));
    }

    [Fact]
    public void Many_distinct_gaps_give_the_exact_median_too()
    {
        // 40 distinct gaps (more than the table holds): 1..40 minutes in a scrambled order
        var minutes = new List<double> { 0 };
        var gaps = Enumerable.Range(1, 40).Select(g => (g * 17) % 41).ToArray();
        foreach (var g in gaps) minutes.Add(minutes[^1] + g);
        var bars = minutes.Select(m => new Candle(B.T0.AddMinutes(m), 1, 1, 1, 1, 0)).ToArray();

        var expected = gaps.Order().ElementAt((gaps.Length - 1) / 2);
        Assert.Equal(20, expected);
        Assert.Equal(TimeSpan.FromMinutes(expected), Median(bars));
    }

    [Fact]
    public void Many_distinct_gaps_with_a_repeated_median()
    {
        // 30 distinct gaps plus nine more of 7 minutes: sorted, the lower middle (index 19 of 39) is 7 + ... check by sorting
        var gaps = Enumerable.Range(1, 30).Concat(Enumerable.Repeat(7, 9)).Select(g => (double)g).ToArray();
        var minutes = new List<double> { 0 };
        foreach (var g in gaps.Reverse()) minutes.Add(minutes[^1] + g);
        var bars = minutes.Select(m => new Candle(B.T0.AddMinutes(m), 1, 1, 1, 1, 0)).ToArray();

        var expected = gaps.Order().ElementAt((gaps.Length - 1) / 2);
        Assert.Equal(TimeSpan.FromMinutes(expected), Median(bars));
    }
}
