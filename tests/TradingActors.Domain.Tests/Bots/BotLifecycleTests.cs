using TradingActors.Domain.Bots;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using static TradingActors.Domain.Tests.Bots.BotHistory;
using static TradingActors.Domain.Tests.Tenants.TenantHistory;

namespace TradingActors.Domain.Tests.Bots;

/// <summary>Create, start, pause, stop and delete: each decision's refusals and events, and how the tenant's state takes them.</summary>
public sealed class BotLifecycleTests
{
    private static readonly BotConfig Raw = Config() with { Parameters = "{}" };

    private static TenantState Paused() => Running().Then(new BotPaused(BotId, T0));

    private static TenantState Suspended(TenantState s) => s.Then(new TenantSuspended("fraud review", T0));

    private static TenantState WithBots(params string[] symbols) =>
        symbols.Select((symbol, i) => new BotCreated(Config(symbol: symbol, id: "other" + i), T0)).Aggregate(WithAccounts(), (s, e) => s.Apply(e));

    public sealed record Row(string Rule, Func<TenantState> State, Func<TenantState, Decision> Decide, string? Refusal, Func<ITenantEvent[]>? Events = null);

    public static readonly Dictionary<string, Row> Rows = new[]
    {
        // ---- create
        new Row("create: no tenant", () => TenantState.Empty(Tenant), s => BotDecisions.Create(s, Raw, T1), "tenant 't1' does not exist"),
        new Row("create: every problem of the config, joined", () => WithAccounts(), s => BotDecisions.Create(s, Raw with { BotId = "", Budget = 0m }, T1),
            "bot id is required; budget must be positive"),
        new Row("create: the canonical config is persisted", () => WithAccounts(), s => BotDecisions.Create(s, Raw, T1), null, () => [new BotCreated(Config(), T1)]),
        new Row("create: the same config again is accepted with nothing new", () => WithBot(), s => BotDecisions.Create(s, Raw, T1), null, () => []),
        new Row("create: the same id with another config", () => WithBot(), s => BotDecisions.Create(s, Raw with { Budget = 2_000m }, T1), "bot 'b1' already exists"),
        new Row("create: the same id and config after the plan is full is still the same bot", () => WithBots("BTCUSDT", "BTCUSDT", "BTCUSDT", "BTCUSDT").Then(new BotCreated(Config(), T0)),
            s => BotDecisions.Create(s, Raw, T1), null, () => []),
        new Row("create: a sixth bot", () => WithBots("BTCUSDT", "BTCUSDT", "BTCUSDT", "BTCUSDT", "BTCUSDT"), s => BotDecisions.Create(s, Raw, T1),
            "bots: 5 of 5 on plan Legacy; Pro allows 20"),
        new Row("create: a fourth symbol", () => WithBots("ETHUSDT", "AAPL", "EUR_USD"), s => BotDecisions.Create(s, Raw, T1),
            "pairs: the bots trade 3 of 3 on plan Legacy, BTCUSDT would be one more; Starter allows 5"),
        new Row("create: on a plan of its own", () => WithBots("BTCUSDT").Then(new Domain.Billing.TenantPlanChanged(Domain.Billing.PlanCatalog.Free, null, T0)),
            s => BotDecisions.Create(s, Raw, T1), "bots: 1 of 1 on plan Free; Starter allows 5"),
        new Row("create: a bot on a suspended tenant (it is only stopped)", () => Suspended(WithAccounts()), s => BotDecisions.Create(s, Raw, T1), null, () => [new BotCreated(Config(), T1)]),

        // ---- start
        new Row("start: an unknown bot", () => WithAccounts(), s => BotDecisions.Start(s, "nope", T1), "unknown bot 'nope'"),
        new Row("start: a stopped bot", () => WithBot(), s => BotDecisions.Start(s, BotId, T1), null, () => [new BotStarted(BotId, T1)]),
        new Row("start: a paused bot", Paused, s => BotDecisions.Start(s, BotId, T1), null, () => [new BotStarted(BotId, T1)]),
        new Row("start: a running bot", () => Running(), s => BotDecisions.Start(s, BotId, T1), "bot 'b1' is already running"),
        new Row("start: on a suspended tenant", () => Suspended(WithBot()), s => BotDecisions.Start(s, BotId, T1), TenantDecisions.SuspendedForTrader),
        new Row("start: a paused bot on a suspended tenant", () => Suspended(Paused()), s => BotDecisions.Start(s, BotId, T1), TenantDecisions.SuspendedForTrader),
        new Row("start: once the tenant is resumed", () => Suspended(WithBot()).Then(new TenantResumed(T0)), s => BotDecisions.Start(s, BotId, T1), null, () => [new BotStarted(BotId, T1)]),

        // ---- pause
        new Row("pause: an unknown bot", () => WithAccounts(), s => BotDecisions.Pause(s, "nope", T1), "unknown bot 'nope'"),
        new Row("pause: a running bot", () => Running(), s => BotDecisions.Pause(s, BotId, T1), null, () => [new BotPaused(BotId, T1)]),
        new Row("pause: a paused bot", Paused, s => BotDecisions.Pause(s, BotId, T1), "bot 'b1' is already paused"),
        new Row("pause: a stopped bot", () => WithBot(), s => BotDecisions.Pause(s, BotId, T1), "bot 'b1' is not running"),
        new Row("pause: a running bot on a suspended tenant", () => Suspended(Running()), s => BotDecisions.Pause(s, BotId, T1), null, () => [new BotPaused(BotId, T1)]),

        // ---- stop
        new Row("stop: an unknown bot", () => WithAccounts(), s => BotDecisions.Stop(s, "nope", true, Price, T1), "unknown bot 'nope'"),
        new Row("stop: a stopped bot", () => WithBot(), s => BotDecisions.Stop(s, BotId, true, Price, T1), "bot 'b1' is already stopped"),
        new Row("stop: a running bot without a position, closing", () => Running(), s => BotDecisions.Stop(s, BotId, true, null, T1), null,
            () => [new BotStopped(BotId, null, null, T1)]),
        new Row("stop: a paused bot", Paused, s => BotDecisions.Stop(s, BotId, false, Price, T1), null, () => [new BotStopped(BotId, null, null, T1)]),
        new Row("stop: a position kept", () => Holding(), s => BotDecisions.Stop(s, BotId, false, null, T1), null, () => [new BotStopped(BotId, null, null, T1)]),
        // The close: the whole position at market, the bot's next sequence (2), leg 0, at the price given.
        new Row("stop: a position closed", () => Holding(), s => BotDecisions.Stop(s, BotId, true, 48_000m, T1, "why"), null,
            () => [new BotStopped(BotId, "why", Order(2, 0, OrderSide.Sell, 0.01m, price: 48_000m), T1)]),
        new Row("stop: a position to close without a price", () => Holding(), s => BotDecisions.Stop(s, BotId, true, null, T1), "no market price for BTCUSDT to close the position at"),
        new Row("stop: a position to close at a zero price", () => Holding(), s => BotDecisions.Stop(s, BotId, true, 0m, T1), "no market price for BTCUSDT to close the position at"),
        new Row("stop: a position closed on the external account", () => Running(Config(ExternalAccountId)).Then(
                Placed(1, (1, Order(1, 0, OrderSide.Buy, 0.01m, account: ExternalAccountId))), Filled(Order(1, 0, OrderSide.Buy, 0.01m, account: ExternalAccountId))),
            s => BotDecisions.Stop(s, BotId, true, 0.01m, T1), null,
            () => [new BotStopped(BotId, null, Order(2, 0, OrderSide.Sell, 0.01m, account: ExternalAccountId, price: 0.01m), T1)]),

        // ---- delete
        new Row("delete: an unknown bot", () => WithAccounts(), s => BotDecisions.Delete(s, "nope", T1), "unknown bot 'nope'"),
        new Row("delete: a running bot", () => Running(), s => BotDecisions.Delete(s, BotId, T1), "bot 'b1' is running: stop it first"),
        new Row("delete: a paused bot", Paused, s => BotDecisions.Delete(s, BotId, T1), "bot 'b1' is paused: stop it first"),
        new Row("delete: a stopped bot", () => WithBot(), s => BotDecisions.Delete(s, BotId, T1), null, () => [new BotDeleted(BotId, T1)]),
        new Row("delete: a stopped bot whose close is not placed yet", () => Holding().Then(new BotStopped(BotId, null, Order(2, 0, OrderSide.Sell, 0.01m), T0)),
            s => BotDecisions.Delete(s, BotId, T1), "bot 'b1' still has orders open; delete it once they have ended"),
        new Row("delete: a stopped bot with an order still open", () => Holding().Then(new BotStopped(BotId, null, Order(2, 0, OrderSide.Sell, 0.01m), T0),
                Working(Order(2, 0, OrderSide.Sell, 0.01m))),
            s => BotDecisions.Delete(s, BotId, T1), "bot 'b1' still has orders open; delete it once they have ended"),
        new Row("delete: a stopped bot whose close filled", () => Holding().Then(new BotStopped(BotId, null, Order(2, 0, OrderSide.Sell, 0.01m), T0),
                Filled(Order(2, 0, OrderSide.Sell, 0.01m))),
            s => BotDecisions.Delete(s, BotId, T1), null, () => [new BotDeleted(BotId, T1)]),
        new Row("delete: another bot's open order does not hold it", () => WithBot().Then(new BotCreated(Config(id: "b2"), T0),
                new OrderSubmitted(Order(1, 0, OrderSide.Buy, 0.01m, account: ExternalAccountId) with { Source = "bot:b2" }, T0)),
            s => BotDecisions.Delete(s, BotId, T1), null, () => [new BotDeleted(BotId, T1)]),
    }.ToDictionary(r => r.Rule);

