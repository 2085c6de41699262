using Akka.Actor;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;
using TradingActors.Engine.Hosting;
using TradingActors.Engine.Strategies;
using TradingActors.Engine.Tenants;
using TradingActors.IntegrationTests.Infrastructure;
using TradingActors.Tests.Shared;

namespace TradingActors.IntegrationTests;

/// <summary>
/// Strategies are data (decision 026): an admin creates and retires shared strategies at run time through the catalog;
/// each runs exactly once in the cluster as an always-on sharded entity and keeps its signal sequence when it moves.
/// Real PostgreSQL, two nodes in one process; orders counted at the venue and in the journal.
/// </summary>
public sealed class StrategyCatalogTests
{
    private static readonly StrategyDefinition EmaEth = new("ema-eth", "ETHUSDT", "ema-cross", """{"fast":2,"slow":3}""", MaxSignalAgeSeconds: 3_600);

    private static async Task<int> RunningCopies(string strategyId, params EngineNode[] nodes) =>
        (await Task.WhenAll(nodes.Select(n => n.RunningEntities("strategy", strategyId)))).Sum();

    [Fact]
    public async Task A_strategy_created_at_run_time_runs_once_its_subscribers_trade_it_and_it_keeps_its_sequence_when_its_node_leaves()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        var first = await EngineNode.StartAsync(EngineNode.DefaultOptions(db.ConnectionString, venues));
        var secondOptions = EngineNode.DefaultOptions(db.ConnectionString, venues);
        secondOptions.Cluster = new ClusterSettings { Port = 0, Seeds = first.Address.ToString() };
        var second = await EngineNode.StartAsync(secondOptions);
        EngineNode? survivor = null;
        try
        {
            // Before it exists: refused as unknown, and nothing starts for the id.
            var early = await second.Send(new SubscribeToStrategy("early", EmaEth.Id, "paper-1", 500m));
            Assert.IsType<CommandRejected>(early);

            var created = await first.Catalog(new CreateStrategy(EmaEth, "admin-1"));
            Assert.True(created.Accepted, string.Join("; ", created.Errors));
            Assert.True(first.CatalogView.TryGet(EmaEth.Id, out var stored));
            Assert.Equal("""{"fast":2,"slow":3}""", stored.Parameters); // canonical form
            // Created again with the same definition (a retried request): accepted, nothing new.
            var again = await second.Catalog(new CreateStrategy(EmaEth, "admin-1"));
            Assert.True(again.Accepted);
            Assert.Equal(created.Version, again.Version);
            await Eventually.TrueAsync(() => Task.FromResult(second.CatalogView.TryGet(EmaEth.Id, out _)), TimeSpan.FromSeconds(10), "the other node learns of it");
            await Eventually.TrueAsync(async () => await RunningCopies(EmaEth.Id, first, second) == 1, TimeSpan.FromSeconds(20), "the strategy runs once");

            var tenants = Enumerable.Range(1, 6).Select(i => $"cat-{i:D2}").ToArray();
            await Task.WhenAll(tenants.Select(t => second.CreatePaperSubscriber(t, strategy: EmaEth.Id)));
            var buy = (await second.Strategies.Ask<SignalPublished>(new EmitManualSignal(EmaEth.Id, OrderSide.Buy, 3_000m), TimeSpan.FromSeconds(15))).Signal;
            Assert.Equal(1, buy.Sequence);
            await Eventually.TrueAsync(() => Task.FromResult(venues.Paper.TotalPlacements == tenants.Length), TimeSpan.FromSeconds(30), "a buy per subscriber");

            // The node the strategy runs on leaves: it starts on the other one and continues the journal's sequence.
            var host = await first.RunningEntities("strategy", EmaEth.Id) == 1 ? first : second;
            survivor = host == first ? second : first;
            await host.DisposeAsync();
            Signal? sell = null;
            await Eventually.TrueAsync(async () =>
            {
                try { sell = (await survivor.Strategies.Ask<SignalPublished>(new EmitManualSignal(EmaEth.Id, OrderSide.Sell, 3_100m), TimeSpan.FromSeconds(2))).Signal; }
                catch (AskTimeoutException) { }
                return sell is not null;
            }, TimeSpan.FromSeconds(40), "the strategy answers on the survivor");
            Assert.Equal(2, sell!.Sequence);
            Assert.Equal(1, await RunningCopies(EmaEth.Id, survivor));
            var journaled = await JournalFacts.StrategySequencesAsync(db.ConnectionString, EmaEth.Id);
            Assert.Equal(new long[] { 1, 2 }, journaled);
            await Eventually.TrueAsync(async () => (await Task.WhenAll(tenants.Select(survivor.Portfolio))).All(s => s.LastProcessed(EmaEth.Id) == 2),
                TimeSpan.FromSeconds(40), "every subscriber settled #2");
            var outcomes = await JournalFacts.OutcomesAsync(db.ConnectionString, EmaEth.Id);
            foreach (var tenant in tenants)
                Assert.Equal(new long[] { 1, 2 }, outcomes.Where(o => o.TenantId == tenant && o.Kind != "order-submitted").Select(o => o.Sequence).ToArray());
            Assert.Equal(tenants.Length * 2, venues.Paper.TotalPlacements); // each order placed once, across the move
        }
        finally
        {
            await first.DisposeAsync();
            await second.DisposeAsync();
        }
    }

    [Fact]
    public async Task Configured_strategies_seed_the_catalog_once_then_the_catalog_decides_and_a_retired_one_stops_for_good()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        var options = EngineNode.DefaultOptions(db.ConnectionString, venues);
        var emaA = new StrategyDefinition("ema-a", "BTCUSDT", "ema-cross");
        options.Strategies = [new StrategyDefinition(EngineNode.Strategy, "BTCUSDT"), emaA];
        await using (var node = await EngineNode.StartAsync(options))
        {
            await Eventually.TrueAsync(async () => await node.RunningEntities("strategy") == 2, TimeSpan.FromSeconds(20), "both seeds run");
            await node.CreatePaperSubscriber("holder", strategy: emaA.Id);
            var retired = await node.Catalog(new RetireStrategy(emaA.Id, "admin-1"));
            Assert.True(retired.Accepted, string.Join("; ", retired.Errors));
            Assert.True(node.CatalogView.IsRetired(emaA.Id));
            await Eventually.TrueAsync(async () => await node.RunningEntities("strategy", emaA.Id) == 0, TimeSpan.FromSeconds(20), "the retired strategy stops");
            var refused = Assert.IsType<CommandRejected>(await node.Send(new SubscribeToStrategy("holder", emaA.Id, "paper-1", 100m, "second")));
            Assert.Contains("retired", refused.Reason);
            Assert.Equal(["strategy 'ema-a' is already retired"], (await node.Catalog(new RetireStrategy(emaA.Id, "admin-1"))).Errors);
            Assert.Contains("ids are not reused", Assert.Single((await node.Catalog(new CreateStrategy(emaA, "admin-1"))).Errors));
        }

        // Restarted with another configuration: the new seed is created, the retired one is not brought back.
        var emaB = new StrategyDefinition("ema-b", "ETHUSDT", "ema-cross", """{"fast":5,"slow":20}""");
        options.Strategies = [new StrategyDefinition(EngineNode.Strategy, "BTCUSDT"), emaA, emaB];
        await using (var node = await EngineNode.StartAsync(options))
        {
            await Eventually.TrueAsync(async () => await node.RunningEntities("strategy") == 2 && node.CatalogView.TryGet(emaB.Id, out _),
                TimeSpan.FromSeconds(20), "rsi-btc and the new seed run");
            Assert.True(node.CatalogView.IsRetired(emaA.Id));
            Assert.Equal(0, await node.RunningEntities("strategy", emaA.Id));
            // A retired strategy's messages are answered at once, never by an entity woken for it.
            var refusedStatus = await Assert.ThrowsAsync<InvalidOperationException>(() => node.Strategies.Ask<StrategyStatus>(new GetStrategyStatus(emaA.Id), TimeSpan.FromSeconds(5)));
            Assert.Equal("strategy 'ema-a' is retired", refusedStatus.Message);
            Assert.Equal(0, await node.RunningEntities("strategy", emaA.Id));
        }

        // Without any configured strategy the catalog still runs what it holds.
        options.Strategies = [];
        await using (var node = await EngineNode.StartAsync(options, waitForStrategy: false))
        {
            await Eventually.TrueAsync(async () => await node.RunningEntities("strategy") == 2 && node.CatalogView.Strategies.Count == 2,
                TimeSpan.FromSeconds(20), "the catalog's strategies run with none configured");
            Assert.Equal("rsi", (await node.StrategyStatus()).Kind);
        }
    }
}
