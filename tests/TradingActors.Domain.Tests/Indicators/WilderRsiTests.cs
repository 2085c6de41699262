using TradingActors.Domain.Indicators;
using static TradingActors.Domain.Tests.Indicators.IndicatorTestData;

namespace TradingActors.Domain.Tests.Indicators;

public sealed class WilderRsiTests
{
    private static List<double> Run(WilderRsi rsi, IEnumerable<double> closes)
    {
        var result = new List<double>();
        foreach (var close in closes)
        {
            rsi.Update(close);
            result.Add(rsi.Value);
        }
        return result;
    }

    [Fact]
    public void Rsi_matches_the_published_stockcharts_wilder_table()
    {
        // StockCharts ChartSchool "Relative Strength Index (RSI)", Wilder's 14-day example (closes with 4 decimals).
        var values = Run(new WilderRsi(14), RsiCloses);

        Assert.All(values.Take(14), v => Assert.True(double.IsNaN(v)));
        AllWithin(PublishedRsi14, values.Skip(14).ToList(), 0.005);
    }

    [Fact]
    public void Rsi_seed_is_the_simple_mean_of_the_first_period_changes()
    {
        // The 14 changes of the published closes:
        //   -0.2487 +0.0595 -0.5373 +0.7154 +0.4986 +0.2691 +0.3290 +0.4188 +0.2393 -0.1895 +0.1397 -0.4188 +0.6680 0
        //   gains  = 0.0595+0.7154+0.4986+0.2691+0.3290+0.4188+0.2393+0.1397+0.6680 = 3.3374 -> average 0.238386
        //   losses = 0.2487+0.5373+0.1895+0.4188                                    = 1.3943 -> average 0.099593
        //   RSI = 100 * 3.3374 / (3.3374 + 1.3943) = 70.532789...
        var rsi = new WilderRsi(14);
        Run(rsi, RsiCloses.Take(15));

        Assert.Equal(3.3374 / 14, rsi.AverageGain, 1e-12);
        Assert.Equal(1.3943 / 14, rsi.AverageLoss, 1e-12);
        Assert.Equal(100 * 3.3374 / 4.7317, rsi.Value, 1e-9);
        Assert.Equal(14, rsi.Changes);
    }

    [Fact]
    public void Rsi_then_smooths_each_average_by_wilder()
    {
        // 16th close 46.0028: change -0.2792.
        //   gain = 0.238386 * 13 / 14            = 0.221358
        //   loss = (0.099593 * 13 + 0.2792) / 14 = 0.112422
        //   RSI  = 100 * 0.221358 / 0.333780     = 66.3186 (published 66.32)
        var rsi = new WilderRsi(14);
        Run(rsi, RsiCloses.Take(16));

        Assert.Equal(3.3374 / 14 * 13 / 14, rsi.AverageGain, 1e-12);
        Assert.Equal((1.3943 / 14 * 13 + 0.2792) / 14, rsi.AverageLoss, 1e-12);
        Assert.Equal(66.3186, rsi.Value, 1e-4);
    }

    [Fact]
    public void Rsi_has_no_value_nor_averages_before_period_plus_one_closes()
    {
        // Period 3: 10 -> 11 (+1) -> 9 (-2) -> 12 (+3): ready at the third change, gain 4/3, loss 2/3 -> RSI 66.67.
        var rsi = new WilderRsi(3);
        var values = Run(rsi, [10, 11, 9]);

        Assert.False(rsi.IsReady);
        Assert.True(double.IsNaN(rsi.AverageGain));
        Assert.True(double.IsNaN(rsi.AverageLoss));
        Assert.All(values, v => Assert.True(double.IsNaN(v)));

        rsi.Update(12);

        Assert.True(rsi.IsReady);
        Assert.Equal(4.0 / 3, rsi.AverageGain, 1e-15);
        Assert.Equal(2.0 / 3, rsi.AverageLoss, 1e-15);
        Assert.Equal(200.0 / 3, rsi.Value, 1e-12);
        Assert.Equal(3, rsi.Period);
    }

