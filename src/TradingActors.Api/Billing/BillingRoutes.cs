using System.Security.Claims;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using TradingActors.Api.Auth;
using TradingActors.Api.Http;
using TradingActors.Api.Identity;
using TradingActors.Api.Trading;
using TradingActors.Domain.Billing;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Billing;
using TradingActors.Engine.Hosting;
using TradingActors.Engine.Tenants;
using static TradingActors.Api.Trading.TenantCommands;

namespace TradingActors.Api.Billing;

/// <summary>
/// Your plan and what you use of it (decision 032): read from your tenant, which holds the plan and enforces every limit;
/// the plans on sale, for anyone (a pricing page); your time zone, whose midnight starts your trades-per-day count.
/// </summary>
public static class BillingRoutes
{
    public static IEndpointRouteBuilder MapBillingRoutes(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/plans", Plans).AllowAnonymous().WithTags("billing")
            .WithSummary("The plans on sale: their limits, API rate tier and prices").Returns<PlanResponse[]>();
        var api = routes.MapGroup("/api/v1/billing").RequireAuthorization(TraderPolicies.User).RequireRateLimiting(TraderPolicies.UserRateLimit).WithTags("billing");
        api.MapGet("", Get).WithSummary("Your plan, its status and period end, and your usage against each of its limits")
            .Returns<BillingResponse>().ProducesProblems(503);
        api.MapPut("/time-zone", SetTimeZone).WithSummary("Your time zone (IANA, e.g. Europe/Paris): your trades-per-day count starts at its midnight")
            .AcceptsJson<TimeZoneRequest>().Returns<BillingResponse>().ProducesProblems(503);
        return routes;
    }

    private static IResult Plans(PlanCatalogView plans, IOptions<TraderApiOptions> options) =>
        TypedResults.Ok(plans.Current.Plans.OrderBy(p => p.MonthlyPrice).ThenBy(p => p.Id, StringComparer.Ordinal)
            .Select(p => PlanWire.Response(p, options.Value.Tier(p.ApiRateTier))).ToArray());

    private static async Task<IResult> Get(ClaimsPrincipal principal, IRequiredActor<TenantRegion> tenants, IOptions<TraderApiOptions> options,
        TradingEngineOptions engine, CancellationToken ct)
    {
        if (ReadRoutes.TenantOf(principal) is not { } tenant) return TypedResults.Unauthorized();
        var state = await StateOfAsync(await tenants.GetAsync(ct), tenant, ct);
        return TypedResults.Ok(Response(state, engine.Time.GetUtcNow(), options.Value));
    }

    private static async Task<IResult> SetTimeZone(HttpContext http, ClaimsPrincipal principal, RequestBodies bodies, IRequiredActor<TenantRegion> tenants,
        AuditTrail audit, IOptions<TraderApiOptions> options, TradingEngineOptions engine, CancellationToken ct)
    {
        var read = await bodies.ReadAsync<TimeZoneRequest>(http.Request);
        if (read.Problem is not null) return read.Problem;
        if (ReadRoutes.TenantOf(principal) is not { } tenant || UserId(principal) is not { } userId) return TypedResults.Unauthorized();
        var region = await tenants.GetAsync(ct);
        switch (await AskOrNull(region, new SetTenantTimeZone(tenant, read.Body!.TimeZone ?? ""), ct))
        {
            case null: return Send(http, Unavailable());
            // Only the zone itself can be wrong here: a field error, nothing changed.
            case CommandRejected rejected: return Problems.Validation(new Dictionary<string, string[]> { ["timeZone"] = [rejected.Reason] });
            case CommandAccepted accepted:
                var state = await StateOfAsync(region, tenant, ct);
                await audit.RecordAsync(userId, AuditKinds.TimeZoneSet, AuthRoutes.ClientIp(http), TradingDay.Name(state.TimeZoneId), ct);
                return TypedResults.Ok(Response(state, engine.Time.GetUtcNow(), options.Value) with { Version = accepted.Version });
            case var other: throw new InvalidOperationException($"unexpected reply {other.GetType().Name}");
        }
    }

    internal static BillingResponse Response(TenantState state, DateTimeOffset now, TraderApiOptions options)
    {
        var usage = PlanDecisions.Usage(state, now);
        var plan = usage.Plan;
        var limits = plan.Limits;
        return new BillingResponse(PlanWire.Response(limits, options.Tier(limits.ApiRateTier)), PlanWire.Status(plan.Status), plan.PeriodEnd, plan.GraceUntil,
            plan.LapsedFrom, usage.TimeZone, usage.Day,
            [
                new PlanUsageLine(PlanWire.Limit(PlanLimit.Bots), usage.Bots, PlanWire.Count(limits.MaxBots)),
                new PlanUsageLine(PlanWire.Limit(PlanLimit.Pairs), usage.Pairs, PlanWire.Count(limits.MaxPairs)),
                new PlanUsageLine(PlanWire.Limit(PlanLimit.Subscriptions), usage.Subscriptions, PlanWire.Count(limits.MaxSubscriptions)),
                new PlanUsageLine(PlanWire.Limit(PlanLimit.TradesPerDay), usage.TradesToday, PlanWire.Count(limits.TradesPerDay)),
                new PlanUsageLine(PlanWire.Limit(PlanLimit.OpenPositions), usage.OpenPositions, PlanWire.Count(limits.OpenPositions)),
            ]);
    }
}
