using System.Diagnostics;
using System.Globalization;
using TradingActors.Backtesting;
using TradingActors.Domain.Market;

namespace TradingActors.Bench;

/// <summary>
/// <c>backtest [--bars N] [--min-seconds S] [--no-recording-pass]</c>: the backtester's single-thread throughput, no
/// database. For rsi, ema-cross, dca and grid in turn: one run over a synthetic series of one-minute bars (a
/// mean-reverting random walk generated in memory from a fixed seed, so every run replays the same bars) with the
/// equity curve and trade recording off, as a sweep's point runs, after a warm-up run of the same request; wall time
/// by Stopwatch, allocation by <see cref="GC.GetAllocatedBytesForCurrentThread"/> over the measured run. No fees or
/// slippage (the account never runs dry). rsi and ema-cross replay 5,000,000 bars; dca and grid (parameters that keep
/// them trading: deals and grid lines inside the walk's range) 30,000,000 and 15,000,000, doubled until the warm-up
/// run takes at least S seconds (default 1; at most 40,000,000 bars). --bars N replays N bars for all four instead. Then, unless --no-recording-pass, the same runs with curve and trades recorded (stderr only).
/// Its last stdout lines, one per strategy in this order:
/// <c>backtest strategy=rsi bars=N bars_per_s=X alloc_bytes_per_bar=Y</c>.
/// </summary>
public static class BacktestBench
{
    public const string Mode = "backtest";

    private const int DefaultBars = 5_000_000;
    private const int MaxBars = 40_000_000;

    /// <summary>The kinds in the order of the output lines, each with its bars (before doubling) and whether it must run for at least --min-seconds.</summary>
    private static readonly (string Kind, string Parameters, int Bars, bool AtLeastMinSeconds)[] Strategies =
    [
        ("rsi", """{"period":14,"oversold":30,"overbought":70}""", DefaultBars, false),
        ("ema-cross", """{"fast":12,"slow":26}""", DefaultBars, false),
        // Safety orders 0.5 % apart, take profit 0.5 %: a deal every few hundred bars on the walk. ~1.2 s on the 2-core machine.
        ("dca", """{"base_order":100,"safety_order":100,"max_safety_orders":5,"price_deviation":0.5,"take_profit":0.5}""", 30_000_000, true),
        // 41 lines, 0.5 apart, over the walk's usual range (it is pulled back to 100; a few % either side). ~1.3 s there.
        ("grid", """{"lower":90,"upper":110,"levels":41,"level_quote":100}""", 15_000_000, true),
    ];

