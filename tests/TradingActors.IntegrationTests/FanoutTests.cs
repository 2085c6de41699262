using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using TradingActors.Engine;
using TradingActors.Engine.Fanout;
using TradingActors.Engine.Observability;
using TradingActors.Engine.Tenants;
using TradingActors.IntegrationTests.Infrastructure;

namespace TradingActors.IntegrationTests;

public sealed class FanoutTests
{
    /// <summary>A second engine node on the same database and venues, joined to <paramref name="first"/>: returned once both are Up.</summary>
    private static async Task<EngineNode> JoinSecondNode(EngineNode first, TestDatabase db, TestVenues venues)
    {
        var options = EngineNode.DefaultOptions(db.ConnectionString, venues);
        options.Cluster = new TradingActors.Engine.Hosting.ClusterSettings { Port = 0, Seeds = first.Address.ToString() };
        var second = await EngineNode.StartAsync(options);
        try
        {
            await Eventually.TrueAsync(() => Task.FromResult(Akka.Cluster.Cluster.Get(first.System).State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up) == 2),
                TimeSpan.FromSeconds(20), "two members Up");
            return second;
        }
        catch
        {
            await second.DisposeAsync();
            throw;
        }
    }

    [Fact]
    public async Task One_signal_to_1000_subscribers_places_1000_orders_each_client_order_id_once()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        await using var node = await EngineNode.StartAsync(EngineNode.DefaultOptions(db.ConnectionString, venues));
        var tenants = Enumerable.Range(1, 1000).Select(i => $"fan-{i:D4}").ToArray();
        foreach (var batch in tenants.Chunk(100)) await Task.WhenAll(batch.Select(t => node.CreatePaperSubscriber(t)));
        await Eventually.TrueAsync(async () => await node.RegisteredSubscribers() == 1000, TimeSpan.FromSeconds(30), "all registered");
        var filled = new ConcurrentDictionary<string, int>();
        var listener = node.System.ActorOf(Props.Create(() => new OutcomeListener(filled)));
        node.System.EventStream.Subscribe(listener, typeof(OrderOutcomePersisted));

        await node.EmitSignal(OrderSide.Buy, 60_000m);
        await Eventually.TrueAsync(() => Task.FromResult(filled.Count == 1000), TimeSpan.FromSeconds(60), "1000 fills persisted");

        // Read back from the journal: every tenant's order filled exactly once.
        var journal = PersistenceQuery.Get(node.System).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
        var events = await journal.CurrentEventsByTag("tenant", Offset.NoOffset()).RunAggregate(
            new List<OrderFilled>(), (list, e) => { if (e.Event is OrderFilled f) list.Add(f); return list; }, node.System.Materializer());
        Assert.Equal(1000, events.Count);
        Assert.Equal(1000, events.Select(e => e.Intent.ClientOrderId).Distinct().Count());
        Assert.All(events, e => Assert.True(ClientOrderIds.IsValid(e.Intent.ClientOrderId)));
        Assert.Equal(1000, venues.Paper.DistinctOrders);
        Assert.Equal(1000, venues.Paper.TotalPlacements);
        Assert.Equal(tenants.Length, filled.Keys.Select(k => k.Split('|')[0]).Distinct().Count());
    }

    [Fact]
    public async Task Two_node_cluster_spreads_tenants_and_a_signal_published_on_one_node_reaches_all()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        await using var first = await EngineNode.StartAsync(EngineNode.DefaultOptions(db.ConnectionString, venues));
        await using var second = await JoinSecondNode(first, db, venues);

        var filledOn = new[] { new ConcurrentDictionary<string, int>(), new ConcurrentDictionary<string, int>() };
        var nodes = new[] { first, second };
        for (var i = 0; i < 2; i++)
            nodes[i].System.EventStream.Subscribe(nodes[i].System.ActorOf(Props.Create(() => new OutcomeListener(filledOn[i]))), typeof(OrderOutcomePersisted));

        var tenants = Enumerable.Range(1, 200).Select(i => $"two-{i:D3}").ToArray();
        // Commands enter through both nodes; sharding routes each to the tenant's home node.
        foreach (var batch in tenants.Chunk(50))
            await Task.WhenAll(batch.Select((t, i) => nodes[i % 2].CreatePaperSubscriber(t)));
        await Eventually.TrueAsync(async () => await first.RegisteredSubscribers() == 200, TimeSpan.FromSeconds(30), "all registered");

        var local = await Task.WhenAll(nodes.Select(async n =>
            (await n.Tenants.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(5))).Shards.Sum(s => s.EntityIds.Count)));
        Assert.Equal(200, local.Sum());
        Assert.All(local, count => Assert.True(count > 0, $"tenants per node: {string.Join(", ", local)}"));

        await second.EmitSignal(OrderSide.Buy, 55_000m); // the singleton may live on either node
        await Eventually.TrueAsync(() => Task.FromResult(filledOn[0].Count + filledOn[1].Count == 200), TimeSpan.FromSeconds(30), "200 fills");
        Assert.True(filledOn[0].Count > 0 && filledOn[1].Count > 0, $"fills per node: {filledOn[0].Count}, {filledOn[1].Count}");
        var all = await Task.WhenAll(tenants.Select(first.Portfolio));
        Assert.All(all, s => Assert.Equal(1, s.OrdersFilled));
    }

    [Fact]
    public async Task A_signal_path_message_counts_as_remote_exactly_when_its_sender_is_on_the_other_node()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        await using var first = await EngineNode.StartAsync(EngineNode.DefaultOptions(db.ConnectionString, venues));
        await using var second = await JoinSecondNode(first, db, venues);
        var nodes = new[] { first, second };
        var tenants = Enumerable.Range(1, 100).Select(i => $"cross-{i:D3}").ToArray();
        foreach (var batch in tenants.Chunk(50)) await Task.WhenAll(batch.Select(t => first.CreatePaperSubscriber(t)));
        await Eventually.TrueAsync(async () => await first.RegisteredSubscribers() == tenants.Length, TimeSpan.FromSeconds(30), "all registered");

        // Where every tenant and every bucket lives; the strategy is a singleton on the oldest node (first).
        var tenantHome = new Dictionary<string, int>();
        var bucketHome = new Dictionary<string, int>();
        for (var i = 0; i < 2; i++)
        {
            foreach (var shard in (await nodes[i].Tenants.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(5))).Shards)
                foreach (var id in shard.EntityIds) tenantHome[id] = i;
            foreach (var shard in (await nodes[i].Fanout.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(5))).Shards)
                foreach (var id in shard.EntityIds) bucketHome[id] = i;
        }
        Assert.Equal(tenants.Length, tenantHome.Count);
        var buckets = first.Options.FanoutBuckets;
        var crossing = tenants.Count(t => tenantHome[t] != bucketHome[Names.FanoutEntityId(EngineNode.Strategy, Names.FanoutBucketOf(t, buckets))]);
        var bucketsAway = Enumerable.Range(0, buckets).Count(b => bucketHome[Names.FanoutEntityId(EngineNode.Strategy, b)] == 1);
        Assert.True(crossing > 0 && crossing < tenants.Length, $"{crossing} of {tenants.Length} tenants have their bucket on the other node");

        var counted = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument == EngineInstruments.MessagesFromOtherNodes) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "message") counted.AddOrUpdate((string)tag.Value!, value, (_, n) => n + value);
        });
        listener.Start();

        await first.EmitSignal(OrderSide.Buy, 55_000m);
        await Eventually.TrueAsync(async () =>
        {
            var settled = 0;
            for (var b = 0; b < buckets; b++)
                settled += (await first.Fanout.Ask<FanoutStatus>(new GetFanoutStatus(EngineNode.Strategy, b), TimeSpan.FromSeconds(5))) is { LatestSequence: 1, Lagging: 0 } ? 1 : 0;
            return settled == buckets;
        }, TimeSpan.FromSeconds(30), "every subscriber acknowledged the signal");

        // Each tenant gets the signal once from its bucket; only those whose bucket is on the other node count.
        Assert.Equal(crossing, counted.GetValueOrDefault("execute-signal"));
        // Each acknowledges once, to its bucket (more only if a bucket redelivered to it before it answered).
        var redelivered = counted.GetValueOrDefault("catch-up-signals");
        Assert.InRange(counted.GetValueOrDefault("signal-ack"), crossing, crossing + redelivered);
        // The strategy (on the first node) sends the signal to every bucket, and its topic's copy to the other node once.
        Assert.Equal(bucketsAway, counted.GetValueOrDefault("deliver-signal"));
        // The topic's copy travels apart from the acknowledgements: it may arrive after the last of them.
        await Eventually.TrueAsync(() => Task.FromResult(counted.GetValueOrDefault("signal-published") >= 1), TimeSpan.FromSeconds(10), "the topic's copy arrived");
        await Task.Delay(500);
        Assert.Equal(1, counted.GetValueOrDefault("signal-published"));
    }

    private sealed class OutcomeListener : ReceiveActor
    {
        public OutcomeListener(ConcurrentDictionary<string, int> filled) =>
            Receive<OrderOutcomePersisted>(o =>
            {
                if (o.Status == OrderStatus.Filled) filled.AddOrUpdate(o.TenantId + "|" + o.ClientOrderId, 1, (_, n) => n + 1);
            });
    }
}
