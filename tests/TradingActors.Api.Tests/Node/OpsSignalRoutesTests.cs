using Akka.Actor;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using TradingActors.Api.Tests.Infrastructure;

namespace TradingActors.Api.Tests.Node;

/// <summary>A node with an operator token: its /ops routes exist.</summary>
public sealed class OpsNodeFixture : ApiFixture
{
    public const string Token = "ops-token-of-the-api-tests-0123456789";

    protected override void Configure(Dictionary<string, string> settings) => settings["Trading:Ops:Token"] = Token;
}

/// <summary>The operators' drill routes: demo tenants on demand, a manual signal, the fan-out's progress, order outcomes as they happen.</summary>
[Collection(ApiCollection.Name)]
public sealed class OpsSignalRoutesTests(OpsNodeFixture node) : IClassFixture<OpsNodeFixture>
{
    private const string Strategy = "rsi-btc";

    private static HttpRequestMessage Ops(HttpMethod method, string path, object? body = null, string? token = OpsNodeFixture.Token)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private async Task<JsonElement> Json(HttpMethod method, string path, object? body = null)
    {
        using var response = await node.Client.SendAsync(Ops(method, path, body));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    [Fact]
    public async Task A_manual_signal_fills_every_seeded_demo_tenant_each_fill_streams_and_the_fan_out_settles()
    {
        var seeded = await Json(HttpMethod.Post, "/ops/demo/tenants", new { tenants = 3, parallelism = 2 });
        Assert.Equal(3, seeded.GetProperty("created").GetInt32());
        await Until(async () => (await Json(HttpMethod.Get, $"/ops/fanout/{Strategy}")).GetProperty("subscribers").GetInt32() == 3, "3 subscribers in the buckets");

        using var stream = await node.Client.SendAsync(Ops(HttpMethod.Get, "/ops/orders/events"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.Equal(": following", await reader.ReadLineAsync(timeout.Token));

        var signal = await Json(HttpMethod.Post, $"/ops/strategies/{Strategy}/signal", new { side = "buy", price = 60_000m });
        Assert.Equal(1, signal.GetProperty("sequence").GetInt64());
        Assert.Equal("Buy", signal.GetProperty("side").GetString());

        var filled = new HashSet<string>();
        while (filled.Count < 3 && await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
            var outcome = JsonDocument.Parse(line["data: ".Length..]).RootElement;
            Assert.Equal("filled", outcome.GetProperty("status").GetString());
            Assert.True(outcome.GetProperty("persistedAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1));
            filled.Add(outcome.GetProperty("tenantId").GetString()!);
        }
        Assert.Equal(["demo-0001", "demo-0002", "demo-0003"], filled.Order());

        await Until(async () => (await Json(HttpMethod.Get, $"/ops/fanout/{Strategy}")) is var f
                                && f.GetProperty("lagging").GetInt32() == 0
                                && f.GetProperty("buckets").EnumerateArray().Any(b => b.GetProperty("latestSequence").GetInt64() == 1),
            "every subscriber acknowledged signal 1");
    }

    [Theory]
    [InlineData("POST", "/ops/strategies/rsi-btc/signal", """{"side":"hold","price":60000}""", HttpStatusCode.BadRequest)]
    [InlineData("POST", "/ops/strategies/rsi-btc/signal", """{"side":"sell","price":0}""", HttpStatusCode.BadRequest)]
    [InlineData("POST", "/ops/strategies/no-such/signal", """{"side":"buy","price":60000}""", HttpStatusCode.NotFound)]
    [InlineData("GET", "/ops/fanout/no-such", null, HttpStatusCode.NotFound)]
    [InlineData("POST", "/ops/demo/tenants", """{"tenants":0}""", HttpStatusCode.BadRequest)]
    public async Task A_bad_drill_request_changes_nothing_and_says_why(string method, string path, string? body, HttpStatusCode expected)
    {
        var request = Ops(new HttpMethod(method), path);
        if (body is not null) request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await node.Client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Without_the_operator_token_no_signal_is_emitted()
    {
        var before = await LastSequence();
        using var response = await node.Client.SendAsync(Ops(HttpMethod.Post, $"/ops/strategies/{Strategy}/signal", new { side = "buy", price = 60_000m }, token: null));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(before, await LastSequence());
    }

    private async Task<long?> LastSequence()
    {
        var strategy = (await Json(HttpMethod.Get, "/ops/strategies")).EnumerateArray().Single(s => s.GetProperty("id").GetString() == Strategy);
        return strategy.GetProperty("lastSequence") is { ValueKind: JsonValueKind.Number } n ? n.GetInt64() : null;
    }

    private static async Task Until(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for: " + what);
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task An_operator_lists_a_tenants_bots_and_stops_one_and_unknown_ones_are_named()
    {
        var tenant = "ops-bots";
        var engine = node.Engine.Tenants;
        async Task Accept(object command) => Assert.IsType<TradingActors.Engine.Tenants.CommandAccepted>(await engine.Ask<object>(command, TimeSpan.FromSeconds(15)));
        await Accept(new TradingActors.Engine.Tenants.CreateTenant(tenant, tenant));
        await Accept(new TradingActors.Engine.Tenants.LinkPaperAccount(tenant, "paper-1", 10_000m));
        await Accept(new TradingActors.Engine.Tenants.CreateBot(tenant, new TradingActors.Domain.Bots.BotConfig("grid-1", "grid", "ETHUSDT", "paper-1",
            """{"lower":2800,"upper":3200,"levels":5,"level_quote":100}""", 1_000m, 60, new TradingActors.Domain.Bots.BotRisk())));
        await Accept(new TradingActors.Engine.Tenants.StartBot(tenant, "grid-1"));

        var bots = await Json(HttpMethod.Get, $"/ops/tenants/{tenant}/bots");
        var bot = Assert.Single(bots.EnumerateArray());
        Assert.Equal(("grid-1", "grid", "running"), (bot.GetProperty("id").GetString(), bot.GetProperty("kind").GetString(), bot.GetProperty("status").GetString()));

        var stopped = await Json(HttpMethod.Post, $"/ops/tenants/{tenant}/bots/grid-1/stop?close=true");
        Assert.Equal("stopped", stopped.GetProperty("status").GetString());
        using var again = await node.Client.SendAsync(Ops(HttpMethod.Post, $"/ops/tenants/{tenant}/bots/grid-1/stop"));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("already stopped", await again.Content.ReadAsStringAsync());
        using var unknownBot = await node.Client.SendAsync(Ops(HttpMethod.Post, $"/ops/tenants/{tenant}/bots/nope/stop"));
        Assert.Equal(HttpStatusCode.NotFound, unknownBot.StatusCode);
        using var unknownTenant = await node.Client.SendAsync(Ops(HttpMethod.Get, "/ops/tenants/nobody-here/bots"));
        Assert.Equal(HttpStatusCode.NotFound, unknownTenant.StatusCode);
    }
}
