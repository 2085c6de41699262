using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Akka.Persistence;
using TradingActors.Domain.Strategies;

namespace TradingActors.Engine.Strategies;

/// <summary>The strategies as this node sees them, read without a message (tenants, the router, the API).</summary>
public interface IStrategyDirectory
{
    StrategyCatalog Current { get; }
}

/// <summary>The strategies as this node sees them: the configured ones (the seeds) until the catalog publishes (decision 026).</summary>
public sealed class StrategyCatalogView(StrategyCatalog seeds) : CatalogView<StrategyCatalog>(seeds), IStrategyDirectory
{
    /// <summary>Sends a create or retire to the catalog and takes its answer at once, so this node serves the change before the publication arrives.</summary>
    public async Task<StrategyCatalogAnswer> SendAsync(IActorRef catalog, ITradingMessage command, TimeSpan timeout, CancellationToken ct)
    {
        var answer = await catalog.Ask<StrategyCatalogAnswer>(command, timeout, ct);
        Update(answer.Version, answer.Catalog);
        return answer;
    }
}

/// <summary>Create a shared strategy (an admin, through the API or tradectl). Answered with <see cref="StrategyCatalogAnswer"/>.</summary>
public sealed record CreateStrategy(StrategyDefinition Definition, string By) : ITradingMessage;

/// <summary>Retire a shared strategy for good. Answered with <see cref="StrategyCatalogAnswer"/>.</summary>
public sealed record RetireStrategy(string StrategyId, string By) : ITradingMessage;

public sealed record GetStrategyCatalog : ITradingMessage
{
    public static readonly GetStrategyCatalog Instance = new();
}

/// <summary>The catalog after a command, or why the command was refused (Errors non-empty: nothing changed).</summary>
public sealed record StrategyCatalogAnswer(IReadOnlyList<string> Errors, long Version, StrategyCatalog Catalog) : ITradingMessage
{
    public bool Accepted => Errors.Count == 0;
}

/// <summary>Published on the catalog topic at each change and each tick: every node's view follows it.</summary>
public sealed record StrategyCatalogPublished(long Version, StrategyCatalog Catalog) : ITradingMessage;

/// <summary>The catalog's snapshot.</summary>
public sealed record StrategyCatalogSnapshot(StrategyCatalogState State) : ITradingMessage;

/// <summary>
/// The shared strategies as data (decision 026): a persistent cluster singleton holding which strategies run. It seeds
/// the configured strategies it has never seen, persists each admin's create or retire before answering, publishes
/// every version to all nodes, and keeps each running strategy running: at start and every tick it sends each one a
/// <see cref="RunStrategy"/> through the strategy region (which starts the entity wherever its shard lives), and each
/// retired one a <see cref="StopRetiredStrategy"/> once when it is retired. It runs no strategy itself: losing it delays
/// creates and retires, never a signal.
/// </summary>
public sealed class StrategyCatalogActor : ReceivePersistentActor, IWithTimers
{
    public const string Topic = "strategy-catalog";
    public const string PersistenceIdValue = "strategy-catalog";

    private readonly IReadOnlyList<StrategyDefinition> _seeds;
    private readonly IActorRef _strategies;
    private readonly TimeSpan _tickInterval;
    private readonly TimeProvider _time;
    private readonly IActorRef _mediator;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private StrategyCatalogState _state = StrategyCatalogState.Empty;

    private sealed record Tick;

    public StrategyCatalogActor(IReadOnlyList<StrategyDefinition> seeds, IActorRef strategyRegion, TimeSpan tickInterval, TimeProvider time)
    {
        _seeds = seeds;
        _strategies = strategyRegion;
        _tickInterval = tickInterval;
        _time = time;
        _mediator = DistributedPubSub.Get(Context.System).Mediator;

        Recover<SnapshotOffer>(o =>
        {
            if (o.Snapshot is StrategyCatalogSnapshot s) _state = s.State;
        });
        Recover<IStrategyCatalogEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ => OnRecovered());

