using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TradingActors.Domain.Billing;
using TradingActors.Domain.Bots;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using TradingActors.Engine;
using TradingActors.Engine.Billing;
using TradingActors.Engine.Hosting;
using TradingActors.Engine.Tenants;
using TradingActors.IntegrationTests.Infrastructure;
using TradingActors.Tests.Shared;

namespace TradingActors.IntegrationTests;

/// <summary>
/// The tenant's plan in the engine (decision 032), one node, real PostgreSQL: a sign-up on Free is refused a second bot
/// with the plan that lifts it; Pro allows it; a failed payment keeps Pro through its grace, then the tenant lapses to Free
/// by itself — what Free does not allow paused with the reason, nothing deleted — and stays so across a restart. The plan
/// catalog is edited at run time, and the day's trades count across a plan change.
/// </summary>
public sealed class TenantPlanTests
{
    private const string Tenant = "plan-holder";
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private const string Rsi = """{"period":14,"oversold":30,"overbought":70}""";
    private static readonly BotConfig First = new("first", "rsi", "BTCUSDT", "paper-1", Rsi, 500m, 60, new BotRisk());
    private static readonly BotConfig Second = new("second", "rsi", "ETHUSDT", "paper-1", Rsi, 500m, 60, new BotRisk());

    private static TradingEngineOptions Options(string connectionString, TimeProvider clock)
    {
        var options = EngineNode.DefaultOptions(connectionString, new TestVenues());
        options.Time = clock;
        options.PlanGraceCheckInterval = TimeSpan.FromMilliseconds(100);
        options.TenantSnapshotEvery = 4; // the plan must come back from snapshots as well as from events
        return options;
    }

    private static async Task<PlanCatalogAnswer> Plans(EngineNode node, ITradingMessage command)
    {
        var view = node.Services.GetRequiredService<PlanCatalogView>();
        var catalog = node.Services.GetRequiredService<IActorRegistry>().Get<PlanCatalogKey>();
        PlanCatalogAnswer? answer = null;
        // The singleton may still be starting: asked again until it answers.
        await Eventually.TrueAsync(async () =>
        {
            answer = await view.SendAsync(catalog, command, TimeSpan.FromSeconds(2), CancellationToken.None);
            return true;
        }, TimeSpan.FromSeconds(30), "the plan catalog answered");
        return answer!;
    }

