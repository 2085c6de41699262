using Akka.Actor;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.ReadModels;
using TradingActors.IntegrationTests.Infrastructure;

namespace TradingActors.IntegrationTests.ReadModels;

/// <summary>
/// The read models are projected from the journal exactly once: a batch that fails half-way leaves
/// nothing behind, the next run starts from the offset stored with the rows, and events delivered again
/// (an overlapping restart, a second instance during a hand-over) are not applied twice.
/// </summary>
public sealed class ReadModelProjectionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    /// <summary>Two tenants trading on paper, interleaved in the journal as concurrent tenants are.</summary>
    private static List<ProjectedEvent> History()
    {
        var perTenant = new Dictionary<string, List<ITenantEvent>>
        {
            ["a"] = Trades("a", [(OrderSide.Buy, 0.02m, 50_000m), (OrderSide.Sell, 0.01m, 52_000m), (OrderSide.Buy, 0.005m, 51_000m), (OrderSide.Sell, 0.015m, 49_000m)]),
            ["b"] = Trades("b", [(OrderSide.Buy, 0.1m, 50_000m), (OrderSide.Sell, 0.04m, 55_000m)]),
        };
        perTenant["b"].Add(new OrderRejected(Intent("b", 9, OrderSide.Buy, 1m, 50_000m), "insufficient funds", T0.AddMinutes(9)));
        perTenant["b"].Add(new SignalsSkipped("rsi", 10, 12, "stale", T0.AddMinutes(10)));
        var events = new List<ProjectedEvent>();
        var ordering = 100L; // the journal's ordering is shared by all actors; gaps are normal
        var sequences = perTenant.ToDictionary(p => p.Key, _ => 0L);
        for (var i = 0; perTenant.Values.Any(l => l.Count > i); i++)
            foreach (var (tenant, list) in perTenant)
                if (i < list.Count)
                {
                    ordering += 1 + i % 2;
                    events.Add(new ProjectedEvent(ordering, tenant, ++sequences[tenant], list[i]));
                }
        return events;
    }

    private static OrderIntent Intent(string tenant, long sequence, OrderSide side, decimal quantity, decimal price) =>
        new(ClientOrderIds.Create(tenant, "pa", "strategy:rsi", sequence, 0), "pa", "strategy:rsi", sequence, "BTCUSDT", side, quantity, price);

    private static List<ITenantEvent> Trades(string tenant, (OrderSide Side, decimal Quantity, decimal Price)[] trades)
    {
        var list = new List<ITenantEvent>
        {
            new TenantCreated(tenant, tenant, T0),
            new PaperAccountLinked("pa", 10_000m, T0),
            new Subscribed("rsi", "pa", "BTCUSDT", 1_000m, T0),
        };
        for (var n = 0; n < trades.Length; n++)
        {
            var (side, quantity, price) = trades[n];
            var intent = Intent(tenant, n + 1, side, quantity, price);
            list.Add(new OrderFilled(intent, new Fill(quantity, price, decimal.Round(quantity * price * 0.001m, 8), "V-" + n, T0.AddMinutes(n)), T0.AddMinutes(n)));
        }
        return list;
    }

    [Fact]
    public async Task Subscriptions_with_ids_are_rows_of_their_own_and_their_orders_and_executions_name_them()
    {
        await using var db = await TestDatabase.CreateAsync();
        ReadModelSchema.Migrate(db.ConnectionString, NullLogger.Instance);
        await using var source = NpgsqlDataSource.Create(db.ConnectionString);
        var own = new OrderIntent(ClientOrderIds.Create("a", "pb", "subscription:sub-1", 1, 0), "pb", "subscription:sub-1", 1, "BTCUSDT", OrderSide.Buy, 0.01m, 50_000m);
        var dflt = Intent("a", 1, OrderSide.Buy, 0.01m, 50_000m);
        ITenantEvent[] history =
        [
            new TenantCreated("a", "a", T0),
            new PaperAccountLinked("pa", 10_000m, T0),
            new PaperAccountLinked("pb", 10_000m, T0),
            new Subscribed("rsi", "pa", "BTCUSDT", 1_000m, T0),
            new Subscribed("rsi", "pb", "BTCUSDT", 1_000m, T0, 0, "sub-1"),
            new OrderFilled(dflt, new Fill(0.01m, 50_000m, 0.5m, "V-1", T0), T0),
            new OrderFilled(own, new Fill(0.01m, 50_000m, 0.5m, "V-2", T0), T0),
            new SignalsSkipped("rsi", 2, 3, "stale", T0, "sub-1"),
            new SubscriptionBudgetChanged("rsi", 400m, T0.AddMinutes(1), "sub-1"),
            new SubscriptionPaused("rsi", T0.AddMinutes(2), "sub-1"),
            new Unsubscribed("rsi", T0.AddMinutes(3)),
        ];
        await new ReadModelWriter(source, "test").WriteAsync(history.Select((e, i) => new ProjectedEvent(i + 1, "a", i + 1, e)).ToList(), T0);

        Assert.Equal(1, await db.ScalarAsync("SELECT count(*) FROM subscriptions"));
        Assert.Equal(1, await db.ScalarAsync("SELECT count(*) FROM subscriptions WHERE subscription_id = 'sub-1' AND strategy_id = 'rsi' AND account_id = 'pb' AND budget = 400 AND status = 'paused'"));
        Assert.Equal(1, await db.ScalarAsync($"SELECT count(*) FROM orders WHERE client_order_id = '{own.ClientOrderId}' AND subscription_id = 'sub-1' AND strategy_id = 'rsi'"));
        Assert.Equal(1, await db.ScalarAsync($"SELECT count(*) FROM orders WHERE client_order_id = '{dflt.ClientOrderId}' AND subscription_id = 'rsi' AND strategy_id = 'rsi'"));
        Assert.Equal(1, await db.ScalarAsync($"SELECT count(*) FROM executions WHERE client_order_id = '{own.ClientOrderId}' AND subscription_id = 'sub-1' AND strategy_id = 'rsi'"));
        Assert.Equal(1, await db.ScalarAsync("SELECT count(*) FROM executions WHERE kind = 'skipped' AND subscription_id = 'sub-1' AND strategy_id = 'rsi'"));
        Assert.Equal(0, await db.ScalarAsync("SELECT count(*) FROM strategy_subscribers"));
    }

    [Fact]
    public async Task Bots_and_the_tenant_risk_limits_are_read_from_the_tenant_and_project_nothing_of_their_own()
    {
        await using var db = await TestDatabase.CreateAsync();
        ReadModelSchema.Migrate(db.ConnectionString, NullLogger.Instance);
        await using var source = NpgsqlDataSource.Create(db.ConnectionString);
        var bot = new Domain.Bots.BotConfig("b1", "rsi", "BTCUSDT", "pa", "{}", 500m, 60, new Domain.Bots.BotRisk());
        ITenantEvent[] history =
        [
            new TenantCreated("a", "a", T0),
            new PaperAccountLinked("pa", 10_000m, T0),
            new Domain.Bots.BotCreated(bot, T0),
            new Domain.Bots.TenantRiskLimitsSet(new Domain.Bots.TenantRisk(1_000m, 20, 10m), T0),
            new Domain.Bots.BotStarted("b1", T0),
            new Domain.Bots.BotStopped("b1", "tenant kill switch: the bots' combined drawdown 10% reached the tenant's maxDrawdownPercent 10%", null, T0),
        ];

        await new ReadModelWriter(source, "test").WriteAsync(history.Select((e, i) => new ProjectedEvent(i + 1, "a", i + 1, e)).ToList(), T0);

        Assert.Equal(0, await db.ScalarAsync("SELECT count(*) FROM orders"));
        Assert.Equal(0, await db.ScalarAsync("SELECT count(*) FROM executions"));
        Assert.Equal(1, await db.ScalarAsync("SELECT count(*) FROM accounts WHERE tenant_id = 'a'"));
    }

    [Fact]
    public async Task A_batch_that_fails_half_way_is_applied_once_after_the_restart_and_redelivered_events_are_dropped()
    {
        await using var db = await TestDatabase.CreateAsync();
        ReadModelSchema.Migrate(db.ConnectionString, NullLogger.Instance);
        await using var source = NpgsqlDataSource.Create(db.ConnectionString);
        var events = History();
        var writer = new ReadModelWriter(source, "test");

        Assert.Equal(6, await writer.WriteAsync(events[..6], T0));
        var crashing = new ReadModelWriter(source, "test") { BeforeEvent = e => { if (e == events[8]) throw new IOException("the node died"); } };
        await Assert.ThrowsAsync<IOException>(() => crashing.WriteAsync(events[6..12], T0));
        Assert.Equal(events[5].Ordering, await writer.ReadOffsetAsync());

        // The restarted stream overlaps what was written: only the rest is applied.
        Assert.Equal(events.Count - 6, await writer.WriteAsync(events[3..], T0));
        Assert.Equal(events[^1].Ordering, await writer.ReadOffsetAsync());
        // Everything again (a second instance during a singleton hand-over): nothing.
        Assert.Equal(0, await writer.WriteAsync(events, T0));

        // The read models equal what the tenants themselves hold: cash and positions to the last digit.
        foreach (var tenant in new[] { "a", "b" })
        {
            var state = events.Where(e => e.TenantId == tenant).Aggregate(TenantState.Empty(tenant), (s, e) => s.Apply(e.Event));
            var paper = state.Accounts["pa"].Paper!;
            Assert.Equal(paper.Cash, await Decimal(db, $"SELECT cash FROM accounts WHERE tenant_id = '{tenant}'"));
            Assert.Equal(paper.Held("BTCUSDT"), await Decimal(db, $"SELECT quantity FROM positions WHERE tenant_id = '{tenant}'"));
            Assert.Equal(state.OrdersFilled + state.OrdersRejected, await db.ScalarAsync($"SELECT count(*) FROM orders WHERE tenant_id = '{tenant}'"));
            Assert.Equal(events.Count(e => e.TenantId == tenant && e.Event is OrderFilled or OrderRejected or SignalsSkipped),
                await db.ScalarAsync($"SELECT count(*) FROM executions WHERE tenant_id = '{tenant}'"));
            Assert.Equal(events.Last(e => e.TenantId == tenant).SequenceNr, await db.ScalarAsync($"SELECT sequence_nr FROM tenant_progress WHERE tenant_id = '{tenant}'"));
        }
        // The live stream's feed: one row per change a trader sees, once.
        Assert.Equal(events.Sum(e => e.Event switch { OrderSubmitted or Subscribed or SubscriptionBudgetChanged or SubscriptionPaused or SubscriptionResumed or Unsubscribed => 1, IOrderEvent => 2, SignalsSkipped => 1, _ => 0 }),
            await db.ScalarAsync("SELECT count(*) FROM tenant_feed"));
        // Average cost: b bought 0.1 at 50 000 (fee 5) and sold 0.04 at 55 000 (fee 2.2): 0.06 left at cost 3003,
        // realized 0.04 * 55 000 - 2.2 - 0.04 * 50 050 = 195.8.
        Assert.Equal(3003m, await Decimal(db, "SELECT cost FROM positions WHERE tenant_id = 'b'"));
        Assert.Equal(195.8m, await Decimal(db, "SELECT realized_pnl FROM positions WHERE tenant_id = 'b'"));
        Assert.Equal("rejected|insufficient funds", await Text(db, "SELECT status || '|' || reason FROM orders WHERE tenant_id = 'b' AND source_sequence = 9"));
        Assert.Equal("skipped|stale|10|12", await Text(db, "SELECT kind || '|' || reason || '|' || from_sequence || '|' || to_sequence FROM executions WHERE kind = 'skipped'"));
    }

    [Fact]
    public async Task Working_orders_show_what_filled_so_far_each_part_is_booked_once_and_cancelled_orders_keep_their_venue_id()
    {
        await using var db = await TestDatabase.CreateAsync();
        ReadModelSchema.Migrate(db.ConnectionString, NullLogger.Instance);
        await using var source = NpgsqlDataSource.Create(db.ConnectionString);
        // A paper account (its cash is the read model's to show) with a limit buy worked in two parts, then sold in two
        // parts; an external limit order that rests and is cancelled.
        var buy = new OrderIntent("c-buy", "pa", "manual:b", 0, "BTCUSDT", OrderSide.Buy, 0.01m, 60_000m, OrderType.Limit, 59_000m);
        var sell = new OrderIntent("c-sell", "pa", "manual:s", 0, "BTCUSDT", OrderSide.Sell, 0.01m, 60_000m, OrderType.Limit, 61_000m);
        var rest = new OrderIntent("c-rest", "ext", "manual:r", 0, "BTCUSDT", OrderSide.Buy, 0.5m, 60_000m, OrderType.Limit, 50_000m);
        var part = new Fill(0.004m, 59_000m, 0.236m, "V-1", T0);
        var all = new Fill(0.01m, 58_800m, 0.588m, "V-1", T0); // the rest, 0.006, at 58 666.67 (352 in all), fee 0.352
        ITenantEvent[] history =
        [
            new TenantCreated("a", "a", T0),
            new PaperAccountLinked("pa", 10_000m, T0),
            new BrokerAccountLinked("ext", "sim", "N-1", T0),
            new OrderSubmitted(buy, T0),
            new OrderWorking(buy, null, "V-1", T0.AddMinutes(1)),
            new OrderWorking(buy, part, "V-1", T0.AddMinutes(2)),
            new OrderWorking(buy, part, "V-1", T0.AddMinutes(3)), // the same part again: nothing more booked
            new OrderFilled(buy, all, T0.AddMinutes(4)),
            new OrderSubmitted(sell, T0.AddMinutes(5)),
            new OrderWorking(sell, part with { Price = 61_000m, Fee = 0.244m, VenueOrderId = "V-2" }, "V-2", T0.AddMinutes(6)),
            new OrderFilled(sell, new Fill(0.01m, 61_200m, 0.612m, "V-2", T0), T0.AddMinutes(7)),
            new OrderSubmitted(rest, T0.AddMinutes(8)),
            new OrderWorking(rest, null, "V-3", T0.AddMinutes(9)),
        ];
        var writer = new ReadModelWriter(source, "test");
        // One event per batch up to the resting order's working report, the rest (and its cancel) in one.
        for (var i = 0; i < history.Length; i++) await writer.WriteAsync([new ProjectedEvent(i + 1, "a", i + 1, history[i])], T0);

        Assert.Equal("working|0.5||||V-3|limit|50000", await Text(db, """
            SELECT status || '|' || quantity || '|' || COALESCE(filled_quantity::text, '') || '|' || COALESCE(fill_price::text, '') || '|' || COALESCE(fee::text, '')
                || '|' || venue_order_id || '|' || order_type || '|' || limit_price FROM orders WHERE client_order_id = 'c-rest'
            """));
        var state = history.Aggregate(TenantState.Empty("a"), (s, e) => s.Apply(e));
        Assert.Equal(state.Accounts["pa"].Paper!.Cash, await Decimal(db, "SELECT cash FROM accounts WHERE account_id = 'pa'"));
        Assert.Equal(10_000m - 588m - 0.588m + 612m - 0.612m, await Decimal(db, "SELECT cash FROM accounts WHERE account_id = 'pa'"));
        Assert.Equal(0m, await Decimal(db, "SELECT quantity FROM positions WHERE account_id = 'pa'"));
        Assert.Equal(612m - 0.612m - 588.588m, await Decimal(db, "SELECT realized_pnl FROM positions WHERE account_id = 'pa'"));
        Assert.Equal("filled|0.01|58800|0.588|V-1", await Text(db, "SELECT status || '|' || filled_quantity || '|' || fill_price || '|' || fee || '|' || venue_order_id FROM orders WHERE client_order_id = 'c-buy'"));

        var cancelled = new OrderCancelled(rest, "cancelled by the client", T0.AddMinutes(10));
        await writer.WriteAsync([new ProjectedEvent(history.Length + 1, "a", history.Length + 1, cancelled)], T0);

        Assert.Equal("cancelled|cancelled by the client|V-3|", await Text(db,
            "SELECT status || '|' || reason || '|' || venue_order_id || '|' || COALESCE(filled_quantity::text, '') FROM orders WHERE client_order_id = 'c-rest'"));
        Assert.Equal(["cancelled", "filled", "filled", "working", "working", "working", "working", "working"],
            await Texts(db, "SELECT kind FROM executions WHERE client_order_id IS NOT NULL ORDER BY kind"));
        Assert.Equal("cancelled by the client", await Text(db, "SELECT reason FROM executions WHERE kind = 'cancelled'"));
        Assert.Equal(0, await db.ScalarAsync("SELECT count(*) FROM positions WHERE account_id = 'ext'"));
    }

    [Fact]
    public async Task Two_writers_racing_over_the_same_events_apply_them_once()
    {
        await using var db = await TestDatabase.CreateAsync();
        ReadModelSchema.Migrate(db.ConnectionString, NullLogger.Instance);
        await using var source = NpgsqlDataSource.Create(db.ConnectionString);
        var events = History();
        var applied = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => new ReadModelWriter(source, "test").WriteAsync(events, T0)));
        Assert.Equal(events.Count, applied.Sum());
        Assert.Equal(events.Count(e => e.Event is OrderFilled or OrderRejected or SignalsSkipped), await db.ScalarAsync("SELECT count(*) FROM executions"));
    }

    [Fact]
    public async Task The_node_projects_every_fill_once_also_when_the_projection_is_killed_between_signals()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        var options = EngineNode.DefaultOptions(db.ConnectionString, venues);
        options.ReadModels.Enabled = true;
        await using var node = await EngineNode.StartAsync(options);
        var tenants = Enumerable.Range(1, 40).Select(i => $"rm-{i:D2}").ToArray();
        await Task.WhenAll(tenants.Select(t => node.CreatePaperSubscriber(t)));
        await Eventually.TrueAsync(async () => await node.RegisteredSubscribers() == tenants.Length, TimeSpan.FromSeconds(30), "all registered");

        await node.EmitSignal(OrderSide.Buy, 60_000m);
        await Eventually.TrueAsync(async () => await db.ScalarAsync("SELECT count(*) FROM orders WHERE status = 'filled'") == tenants.Length,
            TimeSpan.FromSeconds(30), "the buys projected");

        // Kill the projection: its supervisor starts it again from the stored offset.
        var projection = await node.System.ActorSelection("/user/read-model-projection/singleton/projection").ResolveOne(TimeSpan.FromSeconds(5));
        projection.Tell(Kill.Instance);
        await node.EmitSignal(OrderSide.Sell, 61_000m);
        await Eventually.TrueAsync(async () => await db.ScalarAsync("SELECT count(*) FROM orders WHERE status = 'filled'") == 2 * tenants.Length,
            TimeSpan.FromSeconds(30), "the sells projected");

        Assert.Equal(2 * tenants.Length, await db.ScalarAsync("SELECT count(*) FROM executions WHERE kind = 'filled'"));
        Assert.Equal(0, await db.ScalarAsync("SELECT count(*) FROM positions WHERE quantity <> 0"));
        Assert.Equal(tenants.Length, await db.ScalarAsync("SELECT count(*) FROM subscriptions WHERE status = 'active'"));
        foreach (var tenant in tenants.Take(5))
        {
            var state = await node.Portfolio(tenant);
            Assert.Equal(state.Accounts["paper-1"].Paper!.Cash, await Decimal(db, $"SELECT cash FROM accounts WHERE tenant_id = '{tenant}'"));
        }
        Assert.True(await db.ScalarAsync("SELECT ordering FROM projection_offsets") > 0);
    }

    private static async Task<decimal> Decimal(TestDatabase db, string sql) => (decimal)(await Scalar(db, sql))!;

    private static async Task<string> Text(TestDatabase db, string sql) => (string)(await Scalar(db, sql))!;

    private static async Task<List<string>> Texts(TestDatabase db, string sql)
    {
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var list = new List<string>();
        while (await reader.ReadAsync()) list.Add(reader.GetString(0));
        return list;
    }

    private static async Task<object?> Scalar(TestDatabase db, string sql)
    {
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
