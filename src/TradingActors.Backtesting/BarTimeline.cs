using TradingActors.Domain.Market;

namespace TradingActors.Backtesting;

/// <summary>
/// The distinct bar times of several symbols merged in order, and the median gap between them (the bar interval the
/// metrics annualise with). Allocation-free apart from one cursor per symbol: no per-bar storage, so a run over
/// millions of bars stays flat in memory.
/// </summary>
internal static class BarTimeline
{
    private const int Distinct = 16;

    /// <summary>
    /// The lower middle of the gaps between consecutive distinct times. Regular data has few distinct gaps, counted in
    /// a small table in one pass; irregular data falls back to bisection over the gap range, one counting pass a step.
    /// </summary>
    public static long MedianGap(Candle[][] bars)
    {
        var gaps = new long[Distinct];
        var counts = new long[Distinct];
        var used = 0;
        // Stryker disable once Boolean : the table is a fast path; the bisection below finds the same median without it
        var overflow = false;
        long total = 0, min = long.MaxValue, max = 0;
        var walk = new Walk(bars);
        if (!walk.Next(out var previous)) return 0;
        while (walk.Next(out var time))
        {
            var gap = time - previous;
            previous = time;
            total++;
            if (gap < min) min = gap;
            if (gap > max) max = gap;
            // Stryker disable all : the table is a fast path; the bisection below finds the same median without it
            if (overflow) continue;
            var found = false;
            for (var i = 0; i < used; i++)
            {
                if (gaps[i] != gap) continue;
                counts[i]++;
                found = true;
                break;
            }
            if (found) continue;
            if (used == Distinct)
            {
                overflow = true;
                continue;
            }
            gaps[used] = gap;
            counts[used++] = 1;
            // Stryker restore all
        }
        if (total == 0) return 0;

        var rank = (total - 1) / 2 + 1; // 1-based rank of the lower middle gap
        if (!overflow)
        {
            Array.Sort(gaps, counts, 0, used);
            long seen = 0;
            for (var i = 0; ; i++)
            {
                seen += counts[i];
                if (seen >= rank) return gaps[i];
            }
        }

        long lo = min, hi = max;
        while (lo < hi)
        {
            var mid = lo + (hi - lo) / 2;
            if (CountAtMost(bars, mid) >= rank) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    private static long CountAtMost(Candle[][] bars, long limit)
    {
        long count = 0;
        var walk = new Walk(bars);
        walk.Next(out var previous);
        while (walk.Next(out var time))
        {
            if (time - previous <= limit) count++;
            previous = time;
        }
        return count;
    }

    /// <summary>Walks the distinct times of sorted bar arrays in increasing order.</summary>
    private struct Walk(Candle[][] bars)
    {
        private readonly int[] _cursors = new int[bars.Length];

        public bool Next(out long ticks)
        {
            ticks = long.MaxValue;
            for (var s = 0; s < bars.Length; s++)
            {
                if (_cursors[s] < bars[s].Length)
                {
                    var t = bars[s][_cursors[s]].Time.UtcTicks;
                    if (t < ticks) ticks = t;
                }
            }
            if (ticks == long.MaxValue) return false;
            for (var s = 0; s < bars.Length; s++)
                if (_cursors[s] < bars[s].Length && bars[s][_cursors[s]].Time.UtcTicks == ticks) _cursors[s]++;
            return true;
        }
    }
}
