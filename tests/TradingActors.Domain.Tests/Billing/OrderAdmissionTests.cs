using TradingActors.Domain.Billing;
using TradingActors.Domain.Bots;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Paper;
using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tenants;
using static TradingActors.Domain.Tests.Billing.PlanHistory;
using static TradingActors.Domain.Tests.Tenants.TenantHistory;
using static TradingActors.Domain.Tests.Bots.BotHistory;

namespace TradingActors.Domain.Tests.Billing;

/// <summary>
/// PlanDecisions.AdmitOrder (decision 032): the one check every automated order passes — live trading, trades today,
/// open positions; a sell always admitted — and where it is applied: a signal's order (skipped with the reason) and a
/// bot's legs (refused with the reason).
/// </summary>
public sealed class OrderAdmissionTests
{
    private const string FreeFull = "trades per day: 1,000 of 1,000 today (UTC) on plan Free; Starter allows 5,000";
    private const string FreeLive = "live trading: plan Free trades paper and testnet accounts only; Starter allows live accounts";
    private const string FreePositions = "open positions: 2 of 2 on plan Free; Starter allows 10";

    private static TenantState Free() => WithAccounts().WithTestnet().On(PlanCatalog.Free);

    public sealed record AdmitRow(string Rule, Func<TenantState> State, string? Refusal, OrderSide Side = OrderSide.Buy, string Account = PaperAccountId,
        bool Opens = true, int Decided = 0);

    public static readonly Dictionary<string, AdmitRow> AdmitRows = new[]
    {
        new AdmitRow("nothing traded yet", Free, null),
        new AdmitRow("the 1,000th order of the day", () => Free().Traded(999), null),
        new AdmitRow("the 1,001st order of the day", () => Free().Traded(1_000), FreeFull),
        new AdmitRow("a sell at the limit: an exit is never held", () => Free().Traded(1_000), null, OrderSide.Sell),
        new AdmitRow("a sell past the limit", () => Free().Traded(5_000), null, OrderSide.Sell),
        new AdmitRow("yesterday's orders do not count", () => Free().Traded(1_000, T0.AddDays(-1)), null),
        new AdmitRow("an earlier leg of the same decision counts", () => Free().Traded(999), FreeFull, Decided: 1),
        new AdmitRow("bot orders decided and not placed yet count", () => Free().Traded(998).WithBot("b1").Then(
            new BotStepped("b1", 1, Bots.BotHistory.State, Bots.BotHistory.NoFed,
                [new BotLeg(1, Place: Intent(1, source: "bot:b1")), new BotLeg(2, Place: Intent(1, source: "bot:b1") with { ClientOrderId = "b1-2" })], 50_000m, T0)),
            FreeFull),
        new AdmitRow("the zone is named", () => Free().InZone("Europe/Paris").Traded(1_000),
            "trades per day: 1,000 of 1,000 today (Europe/Paris) on plan Free; Starter allows 5,000"),
        new AdmitRow("Starter full: Pro lifts it", () => Free().On(PlanCatalog.Starter).Traded(5_000),
            "trades per day: 5,000 of 5,000 today (UTC) on plan Starter; Pro allows 20,000"),
        new AdmitRow("Pro full: Enterprise allows any number", () => Free().On(PlanCatalog.Pro).Traded(20_000),
            "trades per day: 20,000 of 20,000 today (UTC) on plan Pro; Enterprise allows any number"),
        new AdmitRow("Enterprise counts no trades", () => Free().On(PlanCatalog.Enterprise).Traded(int.MaxValue - 1), null),
        new AdmitRow("a tenant without a plan (legacy) counts no trades", () => WithAccounts().Traded(int.MaxValue - 1), null),
        new AdmitRow("a buy on a live account without live trading", Free, FreeLive, Account: ExternalAccountId),
        new AdmitRow("a sell on a live account without live trading", Free, null, OrderSide.Sell, ExternalAccountId),
        new AdmitRow("a buy on a testnet account", Free, null, Account: TestnetAccountId),
        new AdmitRow("a buy on a live account on Starter", () => Free().On(PlanCatalog.Starter), null, Account: ExternalAccountId),
        new AdmitRow("a buy on a live account without a plan (legacy)", () => WithAccounts(), null, Account: ExternalAccountId),
        new AdmitRow("live trading is refused before trades are counted", () => Free().Traded(1_000), FreeLive, Account: ExternalAccountId),
        new AdmitRow("a second position", () => Free().WithHolding("s1"), null),
        new AdmitRow("a third position", () => Free().WithHolding("s1").WithHolding("s2", 2), FreePositions),
        new AdmitRow("a buy into a position held", () => Free().WithHolding("s1").WithHolding("s2", 2), null, Opens: false),
        new AdmitRow("a sell with every position taken", () => Free().WithHolding("s1").WithHolding("s2", 2), null, OrderSide.Sell),
        new AdmitRow("trades are refused before positions", () => Free().WithHolding("s1").WithHolding("s2", 2).Traded(1_000), FreeFull),
        new AdmitRow("legacy counts no positions", () => WithAccounts().WithHolding("s1").WithHolding("s2", 2).WithHolding("s3", 3), null),
    }.ToDictionary(r => r.Rule);

