using TradingActors.Domain.Orders;
using TradingActors.Domain.Paper;
using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tenants;
using static TradingActors.Domain.Tests.Tenants.TenantHistory;

namespace TradingActors.Domain.Tests.Tenants;

/// <summary>
/// Subscriptions with their own ids (decision 010): several per strategy (one per account), each with its own
/// sequence, open order, budget and holding; the strategy's default subscription (no id) is what every
/// subscription was before, and an old journal replays into the same state.
/// </summary>
public sealed class SubscriptionIdTests
{
    private static readonly DateTimeOffset Now = T0.AddMinutes(5);
    private static readonly StrategyCatalog Catalog = new([new StrategyDefinition(Strategy, Symbol), new StrategyDefinition("eth-rsi", "ETHUSDT")]);
    private static readonly PaperVenueCosts Costs = new();
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(60);
    private const string A = "sub-a";
    private const string B = "sub-b";
    private const decimal PaperBuyQuantity = 0.019970m;     // 1000 at 50 000, paper costs
    private const decimal ExternalBuyQuantity = 0.019960m;  // 1000 at 50 000, external margin

    /// <summary>Subscription A on the paper account, B on the external one, both following <see cref="Strategy"/>.</summary>
    private static TenantState Two(long startA = 0, long startB = 0) => WithAccounts().Then(
        new Subscribed(Strategy, PaperAccountId, Symbol, 1_000m, T0, startA, A),
        new Subscribed(Strategy, ExternalAccountId, Symbol, 1_000m, T0, startB, B));

    private static OrderIntent IntentOf(string subscriptionId, long sequence, string account, decimal quantity, OrderSide side = OrderSide.Buy) =>
        Intent(sequence, side, quantity, account, Sources.Subscription(subscriptionId));

    private static Signal Sig(long sequence, OrderSide side = OrderSide.Buy, string strategy = Strategy) =>
        new(strategy, sequence, Symbol, side, 50_000m, T0.AddSeconds(10), "rsi crossed");

    // ---- commands

