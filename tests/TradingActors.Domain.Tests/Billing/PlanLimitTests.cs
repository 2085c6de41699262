using TradingActors.Domain.Billing;
using TradingActors.Domain.Bots;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tenants;
using static TradingActors.Domain.Tests.Billing.PlanHistory;
using static TradingActors.Domain.Tests.Tenants.TenantHistory;

namespace TradingActors.Domain.Tests.Billing;

/// <summary>
/// Creating and starting bots, creating and resuming subscriptions over the tenant's plan (decision 032): refused with a
/// reason naming the limit and the plan that lifts it; live accounts refused on plans without live trading.
/// </summary>
public sealed class PlanLimitTests
{
    private static readonly DateTimeOffset T1 = T0.AddMinutes(1);
    private const string FreeLive = "live trading: plan Free trades paper and testnet accounts only; Starter allows live accounts";

    /// <summary>Two bots, one pair: what a pairs refusal needs (the lifting plan: Starter, the cheapest with more than one pair).</summary>
    private static readonly Plan Duo = PlanCatalog.Starter with { Id = "duo", Name = "Duo", MaxBots = 2, MaxPairs = 1 };

    private static readonly StrategyCatalog Strategies = new([new StrategyDefinition(Strategy, Symbol), new StrategyDefinition("ema", "ETHUSDT", "ema-cross")]);

    private static TenantState Accounts() => WithAccounts().WithTestnet();

    private static TenantState Free() => Accounts().On(PlanCatalog.Free);

    public sealed record Row(string Rule, Func<TenantState> State, Func<TenantState, Decision> Decide, string? Refusal, Func<ITenantEvent[]>? Events = null);

