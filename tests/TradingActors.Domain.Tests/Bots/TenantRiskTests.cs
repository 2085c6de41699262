using TradingActors.Domain.Bots;
using TradingActors.Domain.Tenants;
using static TradingActors.Domain.Tests.Bots.BotHistory;
using static TradingActors.Domain.Tests.Bots.TwoBotHistory;
using static TradingActors.Domain.Tests.Tenants.TenantHistory;

namespace TradingActors.Domain.Tests.Bots;

/// <summary>
/// The tenant's risk limits across its bots (decision 031): checked field by field, set by a decision the state takes, the
/// bots' combined peak equity kept as each bot's is, where the bots stand now, and no start while the kill switch stands.
/// b1 holds 0.01 BTC that cost 500.5 (it saw 50 000), b2 0.1 ETH that cost 300.3 (it saw 3 000): their equity is
/// 999.5 + 999.7 = 1 999.2 at those prices, their peak 2 000 (their budgets).
/// </summary>
public sealed class TenantRiskTests
{
    private static TenantState BothHolding(TenantRisk? limits = null) => Two(limits, Holding()).OtherHolding();

    public sealed record CheckRow(string Rule, TenantRisk Limits, string[] Fields, BotPlan? Plan = null);

    public static readonly Dictionary<string, CheckRow> CheckRows = new[]
    {
        new CheckRow("every limit off", TenantRisk.Off, []),
        new CheckRow("every limit at its most", new TenantRisk(1_000_000_000m, 1_000, 99.99m), []),
        new CheckRow("a negative maxExposure", new TenantRisk(MaxExposure: -0.01m), ["maxExposure"]),
        new CheckRow("a maxExposure over a billion", new TenantRisk(MaxExposure: 1_000_000_000.01m), ["maxExposure"]),
        new CheckRow("a negative maxOpenOrders", new TenantRisk(MaxOpenOrders: -1), ["maxOpenOrders"]),
        new CheckRow("more open orders than the plan's bots may have", new TenantRisk(MaxOpenOrders: 1_001), ["maxOpenOrders"]),
        new CheckRow("a smaller plan bounds maxOpenOrders lower", new TenantRisk(MaxOpenOrders: 401), ["maxOpenOrders"], new BotPlan(MaxBots: 2)),
        new CheckRow("a smaller plan's bound", new TenantRisk(MaxOpenOrders: 400), [], new BotPlan(MaxBots: 2)),
        new CheckRow("a negative maxDrawdownPercent", new TenantRisk(MaxDrawdownPercent: -0.01m), ["maxDrawdownPercent"]),
        new CheckRow("a maxDrawdownPercent of 100", new TenantRisk(MaxDrawdownPercent: 100m), ["maxDrawdownPercent"]),
        new CheckRow("every problem at once", new TenantRisk(-1m, -1, 100m), ["maxExposure", "maxOpenOrders", "maxDrawdownPercent"]),
    }.ToDictionary(r => r.Rule);

    public static TheoryData<string> CheckRules => new(CheckRows.Keys);

    [Theory]
    [MemberData(nameof(CheckRules))]
    public void Limits_are_checked_field_by_field(string rule)
    {
        var row = CheckRows[rule];
        Assert.Equal(row.Fields, row.Limits.Check(row.Plan).Select(e => e.Parameter));
    }

    [Fact]
    public void Each_problem_says_what_is_allowed()
    {
        Assert.Equal(
        [
            "maxExposure must be at least 0 and at most 1,000,000,000 (0: off)",
            "maxOpenOrders must be between 0 and 1000, what the plan's bots may have open (0: off)",
            "maxDrawdownPercent must be at least 0 and below 100 (0: off)",
        ], new TenantRisk(-1m, 1_001, 100m).Check().Select(e => e.Message));
        Assert.Equal(1_000, BotPlan.Default.MaxOpenOrders());
    }

    [Fact]
    public void Setting_limits_persists_them_once_and_the_state_holds_them()
    {
        var s = WithAccounts();
        Assert.Equal(TenantRisk.Off, s.RiskLimits);
        var limits = new TenantRisk(5_000m, 20, 15m);
        var set = TenantRiskDecisions.Set(s, limits, T1);
        Assert.Equal(new ITenantEvent[] { new TenantRiskLimitsSet(limits, T1) }, set.Events);
        s = s.Then(set.Events.ToArray());
        Assert.Equal(limits, s.RiskLimits);
        // The same limits again: accepted, nothing to persist; every limit off again is a change.
        Assert.True(TenantRiskDecisions.Set(s, limits, T1) is { Accepted: true, Events.IsEmpty: true });
        Assert.Equal(TenantRisk.Off, s.Then(TenantRiskDecisions.Set(s, TenantRisk.Off, T1).Events.ToArray()).RiskLimits);
        Assert.True(TenantRiskDecisions.Set(WithAccounts(), TenantRisk.Off, T1) is { Accepted: true, Events.IsEmpty: true });
    }

    [Fact]
    public void Bad_limits_and_an_unknown_tenant_are_refused()
    {
        Assert.Equal("maxExposure must be at least 0 and at most 1,000,000,000 (0: off); maxDrawdownPercent must be at least 0 and below 100 (0: off)",
            TenantRiskDecisions.Set(WithAccounts(), new TenantRisk(MaxExposure: -1m, MaxDrawdownPercent: 100m), T1).Rejection);
        Assert.Equal("maxOpenOrders must be between 0 and 200, what the plan's bots may have open (0: off)",
            TenantRiskDecisions.Set(WithAccounts(), new TenantRisk(MaxOpenOrders: 201), T1, new BotPlan(MaxBots: 1)).Rejection);
        Assert.Equal("tenant 't1' does not exist", TenantRiskDecisions.Set(TenantState.Empty(Tenant), new TenantRisk(MaxOpenOrders: 5), T1).Rejection);
    }

