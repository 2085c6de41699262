using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Strategies;
using TradingActors.Engine.Tenants;

namespace TradingActors.Engine.Observability;

public sealed record GetEngineSummary;

public sealed record EngineSummary(int TenantsActive, long Signals, long OrdersFilled, long OrdersRejected, long OrdersFailed, long OrdersUnknown, long OrdersNeedingAttention = 0, long SignalsSkipped = 0)
{
    public override string ToString() =>
        $"tenants active={TenantsActive} signals={Signals} orders filled={OrdersFilled} rejected={OrdersRejected} failed={OrdersFailed} unknown={OrdersUnknown} " +
        $"needs-attention={OrdersNeedingAttention} signals skipped={SignalsSkipped}";
}

/// <summary>One per node: counts this node's order outcomes and the cluster's signals, and logs a one-line summary periodically.</summary>
public sealed class EngineMetrics : ReceiveActor, IWithTimers
{
    private sealed record LogSummary;

    private readonly IActorRef _tenantRegion;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private long _signals, _filled, _rejected, _failed, _unknown, _attention, _skipped;
    private int _tenantsActive;

    public EngineMetrics(IActorRef tenantRegion, IEnumerable<string> strategyIds, TimeSpan summaryInterval)
    {
        _tenantRegion = tenantRegion;
        Context.System.EventStream.Subscribe(Self, typeof(OrderOutcomePersisted));
        Context.System.EventStream.Subscribe(Self, typeof(SignalsSkipPersisted));
        var mediator = DistributedPubSub.Get(Context.System).Mediator;
        foreach (var id in strategyIds) mediator.Tell(new Subscribe(Names.SignalTopic(id), Self));

        Receive<SubscribeAck>(_ => { });
        Receive<SignalsSkipPersisted>(s => _skipped += s.ToSequence - s.FromSequence + 1);
        Receive<SignalPublished>(_ => _signals++);
        Receive<OrderOutcomePersisted>(o =>
        {
            switch (o.Status)
            {
                case OrderStatus.Filled: _filled++; break;
                case OrderStatus.Rejected: _rejected++; break;
                case OrderStatus.Failed: _failed++; break;
                case OrderStatus.Unknown: _unknown++; break;
                case OrderStatus.NeedsAttention: _attention++; break;
            }
        });
        Receive<CurrentShardRegionState>(s => _tenantsActive = s.Shards.Sum(shard => shard.EntityIds.Count));
        Receive<LogSummary>(_ =>
        {
            _tenantRegion.Tell(GetShardRegionState.Instance);
            _log.Info("summary: {0}", Summary());
        });
        Receive<GetEngineSummary>(_ =>
        {
            var counts = Summary();
            _tenantRegion.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(3))
                .ContinueWith(t => t.IsCompletedSuccessfully ? counts with { TenantsActive = t.Result.Shards.Sum(shard => shard.EntityIds.Count) } : counts)
                .PipeTo(Sender);
        });
        Timers!.StartPeriodicTimer("summary", new LogSummary(), summaryInterval);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private EngineSummary Summary() => new(_tenantsActive, _signals, _filled, _rejected, _failed, _unknown, _attention, _skipped);
}
