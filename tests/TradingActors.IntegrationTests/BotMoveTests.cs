using Akka.Actor;
using Akka.Cluster;
using TradingActors.Domain.Bots;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Bots;
using TradingActors.Engine.Tenants;
using TradingActors.IntegrationTests.Infrastructure;
using TradingActors.Tests.Shared;

namespace TradingActors.IntegrationTests;

/// <summary>
/// Bots survive their tenant moving (issue 10, decision 028): DCA bots trading on paper without pause while a second node
/// joins and their shards are handed off to it, and then while the first node is lost (downed, no hand-off) and the rest
/// start on the survivor. Every tenant moves once, some gracefully, some hard. Afterwards the journal has each decided
/// order placed once, the bot's decisions numbered without a gap, every bot still deciding on its new node with its
/// strategy, ledger and resting orders agreeing, and fills booked after each move. Also: a bot's child that starts with
/// news of its orders untold (the state a move can leave) decides on it at a price, never at none.
/// </summary>
public sealed class BotMoveTests
{
    private const string Symbol = "BTCUSDT";
    private static readonly string[] Tenants = Enumerable.Range(1, 8).Select(i => $"bm-{i}").ToArray();

    // cooldown_bars 0: a deal opens at every bar after the last one closed, so decisions and fills never pause.
    private static readonly BotConfig Dca = new("dca-1", "dca", Symbol, "paper-1",
        """{"base_order":100,"safety_order":100,"max_safety_orders":2,"price_deviation":1,"volume_scale":1,"take_profit":1,"cooldown_bars":0}""",
        Budget: 1_000m, BarSeconds: 60, new BotRisk());

    [Fact]
    public async Task Dca_bots_trade_on_through_a_hand_off_to_a_joining_node_and_the_loss_of_the_first_node_with_every_order_placed_once()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        var firstOptions = EngineNode.DefaultOptions(db.ConnectionString, venues);
        firstOptions.TenantSnapshotEvery = 7; // moved bots come back from snapshots as well as from events
        // The first node is lost later as a crashed node is: downed (as the split-brain resolver would) with no hand-off of
        // its shards; learning it is down, it stops its regions at once, whatever its tenants were writing.
        firstOptions.ExtraHocon = "akka.cluster.sharding.rebalance-interval = 1s\nakka.cluster.run-coordinated-shutdown-when-down = off";
        await using var first = await EngineNode.StartAsync(firstOptions);
        foreach (var tenant in Tenants)
        {
            await first.Accept(new CreateTenant(tenant, tenant));
            await first.Accept(new LinkPaperAccount(tenant, "paper-1", 10_000m));
            await first.Accept(new CreateBot(tenant, Dca));
            await first.Accept(new StartBot(tenant, Dca.BotId));
        }

        // 1. One node: every bot trades.
        await using var market = new Market(first);
        await EveryBotTrades(first, "on the first node");

        // 2. A second node joins; rebalancing hands some tenants off to it while prices keep coming through both nodes.
        var secondOptions = EngineNode.DefaultOptions(db.ConnectionString, venues);
        secondOptions.TenantSnapshotEvery = firstOptions.TenantSnapshotEvery;
        secondOptions.ExtraHocon = "akka.cluster.sharding.rebalance-interval = 1s";
        secondOptions.Cluster = new TradingActors.Engine.Hosting.ClusterSettings { Port = 0, Seeds = first.Address.ToString() };
        await using var second = await EngineNode.StartAsync(secondOptions);
        market.PublishThrough(first, second);
        string[] onFirst = [], onSecond = [];
        await Eventually.TrueAsync(async () =>
        {
            (onFirst, onSecond) = (await BotsOn(first), await BotsOn(second));
            var (shardsFirst, shardsSecond) = (await TenantShards(first), await TenantShards(second));
            return onSecond.Length > 0 && onFirst.Length + onSecond.Length == Tenants.Length && Math.Abs(shardsFirst - shardsSecond) <= 1;
        }, TimeSpan.FromSeconds(40), () => $"shards balanced over both nodes, every bot running once (first: {string.Join(",", onFirst)}; second: {string.Join(",", onSecond)})");
        Assert.NotEmpty(onFirst);
        await EveryBotTrades(second, $"after {string.Join(", ", onSecond)} moved to the joining node");
        market.PublishThrough(); // quiet for a moment: each bot settles all it was told
        await BotsAgreeWithTheirLedgers(second);

