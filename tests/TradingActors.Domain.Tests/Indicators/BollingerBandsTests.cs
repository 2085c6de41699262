using TradingActors.Domain.Indicators;
using static TradingActors.Domain.Tests.Indicators.IndicatorTestData;

namespace TradingActors.Domain.Tests.Indicators;

public sealed class BollingerBandsTests
{
    private static List<(double Middle, double Upper, double Lower, double Deviation)> Run(BollingerBands bands, IEnumerable<double> closes)
    {
        var result = new List<(double, double, double, double)>();
        foreach (var close in closes)
        {
            bands.Update(close);
            result.Add((bands.Middle, bands.Upper, bands.Lower, bands.StandardDeviation));
        }
        return result;
    }

    [Fact]
    public void Bands_match_the_published_stockcharts_20_day_table()
    {
        // StockCharts ChartSchool "Bollinger Bands": 20-day SMA middle band, bands 2 population deviations away.
        var values = Run(new BollingerBands(), BollingerCloses).Skip(19).ToList();

        AllWithin(PublishedBollingerMiddle, values.Select(v => v.Middle).ToList(), TwoDecimals);
        AllWithin(PublishedBollingerUpper, values.Select(v => v.Upper).ToList(), TwoDecimals);
        AllWithin(PublishedBollingerLower, values.Select(v => v.Lower).ToList(), TwoDecimals);
    }

    [Fact]
    public void Bands_first_value_uses_the_population_deviation()
    {
        // The first 20 closes add up to 1774.17: middle 88.7085. Their squared distances from it add up to
        // 33.370055; / 20 (population, not 19) = 1.66850275, deviation 1.2917054 -> upper 91.2919107, lower 86.1250893
        // (published 91.29 and 86.12). With the sample divisor (19) the deviation would be 1.3252.
        var first = Run(new BollingerBands(20, 2), BollingerCloses.Take(20))[^1];

        Assert.Equal(88.7085, first.Middle, 1e-9);
        Assert.Equal(Math.Sqrt(33.370055 / 20), first.Deviation, 1e-9);
        Assert.Equal(91.2919107, first.Upper, 1e-7);
        Assert.Equal(86.1250893, first.Lower, 1e-7);
    }

    [Fact]
    public void Bands_match_a_published_five_bar_example()
    {
        // great-trades.com "Bollinger Bands calculation": 5 bars, 2 deviations, closes 25.5 26.75 27.0 26.5 27.25.
        //   middle 133 / 5 = 26.6; squared distances 1.21 + 0.0225 + 0.16 + 0.01 + 0.4225 = 1.825; / 5 = 0.365;
        //   deviation sqrt(0.365) = 0.60415; upper 26.6 + 1.2083 = 27.8083; lower 25.3917 (published 27.808, 25.392).
        var bands = new BollingerBands(5, 2);
        Run(bands, [25.5, 26.75, 27.0, 26.5, 27.25]);

        Assert.Equal(26.6, bands.Middle, 1e-12);
        Assert.Equal(Math.Sqrt(0.365), bands.StandardDeviation, 1e-12);
        Assert.Equal(27.808, bands.Upper, 5e-4);
        Assert.Equal(25.392, bands.Lower, 5e-4);
        // %B of the last close: (27.25 - 25.39170) / (27.80830 - 25.39170) = 1.85830 / 2.41661 = 0.76897.
        Assert.Equal(0.76897, bands.PercentB(27.25), 1e-5);
        Assert.Equal(0, bands.PercentB(bands.Lower), 1e-12);
        Assert.Equal(0.5, bands.PercentB(26.6), 1e-12);
        Assert.Equal(1, bands.PercentB(bands.Upper), 1e-12);
    }

    [Fact]
    public void Bands_width_is_the_number_of_deviations()
    {
        // Closes 1 2 3: middle 2, population deviation sqrt(2/3) = 0.816497; one deviation each side.
        var bands = new BollingerBands(3, 1);
        Run(bands, [1, 2, 3]);

        Assert.Equal(1, bands.Width);
        Assert.Equal(2 + Math.Sqrt(2.0 / 3), bands.Upper, 1e-12);
        Assert.Equal(2 - Math.Sqrt(2.0 / 3), bands.Lower, 1e-12);
    }

