using Akka.Actor;
using TradingActors.Brokers;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Fanout;
using TradingActors.Engine.Strategies;
using TradingActors.Engine.Tenants;
using TradingActors.Engine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TradingActors.Engine.Tests.Tenants;

/// <summary>
/// Persist sites of a signal's execution in TenantActor: the external intent (OrderSubmitted, in Step)
/// and the outcome (PersistOutcome: OrderFilled, OrderRejected, OrderFailed, OrderMarkedUnknown).
/// A venue is called for an external account only once its intent is persisted; a signal is
/// acknowledged to its bucket only once its outcome is. A tenant that stops is started again as its
/// shard would (a new incarnation with the same persistence id), and its bucket tells it to catch up.
/// </summary>
public sealed class TenantOrderFaultTests(ITestOutputHelper output) : EngineTestKit(output)
{
    private const decimal Price = 60_000m;

    private static string Pid(TenantRig rig) => Names.TenantPersistenceId(rig.TenantId);

    /// <summary>The restarted tenant registers (as behind as its journal says) and its bucket tells it to catch up.</summary>
    private IActorRef RestartAndCatchUp(TenantRig rig, long lastProcessed, long through)
    {
        var tenant = rig.Start();
        Assert.Equal(lastProcessed, rig.ExpectRegistration().LastProcessed);
        tenant.Tell(rig.CatchUp(through));
        return tenant;
    }

    private static void AssertBookedOnce(TenantState state, string clientOrderId, decimal startingCash)
    {
        Assert.Empty(state.Open);
        Assert.Equal(1, state.OrdersFilled);
        var filled = Assert.Single(state.Recent, o => o.Intent.ClientOrderId == clientOrderId);
        Assert.Equal(OrderStatus.Filled, filled.Status);
        if (state.Accounts.TryGetValue(TenantRig.PaperAccount, out var account) && account.Paper is { } paper)
            Assert.Equal(startingCash - filled.Fill!.Quantity * filled.Fill.Price - filled.Fill.Fee, paper.Cash);
        Assert.Equal(filled.Fill!.Quantity, state.Subscriptions[TenantRig.StrategyId].Held);
    }

    // ---- OrderFilled at the embedded paper venue (PersistOutcome)

    [Fact]
    public async Task A_paper_fill_whose_write_fails_is_not_acknowledged_and_is_placed_again_once_with_the_same_id_and_booked_once()
    {
        var rig = new TenantRig(this);
        var tenant = rig.PaperSubscriber();
        await Journal.FailWritesOf<OrderFilled>();
        var signal = rig.Publish(OrderSide.Buy, Price);

        tenant.Tell(rig.Execute(signal));

        ExpectTerminated(tenant);
        var id = rig.ClientOrderId(TenantRig.PaperAccount, 1);
        Assert.Equal(1, rig.Venues.Paper.Placements(id)); // the paper venue books nothing: only the tenant's journal does
        Assert.DoesNotContain(Drain(rig.Fanout), m => m is SignalAcknowledged);

        await Journal.Heal();
        var restarted = RestartAndCatchUp(rig, lastProcessed: 0, through: 1);
        rig.ExpectAck(1);
        Assert.Equal(2, rig.Venues.Paper.Placements(id));
        Assert.Equal(2, rig.Venues.Paper.TotalPlacements); // the same client order id both times
        AssertBookedOnce(rig.State(restarted), id, 10_000m);

        restarted.Tell(rig.Execute(signal)); // redelivered: settled already
        rig.ExpectAck(1);
        Assert.Equal(2, rig.Venues.Paper.TotalPlacements);
        Assert.Single(Events(Pid(rig)).OfType<OrderFilled>());
    }

    [Fact]
    public async Task A_rejected_paper_fill_is_not_acknowledged_and_is_placed_again_once_with_the_same_id_and_booked_once()
    {
        var rig = new TenantRig(this);
        var tenant = rig.PaperSubscriber();
        await Journal.RejectWritesOf<OrderFilled>();
        var signal = rig.Publish(OrderSide.Buy, Price);

        tenant.Tell(rig.Execute(signal));

        ExpectTerminated(tenant);
        var id = rig.ClientOrderId(TenantRig.PaperAccount, 1);
        Assert.Equal(1, rig.Venues.Paper.Placements(id));
        Assert.DoesNotContain(Drain(rig.Fanout), m => m is SignalAcknowledged);

        await Journal.Heal();
        var restarted = RestartAndCatchUp(rig, lastProcessed: 0, through: 1);
        rig.ExpectAck(1);
        Assert.Equal(2, rig.Venues.Paper.Placements(id));
        AssertBookedOnce(rig.State(restarted), id, 10_000m);
        Assert.Single(Events(Pid(rig)).OfType<OrderFilled>());
    }

