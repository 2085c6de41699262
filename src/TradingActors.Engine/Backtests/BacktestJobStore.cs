using System.Text.Json;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using TradingActors.Engine.Persistence;

namespace TradingActors.Engine.Backtests;

/// <summary>The states of a backtest job, as stored and as the API spells them.</summary>
public static class BacktestJobStatus
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static bool IsActive(string status) => status is Queued or Running;
}

/// <summary>The names of a finished job's documents in backtest_outputs.</summary>
public static class BacktestOutputs
{
    public const string Report = "report.json";
    public const string Equity = "equity.csv";
    public const string Trades = "trades.csv";
    public const string Chart = "chart.svg";
    public const string Results = "results.json";
    public const string ResultsCsv = "results.csv";
}

/// <summary>
/// What a job's coordinator writes of its job: started, progress (its heartbeat), completed with its documents, failed.
/// Each answers false when the job is no longer in the state the write expects (cancelled meanwhile, failed by another
/// node). <see cref="BacktestJobStore"/> in PostgreSQL; tests plug their own.
/// </summary>
public interface IBacktestJobState
{
    Task<bool> StartAsync(string jobId, int pointsTotal);

    Task<bool> ProgressAsync(string jobId, int pointsDone);

    Task<bool> CompleteAsync(string jobId, string tenantId, int pointsDone, IReadOnlyDictionary<string, int> runsByNode, IReadOnlyDictionary<string, string> outputs);

    Task<bool> FailAsync(string jobId, string reason);
}

/// <summary>
/// The backtest jobs' rows (decision 029), written as the database owner: created by the API (with the per-user cap),
/// moved along by the job's coordinator, finished with its outputs in one transaction, failed by any node when the
/// member that ran it is gone. Reads for users go through the API's tenant-scoped reader instead.
/// </summary>
public sealed class BacktestJobStore(NpgsqlDataSource database, ILogger? log = null) : IBacktestJobState, IDisposable
{
    public void Dispose() => database.Dispose();

    private const long LockKey = 0x6261_636b_7465; // "backte"
    private const string Prefix = "TradingActors.Engine.Backtests.Schema.";
    private Task? _migrated;
    private readonly Lock _gate = new();

    public static void Migrate(string connectionString, ILogger log) =>
        SqlMigrations.Run(connectionString, typeof(BacktestJobStore).Assembly, Prefix, "backtest_versions", LockKey, log);

    /// <summary>Migrates once per process before the first write (an engine-only node serves no API that would have).</summary>
    public Task EnsureSchemaAsync()
    {
        lock (_gate)
            return _migrated ??= Task.Run(() => Migrate(database.ConnectionString,
                log ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance));
    }

    public enum CreateOutcome { Created, TooManyActive }

