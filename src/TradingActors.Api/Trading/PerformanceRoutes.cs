using System.Security.Claims;
using System.Text;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Npgsql;
using TradingActors.Api.Auth;
using TradingActors.Api.Http;
using TradingActors.Brokers.Paper;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Performance;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Hosting;
using static TradingActors.Api.Trading.TenantCommands;

namespace TradingActors.Api.Trading;

/// <summary>
/// The figures over the whole span: realised (after fees) and unrealised PnL, equity and its return on the budget, fees,
/// fills, round trips and the share that made money, the curve's max drawdown, Sharpe and Sortino (annualised by the
/// interval; null when they cannot be computed), the latest price.
/// </summary>
public sealed record PerformanceSummaryResponse(decimal Budget, decimal Position, decimal AverageCost, decimal Realised, decimal Unrealised, decimal Equity,
    decimal ReturnPercent, decimal Fees, int Trades, int RoundTrips, int Wins, decimal? WinRate, decimal MaxDrawdownPercent, double? Sharpe, double? Sortino,
    decimal? Price);

/// <summary>One point of the equity curve: the price it was marked at (null before any price), position, PnL, equity, drawdown from the peak.</summary>
public sealed record EquityPointResponse(DateTimeOffset At, decimal? Price, decimal Position, decimal Realised, decimal Unrealised, decimal Equity,
    decimal DrawdownPercent);

/// <summary>A bot's or subscription's performance from its start to now: the curve marked at the start, every interval and now.</summary>
public sealed record PerformanceResponse(string Symbol, DateTimeOffset From, DateTimeOffset To, string Interval, PerformanceSummaryResponse Summary,
    EquityPointResponse[] Curve);

/// <summary>One part of an order that filled: what it realised, and the position and total realised after it.</summary>
public sealed record PerformanceTradeResponse(DateTimeOffset At, string ClientOrderId, string Side, decimal Quantity, decimal Price, decimal Fee, decimal Realised,
    decimal PositionAfter, decimal RealisedAfter);

/// <summary>
/// Performance over time of a bot or a subscription (decision 030): computed per request from its fills in the read
/// models and the symbol's price marks, marked now at the latest price. JSON for the dashboard; the curve and the trade
/// list also as CSV files. interval: 1m, 5m, 15m, 1h, 4h or 1d (default: the shortest giving at most 2,000 points).
/// "Now" is the engine's clock, the one its fills and price marks are stamped with.
/// </summary>
public static class PerformanceRoutes
{
    private enum Owner { Bot, Subscription }

    private sealed record Loaded(PerformanceReport? Report, string? Symbol, string? Refusal);

    public static IEndpointRouteBuilder MapPerformanceRoutes(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1").RequireAuthorization(TraderPolicies.User).RequireRateLimiting(TraderPolicies.UserRateLimit).WithTags("performance");
        foreach (var (owner, path, noun) in new[] { (Owner.Bot, "bots", "bot"), (Owner.Subscription, "subscriptions", "subscription") })
        {
            var (o, n) = (owner, noun);
            api.MapGet($"/{path}/{{id}}/performance", (HttpContext h, ClaimsPrincipal p, TenantReads r, IRequiredActor<TenantRegion> t, LatestPrices l, TradingEngineOptions c,
                        string id, string? interval, long? minVersion, CancellationToken ct) => Summary(h, p, r, t, l, c.Time, o, id, interval, minVersion, ct))
                .WithSummary($"A {n}'s performance: PnL, win rate, max drawdown, Sharpe, and its equity curve").Returns<PerformanceResponse>()
                .ProducesProblems(400, 404, 503);
            api.MapGet($"/{path}/{{id}}/performance/trades", (HttpContext h, ClaimsPrincipal p, TenantReads r, IRequiredActor<TenantRegion> t, LatestPrices l,
                        TradingEngineOptions c, string id, long? minVersion, CancellationToken ct) => Trades(h, p, r, t, l, c.Time, o, id, minVersion, ct))
                .WithSummary($"A {n}'s trade list: every part of its orders that filled, oldest first").Returns<PerformanceTradeResponse[]>()
                .ProducesProblems(404, 503);
            api.MapGet($"/{path}/{{id}}/performance/equity.csv", (HttpContext h, ClaimsPrincipal p, TenantReads r, IRequiredActor<TenantRegion> t, LatestPrices l,
                        TradingEngineOptions c, string id, string? interval, long? minVersion, CancellationToken ct) =>
                    Csv(h, p, r, t, l, c.Time, o, id, interval, minVersion, "equity", PerformanceCsv.WriteCurve, ct))
                .WithSummary($"A {n}'s equity curve (CSV)").Produces<string>(StatusCodes.Status200OK, "text/csv").ProducesProblems(400, 404, 503);
            api.MapGet($"/{path}/{{id}}/performance/trades.csv", (HttpContext h, ClaimsPrincipal p, TenantReads r, IRequiredActor<TenantRegion> t, LatestPrices l,
                        TradingEngineOptions c, string id, long? minVersion, CancellationToken ct) =>
                    Csv(h, p, r, t, l, c.Time, o, id, null, minVersion, "trades", PerformanceCsv.WriteTrades, ct))
                .WithSummary($"A {n}'s trade list (CSV)").Produces<string>(StatusCodes.Status200OK, "text/csv").ProducesProblems(404, 503);
        }
        return routes;
    }

