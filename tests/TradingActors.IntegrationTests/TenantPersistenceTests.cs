using Akka.Actor;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Tenants;
using TradingActors.IntegrationTests.Infrastructure;

namespace TradingActors.IntegrationTests;

public sealed class TenantPersistenceTests
{
    [Fact]
    public async Task Restarted_actor_system_recovers_subscriptions_ledger_and_last_processed_signal()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        var options = EngineNode.DefaultOptions(db.ConnectionString, venues);
        options.TenantSnapshotEvery = 3;
        options.Strategies = [.. options.Strategies, new TradingActors.Domain.Strategies.StrategyDefinition("rsi-eth", "ETHUSDT")];
        TenantState before;
        await using (var node = await EngineNode.StartAsync(options))
        {
            await node.CreatePaperSubscriber("alice", cash: 5_000m, budget: 1_000m);
            await node.Accept(new LinkPaperAccount("alice", "paper-2", 100m));
            await node.Accept(new SubscribeToStrategy("alice", "rsi-eth", "paper-2", 50m));
            await node.Accept(new PauseSubscription("alice", "rsi-eth"));
            await Eventually.TrueAsync(async () => await node.RegisteredSubscribers() == 1, TimeSpan.FromSeconds(10), "registered");
            await node.EmitSignal(OrderSide.Buy, 50_000m);
            await Eventually.TrueAsync(async () => (await node.Portfolio("alice")).OrdersFilled == 1, TimeSpan.FromSeconds(10), "buy filled");
            before = await node.Portfolio("alice");
        }

        await using (var node = await EngineNode.StartAsync(options))
        {
            var after = await node.Portfolio("alice");
            Assert.Equal(1, after.LastProcessed(EngineNode.Strategy));
            Assert.Equal(SubscriptionStatus.Active, after.Subscriptions[EngineNode.Strategy].Status);
            Assert.Equal(SubscriptionStatus.Paused, after.Subscriptions["rsi-eth"].Status);
            Assert.Equal(before.Subscriptions[EngineNode.Strategy].Held, after.Subscriptions[EngineNode.Strategy].Held);
            Assert.True(after.Subscriptions[EngineNode.Strategy].Held > 0);
            var fill = Assert.Single(after.Recent);
            Assert.Equal(OrderStatus.Filled, fill.Status);
            Assert.Equal(before.Recent[0].Intent.ClientOrderId, fill.Intent.ClientOrderId);
            Assert.Equal(before.Accounts["paper-1"].Paper!.Cash, after.Accounts["paper-1"].Paper!.Cash);
            Assert.True(after.Accounts["paper-1"].Paper!.Cash < 5_000m);

            // The recovered tenant keeps trading: the sell closes what the subscription holds.
            await node.EmitSignal(OrderSide.Sell, 51_000m);
            await Eventually.TrueAsync(async () => (await node.Portfolio("alice")).OrdersFilled == 2, TimeSpan.FromSeconds(15), "sell filled after restart");
            var final = await node.Portfolio("alice");
            Assert.Equal(0m, final.Subscriptions[EngineNode.Strategy].Held);
            Assert.Equal(2, final.LastProcessed(EngineNode.Strategy));
        }
        Assert.True(await db.ScalarAsync("SELECT count(*) FROM snapshot WHERE persistence_id = 'tenant-alice'") >= 1, "a tenant snapshot was written");
    }

    [Fact]
    public async Task Same_signal_delivered_twice_places_one_order()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        await using var node = await EngineNode.StartAsync(EngineNode.DefaultOptions(db.ConnectionString, venues));
        await node.CreatePaperSubscriber("bob");
        await Eventually.TrueAsync(async () => await node.RegisteredSubscribers() == 1, TimeSpan.FromSeconds(10), "registered");

        var signal = await node.EmitSignal(OrderSide.Buy, 40_000m);
        await Eventually.TrueAsync(async () => (await node.Portfolio("bob")).OrdersFilled == 1, TimeSpan.FromSeconds(10), "filled");

        // Redelivered twice more, as a retrying bucket or a catch-up would (the portfolio query
        // queues behind them in the tenant's mailbox, so they have been handled when it answers).
        node.Tenants.Tell(new ExecuteSignal("bob", signal));
        node.Tenants.Tell(new CatchUpSignals("bob", EngineNode.Strategy, signal.Sequence));
        node.Tenants.Tell(new ExecuteSignal("bob", signal));

        var state = await node.Portfolio("bob");
        Assert.Equal(1, state.OrdersFilled);
        Assert.Equal(signal.Sequence, state.LastProcessed(EngineNode.Strategy));
        var clientOrderId = state.Recent.Single().Intent.ClientOrderId;
        Assert.Equal(1, venues.Paper.Placements(clientOrderId));
        Assert.Equal(1, venues.Paper.TotalPlacements);
    }
}
