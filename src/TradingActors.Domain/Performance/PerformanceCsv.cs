using System.Globalization;
using TradingActors.Domain.Orders;

namespace TradingActors.Domain.Performance;

/// <summary>
/// A performance report's equity curve and trade list as CSV (RFC 4180, comma, "\n", header first): times in UTC ISO
/// 8601, numbers invariant with at most 8 decimals, an unknown price empty. A spreadsheet opens them as they are.
/// </summary>
public static class PerformanceCsv
{
    public const string CurveHeader = "time,price,position,realised,unrealised,equity,drawdown_pct";
    public const string TradesHeader = "time,client_order_id,side,quantity,price,fee,realised,position_after,realised_after";

    public static void WriteCurve(PerformanceReport report, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(CurveHeader);
        writer.Write('\n');
        foreach (var p in report.Curve)
        {
            writer.Write(string.Join(',', Time(p.At), p.Price is { } price ? Number(price) : "", Number(p.Position), Number(p.Realised), Number(p.Unrealised),
                Number(p.Equity), Number(p.DrawdownPercent)));
            writer.Write('\n');
        }
    }

    public static void WriteTrades(PerformanceReport report, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(TradesHeader);
        writer.Write('\n');
        foreach (var t in report.Trades)
        {
            writer.Write(string.Join(',', Time(t.At), Text(t.ClientOrderId), t.Side == OrderSide.Buy ? "buy" : "sell", Number(t.Quantity), Number(t.Price),
                Number(t.Fee), Number(t.Realised), Number(t.PositionAfter), Number(t.RealisedAfter)));
            writer.Write('\n');
        }
    }

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    public static string Number(decimal value) => Math.Round(value, 8).ToString("0.########", CultureInfo.InvariantCulture);

    /// <summary>Client order ids are ours (no comma), but a field is quoted whenever it would break the row.</summary>
    private static string Text(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
