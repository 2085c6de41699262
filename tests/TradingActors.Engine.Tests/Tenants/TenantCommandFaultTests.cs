using Akka.Actor;
using TradingActors.Engine.Fanout;
using TradingActors.Engine.Strategies;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Tenants;
using TradingActors.Engine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TradingActors.Engine.Tests.Tenants;

/// <summary>
/// Persist site: TenantActor.Decide (PersistAll of a command's events). A command is answered, and its
/// follow-up (a subscription's registration at its bucket) sent, only once its events are persisted.
/// </summary>
public sealed class TenantCommandFaultTests(ITestOutputHelper output) : EngineTestKit(output)
{
    private IActorRef PaperTenantWithoutSubscription(TenantRig rig)
    {
        var tenant = rig.Start();
        rig.Accept(tenant, new CreateTenant(rig.TenantId, rig.TenantId));
        rig.Accept(tenant, new LinkPaperAccount(rig.TenantId, TenantRig.PaperAccount, 10_000m));
        return tenant;
    }

    private SubscribeToStrategy Subscribe(TenantRig rig) => new(rig.TenantId, TenantRig.StrategyId, TenantRig.PaperAccount, 1_000m);

    [Fact]
    public async Task A_subscribe_whose_write_fails_is_never_acknowledged_nor_registered_and_is_absent_after_the_restart()
    {
        var rig = new TenantRig(this);
        var tenant = PaperTenantWithoutSubscription(rig);
        await Journal.FailWritesOf<Subscribed>();

        tenant.Tell(Subscribe(rig), TestActor);

        ExpectTerminated(tenant); // no CommandAccepted came before it
        Assert.DoesNotContain(Drain(rig.Fanout), m => m is RegisterSubscriber);

        await Journal.Heal();
        var restarted = rig.Start();
        Assert.Empty(rig.State(restarted).Subscriptions);
        Assert.Empty(Drain(rig.Fanout)); // nothing to register
        rig.Accept(restarted, Subscribe(rig));
        rig.ExpectRegistration();
        Assert.Single(rig.State(restarted).Subscriptions);
    }

    [Fact]
    public async Task A_rejected_subscribe_is_never_acknowledged_nor_registered_and_the_tenant_recovers_without_it()
    {
        var rig = new TenantRig(this);
        var tenant = PaperTenantWithoutSubscription(rig);
        await Journal.RejectWritesOf<Subscribed>();

        tenant.Tell(Subscribe(rig), TestActor);

        // A rejected write is handled like a failed one: the tenant stops and recovers from its journal.
        ExpectTerminated(tenant);
        Assert.DoesNotContain(Drain(rig.Fanout), m => m is RegisterSubscriber);

        await Journal.Heal();
        var restarted = rig.Start();
        Assert.Empty(rig.State(restarted).Subscriptions);
        rig.Accept(restarted, Subscribe(rig));
        rig.ExpectRegistration();
        Assert.Single(rig.State(restarted).Subscriptions);
        Assert.Empty(Drain(rig.Fanout).OfType<RegisterSubscriber>());
    }

    [Fact]
    public async Task A_tenant_whose_commands_cannot_be_replayed_stops_before_registering_and_then_recovers_them_all()
    {
        var rig = new TenantRig(this);
        var tenant = rig.PaperSubscriber();
        Drain(rig.History);
        tenant.Tell(PoisonPill.Instance);
        ExpectTerminated(tenant);
        await Journal.FailRecoveries();

        var failing = rig.Start();

        ExpectTerminated(failing);
        Assert.Empty(Drain(rig.Fanout)); // no registration, no acknowledgement
        Assert.Empty(Drain(rig.History));

        await Journal.Heal();
        var restarted = rig.Start();
        var registration = rig.ExpectRegistration();
        Assert.Equal(0, registration.LastProcessed);
        var state = rig.State(restarted);
        Assert.True(state.Exists);
        Assert.Equal(10_000m, state.Accounts[TenantRig.PaperAccount].Paper!.Cash);
        Assert.Equal(SubscriptionStatus.Active, state.Subscriptions[TenantRig.StrategyId].Status);
        // The subscribe is not answered or decided again: the journal already holds it.
        tenant = restarted;
        tenant.Tell(Subscribe(rig), TestActor);
        ExpectMsg<CommandRejected>(r => r.Reason.Contains("already subscribed"));
    }
}
