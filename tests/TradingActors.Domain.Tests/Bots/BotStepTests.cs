using TradingActors.Domain.Bots;
using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tenants;
using static TradingActors.Domain.Tests.Bots.BotHistory;
using static TradingActors.Domain.Tests.Tenants.TenantHistory;

namespace TradingActors.Domain.Tests.Bots;

/// <summary>
/// BotDecisions.Step: a running bot's intents become legs — orders sized and rounded for the instrument, cancels, and
/// refusals — within its budget and risk limits. The price is 50 000 throughout; paper cost factor 1.0015005, external 1.002.
/// </summary>
public sealed class BotStepTests
{
    private const string Suspended = TenantDecisions.SuspendedForTrader;
    private const string NothingToSell = "nothing to sell: the bot holds no position beyond its open sells";
    private const string BelowMinimum = "below BTCUSDT's minimum quantity 0.000001";
    private const string NotPositive = "the limit price is not a positive price";

    // A venue that trades BTCUSDT in steps of 0.001 at a tick of 0.5.
    private static readonly Instrument VenueBtc = new(Symbol, 0.001m, 0.5m, 0.001m);

    private static BotLeg Placed(long orderRef, OrderIntent order) => new(orderRef, Place: order);

    private static BotLeg Refused(long orderRef, string why) => new(orderRef, Refused: why);

    private static BotLeg Cancelled(long orderRef, OrderIntent order) => new(orderRef, Cancel: order.ClientOrderId);

    /// <summary>A take profit (order ref 2, sequence 2) resting: a paper limit sell of <paramref name="quantity"/> at 51 000.</summary>
    private static readonly OrderIntent TakeProfit = Order(2, 0, OrderSide.Sell, 0.01m, 51_000m);

    private static TenantState Resting(TenantState s, long orderRef, OrderIntent order) => s.Then(BotHistory.Placed(order.SourceSequence, (orderRef, order)), Working(order));

    private static TenantState HoldingWithTakeProfit(decimal quantity = 0.01m) => Resting(Holding(), 2, TakeProfit with { Quantity = quantity });

    /// <summary>An open paper limit buy (ref 1, sequence 1) of <paramref name="quantity"/> at <paramref name="limit"/>.</summary>
    private static readonly Func<decimal, decimal, OrderIntent> OpenBuy = (quantity, limit) => Order(1, 0, OrderSide.Buy, quantity, limit);

    private static TenantState WithOpenBuy(decimal quantity, decimal limit, BotConfig? config = null) => Resting(Running(config), 1, OpenBuy(quantity, limit));

    private static InstrumentRules Venue(InstrumentRule rule) => (_, _) => rule;

    public sealed record Row(string Rule, Func<TenantState> State, StrategyIntent[] Intents, BotLeg[] Legs, InstrumentRules? Rules = null);

