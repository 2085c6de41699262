using Akka.Actor;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Fanout;
using TradingActors.Engine.Tenants;
using TradingActors.Engine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TradingActors.Engine.Tests.Tenants;

/// <summary>
/// Subscriptions with their own ids (decision 010): one tenant follows one strategy on two paper accounts.
/// One signal is one order per subscription (distinct client order ids, counted in the journal); the tenant
/// acknowledges it only once both have persisted their outcome; a restart between the two places each once;
/// pausing one leaves the other trading. The budget change goes through the Decide persist site
/// (write failure, rejection, recovery failure below).
/// </summary>
public sealed class TenantSubscriptionTests(ITestOutputHelper output) : EngineTestKit(output)
{
    private const decimal Price = 60_000m;
    private const string SecondPaper = "paper-2";
    private const string A = "sub-a";
    private const string B = "sub-b";

    private static string Pid(TenantRig rig) => Names.TenantPersistenceId(rig.TenantId);

    private static string IdOf(TenantRig rig, string account, string subscription, long sequence) =>
        ClientOrderIds.Create(rig.TenantId, account, Sources.Subscription(subscription), sequence, 0);

    /// <summary>A tenant with two paper accounts following the rig's strategy once on each (A on paper-1, B on paper-2).</summary>
    private IActorRef TwoSubscriptions(TenantRig rig, decimal budget = 1_000m)
    {
        var tenant = rig.Start();
        rig.Accept(tenant, new CreateTenant(rig.TenantId, rig.TenantId));
        rig.Accept(tenant, new LinkPaperAccount(rig.TenantId, TenantRig.PaperAccount, 10_000m));
        rig.Accept(tenant, new LinkPaperAccount(rig.TenantId, SecondPaper, 10_000m));
        rig.Accept(tenant, new SubscribeToStrategy(rig.TenantId, TenantRig.StrategyId, TenantRig.PaperAccount, budget, A));
        rig.ExpectRegistration();
        rig.Accept(tenant, new SubscribeToStrategy(rig.TenantId, TenantRig.StrategyId, SecondPaper, budget, B));
        rig.ExpectRegistration();
        return tenant;
    }

    private List<OrderFilled> Fills(TenantRig rig) => Events(Pid(rig)).OfType<OrderFilled>().ToList();

    [Fact]
    public void Two_subscriptions_of_one_strategy_each_place_their_own_order_for_one_signal_and_it_is_acknowledged_once_both_are_persisted()
    {
        var rig = new TenantRig(this);
        var tenant = TwoSubscriptions(rig);
        var signal = rig.Publish(OrderSide.Buy, Price);

        tenant.Tell(rig.Execute(signal));

        rig.ExpectAck(1);
        var fills = Fills(rig);
        Assert.Equal(2, fills.Count);
        Assert.Equal([IdOf(rig, TenantRig.PaperAccount, A, 1), IdOf(rig, SecondPaper, B, 1)], fills.Select(f => f.Intent.ClientOrderId).Order());
        Assert.Equal(2, fills.Select(f => f.Intent.ClientOrderId).Distinct().Count());
        Assert.Equal(["subscription:sub-a", "subscription:sub-b"], fills.Select(f => f.Intent.Source).Order());
        Assert.Equal(1, rig.Venues.Paper.Placements(IdOf(rig, TenantRig.PaperAccount, A, 1)));
        Assert.Equal(1, rig.Venues.Paper.Placements(IdOf(rig, SecondPaper, B, 1)));
        var state = rig.State(tenant);
        Assert.Equal(1, state.LastProcessed(A));
        Assert.Equal(1, state.LastProcessed(B));
        Assert.True(state.Subscriptions[A].Held > 0);
        Assert.Equal(state.Subscriptions[A].Held, state.Subscriptions[B].Held);

        tenant.Tell(rig.Execute(signal)); // redelivered: both settled already
        rig.ExpectAck(1);
        Assert.Equal(2, Fills(rig).Count);
        Assert.Equal(2, rig.Venues.Paper.TotalPlacements);
    }

