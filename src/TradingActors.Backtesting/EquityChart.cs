using System.Globalization;
using static TradingActors.Backtesting.Formatting;

namespace TradingActors.Backtesting;

/// <summary>
/// The equity curve as a hand-written SVG: the equity line in the upper panel, the drawdown as a filled area in the
/// lower one, each with a few labelled ticks, and dates along the bottom. Byte-stable like the rest of the report.
/// A curve of more than <see cref="MaxPoints"/> points is downsampled by a fixed rule (<see cref="Downsample"/>).
/// </summary>
public static class EquityChart
{
    public const int MaxPoints = 2000;
    public const int Buckets = 666;
    public const int Width = 960;
    public const int Height = 540;

    private const double Left = 90, Right = 20, Top = 40, EquityBottom = 370, DrawdownTop = 395, DrawdownBottom = 490;
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>
    /// The indexes drawn: all of them up to <see cref="MaxPoints"/>; beyond, the curve is cut into <see cref="Buckets"/>
    /// runs of consecutive points (run b holds points [b·n/666, (b+1)·n/666)) and each run keeps its lowest equity, its
    /// highest equity and its deepest drawdown (the first of equals), in time order; the first and last points are
    /// always kept. At most 2 + 3 × 666 = 2,000 points.
    /// </summary>
    public static int[] Downsample(ReadOnlySpan<EquityPoint> points)
    {
        var n = points.Length;
        if (n <= MaxPoints)
        {
            var all = new int[n];
            for (var i = 0; i < n; i++) all[i] = i;
            return all;
        }
        var kept = new List<int>(MaxPoints) { 0 };
        for (var b = 0; b < Buckets; b++)
        {
            var from = (int)((long)b * n / Buckets);
            var to = (int)((long)(b + 1) * n / Buckets);
            int low = from, high = from, deep = from;
            for (var i = from + 1; i < to; i++)
            {
                if (points[i].Equity < points[low].Equity) low = i;
                if (points[i].Equity > points[high].Equity) high = i;
                if (points[i].DrawdownPct > points[deep].DrawdownPct) deep = i;
            }
            Span<int> picks = [low, high, deep];
            picks.Sort();
            foreach (var pick in picks)
                if (pick != kept[^1]) kept.Add(pick);
        }
        if (kept[^1] != n - 1) kept.Add(n - 1);
        return kept.ToArray();
    }