    private static readonly Dictionary<string, (Func<Decision> Decide, Decision Expected)> Commands = new()
    {
        ["subscribe: an id of its own is kept in the event"] = (() => TenantDecisions.Subscribe(WithAccounts(), Catalog, Strategy, PaperAccountId, 500m, Now, 7, A),
            Decision.Accept(new Subscribed(Strategy, PaperAccountId, Symbol, 500m, Now, 7, A))),
        ["subscribe: the same strategy on a second account is a second subscription"] = (() => TenantDecisions.Subscribe(
                WithAccounts().Then(new Subscribed(Strategy, PaperAccountId, Symbol, 1_000m, T0, 0, A)), Catalog, Strategy, ExternalAccountId, 250m, Now, 3, B),
            Decision.Accept(new Subscribed(Strategy, ExternalAccountId, Symbol, 250m, Now, 3, B))),
        ["subscribe: beside the strategy's default subscription, on another account"] = (() => TenantDecisions.Subscribe(Following(), Catalog, Strategy, ExternalAccountId, 250m, Now, 0, B),
            Decision.Accept(new Subscribed(Strategy, ExternalAccountId, Symbol, 250m, Now, 0, B))),
        ["subscribe: the same id, strategy and account again is a retry: accepted, nothing to persist"] = (() => TenantDecisions.Subscribe(Two(), Catalog, Strategy, PaperAccountId, 1_000m, Now, 9, A),
            Decision.Accept()),
        ["subscribe: a retry with another budget is still the same subscription (its budget may have changed since)"] = (() => TenantDecisions.Subscribe(Two(), Catalog, Strategy, PaperAccountId, 5m, Now, 9, A),
            Decision.Accept()),
        ["subscribe: a retry of a paused subscription is the same subscription"] = (() => TenantDecisions.Subscribe(Two().Then(new SubscriptionPaused(Strategy, T0, A)), Catalog, Strategy, PaperAccountId, 1_000m, Now, 9, A),
            Decision.Accept()),
        ["subscribe: an existing id on another account is rejected"] = (() => TenantDecisions.Subscribe(Two(), Catalog, Strategy, ExternalAccountId, 1_000m, Now, 0, A),
            Decision.Reject("subscription 'sub-a' already exists")),
        ["subscribe: an existing id for another strategy is rejected"] = (() => TenantDecisions.Subscribe(Two(), Catalog, "eth-rsi", PaperAccountId, 1_000m, Now, 0, A),
            Decision.Reject("subscription 'sub-a' already exists")),
        ["subscribe: an id that is a default subscription's key is rejected"] = (() => TenantDecisions.Subscribe(Following(), Catalog, Strategy, PaperAccountId, 1_000m, Now, 0, Strategy),
            Decision.Reject("subscription 'rsi' already exists")),
        ["subscribe: an existing id wins over an unknown strategy"] = (() => TenantDecisions.Subscribe(Two(), Catalog, "macd", PaperAccountId, 1_000m, Now, 0, A),
            Decision.Reject("subscription 'sub-a' already exists")),
        ["subscribe: a second subscription on the same strategy and account is rejected"] = (() => TenantDecisions.Subscribe(Two(), Catalog, Strategy, PaperAccountId, 1_000m, Now, 0, "sub-c"),
            Decision.Reject("already subscribed to 'rsi' on account 'pa' (subscription 'sub-a')")),
        ["subscribe: an id beside the default subscription on its account is rejected"] = (() => TenantDecisions.Subscribe(Following(), Catalog, Strategy, PaperAccountId, 1_000m, Now, 0, "sub-c"),
            Decision.Reject("already subscribed to 'rsi' on account 'pa' (subscription 'rsi')")),
        ["subscribe: a default subscription beside one with an id on another account"] = (() => TenantDecisions.Subscribe(
                WithAccounts().Then(new Subscribed(Strategy, PaperAccountId, Symbol, 1_000m, T0, 0, A)), Catalog, Strategy, ExternalAccountId, 10m, Now, 0),
            Decision.Accept(new Subscribed(Strategy, ExternalAccountId, Symbol, 10m, Now, 0))),
        ["subscribe: a default subscription on an account taken by one with an id is rejected"] = (() => TenantDecisions.Subscribe(
                WithAccounts().Then(new Subscribed(Strategy, PaperAccountId, Symbol, 1_000m, T0, 0, A)), Catalog, Strategy, PaperAccountId, 10m, Now, 0),
            Decision.Reject("already subscribed to 'rsi' on account 'pa' (subscription 'sub-a')")),
        ["subscribe: the same account for another strategy is fine"] = (() => TenantDecisions.Subscribe(Two(), Catalog, "eth-rsi", PaperAccountId, 10m, Now, 0, "sub-c"),
            Decision.Accept(new Subscribed("eth-rsi", PaperAccountId, "ETHUSDT", 10m, Now, 0, "sub-c"))),
        ["subscribe: a bad id is rejected"] = (() => TenantDecisions.Subscribe(WithAccounts(), Catalog, Strategy, PaperAccountId, 1m, Now, 0, "a b"),
            Decision.Reject("subscription id may contain only letters, digits, '-', '_' and '.'")),
        ["subscribe: an empty id is rejected"] = (() => TenantDecisions.Subscribe(WithAccounts(), Catalog, Strategy, PaperAccountId, 1m, Now, 0, ""),
            Decision.Reject("subscription id is required")),
        ["subscribe: no tenant wins over a bad id"] = (() => TenantDecisions.Subscribe(TenantState.Empty("t1"), Catalog, Strategy, PaperAccountId, 1m, Now, 0, "a b"),
            Decision.Reject("tenant 't1' does not exist")),
        ["subscribe: with an id, an unknown account is rejected"] = (() => TenantDecisions.Subscribe(WithAccounts(), Catalog, Strategy, "nope", 1m, Now, 0, A),
            Decision.Reject("unknown account 'nope'")),
        ["subscribe: with an id, a zero budget is rejected"] = (() => TenantDecisions.Subscribe(WithAccounts(), Catalog, Strategy, PaperAccountId, 0m, Now, 0, A),
            Decision.Reject("budget must be positive")),

        ["unsubscribe: by id, the event names the strategy and the id"] = (() => TenantDecisions.Unsubscribe(Two(), B, Now), Decision.Accept(new Unsubscribed(Strategy, Now, B))),
        ["unsubscribe: an unknown id is rejected"] = (() => TenantDecisions.Unsubscribe(Two(), "sub-x", Now), Decision.Reject("not subscribed to 'sub-x'")),
        ["pause: by id"] = (() => TenantDecisions.Pause(Two(), A, Now), Decision.Accept(new SubscriptionPaused(Strategy, Now, A))),
        ["pause: one paused leaves the other pausable"] = (() => TenantDecisions.Pause(Two().Then(new SubscriptionPaused(Strategy, T0, A)), B, Now),
            Decision.Accept(new SubscriptionPaused(Strategy, Now, B))),
        ["pause: by id, already paused"] = (() => TenantDecisions.Pause(Two().Then(new SubscriptionPaused(Strategy, T0, A)), A, Now), Decision.Reject("subscription 'sub-a' is already paused")),
        ["resume: by id, after the given sequence"] = (() => TenantDecisions.Resume(Two().Then(new SubscriptionPaused(Strategy, T0, A)), A, Now, 11),
            Decision.Accept(new SubscriptionResumed(Strategy, Now, 11, A))),
        ["resume: by id, already active"] = (() => TenantDecisions.Resume(Two(), B, Now, 11), Decision.Reject("subscription 'sub-b' is already active")),

        ["budget: a new budget"] = (() => TenantDecisions.ChangeBudget(Two(), A, 400m, Now), Decision.Accept(new SubscriptionBudgetChanged(Strategy, 400m, Now, A))),
        ["budget: of a default subscription"] = (() => TenantDecisions.ChangeBudget(Following(), Strategy, 400m, Now), Decision.Accept(new SubscriptionBudgetChanged(Strategy, 400m, Now))),
        ["budget: of a paused subscription"] = (() => TenantDecisions.ChangeBudget(Two().Then(new SubscriptionPaused(Strategy, T0, A)), A, 400m, Now),
            Decision.Accept(new SubscriptionBudgetChanged(Strategy, 400m, Now, A))),
        ["budget: the same budget again changes nothing"] = (() => TenantDecisions.ChangeBudget(Two(), A, 1_000m, Now), Decision.Accept()),
        ["budget: a billion is the most"] = (() => TenantDecisions.ChangeBudget(Two(), A, 1_000_000_000m, Now), Decision.Accept(new SubscriptionBudgetChanged(Strategy, 1_000_000_000m, Now, A))),
        ["budget: a cent above a billion is rejected"] = (() => TenantDecisions.ChangeBudget(Two(), A, 1_000_000_000.01m, Now), Decision.Reject("budget must be at most 1,000,000,000")),
        ["budget: the smallest positive budget"] = (() => TenantDecisions.ChangeBudget(Two(), A, 0.01m, Now), Decision.Accept(new SubscriptionBudgetChanged(Strategy, 0.01m, Now, A))),
        ["budget: zero is rejected"] = (() => TenantDecisions.ChangeBudget(Two(), A, 0m, Now), Decision.Reject("budget must be positive")),
        ["budget: negative is rejected"] = (() => TenantDecisions.ChangeBudget(Two(), A, -5m, Now), Decision.Reject("budget must be positive")),
        ["budget: an unknown id is rejected before the budget"] = (() => TenantDecisions.ChangeBudget(Two(), "sub-x", 0m, Now), Decision.Reject("not subscribed to 'sub-x'")),
        ["budget: no tenant"] = (() => TenantDecisions.ChangeBudget(TenantState.Empty("t1"), A, 5m, Now), Decision.Reject("tenant 't1' does not exist")),
    };

