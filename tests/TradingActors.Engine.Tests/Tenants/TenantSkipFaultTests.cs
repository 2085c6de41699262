using Akka.Actor;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Fanout;
using TradingActors.Engine.Strategies;
using TradingActors.Engine.Tenants;
using TradingActors.Engine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TradingActors.Engine.Tests.Tenants;

/// <summary>
/// Persist site: TenantActor.PersistSkips (one SignalsSkipped for a run of signals skipped for one
/// reason). Skipped signals are acknowledged, and the skip announced on the node's event stream, only
/// once the skip is persisted; a restart skips the same run once.
/// </summary>
public sealed class TenantSkipFaultTests(ITestOutputHelper output) : EngineTestKit(output)
{
    /// <summary>Two signals from before the subscription: a run of two skips.</summary>
    private static void PublishOldSignals(TenantRig rig)
    {
        var old = DateTimeOffset.UtcNow.AddHours(-2);
        rig.Publish(OrderSide.Buy, 60_000m, old);
        rig.Publish(OrderSide.Sell, 61_000m, old);
    }

    private Akka.TestKit.TestProbe SkipAnnouncements()
    {
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe.Ref, typeof(SignalsSkipPersisted));
        return probe;
    }

    private void AssertSkippedOnce(TenantRig rig, IActorRef tenant, Akka.TestKit.TestProbe announcements)
    {
        rig.ExpectAck(2);
        var skip = Assert.Single(Events(Names.TenantPersistenceId(rig.TenantId)).OfType<SignalsSkipped>());
        Assert.Equal((1L, 2L), (skip.FromSequence, skip.ToSequence));
        Assert.Equal(2L, rig.State(tenant).SignalsSkipped);
        var announced = announcements.ExpectMsg<SignalsSkipPersisted>();
        Assert.Equal((1L, 2L), (announced.FromSequence, announced.ToSequence));
        Assert.Equal(0, rig.Venues.Paper.TotalPlacements);
    }

    [Fact]
    public async Task Skips_whose_write_fails_are_neither_acknowledged_nor_announced_and_are_skipped_once_after_the_restart()
    {
        var rig = new TenantRig(this);
        var tenant = rig.PaperSubscriber();
        var announcements = SkipAnnouncements();
        PublishOldSignals(rig);
        await Journal.FailWritesOf<SignalsSkipped>();

        tenant.Tell(rig.CatchUp(2));

        ExpectTerminated(tenant);
        Assert.DoesNotContain(Drain(rig.Fanout), m => m is SignalAcknowledged);
        Assert.Empty(Drain(announcements));

        await Journal.Heal();
        var restarted = rig.Start();
        Assert.Equal(0, rig.ExpectRegistration().LastProcessed);
        restarted.Tell(rig.CatchUp(2));
        AssertSkippedOnce(rig, restarted, announcements);
    }

    [Fact]
    public async Task Rejected_skips_are_neither_acknowledged_nor_announced_and_are_skipped_once_after_the_restart()
    {
        var rig = new TenantRig(this);
        var tenant = rig.PaperSubscriber();
        var announcements = SkipAnnouncements();
        PublishOldSignals(rig);
        await Journal.RejectWritesOf<SignalsSkipped>();

        tenant.Tell(rig.CatchUp(2));

        ExpectTerminated(tenant);
        Assert.DoesNotContain(Drain(rig.Fanout), m => m is SignalAcknowledged);
        Assert.Empty(Drain(announcements));

        await Journal.Heal();
        var restarted = rig.Start();
        Assert.Equal(0, rig.ExpectRegistration().LastProcessed);
        restarted.Tell(rig.CatchUp(2));
        AssertSkippedOnce(rig, restarted, announcements);
    }

    [Fact]
    public async Task A_tenant_whose_skips_cannot_be_replayed_stops_silently_and_then_neither_fetches_nor_skips_them_again()
    {
        var rig = new TenantRig(this);
        var tenant = rig.PaperSubscriber();
        var announcements = SkipAnnouncements();
        PublishOldSignals(rig);
        tenant.Tell(rig.CatchUp(2));
        AssertSkippedOnce(rig, tenant, announcements);
        Kill(tenant);
        Drain(rig.Fanout);
        Drain(rig.History);
        await Journal.FailRecoveries();

        var failing = rig.Start();

        ExpectTerminated(failing);
        Assert.Empty(Drain(rig.Fanout));
        Assert.Empty(Drain(rig.History));

        await Journal.Heal();
        var restarted = rig.Start();
        Assert.Equal(2, rig.ExpectRegistration().LastProcessed);
        restarted.Tell(rig.CatchUp(2));
        rig.ExpectAck(2);
        Assert.Equal(2L, rig.State(restarted).SignalsSkipped);
        Assert.Empty(Drain(rig.History)); // nothing fetched
        Assert.Empty(Drain(announcements));
        Assert.Single(Events(Names.TenantPersistenceId(rig.TenantId)).OfType<SignalsSkipped>());
    }
}
