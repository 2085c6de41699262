using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;
using TradingActors.Engine;
using TradingActors.Engine.Strategies;
using TradingActors.IntegrationTests.Infrastructure;

namespace TradingActors.IntegrationTests;

/// <summary>
/// The strategy singleton off the happy path (engine hardening, points 6-8): failed writes and
/// recoveries, restarts and hand-overs, a second incarnation writing the same sequence.
/// </summary>
public sealed class StrategyResilienceTests
{
    [Fact]
    public async Task A_strategy_whose_write_fails_restarts_with_backoff_and_continues_from_the_journals_sequence()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        await using var node = await EngineNode.StartAsync(FastRestarts(EngineNode.DefaultOptions(db.ConnectionString, venues)));
        await node.CreatePaperSubscriber("ivy");
        await Eventually.TrueAsync(async () => await node.RegisteredSubscribers() == 1, TimeSpan.FromSeconds(10), "registered");

        // Another writer takes sequence 1 behind the strategy's back: the strategy's own write of #1 fails.
        var now = DateTimeOffset.UtcNow;
        await JournalFacts.WriteAsync(node.System, Names.StrategyPersistenceId(EngineNode.Strategy),
            JournalFacts.Signals(EngineNode.Strategy, 1, [(OrderSide.Buy, 50_000m, now)]));
        var lost = node.Strategies.Ask<SignalPublished>(new EmitManualSignal(EngineNode.Strategy, OrderSide.Sell, 51_000m), TimeSpan.FromSeconds(2));
        await Assert.ThrowsAnyAsync<Exception>(() => lost); // not persisted, so never published nor answered