    public static readonly Dictionary<string, Row> Rows = new[]
    {
        // ---- sizing
        // 100 / (50 000 * 1.0015005) = 0.0019970… → 0.001997
        new Row("a quote buy on paper is sized with the paper cost factor", () => Running(), [QuoteBuy(1, 100)], [Placed(1, Order(1, 0, OrderSide.Buy, 0.001997m))]),
        // 100 / (50 000 * 1.002) = 0.0019960… → 0.001996
        new Row("a quote buy on an external account is sized with 1.002", () => Running(Config(ExternalAccountId)), [QuoteBuy(1, 100)],
            [Placed(1, Order(1, 0, OrderSide.Buy, 0.001996m, account: ExternalAccountId))]),
        new Row("a base buy is its quantity rounded down to the step", () => Running(), [StrategyIntent.Market(1, OrderSide.Buy, IntentSizing.Base, 0.0123456789, IntentReason.None)],
            [Placed(1, Order(1, 0, OrderSide.Buy, 0.012345m))]),
        // 250 / 50 000 = 0.005 (no costs on a sell)
        new Row("a quote sell is amount / price", () => Holding(), [StrategyIntent.Market(2, OrderSide.Sell, IntentSizing.Quote, 250, IntentReason.None)],
            [Placed(2, Order(2, 0, OrderSide.Sell, 0.005m))]),
        // 49 000.126 → 49 000.13; 100 / (49 000.13 * 1.0015005) = 0.0020377… → 0.002037 (at the market's 50 000 it would be 0.001997)
        new Row("a limit buy is rounded to the tick and sized at its limit", () => Running(), [LimitBuy(1, 100, 49_000.126)],
            [Placed(1, Order(1, 0, OrderSide.Buy, 0.002037m, 49_000.13m))]),
        // a quote limit sell is amount / its limit: 102 / 51 000 = 0.002
        new Row("a quote limit sell is amount / its limit", () => Holding(), [LimitSell(2, 102, 51_000, IntentSizing.Quote)], [Placed(2, Order(2, 0, OrderSide.Sell, 0.002m, 51_000m))]),
        new Row("a limit of half a tick rounds up to one tick", () => Running(), [LimitBuy(1, 0.001, 0.005, IntentSizing.Base)], [Placed(1, Order(1, 0, OrderSide.Buy, 0.001m, 0.01m))]),
        new Row("a limit that rounds to nothing", () => Running(), [LimitBuy(1, 0.001, 0.0049, IntentSizing.Base)], [Refused(1, NotPositive)]),
        new Row("a zero limit", () => Running(), [LimitBuy(1, 100, 0)], [Refused(1, NotPositive)]),
        new Row("a negative limit", () => Running(), [LimitBuy(1, 100, -1)], [Refused(1, NotPositive)]),
        new Row("a limit that is not a number", () => Running(), [LimitBuy(1, 100, double.NaN)], [Refused(1, NotPositive)]),
        new Row("an infinite amount", () => Running(), [QuoteBuy(1, double.PositiveInfinity)], [Refused(1, BelowMinimum)]),
        new Row("an amount beyond a decimal", () => Running(), [QuoteBuy(1, 1e30)], [Refused(1, BelowMinimum)]),
        new Row("an amount of 7.9e27, beyond what a step sizes", () => Running(), [QuoteBuy(1, 7.9e27)], [Refused(1, BelowMinimum)]),
        new Row("a venue's own step and tick", () => Running(Config(ExternalAccountId)), [LimitBuy(1, 0.0109, 49_000.3, IntentSizing.Base)],
            [Placed(1, Order(1, 0, OrderSide.Buy, 0.01m, 49_000.5m, ExternalAccountId))], Venue(new InstrumentRule.Known(VenueBtc))),

        // ---- sells: capped at the position beyond open sells
        new Row("a sell of more than the position is the position", () => Holding(), [BaseSell(2, 0.02)], [Placed(2, Order(2, 0, OrderSide.Sell, 0.01m))]),
        new Row("a sell of exactly the position", () => Holding(), [BaseSell(2, 0.01)], [Placed(2, Order(2, 0, OrderSide.Sell, 0.01m))]),
        // 0.01 held, 0.004 in the open take profit: 0.006 left to sell
        new Row("a sell is capped at the position beyond an open sell", () => HoldingWithTakeProfit(0.004m), [BaseSell(3, 0.01)], [Placed(3, Order(3, 0, OrderSide.Sell, 0.006m))]),
        new Row("a sell decided but not placed yet holds its quantity too", () => Holding().Then(BotHistory.Placed(2, (2, TakeProfit with { Quantity = 0.004m }))),
            [BaseSell(3, 0.01)], [Placed(3, Order(3, 0, OrderSide.Sell, 0.006m))]),
        new Row("a sell with no position", () => Running(), [BaseSell(1, 0.01)], [Refused(1, NothingToSell)]),
        new Row("a sell with the whole position in open sells", () => HoldingWithTakeProfit(), [BaseSell(3, 0.01)], [Refused(3, NothingToSell)]),
        new Row("a sell of nothing with a position", () => Holding(), [BaseSell(2, 0)], [Refused(2, BelowMinimum)]),
        new Row("two sells in one step share the position", () => Holding(), [BaseSell(2, 0.007), BaseSell(3, 0.007)],
            [Placed(2, Order(2, 0, OrderSide.Sell, 0.007m)), Placed(3, Order(2, 1, OrderSide.Sell, 0.003m))]),
        new Row("a sell is never refused for the budget", () => Holding(Config(budget: 10m)), [BaseSell(2, 0.01)], [Placed(2, Order(2, 0, OrderSide.Sell, 0.01m))]),

        // ---- refusals
        // 0.01 / 50 075.025 = 0.0000001997 → 0
        new Row("a buy below the minimum quantity", () => Running(), [QuoteBuy(1, 0.01)], [Refused(1, BelowMinimum)]),
        // 2 000 → 0.039940, costing 0.03994 * 50 000 * 1.0015005 = 1 999.9965
        new Row("a buy over the budget", () => Running(), [QuoteBuy(1, 2_000)], [Refused(1, "over the bot's budget of 1000: 0 committed, this buy costs 2000")]),
        // 1 000 → 0.019970, costing 999.99824925: exactly a budget of 999.99824925
        new Row("a buy costing exactly the budget", () => Running(Config(budget: 999.99824925m)), [QuoteBuy(1, 1_000)], [Placed(1, Order(1, 0, OrderSide.Buy, 0.01997m))]),
        new Row("a buy costing a hair over the budget", () => Running(Config(budget: 999.99824924m)), [QuoteBuy(1, 1_000)],
            [Refused(1, "over the bot's budget of 999.99824924: 0 committed, this buy costs 1000")]),
        // 500.5 in the position + 600 → 0.011982 costing 599.99894955
        new Row("the position's cost counts against the budget", () => Holding(), [QuoteBuy(2, 600)], [Refused(2, "over the bot's budget of 1000: 500.5 committed, this buy costs 600")]),
        // an open limit buy of 0.01 at 40 000 commits 0.01 * 40 000 * 1.0015005 = 400.6002
        new Row("an open buy counts at its limit with costs", () => WithOpenBuy(0.01m, 40_000m), [QuoteBuy(2, 600)],
            [Refused(2, "over the bot's budget of 1000: 400.6 committed, this buy costs 600")]),
        // 599 → 0.011962 costing 598.9974: 999.5976 committed in all
        new Row("an open buy leaves the rest of the budget", () => WithOpenBuy(0.01m, 40_000m), [QuoteBuy(2, 599)], [Placed(2, Order(2, 0, OrderSide.Buy, 0.011962m))]),
        new Row("buys in one step add up", () => Running(), [QuoteBuy(1, 600), QuoteBuy(2, 600)],
            [Placed(1, Order(1, 0, OrderSide.Buy, 0.011982m)), Refused(2, "over the bot's budget of 1000: 600 committed, this buy costs 600")]),
        new Row("maxPosition below the budget caps the buys", () => Running(Config(risk: new BotRisk(MaxPosition: 500m))), [QuoteBuy(1, 600)],
            [Refused(1, "over the bot's maxPosition of 500: 0 committed, this buy costs 600")]),
        new Row("maxPosition equal to the budget is the budget", () => Running(Config(risk: new BotRisk(MaxPosition: 1_000m))), [QuoteBuy(1, 2_000)],
            [Refused(1, "over the bot's budget of 1000: 0 committed, this buy costs 2000")]),
        new Row("maxPosition above the budget: the budget caps", () => Running(Config(risk: new BotRisk(MaxPosition: 2_000m))), [QuoteBuy(1, 2_000)],
            [Refused(1, "over the bot's budget of 1000: 0 committed, this buy costs 2000")]),
        new Row("maxPosition within reach", () => Running(Config(risk: new BotRisk(MaxPosition: 500m))), [QuoteBuy(1, 400)], [Placed(1, Order(1, 0, OrderSide.Buy, 0.007988m))]),
        new Row("maxOpenOrders reached within the step", () => Running(Config(risk: new BotRisk(MaxOpenOrders: 2))), [QuoteBuy(1, 100), QuoteBuy(2, 100), QuoteBuy(3, 100)],
            [Placed(1, Order(1, 0, OrderSide.Buy, 0.001997m)), Placed(2, Order(1, 1, OrderSide.Buy, 0.001997m)), Refused(3, "the bot has 2 orders open, its limit (maxOpenOrders 2)")]),
        new Row("open and undecided orders count against maxOpenOrders", () => Resting(WithOpenBuy(0.001m, 40_000m, Config(risk: new BotRisk(MaxOpenOrders: 2))), 2,
                Order(2, 0, OrderSide.Buy, 0.001m, 40_000m)).Then(BotHistory.Placed(3, (3, Order(3, 0, OrderSide.Buy, 0.001m, 40_000m)))),
            [QuoteBuy(4, 100)], [Refused(4, "the bot has 3 orders open, its limit (maxOpenOrders 2)")]),
        new Row("a sell counts against maxOpenOrders too", () => Resting(Holding(Config(risk: new BotRisk(MaxOpenOrders: 1))), 2, TakeProfit with { Quantity = 0.004m }),
            [BaseSell(3, 0.001)], [Refused(3, "the bot has 1 orders open, its limit (maxOpenOrders 1)")]),
        new Row("a refused leg takes no place under maxOpenOrders", () => Running(Config(risk: new BotRisk(MaxOpenOrders: 1))), [QuoteBuy(1, 0.01), QuoteBuy(2, 100)],
            [Refused(1, BelowMinimum), Placed(2, Order(1, 0, OrderSide.Buy, 0.001997m))]),
        new Row("a suspended tenant", () => Running().Then(new TenantSuspended("fraud review", T0)), [QuoteBuy(1, 100)], [Refused(1, Suspended)]),
        new Row("a suspended tenant's sell", () => Holding().Then(new TenantSuspended("fraud review", T0)), [BaseSell(2, 0.01)], [Refused(2, Suspended)]),
        new Row("a suspended tenant may still cancel", () => HoldingWithTakeProfit().Then(new TenantSuspended("fraud review", T0)), [StrategyIntent.Cancel(2)],
            [Cancelled(2, TakeProfit)]),
        new Row("a symbol the venue does not trade", () => Running(Config(ExternalAccountId)), [QuoteBuy(1, 100)], [Refused(1, "BTCUSDT is not traded on account 'ext'")],
            Venue(new InstrumentRule.NotTraded("not listed"))),
        new Row("a venue whose rules are not learnt", () => Running(Config(ExternalAccountId)), [QuoteBuy(1, 100)], [Refused(1, "BTCUSDT is not traded on account 'ext'")],
            Venue(new InstrumentRule.Unlearnt())),
        new Row("an account unlinked since the bot was made", () => Running(Config(ExternalAccountId)).Then(new BrokerAccountUnlinked(ExternalAccountId, T0)), [QuoteBuy(1, 100)],
            [Refused(1, "BTCUSDT is not traded on account 'ext'")]),

        // ---- signals: through SignalOrders, with own (negative) order refs
        // 1 000 / 50 075.025 → 0.019970
        new Row("a buy signal while flat spends the budget", () => Running(), [Signal(OrderSide.Buy)], [Placed(-1, Order(1, 0, OrderSide.Buy, 0.01997m))]),
        // 1 000 - 400.6002 = 599.3998 → 0.011970
        new Row("a buy signal spends what the budget has left", () => WithOpenBuy(0.01m, 40_000m), [Signal(OrderSide.Buy)], [Placed(-1, Order(2, 0, OrderSide.Buy, 0.01197m))]),
        // 500 / 50 075.025 = 0.0099850… → 0.009985, costing 499.9991
        new Row("a buy signal spends up to maxPosition", () => Running(Config(risk: new BotRisk(MaxPosition: 500m))), [Signal(OrderSide.Buy)],
            [Placed(-1, Order(1, 0, OrderSide.Buy, 0.009985m))]),
        new Row("a buy signal while long asks for nothing", () => Holding(), [Signal(OrderSide.Buy)], []),
        new Row("a buy signal with nothing left of the budget asks for nothing", () => WithOpenBuy(0.01m, 40_000m, Config(budget: 400m)), [Signal(OrderSide.Buy)], []),
        new Row("a sell signal while long sells the position", () => Holding(), [Signal(OrderSide.Sell)], [Placed(-1, Order(2, 0, OrderSide.Sell, 0.01m))]),
        new Row("a sell signal sells the position beyond open sells", () => HoldingWithTakeProfit(0.004m), [Signal(OrderSide.Sell)], [Placed(-1, Order(3, 0, OrderSide.Sell, 0.006m))]),
        new Row("a sell signal with the position in open sells asks for nothing", () => HoldingWithTakeProfit(), [Signal(OrderSide.Sell)], []),
        new Row("a sell signal while flat asks for nothing", () => Running(), [Signal(OrderSide.Sell)], []),
        // The sell holds the position: the buy then sees it flat and spends the budget left, 1 000 - 500.5 = 499.5 → 0.009975.
        new Row("two signals take two own refs", () => Holding(), [Signal(OrderSide.Sell), Signal(OrderSide.Buy)],
            [Placed(-1, Order(2, 0, OrderSide.Sell, 0.01m)), Placed(-2, Order(2, 1, OrderSide.Buy, 0.009975m))]),
        new Row("own refs go on from the last one used", () => Running().Then(new BotStepped(BotId, 1, State, NoFed, [new BotLeg(-1, Refused: "x"), new BotLeg(-2, Refused: "y")], Price, T0)),
            [Signal(OrderSide.Buy)], [Placed(-3, Order(2, 0, OrderSide.Buy, 0.01997m))]),
        new Row("a signal refused keeps its own ref", () => Running().Then(new TenantSuspended("fraud review", T0)), [Signal(OrderSide.Buy)], [Refused(-1, Suspended)]),
        new Row("a signal that asks nothing takes no ref", () => Running(), [Signal(OrderSide.Sell), Signal(OrderSide.Buy)], [Placed(-1, Order(1, 0, OrderSide.Buy, 0.01997m))]),

        // ---- cancels
        new Row("a cancel of an open order", () => HoldingWithTakeProfit(), [StrategyIntent.Cancel(2)], [Cancelled(2, TakeProfit)]),
        new Row("a cancel of an unknown order is ignored", () => HoldingWithTakeProfit(), [StrategyIntent.Cancel(9)], []),
        new Row("a cancel of an order that ended is ignored", () => Holding(), [StrategyIntent.Cancel(1)], []),
        new Row("a cancel of an order not placed yet is ignored", () => Holding().Then(BotHistory.Placed(2, (2, TakeProfit))), [StrategyIntent.Cancel(2)], []),
        new Row("a cancel of an order already being cancelled is ignored", () => HoldingWithTakeProfit().Then(
            new BotStepped(BotId, 3, State, NoFed, [Cancelled(2, TakeProfit)], Price, T0)), [StrategyIntent.Cancel(2)], []),
        new Row("a cancel of another source's open order is ignored", () => Holding().Then(new OrderSubmitted(Intent(5, account: ExternalAccountId), T0)), [StrategyIntent.Cancel(5)], []),
        // The take profit replaced in one step sells the whole position.
        new Row("a cancel frees the sell's quantity for the legs after it", () => HoldingWithTakeProfit(), [StrategyIntent.Cancel(2), LimitSell(3, 0.01, 50_500)],
            [Cancelled(2, TakeProfit), Placed(3, Order(3, 0, OrderSide.Sell, 0.01m, 50_500m))]),
        new Row("a cancel frees nothing for the legs before it", () => HoldingWithTakeProfit(), [LimitSell(3, 0.01, 50_500), StrategyIntent.Cancel(2)],
            [Refused(3, NothingToSell), Cancelled(2, TakeProfit)]),
        // 0.019 at 50 000 commits 951.425475; cancelled, 900 (→ 0.017973, 899.998) fits
        new Row("a cancel frees the buy's committed cash", () => WithOpenBuy(0.019m, 50_000m), [StrategyIntent.Cancel(1), QuoteBuy(2, 900)],
            [Cancelled(1, OpenBuy(0.019m, 50_000m)), Placed(2, Order(2, 0, OrderSide.Buy, 0.017973m))]),
        // A limit buy of 0.01 at 40 000 decided when the price was 30 000 commits 0.01 * 40 000 * 1.0015005 = 400.6002 (its limit, with costs):
        // cancelled, all of it is free for a buy of the whole budget (0.019970 costing 999.99824925).
        new Row("a cancel frees what the buy committed at its limit with costs", () => Resting(Running(), 1, Order(1, 0, OrderSide.Buy, 0.01m, 40_000m, price: 30_000m)),
            [StrategyIntent.Cancel(1), QuoteBuy(2, 1_000)], [Cancelled(1, OpenBuy(0.01m, 40_000m)), Placed(2, Order(2, 0, OrderSide.Buy, 0.01997m))]),
        new Row("without the cancel the buy is over the budget", () => WithOpenBuy(0.019m, 50_000m), [QuoteBuy(2, 900)],
            [Refused(2, "over the bot's budget of 1000: 951.43 committed, this buy costs 900")]),
        new Row("a cancel frees its place under maxOpenOrders", () => WithOpenBuy(0.001m, 40_000m, Config(risk: new BotRisk(MaxOpenOrders: 1))), [StrategyIntent.Cancel(1), QuoteBuy(2, 100)],
            [Cancelled(1, OpenBuy(0.001m, 40_000m)), Placed(2, Order(2, 0, OrderSide.Buy, 0.001997m))]),
        // Cancelling one order twice frees it once: the sell after it is the position (0.01), not twice it.
        new Row("the same cancel twice in a step frees the order once", () => HoldingWithTakeProfit(), [StrategyIntent.Cancel(2), StrategyIntent.Cancel(2), BaseSell(3, 0.02)],
            [Cancelled(2, TakeProfit), Placed(3, Order(3, 0, OrderSide.Sell, 0.01m))]),
        new Row("the same cancel twice in a step frees one place under maxOpenOrders", () => Resting(WithOpenBuy(0.001m, 40_000m, Config(risk: new BotRisk(MaxOpenOrders: 2))), 2,
                Order(2, 0, OrderSide.Buy, 0.001m, 40_000m)),
            [StrategyIntent.Cancel(1), StrategyIntent.Cancel(1), QuoteBuy(3, 100), QuoteBuy(4, 100)],
            [Cancelled(1, OpenBuy(0.001m, 40_000m)), Placed(3, Order(3, 0, OrderSide.Buy, 0.001997m)), Refused(4, "the bot has 2 orders open, its limit (maxOpenOrders 2)")]),
        // The take profit filled 0.004 of 0.01: the position is 0.006 and the take profit holds the 0.006 left; cancelled, all 0.006 is free.
        new Row("a partly filled sell holds only what is left of it", () => HoldingWithTakeProfit().Then(Working(TakeProfit, filled: 0.004m, fee: 0.2m)),
            [StrategyIntent.Cancel(2), LimitSell(3, 0.006, 50_500)], [Cancelled(2, TakeProfit), Placed(3, Order(3, 0, OrderSide.Sell, 0.006m, 50_500m))]),
        // A limit buy of 0.01 at 49 000 filled 0.005 (fee 0.245): cost 245.245, the 0.005 left commits 245.3676225; 400 (→ 0.007988, 399.9993) brings it to 890.61.
        new Row("a partly filled buy commits only what is left of it", () => WithOpenBuy(0.01m, 49_000m).Then(Working(OpenBuy(0.01m, 49_000m), filled: 0.005m, fee: 0.245m)),
            [QuoteBuy(2, 400)], [Placed(2, Order(2, 0, OrderSide.Buy, 0.007988m))]),

        // ---- legs and client order ids
        new Row("legs number only the orders placed", () => Running(), [QuoteBuy(1, 0.01), QuoteBuy(2, 100), LimitBuy(3, 100, 49_000.126)],
            [Refused(1, BelowMinimum), Placed(2, Order(1, 0, OrderSide.Buy, 0.001997m)), Placed(3, Order(1, 1, OrderSide.Buy, 0.002037m, 49_000.13m))]),
        new Row("no intents, no legs", () => Running(), [], []),
    }.ToDictionary(r => r.Rule);