    public static int Run(string[] args, TextWriter stdout)
    {
        int? bars = null;
        var minSeconds = 1.0;
        var recordingPass = true;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--bars" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1_000 and <= MaxBars:
                    bars = n;
                    i++;
                    break;
                case "--min-seconds" when i + 1 < args.Length && double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s is >= 0 and <= 60:
                    minSeconds = s;
                    i++;
                    break;
                case "--no-recording-pass":
                    recordingPass = false;
                    break;
                default:
                    Console.Error.WriteLine($"bench backtest: bad argument '{args[i]}'");
                    Console.Error.WriteLine($"usage: TradingActors.Bench backtest [--bars N (1000..{MaxBars})] [--min-seconds S (0..60)] [--no-recording-pass]");
                    return 2;
            }
        }

        Console.Error.WriteLine($"bench backtest: cores={Environment.ProcessorCount} gc={(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} " +
                                $"tiered={Environment.GetEnvironmentVariable("DOTNET_TieredCompilation") ?? "default"}; one thread; bars: synthetic 1m random walk");
        var series = new Series();
        var results = new List<string>();
        var recorded = new List<string>();
        foreach (var (kind, parameters, defaultBars, atLeastMinSeconds) in Strategies)
        {
            var n = bars ?? defaultBars;
            Candle[] candles;
            Measured warm;
            while (true)
            {
                candles = series.Get(n);
                warm = Time(Request(kind, parameters, candles, record: false));
                Console.Error.WriteLine($"bench backtest: {kind} warm-up over {n:N0} bars: {warm.Seconds:F3} s, {warm.Trades:N0} trades");
                if (!atLeastMinSeconds || warm.Seconds >= minSeconds || n >= MaxBars) break;
                n = (int)Math.Min(MaxBars, 2L * n);
            }
            if (warm.Trades < 100) throw new InvalidOperationException($"{kind} traded only {warm.Trades} times over {n:N0} bars: the benchmark's parameters no longer keep it trading");

            var measured = Time(Request(kind, parameters, candles, record: false));
            var line = string.Create(CultureInfo.InvariantCulture,
                $"backtest strategy={kind} bars={n} bars_per_s={Math.Round(n / measured.Seconds):0} alloc_bytes_per_bar={(double)measured.Allocated / n:0.###}");
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"bench backtest: {kind} measured: {measured.Seconds:F3} s, {measured.Allocated:N0} B allocated, {measured.Trades:N0} trades, final equity {measured.FinalEquity:F2}"));
            results.Add(line);

            if (recordingPass)
            {
                var withRecording = Request(kind, parameters, candles, record: true);
                Time(withRecording); // its own warm-up: the recording paths
                var on = Time(withRecording);
                recorded.Add(string.Create(CultureInfo.InvariantCulture,
                    $"backtest strategy={kind} recording=on bars={n} bars_per_s={Math.Round(n / on.Seconds):0} alloc_bytes_per_bar={(double)on.Allocated / n:0.###}"));
            }
        }

        // Recording on: for the doc, on stderr (stdout's last lines are the measured runs only).
        foreach (var line in recorded) Console.Error.WriteLine("bench " + line);
        foreach (var line in results) stdout.WriteLine(line);
        stdout.Flush();
        return 0;
    }

    private static BacktestRequest Request(string kind, string parameters, Candle[] bars, bool record) => new()
    {
        Strategy = kind,
        Parameters = parameters,
        Symbols = [new BacktestSymbol("BENCHUSDT", bars)],
        Settings = new BacktestSettings
        {
            InitialCash = 10_000,
            // No fees or slippage: with them RSI and EMA crossings on a one-minute walk lose the account in the first
            // million bars and then trade dust. A fee is one multiplication per fill either way.
            TakerFeeRate = 0,
            MakerFeeRate = 0,
            SlippageBps = 0,
            EquityCurve = record ? EquityCurveRecording.Full : EquityCurveRecording.None,
            RecordTrades = record,
        },
    };

    private readonly record struct Measured(double Seconds, long Allocated, long Trades, double FinalEquity);

    private static Measured Time(BacktestRequest request)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        var report = Backtester.Run(request);
        watch.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        return new Measured(watch.Elapsed.TotalSeconds, allocated, report.Metrics.Trades, report.Metrics.FinalEquity);
    }

    /// <summary>
    /// One-minute bars from 1990-01-01 of a walk pulled back toward 100: four sub-steps per bar,
    /// <c>price *= 1 + pull*(100 - price)/price/4 + vol/2*z</c> (vol 0.1 % a bar, pull 0.1 % a bar, z the sum of four
    /// uniforms, centred and scaled to unit variance), open = the previous close, high/low = the sub-steps' extremes. SplitMix64 from a
    /// fixed seed: a longer series starts with the shorter one, and every run replays the same bars.
    /// </summary>
    private sealed class Series
    {
        private Candle[] _bars = [];

        public Candle[] Get(int count)
        {
            if (_bars.Length == count) return _bars;
            _bars = []; // let the old one go before the new one is built
            var bars = new Candle[count];
            var state = 0x5EEDBA5E_0000_0001UL;
            const double Anchor = 100, Vol = 0.001, Pull = 0.001;
            // The sum of 4 uniforms - 2 has variance 1/3: times sqrt(3) for unit variance, over sqrt(4) sub-steps a bar.
            var scale = Math.Sqrt(3) / 2;
            var price = Anchor;
            var start = new DateTimeOffset(1990, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;
            for (var i = 0; i < count; i++)
            {
                double open = price, high = price, low = price;
                for (var s = 0; s < 4; s++)
                {
                    var z = (Uniform(ref state) + Uniform(ref state) + Uniform(ref state) + Uniform(ref state) - 2) * scale;
                    price *= 1 + Pull * (Anchor - price) / price / 4 + Vol * z;
                    if (price > high) high = price;
                    if (price < low) low = price;
                }
                bars[i] = new Candle(new DateTimeOffset(start + i * TimeSpan.TicksPerMinute, TimeSpan.Zero), open, high, low, price, 1 + 100 * Math.Abs(price - open) / open);
            }
            return _bars = bars;
        }

        private static double Uniform(ref ulong state)
        {
            state += 0x9E3779B97F4A7C15UL;
            var z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (z >> 11) * (1.0 / (1UL << 53));
        }
    }
}
