using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Akka.Persistence;
using TradingActors.Domain.Strategies;
using TradingActors.Engine.Strategies;
using TradingActors.Engine.Tenants;

namespace TradingActors.Engine.Fanout;

/// <summary>
/// One bucket of a strategy's subscribers (tenants hashed into N buckets), a sharded persistent
/// entity: buckets spread over the nodes, so fan-out work does too. Each bucket subscribes to
/// its strategy's topic and delivers every signal to its members through the tenant shard
/// region (which wakes passivated tenants), redelivering until each tenant acknowledges.
/// </summary>
public sealed class SignalFanout : ReceivePersistentActor, IWithTimers
{
    private const int SnapshotEvery = 500;
    private const int MaxDeliveryAttempts = 60;
    private const int RecentKept = 200;

    private readonly string _strategyId;
    private readonly int _bucket;
    private readonly IActorRef _tenantRegion;
    private readonly IActorRef _strategies;
    private readonly IActorRef _mediator;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<string> _subscribers = [];
    private readonly Dictionary<long, (Signal Signal, HashSet<string> Waiting, int Attempts)> _unacknowledged = [];
    private ImmutableArray<Signal> _recent = [];
    private long _lastSequence;
    private bool _synced;

    private sealed record Redeliver;
    private sealed record Sync;

