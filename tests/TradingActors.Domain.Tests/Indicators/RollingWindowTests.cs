using TradingActors.Domain.Indicators;
using static TradingActors.Domain.Tests.Indicators.IndicatorTestData;

namespace TradingActors.Domain.Tests.Indicators;

public sealed class RollingWindowTests
{
    private static RollingWindow Fill(int period, params double[] values)
    {
        var window = new RollingWindow(period);
        foreach (var value in values) window.Update(value);
        return window;
    }

    [Fact]
    public void An_empty_window_has_no_mean_nor_variance()
    {
        var window = new RollingWindow(3);

        Assert.Equal(0, window.Size);
        Assert.False(window.IsFull);
        Assert.True(double.IsNaN(window.Mean));
        Assert.True(double.IsNaN(window.Variance(sample: false)));
        Assert.True(double.IsNaN(window.Variance(sample: true)));
    }

    [Fact]
    public void A_window_of_one_value_has_no_sample_variance_whatever_its_checkpoint_s_sums_say()
    {
        // Sums that do not match the value (a hand-made checkpoint) still give no divisor for a sample variance.
        var window = RollingWindow.From(new WindowState(3, [7, 0, 0], 1, 1, 6, 1, 5));

        Assert.True(double.IsNaN(window.Variance(sample: true)));
        Assert.Equal(4, window.Variance(sample: false));
    }

    [Fact]
    public void A_window_of_one_value_has_a_population_variance_of_zero_and_no_sample_variance()
    {
        var window = Fill(3, 7);

        Assert.Equal(1, window.Size);
        Assert.Equal(7, window.Mean);
        Assert.Equal(0, window.Variance(sample: false));
        Assert.True(double.IsNaN(window.Variance(sample: true)));
    }

    [Theory]
    // Values, then the mean, the population variance (divisor n) and the sample variance (divisor n - 1), by hand.
    [InlineData(4, new double[] { 1, 2 }, 1.5, 0.25, 0.5)]
    [InlineData(4, new double[] { 1, 2, 3, 4 }, 2.5, 1.25, 5.0 / 3)]
    [InlineData(4, new double[] { 1, 2, 3, 4, 5 }, 3.5, 1.25, 5.0 / 3)]          // 1 has left: 2 3 4 5
    [InlineData(3, new double[] { 9, 1, 2, 3, 10, 20, 30 }, 20, 200.0 / 3, 100)] // two laps and one value: 10 20 30
    [InlineData(2, new double[] { 5, -5, 5, -5, 5 }, 0, 25, 50)]
    public void Mean_and_variance_are_those_of_the_values_in_the_window(int period, double[] values, double mean, double population, double sample)
    {
        var window = Fill(period, values);

        Assert.Equal(Math.Min(values.Length, period), window.Size);
        Assert.Equal(values.Length, window.Count);
        Assert.Equal(values.Length >= period, window.IsFull);
        Assert.Equal(mean, window.Mean, 1e-12);
        Assert.Equal(population, window.Variance(sample: false), 1e-12);
        Assert.Equal(sample, window.Variance(sample: true), 1e-12);
    }

    [Fact]
    public void A_partly_filled_window_at_a_large_price_keeps_small_moves_exact()
    {
        // Distances are taken from the first value until the first lap: 60000.1 60000.2 60000.3 in a window of 10
        // have mean 60000.2 and sample variance (0.01 + 0 + 0.01) / 2 = 0.01. Sums of squares of the prices
        // themselves (about 1.08e10) would leave only about 1e-6 of precision for it.
        var window = Fill(10, 60000.1, 60000.2, 60000.3);

        Assert.Equal(60000.2, window.Mean, 1e-9);
        Assert.Equal(0.01, window.Variance(sample: true), 1e-9);
        Assert.Equal(0.02 / 3, window.Variance(sample: false), 1e-9);
    }

    [Fact]
    public void The_checkpoint_holds_distances_from_the_first_value_until_the_first_lap_then_from_the_mean()
    {
        var window = Fill(4, 1, 2, 3);
        var state = window.ToState();
        // Shift 1: distances 0 1 2, sum 3, squares 0 + 1 + 4 = 5.
        Assert.Equal((4, 3, 3L, 1.0, 3.0, 5.0), (state.Period, state.Next, state.Count, state.Shift, state.Sum, state.SumOfSquares));
        Assert.Equal([1.0, 2, 3, 0], state.Values);

        window.Update(4);
        state = window.ToState();
        // The lap is complete: re-summed around the mean 2.5: distances -1.5 -0.5 0.5 1.5, sum 0, squares 5.
        Assert.Equal((0, 4L, 2.5, 0.0, 5.0), (state.Next, state.Count, state.Shift, state.Sum, state.SumOfSquares));

        window.Update(5);
        state = window.ToState();
        // 1 (distance -1.5) leaves, 5 (distance 2.5) comes in: sum 0 + 1.5 + 2.5 = 4, squares 5 - 2.25 + 6.25 = 9.
        Assert.Equal((1, 5L, 2.5, 4.0, 9.0), (state.Next, state.Count, state.Shift, state.Sum, state.SumOfSquares));
        Assert.Equal([5.0, 2, 3, 4], state.Values);
    }