    public static readonly Dictionary<string, Row> Rows = new[]
    {
        // ---- create a bot: every bot counts (stopped ones too), and the pairs of every bot
        new Row("create: the first bot on Free", Free, s => BotDecisions.Create(s, Bot("b1"), T1), null, () => [new BotCreated(Bot("b1"), T1)]),
        new Row("create: a second bot on Free, the first stopped", () => Free().WithBot("b1", BotStatus.Stopped), s => BotDecisions.Create(s, Bot("b2"), T1),
            "bots: 1 of 1 on plan Free; Starter allows 5"),
        new Row("create: a bot on a live account on Free", Free, s => BotDecisions.Create(s, Bot("b1", ExternalAccountId), T1), FreeLive),
        new Row("create: live trading is refused before the count", () => Free().WithBot("b1", BotStatus.Stopped),
            s => BotDecisions.Create(s, Bot("b2", ExternalAccountId), T1), FreeLive),
        new Row("create: a bot on a testnet account on Free", Free, s => BotDecisions.Create(s, Bot("b1", TestnetAccountId), T1), null,
            () => [new BotCreated(Bot("b1", TestnetAccountId), T1)]),
        new Row("create: a sixth bot on Starter", () => Accounts().On(PlanCatalog.Starter).WithBot("b1").WithBot("b2").WithBot("b3").WithBot("b4").WithBot("b5", BotStatus.Stopped),
            s => BotDecisions.Create(s, Bot("b6"), T1), "bots: 5 of 5 on plan Starter; Pro allows 20"),
        new Row("create: a bot on a second pair", () => Accounts().On(Duo).WithBot("b1", BotStatus.Stopped), s => BotDecisions.Create(s, Bot("b2", symbol: "ETHUSDT"), T1),
            "pairs: the bots trade 1 of 1 on plan Duo, ETHUSDT would be one more; Starter allows 5"),
        new Row("create: two bots on one pair leave room for a second pair", () => Accounts().On(Duo with { MaxBots = 3, MaxPairs = 2 }).WithBot("b1").WithBot("b2", BotStatus.Stopped),
            s => BotDecisions.Create(s, Bot("b3", symbol: "ETHUSDT"), T1), null, () => [new BotCreated(Bot("b3", symbol: "ETHUSDT"), T1)]),
        new Row("create: a second bot on the same pair", () => Accounts().On(Duo).WithBot("b1", BotStatus.Stopped), s => BotDecisions.Create(s, Bot("b2"), T1), null,
            () => [new BotCreated(Bot("b2"), T1)]),
        new Row("create: a bad config is reported before the plan", () => Free().WithBot("b1", BotStatus.Stopped), s => BotDecisions.Create(s, Bot("b2") with { Budget = 0m }, T1),
            "budget must be positive"),
        new Row("create: the same bot again on a full plan is a retry", () => Free().WithBot("b1", BotStatus.Stopped), s => BotDecisions.Create(s, Bot("b1"), T1), null, () => []),

        // ---- start a bot: the running ones count
        new Row("start: the one bot on Free", () => Free().WithBot("b1", BotStatus.Stopped), s => BotDecisions.Start(s, "b1", T1), null, () => [new BotStarted("b1", T1)]),
        new Row("start: a second bot while one runs on Free", () => Accounts().WithBot("b1").WithBot("b2", BotStatus.Stopped).On(PlanCatalog.Free),
            s => BotDecisions.Start(s, "b2", T1), "running bots: 1 of 1 on plan Free; Starter allows 5"),
        new Row("start: a paused bot while another runs on Free", () => Accounts().WithBot("b1").WithBot("b2", BotStatus.Paused).On(PlanCatalog.Free),
            s => BotDecisions.Start(s, "b2", T1), "running bots: 1 of 1 on plan Free; Starter allows 5"),
        new Row("start: a second bot while the other is paused", () => Accounts().WithBot("b1", BotStatus.Paused).WithBot("b2", BotStatus.Stopped).On(PlanCatalog.Free),
            s => BotDecisions.Start(s, "b2", T1), null, () => [new BotStarted("b2", T1)]),
        new Row("start: a paused bot on Free when it is the only one", () => Free().WithBot("b1", BotStatus.Paused), s => BotDecisions.Start(s, "b1", T1), null,
            () => [new BotStarted("b1", T1)]),
        new Row("start: a bot on a live account on Free", () => Accounts().WithBot("b1", BotStatus.Paused, ExternalAccountId).On(PlanCatalog.Free),
            s => BotDecisions.Start(s, "b1", T1), FreeLive),
        new Row("start: a bot on a second pair while the first runs", () => Accounts().WithBot("b1").WithBot("b2", BotStatus.Stopped, symbol: "ETHUSDT").On(Duo),
            s => BotDecisions.Start(s, "b2", T1), "pairs: the running bots trade 1 of 1 on plan Duo, ETHUSDT would be one more; Starter allows 5"),
        new Row("start: a bot on a second pair while the first is stopped", () => Accounts().WithBot("b1", BotStatus.Stopped).WithBot("b2", BotStatus.Stopped, symbol: "ETHUSDT").On(Duo),
            s => BotDecisions.Start(s, "b2", T1), null, () => [new BotStarted("b2", T1)]),
        new Row("start: a second bot on the running pair", () => Accounts().WithBot("b1").WithBot("b2", BotStatus.Stopped).On(Duo),
            s => BotDecisions.Start(s, "b2", T1), null, () => [new BotStarted("b2", T1)]),
        new Row("start: the bot's own state is said first", () => Free().WithBot("b1"), s => BotDecisions.Start(s, "b1", T1), "bot 'b1' is already running"),
        new Row("start: a suspension is said before the plan", () => Accounts().WithBot("b1").WithBot("b2", BotStatus.Stopped).On(PlanCatalog.Free).Then(new TenantSuspended("review", T0)),
            s => BotDecisions.Start(s, "b2", T1), TenantDecisions.SuspendedForTrader),
        new Row("start: an unknown bot", Free, s => BotDecisions.Start(s, "nope", T1), "unknown bot 'nope'"),

        // ---- subscribe: every subscription counts (paused ones too)
        new Row("subscribe: the first on Free", Free, s => TenantDecisions.Subscribe(s, Strategies, Strategy, PaperAccountId, 1_000m, T1), null,
            () => [new Subscribed(Strategy, PaperAccountId, Symbol, 1_000m, T1)]),
        new Row("subscribe: a second on Free, the first paused", () => Free().WithSubscription("s1", paused: true, strategy: "ema"),
            s => TenantDecisions.Subscribe(s, Strategies, Strategy, PaperAccountId, 1_000m, T1), "subscriptions: 1 of 1 on plan Free; Starter allows 5"),
        new Row("subscribe: on a live account on Free", Free, s => TenantDecisions.Subscribe(s, Strategies, Strategy, ExternalAccountId, 1_000m, T1), FreeLive),
        new Row("subscribe: on a testnet account on Free", Free, s => TenantDecisions.Subscribe(s, Strategies, Strategy, TestnetAccountId, 1_000m, T1, subscriptionId: "s1"), null,
            () => [new Subscribed(Strategy, TestnetAccountId, Symbol, 1_000m, T1, SubscriptionId: "s1")]),
        new Row("subscribe: a retry on a full plan is still a retry", () => Free().WithSubscription("s1"),
            s => TenantDecisions.Subscribe(s, Strategies, Strategy, PaperAccountId, 1_000m, T1, subscriptionId: "s1"), null, () => []),
        new Row("subscribe: a bad budget is reported before the plan", () => Free().WithSubscription("s1", strategy: "ema"),
            s => TenantDecisions.Subscribe(s, Strategies, Strategy, PaperAccountId, 0m, T1), "budget must be positive"),
        new Row("subscribe: a fifth on Starter", () => Accounts().On(PlanCatalog.Starter).WithSubscription("s1").WithSubscription("s2", strategy: "a")
                .WithSubscription("s3", strategy: "b").WithSubscription("s4", strategy: "c"),
            s => TenantDecisions.Subscribe(s, Strategies, "ema", PaperAccountId, 1_000m, T1), null, () => [new Subscribed("ema", PaperAccountId, "ETHUSDT", 1_000m, T1)]),
        new Row("subscribe: a sixth on Starter", () => Accounts().On(PlanCatalog.Starter).WithSubscription("s1").WithSubscription("s2", strategy: "a")
                .WithSubscription("s3", strategy: "b").WithSubscription("s4", strategy: "c").WithSubscription("s5", strategy: "d"),
            s => TenantDecisions.Subscribe(s, Strategies, "ema", PaperAccountId, 1_000m, T1), "subscriptions: 5 of 5 on plan Starter; Pro allows 20"),
        new Row("subscribe: without a plan (legacy), any number", () => Accounts().WithSubscription("s1").WithSubscription("s2", strategy: "a").WithSubscription("s3", strategy: "b"),
            s => TenantDecisions.Subscribe(s, Strategies, "ema", ExternalAccountId, 1_000m, T1), null, () => [new Subscribed("ema", ExternalAccountId, "ETHUSDT", 1_000m, T1)]),

        // ---- resume: the active ones count
        new Row("resume: while another is active on Free", () => Accounts().WithSubscription("s1").WithSubscription("s2", paused: true, strategy: "ema").On(PlanCatalog.Free),
            s => TenantDecisions.Resume(s, "s2", T1), "active subscriptions: 1 of 1 on plan Free; Starter allows 5"),
        new Row("resume: while the other is paused on Free", () => Accounts().WithSubscription("s1", paused: true).WithSubscription("s2", paused: true, strategy: "ema").On(PlanCatalog.Free),
            s => TenantDecisions.Resume(s, "s2", T1, 7), null, () => [new SubscriptionResumed("ema", T1, 7, "s2")]),
        new Row("resume: on a live account on Free", () => Accounts().WithSubscription("s1", ExternalAccountId, paused: true).On(PlanCatalog.Free),
            s => TenantDecisions.Resume(s, "s1", T1), FreeLive),
        new Row("resume: an active one", () => Free().WithSubscription("s1"), s => TenantDecisions.Resume(s, "s1", T1), "subscription 's1' is already active"),
        new Row("resume: an unknown one", Free, s => TenantDecisions.Resume(s, "s9", T1), "not subscribed to 's9'"),
    }.ToDictionary(r => r.Rule);

