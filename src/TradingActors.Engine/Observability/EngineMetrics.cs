using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Strategies;
using TradingActors.Engine.Tenants;

namespace TradingActors.Engine.Observability;

public sealed record GetEngineSummary;

/// <summary>
/// This node's view: its resident tenants and the order outcomes it persisted, the cluster's signals
/// it saw, the members Up, and each strategy's status (absent while a strategy is moving or restarting).
/// </summary>
public sealed record EngineSummary(int TenantsActive, long Signals, long OrdersFilled, long OrdersRejected, long OrdersFailed, long OrdersUnknown, long OrdersNeedingAttention = 0, long SignalsSkipped = 0,
    int MembersUp = 0, IReadOnlyList<StrategyStatus>? Strategies = null)
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
    private readonly IActorRef _strategies;
    private readonly IReadOnlyList<string> _strategyIds;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private long _signals, _filled, _rejected, _failed, _unknown, _attention, _skipped;
    private int _tenantsActive;

    public EngineMetrics(IActorRef tenantRegion, IActorRef strategies, IEnumerable<string> strategyIds, TimeSpan summaryInterval)
    {
        _tenantRegion = tenantRegion;
        _strategies = strategies;
        _strategyIds = [.. strategyIds];
        Context.System.EventStream.Subscribe(Self, typeof(OrderOutcomePersisted));
        Context.System.EventStream.Subscribe(Self, typeof(SignalsSkipPersisted));
        var mediator = DistributedPubSub.Get(Context.System).Mediator;
        foreach (var id in _strategyIds) mediator.Tell(new Subscribe(Names.SignalTopic(id), Self));

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
        Receive<GetEngineSummary>(_ => Current(Summary()).PipeTo(Sender));
        Timers!.StartPeriodicTimer("summary", new LogSummary(), summaryInterval);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private async Task<EngineSummary> Current(EngineSummary counts)
    {
        var region = _tenantRegion.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(3));
        var strategies = _strategyIds.Select(async id =>
        {
            try { return await _strategies.Ask<StrategyStatus>(new GetStrategyStatus(id), TimeSpan.FromSeconds(1)); }
            catch (Exception) { return null; } // moving or restarting: absent from this summary
        }).ToList();
        var members = Akka.Cluster.Cluster.Get(Context.System).State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up);
        var statuses = await Task.WhenAll(strategies);
        var tenants = await region.ContinueWith(t => t.IsCompletedSuccessfully ? t.Result.Shards.Sum(shard => shard.EntityIds.Count) : counts.TenantsActive);
        return counts with { TenantsActive = tenants, MembersUp = members, Strategies = [.. statuses.OfType<StrategyStatus>()] };
    }

    private EngineSummary Summary() => new(_tenantsActive, _signals, _filled, _rejected, _failed, _unknown, _attention, _skipped);
}
