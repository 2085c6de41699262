using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using TradingActors.Engine.Persistence;

namespace TradingActors.Engine.Membership;

/// <summary>
/// The cluster_nodes table (decision 016): this node's row, the fresh rows of Up members other nodes join through,
/// and the advisory lock that lets only one node at a time form a new cluster.
/// </summary>
public sealed class NodeDirectory(NpgsqlDataSource database, string service, string selfAddress, string roles, TimeSpan staleAfter)
{
    private const long SchemaLockKey = 0x636c_7573_7472; // "clustr"
    private const long FormationLockKey = 0x666f_726d_6174; // "format"

    public static void Migrate(string connectionString) =>
        SqlMigrations.Run(connectionString, typeof(NodeDirectory).Assembly, "TradingActors.Engine.Membership.Schema.", "cluster_node_versions",
            SchemaLockKey, NullLogger.Instance);

    /// <summary>Writes or refreshes this node's row (its heartbeat), with whether it is an Up member now.</summary>
    public async Task BeatAsync(bool up, CancellationToken ct)
    {
        await using var command = database.CreateCommand("""
            INSERT INTO cluster_nodes (service, akka_address, roles, up) VALUES ($1, $2, $3, $4)
            ON CONFLICT (service, akka_address) DO UPDATE SET roles = excluded.roles, up = excluded.up, last_seen = now()
            """);
        command.Parameters.Add(new() { Value = service });
        command.Parameters.Add(new() { Value = selfAddress });
        command.Parameters.Add(new() { Value = roles });
        command.Parameters.Add(new() { Value = up });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Removes this node's row (it leaves), and rows nobody has refreshed for a day (nodes that died long ago).</summary>
    public async Task RemoveAsync(CancellationToken ct)
    {
        await using var command = database.CreateCommand("""
            DELETE FROM cluster_nodes WHERE (service = $1 AND akka_address = $2) OR last_seen < now() - interval '1 day'
            """);
        command.Parameters.Add(new() { Value = service });
        command.Parameters.Add(new() { Value = selfAddress });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Other nodes that said they are Up members within stale-after, oldest first: the seeds to join through.</summary>
    public async Task<IReadOnlyList<string>> UpMembersAsync(CancellationToken ct)
    {
        await using var command = database.CreateCommand("""
            SELECT akka_address FROM cluster_nodes
             WHERE service = $1 AND akka_address <> $2 AND up AND last_seen > now() - $3
             ORDER BY started_at, akka_address
            """);
        command.Parameters.Add(new() { Value = service });
        command.Parameters.Add(new() { Value = selfAddress });
        command.Parameters.Add(new() { Value = staleAfter });
        var members = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) members.Add(reader.GetString(0));
        return members;
    }

    /// <summary>
    /// The right to form a new cluster, held on a connection of its own until disposed; null when another node holds
    /// it. A node that dies while holding it loses its session, and with it the lock.
    /// </summary>
    public async Task<IAsyncDisposable?> TryTakeFormationLockAsync(CancellationToken ct)
    {
        var connection = await database.OpenConnectionAsync(ct);
        await using (var take = new NpgsqlCommand($"SELECT pg_try_advisory_lock({FormationLockKey})", connection))
            if (await take.ExecuteScalarAsync(ct) is true)
                return new FormationLock(connection);
        await connection.DisposeAsync();
        return null;
    }

    private sealed class FormationLock(NpgsqlConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({FormationLockKey})", connection);
                await release.ExecuteNonQueryAsync();
            }
            finally
            {
                // Back to the pool: the session is reset (DISCARD ALL), which releases the lock had the unlock failed.
                await connection.DisposeAsync();
            }
        }
    }
}
