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
using TradingActors.Domain.Tenants;
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

/// <summary>"market" (the default) fills at the market's price; "limit" at its limit price or better, resting at the venue until then.</summary>
public enum TradeOrderType
{
    Market = 1,
    Limit = 2,
}

/// <summary>
/// POST /api/v1/orders: an order by quantity or by notional (exactly one) on one of the caller's accounts; a limit order
/// (type "limit") needs a positive limitPrice, a market order takes none.
/// </summary>
public sealed record PlaceOrderRequest(string? BrokerAccountId, string? Symbol, TradeSide? Side, decimal? Quantity, decimal? Notional,
    TradeOrderType? Type = null, decimal? LimitPrice = null);

/// <summary>POST /api/v1/positions/{symbol}/close: the account whose holding of the symbol is sold.</summary>
public sealed record ClosePositionRequest(string? BrokerAccountId);

/// <summary>The order a request placed (or had placed before, under the same Idempotency-Key). Version: pass it as minVersion to read it back.</summary>
public sealed record PlacedOrderResponse(string Id, string? Status, string? Reason, long Version);

/// <summary>
/// DELETE /api/v1/orders/{id}: the order's status once its venue answered the cancel — "cancelled", "filled" (it filled
/// first, or in part before it was cancelled: see filledQuantity in /orders), or still open ("working", "unknown"...: the
/// venue has not ended it yet; it is still followed). Version: pass it as minVersion to read it back.
/// </summary>
public sealed record CancelOrderResponse(string Id, string Status, string? Reason, long Version);

/// <summary>
/// POST /api/v1/orders: a manual market or limit order through the caller's tenant, with the same exactly-once
/// rules as a strategy's: its client order id derives from the Idempotency-Key (a retried request is
/// the same order); without a key every request is a new order. DELETE /api/v1/orders/{id}: cancels an
/// open order. GET /api/v1/orders/{id}: one order.
/// </summary>
public static class OrderRoutes
{
    public static IEndpointRouteBuilder MapOrderRoutes(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1").RequireAuthorization(TraderPolicies.User).RequireRateLimiting(TraderPolicies.UserRateLimit).WithTags("trading");
        api.MapPost("/orders", Place)
            .WithSummary("Place a market or limit order (Idempotency-Key: a retried request is the same order)")
            .AcceptsJson<PlaceOrderRequest>().Returns<PlacedOrderResponse>(201).ProducesProblems(422, 503);
        api.MapDelete("/orders/{id}", Cancel)
            .WithSummary("Cancel an open order: answered with its status once its venue answered (cancelled, filled, or still open)")
            .Returns<CancelOrderResponse>(202).ProducesProblems(404, 409, 503);
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
        var type = body.Type ?? TradeOrderType.Market;
        if (type == TradeOrderType.Limit && body.LimitPrice is null) errors["limitPrice"] = ["Required for a limit order."];
        if (type == TradeOrderType.Limit && body.LimitPrice is <= 0) errors["limitPrice"] = ["Must be positive."];
        if (type == TradeOrderType.Market && body.LimitPrice is not null) errors["limitPrice"] = ["Only a limit order has a limit price."];
        if (errors.Count > 0) return Problems.Validation(errors);
        if (ReadRoutes.TenantOf(principal) is not { } tenant || UserId(principal) is not { } userId) return TypedResults.Unauthorized();

        var command = new PlaceManualOrder(tenant, key ?? Guid.NewGuid().ToString("N"), body.BrokerAccountId!, body.Symbol!.Trim().ToUpperInvariant(),
            body.Side == TradeSide.Buy ? OrderSide.Buy : OrderSide.Sell, body.Quantity, body.Notional,
            type == TradeOrderType.Limit ? OrderType.Limit : OrderType.Market, body.LimitPrice);
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

    /// <summary>
    /// Cancels one of the caller's open orders through its tenant, which asks the venue and persists the answer before it
    /// replies. An order the tenant no longer holds (it keeps only recent ones) may still be in the read models: ended (409).
    /// A cancel needs no Idempotency-Key: sent again, it finds the order ended (409) or still open (asked again).
    /// </summary>
    private static async Task<IResult> Cancel(HttpContext http, ClaimsPrincipal principal, TenantReads reads, IRequiredActor<TenantRegion> tenants,
        AuditTrail audit, string id, CancellationToken ct)
    {
        if (ReadRoutes.TenantOf(principal) is not { } tenant || UserId(principal) is not { } userId) return TypedResults.Unauthorized();
        var notFound = Failure(StatusCodes.Status404NotFound, "order-not-found", "Order not found", "No order of yours has this id.");
        if (!ClientOrderIds.IsValid(id)) return Send(http, notFound);
        switch (await AskOrNull(await tenants.GetAsync(ct), new CancelOrder(tenant, id), ct))
        {
            case null:
                return Send(http, Unavailable("Not answered yet", "The engine did not answer in time. The order may still be cancelled: look at it, or send the cancel again."));
            case OrderCancelAnswered answered:
                var status = ReadModelNames.Status(answered.Status);
                await audit.RecordAsync(userId, AuditKinds.OrderCancelRequested, AuthRoutes.ClientIp(http), $"order {id}: {status}", ct);
                return Send(http, new IdempotencyKeys.Outcome(StatusCodes.Status202Accepted, new CancelOrderResponse(answered.ClientOrderId, status, answered.Reason, answered.Version), null));
            case OrderCancelRefused { Refusal: CancelRefusal.Ended } ended:
                return Send(http, Ended(ended.Reason));
            case OrderCancelRefused:
                var shown = await reads.QueryAsync(tenant, "SELECT status FROM orders WHERE client_order_id = $1", r => r.GetString(0), ct, id);
                return Send(http, shown is [var past] ? Ended($"the order has already ended ({past})") : notFound);
            case var reply:
                throw new InvalidOperationException($"unexpected reply {reply.GetType().Name}");
        }
    }

    private static IdempotencyKeys.Outcome Ended(string reason) =>
        Failure(StatusCodes.Status409Conflict, "order-ended", "Order already ended", reason);

    private static async Task<IdempotencyKeys.Outcome> PlaceAsync(HttpContext http, PlaceManualOrder command, Guid userId, IRequiredActor<TenantRegion> tenants,
        AuditTrail audit, CancellationToken ct)
    {
        switch (await AskOrNull(await tenants.GetAsync(ct), command, ct))
        {
            case null:
                return Unavailable("Not placed yet", "The engine did not answer in time. Retry with the same Idempotency-Key: the order is placed at most once.");
            case ManualOrderPlaced placed:
                await audit.RecordAsync(userId, AuditKinds.ManualOrderPlaced, AuthRoutes.ClientIp(http),
                    $"order {placed.ClientOrderId} {command.Side} {command.Symbol} on {command.AccountId}{(command.Type == OrderType.Limit ? $" limit {command.LimitPrice}" : "")}", ct);
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
