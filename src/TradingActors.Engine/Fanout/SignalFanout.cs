using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using TradingActors.Engine.Observability;
using TradingActors.Engine.Strategies;
using TradingActors.Engine.Tenants;

namespace TradingActors.Engine.Fanout;

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
/// that stay behind are told again every redelivery interval, without limit. Members deduplicate
/// by sequence and fetch what they missed from the journal.
/// </summary>
public sealed class SignalFanout : ReceivePersistentActor, IWithTimers
{
    private const int SnapshotEvery = 500;
    private static readonly TimeSpan RedeliveryInterval = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan LatestRetry = TimeSpan.FromSeconds(3);

    private readonly string _strategyId;
    private readonly int _bucket;
    private readonly IActorRef _tenantRegion;
    private readonly IActorRef _history;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    // Member → the sequence it has acknowledged through; -1 until it answers after this bucket started.
    private readonly Dictionary<string, long> _members = new(StringComparer.Ordinal);
    private long _latest = -1; // unknown until read from the journal or told by the strategy

    private sealed record Redeliver;
    private sealed record ReadLatest;

    public SignalFanout(string entityId, IActorRef tenantRegion, IActorRef history)
    {
        var separator = entityId.LastIndexOf('~');
        _strategyId = entityId[..separator];
        _bucket = int.Parse(entityId[(separator + 1)..]);
        _tenantRegion = tenantRegion;
        _history = history;
        PersistenceId = Names.FanoutPersistenceId(entityId);

        Recover<SnapshotOffer>(o =>
        {
            foreach (var tenant in ((FanoutSnapshot)o.Snapshot).Subscribers) _members[tenant] = -1;
        });
        Recover<SubscriberAdded>(e => _members[e.TenantId] = -1);
        Recover<SubscriberRemoved>(e => _members.Remove(e.TenantId));
        Recover<FanoutAdvanced>(_ => { }); // written by earlier versions; delivery state is not persisted any more
        Recover<RecoveryCompleted>(_ =>
        {
            EngineInstruments.Recoveries.Add(1, new KeyValuePair<string, object?>("kind", "fanout"));
            RequestLatest();
            Timers.StartPeriodicTimer("redeliver", new Redeliver(), RedeliveryInterval);
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
        Command<Redeliver>(_ => CatchUpLagging());
        Command<RegisterSubscriber>(OnRegister);
        Command<UnregisterSubscriber>(OnUnregister);
        Command<GetFanoutStatus>(_ => Sender.Tell(new FanoutStatus(_strategyId, _bucket, _members.Count, Math.Max(0, _latest), Lagging())));
        Command<SaveSnapshotSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(f => _log.Warning("fanout {0}: snapshot failed: {1}", entityId, f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string entityId, IActorRef tenantRegion, IActorRef history) =>
        Akka.Actor.Props.Create(() => new SignalFanout(entityId, tenantRegion, history));

    /// <summary>The latest sequence from the strategy's journal (the truth, whether or not the strategy is up).</summary>
    private void RequestLatest()
    {
        _history.Tell(new GetLatestSequence(_strategyId));
        Timers.StartSingleTimer("latest", new ReadLatest(), LatestRetry); // until answered
    }

    private void Learn(long latest)
    {
        Timers.Cancel("latest");
        if (latest <= _latest) return;
        _latest = latest;
        // On start every member is told (its progress is unknown: this also wakes it); afterwards only those behind.
        CatchUpLagging();
    }

    private void OnSignal(DeliverSignal delivery)
    {
        var signal = delivery.Signal;
        if (signal.Sequence <= _latest) return; // already known: lagging members are caught up by redelivery
        var caughtUp = _latest < 0 ? -1 : _latest;
        _latest = signal.Sequence;
        foreach (var (tenant, acked) in _members)
        {
            // A member exactly one behind gets the signal itself; others (or unknown ones) catch up from the journal.
            if (acked == caughtUp && caughtUp == signal.Sequence - 1) _tenantRegion.Tell(new ExecuteSignal(tenant, signal));
            else _tenantRegion.Tell(new CatchUpSignals(tenant, _strategyId, _latest));
        }
    }

    private void OnAck(SignalAcknowledged ack)
    {
        if (_members.TryGetValue(ack.TenantId, out var acked) && ack.Through > acked) _members[ack.TenantId] = ack.Through;
    }

    /// <summary>Tells every member that has not acknowledged the latest sequence to catch up (without limit: until it does).</summary>
    private void CatchUpLagging()
    {
        if (_latest < 0)
        {
            RequestLatest();
            return;
        }
        foreach (var (tenant, acked) in _members)
            if (acked < _latest || acked < 0)
            {
                _tenantRegion.Tell(new CatchUpSignals(tenant, _strategyId, _latest));
                EngineInstruments.FanoutRedeliveries.Add(1);
            }
    }

    private int Lagging() => _members.Values.Count(acked => acked < 0 || acked < _latest);

    private void OnRegister(RegisterSubscriber register)
    {
        var replyTo = Sender;
        void Registered(string tenant)
        {
            replyTo.Tell(new SubscriberRegistered(_strategyId, tenant));
            var acked = Math.Max(_members.GetValueOrDefault(tenant, -1), register.LastProcessed);
            _members[tenant] = acked;
            if (_latest > acked) _tenantRegion.Tell(new CatchUpSignals(tenant, _strategyId, _latest));
        }
        if (_members.ContainsKey(register.TenantId))
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
        if (!_members.ContainsKey(unregister.TenantId)) return;
        Persist(new SubscriberRemoved(unregister.TenantId), e =>
        {
            _members.Remove(e.TenantId);
            MaybeSnapshot();
        });
    }

    private void MaybeSnapshot()
    {
        if (LastSequenceNr % SnapshotEvery == 0) SaveSnapshot(new FanoutSnapshot([.. _members.Keys], 0));
    }
}
