using System.Collections.Immutable;
using TradingActors.Domain.Bots;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Paper;
using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tenants;
using static TradingActors.Domain.Tests.Tenants.TenantHistory;

namespace TradingActors.Domain.Tests.Bots;

/// <summary>
/// Tenant states with a bot, built by applying events as the engine does: tenant "t1" (paper account "pa" with 10 000
/// cash, external account "ext"), bot "b1" running the rsi kind on BTCUSDT with a budget of 1 000 and 60 s bars.
/// BTCUSDT: quantity step 0.000001, tick 0.01. Paper costs: fee 0.1 %, slippage 5 bps, cost factor 1.001 * 1.0005 = 1.0015005.
/// </summary>
internal static class BotHistory
{
    public const string BotId = "b1";
    public const string Source = "bot:" + BotId;
    public const decimal Price = 50_000m;
    public const string RsiParameters = """{"period":14,"oversold":30,"overbought":70}""";
    public static readonly DateTimeOffset T1 = T0.AddMinutes(1);
    public static readonly PaperVenueCosts Costs = new();
    public static readonly ImmutableDictionary<long, BotFed> NoFed = ImmutableDictionary<long, BotFed>.Empty;

    /// <summary>A checkpoint of the bot's strategy (what it holds does not matter to the tenant).</summary>
    public static readonly StrategyState State = Config().CreateStrategy(null).Save();

    public static BotConfig Config(string account = PaperAccountId, decimal budget = 1_000m, BotRisk? risk = null, string symbol = Symbol, string id = BotId) =>
        new(id, "rsi", symbol, account, RsiParameters, budget, 60, risk ?? new BotRisk());

    public static TenantState WithBot(BotConfig? config = null, decimal paperCash = 10_000m) =>
        WithAccounts(paperCash).Then(new BotCreated(config ?? Config(), T0));

    public static TenantState Running(BotConfig? config = null, decimal paperCash = 10_000m) =>
        WithBot(config, paperCash).Then(new BotStarted(BotId, T0));

    public static BotRecord Bot(this TenantState s) => s.BotsById[BotId];

    public static string Id(long sequence, int leg = 0, string account = PaperAccountId) => ClientOrderIds.Create(Tenant, account, Source, sequence, leg);

    /// <summary>The bot's order as Step makes it: reference price the step's price, a limit order carrying its limit.</summary>
    public static OrderIntent Order(long sequence, int leg, OrderSide side, decimal quantity, decimal? limit = null, string account = PaperAccountId, decimal price = Price) =>
        new(Id(sequence, leg, account), account, Source, sequence, Symbol, side, quantity, price, limit is null ? OrderType.Market : OrderType.Limit, limit);

    /// <summary>A step that placed these orders (leg refs as given) at <see cref="Price"/>.</summary>
    public static BotStepped Placed(long sequence, params (long Ref, OrderIntent Order)[] orders) =>
        new(BotId, sequence, State, NoFed, [.. orders.Select(o => new BotLeg(o.Ref, Place: o.Order))], Price, T0);

    public static OrderFilled Filled(OrderIntent order, decimal? quantity = null, decimal? price = null, decimal fee = 0.5m) =>
        new(order, new Fill(quantity ?? order.Quantity, price ?? order.LimitPrice ?? order.ReferencePrice, fee, "P-" + order.SourceSequence, T0), T0);

    /// <summary>A paper limit order taken to rest (or a report of its fill so far).</summary>
    public static OrderWorking Working(OrderIntent order, decimal? filled = null, decimal fee = 0m) =>
        new(order, filled is { } q ? new Fill(q, order.LimitPrice ?? order.ReferencePrice, fee, "P-" + order.SourceSequence, T0) : null, "P-" + order.SourceSequence, T0);

    /// <summary>The first buy: order 1 (sequence 1) filled 0.01 at 50 000 with a 0.5 fee: position 0.01, cost 500.5.</summary>
    public static readonly OrderIntent FirstBuy = Order(1, 0, OrderSide.Buy, 0.01m);

    public static TenantState Holding(BotConfig? config = null) => Running(config).Then(Placed(1, (1, FirstBuy)), Filled(FirstBuy));

    public static BotStepped? Step(TenantState s, params StrategyIntent[] intents) => Step(s, Price, intents);

    public static BotStepped? Step(TenantState s, decimal price, params StrategyIntent[] intents) =>
        BotDecisions.Step(s, BotId, intents, State, NoFed, price, Costs, T1);

    public static StrategyIntent QuoteBuy(long orderRef, double amount) => StrategyIntent.Market(orderRef, OrderSide.Buy, IntentSizing.Quote, amount, IntentReason.None);

    public static StrategyIntent BaseSell(long orderRef, double amount) => StrategyIntent.Market(orderRef, OrderSide.Sell, IntentSizing.Base, amount, IntentReason.None);

    public static StrategyIntent LimitBuy(long orderRef, double amount, double limit, IntentSizing sizing = IntentSizing.Quote) =>
        StrategyIntent.Limit(orderRef, OrderSide.Buy, sizing, amount, limit, IntentReason.None);

    public static StrategyIntent LimitSell(long orderRef, double amount, double limit, IntentSizing sizing = IntentSizing.Base) =>
        StrategyIntent.Limit(orderRef, OrderSide.Sell, sizing, amount, limit, IntentReason.None);

    public static StrategyIntent Signal(OrderSide side) => StrategyIntent.Signal(side, IntentReason.None, 0, 0);
}
