using System.Globalization;
using System.Text.Json;
using TradingActors.Domain.Indicators;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tests.Indicators;
using static TradingActors.Domain.Tests.Strategies.StrategyTestKit;

namespace TradingActors.Domain.Tests.Strategies;

public sealed class RsiThresholdStrategyTests
{
    private static RsiThresholdStrategy New(StrategyParameters parameters, StrategyState? resume = null) =>
        (RsiThresholdStrategy)RsiThresholdStrategy.Kind.Create(parameters, resume);

    private static List<(int Bar, OrderSide Side, double Rsi)> Signals(ITradingStrategy strategy, IReadOnlyList<double> closes) =>
        Run(strategy, closes).Select(x => (x.Bar, x.Intent.Side, x.Intent.ReasonValue)).ToList();

    // RSI(2) of each sequence by hand (see WilderRsiTests for the method; with period 2 every value is exact in binary):
    //   10 9 8 9 8 9           -> -, -, 0, 50, 25, 62.5       (changes -1 -1: seed 0/1 -> 0; +1: gain 1/2, loss 1/2 -> 50;
    //                                                           -1: gain 1/4, loss 3/4 -> 25; +1: gain 5/8, loss 3/8 -> 62.5)
    //   10 11 12 11 12 11      -> -, -, 100, 50, 75, 37.5     (the mirror image)
    //   10 9 8 9 10 11 12 11 10 -> -, -, 0, 50, 75, 87.5, 93.75, 46.875, 23.4375
    //   10 9 8 20 21 15        -> -, -, 0, 1200/13 = 92.31, 280/3 = 93.33, 1400/39 = 35.90
    public static TheoryData<string, double, double, double[], (int, OrderSide, double)[]> Crossings => new()
    {
        { "landing exactly on the oversold level is crossing up through it", 50, 80, [10, 9, 8, 9], [(3, OrderSide.Buy, 50)] },
        { "landing exactly on the overbought level is crossing down through it", 20, 50, [10, 11, 12, 11], [(3, OrderSide.Sell, 50)] },
        { "a buy for each crossing up, none for falling back", 50, 80, [10, 9, 8, 9, 8, 9], [(3, OrderSide.Buy, 50), (5, OrderSide.Buy, 62.5)] },
        { "a sell for each crossing down, none for rising back", 20, 50, [10, 11, 12, 11, 12, 11], [(3, OrderSide.Sell, 50), (5, OrderSide.Sell, 37.5)] },
        { "leaving the oversold level it sat on is no crossing", 25, 80, [10, 9, 8, 9, 8, 9], [(3, OrderSide.Buy, 50)] },
        { "leaving the overbought level it sat on is no crossing", 20, 75, [10, 11, 12, 11, 12, 11], [(3, OrderSide.Sell, 50)] },
        { "entering a zone is no signal, leaving it is", 25, 75, [10, 9, 8, 9, 10, 11, 12, 11, 10], [(3, OrderSide.Buy, 50), (7, OrderSide.Sell, 46.875)] },
        { "straight from oversold to overbought: the buy, then the sell on the way back", 30, 70, [10, 9, 8, 20, 21, 15], [(3, OrderSide.Buy, 1200.0 / 13), (5, OrderSide.Sell, 1400.0 / 39)] },
        { "no signal on the first RSI value, even past a level", 30, 70, [10, 9, 10], [] },
        { "no signal on the first RSI value, even past a level (sell side)", 30, 70, [10, 11, 10], [] },
        { "staying in the oversold zone is no signal", 30, 70, [10, 9, 8, 7, 6, 5], [] },
        { "staying in the overbought zone is no signal", 30, 70, [5, 6, 7, 8, 9, 10], [] },
    };

