using System.Security.Claims;
using Akka.Actor;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.IdentityModel.JsonWebTokens;
using TradingActors.Api.Http;
using TradingActors.Domain.Tenants;
using TradingActors.Engine;
using TradingActors.Engine.Tenants;

namespace TradingActors.Api.Trading;

/// <summary>What every trading route does with a command: ask the caller's tenant, and turn its reply (or its silence) into a response.</summary>
public static class TenantCommands
{
    public static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The tenant's reply, or null when it did not answer in time (the command may still take effect: retry with the same key).</summary>
    public static async Task<object?> AskOrNull(IActorRef region, ITenantCommand command, CancellationToken ct, TimeSpan? timeout = null)
    {
        try
        {
            return await region.Ask<object>(command, timeout ?? AskTimeout, ct);
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }

    /// <summary>The tenant's state as its actor holds it now (the read models may still be behind it).</summary>
    public static async Task<TenantState> StateOfAsync(IActorRef region, string tenant, CancellationToken ct) =>
        (await region.Ask<Portfolio>(new GetPortfolio(tenant), AskTimeout, ct)).State;

    /// <summary>
    /// Sends the commands one after another, stopping at the first the tenant refuses (its outcome from
    /// <paramref name="refused"/>) or does not answer (503). Otherwise the version of the last accepted, null when none was sent.
    /// </summary>
    public static async Task<(IdempotencyKeys.Outcome? Stopped, long? Version)> SendInTurnAsync(IActorRef region, IEnumerable<ITenantCommand> commands,
        Func<CommandRejected, IdempotencyKeys.Outcome> refused, CancellationToken ct)
    {
        long? version = null;
        foreach (var command in commands)
        {
            switch (await AskOrNull(region, command, ct))
            {
                case null: return (Unavailable(), version);
                case CommandAccepted accepted: version = accepted.Version; break;
                case CommandRejected rejected: return (refused(rejected), version);
                case var other: throw new InvalidOperationException($"unexpected reply {other.GetType().Name}");
            }
        }
        return (null, version);
    }

    /// <summary>The caller's user id (the token's subject).</summary>
    public static Guid? UserId(ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(JwtRegisteredClaimNames.Sub), out var id) ? id : null;

    public static IdempotencyKeys.Outcome Unavailable(string title = "Not done yet", string detail =
        "The engine did not answer in time. Retry (with the same Idempotency-Key): it is done at most once.") =>
        Failure(StatusCodes.Status503ServiceUnavailable, "engine-unavailable", title, detail);

    public static IdempotencyKeys.Outcome Failure(int status, string type, string title, string detail) => new(status, Problem(status, type, title, detail), null);

    /// <summary>An outcome as the response (the same shape an idempotent replay sends).</summary>
    public static IResult Send(HttpContext http, IdempotencyKeys.Outcome outcome)
    {
        if (outcome.Location is not null) http.Response.Headers.Location = outcome.Location;
        return Results.Json(outcome.Body, RequestBodies.Json, statusCode: outcome.Status,
            contentType: outcome.Status >= 400 ? "application/problem+json" : "application/json");
    }

    /// <summary>With an Idempotency-Key through <see cref="IdempotencyKeys"/> (a retry gets the first response), else once.</summary>
    public static async Task<IResult> RunAsync<TBody>(HttpContext http, IdempotencyKeys idempotency, Guid userId, string? key, TBody body,
        Func<Task<IdempotencyKeys.Outcome>> execute, CancellationToken ct) =>
        key is null ? Send(http, await execute()) : await idempotency.RunAsync(userId, key, http.Request, body, execute, ct);

    /// <summary>
    /// The tenant's plan refused the command (decision 032): 402 plan-limit, naming the limit (its field name, e.g. maxBots),
    /// the caller's plan and the cheapest plan on sale that lifts it (null when none does).
    /// </summary>
    public static IdempotencyKeys.Outcome OverPlan(CommandRejected rejected)
    {
        var refusal = rejected.OverPlan ?? throw new ArgumentException("not a plan's refusal", nameof(rejected));
        var problem = Problem(StatusCodes.Status402PaymentRequired, "plan-limit", "Over your plan", refusal.Reason);
        problem.Extensions["limit"] = Billing.PlanWire.Limit(refusal.Limit);
        problem.Extensions["plan"] = refusal.PlanId;
        problem.Extensions["liftingPlan"] = refusal.LiftingPlanId;
        return new(StatusCodes.Status402PaymentRequired, problem, null);
    }

    /// <summary>A refusal as the response: a plan's as <see cref="OverPlan"/>, any other as <paramref name="otherwise"/> says.</summary>
    public static IdempotencyKeys.Outcome Refused(CommandRejected rejected, Func<CommandRejected, IdempotencyKeys.Outcome> otherwise) =>
        rejected.OverPlan is null ? otherwise(rejected) : OverPlan(rejected);

    public static ProblemDetails Problem(int status, string type, string title, string detail) =>
        new() { Status = status, Type = Problems.TypeBase + type, Title = title, Detail = detail };
}