    public static TheoryData<string> Rules => new(Rows.Keys);

    [Theory]
    [MemberData(nameof(Rules))]
    public void Decide(string rule)
    {
        var row = Rows[rule];
        var decision = row.Decide(row.State());
        Assert.Equal(row.Refusal, decision.Rejection);
        Assert.Equal(row.Events?.Invoke() ?? [], decision.Events);
    }

    [Fact]
    public void Status_names()
    {
        Assert.Equal("running", BotDecisions.Name(BotStatus.Running));
        Assert.Equal("paused", BotDecisions.Name(BotStatus.Paused));
        Assert.Equal("stopped", BotDecisions.Name(BotStatus.Stopped));
    }

    // ---- how the state takes them

    [Fact]
    public void Created_a_bot_is_stopped_and_creating_it_again_changes_nothing()
    {
        var s = WithAccounts().Then(new BotCreated(Config(), T0));
        Assert.Equal([BotId], s.BotsById.Keys);
        Assert.Equal(BotStatus.Stopped, s.Bot().Status);
        Assert.Equal((T0, T0), (s.Bot().CreatedAt, s.Bot().UpdatedAt));
        Assert.Same(s, s.Then(new BotCreated(Config(budget: 5m), T1)));
        Assert.Equal(Config(), s.Bot().Config);
        Assert.Same(s.Bot(), s.Then(new BotCreated(Config(id: "b2"), T1)).Bot());
        Assert.Equal(2, s.Then(new BotCreated(Config(id: "b2"), T1)).BotsById.Count);
    }

