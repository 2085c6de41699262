using Akka.Actor;
using Akka.Event;
using Akka.Pattern;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Persistence;

namespace TradingActors.Engine.ReadModels;

/// <summary>
/// Where the projection stands (one per node; only the node running the singleton moves it), published as
/// metrics: tradingactors.read_models.projected_ordering and tradingactors.read_models.lag_seconds (how long
/// the newest event of the last batch waited between its tenant persisting it and the read models holding it).
/// </summary>
public sealed class ProjectionStatus : IDisposable
{
    public const string MeterName = "TradingActors.ReadModels";

    private readonly System.Diagnostics.Metrics.Meter _meter = new(MeterName);
    private long _ordering;
    private long _lastEventAtTicks;
    private long _lastBatchAtTicks;

    public ProjectionStatus()
    {
        _meter.CreateObservableGauge("tradingactors.read_models.projected_ordering", () => Ordering, description: "journal ordering the read models hold");
        _meter.CreateObservableGauge("tradingactors.read_models.lag_seconds", () => LagSeconds, unit: "s",
            description: "time from persisting the newest event of the last batch to projecting it");
    }

    /// <summary>Seconds between the newest projected event and its batch's commit (0 before the first batch).</summary>
    public double LagSeconds => LastEventAt is { } e && LastBatchAt is { } b ? Math.Max(0, (b - e).TotalSeconds) : 0;

    public void Dispose() => _meter.Dispose();

    public long Ordering => Interlocked.Read(ref _ordering);

    /// <summary>When the newest projected event was persisted by its tenant (null before the first batch).</summary>
    public DateTimeOffset? LastEventAt => Interlocked.Read(ref _lastEventAtTicks) is var t and > 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    public DateTimeOffset? LastBatchAt => Interlocked.Read(ref _lastBatchAtTicks) is var t and > 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    internal void Record(long ordering, DateTimeOffset lastEventAt, DateTimeOffset now)
    {
        Interlocked.Exchange(ref _ordering, ordering);
        Interlocked.Exchange(ref _lastEventAtTicks, lastEventAt.UtcTicks);
        Interlocked.Exchange(ref _lastBatchAtTicks, now.UtcTicks);
    }
}

/// <summary>
/// Projects every tenant event (the journal's <see cref="EventTagger.Tenant"/> tag, in journal order) into
/// the read models the API serves: orders, executions, positions, accounts, subscriptions. A cluster
/// singleton, so it runs once in the cluster; it starts from the offset stored with the rows and writes
/// each batch and the new offset in one transaction (<see cref="ReadModelWriter"/>). Any failure stops
/// the stream and the actor; its backoff supervisor starts it again from the stored offset. Beside it, it
/// prunes the live stream's rows to their window (<see cref="TenantFeedRetention"/>, decision 012).
/// </summary>
public sealed class ReadModelProjection : ReceiveActor, IWithTimers
{
    public const string ProjectionName = "tenant-read-models";

    /// <param name="FeedRetention">how long the live stream's rows are kept (<see cref="TenantFeedRetention"/>)</param>
    /// <param name="FeedPruneInterval">how often rows older than that are deleted (also once at each start)</param>
    public sealed record Settings(int BatchSize, TimeSpan BatchWindow, TimeSpan RestartBackoff, TimeSpan RestartBackoffMax,
        TimeSpan FeedRetention, TimeSpan FeedPruneInterval);

    private sealed record Started(long Offset);
    private sealed record BatchWritten(int Applied, long Through, DateTimeOffset LastEventAt);
    private sealed record StreamCompleted;
    private sealed record StreamFailed(Exception Cause);
    private sealed record PruneFeed;
    private sealed record FeedPruned(TenantFeedRetention.Pruned Outcome);
    private sealed record FeedPruneFailed(Exception Cause);

    private readonly ILoggingAdapter _log = Context.GetLogger();

    public ITimerScheduler Timers { get; set; } = null!;

