using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TradingActors.Api.Auth;
using TradingActors.Api.Http;
using TradingActors.Api.Identity;
using TradingActors.Brokers.Paper;
using TradingActors.Engine;
using TradingActors.Domain.Bots;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Hosting;
using TradingActors.Engine.Tenants;
using static TradingActors.Api.Trading.TenantCommands;

namespace TradingActors.Api.Trading;

/// <summary>A bot's risk limits (all optional: 0 or absent turns a limit off; maxOpenOrders defaults to 10, closeOnStop to true).</summary>
public sealed record BotRiskRequest(decimal? MaxPosition, decimal? StopLossPercent, decimal? MaxDrawdownPercent, int? MaxOpenOrders, bool? CloseOnStop);

/// <summary>POST /api/v1/bots: a bot of any strategy kind on one of your accounts, with a budget; omitted parameters take their defaults.</summary>
public sealed record CreateBotRequest(string? Id, string? Kind, string? Symbol, string? BrokerAccountId, JsonElement? Parameters, decimal? Budget, int? BarSeconds,
    BotRiskRequest? Risk);

/// <summary>POST /api/v1/bots/{id}/stop: optionally sell the bot's position at market as it stops.</summary>
public sealed record StopBotRequest(bool? ClosePosition);

public sealed record BotRiskResponse(decimal MaxPosition, decimal StopLossPercent, decimal MaxDrawdownPercent, int MaxOpenOrders, bool CloseOnStop);

/// <summary>A bot: its configuration, status (stopped, running, paused) and why a risk limit stopped it, and its money now.</summary>
public sealed record BotResponse(string Id, string Kind, string Symbol, string BrokerAccountId, IReadOnlyDictionary<string, double> Parameters, decimal Budget,
    int BarSeconds, BotRiskResponse Risk, string Status, string? StopReason, long Decisions, BotPerformanceResponse Performance, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt, long? Version = null);

/// <summary>
/// A bot's performance from its ledger: position and its cost, realised PnL (after fees), unrealised PnL and equity at the
/// latest price, the highest equity seen and the drawdown from it now, round trips and the share that made money, fees.
/// </summary>
public sealed record BotPerformanceResponse(decimal Position, decimal AverageCost, decimal Realised, decimal? Unrealised, decimal? Equity, decimal PeakEquity,
    decimal? DrawdownPercent, int RoundTrips, int Wins, decimal? WinRate, decimal Fees, decimal? Price);

/// <summary>
/// Bots (decision 028): a trader's own strategy instances on their own accounts. Commands go to the tenant (it checks the
/// configuration field by field against the plan, persists, and runs the bot as its child); reads come from the tenant's
/// state (its bots) and the read models (their orders).
/// </summary>
public static class BotRoutes
{
    public static IEndpointRouteBuilder MapBotRoutes(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/bots").RequireAuthorization(TraderPolicies.User).RequireRateLimiting(TraderPolicies.UserRateLimit).WithTags("bots");
        api.MapPost("", Create).WithSummary("Create a bot (stopped): a strategy kind with parameters on one of your accounts, a budget and risk limits")
            .AcceptsJson<CreateBotRequest>().Returns<BotResponse>(201).ProducesProblems(409, 422, 503);
        api.MapGet("", List).WithSummary("Your bots with their status and performance").Returns<BotResponse[]>().ProducesProblems(503);
        api.MapGet("/{id}", Get).WithSummary("One of your bots").Returns<BotResponse>().ProducesProblems(404, 503);
        api.MapPost("/{id}/start", (HttpContext h, ClaimsPrincipal p, IRequiredActor<TenantRegion> t, AuditTrail a, LatestPrices l, string id, CancellationToken ct) =>
                Control(h, p, t, a, l, id, tenant => new StartBot(tenant, id), "started", ct))
            .WithSummary("Start (or restart) a bot").Returns<BotResponse>().ProducesProblems(404, 409, 503);
        api.MapPost("/{id}/pause", (HttpContext h, ClaimsPrincipal p, IRequiredActor<TenantRegion> t, AuditTrail a, LatestPrices l, string id, CancellationToken ct) =>
                Control(h, p, t, a, l, id, tenant => new PauseBot(tenant, id), "paused", ct))
            .WithSummary("Pause a bot: it decides nothing, its resting orders stay").Returns<BotResponse>().ProducesProblems(404, 409, 503);
        api.MapPost("/{id}/stop", Stop).WithSummary("Stop a bot: its open orders are cancelled; closePosition sells its position at market")
            .AcceptsJson<StopBotRequest>(optional: true).Returns<BotResponse>().ProducesProblems(404, 409, 503);
        api.MapDelete("/{id}", Delete).WithSummary("Delete a stopped bot whose orders have all ended").Returns(204).ProducesProblems(404, 409, 503);
        api.MapGet("/{id}/orders", Orders).WithSummary("A bot's orders, newest first").Returns<OrderResponse[]>().ProducesProblems(404, 503);
        return routes;
    }

