using System.Globalization;
using System.Security.Claims;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using TradingActors.Api.Auth;
using TradingActors.Api.Http;
using TradingActors.Api.Identity;
using TradingActors.Api.Trading;
using TradingActors.Domain.Strategies;
using TradingActors.Engine;
using TradingActors.Engine.Billing;
using TradingActors.Engine.Hosting;
using TradingActors.Engine.Tenants;
using static TradingActors.Api.Trading.TenantCommands;

namespace TradingActors.Api.Billing;

/// <summary>
/// Plans are data (decision 032): admins put plans on sale, change their limits and prices, and retire them at run time,
/// through the plan catalog (persisted before the answer; this node serves the change at once). A tenant takes a plan's
/// limits when it is applied — an edit reaches a tenant at its next change or renewal. An operator may also move a user
/// to a plan (support, a grant, an enterprise deal). Every change is audited.
/// </summary>
public static class PlanAdminRoutes
{
    private static readonly TimeSpan CatalogTimeout = TimeSpan.FromSeconds(5);

    public static IEndpointRouteBuilder MapPlanAdminRoutes(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/api/v1/admin").WithTags("admin").RequireAuthorization(TraderPolicies.Admin);
        admin.MapGet("/plans", List).WithSummary("Every plan on sale, and the ids of retired ones (admin)").Returns<AdminPlansResponse>();
        admin.MapPost("/plans", Create).WithSummary("Put a plan on sale (admin)").AcceptsJson<PlanRequest>()
            .Returns<PlanResponse>(StatusCodes.Status201Created).ProducesProblems(409, 503);
        admin.MapPut("/plans/{id}", Update).WithSummary("Change a plan's limits or prices; tenants on it take them at their next change or renewal (admin)")
            .AcceptsJson<PlanRequest>().Returns<PlanResponse>().ProducesProblems(404, 409, 503);
        admin.MapPost("/plans/{id}/retire", Retire).WithSummary("Take a plan off sale for good; tenants on it keep it until they change (admin)")
            .Returns<AdminPlansResponse>().ProducesProblems(404, 409, 503);
        admin.MapPut("/users/{userId}/plan", MoveUser).WithSummary("Move a user to a plan (admin)").AcceptsJson<UserPlanRequest>()
            .Returns<BillingResponse>().ProducesProblems(404, 422, 503);
        return routes;
    }

    private static IResult List(PlanCatalogView plans, IOptions<TraderApiOptions> options) => TypedResults.Ok(Listing(plans.Current, options.Value));

    private static AdminPlansResponse Listing(Domain.Billing.PlanCatalog catalog, TraderApiOptions options) =>
        new(catalog.Plans.Select(p => PlanWire.Response(p, options.Tier(p.ApiRateTier))).ToArray(), catalog.Retired ?? []);

    private static async Task<IResult> Create(HttpContext http, ClaimsPrincipal principal, RequestBodies bodies, IRequiredActor<PlanCatalogKey> catalog,
        PlanCatalogView view, AuditTrail audit, IOptions<TraderApiOptions> options, CancellationToken ct) =>
        await Change(http, principal, bodies, catalog, view, audit, options.Value, null, ct);

    private static async Task<IResult> Update(HttpContext http, ClaimsPrincipal principal, RequestBodies bodies, IRequiredActor<PlanCatalogKey> catalog,
        PlanCatalogView view, AuditTrail audit, IOptions<TraderApiOptions> options, string id, CancellationToken ct) =>
        await Change(http, principal, bodies, catalog, view, audit, options.Value, id, ct);

