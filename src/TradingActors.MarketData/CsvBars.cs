using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using TradingActors.Domain.Market;

namespace TradingActors.MarketData;

/// <summary>One OHLCV bar. <see cref="Time"/> is the bar's open time, always with a zero (UTC) offset.</summary>
public sealed record Bar(string Symbol, DateTimeOffset Time, decimal Open, decimal High, decimal Low, decimal Close, decimal Volume);

/// <summary>
/// Reads bars from CSV with the header <c>time,open,high,low,close,volume</c> (ISO-8601 UTC times,
/// invariant-culture numbers). Blank lines are skipped. Any bad row fails the whole read with a
/// <see cref="FormatException"/> naming the line: replaying half a file silently would skew a backtest.
/// </summary>
public static class CsvBars
{
    public const string Header = "time,open,high,low,close,volume";

    // Strict ISO-8601 shapes only; DateTimeOffset.Parse would also accept culture-specific dates.
    // "FFFFFFF" makes the fraction (and its dot) optional; "K" accepts Z, +hh:mm or nothing (then UTC).
    private static readonly string[] TimeFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mmK",
    ];

    public static IReadOnlyList<Bar> Read(TextReader reader, string symbol)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (string.IsNullOrWhiteSpace(symbol))
            throw new ArgumentException("symbol must not be empty", nameof(symbol));

        var bars = new List<Bar>();
        var lineNumber = 0;
        var headerSeen = false;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;

            if (!headerSeen)
            {
                if (!string.Equals(line.Trim('\uFEFF').Replace(" ", ""), Header, StringComparison.OrdinalIgnoreCase))
                    throw Error(lineNumber, $"expected header '{Header}' but found '{line}'");
                headerSeen = true;
                continue;
            }

            var bar = ParseRow(line, lineNumber, symbol);
            if (bars.Count > 0 && bar.Time <= bars[^1].Time)
                throw Error(lineNumber, $"time {bar.Time:O} is not after the previous bar's {bars[^1].Time:O}");
            bars.Add(bar);
        }

        if (!headerSeen)
            throw new FormatException($"missing header '{Header}' (no non-blank lines)");
        return bars;
    }

    public static IReadOnlyList<Bar> ReadFile(string path, string symbol)
    {
        using var reader = new StreamReader(path);
        try
        {
            return Read(reader, symbol);
        }
        catch (FormatException e)
        {
            // Add the file name so a bad file among several is easy to find.
            throw new FormatException($"{path}: {e.Message}", e);
        }
    }

    private static Bar ParseRow(string line, int lineNumber, string symbol)
    {
        var fields = line.Split(',');
        if (fields.Length != 6)
            throw Error(lineNumber, $"expected 6 fields but found {fields.Length}");

        var timeText = fields[0].Trim();
        if (!DateTimeOffset.TryParseExact(timeText, TimeFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal, out var time))
            throw Error(lineNumber, $"time '{timeText}' is not an ISO-8601 timestamp");

        var open = Number(fields[1], "open", lineNumber);
        var high = Number(fields[2], "high", lineNumber);
        var low = Number(fields[3], "low", lineNumber);
        var close = Number(fields[4], "close", lineNumber);
        var volume = Number(fields[5], "volume", lineNumber);

        if (open <= 0 || high <= 0 || low <= 0 || close <= 0)
            throw Error(lineNumber, $"prices must be > 0 (open {open}, high {high}, low {low}, close {close})");
        if (high < Math.Max(open, close))
            throw Error(lineNumber, $"high {high} is below max(open, close) {Math.Max(open, close)}");
        if (low > Math.Min(open, close))
            throw Error(lineNumber, $"low {low} is above min(open, close) {Math.Min(open, close)}");
        if (volume < 0)
            throw Error(lineNumber, $"volume {volume} is negative");

        return new Bar(symbol, time.ToUniversalTime(), open, high, low, close, volume);
    }

    private static decimal Number(string text, string column, int lineNumber)
    {
        var trimmed = text.Trim();
        return decimal.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Error(lineNumber, $"{column} '{trimmed}' is not a number");
    }

    private static FormatException Error(int lineNumber, string problem) => new($"line {lineNumber}: {problem}");
}

/// <summary>
/// Replays bars in order as <see cref="PriceUpdate"/>s of their close. With <see cref="Loop"/> it starts
/// over after the last bar, shifting times forward by one full pass so they keep increasing
/// (consumers such as indicators and persistence assume time never goes backwards).
/// </summary>
public sealed class ReplayFeed
{
    private readonly IReadOnlyList<Bar> _bars;
    private readonly TimeSpan _lapShift;
    private int _index;
    private long _lap;

    public ReplayFeed(IReadOnlyList<Bar> bars, bool loop = false)
    {
        ArgumentNullException.ThrowIfNull(bars);
        for (var i = 1; i < bars.Count; i++)
            if (bars[i].Time <= bars[i - 1].Time)
                throw new ArgumentException($"bar times must be strictly increasing (index {i})", nameof(bars));
        if (loop && bars.Count < 2)
            throw new ArgumentException("looping needs at least two bars to know the spacing between passes", nameof(bars));

        _bars = bars;
        Loop = loop;
        // The next pass starts one bar interval (the first gap) after the last bar of this pass.
        _lapShift = bars.Count >= 2 ? bars[^1].Time - bars[0].Time + (bars[1].Time - bars[0].Time) : TimeSpan.Zero;
    }

    public bool Loop { get; }

    public int BarCount => _bars.Count;

    /// <summary>Returns the next bar's close; false once the bars are exhausted (never when looping).</summary>
    public bool TryNext([MaybeNullWhen(false)] out PriceUpdate update)
    {
        if (_index == _bars.Count)
        {
            if (!Loop || _bars.Count == 0)
            {
                update = null;
                return false;
            }
            _index = 0;
            _lap++;
        }

        var bar = _bars[_index++];
        update = new PriceUpdate(bar.Symbol, bar.Close, bar.Time + _lapShift * _lap);
        return true;
    }
}