    [Fact]
    public async Task Free_refuses_a_second_bot_naming_starter_pro_allows_it_and_a_payment_never_made_lapses_to_free_after_the_grace()
    {
        await using var db = await TestDatabase.CreateAsync();
        var clock = new FakeTimeProvider(T0);
        var options = Options(db.ConnectionString, clock);
        TenantState lapsed;
        await using (var node = await EngineNode.StartAsync(options))
        {
            Assert.Contains("unknown plan 'gold'", Assert.IsType<CommandRejected>(await node.Send(new CreateTenant("nobody", "x", "gold"))).Reason);
            Assert.False((await node.Portfolio("nobody")).Exists);

            await node.Accept(new CreateTenant(Tenant, Tenant, PlanCatalog.FreeId));
            await node.Accept(new LinkPaperAccount(Tenant, "paper-1", 10_000m));
            Assert.Equal((PlanCatalog.Free, PlanStatus.Active), ((await node.Portfolio(Tenant)).CurrentPlan().Limits, (await node.Portfolio(Tenant)).CurrentPlan().Status));
            await node.Accept(new CreateBot(Tenant, First));
            var refused = Assert.IsType<CommandRejected>(await node.Send(new CreateBot(Tenant, Second)));
            Assert.Equal(new PlanRefusal(PlanLimit.Bots, "free", "starter", refused.Reason), refused.OverPlan);
            Assert.Equal("bots: 1 of 1 on plan Free; Starter allows 5", refused.Reason);

            // Paid for Pro (a month): the same change delivered twice persists once.
            var periodEnd = T0.AddDays(30);
            var paid = Assert.IsType<CommandAccepted>(await node.Send(new ChangeTenantPlan(Tenant, "pro", periodEnd)));
            Assert.Equal(paid.Version, Assert.IsType<CommandAccepted>(await node.Send(new ChangeTenantPlan(Tenant, "pro", periodEnd))).Version);
            await node.Accept(new CreateBot(Tenant, Second));
            await node.Accept(new StartBot(Tenant, First.BotId));
            await node.Accept(new StartBot(Tenant, Second.BotId));
            await node.Accept(new SubscribeToStrategy(Tenant, EngineNode.Strategy, "paper-1", 500m, "sub-1"));
            await node.Accept(new LinkPaperAccount(Tenant, "paper-2", 10_000m));
            await node.Accept(new SubscribeToStrategy(Tenant, EngineNode.Strategy, "paper-2", 500m, "sub-2"));

            // The renewal fails: Pro holds through the grace (a failed retry does not extend it), then lapses by itself.
            await node.Accept(new MarkTenantPlanPastDue(Tenant));
            clock.Advance(TimeSpan.FromDays(3));
            await node.Accept(new MarkTenantPlanPastDue(Tenant));
            var pastDue = (await node.Portfolio(Tenant)).CurrentPlan();
            Assert.Equal((PlanStatus.PastDue, T0 + PlanDecisions.GracePeriod, PlanCatalog.Pro), (pastDue.Status, pastDue.GraceUntil, pastDue.Limits));
            await node.Accept(new CreateBot(Tenant, Second with { BotId = "third" })); // Pro's limits still hold
            await node.Accept(new DeleteBot(Tenant, "third"));
            await Task.Delay(300);
            Assert.Equal(PlanStatus.PastDue, (await node.Portfolio(Tenant)).CurrentPlan().Status);

            clock.Advance(TimeSpan.FromDays(4) + TimeSpan.FromSeconds(1));
            await Eventually.TrueAsync(async () => (await node.Portfolio(Tenant)).CurrentPlan().Status == PlanStatus.Lapsed, TimeSpan.FromSeconds(10),
                "the plan lapsed once its grace was over");
            lapsed = await node.Portfolio(Tenant);
            Assert.Equal((PlanCatalog.Free, "pro"), (lapsed.CurrentPlan().Limits, lapsed.CurrentPlan().LapsedFrom));
            // The oldest bot and subscription fit Free and keep running; the others pause with the reason; nothing is deleted.
            Assert.Equal(BotStatus.Running, lapsed.BotsById[First.BotId].Status);
            Assert.Equal(BotStatus.Paused, lapsed.BotsById[Second.BotId].Status);
            Assert.Equal("plan Pro lapsed; running bots: 1 of 1 on plan Free; Starter allows 5", lapsed.BotsById[Second.BotId].StopReason);
            Assert.Equal(SubscriptionStatus.Active, lapsed.Subscriptions["sub-1"].Status);
            Assert.Equal(SubscriptionStatus.Paused, lapsed.Subscriptions["sub-2"].Status);
            Assert.StartsWith("plan Pro lapsed; active subscriptions: 1 of 1 on plan Free", lapsed.Subscriptions["sub-2"].PauseReason);
            Assert.Equal(2, lapsed.BotsById.Count);
            Assert.Equal(2, lapsed.Subscriptions.Count);
            // Nothing resumes by itself, and Free's limits now hold.
            Assert.Equal(PlanLimit.Bots, Assert.IsType<CommandRejected>(await node.Send(new StartBot(Tenant, Second.BotId))).OverPlan?.Limit);
            // A paused subscription's registration is gone: one bucket member left for the strategy.
            Assert.Equal(1, lapsed.Subscriptions.Values.Count(s => s.Status == SubscriptionStatus.Active));
        }

        await using (var node = await EngineNode.StartAsync(options))
        {
            var after = await node.Portfolio(Tenant);
            Assert.Equal(lapsed.Plan, after.Plan);
            Assert.Equal(lapsed.BotsById.Values.Select(b => (b.Config.BotId, b.Status, b.StopReason)).Order(),
                after.BotsById.Values.Select(b => (b.Config.BotId, b.Status, b.StopReason)).Order());
            // A lapse delivered again (the subscription's deletion after the grace) changes nothing.
            var again = Assert.IsType<CommandAccepted>(await node.Send(new LapseTenantPlan(Tenant)));
            Assert.Equal(again.Version, Assert.IsType<CommandAccepted>(await node.Send(new LapseTenantPlan(Tenant))).Version);
            // Upgrading again resumes nothing; the trader resumes.
            await node.Accept(new ChangeTenantPlan(Tenant, "starter", clock.GetUtcNow().AddDays(30)));
            Assert.Equal(BotStatus.Paused, (await node.Portfolio(Tenant)).BotsById[Second.BotId].Status);
            await node.Accept(new StartBot(Tenant, Second.BotId));
            await node.Accept(new ResumeSubscription(Tenant, "sub-2"));
        }
    }

