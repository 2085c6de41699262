using TradingActors.Domain.Indicators;
using static TradingActors.Domain.Tests.Indicators.IndicatorTestData;

namespace TradingActors.Domain.Tests.Indicators;

public sealed class AverageTrueRangeTests
{
    private static (List<double> Atr, List<double> TrueRanges) Run(AverageTrueRange atr, int count = 30) =>
        Run(atr, Enumerable.Range(0, count));

    private static (List<double> Atr, List<double> TrueRanges) Run(AverageTrueRange atr, IEnumerable<int> bars)
    {
        var values = new List<double>();
        var ranges = new List<double>();
        foreach (var i in bars)
        {
            atr.Update(AtrHighs[i], AtrLows[i], AtrCloses[i]);
            values.Add(atr.Value);
            ranges.Add(atr.LastTrueRange);
        }
        return (values, ranges);
    }

    [Fact]
    public void Atr_matches_the_published_stockcharts_14_day_table()
    {
        // StockCharts ChartSchool "Average True Range (ATR)", Wilder's 14-day ATR column.
        var (values, _) = Run(new AverageTrueRange(14));

        Assert.All(values.Take(13), v => Assert.True(double.IsNaN(v)));
        AllWithin(PublishedAtr14, values.Skip(13).ToList(), 0.006);
    }

    [Fact]
    public void Atr_true_ranges_reach_to_the_previous_close_when_it_is_outside_the_bar()
    {
        // TR = max(high - low, |high - previous close|, |low - previous close|); the first bar has only high - low.
        // The bars where the previous close widens the range (the rest are high - low):
        //   9th  49.92/49.50 after 49.32: |49.92 - 49.32| = 0.60 > 0.42      11th 50.12/49.20 after 50.13: |49.20 - 50.13| = 0.93 > 0.92
        //   20th 50.33/49.61 after 49.37: 0.96 > 0.72                         22nd 50.17/49.43 after 49.24: 0.93 > 0.74
        //   23rd 49.32/48.08 after 49.93: |48.08 - 49.93| = 1.85 > 1.24      27th 47.80/47.31 after 45.41: 2.39 > 0.49
        //   29th 48.66/47.90 after 47.72: 0.94 > 0.76
        double[] expected =
        [
            0.91, 0.58, 0.51, 0.50, 0.58, 0.41, 0.26, 0.49, 0.60, 0.32, 0.93, 0.76, 0.45, 0.46, 1.10,
            0.48, 0.35, 1.22, 0.65, 0.96, 1.09, 0.93, 1.85, 0.86, 6.77, 2.52, 2.39, 1.19, 0.94, 1.06,
        ];

        var (_, ranges) = Run(new AverageTrueRange(14));

        AllWithin(expected, ranges, 1e-9);
    }

    [Fact]
    public void Atr_first_value_is_the_mean_of_the_first_true_ranges_then_wilder_smoothing()
    {
        // The first 14 true ranges add up to 7.76: ATR 7.76 / 14 = 0.554286 (published 0.56).
        // 15th TR 1.10: (0.554286 * 13 + 1.10) / 14 = 0.593265 (published 0.59).
        var (values, _) = Run(new AverageTrueRange(14), 15);

        Assert.Equal(7.76 / 14, values[13], 1e-12);
        Assert.Equal((7.76 / 14 * 13 + 1.10) / 14, values[14], 1e-12);
    }

    [Fact]
    public void Atr_is_nan_until_period_bars_and_its_first_true_range_is_the_bar_s_range()
    {
        var atr = new AverageTrueRange(3);
        Assert.True(double.IsNaN(atr.LastTrueRange));

        // A first bar far from anything: no previous close, so TR = 12 - 9 = 3 (not 12 or 9).
        atr.Update(12, 9, 10);
        Assert.Equal(3, atr.LastTrueRange);
        atr.Update(11, 10, 10.5);   // TR max(1, |11 - 10|, |10 - 10|) = 1
        Assert.False(atr.IsReady);
        Assert.True(double.IsNaN(atr.Value));

        atr.Update(14, 13, 13.5);   // TR max(1, |14 - 10.5|, |13 - 10.5|) = 3.5 -> ATR (3 + 1 + 3.5) / 3 = 2.5
        Assert.True(atr.IsReady);
        Assert.Equal(2.5, atr.Value, 1e-15);
        atr.Update(13, 11, 12);     // TR max(2, 0.5, 2.5) = 2.5 -> ATR (2.5 * 2 + 2.5) / 3 = 2.5
        Assert.Equal(2.5, atr.Value, 1e-15);
        Assert.Equal(4, atr.Count);
        Assert.Equal(3, atr.Period);
    }

