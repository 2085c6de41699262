using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TradingActors.Api.Identity;
using TradingActors.Api.Tests.Infrastructure;
using static TradingActors.Api.Tests.Infrastructure.ApiCalls;
using TradingActors.Brokers;
using TradingActors.Brokers.Paper;
using TradingActors.Brokers.Simulated;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Hosting;
using TradingActors.Engine.Tenants;

namespace TradingActors.Api.Tests.Trading;

/// <summary>Limit orders and cancels through HTTP (decision 024), with the real engine and read models.</summary>
[Collection(ApiCollection.Name)]
public sealed class OrderRoutesTests(ApiFixture api)
{
    private const decimal Price = 50_000m;

    private Task<SignedInTrader> SignedIn(string name)
    {
        api.Factory.Services.GetRequiredService<LatestPrices>().Update("BTCUSDT", Price);
        return api.SignIn(name);
    }

    private Task<HttpResponseMessage> Send(SignedInTrader s, HttpMethod method, string path, object? body = null, string? key = null) =>
        api.Send(s, method, path, body, key);

    private Task<HttpResponseMessage> Place(SignedInTrader s, object body, string? key = null) => Send(s, HttpMethod.Post, "/api/v1/orders", body, key);

    private Task<HttpResponseMessage> Cancel(SignedInTrader s, string id) => Send(s, HttpMethod.Delete, $"/api/v1/orders/{id}");

    private static object Limit(decimal? limitPrice, string type = "limit", string side = "buy") =>
        new { brokerAccountId = "paper-1", symbol = "BTCUSDT", side, quantity = 0.01m, type, limitPrice };

    [Fact]
    public async Task A_limit_order_needs_a_positive_limit_price_a_market_order_none_and_each_is_refused_with_a_problem_changing_nothing()
    {
        var s = await SignedIn("limit-bad");

        var missing = await ProblemAssert.Is(await Place(s, new { brokerAccountId = "paper-1", symbol = "BTCUSDT", side = "buy", quantity = 0.01m, type = "limit" }),
            HttpStatusCode.BadRequest, "validation");
        Assert.Equal(["Required for a limit order."], ProblemAssert.FieldErrors(missing, "limitPrice"));
        Assert.Equal(["Must be positive."], ProblemAssert.FieldErrors(await ProblemAssert.Is(await Place(s, Limit(0m)), HttpStatusCode.BadRequest, "validation"), "limitPrice"));
        Assert.Equal(["Must be positive."], ProblemAssert.FieldErrors(await ProblemAssert.Is(await Place(s, Limit(-5m)), HttpStatusCode.BadRequest, "validation"), "limitPrice"));
        Assert.Equal(["Only a limit order has a limit price."],
            ProblemAssert.FieldErrors(await ProblemAssert.Is(await Place(s, Limit(49_000m, type: "market")), HttpStatusCode.BadRequest, "validation"), "limitPrice"));
        Assert.Equal(["Only a limit order has a limit price."],
            ProblemAssert.FieldErrors(await ProblemAssert.Is(await Place(s, new { brokerAccountId = "paper-1", symbol = "BTCUSDT", side = "buy", quantity = 0.01m, limitPrice = 1m }),
                HttpStatusCode.BadRequest, "validation"), "limitPrice"));
        await ProblemAssert.Is(await Place(s, Limit(49_000m, type: "stop")), HttpStatusCode.BadRequest, "validation");

        var tenant = await api.Tenant(s.TenantId);
        Assert.Equal(0, tenant.OrdersFilled + tenant.OrdersRejected + tenant.OrdersFailed);
        Assert.Empty(tenant.Open);
    }

    [Fact]
    public async Task A_paper_limit_the_market_has_not_reached_rests_working_and_a_cancel_ends_it()
    {
        var s = await SignedIn("limit-rest");

        // Decision 027: the paper account's ledger is its book; the order rests until a price crosses 49 000.
        var placed = await Json(await Place(s, Limit(49_000m), "limit-low"), HttpStatusCode.Created);
        Assert.Equal("working", placed.GetProperty("status").GetString());
        var id = placed.GetProperty("id").GetString()!;
        var tenant = await api.Tenant(s.TenantId);
        Assert.Equal((OrderStatus.Working, 49_000m), (tenant.Open[id].Status, tenant.Open[id].Intent.LimitPrice));

        using var cancel = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/orders/{id}");
        cancel.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", s.Token);
        var cancelled = await Json(await api.Client.SendAsync(cancel), HttpStatusCode.Accepted);
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.Empty((await api.Tenant(s.TenantId)).Open);
    }

    [Fact]
    public async Task A_marketable_limit_order_fills_and_the_order_shows_its_type_and_limit_price()
    {
        var s = await SignedIn("limit-ok");

        var placed = await Json(await Place(s, Limit(50_100.004m), "limit-1"), HttpStatusCode.Created);

        Assert.Equal("filled", placed.GetProperty("status").GetString());
        var id = placed.GetProperty("id").GetString()!;
        var order = await Json(await s.Trader.Get($"/api/v1/orders/{id}?minVersion={placed.GetProperty("version").GetInt64()}", s.Token), HttpStatusCode.OK);
        Assert.Equal(("limit", 50_100m), (order.GetProperty("type").GetString(), order.GetProperty("limitPrice").GetDecimal())); // rounded to the tick
        Assert.True(order.GetProperty("fillPrice").GetDecimal() <= 50_100m);
        var market = await Json(await Place(s, new { brokerAccountId = "paper-1", symbol = "BTCUSDT", side = "buy", quantity = 0.01m }, "market-1"), HttpStatusCode.Created);
        var marketOrder = await Json(await s.Trader.Get($"/api/v1/orders/{market.GetProperty("id").GetString()}?minVersion={market.GetProperty("version").GetInt64()}", s.Token),
            HttpStatusCode.OK);
        Assert.Equal("market", marketOrder.GetProperty("type").GetString());
        Assert.False(marketOrder.TryGetProperty("limitPrice", out _));
    }