    public static TheoryData<string> Rules => new(Rows.Keys);

    [Theory]
    [MemberData(nameof(Rules))]
    public void Step_intents(string rule)
    {
        var row = Rows[rule];
        var s = row.State();
        var step = BotDecisions.Step(s, BotId, row.Intents, State, NoFed, Price, Costs, T1, row.Rules);
        Assert.NotNull(step);
        Assert.Equal(row.Legs, step.Legs);
        // The sequence moves on only when the step has legs (its placed orders' ids are made from it).
        Assert.Equal(s.Bot().Sequence + (row.Legs.Length > 0 ? 1 : 0), step.Sequence);
    }

    [Fact]
    public void A_step_carries_the_checkpoint_what_was_told_the_price_and_the_time()
    {
        var fed = NoFed.SetItem(1, new BotFed(0.01m, 500m, 0.5m, true));
        var step = BotDecisions.Step(Holding(), BotId, [QuoteBuy(2, 100)], State, fed, 49_000m, Costs, T1)!;
        Assert.Equal((BotId, State, fed, 49_000m, T1), (step.BotId, step.State, step.Fed, step.Price, step.At));
        // A market order's reference price is the step's price; 100 / (49 000 * 1.0015005) = 0.0020377… → 0.002037
        Assert.Equal(Order(2, 0, OrderSide.Buy, 0.002037m, price: 49_000m), step.Legs.Single().Place);
        // With no intents it is still a step (the checkpoint and what was told are kept), at the same sequence.
        var quiet = BotDecisions.Step(Holding(), BotId, [], State, fed, 49_000m, Costs, T1)!;
        Assert.Equal((1L, 0), (quiet.Sequence, quiet.Legs.Count));
    }

