using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using TradingActors.Domain.Orders;
using TradingActors.Engine.ReadModels;
using TradingActors.IntegrationTests.Infrastructure;

namespace TradingActors.IntegrationTests.ReadModels;

/// <summary>
/// The live stream's rows are kept for a window: older ones go in journal order across tenants, and the
/// horizon (where the kept rows start) only moves forward and moves before any row goes.
/// </summary>
public sealed class TenantFeedRetentionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 6, 7, 8, 9, TimeSpan.Zero);

    /// <summary>Events 1..10 alternating tenants a and b, event i at T0 + i minutes; even events have an execution row too.</summary>
    private static async Task<TestDatabase> FeedAsync(Func<long, DateTimeOffset>? at = null)
    {
        var db = await TestDatabase.CreateAsync();
        ReadModelSchema.Migrate(db.ConnectionString, NullLogger.Instance);
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync();
        for (long e = 1; e <= 10; e++)
            for (short part = 0; part <= (e % 2 == 0 ? 1 : 0); part++)
            {
                await using var insert = new NpgsqlCommand(
                    "INSERT INTO tenant_feed (tenant_id, event_id, part, kind, ref, occurred_at) VALUES ($1, $2, $3, $4, $5, $6)", connection);
                foreach (var value in new object[] { e % 2 == 0 ? "a" : "b", e, part, part == 0 ? "order" : "execution", $"ref-{e}", (at ?? DefaultAt)(e) })
                    insert.Parameters.Add(new NpgsqlParameter { Value = value });
                await insert.ExecuteNonQueryAsync();
            }
        return db;
    }

    private static DateTimeOffset DefaultAt(long e) => T0.AddMinutes(e);

    private static Task<long> Kept(TestDatabase db) => db.ScalarAsync("SELECT count(*) FROM tenant_feed");

    [Theory]
    // cutoff (minutes after T0) → rows deleted, horizon, rows kept (15 rows: 10 orders + 5 executions)
    [InlineData(0.5, 0, 0L, 15L)]   // nothing older: nothing goes, the horizon stays
    [InlineData(1.0, 0, 0L, 15L)]   // event 1 is at the cutoff itself: kept
    [InlineData(5.5, 7, 6L, 8L)]    // events 1..5 go (5 orders + 2 executions), both tenants
    [InlineData(10.0, 13, 10L, 2L)] // all but the last event
    [InlineData(60.0, 15, 11L, 0L)] // everything: the horizon is one past the newest row
    public async Task Rows_older_than_the_cutoff_go_in_journal_order_and_the_horizon_says_where_the_kept_rows_start(
        double cutoffMinutes, int deleted, long horizon, long kept)
    {
        await using var db = await FeedAsync();
        await using var source = NpgsqlDataSource.Create(db.ConnectionString);
        var pruned = await new TenantFeedRetention(source).PruneAsync(T0.AddMinutes(cutoffMinutes));
        Assert.Equal(new TenantFeedRetention.Pruned(deleted, horizon), pruned);
        Assert.Equal(kept, await Kept(db));
        Assert.Equal(0, await db.ScalarAsync($"SELECT count(*) FROM tenant_feed WHERE event_id < {horizon}"));
        Assert.Equal(horizon, await db.ScalarAsync("SELECT pruned_before FROM tenant_feed_horizon"));
    }

    [Fact]
    public async Task The_horizon_never_moves_back_and_pruning_again_deletes_nothing()
    {
        await using var db = await FeedAsync();
        await using var source = NpgsqlDataSource.Create(db.ConnectionString);
        var retention = new TenantFeedRetention(source);
        Assert.Equal(new TenantFeedRetention.Pruned(7, 6), await retention.PruneAsync(T0.AddMinutes(5.5)));
        Assert.Equal(new TenantFeedRetention.Pruned(0, 6), await retention.PruneAsync(T0.AddMinutes(5.5)));
        Assert.Equal(new TenantFeedRetention.Pruned(0, 6), await retention.PruneAsync(T0.AddMinutes(2)));
        Assert.Equal(new TenantFeedRetention.Pruned(8, 11), await retention.PruneAsync(T0.AddHours(1)));
        // An empty feed keeps its horizon (a client from before it still gets a reset).
        Assert.Equal(new TenantFeedRetention.Pruned(0, 11), await retention.PruneAsync(T0.AddHours(2)));
    }

    [Fact]
    public async Task A_late_clock_keeps_what_follows_it_in_the_journal()
    {
        // Event 3 was stamped late (another node's clock): the window starts at it, so events 3..10 stay
        // even where they are older than the cutoff. Keeping too much is harmless; a gap would not be.
        await using var db = await FeedAsync(e => e == 3 ? T0.AddMinutes(30) : DefaultAt(e));
        await using var source = NpgsqlDataSource.Create(db.ConnectionString);
        Assert.Equal(new TenantFeedRetention.Pruned(3, 3), await new TenantFeedRetention(source).PruneAsync(T0.AddMinutes(5.5)));
        Assert.Equal(12, await Kept(db));
    }

    [Fact]
    public async Task A_backlog_larger_than_a_chunk_goes_in_several_chunks()
    {
        await using var db = await FeedAsync();
        await using var source = NpgsqlDataSource.Create(db.ConnectionString);
        Assert.Equal(new TenantFeedRetention.Pruned(13, 10), await new TenantFeedRetention(source, chunkSize: 3).PruneAsync(T0.AddMinutes(10)));
        Assert.Equal(2, await Kept(db));
    }

    [Fact]
    public async Task The_projection_prunes_the_stream_on_its_own_once_rows_are_older_than_the_retention()
    {
        await using var db = await TestDatabase.CreateAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = EngineNode.DefaultOptions(db.ConnectionString, new TestVenues());
        options.Time = clock;
        options.ReadModels.Enabled = true;
        options.ReadModels.FeedRetention = TimeSpan.FromMinutes(1);
        options.ReadModels.FeedPruneInterval = TimeSpan.FromSeconds(1);
        await using var node = await EngineNode.StartAsync(options);
        await node.CreatePaperSubscriber("fr-1");
        await Eventually.TrueAsync(async () => await node.RegisteredSubscribers() == 1, TimeSpan.FromSeconds(30), "registered");
        await node.EmitSignal(OrderSide.Buy, 60_000m);
        // The projection creates its tables when it starts, after the node is up: wait for them before reading.
        await Eventually.TrueAsync(async () => await db.ScalarAsync("SELECT count(*) FROM pg_tables WHERE tablename = 'tenant_feed_horizon'") == 1,
            TimeSpan.FromSeconds(30), "the read-model tables");
        await Eventually.TrueAsync(async () => await db.ScalarAsync("SELECT count(*) FROM tenant_feed WHERE kind = 'execution'") == 1,
            TimeSpan.FromSeconds(30), "the fill in the stream");
        var newest = await db.ScalarAsync("SELECT max(event_id) FROM tenant_feed");
        Assert.Equal(0, await db.ScalarAsync("SELECT pruned_before FROM tenant_feed_horizon"));

        clock.Advance(TimeSpan.FromMinutes(2));
        await Eventually.TrueAsync(async () => await Kept(db) == 0, TimeSpan.FromSeconds(30), "the old rows pruned");
        Assert.Equal(newest + 1, await db.ScalarAsync("SELECT pruned_before FROM tenant_feed_horizon"));
        // The orders themselves stay.
        Assert.Equal(1, await db.ScalarAsync("SELECT count(*) FROM orders WHERE status = 'filled'"));
    }
}