    [Fact]
    public async Task Cancelling_an_unknown_order_is_404_and_an_ended_one_409_for_its_owner_only()
    {
        var alice = await SignedIn("cancel-ended");
        var bob = await SignedIn("cancel-other");
        var placed = await Json(await Place(alice, new { brokerAccountId = "paper-1", symbol = "BTCUSDT", side = "buy", quantity = 0.01m }, "c-1"), HttpStatusCode.Created);
        var id = placed.GetProperty("id").GetString()!;

        var ended = await ProblemAssert.Is(await Cancel(alice, id), HttpStatusCode.Conflict, "order-ended");
        Assert.Equal("the order has already ended (filled)", ended.GetProperty("detail").GetString());
        await ProblemAssert.Is(await Cancel(alice, ClientOrderIds.Create(alice.TenantId, "paper-1", Sources.Manual("never"), 0, 0)), HttpStatusCode.NotFound, "order-not-found");
        await ProblemAssert.Is(await Cancel(alice, "not an id!"), HttpStatusCode.NotFound, "order-not-found");
        // Alice's order is not Bob's to see, nor to cancel.
        await ProblemAssert.Is(await Cancel(bob, id), HttpStatusCode.NotFound, "order-not-found");
        using (var anonymous = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/orders/{id}"))
            await ProblemAssert.Is(await api.Client.SendAsync(anonymous), HttpStatusCode.Unauthorized);
        Assert.Equal(1, (await api.Tenant(alice.TenantId)).OrdersFilled);
    }

    [Fact]
    public async Task Cancelling_an_order_whose_placement_went_unanswered_answers_its_status_and_ends_it_once_it_can_no_longer_land()
    {
        var s = await SignedIn("cancel-open");
        var accountNumber = "SIM-" + Guid.NewGuid().ToString("N")[..10];
        var linked = await Json(await Send(s, HttpMethod.Post, "/api/v1/broker-accounts", new
        {
            venue = "simulated", label = "Sim", mode = "testnet",
            credentials = new { apiKey = ApiFixture.SimulatedApiKey, secret = ApiFixture.SimulatedSecret, accountNumber },
        }, "link-1"), HttpStatusCode.Created);
        var account = linked.GetProperty("id").GetString()!;
        var venue = (SimulatedVenue)api.Factory.Services.GetRequiredService<VenueRegistry>()[TradingEngineHosting.SimulatedVenueName];
        // The venue fails after the order is sent: the order is unknown to the tenant, and (here) never reached the venue.
        venue.SetFault(accountNumber, VenueFault.Throw);
        try
        {
            var placed = await Json(await Place(s, new { brokerAccountId = account, symbol = "BTCUSDT", side = "buy", quantity = 0.01m }, "o-1"), HttpStatusCode.Created);
            var id = placed.GetProperty("id").GetString()!;

            // While the placement may still land, the cancel finds nothing to end: 202 with the order's status, still open.
            var open = await Json(await Cancel(s, id), HttpStatusCode.Accepted);
            Assert.Equal((id, "unknown"), (open.GetProperty("id").GetString(), open.GetProperty("status").GetString()));

            // Once it can no longer land (call timeout + visibility window + clock skew), the cancel ends it: never placed again.
            var deadline = DateTime.UtcNow.AddSeconds(40);
            JsonElement cancelled;
            while (true)
            {
                cancelled = await Json(await Cancel(s, id), HttpStatusCode.Accepted);
                if (cancelled.GetProperty("status").GetString() == "cancelled" || DateTime.UtcNow > deadline) break;
                await Task.Delay(500);
            }
            Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
            Assert.Equal(TenantDecisions.CancelledBeforePlacedReason, cancelled.GetProperty("reason").GetString());

            var order = await Json(await s.Trader.Get($"/api/v1/orders/{id}?minVersion={cancelled.GetProperty("version").GetInt64()}", s.Token), HttpStatusCode.OK);
            Assert.Equal("cancelled", order.GetProperty("status").GetString());
            var ended = await ProblemAssert.Is(await Cancel(s, id), HttpStatusCode.Conflict, "order-ended");
            Assert.Equal("the order has already ended (cancelled)", ended.GetProperty("detail").GetString());
            var tenant = await api.Tenant(s.TenantId);
            Assert.Equal(1, tenant.OrdersCancelled);
            Assert.Empty(tenant.Open);
            Assert.Equal(0, venue.OrderCount(accountNumber));

            using var scope = api.Factory.Services.CreateScope();
            var kinds = await scope.ServiceProvider.GetRequiredService<TraderDbContext>().Audit.Where(a => a.Detail != null && a.Detail.Contains(id)).Select(a => a.Kind).ToListAsync();
            Assert.Contains(AuditKinds.OrderCancelRequested, kinds);
        }
        finally
        {
            venue.ClearFault(accountNumber);
        }
    }
}