    [Fact]
    public async Task A_plan_made_at_run_time_caps_the_days_trades_a_buy_over_it_is_skipped_with_the_reason_and_a_plan_change_keeps_the_count()
    {
        await using var db = await TestDatabase.CreateAsync();
        var clock = new FakeTimeProvider(T0);
        await using var node = await EngineNode.StartAsync(Options(db.ConnectionString, clock));

        var tiny = PlanCatalog.Free with { Id = "tiny", Name = "Tiny", TradesPerDay = 1 };
        var bad = await Plans(node, new CreatePlan(tiny with { Id = "broken", TradesPerDay = -1, MonthlyPrice = 5m }, "admin-1"));
        Assert.Equal(["tradesPerDay", "yearlyPrice"], bad.Errors.Select(e => e.Parameter));
        Assert.False(node.Services.GetRequiredService<PlanCatalogView>().Current.TryGet("broken", out _));
        Assert.True((await Plans(node, new CreatePlan(tiny, "admin-1"))).Accepted);
        Assert.True((await Plans(node, new CreatePlan(tiny with { Id = "tiny2", Name = "Tiny 2", TradesPerDay = 2 }, "admin-1"))).Accepted);
        Assert.True(node.Services.GetRequiredService<PlanCatalogView>().Current.TryGet("tiny", out _));

        await node.Accept(new CreateTenant(Tenant, Tenant, "tiny"));
        await node.Accept(new LinkPaperAccount(Tenant, "paper-1", 10_000m));
        await node.Accept(new SubscribeToStrategy(Tenant, EngineNode.Strategy, "paper-1", 1_000m));
        node.PublishPrice("BTCUSDT", 50_000m);

        async Task<TenantState> Settled(long sequence) =>
            await EventuallyState(node, s => s.LastSignal.GetValueOrDefault(EngineNode.Strategy) >= sequence, $"signal {sequence} settled");

        var buy = await node.EmitSignal(OrderSide.Buy, 50_000m);
        var state = await Settled(buy.Sequence);
        Assert.Equal(1, state.Quota?.Trades);
        // A sell is never held by a quota, and it counts.
        var sell = await node.EmitSignal(OrderSide.Sell, 50_500m);
        state = await Settled(sell.Sequence);
        Assert.Equal(2, state.Quota?.Trades);
        var over = await node.EmitSignal(OrderSide.Buy, 50_000m);
        state = await Settled(over.Sequence);
        Assert.StartsWith("trades per day: 2 of 1 today (UTC) on plan Tiny", state.Skips[^1].Reason);
        Assert.Equal(2, state.Recent.Count(o => o.Status == OrderStatus.Filled));

        // A bigger plan mid-day keeps the day's count: 2 of 2, still over.
        await node.Accept(new ChangeTenantPlan(Tenant, "tiny2"));
        var still = await node.EmitSignal(OrderSide.Buy, 50_000m);
        state = await Settled(still.Sequence);
        Assert.StartsWith("trades per day: 2 of 2 today (UTC) on plan Tiny 2", state.Skips[^1].Reason);
        Assert.Equal(2, state.Quota?.Trades);

        // The next local day starts again.
        clock.Advance(TimeSpan.FromDays(1));
        node.PublishPrice("BTCUSDT", 50_000m);
        var tomorrow = await node.EmitSignal(OrderSide.Buy, 50_000m);
        state = await Settled(tomorrow.Sequence);
        Assert.Equal(3, state.Recent.Count(o => o.Status == OrderStatus.Filled));
        Assert.Equal((DateOnly.FromDateTime(T0.AddDays(1).UtcDateTime), 1), (state.Quota!.Day, state.Quota.Trades));
    }

    private static async Task<TenantState> EventuallyState(EngineNode node, Func<TenantState, bool> condition, string what)
    {
        TenantState? seen = null;
        await Eventually.TrueAsync(async () => condition(seen = await node.Portfolio(Tenant)), TimeSpan.FromSeconds(15), what);
        return seen!;
    }
}
