using Akka.Actor;
using Akka.TestKit;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;
using TradingActors.Engine.Fanout;
using TradingActors.Engine.Strategies;
using TradingActors.Engine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TradingActors.Engine.Tests.Fanout;

/// <summary>
/// One fan-out bucket of "rsi-btc" under test, with probes for what it talks to: the tenant region (everything it
/// tells its members), the signal history (answers the latest sequence the test has delivered) and a tenant
/// registering itself (the answers it gets).
/// </summary>
public abstract class FanoutBucketTestKit : EngineTestKit
{
    protected const string StrategyId = "rsi-btc";
    protected const int Bucket = 0;
    protected static readonly string EntityId = Names.FanoutEntityId(StrategyId, Bucket);

    protected readonly TestProbe Tenants;
    protected readonly TestProbe History;
    protected readonly TestProbe Member;
    private long _latest;

    protected FanoutBucketTestKit(ITestOutputHelper output) : base(output)
    {
        Tenants = CreateTestProbe("tenant-region");
        Member = CreateTestProbe("tenant");
        History = CreateTestProbe("signal-history");
        History.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            if (message is GetLatestSequence g) sender.Tell(new LatestSequence(g.StrategyId, Interlocked.Read(ref _latest)));
            return AutoPilot.KeepRunning;
        }));
    }

    /// <summary>What the strategy's journal holds as its latest sequence from now on.</summary>
    protected void JournalLatest(long sequence) => Interlocked.Exchange(ref _latest, sequence);

    /// <summary>The strategy's delivery of signal <paramref name="sequence"/> (which its journal then holds as the latest).</summary>
    protected DeliverSignal Deliver(long sequence)
    {
        JournalLatest(sequence);
        return new DeliverSignal(StrategyId, Bucket, new Signal(StrategyId, sequence, "BTCUSDT", OrderSide.Buy, 100m, DateTimeOffset.UtcNow, "test"));
    }

    protected Props BucketProps(TimeProvider? time = null, RedeliveryTiming? timing = null) =>
        SignalFanout.Props(EntityId, Tenants, History, time ?? TimeProvider.System, timing ?? RedeliveryTiming.Default);

    protected void Register(IActorRef bucket, string tenant, long lastProcessed = 0) =>
        bucket.Tell(new RegisterSubscriber(StrategyId, Bucket, tenant, lastProcessed), Member);

    protected void ExpectRegistered(IActorRef bucket, string tenant, long lastProcessed = 0)
    {
        Register(bucket, tenant, lastProcessed);
        Member.ExpectMsg<SubscriberRegistered>(r => r.TenantId == tenant);
    }

    protected FanoutStatus Status(IActorRef bucket)
    {
        bucket.Tell(new GetFanoutStatus(StrategyId, Bucket), TestActor);
        return ExpectMsg<FanoutStatus>();
    }
}
