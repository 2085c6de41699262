using Microsoft.Extensions.Logging;
using TradingActors.Engine.Persistence;

namespace TradingActors.Engine.ReadModels;

/// <summary>
/// The read models' tables, row level security and reader role: the SQL files under ReadModels/Schema
/// run once each in name order with DbUp, recorded in read_model_versions. Run by the API's migrations
/// at start and again by the projection before it writes (whichever comes first does it; an advisory
/// lock lets one node migrate while the others wait and find it done).
/// </summary>
public static class ReadModelSchema
{
    private const long LockKey = 0x7265_6164_6d6f; // "readmo"
    private const string Prefix = "TradingActors.Engine.ReadModels.Schema.";

    /// <summary>The role the API reads as: neither owner nor BYPASSRLS, so row level security applies to it.</summary>
    public const string ReaderRole = "trading_reader";

    public static void Migrate(string connectionString, ILogger log) =>
        SqlMigrations.Run(connectionString, typeof(ReadModelSchema).Assembly, Prefix, "read_model_versions", LockKey, log);
}