    [Fact]
    public async Task A_tenant_whose_paper_fill_cannot_be_replayed_stops_silently_and_then_recovers_it_without_placing_again()
    {
        var rig = new TenantRig(this);
        var tenant = rig.PaperSubscriber();
        var signal = rig.Publish(OrderSide.Buy, Price);
        tenant.Tell(rig.Execute(signal));
        rig.ExpectAck(1);
        Kill(tenant);
        Drain(rig.Fanout);
        Drain(rig.History);
        await Journal.FailRecoveries();

        var failing = rig.Start();

        ExpectTerminated(failing);
        Assert.Empty(Drain(rig.Fanout));
        Assert.Empty(Drain(rig.History));

        await Journal.Heal();
        var restarted = RestartAndCatchUp(rig, lastProcessed: 1, through: 1);
        rig.ExpectAck(1);
        restarted.Tell(rig.Execute(signal));
        rig.ExpectAck(1);
        var id = rig.ClientOrderId(TenantRig.PaperAccount, 1);
        Assert.Equal(1, rig.Venues.Paper.TotalPlacements);
        AssertBookedOnce(rig.State(restarted), id, 10_000m);
        Assert.DoesNotContain(Drain(rig.History), m => m is FetchSignals); // nothing to fetch: the journal had it all
    }

    // ---- OrderSubmitted: the external intent, persisted before the venue is called (Step)

    [Fact]
    public async Task An_external_intent_whose_write_fails_never_reaches_the_venue_and_is_placed_once_after_the_restart()
    {
        var rig = new TenantRig(this);
        var tenant = rig.ExternalSubscriber();
        await Journal.FailWritesOf<OrderSubmitted>();
        var signal = rig.Publish(OrderSide.Buy, Price);

        tenant.Tell(rig.Execute(signal));

        ExpectTerminated(tenant);
        Assert.Equal(0, rig.Venues.External.TotalPlacements + rig.Venues.External.TotalLookups);
        Assert.DoesNotContain(Drain(rig.Fanout), m => m is SignalAcknowledged);

        await Journal.Heal();
        var restarted = RestartAndCatchUp(rig, lastProcessed: 0, through: 1);
        rig.ExpectAck(1);
        var id = rig.ClientOrderId(TenantRig.ExternalAccount, 1);
        Assert.Equal(1, rig.Venues.External.Placements(id));
        Assert.Equal(1, rig.Venues.External.Inner.OrderCount(TenantRig.VenueAccountNumber));
        AssertBookedOnce(rig.State(restarted), id, 0m);
    }

    [Fact]
    public async Task A_rejected_external_intent_never_reaches_the_venue_and_is_placed_once_after_the_restart()
    {
        var rig = new TenantRig(this);
        var tenant = rig.ExternalSubscriber();
        await Journal.RejectWritesOf<OrderSubmitted>();
        var signal = rig.Publish(OrderSide.Buy, Price);

        tenant.Tell(rig.Execute(signal));

        ExpectTerminated(tenant);
        Assert.Equal(0, rig.Venues.External.TotalPlacements + rig.Venues.External.TotalLookups);
        Assert.DoesNotContain(Drain(rig.Fanout), m => m is SignalAcknowledged);

        await Journal.Heal();
        var restarted = RestartAndCatchUp(rig, lastProcessed: 0, through: 1);
        rig.ExpectAck(1);
        var id = rig.ClientOrderId(TenantRig.ExternalAccount, 1);
        Assert.Equal(1, rig.Venues.External.Placements(id));
        AssertBookedOnce(rig.State(restarted), id, 0m);
        Assert.Single(Events(Pid(rig)).OfType<OrderSubmitted>());
    }

