using System.Globalization;
using TradingActors.Domain.Market;

namespace TradingActors.Backtesting;

/// <summary>
/// Reads bars into <see cref="Candle"/>s from CSV with the header <c>time,open,high,low,close,volume</c>: the format of
/// data/bars and of MarketData's CsvBars, with the same strictness (ISO-8601 UTC times, invariant numbers, times
/// strictly increasing, prices positive, high and low around open and close, volume not negative, blank lines
/// skipped), but parsed from a reused character buffer: no string per line, no decimal. Any bad row fails the whole
/// read with a <see cref="FormatException"/> naming the line, since replaying half a file would skew a backtest.
/// </summary>
public static class CandleCsv
{
    public const string Header = "time,open,high,low,close,volume";

    private static readonly string[] TimeFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mmK",
    ];

    public static Candle[] Read(Stream stream)
    {
        using var reader = new StreamReader(stream, leaveOpen: true);
        return Read(reader);
    }

    public static Candle[] Parse(string text) => Read(new StringReader(text));

    public static Candle[] Read(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var bars = new List<Candle>();
        var buffer = new char[1 << 16];
        int start = 0, end = 0, lineNumber = 0;
        var headerSeen = false;
        var eof = false;
        var previous = long.MinValue;
        while (true)
        {
            var newline = buffer.AsSpan(start, end - start).IndexOf('\n');
            if (newline < 0 && !eof)
            {
                // Keep the partial line, make room, read more.
                if (start > 0)
                {
                    Array.Copy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                }
                if (end == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                var read = reader.Read(buffer, end, buffer.Length - end);
                if (read == 0) eof = true;
                end += read;
                continue;
            }
            if (newline < 0 && start == end) break;
            var length = newline < 0 ? end - start : newline;
            var line = buffer.AsSpan(start, length);
            start += newline < 0 ? length : length + 1;
            lineNumber++;
            if (line.EndsWith('\r')) line = line[..^1];
            if (line.IsWhiteSpace()) continue;
            if (!headerSeen)
            {
                if (!IsHeader(line)) throw Error(lineNumber, $"expected header '{Header}' but found '{line.ToString()}'");
                headerSeen = true;
                continue;
            }
            var bar = ParseRow(line, lineNumber);
            var ticks = bar.Time.UtcTicks;
            if (ticks <= previous)
                throw Error(lineNumber, $"time {bar.Time:O} is not after the previous bar's {new DateTimeOffset(previous, TimeSpan.Zero):O}");
            previous = ticks;
            bars.Add(bar);
        }
        if (!headerSeen) throw new FormatException($"missing header '{Header}' (no non-blank lines)");
        return bars.ToArray();
    }

    private static bool IsHeader(ReadOnlySpan<char> line)
    {
        line = line.TrimStart('\uFEFF');
        Span<char> compact = stackalloc char[Header.Length];
        var n = 0;
        foreach (var c in line)
        {
            if (c == ' ') continue;
            if (n == compact.Length) return false;
            compact[n++] = c;
        }
        return n == Header.Length && compact.Equals(Header, StringComparison.OrdinalIgnoreCase);
    }

    private static Candle ParseRow(ReadOnlySpan<char> line, int lineNumber)
    {
        Span<Range> fields = stackalloc Range[7];
        var count = line.Split(fields, ',');
        if (count != 6) throw Error(lineNumber, $"expected 6 fields but found {line.Count(',') + 1}");

        var timeText = line[fields[0]].Trim();
        if (!TryParseTime(timeText, out var time))
            throw Error(lineNumber, $"time '{timeText.ToString()}' is not an ISO-8601 timestamp");
        var open = Number(line[fields[1]], "open", lineNumber);
        var high = Number(line[fields[2]], "high", lineNumber);
        var low = Number(line[fields[3]], "low", lineNumber);
        var close = Number(line[fields[4]], "close", lineNumber);
        var volume = Number(line[fields[5]], "volume", lineNumber);

        if (open <= 0 || high <= 0 || low <= 0 || close <= 0)
            throw Error(lineNumber, $"prices must be > 0 (open {N(open)}, high {N(high)}, low {N(low)}, close {N(close)})");
        if (high < Math.Max(open, close))
            throw Error(lineNumber, $"high {N(high)} is below max(open, close) {N(Math.Max(open, close))}");
        if (low > Math.Min(open, close))
            throw Error(lineNumber, $"low {N(low)} is above min(open, close) {N(Math.Min(open, close))}");
        if (volume < 0)
            throw Error(lineNumber, $"volume {N(volume)} is negative");
        return new Candle(time, open, high, low, close, volume);
    }

    /// <summary>The common shape yyyy-MM-ddTHH:mm:ssZ by hand; anything else through the strict formats.</summary>
    private static bool TryParseTime(ReadOnlySpan<char> text, out DateTimeOffset time)
    {
        if (text.Length == 20 && text[4] == '-' && text[7] == '-' && text[10] == 'T' && text[13] == ':' && text[16] == ':' && text[19] == 'Z'
            && Digits(text, 0, 4, out var year) && Digits(text, 5, 2, out var month) && Digits(text, 8, 2, out var day)
            && Digits(text, 11, 2, out var hour) && Digits(text, 14, 2, out var minute) && Digits(text, 17, 2, out var second)
            && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(Math.Max(year, 1), month)
            && hour < 24 && minute < 60 && second < 60 && year >= 1)
        {
            time = new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero);
            return true;
        }
        if (DateTimeOffset.TryParseExact(text, TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            time = parsed.ToUniversalTime();
            return true;
        }
        time = default;
        return false;
    }

    private static bool Digits(ReadOnlySpan<char> text, int start, int length, out int value)
    {
        value = 0;
        for (var i = start; i < start + length; i++)
        {
            var d = text[i] - '0';
            if ((uint)d > 9) return false;
            value = value * 10 + d;
        }
        return true;
    }

    private static double Number(ReadOnlySpan<char> text, string column, int lineNumber)
    {
        var trimmed = text.Trim();
        return double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw Error(lineNumber, $"{column} '{trimmed.ToString()}' is not a number");
    }

    private static string N(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static FormatException Error(int lineNumber, string problem) => new($"line {lineNumber}: {problem}");
}