    public static void Write(BacktestReport report, TextWriter writer, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(writer);
        var curve = report.EquityCurve ?? throw new InvalidOperationException("the equity curve was not recorded (settings.EquityCurve = None)");
        var points = curve.AsSpan();
        title ??= $"{report.Strategy} {report.ParametersJson} on {string.Join(", ", report.Symbols.Select(s => s.Symbol))}";

        writer.Write($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"11\">\n");
        writer.Write($"<rect x=\"0\" y=\"0\" width=\"{Width}\" height=\"{Height}\" fill=\"#ffffff\"/>\n");
        writer.Write($"<text x=\"{Left}\" y=\"22\" font-size=\"14\">{Xml(title)}</text>\n");
        var kept = Downsample(points);
        long t0 = points[0].Time.UtcTicks, t1 = points[^1].Time.UtcTicks;
        double minEquity = double.MaxValue, maxEquity = double.MinValue, maxDrawdown = 0;
        foreach (var i in kept)
        {
            minEquity = Math.Min(minEquity, points[i].Equity);
            maxEquity = Math.Max(maxEquity, points[i].Equity);
            maxDrawdown = Math.Max(maxDrawdown, points[i].DrawdownPct);
        }
        var (equityLow, equityHigh, equityStep) = NiceRange(minEquity, maxEquity);
        var (_, drawdownHigh, drawdownStep) = NiceRange(0, Math.Max(maxDrawdown, 1));
        var plotRight = Width - Right;

        double X(long ticks) => t1 == t0 ? (Left + plotRight) / 2 : Left + (plotRight - Left) * (ticks - t0) / (double)(t1 - t0);
        double EquityY(double equity) => EquityBottom - (EquityBottom - Top) * (equity - equityLow) / (equityHigh - equityLow);
        double DrawdownY(double drawdown) => DrawdownTop + (DrawdownBottom - DrawdownTop) * drawdown / drawdownHigh;

        // Frames and grid.
        writer.Write($"<rect x=\"{C(Left)}\" y=\"{C(Top)}\" width=\"{C(plotRight - Left)}\" height=\"{C(EquityBottom - Top)}\" fill=\"none\" stroke=\"#999999\"/>\n");
        writer.Write($"<rect x=\"{C(Left)}\" y=\"{C(DrawdownTop)}\" width=\"{C(plotRight - Left)}\" height=\"{C(DrawdownBottom - DrawdownTop)}\" fill=\"none\" stroke=\"#999999\"/>\n");
        writer.Write("<g stroke=\"#e5e5e5\">\n");
        var equityTicks = (int)Math.Round((equityHigh - equityLow) / equityStep);
        var drawdownTicks = (int)Math.Round(drawdownHigh / drawdownStep);
        for (var k = 0; k <= equityTicks; k++)
            writer.Write($"<line x1=\"{C(Left)}\" y1=\"{C(EquityY(equityLow + k * equityStep))}\" x2=\"{C(plotRight)}\" y2=\"{C(EquityY(equityLow + k * equityStep))}\"/>\n");
        writer.Write("</g>\n");

        // Equity ticks and drawdown ticks.
        writer.Write("<g text-anchor=\"end\" fill=\"#333333\">\n");
        for (var k = 0; k <= equityTicks; k++)
        {
            var v = equityLow + k * equityStep;
            writer.Write($"<text x=\"{C(Left - 6)}\" y=\"{C(EquityY(v) + 4)}\">{Label(v, equityStep)}</text>\n");
        }
        for (var k = 0; k <= drawdownTicks; k++)
        {
            var v = k * drawdownStep;
            writer.Write($"<text x=\"{C(Left - 6)}\" y=\"{C(DrawdownY(v) + 4)}\">{(k == 0 ? "" : "-")}{Label(v, drawdownStep)}%</text>\n");
        }
        writer.Write("</g>\n");

        // Time ticks: five, evenly spaced; dates only when the run spans three days or more.
        var withTime = t1 - t0 < 3 * TimeSpan.TicksPerDay;
        writer.Write("<g text-anchor=\"middle\" fill=\"#333333\">\n");
        for (var k = 0; k <= 4; k++)
        {
            var ticks = t0 + (t1 - t0) / 4 * k;
            var label = new DateTime(ticks, DateTimeKind.Utc).ToString(withTime ? "yyyy-MM-dd HH:mm" : "yyyy-MM-dd", Invariant);
            writer.Write($"<text x=\"{C(X(ticks))}\" y=\"{C(DrawdownBottom + 18)}\">{label}</text>\n");
        }
        writer.Write("</g>\n");
        writer.Write($"<text x=\"{C(Left + 4)}\" y=\"{C(Top + 14)}\" fill=\"#1f5fbf\">equity</text>\n");
        writer.Write($"<text x=\"{C(Left + 4)}\" y=\"{C(DrawdownBottom - 6)}\" fill=\"#bf3f3f\">drawdown</text>\n");

        // Drawdown area: along the top of its panel, down to each point's drawdown, back along the top.
        writer.Write("<polygon fill=\"#bf3f3f\" fill-opacity=\"0.35\" stroke=\"#bf3f3f\" stroke-width=\"0.5\" points=\"");
        writer.Write($"{C(X(points[kept[0]].Time.UtcTicks))},{C(DrawdownTop)}");
        foreach (var i in kept) writer.Write($" {C(X(points[i].Time.UtcTicks))},{C(DrawdownY(points[i].DrawdownPct))}");
        writer.Write($" {C(X(points[kept[^1]].Time.UtcTicks))},{C(DrawdownTop)}\"/>\n");

        // Equity line.
        writer.Write("<polyline fill=\"none\" stroke=\"#1f5fbf\" stroke-width=\"1.2\" points=\"");
        var first = true;
        foreach (var i in kept)
        {
            if (!first) writer.Write(' ');
            first = false;
            writer.Write($"{C(X(points[i].Time.UtcTicks))},{C(EquityY(points[i].Equity))}");
        }
        writer.Write("\"/>\n");
        writer.Write("</svg>\n");
    }

    /// <summary>Low and high rounded out to a step of 1, 2 or 5 × 10^k giving about five ticks.</summary>
    internal static (double Low, double High, double Step) NiceRange(double min, double max)
    {
        if (max <= min)
        {
            var pad = Math.Abs(min) > 0 ? Math.Abs(min) * 0.01 : 1;
            min -= pad;
            max += pad;
        }
        var raw = (max - min) / 5;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var fraction = raw / magnitude;
        var step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude;
        return (Math.Floor(min / step) * step, Math.Ceiling(max / step) * step, step);
    }

    internal static string Label(double value, double step)
    {
        var decimals = step >= 1 ? 0 : Math.Min(8, (int)Math.Ceiling(-Math.Log10(step)));
        var text = value.ToString("F" + decimals.ToString(Invariant), Invariant);
        return text.TrimStart('-').All(c => c is '0' or '.') ? text.TrimStart('-') : text;
    }

    internal static string C(double value)
    {
        var text = value.ToString("F1", Invariant);
        return text == "-0.0" ? "0.0" : text;
    }
}
