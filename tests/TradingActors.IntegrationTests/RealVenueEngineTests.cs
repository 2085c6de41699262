using System.Diagnostics;
using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TradingActors.Brokers.Fakes;
using TradingActors.Brokers.Paper;
using TradingActors.Credentials;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;
using TradingActors.Engine.Fanout;
using TradingActors.Engine.Hosting;
using TradingActors.Engine.Strategies;
using TradingActors.Engine.Tenants;
using TradingActors.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace TradingActors.IntegrationTests;

/// <summary>
/// The engine against the real venue connectors (OANDA v20, Alpaca v2, Bybit v5, KIS) speaking HTTP to their local
/// fakes on 127.0.0.1, with the embedded paper venue beside them and real PostgreSQL: orders are counted where they
/// land — at each fake's exchange, per account — and in the journal, apart from the engine's own reading.
/// </summary>
public sealed class RealVenueEngineTests(ITestOutputHelper output)
{
    private const string Account = "acct-1";
    private static readonly string[] AllVenues = ["paper", "oanda", "alpaca", "bybit", "kis"];
    private static readonly string[] Ended = ["order-filled", "order-rejected", "order-failed", "order-cancelled"];

    /// <summary>A tenant of the test, its venue, and the venue account it linked (null: the embedded paper account).</summary>
    private sealed record Subscriber(string TenantId, string Venue, VenueLogin? Login);

    [Fact]
    public async Task A_thousand_tenants_on_four_real_venues_and_paper_each_place_their_signals_order_exactly_once()
    {
        const int perVenue = 200;
        await using var db = await TestDatabase.CreateAsync();
        await using var fakes = await RealVenueFakes.StartAsync();
        await using var node = await EngineNode.StartAsync(fakes.EngineOptions(db.ConnectionString));

        var clock = Stopwatch.StartNew();
        var subscribers = await SubscribeAsync(node, fakes, perVenue);
        var setUp = clock.Elapsed;
        clock.Restart();
        await EmitBuySignalsAsync(node);
        var events = await UntilAsync(db.ConnectionString, e => AllEnded(e, subscribers), TimeSpan.FromSeconds(60), $"all {subscribers.Count} orders ended");
        var settled = clock.Elapsed;
        // A duplicate would come from a later lookup or re-placement: give those their time before counting.
        await Task.Delay(TimeSpan.FromSeconds(2));
        events = await TenantJournal.OrderEventsAsync(db.ConnectionString);

        output.WriteLine($"{subscribers.Count} tenants subscribed in {setUp.TotalSeconds:0.0} s; one signal per market settled by all in {settled.TotalSeconds:0.0} s");
        foreach (var fake in fakes.All) output.WriteLine($"{fake.Venue}: {fake.Exchange.OrdersPlaced} orders, {fake.Requests} requests, {fake.RefusedForRate} refused for rate");
        AssertPlacedOnce(fakes, subscribers, events, allowUnknown: false);
        await AssertLedgersAsync(node, subscribers);
    }

