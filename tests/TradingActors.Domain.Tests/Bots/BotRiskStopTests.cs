using TradingActors.Domain.Bots;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using static TradingActors.Domain.Tests.Bots.BotHistory;
using static TradingActors.Domain.Tests.Tenants.TenantHistory;

namespace TradingActors.Domain.Tests.Bots;

/// <summary>
/// BotDecisions.RiskStop: the kill switch (equity this far below its peak) and the stop loss (the position's unrealised
/// loss this share of its cost). The bot holds 0.01 bought for 500.5 (fees included) of its budget of 1 000: its equity at
/// price p is 1 000 - 500.5 + 0.01 p = 499.5 + 0.01 p, its peak 1 000 (the budget) until a price lifts it.
/// </summary>
public sealed class BotRiskStopTests
{
    private static TenantState With(BotRisk risk) => Holding(Config(risk: risk));

    private static BotStopped Stopped(string reason, decimal price) => new(BotId, reason, Order(2, 0, OrderSide.Sell, 0.01m, price: price), T1);

    public sealed record Row(string Rule, Func<TenantState> State, decimal Price, BotStopped? Stop);

    public static readonly Dictionary<string, Row> Rows = new[]
    {
        // 10 % below the peak of 1 000 is 900: 0.01 p = 400.5, p = 40 050.
        new Row("the kill switch at exactly its drawdown", () => With(new BotRisk(MaxDrawdownPercent: 10m)), 40_050m,
            Stopped("kill switch: drawdown 10% reached maxDrawdownPercent 10% (equity 900, peak 1000)", 40_050m)),
        new Row("the kill switch a cent before it", () => With(new BotRisk(MaxDrawdownPercent: 10m)), 40_050.01m, null),
        new Row("the kill switch past it", () => With(new BotRisk(MaxDrawdownPercent: 7.5m)), 30_000m,
            Stopped("kill switch: drawdown 20.05% reached maxDrawdownPercent 7.5% (equity 799.5, peak 1000)", 30_000m)),
        // A price of 60 000 seen lifted the peak to 499.5 + 600 = 1 099.5; 10 % below it is 989.55 at p = 49 005.
        new Row("the kill switch from a peak a price lifted", () => With(new BotRisk(MaxDrawdownPercent: 10m)).Then(new BotCheckpointed(BotId, State, NoFed, 60_000m, T0)), 49_005m,
            Stopped("kill switch: drawdown 10% reached maxDrawdownPercent 10% (equity 989.55, peak 1099.5)", 49_005m)),
        new Row("the kill switch from a lifted peak, a cent before", () => With(new BotRisk(MaxDrawdownPercent: 10m)).Then(new BotCheckpointed(BotId, State, NoFed, 60_000m, T0)),
            49_005.01m, null),
        new Row("a new high is no drawdown", () => With(new BotRisk(MaxDrawdownPercent: 0.01m)), 70_000m, null),
        new Row("the kill switch off", () => With(new BotRisk()), 1m, null),
        // Flat after a round trip that lost 150.5 (bought for 500.5, sold for 350): equity 849.5, 15.05 % below 1 000.
        new Row("the kill switch of a flat bot sells nothing", () => With(new BotRisk(MaxDrawdownPercent: 15m)).Then(
                Placed(2, (2, Order(2, 0, OrderSide.Sell, 0.01m))), Filled(Order(2, 0, OrderSide.Sell, 0.01m), price: 35_000m, fee: 0m)), 50_000m,
            new BotStopped(BotId, "kill switch: drawdown 15.05% reached maxDrawdownPercent 15% (equity 849.5, peak 1000)", null, T1)),
        // 5 % of the cost 500.5 is 25.025: 0.01 p = 475.475, p = 47 547.5.
        new Row("the stop loss at exactly its share", () => With(new BotRisk(StopLossPercent: 5m)), 47_547.5m,
            Stopped("stop loss: the position is down 5%, stopLossPercent 5%", 47_547.5m)),
        new Row("the stop loss a cent before it", () => With(new BotRisk(StopLossPercent: 5m)), 47_547.51m, null),
        // 500.5 - 400 = 100.5 of 500.5: 20.0799… %
        new Row("the stop loss past it", () => With(new BotRisk(StopLossPercent: 2.5m)), 40_000m, Stopped("stop loss: the position is down 20.08%, stopLossPercent 2.5%", 40_000m)),
        new Row("the stop loss off", () => With(new BotRisk()), 1m, null),
        new Row("the stop loss without a position", () => Running(Config(risk: new BotRisk(StopLossPercent: 5m))), 1m, null),
        new Row("a position in profit", () => With(new BotRisk(StopLossPercent: 5m)), 60_000m, null),
        // At 47 547.5 the drawdown is 2.5025 %: both limits are reached, the kill switch says so.
        new Row("the kill switch before the stop loss", () => With(new BotRisk(StopLossPercent: 5m, MaxDrawdownPercent: 2.5m)), 47_547.5m,
            Stopped("kill switch: drawdown 2.5% reached maxDrawdownPercent 2.5% (equity 974.98, peak 1000)", 47_547.5m)),
        new Row("the stop loss when the drawdown is short of its limit", () => With(new BotRisk(StopLossPercent: 5m, MaxDrawdownPercent: 3m)), 47_547.5m,
            Stopped("stop loss: the position is down 5%, stopLossPercent 5%", 47_547.5m)),
        new Row("closeOnStop false keeps the position", () => With(new BotRisk(StopLossPercent: 5m, CloseOnStop: false)), 40_000m,
            new BotStopped(BotId, "stop loss: the position is down 20.08%, stopLossPercent 5%", null, T1)),
        new Row("a paused bot is stopped too", () => With(new BotRisk(StopLossPercent: 5m)).Then(new BotPaused(BotId, T0)), 40_000m,
            Stopped("stop loss: the position is down 20.08%, stopLossPercent 5%", 40_000m)),
        new Row("a stopped bot is left alone", () => With(new BotRisk(StopLossPercent: 5m)).Then(new BotStopped(BotId, null, null, T0)), 40_000m, null),
        new Row("no price", () => With(new BotRisk(StopLossPercent: 5m, MaxDrawdownPercent: 1m)), 0m, null),
        new Row("no price, without a close", () => With(new BotRisk(StopLossPercent: 5m, MaxDrawdownPercent: 1m, CloseOnStop: false)), 0m, null),
        new Row("a negative price", () => With(new BotRisk(StopLossPercent: 5m, MaxDrawdownPercent: 1m)), -1m, null),
    }.ToDictionary(r => r.Rule);

