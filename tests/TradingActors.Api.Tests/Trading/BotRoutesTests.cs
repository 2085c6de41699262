using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Akka.Cluster.Tools.PublishSubscribe;
using TradingActors.Api.Tests.Infrastructure;
using static TradingActors.Api.Tests.Infrastructure.ApiCalls;
using TradingActors.Domain.Market;
using TradingActors.Engine;

namespace TradingActors.Api.Tests.Trading;

/// <summary>
/// /api/v1/bots (decision 028) through HTTP with the real engine and read models: bad configurations refused field by
/// field and nothing created; a DCA bot on the paper account started, trading on published prices, its orders listed,
/// stopped with its position closed and deleted; another user sees none of it.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class BotRoutesTests(ApiFixture api)
{
    private const string Path = "/api/v1/bots";
    private static DateTimeOffset _clock = new(2026, 2, 1, 0, 0, 0, TimeSpan.Zero);

    private Task<HttpResponseMessage> Send(SignedInTrader s, HttpMethod method, string path, object? body = null) => api.Send(s, method, path, body);

    /// <summary>One ETHUSDT price a minute of feed time (each closes the bar before it).</summary>
    private void Tick(decimal price)
    {
        DistributedPubSub.Get(api.Engine.System).Mediator.Tell(new Publish(Names.PriceTopic("ETHUSDT"), new PriceUpdate("ETHUSDT", price, _clock)), Akka.Actor.ActorRefs.NoSender);
        _clock = _clock.AddMinutes(1);
    }

    private static object Dca(string id) => new
    {
        id, kind = "dca", symbol = "ETHUSDT", brokerAccountId = "paper-1", budget = 1_000m, barSeconds = 60,
        parameters = new { base_order = 100, safety_order = 100, max_safety_orders = 1, take_profit = 2, cooldown_bars = 1000 },
        risk = new { maxDrawdownPercent = 50 },
    };

    [Fact]
    public async Task Bad_bots_are_refused_field_by_field_and_nothing_is_created()
    {
        var s = await api.SignIn("bot-bad");
        var problem = await ProblemAssert.Is(await Send(s, HttpMethod.Post, Path, new
        {
            id = "bad id!", kind = "dca", symbol = "DOGEUSDT", brokerAccountId = "nowhere", budget = -5m, barSeconds = 0,
            parameters = new { base_order = 100, safety_order = 100, take_profit = 0 }, risk = new { maxOpenOrders = 0, stopLossPercent = 100 },
        }), HttpStatusCode.BadRequest, "validation");
        foreach (var field in new[] { "id", "symbol", "brokerAccountId", "budget", "barSeconds", "risk.maxOpenOrders", "risk.stopLossPercent", "parameters.take_profit" })
            Assert.Single(ProblemAssert.FieldErrors(problem, field));
        Assert.Contains("unknown strategy kind 'macd'",
            ProblemAssert.FieldErrors(await ProblemAssert.Is(await Send(s, HttpMethod.Post, Path, new { kind = "macd", symbol = "ETHUSDT", brokerAccountId = "paper-1", budget = 10m }),
                HttpStatusCode.BadRequest, "validation"), "kind").Single());
        await ProblemAssert.Is(await Send(s, HttpMethod.Post, Path, new { kind = "rsi", symbol = "ETHUSDT", brokerAccountId = "paper-1", budget = 10m, colour = "red" }),
            HttpStatusCode.BadRequest, "validation");
        Assert.Empty((await Json(await Send(s, HttpMethod.Get, Path))).EnumerateArray());
        Assert.Empty((await api.Tenant(s.TenantId)).BotsById);
    }

    [Fact]
    public async Task A_dca_bot_on_paper_trades_is_listed_with_its_orders_and_is_stopped_with_its_position_closed_and_deleted()
    {
        var s = await api.SignIn("bot-dca");
        var other = await api.SignIn("bot-other");

        var created = await Json(await Send(s, HttpMethod.Post, Path, Dca("eth-dca")), HttpStatusCode.Created);
        Assert.Equal(("stopped", "dca", 100.0), (created.GetProperty("status").GetString(), created.GetProperty("kind").GetString(),
            created.GetProperty("parameters").GetProperty("base_order").GetDouble()));
        await ProblemAssert.Is(await Send(s, HttpMethod.Post, Path, new { id = "eth-dca", kind = "rsi", symbol = "ETHUSDT", brokerAccountId = "paper-1", budget = 5m }),
            HttpStatusCode.Conflict, "bot-exists");
        await ProblemAssert.Is(await Send(s, HttpMethod.Post, $"{Path}/eth-dca/pause"), HttpStatusCode.Conflict, "bot-refused");
        Assert.Equal("running", (await Json(await Send(s, HttpMethod.Post, $"{Path}/eth-dca/start"))).GetProperty("status").GetString());
        await ProblemAssert.Is(await Send(s, HttpMethod.Post, $"{Path}/eth-dca/start"), HttpStatusCode.Conflict, "bot-refused");

        // Bars close at 3 000: the deal opens at market, its take profit and safety order rest.
        await Eventually(async () =>
        {
            Tick(3_000m);
            var bot = await Json(await Send(s, HttpMethod.Get, $"{Path}/eth-dca"));
            return bot.GetProperty("performance").GetProperty("position").GetDecimal() > 0;
        }, "the base order filled");
        await Eventually(async () => (await Json(await Send(s, HttpMethod.Get, $"{Path}/eth-dca/orders"))).EnumerateArray().Count() == 3, "three orders in the read models");
        var orders = (await Json(await Send(s, HttpMethod.Get, $"{Path}/eth-dca/orders"))).EnumerateArray().ToList();
        Assert.All(orders, o => Assert.Equal("bot:eth-dca", o.GetProperty("source").GetString()));
        Assert.Equal(["filled", "working", "working"], orders.Select(o => o.GetProperty("status").GetString()).Order());

        // Another user sees none of it.
        Assert.Equal(HttpStatusCode.NotFound, (await Send(other, HttpMethod.Get, $"{Path}/eth-dca")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(other, HttpMethod.Post, $"{Path}/eth-dca/stop")).StatusCode);
        Assert.Empty((await Json(await Send(other, HttpMethod.Get, Path))).EnumerateArray());

        // Running, it cannot be deleted; stopped with its position closed, its resting orders are cancelled and it can.
        await ProblemAssert.Is(await Send(s, HttpMethod.Delete, $"{Path}/eth-dca"), HttpStatusCode.Conflict, "bot-refused");
        var stopped = await Json(await Send(s, HttpMethod.Post, $"{Path}/eth-dca/stop", new { closePosition = true }));
        Assert.Equal("stopped", stopped.GetProperty("status").GetString());
        await Eventually(async () =>
        {
            var state = await api.Tenant(s.TenantId);
            return state.BotsById["eth-dca"].Ledger.Position == 0 && state.Open.IsEmpty;
        }, "position sold and resting orders cancelled");
        var bot = await Json(await Send(s, HttpMethod.Get, $"{Path}/eth-dca"));
        Assert.Equal(1, bot.GetProperty("performance").GetProperty("roundTrips").GetInt32());
        Assert.Equal(HttpStatusCode.NoContent, (await Send(s, HttpMethod.Delete, $"{Path}/eth-dca")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(s, HttpMethod.Get, $"{Path}/eth-dca")).StatusCode);
    }
}