    public static TheoryData<string> CommandRules => new(Commands.Keys);

    [Theory]
    [MemberData(nameof(CommandRules))]
    public void Command(string rule)
    {
        var (decide, expected) = Commands[rule];

        var decision = decide();

        Assert.Equal(expected.Rejection, decision.Rejection);
        Assert.Equal(expected.Accepted, decision.Accepted);
        Assert.Equal(expected.Events.ToArray(), decision.Events.ToArray());
    }

    // ---- state

    [Fact]
    public void Two_subscriptions_of_one_strategy_are_kept_by_id_each_with_its_own_start()
    {
        var s = Two(startA: 4, startB: 9);

        Assert.Equal(new Subscription(Strategy, PaperAccountId, Symbol, 1_000m, SubscriptionStatus.Active, 0m, T0, A), s.Subscriptions[A]);
        Assert.Equal(new Subscription(Strategy, ExternalAccountId, Symbol, 1_000m, SubscriptionStatus.Active, 0m, T0, B), s.Subscriptions[B]);
        Assert.Equal(2, s.Subscriptions.Count);
        Assert.Equal(4, s.LastProcessed(A));
        Assert.Equal(9, s.LastProcessed(B));
        Assert.Equal(0, s.LastProcessed(Strategy));
        Assert.Equal(4, s.SettledThrough(Strategy));
        Assert.Equal([A, B], s.ActiveSubscriptionsOf(Strategy).Select(x => x.Key()));
    }