    [Theory]
    [InlineData(FakeFaultKind.Hang)]
    [InlineData(FakeFaultKind.Fail)]
    [InlineData(FakeFaultKind.DropAfterAccept)]
    public async Task A_venue_that_hangs_fails_or_loses_its_order_answers_does_not_slow_the_other_venues_and_each_of_its_orders_is_placed_once(FakeFaultKind fault)
    {
        const int perVenue = 40;
        var callTimeout = TimeSpan.FromSeconds(10);
        await using var db = await TestDatabase.CreateAsync();
        await using var fakes = await RealVenueFakes.StartAsync();
        var options = fakes.EngineOptions(db.ConnectionString);
        options.BrokerCallTimeout = callTimeout;
        await using var node = await EngineNode.StartAsync(options);
        var subscribers = await SubscribeAsync(node, fakes, perVenue);
        var onBybit = subscribers.Where(s => s.Venue == "bybit").ToList();
        var others = subscribers.Where(s => s.Venue != "bybit").ToList();

        // Bybit's order path only: its lookups still answer, as when a venue's matching engine stalls.
        fakes.Bybit.Faults.Set(fault, "/v5/order/create");
        var clock = Stopwatch.StartNew();
        await EmitBuySignalsAsync(node);
        var events = await UntilAsync(db.ConnectionString, e => AllEnded(e, others), TimeSpan.FromSeconds(30), $"the other venues' {others.Count} orders ended");
        var othersTook = clock.Elapsed;
        output.WriteLine($"{fault} at bybit: the other {others.Count} orders ended in {othersTook.TotalSeconds:0.00} s (bybit's call timeout {callTimeout.TotalSeconds:0} s)");
        Assert.True(othersTook < callTimeout / 2,
            $"the other venues' orders took {othersTook.TotalSeconds:0.0} s with bybit {fault}; bound {(callTimeout / 2).TotalSeconds:0} s, half bybit's call timeout");
        if (fault == FakeFaultKind.Hang)
        {
            // Measured while every Bybit call still hangs: nothing of Bybit's had come back for the others to wait on.
            var answered = events.Where(e => onBybit.Any(s => s.TenantId == e.TenantId) && e.Kind != "order-submitted").ToList();
            Assert.True(answered.Count == 0, $"bybit orders answered before their call timeout: {string.Join(", ", answered.Take(5))}");
        }

        // The contract: a placement without an answer leaves the order unknown (not failed, not placed again blind).
        await UntilAsync(db.ConnectionString, e => onBybit.All(s => e.Any(x => x.TenantId == s.TenantId && x.Kind == "order-unknown")),
            callTimeout + TimeSpan.FromSeconds(15), $"bybit's {onBybit.Count} orders unknown");
        // A hang or a failure took nothing; a lost answer took every order, and its lookups find them.
        Assert.Equal(fault == FakeFaultKind.DropAfterAccept ? onBybit.Count : 0, fakes.Bybit.Exchange.OrdersPlaced);
        fakes.Bybit.Faults.Clear();

        // Once the venue answers, each unknown order is looked up: found, or not found and placed again with its same id.
        events = await UntilAsync(db.ConnectionString, e => AllEnded(e, onBybit), TimeSpan.FromSeconds(60), $"bybit's {onBybit.Count} orders ended after the fault cleared");
        output.WriteLine($"bybit's orders ended {clock.Elapsed.TotalSeconds:0.0} s after the signals");
        await Task.Delay(TimeSpan.FromSeconds(2));
        events = await TenantJournal.OrderEventsAsync(db.ConnectionString);
        AssertPlacedOnce(fakes, subscribers, events, allowUnknown: true);
        await AssertLedgersAsync(node, subscribers);
    }