    [Fact]
    public async Task A_tenant_whose_external_intent_cannot_be_replayed_stops_before_any_lookup_and_then_finds_the_order_without_placing_it_again()
    {
        // The lost answer must still be outstanding when the tenant is killed: a call timeout no loaded machine reaches
        // between the venue taking the order and the kill (2 s did not, once, beside a mutation run).
        var rig = new TenantRig(this, callTimeout: TimeSpan.FromSeconds(60));
        var tenant = rig.ExternalSubscriber();
        var id = rig.ClientOrderId(TenantRig.ExternalAccount, 1);
        rig.Venues.External.Inner.SetFault(TenantRig.VenueAccountNumber, VenueFault.FillThenLoseAnswer);
        tenant.Tell(rig.Execute(rig.Publish(OrderSide.Buy, Price)));
        AwaitCondition(() => rig.Venues.External.Inner.OrderCount(TenantRig.VenueAccountNumber) == 1);
        Kill(tenant); // the answer never came: the journal holds the intent only
        rig.Venues.External.Inner.ClearFault(TenantRig.VenueAccountNumber);
        Assert.IsType<OrderSubmitted>(Events(Pid(rig))[^1]);
        Drain(rig.Fanout);
        await Journal.FailRecoveries();

        var failing = rig.Start();

        ExpectTerminated(failing);
        Assert.Empty(Drain(rig.Fanout));
        Assert.Equal(0, rig.Venues.External.Lookups(id));

        await Journal.Heal();
        var restarted = rig.Start();
        Assert.Equal(1, rig.ExpectRegistration().LastProcessed);
        rig.ExpectAck(1); // the lookup found the fill, which is then booked and acknowledged
        Assert.Equal(1, rig.Venues.External.Placements(id));
        Assert.True(rig.Venues.External.Lookups(id) >= 1);
        AssertBookedOnce(rig.State(restarted), id, 0m);
    }

    // ---- OrderFilled at an external venue (PersistOutcome)

    [Fact]
    public async Task An_external_fill_whose_write_fails_is_not_acknowledged_and_is_found_by_lookup_after_the_restart_never_placed_twice()
    {
        var rig = new TenantRig(this);
        var tenant = rig.ExternalSubscriber();
        await Journal.FailWritesOf<OrderFilled>();

        tenant.Tell(rig.Execute(rig.Publish(OrderSide.Buy, Price)));

        ExpectTerminated(tenant);
        var id = rig.ClientOrderId(TenantRig.ExternalAccount, 1);
        Assert.Equal(1, rig.Venues.External.Placements(id));
        Assert.DoesNotContain(Drain(rig.Fanout), m => m is SignalAcknowledged);

        await Journal.Heal();
        var restarted = rig.Start();
        rig.ExpectRegistration();
        rig.ExpectAck(1);
        Assert.Equal(1, rig.Venues.External.Placements(id));
        Assert.Equal(1, rig.Venues.External.Inner.OrderCount(TenantRig.VenueAccountNumber));
        AssertBookedOnce(rig.State(restarted), id, 0m);
        Assert.Single(Events(Pid(rig)).OfType<OrderFilled>());
    }

    [Fact]
    public async Task A_rejected_external_fill_does_not_leave_its_order_open_without_lookups_it_is_found_and_booked_once()
    {
        var rig = new TenantRig(this);
        var tenant = rig.ExternalSubscriber();
        await Journal.RejectWritesOf<OrderFilled>();

        tenant.Tell(rig.Execute(rig.Publish(OrderSide.Buy, Price)));

        // Were it to keep running, its order would stay open with no lookup scheduled and block the subscription.
        ExpectTerminated(tenant, hint: "a tenant that goes on after a rejected outcome leaves its order open with no lookup scheduled");
        var id = rig.ClientOrderId(TenantRig.ExternalAccount, 1);
        Assert.DoesNotContain(Drain(rig.Fanout), m => m is SignalAcknowledged);

        await Journal.Heal();
        var restarted = rig.Start();
        rig.ExpectRegistration();
        rig.ExpectAck(1);
        Assert.Equal(1, rig.Venues.External.Placements(id));
        AssertBookedOnce(rig.State(restarted), id, 0m);
    }

    // ---- OrderRejected by the paper account before any call (PersistOutcome)

