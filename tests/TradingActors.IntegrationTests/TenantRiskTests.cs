using TradingActors.Domain.Bots;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Tenants;
using TradingActors.IntegrationTests.Infrastructure;
using TradingActors.Tests.Shared;

namespace TradingActors.IntegrationTests;

/// <summary>
/// The tenant's risk limits across its bots (decision 031), end to end on one node with real PostgreSQL and the paper venue:
/// two DCA bots (BTCUSDT and ETHUSDT, budgets of 200, a base order of 100 each), the tenant's maxExposure of 150 refuses the
/// second bot's base order, and the tenant kill switch (4 %) stops both bots with its reason once BTC falls — the first
/// bot's position sold, no bot started again while it stands, across a restart.
/// </summary>
public sealed class TenantRiskTests
{
    private const string Tenant = "risk-taker";
    private static readonly DateTimeOffset T0 = new(2026, 1, 6, 10, 0, 0, TimeSpan.Zero);

    // One deal each: a market base order of 100, no safety orders, a take profit far above (it rests), no new deal after.
    private const string Deal = """{"base_order":100,"safety_order":0,"max_safety_orders":0,"take_profit":50,"cooldown_bars":1000}""";
    private static readonly BotConfig Btc = new("btc-dca", "dca", "BTCUSDT", "paper-1", Deal, Budget: 200m, BarSeconds: 60, new BotRisk());
    private static readonly BotConfig Eth = new("eth-dca", "dca", "ETHUSDT", "paper-1", Deal, Budget: 200m, BarSeconds: 60, new BotRisk());

    private static async Task<BotRecord> Bot(EngineNode node, BotConfig config) => (await node.Portfolio(Tenant)).BotsById[config.BotId];

    /// <summary>One price a minute of feed time per symbol: each closes the bar before it.</summary>
    private sealed class Feed
    {
        private readonly Dictionary<string, DateTimeOffset> _clock = [];

        public void Tick(EngineNode node, string symbol, decimal price)
        {
            var at = _clock.GetValueOrDefault(symbol, T0);
            node.PublishPrice(symbol, price, at);
            _clock[symbol] = at.AddMinutes(1);
        }
    }

