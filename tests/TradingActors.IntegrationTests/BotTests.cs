using TradingActors.Domain.Bots;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Tenants;
using TradingActors.IntegrationTests.Infrastructure;
using TradingActors.Tests.Shared;

namespace TradingActors.IntegrationTests;

/// <summary>
/// Bots (decision 028), end to end on one node with real PostgreSQL and the paper venue: a DCA bot opens a deal at
/// market, rests its take profit and safety order in the paper book, averages down when the price dips, survives a
/// restart mid-deal, and closes the deal at its take profit — every order placed once, counted in the journal.
/// </summary>
public sealed class BotTests
{
    private const string Tenant = "botter";
    private static readonly DateTimeOffset T0 = new(2026, 1, 5, 10, 0, 0, TimeSpan.Zero);

    private static readonly BotConfig Dca = new("dca-1", "dca", "BTCUSDT", "paper-1",
        """{"base_order":100,"safety_order":100,"max_safety_orders":2,"price_deviation":1,"volume_scale":1,"take_profit":1,"cooldown_bars":1000}""",
        Budget: 1_000m, BarSeconds: 60, new BotRisk());

    private static async Task<BotRecord> Bot(EngineNode node) => (await node.Portfolio(Tenant)).BotsById[Dca.BotId];

    private static async Task<IReadOnlyList<OrderRecord>> BotOrders(EngineNode node)
    {
        var state = await node.Portfolio(Tenant);
        return state.Open.Values.Concat(state.Recent).Where(o => o.Intent.Source == Dca.Source).OrderBy(o => o.Intent.SourceSequence).ToList();
    }

    /// <summary>One price a minute of feed time: each closes the bar before it (a price the bot's child misses while it subscribes is made up by the next).</summary>
    private sealed class Feed(EngineNode node)
    {
        private static DateTimeOffset _clock = T0;

        public EngineNode Node { get; set; } = node;

        public void Tick(decimal price)
        {
            Node.PublishPrice("BTCUSDT", price, _clock);
            _clock = _clock.AddMinutes(1);
        }
    }

    [Fact]
    public async Task A_dca_bot_on_paper_averages_down_survives_a_restart_and_takes_profit_with_every_order_placed_once()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        var options = EngineNode.DefaultOptions(db.ConnectionString, venues);
        Feed? feed;
        options.TenantSnapshotEvery = 3; // the bot's state must come back from snapshots as well as from events
        await using (var node = await EngineNode.StartAsync(options))
        {
            await node.Accept(new CreateTenant(Tenant, Tenant));
            await node.Accept(new LinkPaperAccount(Tenant, "paper-1", 10_000m));
            Assert.Contains("take_profit", Assert.IsType<CommandRejected>(await node.Send(new CreateBot(Tenant, Dca with { Parameters = """{"base_order":100,"safety_order":100,"take_profit":0}""" }))).Reason);
            await node.Accept(new CreateBot(Tenant, Dca));
            Assert.Equal(BotStatus.Stopped, (await Bot(node)).Status);
            await node.Accept(new StartBot(Tenant, Dca.BotId));

            // A bar closes at 50 000: the deal opens with a market buy of 100 USDT.
            feed = new Feed(node);
            await Eventually.TrueAsync(async () =>
            {
                feed.Tick(50_000m);
                return (await BotOrders(node)).Count(o => o.Status == OrderStatus.Working) == 2;
            }, TimeSpan.FromSeconds(15), "base filled, take profit and safety order resting");
            var orders = await BotOrders(node);
            var baseOrder = orders.Single(o => o.Status == OrderStatus.Filled);
            Assert.Equal((OrderSide.Buy, OrderType.Market), (baseOrder.Intent.Side, baseOrder.Intent.Type));
            var resting = orders.Where(o => o.Status == OrderStatus.Working).ToList();
            var takeProfit = resting.Single(o => o.Intent.Side == OrderSide.Sell);
            var safety = resting.Single(o => o.Intent.Side == OrderSide.Buy);
            Assert.Equal(baseOrder.Fill!.Quantity, takeProfit.Intent.Quantity);
            // First entry 50 025 (5 bps slippage): safety order 1 rests 1 % below it, the take profit 1 % above the average.
            Assert.Equal(49_524.75m, safety.Intent.LimitPrice);
            Assert.Equal(50_525.25m, takeProfit.Intent.LimitPrice);

            // A dip fills the safety order at its limit; the take profit moves to the new average and the next safety order rests.
            await Eventually.TrueAsync(async () =>
            {
                feed.Tick(49_400m);
                return (await BotOrders(node)).Count(o => o.Status == OrderStatus.Filled) == 2 && (await BotOrders(node)).Count(o => o.Status == OrderStatus.Working) == 2;
            }, TimeSpan.FromSeconds(15), "safety order filled, take profit moved");
            var afterDip = await Bot(node);
            Assert.Equal(2, (await BotOrders(node)).Count(o => o.Status == OrderStatus.Filled));
            Assert.True(afterDip.Ledger.Position > baseOrder.Fill.Quantity);
        }

