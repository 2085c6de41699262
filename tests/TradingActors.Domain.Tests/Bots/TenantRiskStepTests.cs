using TradingActors.Domain.Bots;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tenants;
using static TradingActors.Domain.Tests.Bots.BotHistory;
using static TradingActors.Domain.Tests.Bots.TwoBotHistory;
using static TradingActors.Domain.Tests.Tenants.TenantHistory;

namespace TradingActors.Domain.Tests.Bots;

/// <summary>
/// BotDecisions.Step under the tenant's limits across its bots (decision 031): bot b1's intents at 50 000 (paper cost factor
/// 1.0015005) are refused, as its own limits refuse them, when they would take the bots together past the tenant's
/// maxExposure or maxOpenOrders. Bot b2 (ETHUSDT) holds 0.1 that cost 300.3 where it says so.
/// </summary>
public sealed class TenantRiskStepTests
{
    private static BotLeg Placed(long orderRef, OrderIntent order) => new(orderRef, Place: order);

    private static BotLeg Refused(long orderRef, string why) => new(orderRef, Refused: why);

    /// <summary>b1's open paper limit buy (ref 1, sequence 1) of 0.001 at 40 000.</summary>
    private static readonly OrderIntent OwnRestingBuy = Order(1, 0, OrderSide.Buy, 0.001m, 40_000m);

    private static TenantState OwnResting(BotConfig? config = null) =>
        Running(config).Then(BotHistory.Placed(1, (1, OwnRestingBuy)), Working(OwnRestingBuy));

    public sealed record Row(string Rule, Func<TenantState> State, StrategyIntent[] Intents, BotLeg[] Legs);