    public static TheoryData<string> Rules => new(Rows.Keys);

    [Theory]
    [MemberData(nameof(Rules))]
    public void Each_decision_holds_to_the_plan(string rule)
    {
        var row = Rows[rule];
        var decision = row.Decide(row.State());
        Assert.Equal(row.Refusal, decision.Rejection);
        if (row.Events is not null) Assert.Equal(row.Events(), decision.Events);
        // A refusal by the plan carries the limit for the API; every other refusal none.
        Assert.Equal(row.Refusal is not null && (row.Refusal.Contains(" on plan ") || row.Refusal.StartsWith("live trading", StringComparison.Ordinal)), decision.OverPlan is not null);
    }

    [Fact]
    public void A_refusal_carries_the_limit_the_plan_and_the_lifting_plan_for_the_api()
    {
        var bots = BotDecisions.Create(Free().WithBot("b1", BotStatus.Stopped), Bot("b2"), T1);
        Assert.Equal(new PlanRefusal(PlanLimit.Bots, "free", "starter", "bots: 1 of 1 on plan Free; Starter allows 5"), bots.OverPlan);
        var pairs = BotDecisions.Create(Accounts().On(Duo).WithBot("b1"), Bot("b2", symbol: "ETHUSDT"), T1);
        Assert.Equal((PlanLimit.Pairs, "duo", "starter"), (pairs.OverPlan!.Limit, pairs.OverPlan.PlanId, pairs.OverPlan.LiftingPlanId));
        var subscriptions = TenantDecisions.Subscribe(Free().WithSubscription("s1", strategy: "ema"), Strategies, Strategy, PaperAccountId, 1_000m, T1);
        Assert.Equal((PlanLimit.Subscriptions, "free", "starter"), (subscriptions.OverPlan!.Limit, subscriptions.OverPlan.PlanId, subscriptions.OverPlan.LiftingPlanId));
        var live = TenantDecisions.Subscribe(Free(), Strategies, Strategy, ExternalAccountId, 1_000m, T1);
        Assert.Equal(new PlanRefusal(PlanLimit.LiveTrading, "free", "starter", FreeLive), live.OverPlan);
        // The catalog given is the one whose plans are named.
        var team = PlanCatalog.Starter with { Id = "team", Name = "Team", MaxBots = 2, MaxPairs = 2, MonthlyPrice = 5m, YearlyPrice = 50m };
        Assert.Equal("bots: 1 of 1 on plan Free; Team allows 2",
            BotDecisions.Create(Free().WithBot("b1", BotStatus.Stopped), Bot("b2"), T1, new PlanCatalog([.. PlanCatalog.Seeds, team])).Rejection);
        Assert.Equal("running bots: 1 of 1 on plan Free; Team allows 2",
            BotDecisions.Start(Accounts().WithBot("b1").WithBot("b2", BotStatus.Stopped).On(PlanCatalog.Free), "b2", T1, plans: new PlanCatalog([team])).Rejection);
        Assert.Equal("active subscriptions: 1 of 1 on plan Free; no plan allows more",
            TenantDecisions.Resume(Accounts().WithSubscription("s1").WithSubscription("s2", paused: true, strategy: "ema").On(PlanCatalog.Free), "s2", T1,
                plans: new PlanCatalog([PlanCatalog.Free])).Rejection);
    }

