using Akka.Actor;
using Akka.TestKit;
using Microsoft.Extensions.Time.Testing;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;
using TradingActors.Engine.Fanout;
using TradingActors.Engine.Strategies;
using TradingActors.Engine.Tenants;
using TradingActors.Engine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TradingActors.Engine.Tests.Fanout;

/// <summary>
/// Redelivery is for members the bucket has gone quiet on, not for members it has just told: a member that
/// is slow to acknowledge while signals flow gets one message per signal and no more (under load, a redelivery
/// on top of every delivery doubled the messages crossing nodes and the work of every lagging tenant).
/// </summary>
public sealed class SignalFanoutRedeliveryTests : EngineTestKit
{
    private const string StrategyId = "rsi-btc";
    private const int Bucket = 0;
    private static readonly string EntityId = Names.FanoutEntityId(StrategyId, Bucket);

    private readonly TestProbe _tenants;
    private readonly TestProbe _history;
    private readonly TestProbe _member;

    public SignalFanoutRedeliveryTests(ITestOutputHelper output) : base(output)
    {
        _tenants = CreateTestProbe("tenant-region");
        _member = CreateTestProbe("tenant");
        _history = CreateTestProbe("signal-history");
        _history.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            if (message is GetLatestSequence g) sender.Tell(new LatestSequence(g.StrategyId, 0));
            return AutoPilot.KeepRunning;
        }));
    }

    private static DeliverSignal Deliver(long sequence) =>
        new(StrategyId, Bucket, new Signal(StrategyId, sequence, "BTCUSDT", OrderSide.Buy, 100m, DateTimeOffset.UtcNow, "test"));

    private IActorRef Start(TimeProvider time, RedeliveryTiming timing, params string[] members)
    {
        var bucket = Sys.ActorOf(SignalFanout.Props(EntityId, _tenants, _history, time, timing));
        foreach (var tenant in members)
        {
            bucket.Tell(new RegisterSubscriber(StrategyId, Bucket, tenant, 0), _member);
            _member.ExpectMsg<SubscriberRegistered>();
        }
        return bucket;
    }

    [Fact]
    public void A_member_told_of_every_signal_is_not_redelivered_to_while_signals_flow_faster_than_the_redelivery_interval()
    {
        var bucket = Start(TimeProvider.System, RedeliveryTiming.Default, "t1");

        // 10 signals 500 ms apart (4.5 s: longer than the 3 s redelivery interval), none acknowledged.
        const int signals = 10;
        for (var sequence = 1; sequence <= signals; sequence++)
        {
            bucket.Tell(Deliver(sequence));
            Thread.Sleep(500);
        }

        var told = Drain(_tenants);
        Assert.Equal(signals, told.Count);
        Assert.IsType<ExecuteSignal>(told[0]);
        Assert.Equal(Enumerable.Range(2, signals - 1).Select(s => (long)s), told.Skip(1).Cast<CatchUpSignals>().Select(c => c.Through));
    }

    [Fact]
    public void A_lagging_member_the_bucket_has_been_quiet_towards_is_told_again_each_quiet_interval_until_it_acknowledges()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var checkEvery = TimeSpan.FromMilliseconds(50);
        var bucket = Start(time, new RedeliveryTiming(TimeSpan.FromSeconds(3), checkEvery), "t1", "t2");

        bucket.Tell(Deliver(1));
        Assert.Equal(["t1", "t2"], _tenants.ReceiveN(2).Cast<ExecuteSignal>().Select(e => e.TenantId).Order());
        bucket.Tell(new SignalAcknowledged(StrategyId, Bucket, "t2", 1));

        time.Advance(TimeSpan.FromSeconds(2.9)); // not quiet long enough: several checks pass, nobody is told
        _tenants.ExpectNoMsg(checkEvery * 6);

        time.Advance(TimeSpan.FromSeconds(0.1)); // 3 s since t1 was told: only t1 (t2 acknowledged) is told again
        Assert.Equal(new CatchUpSignals("t1", StrategyId, 1), _tenants.ExpectMsg<CatchUpSignals>());
        _tenants.ExpectNoMsg(checkEvery * 6); // and then not again until another quiet interval

        time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(new CatchUpSignals("t1", StrategyId, 1), _tenants.ExpectMsg<CatchUpSignals>());

        bucket.Tell(new SignalAcknowledged(StrategyId, Bucket, "t1", 1));
        time.Advance(TimeSpan.FromSeconds(30));
        _tenants.ExpectNoMsg(checkEvery * 6);
    }
}