    [Theory]
    [MemberData(nameof(Crossings))]
    public void Rsi_threshold_signals_once_per_crossing(string rule, double oversold, double overbought, double[] closes, (int, OrderSide, double)[] expected)
    {
        Assert.NotEmpty(rule);
        var signals = Signals(New(Rsi(2, oversold, overbought)), closes);

        Assert.Equal(expected.Select(e => (e.Item1, e.Item2)), signals.Select(s => (s.Bar, s.Side)));
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Item1, signals[i].Bar);
            Assert.Equal(expected[i].Item2, signals[i].Side);
            Assert.Equal(expected[i].Item3, signals[i].Rsi, 1e-12);
        }
    }

    [Fact]
    public void Rsi_threshold_intents_are_signals_naming_the_rsi_and_the_level_crossed()
    {
        var intents = Run(New(Rsi(2, 25, 75)), [10, 9, 8, 9, 10, 11, 12, 11, 10]);

        Assert.Equal(
            [
                (3, StrategyIntent.Signal(OrderSide.Buy, IntentReason.RsiCrossedUp, 50, 25)),
                (7, StrategyIntent.Signal(OrderSide.Sell, IntentReason.RsiCrossedDown, 46.875, 75)),
            ],
            intents);
        Assert.Equal("RSI 50.0 crossed up through 25", intents[0].Intent.Describe());
        Assert.Equal("RSI 46.9 crossed down through 75", intents[1].Intent.Describe());
    }

    [Fact]
    public void Rsi_threshold_is_silent_while_the_rsi_warms_up()
    {
        // Period 14: no RSI before the 15th close, whatever the closes do.
        var strategy = New(Rsi(14));
        double[] closes = [100, 50, 100, 50, 100, 50, 100, 50, 100, 50, 100, 50, 100, 50];

        Assert.Empty(Run(strategy, closes));
        Assert.True(double.IsNaN(strategy.Rsi));
        Assert.Empty(Run(strategy, [100]));
        Assert.Equal(50, strategy.Rsi, 1e-9);
    }

    [Fact]
    public void Rsi_threshold_reports_its_kind_and_ignores_fills_and_ended_orders()
    {
        ITradingStrategy strategy = New(Rsi(2));
        var intents = new IntentBuffer();

        strategy.OnFill(new StrategyFill(1, OrderSide.Buy, 0.5, 60000, 0.1, OrderEnded: true), intents);
        strategy.OnOrderEnded(1, intents);

        Assert.Equal("rsi", strategy.Kind);
        Assert.Equal(0, intents.Count);
    }

    [Fact]
    public void Rsi_threshold_checkpoint_holds_the_rsi_and_its_value_one_bar_before()
    {
        // Period 2: 10 11 12 -> RSI 100 (gain 1, loss 0); 11 -> gain 1/2, loss 1/2 -> 50. One bar before: 100.
        var strategy = New(Rsi(2));
        Run(strategy, [10, 11, 12, 11]);

        Assert.Equal(new RsiThresholdState(new WilderRsi.State(2, 11, 3, 0.5, 0.5), 100), strategy.Save());
        Assert.Equal(new RsiThresholdState(new WilderRsi.State(14, double.NaN, 0, 0, 0), double.NaN), New(Rsi(14)).Save());
    }

    [Fact]
    public void Rsi_threshold_resumed_saves_the_checkpoint_it_resumed_from()
    {
        var strategy = New(Rsi(2));
        Run(strategy, [10, 11, 12, 11]);
        var saved = strategy.Save();

        Assert.Equal(saved, New(Rsi(2), saved).Save());
    }

    [Theory]
    [InlineData(0)]     // nothing seen: NaN in the checkpoint
    [InlineData(5)]
    [InlineData(14)]    // one close short of the first RSI
    [InlineData(15)]    // the first RSI: the next bar can already cross
    [InlineData(100)]
    [InlineData(777)]
    public void Rsi_threshold_resumed_from_its_checkpoint_continues_identically(int barsBeforeSave)
    {
        var closes = IndicatorTestData.BtcCloses();
        var parameters = Rsi(14);
        var original = New(parameters);
        Run(original, closes.Take(barsBeforeSave).ToList());

        var state = original.Save();
        var json = JsonSerializer.Serialize<StrategyState>(state);
        var resumed = New(parameters, state);
        var viaJson = New(parameters, JsonSerializer.Deserialize<StrategyState>(json));

        Assert.StartsWith("{\"$kind\":\"rsi.v1\",", json);
        if (barsBeforeSave == 0) Assert.Contains("\"LastClose\":\"NaN\"", json);
        var rest = closes.Skip(barsBeforeSave).ToList();
        var expected = Run(original, rest, barsBeforeSave);
        Assert.NotEmpty(expected);
        Assert.Equal(expected, Run(resumed, rest, barsBeforeSave));
        Assert.Equal(expected, Run(viaJson, rest, barsBeforeSave));
    }

    [Fact]
    public void Rsi_threshold_resumed_with_other_levels_keeps_its_rsi_and_crosses_the_new_levels()
    {
        var original = New(Rsi(2, 30, 70));
        Run(original, [10, 9, 8]);  // RSI 0

        var resumed = New(Rsi(2, 60, 80), original.Save());

        Assert.Equal(0, resumed.Rsi);
        // 9: RSI 50, through the old oversold level 30 but still below the new one, 60.
        Assert.Empty(Signals(resumed, [9]));
        Assert.Equal([(0, OrderSide.Buy, 50.0)], Signals(original, [9]));
    }

    [Fact]
    public void Rsi_threshold_resumed_with_another_period_starts_afresh()
    {
        var original = New(Rsi(14));
        Run(original, IndicatorTestData.BtcCloses().Take(100).ToList());
        Assert.False(double.IsNaN(original.Rsi));

        var resumed = New(Rsi(2), original.Save());

        Assert.True(double.IsNaN(resumed.Rsi));
        Assert.Equal(New(Rsi(2)).Save(), resumed.Save());
        Assert.Equal(Signals(New(Rsi(2, 50, 80)), [10, 9, 8, 9]), Signals(New(Rsi(2, 50, 80), original.Save()), [10, 9, 8, 9]));
    }

    [Fact]
    public void Rsi_threshold_resumed_from_another_kind_s_checkpoint_starts_afresh()
    {
        var ema = EmaCrossStrategy.Kind.Create(Ema(2, 3));
        Run(ema, [1, 2, 3, 4]);

        var resumed = New(Rsi(2), ema.Save());

        Assert.True(double.IsNaN(resumed.Rsi));
        Assert.Equal(New(Rsi(2)).Save(), resumed.Save());
    }

    [Fact]
    public void Rsi_threshold_signals_the_same_sides_at_the_same_bars_as_the_decimal_rsi_cross_strategy()
    {
        // data/bars/BTCUSDT-1m.csv, RSI(14) 30/70: the double strategy on the interface and the legacy decimal one.
        var texts = IndicatorTestData.BtcCloseTexts();
        var settings = new RsiCrossSettings(14, 30m, 70m);
        var legacyState = RsiCrossState.Start(settings);
        var legacy = new List<(int, OrderSide)>();
        var legacyRsi = new List<decimal>();
        for (var i = 0; i < texts.Length; i++)
        {
            (legacyState, var decision) = RsiCrossStrategy.Step(legacyState, settings, decimal.Parse(texts[i], CultureInfo.InvariantCulture));
            if (decision is null) continue;
            legacy.Add((i, decision.Side));
            legacyRsi.Add(decision.Rsi);
        }

        var signals = Signals(New(Rsi(14, 30, 70)), texts.Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToList());

        Assert.Equal(legacy, signals.Select(s => (s.Bar, s.Side)));
        Assert.Contains(legacy, s => s.Item2 == OrderSide.Buy);
        Assert.Contains(legacy, s => s.Item2 == OrderSide.Sell);
        Assert.All(legacyRsi.Zip(signals), p => Assert.Equal((double)p.First, p.Second.Rsi, 1e-9));
    }
}
