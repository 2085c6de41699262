using TradingActors.Domain.Bots;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using static TradingActors.Domain.Tests.Bots.BotHistory;
using static TradingActors.Domain.Tests.Bots.TwoBotHistory;
using static TradingActors.Domain.Tests.Tenants.TenantHistory;

namespace TradingActors.Domain.Tests.Bots;

/// <summary>
/// The tenant kill switch (decision 031): once the bots' combined equity is maxDrawdownPercent below its combined peak, every
/// running or paused bot stops with the reason, selling its position when its own CloseOnStop says so. b1 holds 0.01 BTC that
/// cost 500.5, b2 0.1 ETH that cost 300.3: at BTC p and ETH q their equity is 499.5 + 0.01 p + 699.7 + 0.1 q, their peak 2 000.
/// </summary>
public sealed class TenantKillSwitchTests
{
    private static TenantState BothHolding(decimal maxDrawdownPercent, BotConfig? other = null) =>
        Two(new TenantRisk(MaxDrawdownPercent: maxDrawdownPercent), Holding(), other).OtherHolding();

    private static string Reason(string drawdown, string limit, string equity, string peak = "2000") =>
        $"tenant kill switch: the bots' combined drawdown {drawdown}% reached the tenant's maxDrawdownPercent {limit}% (combined equity {equity}, peak {peak})";

    /// <summary>b1 stopped with the reason, selling its 0.01 at <paramref name="price"/> (its next sequence, 2) or keeping it.</summary>
    private static BotStopped First(string reason, decimal? price) =>
        new(BotId, reason, price is { } p ? Order(2, 0, OrderSide.Sell, 0.01m, price: p) : null, T1);

    private static BotStopped Second(string reason, decimal? price) =>
        new(Other, reason, price is { } p ? OtherOrder(2, OrderSide.Sell, 0.1m, price: p) : null, T1);

    /// <summary>b1 as a snapshot from before bots kept their prices has it: no price seen.</summary>
    private static TenantState Unpriced(TenantState s) => s with { Bots = s.BotsById.SetItem(BotId, s.Bot() with { LastPrice = 0m }) };

    public sealed record Row(string Rule, Func<TenantState> State, LatestPrice Latest, BotStopped[] Stops);

    public static readonly Dictionary<string, Row> Rows = new[]
    {
        // 10 % below 2 000 is 1 800: 0.01 p = 300.8 with ETH at 3 000, p = 30 080.
        new Row("every bot stops at exactly the tenant's drawdown", () => BothHolding(10m), Prices(30_080m, EthPrice),
            [First(Reason("10", "10", "1800"), 30_080m), Second(Reason("10", "10", "1800"), EthPrice)]),
        new Row("a cent before it", () => BothHolding(10m), Prices(30_080.01m, EthPrice), []),
        // ETH at 1 000: 999.5 + 799.7 = 1 799.2
        new Row("one bot's loss stops every bot", () => BothHolding(10m), Prices(Price, 1_000m),
            [First(Reason("10.04", "10", "1799.2"), Price), Second(Reason("10.04", "10", "1799.2"), 1_000m)]),
        new Row("without latest prices each bot counts and sells at the price it last saw", () => BothHolding(0.04m), Prices(),
            [First(Reason("0.04", "0.04", "1999.2"), Price), Second(Reason("0.04", "0.04", "1999.2"), EthPrice)]),
        // ETH seen at 4 000 lifted the peak to 999.5 + 1 099.7 = 2 099.2; 10 % below is 1 889.28: ETH at 1 900.8.
        new Row("from a peak a price lifted", () => BothHolding(10m).Then(new BotCheckpointed(Other, State, NoFed, 4_000m, T0)), Prices(Price, 1_900.8m),
            [First(Reason("10", "10", "1889.28", "2099.2"), Price), Second(Reason("10", "10", "1889.28", "2099.2"), 1_900.8m)]),
        new Row("from a lifted peak, a cent before", () => BothHolding(10m).Then(new BotCheckpointed(Other, State, NoFed, 4_000m, T0)), Prices(Price, 1_900.81m), []),
        new Row("a new high is no drawdown", () => BothHolding(0.01m), Prices(60_000m, 4_000m), []),
        new Row("the kill switch off", () => Two(new TenantRisk(MaxExposure: 5_000m), Holding()).OtherHolding(), Prices(1m, 1m), []),
        new Row("a paused bot stops too, a stopped one is left alone", () => BothHolding(10m).Then(new BotStopped(BotId, null, null, T0), new BotPaused(Other, T0)),
            Prices(Price, 1_000m), [Second(Reason("10.04", "10", "1799.2"), 1_000m)]),
        new Row("a bot's own closeOnStop false keeps its position", () => BothHolding(10m, OtherConfig(new BotRisk(CloseOnStop: false))), Prices(Price, 1_000m),
            [First(Reason("10.04", "10", "1799.2"), Price), Second(Reason("10.04", "10", "1799.2"), null)]),
        // b1 flat: 1 000 + 699.7 + 0.1 q = 1 800 at q = 1 003
        new Row("a flat bot sells nothing", () => Two(new TenantRisk(MaxDrawdownPercent: 10m)).OtherHolding(), Prices(eth: 1_003m),
            [First(Reason("10", "10", "1800"), null), Second(Reason("10", "10", "1800"), 1_003m)]),
        // b1 from before prices were kept: its position counts at cost (1 000); b2 at 1: 699.8
        new Row("a bot with a position and no price stops keeping it",
            () => Unpriced(BothHolding(10m)), Prices(eth: 1m),
            [First(Reason("15.01", "10", "1699.8"), null), Second(Reason("15.01", "10", "1699.8"), 1m)]),
    }.ToDictionary(r => r.Rule);