    public static TheoryData<string> Rules => new(Rows.Keys);

    [Theory]
    [MemberData(nameof(Rules))]
    public void Risk_stop(string rule)
    {
        var row = Rows[rule];
        Assert.Equal(row.Stop, BotDecisions.RiskStop(row.State(), BotId, row.Price, T1));
    }

    [Fact]
    public void An_unknown_bot_has_no_risk_stop() =>
        Assert.Null(BotDecisions.RiskStop(With(new BotRisk(StopLossPercent: 5m)), "nope", 1m, T1));

    [Fact]
    public void A_risk_stop_is_a_stop_the_state_takes_with_its_reason_and_close()
    {
        var s = With(new BotRisk(StopLossPercent: 5m));
        var stop = BotDecisions.RiskStop(s, BotId, 40_000m, T1)!;
        var stopped = s.Then(stop);
        Assert.Equal(BotStatus.Stopped, stopped.Bot().Status);
        Assert.Equal(stop.Reason, stopped.Bot().StopReason);
        Assert.Equal([stop.Close!], stopped.Bot().Pending);
        Assert.Null(BotDecisions.RiskStop(stopped, BotId, 30_000m, T1)); // once
    }

    [Fact]
    public void A_bot_with_nothing_at_stake_is_never_stopped()
    {
        // A budget of 0 (refused by Check, but a journal written under other rules may hold one): its peak is 0, so there is no drawdown.
        var none = WithAccounts().Then(new BotCreated(Config(risk: new BotRisk(MaxDrawdownPercent: 10m)) with { Budget = 0m }, T0), new BotStarted(BotId, T0));
        Assert.Null(BotDecisions.RiskStop(none, BotId, Price, T1));
        // A position that cost nothing (filled at 0): it cannot lose a share of its cost.
        var free = Order(1, 0, OrderSide.Buy, 0.01m, account: ExternalAccountId);
        var gift = Running(Config(ExternalAccountId, risk: new BotRisk(StopLossPercent: 5m))).Then(Placed(1, (1, free)), new OrderSubmitted(free, T0), Filled(free, price: 0m, fee: 0m));
        Assert.Equal((0.01m, 0m), (gift.Bot().Ledger.Position, gift.Bot().Ledger.Cost));
        Assert.Null(BotDecisions.RiskStop(gift, BotId, 1m, T1));
    }
}