    /// <summary>
    /// Inserts the job as queued unless the tenant already has <paramref name="maxActive"/> jobs queued or running; the
    /// count and the insert happen under a per-tenant lock, so two requests at once cannot both pass the cap.
    /// </summary>
    public async Task<(CreateOutcome Outcome, int Active)> CreateAsync(BacktestJobSpec spec, int pointsTotal, string ownerNode, int maxActive, CancellationToken ct)
    {
        await EnsureSchemaAsync();
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended('backtests:' || $1, 0))", connection, tx))
        {
            take.Parameters.Add(new NpgsqlParameter { Value = spec.TenantId });
            await take.ExecuteNonQueryAsync(ct);
        }
        int active;
        await using (var count = new NpgsqlCommand("SELECT count(*) FROM backtest_jobs WHERE tenant_id = $1 AND status IN ('queued', 'running')", connection, tx))
        {
            count.Parameters.Add(new NpgsqlParameter { Value = spec.TenantId });
            active = Convert.ToInt32(await count.ExecuteScalarAsync(ct));
        }
        if (active >= maxActive) return (CreateOutcome.TooManyActive, active);
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO backtest_jobs (id, tenant_id, kind, status, spec, points_total, owner_node, created_at, heartbeat_at)
            VALUES ($1, $2, $3, 'queued', $4, $5, $6, now(), now())
            """, connection, tx))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = spec.JobId });
            insert.Parameters.Add(new NpgsqlParameter { Value = spec.TenantId });
            insert.Parameters.Add(new NpgsqlParameter { Value = spec.IsSweep ? "sweep" : "backtest" });
            insert.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(spec, BacktestJson.Options), NpgsqlDbType = NpgsqlDbType.Jsonb });
            insert.Parameters.Add(new NpgsqlParameter { Value = pointsTotal });
            insert.Parameters.Add(new NpgsqlParameter { Value = ownerNode });
            await insert.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return (CreateOutcome.Created, active + 1);
    }

    /// <summary>queued → running. False when the job is no longer queued (cancelled before it started).</summary>
    public async Task<bool> StartAsync(string jobId, int pointsTotal)
    {
        await EnsureSchemaAsync();
        await using var command = database.CreateCommand("""
            UPDATE backtest_jobs SET status = 'running', started_at = now(), heartbeat_at = now(), points_total = $2 WHERE id = $1 AND status = 'queued'
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = jobId });
        command.Parameters.Add(new NpgsqlParameter { Value = pointsTotal });
        return await command.ExecuteNonQueryAsync() == 1;
    }

    /// <summary>Points done so far, and the heartbeat. False when the job is no longer running (cancelled, or failed by another node).</summary>
    public async Task<bool> ProgressAsync(string jobId, int pointsDone)
    {
        await using var command = database.CreateCommand("""
            UPDATE backtest_jobs SET points_done = $2, heartbeat_at = now() WHERE id = $1 AND status = 'running'
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = jobId });
        command.Parameters.Add(new NpgsqlParameter { Value = pointsDone });
        return await command.ExecuteNonQueryAsync() == 1;
    }

    /// <summary>A run's documents, written by the worker that ran it (a run written twice writes the same bytes).</summary>
    public void SaveOutputs(string jobId, string tenantId, IReadOnlyDictionary<string, string> outputs)
    {
        EnsureSchemaAsync().GetAwaiter().GetResult();
        using var connection = database.OpenConnection();
        using var tx = connection.BeginTransaction();
        WriteOutputs(connection, tx, jobId, tenantId, outputs);
        tx.Commit();
    }

    /// <summary>running → completed with the job's last documents, in one transaction. False (nothing written) when it was cancelled meanwhile.</summary>
    public async Task<bool> CompleteAsync(string jobId, string tenantId, int pointsDone, IReadOnlyDictionary<string, int> runsByNode,
        IReadOnlyDictionary<string, string> outputs)
    {
        await using var connection = await database.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await using (var update = new NpgsqlCommand("""
            UPDATE backtest_jobs SET status = 'completed', points_done = $2, runs_by_node = $3, finished_at = now(), heartbeat_at = now()
            WHERE id = $1 AND status = 'running'
            """, connection, tx))
        {
            update.Parameters.Add(new NpgsqlParameter { Value = jobId });
            update.Parameters.Add(new NpgsqlParameter { Value = pointsDone });
            update.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(runsByNode), NpgsqlDbType = NpgsqlDbType.Jsonb });
            if (await update.ExecuteNonQueryAsync() != 1) return false;
        }
        WriteOutputs(connection, tx, jobId, tenantId, outputs);
        await tx.CommitAsync();
        return true;
    }

    /// <summary>queued/running → failed with the reason. False when it had already ended.</summary>
    public async Task<bool> FailAsync(string jobId, string reason)
    {
        await using var command = database.CreateCommand("""
            UPDATE backtest_jobs SET status = 'failed', error = $2, finished_at = now() WHERE id = $1 AND status IN ('queued', 'running')
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = jobId });
        command.Parameters.Add(new NpgsqlParameter { Value = reason });
        return await command.ExecuteNonQueryAsync() == 1;
    }

    /// <summary>
    /// The user's cancel: queued/running → cancelled. Returns the job's status after it and whether this call cancelled it
    /// (false: it had already ended, cancelled or otherwise), or a null status when the tenant has no such job.
    /// </summary>
    public async Task<(string? Status, bool Cancelled)> CancelAsync(string jobId, string tenantId, CancellationToken ct)
    {
        await using var command = database.CreateCommand("""
            WITH job AS (SELECT id, status FROM backtest_jobs WHERE id = $1 AND tenant_id = $2 FOR UPDATE),
                 cancelled AS (
                    UPDATE backtest_jobs j SET status = 'cancelled', error = 'cancelled by the user', finished_at = now()
                    FROM job WHERE j.id = job.id AND job.status IN ('queued', 'running') RETURNING j.status)
            SELECT coalesce((SELECT status FROM cancelled), (SELECT status FROM job)), EXISTS (SELECT 1 FROM cancelled)
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = jobId });
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetBoolean(1));
    }

    /// <summary>
    /// Jobs still queued or running whose coordinator is gone are failed with the reason: its member is not in
    /// <paramref name="members"/> and the row has not been touched for a few seconds (a node that just joined may not
    /// know every member yet), or the row has not been touched for <paramref name="staleAfter"/> whatever the membership.
    /// Returns the ids failed.
    /// </summary>
    public async Task<IReadOnlyList<string>> FailOrphansAsync(IReadOnlySet<string> members, TimeSpan staleAfter, CancellationToken ct)
    {
        await EnsureSchemaAsync();
        var orphans = new List<(string Id, string Owner, bool Stale)>();
        await using (var query = database.CreateCommand("""
            SELECT id, owner_node, heartbeat_at < now() - $1, heartbeat_at < now() - interval '5 seconds'
            FROM backtest_jobs WHERE status IN ('queued', 'running')
            """))
        {
            query.Parameters.Add(new NpgsqlParameter { Value = staleAfter });
            await using var reader = await query.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var (id, owner, stale, quiet) = (reader.GetString(0), reader.GetString(1), reader.GetBoolean(2), reader.GetBoolean(3));
                if (stale || (quiet && !members.Contains(owner))) orphans.Add((id, owner, stale && members.Contains(owner)));
            }
        }
        var failed = new List<string>();
        foreach (var (id, owner, stale) in orphans)
        {
            var reason = stale
                ? $"the job's coordinator on {AddressOf(owner)} stopped reporting; submit it again"
                : $"the node that ran the job ({AddressOf(owner)}) left the cluster before it finished; submit it again";
            if (await FailAsync(id, reason)) failed.Add(id);
        }
        return failed;
    }

    private static string AddressOf(string uniqueAddress) => uniqueAddress.Split('#')[0];

    private static void WriteOutputs(NpgsqlConnection connection, NpgsqlTransaction tx, string jobId, string tenantId, IReadOnlyDictionary<string, string> outputs)
    {
        foreach (var (name, content) in outputs)
        {
            using var insert = new NpgsqlCommand("""
                INSERT INTO backtest_outputs (job_id, name, tenant_id, content) VALUES ($1, $2, $3, $4)
                ON CONFLICT (job_id, name) DO UPDATE SET content = excluded.content
                """, connection, tx);
            insert.Parameters.Add(new NpgsqlParameter { Value = jobId });
            insert.Parameters.Add(new NpgsqlParameter { Value = name });
            insert.Parameters.Add(new NpgsqlParameter { Value = tenantId });
            insert.Parameters.Add(new NpgsqlParameter { Value = content });
            insert.ExecuteNonQuery();
        }
    }
}

/// <summary>How a job's spec is stored (camelCase, like the API's bodies).</summary>
public static class BacktestJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
