using System.Reflection;
using DbUp;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace TradingActors.Engine.Persistence;

/// <summary>
/// Runs a set of embedded SQL files once each, in name order, with DbUp, recorded in a versions table of
/// their own. Nodes starting together take a PostgreSQL advisory lock first, so one migrates while the
/// others wait and then find it done. Used by the API's identity tables and by the read models.
/// </summary>
public static class SqlMigrations
{
    /// <param name="resourcePrefix">embedded resource names to run start with this and end in .sql</param>
    /// <param name="versionsTable">the table (in public) that records which files ran</param>
    /// <param name="lockKey">the advisory lock this set of files is migrated under</param>
    public static void Run(string connectionString, Assembly assembly, string resourcePrefix, string versionsTable, long lockKey, ILogger log)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({lockKey})", connection)) take.ExecuteNonQuery();
        try
        {
            var result = DeployChanges.To.PostgresqlDatabase(connectionString)
                .WithScriptsEmbeddedInAssembly(assembly,
                    name => name.StartsWith(resourcePrefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
                .WithTransactionPerScript()
                .JournalToPostgresqlTable("public", versionsTable)
                .LogTo(log)
                .Build()
                .PerformUpgrade();
            if (!result.Successful)
                throw new InvalidOperationException($"migration {result.ErrorScript?.Name} ({versionsTable}) failed", result.Error);
        }
        finally
        {
            using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({lockKey})", connection);
            release.ExecuteNonQuery();
        }
    }
}
