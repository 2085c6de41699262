using System.Globalization;
using TradingActors.Domain.Bots;
using TradingActors.Domain.Orders;

namespace TradingActors.Domain.Performance;

/// <summary>A venue's report of one order's fill as the read models keep it: cumulative (total quantity, its average price, total fee).</summary>
public sealed record FillReport(DateTimeOffset At, string ClientOrderId, OrderSide Side, decimal Quantity, decimal Price, decimal Fee);

/// <summary>The last price of a symbol seen by a time (decision 030: one a minute, then one an hour).</summary>
public readonly record struct PriceMark(DateTimeOffset At, decimal Price);

/// <summary>
/// One part of an order that filled, booked: what this part realised (a sell: proceeds after its fee less the cost it
/// takes out; a buy: 0) and the position and total realised after it.
/// </summary>
public sealed record PerformanceTrade(DateTimeOffset At, string ClientOrderId, OrderSide Side, decimal Quantity, decimal Price, decimal Fee, decimal Realised,
    decimal PositionAfter, decimal RealisedAfter);

/// <summary>The money at one point of the curve: the price it was marked at (null before any price was known), drawdown from the running peak.</summary>
public sealed record PerformancePoint(DateTimeOffset At, decimal? Price, decimal Position, decimal Realised, decimal Unrealised, decimal Equity, decimal DrawdownPercent);

/// <summary>
/// The figures over the whole span: equity = budget + realised + unrealised; win rate over round trips (flat → position →
/// flat); max drawdown, Sharpe and Sortino from the curve's points (annualised by the interval, 365.25 days a year, no
/// risk-free rate: the backtester's definitions).
/// </summary>
public sealed record PerformanceSummary(decimal Budget, decimal Position, decimal AverageCost, decimal Realised, decimal Unrealised, decimal Equity,
    decimal ReturnPercent, decimal Fees, int Trades, int RoundTrips, int Wins, decimal? WinRate, decimal MaxDrawdownPercent, double? Sharpe, double? Sortino,
    decimal? Price);

public sealed record PerformanceReport(DateTimeOffset From, DateTimeOffset To, TimeSpan Interval, PerformanceSummary Summary,
    IReadOnlyList<PerformanceTrade> Trades, IReadOnlyList<PerformancePoint> Curve);

/// <summary>
/// What a report is computed from: the budget, the span, the curve's interval, the fills of the bot's or subscription's
/// orders (cumulative reports, any order), the symbol's price marks and the latest price (the curve's last point).
/// </summary>
public sealed record PerformanceRequest(decimal Budget, DateTimeOffset From, DateTimeOffset To, TimeSpan Interval, IReadOnlyList<FillReport> Fills,
    IReadOnlyList<PriceMark> Marks, decimal? LatestPrice);

/// <summary>
/// Performance over time of a bot or a subscription (decision 030), computed from its fills and the symbol's price marks:
/// the fills are booked as the tenant books them (each report's growth, <see cref="Fill.GrowthSince"/>, into a
/// <see cref="BotLedger"/>), and the equity is marked at the span's start, at every interval boundary (UTC-aligned) and now.
/// </summary>
public static class PerformanceReports
{
    public const int MaxPoints = 2_000;

    /// <summary>The curve's intervals, shortest first, by the names the API takes.</summary>
    public static readonly IReadOnlyList<(string Name, TimeSpan Length)> Intervals =
    [
        ("1m", TimeSpan.FromMinutes(1)), ("5m", TimeSpan.FromMinutes(5)), ("15m", TimeSpan.FromMinutes(15)),
        ("1h", TimeSpan.FromHours(1)), ("4h", TimeSpan.FromHours(4)), ("1d", TimeSpan.FromDays(1)),
    ];

    public static string NameOf(TimeSpan interval) => Intervals.First(i => i.Length == interval).Name;

    /// <summary>
    /// The interval to use: the named one, or (none named) the shortest that keeps the curve within <see cref="MaxPoints"/>.
    /// Null with the reason when the name is unknown or the curve would be too long.
    /// </summary>
    public static TimeSpan? ChooseInterval(string? name, DateTimeOffset from, DateTimeOffset to, out string? refusal)
    {
        refusal = null;
        if (string.IsNullOrEmpty(name))
            return Intervals.Select(i => i.Length).FirstOrDefault(i => Points(from, to, i) <= MaxPoints, Intervals[^1].Length);
        var named = Intervals.Where(i => i.Name == name).Select(i => (TimeSpan?)i.Length).FirstOrDefault();
        if (named is not { } interval)
        {
            refusal = $"unknown interval '{name}' (intervals: {string.Join(", ", Intervals.Select(i => i.Name))})";
            return null;
        }
        var points = Points(from, to, interval);
        if (points <= MaxPoints) return interval;
        refusal = string.Create(CultureInfo.InvariantCulture, $"interval {name} gives {points} points over this span; at most {MaxPoints}: choose a longer one");
        return null;
    }

