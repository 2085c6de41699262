using System.Globalization;
using System.Text;

namespace TradingActors.Backtesting;

/// <summary>
/// Fixed, culture-free text for numbers and times, so the same figures always give the same bytes: money (quote
/// amounts) with 8 decimals, prices and quantities with up to 12 (trailing zeros dropped), percentages and ratios with
/// 6; never "-0"; a non-finite or missing number is empty in CSV and null in JSON.
/// </summary>
internal static class Formatting
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Money(double value) => Fixed(value, "F8");

    public static string Price(double value) => Fixed(value, "0.############");

    public static string Ratio(double value) => Fixed(value, "F6");

    public static string Ratio(double? value) => value is { } v ? Ratio(v) : "";

    public static string Integer(long value) => value.ToString(Invariant);

    public static string Seconds(TimeSpan value) => Fixed(value.Ticks / (double)TimeSpan.TicksPerSecond, "0.###");

    /// <summary>ISO-8601 UTC, seconds always, fraction only when there is one: 2024-01-01T08:00:00Z.</summary>
    public static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", Invariant);

    private static string Fixed(double value, string format)
    {
        if (!double.IsFinite(value)) return "";
        var text = value.ToString(format, Invariant);
        // "-0.00000000": a tiny negative (or -0) rounds to zero and must read as zero.
        return text.Length > 1 && text[0] == '-' && text.AsSpan(1).IndexOfAnyExcept('0', '.') < 0 ? text[1..] : text;
    }

    /// <summary>A JSON number or null.</summary>
    public static string Json(string number) => number.Length == 0 ? "null" : number;

    public static string JsonString(string value)
    {
        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                default:
                    if (c < ' ' || c is '<' or '>' or '&' or '\u2028' or '\u2029') text.Append("\\u").Append(((int)c).ToString("x4", Invariant));
                    else text.Append(c);
                    break;
            }
        }
        return text.Append('"').ToString();
    }

    /// <summary>A CSV field: quoted (quotes doubled) when it holds a comma, quote or line break.</summary>
    public static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"") + "\"";

    public static string Xml(string value) =>
        value.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");
}

/// <summary>
/// A small JSON text writer with a fixed layout: two-space indentation, "name": value, '\n' line ends whatever the
/// platform, and compact one-line objects for list rows. Properties come out in the order they are written.
/// </summary>
internal sealed class JsonText(TextWriter writer)
{
    private readonly Stack<(bool Compact, bool First)> _levels = new();
    private bool _compact;
    private bool _first;

    public JsonText Begin(char bracket, string? name = null, bool compact = false)
    {
        Prefix(name);
        writer.Write(bracket);
        _levels.Push((_compact, _first));
        _compact = compact || _compact;
        _first = true;
        return this;
    }

    public JsonText End(char bracket)
    {
        var empty = _first;
        var inner = _compact;
        (_compact, _first) = _levels.Pop();
        if (!empty && !inner)
        {
            writer.Write('\n');
            Indent(_levels.Count);
        }
        writer.Write(bracket);
        if (_levels.Count == 0) writer.Write('\n');
        return this;
    }

    public JsonText Raw(string? name, string json)
    {
        Prefix(name);
        writer.Write(json);
        return this;
    }

    public JsonText String(string? name, string value) => Raw(name, Formatting.JsonString(value));

    public JsonText Number(string? name, string formatted) => Raw(name, Formatting.Json(formatted));

    public JsonText Bool(string? name, bool value) => Raw(name, value ? "true" : "false");

    private void Prefix(string? name)
    {
        if (_levels.Count > 0)
        {
            if (!_first) writer.Write(_compact ? ", " : ",");
            if (!_compact)
            {
                writer.Write('\n');
                Indent(_levels.Count);
            }
        }
        _first = false;
        if (name is not null)
        {
            writer.Write(Formatting.JsonString(name));
            writer.Write(": ");
        }
    }

    private void Indent(int depth)
    {
        for (var i = 0; i < depth; i++) writer.Write("  ");
    }
}
