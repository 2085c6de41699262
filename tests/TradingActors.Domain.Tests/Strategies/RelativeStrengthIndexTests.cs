using TradingActors.Domain.Strategies;

namespace TradingActors.Domain.Tests;

public class RelativeStrengthIndexTests
{
    // The classic 14-period Wilder example (StockCharts "RSI" article), closes rounded to 2 decimals.
    private static readonly decimal[] Closes =
    [
        44.34m, 44.09m, 44.15m, 43.61m, 44.33m, 44.83m, 45.10m, 45.42m, 45.84m, 46.08m,
        45.89m, 46.03m, 45.61m, 46.28m, 46.28m, 46.00m, 46.03m, 46.41m, 46.22m, 45.64m,
    ];

    private static List<decimal?> Run(RelativeStrengthIndex rsi, IEnumerable<decimal> closes)
    {
        var values = new List<decimal?>();
        foreach (var close in closes)
        {
            rsi = rsi.Next(close);
            values.Add(rsi.Value);
        }
        return values;
    }

    [Fact]
    public void Rsi_matches_hand_computed_wilder_values()
    {
        // Changes of closes 2..15 (14 changes):
        //   -0.25 +0.06 -0.54 +0.72 +0.50 +0.27 +0.32 +0.42 +0.24 -0.19 +0.14 -0.42 +0.67 0.00
        //   gains  = 0.06+0.72+0.50+0.27+0.32+0.42+0.24+0.14+0.67 = 3.34 -> avgGain = 3.34/14 = 0.238571
        //   losses = 0.25+0.54+0.19+0.42                          = 1.40 -> avgLoss = 1.40/14 = 0.100000
        //   RSI = 100*avgGain/(avgGain+avgLoss) = 100*3.34/4.74                                = 70.46
        // Then Wilder smoothing avg = (prev*13 + current)/14:
        //   46.00 (-0.28): gain = 0.238571*13/14        = 0.221531  loss = (0.100000*13+0.28)/14 = 0.112857  RSI = 66.25
        //   46.03 (+0.03): gain = (0.221531*13+0.03)/14 = 0.207850  loss = 0.112857*13/14        = 0.104796  RSI = 66.48
        //   46.41 (+0.38): gain = (0.207850*13+0.38)/14 = 0.220146  loss = 0.104796*13/14        = 0.097310  RSI = 69.35
        //   46.22 (-0.19): gain = 0.220146*13/14        = 0.204422  loss = (0.097310*13+0.19)/14 = 0.103931  RSI = 66.29
        //   45.64 (-0.58): gain = 0.204422*13/14        = 0.189820  loss = (0.103931*13+0.58)/14 = 0.137936  RSI = 57.92
        var values = Run(new RelativeStrengthIndex(14), Closes);

        Assert.All(values.Take(14), v => Assert.Null(v));
        decimal[] expected = [70.46m, 66.25m, 66.48m, 69.35m, 66.29m, 57.92m];
        Assert.Equal(expected, values.Skip(14).Select(v => Math.Round(v!.Value, 2)));
    }

    [Fact]
    public void Rsi_seed_averages_are_the_simple_mean_of_the_first_period_changes()
    {
        var rsi = Closes.Take(15).Aggregate(new RelativeStrengthIndex(14), (r, c) => r.Next(c));

        Assert.Equal(3.34m / 14, rsi.AverageGain);
        Assert.Equal(0.10m, rsi.AverageLoss);
        // Equal up to decimal's last-digit rounding of the intermediate 3.34/14.
        Assert.Equal(Math.Round(100m * 3.34m / 4.74m, 20), Math.Round(rsi.Value!.Value, 20));
    }

    [Fact]
    public void Rsi_stays_within_a_tenth_of_the_published_figures_computed_from_unrounded_closes()
    {
        // The published 70.53, 66.32, ... come from closes with 4 decimals (44.3389, ...); rounding the
        // closes to 2 decimals shifts every value by about 0.07, which is why the exact test above differs.
        decimal[] published = [70.53m, 66.32m, 66.55m, 69.41m, 66.36m, 57.97m];
        var values = Run(new RelativeStrengthIndex(14), Closes).Skip(14).Select(v => v!.Value).ToArray();

        Assert.All(published.Zip(values), p => Assert.InRange(p.Second, p.First - 0.1m, p.First + 0.1m));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(14)]
    public void Rsi_has_no_value_before_period_plus_one_closes(int period)
    {
        var values = Run(new RelativeStrengthIndex(period), Enumerable.Range(1, period + 1).Select(i => 100m + i % 3));

        Assert.All(values.Take(period), v => Assert.Null(v));
        Assert.NotNull(values[period]);
    }

    [Fact]
    public void Rsi_is_100_when_there_are_only_gains()
    {
        var values = Run(new RelativeStrengthIndex(14), Enumerable.Range(1, 30).Select(i => 100m + i));

        Assert.All(values.Skip(14), v => Assert.Equal(100m, v));
    }

    [Fact]
    public void Rsi_is_0_when_there_are_only_losses()
    {
        var values = Run(new RelativeStrengthIndex(3), [10m, 9m, 8m, 7m, 6m]);

        Assert.Equal([null, null, null, 0m, 0m], values);
    }