    [Fact]
    public void Keys_and_sources_tell_a_default_subscription_from_one_with_an_id()
    {
        var own = new Subscription(Strategy, PaperAccountId, Symbol, 1m, SubscriptionStatus.Active, 0m, T0, A);
        var dflt = own with { SubscriptionId = null };

        Assert.Equal(A, own.Key());
        Assert.Equal("subscription:sub-a", own.Source());
        Assert.Equal(Strategy, dflt.Key());
        Assert.Equal("strategy:rsi", dflt.Source());
        Assert.Equal(A, new Subscribed(Strategy, PaperAccountId, Symbol, 1m, T0, 0, A).Key());
        Assert.Equal(Strategy, new Subscribed(Strategy, PaperAccountId, Symbol, 1m, T0).Key());
        Assert.Equal(A, new Unsubscribed(Strategy, T0, A).Key());
        Assert.Equal(Strategy, new Unsubscribed(Strategy, T0).Key());
        Assert.Equal(A, new SubscriptionPaused(Strategy, T0, A).Key());
        Assert.Equal(Strategy, new SubscriptionPaused(Strategy, T0).Key());
        Assert.Equal(A, new SubscriptionResumed(Strategy, T0, 0, A).Key());
        Assert.Equal(Strategy, new SubscriptionResumed(Strategy, T0).Key());
        Assert.Equal(A, new SubscriptionBudgetChanged(Strategy, 1m, T0, A).Key());
        Assert.Equal(Strategy, new SubscriptionBudgetChanged(Strategy, 1m, T0).Key());
        Assert.Equal(A, new SignalsSkipped(Strategy, 1, 1, "x", T0, A).Key());
        Assert.Equal(Strategy, new SignalsSkipped(Strategy, 1, 1, "x", T0).Key());
    }

    [Theory]
    [InlineData("strategy:rsi", "rsi", null, "rsi")]
    [InlineData("subscription:sub-a", null, "sub-a", "sub-a")]
    [InlineData("manual:k1", null, null, null)]
    [InlineData("bot:x", null, null, null)]
    [InlineData("subscription", null, null, null)]
    [InlineData("strategy", null, null, null)]
    public void Sources_name_their_subscription(string source, string? strategy, string? subscription, string? key)
    {
        Assert.Equal(strategy, Sources.StrategyIdOf(source));
        Assert.Equal(subscription, Sources.SubscriptionIdOf(source));
        Assert.Equal(key, Sources.SubscriptionKeyOf(source));
    }

    [Fact]
    public void A_fill_counts_toward_its_own_subscription_only_and_advances_only_it()
    {
        var buy = IntentOf(A, 1, PaperAccountId, 0.01m);

        var s = Two().Apply(new OrderFilled(buy, FillOf(buy), T0));

        Assert.Equal(0.01m, s.Subscriptions[A].Held);
        Assert.Equal(0m, s.Subscriptions[B].Held);
        Assert.Equal(1, s.LastProcessed(A));
        Assert.Equal(0, s.LastProcessed(B));
        Assert.Equal(0, s.SettledThrough(Strategy));
        var sell = IntentOf(A, 2, PaperAccountId, 0.004m, OrderSide.Sell);
        Assert.Equal(0.006m, s.Apply(new OrderFilled(sell, FillOf(sell), T0)).Subscriptions[A].Held);
    }

    [Fact]
    public void A_fill_of_a_default_subscription_does_not_count_toward_one_with_an_id_under_the_same_key()
    {
        // An id equal to a strategy id: its orders' source is "subscription:rsi", not "strategy:rsi".
        var s = WithAccounts().Then(new Subscribed(Strategy, PaperAccountId, Symbol, 1_000m, T0, 0, Strategy));
        var old = Intent(1, quantity: 0.01m);

        var after = s.Apply(new OrderFilled(old, FillOf(old), T0));

        Assert.Equal(0m, after.Subscriptions[Strategy].Held);
        Assert.Equal(0.01m, after.Accounts[PaperAccountId].Paper!.Held(Symbol));
    }

