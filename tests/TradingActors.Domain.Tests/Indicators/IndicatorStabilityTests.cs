using TradingActors.Domain.Indicators;

namespace TradingActors.Domain.Tests.Indicators;

/// <summary>
/// A million values of a price near 60,000 moving by cents: the O(1) running sums must still agree with a direct
/// recomputation of the last window. The sums are distances from a shift that is re-set to the window's mean and
/// re-added from the ring once per lap; without that re-sum the shift stays at the first price while this walk drifts
/// about 2,000 away, and the deviation of the last window comes out about 2e-4 (relative) wrong.
/// </summary>
public sealed class IndicatorStabilityTests
{
    private const int Values = 1_000_000;

    /// <summary>A deterministic walk from 60,000: moves of up to a cent either way plus a drift of 0.002 a step.</summary>
    private static IEnumerable<double> Walk()
    {
        var random = new Random(42);
        var price = 60_000.0;
        for (var i = 0; i < Values; i++)
        {
            price += Math.Round((random.NextDouble() - 0.5) * 2, 2) * 0.01 + 0.002;
            yield return price;
        }
    }

    private static (double Mean, double Population, double Sample) Direct(double[] ring)
    {
        var mean = 0.0;
        foreach (var v in ring) mean += v;
        mean /= ring.Length;
        var squares = 0.0;
        foreach (var v in ring) squares += (v - mean) * (v - mean);
        return (mean, squares / ring.Length, squares / (ring.Length - 1));
    }

    [Theory]
    [InlineData(20)]
    [InlineData(1000)]
    public void Sma_and_bollinger_agree_with_a_direct_recomputation_after_a_million_values(int period)
    {
        var sma = new SimpleMovingAverage(period);
        var bands = new BollingerBands(period);
        var ring = new double[period];
        var i = 0;
        foreach (var price in Walk())
        {
            sma.Update(price);
            bands.Update(price);
            ring[i++ % period] = price;
            if (i % 100_000 == 0 || i == Values)
            {
                var (mean, population, _) = Direct(ring);
                Assert.Equal(mean, sma.Value, 1e-9);
                Assert.Equal(mean, bands.Middle, 1e-9);
                var deviation = Math.Sqrt(population);
                Assert.True(Math.Abs(bands.StandardDeviation - deviation) <= 1e-9 * deviation,
                    $"after {i} values: deviation {bands.StandardDeviation:R}, directly {deviation:R}");
            }
        }
        Assert.InRange(ring[(i - 1) % period], 61_000, 63_000);
    }

    [Fact]
    public void Rolling_volatility_agrees_with_a_direct_recomputation_after_a_million_values()
    {
        const int period = 20;
        var volatility = new RollingVolatility(period);
        var returns = new double[period];
        var previous = double.NaN;
        var n = 0;
        foreach (var price in Walk())
        {
            volatility.Update(price);
            if (!double.IsNaN(previous)) returns[n++ % period] = Math.Log(price / previous);
            previous = price;
        }

        var deviation = Math.Sqrt(Direct(returns).Sample);
        Assert.True(Math.Abs(volatility.Value - deviation) <= 1e-9 * deviation, $"volatility {volatility.Value:R}, directly {deviation:R}");
    }
}