        // 3. The first node is lost: the survivor starts its tenants (remembered entities), and their bots trade on.
        market.PublishThrough(second);
        var lost = await BotsOn(first);
        Assert.NotEmpty(lost);
        Cluster.Get(second.System).Down(first.Address);
        await Eventually.TrueAsync(async () => (await BotsOn(second)).Length == Tenants.Length, TimeSpan.FromSeconds(40),
            $"every bot running on the survivor, {string.Join(", ", lost)} brought back without a message sent to them");
        await EveryBotTrades(second, $"after {string.Join(", ", lost)} were lost with the first node");

        await market.DisposeAsync();
        await BotsAgreeWithTheirLedgers(second);
        await EveryOrderPlacedOnceWithNoGap(db, venues);
    }

    /// <summary>
    /// A bot's child that starts with news its strategy was not told (as after a move that came between a fill and its
    /// checkpoint; made certain here by a pause during which a resting safety order fills) decides on it at the first
    /// price it sees, never at none: its orders would carry 0 as their reference price, which a paper venue with no price of
    /// its own rejects (these test venues never have one; a node just started may not), costing the deal its take profit
    /// and its next safety order.
    /// </summary>
    [Fact]
    public async Task A_bot_started_with_a_fill_it_was_not_told_decides_on_it_at_the_first_price_it_sees()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        await using var node = await EngineNode.StartAsync(EngineNode.DefaultOptions(db.ConnectionString, venues));
        const string tenant = "bm-resume";
        await node.Accept(new CreateTenant(tenant, tenant));
        await node.Accept(new LinkPaperAccount(tenant, "paper-1", 10_000m));
        await node.Accept(new CreateBot(tenant, Dca));
        await node.Accept(new StartBot(tenant, Dca.BotId));
        var t0 = new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.Zero);
        var minute = 0;
        async Task<List<OrderRecord>> Orders()
        {
            var state = await State(node, tenant);
            return state.Open.Values.Concat(state.Recent).Where(o => o.Intent.Source == Dca.Source).ToList();
        }

        // A deal opens at 50 000: base filled, take profit and safety order 1 (49 524.75) resting.
        await Eventually.TrueAsync(async () =>
        {
            node.PublishPrice(Symbol, 50_000m, t0.AddMinutes(minute++));
            return (await Orders()).Count(o => o.Status == OrderStatus.Working) == 2;
        }, TimeSpan.FromSeconds(15), "base filled, take profit and safety order resting");

        // Paused, the bot has no child; the dip fills its safety order all the same (the tenant is the paper book).
        await node.Accept(new PauseBot(tenant, Dca.BotId));
        await Eventually.TrueAsync(async () =>
        {
            node.PublishPrice(Symbol, 49_400m, t0.AddMinutes(minute++));
            return (await Orders()).Count(o => o.Status == OrderStatus.Filled) == 2;
        }, TimeSpan.FromSeconds(15), "safety order 1 filled while paused");

        // Started again: the new child hears of the fill before any price, and decides at the next one.
        await node.Accept(new StartBot(tenant, Dca.BotId));
        await Eventually.TrueAsync(async () =>
        {
            node.PublishPrice(Symbol, 49_800m, t0.AddMinutes(minute++));
            var orders = await Orders();
            return orders.Any(o => o.Status == OrderStatus.Rejected) || orders.Count(o => o.Status == OrderStatus.Working) == 2;
        }, TimeSpan.FromSeconds(15), "the take profit moved and safety order 2 resting");
        var orders = await Orders();
        Assert.DoesNotContain(orders, o => o.Status == OrderStatus.Rejected);
        var resting = orders.Where(o => o.Status == OrderStatus.Working).ToList();
        Assert.Equal(49_024.5m, resting.Single(o => o.Intent.Side == OrderSide.Buy).Intent.LimitPrice); // 2 % below the first entry
        var takeProfit = resting.Single(o => o.Intent.Side == OrderSide.Sell);
        var bot = (await State(node, tenant)).BotsById[Dca.BotId];
        Assert.Equal(bot.Ledger.Position, takeProfit.Intent.Quantity);
        Assert.Equal(49_800m, takeProfit.Intent.ReferencePrice);
    }

    /// <summary>Every bot closes two more deals from now on (a take profit filled: a round trip in its ledger), asked through <paramref name="via"/>.</summary>
    private static async Task EveryBotTrades(EngineNode via, string when)
    {
        var before = new Dictionary<string, int>();
        await Eventually.TrueAsync(async () =>
        {
            foreach (var tenant in Tenants.Where(t => !before.ContainsKey(t)))
                before[tenant] = (await Bot(via, tenant)).Ledger.RoundTrips;
            return true;
        }, TimeSpan.FromSeconds(20), "round trips read");
        var behind = "";
        await Eventually.TrueAsync(async () =>
        {
            var lagging = new List<string>();
            foreach (var tenant in Tenants)
            {
                var state = await State(via, tenant);
                var bot = state.BotsById[Dca.BotId];
                Assert.Equal(BotStatus.Running, bot.Status);
                if (bot.Ledger.RoundTrips < before[tenant] + 2) lagging.Add(Describe(state, bot));
            }
            behind = string.Join("; ", lagging);
            return lagging.Count == 0;
        }, TimeSpan.FromSeconds(30), () => $"two more deals closed by every bot {when} (behind: {behind})");
    }

    /// <summary>
    /// Once the market is quiet, each bot's strategy has been told all its ledger holds, and agrees with it: the same
    /// position, the same deals closed, and its open orders are exactly the bot's orders the ledger holds open (resting).
    /// </summary>
    private static async Task BotsAgreeWithTheirLedgers(EngineNode via)
    {
        foreach (var tenant in Tenants)
        {
            var why = "";
            await Eventually.TrueAsync(async () =>
            {
                var state = await State(via, tenant);
                var bot = state.BotsById[Dca.BotId];
                var dca = Assert.IsType<DcaState>(bot.Strategy);
                var strategyOpen = dca.Orders.Select(o => bot.Orders.GetValueOrDefault(o.OrderRef) ?? $"ref {o.OrderRef} unknown").Order().ToList();
                var ledgerOpen = BotState.OpenOrders(state, bot).Select(o => o.Intent.ClientOrderId).Order().ToList();
                why = $"untold {BotDecisions.Untold(state, bot).Count}, pending {bot.Pending.Count}, position {dca.Position} (ledger {bot.Ledger.Position}), " +
                      $"deals {dca.DealsClosed} (round trips {bot.Ledger.RoundTrips}), strategy's open orders [{string.Join(",", strategyOpen)}], ledger's [{string.Join(",", ledgerOpen)}]";
                return BotDecisions.Untold(state, bot).Count == 0 && bot.Pending.IsEmpty
                    && Math.Abs((decimal)dca.Position - bot.Ledger.Position) <= 1e-9m
                    && dca.DealsClosed == bot.Ledger.RoundTrips
                    && strategyOpen.SequenceEqual(ledgerOpen);
            }, TimeSpan.FromSeconds(20), () => $"bot of {tenant} agreeing with its ledger: {why}");
        }
    }

    /// <summary>
    /// The journal: each bot's decisions numbered 1, 2, 3... (each once, none missing), every order a decision placed in
    /// the ledger once under the decision's sequence (no order from anywhere else, none twice, none rejected), each ending
    /// once; and the paper venue asked for every order.
    /// </summary>
    private static async Task EveryOrderPlacedOnceWithNoGap(TestDatabase db, TestVenues venues)
    {
        var placedEverywhere = 0;
        foreach (var tenant in Tenants)
        {
            var steps = (await JournalFacts.BotStepsAsync(db.ConnectionString, tenant, Dca.BotId)).Where(s => s.Placed.Count + s.Cancelled.Count + s.Refused.Count > 0).ToList();
            Assert.Equal(Enumerable.Range(1, steps.Count).Select(i => (long)i), steps.Select(s => s.Sequence));
            // The one refusal a race allows: a take profit decided on news of an earlier fill, arriving after the one before it
            // sold the position (the strategy learns of that sale next). Nothing is oversold: the tenant refuses it.
            Assert.All(steps.SelectMany(s => s.Refused), r => Assert.StartsWith("nothing to sell", r));
            var placed = steps.SelectMany(s => s.Placed.Select(p => (p.ClientOrderId, p.SourceSequence, Step: s.Sequence))).ToList();
            Assert.All(placed, p => Assert.Equal(p.Step, p.SourceSequence));
            Assert.Equal(placed.Count, placed.Select(p => p.ClientOrderId).Distinct().Count());

            var events = (await JournalFacts.OrderEventsAsync(db.ConnectionString, tenant)).Where(e => e.Source == Dca.Source).ToList();
            Assert.Equal(placed.Select(p => p.ClientOrderId).Order(), events.Select(e => e.ClientOrderId).Distinct().Order());
            var finals = events.Where(e => e.Kind is "t.order-filled.v1" or "t.order-cancelled.v1" or "t.order-rejected.v1" or "t.order-failed.v1").ToList();
            Assert.Equal(finals.Count, finals.Select(e => e.ClientOrderId).Distinct().Count());
            Assert.DoesNotContain(finals, e => e.Kind is "t.order-rejected.v1" or "t.order-failed.v1");
            // Six deals closed at least, each a base order and a take profit filled.
            Assert.True(finals.Count(e => e.Kind == "t.order-filled.v1") >= 6 * 2, $"{tenant}: {finals.Count(e => e.Kind == "t.order-filled.v1")} fills");
            placedEverywhere += placed.Count;
        }
        Assert.Equal(placedEverywhere, venues.Paper.DistinctOrders);
    }

    private static string Describe(TenantState state, BotRecord bot) =>
        $"{state.TenantId}: round trips {bot.Ledger.RoundTrips}, sequence {bot.Sequence}, deal {(bot.Strategy as DcaState)?.Deal}, position {bot.Ledger.Position}, " +
        $"pending {bot.Pending.Count}, cancelling {bot.Cancelling.Count}, untold {BotDecisions.Untold(state, bot).Count}, open [" +
        string.Join(",", BotState.OpenOrders(state, bot).Select(o => $"{o.Intent.SourceSequence}.{o.Intent.Side}@{o.Intent.LimitPrice}:{o.Status}")) + "], strategy's [" +
        string.Join(",", (bot.Strategy as DcaState)?.Orders.Select(o => $"{o.OrderRef}:{o.Role}@{o.Price:0.##}{(o.Cancelling ? " cancelling" : "")}") ?? []) + "]";

    private static async Task<TenantState> State(EngineNode via, string tenant) =>
        // A short ask: one that reached a shard while it was handed off is lost, and Eventually asks again.
        (await via.Tenants.Ask<Portfolio>(new GetPortfolio(tenant), TimeSpan.FromSeconds(3))).State;

    private static async Task<BotRecord> Bot(EngineNode via, string tenant) => (await State(via, tenant)).BotsById[Dca.BotId];

    /// <summary>The tenants whose bot child runs on <paramref name="node"/> (found without sending them anything).</summary>
    private static async Task<string[]> BotsOn(EngineNode node) =>
        (await node.FindActors($"/system/sharding/tenant/*/bm-*/{BotActor.NameOf(Dca.BotId)}")).Select(b => b.Path.Parent.Name).Order().ToArray();

    /// <summary>Tenant shards hosted by <paramref name="node"/>'s region.</summary>
    private static async Task<int> TenantShards(EngineNode node) => (await node.FindActors("/system/sharding/tenant/*")).Count;

    /// <summary>
    /// The market: a price every 200 ms of wall time, a minute apart in feed time (each closes the bar before it), cycling
    /// so that every DCA deal opens at market, buys its safety orders on the dip and closes at its take profit. Each price
    /// is published through every node given (each subscriber gets it once per node), and every fourth one is followed by
    /// the price of two minutes before, arriving late.
    /// </summary>
    private sealed class Market : IAsyncDisposable
    {
        private static readonly decimal[] Cycle = [50_000m, 49_400m, 52_000m];
        private static readonly DateTimeOffset T0 = new(2026, 1, 5, 10, 0, 0, TimeSpan.Zero);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _running;
        private volatile EngineNode[] _through;

        public Market(params EngineNode[] through)
        {
            _through = through;
            _running = Task.Run(RunAsync);
        }

        /// <summary>Publishes through these nodes from the next price on (none: the market is quiet, its clock runs on).</summary>
        public void PublishThrough(params EngineNode[] nodes) => _through = nodes;

        private async Task RunAsync()
        {
            for (var n = 0; !_stop.IsCancellationRequested; n++)
            {
                var through = _through;
                foreach (var node in through) node.PublishPrice(Symbol, Cycle[n % Cycle.Length], T0.AddMinutes(n));
                if (n % 4 == 3 && through.Length > 0) through[^1].PublishPrice(Symbol, Cycle[(n - 2) % Cycle.Length], T0.AddMinutes(n - 2));
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200), _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_stop.IsCancellationRequested) await _stop.CancelAsync();
            await _running;
        }
    }
}
