using System.Diagnostics;
using TradingActors.Brokers.Paper;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Tenants;
using TradingActors.IntegrationTests.Infrastructure;

namespace TradingActors.IntegrationTests;

public sealed class IsolationTests
{
    [Theory]
    [InlineData(PaperFault.Throw)]
    [InlineData(PaperFault.Hang)]
    [InlineData(PaperFault.Reject)]
    public async Task One_failing_broker_among_100_tenants_does_not_stop_the_other_99(PaperFault fault)
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        var options = EngineNode.DefaultOptions(db.ConnectionString, venues);
        options.BrokerCallTimeout = TimeSpan.FromSeconds(10);
        await using var node = await EngineNode.StartAsync(options);
        var tenants = Enumerable.Range(1, 100).Select(i => $"iso-{i:D3}").ToArray();
        foreach (var batch in tenants.Chunk(25)) await Task.WhenAll(batch.Select(t => node.CreatePaperSubscriber(t)));
        await Eventually.TrueAsync(async () => await node.RegisteredSubscribers() == 100, TimeSpan.FromSeconds(15), "all registered");
        var failing = tenants[41];
        venues.Paper.Exchange.SetFault(TenantActor.PaperAccountNumber(failing, "paper-1"), fault);

        var clock = Stopwatch.StartNew();
        await node.EmitSignal(OrderSide.Buy, 50_000m);
        var healthy = tenants.Where(t => t != failing).ToArray();
        await Eventually.TrueAsync(async () =>
        {
            var states = await Task.WhenAll(healthy.Select(node.Portfolio));
            return states.All(s => s.OrdersFilled == 1);
        }, TimeSpan.FromSeconds(30), "the 99 healthy tenants filled");
        // The hanging venue costs its own tenant the call timeout, never the others.
        Assert.True(clock.Elapsed < options.BrokerCallTimeout, $"healthy tenants took {clock.Elapsed.TotalSeconds:0.0} s");

        var expected = fault switch
        {
            PaperFault.Throw => OrderStatus.Failed,
            PaperFault.Reject => OrderStatus.Rejected,
            _ => OrderStatus.Unknown,
        };
        await Eventually.TrueAsync(async () =>
        {
            var s = await node.Portfolio(failing);
            return s.Recent.Any(o => o.Status == expected) || s.Open.Values.Any(o => o.Status == expected);
        }, TimeSpan.FromSeconds(20), $"the failing tenant recorded {expected}");
        var failed = await node.Portfolio(failing);
        Assert.Equal(0, failed.OrdersFilled);
        if (fault == PaperFault.Throw)
            Assert.Contains("injected", failed.Recent.Single().Reason);
    }
}
