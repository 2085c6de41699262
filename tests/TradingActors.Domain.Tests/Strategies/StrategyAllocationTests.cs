using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tests.Indicators;
using static TradingActors.Domain.Tests.Strategies.StrategyTestKit;

namespace TradingActors.Domain.Tests.Strategies;

/// <summary>A strategy's step (a bar in, intents into the caller's reused buffer) allocates nothing.</summary>
public sealed class StrategyAllocationTests
{
    private const int Bars = 100_000;

    [Theory]
    [InlineData("rsi")]
    [InlineData("ema-cross")]
    public void A_long_run_of_bars_allocates_nothing(string kind)
    {
        // The BTCUSDT minute bars over and over, short periods so that signals are many (they must cost nothing either).
        var closes = IndicatorTestData.BtcCloses();
        var bars = Enumerable.Range(0, Bars).Select(i => Bar(i, closes[i % closes.Length])).ToArray();
        var strategy = kind == "rsi" ? RsiThresholdStrategy.Kind.Create(Rsi(5)) : EmaCrossStrategy.Kind.Create(Ema(3, 8));
        var intents = new IntentBuffer();
        for (var i = 0; i < closes.Length; i++)  // warm up, grow the buffer and JIT once
        {
            intents.Clear();
            strategy.OnBar(bars[i], intents);
        }

        var signals = 0;
        // The least of three runs: the runtime may allocate once on this thread while it recompiles a hot loop (tiering).
        var allocated = Enumerable.Range(0, 3).Min(_ =>
        {
            signals = 0;
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < Bars; i++)
            {
                intents.Clear();
                strategy.OnBar(bars[i], intents);
                signals += intents.Count;
            }
            return GC.GetAllocatedBytesForCurrentThread() - before;
        });

        Assert.Equal(0, allocated);
        Assert.True(signals > 1000, $"only {signals} signals");
    }
}
