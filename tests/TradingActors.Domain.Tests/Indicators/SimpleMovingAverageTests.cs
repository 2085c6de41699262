using TradingActors.Domain.Indicators;
using static TradingActors.Domain.Tests.Indicators.IndicatorTestData;

namespace TradingActors.Domain.Tests.Indicators;

public sealed class SimpleMovingAverageTests
{
    private static List<double> Run(SimpleMovingAverage sma, IEnumerable<double> values)
    {
        var result = new List<double>();
        foreach (var value in values)
        {
            sma.Update(value);
            result.Add(sma.Value);
        }
        return result;
    }

    [Fact]
    public void Sma_matches_the_published_stockcharts_10_day_table()
    {
        // StockCharts ChartSchool "Moving Averages - Simple and Exponential", 10-day SMA column.
        var values = Run(new SimpleMovingAverage(10), MovingAverageCloses);

        AllWithin(PublishedSma10, values.Skip(9).ToList(), TwoDecimals);
    }

    [Fact]
    public void Sma_first_values_are_the_plain_means_of_the_first_windows()
    {
        // 22.27+22.19+22.08+22.17+22.18+22.13+22.23+22.43+22.24+22.29 = 222.21 -> 22.221
        // then 22.27 leaves and 22.15 comes in: 222.21 - 22.27 + 22.15 = 222.09 -> 22.209
        // then 22.19 leaves and 22.39 comes in: 222.09 - 22.19 + 22.39 = 222.29 -> 22.229
        var values = Run(new SimpleMovingAverage(10), MovingAverageCloses.Take(12));

        Assert.Equal(22.221, values[9], 1e-12);
        Assert.Equal(22.209, values[10], 1e-12);
        Assert.Equal(22.229, values[11], 1e-12);
    }

    [Fact]
    public void Sma_is_nan_and_not_ready_until_period_values_are_seen()
    {
        var sma = new SimpleMovingAverage(3);
        var values = new List<double>();
        var ready = new List<bool>();
        foreach (var value in new[] { 1.0, 2.0, 6.0, 7.0 })
        {
            sma.Update(value);
            values.Add(sma.Value);
            ready.Add(sma.IsReady);
        }

        Assert.Equal([double.NaN, double.NaN, 3.0, 5.0], values);
        Assert.Equal([false, false, true, true], ready);
        Assert.Equal(4, sma.Count);
        Assert.Equal(3, sma.Period);
    }

    [Fact]
    public void Sma_of_period_one_is_the_last_value()
    {
        Assert.Equal([5.0, -2.5, 7.0], Run(new SimpleMovingAverage(1), [5.0, -2.5, 7.0]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Sma_rejects_a_period_below_one(int period)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SimpleMovingAverage(period));

        Assert.Equal("period", e.ParamName);
        Assert.StartsWith("a window needs a period of at least 1", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(9)]   // one short of ready
    [InlineData(10)]  // the lap that fills the window re-sums it
    [InlineData(13)]  // mid-lap
    [InlineData(20)]
    [InlineData(30)]
    public void Sma_restored_from_its_checkpoint_continues_exactly_like_the_original(int valuesBeforeCheckpoint)
    {
        var original = new SimpleMovingAverage(10);
        Run(original, MovingAverageCloses.Take(valuesBeforeCheckpoint));

        var restored = SimpleMovingAverage.From(original.ToState());
        var viaJson = SimpleMovingAverage.From(ThroughJson(original.ToState(), out _));

        var rest = MovingAverageCloses.Skip(valuesBeforeCheckpoint).Concat(MovingAverageCloses).ToArray();
        var expected = Run(original, rest);
        Assert.Equal(expected, Run(restored, rest));
        Assert.Equal(expected, Run(viaJson, rest));
        Assert.Equal(original.Count, restored.Count);
        Assert.Equal(10, restored.Period);
    }
}
