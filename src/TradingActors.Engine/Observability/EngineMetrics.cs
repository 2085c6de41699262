using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.ReadModels;
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

/// <summary>
/// One per node: counts this node's order outcomes and the cluster's signals, logs a one-line summary periodically,
/// and observes what /metrics reports as gauges: cluster members by status, and the tenant and fan-out shards and
/// entities this node hosts (asked of the regions every <see cref="ObserveInterval"/>).
/// </summary>
public sealed class EngineMetrics : ReceiveActor, IWithTimers
{
    public static readonly TimeSpan ObserveInterval = TimeSpan.FromSeconds(5);

    private sealed record LogSummary;
    private sealed record Observe;
    private sealed record RegionObserved(string Region, int Shards, int Entities);

    private readonly IActorRef? _fanoutRegion;
    private IReadOnlyDictionary<string, int> _membersByStatus = new Dictionary<string, int>();
    private IReadOnlyDictionary<string, (int Shards, int Entities)> _regions = new Dictionary<string, (int, int)>();

    private readonly IActorRef _tenantRegion;
    private readonly IActorRef _strategies;
    private readonly IStrategyDirectory _directory;
    private readonly HashSet<string> _counted = new(StringComparer.Ordinal); // strategies whose signal topic this counts
    private readonly IActorRef _mediator;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private long _signals, _filled, _rejected, _failed, _unknown, _attention, _skipped;
    private int _tenantsActive;

    public EngineMetrics(IActorRef tenantRegion, IActorRef strategies, IStrategyDirectory directory, TimeSpan summaryInterval, IActorRef? fanoutRegion = null)
    {
        _tenantRegion = tenantRegion;
        _fanoutRegion = fanoutRegion;
        _strategies = strategies;
        _directory = directory;
        Context.System.EventStream.Subscribe(Self, typeof(OrderOutcomePersisted));
        Context.System.EventStream.Subscribe(Self, typeof(SignalsSkipPersisted));
        _mediator = DistributedPubSub.Get(Context.System).Mediator;
        CountNewStrategies();

        Receive<SubscribeAck>(_ => { });
        Receive<SignalsSkipPersisted>(s =>
        {
            _skipped += s.ToSequence - s.FromSequence + 1;
            EngineInstruments.SignalsSkipped.Add(s.ToSequence - s.FromSequence + 1);
        });
        Receive<SignalPublished>(_ =>
        {
            // One metrics actor per node subscribes: this counts the topic's copy that crossed to this node once.
            EngineInstruments.CountIfFromOtherNode(Sender, "signal-published");
            _signals++;
        });
        Receive<OrderOutcomePersisted>(o =>
        {
            EngineInstruments.Orders.Add(1, new KeyValuePair<string, object?>("status", ReadModelNames.Status(o.Status)));
            switch (o.Status)
            {
                case OrderStatus.Filled: _filled++; break;
                case OrderStatus.Rejected: _rejected++; break;
                case OrderStatus.Failed: _failed++; break;
                case OrderStatus.Unknown: _unknown++; break;
                case OrderStatus.NeedsAttention: _attention++; break;
            }
        });
        Receive<LogSummary>(_ =>
        {
            _log.Info("summary: {0}", Summary());
        });
        Receive<GetEngineSummary>(_ => Current(Summary()).PipeTo(Sender));
        Receive<Observe>(_ =>
        {
            CountNewStrategies(); // strategies created at run time since the last look
            _membersByStatus = Akka.Cluster.Cluster.Get(Context.System).State.Members
                .GroupBy(m => m.Status.ToString().ToLowerInvariant()).ToDictionary(g => g.Key, g => g.Count());
            ObserveRegion("tenants", _tenantRegion);
            if (_fanoutRegion is not null) ObserveRegion("fanout", _fanoutRegion);
            EngineInstruments.Publish(this, new EngineInstruments.ClusterView(_membersByStatus, _regions));
        });
        Receive<RegionObserved>(r => r.Shards < 0, _ => { }); // the region did not answer in time: keep what was observed
        Receive<RegionObserved>(r =>
        {
            _regions = new Dictionary<string, (int, int)>(_regions) { [r.Region] = (r.Shards, r.Entities) };
            EngineInstruments.Publish(this, new EngineInstruments.ClusterView(_membersByStatus, _regions));
            if (r.Region == "tenants") _tenantsActive = r.Entities;
        });
        Timers!.StartPeriodicTimer("summary", new LogSummary(), summaryInterval);
        Self.Tell(new Observe());
        Timers.StartPeriodicTimer("observe", new Observe(), ObserveInterval);
    }

    private void ObserveRegion(string name, IActorRef region) =>
        region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(3))
            .PipeTo(Self, success: s => new RegionObserved(name, s.Shards.Count, s.Shards.Sum(shard => shard.EntityIds.Count)),
                failure: _ => new RegionObserved(name, -1, -1));

    protected override void PostStop() => EngineInstruments.Withdraw(this);

    public ITimerScheduler Timers { get; set; } = null!;

    private async Task<EngineSummary> Current(EngineSummary counts)
    {
        var region = _tenantRegion.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(3));
        var strategies = _directory.Current.Strategies.Select(s => s.Id).Select(async id =>
        {
            try { return await _strategies.Ask<StrategyStatus>(new GetStrategyStatus(id), TimeSpan.FromSeconds(1)); }
            catch (Exception) { return null; } // moving or restarting: absent from this summary
        }).ToList();
        var members = Akka.Cluster.Cluster.Get(Context.System).State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up);
        var statuses = await Task.WhenAll(strategies);
        var tenants = await region.ContinueWith(t => t.IsCompletedSuccessfully ? t.Result.Shards.Sum(shard => shard.EntityIds.Count) : counts.TenantsActive);
        return counts with { TenantsActive = tenants, MembersUp = members, Strategies = [.. statuses.OfType<StrategyStatus>()] };
    }

    private void CountNewStrategies()
    {
        foreach (var strategy in _directory.Current.Strategies)
            if (_counted.Add(strategy.Id)) _mediator.Tell(new Subscribe(Names.SignalTopic(strategy.Id), Self));
    }

    private EngineSummary Summary() => new(_tenantsActive, _signals, _filled, _rejected, _failed, _unknown, _attention, _skipped);
}
