using System.Security.Claims;
using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TradingActors.Api.Auth;
using TradingActors.Api.Http;
using TradingActors.Api.Identity;
using TradingActors.Domain.Strategies;
using TradingActors.Engine;
using TradingActors.Engine.Hosting;
using TradingActors.Engine.Strategies;
using static TradingActors.Api.Trading.TenantCommands;

namespace TradingActors.Api.Trading;

/// <summary>POST /api/v1/admin/strategies: a shared strategy of a signal kind (rsi, ema-cross) on a symbol; omitted parameters take their defaults.</summary>
public sealed record CreateStrategyRequest(string? Id, string? Kind, string? Symbol, JsonElement? Parameters, int? MaxSignalAgeSeconds);

/// <summary>A shared strategy as an admin sees it: State is running, paused, starting (waiting for its definition), unreachable or retired.</summary>
public sealed record AdminStrategyResponse(string Id, string Kind, string Symbol, IReadOnlyDictionary<string, double> Parameters, int MaxSignalAgeSeconds, string State,
    long? LastSequence, string? Node);

/// <summary>
/// Strategies are data (decision 026): admins create, pause, resume and retire shared strategies at run time, without a
/// restart. Create and retire go to the catalog (persisted before the answer; this node serves the change at once);
/// pause and resume to the strategy itself (stored in its checkpoint before the answer). Every change is audited.
/// </summary>
public static class StrategyAdminRoutes
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    public static IEndpointRouteBuilder MapStrategyAdminRoutes(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/api/v1/admin/strategies").WithTags("admin").RequireAuthorization(TraderPolicies.Admin);
        admin.MapGet("", List).WithSummary("Every shared strategy, running, paused and retired (admin)").Returns<AdminStrategyResponse[]>();
        admin.MapPost("", Create).WithSummary("Create a shared strategy at run time (admin)").AcceptsJson<CreateStrategyRequest>()
            .Returns<AdminStrategyResponse>(StatusCodes.Status201Created)
            .ProducesProblems(400, 409, 503);
        admin.MapPost("/{id}/pause", (HttpContext http, ClaimsPrincipal p, IRequiredActor<StrategyRouterKey> r, StrategyCatalogView v, AuditTrail a, string id, CancellationToken ct) =>
                Control(http, p, r, v, a, id, new PauseStrategy(id), ct))
            .WithSummary("Stop a strategy's signals; it keeps reading prices (admin)").Returns<AdminStrategyResponse>().ProducesProblems(404, 409, 503);
        admin.MapPost("/{id}/resume", (HttpContext http, ClaimsPrincipal p, IRequiredActor<StrategyRouterKey> r, StrategyCatalogView v, AuditTrail a, string id, CancellationToken ct) =>
                Control(http, p, r, v, a, id, new ResumeStrategy(id), ct))
            .WithSummary("Let a paused strategy signal again (admin)").Returns<AdminStrategyResponse>().ProducesProblems(404, 409, 503);
        admin.MapPost("/{id}/retire", Retire).WithSummary("Retire a strategy for good; its id is never reused (admin)").Returns<AdminStrategyResponse>()
            .ProducesProblems(404, 409, 503);
        return routes;
    }

    private static async Task<IResult> List(IRequiredActor<StrategyRouterKey> router, StrategyCatalogView view, CancellationToken ct)
    {
        var strategies = await router.GetAsync(ct);
        var catalog = view.Current;
        var running = await Task.WhenAll(catalog.Strategies.Select(async s => Response(s, await StatusOrNull(strategies, s.Id, ct))));
        var retired = (catalog.Retired ?? []).Select(id => new AdminStrategyResponse(id, "", "", new Dictionary<string, double>(), 0, "retired", null, null));
        return TypedResults.Ok(running.Concat(retired).ToArray());
    }

    private static async Task<IResult> Create(HttpContext http, ClaimsPrincipal principal, RequestBodies bodies, IRequiredActor<StrategyCatalogKey> catalog,
        StrategyCatalogView view, AuditTrail audit, CancellationToken ct)
    {
        var read = await bodies.ReadAsync<CreateStrategyRequest>(http.Request);
        if (read.Problem is not null) return read.Problem;
        var body = read.Body!;
        if (body.Parameters is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) })
            return Problems.Validation(new Dictionary<string, string[]> { ["parameters"] = ["parameters must be a JSON object of names and values"] });
        var definition = new StrategyDefinition(body.Id ?? "", body.Symbol ?? "", body.Kind ?? "",
            body.Parameters is { ValueKind: JsonValueKind.Object } p ? p.GetRawText() : "{}", body.MaxSignalAgeSeconds ?? 60);
        // Checked here first so each problem names its field; the catalog checks again (it is the one that decides).
        var errors = definition.Check(out _);
        if (errors.Count > 0)
            return Problems.Validation(errors.GroupBy(e => e.Parameter).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()));
        if (await Ask(catalog, view, new CreateStrategy(definition, By(principal)), ct) is not { } answer) return Unreachable();
        if (!answer.Accepted)
            return Problems.Status(StatusCodes.Status409Conflict, "strategy-exists", "Strategy exists", string.Join("; ", answer.Errors));
        await Audit(http, principal, audit, AuditKinds.StrategyCreated, definition.Id, ct);
        var stored = answer.Catalog.Strategies.First(s => s.Id == definition.Id);
        return TypedResults.Created($"/api/v1/admin/strategies/{stored.Id}", Response(stored, null) with { State = "starting" });
    }

    private static async Task<IResult> Retire(HttpContext http, ClaimsPrincipal principal, IRequiredActor<StrategyCatalogKey> catalog, StrategyCatalogView view,
        AuditTrail audit, string id, CancellationToken ct)
    {
        var known = view.Current.TryGet(id, out var definition);
        if (!known && !view.Current.IsRetired(id)) return UnknownStrategy(id);
        if (await Ask(catalog, view, new RetireStrategy(id, By(principal)), ct) is not { } answer) return Unreachable();
        if (!answer.Accepted) return Problems.Status(StatusCodes.Status409Conflict, "refused", "Refused", string.Join("; ", answer.Errors));
        await Audit(http, principal, audit, AuditKinds.StrategyRetired, id, ct);
        return TypedResults.Ok(Response(definition!, null) with { State = "retired" });
    }

    private static async Task<IResult> Control(HttpContext http, ClaimsPrincipal principal, IRequiredActor<StrategyRouterKey> router, StrategyCatalogView view,
        AuditTrail audit, string id, IWithStrategyId command, CancellationToken ct)
    {
        if (!view.Current.TryGet(id, out var definition))
            return view.Current.IsRetired(id)
                ? Problems.Status(StatusCodes.Status409Conflict, "retired-strategy", "Retired strategy", $"strategy '{id}' is retired")
                : UnknownStrategy(id);
        StrategyStatus status;
        try
        {
            status = await (await router.GetAsync(ct)).Ask<StrategyStatus>(command, AskTimeout, ct);
        }
        catch (AskTimeoutException)
        {
            return Unreachable();
        }
        catch (InvalidOperationException e) // already so, or the store refused it
        {
            return Problems.Status(StatusCodes.Status409Conflict, "refused", "Refused", e.Message);
        }
        await Audit(http, principal, audit, command is PauseStrategy ? AuditKinds.StrategyPaused : AuditKinds.StrategyResumed, id, ct);
        return TypedResults.Ok(Response(definition, status));
    }

    private static async Task<StrategyCatalogAnswer?> Ask(IRequiredActor<StrategyCatalogKey> catalog, StrategyCatalogView view, ITradingMessage command, CancellationToken ct)
    {
        try
        {
            return await view.SendAsync(await catalog.GetAsync(ct), command, AskTimeout, ct);
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }

    private static async Task<StrategyStatus?> StatusOrNull(IActorRef strategies, string id, CancellationToken ct)
    {
        try { return await strategies.Ask<StrategyStatus>(new GetStrategyStatus(id), AskTimeout, ct); }
        catch (AskTimeoutException) { return null; } // moving between nodes: listed without its state
    }

    private static AdminStrategyResponse Response(StrategyDefinition s, StrategyStatus? status) =>
        new(s.Id, s.Kind, s.Symbol, s.ParameterValues(), s.MaxSignalAgeSeconds,
            status is null ? "unreachable" : status.Waiting ? "starting" : status.Paused ? "paused" : "running", status?.LastSequence, status?.Node);

    private static string By(ClaimsPrincipal principal) => UserId(principal) is { } id ? "admin:" + id : "admin";

    private static async Task Audit(HttpContext http, ClaimsPrincipal principal, AuditTrail audit, string kind, string id, CancellationToken ct)
    {
        if (UserId(principal) is { } admin) await audit.RecordAsync(admin, kind, AuthRoutes.ClientIp(http), id, ct);
    }

    private static IResult UnknownStrategy(string id) =>
        Problems.Status(StatusCodes.Status404NotFound, "unknown-strategy", "Unknown strategy", $"no strategy '{id}'");

    private static IResult Unreachable() =>
        Problems.Status(StatusCodes.Status503ServiceUnavailable, "engine-unavailable", "Engine unavailable", "the strategy catalog did not answer in time; try again");
}