    [Theory]
    // Only gains: 100. Only losses: 0. No move at all: 50 (no gain nor loss to divide).
    [InlineData(new double[] { 1, 2, 3, 4, 5, 6 }, 100)]
    [InlineData(new double[] { 6, 5, 4, 3, 2, 1 }, 0)]
    [InlineData(new double[] { 7, 7, 7, 7, 7, 7 }, 50)]
    // Period 3, changes +1 -1 +1 -1 +1: seed gain 2/3 loss 1/3; then gain 4/9 loss 5/9; then gain 17/27 loss 10/27 -> 62.96
    [InlineData(new double[] { 10, 11, 10, 11, 10, 11 }, 1700.0 / 27)]
    public void Rsi_of_a_simple_series(double[] closes, double expected)
    {
        Assert.Equal(expected, Run(new WilderRsi(3), closes)[^1], 1e-9);
    }

    [Fact]
    public void Rsi_of_period_one_follows_the_last_change()
    {
        Assert.Equal([double.NaN, 100, 0, 50], Run(new WilderRsi(1), [10, 11, 9, 9]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Rsi_rejects_a_period_below_one(int period)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new WilderRsi(period));

        Assert.Equal("period", e.ParamName);
        Assert.StartsWith("RSI period must be at least 1", e.Message);
    }

    [Fact]
    public void Rsi_checkpoint_holds_the_sums_while_warming_up_and_the_averages_after()
    {
        var rsi = new WilderRsi(3);
        Assert.Equal(new WilderRsi.State(3, double.NaN, 0, 0, 0), rsi.ToState());

        Run(rsi, [10, 11, 9]);
        Assert.Equal(new WilderRsi.State(3, 9, 2, 1, 2), rsi.ToState());

        rsi.Update(12);
        Assert.Equal(new WilderRsi.State(3, 12, 3, 4.0 / 3, 2.0 / 3), rsi.ToState());
    }

    [Theory]
    [InlineData(0)]   // no close yet: the checkpoint's last close is NaN
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(14)]  // one change short of ready
    [InlineData(15)]  // just seeded
    [InlineData(20)]  // smoothing
    [InlineData(33)]
    public void Rsi_restored_from_its_checkpoint_continues_exactly_like_the_original(int closesBeforeCheckpoint)
    {
        var original = new WilderRsi(14);
        Run(original, RsiCloses.Take(closesBeforeCheckpoint));

        var restored = WilderRsi.From(original.ToState());
        var viaJson = WilderRsi.From(ThroughJson(original.ToState(), out var json));

        if (closesBeforeCheckpoint == 0) Assert.Contains("\"LastClose\":\"NaN\"", json);
        var rest = RsiCloses.Skip(closesBeforeCheckpoint).Concat(RsiCloses).ToArray();
        var expected = Run(original, rest);
        Assert.Equal(expected, Run(restored, rest));
        Assert.Equal(expected, Run(viaJson, rest));
    }

    public static TheoryData<WilderRsi.State> InconsistentStates => new()
    {
        new WilderRsi.State(14, 10, -1, 0, 0),
        new WilderRsi.State(14, 10, 3, -0.0001, 0),
        new WilderRsi.State(14, 10, 3, 0, -0.0001),
        new WilderRsi.State(14, double.NaN, 1, 0, 0),
    };

    [Theory]
    [MemberData(nameof(InconsistentStates))]
    public void Rsi_from_an_inconsistent_checkpoint_throws(WilderRsi.State state)
    {
        var e = Assert.Throws<ArgumentException>(() => WilderRsi.From(state));

        Assert.Equal("state", e.ParamName);
        Assert.StartsWith("inconsistent RSI checkpoint", e.Message);
    }

    [Fact]
    public void Rsi_from_no_checkpoint_or_a_bad_period_throws()
    {
        Assert.Throws<ArgumentNullException>(() => WilderRsi.From(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => WilderRsi.From(new(0, double.NaN, 0, 0, 0)));
    }

    [Fact]
    public void Rsi_from_the_edge_of_consistency_is_accepted()
    {
        // A fresh checkpoint (no close, nothing summed), and a ready one that never moved.
        Assert.True(double.IsNaN(WilderRsi.From(new(14, double.NaN, 0, 0, 0)).Value));
        Assert.Equal(50, WilderRsi.From(new(1, 10, 1, 0, 0)).Value);
    }
}
