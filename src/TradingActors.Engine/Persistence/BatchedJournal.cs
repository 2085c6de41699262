using System.Collections.Concurrent;
using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Sql;
using Akka.Persistence.Sql.Config;
using Akka.Persistence.Sql.Journal;
using Npgsql;

namespace TradingActors.Engine.Persistence;

/// <summary>
/// Akka.Persistence.Sql's journal with batched writes and recovery reads. Deletes, table creation,
/// the schema and the query side stay the stock plugin's. Event writes of many actors share one
/// array-parameter statement (<see cref="JournalBatchWriter"/>), and the two reads every recovery
/// makes (highest sequence number, then the replay) are coalesced across actors into set-based
/// PostgreSQL queries, so thousands of concurrent recoveries cost a few round trips instead of two
/// each (and no stream graph per replay). See docs/decisions/002-batched-journal-reads-and-writes.md.
/// </summary>
public class BatchedJournal : SqlWriteJournal
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly Akka.Serialization.Serialization _serialization;
    private readonly string? _defaultSerializer;
    private readonly bool _compatibilityMode;
    private readonly int _replayPageSize;
    private readonly string _highestSql;
    private readonly string _replaySql;
    private readonly SetBatcher<HighestSequenceNrRead, long> _highest;
    private readonly SetBatcher<ReplayRead, IReadOnlyList<StoredEvent>> _replay;
    private readonly JournalBatchWriter? _writer; // null: the stock write path (csv tags, compatibility mode)

    // Writes still running, per persistence id: a highest-sequence read must see them (the base keeps its own map private).
    private readonly ConcurrentDictionary<string, Task> _writesInProgress = new();

    public BatchedJournal(Config journalConfig) : base(journalConfig)
    {
        var config = journalConfig.WithFallback(SqlPersistence.DefaultJournalConfiguration);
        var journal = new JournalConfig(config);
        var settings = BatchSettings.From(config);
        _dataSource = BatchSettings.OpenDataSource("journal", journal.ProviderName, journal.ConnectionString);
        _serialization = Context.System.Serialization;
        _defaultSerializer = journal.DefaultSerializer;
        // In compatibility mode the highest sequence number also lives in the metadata table: the base reads both.
        _compatibilityMode = journal.DaoConfig.SqlCommonCompatibilityMode;
        // Rows per actor per round, as the stock replay pages; long journals take several rounds.
        _replayPageSize = Math.Max(1, journal.DaoConfig.ReplayBatchSize);

        var table = journal.TableConfig.EventJournalTable;
        var c = table.ColumnNames;
        var from = PostgresNames.Table(journal.TableConfig.SchemaName, table.Name);
        string Col(string name) => "e." + PostgresNames.Quote(name);
        var writerUuid = table.UseWriterUuidColumn ? Col(c.WriterUuid) : "NULL::text";

        // Deleted rows count: the stock delete keeps the highest deleted row precisely so this stays right.
        _highestSql = $"""
            SELECT r.idx,
                   (SELECT max({Col(c.SequenceNumber)}) FROM {from} e
                    WHERE {Col(c.PersistenceId)} = r.persistence_id AND {Col(c.SequenceNumber)} > r.from_nr)
            FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS r(persistence_id, from_nr, idx)
            """;
        _replaySql = $"""
            SELECT r.idx, j.sequence_nr, j.created, j.message, j.manifest, j.identifier, j.writer_uuid
            FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[]) WITH ORDINALITY AS r(persistence_id, from_nr, to_nr, max_rows, idx)
            CROSS JOIN LATERAL (
                SELECT {Col(c.SequenceNumber)} AS sequence_nr, {Col(c.Created)} AS created, {Col(c.Message)} AS message,
                       {Col(c.Manifest)} AS manifest, {Col(c.Identifier)} AS identifier, {writerUuid} AS writer_uuid
                FROM {from} e
                WHERE {Col(c.PersistenceId)} = r.persistence_id
                  AND {Col(c.SequenceNumber)} >= r.from_nr AND {Col(c.SequenceNumber)} <= r.to_nr
                  AND NOT {Col(c.Deleted)}
                ORDER BY {Col(c.SequenceNumber)}
                LIMIT r.max_rows) j
            ORDER BY r.idx, j.sequence_nr
            """;

        if (!_compatibilityMode && journal.PluginConfig.TagMode == TagMode.TagTable)
        {
            var writes = BatchSettings.From(config, "write-batching");
            var statementTimeout = config.GetTimeSpan("write-batching.statement-timeout", TimeSpan.FromSeconds(10));
            _writer = new JournalBatchWriter(_dataSource, journal, _serialization, writes.MaxBatchSize, writes.MaxBatchesInFlight,
                statementTimeout);
        }

        _highest = new SetBatcher<HighestSequenceNrRead, long>(ReadHighestSequenceNrsAsync, settings.MaxBatchSize, settings.MaxBatchesInFlight);
        _replay = new SetBatcher<ReplayRead, IReadOnlyList<StoredEvent>>(ReadEventsAsync, settings.MaxBatchSize, settings.MaxBatchesInFlight);
    }

    public override async Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken)
    {
        if (_compatibilityMode) return await base.ReadHighestSequenceNrAsync(persistenceId, fromSequenceNr, cancellationToken);
        if (_writesInProgress.TryGetValue(persistenceId, out var write))
        {
            // Whether it succeeded does not matter here, only that it is done (as in the base).
            await write.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        return await _highest.RunAsync(new HighestSequenceNrRead(persistenceId, fromSequenceNr), cancellationToken);
    }

    public override async Task ReplayMessagesAsync(
        IActorContext context,
        string persistenceId,
        long fromSequenceNr,
        long toSequenceNr,
        long max,
        Action<IPersistentRepresentation> recoveryCallback)
    {
        var next = fromSequenceNr;
        var remaining = max;
        while (remaining > 0 && next <= toSequenceNr)
        {
            var page = Math.Min(remaining, _replayPageSize);
            var events = await _replay.RunAsync(new ReplayRead(persistenceId, next, toSequenceNr, page));
            foreach (var stored in events)
                recoveryCallback(ToPersistent(persistenceId, stored));
            if (events.Count < page) return;
            remaining -= events.Count;
            next = events[^1].SequenceNr + 1;
        }
    }

    protected override Task<IImmutableList<Exception>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        // Materialised once: the base enumerates it again and the adapters behind it must not run twice.
        var writes = messages as IReadOnlyCollection<AtomicWrite> ?? messages.ToList();
        var write = _writer is null ? base.WriteMessagesAsync(writes, cancellationToken) : WriteBatchedAsync(writes, cancellationToken);
        // Every write of one call comes from one persistent actor (one persistence id): this is per call, not per event.
        string? tracked = null;
        foreach (var atomic in writes)
        {
            if (atomic.PersistenceId == tracked) continue;
            tracked = atomic.PersistenceId;
            _writesInProgress[tracked] = write;
            write.ContinueWith(
                (done, state) => _writesInProgress.TryRemove(new KeyValuePair<string, Task>((string)state!, done)),
                tracked, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        return write;
    }

    private async Task<IImmutableList<Exception>> WriteBatchedAsync(IReadOnlyCollection<AtomicWrite> writes, CancellationToken cancellationToken) =>
        (await _writer!.WriteAsync(writes, cancellationToken).ConfigureAwait(false))!; // null: all written, as AsyncWriteJournal reads it

    protected override bool ReceivePluginInternal(object message)
    {
        if (message is GetBatchStats)
        {
            Sender.Tell(new JournalBatchStats(_highest.Stats, _replay.Stats, _writer?.Stats));
            return true;
        }
        return base.ReceivePluginInternal(message);
    }

    protected override void PostStop()
    {
        try
        {
            _highest.Stop();
            _replay.Stop();
            _writer?.Stop();
            _dataSource.Dispose();
        }
        finally
        {
            base.PostStop();
        }
    }

    /// <summary>The representation the stock ByteArrayJournalSerializer builds from a row (the event-manifest column is never mapped, so the row's manifest is the manifest).</summary>
    private Persistent ToPersistent(string persistenceId, StoredEvent stored) => new(
        payload: Deserialize(stored),
        sequenceNr: stored.SequenceNr,
        persistenceId: persistenceId,
        manifest: stored.Manifest,
        isDeleted: false,
        sender: ActorRefs.NoSender,
        writerGuid: stored.WriterUuid,
        timestamp: stored.Created);

    private object Deserialize(StoredEvent stored) =>
        StoredPayload.Deserialize(_serialization, _defaultSerializer, stored.Message, stored.SerializerId, stored.Manifest);

    private async Task<IReadOnlyList<long>> ReadHighestSequenceNrsAsync(IReadOnlyList<HighestSequenceNrRead> reads, CancellationToken cancellationToken)
    {
        var ids = new string[reads.Count];
        var froms = new long[reads.Count];
        for (var i = 0; i < reads.Count; i++) (ids[i], froms[i]) = (reads[i].PersistenceId, reads[i].FromSequenceNr);

        await using var command = _dataSource.CreateCommand(_highestSql);
        command.Parameters.Add(PgArray.Text(ids));
        command.Parameters.Add(PgArray.Bigint(froms));
        var highest = new long[reads.Count];
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            highest[reader.GetInt64(0) - 1] = reader.IsDBNull(1) ? 0 : reader.GetInt64(1);
        return highest;
    }

    private async Task<IReadOnlyList<IReadOnlyList<StoredEvent>>> ReadEventsAsync(IReadOnlyList<ReplayRead> reads, CancellationToken cancellationToken)
    {
        var ids = new string[reads.Count];
        var froms = new long[reads.Count];
        var tos = new long[reads.Count];
        var maxes = new long[reads.Count];
        for (var i = 0; i < reads.Count; i++)
            (ids[i], froms[i], tos[i], maxes[i]) = (reads[i].PersistenceId, reads[i].FromSequenceNr, reads[i].ToSequenceNr, reads[i].Max);

        await using var command = _dataSource.CreateCommand(_replaySql);
        command.Parameters.Add(PgArray.Text(ids));
        command.Parameters.Add(PgArray.Bigint(froms));
        command.Parameters.Add(PgArray.Bigint(tos));
        command.Parameters.Add(PgArray.Bigint(maxes));

        var events = new List<StoredEvent>?[reads.Count];
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var index = (int)reader.GetInt64(0) - 1;
            (events[index] ??= []).Add(new StoredEvent(
                SequenceNr: reader.GetInt64(1),
                Created: reader.GetInt64(2),
                Message: reader.GetFieldValue<byte[]>(3),
                Manifest: reader.IsDBNull(4) ? null : reader.GetString(4),
                SerializerId: reader.IsDBNull(5) ? null : reader.GetInt32(5),
                WriterUuid: reader.IsDBNull(6) ? null : reader.GetString(6)));
        }
        var result = new IReadOnlyList<StoredEvent>[reads.Count];
        for (var i = 0; i < result.Length; i++) result[i] = events[i] ?? (IReadOnlyList<StoredEvent>)[];
        return result;
    }

    private readonly record struct HighestSequenceNrRead(string PersistenceId, long FromSequenceNr);

    /// <summary><paramref name="Max"/> is never negative: the replay loop stops before asking for nothing.</summary>
    private readonly record struct ReplayRead(string PersistenceId, long FromSequenceNr, long ToSequenceNr, long Max);

    private sealed record StoredEvent(long SequenceNr, long Created, byte[] Message, string? Manifest, int? SerializerId, string? WriterUuid);
}
