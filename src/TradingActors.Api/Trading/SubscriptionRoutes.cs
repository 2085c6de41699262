using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.IdentityModel.JsonWebTokens;
using Npgsql;
using TradingActors.Api.Auth;
using TradingActors.Api.Http;
using TradingActors.Api.Identity;
using System.Globalization;
using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tenants;
using TradingActors.Engine;
using TradingActors.Engine.Hosting;
using TradingActors.Engine.Strategies;
using TradingActors.Engine.Tenants;

using static TradingActors.Api.Trading.TenantCommands;

namespace TradingActors.Api.Trading;

public enum SubscriptionState
{
    Active = 1,
    Paused = 2,
}

/// <summary>POST /api/v1/subscriptions: follow a strategy on one of the caller's accounts with a budget per buy.</summary>
public sealed record CreateSubscriptionRequest(string? StrategyId, string? BrokerAccountId, decimal? Budget);

/// <summary>PATCH /api/v1/subscriptions/{id}: a new budget (for the next buy), a new status, or both.</summary>
public sealed record UpdateSubscriptionRequest(decimal? Budget, SubscriptionState? Status);

/// <summary>
/// A subscription. Version (after a change): pass it as minVersion to read the change back. PauseReason: why it was paused
/// when it was not your own pause (your plan lapsed or shrank: the limit and the plan that lifts it).
/// </summary>
public sealed record SubscriptionResponse(string Id, string StrategyId, string BrokerAccountId, string Symbol, decimal Budget, string Status,
    DateTimeOffset? CreatedAt, DateTimeOffset? UpdatedAt, long? Version = null, string? PauseReason = null);

public sealed record DeletedSubscriptionResponse(string Id, long Version);


public sealed record StrategySignalResponse(long Sequence, string Side, decimal Price, DateTimeOffset Time, string Reason);

/// <summary>A shared strategy: its kind ("rsi", "ema-cross"), its parameters by name, and how old a signal may be when it reaches a subscriber.</summary>
public sealed record StrategyResponse(string Id, string Symbol, string Kind, string Description, IReadOnlyDictionary<string, double> Parameters, int MaxSignalAgeSeconds,
    long Subscribers, long ActiveSubscriptions, IReadOnlyList<StrategySignalResponse> RecentSignals);

/// <summary>
/// The caller's subscriptions (decision 010): each has its own id, so one strategy can be followed on several
/// accounts (at most once per account). Commands go to the caller's tenant (its reply's version is returned);
/// reads come from the read models under row level security. GET /api/v1/strategies: what can be followed.
/// </summary>
public static class SubscriptionRoutes
{
    private static readonly TimeSpan HistoryTimeout = TimeSpan.FromSeconds(3);
    public const int RecentSignals = 10;

    public static IEndpointRouteBuilder MapSubscriptionRoutes(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1").RequireAuthorization(TraderPolicies.User).RequireRateLimiting(TraderPolicies.UserRateLimit).WithTags("subscriptions");
        api.MapPost("/subscriptions", Create)
            .WithSummary("Follow a strategy on one of your accounts (Idempotency-Key: a retried request is the same subscription)")
            .AcceptsJson<CreateSubscriptionRequest>().Returns<SubscriptionResponse>(201).ProducesProblems(409, 422, 503);
        api.MapGet("/subscriptions", List)
            .WithSummary("Your subscriptions (filter by strategy, minVersion)").Returns<SubscriptionResponse[]>().ProducesProblems(503);
        api.MapGet("/subscriptions/{id}", Get)
            .WithSummary("One of your subscriptions").Returns<SubscriptionResponse>().ProducesProblems(404, 503);
        api.MapPatch("/subscriptions/{id}", Update)
            .WithSummary("Change a subscription's budget (for its next buy) or status (active, paused)")
            .AcceptsJson<UpdateSubscriptionRequest>().Returns<SubscriptionResponse>().ProducesProblems(404, 409, 503);
        api.MapDelete("/subscriptions/{id}", Delete)
            .WithSummary("End a subscription (what it holds stays on the account)").Returns<DeletedSubscriptionResponse>().ProducesProblems(404, 409, 503);
        api.MapGet("/strategies", Strategies)
            .WithSummary("The strategies you can follow: parameters, subscribers and recent signals").Returns<StrategyResponse[]>().ProducesProblems(503);
        return routes;
    }

