using TradingActors.Brokers;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Tenants;
using TradingActors.IntegrationTests.Infrastructure;

namespace TradingActors.IntegrationTests;

public sealed class ExactlyOnceTests
{
    [Fact]
    public async Task Fill_whose_answer_was_lost_is_found_by_client_order_id_after_recovery_not_placed_again()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        var options = EngineNode.DefaultOptions(db.ConnectionString, venues);
        // Long enough that the node is stopped while the venue call still hangs.
        options.BrokerCallTimeout = TimeSpan.FromSeconds(60);
        const string venueAccount = "SIM-0001";
        string clientOrderId;

        await using (var node = await EngineNode.StartAsync(options))
        {
            await node.CreateExternalSubscriber("carol", "sim", venueAccount);
            await Eventually.TrueAsync(async () => await node.RegisteredSubscribers() == 1, TimeSpan.FromSeconds(10), "registered");

            venues.Sim.Exchange.SetFault(venueAccount, VenueFault.FillThenLoseAnswer);
            await node.EmitSignal(OrderSide.Buy, 30_000m);
            await Eventually.TrueAsync(() => Task.FromResult(venues.Sim.Exchange.OrderCount(venueAccount) == 1), TimeSpan.FromSeconds(10), "venue has the order");

            // The intent was persisted before the call; the answer never came.
            var state = await node.Portfolio("carol");
            var open = Assert.Single(state.Open.Values);
            Assert.Equal(OrderStatus.Submitted, open.Status);
            clientOrderId = open.Intent.ClientOrderId;
        }

        venues.Sim.Exchange.ClearFault(venueAccount);
        var lookupsBefore = venues.Sim.Lookups;
        await using (var node = await EngineNode.StartAsync(options))
        {
            // Nobody sends the tenant anything: its bucket wakes it, and it resolves the open order itself.
            await Eventually.TrueAsync(async () => (await node.Portfolio("carol")).OrdersFilled == 1, TimeSpan.FromSeconds(20), "order resolved as filled");
            var state = await node.Portfolio("carol");
            Assert.Empty(state.Open);
            Assert.Equal(clientOrderId, state.Recent.Single().Intent.ClientOrderId);
            Assert.Equal(OrderStatus.Filled, state.Recent.Single().Status);
            Assert.True(state.Subscriptions[EngineNode.Strategy].Held > 0, "the resolved fill is held by the subscription");
        }

        Assert.Equal(1, venues.Sim.Exchange.OrderCount(venueAccount));
        Assert.Equal(1, venues.Sim.Placements(clientOrderId)); // found, not placed again
        Assert.True(venues.Sim.Lookups > lookupsBefore);
    }

    [Fact]
    public async Task Embedded_paper_call_that_times_out_books_nothing_and_is_recorded_as_failed()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        var options = EngineNode.DefaultOptions(db.ConnectionString, venues);
        options.BrokerCallTimeout = TimeSpan.FromMilliseconds(500);
        await using var node = await EngineNode.StartAsync(options);
        await node.CreatePaperSubscriber("dave");
        await Eventually.TrueAsync(async () => await node.RegisteredSubscribers() == 1, TimeSpan.FromSeconds(10), "registered");
        var account = TenantActor.PaperAccountNumber("dave", "paper-1");
        venues.Paper.Exchange.SetFault(account, VenueFault.Hang);

        await node.EmitSignal(OrderSide.Buy, 30_000m);
        await Eventually.TrueAsync(async () => (await node.Portfolio("dave")).OrdersFailed == 1, TimeSpan.FromSeconds(10), "recorded as failed");
        venues.Paper.Exchange.ClearFault(account);

        // The paper account is the tenant's own: an unanswered paper call booked nothing, so it is
        // a failed execution (never "unknown", never looked up) and the cash is untouched.
        var state = await node.Portfolio("dave");
        Assert.Empty(state.Open);
        Assert.Equal(OrderStatus.Failed, state.Recent.Single().Status);
        Assert.Equal(10_000m, state.Accounts["paper-1"].Paper!.Cash);
        Assert.Equal(0m, state.Subscriptions[EngineNode.Strategy].Held);
        Assert.Equal(1, state.LastProcessed(EngineNode.Strategy));
        Assert.Equal(0, venues.Paper.Lookups);
    }
}