    [Fact]
    public async Task A_paper_rejection_whose_write_fails_is_not_acknowledged_and_is_recorded_once_after_the_restart_without_a_venue_call()
    {
        var rig = new TenantRig(this);
        var tenant = rig.PaperSubscriber(cash: 100m, budget: 1_000m); // cannot afford the budget
        await Journal.FailWritesOf<OrderRejected>();

        tenant.Tell(rig.Execute(rig.Publish(OrderSide.Buy, Price)));

        ExpectTerminated(tenant);
        Assert.DoesNotContain(Drain(rig.Fanout), m => m is SignalAcknowledged);

        await Journal.Heal();
        var restarted = RestartAndCatchUp(rig, lastProcessed: 0, through: 1);
        rig.ExpectAck(1);
        var state = rig.State(restarted);
        Assert.Equal(1, state.OrdersRejected);
        Assert.Equal(100m, state.Accounts[TenantRig.PaperAccount].Paper!.Cash);
        Assert.Equal(0, rig.Venues.Paper.TotalPlacements);
        Assert.Single(Events(Pid(rig)).OfType<OrderRejected>());
    }

    [Fact]
    public async Task A_rejected_paper_rejection_is_not_acknowledged_and_is_recorded_once_after_the_restart_without_a_venue_call()
    {
        var rig = new TenantRig(this);
        var tenant = rig.PaperSubscriber(cash: 100m, budget: 1_000m);
        await Journal.RejectWritesOf<OrderRejected>();

        tenant.Tell(rig.Execute(rig.Publish(OrderSide.Buy, Price)));

        ExpectTerminated(tenant);
        Assert.DoesNotContain(Drain(rig.Fanout), m => m is SignalAcknowledged);

        await Journal.Heal();
        var restarted = RestartAndCatchUp(rig, lastProcessed: 0, through: 1);
        rig.ExpectAck(1);
        Assert.Equal(1, rig.State(restarted).OrdersRejected);
        Assert.Equal(0, rig.Venues.Paper.TotalPlacements);
        Assert.Single(Events(Pid(rig)).OfType<OrderRejected>());
    }

    /// <summary>A settled outcome in the journal; the replay fails once: nothing leaves, then the outcome is recovered and nothing is redone.</summary>
    private async Task AssertSettledOutcomeSurvivesAFailedReplay(TenantRig rig, IActorRef tenant)
    {
        rig.ExpectAck(1);
        Kill(tenant);
        Drain(rig.Fanout);
        Drain(rig.History);
        var calls = (rig.Venues.Paper.TotalPlacements, rig.Venues.External.TotalPlacements, rig.Venues.External.TotalLookups);
        await Journal.FailRecoveries();

        var failing = rig.Start();

        ExpectTerminated(failing);
        Assert.Empty(Drain(rig.Fanout));
        Assert.Empty(Drain(rig.History));

        await Journal.Heal();
        var restarted = RestartAndCatchUp(rig, lastProcessed: 1, through: 1);
        rig.ExpectAck(1);
        Assert.Empty(rig.State(restarted).Open);
        Assert.Equal(calls, (rig.Venues.Paper.TotalPlacements, rig.Venues.External.TotalPlacements, rig.Venues.External.TotalLookups));
        Assert.Empty(Drain(rig.History).OfType<FetchSignals>());
        Assert.Single(Events(Pid(rig)).OfType<IOrderEvent>().Where(e => e is not OrderSubmitted));
    }

    [Fact]
    public async Task A_tenant_whose_paper_rejection_cannot_be_replayed_stops_silently_and_then_recovers_it_without_deciding_again()
    {
        var rig = new TenantRig(this);
        var tenant = rig.PaperSubscriber(cash: 100m, budget: 1_000m);
        tenant.Tell(rig.Execute(rig.Publish(OrderSide.Buy, Price)));
        await AssertSettledOutcomeSurvivesAFailedReplay(rig, tenant);
    }

    [Fact]
    public async Task A_tenant_whose_external_fill_cannot_be_replayed_stops_silently_and_then_recovers_it_without_calling_the_venue()
    {
        var rig = new TenantRig(this);
        var tenant = rig.ExternalSubscriber();
        tenant.Tell(rig.Execute(rig.Publish(OrderSide.Buy, Price)));
        await AssertSettledOutcomeSurvivesAFailedReplay(rig, tenant);
        Assert.Equal(1, rig.Venues.External.Inner.OrderCount(TenantRig.VenueAccountNumber));
    }