    public ReadModelProjection(string connectionString, ReadModelWriter writer, TenantFeedRetention retention, ProjectionStatus status, Settings settings,
        TimeProvider time)
    {
        Receive<Started>(started =>
        {
            _log.Info("read model projection starts after journal ordering {0}", started.Offset);
            var journal = PersistenceQuery.Get(Context.System).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
            journal.EventsByTag(EventTagger.Tenant, Offset.Sequence(started.Offset))
                .Select(ToProjected)
                .GroupedWithin(settings.BatchSize, settings.BatchWindow)
                .SelectAsync(1, async batch =>
                {
                    var events = batch.ToList();
                    var applied = await writer.WriteAsync(events, time.GetUtcNow());
                    return new BatchWritten(applied, events[^1].Ordering, events[^1].Event.At);
                })
                .RunWith(Sink.ActorRef<BatchWritten>(Self, new StreamCompleted(), e => new StreamFailed(e)), Context.Materializer());
            Self.Tell(new PruneFeed());
            Timers.StartPeriodicTimer("prune-feed", new PruneFeed(), settings.FeedPruneInterval);
        });
        // Pruning runs beside the projection, one at a time; a failed prune is retried at the next tick, the projection goes on.
        var pruning = false;
        Receive<PruneFeed>(_ =>
        {
            if (pruning) return;
            pruning = true;
            retention.PruneAsync(time.GetUtcNow() - settings.FeedRetention)
                .PipeTo(Self, success: pruned => new FeedPruned(pruned), failure: e => new FeedPruneFailed(e));
        });
        Receive<FeedPruned>(p =>
        {
            pruning = false;
            if (p.Outcome.Rows > 0)
                _log.Info("pruned {0} live stream rows older than {1}; the stream now starts at journal ordering {2}", p.Outcome.Rows, settings.FeedRetention,
                    p.Outcome.PrunedBefore);
        });
        Receive<FeedPruneFailed>(f =>
        {
            pruning = false;
            _log.Warning(f.Cause, "pruning the live stream failed; retried in {0}", settings.FeedPruneInterval);
        });
        Receive<BatchWritten>(b => status.Record(b.Through, b.LastEventAt, time.GetUtcNow()));
        Receive<StreamFailed>(f => throw new InvalidOperationException("the read model projection failed; it restarts from its stored offset", f.Cause));
        Receive<StreamCompleted>(_ => throw new InvalidOperationException("the live tag query completed; the projection restarts"));
        Receive<Status.Failure>(f => throw new InvalidOperationException("the read model projection could not start", f.Cause));

        Task.Run(async () =>
        {
            ReadModelSchema.Migrate(connectionString, NullLogger.Instance);
            return new Started(await writer.ReadOffsetAsync());
        }).PipeTo(Self);
    }

    /// <summary>
    /// The projection under a backoff supervisor: whenever it stops — a failed batch (database down, a bug),
    /// a kill — it starts again from the stored offset. Every failure stops it (no in-place restart), so there
    /// is one path back: a fresh actor that reads the offset.
    /// </summary>
    public static Props Supervised(string connectionString, NpgsqlDataSource database, ProjectionStatus status, Settings settings, TimeProvider time)
    {
        var writer = new ReadModelWriter(database, ProjectionName);
        var retention = new TenantFeedRetention(database);
        var child = Props.Create(() => new ReadModelProjection(connectionString, writer, retention, status, settings, time));
        return BackoffSupervisor.Props(Backoff.OnStop(child, "projection", settings.RestartBackoff, settings.RestartBackoffMax, 0.2)
            .WithSupervisorStrategy(new OneForOneStrategy(_ => Directive.Stop))
            .WithAutoReset(TimeSpan.FromSeconds(30)));
    }

    private static ProjectedEvent ToProjected(EventEnvelope envelope)
    {
        if (envelope.Event is not ITenantEvent e || Names.TenantIdOf(envelope.PersistenceId) is not { } tenantId)
            throw new InvalidOperationException($"unexpected event under the tenant tag: {envelope.PersistenceId}/{envelope.SequenceNr}");
        return new ProjectedEvent(((Sequence)envelope.Offset).Value, tenantId, envelope.SequenceNr, e);
    }
}
