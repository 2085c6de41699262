using TradingActors.Domain.Indicators;
using static TradingActors.Domain.Tests.Indicators.IndicatorTestData;

namespace TradingActors.Domain.Tests.Indicators;

public sealed class MovingAverageConvergenceDivergenceTests
{
    private static List<(double Line, double Signal, double Histogram, bool Ready)> Run(MovingAverageConvergenceDivergence macd, IEnumerable<double> closes)
    {
        var result = new List<(double, double, double, bool)>();
        foreach (var close in closes)
        {
            macd.Update(close);
            result.Add((macd.Line, macd.Signal, macd.Histogram, macd.IsReady));
        }
        return result;
    }

    [Fact]
    public void Macd_matches_a_hand_computed_example()
    {
        // No published MACD table with its inputs was at hand, so MACD(2, 3, 2) of closes 1 2 4 8 16, by hand,
        // each EMA seeded with its SMA (the StockCharts convention, as for the 10-day EMA table):
        //   fast EMA(2), k = 2/3:  -, 3/2, 3/2 + (4 - 3/2)*2/3 = 19/6, 19/6 + (8 - 19/6)*2/3 = 115/18,
        //                          115/18 + (16 - 115/18)*2/3 = 691/54
        //   slow EMA(3), k = 1/2:  -, -, 7/3, 7/3 + (8 - 7/3)/2 = 31/6, 31/6 + (16 - 31/6)/2 = 127/12
        //   line = fast - slow:    -, -, 19/6 - 7/3 = 5/6, 115/18 - 31/6 = 11/9, 691/54 - 127/12 = 239/108
        //   signal EMA(2) of the line, fed from its first value (the 3rd close):
        //                          -, -, -, (5/6 + 11/9)/2 = 37/36, 37/36 + (239/108 - 37/36)*2/3 = 589/324
        //   histogram = line - signal: 4th close 11/9 - 37/36 = 7/36; 5th 239/108 - 589/324 = 32/81
        var values = Run(new MovingAverageConvergenceDivergence(2, 3, 2), [1, 2, 4, 8, 16]);

        Assert.Equal([false, false, true, true, true], values.Select(v => v.Ready));
        Assert.True(double.IsNaN(values[0].Line) && double.IsNaN(values[1].Line));
        Assert.Equal(5.0 / 6, values[2].Line, 1e-12);
        Assert.Equal(11.0 / 9, values[3].Line, 1e-12);
        Assert.Equal(239.0 / 108, values[4].Line, 1e-12);
        Assert.True(double.IsNaN(values[2].Signal) && double.IsNaN(values[2].Histogram));
        Assert.Equal(37.0 / 36, values[3].Signal, 1e-12);
        Assert.Equal(589.0 / 324, values[4].Signal, 1e-12);
        Assert.Equal(7.0 / 36, values[3].Histogram, 1e-12);
        Assert.Equal(32.0 / 81, values[4].Histogram, 1e-12);
    }

    [Fact]
    public void Macd_of_a_steady_ramp_is_the_difference_of_the_lags()
    {
        // An SMA-seeded EMA(n) of closes rising 1 a bar sits (n - 1) / 2 below the close from its first value on
        // (seed: the mean of the last n closes; each step k * (1 + (n-1)/2) = 1). So MACD(12, 26, 9) of 1, 2, 3...
        // is 12.5 - 5.5 = 7 from the 26th close, the signal 7 from the 34th (26 + 9 - 1), the histogram 0.
        var values = Run(new MovingAverageConvergenceDivergence(), Enumerable.Range(1, 60).Select(i => (double)i));

        Assert.All(values.Take(25), v => Assert.True(!v.Ready && double.IsNaN(v.Line) && double.IsNaN(v.Signal)));
        Assert.All(values.Skip(25), v => Assert.True(v.Ready && Math.Abs(v.Line - 7) < 1e-9));
        Assert.All(values.Skip(25).Take(8), v => Assert.True(double.IsNaN(v.Signal) && double.IsNaN(v.Histogram)));
        Assert.All(values.Skip(33), v => Assert.True(Math.Abs(v.Signal - 7) < 1e-9 && Math.Abs(v.Histogram) < 1e-9));
    }

    [Fact]
    public void Macd_line_and_signal_are_the_emas_of_closes_and_of_the_line()
    {
        // The default 12/26/9 against three ExponentialMovingAverages (checked against StockCharts' EMA table),
        // the signal one fed the line from the 26th close on, over the 42 Bollinger closes.
        var fast = new ExponentialMovingAverage(12);
        var slow = new ExponentialMovingAverage(26);
        var signal = new ExponentialMovingAverage(9);
        var macd = new MovingAverageConvergenceDivergence(12, 26, 9);
        var fed = 0;
        foreach (var close in BollingerCloses)
        {
            macd.Update(close);
            fast.Update(close);
            slow.Update(close);
            var line = fast.Value - slow.Value;
            if (slow.IsReady)
            {
                signal.Update(line);
                fed++;
            }

            Assert.Equal(line, macd.Line);
            Assert.Equal(signal.Value, macd.Signal);
            Assert.Equal(line - signal.Value, macd.Histogram);
        }
        Assert.Equal(42 - 25, fed);
        Assert.False(double.IsNaN(macd.Signal));
    }

