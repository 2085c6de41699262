using Akka.Actor;
using TradingActors.Brokers;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tenants;
using TradingActors.Engine;
using TradingActors.Engine.Strategies;
using TradingActors.Engine.Tenants;
using TradingActors.IntegrationTests.Infrastructure;

namespace TradingActors.IntegrationTests;

/// <summary>
/// Fan-out delivery off the happy path (engine hardening, points 1-5): buckets that stop, members
/// that were away, signals that arrive out of order or too late. Every test counts outcomes in the
/// journal afterwards.
/// </summary>
public sealed class FanoutDeliveryTests
{
    [Fact]
    public async Task Buckets_that_stop_are_started_again_and_their_members_keep_receiving_signals()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        var options = EngineNode.DefaultOptions(db.ConnectionString, venues);
        await using var node = await EngineNode.StartAsync(options);
        var tenants = Enumerable.Range(1, 40).Select(i => $"stop-{i:D2}").ToArray();
        await Task.WhenAll(tenants.Select(t => node.CreatePaperSubscriber(t)));
        await Eventually.TrueAsync(async () => await node.RegisteredSubscribers() == tenants.Length, TimeSpan.FromSeconds(15), "registered");

        // Every bucket stops, as on a rebalance or a persist failure; nobody tells the engine.
        var stopped = await node.StopEntities("fanout");
        Assert.Equal(options.FanoutBuckets, stopped);
        await Eventually.TrueAsync(async () => await node.RunningEntities("fanout") == options.FanoutBuckets, TimeSpan.FromSeconds(10),
            "every bucket running again without any signal");

