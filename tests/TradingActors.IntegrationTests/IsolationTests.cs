using System.Diagnostics;
using TradingActors.Brokers;
using TradingActors.Brokers.Simulated;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Tenants;
using TradingActors.IntegrationTests.Infrastructure;

namespace TradingActors.IntegrationTests;

/// <summary>
/// Invariant 1 (isolation): one tenant's failing venue, or one venue that blocks its threads, never
/// delays another tenant's orders beyond their usual latency — measured against a first signal in
/// the same test, with nothing failing.
/// </summary>
public sealed class IsolationTests
{
    [Theory]
    [InlineData(VenueFault.Throw)]
    [InlineData(VenueFault.Hang)]
    [InlineData(VenueFault.Reject)]
    public async Task One_failing_paper_account_among_100_tenants_does_not_slow_the_other_99(VenueFault fault)
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
        var healthy = tenants.Where(t => t != failing).ToArray();

        var usual = await TimeToSettle(node, healthy, OrderSide.Buy, 1);
        venues.Paper.Exchange.SetFault(TenantActor.PaperAccountNumber(failing, "paper-1"), fault);
        var withFault = await TimeToSettle(node, healthy, OrderSide.Sell, 2);
        Assert.True(withFault <= usual * 2 + TimeSpan.FromMilliseconds(500),
            $"the 99 healthy tenants took {withFault.TotalMilliseconds:0} ms with one failing venue, {usual.TotalMilliseconds:0} ms without");

        // The paper account is the tenant's own: a paper call without an answer booked nothing (failed, never unknown).
        var expected = fault == VenueFault.Reject ? OrderStatus.Rejected : OrderStatus.Failed;
        await Eventually.TrueAsync(async () => (await node.Portfolio(failing)).Recent.Any(o => o.Intent.SourceSequence == 2 && o.Status == expected),
            TimeSpan.FromSeconds(20), $"the failing tenant recorded {expected}");
        var failed = await node.Portfolio(failing);
        Assert.Equal(1, failed.OrdersFilled); // only the buy, before the fault
        if (fault == VenueFault.Throw) Assert.Contains("injected", failed.Recent[^1].Reason);
    }

    [Fact]
    public async Task A_venue_that_blocks_its_threads_does_not_slow_tenants_on_other_venues()
    {
        await using var db = await TestDatabase.CreateAsync();
        var blocking = new BlockingVenue(new SimulatedVenue("slow", new TradingActors.Brokers.Paper.LatestPrices(), TimeProvider.System));
        var venues = new TestVenues(blocking);
        var options = EngineNode.DefaultOptions(db.ConnectionString, venues);
        options.BrokerCallTimeout = TimeSpan.FromSeconds(20);
        await using var node = await EngineNode.StartAsync(options);
        var onSlow = Enumerable.Range(1, 30).Select(i => $"slow-{i:D2}").ToArray();
        var onSim = Enumerable.Range(1, 40).Select(i => $"sim-{i:D2}").ToArray();
        var onPaper = Enumerable.Range(1, 30).Select(i => $"pap-{i:D2}").ToArray();
        await Task.WhenAll(onSlow.Select(t => node.CreateExternalSubscriber(t, "slow", "ACC-" + t)));
        await Task.WhenAll(onSim.Select(t => node.CreateExternalSubscriber(t, "sim", "ACC-" + t)));
        await Task.WhenAll(onPaper.Select(t => node.CreatePaperSubscriber(t)));
        await Eventually.TrueAsync(async () => await node.RegisteredSubscribers() == 100, TimeSpan.FromSeconds(20), "all registered");
        var others = onSim.Concat(onPaper).ToArray();

        var usual = await TimeToSettle(node, others, OrderSide.Buy, 1);
        // Now every call to the slow venue blocks its thread for 8 s (a synchronous token refresh, a stuck DNS lookup).
        blocking.Block = TimeSpan.FromSeconds(8);
        var withBlocking = await TimeToSettle(node, others, OrderSide.Sell, 2);
        Assert.True(withBlocking <= usual * 2 + TimeSpan.FromMilliseconds(500),
            $"tenants on other venues took {withBlocking.TotalMilliseconds:0} ms while one venue blocked its threads, {usual.TotalMilliseconds:0} ms before");
        // The others may settle before the slow venue's first call has even started: wait for it.
        await Eventually.TrueAsync(() => Task.FromResult(blocking.Blocked > 0), TimeSpan.FromSeconds(10), "the slow venue called");
    }

    /// <summary>Emits a signal and returns how long until every given tenant has settled it.</summary>
    private static async Task<TimeSpan> TimeToSettle(EngineNode node, string[] tenants, OrderSide side, long sequence)
    {
        var clock = Stopwatch.StartNew();
        await node.EmitSignal(side, 50_000m);
        await Eventually.TrueAsync(async () => (await Task.WhenAll(tenants.Select(node.Portfolio))).All(s => s.LastProcessed(EngineNode.Strategy) >= sequence),
            TimeSpan.FromSeconds(30), $"signal #{sequence} settled by {tenants.Length} tenants");
        return clock.Elapsed;
    }

    /// <summary>A connector that, when told to, blocks the calling thread before answering (no await: a synchronous call inside).</summary>
    private sealed class BlockingVenue(SimulatedVenue inner) : DelegatingBrokerClient(inner)
    {
        private int _blocked;

        public TimeSpan Block { get; set; } = TimeSpan.Zero;
        public int Blocked => Volatile.Read(ref _blocked);

        public override Task<BrokerOrderResult> PlaceOrderAsync(BrokerAccount account, OrderIntent intent, CancellationToken ct)
        {
            BlockIfTold();
            return inner.PlaceOrderAsync(account, intent, ct);
        }

        public override Task<BrokerOrderResult?> FindOrderAsync(BrokerAccount account, OrderLookup lookup, CancellationToken ct)
        {
            BlockIfTold();
            return inner.FindOrderAsync(account, lookup, ct);
        }

        public override Task<ConnectivityCheck> CheckConnectivityAsync(BrokerAccount account, CancellationToken ct)
        {
            BlockIfTold();
            return inner.CheckConnectivityAsync(account, ct);
        }

        private void BlockIfTold()
        {
            if (Block <= TimeSpan.Zero) return;
            Interlocked.Increment(ref _blocked);
            Thread.Sleep(Block);
        }
    }
}
