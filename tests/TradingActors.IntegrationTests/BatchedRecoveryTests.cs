using System.Diagnostics;
using System.Text.Json;
using Akka.Actor;
using Akka.Persistence;
using Npgsql;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Persistence;
using TradingActors.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace TradingActors.IntegrationTests;

/// <summary>
/// The batched recovery reads (BatchedJournal, BatchedRecoverySnapshotStore) against a real
/// PostgreSQL, configured exactly as the engine configures them (cluster-config/*.conf).
/// </summary>
public sealed class BatchedRecoveryTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>What a ledger was given before the restart: events, optionally a snapshot, then more events.</summary>
    private sealed record LedgerPlan(string PersistenceId, int EventsBeforeSnapshot, bool Snapshot, int EventsAfterSnapshot)
    {
        public long LastSequenceNr => EventsBeforeSnapshot + EventsAfterSnapshot;
        public long? SnapshotSequenceNr => Snapshot ? EventsBeforeSnapshot : null;
    }

    [Fact]
    public async Task Three_hundred_ledgers_recover_concurrently_each_with_exactly_its_own_snapshot_and_events()
    {
        await using var db = await TestDatabase.CreateAsync();
        var plans = Enumerable.Range(0, 300).Select(i => (i % 4) switch
        {
            0 => new LedgerPlan($"ledger-{i:D3}", 1 + i % 6, false, 0),
            1 => new LedgerPlan($"ledger-{i:D3}", 2 + i % 5, true, 0),
            2 => new LedgerPlan($"ledger-{i:D3}", 2 + i % 4, true, 1 + i % 3),
            _ => new LedgerPlan($"ledger-{i:D3}", 0, false, 0),
        }).ToList();

        using (var writer = PersistenceSystem.Start(db.ConnectionString))
            await Write(writer, plans);

        using var system = PersistenceSystem.Start(db.ConnectionString);
        var journalBefore = await PersistenceSystem.JournalStats(system);
        var snapshotsBefore = await PersistenceSystem.SnapshotStats(system);

        var clock = Stopwatch.StartNew();
        var ledgers = plans.Select(p => system.ActorOf(LedgerActor.Props(p.PersistenceId))).ToList();
        var reports = await Task.WhenAll(ledgers.Select(l => l.Ask<LedgerActor.RecoveryReport>(new LedgerActor.GetRecovery(), Timeout)));
        output.WriteLine($"{plans.Count} ledgers recovered in {clock.ElapsedMilliseconds} ms");

        for (var i = 0; i < plans.Count; i++)
        {
            var plan = plans[i];
            var report = reports[i];
            var firstReplayed = (plan.SnapshotSequenceNr ?? 0) + 1;
            var expectedReplay = Enumerable.Range((int)firstReplayed, (int)(plan.LastSequenceNr - firstReplayed + 1)).Select(n => (long)n).ToList();
            Assert.Equal(plan.SnapshotSequenceNr, report.SnapshotSequenceNr);
            Assert.Equal(expectedReplay, report.ReplayedSequenceNrs);
            Assert.Equal(expectedReplay.Select(n => $"{plan.PersistenceId}#{n}"), report.ReplayedAccounts);
            Assert.Equal(plan.LastSequenceNr, report.LastSequenceNr);
            Assert.Equal(Json(LedgerActor.ExpectedState(plan.PersistenceId, plan.LastSequenceNr)), Json(report.State));
        }

        // Recovered ledgers keep writing where they left off.
        var appended = await Task.WhenAll(ledgers.Select(l => l.Ask<LedgerActor.Appended>(new LedgerActor.Append(1), Timeout)));
        Assert.Equal(plans.Select(p => p.LastSequenceNr + 1), appended.Select(a => a.LastSequenceNr));
        Assert.Equal(plans.Sum(p => p.LastSequenceNr + 1), await db.ScalarAsync("SELECT count(*) FROM journal"));

        // Every recovery read went through a batch, and the batches were shared.
        var journal = await PersistenceSystem.JournalStats(system);
        var snapshots = await PersistenceSystem.SnapshotStats(system);
        var highestReads = journal.HighestSequenceNr.Requests - journalBefore.HighestSequenceNr.Requests;
        var highestQueries = journal.HighestSequenceNr.Batches - journalBefore.HighestSequenceNr.Batches;
        var replayReads = journal.Replay.Requests - journalBefore.Replay.Requests;
        var replayQueries = journal.Replay.Batches - journalBefore.Replay.Batches;
        var loads = snapshots.Load.Requests - snapshotsBefore.Load.Requests;
        var loadQueries = snapshots.Load.Batches - snapshotsBefore.Load.Batches;
        output.WriteLine($"highest: {highestReads} reads in {highestQueries} queries; replay: {replayReads} in {replayQueries}; snapshots: {loads} in {loadQueries}");
        Assert.Equal(plans.Count, highestReads);
        Assert.Equal(plans.Count(p => p.LastSequenceNr > (p.SnapshotSequenceNr ?? 0)), replayReads);
        Assert.Equal(plans.Count, loads);
        Assert.True(highestQueries < highestReads, $"{highestQueries} highest-sequence queries for {highestReads} reads");
        Assert.True(replayQueries < replayReads, $"{replayQueries} replay queries for {replayReads} replays");
        Assert.True(loadQueries < loads, $"{loadQueries} snapshot queries for {loads} loads");
    }

    [Fact]
    public async Task Replays_and_snapshot_loads_are_identical_to_the_stock_plugins_including_after_deletes()
    {
        await using var db = await TestDatabase.CreateAsync();
        var plans = Enumerable.Range(0, 40).Select(i => new LedgerPlan($"same-{i:D2}", 3 + i % 5, i % 2 == 0, i % 3)).ToList();
        using (var writer = PersistenceSystem.Start(db.ConnectionString))
        {
            await Write(writer, plans);
            // Deletes as the stock plugin does them: the highest deleted row stays (marked), older rows go.
            foreach (var plan in plans.Where((_, i) => i % 4 == 1))
            {
                var ledger = writer.ActorOf(LedgerActor.Props(plan.PersistenceId));
                var upTo = plan.PersistenceId.EndsWith('5') ? plan.LastSequenceNr : 2;
                await ledger.Ask<LedgerActor.Forgotten>(new LedgerActor.Forget(upTo), Timeout);
            }
        }
        Assert.True(await db.ScalarAsync("SELECT count(*) FROM journal WHERE deleted") > 0, "some rows are marked deleted");

        using var stock = PersistenceSystem.Start(db.ConnectionString, PersistenceSystem.StockPlugins);
        using var batched = PersistenceSystem.Start(db.ConnectionString);
        var ids = plans.Select(p => p.PersistenceId).Append("never-written").ToList();
        var windows = new (long From, long To, long Max)[] { (1, long.MaxValue, long.MaxValue), (2, 6, 3), (4, long.MaxValue, long.MaxValue) };

        foreach (var (from, to, max) in windows)
        {
            var expected = await Task.WhenAll(ids.Select(id => JournalReplay.Run(stock, PersistenceSystem.Journal(stock), id, from, to, max)));
            var actual = await Task.WhenAll(ids.Select(id => JournalReplay.Run(batched, PersistenceSystem.Journal(batched), id, from, to, max)));
            for (var i = 0; i < ids.Count; i++)
            {
                Assert.Null(expected[i].Failure);
                Assert.Null(actual[i].Failure);
                Assert.Equal(expected[i].HighestSequenceNr, actual[i].HighestSequenceNr);
                Assert.Equal(expected[i].Replayed.Select(Describe), actual[i].Replayed.Select(Describe));
            }
        }

        var criteria = new[]
        {
            SnapshotSelectionCriteria.Latest,
            new SnapshotSelectionCriteria(4),
            new SnapshotSelectionCriteria(long.MaxValue, DateTime.UtcNow.AddDays(-1)),
            new SnapshotSelectionCriteria(5, DateTime.UtcNow.AddDays(1)),
        };
        foreach (var c in criteria)
        {
            var expected = await Task.WhenAll(ids.Select(id => Load(stock, id, c)));
            var actual = await Task.WhenAll(ids.Select(id => Load(batched, id, c)));
            Assert.Equal(expected, actual);
        }
        Assert.Contains(await Task.WhenAll(ids.Select(id => Load(batched, id, SnapshotSelectionCriteria.Latest))), d => d != "none");

        // Whole recoveries agree as well (LastSequenceNr counts a deleted highest row, as in the stock plugin).
        var stockReports = await Task.WhenAll(ids.Select(id => stock.ActorOf(LedgerActor.Props(id)).Ask<LedgerActor.RecoveryReport>(new LedgerActor.GetRecovery(), Timeout)));
        var batchedReports = await Task.WhenAll(ids.Select(id => batched.ActorOf(LedgerActor.Props(id)).Ask<LedgerActor.RecoveryReport>(new LedgerActor.GetRecovery(), Timeout)));
        Assert.Equal(stockReports.Select(Json), batchedReports.Select(Json));
    }

    [Fact]
    public async Task Replays_in_one_burst_each_get_their_own_from_to_and_max()
    {
        await using var db = await TestDatabase.CreateAsync();
        var plans = Enumerable.Range(0, 20).Select(i => new LedgerPlan($"window-{i:D2}", 12, false, 0)).ToList();
        using (var writer = PersistenceSystem.Start(db.ConnectionString))
            await Write(writer, plans);

        // A small page makes long windows take several batched rounds.
        const string smallPages = "akka.persistence.journal.sql.replay-batch-size = 5";
        using var stock = PersistenceSystem.Start(db.ConnectionString, PersistenceSystem.StockPlugins);
        using var system = PersistenceSystem.Start(db.ConnectionString, smallPages);
        var journal = PersistenceSystem.Journal(system);
        var before = await PersistenceSystem.JournalStats(system);

        var windows = new (long From, long To, long Max)[]
        {
            (1, long.MaxValue, long.MaxValue), (3, 7, 100), (4, long.MaxValue, 2), (6, 6, 10), (9, 3, 10),
            (2, 11, 7), (1, 12, 0), (13, long.MaxValue, long.MaxValue), (1, 100, 12), (5, 12, 6),
        };
        var requests = plans.Select(p => p.PersistenceId).Append("never-written")
            .SelectMany(id => windows.Select(w => (Id: id, w.From, w.To, w.Max)))
            .ToList();
        var outcomes = await Task.WhenAll(requests.Select(r => JournalReplay.Run(system, journal, r.Id, r.From, r.To, r.Max)));
        var stockOutcomes = await Task.WhenAll(requests.Select(r => JournalReplay.Run(stock, PersistenceSystem.Journal(stock), r.Id, r.From, r.To, r.Max)));

        for (var i = 0; i < requests.Count; i++)
        {
            var (id, from, to, max) = requests[i];
            var written = id == "never-written" ? 0L : 12L;
            var expectedHighest = from - 1 < written ? written : 0;
            var last = Math.Min(to, expectedHighest);
            var expected = new List<long>();
            for (var n = from; n <= last && expected.Count < max; n++) expected.Add(n);

            var outcome = outcomes[i];
            Assert.Null(outcome.Failure);
            Assert.Equal(expectedHighest, outcome.HighestSequenceNr);
            Assert.Equal(expected, outcome.Replayed.Select(p => p.SequenceNr));
            Assert.All(outcome.Replayed, p => Assert.Equal(id, p.PersistenceId));
            Assert.Equal(expected.Select(n => $"{id}#{n}"), outcome.Replayed.Select(p => ((PaperAccountLinked)p.Payload).AccountId));
            Assert.Equal(stockOutcomes[i].Replayed.Select(Describe), outcome.Replayed.Select(Describe));
        }

        var after = await PersistenceSystem.JournalStats(system);
        var replayReads = after.Replay.Requests - before.Replay.Requests;
        var replayQueries = after.Replay.Batches - before.Replay.Batches;
        output.WriteLine($"{requests.Count} replays: {replayReads} page reads in {replayQueries} queries (largest batch {after.Replay.LargestBatch})");
        Assert.True(replayQueries < replayReads, $"{replayQueries} queries for {replayReads} page reads");
        Assert.True(after.Replay.LargestBatch > 1, "some page reads shared a query");
    }

    [Fact]
    public async Task A_failed_batch_fails_every_recovery_in_it_and_later_batches_work_again()
    {
        await using var db = await TestDatabase.CreateAsync();
        var plans = Enumerable.Range(0, 30).Select(i => new LedgerPlan($"broken-{i:D2}", 3, true, 2)).ToList();
        using (var writer = PersistenceSystem.Start(db.ConnectionString))
            await Write(writer, plans);

        // The plugins' circuit breakers would open after 10 failures and fail the rest fast; this test
        // is about each request failing with the batch's own error.
        using var system = PersistenceSystem.Start(db.ConnectionString, """
            akka.persistence.journal.sql.circuit-breaker.max-failures = 1000
            akka.persistence.snapshot-store.sql.circuit-breaker.max-failures = 1000
            """);
        // Both plugins are up (tables created) before the tables disappear from under them.
        await PersistenceSystem.JournalStats(system);
        await PersistenceSystem.SnapshotStats(system);
        await Execute(db, "ALTER TABLE journal RENAME TO journal_away; ALTER TABLE snapshot RENAME TO snapshot_away");

        var journal = PersistenceSystem.Journal(system);
        var replays = await Task.WhenAll(plans.Select(p => JournalReplay.Run(system, journal, p.PersistenceId, 1, long.MaxValue, long.MaxValue)));
        Assert.All(replays, r =>
        {
            Assert.Empty(r.Replayed);
            Assert.Equal(PostgresErrorCodes.UndefinedTable, Assert.IsType<PostgresException>(r.Failure).SqlState);
        });
        var loads = await Task.WhenAll(plans.Select(p => PersistenceSystem.SnapshotStore(system)
            .Ask<ISnapshotResponse>(new LoadSnapshot(p.PersistenceId, SnapshotSelectionCriteria.Latest, long.MaxValue), Timeout)));
        Assert.All(loads, l => Assert.Equal(PostgresErrorCodes.UndefinedTable, Assert.IsType<PostgresException>(Assert.IsType<LoadSnapshotFailed>(l).Cause).SqlState));
        var failedStats = await PersistenceSystem.JournalStats(system);
        Assert.True(failedStats.HighestSequenceNr.Batches < plans.Count, "the failed reads were batched, each failed on its own");

        await Execute(db, "ALTER TABLE journal_away RENAME TO journal; ALTER TABLE snapshot_away RENAME TO snapshot");
        var reports = await Task.WhenAll(plans.Select(p => system.ActorOf(LedgerActor.Props(p.PersistenceId)).Ask<LedgerActor.RecoveryReport>(new LedgerActor.GetRecovery(), Timeout)));
        Assert.All(reports, r =>
        {
            Assert.Equal(3, r.SnapshotSequenceNr);
            Assert.Equal([4L, 5L], r.ReplayedSequenceNrs);
            Assert.Equal(5, r.LastSequenceNr);
        });
    }

    [Fact]
    public async Task A_highest_sequence_read_waits_for_a_write_of_the_same_id_still_in_flight()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var system = PersistenceSystem.Start(db.ConnectionString);
        var journal = PersistenceSystem.Journal(system);
        await PersistenceSystem.JournalStats(system);

        // Each replay is sent right behind a write of the same id, as a restarting actor would;
        // its highest sequence number must include that write even though the write is still queued.
        const string id = "racing";
        for (var n = 1L; n <= 20; n++)
        {
            var write = new AtomicWrite(new Persistent(LedgerActor.EventFor(id, n), n, id, sender: ActorRefs.NoSender, writerGuid: "test"));
            journal.Tell(new WriteMessages([write], ActorRefs.Nobody, 1));
            var outcome = await JournalReplay.Run(system, journal, id, n, long.MaxValue, long.MaxValue);
            Assert.Null(outcome.Failure);
            Assert.Equal(n, outcome.HighestSequenceNr);
            Assert.Equal([n], outcome.Replayed.Select(p => p.SequenceNr));
        }
    }

    private static async Task Write(ActorSystem system, IReadOnlyList<LedgerPlan> plans)
    {
        foreach (var chunk in plans.Chunk(50))
            await Task.WhenAll(chunk.Select(async plan =>
            {
                var ledger = system.ActorOf(LedgerActor.Props(plan.PersistenceId));
                if (plan.EventsBeforeSnapshot > 0) await ledger.Ask<LedgerActor.Appended>(new LedgerActor.Append(plan.EventsBeforeSnapshot), Timeout);
                if (plan.Snapshot) await ledger.Ask<LedgerActor.SnapshotTaken>(new LedgerActor.TakeSnapshot(), Timeout);
                if (plan.EventsAfterSnapshot > 0) await ledger.Ask<LedgerActor.Appended>(new LedgerActor.Append(plan.EventsAfterSnapshot), Timeout);
                await ledger.GracefulStop(Timeout);
            }));
    }

    private static async Task<string> Load(ActorSystem system, string persistenceId, SnapshotSelectionCriteria criteria)
    {
        var result = await PersistenceSystem.SnapshotStore(system).Ask<LoadSnapshotResult>(new LoadSnapshot(persistenceId, criteria, long.MaxValue), Timeout);
        if (result.Snapshot is not { } selected) return "none";
        var m = selected.Metadata;
        return $"{m.PersistenceId} {m.SequenceNr} {m.Timestamp.Ticks} {m.Timestamp.Kind} {selected.Snapshot.GetType().Name} {Json(selected.Snapshot)}";
    }

    /// <summary>Every field of a replayed representation, the payload by type and JSON.</summary>
    private static string Describe(IPersistentRepresentation p) =>
        $"{p.PersistenceId} {p.SequenceNr} '{p.Manifest}' {p.WriterGuid} {p.Timestamp} {p.IsDeleted} {p.Sender} {p.Payload.GetType().Name} {Json(p.Payload)}";

    private static string Json(object value) => JsonSerializer.Serialize(value, value.GetType());

    private static async Task Execute(TestDatabase db, string sql)
    {
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
