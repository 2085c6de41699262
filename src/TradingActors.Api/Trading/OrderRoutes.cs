using System.Security.Claims;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.IdentityModel.JsonWebTokens;
using TradingActors.Api.Auth;
using TradingActors.Api.Http;
using TradingActors.Api.Identity;
using TradingActors.Domain.Orders;
using TradingActors.Engine.Hosting;
using TradingActors.Engine.ReadModels;
using TradingActors.Engine.Tenants;

using static TradingActors.Api.Trading.TenantCommands;

namespace TradingActors.Api.Trading;

public enum TradeSide
{
    Buy = 1,
    Sell = 2,
}

/// <summary>POST /api/v1/orders: a market order by quantity or by notional (exactly one) on one of the caller's accounts.</summary>
public sealed record PlaceOrderRequest(string? BrokerAccountId, string? Symbol, TradeSide? Side, decimal? Quantity, decimal? Notional);

/// <summary>POST /api/v1/positions/{symbol}/close: the account whose holding of the symbol is sold.</summary>
public sealed record ClosePositionRequest(string? BrokerAccountId);

/// <summary>The order a request placed (or had placed before, under the same Idempotency-Key). Version: pass it as minVersion to read it back.</summary>
public sealed record PlacedOrderResponse(string Id, string? Status, string? Reason, long Version);

/// <summary>
/// POST /api/v1/orders: a manual market order through the caller's tenant, with the same exactly-once
/// rules as a strategy's: its client order id derives from the Idempotency-Key (a retried request is
/// the same order); without a key every request is a new order. GET /api/v1/orders/{id}: one order.
/// </summary>
public static class OrderRoutes
{
    public static IEndpointRouteBuilder MapOrderRoutes(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1").RequireAuthorization(TraderPolicies.User).RequireRateLimiting(TraderPolicies.UserRateLimit).WithTags("trading");
        api.MapPost("/orders", Place)
            .WithSummary("Place a market order (Idempotency-Key: a retried request is the same order)")
            .AcceptsJson<PlaceOrderRequest>().Returns<PlacedOrderResponse>(201).ProducesProblems(422, 503);
        api.MapPost("/positions/{symbol}/close", Close)
            .WithSummary("Sell everything one of your accounts holds of a symbol (Idempotency-Key: a retried close is the same order)")
            .AcceptsJson<ClosePositionRequest>().Returns<PlacedOrderResponse>(201).ProducesProblems(404, 422, 503);
        return routes;
    }

    private static async Task<IResult> Place(HttpContext http, ClaimsPrincipal principal, RequestBodies bodies, IdempotencyKeys idempotency,
        IRequiredActor<TenantRegion> tenants, AuditTrail audit, CancellationToken ct)
    {
        var (key, badKey) = IdempotencyKeys.Read(http.Request);
        if (badKey is not null) return badKey;
        var read = await bodies.ReadAsync<PlaceOrderRequest>(http.Request);
        if (read.Problem is not null) return read.Problem;
        var body = read.Body!;
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(body.BrokerAccountId)) errors["brokerAccountId"] = ["Required."];
        if (string.IsNullOrWhiteSpace(body.Symbol)) errors["symbol"] = ["Required."];
        if (body.Side is null) errors["side"] = ["Required: buy or sell."];
        if (body.Quantity is null == body.Notional is null) errors["quantity"] = ["Give either a quantity or a notional."];
        if (body.Quantity is <= 0) errors["quantity"] = ["Must be positive."];
        if (body.Notional is <= 0) errors["notional"] = ["Must be positive."];
        if (errors.Count > 0) return Problems.Validation(errors);
        if (ReadRoutes.TenantOf(principal) is not { } tenant || UserId(principal) is not { } userId) return TypedResults.Unauthorized();

