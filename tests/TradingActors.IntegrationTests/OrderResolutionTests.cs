using Akka.Actor;
using TradingActors.Brokers;
using TradingActors.Brokers.Simulated;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Tenants;
using TradingActors.IntegrationTests.Infrastructure;

namespace TradingActors.IntegrationTests;

/// <summary>
/// Orders whose outcome is unknown (engine hardening, points 9-11): every open order is resolved
/// with its own backoff; one the venue never settles is flagged; an order is placed again only when
/// the original call can no longer be in flight and only at a venue that deduplicates; and each
/// venue answer means one thing.
/// </summary>
public sealed class OrderResolutionTests
{
    private const string Eth = "rsi-eth";

    [Fact]
    public async Task Every_open_order_is_resolved_not_only_the_oldest()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        var options = Options(db, venues);
        options.Strategies = [new StrategyDefinition(EngineNode.Strategy, "BTCUSDT"), new StrategyDefinition(Eth, "ETHUSDT")];
        options.BrokerBreakerReset = TimeSpan.FromSeconds(1); // the unanswered lookups open the account's breaker
        await using var node = await EngineNode.StartAsync(options);
        const string account = "SIM-TWO";
        await node.Accept(new CreateTenant("jo", "Jo"));
        await node.Accept(new LinkBrokerAccount("jo", "ext-1", "sim", account));
        await node.Accept(new SubscribeToStrategy("jo", EngineNode.Strategy, "ext-1", 2_000m));
        await node.Accept(new SubscribeToStrategy("jo", Eth, "ext-1", 2_000m));
        await Eventually.TrueAsync(async () => await node.RegisteredSubscribers() == 1, TimeSpan.FromSeconds(10), "registered");

        // Both strategies' orders are taken by the venue and every answer is lost, lookups' too:
        // both orders are unknown, and have each been looked up in vain.
        venues.Sim.Exchange.SetFault(account, VenueFault.TakeThenGoSilent);
        await node.EmitSignal(OrderSide.Buy, 30_000m);
        await node.Strategies.Ask<TradingActors.Engine.Strategies.SignalPublished>(
            new TradingActors.Engine.Strategies.EmitManualSignal(Eth, OrderSide.Buy, 2_000m), TimeSpan.FromSeconds(10));
        await Eventually.TrueAsync(() => Task.FromResult(venues.Sim.Exchange.OrderCount(account) == 2), TimeSpan.FromSeconds(10), "both taken by the venue");
        await Eventually.TrueAsync(async () => (await node.Portfolio("jo")).Open.Values.Count(o => o.Status == OrderStatus.Unknown) == 2, TimeSpan.FromSeconds(10), "both unknown");
        await Task.Delay(TimeSpan.FromSeconds(1));
        venues.Sim.Exchange.ClearFault(account);