        await using (var node = await EngineNode.StartAsync(options))
        {
            // Resumed mid-deal from its checkpoint: nothing placed again.
            var before = (await BotOrders(node)).Select(o => o.Intent.ClientOrderId).ToHashSet();
            await Task.Delay(500);
            Assert.Equal(before, (await BotOrders(node)).Select(o => o.Intent.ClientOrderId).ToHashSet());
            var newTakeProfit = (await BotOrders(node)).Single(o => o.Status == OrderStatus.Working && o.Intent.Side == OrderSide.Sell);

            feed!.Node = node;
            await Eventually.TrueAsync(async () =>
            {
                feed.Tick(51_000m);
                var bot = await Bot(node);
                return bot.Ledger.Position == 0 && (await BotOrders(node)).All(o => !o.IsOpen);
            }, TimeSpan.FromSeconds(15), "take profit filled, the last safety order cancelled: " + string.Join(" | ",
                (await BotOrders(node)).Select(o => $"{o.Intent.SourceSequence} {o.Intent.Side} {o.Intent.Type} {o.Intent.LimitPrice} {o.Status} {o.Reason}"))
                + $" position {(await Bot(node)).Ledger.Position} pending {(await Bot(node)).Pending.Count} cancelling {(await Bot(node)).Cancelling.Count}");
            var bot = await Bot(node);
            Assert.Equal((1, 1), (bot.Ledger.RoundTrips, bot.Ledger.Wins));
            Assert.True(bot.Ledger.Realised > 0, $"realised {bot.Ledger.Realised}");
            Assert.Equal(OrderStatus.Filled, (await BotOrders(node)).Single(o => o.Intent.ClientOrderId == newTakeProfit.Intent.ClientOrderId).Status);
            Assert.Equal(BotStatus.Running, bot.Status);

            await node.Accept(new StopBot(Tenant, Dca.BotId, ClosePosition: true));
            await node.Accept(new DeleteBot(Tenant, Dca.BotId));
            Assert.False((await node.Portfolio(Tenant)).BotsById.ContainsKey(Dca.BotId));
        }

        // The journal: base, safety 1, the first take profit (cancelled), the second (filled), safety 2 (cancelled); each once.
        var events = (await JournalFacts.OrderEventsAsync(db.ConnectionString, Tenant)).Where(e => e.Source == Dca.Source).ToList();
        var finals = events.Where(e => e.Kind is "t.order-filled.v1" or "t.order-cancelled.v1" or "t.order-rejected.v1").ToList();
        Assert.Equal(finals.Count, finals.Select(e => e.ClientOrderId).Distinct().Count());
        Assert.Equal(3, finals.Count(e => e.Kind == "t.order-filled.v1"));
        Assert.Equal(2, finals.Count(e => e.Kind == "t.order-cancelled.v1"));
        Assert.DoesNotContain(finals, e => e.Kind == "t.order-rejected.v1");
        Assert.Equal(5, events.Select(e => e.ClientOrderId).Distinct().Count());
        // The paper venue took each of the five orders once.
        Assert.Equal(finals.Count, venues.Paper.DistinctOrders);
    }
}
