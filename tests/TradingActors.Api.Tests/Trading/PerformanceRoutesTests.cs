using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Npgsql;
using Microsoft.Extensions.DependencyInjection;
using TradingActors.Api.Tests.Infrastructure;
using static TradingActors.Api.Tests.Infrastructure.ApiCalls;
using TradingActors.Brokers.Paper;
using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using TradingActors.Engine;
using TradingActors.Engine.ReadModels;
using TradingActors.Engine.Strategies;

namespace TradingActors.Api.Tests.Trading;

/// <summary>
/// Performance over time (decision 030) through HTTP with the real engine, read models and price marks: a subscription's
/// round trip and a bot's open deal, each summed up as its fills say (realised, unrealised, win rate, drawdown), the
/// curve marked over time, both exportable as CSV; unknown owners, other users and bad intervals refused.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class PerformanceRoutesTests(ApiFixture api)
{
    private const string Strategy = "rsi-btc";

    private Task<HttpResponseMessage> Send(SignedInTrader s, HttpMethod method, string path, object? body = null) => api.Send(s, method, path, body);

    private static async Task<string[]> CsvLines(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>A price, published and seen by the node's price board (the paper venue fills at it).</summary>
    private async Task Publish(string symbol, decimal price)
    {
        DistributedPubSub.Get(api.Engine.System).Mediator.Tell(new Publish(Names.PriceTopic(symbol), new PriceUpdate(symbol, price, DateTimeOffset.UtcNow)), ActorRefs.NoSender);
        var board = api.Factory.Services.GetRequiredService<LatestPrices>();
        await Eventually(() => Task.FromResult(board.TryGetLatest(symbol, out var seen) && seen == price), $"{symbol} at {price} on the price board");
    }

    private async Task Emit(SignedInTrader s, OrderSide side, decimal price)
    {
        var signal = (await api.Engine.Strategies.Ask<SignalPublished>(new EmitManualSignal(Strategy, side, price), TimeSpan.FromSeconds(15))).Signal;
        await Eventually(async () =>
        {
            var state = await api.Tenant(s.TenantId);
            return state.SettledThrough(Strategy) >= signal.Sequence && state.Open.IsEmpty;
        }, $"signal {signal.Sequence} settled");
    }

    [Fact]
    public async Task A_subscriptions_round_trip_is_summed_up_from_its_fills_marked_over_time_and_exported_as_csv()
    {
        var s = await api.SignIn("perf-sub");
        var created = await Json(await Send(s, HttpMethod.Post, "/api/v1/subscriptions", new { strategyId = Strategy, brokerAccountId = "paper-1", budget = 1_000m }),
            HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString()!;

        // Bought at 50 000, marked at 48 000 (recorded as the engine saw it arrive), sold at 55 000.
        await Publish("BTCUSDT", 50_000m);
        await Emit(s, OrderSide.Buy, 50_000m);
        await Publish("BTCUSDT", 48_000m);
        await using (var database = NpgsqlDataSource.Create(api.Database.ConnectionString))
        {
            var marks = new PriceMarkStore(database);
            await Eventually(async () => (await marks.ReadAsync("BTCUSDT")).LastOrDefault()?.Price == 48_000m, "the 48 000 mark recorded");
        }
        await Publish("BTCUSDT", 55_000m);
        await Emit(s, OrderSide.Sell, 55_000m);

        var fills = (await api.Tenant(s.TenantId)).Recent.Where(o => o.Intent.Source.EndsWith(id, StringComparison.Ordinal)).Select(o => (o.Intent.Side, o.Fill!)).ToList();
        Assert.Equal(2, fills.Count);
        var bought = fills.Single(f => f.Side == OrderSide.Buy).Item2;
        var sold = fills.Single(f => f.Side == OrderSide.Sell).Item2;
        var realised = sold.Quantity * sold.Price - sold.Fee - (bought.Quantity * bought.Price + bought.Fee);

        JsonElement report = default;
        await Eventually(async () =>
        {
            report = await Json(await Send(s, HttpMethod.Get, $"/api/v1/subscriptions/{id}/performance"));
            return report.GetProperty("summary").GetProperty("trades").GetInt32() == 2;
        }, "both fills in the read models");
        var summary = report.GetProperty("summary");
        Assert.Equal("BTCUSDT", report.GetProperty("symbol").GetString());
        Assert.Equal("1m", report.GetProperty("interval").GetString());
        Assert.Equal(Math.Round(realised, 8), summary.GetProperty("realised").GetDecimal());
        Assert.Equal(0m, summary.GetProperty("position").GetDecimal());
        Assert.Equal(Math.Round(1_000m + realised, 8), summary.GetProperty("equity").GetDecimal());
        Assert.Equal((1, 1, 1m), (summary.GetProperty("roundTrips").GetInt32(), summary.GetProperty("wins").GetInt32(), summary.GetProperty("winRate").GetDecimal()));
        Assert.Equal(bought.Fee + sold.Fee, summary.GetProperty("fees").GetDecimal());
        var curve = report.GetProperty("curve").EnumerateArray().ToList();
        Assert.Equal(1_000m, curve[0].GetProperty("equity").GetDecimal());
        Assert.Equal(Math.Round(1_000m + realised, 8), curve[^1].GetProperty("equity").GetDecimal());

        var equityCsv = await CsvLines(await Send(s, HttpMethod.Get, $"/api/v1/subscriptions/{id}/performance/equity.csv"));
        Assert.Equal("time,price,position,realised,unrealised,equity,drawdown_pct", equityCsv[0]);
        Assert.Equal(curve.Count + 1, equityCsv.Length);
        var tradesCsv = await CsvLines(await Send(s, HttpMethod.Get, $"/api/v1/subscriptions/{id}/performance/trades.csv"));
        Assert.Equal("time,client_order_id,side,quantity,price,fee,realised,position_after,realised_after", tradesCsv[0]);
        Assert.Equal(["buy", "sell"], tradesCsv.Skip(1).Select(l => l.Split(',')[2]));
        var trades = (await Json(await Send(s, HttpMethod.Get, $"/api/v1/subscriptions/{id}/performance/trades"))).EnumerateArray().ToList();
        Assert.Equal(Math.Round(realised, 8), trades[1].GetProperty("realised").GetDecimal());

        // A fixed interval; one the curve cannot take; and nothing for anyone else.
        Assert.Equal("5m", (await Json(await Send(s, HttpMethod.Get, $"/api/v1/subscriptions/{id}/performance?interval=5m"))).GetProperty("interval").GetString());
        var bad = await ProblemAssert.Is(await Send(s, HttpMethod.Get, $"/api/v1/subscriptions/{id}/performance?interval=2m"), HttpStatusCode.BadRequest, "validation");
        Assert.Contains("unknown interval '2m'", ProblemAssert.FieldErrors(bad, "interval").Single());
        var other = await api.SignIn("perf-other");
        await ProblemAssert.Is(await Send(other, HttpMethod.Get, $"/api/v1/subscriptions/{id}/performance"), HttpStatusCode.NotFound, "subscription-not-found");
        await ProblemAssert.Is(await Send(other, HttpMethod.Get, $"/api/v1/subscriptions/{id}/performance/trades.csv"), HttpStatusCode.NotFound, "subscription-not-found");

        // Ended, so the other tests' signals leave it alone.
        Assert.Equal(HttpStatusCode.OK, (await Send(s, HttpMethod.Delete, $"/api/v1/subscriptions/{id}")).StatusCode);
    }

    [Fact]
    public async Task A_bots_open_deal_is_its_ledger_marked_at_the_latest_price()
    {
        var s = await api.SignIn("perf-bot");
        await Json(await Send(s, HttpMethod.Post, "/api/v1/bots", new
        {
            id = "eth-perf", kind = "dca", symbol = "ETHUSDT", brokerAccountId = "paper-1", budget = 1_000m, barSeconds = 60,
            parameters = new { base_order = 100, safety_order = 100, max_safety_orders = 1, take_profit = 50, cooldown_bars = 1000 },
        }), HttpStatusCode.Created);
        await ProblemAssert.Is(await Send(s, HttpMethod.Get, "/api/v1/bots/nobody/performance"), HttpStatusCode.NotFound, "bot-not-found");
        Assert.Equal(0, (await Json(await Send(s, HttpMethod.Get, "/api/v1/bots/eth-perf/performance"))).GetProperty("summary").GetProperty("trades").GetInt32());
        await Json(await Send(s, HttpMethod.Post, "/api/v1/bots/eth-perf/start"));

        // One price a minute of feed time closes each bar: the deal opens at market.
        var feed = new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero);
        await Eventually(async () =>
        {
            DistributedPubSub.Get(api.Engine.System).Mediator.Tell(new Publish(Names.PriceTopic("ETHUSDT"), new PriceUpdate("ETHUSDT", 3_000m, feed)), ActorRefs.NoSender);
            feed = feed.AddMinutes(1);
            return (await api.Tenant(s.TenantId)).BotsById["eth-perf"].Ledger.Position > 0;
        }, "the base order filled");
        var ledger = (await api.Tenant(s.TenantId)).BotsById["eth-perf"].Ledger;
        await Publish("ETHUSDT", 3_200m);
        await Eventually(async () =>
        {
            var r = await Json(await Send(s, HttpMethod.Get, "/api/v1/bots/eth-perf/performance"));
            return r.GetProperty("summary").GetProperty("trades").GetInt32() == 1 && r.GetProperty("summary").GetProperty("price").GetDecimal() == 3_200m;
        }, "the base order's fill in the read models, marked at 3 200");
        var summary = (await Json(await Send(s, HttpMethod.Get, "/api/v1/bots/eth-perf/performance"))).GetProperty("summary");

        Assert.Equal(ledger.Position, summary.GetProperty("position").GetDecimal());
        Assert.Equal(Math.Round(ledger.Realised, 8), summary.GetProperty("realised").GetDecimal());
        Assert.Equal(Math.Round(ledger.Unrealised(3_200m), 8), summary.GetProperty("unrealised").GetDecimal());
        Assert.Equal(Math.Round(ledger.Equity(1_000m, 3_200m), 8), summary.GetProperty("equity").GetDecimal());
        Assert.False(summary.TryGetProperty("winRate", out var winRate) && winRate.ValueKind != JsonValueKind.Null, "no round trip, no win rate");
        var trade = Assert.Single((await Json(await Send(s, HttpMethod.Get, "/api/v1/bots/eth-perf/performance/trades"))).EnumerateArray());
        Assert.Equal(("buy", ledger.Position), (trade.GetProperty("side").GetString(), trade.GetProperty("quantity").GetDecimal()));
        Assert.Equal(2, (await CsvLines(await Send(s, HttpMethod.Get, "/api/v1/bots/eth-perf/performance/trades.csv"))).Length);

        var other = await api.SignIn("perf-bot-other");
        await ProblemAssert.Is(await Send(other, HttpMethod.Get, "/api/v1/bots/eth-perf/performance/equity.csv"), HttpStatusCode.NotFound, "bot-not-found");
        await Json(await Send(s, HttpMethod.Post, "/api/v1/bots/eth-perf/stop", new { closePosition = true }));
    }
}