    public static TheoryData<string> Rules => new(Rows.Keys);

    [Theory]
    [MemberData(nameof(Rules))]
    public void Kill_switch(string rule)
    {
        var row = Rows[rule];
        Assert.Equal(row.Stops, TenantRiskDecisions.KillSwitch(row.State(), row.Latest, T1));
    }

    [Fact]
    public void The_stops_are_stops_the_state_takes_and_the_kill_switch_fires_once()
    {
        var s = BothHolding(10m);
        var stops = TenantRiskDecisions.KillSwitch(s, Prices(Price, 1_000m), T1);
        var stopped = s.Then([.. stops]);
        Assert.All(stopped.BotsById.Values, b => Assert.Equal((BotStatus.Stopped, Reason("10.04", "10", "1799.2")), (b.Status, b.StopReason)));
        Assert.Equal(new[] { stops[0].Close! }, stopped.Bot().Pending);
        Assert.Empty(TenantRiskDecisions.KillSwitch(stopped, Prices(Price, 500m), T1));
    }

    // ---- after a bar: the bot's own risk stop, then the tenant's kill switch

    /// <summary>b1 with its own kill switch at 10 %: at 40 000 its equity is 899.5, 10.05 % below its 1 000; the bots' 1 899.2 is 5.04 % below 2 000.</summary>
    private static TenantState OwnAndTenant(decimal tenantDrawdown, BotRisk? own = null) =>
        Two(new TenantRisk(MaxDrawdownPercent: tenantDrawdown), Holding(Config(risk: own ?? new BotRisk(MaxDrawdownPercent: 10m)))).OtherHolding();

    private const string OwnReason = "kill switch: drawdown 10.05% reached maxDrawdownPercent 10% (equity 899.5, peak 1000)";

    public sealed record StopsRow(string Rule, Func<TenantState> State, BotStopped[] Stops);

    public static readonly Dictionary<string, StopsRow> StopsRows = new[]
    {
        new StopsRow("the bot's own stop alone", () => OwnAndTenant(20m), [First(OwnReason, 40_000m)]),
        new StopsRow("the bot's own stop, then the tenant's for the others", () => OwnAndTenant(5m),
            [First(OwnReason, 40_000m), Second(Reason("5.04", "5", "1899.2"), EthPrice)]),
        // The bar closed at 40 000: with the latest BTC price (60 000) the bots would be at a new high.
        new StopsRow("the tenant's alone, the bar's close the bot's price", () => OwnAndTenant(5m, new BotRisk()),
            [First(Reason("5.04", "5", "1899.2"), 40_000m), Second(Reason("5.04", "5", "1899.2"), EthPrice)]),
        new StopsRow("none", () => OwnAndTenant(0m, new BotRisk()), []),
    }.ToDictionary(r => r.Rule);

    public static TheoryData<string> StopsRules => new(StopsRows.Keys);

    [Theory]
    [MemberData(nameof(StopsRules))]
    public void Risk_stops_after_a_bar(string rule)
    {
        var row = StopsRows[rule];
        Assert.Equal(row.Stops, TenantRiskDecisions.RiskStops(row.State(), BotId, 40_000m, Prices(60_000m, EthPrice), T1));
    }

    [Fact]
    public void An_unknown_bot_brings_only_the_tenant_kill_switch() =>
        Assert.Equal(new[] { First(Reason("10.04", "10", "1799.2"), Price), Second(Reason("10.04", "10", "1799.2"), 1_000m) },
            TenantRiskDecisions.RiskStops(BothHolding(10m), "nope", 40_000m, Prices(Price, 1_000m), T1));
}
