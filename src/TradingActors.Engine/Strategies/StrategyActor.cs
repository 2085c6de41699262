using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Akka.Pattern;
using Akka.Persistence;
using TradingActors.Domain.Market;
using TradingActors.Domain.Strategies;
using TradingActors.Engine.Fanout;
using TradingActors.Engine.Observability;

namespace TradingActors.Engine.Strategies;

/// <summary>
/// A shared strategy, run once in the cluster as an always-on sharded entity (decision 026) under a backoff supervisor:
/// consumes its symbol's prices, feeds them to its strategy (any kind that emits signals, through the one strategy
/// interface), persists each signal with the next sequence number, and only then sends it to every fan-out bucket
/// (through the fan-out region) and publishes it on its topic. Its definition and strategy state are checkpointed in
/// snapshots, so a restart, a hand-over or a move resumes where it was. A failed write (an open journal breaker, or
/// another incarnation that already wrote that sequence) stops it; the supervisor starts it again with backoff and it
/// recovers the journal's sequence, so two incarnations can never both emit one sequence and none is skipped.
/// Without a definition (neither checkpointed nor in the node's catalog view) it waits for the catalog's
/// <see cref="RunStrategy"/>; a retired one passivates itself.
/// </summary>
public sealed class StrategyActor : ReceivePersistentActor, IWithTimers
{
    private readonly string _strategyId;
    private readonly IStrategyDirectory _directory;
    private readonly IActorRef _fanoutRegion;
    private readonly int _buckets;
    private readonly TimeSpan _tickInterval;
    private readonly TimeProvider _time;
    private readonly IActorRef _mediator;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly long _incarnation = Context.Self.Path.Uid; // tells incarnations apart in status and logs
    private readonly IntentBuffer _intents = new();
    private StrategyDefinition? _definition;
    private ITradingStrategy? _strategy;
    private object? _recovered;       // the checkpoint recovery offered, until the strategy is built from it
    private long _lastSequence;
    private long _pricesSeen;
    private long _checkpointed;      // prices seen by the strategy in the last stored checkpoint
    private long? _checkpointing;    // prices seen by the checkpoint being stored, if one is
    private long _checkpointSequence; // the journal sequence the last stored checkpoint was taken at
    private bool _paused;            // by an operator: prices are read, nothing is emitted
    private bool _storedPaused;      // what the last stored checkpoint says
    private bool _checkpointingPaused;
    private readonly List<IActorRef> _awaitingControl = []; // operators waiting for their pause or resume to be stored

    private sealed record Tick;

