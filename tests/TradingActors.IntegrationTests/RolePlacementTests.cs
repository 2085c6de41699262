using Akka.Cluster;
using TradingActors.Domain.Orders;
using TradingActors.Engine.Hosting;
using ClusterSettings = TradingActors.Engine.Hosting.ClusterSettings;
using TradingActors.IntegrationTests.Infrastructure;

namespace TradingActors.IntegrationTests;

/// <summary>
/// Roles decide placement (decision 015): tenants, fan-out buckets and strategies run on engine nodes only, the feed on
/// feed nodes; an api node reaches them through proxies. The api node here is the oldest member, where an unrestricted
/// singleton would start.
/// </summary>
public sealed class RolePlacementTests
{
    [Fact]
    public async Task An_api_node_hosts_no_tenant_bucket_or_strategy_yet_its_commands_and_signals_reach_the_engine_node()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        var apiOptions = EngineNode.DefaultOptions(db.ConnectionString, venues);
        apiOptions.Cluster = new ClusterSettings { Port = 0, Roles = "api" };
        await using var api = await EngineNode.StartAsync(apiOptions, waitForStrategy: false);
        var engineOptions = EngineNode.DefaultOptions(db.ConnectionString, venues);
        engineOptions.Cluster = new ClusterSettings { Port = 0, Seeds = api.Address.ToString(), Roles = "engine,feed" };
        await using var engine = await EngineNode.StartAsync(engineOptions);
        Assert.Equal(api.Address, Cluster.Get(engine.System).State.Members.MinBy(m => m, Member.AgeOrdering)!.Address);

        var tenants = Enumerable.Range(1, 12).Select(i => $"role-{i:D2}").ToArray();
        await Task.WhenAll(tenants.Select(t => api.CreatePaperSubscriber(t)));
        await Eventually.TrueAsync(async () => await api.RegisteredSubscribers() == tenants.Length, TimeSpan.FromSeconds(20), "all registered");
        var signal = await api.EmitSignal(OrderSide.Buy, 60_000m);
        await Eventually.TrueAsync(() => Task.FromResult(venues.Paper.TotalPlacements == tenants.Length), TimeSpan.FromSeconds(30), "an order per tenant");

        Assert.Equal(tenants.Length, await engine.RunningEntities("tenant"));
        Assert.Equal(0, await api.RunningEntities("tenant"));
        Assert.Equal(0, await api.RunningEntities("fanout"));
        Assert.True(await engine.RunningEntities("fanout") > 0);
        Assert.Equal(1, await engine.RunningEntities("strategy", EngineNode.Strategy));
        Assert.Equal(0, await api.RunningEntities("strategy"));
        Assert.Single(await engine.FindActors("/user/strategy-catalog/singleton"));
        Assert.Empty(await api.FindActors("/user/strategy-catalog/*"));
        Assert.Equal(tenants.Length, venues.Paper.DistinctOrders);
        foreach (var tenant in tenants)
        {
            var state = await api.Portfolio(tenant);
            Assert.Equal(signal.Sequence, Assert.Single(state.LastSignal).Value);
            Assert.Equal(1, state.OrdersFilled);
        }
    }
}