    private static async Task<IResult> Summary(HttpContext http, ClaimsPrincipal principal, TenantReads reads, IRequiredActor<TenantRegion> tenants, LatestPrices prices,
        TimeProvider time, Owner owner, string id, string? interval, long? minVersion, CancellationToken ct)
    {
        var (loaded, problem) = await LoadAsync(http, principal, reads, tenants, prices, time, owner, id, interval, minVersion, ct);
        if (problem is not null) return problem;
        var r = loaded!.Report!;
        var s = r.Summary;
        return TypedResults.Ok(new PerformanceResponse(loaded.Symbol!, r.From, r.To, PerformanceReports.NameOf(r.Interval),
            new PerformanceSummaryResponse(s.Budget, s.Position, M(s.AverageCost), M(s.Realised), M(s.Unrealised), M(s.Equity), Math.Round(s.ReturnPercent, 4), M(s.Fees),
                s.Trades, s.RoundTrips, s.Wins, s.WinRate is { } w ? Math.Round(w, 4) : null, s.MaxDrawdownPercent, Ratio(s.Sharpe), Ratio(s.Sortino), s.Price),
            r.Curve.Select(p => new EquityPointResponse(p.At, p.Price, p.Position, M(p.Realised), M(p.Unrealised), M(p.Equity), p.DrawdownPercent)).ToArray()));
    }

    private static async Task<IResult> Trades(HttpContext http, ClaimsPrincipal principal, TenantReads reads, IRequiredActor<TenantRegion> tenants, LatestPrices prices,
        TimeProvider time, Owner owner, string id, long? minVersion, CancellationToken ct)
    {
        var (loaded, problem) = await LoadAsync(http, principal, reads, tenants, prices, time, owner, id, null, minVersion, ct);
        if (problem is not null) return problem;
        return TypedResults.Ok(loaded!.Report!.Trades.Select(t => new PerformanceTradeResponse(t.At, t.ClientOrderId, t.Side == OrderSide.Buy ? "buy" : "sell",
            t.Quantity, t.Price, t.Fee, M(t.Realised), t.PositionAfter, M(t.RealisedAfter))).ToArray());
    }

    private static async Task<IResult> Csv(HttpContext http, ClaimsPrincipal principal, TenantReads reads, IRequiredActor<TenantRegion> tenants, LatestPrices prices,
        TimeProvider time, Owner owner, string id, string? interval, long? minVersion, string what, Action<PerformanceReport, TextWriter> write, CancellationToken ct)
    {
        var (loaded, problem) = await LoadAsync(http, principal, reads, tenants, prices, time, owner, id, interval, minVersion, ct);
        if (problem is not null) return problem;
        var text = new StringWriter();
        write(loaded!.Report!, text);
        return TypedResults.File(Encoding.UTF8.GetBytes(text.ToString()), "text/csv; charset=utf-8", $"{id}-{what}.csv");
    }