    [Fact]
    public async Task A_tenant_whose_failed_order_cannot_be_replayed_stops_silently_and_then_recovers_it_without_calling_the_venue()
    {
        var rig = new TenantRig(this);
        var tenant = rig.ExternalSubscriber();
        rig.Venues.External.Inner.SetFault(TenantRig.VenueAccountNumber, VenueFault.NotPlaced);
        tenant.Tell(rig.Execute(rig.Publish(OrderSide.Buy, Price)));
        await AssertSettledOutcomeSurvivesAFailedReplay(rig, tenant);
        Assert.Equal(0, rig.Venues.External.Inner.OrderCount(TenantRig.VenueAccountNumber));
    }

    // ---- OrderFailed: the venue refused the call (PersistOutcome)

    [Fact]
    public async Task A_refused_placement_whose_failure_fails_to_write_is_resolved_after_the_restart_by_lookup_and_one_order_at_the_venue()
    {
        // The original call cannot be in flight any more (call timeout zero), so an absent order may be placed again at this deduplicating venue.
        var rig = new TenantRig(this, resolution: TenantRig.Resolution(callTimeout: TimeSpan.Zero));
        var tenant = rig.ExternalSubscriber();
        rig.Venues.External.Inner.SetFault(TenantRig.VenueAccountNumber, VenueFault.NotPlaced);
        await Journal.FailWritesOf<OrderFailed>();

        tenant.Tell(rig.Execute(rig.Publish(OrderSide.Buy, Price)));

        ExpectTerminated(tenant);
        var id = rig.ClientOrderId(TenantRig.ExternalAccount, 1);
        Assert.Equal(1, rig.Venues.External.Placements(id));
        Assert.Equal(0, rig.Venues.External.Inner.OrderCount(TenantRig.VenueAccountNumber));
        Assert.DoesNotContain(Drain(rig.Fanout), m => m is SignalAcknowledged);

        await Journal.Heal();
        rig.Venues.External.Inner.ClearFault(TenantRig.VenueAccountNumber);
        var restarted = rig.Start();
        rig.ExpectRegistration();
        rig.ExpectAck(1);
        Assert.Equal(1, rig.Venues.External.Inner.OrderCount(TenantRig.VenueAccountNumber));
        Assert.Equal(2, rig.Venues.External.Placements(id)); // refused once, placed once, one id
        AssertBookedOnce(rig.State(restarted), id, 0m);
        Assert.Empty(Events(Pid(rig)).OfType<OrderFailed>());
    }

    [Fact]
    public async Task A_rejected_failure_does_not_leave_its_order_open_without_lookups_it_is_resolved_after_the_restart()
    {
        var rig = new TenantRig(this, resolution: TenantRig.Resolution(callTimeout: TimeSpan.Zero));
        var tenant = rig.ExternalSubscriber();
        rig.Venues.External.Inner.SetFault(TenantRig.VenueAccountNumber, VenueFault.NotPlaced);
        await Journal.RejectWritesOf<OrderFailed>();

        tenant.Tell(rig.Execute(rig.Publish(OrderSide.Buy, Price)));

        ExpectTerminated(tenant, hint: "a tenant that goes on after a rejected outcome leaves its order open with no lookup scheduled");
        var id = rig.ClientOrderId(TenantRig.ExternalAccount, 1);
        Assert.DoesNotContain(Drain(rig.Fanout), m => m is SignalAcknowledged);

        await Journal.Heal();
        rig.Venues.External.Inner.ClearFault(TenantRig.VenueAccountNumber);
        var restarted = rig.Start();
        rig.ExpectRegistration();
        rig.ExpectAck(1);
        Assert.Equal(1, rig.Venues.External.Inner.OrderCount(TenantRig.VenueAccountNumber));
        AssertBookedOnce(rig.State(restarted), id, 0m);
    }

    // ---- OrderMarkedUnknown: the answer was lost (PersistOutcome)

    private TenantRig LostAnswerRig() => new(this, callTimeout: TimeSpan.FromMilliseconds(300));