    [Fact]
    public void A_bot_that_is_not_running_does_not_step()
    {
        Assert.Null(Step(WithBot(), QuoteBuy(1, 100)));
        Assert.Null(Step(Running().Then(new BotPaused(BotId, T0)), QuoteBuy(1, 100)));
        Assert.Null(Step(Running().Then(new BotStopped(BotId, null, null, T0)), QuoteBuy(1, 100)));
        Assert.Null(BotDecisions.Step(Running(), "nope", [QuoteBuy(1, 100)], State, NoFed, Price, Costs, T1));
    }

    [Fact]
    public void Paper_costs_of_the_engine_size_the_paper_buys()
    {
        // Fee 0.2 %, no slippage: cost factor 1.002, as an external account's: 100 / 50 100 = 0.0019960… → 0.001996
        var step = BotDecisions.Step(Running(), BotId, [QuoteBuy(1, 100)], State, NoFed, Price, new Paper.PaperVenueCosts(0.002m, 0m), T1)!;
        Assert.Equal(0.001996m, step.Legs.Single().Place!.Quantity);
    }

    [Fact]
    public void Step_after_step_the_sequence_and_own_refs_go_on_and_each_order_has_its_own_id()
    {
        var s = Running();
        var first = Step(s, Signal(OrderSide.Buy))!;
        s = s.Then(first);
        Assert.Equal((1L, -2L), (s.Bot().Sequence, s.Bot().NextOwnRef));
        var quiet = Step(s)!;
        s = s.Then(quiet);
        Assert.Equal(1L, s.Bot().Sequence);
        s = s.Then(Filled(first.Legs[0].Place!));
        var second = Step(s, Signal(OrderSide.Sell))!;
        Assert.Equal(2L, second.Sequence);
        Assert.Equal(-2L, second.Legs.Single().OrderRef);
        Assert.Equal(Id(2), second.Legs.Single().Place!.ClientOrderId);
        Assert.NotEqual(first.Legs[0].Place!.ClientOrderId, second.Legs[0].Place!.ClientOrderId);
    }
}
