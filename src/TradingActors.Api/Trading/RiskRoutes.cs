using System.Globalization;
using System.Security.Claims;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TradingActors.Api.Auth;
using TradingActors.Api.Http;
using TradingActors.Api.Identity;
using TradingActors.Brokers.Paper;
using TradingActors.Domain.Bots;
using TradingActors.Domain.Paper;
using TradingActors.Domain.Tenants;
using TradingActors.Engine;
using TradingActors.Engine.Hosting;
using TradingActors.Engine.Tenants;
using static TradingActors.Api.Trading.TenantCommands;

namespace TradingActors.Api.Trading;

/// <summary>PUT /api/v1/risk: the limits across all your bots, each replaced; absent or 0 turns a limit off.</summary>
public sealed record TenantRiskRequest(decimal? MaxExposure, int? MaxOpenOrders, decimal? MaxDrawdownPercent);

/// <summary>
/// Where your bots stand now: quote invested at cost (positions' cost plus open buys), open bot orders, the bots' combined
/// equity (budget + realised + unrealised at the latest prices), its highest and the drawdown from it in percent.
/// </summary>
public sealed record TenantRiskNowResponse(decimal Exposure, int OpenOrders, decimal Equity, decimal PeakEquity, decimal DrawdownPercent);

/// <summary>Your risk limits across all your bots (0: off) and where your bots stand against them now. Version (after a change): the tenant's.</summary>
public sealed record TenantRiskResponse(decimal MaxExposure, int MaxOpenOrders, decimal MaxDrawdownPercent, TenantRiskNowResponse Now, long? Version = null);

/// <summary>
/// The trader's risk limits across all their bots (decision 031): maxExposure, maxOpenOrders and the tenant kill switch
/// maxDrawdownPercent. Set through the tenant (it checks them field by field, persists, and stops every running bot at once
/// when the kill switch already stands); read from the tenant's state.
/// </summary>
public static class RiskRoutes
{
    public static IEndpointRouteBuilder MapRiskRoutes(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/risk").RequireAuthorization(TraderPolicies.User).RequireRateLimiting(TraderPolicies.UserRateLimit).WithTags("risk");
        api.MapGet("", Get).WithSummary("Your risk limits across all your bots, and where your bots stand against them now")
            .Returns<TenantRiskResponse>().ProducesProblems(503);
        api.MapPut("", Set).WithSummary("Set your risk limits across all your bots: maxExposure, maxOpenOrders, maxDrawdownPercent (the kill switch); 0 turns one off")
            .AcceptsJson<TenantRiskRequest>().Returns<TenantRiskResponse>().ProducesProblems(422, 503);
        return routes;
    }

    private static async Task<IResult> Get(ClaimsPrincipal principal, IRequiredActor<TenantRegion> tenants, TradingEngineOptions engine, LatestPrices prices,
        CancellationToken ct)
    {
        if (ReadRoutes.TenantOf(principal) is not { } tenant) return TypedResults.Unauthorized();
        var state = await StateOfAsync(await tenants.GetAsync(ct), tenant, ct);
        return TypedResults.Ok(Response(state, engine, prices));
    }

    private static async Task<IResult> Set(HttpContext http, ClaimsPrincipal principal, RequestBodies bodies, IRequiredActor<TenantRegion> tenants, AuditTrail audit,
        TradingEngineOptions engine, LatestPrices prices, CancellationToken ct)
    {
        var read = await bodies.ReadAsync<TenantRiskRequest>(http.Request);
        if (read.Problem is not null) return read.Problem;
        var body = read.Body!;
        if (ReadRoutes.TenantOf(principal) is not { } tenant || UserId(principal) is not { } userId) return TypedResults.Unauthorized();
        var limits = new TenantRisk(body.MaxExposure ?? 0m, body.MaxOpenOrders ?? 0, body.MaxDrawdownPercent ?? 0m);
        // Field by field first (the tenant checks again and decides): a form shows every problem at once, and nothing changes.
        var errors = limits.Check().ToList();
        if (errors.Count > 0)
            return Problems.Validation(errors.GroupBy(e => e.Parameter).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()));
        var region = await tenants.GetAsync(ct);
        switch (await AskOrNull(region, new SetTenantRisk(tenant, limits), ct))
        {
            case null: return Send(http, Unavailable());
            case CommandRejected rejected: return Problems.Status(StatusCodes.Status422UnprocessableEntity, "risk-refused", "Risk limits refused", rejected.Reason);
            case CommandAccepted accepted:
                await audit.RecordAsync(userId, AuditKinds.RiskLimitsSet, AuthRoutes.ClientIp(http), string.Create(CultureInfo.InvariantCulture,
                    $"maxExposure {limits.MaxExposure:G29}, maxOpenOrders {limits.MaxOpenOrders}, maxDrawdownPercent {limits.MaxDrawdownPercent:G29}"), ct);
                var state = await StateOfAsync(region, tenant, ct);
                return TypedResults.Ok(Response(state, engine, prices) with { Version = accepted.Version });
            case var other: throw new InvalidOperationException($"unexpected reply {other.GetType().Name}");
        }
    }

    private static TenantRiskResponse Response(TenantState state, TradingEngineOptions engine, LatestPrices prices)
    {
        var limits = state.RiskLimits;
        // The bots' exposure is counted as the engine counts it: the same paper costs, the node's latest prices.
        var now = TenantRiskDecisions.Now(state, new PaperVenueCosts(engine.PaperFeeRate, engine.PaperSlippageBps),
            symbol => prices.TryGetLatest(symbol, out var p) && p > 0 ? p : null);
        return new TenantRiskResponse(limits.MaxExposure, limits.MaxOpenOrders, limits.MaxDrawdownPercent,
            new TenantRiskNowResponse(Math.Round(now.Exposure, 8), now.OpenOrders, Math.Round(now.Equity, 8), Math.Round(now.PeakEquity, 8), Math.Round(now.DrawdownPercent, 4)));
    }
}
