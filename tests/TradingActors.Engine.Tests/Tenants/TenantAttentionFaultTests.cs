using Akka.Actor;
using TradingActors.Brokers;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Tenants;
using TradingActors.Engine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TradingActors.Engine.Tests.Tenants;

/// <summary>
/// Persist site: TenantActor.Settle (OrderNeedsAttention after the lookup limit). The flag is announced
/// only once persisted; an order stays open and looked up whatever happens to the flag, and is never
/// placed twice.
/// </summary>
public sealed class TenantAttentionFaultTests(ITestOutputHelper output) : EngineTestKit(output)
{
    private const int Lookups = 2;

    /// <summary>The venue fails every placement after taking nothing: the order is unknown, never found, never placed again within the hour.</summary>
    private TenantRig Rig() => new(this, resolution: TenantRig.Resolution(attemptsBeforeAttention: Lookups));

    private static string Pid(TenantRig rig) => Names.TenantPersistenceId(rig.TenantId);

    private Akka.TestKit.TestProbe AttentionAnnouncements()
    {
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe.Ref, typeof(OrderOutcomePersisted));
        return probe;
    }

    private static bool IsAttention(object m) => m is OrderOutcomePersisted { Status: OrderStatus.NeedsAttention };

    private (IActorRef Tenant, string Id) UnknownOrder(TenantRig rig)
    {
        var tenant = rig.ExternalSubscriber();
        rig.Venues.External.Inner.SetFault(TenantRig.VenueAccountNumber, VenueFault.Throw);
        tenant.Tell(rig.Execute(rig.Publish(OrderSide.Buy, 60_000m)));
        return (tenant, rig.ClientOrderId(TenantRig.ExternalAccount, 1));
    }

    private void AssertFlaggedOnceAfterRestart(TenantRig rig, IActorRef restarted, string id, Akka.TestKit.TestProbe announcements)
    {
        AwaitAssert(() => Assert.Equal(OrderStatus.NeedsAttention, rig.State(restarted).Open[id].Status), TimeSpan.FromSeconds(5));
        announcements.FishForMessage(IsAttention);
        var lookups = rig.Venues.External.Lookups(id);
        AwaitCondition(() => rig.Venues.External.Lookups(id) > lookups); // still looked up
        Assert.Single(Events(Pid(rig)).OfType<OrderNeedsAttention>());
        Assert.Equal(1, rig.Venues.External.Placements(id));
        Assert.Equal(0, rig.Venues.External.Inner.OrderCount(TenantRig.VenueAccountNumber));
    }

    [Fact]
    public async Task An_attention_flag_whose_write_fails_is_not_announced_and_after_the_restart_the_order_is_still_looked_up_and_flagged_once()
    {
        var rig = Rig();
        var announcements = AttentionAnnouncements();
        await Journal.FailWritesOf<OrderNeedsAttention>();

        var (tenant, id) = UnknownOrder(rig);

        ExpectTerminated(tenant, TimeSpan.FromSeconds(5));
        Assert.DoesNotContain(Drain(announcements), IsAttention);
        Assert.Equal(Lookups, rig.Venues.External.Lookups(id));

        Drain(rig.Fanout);
        await Journal.Heal();
        var restarted = rig.Start();
        rig.ExpectRegistration();
        AssertFlaggedOnceAfterRestart(rig, restarted, id, announcements);
    }

    [Fact]
    public async Task A_rejected_attention_flag_is_not_announced_and_does_not_stop_the_lookups_the_order_is_flagged_once_after_the_restart()
    {
        var rig = Rig();
        var announcements = AttentionAnnouncements();
        await Journal.RejectWritesOf<OrderNeedsAttention>();

        var (tenant, id) = UnknownOrder(rig);

        // Were it to keep running, no further lookup would ever be scheduled for this order.
        ExpectTerminated(tenant, TimeSpan.FromSeconds(5), "a tenant that goes on after a rejected attention flag never looks its order up again");
        Assert.DoesNotContain(Drain(announcements), IsAttention);

        Drain(rig.Fanout);
        await Journal.Heal();
        var restarted = rig.Start();
        rig.ExpectRegistration();
        AssertFlaggedOnceAfterRestart(rig, restarted, id, announcements);
    }

    [Fact]
    public async Task A_tenant_whose_attention_flag_cannot_be_replayed_looks_nothing_up_and_then_keeps_looking_without_flagging_again()
    {
        var rig = Rig();
        var announcements = AttentionAnnouncements();
        var (tenant, id) = UnknownOrder(rig);
        AwaitAssert(() => Assert.Equal(OrderStatus.NeedsAttention, rig.State(tenant).Open[id].Status), TimeSpan.FromSeconds(5));
        Kill(tenant);
        Drain(rig.Fanout);
        Drain(announcements);
        var lookupsBefore = rig.Venues.External.Lookups(id);
        await Journal.FailRecoveries();

        var failing = rig.Start();

        ExpectTerminated(failing);
        Assert.Empty(Drain(rig.Fanout));
        Assert.Equal(lookupsBefore, rig.Venues.External.Lookups(id));

        await Journal.Heal();
        var restarted = rig.Start();
        rig.ExpectRegistration();
        Assert.Equal(OrderStatus.NeedsAttention, rig.State(restarted).Open[id].Status);
        AwaitCondition(() => rig.Venues.External.Lookups(id) >= lookupsBefore + Lookups + 1);
        Assert.DoesNotContain(Drain(announcements), IsAttention);
        Assert.Single(Events(Pid(rig)).OfType<OrderNeedsAttention>());
        Assert.Equal(1, rig.Venues.External.Placements(id));
    }
}
