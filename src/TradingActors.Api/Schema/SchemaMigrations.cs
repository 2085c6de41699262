using DbUp;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using TradingActors.Engine.ReadModels;

namespace TradingActors.Api.Schema;

/// <summary>
/// Brings the API's tables up to date with DbUp before anything serves: the embedded SQL files under
/// Migrations/ run once each, in name order (0001_…, 0002_…), recorded in schema_versions. Runs in
/// StartingAsync, which the host completes for every service before the web server starts. Nodes
/// starting together take a PostgreSQL advisory lock, so one migrates and the others find it done.
/// </summary>
public sealed class SchemaMigrations(string connectionString, ILogger<SchemaMigrations> log) : IHostedLifecycleService
{
    private const long LockKey = 0x7472_6164_6572; // "trader"

    public Task StartingAsync(CancellationToken cancellationToken) => Task.Run(() =>
    {
        Migrate(connectionString, log);
        // The read models' tables too, before any route can read them (the projection also runs this before it writes).
        ReadModelSchema.Migrate(connectionString, log);
    }, cancellationToken);

    public static void Migrate(string connectionString, ILogger log)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({LockKey})", connection)) take.ExecuteNonQuery();
        try
        {
            var result = DeployChanges.To.PostgresqlDatabase(connectionString)
                .WithScriptsEmbeddedInAssembly(typeof(SchemaMigrations).Assembly,
                    name => name.StartsWith("TradingActors.Api.Migrations.", StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
                .WithTransactionPerScript()
                .JournalToPostgresqlTable("public", "schema_versions")
                .LogTo(log)
                .Build()
                .PerformUpgrade();
            if (!result.Successful)
                throw new InvalidOperationException($"schema migration {result.ErrorScript?.Name} failed", result.Error);
        }
        finally
        {
            using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({LockKey})", connection);
            release.ExecuteNonQuery();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
