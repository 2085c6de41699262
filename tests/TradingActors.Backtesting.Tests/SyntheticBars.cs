using System.Globalization;
using System.Text;
using TradingActors.Domain.Market;

namespace TradingActors.Backtesting.Tests;

/// <summary>
/// The generator of the synthetic datasets in data/bars (and of the big random walks the allocation and timing tests
/// replay). Deterministic on every platform: a SplitMix64 generator with a fixed seed, normal-ish noise as the sum of
/// twelve uniforms minus six, and only +, -, *, / and sqrt (correctly rounded everywhere), no exp/log/sin.
/// Each bar is twelve sub-steps of a multiplicative walk: price *= 1 + (drift + pull*(anchor - price)/price)/12 +
/// volatility/sqrt(12)*z; open = previous close, high/low = the extremes of the sub-steps.
/// DatasetTests checks the committed files are exactly what this writes (BACKTEST_WRITE_DATASETS=1 rewrites them).
/// </summary>
internal static class SyntheticBars
{
    /// <summary>A stretch of bars: drift and volatility per bar, and a pull back toward the price the stretch starts at (0: none).</summary>
    public sealed record Segment(int Bars, double Drift, double Volatility, double Pull = 0);

    public sealed record Spec(string File, DateTimeOffset Start, TimeSpan Interval, double StartPrice, int Decimals, double BaseVolume, ulong Seed, Segment[] Segments);

    public static readonly Spec Eth = new(
        "ETHUSDT-1h.csv", new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromHours(1), 3400, 2, 1200, 20240301,
        [
            new(480, 0.0005, 0.007),        // 20 days of uptrend
            new(400, 0, 0.006, 0.02),       // a range
            new(72, -0.004, 0.012),         // three-day crash, about -25 %
            new(360, 0.0011, 0.008),        // recovery
            new(688, -0.0002, 0.006),       // slow bleed
        ]);

    public static readonly Spec BtcPerp = new(
        "BTCUSDT-PERP-1h.csv", new DateTimeOffset(2024, 5, 1, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromHours(1), 62000, 2, 350, 20240501,
        [
            new(500, 0.0003, 0.005),
            new(300, 0, 0.004, 0.02),
            new(400, 0.0004, 0.005),
            new(300, -0.0004, 0.006),
        ]);

    public static readonly Spec Sol = new(
        "SOLUSDT-15m.csv", new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(15), 140, 3, 9000, 20240601,
        [
            new(2880, 0, 0.004, 0.01),      // 30 days ranging around 140
        ]);

    public static readonly Spec[] Datasets = [Eth, BtcPerp, Sol];

    private const int SubSteps = 12;

    public static string Csv(Spec spec)
    {
        var text = new StringBuilder(CandleCsv.Header).Append('\n');
        var format = "F" + spec.Decimals.ToString(CultureInfo.InvariantCulture);
        var random = new SplitMix64(spec.Seed);
        var price = spec.StartPrice;
        var time = spec.Start;
        var stepNoise = 1 / Math.Sqrt(SubSteps);
        foreach (var segment in spec.Segments)
        {
            var anchor = price;
            for (var b = 0; b < segment.Bars; b++)
            {
                double open = price, high = price, low = price;
                for (var s = 0; s < SubSteps; s++)
                {
                    var drift = segment.Drift + segment.Pull * (anchor - price) / price;
                    price *= 1 + drift / SubSteps + segment.Volatility * stepNoise * random.Normal();
                    if (price > high) high = price;
                    if (price < low) low = price;
                }
                var move = price > open ? price / open - 1 : open / price - 1;
                var volume = spec.BaseVolume * (0.4 + 1.2 * random.Uniform()) * (1 + 30 * move);
                text.Append(time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append(',')
                    .Append(open.ToString(format, CultureInfo.InvariantCulture)).Append(',')
                    .Append(high.ToString(format, CultureInfo.InvariantCulture)).Append(',')
                    .Append(low.ToString(format, CultureInfo.InvariantCulture)).Append(',')
                    .Append(price.ToString(format, CultureInfo.InvariantCulture)).Append(',')
                    .Append(volume.ToString("F5", CultureInfo.InvariantCulture)).Append('\n');
                time += spec.Interval;
            }
        }
        return text.ToString();
    }

    /// <summary>
    /// A fast random walk of one-minute bars around 100 (four sub-steps of ±0.2 % each): it swings enough for RSI(14)
    /// to cross 30 and 70 all along, so a run over it trades throughout.
    /// </summary>
    public static Candle[] RandomWalk(int count, ulong seed = 42)
    {
        var bars = new Candle[count];
        var random = new SplitMix64(seed);
        var price = 100.0;
        var time = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < count; i++)
        {
            double open = price, high = price, low = price;
            for (var s = 0; s < 4; s++)
            {
                // A gentle pull back toward 100 keeps millions of bars in a sane range.
                price *= 1 + 0.002 * (2 * random.Uniform() - 1) + 0.0005 * (100 - price) / price;
                if (price > high) high = price;
                if (price < low) low = price;
            }
            bars[i] = new Candle(time.AddMinutes(i), open, high, low, price, 1);
        }
        return bars;
    }

    private struct SplitMix64(ulong seed)
    {
        private ulong _state = seed;

        public ulong Next()
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        /// <summary>In [0, 1), 53 random bits.</summary>
        public double Uniform() => (Next() >> 11) * (1.0 / (1UL << 53));

        /// <summary>Irwin-Hall: the sum of twelve uniforms minus six, mean 0 and variance 1.</summary>
        public double Normal()
        {
            var sum = 0.0;
            for (var i = 0; i < 12; i++) sum += Uniform();
            return sum - 6;
        }
    }
}
