using TradingActors.Domain.Indicators;
using static TradingActors.Domain.Tests.Indicators.IndicatorTestData;

namespace TradingActors.Domain.Tests.Indicators;

public sealed class ExponentialMovingAverageTests
{
    private static List<double> Run(ExponentialMovingAverage ema, IEnumerable<double> values)
    {
        var result = new List<double>();
        foreach (var value in values)
        {
            ema.Update(value);
            result.Add(ema.Value);
        }
        return result;
    }

    [Fact]
    public void Ema_matches_the_published_stockcharts_10_day_table()
    {
        // StockCharts ChartSchool "Moving Averages - Simple and Exponential", 10-day EMA column: seeded with the
        // 10-day SMA, multiplier 2 / (10 + 1) = 0.1818.
        var values = Run(new ExponentialMovingAverage(10), MovingAverageCloses);

        AllWithin(PublishedEma10, values.Skip(9).ToList(), TwoDecimals);
    }

    [Fact]
    public void Ema_is_seeded_with_the_sma_then_moves_by_k_times_the_distance()
    {
        // Seed: SMA of the first 10 closes = 222.21 / 10 = 22.221.
        // k = 2/11. 11th close 22.15: 22.221 + (22.15 - 22.221) * 2/11 = 22.221 - 0.0129090909 = 22.2080909091
        //           12th close 22.39: 22.2080909091 + (22.39 - 22.2080909091) * 2/11 = 22.2411652893
        var values = Run(new ExponentialMovingAverage(10), MovingAverageCloses.Take(12));

        Assert.All(values.Take(9), v => Assert.True(double.IsNaN(v)));
        Assert.Equal(22.221, values[9], 1e-12);
        Assert.Equal(22.2080909091, values[10], 1e-10);
        Assert.Equal(22.2411652893, values[11], 1e-10);
    }

    [Fact]
    public void Ema_is_nan_and_not_ready_until_period_values_are_seen()
    {
        // Period 3, k = 0.5: seed (2 + 4 + 6) / 3 = 4, then 4 + (10 - 4) * 0.5 = 7.
        var ema = new ExponentialMovingAverage(3);
        var ready = new List<bool>();
        var values = new List<double>();
        foreach (var value in new[] { 2.0, 4.0, 6.0, 10.0 })
        {
            ema.Update(value);
            values.Add(ema.Value);
            ready.Add(ema.IsReady);
        }

        Assert.Equal([double.NaN, double.NaN, 4.0, 7.0], values);
        Assert.Equal([false, false, true, true], ready);
        Assert.Equal(4, ema.Count);
        Assert.Equal(3, ema.Period);
    }

    [Fact]
    public void Ema_of_period_one_is_the_last_value()
    {
        // k = 2 / (1 + 1) = 1: the whole distance each time.
        Assert.Equal([5.0, -2.5, 7.0], Run(new ExponentialMovingAverage(1), [5.0, -2.5, 7.0]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Ema_rejects_a_period_below_one(int period)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialMovingAverage(period));

        Assert.Equal("period", e.ParamName);
        Assert.StartsWith("an EMA needs a period of at least 1", e.Message);
    }

    [Fact]
    public void Ema_checkpoint_holds_the_running_sum_while_warming_up_and_the_ema_after()
    {
        var ema = new ExponentialMovingAverage(3);
        ema.Update(2);
        ema.Update(4);
        Assert.Equal(new ExponentialMovingAverage.State(3, 2, 6), ema.ToState());

        ema.Update(6);
        Assert.Equal(new ExponentialMovingAverage.State(3, 3, 4), ema.ToState());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(17)]
    [InlineData(30)]
    public void Ema_restored_from_its_checkpoint_continues_exactly_like_the_original(int valuesBeforeCheckpoint)
    {
        var original = new ExponentialMovingAverage(10);
        Run(original, MovingAverageCloses.Take(valuesBeforeCheckpoint));

        var restored = ExponentialMovingAverage.From(original.ToState());
        var viaJson = ExponentialMovingAverage.From(ThroughJson(original.ToState(), out _));

        var rest = MovingAverageCloses.Skip(valuesBeforeCheckpoint).Concat(MovingAverageCloses).ToArray();
        var expected = Run(original, rest);
        Assert.Equal(expected, Run(restored, rest));
        Assert.Equal(expected, Run(viaJson, rest));
    }

    [Fact]
    public void Ema_from_an_inconsistent_checkpoint_throws()
    {
        var e = Assert.Throws<ArgumentException>(() => ExponentialMovingAverage.From(new(10, -1, 0)));

        Assert.Equal("state", e.ParamName);
        Assert.StartsWith("inconsistent EMA checkpoint", e.Message);
        Assert.Throws<ArgumentNullException>(() => ExponentialMovingAverage.From(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => ExponentialMovingAverage.From(new(0, 0, 0)));
    }

    [Fact]
    public void Ema_from_a_fresh_checkpoint_is_a_fresh_ema()
    {
        var ema = ExponentialMovingAverage.From(new(2, 0, 0));

        Assert.Equal(0, ema.Count);
        Assert.Equal([double.NaN, 3.0, 5.0], Run(ema, [2.0, 4.0, 6.0]));
    }
}