    [Fact]
    public void A_running_bot_or_an_active_subscription_does_not_count_against_itself()
    {
        var s = Free().WithBot("b1").WithSubscription("s1");
        Assert.Null(PlanDecisions.StartBot(s, s.BotsById["b1"].Config));
        Assert.Null(PlanDecisions.ResumeSubscription(s, s.Subscriptions["s1"]));
        var two = Accounts().WithBot("b1").WithBot("b2").WithSubscription("s1").WithSubscription("s2", strategy: "ema").On(PlanCatalog.Free);
        Assert.Equal(PlanLimit.Bots, PlanDecisions.StartBot(two, two.BotsById["b1"].Config)?.Limit);
        Assert.Equal(PlanLimit.Subscriptions, PlanDecisions.ResumeSubscription(two, two.Subscriptions["s1"])?.Limit);
    }

    [Fact]
    public void The_tenants_bot_open_orders_bound_follows_its_plan()
    {
        Assert.Equal("maxOpenOrders must be between 0 and 200, what the plan's bots may have open (0: off)",
            TenantRiskDecisions.Set(Free(), new TenantRisk(MaxOpenOrders: 201), T1).Rejection);
        Assert.True(TenantRiskDecisions.Set(Free(), new TenantRisk(MaxOpenOrders: 200), T1).Accepted);
        Assert.True(TenantRiskDecisions.Set(Accounts(), new TenantRisk(MaxOpenOrders: 1_000), T1).Accepted);
        Assert.True(TenantRiskDecisions.Set(Accounts().On(PlanCatalog.Pro), new TenantRisk(MaxOpenOrders: 4_000), T1).Accepted);
        Assert.False(TenantRiskDecisions.Set(Accounts().On(PlanCatalog.Pro), new TenantRisk(MaxOpenOrders: 4_001), T1).Accepted);
    }

    [Fact]
    public void Free_runs_the_demo_a_dca_bot_and_an_rsi_subscription_on_paper()
    {
        var dca = new BotConfig("demo-dca", "dca", Symbol, PaperAccountId,
            """{"base_order":200,"safety_order":200,"max_safety_orders":3,"price_deviation":0.3,"volume_scale":1.5,"take_profit":0.3,"ema_filter":0}""",
            2_000m, 10, new BotRisk(MaxDrawdownPercent: 25m));
        var s = Free();
        foreach (var decide in new Func<TenantState, Decision>[]
                 {
                     t => TenantDecisions.Subscribe(t, Strategies, Strategy, PaperAccountId, 1_000m, T1),
                     t => BotDecisions.Create(t, dca, T1),
                     t => BotDecisions.Start(t, "demo-dca", T1),
                 })
        {
            var decision = decide(s);
            Assert.True(decision.Accepted, decision.Rejection);
            s = s.Then([.. decision.Events]);
        }
        // The subscription's buy opens one position, the bot's base order the other.
        var signal = TenantDecisions.PlanSignal(s, new Signal(Strategy, 1, Symbol, OrderSide.Buy, 50_000m, T1, "rsi crossed"), new Paper.PaperVenueCosts(), TimeSpan.FromMinutes(1), T1);
        var place = Assert.IsType<SignalPlan.Place>(signal);
        s = s.Then(new OrderFilled(place.Intent, FillOf(place.Intent), T1));
        var step = BotDecisions.Step(s, "demo-dca", [StrategyIntent.Market(1, OrderSide.Buy, IntentSizing.Quote, 200, IntentReason.None)], Bots.BotHistory.State,
            Bots.BotHistory.NoFed, 50_000m, new Paper.PaperVenueCosts(), T1);
        Assert.NotNull(Assert.Single(step!.Legs).Place);
    }
}