    public static TheoryData<string> AdmitRules => new(AdmitRows.Keys);

    [Theory]
    [MemberData(nameof(AdmitRules))]
    public void The_plan_admits_an_automated_order_or_says_which_limit_refuses_it(string rule)
    {
        var row = AdmitRows[rule];
        var s = row.State();
        Assert.Equal(row.Refusal, PlanDecisions.AdmitOrder(s, s.Accounts[row.Account], row.Side, row.Opens, T1, decided: row.Decided)?.Reason);
    }

    [Fact]
    public void A_refusal_names_the_limit_the_plan_and_the_plan_that_lifts_it()
    {
        var s = Free().Traded(1_000);
        Assert.Equal(new PlanRefusal(PlanLimit.TradesPerDay, "free", "starter", FreeFull), PlanDecisions.AdmitOrder(s, s.Accounts[PaperAccountId], OrderSide.Buy, true, T1));
        Assert.Equal(new PlanRefusal(PlanLimit.LiveTrading, "free", "starter", FreeLive), PlanDecisions.AdmitOrder(s, s.Accounts[ExternalAccountId], OrderSide.Buy, true, T1));
        var top = Free().On(PlanCatalog.Enterprise with { OpenPositions = 1 }).WithHolding("s1");
        Assert.Equal(new PlanRefusal(PlanLimit.OpenPositions, "enterprise", null, "open positions: 1 of 1 on plan Enterprise; no plan allows more"),
            PlanDecisions.AdmitOrder(top, top.Accounts[PaperAccountId], OrderSide.Buy, true, T1, new PlanCatalog([])));
    }

    // ---- what counts as an open position

    private static readonly OrderIntent BotBuy = Bots.BotHistory.FirstBuy;

    public sealed record PositionRow(string Rule, Func<TenantState> State, int Positions);

    public static readonly Dictionary<string, PositionRow> PositionRows = new[]
    {
        new PositionRow("nothing held", () => Free().WithSubscription("s1").WithBot("b1"), 0),
        new PositionRow("a subscription holding", () => Free().WithHolding("s1"), 1),
        new PositionRow("a subscription buying (its order open at the venue)", () => Free().WithSubscription("s1", ExternalAccountId).Then(
            new OrderSubmitted(Intent(1, account: ExternalAccountId, source: Sources.Subscription("s1")), T0)), 1),
        new PositionRow("a subscription that sold what it held", () => Free().WithHolding("s1").Then(
            new OrderFilled(Intent(2, OrderSide.Sell, source: Sources.Subscription("s1")), FillOf(Intent(2, OrderSide.Sell, source: Sources.Subscription("s1"))), T0)), 0),
        new PositionRow("a bot holding", () => Bots.BotHistory.Holding().On(PlanCatalog.Free), 1),
        new PositionRow("a bot whose buy is decided, not placed yet", () => Bots.BotHistory.Running().Then(Bots.BotHistory.Placed(1, (1, BotBuy))), 1),
        new PositionRow("a bot whose buys rest, twice: one position", () => Bots.BotHistory.Running().Then(
            Bots.BotHistory.Placed(1, (1, Bots.BotHistory.Order(1, 0, OrderSide.Buy, 0.01m, 45_000m)), (2, Bots.BotHistory.Order(1, 1, OrderSide.Buy, 0.01m, 44_000m))),
            Bots.BotHistory.Working(Bots.BotHistory.Order(1, 0, OrderSide.Buy, 0.01m, 45_000m)), Bots.BotHistory.Working(Bots.BotHistory.Order(1, 1, OrderSide.Buy, 0.01m, 44_000m))), 1),
        new PositionRow("a bot and a subscription holding", () => Bots.BotHistory.Holding().WithHolding("s1", 5), 2),
        new PositionRow("a trader's own position is not counted", () => Free().Then(
            new OrderFilled(Intent(0, source: Sources.Manual("r1")), FillOf(Intent(0, source: Sources.Manual("r1"))), T0)), 0),
        new PositionRow("a paused subscription still holds", () => Free().WithHolding("s1").Then(new SubscriptionPaused("s-s1", T0, "s1")), 1),
    }.ToDictionary(r => r.Rule);