    [Fact]
    public async Task The_tenant_maxExposure_refuses_a_second_bots_order_and_its_kill_switch_stops_every_bot_with_the_reason()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        var options = EngineNode.DefaultOptions(db.ConnectionString, venues);
        options.TenantSnapshotEvery = 3; // the limits and the bots' peak must come back from snapshots as well as from events
        var feed = new Feed();
        TenantState before;
        await using (var node = await EngineNode.StartAsync(options))
        {
            await node.Accept(new CreateTenant(Tenant, Tenant));
            await node.Accept(new LinkPaperAccount(Tenant, "paper-1", 10_000m));
            var refused = Assert.IsType<CommandRejected>(await node.Send(new SetTenantRisk(Tenant, new TenantRisk(MaxExposure: -1m, MaxDrawdownPercent: 100m))));
            Assert.Contains("maxExposure must be at least 0", refused.Reason);
            Assert.Contains("maxDrawdownPercent must be at least 0 and below 100", refused.Reason);
            Assert.Equal(TenantRisk.Off, (await node.Portfolio(Tenant)).RiskLimits);
            await node.Accept(new SetTenantRisk(Tenant, new TenantRisk(MaxExposure: 150m, MaxDrawdownPercent: 4m)));
            await node.Accept(new CreateBot(Tenant, Btc));
            await node.Accept(new CreateBot(Tenant, Eth));
            await node.Accept(new StartBot(Tenant, Btc.BotId));
            await node.Accept(new StartBot(Tenant, Eth.BotId));

            // BTC at 50 000: the first bot's base order fills (about 100 at cost), its take profit rests.
            await Eventually.TrueAsync(async () =>
            {
                feed.Tick(node, "BTCUSDT", 50_000m);
                var state = await node.Portfolio(Tenant);
                return state.BotsById[Btc.BotId].Ledger.Position > 0 && state.Open.Values.Any(o => o.Intent.Source == Btc.Source);
            }, TimeSpan.FromSeconds(15), "the BTC bot's base order filled and its take profit resting");

            // ETH at 3 000: the second bot's base order (about 100 more) would take the bots past 150 — refused, naming the tenant's limit.
            await Eventually.TrueAsync(async () =>
            {
                feed.Tick(node, "ETHUSDT", 3_000m);
                return (await JournalFacts.BotRefusalsAsync(db.ConnectionString, Tenant, Eth.BotId)).Count > 0;
            }, TimeSpan.FromSeconds(15), "the ETH bot's base order refused");
            // Each bar it tries again (a refused base order opens no deal), and is refused again.
            Assert.All(await JournalFacts.BotRefusalsAsync(db.ConnectionString, Tenant, Eth.BotId), r => Assert.StartsWith("over the tenant's maxExposure of 150: ", r));
            var afterRefusal = await node.Portfolio(Tenant);
            Assert.Equal(0m, afterRefusal.BotsById[Eth.BotId].Ledger.Position);
            Assert.DoesNotContain(afterRefusal.Open.Values.Concat(afterRefusal.Recent), o => o.Intent.Source == Eth.Source);
            Assert.Equal(BotStatus.Running, afterRefusal.BotsById[Eth.BotId].Status);
            Assert.Equal(400m, afterRefusal.BotsPeakEquity);

            // BTC at 40 000: the first bot is down about 20 of the bots' 400, past the tenant's 4 %: every bot stops with the reason.
            await Eventually.TrueAsync(async () =>
            {
                feed.Tick(node, "BTCUSDT", 40_000m);
                return (await node.Portfolio(Tenant)).BotsById.Values.All(b => b.Status == BotStatus.Stopped);
            }, TimeSpan.FromSeconds(15), "both bots stopped by the tenant kill switch");
            var stopped = await node.Portfolio(Tenant);
            Assert.All(stopped.BotsById.Values, b => Assert.StartsWith("tenant kill switch: the bots' combined drawdown ", b.StopReason));
            Assert.All(stopped.BotsById.Values, b => Assert.Contains("reached the tenant's maxDrawdownPercent 4%", b.StopReason));
            Assert.Single(stopped.BotsById.Values.Select(b => b.StopReason).Distinct());
            // The first bot's position is sold (its own closeOnStop) and its take profit cancelled.
            await Eventually.TrueAsync(async () =>
            {
                var state = await node.Portfolio(Tenant);
                return state.BotsById[Btc.BotId].Ledger.Position == 0 && !state.Open.Values.Any(o => o.Intent.Source == Btc.Source);
            }, TimeSpan.FromSeconds(15), "the BTC bot's position sold and its take profit cancelled");

            // While the kill switch stands no bot starts again.
            Assert.Contains("raise or turn off the tenant's maxDrawdownPercent", Assert.IsType<CommandRejected>(await node.Send(new StartBot(Tenant, Eth.BotId))).Reason);
            before = await node.Portfolio(Tenant);
        }

        await using (var node = await EngineNode.StartAsync(options))
        {
            // The limits, the bots' peak and the reasons come back; the kill switch still stands.
            var after = await node.Portfolio(Tenant);
            Assert.Equal((before.RiskLimits, before.BotsPeakEquity), (after.RiskLimits, after.BotsPeakEquity));
            Assert.Equal(before.BotsById.Values.Select(b => (b.Config.BotId, b.Status, b.StopReason, b.LastPrice)).Order(),
                after.BotsById.Values.Select(b => (b.Config.BotId, b.Status, b.StopReason, b.LastPrice)).Order());
            Assert.IsType<CommandRejected>(await node.Send(new StartBot(Tenant, Btc.BotId)));

            // The trader turns the kill switch off: bots start again.
            await node.Accept(new SetTenantRisk(Tenant, new TenantRisk(MaxExposure: 150m)));
            await node.Accept(new StartBot(Tenant, Eth.BotId));
            Assert.Equal(BotStatus.Running, (await Bot(node, Eth)).Status);
        }
    }
}
