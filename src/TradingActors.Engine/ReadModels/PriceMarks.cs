using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using TradingActors.Domain.Market;

namespace TradingActors.Engine.ReadModels;

/// <summary>The last price of a symbol in one minute (<paramref name="Minute"/>: its start), and when it arrived.</summary>
public sealed record PriceMarkRow(string Symbol, DateTimeOffset Minute, DateTimeOffset At, decimal Price)
{
    public static DateTimeOffset MinuteOf(DateTimeOffset at) => new(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
}

/// <summary>The price_marks table (decision 030): written by the recorder, read by the API's performance routes.</summary>
public sealed class PriceMarkStore(NpgsqlDataSource database)
{
    /// <summary>One statement for all: a minute already stored keeps whichever of the two prices arrived last.</summary>
    public async Task WriteAsync(IReadOnlyCollection<PriceMarkRow> marks, CancellationToken ct = default)
    {
        if (marks.Count == 0) return;
        await using var command = database.CreateCommand("""
            INSERT INTO price_marks (symbol, minute, at, price)
            SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[], $4::numeric[])
            ON CONFLICT (symbol, minute) DO UPDATE SET at = EXCLUDED.at, price = EXCLUDED.price WHERE EXCLUDED.at >= price_marks.at
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = marks.Select(m => m.Symbol).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = marks.Select(m => m.Minute.ToUniversalTime()).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = marks.Select(m => m.At.ToUniversalTime()).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = marks.Select(m => m.Price).ToArray() });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Minutes before <paramref name="olderThan"/> are thinned to the last stored one of each hour; returns the rows deleted.</summary>
    public async Task<int> ThinAsync(DateTimeOffset olderThan, CancellationToken ct = default)
    {
        await using var command = database.CreateCommand("""
            DELETE FROM price_marks p WHERE p.minute < $1 AND EXISTS (
                SELECT 1 FROM price_marks q WHERE q.symbol = p.symbol AND q.minute > p.minute AND q.minute < date_trunc('hour', p.minute) + interval '1 hour')
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = olderThan.ToUniversalTime() });
        return await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyList<PriceMarkRow>> ReadAsync(string symbol, CancellationToken ct = default)
    {
        await using var command = database.CreateCommand("SELECT symbol, minute, at, price FROM price_marks WHERE symbol = $1 ORDER BY minute");
        command.Parameters.Add(new NpgsqlParameter { Value = symbol });
        var rows = new List<PriceMarkRow>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            rows.Add(new PriceMarkRow(reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetDecimal(3)));
        return rows;
    }
}

/// <summary>
/// Records the last price of every symbol in each minute (decision 030), one in the cluster beside the read models:
/// prices are stamped as they arrive on this node's clock (the clock the tenants' fills are stamped with, whatever time a
/// replayed feed carries), kept in memory, and written every flush interval in one statement; a failed write keeps
/// them for the next. Once an hour (and at start) minutes older than the retention are thinned to one an hour.
/// </summary>
public sealed class PriceMarkRecorder : ReceiveActor, IWithTimers
{
    /// <summary>At most this many unwritten minutes are kept while the database is away (the oldest go first).</summary>
    public const int MaxUnwritten = 100_000;

    public sealed record Settings(TimeSpan FlushInterval, TimeSpan MinuteRetention, TimeSpan ThinInterval);

    private sealed record Started;
    private sealed record MigrateAgain;
    private sealed record Flush;
    private sealed record Flushed;
    private sealed record FlushFailed(Exception Cause, IReadOnlyList<PriceMarkRow> Marks);
    private sealed record Thin;
    private sealed record Thinned(int Rows);
    private sealed record ThinFailed(Exception Cause);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<(string Symbol, DateTimeOffset Minute), PriceMarkRow> _unwritten = new();
    private readonly TimeProvider _time;
    private readonly PriceMarkStore _store;
    private readonly Settings _settings;
    private bool _flushing;
    private bool _thinning;