        var command = new PlaceManualOrder(tenant, key ?? Guid.NewGuid().ToString("N"), body.BrokerAccountId!, body.Symbol!.Trim().ToUpperInvariant(),
            body.Side == TradeSide.Buy ? OrderSide.Buy : OrderSide.Sell, body.Quantity, body.Notional);
        return await RunAsync(http, idempotency, userId, key, body, () => PlaceAsync(http, command, userId, tenants, audit, ct), ct);
    }

    /// <summary>
    /// Sells what one account holds of a symbol (the quantity the read model shows now). The order's request key is
    /// "close-" and the Idempotency-Key: a retried close is the same order, never a second sell.
    /// </summary>
    private static async Task<IResult> Close(HttpContext http, ClaimsPrincipal principal, RequestBodies bodies, IdempotencyKeys idempotency, TenantReads reads,
        IRequiredActor<TenantRegion> tenants, AuditTrail audit, string symbol, CancellationToken ct)
    {
        var (key, badKey) = IdempotencyKeys.Read(http.Request);
        if (badKey is not null) return badKey;
        var read = await bodies.ReadAsync<ClosePositionRequest>(http.Request);
        if (read.Problem is not null) return read.Problem;
        var body = read.Body!;
        if (string.IsNullOrWhiteSpace(body.BrokerAccountId)) return Problems.Validation(new Dictionary<string, string[]> { ["brokerAccountId"] = ["Required."] });
        if (ReadRoutes.TenantOf(principal) is not { } tenant || UserId(principal) is not { } userId) return TypedResults.Unauthorized();

        var instrument = symbol.Trim().ToUpperInvariant();
        async Task<IdempotencyKeys.Outcome> Execute()
        {
            var held = await reads.ReadAsync(tenant, async (connection, tx) =>
            {
                await using var command = new Npgsql.NpgsqlCommand("SELECT quantity FROM positions WHERE account_id = $1 AND symbol = $2", connection, tx);
                command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = body.BrokerAccountId! });
                command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = instrument });
                return await command.ExecuteScalarAsync(ct) is decimal q ? q : 0m;
            }, ct);
            if (held <= 0)
                return Failure(StatusCodes.Status404NotFound, "position-not-found", "No position", $"Account '{body.BrokerAccountId}' holds no {instrument}.");
            var close = new PlaceManualOrder(tenant, "close-" + (key ?? Guid.NewGuid().ToString("N")), body.BrokerAccountId!, instrument, OrderSide.Sell, held, null);
            return await PlaceAsync(http, close, userId, tenants, audit, ct);
        }

        return await RunAsync(http, idempotency, userId, key, body, Execute, ct);
    }

    private static async Task<IdempotencyKeys.Outcome> PlaceAsync(HttpContext http, PlaceManualOrder command, Guid userId, IRequiredActor<TenantRegion> tenants,
        AuditTrail audit, CancellationToken ct)
    {
        switch (await AskOrNull(await tenants.GetAsync(ct), command, ct))
        {
            case null:
                return Unavailable("Not placed yet", "The engine did not answer in time. Retry with the same Idempotency-Key: the order is placed at most once.");
            case ManualOrderPlaced placed:
                await audit.RecordAsync(userId, AuditKinds.ManualOrderPlaced, AuthRoutes.ClientIp(http),
                    $"order {placed.ClientOrderId} {command.Side} {command.Symbol} on {command.AccountId}", ct);
                return new IdempotencyKeys.Outcome(StatusCodes.Status201Created,
                    new PlacedOrderResponse(placed.ClientOrderId, placed.Status is { } s ? ReadModelNames.Status(s) : null, placed.Reason, placed.Version),
                    $"/api/v1/orders/{placed.ClientOrderId}");
            case CommandRejected rejected:
                return Failure(StatusCodes.Status422UnprocessableEntity, "order-refused", "Order refused", rejected.Reason);
            case var reply:
                throw new InvalidOperationException($"unexpected reply {reply.GetType().Name}");
        }
    }

}
