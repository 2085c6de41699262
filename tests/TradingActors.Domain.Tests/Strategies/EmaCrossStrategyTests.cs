using System.Text.Json;
using TradingActors.Domain.Indicators;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tests.Indicators;
using static TradingActors.Domain.Tests.Strategies.StrategyTestKit;

namespace TradingActors.Domain.Tests.Strategies;

public sealed class EmaCrossStrategyTests
{
    private static EmaCrossStrategy New(StrategyParameters parameters, StrategyState? resume = null) =>
        (EmaCrossStrategy)EmaCrossStrategy.Kind.Create(parameters, resume);

    private static List<(int Bar, OrderSide Side, double Fast, double Slow)> Signals(ITradingStrategy strategy, IReadOnlyList<double> closes) =>
        Run(strategy, closes).Select(x => (x.Bar, x.Intent.Side, x.Intent.ReasonValue, x.Intent.ReasonLevel)).ToList();

    // Fast EMA(1) is the close itself; slow EMA(2) is seeded with the mean of two closes, then moves 2/3 of the way to
    // each close. So fast - slow = (close - previous slow) / 3 once ready. By hand:
    //   10 8 12 11 7:   slow -, 9, 9 + 3*2/3 = 11, 11, 11 - 4*2/3 = 25/3;   fast - slow: -, -1, +1, 0, -4/3
    //   10 12 11 12 10: slow -, 11, 11, 11 + 2/3 = 35/3, 35/3 - (5/3)*2/3 = 95/9;   difference: -, +1, 0, +1/3, -5/9
    //   12 10 11 10 12: slow -, 11, 11, 11 - 2/3 = 31/3, 31/3 + (5/3)*2/3 = 103/9;  difference: -, -1, 0, -1/3, +5/9
    //   10 12 11 10:    slow -, 11, 11, 31/3;                                        difference: -, +1, 0, -1/3
    //   7 7 9 7:        slow -, 7, 7 + 2*2/3 = 25/3, 25/3 - (4/3)*2/3 = 67/9;        difference: -, 0, +2/3, -4/9
    //   7 7 5:          slow -, 7, 7 - 2*2/3 = 17/3;                                 difference: -, 0, -2/3
    public static TheoryData<string, double[], (int, OrderSide, double, double)[]> Crossings => new()
    {
        { "crossing up, touching, crossing down", [10, 8, 12, 11, 7], [(2, OrderSide.Buy, 12, 11), (4, OrderSide.Sell, 7, 25.0 / 3)] },
        { "touching from above and turning back up is no crossing", [10, 12, 11, 12, 10], [(4, OrderSide.Sell, 10, 95.0 / 9)] },
        { "touching from below and turning back down is no crossing", [12, 10, 11, 10, 12], [(4, OrderSide.Buy, 12, 103.0 / 9)] },
        { "crossing down through a touch signals once, when it is below", [10, 12, 11, 10], [(3, OrderSide.Sell, 10, 31.0 / 3)] },
        { "equal from the start, then apart: that is a crossing", [7, 7, 9, 7], [(2, OrderSide.Buy, 9, 25.0 / 3), (3, OrderSide.Sell, 7, 67.0 / 9)] },
        { "equal from the start, then below: that is a crossing", [7, 7, 5], [(2, OrderSide.Sell, 5, 17.0 / 3)] },
        { "already above on the first value: no signal", [8, 10, 11], [] },
        { "already below on the first value: no signal", [10, 8, 7], [] },
    };