    public static TheoryData<string> PositionRules => new(PositionRows.Keys);

    [Theory]
    [MemberData(nameof(PositionRules))]
    public void Open_positions_are_the_subscriptions_and_bots_holding_or_buying(string rule)
    {
        var row = PositionRows[rule];
        Assert.Equal(row.Positions, PlanDecisions.OpenPositions(row.State()));
    }

    // ---- a signal's order

    private static readonly PaperVenueCosts Costs = new();

    private static Signal Sig(long sequence, OrderSide side = OrderSide.Buy) => new(Strategy, sequence, Symbol, side, 50_000m, T0.AddSeconds(10), "rsi crossed");

    private static SignalPlan Plan(TenantState s, Signal signal) => TenantDecisions.PlanSignal(s, signal, Costs, TimeSpan.FromMinutes(1), T0.AddSeconds(20));

    [Fact]
    public void A_buy_signal_over_the_plan_is_skipped_with_the_reason_and_a_sell_still_placed()
    {
        var following = Free().Then(new Subscribed(Strategy, PaperAccountId, Symbol, 1_000m, T0));
        Assert.IsType<SignalPlan.Place>(Plan(following.Traded(999), Sig(1)));
        Assert.Equal(new SignalPlan.Skip(FreeFull), Plan(following.Traded(1_000), Sig(1)));

        var holding = following.Then(new OrderFilled(Intent(1), FillOf(Intent(1)), T0)).Traded(1_000);
        Assert.Equal(0.01m, holding.Subscriptions[Strategy].Held);
        Assert.IsType<SignalPlan.Place>(Plan(holding, Sig(2, OrderSide.Sell)));

        var live = Free().Then(new Subscribed(Strategy, ExternalAccountId, Symbol, 1_000m, T0));
        Assert.Equal(new SignalPlan.Skip(FreeLive), Plan(live, Sig(1)));
        // A plan's refusal comes after the signal's own reasons: already holding is not a quota.
        Assert.Equal(new SignalPlan.Skip("already holding"), Plan(holding, Sig(2)));
    }

    [Fact]
    public void The_catalog_given_names_the_lifting_plan()
    {
        var following = Free().Then(new Subscribed(Strategy, PaperAccountId, Symbol, 1_000m, T0)).Traded(1_000);
        var team = PlanCatalog.Starter with { Id = "team", Name = "Team", TradesPerDay = 2_000, MonthlyPrice = 9m, YearlyPrice = 90m };
        Assert.Equal(new SignalPlan.Skip("trades per day: 1,000 of 1,000 today (UTC) on plan Free; Team allows 2,000"),
            TenantDecisions.PlanSignal(following, Sig(1), Costs, TimeSpan.FromMinutes(1), T0.AddSeconds(20), plans: new PlanCatalog([.. PlanCatalog.Seeds, team])));
    }

    // ---- a bot's legs

    private static BotStepped Step(TenantState s, params StrategyIntent[] intents) => Bots.BotHistory.Step(s, intents)!;

    [Fact]
    public void A_bots_buy_over_the_days_trades_is_refused_and_the_legs_before_it_count()
    {
        var s = Bots.BotHistory.Running().On(PlanCatalog.Free).Traded(998);
        var step = Step(s, Bots.BotHistory.QuoteBuy(1, 100), Bots.BotHistory.LimitBuy(2, 100, 45_000), Bots.BotHistory.LimitBuy(3, 100, 44_000));
        Assert.NotNull(step.Legs[0].Place);
        Assert.NotNull(step.Legs[1].Place);
        Assert.Equal(new BotLeg(3, Refused: FreeFull), step.Legs[2]);
    }

