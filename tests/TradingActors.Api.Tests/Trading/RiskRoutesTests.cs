using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Akka.Cluster.Tools.PublishSubscribe;
using TradingActors.Api.Identity;
using TradingActors.Api.Tests.Infrastructure;
using static TradingActors.Api.Tests.Infrastructure.ApiCalls;
using TradingActors.Domain.Market;
using TradingActors.Engine;

namespace TradingActors.Api.Tests.Trading;

/// <summary>
/// /api/v1/risk (decision 031) through HTTP with the real engine: bad limits refused field by field (400) with nothing
/// changed; limits set, audited and shown with where the trader's bots stand (a DCA bot on the paper account, AAPL prices
/// of this class's own); a kill switch set below the drawdown already there stops the bot at once with the reason; another
/// user sees none of it.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class RiskRoutesTests(ApiFixture api)
{
    private const string Path = "/api/v1/risk";
    private const string Symbol = "AAPL"; // no other test trades it: its prices here are this class's alone
    private static DateTimeOffset _clock = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private Task<HttpResponseMessage> Send(SignedInTrader s, HttpMethod method, string path, object? body = null) => api.Send(s, method, path, body);

    /// <summary>One AAPL price a minute of feed time (each closes the bar before it).</summary>
    private void Tick(decimal price)
    {
        DistributedPubSub.Get(api.Engine.System).Mediator.Tell(new Publish(Names.PriceTopic(Symbol), new PriceUpdate(Symbol, price, _clock)), Akka.Actor.ActorRefs.NoSender);
        _clock = _clock.AddMinutes(1);
    }

    private static (decimal MaxExposure, int MaxOpenOrders, decimal MaxDrawdownPercent) Limits(JsonElement risk) =>
        (risk.GetProperty("maxExposure").GetDecimal(), risk.GetProperty("maxOpenOrders").GetInt32(), risk.GetProperty("maxDrawdownPercent").GetDecimal());

    private static decimal Now(JsonElement risk, string what) => risk.GetProperty("now").GetProperty(what).GetDecimal();

    [Fact]
    public async Task Bad_limits_are_refused_field_by_field_and_nothing_changes()
    {
        var s = await api.SignIn("risk-bad");

        var problem = await ProblemAssert.Is(await Send(s, HttpMethod.Put, Path, new { maxExposure = -1m, maxOpenOrders = 1_001, maxDrawdownPercent = 100m }),
            HttpStatusCode.BadRequest, "validation");
        Assert.Equal(["maxExposure must be at least 0 and at most 1,000,000,000 (0: off)"], ProblemAssert.FieldErrors(problem, "maxExposure"));
        Assert.Equal(["maxOpenOrders must be between 0 and 1000, what the plan's bots may have open (0: off)"], ProblemAssert.FieldErrors(problem, "maxOpenOrders"));
        Assert.Equal(["maxDrawdownPercent must be at least 0 and below 100 (0: off)"], ProblemAssert.FieldErrors(problem, "maxDrawdownPercent"));
        // A body that is not the shape at all is the API's 400, as on every route.
        Assert.Single(ProblemAssert.FieldErrors(await ProblemAssert.Is(await Send(s, HttpMethod.Put, Path, new { maxExposure = 10m, colour = "red" }),
            HttpStatusCode.BadRequest, "validation"), "colour"));
        await ProblemAssert.Is(await Send(s, HttpMethod.Put, Path), HttpStatusCode.BadRequest, "validation");

        Assert.Equal((0m, 0, 0m), Limits(await Json(await Send(s, HttpMethod.Get, Path))));
        Assert.Null((await api.Tenant(s.TenantId)).Risk);
    }

    [Fact]
    public async Task Limits_are_set_audited_and_shown_with_the_bots_now_and_a_kill_switch_below_the_drawdown_stops_the_bots_at_once()
    {
        var s = await api.SignIn("risk-set");
        var other = await api.SignIn("risk-other");

        var set = await Json(await Send(s, HttpMethod.Put, Path, new { maxExposure = 150m, maxOpenOrders = 5, maxDrawdownPercent = 20m }));
        Assert.Equal((150m, 5, 20m), Limits(set));
        Assert.True(set.GetProperty("version").GetInt64() > 0);
        Assert.Equal((0m, 0m, 0m, 0m, 0m), (Now(set, "exposure"), Now(set, "openOrders"), Now(set, "equity"), Now(set, "peakEquity"), Now(set, "drawdownPercent")));
        Assert.Equal((150m, 5, 20m), Limits(await Json(await Send(s, HttpMethod.Get, Path))));
        Assert.Equal((0m, 0, 0m), Limits(await Json(await Send(other, HttpMethod.Get, Path))));
        var audit = (await Json(await Send(s, HttpMethod.Get, "/api/v1/audit?limit=10"))).GetProperty("items").EnumerateArray().First();
        Assert.Equal((AuditKinds.RiskLimitsSet, "maxExposure 150, maxOpenOrders 5, maxDrawdownPercent 20"),
            (audit.GetProperty("kind").GetString(), audit.GetProperty("detail").GetString()));

        // A DCA bot of 500 buys 100 of AAPL at 200 (0.499 at 200.1, fee 0.0998499: 99.9497499 at cost); its take profit rests far above.
        await Json(await Send(s, HttpMethod.Post, "/api/v1/bots", new
        {
            id = "aapl-dca", kind = "dca", symbol = Symbol, brokerAccountId = "paper-1", budget = 500m, barSeconds = 60,
            parameters = new { base_order = 100, safety_order = 0, max_safety_orders = 0, take_profit = 50, cooldown_bars = 1000 },
        }), HttpStatusCode.Created);
        await Json(await Send(s, HttpMethod.Post, "/api/v1/bots/aapl-dca/start"));
        await Eventually(async () =>
        {
            Tick(200m);
            // The take profit is decided on the step after the fill: both, before the counts are read.
            var state = await api.Tenant(s.TenantId);
            return state.BotsById["aapl-dca"].Ledger.Position > 0 && state.Open.Values.Any(o => o.Intent.Source == state.BotsById["aapl-dca"].Config.Source);
        }, "the base order filled and its take profit resting");
        var holding = await Json(await Send(s, HttpMethod.Get, Path));
        Assert.Equal(99.9497499m, Now(holding, "exposure"));
        Assert.Equal(1m, Now(holding, "openOrders"));
        Assert.Equal(500m, Now(holding, "peakEquity"));

        // At 150 its equity is 500 - 99.9497499 + 74.85 = 474.9002501, 5.02 % below 500: within 20 %.
        await Eventually(async () =>
        {
            Tick(150m);
            return Now(await Json(await Send(s, HttpMethod.Get, Path)), "equity") == 474.9002501m;
        }, "the bots' equity at 150");
        Assert.Equal(5.0199m, Now(await Json(await Send(s, HttpMethod.Get, Path)), "drawdownPercent"));
        Assert.Equal("running", (await Json(await Send(s, HttpMethod.Get, "/api/v1/bots/aapl-dca"))).GetProperty("status").GetString());

        // A kill switch of 4 % stands at once: the bot stops with the reason and its position is sold.
        var lowered = await Json(await Send(s, HttpMethod.Put, Path, new { maxExposure = 150m, maxOpenOrders = 5, maxDrawdownPercent = 4m }));
        Assert.Equal((150m, 5, 4m), Limits(lowered));
        var bot = await Json(await Send(s, HttpMethod.Get, "/api/v1/bots/aapl-dca"));
        Assert.Equal("stopped", bot.GetProperty("status").GetString());
        Assert.Equal("tenant kill switch: the bots' combined drawdown 5.02% reached the tenant's maxDrawdownPercent 4% (combined equity 474.9, peak 500)",
            bot.GetProperty("stopReason").GetString());
        await Eventually(async () => (await api.Tenant(s.TenantId)).BotsById["aapl-dca"].Ledger.Position == 0 && (await api.Tenant(s.TenantId)).Open.IsEmpty,
            "position sold and the take profit cancelled");
        await ProblemAssert.Is(await Send(s, HttpMethod.Post, "/api/v1/bots/aapl-dca/start"), HttpStatusCode.Conflict, "bot-refused");
        Assert.Empty((await api.Tenant(other.TenantId)).BotsById);
    }
}
