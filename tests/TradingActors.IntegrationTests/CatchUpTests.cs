using Akka;
using Akka.Actor;
using Akka.Persistence;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;
using TradingActors.Engine;
using TradingActors.Engine.Strategies;
using TradingActors.IntegrationTests.Infrastructure;

namespace TradingActors.IntegrationTests;

public sealed class CatchUpTests
{
    [Fact]
    public async Task Signal_persisted_but_never_published_reaches_every_subscriber_after_restart_once()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        var options = EngineNode.DefaultOptions(db.ConnectionString, venues);
        var tenants = Enumerable.Range(1, 20).Select(i => $"away-{i:D2}").ToArray();
        await using (var node = await EngineNode.StartAsync(options))
        {
            await Task.WhenAll(tenants.Select(t => node.CreatePaperSubscriber(t)));
            await Eventually.TrueAsync(async () => await node.RegisteredSubscribers() == tenants.Length, TimeSpan.FromSeconds(15), "registered");
        }

        // The strategy's node died right after persisting signal #1, before publishing it:
        // write it to the strategy's journal from a node that does not run that strategy.
        var writerOptions = EngineNode.DefaultOptions(db.ConnectionString, venues);
        writerOptions.Strategies = [new StrategyDefinition("other", "ETHUSDT")];
        var signal = new Signal(EngineNode.Strategy, 1, "BTCUSDT", OrderSide.Buy, 45_000m, DateTimeOffset.UtcNow, "persisted, never published");
        await using (var writer = await EngineNode.StartAsync(writerOptions, waitForStrategy: false))
        {
            await JournalFacts.WriteAsync(writer.System, Names.StrategyPersistenceId(EngineNode.Strategy), new SignalEmitted(signal));
        }

        await using (var node = await EngineNode.StartAsync(options))
        {
            await Eventually.TrueAsync(async () =>
            {
                var states = await Task.WhenAll(tenants.Select(node.Portfolio));
                return states.All(s => s.OrdersFilled == 1);
            }, TimeSpan.FromSeconds(30), "every subscriber caught up on signal #1");
            var status = await node.Strategies.Ask<StrategyStatus>(new GetStrategyStatus(EngineNode.Strategy), TimeSpan.FromSeconds(5));
            Assert.Equal(1, status.LastSequence);

            // Restarted buckets and re-registering tenants see #1 again: still one order each.
            await Task.Delay(TimeSpan.FromSeconds(1));
            var again = await Task.WhenAll(tenants.Select(node.Portfolio));
            Assert.All(again, s => Assert.Equal(1, s.OrdersFilled));
            Assert.All(again, s => Assert.Equal(1, s.LastProcessed(EngineNode.Strategy)));
        }
        Assert.Equal(tenants.Length, venues.Paper.DistinctOrders);
    }

    [Fact]
    public async Task Replay_feed_drives_the_strategy_to_signals_that_subscribers_trade()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        var options = EngineNode.DefaultOptions(db.ConnectionString, venues);
        options.Feed = new TradingActors.Engine.Hosting.FeedSettings { Kind = "replay", IntervalMs = 5 };
        await using var node = await EngineNode.StartAsync(options);
        await node.CreatePaperSubscriber("replayer");

        await Eventually.TrueAsync(async () =>
            (await node.Strategies.Ask<StrategyStatus>(new GetStrategyStatus(EngineNode.Strategy), TimeSpan.FromSeconds(5))).LastSequence >= 2,
            TimeSpan.FromSeconds(30), "the strategy emitted signals from the shipped bars");
        await Eventually.TrueAsync(async () => (await node.Portfolio("replayer")).OrdersFilled >= 1, TimeSpan.FromSeconds(30), "the subscriber traded");
        var status = await node.Strategies.Ask<StrategyStatus>(new GetStrategyStatus(EngineNode.Strategy), TimeSpan.FromSeconds(5));
        Assert.True(status.PricesSeen > 14, $"prices seen: {status.PricesSeen}");
        Assert.NotNull(status.Rsi);
    }
}
