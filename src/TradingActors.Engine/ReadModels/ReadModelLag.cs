using Npgsql;
using TradingActors.Engine.Persistence;

namespace TradingActors.Engine.ReadModels;

/// <summary>How far the read models are behind the journal, from the database (any node can answer it, e.g. /readyz).</summary>
public static class ReadModelLag
{
    public sealed record Lag(long ProjectedThrough, long EventsBehind, DateTimeOffset? UpdatedAt);

    /// <summary>Tenant events in the journal after the projection's offset (counted on the tag table's ordering index).</summary>
    public static async Task<Lag> QueryAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            WITH o AS (SELECT coalesce(max(ordering), 0) AS ordering, max(updated_at) AS updated_at FROM projection_offsets WHERE projection = $1)
            SELECT o.ordering, (SELECT count(*) FROM tags t WHERE t.ordering_id > o.ordering AND t.tag = $2), o.updated_at FROM o
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = ReadModelProjection.ProjectionName });
        command.Parameters.Add(new NpgsqlParameter { Value = EventTagger.Tenant });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new Lag(reader.GetInt64(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2));
    }
}
