using TradingActors.Domain.Indicators;

namespace TradingActors.Domain.Tests.Indicators;

/// <summary>Updating and reading an indicator allocates nothing once it is built (the hot path of every bar).</summary>
public sealed class IndicatorAllocationTests
{
    private const int Updates = 100_000;

    private static double _sink;

    /// <summary>Each indicator as one step: update with a price, read what it gives.</summary>
    private static Action<double> Step(string indicator)
    {
        switch (indicator)
        {
            case "sma":
                var sma = new SimpleMovingAverage(20);
                return p => { sma.Update(p); _sink += sma.Value; };
            case "ema":
                var ema = new ExponentialMovingAverage(20);
                return p => { ema.Update(p); _sink += ema.Value; };
            case "rsi":
                var rsi = new WilderRsi(14);
                return p => { rsi.Update(p); _sink += rsi.Value + rsi.AverageGain + rsi.AverageLoss; };
            case "atr":
                var atr = new AverageTrueRange(14);
                return p => { atr.Update(p + 5, p - 5, p); _sink += atr.Value + atr.LastTrueRange; };
            case "bollinger":
                var bands = new BollingerBands(20, 2);
                return p => { bands.Update(p); _sink += bands.Middle + bands.Upper + bands.Lower + bands.PercentB(p); };
            case "macd":
                var macd = new MovingAverageConvergenceDivergence(12, 26, 9);
                return p => { macd.Update(p); _sink += macd.Line + macd.Signal + macd.Histogram; };
            case "volatility":
                var volatility = new RollingVolatility(20);
                return p => { volatility.Update(p); _sink += volatility.Value; };
            default:
                throw new ArgumentOutOfRangeException(nameof(indicator), indicator, null);
        }
    }

    private static double Price(int i) => 60_000 + (i * 7919 % 1000) * 0.01;

    [Theory]
    [InlineData("sma")]
    [InlineData("ema")]
    [InlineData("rsi")]
    [InlineData("atr")]
    [InlineData("bollinger")]
    [InlineData("macd")]
    [InlineData("volatility")]
    public void Updating_an_indicator_allocates_nothing(string indicator)
    {
        var step = Step(indicator);
        for (var i = 0; i < 100; i++) step(Price(i)); // warm up (and JIT) past every period

        // The least of three runs: the runtime may allocate once on this thread while it recompiles a hot loop (tiering).
        var allocated = Enumerable.Range(0, 3).Min(_ =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < Updates; i++) step(Price(i));
            return GC.GetAllocatedBytesForCurrentThread() - before;
        });

        Assert.Equal(0, allocated);
    }
}