    private static async Task<IResult> Create(HttpContext http, ClaimsPrincipal principal, RequestBodies bodies, IRequiredActor<TenantRegion> tenants, AuditTrail audit,
        LatestPrices prices, CancellationToken ct)
    {
        var read = await bodies.ReadAsync<CreateBotRequest>(http.Request);
        if (read.Problem is not null) return read.Problem;
        var body = read.Body!;
        if (body.Parameters is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) })
            return Problems.Validation(new Dictionary<string, string[]> { ["parameters"] = ["parameters must be a JSON object of names and values"] });
        if (ReadRoutes.TenantOf(principal) is not { } tenant || UserId(principal) is not { } userId) return TypedResults.Unauthorized();
        var risk = body.Risk is { } r
            ? new BotRisk(r.MaxPosition ?? 0m, r.StopLossPercent ?? 0m, r.MaxDrawdownPercent ?? 0m, r.MaxOpenOrders ?? 10, r.CloseOnStop ?? true)
            : new BotRisk();
        var config = new BotConfig(body.Id ?? "bot-" + Guid.NewGuid().ToString("N")[..12], body.Kind ?? "", body.Symbol ?? "", body.BrokerAccountId ?? "",
            body.Parameters is { ValueKind: JsonValueKind.Object } p ? p.GetRawText() : "{}", body.Budget ?? 0m, body.BarSeconds ?? 60, risk);
        var region = await tenants.GetAsync(ct);
        var state = await StateOfAsync(region, tenant, ct);
        // Field by field first (the tenant checks again and decides): a form shows every problem at once.
        var errors = config.Check(state, out _);
        if (errors.Count > 0)
            return Problems.Validation(errors.GroupBy(e => e.Parameter == "accountId" ? "brokerAccountId" : e.Parameter).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()));
        switch (await AskOrNull(region, new CreateBot(tenant, config), ct))
        {
            case null: return Send(http, Unavailable());
            case CommandRejected { OverPlan: not null } overPlan: return Send(http, OverPlan(overPlan));
            case CommandRejected rejected:
                return rejected.Reason.Contains("already exists", StringComparison.Ordinal)
                    ? Problems.Status(StatusCodes.Status409Conflict, "bot-exists", "Bot exists", rejected.Reason)
                    : Problems.Status(StatusCodes.Status422UnprocessableEntity, "bot-refused", "Bot refused", rejected.Reason);
            case CommandAccepted accepted:
                await audit.RecordAsync(userId, AuditKinds.BotCreated, AuthRoutes.ClientIp(http), $"{config.BotId} {config.Kind} on {config.Symbol}", ct);
                state = await StateOfAsync(region, tenant, ct);
                return TypedResults.Created($"/api/v1/bots/{config.BotId}", Response(state.BotsById[config.BotId], prices) with { Version = accepted.Version });
            case var other: throw new InvalidOperationException($"unexpected reply {other.GetType().Name}");
        }
    }

    private static async Task<IResult> List(ClaimsPrincipal principal, IRequiredActor<TenantRegion> tenants, LatestPrices prices, CancellationToken ct)
    {
        if (ReadRoutes.TenantOf(principal) is not { } tenant) return TypedResults.Unauthorized();
        var state = await StateOfAsync(await tenants.GetAsync(ct), tenant, ct);
        return TypedResults.Ok(state.BotsById.Values.OrderBy(b => b.CreatedAt).ThenBy(b => b.Config.BotId, StringComparer.Ordinal).Select(b => Response(b, prices)).ToArray());
    }

    private static async Task<IResult> Get(ClaimsPrincipal principal, IRequiredActor<TenantRegion> tenants, LatestPrices prices, string id, CancellationToken ct)
    {
        if (ReadRoutes.TenantOf(principal) is not { } tenant) return TypedResults.Unauthorized();
        var state = await StateOfAsync(await tenants.GetAsync(ct), tenant, ct);
        return state.BotsById.TryGetValue(id, out var bot) ? TypedResults.Ok(Response(bot, prices)) : NotFound();
    }

    private static async Task<IResult> Stop(HttpContext http, ClaimsPrincipal principal, RequestBodies bodies, IRequiredActor<TenantRegion> tenants, AuditTrail audit,
        LatestPrices prices, string id, CancellationToken ct)
    {
        var read = await bodies.ReadAsync<StopBotRequest>(http.Request, optional: true);
        if (read.Problem is not null) return read.Problem;
        var close = read.Body?.ClosePosition ?? false;
        return await Control(http, principal, tenants, audit, prices, id, tenant => new StopBot(tenant, id, close), close ? "stopped, position closed" : "stopped", ct);
    }

    private static async Task<IResult> Control(HttpContext http, ClaimsPrincipal principal, IRequiredActor<TenantRegion> tenants, AuditTrail audit, LatestPrices prices,
        string id, Func<string, ITenantCommand> command, string done, CancellationToken ct)
    {
        if (ReadRoutes.TenantOf(principal) is not { } tenant || UserId(principal) is not { } userId) return TypedResults.Unauthorized();
        var region = await tenants.GetAsync(ct);
        if (!(await StateOfAsync(region, tenant, ct)).BotsById.ContainsKey(id)) return NotFound();
        switch (await AskOrNull(region, command(tenant), ct))
        {
            case null: return Send(http, Unavailable());
            case CommandRejected { OverPlan: not null } overPlan: return Send(http, OverPlan(overPlan));
            case CommandRejected rejected: return Problems.Status(StatusCodes.Status409Conflict, "bot-refused", "Refused", rejected.Reason);
            case CommandAccepted accepted:
                await audit.RecordAsync(userId, AuditKinds.BotChanged, AuthRoutes.ClientIp(http), $"{id} {done}", ct);
                var state = await StateOfAsync(region, tenant, ct);
                return state.BotsById.TryGetValue(id, out var bot) ? TypedResults.Ok(Response(bot, prices) with { Version = accepted.Version }) : NotFound();
            case var other: throw new InvalidOperationException($"unexpected reply {other.GetType().Name}");
        }
    }

    private static async Task<IResult> Delete(HttpContext http, ClaimsPrincipal principal, IRequiredActor<TenantRegion> tenants, AuditTrail audit, string id, CancellationToken ct)
    {
        if (ReadRoutes.TenantOf(principal) is not { } tenant || UserId(principal) is not { } userId) return TypedResults.Unauthorized();
        var region = await tenants.GetAsync(ct);
        if (!(await StateOfAsync(region, tenant, ct)).BotsById.ContainsKey(id)) return NotFound();
        switch (await AskOrNull(region, new DeleteBot(tenant, id), ct))
        {
            case null: return Send(http, Unavailable());
            case CommandRejected rejected: return Problems.Status(StatusCodes.Status409Conflict, "bot-refused", "Refused", rejected.Reason);
            default:
                await audit.RecordAsync(userId, AuditKinds.BotChanged, AuthRoutes.ClientIp(http), $"{id} deleted", ct);
                return TypedResults.NoContent();
        }
    }

    private static async Task<IResult> Orders(HttpContext http, ClaimsPrincipal principal, IRequiredActor<TenantRegion> tenants, TenantReads reads, string id, long? minVersion,
        CancellationToken ct)
    {
        if (ReadRoutes.TenantOf(principal) is not { } tenant) return TypedResults.Unauthorized();
        if (!(await StateOfAsync(await tenants.GetAsync(ct), tenant, ct)).BotsById.ContainsKey(id)) return NotFound();
        return await ReadRoutes.RowsAsync(http, principal, reads, minVersion,
            ReadRoutes.OrderColumns + " AND source = $1 ORDER BY submitted_at DESC, client_order_id DESC LIMIT 500", ReadRoutes.OrderOf, ct, Sources.Bot(id));
    }

    private static BotResponse Response(BotRecord bot, LatestPrices prices)
    {
        var c = bot.Config;
        var l = bot.Ledger;
        decimal? price = prices.TryGetLatest(c.Symbol, out var p) && p > 0 ? p : null;
        var equity = price is { } at ? l.Equity(c.Budget, at) : (decimal?)null;
        var peak = equity is { } e ? Math.Max(l.PeakEquity, e) : l.PeakEquity;
        var performance = new BotPerformanceResponse(l.Position, Math.Round(l.AverageCost, 8), Math.Round(l.Realised, 8), price is { } u ? Math.Round(l.Unrealised(u), 8) : null,
            equity is { } eq ? Math.Round(eq, 8) : null, Math.Round(peak, 8), equity is { } q && peak > 0 ? Math.Round((peak - q) / peak * 100m, 4) : null,
            l.RoundTrips, l.Wins, l.RoundTrips > 0 ? Math.Round((decimal)l.Wins / l.RoundTrips, 4) : null, Math.Round(l.Fees, 8), price);
        return new BotResponse(c.BotId, c.Kind, c.Symbol, c.AccountId, c.ParameterValues(), c.Budget, c.BarSeconds,
            new BotRiskResponse(c.Risk.MaxPosition, c.Risk.StopLossPercent, c.Risk.MaxDrawdownPercent, c.Risk.MaxOpenOrders, c.Risk.CloseOnStop),
            BotDecisions.Name(bot.Status), bot.StopReason, bot.Sequence, performance, bot.CreatedAt, bot.UpdatedAt);
    }

    internal static IResult NotFound() => Problems.Status(StatusCodes.Status404NotFound, "bot-not-found", "Bot not found", "No bot of yours has this id.");
}
