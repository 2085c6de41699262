using Akka.Actor;
using Akka.Configuration;
using Npgsql;
using NpgsqlTypes;

namespace TradingActors.Engine.Persistence;

/// <summary>
/// A <c>recovery-reads</c> or <c>write-batching</c> block of a journal or snapshot-store plugin config,
/// and the checks every batched plugin makes before it takes over statements from Akka.Persistence.Sql.
/// </summary>
public sealed record BatchSettings(int MaxBatchSize, int MaxBatchesInFlight)
{
    public const int DefaultMaxBatchSize = 1000;
    public const int DefaultMaxBatchesInFlight = 2;

    /// <param name="block">"recovery-reads", or "write-batching" for the journal's writes (same two settings).</param>
    public static BatchSettings From(Config pluginConfig, string block = "recovery-reads")
    {
        var settings = new BatchSettings(
            pluginConfig.GetInt(block + ".max-batch-size", DefaultMaxBatchSize),
            pluginConfig.GetInt(block + ".max-batches-in-flight", DefaultMaxBatchesInFlight));
        if (settings.MaxBatchSize < 1 || settings.MaxBatchesInFlight < 1)
            throw new ConfigurationException($"{block}: max-batch-size and max-batches-in-flight must be at least 1 (got {settings.MaxBatchSize}, {settings.MaxBatchesInFlight})");
        return settings;
    }

    /// <summary>The batched statements are hand-written PostgreSQL and open their own pool from the HOCON connection string.</summary>
    internal static NpgsqlDataSource OpenDataSource(string plugin, string? providerName, string? connectionString)
    {
        if (providerName is null || !providerName.StartsWith("PostgreSQL", StringComparison.OrdinalIgnoreCase))
            throw new ConfigurationException($"{plugin}: batched statements support PostgreSQL only (provider-name is '{providerName}')");
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new ConfigurationException($"{plugin}: batched statements need connection-string in the plugin's HOCON");
        return NpgsqlDataSource.Create(connectionString);
    }
}

/// <summary>Asks a batched journal or snapshot store for its batcher counters (tests and diagnostics).</summary>
public sealed class GetBatchStats : INoSerializationVerificationNeeded
{
    public static readonly GetBatchStats Instance = new();
    private GetBatchStats() { }
}

/// <summary>The journal's answer: one batcher for highest-sequence-number reads, one for replays, one for writes (null when stock).</summary>
public sealed record JournalBatchStats(SetBatcherStats HighestSequenceNr, SetBatcherStats Replay, SetBatcherStats? Writes) : INoSerializationVerificationNeeded;

/// <summary>The snapshot store's answer.</summary>
public sealed record SnapshotBatchStats(SetBatcherStats Load) : INoSerializationVerificationNeeded;

/// <summary>Identifier quoting as linq2db's PostgreSQL provider resolves the plugin's table mapping.</summary>
internal static class PostgresNames
{
    /// <summary>
    /// Always quoted: lower-case names mean the same quoted or not, and names with capitals are the
    /// ones linq2db quotes too (its default quote mode), so the plugin's tables are found either way.
    /// </summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";

    public static string Table(string? schema, string table) =>
        string.IsNullOrWhiteSpace(schema) ? Quote(table) : Quote(schema) + "." + Quote(table);
}

/// <summary>Array parameters for the set-based statements (<c>unnest($n::type[])</c>).</summary>
internal static class PgArray
{
    public static NpgsqlParameter Text(string[] values) => new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = values };
    public static NpgsqlParameter Bigint(long[] values) => new NpgsqlParameter<long[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint, TypedValue = values };
    public static NpgsqlParameter Integer(int[] values) => new NpgsqlParameter<int[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer, TypedValue = values };
    public static NpgsqlParameter Bytea(byte[][] values) => new NpgsqlParameter<byte[][]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea, TypedValue = values };
}

/// <summary>Turns a stored row's bytes back into its payload, as the stock plugin's serializers do.</summary>
internal static class StoredPayload
{
    public static object Deserialize(Akka.Serialization.Serialization serialization, string? defaultSerializer, byte[] bytes, int? serializerId, string? manifest)
    {
        if (serializerId is { } id)
            return serialization.Deserialize(bytes, id, manifest);
        // Rows without a serializer id (written by old plugins) carry a type name instead.
        var type = Type.GetType(manifest!, throwOnError: true)!;
        return Akka.Serialization.Serialization.WithTransport(
            serialization.System,
            (serializer: serialization.FindSerializerForType(type, defaultSerializer), bytes, type),
            static s => s.serializer.FromBinary(s.bytes, s.type));
    }
}