    [Fact]
    public void A_bots_sell_is_placed_past_the_days_trades_and_counted_before_a_buy()
    {
        var s = Bots.BotHistory.Holding().On(PlanCatalog.Free).Traded(999);
        var step = Step(s, Bots.BotHistory.LimitSell(2, 0.01, 51_000), Bots.BotHistory.LimitBuy(3, 100, 45_000));
        Assert.NotNull(step.Legs[0].Place);
        Assert.Equal(new BotLeg(3, Refused: FreeFull), step.Legs[1]);
        Assert.NotNull(Step(s.Traded(5_000), Bots.BotHistory.LimitSell(2, 0.01, 51_000)).Legs[0].Place);
    }

    [Fact]
    public void A_flat_bots_buy_needs_room_for_a_position_and_a_holding_bots_does_not()
    {
        var flat = Bots.BotHistory.Running().On(PlanCatalog.Free).WithHolding("s1", 5).WithHolding("s2", 6);
        var step = Step(flat, Bots.BotHistory.LimitBuy(1, 100, 45_000), Bots.BotHistory.LimitBuy(2, 100, 44_000));
        Assert.Equal([new BotLeg(1, Refused: FreePositions), new BotLeg(2, Refused: FreePositions)], step.Legs);

        // One position free: its first buy opens it, the second adds to it.
        var room = Bots.BotHistory.Running().On(PlanCatalog.Free).WithHolding("s1", 5);
        Assert.All(Step(room, Bots.BotHistory.LimitBuy(1, 100, 45_000), Bots.BotHistory.LimitBuy(2, 100, 44_000)).Legs, l => Assert.NotNull(l.Place));

        // Holding already: a safety order adds to its position.
        var holding = Bots.BotHistory.Holding().On(PlanCatalog.Free).WithHolding("s1", 5);
        Assert.Equal(2, PlanDecisions.OpenPositions(holding));
        Assert.NotNull(Step(holding, Bots.BotHistory.LimitBuy(2, 100, 45_000)).Legs[0].Place);
    }

    [Fact]
    public void A_bot_on_a_live_account_buys_nothing_without_live_trading_but_may_sell()
    {
        var s = Bots.BotHistory.Running(Bots.BotHistory.Config(ExternalAccountId)).Then(
            Bots.BotHistory.Placed(1, (1, Bots.BotHistory.Order(1, 0, OrderSide.Buy, 0.01m, account: ExternalAccountId))),
            Bots.BotHistory.Filled(Bots.BotHistory.Order(1, 0, OrderSide.Buy, 0.01m, account: ExternalAccountId))).On(PlanCatalog.Free);
        var step = Step(s, Bots.BotHistory.LimitBuy(2, 100, 45_000), Bots.BotHistory.LimitSell(3, 0.01, 51_000));
        Assert.Equal(new BotLeg(2, Refused: FreeLive), step.Legs[0]);
        Assert.NotNull(step.Legs[1].Place);
    }

    [Fact]
    public void A_traders_own_buy_on_a_live_account_needs_live_trading_and_a_sell_never_does()
    {
        ManualOrderPlan Manual(TenantState s, OrderSide side, string account = ExternalAccountId) =>
            TenantDecisions.PlanManualOrder(s, "req-1", account, Symbol, side, 0.01m, null, 50_000m, Costs);
        Assert.Equal(new ManualOrderPlan.Invalid(FreeLive), Manual(Free(), OrderSide.Buy));
        Assert.IsType<ManualOrderPlan.Place>(Manual(Free(), OrderSide.Sell));
        Assert.IsType<ManualOrderPlan.Place>(Manual(Free(), OrderSide.Buy, PaperAccountId));
        Assert.IsType<ManualOrderPlan.Place>(Manual(Free().On(PlanCatalog.Starter), OrderSide.Buy));
        Assert.IsType<ManualOrderPlan.Place>(Manual(WithAccounts(), OrderSide.Buy));
        // Manual orders are not limited by the day's trades.
        Assert.IsType<ManualOrderPlan.Place>(Manual(Free().Traded(1_000), OrderSide.Buy, PaperAccountId));
    }
}