    [Fact]
    public async Task An_unknown_outcome_whose_write_fails_is_found_by_lookup_after_the_restart_and_booked_once()
    {
        var rig = LostAnswerRig();
        var tenant = rig.ExternalSubscriber();
        rig.Venues.External.Inner.SetFault(TenantRig.VenueAccountNumber, VenueFault.FillThenLoseAnswer);
        await Journal.FailWritesOf<OrderMarkedUnknown>();

        tenant.Tell(rig.Execute(rig.Publish(OrderSide.Buy, Price)));

        ExpectTerminated(tenant);
        var id = rig.ClientOrderId(TenantRig.ExternalAccount, 1);
        Assert.Equal(1, rig.Venues.External.Inner.OrderCount(TenantRig.VenueAccountNumber));
        Assert.DoesNotContain(Drain(rig.Fanout), m => m is SignalAcknowledged);

        await Journal.Heal();
        rig.Venues.External.Inner.ClearFault(TenantRig.VenueAccountNumber);
        var restarted = rig.Start();
        rig.ExpectRegistration();
        rig.ExpectAck(1);
        Assert.Equal(1, rig.Venues.External.Placements(id));
        AssertBookedOnce(rig.State(restarted), id, 0m);
        Assert.Empty(Events(Pid(rig)).OfType<OrderMarkedUnknown>());
    }

    [Fact]
    public async Task A_rejected_unknown_outcome_does_not_leave_its_order_without_lookups_it_is_found_and_booked_once()
    {
        var rig = LostAnswerRig();
        var tenant = rig.ExternalSubscriber();
        rig.Venues.External.Inner.SetFault(TenantRig.VenueAccountNumber, VenueFault.FillThenLoseAnswer);
        await Journal.RejectWritesOf<OrderMarkedUnknown>();

        tenant.Tell(rig.Execute(rig.Publish(OrderSide.Buy, Price)));

        ExpectTerminated(tenant, hint: "a tenant that goes on after a rejected outcome leaves its order open with no lookup scheduled");
        var id = rig.ClientOrderId(TenantRig.ExternalAccount, 1);
        Assert.DoesNotContain(Drain(rig.Fanout), m => m is SignalAcknowledged);

        await Journal.Heal();
        rig.Venues.External.Inner.ClearFault(TenantRig.VenueAccountNumber);
        var restarted = rig.Start();
        rig.ExpectRegistration();
        rig.ExpectAck(1);
        Assert.Equal(1, rig.Venues.External.Placements(id));
        AssertBookedOnce(rig.State(restarted), id, 0m);
    }

    [Fact]
    public async Task A_tenant_whose_unknown_order_cannot_be_replayed_looks_nothing_up_and_then_finds_it_and_books_it_once()
    {
        var rig = LostAnswerRig();
        var tenant = rig.ExternalSubscriber();
        var id = rig.ClientOrderId(TenantRig.ExternalAccount, 1);
        // The venue takes the order and no answer arrives, the lookups' neither: the order stays unknown.
        rig.Venues.External.Inner.SetFault(TenantRig.VenueAccountNumber, VenueFault.TakeThenGoSilent);
        tenant.Tell(rig.Execute(rig.Publish(OrderSide.Buy, Price)));
        AwaitCondition(() => rig.Venues.External.Inner.OrderCount(TenantRig.VenueAccountNumber) == 1);
        rig.ExpectAck(1); // unknown is an outcome: the signal is settled, the order stays open
        Kill(tenant);
        Assert.IsType<OrderMarkedUnknown>(Events(Pid(rig)).OfType<IOrderEvent>().Last());
        rig.Venues.External.Inner.ClearFault(TenantRig.VenueAccountNumber);
        var lookupsBefore = rig.Venues.External.Lookups(id);
        Drain(rig.Fanout);
        await Journal.FailRecoveries();

        var failing = rig.Start();

        ExpectTerminated(failing);
        Assert.Empty(Drain(rig.Fanout));
        Assert.Equal(lookupsBefore, rig.Venues.External.Lookups(id));

        await Journal.Heal();
        var restarted = rig.Start();
        rig.ExpectRegistration();
        AwaitAssert(() => Assert.Empty(rig.State(restarted).Open));
        Assert.Equal(1, rig.Venues.External.Placements(id));
        Assert.True(rig.Venues.External.Lookups(id) > lookupsBefore);
        AssertBookedOnce(rig.State(restarted), id, 0m);
        Assert.Single(Events(Pid(rig)).OfType<OrderFilled>());
    }
}
