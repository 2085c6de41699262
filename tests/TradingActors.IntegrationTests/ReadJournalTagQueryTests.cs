using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using TradingActors.Engine.Persistence;
using TradingActors.IntegrationTests.Infrastructure;

namespace TradingActors.IntegrationTests;

/// <summary>
/// The query side's events-by-tag statement (ReadJournalTagQuery): the tag aggregate runs as an index lookup per
/// event instead of a scan of the whole tag table, with the same events, offsets and tags as the stock statement.
/// </summary>
public sealed class ReadJournalTagQueryTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    // As Akka.Persistence.Sql 1.5.73 with linq2db 6.5.1 sends it (pg_stat_activity during a journal audit).
    private const string StockStatement = """
        SELECT
        	x_1."Ordering",
        	x_1."Timestamp_1",
        	(
        		SELECT
        			STRING_AGG(t1.tag, ';') FILTER (WHERE t1.ordering_id = x_1."Ordering")
        		FROM
        			tags t1
        	)
        FROM
        	(
        		SELECT
        			x.ordering as "Ordering",
        			x.created as "Timestamp_1"
        		FROM
        			journal x
        				INNER JOIN tags lp ON lp.ordering_id = x.ordering
        		WHERE
        			lp.ordering_id > $1 AND
        			lp.ordering_id <= $2 AND
        			NOT x.deleted AND
        			lp.tag = $3
        		ORDER BY
        			x.ordering
        		LIMIT $4
        	) x_1
        """;

    [Fact]
    public void The_tag_condition_moves_from_FILTER_to_WHERE_and_other_statements_are_left_alone()
    {
        var rewritten = ReadJournalTagQuery.Rewrite(StockStatement);
        Assert.Contains("STRING_AGG(t1.tag, ';') FROM tags t1 WHERE t1.ordering_id = x_1.\"Ordering\")", rewritten);
        Assert.DoesNotContain("FILTER", rewritten);
        // Everything else is untouched.
        Assert.Equal(StockStatement[..StockStatement.IndexOf("STRING_AGG", StringComparison.Ordinal)],
            rewritten[..rewritten.IndexOf("STRING_AGG", StringComparison.Ordinal)]);
        Assert.EndsWith(StockStatement[StockStatement.IndexOf("FROM\n\t(", StringComparison.Ordinal)..], rewritten);

        // Not that shape: the same instance back (a WHERE already there, a condition with parentheses, no FILTER).
        foreach (var other in new[]
                 {
                     "SELECT (SELECT STRING_AGG(t1.tag, ';') FILTER (WHERE t1.ordering_id = x.o) FROM tags t1 WHERE t1.tag <> '') FROM journal x",
                     "SELECT (SELECT STRING_AGG(t1.tag, ';') FILTER (WHERE (t1.ordering_id = x.o)) FROM tags t1) FROM journal x",
                     "SELECT max(ordering) FROM journal",
                 })
            Assert.Same(other, ReadJournalTagQuery.Rewrite(other));
    }

    [Fact]
    public async Task Events_by_tag_through_the_engine_setup_are_the_stock_query_s_events_offsets_and_tags()
    {
        await using var db = await TestDatabase.CreateAsync();
        var ids = Enumerable.Range(0, 30).Select(i => $"tagged-{i:D2}").ToList();
        using (var writer = PersistenceSystem.Start(db.ConnectionString))
        {
            var ledgers = ids.Select(id => writer.ActorOf(LedgerActor.Props(id))).ToList();
            await Task.WhenAll(ledgers.Select(l => l.Ask<LedgerActor.Appended>(new LedgerActor.Append(3), Timeout)));
        }
        // A second tag on some events, so the aggregate has more than one row to join for them.
        await db.ScalarAsync("""
            INSERT INTO tags (ordering_id, tag, sequence_nr, persistence_id)
            SELECT ordering_id, 'audit', sequence_nr, persistence_id FROM tags WHERE sequence_nr = 2;
            SELECT 0
            """);

        var queryConnection = $"akka.persistence.query.journal.sql.connection-string = \"{db.ConnectionString}\"";
        var stock = await ReadTagAsync(db.ConnectionString, queryConnection, null);
        var interceptor = new ReadJournalTagQuery();
        var engine = await ReadTagAsync(db.ConnectionString, queryConnection, interceptor);

        Assert.True(interceptor.Rewritten > 0, "the engine's setup did not reach the query plugin's statements");
        Assert.Equal(90, stock.Count);
        Assert.Equal(stock, engine);
        Assert.Equal(30, engine.Count(e => e.Tags.Contains("audit")));
        Assert.All(engine, e => Assert.Contains("tenant", e.Tags));
    }

    private static async Task<List<(string PersistenceId, long SequenceNr, long Offset, string Tags)>> ReadTagAsync(
        string connectionString, string overrides, ReadJournalTagQuery? tagQuery)
    {
        using var system = PersistenceSystem.Start(connectionString, overrides, tagQuery);
        var query = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
        var envelopes = await query.CurrentEventsByTag("tenant", Offset.NoOffset())
            .RunAggregate(new List<EventEnvelope>(), (list, e) => { list.Add(e); return list; }, system.Materializer())
            .WaitAsync(Timeout);
        return envelopes
            .Select(e => (e.PersistenceId, e.SequenceNr, ((Sequence)e.Offset).Value, string.Join(",", e.Tags.Order(StringComparer.Ordinal))))
            .ToList();
    }
}
