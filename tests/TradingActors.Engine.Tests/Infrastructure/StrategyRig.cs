using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Pattern;
using Akka.TestKit;
using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;
using TradingActors.Engine.Strategies;

namespace TradingActors.Engine.Tests.Infrastructure;

/// <summary>
/// A strategy under its backoff supervisor (as the singleton runs it), delivering to a fan-out region
/// probe (every DeliverSignal and FanoutTick), with a probe subscribed to its signal topic.
/// </summary>
public sealed class StrategyRig
{
    public const string StrategyId = "rsi-btc";
    public const string Symbol = "BTCUSDT";
    public const int Buckets = 2;

    private readonly TestKitBase _kit;

    public StrategyRig(TestKitBase kit)
    {
        _kit = kit;
        Fanout = kit.CreateTestProbe("fanout-region");
        Topic = kit.CreateTestProbe("signal-topic");
        var mediator = DistributedPubSub.Get(kit.Sys).Mediator;
        mediator.Tell(new Subscribe(Names.SignalTopic(StrategyId), Topic.Ref), Topic.Ref);
        Topic.ExpectMsg<SubscribeAck>();
        Definition = new Domain.Strategies.StrategyDefinition(StrategyId, Symbol, Parameters: """{"period":3}""");
    }

    public Domain.Strategies.StrategyDefinition Definition { get; }
    public TestProbe Fanout { get; }
    public TestProbe Topic { get; }

    /// <summary>The supervised strategy; ticks are hourly, so a tick means an incarnation has just recovered.</summary>
    public IActorRef Start() =>
        _kit.Sys.ActorOf(StrategyActor.Supervised(StrategyId, new StrategyCatalogView(new Domain.Strategies.StrategyCatalog([Definition])), Fanout.Ref, Buckets, TimeSpan.FromHours(1), TimeProvider.System,
            minBackoff: TimeSpan.FromMilliseconds(50), maxBackoff: TimeSpan.FromMilliseconds(200)));

    /// <summary>An incarnation recovered: it ticks every bucket with the journal's latest sequence.</summary>
    public void ExpectRecoveredAt(long latest)
    {
        var ticks = Enumerable.Range(0, Buckets).Select(_ => Fanout.FishForMessage<Engine.Fanout.FanoutTick>(_ => true)).ToList();
        Assert.All(ticks, t => Assert.Equal(latest, t.LatestSequence));
        Assert.Equal(Enumerable.Range(0, Buckets), ticks.Select(t => t.Bucket).Order());
    }

    public Domain.Strategies.Signal Emit(IActorRef strategy, OrderSide side = OrderSide.Buy, decimal price = 100m)
    {
        strategy.Tell(new EmitManualSignal(StrategyId, side, price), _kit.TestActor);
        var signal = _kit.ExpectMsg<SignalPublished>().Signal;
        ExpectDelivered(signal.Sequence);
        return signal;
    }

    /// <summary>Every bucket got the signal through the region, and the topic carried it.</summary>
    public void ExpectDelivered(long sequence)
    {
        var deliveries = Enumerable.Range(0, Buckets).Select(_ => Fanout.ExpectMsg<Engine.Fanout.DeliverSignal>()).ToList();
        Assert.All(deliveries, d => Assert.Equal(sequence, d.Signal.Sequence));
        Assert.Equal(sequence, Topic.ExpectMsg<SignalPublished>().Signal.Sequence);
    }

    public void Price(IActorRef strategy, decimal price) => strategy.Tell(new PriceUpdate(Symbol, price, DateTimeOffset.UtcNow));

    public StrategyStatus Status(IActorRef strategy)
    {
        strategy.Tell(new GetStrategyStatus(StrategyId), _kit.TestActor);
        return _kit.ExpectMsg<StrategyStatus>();
    }

    /// <summary>The strategy's current incarnation (the supervisor's child).</summary>
    public IActorRef Child(IActorRef supervisor)
    {
        supervisor.Tell(BackoffSupervisor.GetCurrentChild.Instance, _kit.TestActor);
        return _kit.ExpectMsg<BackoffSupervisor.CurrentChild>().Ref!;
    }
}