    [Fact]
    public async Task A_restart_between_the_two_subscriptions_places_and_persists_each_once()
    {
        var rig = new TenantRig(this);
        var tenant = TwoSubscriptions(rig);
        await Journal.FailWritesWhere(e => e is OrderFilled f && f.Intent.Source == Sources.Subscription(B));
        var signal = rig.Publish(OrderSide.Buy, Price);

        tenant.Tell(rig.Execute(signal));

        ExpectTerminated(tenant);
        Assert.DoesNotContain(Drain(rig.Fanout), m => m is SignalAcknowledged { Through: >= 1 }); // A settled, B not: not acknowledged
        Assert.Single(Fills(rig)); // A's

        await Journal.Heal();
        var restarted = rig.Start();
        Assert.Equal(0, rig.ExpectRegistration().LastProcessed); // as far as both have settled
        restarted.Tell(rig.CatchUp(1));
        rig.ExpectAck(1);

        var fills = Fills(rig);
        Assert.Equal(2, fills.Count);
        Assert.Single(fills, f => f.Intent.ClientOrderId == IdOf(rig, TenantRig.PaperAccount, A, 1));
        Assert.Single(fills, f => f.Intent.ClientOrderId == IdOf(rig, SecondPaper, B, 1));
        Assert.Equal(1, rig.Venues.Paper.Placements(IdOf(rig, TenantRig.PaperAccount, A, 1))); // A was not placed again
        Assert.Equal(2, rig.Venues.Paper.Placements(IdOf(rig, SecondPaper, B, 1)));           // B again, with the same id
        var state = rig.State(restarted);
        Assert.Equal(2, state.OrdersFilled);
        Assert.Equal(state.Subscriptions[A].Held, state.Subscriptions[B].Held);
    }

    [Fact]
    public void Pausing_one_subscription_leaves_the_other_trading_and_a_resumed_one_trades_by_its_own_holding()
    {
        var rig = new TenantRig(this);
        var tenant = TwoSubscriptions(rig);
        rig.Accept(tenant, new PauseSubscription(rig.TenantId, A));
        Assert.DoesNotContain(Drain(rig.Fanout), m => m is UnregisterSubscriber); // B still follows the strategy

        tenant.Tell(rig.Execute(rig.Publish(OrderSide.Buy, Price)));

        rig.ExpectAck(1);
        Assert.Equal([IdOf(rig, SecondPaper, B, 1)], Fills(rig).Select(f => f.Intent.ClientOrderId));

        rig.Accept(tenant, new ResumeSubscription(rig.TenantId, A)); // after the latest signal (1)
        rig.ExpectRegistration();
        tenant.Tell(rig.Execute(rig.Publish(OrderSide.Buy, Price)));
        rig.ExpectAck(2);
        // B holds since signal 1 and skips the buy; A is flat and buys.
        Assert.Equal([IdOf(rig, SecondPaper, B, 1), IdOf(rig, TenantRig.PaperAccount, A, 2)], Fills(rig).Select(f => f.Intent.ClientOrderId));
        var skip = Assert.Single(Events(Pid(rig)).OfType<SignalsSkipped>());
        Assert.Equal((B, 2L, "already holding"), (skip.SubscriptionId, skip.FromSequence, skip.Reason));

        rig.Accept(tenant, new PauseSubscription(rig.TenantId, A));
        rig.Accept(tenant, new PauseSubscription(rig.TenantId, B));
        Assert.Contains(Drain(rig.Fanout), m => m is UnregisterSubscriber u && u.StrategyId == TenantRig.StrategyId); // none active: the tenant leaves
    }

    [Fact]
    public void A_subscribe_sent_again_with_its_id_is_accepted_without_a_second_subscription_and_its_id_for_another_account_is_refused()
    {
        var rig = new TenantRig(this);
        var tenant = TwoSubscriptions(rig);

        rig.Accept(tenant, new SubscribeToStrategy(rig.TenantId, TenantRig.StrategyId, TenantRig.PaperAccount, 1_000m, A));
        tenant.Tell(new SubscribeToStrategy(rig.TenantId, TenantRig.StrategyId, "paper-3", 1_000m, A), TestActor);
        ExpectMsg<CommandRejected>(r => r.Reason == "subscription 'sub-a' already exists");
        tenant.Tell(new SubscribeToStrategy(rig.TenantId, TenantRig.StrategyId, SecondPaper, 1_000m, "sub-c"), TestActor);
        ExpectMsg<CommandRejected>(r => r.Reason == "already subscribed to 'rsi-btc' on account 'paper-2' (subscription 'sub-b')");

        Assert.Equal(2, Events(Pid(rig)).OfType<Subscribed>().Count());
        Assert.Equal(2, rig.State(tenant).Subscriptions.Count);
    }

