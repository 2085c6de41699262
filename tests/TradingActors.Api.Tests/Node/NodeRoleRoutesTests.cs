using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TradingActors.Api.Tests.Infrastructure;

namespace TradingActors.Api.Tests.Node;

/// <summary>A node with the engine and feed roles only (decision 015).</summary>
public sealed class EngineNodeFixture : ApiFixture
{
    protected override void Configure(Dictionary<string, string> settings) => settings["Trading:Cluster:Roles"] = "engine,feed";
}

/// <summary>A node with the api role only, alone: no engine node to send commands to.</summary>
public sealed class LoneApiNodeFixture : ApiFixture
{
    protected override void Configure(Dictionary<string, string> settings) => settings["Trading:Cluster:Roles"] = "api";
    protected override bool BecomesReady => false;
}

/// <summary>Roles decide what a node serves: the trader API only where the api role is, the operators' routes everywhere.</summary>
[Collection(ApiCollection.Name)]
public sealed class EngineNodeRoutesTests(EngineNodeFixture node) : IClassFixture<EngineNodeFixture>
{
    [Theory]
    [InlineData("GET", "/api/v1/strategies")]
    [InlineData("POST", "/api/v1/auth/register")]
    [InlineData("GET", "/summary")]
    [InlineData("GET", "/openapi/v1.json")]
    public async Task A_node_without_the_api_role_has_no_trader_routes(string method, string path)
    {
        using var response = await node.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = method == "POST" ? JsonContent.Create(new { email = "x@example.test" }) : null,
        });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task It_still_answers_health_readiness_and_metrics_and_says_its_roles()
    {
        Assert.Equal(HttpStatusCode.OK, (await node.Client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await node.Client.GetAsync("/metrics")).StatusCode);
        using var ready = await node.Client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["engine", "feed"], body.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(1, body.GetProperty("enginesUp").GetInt32());
    }
}

[Collection(ApiCollection.Name)]
public sealed class LoneApiNodeTests(LoneApiNodeFixture node) : IClassFixture<LoneApiNodeFixture>
{
    [Fact]
    public async Task An_api_node_without_an_engine_node_is_an_Up_member_but_not_ready()
    {
        using var ready = await node.Client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("not ready", body.GetProperty("status").GetString());
        Assert.Equal("Up", body.GetProperty("member").GetString());
        Assert.Equal(0, body.GetProperty("enginesUp").GetInt32());
        Assert.Equal("reachable", body.GetProperty("journal").GetString());
    }
}
