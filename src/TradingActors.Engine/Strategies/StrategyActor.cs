using Akka.Actor;
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
/// A strategy, run once in the cluster (singleton, under a backoff supervisor): consumes its
/// symbol's prices, computes the signal once, persists it with the next sequence number, and only
/// then sends it to every fan-out bucket (through the fan-out region) and publishes it on its
/// topic. Its indicator is checkpointed in snapshots, so a restart or a hand-over resumes where it
/// was. A failed write (an open journal breaker, or another incarnation that already wrote that
/// sequence) stops it; the supervisor starts it again with backoff and it recovers the journal's
/// sequence, so two incarnations can never both emit one sequence and none is skipped.
/// </summary>
public sealed class StrategyActor : ReceivePersistentActor, IWithTimers
{
    private readonly StrategyDefinition _definition;
    private readonly RsiCrossSettings _settings;
    private readonly IActorRef _fanoutRegion;
    private readonly int _buckets;
    private readonly TimeSpan _tickInterval;
    private readonly TimeProvider _time;
    private readonly IActorRef _mediator;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly long _incarnation = Context.Self.Path.Uid; // tells incarnations apart in status and logs
    private RsiCrossState _rsi;
    private long _lastSequence;
    private long _pricesSeen;
    private long _checkpointed;      // prices seen by the indicator in the last stored checkpoint
    private long? _checkpointing;    // prices seen by the checkpoint being stored, if one is
    private long _checkpointSequence; // the journal sequence the last stored checkpoint was taken at
    private bool _paused;            // by an operator: prices are read, nothing is emitted
    private bool _storedPaused;      // what the last stored checkpoint says
    private bool _checkpointingPaused;
    private readonly List<IActorRef> _awaitingControl = []; // operators waiting for their pause or resume to be stored

    private sealed record Tick;