    [Fact]
    public void An_open_order_blocks_its_own_subscription_only()
    {
        var pending = IntentOf(B, 1, ExternalAccountId, 0.01m);

        var s = Two().Apply(new OrderSubmitted(pending, T0));

        Assert.Equal(pending, s.OpenOrderOf(B)!.Intent);
        Assert.Null(s.OpenOrderOf(A));
        Assert.Equal(1, s.LastProcessed(B));
    }

    [Fact]
    public void Pausing_one_leaves_the_other_active_and_the_acknowledgement_follows_the_active_one()
    {
        var buy = IntentOf(B, 3, ExternalAccountId, 0.01m);
        var s = Two().Then(new SubscriptionPaused(Strategy, T0, A), new OrderFilled(buy, FillOf(buy), T0));

        Assert.Equal(SubscriptionStatus.Paused, s.Subscriptions[A].Status);
        Assert.Equal(SubscriptionStatus.Active, s.Subscriptions[B].Status);
        Assert.Equal([B], s.ActiveSubscriptionsOf(Strategy).Select(x => x.Key()));
        Assert.Equal(3, s.SettledThrough(Strategy));
        Assert.True(s.HasActiveSubscriptions);
        var both = s.Apply(new SubscriptionPaused(Strategy, T0, B));
        Assert.Null(both.SettledThrough(Strategy));
        Assert.Empty(both.ActiveSubscriptionsOf(Strategy));
        Assert.False(both.HasActiveSubscriptions);
    }

    [Fact]
    public void Settled_through_is_the_lowest_of_the_active_subscriptions_of_that_strategy_only()
    {
        var s = Two(startA: 8, startB: 5).Then(new Subscribed("eth-rsi", PaperAccountId, "ETHUSDT", 1m, T0, 2, "sub-e"));

        Assert.Equal(5, s.SettledThrough(Strategy));
        Assert.Equal(2, s.SettledThrough("eth-rsi"));
        Assert.Null(s.SettledThrough("macd"));
        Assert.Equal(5, Two(startA: 5, startB: 8).SettledThrough(Strategy));
    }

    [Fact]
    public void Resuming_by_id_restarts_only_that_subscription_after_the_given_sequence()
    {
        var s = Two(startA: 2, startB: 2).Then(new SubscriptionPaused(Strategy, T0, A), new SubscriptionResumed(Strategy, Now, 12, A));

        Assert.Equal(12, s.LastProcessed(A));
        Assert.Equal(2, s.LastProcessed(B));
        Assert.Equal(Now, s.Subscriptions[A].ActiveSince);
        Assert.Equal(T0, s.Subscriptions[B].ActiveSince);
        Assert.Equal(SubscriptionStatus.Active, s.Subscriptions[A].Status);
    }

    [Fact]
    public void A_budget_change_applies_to_its_subscription_only()
    {
        var s = Two().Apply(new SubscriptionBudgetChanged(Strategy, 250m, Now, A));

        Assert.Equal(250m, s.Subscriptions[A].Budget);
        Assert.Equal(1_000m, s.Subscriptions[B].Budget);
        Assert.Equal(s, s.Apply(new SubscriptionBudgetChanged(Strategy, 9m, Now, "sub-x")));
    }

    [Fact]
    public void Skips_advance_their_own_subscription_and_are_recorded_with_its_id()
    {
        var s = Two().Apply(new SignalsSkipped(Strategy, 1, 4, "stale", T0, B));

        Assert.Equal(4, s.LastProcessed(B));
        Assert.Equal(0, s.LastProcessed(A));
        Assert.Equal(new SkipRecord(Strategy, 1, 4, "stale", T0, B), s.Skips.Single());
        Assert.Equal(4, s.SignalsSkipped);
    }

    [Fact]
    public void Unsubscribing_by_id_forgets_its_progress_and_later_outcomes_do_not_bring_it_back()
    {
        var pending = IntentOf(B, 3, ExternalAccountId, 0.01m);
        var s = Two().Then(new OrderSubmitted(pending, T0), new Unsubscribed(Strategy, T0, B));

        Assert.False(s.Subscriptions.ContainsKey(B));
        Assert.False(s.LastSignal.ContainsKey(B));
        Assert.True(s.Subscriptions.ContainsKey(A));
        var settled = s.Then(new OrderFilled(pending, FillOf(pending), T0), new SignalsSkipped(Strategy, 4, 4, "stale", T0, B));
        Assert.False(settled.LastSignal.ContainsKey(B));
        Assert.Empty(settled.Open);
        Assert.Equal(1, settled.OrdersFilled);
    }

