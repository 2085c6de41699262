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
/// Snapshot site: TenantActor.Apply (a snapshot every SnapshotEvery events, older ones deleted after).
/// A snapshot sends nothing anywhere; whatever happens to it, a restart recovers the same state and
/// does nothing twice. (Snapshot stores have no rejection: the second fault is the failed delete.)
/// </summary>
public sealed class TenantSnapshotFaultTests(ITestOutputHelper output) : EngineTestKit(output)
{
    private const int SnapshotEvery = 2;

    /// <summary>Buys then sells: seven events, snapshots due at 2, 4 and 6.</summary>
    private (TenantRig Rig, TenantState State) Trade()
    {
        var rig = new TenantRig(this, snapshotEvery: SnapshotEvery);
        var tenant = rig.PaperSubscriber();
        tenant.Tell(rig.Execute(rig.Publish(OrderSide.Buy, 60_000m)));
        rig.ExpectAck(1);
        tenant.Tell(rig.Execute(rig.Publish(OrderSide.Sell, 61_000m)));
        rig.ExpectAck(2);
        var state = rig.State(tenant);
        Kill(tenant);
        Assert.Empty(Drain(rig.Fanout).OfType<SignalAcknowledged>()); // nothing but the acknowledgements left it
        return (rig, state);
    }

    private void AssertSame(TenantState expected, TenantState actual) =>
        Assert.Equal(
            Sys.Serialization.FindSerializerFor(new TenantSnapshot(expected)).ToBinary(new TenantSnapshot(expected)),
            Sys.Serialization.FindSerializerFor(new TenantSnapshot(actual)).ToBinary(new TenantSnapshot(actual)));

    private void AssertResumesWithNothingRepeated(TenantRig rig, TenantState before)
    {
        var restarted = rig.Start();
        Assert.Equal(2, rig.ExpectRegistration().LastProcessed);
        AssertSame(before, rig.State(restarted));
        restarted.Tell(rig.CatchUp(2));
        rig.ExpectAck(2);
        Assert.Equal(2, rig.Venues.Paper.TotalPlacements);
        Assert.Empty(Drain(rig.History).OfType<FetchSignals>());
    }

    [Fact]
    public async Task Snapshots_that_fail_to_save_change_nothing_a_restart_recovers_the_same_state_from_the_events()
    {
        await Snapshots.OnSave.Fail();

        var (rig, before) = Trade();

        await Snapshots.OnSave.Pass();
        AssertResumesWithNothingRepeated(rig, before);
    }

    [Fact]
    public async Task Snapshots_whose_older_ones_cannot_be_deleted_change_nothing_a_restart_recovers_the_same_state()
    {
        await Snapshots.OnDelete.Fail();

        var (rig, before) = Trade();

        AssertResumesWithNothingRepeated(rig, before);
    }

    [Fact]
    public async Task A_tenant_whose_snapshot_cannot_be_loaded_stops_silently_and_then_recovers_the_same_state()
    {
        var (rig, before) = Trade();
        Drain(rig.History);
        await Snapshots.OnLoad.Fail();

        var failing = rig.Start();

        ExpectTerminated(failing);
        Assert.Empty(Drain(rig.Fanout));
        Assert.Empty(Drain(rig.History));

        await Snapshots.OnLoad.Pass();
        AssertResumesWithNothingRepeated(rig, before);
    }
}
