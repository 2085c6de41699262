using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using TradingActors.Api.Schema;
using TradingActors.Api.Trading;
using TradingActors.Credentials;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.ReadModels;

namespace TradingActors.Api.Tests.Trading;

/// <summary>
/// Trading reads run as the reader role with the tenant set per transaction; row level security, not the
/// query, keeps tenants apart. These queries forget their WHERE clause on purpose.
/// </summary>
public sealed class RowLevelSecurityTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 6, 7, 8, 9, TimeSpan.Zero);
    private static readonly MasterKeyRing Ring = MasterKeyRing.Of([MasterKey.Generate("mk")], "mk");
    private TestDatabase _db = null!;
    private NpgsqlDataSource _source = null!;
    private TenantReads _reads = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        ReadModelSchema.Migrate(_db.ConnectionString, NullLogger.Instance);
        _source = NpgsqlDataSource.Create(_db.ConnectionString);
        _reads = new TenantReads(_source, TimeProvider.System);
        var events = new List<ProjectedEvent>();
        var ordering = 0L;
        foreach (var tenant in new[] { "alice", "bob", "carol" })
        {
            var intent = new OrderIntent(ClientOrderIds.Create(tenant, "pa", "manual:k", 0, 0), "pa", "manual:k", 0, "BTCUSDT", OrderSide.Buy, 0.01m, 50_000m);
            ITenantEvent[] history =
            [
                new PaperAccountLinked("pa", 10_000m, T0),
                new Subscribed("rsi", "pa", "BTCUSDT", 1_000m, T0),
                new Subscribed("rsi", "pb", "BTCUSDT", 1_000m, T0, 0, "sub-" + tenant),
                new OrderFilled(intent, new Fill(0.01m, 50_000m, 0.5m, "V", T0), T0),
                new SignalsSkipped("rsi", 1, 1, "stale", T0),
                new CredentialKeyIssued(WrappedDataKey.Wrap(DataKey.Generate(), tenant, Ring).Encode(), T0),
            ];
            events.AddRange(history.Select((e, i) => new ProjectedEvent(++ordering, tenant, i + 1, e)));
        }
        await new ReadModelWriter(_source, "test").WriteAsync(events, T0);
    }

    public static TheoryData<string> Tables => new() { "accounts", "subscriptions", "orders", "executions", "positions", "tenant_progress", "tenant_feed", "credential_keys" };

    [Theory]
    [MemberData(nameof(Tables))]
    public async Task A_query_without_a_where_clause_returns_only_the_callers_rows(string table)
    {
        Assert.Equal(3, await _db.ScalarAsync($"SELECT count(DISTINCT tenant_id) FROM {table}"));
        var seen = await _reads.ReadAsync("bob", async (connection, tx) =>
        {
            await using var command = new NpgsqlCommand($"SELECT tenant_id FROM {table}", connection, tx);
            var tenants = new List<string>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) tenants.Add(reader.GetString(0));
            return tenants;
        }, CancellationToken.None);
        Assert.NotEmpty(seen);
        Assert.All(seen, t => Assert.Equal("bob", t));
    }

    [Fact]
    public async Task Nothing_of_a_read_outlives_it_on_the_pooled_connection_the_next_read_gets()
    {
        // One connection, so every read below and the check after them share one PostgreSQL session.
        await using var source = TenantReads.CreateSource(_db.ConnectionString + ";Maximum Pool Size=1");
        var reads = new TenantReads(source, TimeProvider.System);
        var session = await reads.ReadAsync("alice", async (connection, tx) =>
        {
            await using var pid = new NpgsqlCommand("SELECT pg_backend_pid()", connection, tx);
            return (int)(await pid.ExecuteScalarAsync())!;
        }, default);
        Assert.Single(await reads.QueryAsync("alice", "SELECT client_order_id FROM orders", r => r.GetString(0), default));
        await Assert.ThrowsAsync<PostgresException>(() => reads.QueryAsync("bob", "SELECT 1 / 0", r => r.GetInt32(0), default));
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            reads.ReadAsync<int>("carol", (_, _) => throw new InvalidOperationException("the route failed half-way"), default));

        await using var next = await source.OpenConnectionAsync();
        await using var check = new NpgsqlCommand(
            "SELECT pg_backend_pid(), current_user = session_user, coalesce(current_setting('app.tenant_id', true), ''), (SELECT count(*) FROM orders)", next);
        await using var row = await check.ExecuteReaderAsync();
        Assert.True(await row.ReadAsync());
        Assert.Equal(session, row.GetInt32(0));
        Assert.True(row.GetBoolean(1)); // the reader role is gone
        Assert.Equal("", row.GetString(2)); // and so is the tenant
        Assert.Equal(3, row.GetInt64(3)); // the login sees every tenant's order again: no policy applies to it
    }

    [Fact]
    public async Task Subscriptions_with_ids_are_the_callers_only_and_the_strategy_totals_count_every_tenant_without_naming_one()
    {
        var (mine, totals) = await _reads.ReadAsync("bob", async (connection, tx) =>
        {
            var ids = new List<string>();
            await using (var command = new NpgsqlCommand("SELECT subscription_id FROM subscriptions ORDER BY subscription_id", connection, tx))
            await using (var reader = await command.ExecuteReaderAsync())
                while (await reader.ReadAsync()) ids.Add(reader.GetString(0));
            await using var view = new NpgsqlCommand("SELECT strategy_id, subscribers, subscriptions FROM strategy_subscribers", connection, tx);
            await using var rows = await view.ExecuteReaderAsync();
            var counts = new List<(string, long, long)>();
            while (await rows.ReadAsync()) counts.Add((rows.GetString(0), rows.GetInt64(1), rows.GetInt64(2)));
            return (ids, counts);
        }, CancellationToken.None);

        Assert.Equal(["rsi", "sub-bob"], mine);
        Assert.Equal([("rsi", 3L, 6L)], totals);
        Assert.Equal(0, await _db.ScalarAsync("SELECT count(*) FROM information_schema.columns WHERE table_name = 'strategy_subscribers' AND column_name = 'tenant_id'"));
    }

    [Fact]
    public async Task Without_a_tenant_the_reader_sees_nothing_and_it_can_change_nothing()
    {
        await using var connection = await _source.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await using (var role = new NpgsqlCommand($"SET LOCAL ROLE {ReadModelSchema.ReaderRole}", connection, tx)) await role.ExecuteNonQueryAsync();
        await using (var count = new NpgsqlCommand("SELECT count(*) FROM orders", connection, tx)) Assert.Equal(0L, await count.ExecuteScalarAsync());
        await using var update = new NpgsqlCommand("UPDATE orders SET status = 'filled'", connection, tx);
        var denied = await Assert.ThrowsAsync<PostgresException>(() => update.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);
    }

    [Fact]
    public async Task The_reader_role_is_neither_owner_nor_exempt_from_row_level_security()
    {
        Assert.Equal(0, await _db.ScalarAsync($"SELECT count(*) FROM pg_roles WHERE rolname = '{ReadModelSchema.ReaderRole}' AND (rolbypassrls OR rolsuper)"));
        Assert.Equal(0, await _db.ScalarAsync($"SELECT count(*) FROM pg_tables WHERE tableowner = '{ReadModelSchema.ReaderRole}'"));
        Assert.Equal(8, await _db.ScalarAsync(
            "SELECT count(*) FROM pg_class WHERE relname IN ('accounts','subscriptions','orders','executions','positions','tenant_progress','tenant_feed','credential_keys') AND relrowsecurity"));
    }

    [Fact]
    public async Task The_audit_trail_read_without_a_where_clause_is_the_callers_own()
    {
        SchemaMigrations.Migrate(_db.ConnectionString, NullLogger.Instance);
        Guid[] users = [Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()];
        await using (var connection = await _source.OpenConnectionAsync())
            foreach (var user in users)
            {
                await using var insert = new NpgsqlCommand("INSERT INTO audit (user_id, kind, occurred_at) VALUES ($1, 'login_succeeded', now()), ($1, 'logged_out', now()), (NULL, 'login_failed', now())", connection);
                insert.Parameters.Add(new NpgsqlParameter { Value = user });
                await insert.ExecuteNonQueryAsync();
            }
        var seen = await _reads.ReadAsync(users[1].ToString("N"), async (connection, tx) =>
        {
            await using var command = new NpgsqlCommand("SELECT user_id FROM audit", connection, tx);
            var rows = new List<Guid?>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) rows.Add(reader.IsDBNull(0) ? null : reader.GetGuid(0));
            return rows;
        }, CancellationToken.None);
        Assert.Equal([users[1], users[1]], seen);
        Assert.Equal(9, await _db.ScalarAsync("SELECT count(*) FROM audit"));
    }

    public async Task DisposeAsync()
    {
        await _source.DisposeAsync();
        await _db.DisposeAsync();
    }
}