    [Fact]
    public void Rsi_is_50_when_the_price_never_moves()
    {
        var values = Run(new RelativeStrengthIndex(3), [10m, 10m, 10m, 10m, 10m]);

        Assert.Equal([null, null, null, 50m, 50m], values);
    }

    [Fact]
    public void Rsi_next_leaves_the_previous_state_unchanged()
    {
        var start = new RelativeStrengthIndex(2).Next(10m).Next(11m).Next(12m);
        var value = start.Value;

        var after = start.Next(5m);

        Assert.Equal(100m, value);
        Assert.Equal(value, start.Value);
        Assert.NotEqual(start.Value, after.Value);
    }

    [Fact]
    public void Rsi_has_no_averages_while_warming_up()
    {
        var warming = new RelativeStrengthIndex(3).Next(10m).Next(11m).Next(9m); // two changes of three

        Assert.False(warming.IsReady);
        Assert.Null(warming.AverageGain);
        Assert.Null(warming.AverageLoss);
        Assert.Equal(4m / 3, warming.Next(12m).AverageGain);
        Assert.Equal(2m / 3, warming.Next(12m).AverageLoss);
    }

    [Fact]
    public void Rsi_rejects_a_period_below_one()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RelativeStrengthIndex(0));
    }
    // ---- checkpoint (ToState / From)

    [Fact]
    public void Rsi_state_holds_the_sums_while_warming_up()
    {
        // Period 3: 10 -> 11 (+1) -> 9 (-2): two changes, gains 1, losses 2.
        var rsi = new RelativeStrengthIndex(3).Next(10m).Next(11m).Next(9m);

        Assert.Equal(new RelativeStrengthIndex.State(3, 9m, 2, 1m, 2m), rsi.ToState());
    }

    [Fact]
    public void Rsi_state_holds_the_wilder_averages_once_ready()
    {
        // Third change +3: seed averages (1 + 3) / 3 and 2 / 3.
        var rsi = new RelativeStrengthIndex(3).Next(10m).Next(11m).Next(9m).Next(12m);

        Assert.Equal(new RelativeStrengthIndex.State(3, 12m, 3, 4m / 3, 2m / 3), rsi.ToState());
    }

    [Fact]
    public void Rsi_state_of_a_new_indicator_has_no_close()
    {
        Assert.Equal(new RelativeStrengthIndex.State(5, null, 0, 0m, 0m), new RelativeStrengthIndex(5).ToState());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(14)]  // one change short of ready
    [InlineData(15)]  // just seeded
    [InlineData(17)]  // smoothing
    public void Rsi_restored_from_its_state_continues_exactly_like_the_original(int closesBeforeCheckpoint)
    {
        var original = Closes.Take(closesBeforeCheckpoint).Aggregate(new RelativeStrengthIndex(14), (r, c) => r.Next(c));

        var restored = RelativeStrengthIndex.From(original.ToState());

        Assert.Equal(original, restored);
        var rest = Closes.Skip(closesBeforeCheckpoint).Concat(Closes).ToArray();
        Assert.Equal(Run(original, rest), Run(restored, rest));
    }

    [Fact]
    public void Rsi_restored_keeps_its_period()
    {
        var restored = RelativeStrengthIndex.From(new RelativeStrengthIndex(3).Next(10m).Next(11m).ToState());

        Assert.Equal(3, restored.Period);
        // 10 -> 11 -> 12 -> 13: ready at the third change (only gains: 100), as a period-3 RSI is.
        Assert.Equal(new decimal?[] { null, 100m }, Run(restored, [12m, 13m]).ToArray());
    }

    public static TheoryData<RelativeStrengthIndex.State, Type, string> InconsistentStates => new()
    {
        { new(14, 10m, -1, 0m, 0m), typeof(ArgumentOutOfRangeException), "RSI changes cannot be negative" },
        { new(14, 10m, 3, -0.0001m, 0m), typeof(ArgumentOutOfRangeException), "RSI gains and losses cannot be negative" },
        { new(14, 10m, 3, 0m, -0.0001m), typeof(ArgumentOutOfRangeException), "RSI gains and losses cannot be negative" },
        { new(14, null, 1, 0m, 0m), typeof(ArgumentException), "an RSI with changes has a last close" },
        { new(0, null, 0, 0m, 0m), typeof(ArgumentOutOfRangeException), "RSI period must be at least 1" },
    };

    [Theory]
    [MemberData(nameof(InconsistentStates))]
    public void Rsi_from_an_inconsistent_state_throws_saying_why(RelativeStrengthIndex.State state, Type exception, string why)
    {
        var ex = Assert.Throws(exception, () => RelativeStrengthIndex.From(state));

        Assert.StartsWith(why, ex.Message);
    }

    [Fact]
    public void Rsi_from_no_state_throws() =>
        Assert.Throws<ArgumentNullException>(() => RelativeStrengthIndex.From(null!));

    [Fact]
    public void Rsi_from_the_edge_of_consistency_is_accepted()
    {
        Assert.Equal(new RelativeStrengthIndex(14), RelativeStrengthIndex.From(new(14, null, 0, 0m, 0m)));
        Assert.Equal(50m, RelativeStrengthIndex.From(new(1, 10m, 1, 0m, 0m)).Value);
    }
}