    public static readonly Dictionary<string, Row> Rows = new[]
    {
        // ---- maxExposure: positions' cost plus open buys, across the bots
        // 800 → 0.015976 costing 799.9986: with b2's 300.3 it is 1 100.3
        new Row("another bot's position counts toward the tenant's maxExposure", () => Two(new TenantRisk(MaxExposure: 1_000m)).OtherHolding(), [QuoteBuy(1, 800)],
            [Refused(1, "over the tenant's maxExposure of 1000: 300.3 committed by its bots, this buy costs 800")]),
        // 600 → 0.011982 costing 599.99895: 900.3 in all
        new Row("a buy within the tenant's maxExposure", () => Two(new TenantRisk(MaxExposure: 1_000m)).OtherHolding(), [QuoteBuy(1, 600)],
            [Placed(1, Order(1, 0, OrderSide.Buy, 0.011982m))]),
        // b2's resting buy holds 290.435145: 590.735145 with its position; 500 → 0.009985 costing 499.9991
        new Row("another bot's open buy counts at its limit with costs", () => Two(new TenantRisk(MaxExposure: 1_000m)).OtherHolding().OtherResting(), [QuoteBuy(1, 500)],
            [Refused(1, "over the tenant's maxExposure of 1000: 590.74 committed by its bots, this buy costs 500")]),
        // b2's decided market buy holds 0.1 * 3 000 * 1.0015005 = 300.45015 until its fill is booked
        new Row("another bot's decided order counts before it is placed", () => Two(new TenantRisk(MaxExposure: 1_000m)).Then(OtherPlaced(1, OtherBuy)), [QuoteBuy(1, 800)],
            [Refused(1, "over the tenant's maxExposure of 1000: 300.45 committed by its bots, this buy costs 800")]),
        // b1's own 500.5 and b2's 300.3: 800.8; 300 → 0.005991 costing 299.99947 (within b1's own budget: 800.5 of 1 000)
        new Row("the bot's own position counts too", () => Two(new TenantRisk(MaxExposure: 1_000m), Holding()).OtherHolding(), [QuoteBuy(2, 300)],
            [Refused(2, "over the tenant's maxExposure of 1000: 800.8 committed by its bots, this buy costs 300")]),
        // 400 → 0.007988 costing 399.9993: 700.3, then 1 100.3
        new Row("buys in one step add up against the tenant's maxExposure", () => Two(new TenantRisk(MaxExposure: 1_000m)).OtherHolding(), [QuoteBuy(1, 400), QuoteBuy(2, 400)],
            [Placed(1, Order(1, 0, OrderSide.Buy, 0.007988m)), Refused(2, "over the tenant's maxExposure of 1000: 700.3 committed by its bots, this buy costs 400")]),
        new Row("the bot's own budget is said before the tenant's maxExposure", () => Two(new TenantRisk(MaxExposure: 500m)), [QuoteBuy(1, 2_000)],
            [Refused(1, "over the bot's budget of 1000: 0 committed, this buy costs 2000")]),
        new Row("a sell is never refused for the tenant's maxExposure", () => Two(new TenantRisk(MaxExposure: 100m), Holding()).OtherHolding(), [BaseSell(2, 0.01)],
            [Placed(2, Order(2, 0, OrderSide.Sell, 0.01m))]),
        // 800 - 300.3 = 499.7 left → 0.009979
        new Row("a buy signal spends what the tenant's maxExposure has left", () => Two(new TenantRisk(MaxExposure: 800m)).OtherHolding(), [Signal(OrderSide.Buy)],
            [Placed(-1, Order(1, 0, OrderSide.Buy, 0.009979m))]),
        new Row("a buy signal spends the bot's budget when the tenant's maxExposure leaves more", () => Two(new TenantRisk(MaxExposure: 5_000m)).OtherHolding(),
            [Signal(OrderSide.Buy)], [Placed(-1, Order(1, 0, OrderSide.Buy, 0.01997m))]),
        new Row("a buy signal with nothing left of the tenant's maxExposure asks for nothing", () => Two(new TenantRisk(MaxExposure: 300m)).OtherHolding(),
            [Signal(OrderSide.Buy)], []),
        new Row("the tenant's maxExposure off", () => Two().OtherHolding(), [QuoteBuy(1, 1_000)], [Placed(1, Order(1, 0, OrderSide.Buy, 0.01997m))]),

        // ---- maxOpenOrders: open and decided orders across the bots
        new Row("another bot's open order counts toward the tenant's maxOpenOrders", () => Two(new TenantRisk(MaxOpenOrders: 2)).OtherResting(), [QuoteBuy(1, 100), QuoteBuy(2, 100)],
            [Placed(1, Order(1, 0, OrderSide.Buy, 0.001997m)), Refused(2, "the tenant's bots have 2 orders open, the tenant's limit (maxOpenOrders 2)")]),
        new Row("another bot's decided order counts toward the tenant's maxOpenOrders", () => Two(new TenantRisk(MaxOpenOrders: 1)).Then(OtherPlaced(1, OtherBuy)), [QuoteBuy(1, 100)],
            [Refused(1, "the tenant's bots have 1 orders open, the tenant's limit (maxOpenOrders 1)")]),
        new Row("a sell counts against the tenant's maxOpenOrders too", () => Two(new TenantRisk(MaxOpenOrders: 1), Holding()).OtherResting(), [BaseSell(2, 0.01)],
            [Refused(2, "the tenant's bots have 1 orders open, the tenant's limit (maxOpenOrders 1)")]),
        new Row("the bot's own maxOpenOrders is said before the tenant's", () => Two(new TenantRisk(MaxOpenOrders: 1), OwnResting(Config(risk: new BotRisk(MaxOpenOrders: 1)))),
            [QuoteBuy(2, 100)], [Refused(2, "the bot has 1 orders open, its limit (maxOpenOrders 1)")]),
        new Row("a cancel frees its place under the tenant's maxOpenOrders", () => Two(new TenantRisk(MaxOpenOrders: 2), OwnResting()).OtherResting(),
            [StrategyIntent.Cancel(1), QuoteBuy(2, 100)], [new BotLeg(1, Cancel: OwnRestingBuy.ClientOrderId), Placed(2, Order(2, 0, OrderSide.Buy, 0.001997m))]),
        new Row("the tenant's maxOpenOrders off", () => Two().OtherResting(), [QuoteBuy(1, 100)], [Placed(1, Order(1, 0, OrderSide.Buy, 0.001997m))]),
        new Row("both tenant limits: the open orders are said first", () => Two(new TenantRisk(MaxExposure: 100m, MaxOpenOrders: 1)).OtherHolding().OtherResting(),
            [QuoteBuy(1, 100)], [Refused(1, "the tenant's bots have 1 orders open, the tenant's limit (maxOpenOrders 1)")]),
        new Row("a suspended tenant within its limits", () => Two(new TenantRisk(MaxExposure: 5_000m, MaxOpenOrders: 10)).Then(new TenantSuspended("fraud review", T0)),
            [QuoteBuy(1, 100)], [Refused(1, TenantDecisions.SuspendedForTrader)]),
    }.ToDictionary(r => r.Rule);

    public static TheoryData<string> Rules => new(Rows.Keys);

    [Theory]
    [MemberData(nameof(Rules))]
    public void Step_within_the_tenant_limits(string rule)
    {
        var row = Rows[rule];
        var step = BotDecisions.Step(row.State(), BotId, row.Intents, State, NoFed, Price, Costs, T1);
        Assert.NotNull(step);
        Assert.Equal(row.Legs, step.Legs);
    }
}
