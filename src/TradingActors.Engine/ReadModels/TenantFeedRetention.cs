using Npgsql;

namespace TradingActors.Engine.ReadModels;

/// <summary>
/// Keeps the live stream's table (tenant_feed) to a window of recent changes. Everything older than the
/// window goes, in journal order across tenants, and tenant_feed_horizon.pruned_before says where the
/// kept part starts: a client that resumes from before it gets a "reset" instead of a silent gap. The
/// orders, executions and subscriptions themselves stay in their read models; only the stream's
/// pointers to them are pruned.
/// </summary>
public sealed class TenantFeedRetention(NpgsqlDataSource database, int chunkSize = 5_000)
{
    /// <param name="Rows">feed rows deleted</param>
    /// <param name="PrunedBefore">every feed row below this journal ordering is gone (0: none ever pruned)</param>
    public sealed record Pruned(int Rows, long PrunedBefore);

    public async Task<Pruned> PruneAsync(DateTimeOffset olderThan, CancellationToken ct = default)
    {
        // The oldest row, and the first change still inside the window (with none, everything there is now is older).
        await using var bounds = database.CreateCommand("""
            SELECT (SELECT min(event_id) FROM tenant_feed),
                   coalesce((SELECT event_id FROM tenant_feed WHERE occurred_at >= $1 ORDER BY event_id LIMIT 1),
                            (SELECT max(event_id) + 1 FROM tenant_feed))
            """);
        bounds.Parameters.Add(new NpgsqlParameter { Value = olderThan.ToUniversalTime() });
        long oldest, keepFrom;
        await using (var reader = await bounds.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            if (reader.IsDBNull(0)) return new Pruned(0, await HorizonAsync(ct));
            (oldest, keepFrom) = (reader.GetInt64(0), reader.GetInt64(1));
        }
        if (oldest >= keepFrom) return new Pruned(0, await HorizonAsync(ct));

        // The horizon moves first: a client resuming while rows go is told to reload, never left with a gap.
        await using (var move = database.CreateCommand("UPDATE tenant_feed_horizon SET pruned_before = greatest(pruned_before, $1)"))
        {
            move.Parameters.Add(new NpgsqlParameter { Value = keepFrom });
            await move.ExecuteNonQueryAsync(ct);
        }
        // In chunks, each its own transaction, so pruning a long backlog never holds locks for long.
        var rows = 0;
        while (true)
        {
            await using var delete = database.CreateCommand(
                "DELETE FROM tenant_feed WHERE ctid = ANY(ARRAY(SELECT ctid FROM tenant_feed WHERE event_id < $1 LIMIT $2))");
            delete.Parameters.Add(new NpgsqlParameter { Value = keepFrom });
            delete.Parameters.Add(new NpgsqlParameter { Value = chunkSize });
            var deleted = await delete.ExecuteNonQueryAsync(ct);
            rows += deleted;
            if (deleted < chunkSize) break;
        }
        return new Pruned(rows, await HorizonAsync(ct));
    }

    private async Task<long> HorizonAsync(CancellationToken ct)
    {
        await using var read = database.CreateCommand("SELECT pruned_before FROM tenant_feed_horizon");
        return (long)(await read.ExecuteScalarAsync(ct))!;
    }
}