    // ---- the bots' combined peak equity, kept as each bot's is

    public sealed record PeakRow(string Rule, Func<TenantState> State, decimal Peak);

    public static readonly Dictionary<string, PeakRow> PeakRows = new[]
    {
        new PeakRow("created bots bring their budgets", () => Two(), 2_000m),
        new PeakRow("fills leave it (it is kept at steps and checkpoints)", () => BothHolding(), 2_000m),
        // b2 at 4 000: 699.7 + 400 = 1 099.7, b1 at the 50 000 it saw: 999.5
        new PeakRow("a checkpoint lifts it, every bot at the price it last saw", () => BothHolding().Then(new BotCheckpointed(Other, State, NoFed, 4_000m, T0)), 2_099.2m),
        // b1 at 60 000: 499.5 + 600 = 1 099.5, b2 at 3 000: 999.7
        new PeakRow("a step lifts it as well", () => BothHolding().Then(new BotStepped(BotId, 1, State, NoFed, [], 60_000m, T0)), 2_099.2m),
        new PeakRow("a lower equity leaves it", () => BothHolding().Then(new BotCheckpointed(Other, State, NoFed, 2_000m, T0)), 2_000m),
        new PeakRow("a price of 0 is no price seen", () => BothHolding().Then(new BotCheckpointed(Other, State, NoFed, 0m, T0)), 2_000m),
        // b2's equity at the 3 000 it saw, 999.7, leaves with it
        new PeakRow("a deleted bot takes its equity away", () => BothHolding().Then(new BotStopped(Other, null, null, T0), new BotDeleted(Other, T0)), 1_000.3m),
        new PeakRow("a tenant from before peaks were kept starts at its bots' equity",
            () => (BothHolding() with { BotsPeakEquity = 0m }).Then(new BotCheckpointed(Other, State, NoFed, EthPrice, T0)), 1_999.2m),
        new PeakRow("a tenant from before peaks were kept never goes below 0", () => (BothHolding() with { BotsPeakEquity = 0m }).Then(new BotDeleted(Other, T0)), 0m),
        new PeakRow("a bot created twice brings its budget once", () => Two().Then(new BotCreated(OtherConfig(), T0)), 2_000m),
    }.ToDictionary(r => r.Rule);

    public static TheoryData<string> PeakRules => new(PeakRows.Keys);

    [Theory]
    [MemberData(nameof(PeakRules))]
    public void The_bots_combined_peak_equity(string rule)
    {
        var row = PeakRows[rule];
        Assert.Equal(row.Peak, row.State().BotsPeakEquity);
    }

    [Fact]
    public void A_bot_keeps_the_price_it_last_saw()
    {
        var s = BothHolding();
        Assert.Equal((Price, EthPrice), (s.Bot().LastPrice, s.OtherBot().LastPrice));
        Assert.Equal(4_000m, s.Then(new BotCheckpointed(Other, State, NoFed, 4_000m, T0)).OtherBot().LastPrice);
        Assert.Equal(EthPrice, s.Then(new BotCheckpointed(Other, State, NoFed, 0m, T0)).OtherBot().LastPrice);
        Assert.Equal(0m, Running().Bot().LastPrice);
    }

    [Fact]
    public void Where_the_bots_stand_now()
    {
        var s = BothHolding().OtherResting();
        // 500.5 + 300.3 + b2's resting buy 0.1 * 2 900 * 1.0015005 = 290.435145; at 45 000 and 3 100: 949.5 + 1 009.7
        Assert.Equal(new TenantRiskNow(1_091.235145m, 1, 1_959.2m, 2_000m, 2.04m), TenantRiskDecisions.Now(s, Costs, Prices(45_000m, 3_100m)));
        // Without prices, every bot at the price it last saw; with b1 at 60 000 the bots are at a new high (no drawdown).
        Assert.Equal(new TenantRiskNow(1_091.235145m, 1, 1_999.2m, 2_000m, 0.04m), TenantRiskDecisions.Now(s, Costs));
        Assert.Equal(new TenantRiskNow(1_091.235145m, 1, 2_099.2m, 2_099.2m, 0m), TenantRiskDecisions.Now(s, Costs, Prices(btc: 60_000m)));
        Assert.Equal(new TenantRiskNow(0m, 0, 0m, 0m, 0m), TenantRiskDecisions.Now(WithAccounts(), Costs));
    }

    [Fact]
    public void A_bot_cannot_start_while_the_tenant_kill_switch_stands()
    {
        var s = BothHolding(new TenantRisk(MaxDrawdownPercent: 10m)).Then(new BotStopped(Other, "the tenant kill switch", null, T0));
        // ETH at 1 000: 999.5 + 699.7 + 100 = 1 799.2, 10.04 % below 2 000.
        Assert.Equal("tenant kill switch: the bots' combined drawdown 10.04% reached the tenant's maxDrawdownPercent 10% (combined equity 1799.2, peak 2000); "
            + "raise or turn off the tenant's maxDrawdownPercent to start bots again", BotDecisions.Start(s, Other, T1, Prices(eth: 1_000m)).Rejection);
        Assert.Equal(new ITenantEvent[] { new BotStarted(Other, T1) }, BotDecisions.Start(s, Other, T1, Prices(eth: 3_000m)).Events);
        Assert.Equal(new ITenantEvent[] { new BotStarted(Other, T1) }, BotDecisions.Start(s, Other, T1).Events);
        var raised = s.Then(new TenantRiskLimitsSet(new TenantRisk(MaxDrawdownPercent: 20m), T0));
        Assert.True(BotDecisions.Start(raised, Other, T1, Prices(eth: 1_000m)).Accepted);
    }
}
