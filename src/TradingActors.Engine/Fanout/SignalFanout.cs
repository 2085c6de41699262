using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using TradingActors.Domain.Fanout;
using TradingActors.Engine.Observability;
using TradingActors.Engine.Strategies;
using TradingActors.Engine.Tenants;

namespace TradingActors.Engine.Fanout;

/// <summary>When a fan-out bucket tells a lagging member again.</summary>
/// <param name="Quiet">How long a lagging member hears nothing before it is told again.</param>
/// <param name="CheckEvery">How often the bucket looks for such members (a redelivery comes at most this late).</param>
public sealed record RedeliveryTiming(TimeSpan Quiet, TimeSpan CheckEvery)
{
    public static readonly RedeliveryTiming Default = new(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1));
}

/// <summary>
/// One bucket of a strategy's subscribers (tenants hashed into N buckets), a sharded persistent
/// entity: buckets spread over the nodes, so fan-out work does too. It persists only its
/// membership. The strategy sends every signal, and a periodic tick with its latest sequence, to
/// every bucket through the fan-out shard region — so a bucket that stopped or moved is started
/// again by the next tick (at most one tick interval after its shard has a home) and nothing
/// depends on a pub-sub subscription surviving a move. Delivery is at-least-once to every member
/// until that member acknowledges it has persisted an outcome through the latest sequence: a
/// bucket that starts knows nothing about its members' progress, reads the latest sequence from
/// the strategy's journal and tells every member to catch up (which also wakes them); members
/// that stay behind are told again once the bucket has told them nothing, and heard no new
/// acknowledgement from any member, for a redelivery interval, without limit
/// (<see cref="SubscriberLedger"/> decides who is told what). Members deduplicate by sequence
/// and fetch what they missed from the journal.
/// </summary>
public sealed class SignalFanout : ReceivePersistentActor, IWithTimers
{
    private const int SnapshotEvery = 500;
    private static readonly TimeSpan LatestRetry = TimeSpan.FromSeconds(3);

    private readonly string _strategyId;
    private readonly int _bucket;
    private readonly IActorRef _tenantRegion;
    private readonly IActorRef _history;
    private readonly TimeProvider _time;
    private readonly RedeliveryTiming _redelivery;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly SubscriberLedger _members = new();

    private sealed record Redeliver;
    private sealed record ReadLatest;

    public SignalFanout(string entityId, IActorRef tenantRegion, IActorRef history, TimeProvider time, RedeliveryTiming redelivery)
    {
        var separator = entityId.LastIndexOf('~');
        _strategyId = entityId[..separator];
        _bucket = int.Parse(entityId[(separator + 1)..]);
        _tenantRegion = tenantRegion;
        _history = history;
        _time = time;
        _redelivery = redelivery;
        PersistenceId = Names.FanoutPersistenceId(entityId);

        Recover<SnapshotOffer>(o =>
        {
            foreach (var tenant in ((FanoutSnapshot)o.Snapshot).Subscribers) _members.Add(tenant);
        });
        Recover<SubscriberAdded>(e => _members.Add(e.TenantId));
        Recover<SubscriberRemoved>(e => _members.Remove(e.TenantId));
        Recover<FanoutAdvanced>(_ => { }); // written by earlier versions; delivery state is not persisted any more
        Recover<RecoveryCompleted>(_ =>
        {
            EngineInstruments.Recoveries.Add(1, new KeyValuePair<string, object?>("kind", "fanout"));
            RequestLatest();
            Timers.StartPeriodicTimer("redeliver", new Redeliver(), _redelivery.CheckEvery);
        });

        Command<ReadLatest>(_ => RequestLatest());
        Command<LatestSequence>(l => Learn(l.Sequence));
        Command<FanoutTick>(t =>
        {
            EngineInstruments.CountIfFromOtherNode(Sender, "fanout-tick");
            Learn(t.LatestSequence);
        });
        Command<DeliverSignal>(d =>
        {
            EngineInstruments.CountIfFromOtherNode(Sender, "deliver-signal");
            OnSignal(d);
        });
        Command<SignalAcknowledged>(a =>
        {
            EngineInstruments.CountIfFromOtherNode(Sender, "signal-ack");
            OnAck(a);
        });
        Command<Redeliver>(_ => RedeliverToQuiet());
        Command<RegisterSubscriber>(OnRegister);
        Command<UnregisterSubscriber>(OnUnregister);
        Command<GetFanoutStatus>(_ => Sender.Tell(new FanoutStatus(_strategyId, _bucket, _members.Count, Math.Max(0, _members.Latest), _members.Lagging)));
        Command<SaveSnapshotSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(f => _log.Warning("fanout {0}: snapshot failed: {1}", entityId, f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string entityId, IActorRef tenantRegion, IActorRef history, TimeProvider time, RedeliveryTiming redelivery) =>
        Akka.Actor.Props.Create(() => new SignalFanout(entityId, tenantRegion, history, time, redelivery));

    /// <summary>The latest sequence from the strategy's journal (the truth, whether or not the strategy is up).</summary>
    private void RequestLatest()
    {
        _history.Tell(new GetLatestSequence(_strategyId));
        Timers.StartSingleTimer("latest", new ReadLatest(), LatestRetry); // until answered
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    private void Learn(long latest)
    {
        Timers.Cancel("latest");
        foreach (var tenant in _members.Learn(latest, Now)) CatchUp(tenant);
    }

    private void OnSignal(DeliverSignal delivery)
    {
        var signal = delivery.Signal;
        foreach (var notice in _members.Signal(signal.Sequence, Now))
            if (notice.CarriesSignal) _tenantRegion.Tell(new ExecuteSignal(notice.TenantId, signal));
            else CatchUp(notice.TenantId);
    }

    private void OnAck(SignalAcknowledged ack) => _members.Acknowledge(ack.TenantId, ack.Through, Now);

    private void RedeliverToQuiet()
    {
        if (_members.Latest < 0)
        {
            RequestLatest();
            return;
        }
        foreach (var tenant in _members.Redeliver(Now, _redelivery.Quiet))
        {
            CatchUp(tenant);
            EngineInstruments.FanoutRedeliveries.Add(1);
        }
    }

    private void CatchUp(string tenant) => _tenantRegion.Tell(new CatchUpSignals(tenant, _strategyId, _members.Latest));

    private void OnRegister(RegisterSubscriber register)
    {
        var replyTo = Sender;
        void Registered(string tenant)
        {
            replyTo.Tell(new SubscriberRegistered(_strategyId, tenant));
            if (_members.Register(tenant, register.LastProcessed, Now)) CatchUp(tenant);
        }
        if (_members.Contains(register.TenantId))
        {
            Registered(register.TenantId);
            return;
        }
        Persist(new SubscriberAdded(register.TenantId), e =>
        {
            Registered(e.TenantId);
            MaybeSnapshot();
        });
    }

    private void OnUnregister(UnregisterSubscriber unregister)
    {
        if (!_members.Contains(unregister.TenantId)) return;
        Persist(new SubscriberRemoved(unregister.TenantId), e =>
        {
            _members.Remove(e.TenantId);
            MaybeSnapshot();
        });
    }

    private void MaybeSnapshot()
    {
        if (LastSequenceNr % SnapshotEvery == 0) SaveSnapshot(new FanoutSnapshot([.. _members.Members], 0));
    }
}