    public StrategyActor(StrategyDefinition definition, IActorRef fanoutRegion, int buckets, TimeSpan tickInterval, TimeProvider time)
    {
        _definition = definition;
        _settings = new RsiCrossSettings(definition.Period, definition.Oversold, definition.Overbought);
        _rsi = RsiCrossState.Start(_settings);
        _fanoutRegion = fanoutRegion;
        _buckets = buckets;
        _tickInterval = tickInterval;
        _time = time;
        _mediator = DistributedPubSub.Get(Context.System).Mediator;
        PersistenceId = Names.StrategyPersistenceId(definition.Id);

        Recover<SnapshotOffer>(o => Restore(o.Snapshot));
        Recover<SignalEmitted>(e => _lastSequence = e.Signal.Sequence);
        Recover<RecoveryCompleted>(_ => OnRecovered());

        Command<PriceUpdate>(OnPrice);
        Command<EmitManualSignal>(m =>
        {
            if (_paused) Sender.Tell(new Status.Failure(new InvalidOperationException($"strategy '{_definition.Id}' is paused")));
            else Emit(m.Side, m.Price, "manual signal", Sender);
        });
        Command<GetStrategyStatus>(_ => Sender.Tell(CurrentStatus()));
        Command<PauseStrategy>(_ => Control(paused: true));
        Command<ResumeStrategy>(_ => Control(paused: false));
        Command<Tick>(_ => TickBuckets());
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
            _log.Warning("strategy {0}: checkpoint failed: {1}", _definition.Id, f.Cause.Message);
            if (_awaitingControl.Count > 0)
            {
                // A pause or resume is only in effect once stored: back to what the store holds, and the operators are told.
                _paused = _storedPaused;
                foreach (var operatorRef in _awaitingControl)
                    operatorRef.Tell(new Status.Failure(new InvalidOperationException($"strategy '{_definition.Id}': the change was not stored ({f.Cause.Message}); it is {(_paused ? "paused" : "running")}")));
                _awaitingControl.Clear();
            }
        });
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(StrategyDefinition definition, IActorRef fanoutRegion, int buckets, TimeSpan tickInterval, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new StrategyActor(definition, fanoutRegion, buckets, tickInterval, time));

    /// <summary>
    /// What the cluster singleton runs: the strategy under a backoff supervisor. A strategy that stops
    /// (write or recovery failure) is started again with backoff and recovers its sequence; the
    /// singleton's termination message (<see cref="HandOverStrategy"/>) stops both for a hand-over.
    /// </summary>
    public static Props Supervised(StrategyDefinition definition, IActorRef fanoutRegion, int buckets, TimeSpan tickInterval, TimeProvider time, TimeSpan minBackoff, TimeSpan maxBackoff) =>
        BackoffSupervisor.Props(
            Backoff.OnStop(Props(definition, fanoutRegion, buckets, tickInterval, time), "strategy", minBackoff, maxBackoff, 0.2, maxNrOfRetries: -1)
                .WithFinalStopMessage(m => m is HandOverStrategy));

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _log.Warning("strategy {0} (incarnation {1}): writing signal #{2} failed, restarting to recover the journal's sequence: {3}",
            _definition.Id, _incarnation, sequenceNr, cause.Message);
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
            _definition.Id, _incarnation, sequenceNr, cause.Message);
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
                var i = c.Indicator;
                if (i.Period == _settings.Period)
                    _rsi = new RsiCrossState(RelativeStrengthIndex.From(new RelativeStrengthIndex.State(i.Period, i.LastClose, i.Changes, i.GainAccumulator, i.LossAccumulator)), i.PreviousValue);
                else _log.Warning("strategy {0}: checkpoint was made for RSI period {1}, now {2}: warming up again", _definition.Id, i.Period, _settings.Period);
                break;
            case StrategySnapshot legacy:
                _lastSequence = legacy.LastSequence;
                break;
        }
    }

    private void OnRecovered()
    {
        EngineInstruments.Recoveries.Add(1, new KeyValuePair<string, object?>("kind", "strategy"));
        _mediator.Tell(new Subscribe(Names.PriceTopic(_definition.Symbol), Self));
        // Ticks (re)start every bucket and tell it the latest sequence: first at once, then periodically.
        TickBuckets();
        Timers.StartPeriodicTimer("tick", new Tick(), _tickInterval);
        _log.Info("strategy {0} ready at sequence {1} (incarnation {2}, indicator after {3} prices)", _definition.Id, _lastSequence, _incarnation, _pricesSeen);
    }

    private void TickBuckets()
    {
        for (var bucket = 0; bucket < _buckets; bucket++)
            _fanoutRegion.Tell(new FanoutTick(_definition.Id, bucket, _lastSequence));
    }

    private void OnPrice(PriceUpdate price)
    {
        if (price.Symbol != _definition.Symbol) return;
        _pricesSeen++;
        var (next, decision) = RsiCrossStrategy.Step(_rsi, _settings, price.Price);
        _rsi = next;
        if (decision is not null && !_paused) Emit(decision.Side, price.Price, decision.Reason, ActorRefs.NoSender);
        else Checkpoint();
    }

    /// <summary>Snapshots the indicator, one save at a time (a save in flight skips this one; the next price saves again).</summary>
    private void Checkpoint()
    {
        if (_checkpointing is not null) return;
        _checkpointing = _pricesSeen;
        _checkpointingPaused = _paused;
        var rsi = _rsi.Rsi.ToState();
        SaveSnapshot(new StrategyCheckpoint(_lastSequence, _pricesSeen,
            new RsiCheckpoint(rsi.Period, rsi.LastClose, rsi.Changes, rsi.GainAccumulator, rsi.LossAccumulator, _rsi.PreviousValue), _paused));
    }

    private StrategyStatus CurrentStatus() => new(_definition.Id, _lastSequence, _rsi.Rsi.Value, _pricesSeen, _checkpointed, _incarnation, _paused);

    /// <summary>An operator's pause or resume: in effect at once, answered once a checkpoint holding it is stored.</summary>
    private void Control(bool paused)
    {
        if (_paused == paused)
        {
            Sender.Tell(new Status.Failure(new InvalidOperationException($"strategy '{_definition.Id}' is {(paused ? "already paused" : "not paused")}")));
            return;
        }
        _paused = paused;
        _awaitingControl.Add(Sender);
        _log.Info("strategy {0} {1} by an operator", _definition.Id, paused ? "paused" : "resumed");
        Checkpoint();
    }

    private void Emit(Domain.Orders.OrderSide side, decimal price, string reason, IActorRef? replyTo)
    {
        if (price <= 0)
        {
            replyTo?.Tell(new Status.Failure(new ArgumentException("price must be positive")));
            return;
        }
        var signal = new Signal(_definition.Id, _lastSequence + 1, _definition.Symbol, side, price, _time.GetUtcNow(), reason);
        Persist(new SignalEmitted(signal), e =>
        {
            _lastSequence = e.Signal.Sequence;
            // Persisted first, then delivered (invariant 3): to every bucket through the region, and on the topic for observers.
            for (var bucket = 0; bucket < _buckets; bucket++)
                _fanoutRegion.Tell(new DeliverSignal(_definition.Id, bucket, e.Signal));
            _mediator.Tell(new Publish(Names.SignalTopic(_definition.Id), new SignalPublished(e.Signal)));
            EngineInstruments.Signals.Add(1);
            if (replyTo is not null && !replyTo.IsNobody()) replyTo.Tell(new SignalPublished(e.Signal));
            Checkpoint();
            _log.Info("strategy {0} signal #{1} {2} {3} @ {4}: {5}", _definition.Id, e.Signal.Sequence, e.Signal.Side, e.Signal.Symbol, e.Signal.Price, e.Signal.Reason);
        });
    }
}

/// <summary>
/// One per node: forwards strategy messages to the right singleton proxy, so callers address
/// strategies by id and never hold singleton references themselves.
/// </summary>
public sealed class StrategyRouter : ReceiveActor
{
    public StrategyRouter(IReadOnlyDictionary<string, IActorRef> proxies)
    {
        Receive<IWithStrategyId>(m =>
        {
            if (proxies.TryGetValue(m.StrategyId, out var proxy)) proxy.Forward(m);
            else Sender.Tell(new Status.Failure(new ArgumentException($"unknown strategy '{m.StrategyId}'")));
        });
    }
}