    [Fact]
    public void Unsubscribing_a_default_subscription_keeps_the_strategy_progress_as_before()
    {
        var s = Following(startAfter: 6).Apply(new Unsubscribed(Strategy, T0));

        Assert.Empty(s.Subscriptions);
        Assert.Equal(6, s.LastProcessed(Strategy));
        Assert.Equal(7, s.Apply(new SignalsSkipped(Strategy, 7, 7, "stale", T0)).LastProcessed(Strategy));
    }

    // ---- plans

    [Fact]
    public void One_signal_is_one_order_per_subscription_with_distinct_client_order_ids()
    {
        var s = Two();

        var a = Assert.IsType<SignalPlan.Place>(TenantDecisions.PlanSignal(s, A, Sig(1), Costs, MaxAge, T0.AddSeconds(20)));
        var b = Assert.IsType<SignalPlan.Place>(TenantDecisions.PlanSignal(s, B, Sig(1), Costs, MaxAge, T0.AddSeconds(20)));

        Assert.Equal(new SignalPlan.Place(IntentOf(A, 1, PaperAccountId, PaperBuyQuantity), true), a);
        Assert.Equal(new SignalPlan.Place(IntentOf(B, 1, ExternalAccountId, ExternalBuyQuantity), false), b);
        Assert.NotEqual(a.Intent.ClientOrderId, b.Intent.ClientOrderId);
    }

    [Fact]
    public void Two_subscriptions_on_the_same_account_in_different_tenant_states_never_share_an_id_with_the_default_one()
    {
        var withId = WithAccounts().Then(new Subscribed(Strategy, PaperAccountId, Symbol, 1_000m, T0, 0, A));

        var own = Assert.IsType<SignalPlan.Place>(TenantDecisions.PlanSignal(withId, A, Sig(1), Costs, MaxAge, T0.AddSeconds(20)));
        var dflt = Assert.IsType<SignalPlan.Place>(TenantDecisions.PlanSignal(Following(), Sig(1), Costs, MaxAge, T0.AddSeconds(20)));

        Assert.Equal("subscription:sub-a", own.Intent.Source);
        Assert.Equal("strategy:rsi", dflt.Intent.Source);
        Assert.NotEqual(own.Intent.ClientOrderId, dflt.Intent.ClientOrderId);
    }

    public static TheoryData<string> PlanRules => new(Plans.Keys);