    public StrategyActor(string strategyId, IStrategyDirectory directory, IActorRef fanoutRegion, int buckets, TimeSpan tickInterval, TimeProvider time)
    {
        _strategyId = strategyId;
        _directory = directory;
        _fanoutRegion = fanoutRegion;
        _buckets = buckets;
        _tickInterval = tickInterval;
        _time = time;
        _mediator = DistributedPubSub.Get(Context.System).Mediator;
        PersistenceId = Names.StrategyPersistenceId(strategyId);

        Recover<SnapshotOffer>(o => Restore(o.Snapshot));
        Recover<SignalEmitted>(e => _lastSequence = e.Signal.Sequence);
        Recover<RecoveryCompleted>(_ => OnRecovered());

        Command<PriceUpdate>(OnPrice);
        Command<RunStrategy>(r =>
        {
            if (_definition is null) Start(r.Definition);
        });
        Command<StopRetiredStrategy>(_ => Retire());
        Command<EmitManualSignal>(m =>
        {
            if (_definition is null) Sender.Tell(new Status.Failure(new InvalidOperationException($"strategy '{_strategyId}' is waiting for its definition")));
            else if (_paused) Sender.Tell(new Status.Failure(new InvalidOperationException($"strategy '{_strategyId}' is paused")));
            else Emit(m.Side, m.Price, "manual signal", Sender);
        });
        Command<GetStrategyStatus>(_ => Sender.Tell(CurrentStatus()));
        Command<PauseStrategy>(_ => Control(paused: true));
        Command<ResumeStrategy>(_ => Control(paused: false));
        Command<Tick>(_ =>
        {
            // Retired while this node's view was behind, or the catalog's stop went astray: stop now.
            if (_directory.Current.IsRetired(_strategyId)) Retire();
            else TickBuckets();
        });
        Command<HandOverStrategy>(_ => Context.Stop(Self)); // stashed while a signal persists: it is published first
        Command<SubscribeAck>(_ => { });
        Command<SaveSnapshotSuccess>(s =>
        {
            _checkpointed = _checkpointing ?? _checkpointed;
            _checkpointing = null;
            _storedPaused = _checkpointingPaused;
            if (_storedPaused == _paused && _awaitingControl.Count > 0)
            {
                foreach (var operatorRef in _awaitingControl) operatorRef.Tell(CurrentStatus());
                _awaitingControl.Clear();
            }
            // Checkpoints at one sequence replace each other (an upsert); older ones go once the sequence moves.
            if (s.Metadata.SequenceNr > _checkpointSequence) DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1));
            _checkpointSequence = s.Metadata.SequenceNr;
            if (_pricesSeen > _checkpointed || _storedPaused != _paused) Checkpoint(); // prices or a pause arrived while this one was stored
        });
        Command<SaveSnapshotFailure>(f =>
        {
            _checkpointing = null;
            _log.Warning("strategy {0}: checkpoint failed: {1}", _strategyId, f.Cause.Message);
            if (_awaitingControl.Count > 0)
            {
                // A pause or resume is only in effect once stored: back to what the store holds, and the operators are told.
                _paused = _storedPaused;
                foreach (var operatorRef in _awaitingControl)
                    operatorRef.Tell(new Status.Failure(new InvalidOperationException($"strategy '{_strategyId}': the change was not stored ({f.Cause.Message}); it is {(_paused ? "paused" : "running")}")));
                _awaitingControl.Clear();
            }
        });
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string strategyId, IStrategyDirectory directory, IActorRef fanoutRegion, int buckets, TimeSpan tickInterval, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new StrategyActor(strategyId, directory, fanoutRegion, buckets, tickInterval, time));

    /// <summary>
    /// What the strategy region runs as the entity: the strategy under a backoff supervisor. A strategy that stops
    /// (write or recovery failure) is started again with backoff and recovers its sequence; the shard's hand-off
    /// message (<see cref="HandOverStrategy"/>) stops both for a move. The strategy's own Passivate reaches the shard
    /// through the supervisor, which sends it as the entity.
    /// </summary>
    public static Props Supervised(string strategyId, IStrategyDirectory directory, IActorRef fanoutRegion, int buckets, TimeSpan tickInterval, TimeProvider time,
        TimeSpan minBackoff, TimeSpan maxBackoff) =>
        BackoffSupervisor.Props(
            Backoff.OnStop(Props(strategyId, directory, fanoutRegion, buckets, tickInterval, time), "strategy", minBackoff, maxBackoff, 0.2, maxNrOfRetries: -1)
                .WithFinalStopMessage(m => m is HandOverStrategy));

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _log.Warning("strategy {0} (incarnation {1}): writing signal #{2} failed, restarting to recover the journal's sequence: {3}",
            _strategyId, _incarnation, sequenceNr, cause.Message);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    /// <summary>
    /// A refused write still used up its journal sequence number: going on, the next signal would be
    /// written one number past its own sequence and the journal would stop being the signal log
    /// (SignalHistory would refuse to serve it). Stopping lets the supervisor recover the journal's
    /// sequence, so the next signal takes the refused one's number.
    /// </summary>
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _log.Warning("strategy {0} (incarnation {1}): signal #{2} was rejected by the journal, restarting to recover the journal's sequence: {3}",
            _strategyId, _incarnation, sequenceNr, cause.Message);
        Context.Stop(Self);
    }

    private void Restore(object snapshot)
    {
        switch (snapshot)
        {
            case StrategyCheckpoint c:
                _lastSequence = c.LastSequence;
                _paused = _storedPaused = c.Paused;
                _pricesSeen = _checkpointed = c.PricesSeen;
                _recovered = c;
                break;
            case RsiStrategyCheckpoint legacy:
                _lastSequence = legacy.LastSequence;
                _paused = _storedPaused = legacy.Paused;
                _pricesSeen = _checkpointed = legacy.PricesSeen;
                _recovered = legacy;
                break;
            case StrategySnapshot legacy:
                _lastSequence = legacy.LastSequence;
                break;
        }
    }

    private void OnRecovered()
    {
        EngineInstruments.Recoveries.Add(1, new KeyValuePair<string, object?>("kind", "strategy"));
        var catalog = _directory.Current;
        if (catalog.IsRetired(_strategyId))
        {
            Retire();
            return;
        }
        var definition = (_recovered as StrategyCheckpoint)?.Definition ?? (catalog.TryGet(_strategyId, out var known) ? known : null);
        if (definition is null)
        {
            _log.Info("strategy {0} recovered at sequence {1} without a definition: waiting for the catalog", _strategyId, _lastSequence);
            return;
        }
        Start(definition);
    }

    /// <summary>Builds the strategy (resumed from the recovered checkpoint when it fits) and starts reading prices and ticking buckets.</summary>
    private void Start(StrategyDefinition definition)
    {
        _definition = definition;
        _strategy = definition.CreateStrategy(ResumeState(definition));
        if (_recovered is not null && _pricesSeen > 0 && ResumeState(definition) is null)
            _log.Warning("strategy {0}: its checkpoint does not fit {1} {2}: warming up again", _strategyId, definition.Kind, definition.Parameters);
        _recovered = null;
        _mediator.Tell(new Subscribe(Names.PriceTopic(definition.Symbol), Self));
        // Ticks (re)start every bucket and tell it the latest sequence: first at once, then periodically.
        TickBuckets();
        Timers.StartPeriodicTimer("tick", new Tick(), _tickInterval);
        _log.Info("strategy {0} ({1} on {2}) ready at sequence {3} (incarnation {4}, after {5} prices)",
            _strategyId, definition.Kind, definition.Symbol, _lastSequence, _incarnation, _pricesSeen);
    }

    /// <summary>The strategy state to resume from: v3's own state, or a v2 RSI indicator read into an rsi strategy's.</summary>
    private StrategyState? ResumeState(StrategyDefinition definition) => _recovered switch
    {
        StrategyCheckpoint c when c.Definition.Kind == definition.Kind && c.Definition.Parameters == definition.Parameters => c.State,
        RsiStrategyCheckpoint { Indicator: var i } when definition.Kind == RsiThresholdStrategy.Kind.Name => new RsiThresholdState(
            new Domain.Indicators.WilderRsi.State(i.Period, i.LastClose is { } last ? (double)last : double.NaN, i.Changes, (double)i.GainAccumulator, (double)i.LossAccumulator),
            i.PreviousValue is { } previous ? (double)previous : double.NaN),
        _ => null,
    };

    /// <summary>Retired: stop for good. Passivation (not a plain stop) makes remember-entities forget the entity.</summary>
    private void Retire()
    {
        _log.Info("strategy {0} is retired: stopping for good at sequence {1}", _strategyId, _lastSequence);
        Timers.CancelAll();
        Context.Parent.Tell(new Passivate(HandOverStrategy.Instance));
    }

    private void TickBuckets()
    {
        for (var bucket = 0; bucket < _buckets; bucket++)
            _fanoutRegion.Tell(new FanoutTick(_strategyId, bucket, _lastSequence));
    }

    private void OnPrice(PriceUpdate price)
    {
        if (_strategy is null || price.Symbol != _definition!.Symbol) return;
        _pricesSeen++;
        _intents.Clear();
        _strategy.OnBar(Candle.OfPrice(price.Time, (double)price.Price), _intents);
        // A shared strategy's intents are signals (only kinds that emit signals can be shared): one per price at most.
        var emitted = false;
        foreach (ref readonly var intent in _intents.AsSpan())
        {
            if (intent.Kind != IntentKind.Signal || _paused) continue;
            Emit(intent.Side, price.Price, intent.Describe(), ActorRefs.NoSender);
            emitted = true;
        }
        if (!emitted) Checkpoint();
    }

    /// <summary>Snapshots the strategy, one save at a time (a save in flight skips this one; the next price saves again).</summary>
    private void Checkpoint()
    {
        if (_checkpointing is not null || _strategy is null) return;
        _checkpointing = _pricesSeen;
        _checkpointingPaused = _paused;
        SaveSnapshot(new StrategyCheckpoint(_lastSequence, _pricesSeen, _definition!, _strategy.Save(), _paused));
    }

    private StrategyStatus CurrentStatus() => new(_strategyId, _lastSequence, CurrentRsi(), _pricesSeen, _checkpointed, _incarnation, _paused,
        _definition?.Kind, _definition?.Symbol, Cluster.Get(Context.System).SelfAddress.ToString(), Waiting: _definition is null);

    private decimal? CurrentRsi() =>
        _strategy is RsiThresholdStrategy { Rsi: var rsi } && double.IsFinite(rsi) ? Math.Round((decimal)rsi, 10) : null;

    /// <summary>An operator's pause or resume: in effect at once, answered once a checkpoint holding it is stored.</summary>
    private void Control(bool paused)
    {
        if (_definition is null)
        {
            Sender.Tell(new Status.Failure(new InvalidOperationException($"strategy '{_strategyId}' is waiting for its definition")));
            return;
        }
        if (_paused == paused)
        {
            Sender.Tell(new Status.Failure(new InvalidOperationException($"strategy '{_strategyId}' is {(paused ? "already paused" : "not paused")}")));
            return;
        }
        _paused = paused;
        _awaitingControl.Add(Sender);
        _log.Info("strategy {0} {1} by an operator", _strategyId, paused ? "paused" : "resumed");
        Checkpoint();
    }

    private void Emit(Domain.Orders.OrderSide side, decimal price, string reason, IActorRef? replyTo)
    {
        if (price <= 0)
        {
            replyTo?.Tell(new Status.Failure(new ArgumentException("price must be positive")));
            return;
        }
        var signal = new Signal(_strategyId, _lastSequence + 1, _definition!.Symbol, side, price, _time.GetUtcNow(), reason);
        Persist(new SignalEmitted(signal), e =>
        {
            _lastSequence = e.Signal.Sequence;
            // Persisted first, then delivered (invariant 3): to every bucket through the region, and on the topic for observers.
            for (var bucket = 0; bucket < _buckets; bucket++)
                _fanoutRegion.Tell(new DeliverSignal(_strategyId, bucket, e.Signal));
            _mediator.Tell(new Publish(Names.SignalTopic(_strategyId), new SignalPublished(e.Signal)));
            EngineInstruments.Signals.Add(1);
            if (replyTo is not null && !replyTo.IsNobody()) replyTo.Tell(new SignalPublished(e.Signal));
            Checkpoint();
            _log.Info("strategy {0} signal #{1} {2} {3} @ {4}: {5}", _strategyId, e.Signal.Sequence, e.Signal.Side, e.Signal.Symbol, e.Signal.Price, e.Signal.Reason);
        });
    }
}

/// <summary>
/// One per node: sends strategy messages to the strategy region for strategies the node's catalog view knows as
/// running, and answers for the others at once (unknown, or retired), so a typo never starts an entity.
/// </summary>
public sealed class StrategyRouter : ReceiveActor
{
    public StrategyRouter(IActorRef region, IStrategyDirectory directory)
    {
        Receive<IWithStrategyId>(m =>
        {
            var catalog = directory.Current;
            if (catalog.TryGet(m.StrategyId, out _)) region.Forward(m);
            else if (catalog.IsRetired(m.StrategyId)) Sender.Tell(new Status.Failure(new InvalidOperationException($"strategy '{m.StrategyId}' is retired")));
            else Sender.Tell(new Status.Failure(new ArgumentException($"unknown strategy '{m.StrategyId}'")));
        });
    }
}
