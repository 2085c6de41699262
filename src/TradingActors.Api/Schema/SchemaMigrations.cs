using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TradingActors.Engine.Persistence;
using TradingActors.Engine.ReadModels;

namespace TradingActors.Api.Schema;

/// <summary>
/// Brings the API's tables up to date with DbUp before anything serves: the embedded SQL files under
/// Migrations/ run once each, in name order (0001_…, 0002_…), recorded in schema_versions. Runs in
/// StartingAsync, which the host completes for every service before the web server starts. Nodes
/// starting together migrate one at a time (<see cref="SqlMigrations"/>).
/// </summary>
public sealed class SchemaMigrations(string connectionString, ILogger<SchemaMigrations> log) : IHostedLifecycleService
{
    private const long LockKey = 0x7472_6164_6572; // "trader"

    public Task StartingAsync(CancellationToken cancellationToken) => Task.Run(() =>
    {
        Migrate(connectionString, log);
        // The read models' tables too, before any route can read them (the projection also runs this before it writes).
        ReadModelSchema.Migrate(connectionString, log);
        // And the backtest jobs' (decision 029): the routes read them under row level security.
        Engine.Backtests.BacktestJobStore.Migrate(connectionString, log);
    }, cancellationToken);

    public static void Migrate(string connectionString, ILogger log) =>
        SqlMigrations.Run(connectionString, typeof(SchemaMigrations).Assembly, "TradingActors.Api.Migrations.", "schema_versions", LockKey, log);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