        Command<CreateStrategy>(OnCreate);
        Command<RetireStrategy>(OnRetire);
        Command<GetStrategyCatalog>(_ => Sender.Tell(Answer([])));
        Command<Tick>(_ => KeepRunning());
        Command<SaveSnapshotSuccess>(_ => { });
        Command<SaveSnapshotFailure>(f => _log.Warning("strategy catalog: snapshot failed: {0}", f.Cause.Message));
    }

    public override string PersistenceId => PersistenceIdValue;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IReadOnlyList<StrategyDefinition> seeds, IActorRef strategyRegion, TimeSpan tickInterval, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new StrategyCatalogActor(seeds, strategyRegion, tickInterval, time));

    private void OnRecovered()
    {
        var seeded = StrategyCatalogDecisions.Seed(_state, _seeds, _time.GetUtcNow());
        if (seeded.Count > 0)
        {
            PersistAll(seeded, e =>
            {
                _state = _state.Apply(e);
                _log.Info("strategy catalog: seeded {0} ({1} on {2})", e.Definition.Id, e.Definition.Kind, e.Definition.Symbol);
                if (ReferenceEquals(e, seeded[^1])) Started();
            });
        }
        else Started();
    }

    private void Started()
    {
        KeepRunning();
        Timers.StartPeriodicTimer("tick", new Tick(), _tickInterval);
        _log.Info("strategy catalog ready: {0} running, {1} retired (version {2})", _state.Running.Count, _state.Retired.Count, _state.Version);
    }

    private void OnCreate(CreateStrategy c)
    {
        var (created, errors) = StrategyCatalogDecisions.Create(_state, c.Definition, _time.GetUtcNow(), c.By);
        if (created is null)
        {
            // Refused, or the same strategy created again (a retried request): answered with the catalog as it is.
            Sender.Tell(Answer(errors));
            return;
        }
        var replyTo = Sender;
        Persist(created, e =>
        {
            _state = _state.Apply(e);
            _log.Info("strategy catalog: {0} created {1} ({2} on {3}, {4})", e.By, e.Definition.Id, e.Definition.Kind, e.Definition.Symbol, e.Definition.Parameters);
            _strategies.Tell(new RunStrategy(e.Definition));
            Changed();
            replyTo.Tell(Answer([]));
        });
    }

    private void OnRetire(RetireStrategy r)
    {
        var (retired, error) = StrategyCatalogDecisions.Retire(_state, r.StrategyId, _time.GetUtcNow(), r.By);
        if (retired is null)
        {
            Sender.Tell(Answer([error!]));
            return;
        }
        var replyTo = Sender;
        Persist(retired, e =>
        {
            _state = _state.Apply(e);
            _log.Info("strategy catalog: {0} retired {1}", e.By, e.StrategyId);
            // Published first: a node whose router still knew it as running now refuses it; the entity stops itself.
            Changed();
            _strategies.Tell(new StopRetiredStrategy(e.StrategyId));
            replyTo.Tell(Answer([]));
        });
    }

    private void Changed()
    {
        Publish();
        if (_state.Version % 100 == 0) SaveSnapshot(new StrategyCatalogSnapshot(_state));
    }

    private void KeepRunning()
    {
        foreach (var definition in _state.Running) _strategies.Tell(new RunStrategy(definition));
        Publish();
    }

    private void Publish() => _mediator.Tell(new Publish(Topic, new StrategyCatalogPublished(_state.Version, _state.ToCatalog())));

    private StrategyCatalogAnswer Answer(IReadOnlyList<string> errors) => new(errors, _state.Version, _state.ToCatalog());
}

/// <summary>One per node: keeps the node's <see cref="StrategyCatalogView"/> at the catalog's latest published version.</summary>
public sealed class StrategyDirectoryActor : ReceiveActor
{
    public StrategyDirectoryActor(StrategyCatalogView view)
    {
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(StrategyCatalogActor.Topic, Self));
        Receive<SubscribeAck>(_ => { });
        Receive<StrategyCatalogPublished>(p => { view.Update(p.Version, p.Catalog); });
        Receive<StrategyCatalogAnswer>(a => { view.Update(a.Version, a.Catalog); });
    }

    public static Props Props(StrategyCatalogView view) => Akka.Actor.Props.Create(() => new StrategyDirectoryActor(view));
}