    /// <summary>How many points the curve has: the start, each interval boundary strictly inside the span, and the end.</summary>
    public static long Points(DateTimeOffset from, DateTimeOffset to, TimeSpan interval)
    {
        if (to <= from) return 1;
        var first = FirstBoundaryAfter(from, interval);
        var inside = first >= to.UtcTicks ? 0 : (to.UtcTicks - 1 - first) / interval.Ticks + 1;
        return inside + 2;
    }

    public static PerformanceReport Build(PerformanceRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (r.Interval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(r), "the interval must be positive");
        var to = r.To < r.From ? r.From : r.To;
        var fills = r.Fills.Where(f => f.At <= to).OrderBy(f => f.At).ToList();
        var marks = r.Marks.Where(m => m.At <= to).OrderBy(m => m.At).ToList();

        var ledger = BotLedger.Start(r.Budget);
        var booked = new Dictionary<string, Fill>(StringComparer.Ordinal);
        var trades = new List<PerformanceTrade>();
        var curve = new List<PerformancePoint>();
        var stats = new EquityStatistics();
        var nextFill = 0;
        var nextMark = 0;
        decimal? price = null;

        void MarkAt(DateTimeOffset at, decimal? now)
        {
            // Fills and marks up to this point, in time order; a fill's price marks the position until a later mark does.
            while (true)
            {
                var fillAt = nextFill < fills.Count && fills[nextFill].At <= at ? fills[nextFill].At : (DateTimeOffset?)null;
                var markAt = nextMark < marks.Count && marks[nextMark].At <= at ? marks[nextMark].At : (DateTimeOffset?)null;
                if (fillAt is null && markAt is null) break;
                if (markAt is not null && (fillAt is null || markAt <= fillAt))
                {
                    price = marks[nextMark++].Price;
                    continue;
                }
                var f = fills[nextFill++];
                var report = new Fill(f.Quantity, f.Price, f.Fee, "", f.At);
                if (report.GrowthSince(booked.GetValueOrDefault(f.ClientOrderId)) is not { } part) continue;
                booked[f.ClientOrderId] = report;
                var before = ledger.Realised;
                ledger = ledger.Book(f.Side, part.Quantity, part.Price, part.Fee);
                trades.Add(new PerformanceTrade(f.At, f.ClientOrderId, f.Side, part.Quantity, part.Price, part.Fee, ledger.Realised - before, ledger.Position,
                    ledger.Realised));
                price = part.Price;
            }
            var marked = now ?? price;
            var unrealised = marked is { } p ? ledger.Unrealised(p) : 0m;
            var equity = r.Budget + ledger.Realised + unrealised;
            stats.Add(at.UtcTicks, (double)equity, ledger.Position > 0);
            curve.Add(new PerformancePoint(at, marked, ledger.Position, ledger.Realised, unrealised, equity, Percent(stats.CurrentDrawdown)));
        }

        MarkAt(r.From, null);
        for (var ticks = FirstBoundaryAfter(r.From, r.Interval); ticks < to.UtcTicks; ticks += r.Interval.Ticks)
            MarkAt(new DateTimeOffset(ticks, TimeSpan.Zero), null);
        if (to > r.From) MarkAt(to, r.LatestPrice is > 0 ? r.LatestPrice : null);

        var last = curve[^1];
        var summary = stats.Summarize((double)r.Budget, r.Interval.Ticks, r.From.UtcTicks, to.UtcTicks);
        return new PerformanceReport(r.From, to, r.Interval, new PerformanceSummary(
            r.Budget, ledger.Position, ledger.AverageCost, ledger.Realised, last.Unrealised, last.Equity,
            r.Budget > 0 ? (last.Equity - r.Budget) / r.Budget * 100m : 0m, ledger.Fees, trades.Count, ledger.RoundTrips, ledger.Wins,
            ledger.RoundTrips > 0 ? (decimal)ledger.Wins / ledger.RoundTrips : null, Percent(summary.MaxDrawdownPct / 100), summary.Sharpe, summary.Sortino,
            last.Price), trades, curve);
    }

    private static long FirstBoundaryAfter(DateTimeOffset from, TimeSpan interval) =>
        (from.UtcTicks / interval.Ticks + 1) * interval.Ticks;

    // A budget of 0 has no drawdown to speak of (0 / 0).
    private static decimal Percent(double fraction) => double.IsFinite(fraction) ? Math.Round((decimal)fraction * 100m, 4) : 0m;
}