        await node.EmitSignal(OrderSide.Buy, 50_000m);
        await Eventually.TrueAsync(async () => (await Task.WhenAll(tenants.Select(node.Portfolio))).All(s => s.OrdersFilled == 1),
            TimeSpan.FromSeconds(15), "every member filled");
        var outcomes = await JournalFacts.OutcomesAsync(db.ConnectionString, EngineNode.Strategy);
        Assert.Equal(tenants.Length, outcomes.Count(o => o.Kind == "order-filled"));
    }

    [Fact]
    public async Task A_member_that_had_not_settled_a_signal_gets_it_after_both_it_and_its_bucket_restart()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        var options = EngineNode.DefaultOptions(db.ConnectionString, venues);
        options.BrokerCallTimeout = TimeSpan.FromMilliseconds(400);
        await using var node = await EngineNode.StartAsync(options);
        const string account = "SIM-DEFER";
        await node.CreateExternalSubscriber("erin", "sim", account);
        await Eventually.TrueAsync(async () => await node.RegisteredSubscribers() == 1, TimeSpan.FromSeconds(10), "registered");

        // Signal #1: the venue takes the order but its answer is lost, and lookups hang: unresolved.
        venues.Sim.Exchange.SetFault(account, VenueFault.TakeThenGoSilent);
        await node.EmitSignal(OrderSide.Buy, 30_000m);
        await Eventually.TrueAsync(async () => (await node.Portfolio("erin")).Open.Values.Any(o => o.Status == OrderStatus.Unknown), TimeSpan.FromSeconds(10), "#1 unknown");

        // Signal #2 must wait for #1: it is delivered, but its outcome cannot be settled yet.
        var second = await node.EmitSignal(OrderSide.Sell, 31_000m);
        await Task.Delay(500);
        Assert.Equal(1, (await node.Portfolio("erin")).LastProcessed(EngineNode.Strategy));

        // The member and its bucket both lose their memory (stopped, restarted by the engine).
        Assert.Equal(1, await node.StopEntities("tenant", "erin"));
        Assert.Equal(options.FanoutBuckets, await node.StopEntities("fanout"));
        venues.Sim.Exchange.ClearFault(account);

        await Eventually.TrueAsync(async () => (await node.Portfolio("erin")).OrdersFilled == 2, TimeSpan.FromSeconds(20), "#1 resolved and #2 executed");
        var state = await node.Portfolio("erin");
        Assert.Equal(second.Sequence, state.LastProcessed(EngineNode.Strategy));
        Assert.Equal(0m, state.Subscriptions[EngineNode.Strategy].Held);
        Assert.Equal(2, venues.Sim.Exchange.OrderCount(account));
        var outcomes = await JournalFacts.OutcomesAsync(db.ConnectionString, EngineNode.Strategy);
        Assert.Equal([1L, 2L], outcomes.Where(o => o.Kind == "order-filled").Select(o => o.Sequence).ToArray());
    }

    [Fact]
    public async Task A_member_away_for_600_signals_catches_up_on_every_one_from_the_journal()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        var options = EngineNode.DefaultOptions(db.ConnectionString, venues);
        options.Strategies = [new StrategyDefinition(EngineNode.Strategy, "BTCUSDT", MaxSignalAgeSeconds: 3_600)];
        var tenants = Enumerable.Range(1, 5).Select(i => $"away-{i}").ToArray();
        await using (var node = await EngineNode.StartAsync(options))
        {
            await Task.WhenAll(tenants.Select(t => node.CreatePaperSubscriber(t)));
            await Eventually.TrueAsync(async () => await node.RegisteredSubscribers() == tenants.Length, TimeSpan.FromSeconds(10), "registered");
        }

        // 600 signals while every subscriber was away: more than any in-memory window held.
        const int missed = 600;
        var now = DateTimeOffset.UtcNow;
        await WriteWhileTheEngineIsDown(db, venues, JournalFacts.Signals(EngineNode.Strategy, 1,
            Enumerable.Range(0, missed).Select(i => (i % 2 == 0 ? OrderSide.Buy : OrderSide.Sell, 50_000m, now))));

        await using (var node = await EngineNode.StartAsync(options))
        {
            await Eventually.TrueAsync(async () => (await Task.WhenAll(tenants.Select(node.Portfolio))).All(s => s.LastProcessed(EngineNode.Strategy) == missed),
                TimeSpan.FromSeconds(90), "every member processed all 600");
        }
        var outcomes = await JournalFacts.OutcomesAsync(db.ConnectionString, EngineNode.Strategy);
        foreach (var tenant in tenants)
        {
            var mine = outcomes.Where(o => o.TenantId == tenant).ToList();
            Assert.Equal(Enumerable.Range(1, missed).Select(i => (long)i), mine.Select(o => o.Sequence)); // each once, in order
            Assert.All(mine, o => Assert.Equal("order-filled", o.Kind));
        }
    }

    [Fact]
    public async Task A_later_signal_that_arrives_first_waits_for_the_earlier_one()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        var options = EngineNode.DefaultOptions(db.ConnectionString, venues);
        await using (var node = await EngineNode.StartAsync(options))
        {
            await node.CreatePaperSubscriber("fay");
            await Eventually.TrueAsync(async () => await node.RegisteredSubscribers() == 1, TimeSpan.FromSeconds(10), "registered");
        }
        // Two buys: executed in order, #1 fills and #2 finds the subscription holding. Executed
        // out of order, #2 would fill and #1 be dropped as old: the fill's sequence tells which.
        var now = DateTimeOffset.UtcNow;
        var signals = JournalFacts.Signals(EngineNode.Strategy, 1, [(OrderSide.Buy, 50_000m, now), (OrderSide.Buy, 50_100m, now)]);
        await WriteWhileTheEngineIsDown(db, venues, signals);

        await using (var node = await EngineNode.StartAsync(options, waitForStrategy: false))
        {
            node.Tenants.Tell(new ExecuteSignal("fay", ((SignalEmitted)signals[1]).Signal)); // #2 before anything else
            await Eventually.TrueAsync(async () => (await node.Portfolio("fay")).LastProcessed(EngineNode.Strategy) == 2, TimeSpan.FromSeconds(15), "both settled");
            var state = await node.Portfolio("fay");
            Assert.Equal(1, state.OrdersFilled);
            Assert.Equal(1, state.Recent.Single().Intent.SourceSequence);
            Assert.Equal(new SkipRecord(EngineNode.Strategy, 2, 2, "already holding", state.Skips.Single().At), state.Skips.Single());
        }
    }

    [Fact]
    public async Task A_signal_older_than_its_strategys_maximum_age_is_skipped_as_stale_not_traded()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        var options = EngineNode.DefaultOptions(db.ConnectionString, venues);
        options.Strategies = [new StrategyDefinition(EngineNode.Strategy, "BTCUSDT", MaxSignalAgeSeconds: 60)];
        var now = DateTimeOffset.UtcNow;
        var clock = new ManualClock(now.AddMinutes(-10)); // the subscriptions are older than the signals
        options.Time = clock;
        await using (var node = await EngineNode.StartAsync(options))
        {
            await node.CreatePaperSubscriber("gus");
            await node.CreatePaperSubscriber("hal");
            await Eventually.TrueAsync(async () => await node.RegisteredSubscribers() == 2, TimeSpan.FromSeconds(10), "registered");
        }
        // Emitted three and two minutes ago, persisted, never delivered; then a fresh one.
        await WriteWhileTheEngineIsDown(db, venues, JournalFacts.Signals(EngineNode.Strategy, 1,
            [(OrderSide.Buy, 40_000m, now.AddMinutes(-3)), (OrderSide.Buy, 40_000m, now.AddMinutes(-2)), (OrderSide.Buy, 50_000m, now)]));
        clock.Set(now);

        await using (var node = await EngineNode.StartAsync(options))
        {
            await Eventually.TrueAsync(async () => (await Task.WhenAll(new[] { "gus", "hal" }.Select(node.Portfolio))).All(s => s.LastProcessed(EngineNode.Strategy) == 3),
                TimeSpan.FromSeconds(15), "all three settled");
            foreach (var tenant in new[] { "gus", "hal" })
            {
                var state = await node.Portfolio(tenant);
                var skip = Assert.Single(state.Skips); // one record for the run of two stale signals
                Assert.Equal((1L, 2L, "stale"), (skip.FromSequence, skip.ToSequence, skip.Reason));
                Assert.Equal(3, state.Recent.Single().Intent.SourceSequence); // only the fresh one traded
                Assert.Equal(2, state.SignalsSkipped);
            }
        }
        Assert.Equal(2, venues.Paper.TotalPlacements);
    }

    /// <summary>Persists strategy events with no engine running, as a node that died right after persisting would leave them.</summary>
    private static async Task WriteWhileTheEngineIsDown(TestDatabase db, TestVenues venues, object[] events)
    {
        var writerOptions = EngineNode.DefaultOptions(db.ConnectionString, venues);
        writerOptions.Strategies = [new StrategyDefinition("writer", "ETHUSDT")];
        await using var writer = await EngineNode.StartAsync(writerOptions, waitForStrategy: false);
        await JournalFacts.WriteAsync(writer.System, Names.StrategyPersistenceId(EngineNode.Strategy), events);
    }
}
