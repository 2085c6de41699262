using System.Collections.Immutable;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Akka.Persistence.Sql.Config;
using Akka.Serialization;
using Akka.Util;
using Npgsql;

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
    private readonly string? _writerUuid; // null: the table has no writer_uuid column
    private readonly string _insertSql;
    private readonly SetBatcher<IReadOnlyCollection<AtomicWrite>, IImmutableList<Exception?>?> _batcher;

    public JournalBatchWriter(NpgsqlDataSource dataSource, JournalConfig journal, Akka.Serialization.Serialization serialization, string writerUuid, int maxBatchSize, int maxBatchesInFlight)
    {
        _dataSource = dataSource;
        _serialization = serialization;
        _defaultSerializer = journal.DefaultSerializer;
        _writerUuid = journal.TableConfig.EventJournalTable.UseWriterUuidColumn ? writerUuid : null;

        var events = journal.TableConfig.EventJournalTable;
        var c = events.ColumnNames;
        var tags = journal.TableConfig.TagTable;
        var t = tags.ColumnNames;
        string Q(string name) => PostgresNames.Quote(name);
        var writerColumn = events.UseWriterUuidColumn ? $", {Q(c.WriterUuid)}" : "";
        var writerValue = events.UseWriterUuidColumn ? ", $10::text" : ""; // one writer per journal instance: a scalar
        // ORDER BY keeps each actor's events in sequence order in the journal's ordering column.
        _insertSql = $"""
            WITH rows AS (
                SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bytea[], $5::text[], $6::int[])
                    WITH ORDINALITY AS r(persistence_id, sequence_nr, created, message, manifest, identifier, idx)
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
        _batcher = new SetBatcher<IReadOnlyCollection<AtomicWrite>, IImmutableList<Exception?>?>(WriteBatchAsync, maxBatchSize, maxBatchesInFlight);
    }

    public SetBatcherStats Stats => _batcher.Stats;

    /// <summary>
    /// Writes one journal request. Serialization happens in the batch, off the journal actor's
    /// thread (one actor receives every write of the node; it only queues). A write whose payload
    /// does not serialize is rejected alone (its slot in the result holds the exception; null: all
    /// written); a failed statement fails the task: the journal reports every write of the call as failed.
    /// </summary>
    public Task<IImmutableList<Exception?>?> WriteAsync(IReadOnlyCollection<AtomicWrite> writes, CancellationToken cancellationToken) =>
        _batcher.RunAsync(writes, cancellationToken);

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
            tags.Count == 0 ? [] : [.. tags]);
    }

    private async Task<IReadOnlyList<IImmutableList<Exception?>?>> WriteBatchAsync(IReadOnlyList<IReadOnlyCollection<AtomicWrite>> batch, CancellationToken cancellationToken)
    {
        var results = new IImmutableList<Exception?>?[batch.Count];
        var requests = new List<JournalRowToWrite>[batch.Count];
        var count = 0;
        var tagCount = 0;
        for (var r = 0; r < batch.Count; r++)
        {
            (requests[r], results[r]) = Serialize(batch[r]);
            count += requests[r].Count;
            foreach (var row in requests[r]) tagCount += row.Tags.Length;
        }
        if (count == 0) return results;
        var ids = new string[count];
        var sequenceNrs = new long[count];
        var created = new long[count];
        var messages = new byte[count][];
        var manifests = new string[count];
        var identifiers = new int[count];
        var tagIds = new string[tagCount];
        var tagSequenceNrs = new long[tagCount];
        var tagValues = new string[tagCount];
        int n = 0, m = 0;
        foreach (var request in requests)
        {
            foreach (var row in request)
            {
                (ids[n], sequenceNrs[n], created[n], messages[n], manifests[n], identifiers[n]) =
                    (row.PersistenceId, row.SequenceNr, row.Created, row.Message, row.Manifest, row.Identifier);
                n++;
                foreach (var tag in row.Tags)
                {
                    (tagIds[m], tagSequenceNrs[m], tagValues[m]) = (row.PersistenceId, row.SequenceNr, tag);
                    m++;
                }
            }
        }

        await using var command = _dataSource.CreateCommand(_insertSql);
        command.Parameters.Add(PgArray.Text(ids));
        command.Parameters.Add(PgArray.Bigint(sequenceNrs));
        command.Parameters.Add(PgArray.Bigint(created));
        command.Parameters.Add(PgArray.Bytea(messages));
        command.Parameters.Add(PgArray.Text(manifests));
        command.Parameters.Add(PgArray.Integer(identifiers));
        command.Parameters.Add(PgArray.Text(tagIds));
        command.Parameters.Add(PgArray.Bigint(tagSequenceNrs));
        command.Parameters.Add(PgArray.Text(tagValues));
        if (_writerUuid is not null) command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _writerUuid });
        // One statement: the journal rows and their tag rows commit together or not at all.
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return results;
    }

    private sealed record JournalRowToWrite(string PersistenceId, long SequenceNr, long Created, byte[] Message, string Manifest, int Identifier, string[] Tags);
}
