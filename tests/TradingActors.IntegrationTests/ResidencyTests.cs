using Akka.Actor;
using Akka.Cluster;
using TradingActors.Domain.Orders;
using TradingActors.Engine.Tenants;
using TradingActors.IntegrationTests.Infrastructure;

namespace TradingActors.IntegrationTests;

/// <summary>
/// Residency after failures (engine hardening, point 13): tenants with an active subscription are
/// resident again after their node is lost or their shard moves — brought back by the engine
/// itself, before any signal, not woken by one. (10 000 tenants: scripts/bench.sh failover.)
/// </summary>
public sealed class ResidencyTests
{
    [Fact]
    public async Task Tenants_of_a_lost_node_are_resident_again_on_the_survivor_before_any_signal()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        var options = EngineNode.DefaultOptions(db.ConnectionString, venues);
        options.IdlePassivation = TimeSpan.FromSeconds(1);
        await using var survivor = await EngineNode.StartAsync(options);
        var lostOptions = EngineNode.DefaultOptions(db.ConnectionString, venues);
        lostOptions.IdlePassivation = options.IdlePassivation;
        // Lost as a crashed node is: no graceful hand-off of its shards when it is downed (it stays, a zombie, until the end).
        lostOptions.ExtraHocon = "akka.cluster.run-coordinated-shutdown-when-down = off";
        lostOptions.Cluster = new TradingActors.Engine.Hosting.ClusterSettings { Port = 0, Seeds = survivor.Address.ToString() };
        var lost = await EngineNode.StartAsync(lostOptions);
        await Eventually.TrueAsync(() => Task.FromResult(Cluster.Get(survivor.System).State.Members.Count(m => m.Status == MemberStatus.Up) == 2), TimeSpan.FromSeconds(20), "two members");
        var tenants = Enumerable.Range(1, 60).Select(i => $"res-{i:D2}").ToArray();
        await Task.WhenAll(tenants.Select(t => survivor.CreatePaperSubscriber(t)));
        // Idle tenants (no subscription) must not come back: residency follows the subscription.
        await Task.WhenAll(Enumerable.Range(1, 10).Select(i => survivor.Accept(new CreateTenant($"idle-{i:D2}", "idle"))));
        await Eventually.TrueAsync(async () => await survivor.RegisteredSubscribers() == tenants.Length, TimeSpan.FromSeconds(20), "registered");
        await Eventually.TrueAsync(async () => await survivor.RunningEntities("tenant", "idle-*") + await lost.RunningEntities("tenant", "idle-*") == 0,
            TimeSpan.FromSeconds(10), "idle tenants passivated");
        var onLost = await lost.RunningEntities("tenant", "res-*");
        Assert.True(onLost > 0, "no tenant lived on the node that is lost");

        // The node is lost: downed (as the split-brain resolver would) and gone, without leaving.
        await using var zombie = lost;
        Cluster.Get(survivor.System).Down(lost.Address);
        await Eventually.TrueAsync(async () => await survivor.RunningEntities("tenant", "res-*") == tenants.Length, TimeSpan.FromSeconds(20),
            $"all {tenants.Length} subscribers resident on the survivor with no message sent to them");
        Assert.Equal(0, await survivor.RunningEntities("tenant", "idle-*")); // a passivated tenant is forgotten, not woken by the move

        await survivor.EmitSignal(OrderSide.Buy, 50_000m);
        await Eventually.TrueAsync(async () => (await Task.WhenAll(tenants.Select(survivor.Portfolio))).All(s => s.OrdersFilled == 1), TimeSpan.FromSeconds(15), "all filled");
    }

    [Fact]
    public async Task Tenants_whose_shard_moves_to_a_joining_node_are_resident_there_before_any_signal()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        var options = EngineNode.DefaultOptions(db.ConnectionString, venues);
        options.ExtraHocon = "akka.cluster.sharding.rebalance-interval = 1s";
        await using var first = await EngineNode.StartAsync(options);
        var tenants = Enumerable.Range(1, 60).Select(i => $"mov-{i:D2}").ToArray();
        await Task.WhenAll(tenants.Select(t => first.CreatePaperSubscriber(t)));
        await Eventually.TrueAsync(async () => await first.RegisteredSubscribers() == tenants.Length, TimeSpan.FromSeconds(20), "registered");

        var joinerOptions = EngineNode.DefaultOptions(db.ConnectionString, venues);
        joinerOptions.ExtraHocon = options.ExtraHocon;
        joinerOptions.Cluster = new TradingActors.Engine.Hosting.ClusterSettings { Port = 0, Seeds = first.Address.ToString() };
        await using var joiner = await EngineNode.StartAsync(joinerOptions);

        await Eventually.TrueAsync(async () =>
        {
            var moved = await joiner.RunningEntities("tenant", "mov-*");
            var stayed = await first.RunningEntities("tenant", "mov-*");
            return moved > 0 && moved + stayed == tenants.Length;
        }, TimeSpan.FromSeconds(30), "shards moved and every moved tenant resident on the joiner");

        await first.EmitSignal(OrderSide.Buy, 50_000m);
        // Rebalancing may still be moving shards: a read that lands in a hand-off is asked again.
        await Eventually.TrueAsync(async () => (await Task.WhenAll(tenants.Select(first.Portfolio))).All(s => s.OrdersFilled == 1), TimeSpan.FromSeconds(40), "all filled");
    }
}