    [Fact]
    public async Task A_kis_token_is_issued_once_for_fifty_orders_kept_sealed_and_reused_after_a_restart_and_a_shard_move()
    {
        const string tenant = "kis-token-1";
        const string symbol = "005930";
        await using var db = await TestDatabase.CreateAsync();
        await using var fakes = await RealVenueFakes.StartAsync();
        var login = fakes.Seed("kis", 1);
        var strategy = RealVenueFakes.Samsung;
        var price = RealVenueFakes.PriceOf(strategy);
        var first = await EngineNode.StartAsync(fakes.EngineOptions(db.ConnectionString));
        EngineNode? second = null, third = null;
        try
        {
            await first.Accept(new CreateTenant(tenant, tenant));
            await first.Accept(fakes.Link(tenant, Account, login));
            await first.Accept(new SubscribeToStrategy(tenant, strategy.Id, Account, RealVenueFakes.BudgetOf("kis")));
            await PriceKnownAsync(first, symbol, price);

            // Fifty orders at once, each asked for separately: one token serves them all.
            var clock = Stopwatch.StartNew();
            var replies = await Task.WhenAll(Enumerable.Range(1, 50).Select(i =>
                first.Send(new PlaceManualOrder(tenant, $"burst-{i:D2}", Account, symbol, OrderSide.Buy, 1m, null))));
            Assert.All(replies, r => Assert.IsType<ManualOrderPlaced>(r));
            await UntilOrdersEndedAsync(db.ConnectionString, tenant, 50);
            output.WriteLine($"50 KIS orders ended in {clock.Elapsed.TotalSeconds:0.0} s");
            AssertOneIssuance(fakes, login);
            await AssertFilledAsync(db.ConnectionString, tenant, 50);
            Assert.Equal(50, fakes.Kis.Exchange.Orders(login.AccountNumber).Count);

            // Kept in the tenant's journal, sealed: it opens under the tenant's data key, and its value is nowhere at rest.
            var rows = await TenantJournal.RowsAsync(db.ConnectionString, tenant);
            var stored = Assert.Single(rows, r => r.Manifest == "t.venue-token.v1");
            using (var body = JsonDocument.Parse(stored.Body))
            {
                var token = SealedVenueToken.Open(body.RootElement.GetProperty("sealedToken").GetString()!, fakes.DataKeyOf(tenant), tenant, Account);
                Assert.StartsWith("eyJ", token); // the fake's token, opened
                Assert.DoesNotContain(rows, r => r.Body.Contains(token, StringComparison.Ordinal));
                Assert.True(await db.ScalarAsync("SELECT count(*) FROM snapshot WHERE persistence_id = 'tenant-kis-token-1'") >= 1, "a tenant snapshot was written");
                Assert.Equal(0, await db.ScalarAsync($"SELECT count(*) FROM snapshot WHERE position('{token}' in convert_from(snapshot, 'UTF8')) > 0"));
            }

            // Restart: the node goes, another starts on the same database; the tenant recovers the token and uses it.
            await first.DisposeAsync();
            second = await EngineNode.StartAsync(WithoutRebalancing(fakes.EngineOptions(db.ConnectionString)));
            await PriceKnownAsync(second, symbol, price);
            Assert.IsType<ManualOrderPlaced>(await second.Send(new PlaceManualOrder(tenant, "after-restart", Account, symbol, OrderSide.Buy, 1m, null)));
            await second.Strategies.Ask<SignalPublished>(new EmitManualSignal(strategy.Id, OrderSide.Buy, price), TimeSpan.FromSeconds(15));
            await UntilOrdersEndedAsync(db.ConnectionString, tenant, 52);
            AssertOneIssuance(fakes, login);
            await AssertFilledAsync(db.ConnectionString, tenant, 52);

            // Shard move: a node joins and the tenant's node leaves, handing its shards over.
            var joining = WithoutRebalancing(fakes.EngineOptions(db.ConnectionString));
            joining.Cluster = new TradingActors.Engine.Hosting.ClusterSettings { Port = 0, Seeds = second.Address.ToString() };
            third = await EngineNode.StartAsync(joining);
            await Eventually.TrueAsync(() => Task.FromResult(Cluster.Get(third.System).State.Members.Count(m => m.Status == MemberStatus.Up) == 2),
                TimeSpan.FromSeconds(20), "two members");
            Assert.Equal(1, await second.RunningEntities("tenant", tenant)); // it lived on the node that leaves
            await second.DisposeAsync();
            second = null;
            // Resident again on the other node without a message: its subscription is active (remember-entities).
            await Eventually.TrueAsync(async () => await third.RunningEntities("tenant", tenant) == 1, TimeSpan.FromSeconds(30), "the tenant moved");
            await PriceKnownAsync(third, symbol, price);
            Assert.IsType<ManualOrderPlaced>(await third.Send(new PlaceManualOrder(tenant, "after-move", Account, symbol, OrderSide.Sell, 1m, null)));
            await third.Strategies.Ask<SignalPublished>(new EmitManualSignal(strategy.Id, OrderSide.Sell, price), TimeSpan.FromSeconds(15));
            await UntilOrdersEndedAsync(db.ConnectionString, tenant, 54);
            AssertOneIssuance(fakes, login);
            await AssertFilledAsync(db.ConnectionString, tenant, 54);
            Assert.Equal(54, fakes.Kis.Exchange.Orders(login.AccountNumber).Count);
            Assert.Single(await TenantJournal.RowsAsync(db.ConnectionString, tenant), r => r.Manifest == "t.venue-token.v1");
        }
        finally
        {
            if (third is not null) await third.DisposeAsync();
            if (second is not null) await second.DisposeAsync();
            await first.DisposeAsync();
        }
    }

    /// <summary>The one shard move is then the hand-over when the tenant's node leaves, not a rebalance racing the test.</summary>
    private static TradingEngineOptions WithoutRebalancing(TradingEngineOptions options)
    {
        options.ExtraHocon = "akka.cluster.sharding.rebalance-interval = 1h";
        return options;
    }

    /// <summary>
    /// Exactly one token request reached the venue for the app key, and it was answered: a second request — even one the
    /// venue throttled (it issues one a minute) — would mean the engine asked again instead of reusing its token.
    /// </summary>
    private static void AssertOneIssuance(RealVenueFakes fakes, VenueLogin login)
    {
        Assert.Equal(1, fakes.Kis.TokenRequests(login.ApiKey));
        Assert.Equal(1, fakes.Kis.TokensIssued(login.ApiKey));
    }

    // ---- subscribers and signals

