using TradingActors.Domain.Bots;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using static TradingActors.Domain.Tests.Bots.BotHistory;
using static TradingActors.Domain.Tests.Tenants.TenantHistory;

namespace TradingActors.Domain.Tests.Bots;

/// <summary>
/// A tenant with two bots for its risk limits across them (decision 031): bot "b1" of <see cref="BotHistory"/> (BTCUSDT,
/// budget 1 000) and bot "b2" on ETHUSDT (budget 1 000), both on the paper account, both running. Their peak equity starts at
/// 2 000 (their budgets).
/// </summary>
internal static class TwoBotHistory
{
    public const string Other = "b2";
    public const string OtherSource = "bot:" + Other;
    public const string Eth = "ETHUSDT";
    public const decimal EthPrice = 3_000m;

    public static BotConfig OtherConfig(BotRisk? risk = null) => Config(symbol: Eth, id: Other, risk: risk);

    /// <summary>Both bots running; <paramref name="first"/> is b1's state before b2 joins (running, holding…).</summary>
    public static TenantState Two(TenantRisk? limits = null, TenantState? first = null, BotConfig? other = null)
    {
        var s = (first ?? Running()).Then(new BotCreated(other ?? OtherConfig(), T0), new BotStarted(Other, T0));
        return limits is null ? s : s.Then(new TenantRiskLimitsSet(limits, T0));
    }

    public static OrderIntent OtherOrder(long sequence, OrderSide side, decimal quantity, decimal? limit = null, decimal price = EthPrice) =>
        new(ClientOrderIds.Create(Tenant, PaperAccountId, OtherSource, sequence, 0), PaperAccountId, OtherSource, sequence, Eth, side, quantity, price,
            limit is null ? OrderType.Market : OrderType.Limit, limit);

    /// <summary>b2's first buy: 0.1 ETH at 3 000 with a 0.3 fee, position cost 300.3.</summary>
    public static readonly OrderIntent OtherBuy = OtherOrder(1, OrderSide.Buy, 0.1m);

    /// <summary>b2's step at <paramref name="price"/> that decided these orders (decided, not placed yet: its Pending).</summary>
    public static BotStepped OtherPlaced(long sequence, OrderIntent order, decimal price = EthPrice) =>
        new(Other, sequence, State, NoFed, [new BotLeg(sequence, Place: order)], price, T0);

    /// <summary>b2 holds 0.1 ETH that cost 300.3 (its step saw 3 000).</summary>
    public static TenantState OtherHolding(this TenantState s) =>
        s.Then(OtherPlaced(1, OtherBuy), new OrderFilled(OtherBuy, new Fill(0.1m, EthPrice, 0.3m, "P-b2-1", T0), T0));

    /// <summary>b2's limit buy of 0.1 ETH at 2 900 resting in the paper book (it holds 0.1 * 2 900 * 1.0015005 = 290.435145).</summary>
    public static readonly OrderIntent OtherRestingBuy = OtherOrder(2, OrderSide.Buy, 0.1m, 2_900m);

    public static TenantState OtherResting(this TenantState s) =>
        s.Then(OtherPlaced(2, OtherRestingBuy), new OrderWorking(OtherRestingBuy, null, "P-b2-2", T0));

    public static BotRecord OtherBot(this TenantState s) => s.BotsById[Other];

    /// <summary>Latest prices by symbol (none for the others).</summary>
    public static LatestPrice Prices(decimal? btc = null, decimal? eth = null) => symbol => symbol switch
    {
        Symbol => btc,
        Eth => eth,
        _ => null,
    };
}
