using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using TradingActors.Domain.Tenants;
using TradingActors.IntegrationTests.Infrastructure;

namespace TradingActors.IntegrationTests;

/// <summary>
/// The journal's batched write path (JournalBatchWriter) against real PostgreSQL: what it writes must
/// be exactly what the stock Akka.Persistence.Sql plugin reads — events, tags and ordering.
/// </summary>
public sealed class JournalBatchWriterTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Concurrent_writes_share_statements_and_the_stock_plugin_reads_every_event_tag_and_order_back()
    {
        await using var db = await TestDatabase.CreateAsync();
        var ids = Enumerable.Range(0, 200).Select(i => $"writer-{i:D3}").ToList();

        using (var system = PersistenceSystem.Start(db.ConnectionString))
        {
            var ledgers = ids.Select(id => system.ActorOf(LedgerActor.Props(id))).ToList();
            // Three rounds of concurrent appends: each round is 200 writes in flight at once.
            for (var round = 1; round <= 3; round++)
            {
                var appended = await Task.WhenAll(ledgers.Select(l => l.Ask<LedgerActor.Appended>(new LedgerActor.Append(2), Timeout)));
                Assert.All(appended, a => Assert.Equal(round * 2L, a.LastSequenceNr));
            }
            var stats = (await PersistenceSystem.JournalStats(system)).Writes!;
            Assert.Equal(600, stats.Requests);
            Assert.True(stats.Batches < stats.Requests / 4, $"writes were not shared: {stats.Batches} statements for {stats.Requests} writes");
        }

        // Read back by the stock plugins (journal and query side), in a fresh system.
        var queryConnection = $"akka.persistence.query.journal.sql.connection-string = \"{db.ConnectionString}\"";
        using var reader = PersistenceSystem.Start(db.ConnectionString, PersistenceSystem.StockPlugins + "\n" + queryConnection);
        var query = PersistenceQuery.Get(reader).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
        var materializer = reader.Materializer();
        var tagged = await query.CurrentEventsByTag("tenant", Offset.NoOffset())
            .RunAggregate(new List<EventEnvelope>(), (list, e) => { list.Add(e); return list; }, materializer);
        Assert.Equal(1200, tagged.Count);
        Assert.Equal(1200, tagged.Select(e => (e.PersistenceId, e.SequenceNr)).Distinct().Count());
        foreach (var envelope in tagged)
            Assert.Equal(LedgerActor.EventFor(envelope.PersistenceId, envelope.SequenceNr), envelope.Event);
        // Each actor's events are in sequence order in the journal's global ordering.
        foreach (var perActor in tagged.GroupBy(e => e.PersistenceId))
        {
            var inOrder = perActor.OrderBy(e => ((Sequence)e.Offset).Value).Select(e => e.SequenceNr).ToList();
            Assert.Equal(Enumerable.Range(1, 6).Select(n => (long)n), inOrder);
        }

        var byId = await query.CurrentEventsByPersistenceId(ids[17], 0, long.MaxValue)
            .RunAggregate(new List<EventEnvelope>(), (list, e) => { list.Add(e); return list; }, materializer);
        Assert.Equal(Enumerable.Range(1, 6).Select(n => (long)n), byId.Select(e => e.SequenceNr));
        Assert.All(byId, e => Assert.IsType<PaperAccountLinked>(e.Event));
        Assert.Equal(1200, await db.ScalarAsync("SELECT count(*) FROM tags WHERE tag = 'tenant'"));
        Assert.Equal(0, await db.ScalarAsync("SELECT count(*) FROM journal WHERE deleted OR identifier IS NULL OR writer_uuid IS NULL"));
    }

    /// <summary>
    /// A tenant whose shard moves to another node and back (a fourth node joins, then leaves) is written by the
    /// same node's journal twice, with another node's writes between. Akka's replay filter takes a writer that
    /// reappears after another for a zombie and drops its events (repair-by-discard-old), so a journal that stamps
    /// its own id on every row, as the stock plugin does, made such a tenant forget its latest events on the next
    /// recovery and settle those signals again (ClusterProcessTests, 2026-12-02). Every incarnation is its own writer.
    /// </summary>
    [Fact]
    public async Task An_actor_that_moves_to_another_node_and_back_recovers_every_event_each_incarnation_wrote()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var nodeA = PersistenceSystem.Start(db.ConnectionString);
        using var nodeB = PersistenceSystem.Start(db.ConnectionString);
        const string id = "tenant-moving";

        async Task<LedgerActor.RecoveryReport> Incarnation(ActorSystem node, int append)
        {
            var ledger = node.ActorOf(LedgerActor.Props(id));
            var report = await ledger.Ask<LedgerActor.RecoveryReport>(new LedgerActor.GetRecovery(), Timeout);
            if (append > 0) await ledger.Ask<LedgerActor.Appended>(new LedgerActor.Append(append), Timeout);
            await ledger.GracefulStop(Timeout);
            return report;
        }

        await Incarnation(nodeA, 2);
        Assert.Equal([1L, 2], (await Incarnation(nodeB, 2)).ReplayedSequenceNrs);
        Assert.Equal([1L, 2, 3, 4], (await Incarnation(nodeA, 2)).ReplayedSequenceNrs);

        var recovered = await Incarnation(nodeB, 0);
        Assert.Equal([1L, 2, 3, 4, 5, 6], recovered.ReplayedSequenceNrs);
        Assert.Equal(6, recovered.LastSequenceNr);
        Assert.Equal(3, await db.ScalarAsync($"SELECT count(DISTINCT writer_uuid) FROM journal WHERE persistence_id = '{id}'"));
    }

    /// <summary>Rows written the stock plugin's way (its journal's id on every row: node A, node B, node A again) replay whole.</summary>
    [Fact]
    public async Task Events_a_node_wrote_again_after_another_node_are_replayed_not_dropped_as_a_zombies()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var node = PersistenceSystem.Start(db.ConnectionString);
        var writer = node.ActorOf(LedgerActor.Props("tenant-original"));
        await writer.Ask<LedgerActor.RecoveryReport>(new LedgerActor.GetRecovery(), Timeout);
        await writer.Ask<LedgerActor.Appended>(new LedgerActor.Append(6), Timeout);
        await db.ScalarAsync("""
            INSERT INTO journal (persistence_id, sequence_number, created, deleted, message, manifest, identifier, writer_uuid)
            SELECT 'tenant-legacy', sequence_number, created, deleted, message, manifest, identifier,
                   CASE WHEN sequence_number IN (3, 4) THEN 'node-b' ELSE 'node-a' END
            FROM journal WHERE persistence_id = 'tenant-original';
            SELECT 0
            """);

        var legacy = node.ActorOf(LedgerActor.Props("tenant-legacy"));
        var recovered = await legacy.Ask<LedgerActor.RecoveryReport>(new LedgerActor.GetRecovery(), Timeout);

        Assert.Equal([1L, 2, 3, 4, 5, 6], recovered.ReplayedSequenceNrs);
    }

    [Fact]
    public async Task A_write_whose_sequence_another_writer_took_fails_alone_and_the_rest_of_its_batch_is_written()
    {
        await using var db = await TestDatabase.CreateAsync();
        var ids = Enumerable.Range(0, 60).Select(i => $"batch-{i:D2}").ToList();
        using var system = PersistenceSystem.Start(db.ConnectionString);
        var ledgers = ids.Select(id => system.ActorOf(LedgerActor.Props(id))).ToList();
        await Task.WhenAll(ledgers.Select(l => l.Ask<LedgerActor.RecoveryReport>(new LedgerActor.GetRecovery(), Timeout)));
        // Another writer (a zombie incarnation) already holds sequence 1 of two of the ids.
        await db.ScalarAsync("""
            INSERT INTO journal (persistence_id, sequence_number, created, deleted, message, manifest, identifier, writer_uuid)
            VALUES ('batch-07', 1, 0, false, '\x00', 'zombie', 4711, 'zombie'), ('batch-41', 1, 0, false, '\x00', 'zombie', 4711, 'zombie');
            SELECT 0
            """);
        var watcher = new Akka.TestKit.Xunit2.TestKit(system);
        watcher.Watch(ledgers[7]);
        watcher.Watch(ledgers[41]);

        var appended = await Task.WhenAll(ledgers.Select(async l =>
        {
            try { return (await l.Ask<LedgerActor.Appended>(new LedgerActor.Append(2), TimeSpan.FromSeconds(5))).LastSequenceNr; }
            catch (AskTimeoutException) { return -1; }
        }));

        Assert.Equal([7, 41], appended.Select((n, i) => (n, i)).Where(x => x.n != 2).Select(x => x.i).ToArray());
        // The conflicting writers stopped (their persist failed), as a zombie strategy must.
        var terminated = watcher.ReceiveN(2, TimeSpan.FromSeconds(5)).Cast<Terminated>().Select(t => t.ActorRef).ToHashSet();
        Assert.Equal(new HashSet<IActorRef> { ledgers[7], ledgers[41] }, terminated);
        Assert.Equal(58 * 2 + 2, await db.ScalarAsync("SELECT count(*) FROM journal"));
        Assert.Equal(0, await db.ScalarAsync("SELECT count(*) FROM journal WHERE persistence_id IN ('batch-07', 'batch-41') AND sequence_number > 1"));
        Assert.Equal(58 * 2, await db.ScalarAsync("SELECT count(*) FROM tags WHERE tag = 'tenant'"));
    }
}
