using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;

namespace TradingActors.Domain.Tests;

public class RsiCrossStrategyTests
{
    private static List<RsiCrossDecision?> Run(RsiCrossSettings settings, params decimal[] closes)
    {
        var state = RsiCrossState.Start(settings);
        var decisions = new List<RsiCrossDecision?>();
        foreach (var close in closes)
        {
            (state, var decision) = RsiCrossStrategy.Step(state, settings, close);
            decisions.Add(decision);
        }
        return decisions;
    }

    [Fact]
    public void Rsi_cross_emits_one_signal_per_crossing_and_none_while_inside_or_outside_the_zones()
    {
        // Period 3, levels 30/70. RSI(3) per close (hand computed, see RelativeStrengthIndexTests for the method):
        //   10 9 8 -> warm-up;  7 -> 0 (seed: gain 0, loss 1);  6 -> 0;  5 -> 0        stays oversold: no signal
        //   5.5 -> gain (0*2+0.5)/3=0.1667 loss (1*2)/3=0.6667 -> 20.00                  still oversold: no signal
        //   6   -> gain (0.1667*2+0.5)/3=0.2778 loss 0.6667*2/3=0.4444 -> 38.46          crosses UP through 30: BUY
        //   7 8 9 10 11 12 13 -> 63.64 77.46 85.65 90.71 93.93 96.00 97.36               entering overbought is no signal
        //   12  -> 64.55                                                                 crosses DOWN through 70: SELL
        //   11 10 9 8 -> 42.88 28.51 18.98 12.64                                         entering oversold is no signal
        var settings = new RsiCrossSettings(Period: 3, Oversold: 30m, Overbought: 70m);
        decimal[] closes = [10m, 9m, 8m, 7m, 6m, 5m, 5.5m, 6m, 7m, 8m, 9m, 10m, 11m, 12m, 13m, 12m, 11m, 10m, 9m, 8m];

        var decisions = Run(settings, closes);

        var signals = decisions.Select((d, i) => (d, i)).Where(x => x.d is not null).ToList();
        Assert.Equal(2, signals.Count);

        var (buy, buyIndex) = signals[0];
        Assert.Equal(7, buyIndex);
        Assert.Equal(OrderSide.Buy, buy!.Side);
        Assert.Equal(38.46m, Math.Round(buy.Rsi, 2));
        Assert.Equal("RSI 38.5 crossed up through 30", buy.Reason);

        var (sell, sellIndex) = signals[1];
        Assert.Equal(15, sellIndex);
        Assert.Equal(OrderSide.Sell, sell!.Side);
        Assert.Equal(64.55m, Math.Round(sell.Rsi, 2));
        Assert.Equal("RSI 64.5 crossed down through 70", sell.Reason);
    }

    [Fact]
    public void Rsi_cross_buys_when_the_rsi_lands_exactly_on_the_oversold_level()
    {
        // Period 2: 10 9 8 -> RSI 0; 9 -> gain (0+1)/2 = 0.5, loss (1+0)/2 = 0.5 -> RSI exactly 50.
        var decisions = Run(new RsiCrossSettings(2, Oversold: 50m, Overbought: 80m), 10m, 9m, 8m, 9m);

        Assert.All(decisions.Take(3), Assert.Null);
        Assert.Equal(new RsiCrossDecision(OrderSide.Buy, 50m, "RSI 50.0 crossed up through 50"), decisions[3]);
    }

    [Fact]
    public void Rsi_cross_sells_when_the_rsi_lands_exactly_on_the_overbought_level()
    {
        // Period 2: 10 11 12 -> RSI 100; 11 -> gain 0.5, loss 0.5 -> RSI exactly 50.
        var decisions = Run(new RsiCrossSettings(2, Oversold: 20m, Overbought: 50m), 10m, 11m, 12m, 11m);

        Assert.Equal(new RsiCrossDecision(OrderSide.Sell, 50m, "RSI 50.0 crossed down through 50"), decisions[3]);
    }

    [Theory]
    // Period 2, oversold 50: RSI 0, 0, then exactly 50 (BUY), then 75: leaving the level it landed on is no second buy.
    [InlineData(50, 80, new double[] { 10, 9, 8, 9, 10 }, OrderSide.Buy)]
    // Period 2, overbought 50: RSI 100, 100, then exactly 50 (SELL), then 25: leaving the level it landed on is no second sell.
    [InlineData(20, 50, new double[] { 10, 11, 12, 11, 10 }, OrderSide.Sell)]
    public void Rsi_cross_decides_once_when_the_rsi_lands_on_a_level_and_moves_on(double oversold, double overbought, double[] closes, OrderSide side)
    {
        var decisions = Run(new RsiCrossSettings(2, (decimal)oversold, (decimal)overbought), closes.Select(c => (decimal)c).ToArray());

        Assert.Equal([null, null, null, side, null], decisions.Select(d => d?.Side));
    }

    [Fact]
    public void Rsi_cross_gives_no_signal_on_the_first_rsi_value_even_if_it_is_past_a_level()
    {
        // First RSI value is 50 (>= 30), but without a previous value there is no crossing.
        var decisions = Run(new RsiCrossSettings(2, 30m, 70m), 10m, 9m, 10m);

        Assert.All(decisions, Assert.Null);
    }

    [Fact]
    public void Rsi_cross_state_remembers_the_previous_rsi_value()
    {
        var settings = new RsiCrossSettings(2);
        var state = RsiCrossState.Start(settings);
        foreach (var close in new[] { 10m, 11m, 12m, 11m })
            (state, _) = RsiCrossStrategy.Step(state, settings, close);

        Assert.Equal(100m, state.PreviousValue);
        Assert.Equal(50m, state.Rsi.Value);
    }

    [Fact]
    public void Rsi_cross_rejects_state_built_for_another_period()
    {
        var state = RsiCrossState.Start(new RsiCrossSettings(14));

        var e = Assert.Throws<ArgumentException>(() => RsiCrossStrategy.Step(state, new RsiCrossSettings(7), 100m));
        Assert.StartsWith("state was built for RSI period 14 but settings say 7", e.Message);
    }

    [Fact]
    public void Rsi_cross_settings_default_to_14_30_70()
    {
        var s = new RsiCrossSettings();

        Assert.Equal((14, 30m, 70m), (s.Period, s.Oversold, s.Overbought));
    }

    [Theory]
    [InlineData(1, 30, 70, "period")]
    [InlineData(0, 30, 70, "period")]
    [InlineData(14, 0, 70, "0 < oversold < overbought < 100")]
    [InlineData(14, -5, 70, "0 < oversold < overbought < 100")]
    [InlineData(14, 70, 70, "0 < oversold < overbought < 100")]
    [InlineData(14, 80, 70, "0 < oversold < overbought < 100")]
    [InlineData(14, 30, 100, "0 < oversold < overbought < 100")]
    public void Rsi_cross_settings_reject_invalid_values_with_a_clear_message(int period, double oversold, double overbought, string mentions)
    {
        var ex = Assert.Throws<ArgumentException>(() => new RsiCrossSettings(period, (decimal)oversold, (decimal)overbought));

        Assert.Contains(mentions, ex.Message);
    }
}