    [Fact]
    public void Atr_of_period_one_is_the_last_true_range()
    {
        var atr = new AverageTrueRange(1);
        atr.Update(12, 9, 10);
        Assert.Equal(3, atr.Value);
        atr.Update(15, 14, 14.5);  // gap up: |15 - 10| = 5
        Assert.Equal(5, atr.Value);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-14)]
    public void Atr_rejects_a_period_below_one(int period)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new AverageTrueRange(period));

        Assert.Equal("period", e.ParamName);
        Assert.StartsWith("ATR period must be at least 1", e.Message);
    }

    [Fact]
    public void Atr_checkpoint_holds_the_sum_while_warming_up_and_the_average_after()
    {
        var atr = new AverageTrueRange(3);
        Assert.Equal(new AverageTrueRange.State(3, 0, double.NaN, 0, double.NaN), atr.ToState());

        atr.Update(12, 9, 10);
        atr.Update(11, 10, 10.5);
        Assert.Equal(new AverageTrueRange.State(3, 2, 10.5, 4, 1), atr.ToState());

        atr.Update(14, 13, 13.5);
        Assert.Equal(new AverageTrueRange.State(3, 3, 13.5, 2.5, 3.5), atr.ToState());
    }

    [Theory]
    [InlineData(0)]   // before any bar: previous close and last true range are NaN
    [InlineData(1)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(20)]
    [InlineData(30)]
    public void Atr_restored_from_its_checkpoint_continues_exactly_like_the_original(int barsBeforeCheckpoint)
    {
        var original = new AverageTrueRange(14);
        Run(original, barsBeforeCheckpoint);

        var restored = AverageTrueRange.From(original.ToState());
        var viaJson = AverageTrueRange.From(ThroughJson(original.ToState(), out var json));

        if (barsBeforeCheckpoint == 0) Assert.Contains("\"PreviousClose\":\"NaN\"", json);
        Assert.Equal(original.LastTrueRange, restored.LastTrueRange);
        Assert.Equal(original.Count, viaJson.Count);
        var rest = Enumerable.Range(barsBeforeCheckpoint, 30 - barsBeforeCheckpoint).Concat(Enumerable.Range(0, 30)).ToArray();
        var expected = Run(original, rest);
        foreach (var (atr, ranges) in new[] { Run(restored, rest), Run(viaJson, rest) })
        {
            Assert.Equal(expected.Atr, atr);
            Assert.Equal(expected.TrueRanges, ranges);
        }
    }

    public static TheoryData<AverageTrueRange.State> InconsistentStates => new()
    {
        new AverageTrueRange.State(14, -1, 10, 0, 1),
        new AverageTrueRange.State(14, 3, double.NaN, 2, 1),  // bars seen but no previous close
    };

    [Theory]
    [MemberData(nameof(InconsistentStates))]
    public void Atr_from_an_inconsistent_checkpoint_throws(AverageTrueRange.State state)
    {
        var e = Assert.Throws<ArgumentException>(() => AverageTrueRange.From(state));

        Assert.Equal("state", e.ParamName);
        Assert.StartsWith("inconsistent ATR checkpoint", e.Message);
    }

    [Fact]
    public void Atr_from_no_checkpoint_or_a_bad_period_throws()
    {
        Assert.Throws<ArgumentNullException>(() => AverageTrueRange.From(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => AverageTrueRange.From(new(0, 0, double.NaN, 0, double.NaN)));
    }
}