        await Eventually.TrueAsync(async () => (await node.Portfolio("jo")).OrdersFilled == 2, TimeSpan.FromSeconds(15), "both resolved");
        var state = await node.Portfolio("jo");
        Assert.Empty(state.Open);
        Assert.Equal(2, venues.Sim.Exchange.OrderCount(account));
        Assert.All(state.Recent, o => Assert.Equal(1, venues.Sim.Placements(o.Intent.ClientOrderId))); // found, not placed again
    }

    [Fact]
    public async Task An_order_the_venue_never_settles_needs_attention_and_resolves_when_the_venue_answers_again()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        var options = Options(db, venues);
        options.OrderLookupsBeforeAttention = 3;
        options.BrokerBreakerReset = TimeSpan.FromSeconds(1); // the unanswered lookups open the account's breaker
        await using var node = await EngineNode.StartAsync(options);
        const string account = "SIM-MUTE";
        await CreateExternalSubscriber(node, "kim", "sim", account);

        venues.Sim.Exchange.SetFault(account, VenueFault.TakeThenGoSilent); // taken; neither the answer nor any lookup's arrives
        await node.EmitSignal(OrderSide.Buy, 30_000m);
        await Eventually.TrueAsync(async () => (await node.Portfolio("kim")).Open.Values.Any(o => o.Status == OrderStatus.Unknown), TimeSpan.FromSeconds(10), "unknown");

        await Eventually.TrueAsync(async () => (await node.Portfolio("kim")).Open.Values.Any(o => o.Status == OrderStatus.NeedsAttention),
            TimeSpan.FromSeconds(20), "flagged as needing attention");
        var flagged = (await node.Portfolio("kim")).Open.Values.Single();
        Assert.Contains("3 lookups", flagged.Reason);

        // Still looked up (slowly): once the venue answers, the order settles as the one fill.
        venues.Sim.Exchange.ClearFault(account);
        await Eventually.TrueAsync(async () => (await node.Portfolio("kim")).OrdersFilled == 1, TimeSpan.FromSeconds(20), "resolved");
        Assert.Equal(1, venues.Sim.Exchange.OrderCount(account));
    }

    [Fact]
    public async Task An_order_is_not_placed_again_while_the_original_call_may_still_land_at_a_venue_that_does_not_deduplicate()
    {
        await using var db = await TestDatabase.CreateAsync();
        // The venue takes the order five seconds after the call started, whatever became of the caller
        // (the request was sent): later than the tenant needs to come back on another node, within the call timeout.
        var slow = new LandsLate(new SimulatedVenue("nodedupe", new TradingActors.Brokers.Paper.LatestPrices(), TimeProvider.System, DuplicateHandling.None), TimeSpan.FromSeconds(5));
        var venues = new TestVenues(slow);
        var options = Options(db, venues);
        options.BrokerCallTimeout = TimeSpan.FromSeconds(8);
        options.VenueVisibilityWindow = TimeSpan.FromMilliseconds(300);
        options.ClockSkewAllowance = TimeSpan.Zero;
        const string account = "ND-1";
        await using (var node = await EngineNode.StartAsync(options))
        {
            await CreateExternalSubscriber(node, "lou", "nodedupe", account);
            await node.EmitSignal(OrderSide.Buy, 30_000m);
            await Eventually.TrueAsync(async () => (await node.Portfolio("lou")).Open.Count == 1, TimeSpan.FromSeconds(5), "intent persisted");
            await Eventually.TrueAsync(() => Task.FromResult(slow.Placements == 1), TimeSpan.FromSeconds(5), "the call is on its way to the venue");
            // The tenant's node goes away while its call is in flight; the tenant comes back on another.
        }
        await using (var node = await EngineNode.StartAsync(options))
        {
            await Eventually.TrueAsync(async () => slow.Lookups > 0, TimeSpan.FromSeconds(10), "looked up while the original is still in flight");
            Assert.Equal(0, slow.Inner.OrderCount(account));
            await Eventually.TrueAsync(async () => (await node.Portfolio("lou")).OrdersFilled == 1, TimeSpan.FromSeconds(15), "resolved by lookup");
        }
        Assert.Equal(1, slow.Inner.OrderCount(account)); // the original, found: never a second order
        Assert.Equal(1, slow.Placements);
    }

    [Fact]
    public async Task An_order_absent_after_the_visibility_window_is_placed_again_with_its_id_at_a_deduplicating_venue()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        await using var node = await EngineNode.StartAsync(Options(db, venues));
        const string account = "SIM-GONE";
        await CreateExternalSubscriber(node, "max", "sim", account);

        // The call fails in a way that says nothing about the order: unknown.
        venues.Sim.Exchange.SetFault(account, VenueFault.Throw);
        await node.EmitSignal(OrderSide.Buy, 30_000m);
        await Eventually.TrueAsync(async () => (await node.Portfolio("max")).Open.Values.Any(o => o.Status == OrderStatus.Unknown), TimeSpan.FromSeconds(10), "unknown");
        venues.Sim.Exchange.ClearFault(account);

        await Eventually.TrueAsync(async () => (await node.Portfolio("max")).OrdersFilled == 1, TimeSpan.FromSeconds(15), "placed again and filled");
        var id = (await node.Portfolio("max")).Recent.Single().Intent.ClientOrderId;
        Assert.Equal(2, venues.Sim.Placements(id)); // the original attempt and the one re-placement, same id
        Assert.Equal(1, venues.Sim.Exchange.OrderCount(account));
    }

    [Fact]
    public async Task A_venue_that_refused_the_call_records_a_failed_execution_and_nothing_is_looked_up()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        await using var node = await EngineNode.StartAsync(Options(db, venues));
        const string account = "SIM-NO";
        await CreateExternalSubscriber(node, "ned", "sim", account);
        venues.Sim.Exchange.SetFault(account, VenueFault.NotPlaced);

        await node.EmitSignal(OrderSide.Buy, 30_000m);
        await Eventually.TrueAsync(async () => (await node.Portfolio("ned")).OrdersFailed == 1, TimeSpan.FromSeconds(10), "failed");
        var state = await node.Portfolio("ned");
        Assert.Empty(state.Open);
        Assert.Contains("refused", state.Recent.Single().Reason);
        await Task.Delay(500);
        Assert.Equal(0, venues.Sim.Lookups);
        Assert.Equal(0, venues.Sim.Exchange.OrderCount(account));
    }

    [Fact]
    public async Task A_duplicate_client_order_id_answer_is_looked_up_and_booked_as_the_existing_order_never_a_failure()
    {
        await using var db = await TestDatabase.CreateAsync();
        var strict = new CountingBroker<SimulatedVenue>(new SimulatedVenue("strict", new TradingActors.Brokers.Paper.LatestPrices(), TimeProvider.System, DuplicateHandling.Refuse));
        var venues = new TestVenues(strict);
        await using var node = await EngineNode.StartAsync(Options(db, venues));
        const string account = "ST-1";
        await CreateExternalSubscriber(node, "oli", "strict", account);
        // The venue already has this order (an earlier attempt whose answer was lost).
        var id = ClientOrderIds.Create("oli", "ext-1", Sources.Strategy(EngineNode.Strategy), 1, 0);
        await strict.Exchange.PlaceOrderAsync(new BrokerAccount("ext-1", account),
            new OrderIntent(id, "ext-1", Sources.Strategy(EngineNode.Strategy), 1, "BTCUSDT", OrderSide.Buy, 0.05m, 30_000m), CancellationToken.None);

        await node.EmitSignal(OrderSide.Buy, 30_000m);
        await Eventually.TrueAsync(async () => (await node.Portfolio("oli")).OrdersFilled == 1, TimeSpan.FromSeconds(10), "booked from the lookup");
        var state = await node.Portfolio("oli");
        Assert.Equal(0, state.OrdersFailed);
        Assert.Equal(id, state.Recent.Single().Intent.ClientOrderId);
        Assert.Equal(1, strict.Exchange.OrderCount(account));
        Assert.True(strict.Lookups >= 1);
    }

    private static TradingActors.Engine.Hosting.TradingEngineOptions Options(TestDatabase db, TestVenues venues)
    {
        var options = EngineNode.DefaultOptions(db.ConnectionString, venues);
        options.BrokerCallTimeout = TimeSpan.FromMilliseconds(400);
        options.VenueVisibilityWindow = TimeSpan.FromMilliseconds(300);
        options.ClockSkewAllowance = TimeSpan.FromMilliseconds(100);
        options.OrderLookupBackoff = TimeSpan.FromMilliseconds(100);
        options.OrderLookupBackoffMax = TimeSpan.FromMilliseconds(400);
        return options;
    }

    private static async Task CreateExternalSubscriber(EngineNode node, string tenant, string venue, string venueAccount)
    {
        await node.CreateExternalSubscriber(tenant, venue, venueAccount);
        await Eventually.TrueAsync(async () => await node.RegisteredSubscribers() >= 1, TimeSpan.FromSeconds(10), "registered");
    }

    /// <summary>A venue that takes an order only after a delay, even when the caller stopped waiting (the request was already sent).</summary>
    private sealed class LandsLate(SimulatedVenue inner, TimeSpan delay) : DelegatingBrokerClient(inner)
    {
        private int _placements;
        private int _lookups;

        public SimulatedVenue Inner => inner;
        public int Placements => Volatile.Read(ref _placements);
        public int Lookups => Volatile.Read(ref _lookups);

        public override async Task<BrokerOrderResult> PlaceOrderAsync(BrokerAccount account, OrderIntent intent, CancellationToken ct)
        {
            Interlocked.Increment(ref _placements);
            // The venue's side runs on its own (the pool), whatever happens to the caller's node.
            return await Task.Run(async () =>
            {
                await Task.Delay(delay, CancellationToken.None).ConfigureAwait(false);
                return await inner.PlaceOrderAsync(account, intent, CancellationToken.None).ConfigureAwait(false);
            }, CancellationToken.None);
        }

        public override Task<BrokerOrderResult?> FindOrderAsync(BrokerAccount account, OrderLookup lookup, CancellationToken ct)
        {
            Interlocked.Increment(ref _lookups);
            return inner.FindOrderAsync(account, lookup, ct);
        }

        public override Task<ConnectivityCheck> CheckConnectivityAsync(BrokerAccount account, CancellationToken ct) => inner.CheckConnectivityAsync(account, ct);
    }
}