    private static async Task<IReadOnlyList<Subscriber>> SubscribeAsync(EngineNode node, RealVenueFakes fakes, int perVenue)
    {
        var subscribers = AllVenues
            .SelectMany(v => Enumerable.Range(1, perVenue).Select(i => new Subscriber($"{v}-{i:D4}", v, v == "paper" ? null : fakes.Seed(v, i))))
            .ToList();
        foreach (var batch in subscribers.Chunk(50)) await Task.WhenAll(batch.Select(s => SubscribeAsync(node, fakes, s)));
        foreach (var strategy in RealVenueFakes.Strategies)
        {
            var expected = subscribers.Count(s => RealVenueFakes.StrategyOf(s.Venue) == strategy);
            await Eventually.TrueAsync(async () => await RegisteredAsync(node, strategy.Id) == expected, TimeSpan.FromSeconds(30),
                $"{expected} subscribers registered with {strategy.Id}");
        }
        return subscribers;
    }

    private static async Task SubscribeAsync(EngineNode node, RealVenueFakes fakes, Subscriber s)
    {
        await node.Accept(new CreateTenant(s.TenantId, s.TenantId));
        await node.Accept(s.Login is null ? new LinkPaperAccount(s.TenantId, Account, 100_000m) : fakes.Link(s.TenantId, Account, s.Login));
        await node.Accept(new SubscribeToStrategy(s.TenantId, RealVenueFakes.StrategyOf(s.Venue).Id, Account, RealVenueFakes.BudgetOf(s.Venue)));
    }

    private static async Task<int> RegisteredAsync(EngineNode node, string strategyId)
    {
        var total = 0;
        for (var bucket = 0; bucket < node.Options.FanoutBuckets; bucket++)
            total += (await node.Fanout.Ask<FanoutStatus>(new GetFanoutStatus(strategyId, bucket), TimeSpan.FromSeconds(10))).Subscribers;
        return total;
    }

    /// <summary>One buy signal from every market's strategy, all at once, each at its venue's price.</summary>
    private static Task EmitBuySignalsAsync(EngineNode node) =>
        Task.WhenAll(RealVenueFakes.Strategies.Select(s =>
            node.Strategies.Ask<SignalPublished>(new EmitManualSignal(s.Id, OrderSide.Buy, RealVenueFakes.PriceOf(s)), TimeSpan.FromSeconds(15))));

    /// <summary>A trader's order is priced from the node's price board: publish until the board has the price.</summary>
    private static async Task PriceKnownAsync(EngineNode node, string symbol, decimal price)
    {
        var board = node.Services.GetRequiredService<LatestPrices>();
        await Eventually.TrueAsync(() =>
        {
            node.PublishPrice(symbol, price);
            return Task.FromResult(board.TryGetLatest(symbol, out var known) && known == price);
        }, TimeSpan.FromSeconds(10), $"the price of {symbol} on the board");
    }

    // ---- what the journal and the fakes say

    private static bool AllEnded(IReadOnlyList<OrderEventRow> events, IEnumerable<Subscriber> subscribers)
    {
        var ended = events.Where(e => Ended.Contains(e.Kind)).Select(e => e.TenantId).ToHashSet(StringComparer.Ordinal);
        return subscribers.All(s => ended.Contains(s.TenantId));
    }