    [Theory]
    [MemberData(nameof(Crossings))]
    public void Ema_cross_signals_once_per_crossing(string rule, double[] closes, (int, OrderSide, double, double)[] expected)
    {
        Assert.NotEmpty(rule);
        var signals = Signals(New(Ema(1, 2)), closes);

        Assert.Equal(expected.Select(e => (e.Item1, e.Item2)), signals.Select(s => (s.Bar, s.Side)));
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Item1, signals[i].Bar);
            Assert.Equal(expected[i].Item2, signals[i].Side);
            Assert.Equal(expected[i].Item3, signals[i].Fast, 1e-12);
            Assert.Equal(expected[i].Item4, signals[i].Slow, 1e-12);
        }
    }

    [Fact]
    public void Ema_cross_intents_are_signals_naming_both_emas()
    {
        // EMA(2) and EMA(3) of 1 2 4 8 16 1 (as in the MACD test): fast 3/2 19/6 115/18 691/54 then
        // 691/54 + (1 - 691/54)*2/3 = 799/162; slow 7/3 31/6 127/12 then 127/12 + (1 - 127/12)/2 = 139/24.
        // fast - slow: 5/6 (the first, above: nothing), 11/9, 239/108, then 799/162 - 139/24 = -0.8595: a sell.
        var intents = Run(New(Ema(2, 3)), [1, 2, 4, 8, 16, 1]);

        var (bar, intent) = Assert.Single(intents);
        Assert.Equal(5, bar);
        Assert.Equal(IntentKind.Signal, intent.Kind);
        Assert.Equal(OrderSide.Sell, intent.Side);
        Assert.Equal(IntentReason.EmaCrossedDown, intent.Reason);
        Assert.Equal(799.0 / 162, intent.ReasonValue, 1e-12);
        Assert.Equal(139.0 / 24, intent.ReasonLevel, 1e-12);
        Assert.Equal("fast EMA 4.93209877 crossed below slow EMA 5.79166667", intent.Describe());

        var up = Run(New(Ema(1, 2)), [10, 8, 12]).Single().Intent;
        Assert.Equal(StrategyIntent.Signal(OrderSide.Buy, IntentReason.EmaCrossedUp, 12, 11), up);
    }

    [Fact]
    public void Ema_cross_is_silent_until_the_slow_ema_has_two_values()
    {
        // Default 12/26: the fast EMA from the 12th close, the slow from the 26th; a zigzag crosses nothing before.
        var strategy = New(Ema(12, 26));
        var zigzag = Enumerable.Range(0, 26).Select(i => i % 2 == 0 ? 100.0 : 50.0).ToList();

        Assert.Empty(Run(strategy, zigzag.Take(11).ToList()));
        Assert.True(double.IsNaN(strategy.Fast));
        Assert.Empty(Run(strategy, zigzag.Skip(11).Take(1).ToList()));
        Assert.False(double.IsNaN(strategy.Fast));
        Assert.Empty(Run(strategy, zigzag.Skip(12).Take(13).ToList()));
        Assert.True(double.IsNaN(strategy.Slow));
        Assert.Empty(Run(strategy, zigzag.Skip(25).ToList()));
        Assert.Equal(75, strategy.Slow, 1e-12);
    }

    [Fact]
    public void Ema_cross_reports_its_kind_and_ignores_fills_and_ended_orders()
    {
        ITradingStrategy strategy = New(Ema(1, 2));
        var intents = new IntentBuffer();

        strategy.OnFill(new StrategyFill(1, OrderSide.Sell, 0.5, 60000, 0.1, OrderEnded: false), intents);
        strategy.OnOrderEnded(1, intents);

        Assert.Equal("ema-cross", strategy.Kind);
        Assert.Equal(0, intents.Count);
    }

    [Fact]
    public void Ema_cross_checkpoint_holds_both_emas_and_the_side_they_are_on()
    {
        Assert.Equal(new EmaCrossState(new(12, 0, 0), new(26, 0, 0), double.NaN), New(Ema(12, 26)).Save());

        var strategy = New(Ema(1, 2));
        Run(strategy, [10, 8, 12]);
        Assert.Equal(new EmaCrossState(new(1, 3, 12), new(2, 3, 11), 1), strategy.Save());

        // Touching (a difference of 0) keeps the side they were on.
        Run(strategy, [11]);
        Assert.Equal(new EmaCrossState(new(1, 4, 11), new(2, 4, 11), 1), strategy.Save());
    }

    [Fact]
    public void Ema_cross_resumed_saves_the_checkpoint_it_resumed_from()
    {
        var strategy = New(Ema(1, 2));
        Run(strategy, [10, 8, 12, 11]);
        var saved = strategy.Save();

        Assert.Equal(saved, New(Ema(1, 2), saved).Save());
    }

    [Theory]
    [InlineData(0)]     // nothing seen: NaN in the checkpoint
    [InlineData(11)]
    [InlineData(26)]    // the first difference
    [InlineData(27)]
    [InlineData(500)]
    public void Ema_cross_resumed_from_its_checkpoint_continues_identically(int barsBeforeSave)
    {
        var closes = IndicatorTestData.BtcCloses();
        var parameters = Ema(12, 26);
        var original = New(parameters);
        Run(original, closes.Take(barsBeforeSave).ToList());

        var state = original.Save();
        var json = JsonSerializer.Serialize<StrategyState>(state);
        var resumed = New(parameters, state);
        var viaJson = New(parameters, JsonSerializer.Deserialize<StrategyState>(json));

        Assert.StartsWith("{\"$kind\":\"ema-cross.v1\",", json);
        if (barsBeforeSave == 0) Assert.Contains("\"PreviousDifference\":\"NaN\"", json);
        var rest = closes.Skip(barsBeforeSave).ToList();
        var expected = Run(original, rest, barsBeforeSave);
        Assert.NotEmpty(expected);
        Assert.Equal(expected, Run(resumed, rest, barsBeforeSave));
        Assert.Equal(expected, Run(viaJson, rest, barsBeforeSave));
    }

    [Theory]
    [InlineData(1, 3, 2, 3)]   // another fast period
    [InlineData(1, 2, 1, 3)]   // another slow period
    public void Ema_cross_resumed_with_other_periods_starts_afresh(int fast, int slow, int otherFast, int otherSlow)
    {
        var original = New(Ema(fast, slow));
        Run(original, [10, 8, 12, 11, 7]);

        var resumed = New(Ema(otherFast, otherSlow), original.Save());

        Assert.True(double.IsNaN(resumed.Fast) && double.IsNaN(resumed.Slow));
        Assert.Equal(New(Ema(otherFast, otherSlow)).Save(), resumed.Save());
    }

    [Fact]
    public void Ema_cross_resumed_from_another_kind_s_checkpoint_starts_afresh()
    {
        var rsi = RsiThresholdStrategy.Kind.Create(Rsi(2));
        Run(rsi, [1, 2, 3, 4]);

        Assert.Equal(New(Ema(1, 2)).Save(), New(Ema(1, 2), rsi.Save()).Save());
    }

    [Fact]
    public void Ema_cross_resumed_where_the_emas_were_never_apart_signals_their_first_parting()
    {
        // A checkpoint of two equal EMAs (difference 0, no side yet): 12 puts the fast one above (slow 10 + 2*2/3).
        var resumed = New(Ema(1, 2), new EmaCrossState(new(1, 2, 10), new(2, 2, 10), 0));

        Assert.Equal([(0, OrderSide.Buy, 12.0, 10 + 4.0 / 3)], Signals(resumed, [12]));
    }
}