    [Fact]
    public void Bands_are_nan_until_the_window_is_full()
    {
        var bands = new BollingerBands(3);
        var values = Run(bands, [1, 2]);

        Assert.False(bands.IsReady);
        Assert.All(values, v =>
        {
            Assert.True(double.IsNaN(v.Middle));
            Assert.True(double.IsNaN(v.Upper));
            Assert.True(double.IsNaN(v.Lower));
            Assert.True(double.IsNaN(v.Deviation));
        });
        Assert.True(double.IsNaN(bands.PercentB(1.5)));

        bands.Update(3);
        Assert.True(bands.IsReady);
        Assert.Equal(2, bands.Middle);
    }

    [Fact]
    public void Bands_of_a_window_gone_flat_collapse_onto_the_price_with_zero_not_nan_deviation()
    {
        // 60001 then three 60000s, window 3: the re-sum after the first lap shifts by 180001/3 (not exact), so the
        // sums of distances left for the flat window give a variance of about -2e-17 by rounding; it must read 0.
        var bands = new BollingerBands(3);
        Run(bands, [60001, 60000, 60000, 60000]);

        Assert.Equal(0, bands.StandardDeviation);
        Assert.Equal(60000, bands.Middle, 1e-9);
        Assert.Equal(bands.Middle, bands.Upper);
        Assert.Equal(bands.Middle, bands.Lower);
    }

    [Fact]
    public void Bands_default_to_20_periods_and_2_deviations()
    {
        var bands = new BollingerBands();

        Assert.Equal(20, bands.Period);
        Assert.Equal(2, bands.Width);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public void Bands_reject_a_period_below_two(int period)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new BollingerBands(period));

        Assert.Equal("period", e.ParamName);
        Assert.StartsWith("Bollinger bands need a period of at least 2", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Bands_reject_a_width_that_is_not_a_positive_number(double width)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new BollingerBands(20, width));

        Assert.Equal("width", e.ParamName);
        Assert.StartsWith("band width must be a positive number of deviations", e.Message);
    }

    [Fact]
    public void Bands_accept_the_smallest_period_and_a_small_width()
    {
        var bands = new BollingerBands(2, 0.5);
        Run(bands, [1, 3]);

        // Middle 2, deviation 1, half a deviation each side.
        Assert.Equal((2.0, 2.5, 1.5), (bands.Middle, bands.Upper, bands.Lower));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(19)]
    [InlineData(20)]
    [InlineData(27)]
    [InlineData(42)]
    public void Bands_restored_from_their_checkpoint_continue_exactly_like_the_original(int closesBeforeCheckpoint)
    {
        var original = new BollingerBands(20, 2.5);
        Run(original, BollingerCloses.Take(closesBeforeCheckpoint));

        var restored = BollingerBands.From(original.ToState());
        var viaJson = BollingerBands.From(ThroughJson(original.ToState(), out _));

        Assert.Equal(2.5, viaJson.Width);
        Assert.Equal(20, viaJson.Period);
        var rest = BollingerCloses.Skip(closesBeforeCheckpoint).Concat(BollingerCloses).ToArray();
        var expected = Run(original, rest);
        Assert.Equal(expected, Run(restored, rest));
        Assert.Equal(expected, Run(viaJson, rest));
    }

    [Fact]
    public void Bands_checkpoint_is_a_copy()
    {
        var bands = new BollingerBands(2);
        Run(bands, [1, 3]);

        bands.ToState().Window.Values[0] = 1000;

        bands.Update(5);  // window 3 5: middle 4 (the ring was not changed through the checkpoint)
        Assert.Equal(4, bands.Middle);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Bands_from_a_checkpoint_with_a_bad_width_throw(double width)
    {
        var window = new BollingerBands(3).ToState().Window;

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => BollingerBands.From(new(window, width)));

        Assert.Equal("width", e.ParamName);
    }

    [Fact]
    public void Bands_from_a_checkpoint_with_a_window_of_one_throw()
    {
        var window = new SimpleMovingAverage(1).ToState();

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => BollingerBands.From(new(window, 2)));

        Assert.Equal("period", e.ParamName);
        Assert.Throws<ArgumentNullException>(() => BollingerBands.From(null!));
    }
}
