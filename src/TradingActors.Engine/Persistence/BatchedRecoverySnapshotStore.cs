using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Sql;
using Akka.Persistence.Sql.Config;
using Akka.Persistence.Sql.Snapshot;
using Npgsql;

namespace TradingActors.Engine.Persistence;

/// <summary>
/// Akka.Persistence.Sql's snapshot store with batched loads: concurrent recoveries' snapshot reads
/// are coalesced into one set-based PostgreSQL query per batch. Saves, deletes, table creation and
/// the schema stay the stock plugin's. See docs/decisions/002-batched-journal-reads-and-writes.md.
/// </summary>
public class BatchedRecoverySnapshotStore : SqlSnapshotStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly Akka.Serialization.Serialization _serialization;
    private readonly string? _defaultSerializer;
    private readonly string _loadSql;
    private readonly SetBatcher<SnapshotRead, StoredSnapshot?> _load;

    public BatchedRecoverySnapshotStore(Config snapshotConfig) : base(snapshotConfig)
    {
        var config = snapshotConfig.WithFallback(SqlPersistence.DefaultSnapshotConfiguration);
        var snapshot = new SnapshotConfig(config);
        var settings = BatchSettings.From(config);
        _dataSource = BatchSettings.OpenDataSource("snapshot-store", snapshot.ProviderName, snapshot.ConnectionString);
        _serialization = Context.System.Serialization;
        _defaultSerializer = snapshot.DefaultSerializer;

        var table = snapshot.TableConfig.SnapshotTable;
        var c = table.ColumnNames;
        string Col(string name) => "s." + PostgresNames.Quote(name);
        // The stock store keeps `created` as DateTime ticks (bigint) on every provider but SQL Server, so
        // the criteria's timestamps compare as ticks. One index probe per request: newest match first.
        _loadSql = $"""
            SELECT r.idx, s.sequence_nr, s.created, s.payload, s.manifest, s.serializer_id
            FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[])
                 WITH ORDINALITY AS r(persistence_id, max_seq, max_created, min_seq, min_created, idx)
            CROSS JOIN LATERAL (
                SELECT {Col(c.SequenceNumber)} AS sequence_nr, {Col(c.Created)} AS created, {Col(c.Snapshot)} AS payload,
                       {Col(c.Manifest)} AS manifest, {Col(c.SerializerId)} AS serializer_id
                FROM {PostgresNames.Table(snapshot.TableConfig.SchemaName, table.Name)} s
                WHERE {Col(c.PersistenceId)} = r.persistence_id
                  AND {Col(c.SequenceNumber)} <= r.max_seq AND {Col(c.SequenceNumber)} >= r.min_seq
                  AND {Col(c.Created)} <= r.max_created AND {Col(c.Created)} >= r.min_created
                ORDER BY {Col(c.SequenceNumber)} DESC
                LIMIT 1) s
            """;
        _load = new SetBatcher<SnapshotRead, StoredSnapshot?>(LoadSnapshotsAsync, settings.MaxBatchSize, settings.MaxBatchesInFlight);
    }

    /// <summary>
    /// Same result as the base for every criteria it handles (max sequence number and max timestamp);
    /// the minimum bounds, which the base ignores, are honoured as Akka's contract states.
    /// </summary>
    protected override async Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken)
    {
        var stored = await _load.RunAsync(new SnapshotRead(persistenceId, criteria), cancellationToken);
        if (stored is null) return null;
        return new SelectedSnapshot(new SnapshotMetadata(persistenceId, stored.SequenceNr, new DateTime(stored.Created)), Deserialize(stored));
    }

    protected override bool ReceivePluginInternal(object message)
    {
        if (message is GetBatchStats)
        {
            Sender.Tell(new SnapshotBatchStats(_load.Stats));
            return true;
        }
        return base.ReceivePluginInternal(message);
    }

    protected override void PostStop()
    {
        try
        {
            _load.Stop();
            _dataSource.Dispose();
        }
        finally
        {
            base.PostStop();
        }
    }

    private object Deserialize(StoredSnapshot stored) =>
        StoredPayload.Deserialize(_serialization, _defaultSerializer, stored.Payload, stored.SerializerId, stored.Manifest);

    private async Task<IReadOnlyList<StoredSnapshot?>> LoadSnapshotsAsync(IReadOnlyList<SnapshotRead> reads, CancellationToken cancellationToken)
    {
        var ids = new string[reads.Count];
        var maxSeqs = new long[reads.Count];
        var maxCreated = new long[reads.Count];
        var minSeqs = new long[reads.Count];
        var minCreated = new long[reads.Count];
        for (var i = 0; i < reads.Count; i++)
        {
            var criteria = reads[i].Criteria;
            ids[i] = reads[i].PersistenceId;
            maxSeqs[i] = criteria.MaxSequenceNr;
            maxCreated[i] = criteria.MaxTimeStamp.Ticks;
            minSeqs[i] = criteria.MinSequenceNr;
            minCreated[i] = (criteria.MinTimestamp ?? DateTime.MinValue).Ticks;
        }

        await using var command = _dataSource.CreateCommand(_loadSql);
        command.Parameters.Add(PgArray.Text(ids));
        command.Parameters.Add(PgArray.Bigint(maxSeqs));
        command.Parameters.Add(PgArray.Bigint(maxCreated));
        command.Parameters.Add(PgArray.Bigint(minSeqs));
        command.Parameters.Add(PgArray.Bigint(minCreated));

        var snapshots = new StoredSnapshot?[reads.Count];
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            snapshots[reader.GetInt64(0) - 1] = new StoredSnapshot(
                SequenceNr: reader.GetInt64(1),
                Created: reader.GetInt64(2),
                Payload: reader.GetFieldValue<byte[]>(3),
                Manifest: reader.IsDBNull(4) ? null : reader.GetString(4),
                SerializerId: reader.IsDBNull(5) ? null : reader.GetInt32(5));
        }
        return snapshots;
    }

    private readonly record struct SnapshotRead(string PersistenceId, SnapshotSelectionCriteria Criteria);

    private sealed record StoredSnapshot(long SequenceNr, long Created, byte[] Payload, string? Manifest, int? SerializerId);
}
