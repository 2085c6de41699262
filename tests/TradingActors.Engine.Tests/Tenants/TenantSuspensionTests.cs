using Akka.Actor;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Tenants;
using TradingActors.Engine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TradingActors.Engine.Tests.Tenants;

/// <summary>
/// An operator's suspension (tradectl tenants suspend): the suspended tenant settles its signals in sequence without an
/// order (acknowledged, so its bucket does not redeliver), stays suspended across a restart, and trades again from the
/// next signal once resumed. Counted at the paper venue and in the journal.
/// </summary>
public sealed class TenantSuspensionTests(ITestOutputHelper output) : EngineTestKit(output)
{
    private const decimal Price = 60_000m;

    [Fact]
    public void A_suspended_tenant_settles_its_signals_without_orders_across_a_restart_and_trades_again_once_resumed()
    {
        var rig = new TenantRig(this);
        var tenant = rig.PaperSubscriber();
        rig.Accept(tenant, new SuspendTenant(rig.TenantId, "chargeback review"));
        tenant.Tell(new SuspendTenant(rig.TenantId, "again"), TestActor);
        Assert.Equal($"tenant '{rig.TenantId}' is already suspended", ExpectMsg<CommandRejected>().Reason);

        tenant.Tell(rig.Execute(rig.Publish(OrderSide.Buy, Price)));
        rig.ExpectAck(1);
        Kill(tenant);
        var restarted = rig.Start();
        Assert.Equal("chargeback review", rig.State(restarted).Suspension?.Reason);
        restarted.Tell(rig.Execute(rig.Publish(OrderSide.Sell, Price)));
        rig.ExpectAck(2);

        Assert.Equal(0, rig.Venues.Paper.TotalPlacements);
        var skips = Events(Names.TenantPersistenceId(rig.TenantId)).OfType<SignalsSkipped>().ToList();
        Assert.Equal([(1L, 1L), (2L, 2L)], skips.Select(k => (k.FromSequence, k.ToSequence)));
        Assert.All(skips, k => Assert.Equal(TenantDecisions.SuspendedReason, k.Reason));

        rig.Accept(restarted, new ResumeTenant(rig.TenantId));
        restarted.Tell(rig.Execute(rig.Publish(OrderSide.Buy, Price)));
        rig.ExpectAck(3);
        Assert.Equal(1, rig.Venues.Paper.Placements(rig.ClientOrderId(TenantRig.PaperAccount, 3)));
        Assert.Equal(1, rig.Venues.Paper.TotalPlacements);
        Assert.Null(rig.State(restarted).Suspension);
    }
}