    [Fact]
    public void A_tenant_without_bots_has_none_and_events_of_an_unknown_bot_change_nothing()
    {
        var s = WithAccounts();
        Assert.Null(s.Bots);
        Assert.Empty(s.BotsById);
        foreach (var e in new IBotEvent[]
                 {
                     new BotStarted("nope", T1), new BotPaused("nope", T1), new BotStopped("nope", null, null, T1), new BotDeleted("nope", T1),
                     Placed(1, (1, FirstBuy)) with { BotId = "nope" }, new BotCheckpointed("nope", State, NoFed, Price, T1),
                 })
        {
            Assert.Same(s, s.Apply(e));
            var created = WithBot();
            Assert.Same(created, created.Apply(e));
        }
    }

    [Fact]
    public void Started_paused_and_started_again_each_stamp_the_time_and_a_start_clears_why_it_stopped()
    {
        var s = WithBot().Then(new BotStarted(BotId, T1));
        Assert.Equal((BotStatus.Running, T1, T0), (s.Bot().Status, s.Bot().UpdatedAt, s.Bot().CreatedAt));
        s = s.Then(new BotPaused(BotId, T1.AddMinutes(1)));
        Assert.Equal((BotStatus.Paused, T1.AddMinutes(1)), (s.Bot().Status, s.Bot().UpdatedAt));
        s = s.Then(new BotStopped(BotId, "kill switch", null, T1.AddMinutes(2)));
        Assert.Equal((BotStatus.Stopped, "kill switch", T1.AddMinutes(2)), (s.Bot().Status, s.Bot().StopReason, s.Bot().UpdatedAt));
        s = s.Then(new BotPaused(BotId, T1.AddMinutes(3)));
        Assert.Equal("kill switch", s.Bot().StopReason); // a pause leaves the reason
        s = s.Then(new BotStarted(BotId, T1.AddMinutes(4)));
        Assert.Equal((BotStatus.Running, (string?)null), (s.Bot().Status, s.Bot().StopReason));
    }

