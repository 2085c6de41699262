using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TradingActors.Api.Identity;
using TradingActors.Api.Tests.Infrastructure;
using static TradingActors.Api.Tests.Infrastructure.ApiCalls;
using TradingActors.Engine.Strategies;

namespace TradingActors.Api.Tests.Trading;

/// <summary>
/// Strategies are data (decision 026): an admin creates, pauses, resumes and retires shared strategies through the API at
/// run time; traders see and follow them at once; bad input changes nothing; a trader cannot touch them.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class StrategyAdminRoutesTests(ApiFixture api)
{
    private const string Path = "/api/v1/admin/strategies";

    private Task<HttpResponseMessage> Send(SignedInTrader s, HttpMethod method, string path, object? body = null) => api.Send(s, method, path, body);

    private async Task<string[]> TraderStrategyIds(SignedInTrader s) =>
        (await Json(await Send(s, HttpMethod.Get, "/api/v1/strategies"))).EnumerateArray().Select(x => x.GetProperty("id").GetString()!).ToArray();

    private async Task<long> Audited(string kind, string detail)
    {
        await using var connection = new NpgsqlConnection(api.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM audit WHERE kind = $1 AND detail = $2", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = kind });
        command.Parameters.Add(new NpgsqlParameter { Value = detail });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task An_admin_creates_a_strategy_traders_follow_it_at_once_and_pause_resume_and_retire_take_effect_without_a_restart()
    {
        var admin = await api.Admin("strat-admin");
        var trader = await api.SignIn("strat-trader");

        var created = await Json(await Send(admin, HttpMethod.Post, Path,
            new { id = "ema-api", kind = "ema-cross", symbol = "ETHUSDT", parameters = new { fast = 3, slow = 9 }, maxSignalAgeSeconds = 120 }), HttpStatusCode.Created);
        Assert.Equal(("ema-api", "ema-cross", "ETHUSDT", 120), (created.GetProperty("id").GetString(), created.GetProperty("kind").GetString(),
            created.GetProperty("symbol").GetString(), created.GetProperty("maxSignalAgeSeconds").GetInt32()));
        Assert.Equal((3, 9), (created.GetProperty("parameters").GetProperty("fast").GetInt32(), created.GetProperty("parameters").GetProperty("slow").GetInt32()));
        Assert.Equal(1, await Audited(AuditKinds.StrategyCreated, "ema-api"));

        // Traders see it and can follow it straight away.
        var listed = (await Json(await Send(trader, HttpMethod.Get, "/api/v1/strategies"))).EnumerateArray().Single(x => x.GetProperty("id").GetString() == "ema-api");
        Assert.Equal("ema-cross", listed.GetProperty("kind").GetString());
        Assert.Contains("EMA(3)/EMA(9) cross on ETHUSDT", listed.GetProperty("description").GetString());
        await Json(await Send(trader, HttpMethod.Post, "/api/v1/subscriptions", new { strategyId = "ema-api", brokerAccountId = "paper-1", budget = 500m }),
            HttpStatusCode.Created);

        // Pause and resume: stored by the strategy before the answer; a repeat is refused.
        string State(JsonElement e) => e.GetProperty("state").GetString()!;
        await Eventually(async () => State((await Json(await Send(admin, HttpMethod.Get, Path))).EnumerateArray().Single(x => x.GetProperty("id").GetString() == "ema-api")) == "running");
        Assert.Equal("paused", State(await Json(await Send(admin, HttpMethod.Post, $"{Path}/ema-api/pause"))));
        await ProblemAssert.Is(await Send(admin, HttpMethod.Post, $"{Path}/ema-api/pause"), HttpStatusCode.Conflict, "refused");
        Assert.Equal("running", State(await Json(await Send(admin, HttpMethod.Post, $"{Path}/ema-api/resume"))));
        Assert.Equal(1, await Audited(AuditKinds.StrategyPaused, "ema-api"));

        // Retired: gone for traders, refused for everything after, its id never reused.
        Assert.Equal("retired", State(await Json(await Send(admin, HttpMethod.Post, $"{Path}/ema-api/retire"))));
        Assert.DoesNotContain("ema-api", await TraderStrategyIds(trader));
        Assert.Contains((await Json(await Send(admin, HttpMethod.Get, Path))).EnumerateArray(),
            x => x.GetProperty("id").GetString() == "ema-api" && State(x) == "retired");
        await ProblemAssert.Is(await Send(admin, HttpMethod.Post, $"{Path}/ema-api/retire"), HttpStatusCode.Conflict, "refused");
        await ProblemAssert.Is(await Send(admin, HttpMethod.Post, $"{Path}/ema-api/pause"), HttpStatusCode.Conflict, "retired-strategy");
        var reused = await ProblemAssert.Is(await Send(admin, HttpMethod.Post, Path, new { id = "ema-api", kind = "ema-cross", symbol = "ETHUSDT" }),
            HttpStatusCode.Conflict, "strategy-exists");
        Assert.Contains("ids are not reused", reused.GetProperty("detail").GetString());
        Assert.Equal(1, await Audited(AuditKinds.StrategyRetired, "ema-api"));
    }

    [Fact]
    public async Task Bad_strategies_are_refused_field_by_field_and_create_nothing()
    {
        var admin = await api.Admin("strat-admin-bad");
        var before = await TraderStrategyIds(admin);

        var kind = await ProblemAssert.Is(await Send(admin, HttpMethod.Post, Path, new { id = "x1", kind = "martingale", symbol = "BTCUSDT" }),
            HttpStatusCode.BadRequest, "validation");
        Assert.Contains("unknown strategy kind 'martingale'", ProblemAssert.FieldErrors(kind, "kind").Single());
        var fields = await ProblemAssert.Is(await Send(admin, HttpMethod.Post, Path,
            new { id = "bad id!", kind = "rsi", symbol = "DOGEUSDT", parameters = new { period = 1, oversold = 80, overbought = 70, lookback = 3 }, maxSignalAgeSeconds = 0 }),
            HttpStatusCode.BadRequest, "validation");
        Assert.Single(ProblemAssert.FieldErrors(fields, "id"));
        Assert.Contains("unknown symbol 'DOGEUSDT'", ProblemAssert.FieldErrors(fields, "symbol").Single());
        Assert.Contains("between 1 and 86400", ProblemAssert.FieldErrors(fields, "maxSignalAgeSeconds").Single());
        Assert.Contains("period must be between 2 and 1000 (got 1)", ProblemAssert.FieldErrors(fields, "parameters.period").Single());
        Assert.Contains("has no parameter 'lookback'", ProblemAssert.FieldErrors(fields, "parameters.lookback").Single());
        var cross = await ProblemAssert.Is(await Send(admin, HttpMethod.Post, Path, new { id = "x2", kind = "rsi", symbol = "BTCUSDT", parameters = new { oversold = 80, overbought = 70 } }),
            HttpStatusCode.BadRequest, "validation");
        Assert.Contains("must be below overbought", ProblemAssert.FieldErrors(cross, "parameters.oversold").Single());
        var notObject = await ProblemAssert.Is(await Send(admin, HttpMethod.Post, Path, new { id = "x3", kind = "rsi", symbol = "BTCUSDT", parameters = new[] { 1, 2 } }),
            HttpStatusCode.BadRequest, "validation");
        Assert.Single(ProblemAssert.FieldErrors(notObject, "parameters"));
        await ProblemAssert.Is(await Send(admin, HttpMethod.Post, Path, new { id = "x4", kind = "rsi", symbol = "BTCUSDT", colour = "red" }), HttpStatusCode.BadRequest, "validation");
        var clash = await ProblemAssert.Is(await Send(admin, HttpMethod.Post, Path, new { id = "rsi-btc", kind = "rsi", symbol = "BTCUSDT", parameters = new { period = 9 } }),
            HttpStatusCode.Conflict, "strategy-exists");
        Assert.Contains("already exists with a different definition", clash.GetProperty("detail").GetString());
        await ProblemAssert.Is(await Send(admin, HttpMethod.Post, $"{Path}/nothing-here/retire"), HttpStatusCode.NotFound, "unknown-strategy");
        await ProblemAssert.Is(await Send(admin, HttpMethod.Post, $"{Path}/nothing-here/pause"), HttpStatusCode.NotFound, "unknown-strategy");

        Assert.Equal(before, await TraderStrategyIds(admin));
        Assert.Equal(before.Length, api.Factory.Services.GetRequiredService<StrategyCatalogView>().Current.Strategies.Count);
    }

    [Fact]
    public async Task A_trader_cannot_create_pause_or_retire_strategies()
    {
        var trader = await api.SignIn("strat-not-admin");
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(trader, HttpMethod.Get, Path)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(trader, HttpMethod.Post, Path, new { id = "mine", kind = "rsi", symbol = "BTCUSDT" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(trader, HttpMethod.Post, $"{Path}/rsi-btc/pause")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(trader, HttpMethod.Post, $"{Path}/rsi-btc/retire")).StatusCode);
        Assert.DoesNotContain("mine", await TraderStrategyIds(trader));
        Assert.Contains("rsi-btc", await TraderStrategyIds(trader));
    }
}