    private static async Task<IReadOnlyList<OrderEventRow>> UntilAsync(string connectionString, Func<IReadOnlyList<OrderEventRow>, bool> done, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var events = await TenantJournal.OrderEventsAsync(connectionString);
            if (done(events)) return events;
            if (deadline.Elapsed > timeout)
            {
                var kinds = string.Join(", ", events.GroupBy(e => e.Kind).Select(g => $"{g.Key} {g.Count()}"));
                throw new TimeoutException($"timed out after {timeout.TotalSeconds:0} s waiting for: {what} (journal: {kinds})");
            }
            await Task.Delay(200);
        }
    }

    /// <summary>Waits for the orders to end however they end (a token refused ends them failed): the assertions that follow say how.</summary>
    private static Task UntilOrdersEndedAsync(string connectionString, string tenantId, int orders) =>
        UntilAsync(connectionString, e => e.Count(x => x.TenantId == tenantId && Ended.Contains(x.Kind)) >= orders, TimeSpan.FromSeconds(60),
            $"{orders} orders of {tenantId} ended");

    private static async Task AssertFilledAsync(string connectionString, string tenantId, int orders)
    {
        var mine = (await TenantJournal.OrderEventsAsync(connectionString)).Where(e => e.TenantId == tenantId).ToList();
        var notFilled = mine.Where(e => Ended.Contains(e.Kind) && e.Kind != "order-filled").Select(e => $"{e.Kind} ({e.Reason})").ToList();
        Assert.True(notFilled.Count == 0, $"{tenantId}: {string.Join("; ", notFilled.Take(5))}");
        Assert.Equal(orders, mine.Count(e => e.Kind == "order-filled"));
        Assert.Equal(orders, mine.Select(e => e.ClientOrderId).Distinct().Count());
    }

    /// <summary>What each tenant itself holds agrees with its journal: one filled order, none open.</summary>
    private static async Task AssertLedgersAsync(EngineNode node, IReadOnlyList<Subscriber> subscribers)
    {
        var problems = new List<string>();
        foreach (var batch in subscribers.Chunk(100))
            foreach (var (s, state) in batch.Zip(await Task.WhenAll(batch.Select(s => node.Portfolio(s.TenantId)))))
                if (state.OrdersFilled != 1 || !state.Open.IsEmpty) problems.Add($"{s.TenantId}: {state.OrdersFilled} filled, {state.Open.Count} open");
        Assert.True(problems.Count == 0, $"{problems.Count} ledgers disagree: {string.Join("; ", problems.Take(20))}");
    }

    /// <summary>
    /// Each subscriber's signal is one order: one client order id in its journal, filled once, and — at an external
    /// venue — submitted once and held once by its account at the venue's exchange, with the same id; nothing else
    /// reached any venue. <paramref name="allowUnknown"/>: the order went through an unknown outcome on its way.
    /// </summary>
    private static void AssertPlacedOnce(RealVenueFakes fakes, IReadOnlyList<Subscriber> subscribers, IReadOnlyList<OrderEventRow> events, bool allowUnknown)
    {
        var problems = new List<string>();
        var byTenant = events.ToLookup(e => e.TenantId, StringComparer.Ordinal);
        foreach (var s in subscribers)
        {
            var mine = byTenant[s.TenantId].ToList();
            var ids = mine.Select(e => e.ClientOrderId).Distinct().ToList();
            if (ids.Count != 1) { problems.Add($"{s.TenantId}: {ids.Count} client order ids in the journal"); continue; }
            if (mine.Any(e => e.SourceSequence != 1)) problems.Add($"{s.TenantId}: an order for another signal than #1");
            var filled = mine.Where(e => e.Kind == "order-filled").ToList();
            if (filled.Count != 1) problems.Add($"{s.TenantId}: filled {filled.Count} times in the journal");
            var unexpected = mine.Where(e => e.Kind is not ("order-submitted" or "order-working" or "order-filled") && !(allowUnknown && e.Kind == "order-unknown")).ToList();
            if (unexpected.Count > 0) problems.Add($"{s.TenantId}: {string.Join(", ", unexpected.Select(e => $"{e.Kind} ({e.Reason})"))}");
            if (s.Login is null)
            {
                // The embedded paper venue: the order and its fill are one event, no intent before it.
                if (mine.Count != 1) problems.Add($"{s.TenantId} (paper): {mine.Count} order events");
                continue;
            }
            var submitted = mine.Count(e => e.Kind == "order-submitted");
            if (submitted != 1) problems.Add($"{s.TenantId}: submitted {submitted} times in the journal");
            var atVenue = fakes[s.Venue].Exchange.Orders(s.Login.AccountNumber);
            if (atVenue.Count != 1) { problems.Add($"{s.TenantId}: {atVenue.Count} orders at {s.Venue} for account {s.Login.AccountNumber}"); continue; }
            var order = atVenue[0];
            if (order.State != FakeOrderState.Filled) problems.Add($"{s.TenantId}: {order.State} at {s.Venue}");
            // KIS has no client order ids: its order is known by the venue's order number.
            if (order.ClientOrderId is not null ? order.ClientOrderId != ids[0] : filled.Count == 1 && filled[0].VenueOrderId != order.VenueOrderId)
                problems.Add($"{s.TenantId}: the order at {s.Venue} is not the journal's ({order.ClientOrderId ?? order.VenueOrderId})");
        }
        foreach (var fake in fakes.All)
        {
            var expected = subscribers.Count(s => s.Venue == fake.Venue);
            if (fake.Exchange.OrdersPlaced != expected) problems.Add($"{fake.Venue}: {fake.Exchange.OrdersPlaced} orders placed for {expected} subscribers");
        }
        Assert.True(problems.Count == 0, $"{problems.Count} problems: {string.Join("; ", problems.Take(20))}");
    }
}
