using System.Diagnostics;
using TradingActors.Domain.Market;
using Xunit.Abstractions;

namespace TradingActors.Backtesting.Tests;

public class AllocationTests(ITestOutputHelper output)
{
    private static readonly BacktestSettings MetricsOnly = new() { EquityCurve = EquityCurveRecording.None, RecordTrades = false };

    private static BacktestRequest Rsi(Candle[] bars) => new() { Strategy = "rsi", Symbols = [new BacktestSymbol("X", bars)], Settings = MetricsOnly };

    private static long Allocated(BacktestRequest request, out BacktestReport report)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        report = Backtester.Run(request);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void Replay_allocates_nothing_per_bar_with_recording_off()
    {
        var small = Rsi(SyntheticBars.RandomWalk(100_000));
        var large = Rsi(SyntheticBars.RandomWalk(200_000));
        Allocated(small, out _); // warm up (JIT, statics)
        Allocated(large, out _);

        var a100 = Allocated(small, out var r100);
        var a200 = Allocated(large, out var r200);
        output.WriteLine($"100k bars: {a100} B, {r100.Metrics.Trades} trades; 200k bars: {a200} B, {r200.Metrics.Trades} trades");

        // The walk trades all along: the second 100k bars trade as much as the first, and allocate nothing more.
        Assert.True(r200.Metrics.Trades > r100.Metrics.Trades * 1.8, $"{r100.Metrics.Trades} vs {r200.Metrics.Trades} trades");
        Assert.InRange(a200 - a100, -64, 64);
        Assert.True(a100 < 32 * 1024, $"a 100k-bar run allocated {a100} bytes");
    }

    [Fact]
    public void Multi_symbol_replay_allocates_nothing_per_bar_either()
    {
        BacktestRequest Two(int n) => new()
        {
            Strategy = "ema-cross",
            Symbols = [new("A", SyntheticBars.RandomWalk(n, 1)), new("B", SyntheticBars.RandomWalk(n, 2), FundingSchedule.Every8Hours(0.0001))],
            Settings = MetricsOnly,
        };
        var small = Two(50_000);
        var large = Two(100_000);
        Allocated(small, out _);
        Allocated(large, out _);

        var a1 = Allocated(small, out _);
        var a2 = Allocated(large, out _);

        Assert.InRange(a2 - a1, -64, 64);
    }

    [PerfFact]
    public void Time_rsi_over_five_million_bars()
    {
        var bars = SyntheticBars.RandomWalk(5_000_000);
        var request = Rsi(bars);
        Backtester.Run(request with { Symbols = [new BacktestSymbol("X", bars[..100_000])] });
        for (var round = 0; round < 3; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var watch = Stopwatch.StartNew();
            var report = Backtester.Run(request);
            watch.Stop();
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            output.WriteLine($"rsi {bars.Length:N0} bars in {watch.Elapsed.TotalMilliseconds:F0} ms: {bars.Length / watch.Elapsed.TotalSeconds:N0} bars/s, {report.Metrics.Trades:N0} trades, {allocated:N0} B allocated");
        }
        var full = Backtester.Run(request with { Settings = new BacktestSettings() });
        var w = Stopwatch.StartNew();
        full = Backtester.Run(request with { Settings = new BacktestSettings() });
        output.WriteLine($"rsi with curve and trades recorded: {bars.Length / w.Elapsed.TotalSeconds:N0} bars/s, {full.Metrics.Trades:N0} trades");
    }
}