    /// <summary>
    /// The report, or the problem: the owner unknown to the caller (404), the interval unusable (400), the read models
    /// behind minVersion (503). A bot comes from its tenant (its budget, symbol and start); a subscription from its row.
    /// </summary>
    private static async Task<(Loaded?, IResult?)> LoadAsync(HttpContext http, ClaimsPrincipal principal, TenantReads reads, IRequiredActor<TenantRegion> tenants,
        LatestPrices prices, TimeProvider time, Owner owner, string id, string? interval, long? minVersion, CancellationToken ct)
    {
        if (ReadRoutes.TenantOf(principal) is not { } tenant) return (null, TypedResults.Unauthorized());
        if (await ReadRoutes.Consistent(reads, tenant, minVersion, http, ct) is { } notYet) return (null, notYet);
        (string Symbol, decimal Budget, DateTimeOffset From)? bot = null;
        if (owner == Owner.Bot)
        {
            var state = await StateOfAsync(await tenants.GetAsync(ct), tenant, ct);
            if (!state.BotsById.TryGetValue(id, out var record)) return (null, NotFound(owner));
            bot = (record.Config.Symbol, record.Config.Budget, record.CreatedAt);
        }
        var to = time.GetUtcNow();
        var loaded = await reads.ReadAsync(tenant, async (connection, tx) =>
        {
            var subject = bot ?? await SubscriptionAsync(connection, tx, id, ct);
            if (subject is not { } s) return null;
            if (PerformanceReports.ChooseInterval(interval, s.From, to, out var refusal) is not { } length) return new Loaded(null, s.Symbol, refusal);
            var fills = await FillsAsync(connection, tx, owner, id, ct);
            var marks = await MarksAsync(connection, tx, s.Symbol, s.From, to, length, ct);
            decimal? latest = prices.TryGetLatest(s.Symbol, out var price) && price > 0 ? price : null;
            return new Loaded(PerformanceReports.Build(new PerformanceRequest(s.Budget, s.From, to, length, fills, marks, latest)), s.Symbol, null);
        }, ct);
        if (loaded is null) return (null, NotFound(owner));
        if (loaded.Refusal is { } why) return (null, Problems.Validation(new Dictionary<string, string[]> { ["interval"] = [why] }));
        return (loaded, null);
    }

    private static async Task<(string, decimal, DateTimeOffset)?> SubscriptionAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string id, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT symbol, budget, created_at FROM subscriptions WHERE subscription_id = $1", connection, tx);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetString(0), reader.GetDecimal(1), reader.GetFieldValue<DateTimeOffset>(2)) : null;
    }

    /// <summary>Every fill report of the owner's orders (working reports with a fill and final fills), in journal order; row level security keeps them the caller's.</summary>
    private static async Task<List<FillReport>> FillsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Owner owner, string id, CancellationToken ct)
    {
        var whose = owner == Owner.Bot
            ? "client_order_id IN (SELECT client_order_id FROM orders WHERE source = $1)"
            : "subscription_id = $1";
        await using var command = new NpgsqlCommand($"""
            SELECT occurred_at, client_order_id, side, quantity, price, coalesce(fee, 0) FROM executions
            WHERE {whose} AND kind IN ('working', 'filled') AND price IS NOT NULL AND quantity > 0 ORDER BY execution_id
            """, connection, tx);
        command.Parameters.Add(new NpgsqlParameter { Value = owner == Owner.Bot ? Sources.Bot(id) : id });
        var fills = new List<FillReport>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            fills.Add(new FillReport(reader.GetFieldValue<DateTimeOffset>(0), reader.GetString(1), reader.GetString(2) == "buy" ? OrderSide.Buy : OrderSide.Sell,
                reader.GetDecimal(3), reader.GetDecimal(4), reader.GetDecimal(5)));
        return fills;
    }

    /// <summary>The last price mark in each interval of the span (epoch-aligned as the curve's points are): all the curve needs.</summary>
    private static async Task<List<PriceMark>> MarksAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string symbol, DateTimeOffset from, DateTimeOffset to,
        TimeSpan interval, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            SELECT DISTINCT ON (floor(extract(epoch FROM at) / $4)) at, price FROM price_marks
            WHERE symbol = $1 AND minute >= $2 AND minute <= $3
            ORDER BY floor(extract(epoch FROM at) / $4), at DESC
            """, connection, tx);
        command.Parameters.Add(new NpgsqlParameter { Value = symbol });
        command.Parameters.Add(new NpgsqlParameter { Value = from.ToUniversalTime() - TimeSpan.FromMinutes(1) });
        command.Parameters.Add(new NpgsqlParameter { Value = to.ToUniversalTime() });
        command.Parameters.Add(new NpgsqlParameter { Value = interval.TotalSeconds });
        var marks = new List<PriceMark>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) marks.Add(new PriceMark(reader.GetFieldValue<DateTimeOffset>(0), reader.GetDecimal(1)));
        return marks;
    }

    private static decimal M(decimal value) => Math.Round(value, 8);

    private static double? Ratio(double? value) => value is { } v ? Math.Round(v, 6) : null;

    private static IResult NotFound(Owner owner) => owner == Owner.Bot ? BotRoutes.NotFound() : SubscriptionRoutes.NotFound();
}