        // Restarted, it recovered #1 and emits #2: nothing skipped, nothing emitted twice.
        Signal? next = null;
        await Eventually.TrueAsync(async () =>
        {
            try { next = (await node.Strategies.Ask<SignalPublished>(new EmitManualSignal(EngineNode.Strategy, OrderSide.Sell, 51_000m), TimeSpan.FromSeconds(1))).Signal; }
            catch (AskTimeoutException) { }
            return next is not null;
        }, TimeSpan.FromSeconds(15), "the strategy emits again");
        Assert.Equal(2, next!.Sequence);
        var written = await JournalFacts.StrategySequencesAsync(db.ConnectionString, EngineNode.Strategy);
        Assert.Equal([1L, 2L], written);
        // The subscriber saw both, in order: #1 (the other writer's buy) and #2 (the sell).
        await Eventually.TrueAsync(async () => (await node.Portfolio("ivy")).LastProcessed(EngineNode.Strategy) == 2, TimeSpan.FromSeconds(15), "subscriber at #2");
        Assert.Equal(2, (await node.Portfolio("ivy")).OrdersFilled);
    }

    [Fact]
    public async Task A_strategy_whose_recovery_fails_is_retried_with_backoff_until_its_journal_reads_again()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        var options = FastRestarts(EngineNode.DefaultOptions(db.ConnectionString, venues));
        await using (await EngineNode.StartAsync(options)) { } // creates the tables
        // An event the strategy cannot read: every recovery fails.
        await db.ScalarAsync($"""
            INSERT INTO journal (persistence_id, sequence_number, created, deleted, message, manifest, identifier, writer_uuid)
            VALUES ('{Names.StrategyPersistenceId(EngineNode.Strategy)}', 1, 0, false, '\x7b', 's.signal.v1', 4711, 'test');
            SELECT 0
            """);

        await using var node = await EngineNode.StartAsync(options, waitForStrategy: false);
        await Task.Delay(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAnyAsync<Exception>(() => node.Strategies.Ask<StrategyStatus>(new GetStrategyStatus(EngineNode.Strategy), TimeSpan.FromSeconds(1)));

        // Repaired (an operator deletes the bad row): the next backoff attempt recovers.
        await db.ScalarAsync($"DELETE FROM journal WHERE persistence_id = '{Names.StrategyPersistenceId(EngineNode.Strategy)}'; SELECT 0");
        StrategyStatus? status = null;
        await Eventually.TrueAsync(async () =>
        {
            try { status = await node.Strategies.Ask<StrategyStatus>(new GetStrategyStatus(EngineNode.Strategy), TimeSpan.FromSeconds(1)); }
            catch (AskTimeoutException) { }
            return status is not null;
        }, TimeSpan.FromSeconds(20), "strategy recovered");
        Assert.Equal(1, (await node.EmitSignal(OrderSide.Buy, 50_000m)).Sequence);
    }

    [Fact]
    public async Task The_indicator_resumes_after_a_restart_instead_of_warming_up_again()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        var options = EngineNode.DefaultOptions(db.ConnectionString, venues);
        var closes = Enumerable.Range(0, 16).Select(i => 50_000m + (i % 3 == 0 ? -150m * i : 90m * i)).ToArray();
        await using (var node = await EngineNode.StartAsync(options))
        {
            foreach (var close in closes[..10]) node.PublishPrice("BTCUSDT", close);
            await Eventually.TrueAsync(async () => (await node.StrategyStatus()).Checkpointed == 10, TimeSpan.FromSeconds(10), "indicator checkpointed after 10 prices");
        }

        await using (var node = await EngineNode.StartAsync(options))
        {
            foreach (var close in closes[10..]) node.PublishPrice("BTCUSDT", close);
            await Eventually.TrueAsync(async () => (await node.StrategyStatus()).PricesSeen == closes.Length, TimeSpan.FromSeconds(10), "all prices seen");
            // The same RSI as one uninterrupted run over all 16 closes (period 14: ready after 15).
            var expected = closes.Aggregate(new RelativeStrengthIndex(14), (rsi, close) => rsi.Next(close)).Value;
            Assert.NotNull(expected);
            // The strategy computes in double (decision 026); a warmed-up-again RSI would have no value at all.
            Assert.Equal((double)expected.Value, (double)(await node.StrategyStatus()).Rsi!.Value, 1e-8);
        }
    }

    [Fact]
    public async Task A_hand_over_under_load_emits_every_sequence_once_and_every_subscriber_settles_each_once()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        var firstOptions = FastRestarts(EngineNode.DefaultOptions(db.ConnectionString, venues));
        var first = await EngineNode.StartAsync(firstOptions);
        var secondOptions = FastRestarts(EngineNode.DefaultOptions(db.ConnectionString, venues));
        secondOptions.Cluster = new TradingActors.Engine.Hosting.ClusterSettings { Port = 0, Seeds = first.Address.ToString() };
        await using var second = await EngineNode.StartAsync(secondOptions);
        var tenants = Enumerable.Range(1, 20).Select(i => $"ho-{i:D2}").ToArray();
        await Task.WhenAll(tenants.Select(t => second.CreatePaperSubscriber(t)));
        await Eventually.TrueAsync(async () => await second.RegisteredSubscribers() == tenants.Length, TimeSpan.FromSeconds(20), "registered");

        // Load: signals back to back through the surviving node, while the oldest node (the singleton's home) leaves.
        using var stop = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            var side = OrderSide.Buy;
            while (!stop.IsCancellationRequested)
            {
                try { await second.Strategies.Ask<SignalPublished>(new EmitManualSignal(EngineNode.Strategy, side, 50_000m), TimeSpan.FromSeconds(2)); }
                catch (AskTimeoutException) { } // during the hand-over: the strategy is moving
                side = side == OrderSide.Buy ? OrderSide.Sell : OrderSide.Buy;
            }
        });
        await Task.Delay(TimeSpan.FromSeconds(2));
        await first.DisposeAsync(); // graceful leave: the singleton hands over
        await Eventually.TrueAsync(async () => (await second.StrategyStatus()).LastSequence > 0, TimeSpan.FromSeconds(20), "strategy answers on the survivor");
        await Task.Delay(TimeSpan.FromSeconds(2));
        stop.Cancel();
        await load;

        var sequences = await JournalFacts.StrategySequencesAsync(db.ConnectionString, EngineNode.Strategy);
        Assert.True(sequences.Length > 5, $"only {sequences.Length} signals under load");
        Assert.Equal(Enumerable.Range(1, sequences.Length).Select(i => (long)i), sequences); // none skipped, none twice
        var last = sequences[^1];
        await Eventually.TrueAsync(async () => (await Task.WhenAll(tenants.Select(second.Portfolio))).All(s => s.LastProcessed(EngineNode.Strategy) == last),
            TimeSpan.FromSeconds(30), $"every subscriber settled #{last}");
        var outcomes = await JournalFacts.OutcomesAsync(db.ConnectionString, EngineNode.Strategy);
        foreach (var tenant in tenants)
            Assert.Equal(sequences, outcomes.Where(o => o.TenantId == tenant).Select(o => o.Sequence).ToArray());
    }

    [Fact]
    public async Task Two_incarnations_writing_at_once_never_emit_one_sequence_twice_nor_skip_one()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        var options = FastRestarts(EngineNode.DefaultOptions(db.ConnectionString, venues));
        await using var node = await EngineNode.StartAsync(options);
        var published = new ConcurrentDictionary<long, int>();
        var observer = node.System.ActorOf(Props.Create(() => new SignalObserver(published)));
        DistributedPubSub.Get(node.System).Mediator.Tell(new Subscribe(Names.SignalTopic(EngineNode.Strategy), observer));
        await Task.Delay(500);

        // A second incarnation of the same strategy (as a partition or a stalled node would leave one).
        var definition = options.Strategies[0];
        var zombie = node.System.ActorOf(StrategyActor.Supervised(definition.Id, new StrategyCatalogView(new Domain.Strategies.StrategyCatalog([definition])), node.Fanout, options.FanoutBuckets, options.FanoutTickInterval, options.Time,
            options.StrategyRestartBackoff, options.StrategyRestartBackoffMax), "zombie-strategy");
        using var stop = new CancellationTokenSource();
        async Task Load(Func<object, Task> emit)
        {
            while (!stop.IsCancellationRequested)
            {
                try { await emit(new EmitManualSignal(EngineNode.Strategy, OrderSide.Buy, 50_000m)); }
                catch (AskTimeoutException) { }
            }
        }
        var loads = new[]
        {
            Task.Run(() => Load(m => node.Strategies.Ask<SignalPublished>(m, TimeSpan.FromSeconds(1)))),
            Task.Run(() => Load(m => zombie.Ask<SignalPublished>(m, TimeSpan.FromSeconds(1)))),
        };
        await Task.Delay(TimeSpan.FromSeconds(4));
        stop.Cancel();
        await Task.WhenAll(loads);
        await zombie.GracefulStop(TimeSpan.FromSeconds(5), HandOverStrategy.Instance);

        // The singleton learns of the zombie's later writes only when its own next write conflicts:
        // it then restarts from the journal and the signal after that continues the journal's sequence.
        var lastBefore = (await JournalFacts.StrategySequencesAsync(db.ConnectionString, EngineNode.Strategy))[^1];
        SignalPublished? next = null;
        await Eventually.TrueAsync(async () =>
        {
            try { next = await node.Strategies.Ask<SignalPublished>(new EmitManualSignal(EngineNode.Strategy, OrderSide.Buy, 50_000m), TimeSpan.FromSeconds(1)); }
            catch (AskTimeoutException) { }
            return next is not null;
        }, TimeSpan.FromSeconds(20), "the singleton emits again after the zombie stopped");
        await Task.Delay(500);

        var sequences = await JournalFacts.StrategySequencesAsync(db.ConnectionString, EngineNode.Strategy);
        Assert.True(sequences.Length > 5, $"only {sequences.Length} signals");
        Assert.Equal(Enumerable.Range(1, sequences.Length).Select(i => (long)i), sequences);
        Assert.Equal(lastBefore + 1, next!.Signal.Sequence);
        Assert.Equal(next.Signal.Sequence, sequences[^1]);
        // Each sequence was published once, by whichever incarnation's write won.
        Assert.Equal(sequences, published.Keys.Order().ToArray());
        Assert.All(published, p => Assert.Equal(1, p.Value));
        Assert.Equal(sequences[^1], (await node.StrategyStatus()).LastSequence);
    }

    private static TradingActors.Engine.Hosting.TradingEngineOptions FastRestarts(TradingActors.Engine.Hosting.TradingEngineOptions options)
    {
        options.StrategyRestartBackoff = TimeSpan.FromMilliseconds(100);
        options.StrategyRestartBackoffMax = TimeSpan.FromMilliseconds(500);
        return options;
    }

    private sealed class SignalObserver : ReceiveActor
    {
        public SignalObserver(ConcurrentDictionary<long, int> published)
        {
            Receive<SignalPublished>(p => published.AddOrUpdate(p.Signal.Sequence, 1, (_, n) => n + 1));
            Receive<SubscribeAck>(_ => { });
        }
    }
}
