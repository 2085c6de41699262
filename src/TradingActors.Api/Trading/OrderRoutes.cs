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

namespace TradingActors.Api.Trading;

public enum TradeSide
{
    Buy = 1,
    Sell = 2,
}

/// <summary>POST /api/v1/orders: a market order by quantity or by notional (exactly one) on one of the caller's accounts.</summary>
public sealed record PlaceOrderRequest(string? BrokerAccountId, string? Symbol, TradeSide? Side, decimal? Quantity, decimal? Notional);

/// <summary>The order a request placed (or had placed before, under the same Idempotency-Key). Version: pass it as minVersion to read it back.</summary>
public sealed record PlacedOrderResponse(string Id, string? Status, string? Reason, long Version);

/// <summary>
/// POST /api/v1/orders: a manual market order through the caller's tenant, with the same exactly-once
/// rules as a strategy's: its client order id derives from the Idempotency-Key (a retried request is
/// the same order); without a key every request is a new order. GET /api/v1/orders/{id}: one order.
/// </summary>
public static class OrderRoutes
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    public static IEndpointRouteBuilder MapOrderRoutes(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1").RequireAuthorization(TraderPolicies.User).RequireRateLimiting(TraderPolicies.UserRateLimit).WithTags("trading");
        api.MapPost("/orders", Place)
            .WithSummary("Place a market order (Idempotency-Key: a retried request is the same order)")
            .AcceptsJson<PlaceOrderRequest>().Returns<PlacedOrderResponse>(201).ProducesProblems(422, 503);
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
        if (ReadRoutes.TenantOf(principal) is not { } tenant || !Guid.TryParse(principal.FindFirstValue(JwtRegisteredClaimNames.Sub), out var userId))
            return TypedResults.Unauthorized();

        var requestKey = key ?? Guid.NewGuid().ToString("N");
        var command = new PlaceManualOrder(tenant, requestKey, body.BrokerAccountId!, body.Symbol!.Trim().ToUpperInvariant(),
            body.Side == TradeSide.Buy ? OrderSide.Buy : OrderSide.Sell, body.Quantity, body.Notional);
        async Task<IdempotencyKeys.Outcome> Execute()
        {
            object reply;
            try
            {
                reply = await (await tenants.GetAsync(ct)).Ask<object>(command, AskTimeout, ct);
            }
            catch (AskTimeoutException)
            {
                return new IdempotencyKeys.Outcome(StatusCodes.Status503ServiceUnavailable, Problem(StatusCodes.Status503ServiceUnavailable, "engine-unavailable",
                    "Not placed yet", "The engine did not answer in time. Retry with the same Idempotency-Key: the order is placed at most once."), null);
            }
            switch (reply)
            {
                case ManualOrderPlaced placed:
                    await audit.RecordAsync(userId, AuditKinds.ManualOrderPlaced, AuthRoutes.ClientIp(http),
                        $"order {placed.ClientOrderId} {command.Side} {command.Symbol} on {command.AccountId}", ct);
                    return new IdempotencyKeys.Outcome(StatusCodes.Status201Created,
                        new PlacedOrderResponse(placed.ClientOrderId, placed.Status is { } s ? ReadModelNames.Status(s) : null, placed.Reason, placed.Version),
                        $"/api/v1/orders/{placed.ClientOrderId}");
                case CommandRejected rejected:
                    return new IdempotencyKeys.Outcome(StatusCodes.Status422UnprocessableEntity,
                        Problem(StatusCodes.Status422UnprocessableEntity, "order-refused", "Order refused", rejected.Reason), null);
                default:
                    throw new InvalidOperationException($"unexpected reply {reply.GetType().Name}");
            }
        }

        if (key is null)
        {
            var outcome = await Execute();
            if (outcome.Location is not null) http.Response.Headers.Location = outcome.Location;
            return Results.Json(outcome.Body, RequestBodies.Json, statusCode: outcome.Status,
                contentType: outcome.Status >= 400 ? "application/problem+json" : "application/json");
        }
        return await idempotency.RunAsync(userId, key, http.Request, body, Execute, ct);
    }

    private static ProblemDetails Problem(int status, string type, string title, string detail) =>
        new() { Status = status, Type = Problems.TypeBase + type, Title = title, Detail = detail };
}