    [Theory]
    [InlineData(new double[] { 0, 0, 1 })]
    [InlineData(new double[] { 0.1, 0.2, 0.4 })]
    [InlineData(new double[] { 60000.01, 59999.99, 60000.05, 60000.02, 60000.03, 60000.07 })]
    public void After_each_lap_the_sums_are_re_added_from_the_ring(double[] values)
    {
        // The shift (the mean of the ring) is rarely exact: 1/3 rounds down, so for 0 0 1 the distances add up to
        // 2^-53, not 0. The re-sum keeps exactly what the ring's values give, in the ring's order.
        var window = Fill(3, values);
        var state = window.ToState();

        Assert.Equal(0, state.Next);
        Assert.Equal((state.Values[0] + state.Values[1] + state.Values[2]) / 3, state.Shift);
        double sum = 0, squares = 0;
        foreach (var value in state.Values)
        {
            var d = value - state.Shift;
            sum += d;
            squares += d * d;
        }
        Assert.Equal(sum, state.Sum);
        Assert.Equal(squares, state.SumOfSquares);
    }

    [Fact]
    public void The_re_sum_leaves_a_non_zero_residue_for_an_inexact_mean()
    {
        // See above: 0 0 1 around the shift 1/3 (rounded down) leaves 2^-53 in the sum of distances.
        Assert.Equal(Math.Pow(2, -53), Fill(3, 0, 0, 1).ToState().Sum);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_window_needs_a_period_of_at_least_one(int period)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new RollingWindow(period));

        Assert.Equal("period", e.ParamName);
        Assert.StartsWith("a window needs a period of at least 1", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void A_window_restored_from_its_checkpoint_continues_exactly_like_the_original(int valuesBeforeCheckpoint)
    {
        double[] values = [60000.5, 60001.25, 59999.75, 60002, 60000, 59998.5, 60003.25];
        var original = Fill(3, values.Take(valuesBeforeCheckpoint).ToArray());

        var restored = RollingWindow.From(original.ToState());
        var viaJson = RollingWindow.From(ThroughJson(original.ToState(), out _));

        foreach (var value in values.Skip(valuesBeforeCheckpoint).Concat(values))
        {
            original.Update(value);
            restored.Update(value);
            viaJson.Update(value);
            Assert.Equal(original.Mean, restored.Mean);
            Assert.Equal(original.Variance(sample: true), restored.Variance(sample: true));
            Assert.Equal(original.Mean, viaJson.Mean);
            Assert.Equal(original.Variance(sample: false), viaJson.Variance(sample: false));
        }
        Assert.Equal(original.Count, restored.Count);
    }

    public static TheoryData<WindowState> InconsistentStates => new()
    {
        new WindowState(3, [1, 2], 2, 2, 1, 1, 1),           // fewer values than the period
        new WindowState(3, [1, 2, 3, 4], 1, 4, 2, 0, 2),     // more values than the period
        new WindowState(3, null!, 0, 0, 0, 0, 0),             // no values at all
        new WindowState(3, [0, 0, 0], 0, -1, 0, 0, 0),       // a negative count
        new WindowState(3, [0, 0, 0], -1, 2, 0, 0, 0),       // a position before the ring
        new WindowState(3, [0, 0, 0], 3, 3, 0, 0, 0),        // a position after the ring
        new WindowState(3, [1, 2, 0], 1, 2, 1, 1, 1),        // two values seen but the next goes to the second slot
        new WindowState(3, [1, 2, 3], 0, 4, 2, 0, 2),        // four values seen but the next goes to the first slot
        new WindowState(0, [], 0, 0, 0, 0, 0),               // no period
    };

    [Theory]
    [MemberData(nameof(InconsistentStates))]
    public void A_window_from_an_inconsistent_checkpoint_throws(WindowState state)
    {
        var e = Assert.Throws<ArgumentException>(() => RollingWindow.From(state));

        Assert.Equal("state", e.ParamName);
        Assert.StartsWith("inconsistent rolling-window checkpoint", e.Message);
    }

    [Fact]
    public void A_window_from_the_edge_of_consistency_is_accepted()
    {
        Assert.Equal(0, RollingWindow.From(new WindowState(3, [0, 0, 0], 0, 0, 0, 0, 0)).Count);
        Assert.Equal(2, RollingWindow.From(new WindowState(3, [1, 3, 0], 2, 2, 1, 2, 4)).Mean);
        Assert.Equal(5, RollingWindow.From(new WindowState(3, [4, 5, 6], 0, 3, 5, 0, 2)).Mean);
        Assert.Equal(7, RollingWindow.From(new WindowState(1, [7], 0, 9, 7, 0, 0)).Mean);
        Assert.Throws<ArgumentNullException>(() => RollingWindow.From(null!));
    }
}
