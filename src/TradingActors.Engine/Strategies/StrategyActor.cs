using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Akka.Persistence;
using TradingActors.Domain.Market;
using TradingActors.Domain.Strategies;
using TradingActors.Engine.Fanout;

namespace TradingActors.Engine.Strategies;

/// <summary>
/// A strategy, run once in the cluster (singleton): consumes its symbol's prices, computes the
/// signal once, persists it with the next sequence number, and only then publishes it to the
/// strategy's topic. Keeps recent signals for subscribers that catch up.
/// </summary>
public sealed class StrategyActor : ReceivePersistentActor, IWithTimers
{
    public const int RecentKept = 500;
    public const int SnapshotEvery = 100;

    private readonly StrategyDefinition _definition;
    private readonly RsiCrossSettings _settings;
    private readonly IActorRef _fanoutRegion;
    private readonly int _buckets;
    private readonly TimeProvider _time;
    private readonly IActorRef _mediator;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private RsiCrossState _rsi;
    private long _lastSequence;
    private long _pricesSeen;
    private ImmutableArray<Signal> _recent = [];

    private sealed record Heartbeat;

    public StrategyActor(StrategyDefinition definition, IActorRef fanoutRegion, int buckets, TimeProvider time)
    {
        _definition = definition;
        _settings = new RsiCrossSettings(definition.Period, definition.Oversold, definition.Overbought);
        _rsi = RsiCrossState.Start(_settings);
        _fanoutRegion = fanoutRegion;
        _buckets = buckets;
        _time = time;
        _mediator = DistributedPubSub.Get(Context.System).Mediator;
        PersistenceId = Names.StrategyPersistenceId(definition.Id);

        Recover<SnapshotOffer>(o =>
        {
            var s = (StrategySnapshot)o.Snapshot;
            _lastSequence = s.LastSequence;
            _recent = s.Recent;
        });
        Recover<SignalEmitted>(e => Remember(e.Signal));
        Recover<RecoveryCompleted>(_ => OnRecovered());

        Command<PriceUpdate>(OnPrice);
        Command<EmitManualSignal>(m => Emit(m.Side, m.Price, "manual signal", Sender));
        Command<GetSignalsSince>(q => Sender.Tell(new SignalsSince(_definition.Id, _lastSequence, [.. _recent.Where(s => s.Sequence > q.AfterSequence)])));
        Command<GetStrategyStatus>(_ => Sender.Tell(new StrategyStatus(_definition.Id, _lastSequence, _rsi.Rsi.Value, _pricesSeen)));
        Command<Heartbeat>(_ => _mediator.Tell(new Publish(Names.SignalTopic(_definition.Id), new StrategyHeartbeat(_definition.Id, _lastSequence))));
        Command<SubscribeAck>(_ => { });
        Command<SaveSnapshotSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(f => _log.Warning("strategy {0}: snapshot failed: {1}", _definition.Id, f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(StrategyDefinition definition, IActorRef fanoutRegion, int buckets, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new StrategyActor(definition, fanoutRegion, buckets, time));

    private void OnRecovered()
    {
        _mediator.Tell(new Subscribe(Names.PriceTopic(_definition.Symbol), Self));
        // Wake every fan-out bucket now, so they are subscribed before the next signal.
        for (var bucket = 0; bucket < _buckets; bucket++)
            _fanoutRegion.Tell(new StartFanout(_definition.Id, bucket));
        Timers.StartPeriodicTimer("heartbeat", new Heartbeat(), TimeSpan.FromSeconds(2));
        _log.Info("strategy {0} ready at sequence {1}", _definition.Id, _lastSequence);
    }

    private void OnPrice(PriceUpdate price)
    {
        if (price.Symbol != _definition.Symbol) return;
        _pricesSeen++;
        var (next, decision) = RsiCrossStrategy.Step(_rsi, _settings, price.Price);
        _rsi = next;
        if (decision is not null) Emit(decision.Side, price.Price, decision.Reason, ActorRefs.NoSender);
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
            Remember(e.Signal);
            // Persisted first, published second (invariant 3).
            _mediator.Tell(new Publish(Names.SignalTopic(_definition.Id), new SignalPublished(e.Signal)));
            if (replyTo is not null && !replyTo.IsNobody()) replyTo.Tell(new SignalPublished(e.Signal));
            if (LastSequenceNr % SnapshotEvery == 0) SaveSnapshot(new StrategySnapshot(_lastSequence, _recent));
            _log.Info("strategy {0} signal #{1} {2} {3} @ {4}: {5}", _definition.Id, e.Signal.Sequence, e.Signal.Side, e.Signal.Symbol, e.Signal.Price, e.Signal.Reason);
        });
    }

    private void Remember(Signal signal)
    {
        _lastSequence = signal.Sequence;
        _recent = _recent.Add(signal);
        if (_recent.Length > RecentKept) _recent = _recent.RemoveRange(0, _recent.Length - RecentKept);
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
