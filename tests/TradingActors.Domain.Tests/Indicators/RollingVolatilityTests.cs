using TradingActors.Domain.Indicators;
using static TradingActors.Domain.Tests.Indicators.IndicatorTestData;

namespace TradingActors.Domain.Tests.Indicators;

public sealed class RollingVolatilityTests
{
    private static List<double> Run(RollingVolatility volatility, IEnumerable<double> closes)
    {
        var result = new List<double>();
        foreach (var close in closes)
        {
            volatility.Update(close);
            result.Add(volatility.Value);
        }
        return result;
    }

    [Fact]
    public void Volatility_is_the_sample_deviation_of_the_last_log_returns()
    {
        // No published table: by hand. Period 3, closes 100 110 99 108.9 108.9:
        //   log returns ln(110/100) = 0.0953102, ln(99/110) = ln 0.9 = -0.1053605, ln(108.9/99) = 0.0953102, ln 1 = 0
        //   4th close, returns  0.0953102 -0.1053605  0.0953102: mean 0.0284199
        //     distances 0.0668902 -0.1337805 0.0668902, squares add up to 0.0268458; / (3 - 1) = 0.0134229
        //     volatility sqrt(0.0134229) = 0.1158573 (the population divisor 3 would give 0.0945972)
        //   5th close, returns -0.1053605  0.0953102  0: mean -0.0033501
        //     distances -0.1020104 0.0986603 0.0033501, squares 0.0201512; / 2 = 0.0100756 -> 0.1003773
        var values = Run(new RollingVolatility(3), [100, 110, 99, 108.9, 108.9]);

        Assert.All(values.Take(3), v => Assert.True(double.IsNaN(v)));
        Assert.Equal(0.1158573, values[3], 1e-7);
        Assert.Equal(0.1003773, values[4], 1e-7);
    }

    [Fact]
    public void Volatility_needs_period_plus_one_closes()
    {
        // Period 2 (the least): 100 110 99 -> returns ln 1.1, ln 0.9: mean -0.0050252, squares 0.0201344 / 1 -> 0.1418956
        var volatility = new RollingVolatility(2);
        Run(volatility, [100, 110]);
        Assert.False(volatility.IsReady);
        Assert.True(double.IsNaN(volatility.Value));

        volatility.Update(99);

        Assert.True(volatility.IsReady);
        Assert.Equal(0.1418956, volatility.Value, 1e-7);
        Assert.Equal(2, volatility.Period);
    }

    [Fact]
    public void Volatility_of_a_steady_price_or_a_steady_growth_is_zero()
    {
        Assert.Equal(0, Run(new RollingVolatility(3), [60000, 60000, 60000, 60000, 60000])[^1]);
        // Each close 1% above the last: every log return is ln 1.01, no deviation.
        Assert.Equal(0, Run(new RollingVolatility(3), [100, 101, 102.01, 103.0301])[^1], 1e-12);
    }

    [Fact]
    public void Volatility_defaults_to_20_returns()
    {
        Assert.Equal(20, new RollingVolatility().Period);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public void Volatility_rejects_a_period_below_two(int period)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new RollingVolatility(period));

        Assert.Equal("period", e.ParamName);
        Assert.StartsWith("volatility needs a period of at least 2 returns", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    public void Volatility_rejects_a_price_that_is_not_positive(double close)
    {
        var volatility = new RollingVolatility(3);
        volatility.Update(100);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => volatility.Update(close));

        Assert.Equal("close", e.ParamName);
        Assert.StartsWith("volatility is measured on positive prices", e.Message);
        // The refused price left nothing behind: the next return is still measured from 100.
        Run(volatility, [110, 99, 108.9]);
        Assert.Equal(0.1158573, volatility.Value, 1e-7);
    }

    [Theory]
    [InlineData(0)]   // no close yet: the checkpoint's last close is NaN
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(9)]
    public void Volatility_restored_from_its_checkpoint_continues_exactly_like_the_original(int closesBeforeCheckpoint)
    {
        double[] closes = [100, 110, 99, 108.9, 108.9, 101, 97.5, 103.25, 104, 99.9, 100.1, 102];
        var original = new RollingVolatility(3);
        Run(original, closes.Take(closesBeforeCheckpoint));

        var restored = RollingVolatility.From(original.ToState());
        var viaJson = RollingVolatility.From(ThroughJson(original.ToState(), out var json));

        if (closesBeforeCheckpoint == 0) Assert.Contains("\"LastClose\":\"NaN\"", json);
        Assert.Equal(3, viaJson.Period);
        var rest = closes.Skip(closesBeforeCheckpoint).Concat(closes).ToArray();
        var expected = Run(original, rest);
        Assert.Equal(expected, Run(restored, rest));
        Assert.Equal(expected, Run(viaJson, rest));
    }

    [Fact]
    public void Volatility_from_an_inconsistent_checkpoint_throws()
    {
        var returns = new RollingVolatility(3);
        Run(returns, [100, 110]);
        var withReturns = returns.ToState().Returns;

        Assert.Throws<ArgumentNullException>(() => RollingVolatility.From(null!));
        // A window of one return cannot have a sample deviation.
        Assert.Equal("period", Assert.Throws<ArgumentOutOfRangeException>(() => RollingVolatility.From(new(new SimpleMovingAverage(1).ToState(), 100))).ParamName);
        // Returns seen but no close to measure the next from; a last close that is not a price.
        Assert.Equal("state", Assert.Throws<ArgumentException>(() => RollingVolatility.From(new(withReturns, double.NaN))).ParamName);
        Assert.Equal("state", Assert.Throws<ArgumentException>(() => RollingVolatility.From(new(withReturns, 0))).ParamName);
        Assert.Equal("state", Assert.Throws<ArgumentException>(() => RollingVolatility.From(new(withReturns, -5))).ParamName);
    }
}