    public PriceMarkRecorder(PriceMarkStore store, string connectionString, IEnumerable<string> symbols, Settings settings, TimeProvider time)
    {
        _store = store;
        _settings = settings;
        _time = time;
        var mediator = DistributedPubSub.Get(Context.System).Mediator;
        foreach (var symbol in symbols) mediator.Tell(new Subscribe(Names.PriceTopic(symbol), Self));

        Receive<SubscribeAck>(_ => { });
        Receive<PriceUpdate>(Record);
        Receive<Started>(_ =>
        {
            Become(Writing);
            Self.Tell(new Thin());
            Timers!.StartPeriodicTimer("flush", new Flush(), settings.FlushInterval);
            Timers.StartPeriodicTimer("thin", new Thin(), settings.ThinInterval);
        });
        Receive<Status.Failure>(f =>
        {
            _log.Warning(f.Cause, "the read models' schema could not be migrated; price marks retried in {0}", settings.FlushInterval);
            Timers!.StartSingleTimer("migrate", new MigrateAgain(), settings.FlushInterval);
        });
        Receive<MigrateAgain>(_ => Migrate(connectionString));
        Migrate(connectionString);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private void Migrate(string connectionString) =>
        Task.Run(() => ReadModelSchema.Migrate(connectionString, NullLogger.Instance)).PipeTo(Self, success: () => new Started());

    private void Writing()
    {
        Receive<PriceUpdate>(Record);
        Receive<SubscribeAck>(_ => { });
        Receive<Flush>(_ =>
        {
            if (_flushing || _unwritten.Count == 0) return;
            _flushing = true;
            var marks = _unwritten.Values.ToList();
            _unwritten.Clear();
            _store.WriteAsync(marks).PipeTo(Self, success: () => new Flushed(), failure: e => new FlushFailed(e, marks));
        });
        Receive<Flushed>(_ => { _flushing = false; });
        Receive<FlushFailed>(f =>
        {
            _flushing = false;
            _log.Warning(f.Cause, "writing {0} price marks failed; retried in {1}", f.Marks.Count, _settings.FlushInterval);
            // What arrived since wins over what failed to be written: it is later.
            foreach (var mark in f.Marks) _unwritten.TryAdd((mark.Symbol, mark.Minute), mark);
            Bound();
        });
        Receive<Thin>(_ =>
        {
            if (_thinning) return;
            _thinning = true;
            _store.ThinAsync(_time.GetUtcNow() - _settings.MinuteRetention).PipeTo(Self, success: rows => new Thinned(rows), failure: e => new ThinFailed(e));
        });
        Receive<Thinned>(t =>
        {
            _thinning = false;
            if (t.Rows > 0) _log.Info("thinned {0} price marks older than {1} to one an hour", t.Rows, _settings.MinuteRetention);
        });
        Receive<ThinFailed>(f =>
        {
            _thinning = false;
            _log.Warning(f.Cause, "thinning price marks failed; retried in {0}", _settings.ThinInterval);
        });
    }

    private void Record(PriceUpdate p)
    {
        if (p.Price <= 0) return;
        var at = _time.GetUtcNow();
        var mark = new PriceMarkRow(p.Symbol, PriceMarkRow.MinuteOf(at), at, p.Price);
        _unwritten[(mark.Symbol, mark.Minute)] = mark;
        Bound();
    }

    private void Bound()
    {
        if (_unwritten.Count <= MaxUnwritten) return;
        foreach (var oldest in _unwritten.Keys.OrderBy(k => k.Minute).Take(_unwritten.Count - MaxUnwritten).ToList()) _unwritten.Remove(oldest);
    }

    public static Props Props(string connectionString, NpgsqlDataSource database, IEnumerable<string> symbols, Settings settings, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new PriceMarkRecorder(new PriceMarkStore(database), connectionString, symbols.ToList(), settings, time));
}