    /// <summary>A create (<paramref name="id"/> null) or an update: the request's fields, then the catalog's rules, each problem by its field.</summary>
    private static async Task<IResult> Change(HttpContext http, ClaimsPrincipal principal, RequestBodies bodies, IRequiredActor<PlanCatalogKey> catalog,
        PlanCatalogView view, AuditTrail audit, TraderApiOptions options, string? id, CancellationToken ct)
    {
        var read = await bodies.ReadAsync<PlanRequest>(http.Request);
        if (read.Problem is not null) return read.Problem;
        if (UserId(principal) is not { } userId) return TypedResults.Unauthorized();
        if (id is not null && !view.Current.TryGet(id, out _))
            return Problems.Status(StatusCodes.Status404NotFound, "plan-not-found", "Plan not found", $"No plan '{id}' is on sale.");
        var (plan, missing) = PlanWire.FromRequest(read.Body!, id);
        if (plan is null) return Problems.Validation(missing);
        var by = userId.ToString();
        var answer = await AskCatalog(catalog, view, id is null ? new CreatePlan(plan, by) : new UpdatePlan(plan, by), ct);
        if (answer is null) return Send(http, Unavailable());
        if (!answer.Accepted)
        {
            // An id already taken (or retired) is a conflict; anything else names its field.
            if (answer.Errors.All(e => e.Parameter == "id") && id is null)
                return Problems.Status(StatusCodes.Status409Conflict, "plan-exists", "Plan exists", string.Join("; ", answer.Errors.Select(e => e.Message)));
            return Problems.Validation(answer.Errors.GroupBy(e => e.Parameter).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()));
        }
        await audit.RecordAsync(userId, AuditKinds.PlanCatalogChanged, AuthRoutes.ClientIp(http), $"{(id is null ? "created" : "updated")} plan {plan.Id}", ct);
        answer.Catalog.TryGet(plan.Id, out var stored);
        var response = PlanWire.Response(stored, options.Tier(stored.ApiRateTier));
        return id is null ? TypedResults.Created($"/api/v1/plans/{stored.Id}", response) : TypedResults.Ok(response);
    }

    private static async Task<IResult> Retire(HttpContext http, ClaimsPrincipal principal, IRequiredActor<PlanCatalogKey> catalog, PlanCatalogView view,
        AuditTrail audit, IOptions<TraderApiOptions> options, string id, CancellationToken ct)
    {
        if (UserId(principal) is not { } userId) return TypedResults.Unauthorized();
        if (!view.Current.TryGet(id, out _))
            return Problems.Status(StatusCodes.Status404NotFound, "plan-not-found", "Plan not found", $"No plan '{id}' is on sale.");
        var answer = await AskCatalog(catalog, view, new RetirePlan(id, userId.ToString()), ct);
        if (answer is null) return Send(http, Unavailable());
        if (!answer.Accepted) return Problems.Status(StatusCodes.Status409Conflict, "plan-refused", "Refused", string.Join("; ", answer.Errors.Select(e => e.Message)));
        await audit.RecordAsync(userId, AuditKinds.PlanCatalogChanged, AuthRoutes.ClientIp(http), $"retired plan {id}", ct);
        return TypedResults.Ok(Listing(answer.Catalog, options.Value));
    }

    private static async Task<IResult> MoveUser(HttpContext http, ClaimsPrincipal principal, RequestBodies bodies, IRequiredActor<TenantRegion> tenants,
        TraderUserManager users, PlanRateTiers tiers, TenantReads reads, AuditTrail audit, IOptions<TraderApiOptions> options, TradingEngineOptions engine, string userId, CancellationToken ct)
    {
        var read = await bodies.ReadAsync<UserPlanRequest>(http.Request);
        if (read.Problem is not null) return read.Problem;
        if (UserId(principal) is not { } adminId) return TypedResults.Unauthorized();
        var body = read.Body!;
        if (string.IsNullOrWhiteSpace(body.PlanId)) return Problems.Validation(new Dictionary<string, string[]> { ["planId"] = ["planId is required"] });
        if (await users.FindByIdAsync(userId) is not { TenantProvisionedAt: not null } user)
            return Problems.Status(StatusCodes.Status404NotFound, "user-not-found", "User not found", "No user with a tenant has this id.");
        var region = await tenants.GetAsync(ct);
        switch (await AskOrNull(region, new ChangeTenantPlan(user.TenantId, body.PlanId.Trim(), body.PeriodEnd), ct))
        {
            case null: return Send(http, Unavailable());
            case CommandRejected rejected: return Problems.Status(StatusCodes.Status422UnprocessableEntity, "plan-refused", "Plan refused", rejected.Reason);
            case CommandAccepted accepted:
                // The user's next request on this node takes the new plan's rate tier (once the read models hold it).
                await reads.WaitForAsync(user.TenantId, accepted.Version, TimeSpan.FromSeconds(5), ct);
                tiers.Forget(user.TenantId);
                await audit.RecordAsync(adminId, AuditKinds.PlanChanged, AuthRoutes.ClientIp(http), string.Create(CultureInfo.InvariantCulture,
                    $"moved user {user.Id} to plan {body.PlanId.Trim()}{(body.PeriodEnd is { } end ? $" until {end:O}" : "")}"), ct);
                var state = await StateOfAsync(region, user.TenantId, ct);
                return TypedResults.Ok(BillingRoutes.Response(state, engine.Time.GetUtcNow(), options.Value) with { Version = accepted.Version });
            case var other: throw new InvalidOperationException($"unexpected reply {other.GetType().Name}");
        }
    }

    /// <summary>The catalog's answer, or null when it did not answer in time (the change may still be made: the admin looks again).</summary>
    private static async Task<PlanCatalogAnswer?> AskCatalog(IRequiredActor<PlanCatalogKey> catalog, PlanCatalogView view, ITradingMessage command, CancellationToken ct)
    {
        try
        {
            return await view.SendAsync(await catalog.GetAsync(ct), command, CatalogTimeout, ct);
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }
}

/// <summary>GET /api/v1/admin/plans: the plans on sale and the ids retired (never reused).</summary>
public sealed record AdminPlansResponse(IReadOnlyList<PlanResponse> Plans, IReadOnlyList<string> Retired);
