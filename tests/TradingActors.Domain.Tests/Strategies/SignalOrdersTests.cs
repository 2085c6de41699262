using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;

namespace TradingActors.Domain.Tests.Strategies;

public sealed class SignalOrdersTests
{
    private static readonly StrategyIntent Buy = StrategyIntent.Signal(OrderSide.Buy, IntentReason.RsiCrossedUp, 31.5, 30);
    private static readonly StrategyIntent Sell = StrategyIntent.Signal(OrderSide.Sell, IntentReason.EmaCrossedDown, 59000, 59100);

    public static TheoryData<string, StrategyIntent, double, double, StrategyIntent?> Cases => new()
    {
        { "buy while flat: spend the budget at market", Buy, 0, 250, StrategyIntent.Market(7, OrderSide.Buy, IntentSizing.Quote, 250, IntentReason.RsiCrossedUp, 31.5, 30) },
        { "buy with a rounding leftover below zero counts as flat", Buy, -1e-12, 250, StrategyIntent.Market(7, OrderSide.Buy, IntentSizing.Quote, 250, IntentReason.RsiCrossedUp, 31.5, 30) },
        { "buy while long: nothing more", Buy, 0.004, 250, null },
        { "buy with no budget: nothing", Buy, 0, 0, null },
        { "buy with a negative budget: nothing", Buy, 0, -5, null },
        { "sell while long: the whole position at market", Sell, 0.004, 250, StrategyIntent.Market(7, OrderSide.Sell, IntentSizing.Base, 0.004, IntentReason.EmaCrossedDown, 59000, 59100) },
        { "sell while long, whatever the budget", Sell, 0.004, 0, StrategyIntent.Market(7, OrderSide.Sell, IntentSizing.Base, 0.004, IntentReason.EmaCrossedDown, 59000, 59100) },
        { "sell while flat: nothing", Sell, 0, 250, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_signal_becomes_the_order_its_position_calls_for(string rule, StrategyIntent signal, double position, double budget, StrategyIntent? expected)
    {
        Assert.NotEmpty(rule);
        Assert.Equal(expected, SignalOrders.For(signal, position, budget, orderRef: 7));
    }

    [Theory]
    [InlineData(IntentKind.Market)]
    [InlineData(IntentKind.Limit)]
    [InlineData(IntentKind.Cancel)]
    public void Only_a_signal_becomes_an_order(IntentKind kind)
    {
        var intent = Buy with { Kind = kind };

        var e = Assert.Throws<ArgumentException>(() => SignalOrders.For(intent, 0, 100, 1));

        Assert.Equal("signal", e.ParamName);
        Assert.StartsWith("not a signal intent", e.Message);
    }
}
