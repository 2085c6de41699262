using System.Collections.Immutable;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Akka.Persistence.Sql.Config;
using Akka.Serialization;
using Akka.Util;
using Npgsql;
using TradingActors.Engine.Observability;

namespace TradingActors.Engine.Persistence;

/// <summary>
/// The journal's write path: the rows of many actors' writes in ONE statement per batch. The stock
/// plugin spends most of a burst building SQL text (a VALUES list with four parameters per row) and
/// then a second statement for the tag rows; here the rows travel as a handful of array parameters
/// and the tag rows are inserted by the same statement from the identities it generates, so a batch
/// is one prepared statement and one round trip whatever its size. Same tables, same columns, same
/// serialized form as the stock writer, so its reads, queries and deletes keep working unchanged.
/// Concurrent writes coalesce the way reads do (<see cref="SetBatcher{TRequest,TResult}"/>):
/// a write that finds the database idle goes at once; writes that arrive meanwhile share the next statement.
/// </summary>
public sealed class JournalBatchWriter
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly Akka.Serialization.Serialization _serialization;
    private readonly string? _defaultSerializer;
    private readonly string _insertSql;
    private readonly int _statementTimeoutSeconds;
    private readonly SetBatcher<IReadOnlyCollection<AtomicWrite>, WriteResult> _batcher;

    /// <param name="statementTimeout">
    /// How long one statement may run: the bound on the database's health. The journal's circuit breaker times a
    /// write from the moment it is queued, so after a burst it measures the queue, not the database (see
    /// persistence.conf); here only the statement itself is timed.
    /// </param>
    public JournalBatchWriter(NpgsqlDataSource dataSource, JournalConfig journal, Akka.Serialization.Serialization serialization, int maxBatchSize, int maxBatchesInFlight,
        TimeSpan statementTimeout)
    {
        _dataSource = dataSource;
        ArgumentOutOfRangeException.ThrowIfLessThan(statementTimeout, TimeSpan.FromSeconds(1));
        _statementTimeoutSeconds = (int)Math.Ceiling(statementTimeout.TotalSeconds); // Npgsql counts whole seconds
        _serialization = serialization;
        _defaultSerializer = journal.DefaultSerializer;

        var events = journal.TableConfig.EventJournalTable;
        var c = events.ColumnNames;
        var tags = journal.TableConfig.TagTable;
        var t = tags.ColumnNames;
        string Q(string name) => PostgresNames.Quote(name);
        // The writer is the persistent actor's incarnation (its WriterGuid), as in Akka's own journals, not this
        // journal instance as in the stock plugin: Akka's replay filter drops the events of a writer that reappears
        // after another, and a node's journal reappears whenever an entity moves away and back.
        var writesWriterUuid = events.UseWriterUuidColumn; // false: the table has no writer_uuid column
        var writerColumn = writesWriterUuid ? $", {Q(c.WriterUuid)}" : "";
        var writerValue = writesWriterUuid ? ", r.writer_uuid" : "";
        // ORDER BY keeps each actor's events in sequence order in the journal's ordering column.
        _insertSql = $"""
            WITH rows AS (
                SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bytea[], $5::text[], $6::int[], $10::text[])
                    WITH ORDINALITY AS r(persistence_id, sequence_nr, created, message, manifest, identifier, writer_uuid, idx)
            ), inserted AS (
                INSERT INTO {PostgresNames.Table(journal.TableConfig.SchemaName, events.Name)}
                    ({Q(c.PersistenceId)}, {Q(c.SequenceNumber)}, {Q(c.Created)}, {Q(c.Deleted)}, {Q(c.Message)}, {Q(c.Manifest)}, {Q(c.Identifier)}{writerColumn})
                SELECT r.persistence_id, r.sequence_nr, r.created, false, r.message, r.manifest, r.identifier{writerValue}
                FROM rows r ORDER BY r.idx
                RETURNING {Q(c.Ordering)} AS ordering, {Q(c.PersistenceId)} AS persistence_id, {Q(c.SequenceNumber)} AS sequence_nr
            )
            INSERT INTO {PostgresNames.Table(journal.TableConfig.SchemaName, tags.Name)}
                ({Q(t.OrderingId)}, {Q(t.Tag)}, {Q(t.SequenceNumber)}, {Q(t.PersistenceId)})
            SELECT i.ordering, g.tag, i.sequence_nr, i.persistence_id
            FROM unnest($7::text[], $8::bigint[], $9::text[]) AS g(persistence_id, sequence_nr, tag)
            JOIN inserted i ON i.persistence_id = g.persistence_id AND i.sequence_nr = g.sequence_nr
            """;
        _batcher = new SetBatcher<IReadOnlyCollection<AtomicWrite>, WriteResult>(WriteBatchAsync, maxBatchSize, maxBatchesInFlight);
    }

    public SetBatcherStats Stats => _batcher.Stats;

    /// <summary>
    /// Writes one journal request (one persistent actor's writes). Serialization happens in the
    /// batch, off the journal actor's thread (one actor receives every write of the node; it only
    /// queues). A write whose payload does not serialize is rejected alone (its slot in the result
    /// holds the exception; null: all written). A failed statement fails the task: the journal
    /// reports every write of the call as failed — but a sequence number another writer already
    /// holds (a zombie incarnation, a hand-over race) fails only the request that conflicts: the
    /// batch is split until the conflict is isolated, and the other actors' writes go through.
    /// </summary>
    public async Task<IImmutableList<Exception?>?> WriteAsync(IReadOnlyCollection<AtomicWrite> writes, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = await _batcher.RunAsync(writes, cancellationToken).ConfigureAwait(false);
        EngineInstruments.JournalWrite.Record(EngineInstruments.SecondsSince(started));
        if (result.Failure is not null) throw result.Failure;
        return result.Rejections;
    }

    /// <summary>One request's outcome: rejections of payloads that did not serialize, or the failure of its rows.</summary>
    private readonly record struct WriteResult(IImmutableList<Exception?>? Rejections, Exception? Failure);

    /// <summary>Rows of one request, or the rejections of its writes that did not serialize.</summary>
    private (List<JournalRowToWrite> Rows, IImmutableList<Exception?>? Rejections) Serialize(IReadOnlyCollection<AtomicWrite> writes)
    {
        var rows = new List<JournalRowToWrite>(writes.Count);
        Exception?[]? rejections = null;
        var index = 0;
        foreach (var write in writes)
        {
            var payload = (IImmutableList<IPersistentRepresentation>)write.Payload;
            try
            {
                var serialized = new JournalRowToWrite[payload.Count];
                for (var i = 0; i < serialized.Length; i++) serialized[i] = ToRow(payload[i]);
                rows.AddRange(serialized);
            }
            catch (Exception e)
            {
                (rejections ??= new Exception?[writes.Count])[index] = e;
            }
            index++;
        }
        return (rows, rejections?.ToImmutableList());
    }

    public void Stop() => _batcher.Stop();

    private JournalRowToWrite ToRow(IPersistentRepresentation representation)
    {
        var (payload, tags) = representation.Payload is Tagged tagged
            ? (tagged.Payload, tagged.Tags)
            : (representation.Payload, ImmutableHashSet<string>.Empty);
        var serializer = _serialization.FindSerializerForType(payload.GetType(), _defaultSerializer);
        // Transport information lets actor references inside payloads serialize, as in the stock writer.
        var (message, manifest) = Akka.Serialization.Serialization.WithTransport(_serialization.System, (serializer, payload), static s => (
            s.serializer.ToBinary(s.payload),
            s.serializer switch
            {
                SerializerWithStringManifest named => named.Manifest(s.payload),
                { IncludeManifest: true } => s.payload.GetType().TypeQualifiedName(),
                _ => string.Empty,
            }));
        return new JournalRowToWrite(
            representation.PersistenceId,
            representation.SequenceNr,
            representation.Timestamp == 0 ? DateTime.UtcNow.Ticks : representation.Timestamp,
            message,
            manifest,
            serializer.Identifier,
            representation.WriterGuid,
            tags.Count == 0 ? [] : [.. tags]);
    }

    private async Task<IReadOnlyList<WriteResult>> WriteBatchAsync(IReadOnlyList<IReadOnlyCollection<AtomicWrite>> batch, CancellationToken cancellationToken)
    {
        var rows = new List<JournalRowToWrite>[batch.Count];
        var results = new WriteResult[batch.Count];
        var requests = new List<int>(batch.Count);
        for (var r = 0; r < batch.Count; r++)
        {
            IImmutableList<Exception?>? rejections;
            (rows[r], rejections) = Serialize(batch[r]);
            results[r] = new WriteResult(rejections, null);
            if (rows[r].Count > 0) requests.Add(r);
        }
        await InsertIsolatingConflictsAsync(requests, rows, results, cancellationToken).ConfigureAwait(false);
        return results;
    }

    /// <summary>
    /// Inserts the requests' rows in one statement. On a unique violation (a sequence number that is
    /// already taken) the requests are split in halves and retried, so that only the conflicting
    /// requests fail (their actors stop and recover the journal's state); a conflict is rare, the split is cheap.
    /// </summary>
    private async Task InsertIsolatingConflictsAsync(List<int> requests, List<JournalRowToWrite>[] rows, WriteResult[] results, CancellationToken cancellationToken)
    {
        if (requests.Count == 0) return;
        try
        {
            await InsertAsync(requests.SelectMany(r => rows[r]).ToList(), cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            if (requests.Count == 1)
            {
                results[requests[0]] = results[requests[0]] with { Failure = e };
                return;
            }
            var half = requests.Count / 2;
            await InsertIsolatingConflictsAsync(requests[..half], rows, results, cancellationToken).ConfigureAwait(false);
            await InsertIsolatingConflictsAsync(requests[half..], rows, results, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task InsertAsync(List<JournalRowToWrite> rows, CancellationToken cancellationToken)
    {
        var count = rows.Count;
        var tagCount = 0;
        foreach (var row in rows) tagCount += row.Tags.Length;
        var ids = new string[count];
        var sequenceNrs = new long[count];
        var created = new long[count];
        var messages = new byte[count][];
        var manifests = new string[count];
        var identifiers = new int[count];
        var writers = new string[count];
        var tagIds = new string[tagCount];
        var tagSequenceNrs = new long[tagCount];
        var tagValues = new string[tagCount];
        int n = 0, m = 0;
        foreach (var row in rows)
        {
            (ids[n], sequenceNrs[n], created[n], messages[n], manifests[n], identifiers[n], writers[n]) =
                (row.PersistenceId, row.SequenceNr, row.Created, row.Message, row.Manifest, row.Identifier, row.WriterGuid);
            n++;
            foreach (var tag in row.Tags)
            {
                (tagIds[m], tagSequenceNrs[m], tagValues[m]) = (row.PersistenceId, row.SequenceNr, tag);
                m++;
            }
        }

        await using var command = _dataSource.CreateCommand(_insertSql);
        command.CommandTimeout = _statementTimeoutSeconds;
        command.Parameters.Add(PgArray.Text(ids));
        command.Parameters.Add(PgArray.Bigint(sequenceNrs));
        command.Parameters.Add(PgArray.Bigint(created));
        command.Parameters.Add(PgArray.Bytea(messages));
        command.Parameters.Add(PgArray.Text(manifests));
        command.Parameters.Add(PgArray.Integer(identifiers));
        command.Parameters.Add(PgArray.Text(tagIds));
        command.Parameters.Add(PgArray.Bigint(tagSequenceNrs));
        command.Parameters.Add(PgArray.Text(tagValues));
        command.Parameters.Add(PgArray.Text(writers)); // unused when the table has no writer_uuid column
        // One statement: the journal rows and their tag rows commit together or not at all.
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private sealed record JournalRowToWrite(string PersistenceId, long SequenceNr, long Created, byte[] Message, string Manifest, int Identifier, string WriterGuid, string[] Tags);
}