    [Theory]
    [InlineData(26, 26)]
    [InlineData(30, 26)]
    public void Macd_rejects_a_fast_period_not_below_the_slow_one(int fast, int slow)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new MovingAverageConvergenceDivergence(fast, slow));

        Assert.Equal("fast", e.ParamName);
        Assert.StartsWith($"the fast period must be shorter than the slow one ({slow})", e.Message);
    }

    [Theory]
    [InlineData(0, 26, 9)]
    [InlineData(12, 26, 0)]
    public void Macd_rejects_a_period_below_one(int fast, int slow, int signal)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new MovingAverageConvergenceDivergence(fast, slow, signal));

        Assert.Equal("period", e.ParamName);
    }

    [Fact]
    public void Macd_accepts_periods_one_apart()
    {
        // MACD(1, 2, 1): line = close - EMA(2); 4 then 6: EMA(2) seeds at (4 + 6)/2 = 5, line 1, signal 1.
        var values = Run(new MovingAverageConvergenceDivergence(1, 2, 1), [4, 6]);

        Assert.Equal((1.0, 1.0, 0.0, true), values[1]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(6)]
    public void Macd_restored_from_its_checkpoint_continues_exactly_like_the_original(int closesBeforeCheckpoint)
    {
        double[] closes = [1, 2, 4, 8, 16, 12, 9, 14, 3, 7, 7, 11];
        var original = new MovingAverageConvergenceDivergence(2, 3, 2);
        Run(original, closes.Take(closesBeforeCheckpoint));

        var restored = MovingAverageConvergenceDivergence.From(original.ToState());
        var viaJson = MovingAverageConvergenceDivergence.From(ThroughJson(original.ToState(), out _));

        var rest = closes.Skip(closesBeforeCheckpoint).ToArray();
        var expected = Run(original, rest);
        Assert.Equal(expected, Run(restored, rest));
        Assert.Equal(expected, Run(viaJson, rest));
    }

    [Fact]
    public void Macd_checkpoint_holds_its_three_emas()
    {
        var macd = new MovingAverageConvergenceDivergence(2, 3, 2);
        Run(macd, [1, 2, 4, 8]);

        var state = macd.ToState();

        Assert.Equal((2, 4L), (state.Fast.Period, state.Fast.Count));
        Assert.Equal((3, 4L), (state.Slow.Period, state.Slow.Count));
        Assert.Equal((2, 2L), (state.Signal.Period, state.Signal.Count));
        Assert.Equal(115.0 / 18, macd.ToState().Fast.Value, 1e-12);
        Assert.Equal(31.0 / 6, macd.ToState().Slow.Value, 1e-12);
        Assert.Equal(37.0 / 36, macd.ToState().Signal.Value, 1e-12);
    }

    public static TheoryData<MovingAverageConvergenceDivergence.State> InconsistentStates => new()
    {
        new(new(26, 0, 0), new(12, 0, 0), new(9, 0, 0)),     // fast period not below the slow one
        new(new(12, 0, 0), new(12, 0, 0), new(9, 0, 0)),
        new(new(12, 5, 0), new(26, 4, 0), new(9, 0, 0)),     // the EMAs saw different closes
        new(new(12, 25, 0), new(26, 25, 0), new(9, 1, 0)),   // a signal fed before the slow EMA had a value
        new(new(12, 26, 0), new(26, 26, 0), new(9, 0, 0)),   // the slow EMA's first value never fed to the signal
        new(new(12, 30, 0), new(26, 30, 0), new(9, 4, 0)),   // 30 closes feed the signal 5 line values
    };

    [Theory]
    [MemberData(nameof(InconsistentStates))]
    public void Macd_from_an_inconsistent_checkpoint_throws(MovingAverageConvergenceDivergence.State state)
    {
        var e = Assert.Throws<ArgumentException>(() => MovingAverageConvergenceDivergence.From(state));

        Assert.Equal("state", e.ParamName);
        Assert.StartsWith("inconsistent MACD checkpoint", e.Message);
    }

    [Fact]
    public void Macd_from_the_edge_of_consistency_is_accepted()
    {
        // Fresh; one short of the slow EMA's value; its first value (fed to the signal once); 30 closes (5 line values).
        MovingAverageConvergenceDivergence.From(new(new(12, 0, 0), new(13, 0, 0), new(9, 0, 0)));
        MovingAverageConvergenceDivergence.From(new(new(12, 25, 0), new(26, 25, 0), new(9, 0, 0)));
        MovingAverageConvergenceDivergence.From(new(new(12, 26, 1), new(26, 26, 1), new(9, 1, 0)));
        Assert.Equal(-1, MovingAverageConvergenceDivergence.From(new(new(12, 30, 1), new(26, 30, 2), new(9, 5, 0))).Line);
        Assert.Throws<ArgumentNullException>(() => MovingAverageConvergenceDivergence.From(null!));
    }
}
