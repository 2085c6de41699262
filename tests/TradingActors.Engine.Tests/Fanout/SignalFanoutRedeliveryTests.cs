using Akka.Actor;
using Microsoft.Extensions.Time.Testing;
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
public sealed class SignalFanoutRedeliveryTests(ITestOutputHelper output) : FanoutBucketTestKit(output)
{
    private IActorRef Start(TimeProvider time, RedeliveryTiming timing, params string[] members)
    {
        var bucket = Sys.ActorOf(BucketProps(time, timing));
        foreach (var tenant in members) ExpectRegistered(bucket, tenant);
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

        var told = Drain(Tenants);
        Assert.Equal(signals, told.Count);
        Assert.IsType<ExecuteSignal>(told[0]);
        Assert.Equal(Enumerable.Range(2, signals - 1).Select(s => (long)s), told.Skip(1).Cast<CatchUpSignals>().Select(c => c.Through));
    }

    [Fact]
    public void A_lagging_member_is_told_again_after_a_quiet_interval_in_which_no_member_acknowledged_anything_until_it_acknowledges()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var checkEvery = TimeSpan.FromMilliseconds(50);
        var bucket = Start(time, new RedeliveryTiming(TimeSpan.FromSeconds(3), checkEvery), "t1", "t2", "t3");
        void After(double seconds) { time.Advance(TimeSpan.FromSeconds(seconds)); Thread.Sleep(checkEvery * 4); }
        void Ack(string tenant)
        {
            bucket.Tell(new SignalAcknowledged(StrategyId, Bucket, tenant, 1));
            Status(bucket); // handled (at this time) before the clock moves
        }
        string[] Told() => Drain(Tenants).Cast<CatchUpSignals>().Select(c => c.TenantId).Order().ToArray();
        string[] ToldNext(int count) => Tenants.ReceiveN(count).Cast<CatchUpSignals>().Select(c => c.TenantId).Order().ToArray(); // waits for a check

        bucket.Tell(Deliver(1));
        Assert.Equal(["t1", "t2", "t3"], Tenants.ReceiveN(3).Cast<ExecuteSignal>().Select(e => e.TenantId).Order());

        After(2);
        Ack("t2");
        After(1);                        // 3 s since t1 and t3 were told, but t2 answered 1 s ago: still delivering
        Assert.Empty(Told());
        After(1.9);
        Assert.Empty(Told());
        After(0.1);                      // 3 s without a new acknowledgement
        Assert.Equal(["t1", "t3"], ToldNext(2));

        Ack("t1");
        After(2.9);
        Assert.Empty(Told());
        After(0.1);                      // 3 s quiet again: only t3 is still behind
        Assert.Equal(["t3"], ToldNext(1));

        Ack("t3");
        After(30);
        Assert.Empty(Told());
    }
}