    public SignalFanout(string entityId, IActorRef tenantRegion, IActorRef strategies)
    {
        var separator = entityId.LastIndexOf('~');
        _strategyId = entityId[..separator];
        _bucket = int.Parse(entityId[(separator + 1)..]);
        _tenantRegion = tenantRegion;
        _strategies = strategies;
        _mediator = DistributedPubSub.Get(Context.System).Mediator;
        PersistenceId = Names.FanoutPersistenceId(entityId);

        Recover<SnapshotOffer>(o =>
        {
            var snapshot = (FanoutSnapshot)o.Snapshot;
            _subscribers.UnionWith(snapshot.Subscribers);
            _lastSequence = snapshot.LastSequence;
        });
        Recover<FanoutAdvanced>(e => _lastSequence = Math.Max(_lastSequence, e.Sequence));
        Recover<SubscriberAdded>(e => _subscribers.Add(e.TenantId));
        Recover<SubscriberRemoved>(e => _subscribers.Remove(e.TenantId));
        Recover<RecoveryCompleted>(_ =>
        {
            _mediator.Tell(new Subscribe(Names.SignalTopic(_strategyId), Self));
            // Proactive wake-up: members must be resident before a signal, not woken by it.
            foreach (var tenant in _subscribers) _tenantRegion.Tell(new WakeTenant(tenant));
        });

        Command<SubscribeAck>(_ => RequestSync());
        Command<Sync>(_ => RequestSync());
        Command<SignalsSince>(OnSignalsSince);
        Command<SignalPublished>(p => OnSignal(p.Signal));
        Command<StrategyHeartbeat>(h => { if (h.LastSequence > _lastSequence) RequestSync(); });
        Command<SignalAcknowledged>(OnAck);
        Command<Redeliver>(_ => RedeliverUnacknowledged());
        Command<RegisterSubscriber>(OnRegister);
        Command<UnregisterSubscriber>(OnUnregister);
        Command<StartFanout>(_ => { });
        Command<GetFanoutStatus>(_ => Sender.Tell(new FanoutStatus(_strategyId, _bucket, _subscribers.Count, _lastSequence, _unacknowledged.Values.Sum(u => u.Waiting.Count))));
        Command<SaveSnapshotSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(f => _log.Warning("fanout {0}: snapshot failed: {1}", entityId, f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string entityId, IActorRef tenantRegion, IActorRef strategies) =>
        Akka.Actor.Props.Create(() => new SignalFanout(entityId, tenantRegion, strategies));

    /// <summary>Asks the strategy what was published since the last signal seen (after start, or on a gap).</summary>
    private void RequestSync()
    {
        _strategies.Tell(new GetSignalsSince(_strategyId, _lastSequence));
        Timers.StartSingleTimer("sync", new Sync(), TimeSpan.FromSeconds(5)); // retried until answered
    }

    private void OnSignalsSince(SignalsSince since)
    {
        Timers.Cancel("sync");
        // Keep the strategy's recent history for registering tenants; deliver only what this
        // bucket has not delivered yet (its last delivered sequence survives restarts).
        foreach (var signal in since.Signals.OrderBy(s => s.Sequence))
        {
            if (signal.Sequence <= _lastSequence) AddRecent(signal);
            else OnSignal(signal);
        }
        if (!_synced)
        {
            _synced = true;
            Stash.UnstashAll(); // registrations that waited for the recent history
        }
    }

    private void OnSignal(Signal signal)
    {
        if (signal.Sequence <= _lastSequence) return;
        if (signal.Sequence > _lastSequence + 1 && _lastSequence > 0) RequestSync(); // a gap: fetch what is missing
        _lastSequence = signal.Sequence;
        AddRecent(signal);
        if (_subscribers.Count > 0)
        {
            foreach (var tenant in _subscribers) _tenantRegion.Tell(new ExecuteSignal(tenant, signal));
            _unacknowledged[signal.Sequence] = (signal, [.. _subscribers], 1);
            Timers.StartPeriodicTimer("redeliver", new Redeliver(), TimeSpan.FromSeconds(3));
        }
        // Recorded after delivery: a crash in between redelivers, and tenants dedupe by sequence.
        // An empty bucket has nothing to redeliver, so it writes nothing.
        if (_subscribers.Count > 0) PersistAsync(new FanoutAdvanced(signal.Sequence), _ => MaybeSnapshot());
    }

    private void AddRecent(Signal signal)
    {
        if (_recent.Any(s => s.Sequence == signal.Sequence)) return;
        _recent = _recent.Add(signal).Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        if (_recent.Length > RecentKept) _recent = _recent.RemoveRange(0, _recent.Length - RecentKept);
    }

    private void OnAck(SignalAcknowledged ack)
    {
        if (!_unacknowledged.TryGetValue(ack.Sequence, out var pending)) return;
        pending.Waiting.Remove(ack.TenantId);
        if (pending.Waiting.Count == 0) _unacknowledged.Remove(ack.Sequence);
        if (_unacknowledged.Count == 0) Timers.Cancel("redeliver");
    }

    private void RedeliverUnacknowledged()
    {
        foreach (var (sequence, pending) in _unacknowledged.ToList())
        {
            if (pending.Attempts >= MaxDeliveryAttempts)
            {
                // The tenant catches up from recent signals when it next registers.
                _log.Warning("fanout {0}/{1}: signal #{2} still unacknowledged by {3} tenants; giving up redelivery", _strategyId, _bucket, sequence, pending.Waiting.Count);
                _unacknowledged.Remove(sequence);
                continue;
            }
            foreach (var tenant in pending.Waiting) _tenantRegion.Tell(new ExecuteSignal(tenant, pending.Signal));
            _unacknowledged[sequence] = pending with { Attempts = pending.Attempts + 1 };
        }
        if (_unacknowledged.Count == 0) Timers.Cancel("redeliver");
    }

    private void OnRegister(RegisterSubscriber register)
    {
        if (!_synced)
        {
            Stash.Stash();
            return;
        }
        var replyTo = Sender;
        void Reply() => replyTo.Tell(new SubscriberRegistered(_strategyId, register.TenantId, [.. _recent.Where(s => s.Sequence > register.LastProcessed)]));
        if (_subscribers.Contains(register.TenantId))
        {
            Reply();
            return;
        }
        Persist(new SubscriberAdded(register.TenantId), e =>
        {
            _subscribers.Add(e.TenantId);
            MaybeSnapshot();
            Reply();
        });
    }

    private void OnUnregister(UnregisterSubscriber unregister)
    {
        if (!_subscribers.Contains(unregister.TenantId)) return;
        Persist(new SubscriberRemoved(unregister.TenantId), e =>
        {
            _subscribers.Remove(e.TenantId);
            foreach (var pending in _unacknowledged.Values) pending.Waiting.Remove(e.TenantId);
            MaybeSnapshot();
        });
    }

    private void MaybeSnapshot()
    {
        if (LastSequenceNr % SnapshotEvery == 0) SaveSnapshot(new FanoutSnapshot([.. _subscribers], _lastSequence));
    }
}
