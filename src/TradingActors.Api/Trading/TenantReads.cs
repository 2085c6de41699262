using Npgsql;
using TradingActors.Engine.ReadModels;

namespace TradingActors.Api.Trading;

/// <summary>
/// The API's PostgreSQL data sources, disposed with the host: Owner for the tables the API writes itself
/// (idempotency keys), Reader for trading reads (a login of its own when Trading:Api:ReaderConnectionString is set).
/// </summary>
public sealed class ApiDataSources(NpgsqlDataSource owner, NpgsqlDataSource reader) : IAsyncDisposable
{
    public NpgsqlDataSource Owner { get; } = owner;
    public NpgsqlDataSource Reader { get; } = reader;

    public async ValueTask DisposeAsync()
    {
        await Owner.DisposeAsync();
        if (!ReferenceEquals(Reader, Owner)) await Reader.DisposeAsync();
    }
}

/// <summary>
/// Every read of a tenant's trading data goes through here: one transaction that switches to the
/// reader role (neither owner nor BYPASSRLS) and sets app.tenant_id, so row level security limits
/// every statement in it to the caller's rows — also one that forgets its WHERE clause. With a
/// separate reader login (Trading:Api:ReaderConnectionString) the role switch is a no-op.
/// </summary>
public sealed class TenantReads(NpgsqlDataSource database, TimeProvider time)
{
    private static readonly TimeSpan ConsistencyPoll = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// The data source trading reads go through. Every use of it is one transaction whose settings are all LOCAL (the
    /// role, the tenant): commit or rollback undoes them, and Npgsql rolls back a transaction still open when a
    /// connection goes back to the pool. So its connections skip Npgsql's reset on close (the statements it would
    /// otherwise run before the next request's query) and nothing of one request's session reaches the next;
    /// RowLevelSecurityTests guards exactly that.
    /// </summary>
    public static NpgsqlDataSource CreateSource(string connectionString) =>
        NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true }.ConnectionString);

    public async Task<T> ReadAsync<T>(string tenantId, Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> read, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        await using (var scope = new NpgsqlBatch(connection, tx))
        {
            scope.BatchCommands.Add(new NpgsqlBatchCommand($"SET LOCAL ROLE {ReadModelSchema.ReaderRole}"));
            var tenant = new NpgsqlBatchCommand("SELECT set_config('app.tenant_id', $1, true)");
            tenant.Parameters.Add(new NpgsqlParameter { Value = tenantId });
            scope.BatchCommands.Add(tenant);
            await scope.ExecuteNonQueryAsync(ct);
        }
        var result = await read(connection, tx);
        await tx.CommitAsync(ct);
        return result;
    }

    /// <summary>The tenant's journal sequence number the read models have reached (0 before any event).</summary>
    public Task<long> ProjectedSequenceAsync(string tenantId, CancellationToken ct) =>
        ReadAsync(tenantId, async (connection, tx) =>
        {
            await using var command = new NpgsqlCommand("SELECT sequence_nr FROM tenant_progress", connection, tx);
            return await command.ExecuteScalarAsync(ct) is long n ? n : 0L;
        }, ct);

    /// <summary>Read-your-writes: waits until the read models hold the tenant's event <paramref name="sequenceNr"/>; false at the deadline.</summary>
    public async Task<bool> WaitForAsync(string tenantId, long sequenceNr, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + timeout;
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (await ProjectedSequenceAsync(tenantId, ct) >= sequenceNr) return true;
            // Real time bounds the wait too: an injected clock that tests hold still must not hang a request.
            if (time.GetUtcNow() >= deadline || started.Elapsed >= timeout) return false;
            await Task.Delay(ConsistencyPoll, ct);
        }
    }

    /// <summary>
    /// One query's rows under the tenant's row level security. A value is a parameter's value ($1, $2… in order; null is
    /// NULL), or an NpgsqlParameter when its type must be given (a NULL compared with a cast).
    /// </summary>
    public Task<List<T>> QueryAsync<T>(string tenantId, string sql, Func<NpgsqlDataReader, T> map, CancellationToken ct, params object?[] values) =>
        ReadAsync(tenantId, async (connection, tx) =>
        {
            await using var command = new NpgsqlCommand(sql, connection, tx);
            foreach (var value in values)
                command.Parameters.Add(value as NpgsqlParameter ?? new NpgsqlParameter { Value = value ?? DBNull.Value });
            var rows = new List<T>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) rows.Add(map(reader));
            return rows;
        }, ct);
}