    /// <summary>A subscription id: from the Idempotency-Key (a retried request makes the same id, so the tenant creates it once), else random.</summary>
    public static string NewId(Guid userId, string? key)
    {
        if (key is null) return "sub-" + Guid.NewGuid().ToString("N");
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(userId.ToString("N") + ":" + key));
        return "sub-" + Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }

    private static async Task<IResult> Create(HttpContext http, ClaimsPrincipal principal, RequestBodies bodies, IdempotencyKeys idempotency,
        IRequiredActor<TenantRegion> tenants, AuditTrail audit, CancellationToken ct)
    {
        var (key, badKey) = IdempotencyKeys.Read(http.Request);
        if (badKey is not null) return badKey;
        var read = await bodies.ReadAsync<CreateSubscriptionRequest>(http.Request);
        if (read.Problem is not null) return read.Problem;
        var body = read.Body!;
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(body.StrategyId)) errors["strategyId"] = ["Required."];
        if (string.IsNullOrWhiteSpace(body.BrokerAccountId)) errors["brokerAccountId"] = ["Required."];
        CheckBudget(body.Budget, required: true, errors);
        if (errors.Count > 0) return Problems.Validation(errors);
        if (ReadRoutes.TenantOf(principal) is not { } tenant || UserId(principal) is not { } userId) return TypedResults.Unauthorized();

        var id = NewId(userId, key);
        var command = new SubscribeToStrategy(tenant, body.StrategyId!, body.BrokerAccountId!, body.Budget!.Value, id);
        async Task<IdempotencyKeys.Outcome> Execute()
        {
            var region = await tenants.GetAsync(ct);
            var reply = await AskOrNull(region, command, ct);
            switch (reply)
            {
                case null: return Unavailable();
                case CommandAccepted accepted:
                    var state = await StateOfAsync(region, tenant, ct);
                    if (!state.Subscriptions.TryGetValue(id, out var sub)) return Unavailable();
                    await audit.RecordAsync(userId, AuditKinds.SubscriptionCreated, AuthRoutes.ClientIp(http),
                        $"{id} follows {sub.StrategyId} on {sub.AccountId}, budget {sub.Budget.ToString(CultureInfo.InvariantCulture)}", ct);
                    return new IdempotencyKeys.Outcome(StatusCodes.Status201Created, Response(sub, accepted.Version), $"/api/v1/subscriptions/{id}");
                case CommandRejected rejected: return Refused(rejected);
                default: throw new InvalidOperationException($"unexpected reply {reply.GetType().Name}");
            }
        }

        return await RunAsync(http, idempotency, userId, key, body, Execute, ct);
    }

    private static Task<IResult> List(HttpContext http, ClaimsPrincipal principal, TenantReads reads, string? strategy, long? minVersion, CancellationToken ct) =>
        ReadRoutes.RowsAsync(http, principal, reads, minVersion, Columns + " AND ($1::text IS NULL OR strategy_id = $1) ORDER BY created_at, subscription_id", RowOf, ct,
            new NpgsqlParameter { Value = (object?)strategy ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });

    private static Task<IResult> Get(HttpContext http, ClaimsPrincipal principal, TenantReads reads, string id, long? minVersion, CancellationToken ct) =>
        ReadRoutes.RowAsync(http, principal, reads, minVersion, NotFound(), Columns + " AND subscription_id = $1", RowOf, ct, id);

    private static async Task<IResult> Update(HttpContext http, ClaimsPrincipal principal, RequestBodies bodies, IRequiredActor<TenantRegion> tenants, AuditTrail audit,
        string id, CancellationToken ct)
    {
        var read = await bodies.ReadAsync<UpdateSubscriptionRequest>(http.Request);
        if (read.Problem is not null) return read.Problem;
        var body = read.Body!;
        var errors = new Dictionary<string, string[]>();
        if (body.Budget is null && body.Status is null) errors["$"] = ["Give a budget, a status, or both."];
        CheckBudget(body.Budget, required: false, errors);
        if (errors.Count > 0) return Problems.Validation(errors);
        if (ReadRoutes.TenantOf(principal) is not { } tenant || UserId(principal) is not { } userId) return TypedResults.Unauthorized();

        var region = await tenants.GetAsync(ct);
        var state = await StateOfAsync(region, tenant, ct);
        if (!state.Subscriptions.TryGetValue(id, out var sub)) return NotFound();
        var commands = new List<ITenantCommand>();
        if (body.Budget is { } budget && budget != sub.Budget) commands.Add(new ChangeSubscriptionBudget(tenant, id, budget));
        if (body.Status is { } status && ToEngine(status) != sub.Status)
            commands.Add(status == SubscriptionState.Paused ? new PauseSubscription(tenant, id) : new ResumeSubscription(tenant, id));
        var (stopped, version) = await SendInTurnAsync(region, commands, rejected => Refused(rejected, StatusCodes.Status409Conflict), ct);
        if (stopped is not null) return Send(http, stopped);
        if (commands.Count > 0)
            await audit.RecordAsync(userId, AuditKinds.SubscriptionChanged, AuthRoutes.ClientIp(http),
                $"{id}{(body.Budget is { } b ? " budget " + b.ToString(CultureInfo.InvariantCulture) : "")}{(body.Status is { } st ? " " + st.ToString().ToLowerInvariant() : "")}", ct);
        state = await StateOfAsync(region, tenant, ct);
        return state.Subscriptions.TryGetValue(id, out sub) ? TypedResults.Ok(Response(sub, version ?? 0)) : NotFound();
    }

    private static async Task<IResult> Delete(HttpContext http, ClaimsPrincipal principal, IRequiredActor<TenantRegion> tenants, AuditTrail audit, string id, CancellationToken ct)
    {
        if (ReadRoutes.TenantOf(principal) is not { } tenant || UserId(principal) is not { } userId) return TypedResults.Unauthorized();
        var region = await tenants.GetAsync(ct);
        var state = await StateOfAsync(region, tenant, ct);
        if (!state.Subscriptions.ContainsKey(id)) return NotFound();
        var (stopped, version) = await SendInTurnAsync(region, [new UnsubscribeFromStrategy(tenant, id)], rejected => Refused(rejected, StatusCodes.Status409Conflict), ct);
        if (stopped is not null) return Send(http, stopped);
        await audit.RecordAsync(userId, AuditKinds.SubscriptionDeleted, AuthRoutes.ClientIp(http), id, ct);
        return TypedResults.Ok(new DeletedSubscriptionResponse(id, version!.Value));
    }

    private static async Task<IResult> Strategies(ClaimsPrincipal principal, TenantReads reads, IStrategyDirectory directory, IActorRegistry registry, CancellationToken ct)
    {
        if (ReadRoutes.TenantOf(principal) is not { } tenant) return TypedResults.Unauthorized();
        var counts = await reads.ReadAsync(tenant, async (connection, tx) =>
        {
            await using var command = new NpgsqlCommand("SELECT strategy_id, subscribers, subscriptions FROM strategy_subscribers", connection, tx);
            var byStrategy = new Dictionary<string, (long Subscribers, long Subscriptions)>(StringComparer.Ordinal);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) byStrategy[reader.GetString(0)] = (reader.GetInt64(1), reader.GetInt64(2));
            return byStrategy;
        }, ct);
        var history = registry.Get<SignalHistoryKey>();
        var result = new List<StrategyResponse>();
        foreach (var s in directory.Current.Strategies)
        {
            var (subscribers, subscriptions) = counts.GetValueOrDefault(s.Id);
            result.Add(new StrategyResponse(s.Id, s.Symbol, s.Kind, s.Describe(), s.ParameterValues(), s.MaxSignalAgeSeconds,
                subscribers, subscriptions, await Recent(history, s.Id, ct)));
        }
        return TypedResults.Ok(result.ToArray());
    }

    /// <summary>The strategy's latest signals, newest first, from the node's signal history (its journal); none when the history does not answer in time.</summary>
    private static async Task<IReadOnlyList<StrategySignalResponse>> Recent(IActorRef history, string strategyId, CancellationToken ct)
    {
        try
        {
            var latest = (await history.Ask<LatestSequence>(new GetLatestSequence(strategyId), HistoryTimeout, ct)).Sequence;
            if (latest <= 0) return [];
            var fetched = await history.Ask<SignalsFetched>(new FetchSignals(strategyId, Math.Max(1, latest - RecentSignals + 1), latest), HistoryTimeout, ct);
            return fetched.Signals.OrderByDescending(x => x.Sequence)
                .Select(x => new StrategySignalResponse(x.Sequence, x.Side == Domain.Orders.OrderSide.Buy ? "buy" : "sell", x.Price, x.Time, x.Reason)).ToArray();
        }
        catch (AskTimeoutException)
        {
            return [];
        }
    }

    private const string Columns = "SELECT subscription_id, strategy_id, account_id, symbol, budget, status, created_at, updated_at, pause_reason FROM subscriptions WHERE true";

    private static SubscriptionResponse RowOf(NpgsqlDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetDecimal(4), r.GetString(5),
            r.GetFieldValue<DateTimeOffset>(6), r.GetFieldValue<DateTimeOffset>(7), PauseReason: r.IsDBNull(8) ? null : r.GetString(8));

    private static SubscriptionResponse Response(Subscription s, long version) =>
        new(s.Key(), s.StrategyId, s.AccountId, s.Symbol, s.Budget, s.Status == SubscriptionStatus.Active ? "active" : "paused", null, null, version, s.PauseReason);

    private static SubscriptionStatus ToEngine(SubscriptionState state) => state == SubscriptionState.Paused ? SubscriptionStatus.Paused : SubscriptionStatus.Active;

    private static void CheckBudget(decimal? budget, bool required, Dictionary<string, string[]> errors)
    {
        if (budget is null && required) errors["budget"] = ["Required."];
        else if (budget is <= 0) errors["budget"] = ["Must be positive."];
        else if (budget > TenantDecisions.MaxBudget) errors["budget"] = ["At most 1,000,000,000."];
    }

    /// <summary>A refusal by the tenant: a conflict with an existing subscription is 409, anything else (unknown strategy or account) 422.</summary>
    private static IdempotencyKeys.Outcome Refused(CommandRejected rejected, int? status = null)
    {
        if (rejected.OverPlan is not null) return OverPlan(rejected);
        var code = status ?? (rejected.Reason.Contains("already", StringComparison.Ordinal) ? StatusCodes.Status409Conflict : StatusCodes.Status422UnprocessableEntity);
        return Failure(code, code == StatusCodes.Status409Conflict ? "subscription-conflict" : "subscription-refused",
            code == StatusCodes.Status409Conflict ? "Subscription conflict" : "Subscription refused", rejected.Reason);
    }

    internal static IResult NotFound() =>
        Problems.Status(StatusCodes.Status404NotFound, "subscription-not-found", "Subscription not found", "No subscription of yours has this id.");

}