    [Fact]
    public void Unsubscribing_one_leaves_the_other_in_the_bucket()
    {
        var rig = new TenantRig(this);
        var tenant = TwoSubscriptions(rig);

        rig.Accept(tenant, new UnsubscribeFromStrategy(rig.TenantId, B));
        Assert.DoesNotContain(Drain(rig.Fanout), m => m is UnregisterSubscriber);
        tenant.Tell(rig.Execute(rig.Publish(OrderSide.Buy, Price)));
        rig.ExpectAck(1);
        Assert.Equal([IdOf(rig, TenantRig.PaperAccount, A, 1)], Fills(rig).Select(f => f.Intent.ClientOrderId));

        rig.Accept(tenant, new UnsubscribeFromStrategy(rig.TenantId, A));
        Assert.Contains(Drain(rig.Fanout), m => m is UnregisterSubscriber);
        Assert.Empty(rig.State(tenant).Subscriptions);
    }

    // ---- Decide: SubscriptionBudgetChanged

    private static decimal BoughtBy(TenantState state, string subscription) =>
        state.Recent.Single(o => o.Intent.Source == Sources.Subscription(subscription)).Intent.Quantity;

    [Fact]
    public void A_budget_change_sizes_the_next_buy_of_its_subscription_only()
    {
        var rig = new TenantRig(this);
        var tenant = TwoSubscriptions(rig);

        rig.Accept(tenant, new ChangeSubscriptionBudget(rig.TenantId, B, 500m));
        tenant.Tell(rig.Execute(rig.Publish(OrderSide.Buy, Price)));

        rig.ExpectAck(1);
        var state = rig.State(tenant);
        Assert.Equal(500m, state.Subscriptions[B].Budget);
        Assert.InRange(BoughtBy(state, B), BoughtBy(state, A) / 2 - 0.000002m, BoughtBy(state, A) / 2 + 0.000002m);
        Assert.True(BoughtBy(state, B) * Price <= 500m);
    }

    [Fact]
    public async Task A_budget_change_whose_write_fails_is_never_acknowledged_and_the_next_buy_uses_the_old_budget()
    {
        var rig = new TenantRig(this);
        var tenant = TwoSubscriptions(rig);
        await Journal.FailWritesOf<SubscriptionBudgetChanged>();

        tenant.Tell(new ChangeSubscriptionBudget(rig.TenantId, B, 500m), TestActor);

        ExpectTerminated(tenant); // no CommandAccepted came before it
        await Journal.Heal();
        var restarted = rig.Start();
        rig.ExpectRegistration();
        Assert.Equal(1_000m, rig.State(restarted).Subscriptions[B].Budget);
        restarted.Tell(rig.Execute(rig.Publish(OrderSide.Buy, Price)));
        rig.ExpectAck(1);
        var state = rig.State(restarted);
        Assert.Equal(BoughtBy(state, A), BoughtBy(state, B));
        Assert.Empty(Events(Pid(rig)).OfType<SubscriptionBudgetChanged>());
    }

    [Fact]
    public async Task A_rejected_budget_change_is_never_acknowledged_and_the_tenant_recovers_without_it()
    {
        var rig = new TenantRig(this);
        var tenant = TwoSubscriptions(rig);
        await Journal.RejectWritesOf<SubscriptionBudgetChanged>();

        tenant.Tell(new ChangeSubscriptionBudget(rig.TenantId, B, 500m), TestActor);

        ExpectTerminated(tenant);
        await Journal.Heal();
        var restarted = rig.Start();
        rig.ExpectRegistration();
        Assert.Equal(1_000m, rig.State(restarted).Subscriptions[B].Budget);
        rig.Accept(restarted, new ChangeSubscriptionBudget(rig.TenantId, B, 500m));
        Assert.Equal(500m, rig.State(restarted).Subscriptions[B].Budget);
        Assert.Single(Events(Pid(rig)).OfType<SubscriptionBudgetChanged>());
    }

    [Fact]
    public async Task A_tenant_whose_budget_change_cannot_be_replayed_stops_before_registering_and_then_recovers_it()
    {
        var rig = new TenantRig(this);
        var tenant = TwoSubscriptions(rig);
        rig.Accept(tenant, new ChangeSubscriptionBudget(rig.TenantId, B, 500m));
        Kill(tenant);
        Drain(rig.Fanout);
        await Journal.FailRecoveries();

        var failing = rig.Start();

        ExpectTerminated(failing);
        Assert.Empty(Drain(rig.Fanout));

        await Journal.Heal();
        var restarted = rig.Start();
        rig.ExpectRegistration();
        var state = rig.State(restarted);
        Assert.Equal(500m, state.Subscriptions[B].Budget);
        Assert.Equal(1_000m, state.Subscriptions[A].Budget);
        rig.Accept(restarted, new ChangeSubscriptionBudget(rig.TenantId, B, 500m)); // the same budget: nothing new
        Assert.Single(Events(Pid(rig)).OfType<SubscriptionBudgetChanged>());
    }
}