    [Fact]
    public void Stopped_the_open_orders_are_cancelled_orders_never_placed_dropped_and_the_close_is_the_one_left_to_place()
    {
        var resting = Order(2, 0, OrderSide.Sell, 0.004m, 51_000m);
        var unplaced = Order(2, 1, OrderSide.Buy, 0.001m, 40_000m);
        var s = Holding().Then(Placed(2, (2, resting), (3, unplaced)), Working(resting));
        Assert.Equal([unplaced], s.Bot().Pending);

        var close = Order(3, 0, OrderSide.Sell, 0.01m);
        var stopped = s.Then(new BotStopped(BotId, "stop loss", close, T1));
        Assert.Equal([close], stopped.Bot().Pending);
        Assert.Equal([resting.ClientOrderId], stopped.Bot().Cancelling);
        Assert.Equal(3, stopped.Bot().Sequence);
        Assert.Equal("stop loss", stopped.Bot().StopReason);
        Assert.Equal(s.Bot().Orders, stopped.Bot().Orders); // its strategy is told their fate when it runs again

        // Without a close: nothing left to place, the sequence stays.
        var kept = s.Then(new BotStopped(BotId, null, null, T1));
        Assert.Empty(kept.Bot().Pending);
        Assert.Equal([resting.ClientOrderId], kept.Bot().Cancelling);
        Assert.Equal(2, kept.Bot().Sequence);
        Assert.Null(kept.Bot().StopReason);

        // Without open orders: nothing to cancel.
        Assert.Empty(Holding().Then(new BotStopped(BotId, null, null, T1)).Bot().Cancelling);
    }

    [Fact]
    public void Deleted_a_bot_is_gone_and_another_stays()
    {
        var s = WithBot().Then(new BotCreated(Config(id: "b2"), T0));
        var deleted = s.Then(new BotDeleted(BotId, T1));
        Assert.Equal(["b2"], deleted.BotsById.Keys);
        Assert.Same(s.BotsById["b2"], deleted.BotsById["b2"]);
        // Its id may be used again: a new bot, from scratch.
        var again = deleted.Then(new BotCreated(Config(budget: 5m), T1));
        Assert.Equal(BotRecord.New(Config(budget: 5m), T1) with { }, again.Bot() with { });
    }
}
