using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using TradingActors.Api.Identity;
using TradingActors.Api.Tests.Infrastructure;
using static TradingActors.Api.Tests.Infrastructure.ApiCalls;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Strategies;
using TradingActors.Engine.Tenants;

namespace TradingActors.Api.Tests.Trading;

/// <summary>Subscriptions with their own ids and the strategies list, through HTTP, with the real engine and read models.</summary>
[Collection(ApiCollection.Name)]
public sealed class SubscriptionRoutesTests(ApiFixture api)
{
    private const string Strategy = "rsi-btc";
    private const string SecondPaper = "paper-2";

    private Task<SignedInTrader> SignedIn(string name) => api.SignIn(name);

    /// <summary>A second paper account, linked through the engine directly (the API links only paper-1 today).</summary>
    private async Task LinkSecondPaper(SignedInTrader s) =>
        Assert.IsType<CommandAccepted>(await api.Engine.Tenants.Ask<object>(new LinkPaperAccount(s.TenantId, SecondPaper, 10_000m), TimeSpan.FromSeconds(15)));

    private async Task<HttpResponseMessage> Subscribe(SignedInTrader s, object body, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/subscriptions") { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", s.Token);
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        return await api.Client.SendAsync(request);
    }

    private static object On(string account, decimal budget = 1_000m) => new { strategyId = Strategy, brokerAccountId = account, budget };

    private async Task<Signal> Emit(OrderSide side, decimal price) =>
        (await api.Engine.Strategies.Ask<SignalPublished>(new EmitManualSignal(Strategy, side, price), TimeSpan.FromSeconds(15))).Signal;

    /// <summary>Waits until the tenant's journal has settled the strategy through <paramref name="sequence"/> for every active subscription.</summary>
    private async Task<TenantState> Settled(SignedInTrader s, long sequence)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var state = await api.Tenant(s.TenantId);
            if (state.SettledThrough(Strategy) >= sequence && state.Open.IsEmpty) return state;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"not settled through {sequence}");
            await Task.Delay(50);
        }
    }

    private static long Version(JsonElement body) => body.GetProperty("version").GetInt64();

    [Fact]
    public async Task One_strategy_followed_on_two_accounts_places_two_orders_for_one_signal_filterable_by_subscription_then_pause_budget_and_delete()
    {
        var s = await SignedIn("two-accounts");
        await LinkSecondPaper(s);

        var first = await Subscribe(s, On("paper-1"));
        var a = await Json(first, HttpStatusCode.Created);
        var idA = a.GetProperty("id").GetString()!;
        Assert.Equal($"/api/v1/subscriptions/{idA}", first.Headers.Location?.ToString());
        Assert.Equal(("rsi-btc", "paper-1", "BTCUSDT", "active", 1_000m),
            (a.GetProperty("strategyId").GetString(), a.GetProperty("brokerAccountId").GetString(), a.GetProperty("symbol").GetString(), a.GetProperty("status").GetString(), a.GetProperty("budget").GetDecimal()));
        var b = await Json(await Subscribe(s, On(SecondPaper, 500m)), HttpStatusCode.Created);
        var idB = b.GetProperty("id").GetString()!;
        Assert.NotEqual(idA, idB);

        var listed = await Json(await s.Trader.Get($"/api/v1/subscriptions?minVersion={Version(b)}", s.Token));
        Assert.Equal(new[] { idA, idB }.Order(), listed.EnumerateArray().Select(x => x.GetProperty("id").GetString()!).Order());
        Assert.Equal(500m, (await Json(await s.Trader.Get($"/api/v1/subscriptions/{idB}", s.Token))).GetProperty("budget").GetDecimal());

        // One signal: one order per subscription, each with its own client order id.
        var signal = await Emit(OrderSide.Buy, 50_000m);
        var state = await Settled(s, signal.Sequence);
        Assert.Equal(2, state.OrdersFilled);
        var filled = state.Recent.Where(o => o.Intent.SourceSequence == signal.Sequence).ToList();
        Assert.Equal(2, filled.Select(o => o.Intent.ClientOrderId).Distinct().Count());
        var progress = await WaitForOrders(s, 2);
        var orders = progress.EnumerateArray().ToList();
        Assert.Equal(2, orders.Count);
        Assert.Equal(new[] { idA, idB }.Order(), orders.Select(o => o.GetProperty("subscriptionId").GetString()).Order());
        Assert.All(orders, o => Assert.Equal(Strategy, o.GetProperty("strategyId").GetString()));
        var onlyB = await Json(await s.Trader.Get($"/api/v1/orders?subscription={idB}", s.Token));
        var orderB = Assert.Single(onlyB.GetProperty("items").EnumerateArray());
        Assert.Equal(SecondPaper, orderB.GetProperty("accountId").GetString());
        Assert.Single((await Json(await s.Trader.Get($"/api/v1/executions?subscription={idA}", s.Token))).GetProperty("items").EnumerateArray());

        // Pause A, halve B's budget: the next signal (a sell) only B trades; B sells what B holds.
        var paused = await Json(await s.Trader.Send(HttpMethod.Patch, $"/api/v1/subscriptions/{idA}", s.Token, new { status = "paused" }));
        Assert.Equal("paused", paused.GetProperty("status").GetString());
        var budget = await Json(await s.Trader.Send(HttpMethod.Patch, $"/api/v1/subscriptions/{idB}", s.Token, new { budget = 250m }));
        Assert.Equal(250m, budget.GetProperty("budget").GetDecimal());
        var readBack = await Json(await s.Trader.Get($"/api/v1/subscriptions/{idB}?minVersion={Version(budget)}", s.Token));
        Assert.Equal(250m, readBack.GetProperty("budget").GetDecimal());
        Assert.Equal("paused", (await Json(await s.Trader.Get($"/api/v1/subscriptions/{idA}?minVersion={Version(paused)}", s.Token))).GetProperty("status").GetString());
        var sell = await Emit(OrderSide.Sell, 51_000m);
        state = await Settled(s, sell.Sequence);
        Assert.Equal(3, state.OrdersFilled);
        Assert.True(state.Subscriptions[idA].Held > 0);
        Assert.Equal(0m, state.Subscriptions[idB].Held);

        // Delete B: gone from the list, its orders stay.
        var deleted = await Json(await s.Trader.Delete($"/api/v1/subscriptions/{idB}", s.Token));
        Assert.Equal(idB, deleted.GetProperty("id").GetString());
        var after = await Json(await s.Trader.Get($"/api/v1/subscriptions?minVersion={Version(deleted)}", s.Token));
        Assert.Equal([idA], after.EnumerateArray().Select(x => x.GetProperty("id").GetString()));
        await ProblemAssert.Is(await s.Trader.Get($"/api/v1/subscriptions/{idB}", s.Token), HttpStatusCode.NotFound, "subscription-not-found");
        await ProblemAssert.Is(await s.Trader.Delete($"/api/v1/subscriptions/{idB}", s.Token), HttpStatusCode.NotFound, "subscription-not-found");
        Assert.Equal(2, (await Json(await s.Trader.Get($"/api/v1/orders?subscription={idB}", s.Token))).GetProperty("items").GetArrayLength());
    }

    private async Task<JsonElement> WaitForOrders(SignedInTrader s, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var items = (await Json(await s.Trader.Get("/api/v1/orders", s.Token))).GetProperty("items");
            if (items.GetArrayLength() >= count || DateTime.UtcNow > deadline) return items;
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Another_users_subscription_is_not_found_for_any_route_and_stays_unchanged()
    {
        var alice = await SignedIn("sub-alice");
        var bob = await SignedIn("sub-bob");
        var created = await Json(await Subscribe(alice, On("paper-1")), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString()!;

        await ProblemAssert.Is(await bob.Trader.Get($"/api/v1/subscriptions/{id}", bob.Token), HttpStatusCode.NotFound, "subscription-not-found");
        await ProblemAssert.Is(await bob.Trader.Send(HttpMethod.Patch, $"/api/v1/subscriptions/{id}", bob.Token, new { status = "paused" }), HttpStatusCode.NotFound, "subscription-not-found");
        await ProblemAssert.Is(await bob.Trader.Delete($"/api/v1/subscriptions/{id}", bob.Token), HttpStatusCode.NotFound, "subscription-not-found");
        Assert.Empty((await Json(await bob.Trader.Get("/api/v1/subscriptions", bob.Token))).EnumerateArray());
        await ProblemAssert.Is(await alice.Trader.Get("/api/v1/subscriptions/sub-unknown", alice.Token), HttpStatusCode.NotFound, "subscription-not-found");

        var state = await api.Tenant(alice.TenantId);
        Assert.Equal(SubscriptionStatus.Active, state.Subscriptions[id].Status);
        Assert.Empty((await api.Tenant(bob.TenantId)).Subscriptions);
    }

    [Fact]
    public async Task Bad_input_is_refused_with_problem_details_and_changes_nothing()
    {
        var s = await SignedIn("sub-bad");

        var missing = await ProblemAssert.Is(await Subscribe(s, new { strategyId = Strategy }), HttpStatusCode.BadRequest, "validation");
        Assert.Equal(["Required."], ProblemAssert.FieldErrors(missing, "brokerAccountId"));
        Assert.Equal(["Required."], ProblemAssert.FieldErrors(missing, "budget"));
        Assert.Equal(["Must be positive."], ProblemAssert.FieldErrors(
            await ProblemAssert.Is(await Subscribe(s, On("paper-1", 0m)), HttpStatusCode.BadRequest, "validation"), "budget"));
        Assert.Equal(["At most 1,000,000,000."], ProblemAssert.FieldErrors(
            await ProblemAssert.Is(await Subscribe(s, On("paper-1", 1_000_000_001m)), HttpStatusCode.BadRequest, "validation"), "budget"));
        await ProblemAssert.Is(await Subscribe(s, new { strategyId = Strategy, brokerAccountId = "paper-1", budget = 5m, extra = 1 }), HttpStatusCode.BadRequest, "validation");
        var unknown = await ProblemAssert.Is(await Subscribe(s, new { strategyId = "macd", brokerAccountId = "paper-1", budget = 5m }), HttpStatusCode.UnprocessableEntity, "subscription-refused");
        Assert.Equal("unknown strategy 'macd'", unknown.GetProperty("detail").GetString());
        await ProblemAssert.Is(await Subscribe(s, On("nope")), HttpStatusCode.UnprocessableEntity, "subscription-refused");
        Assert.Empty((await api.Tenant(s.TenantId)).Subscriptions);

        var id = (await Json(await Subscribe(s, On("paper-1")), HttpStatusCode.Created)).GetProperty("id").GetString()!;
        var twice = await ProblemAssert.Is(await Subscribe(s, On("paper-1", 7m)), HttpStatusCode.Conflict, "subscription-conflict");
        Assert.Contains("already subscribed to 'rsi-btc' on account 'paper-1'", twice.GetProperty("detail").GetString());
        await ProblemAssert.Is(await s.Trader.Send(HttpMethod.Patch, $"/api/v1/subscriptions/{id}", s.Token, new { }), HttpStatusCode.BadRequest, "validation");
        await ProblemAssert.Is(await s.Trader.Send(HttpMethod.Patch, $"/api/v1/subscriptions/{id}", s.Token, new { budget = -1m }), HttpStatusCode.BadRequest, "validation");
        await ProblemAssert.Is(await s.Trader.Send(HttpMethod.Patch, $"/api/v1/subscriptions/{id}", s.Token, new { status = "stopped" }), HttpStatusCode.BadRequest, "validation");
        await ProblemAssert.Is(await s.Trader.Send(HttpMethod.Patch, $"/api/v1/subscriptions/{id}", s.Token, new { status = 2 }), HttpStatusCode.BadRequest, "validation");

        var state = await api.Tenant(s.TenantId);
        var sub = Assert.Single(state.Subscriptions.Values);
        Assert.Equal((1_000m, SubscriptionStatus.Active), (sub.Budget, sub.Status));
        Assert.Single(state.Subscriptions);
    }

    [Fact]
    public async Task A_create_replayed_with_its_idempotency_key_is_one_subscription_and_the_key_for_another_body_is_refused()
    {
        var s = await SignedIn("sub-idem");
        var first = await Subscribe(s, On("paper-1"), "create-1");
        var created = await Json(first, HttpStatusCode.Created);

        var again = await Subscribe(s, On("paper-1"), "create-1");
        Assert.Equal(created.GetRawText(), (await Json(again, HttpStatusCode.Created)).GetRawText());
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first.Headers.Location, again.Headers.Location);
        await ProblemAssert.Is(await Subscribe(s, On("paper-1", 9m), "create-1"), HttpStatusCode.UnprocessableEntity, "idempotency-key-reused");

        // A request whose answer was lost: the tenant got the command, the key never completed. The retry makes the same id.
        var userId = await UserId(s);
        await LinkSecondPaper(s);
        var lostId = Api.Trading.SubscriptionRoutes.NewId(userId, "create-2");
        Assert.IsType<CommandAccepted>(await api.Engine.Tenants.Ask<object>(new SubscribeToStrategy(s.TenantId, Strategy, SecondPaper, 300m, lostId), TimeSpan.FromSeconds(15)));
        var retried = await Json(await Subscribe(s, On(SecondPaper, 300m), "create-2"), HttpStatusCode.Created);
        Assert.Equal(lostId, retried.GetProperty("id").GetString());

        var state = await api.Tenant(s.TenantId);
        Assert.Equal(2, state.Subscriptions.Count);
        Assert.Equal(created.GetProperty("id").GetString(), state.Subscriptions.Values.Single(x => x.AccountId == "paper-1").SubscriptionId);
    }

    private async Task<Guid> UserId(SignedInTrader s)
    {
        using var scope = api.Factory.Services.CreateScope();
        return (await scope.ServiceProvider.GetRequiredService<TraderUserManager>().FindByEmailAsync(s.Trader.Email))!.Id;
    }

    [Fact]
    public async Task Strategies_list_their_parameters_subscribers_and_recent_signals()
    {
        var s = await SignedIn("sub-strategies");
        var before = (await Json(await s.Trader.Get("/api/v1/strategies", s.Token))).EnumerateArray().Single(x => x.GetProperty("id").GetString() == Strategy);
        await LinkSecondPaper(s);
        await Json(await Subscribe(s, On("paper-1")), HttpStatusCode.Created);
        var second = await Json(await Subscribe(s, On(SecondPaper)), HttpStatusCode.Created);
        var signal = await Emit(OrderSide.Buy, 49_000m);
        await Settled(s, signal.Sequence);
        await Json(await s.Trader.Get($"/api/v1/subscriptions?minVersion={Version(second)}", s.Token));

        var strategies = (await Json(await s.Trader.Get("/api/v1/strategies", s.Token))).EnumerateArray().ToList();
        var rsi = strategies.Single(x => x.GetProperty("id").GetString() == Strategy);
        Assert.Equal(("BTCUSDT", "rsi", 60), (rsi.GetProperty("symbol").GetString(), rsi.GetProperty("kind").GetString(), rsi.GetProperty("maxSignalAgeSeconds").GetInt32()));
        Assert.Equal(14, rsi.GetProperty("parameters").GetProperty("period").GetInt32());
        Assert.Contains("RSI(14)", rsi.GetProperty("description").GetString());
        Assert.Equal(before.GetProperty("subscribers").GetInt64() + 1, rsi.GetProperty("subscribers").GetInt64());
        Assert.Equal(before.GetProperty("activeSubscriptions").GetInt64() + 2, rsi.GetProperty("activeSubscriptions").GetInt64());
        var latest = rsi.GetProperty("recentSignals").EnumerateArray().First();
        Assert.Equal(signal.Sequence, latest.GetProperty("sequence").GetInt64());
        Assert.Equal("buy", latest.GetProperty("side").GetString());
        Assert.Equal(49_000m, latest.GetProperty("price").GetDecimal());
    }
}