    private static readonly Dictionary<string, (TenantState State, string Key, Signal Signal, SignalPlan Expected)> Plans = new()
    {
        ["an unknown subscription: ignored"] = (Two(), "sub-x", Sig(1), new SignalPlan.Ignore("not subscribed")),
        ["a subscription of another strategy: ignored"] = (Two(), A, Sig(1, strategy: "eth-rsi"), new SignalPlan.Ignore("not subscribed")),
        ["the strategy id is not a key when only subscriptions with ids exist"] = (Two(), Strategy, Sig(1), new SignalPlan.Ignore("not subscribed")),
        ["each subscription has its own sequence: processed for A"] = (Two(startA: 3), A, Sig(3), new SignalPlan.Ignore("already processed")),
        ["each subscription has its own sequence: B waits for its own next"] = (Two(startA: 3), B, Sig(3), new SignalPlan.Wait(1)),
        ["a paused subscription ignores, the other trades"] = (Two().Then(new SubscriptionPaused(Strategy, T0, A)), A, Sig(1), new SignalPlan.Ignore("subscription paused")),
        ["the other of a paused one trades"] = (Two().Then(new SubscriptionPaused(Strategy, T0, A)), B, Sig(1),
            new SignalPlan.Place(IntentOf(B, 1, ExternalAccountId, ExternalBuyQuantity), false)),
        ["an open order of B defers B"] = (Two().Then(new OrderSubmitted(IntentOf(B, 1, ExternalAccountId, 0.01m), T0)), B, Sig(2),
            new SignalPlan.Defer("an earlier order of this subscription is unresolved")),
        ["an open order of B does not defer A"] = (Two(startA: 1).Then(new OrderSubmitted(IntentOf(B, 1, ExternalAccountId, 0.01m), T0)), A, Sig(2),
            new SignalPlan.Place(IntentOf(A, 2, PaperAccountId, PaperBuyQuantity), true)),
        ["A holding does not stop B buying"] = (Two().Then(new OrderFilled(IntentOf(A, 1, PaperAccountId, 0.01m), FillOf(IntentOf(A, 1, PaperAccountId, 0.01m)), T0)), B, Sig(1),
            new SignalPlan.Place(IntentOf(B, 1, ExternalAccountId, ExternalBuyQuantity), false)),
        ["A holding: A skips the next buy"] = (Two().Then(new OrderFilled(IntentOf(A, 1, PaperAccountId, 0.01m), FillOf(IntentOf(A, 1, PaperAccountId, 0.01m)), T0)), A, Sig(2),
            new SignalPlan.Skip("already holding")),
        ["B flat: B skips a sell while A sells what it holds"] = (Two(startB: 1).Then(new OrderFilled(IntentOf(A, 1, PaperAccountId, 0.01m), FillOf(IntentOf(A, 1, PaperAccountId, 0.01m)), T0)), B, Sig(2, OrderSide.Sell),
            new SignalPlan.Skip("flat")),
        ["A sells what A holds"] = (Two(startB: 1).Then(new OrderFilled(IntentOf(A, 1, PaperAccountId, 0.01m), FillOf(IntentOf(A, 1, PaperAccountId, 0.01m)), T0)), A, Sig(2, OrderSide.Sell),
            new SignalPlan.Place(IntentOf(A, 2, PaperAccountId, 0.01m, OrderSide.Sell), true)),
        ["a changed budget sizes the next buy"] = (Two().Then(new SubscriptionBudgetChanged(Strategy, 500m, T0, B)), B, Sig(1),
            new SignalPlan.Place(IntentOf(B, 1, ExternalAccountId, 0.009980m), false)),
    };

    [Theory]
    [MemberData(nameof(PlanRules))]
    public void Plan(string rule)
    {
        var (state, key, signal, expected) = Plans[rule];

        Assert.Equal(expected, TenantDecisions.PlanSignal(state, key, signal, Costs, MaxAge, T0.AddSeconds(20)));
    }

    // ---- an old journal (before subscriptions had ids) replays into an equivalent state

    [Fact]
    public void A_journal_written_before_subscription_ids_replays_into_the_strategy_default_subscription()
    {
        var buy = Intent(1, quantity: 0.01m);
        var sell = Intent(3, OrderSide.Sell, 0.01m);
        ITenantEvent[] v1 =
        [
            new TenantCreated(Tenant, "Tenant One", T0),
            new PaperAccountLinked(PaperAccountId, 10_000m, T0),
            new Subscribed(Strategy, PaperAccountId, Symbol, 1_000m, T0, 0),
            new OrderFilled(buy, FillOf(buy), T0),
            new SignalsSkipped(Strategy, 2, 2, "stale", T0),
            new SubscriptionPaused(Strategy, T0),
            new SubscriptionResumed(Strategy, T0, 2),
            new OrderFilled(sell, FillOf(sell), T0),
        ];

        var s = TenantState.Empty(Tenant).Then(v1);

        var sub = s.Subscriptions[Strategy];
        Assert.Null(sub.SubscriptionId);
        Assert.Equal(Strategy, sub.Key());
        Assert.Equal(TenantHistory.Source, sub.Source());
        Assert.Equal(0m, sub.Held);
        Assert.Equal(3, s.LastProcessed(Strategy));
        Assert.Equal(3, s.SettledThrough(Strategy));
        Assert.Equal(SubscriptionStatus.Active, sub.Status);
        // The next signal's order has the client order id it had before ids existed.
        var next = Assert.IsType<SignalPlan.Place>(TenantDecisions.PlanSignal(s, Strategy, Sig(4), Costs, MaxAge, T0.AddSeconds(20)));
        Assert.Equal(ClientOrderIds.Create(Tenant, PaperAccountId, "strategy:rsi", 4, 0), next.Intent.ClientOrderId);
        Assert.Equal([Strategy], s.Subscriptions.Keys);
    }
}
