using System.Collections.Immutable;
using TradingActors.Domain.Billing;
using TradingActors.Domain.Bots;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using static TradingActors.Domain.Tests.Billing.PlanHistory;
using static TradingActors.Domain.Tests.Tenants.TenantHistory;

namespace TradingActors.Domain.Tests.Billing;

/// <summary>
/// The tenant's plan (decision 032): the legacy plan of tenants without one, changing plans (with the limits as they were
/// when applied), falling behind on a payment (grace), lapsing to Free (what no longer fits is paused, never deleted, no
/// position closed), upgrading again (nothing resumes by itself), and the tenant's time zone.
/// </summary>
public sealed class TenantPlanTests
{
    private static readonly DateTimeOffset T1 = T0.AddMinutes(1);
    private static readonly DateTimeOffset PeriodEnd = T0.AddDays(30);
    private static readonly PlanCatalog Catalog = PlanCatalog.Seeded;

    private static TenantState Accounts() => WithAccounts().WithTestnet();

    // ---- a tenant without a plan

    [Fact]
    public void A_tenant_without_a_plan_event_is_on_the_legacy_plan_and_keeps_what_it_had()
    {
        var s = Accounts();
        Assert.Null(s.Plan);
        Assert.Same(TenantPlan.Legacy, s.CurrentPlan());
        Assert.Equal((Plan.Legacy, PlanStatus.Active, (DateTimeOffset?)null), (s.CurrentPlan().Limits, s.CurrentPlan().Status, s.CurrentPlan().PeriodEnd));
        Assert.Equal(BotPlan.Default, BotPlan.Of(s.CurrentPlan().Limits));
        Assert.Null(s.Quota);
        Assert.Null(s.TimeZoneId);
    }

    [Fact]
    public void A_legacy_tenant_cannot_fall_behind_or_lapse_and_moves_to_a_plan_like_any_other()
    {
        var s = Accounts();
        Assert.Equal("plan Legacy is free of charge: it has no payment to fail", PlanDecisions.MarkPastDue(s, T0.AddDays(7), T1).Rejection);
        Assert.Equal("plan Legacy is free of charge: it cannot lapse", PlanDecisions.Lapse(s, Catalog, T1).Rejection);
        Assert.Equal(new ITenantEvent[] { new TenantPlanChanged(PlanCatalog.Pro, PeriodEnd, T1) }, PlanDecisions.ChangePlan(s, Catalog, "pro", PeriodEnd, T1).Events);
        Assert.Equal("unknown plan 'legacy'", PlanDecisions.ChangePlan(s, Catalog, "legacy", null, T1).Rejection);
    }

    // ---- changing plans

    [Fact]
    public void A_plan_change_is_persisted_with_the_plans_limits_and_period_and_the_state_holds_them()
    {
        var decision = PlanDecisions.ChangePlan(Accounts(), Catalog, "starter", PeriodEnd, T1);
        Assert.Equal(new ITenantEvent[] { new TenantPlanChanged(PlanCatalog.Starter, PeriodEnd, T1) }, decision.Events);
        var s = Accounts().Then([.. decision.Events]);
        Assert.Equal(new TenantPlan(PlanCatalog.Starter, PlanStatus.Active, T1, PeriodEnd), s.Plan);
        Assert.Same(s.Plan, s.CurrentPlan());
    }

    [Fact]
    public void The_same_plan_and_period_again_persist_nothing_and_a_renewal_or_new_limits_do()
    {
        var s = Accounts().On(PlanCatalog.Starter, PeriodEnd);
        Assert.True(PlanDecisions.ChangePlan(s, Catalog, "starter", PeriodEnd, T1) is { Accepted: true, Events.IsEmpty: true });
        Assert.Equal(new ITenantEvent[] { new TenantPlanChanged(PlanCatalog.Starter, PeriodEnd.AddDays(30), T1) },
            PlanDecisions.ChangePlan(s, Catalog, "starter", PeriodEnd.AddDays(30), T1).Events);
        var edited = PlanCatalog.Starter with { TradesPerDay = 6_000 };
        Assert.Equal(new ITenantEvent[] { new TenantPlanChanged(edited, PeriodEnd, T1) },
            PlanDecisions.ChangePlan(s, new PlanCatalog([PlanCatalog.Free, edited]), "starter", PeriodEnd, T1).Events);
        // Past due, the same plan and period again is the payment that came through: active again.
        var pastDue = s.Then(new TenantPlanPastDue(T0.AddDays(7), T0));
        Assert.Equal(new ITenantEvent[] { new TenantPlanChanged(PlanCatalog.Starter, PeriodEnd, T1) }, PlanDecisions.ChangePlan(pastDue, Catalog, "starter", PeriodEnd, T1).Events);
        Assert.Equal(PlanStatus.Active, pastDue.Then(new TenantPlanChanged(PlanCatalog.Starter, PeriodEnd, T1)).CurrentPlan().Status);
        // Free on Free with no period: nothing new.
        Assert.True(PlanDecisions.ChangePlan(Accounts().On(PlanCatalog.Free), Catalog, "free", null, T1) is { Accepted: true, Events.IsEmpty: true });
    }

    [Fact]
    public void A_tenant_keeps_the_limits_it_bought_when_an_admin_edits_the_plan()
    {
        var s = Accounts().On(PlanCatalog.Pro, PeriodEnd);
        var edited = new PlanCatalog([PlanCatalog.Free, PlanCatalog.Pro with { MaxBots = 10 }]);
        Assert.Equal(20, s.CurrentPlan().Limits.MaxBots);
        // Its next renewal brings the new limits.
        var renewed = s.Then([.. PlanDecisions.ChangePlan(s, edited, "pro", PeriodEnd.AddDays(30), T1).Events]);
        Assert.Equal(10, renewed.CurrentPlan().Limits.MaxBots);
    }

    [Fact]
    public void A_retired_plan_is_renewed_only_by_the_tenant_on_it_with_what_it_bought()
    {
        var retired = new PlanCatalog([PlanCatalog.Free, PlanCatalog.Starter], ["pro"]);
        var onPro = Accounts().On(PlanCatalog.Pro, PeriodEnd);
        Assert.Equal(new ITenantEvent[] { new TenantPlanChanged(PlanCatalog.Pro, PeriodEnd.AddDays(30), T1) },
            PlanDecisions.ChangePlan(onPro, retired, "pro", PeriodEnd.AddDays(30), T1).Events);
        Assert.Equal("plan 'pro' is retired", PlanDecisions.ChangePlan(Accounts().On(PlanCatalog.Starter), retired, "pro", PeriodEnd, T1).Rejection);
        Assert.Equal("plan 'pro' is retired", PlanDecisions.ChangePlan(Accounts(), retired, "pro", PeriodEnd, T1).Rejection);
        var lapsed = onPro.Then(new TenantPlanLapsed(PlanCatalog.Free, T0));
        Assert.Equal("plan 'pro' is retired", PlanDecisions.ChangePlan(lapsed, retired, "pro", PeriodEnd, T1).Rejection);
        Assert.Equal("unknown plan 'gold'", PlanDecisions.ChangePlan(onPro, retired, "gold", PeriodEnd, T1).Rejection);
        Assert.Equal("tenant 't1' does not exist", PlanDecisions.ChangePlan(TenantState.Empty(Tenant), Catalog, "pro", PeriodEnd, T1).Rejection);
    }

    // ---- a payment that failed

    [Fact]
    public void A_failed_payment_starts_a_grace_period_that_a_failed_retry_does_not_extend()
    {
        var s = Accounts().On(PlanCatalog.Pro, PeriodEnd);
        var grace = T1 + PlanDecisions.GracePeriod;
        Assert.Equal(TimeSpan.FromDays(7), PlanDecisions.GracePeriod);
        var failed = PlanDecisions.MarkPastDue(s, grace, T1);
        Assert.Equal(new ITenantEvent[] { new TenantPlanPastDue(grace, T1) }, failed.Events);
        s = s.Then([.. failed.Events]);
        Assert.Equal(new TenantPlan(PlanCatalog.Pro, PlanStatus.PastDue, T0, PeriodEnd, grace), s.Plan);
        // The limits hold meanwhile.
        Assert.Same(PlanCatalog.Pro, s.CurrentPlan().Limits);
        Assert.True(PlanDecisions.MarkPastDue(s, grace.AddDays(3), T1.AddDays(1)) is { Accepted: true, Events.IsEmpty: true });
        // Applied all the same (a late duplicate in the journal), the first grace stands.
        Assert.Equal(grace, s.Then(new TenantPlanPastDue(grace.AddDays(3), T1)).CurrentPlan().GraceUntil);
    }

    [Fact]
    public void The_grace_is_over_at_its_end_and_not_a_tick_before()
    {
        var grace = T1.AddDays(7);
        var s = Accounts().On(PlanCatalog.Pro, PeriodEnd).Then(new TenantPlanPastDue(grace, T1));
        Assert.False(PlanDecisions.GraceOver(s, grace.AddTicks(-1)));
        Assert.True(PlanDecisions.GraceOver(s, grace));
        Assert.False(PlanDecisions.GraceOver(Accounts().On(PlanCatalog.Pro, PeriodEnd), grace.AddDays(100)));
        Assert.False(PlanDecisions.GraceOver(s.Then(new TenantPlanLapsed(PlanCatalog.Free, grace)), grace.AddDays(1)));
    }

    [Fact]
    public void Past_due_is_refused_for_a_free_or_lapsed_plan_or_a_grace_already_over()
    {
        var pro = Accounts().On(PlanCatalog.Pro, PeriodEnd);
        Assert.Equal("the grace period must end after now", PlanDecisions.MarkPastDue(pro, T1, T1).Rejection);
        Assert.True(PlanDecisions.MarkPastDue(pro, T1.AddTicks(1), T1).Accepted);
        Assert.Equal("plan Free is free of charge: it has no payment to fail", PlanDecisions.MarkPastDue(Accounts().On(PlanCatalog.Free), T1.AddDays(7), T1).Rejection);
        Assert.Equal("plan pro has lapsed already", PlanDecisions.MarkPastDue(pro.Then(new TenantPlanLapsed(PlanCatalog.Free, T0)), T1.AddDays(7), T1).Rejection);
        Assert.Equal("tenant 't1' does not exist", PlanDecisions.MarkPastDue(TenantState.Empty(Tenant), T1.AddDays(7), T1).Rejection);
        // A past-due event for a lapsed plan changes nothing.
        var lapsed = pro.Then(new TenantPlanLapsed(PlanCatalog.Free, T0));
        Assert.Equal(lapsed.Plan, lapsed.Then(new TenantPlanPastDue(T1.AddDays(7), T1)).Plan);
    }

    // ---- a lapse: what no longer fits is paused

    private const string FreeLive = "live trading: plan Free trades paper and testnet accounts only; Starter allows live accounts";

    /// <summary>
    /// On Pro: bots "old" (paper, the oldest), "live" (live account), "new" (paper, the newest), all running, "idle" stopped,
    /// "rest" paused; subscriptions "s-old" (paper, the longest active), "s-live" (live), "s-new" (paper), all active, and
    /// "s-rest" paused. "old" holds a position with a take profit resting.
    /// </summary>
    private static TenantState OnPro()
    {
        var s = Accounts().On(PlanCatalog.Pro, PeriodEnd)
            .WithBot("old", at: T0)
            .WithBot("live", account: ExternalAccountId, at: T0.AddSeconds(1))
            .WithBot("new", at: T0.AddSeconds(2))
            .WithBot("idle", BotStatus.Stopped, at: T0.AddSeconds(3))
            .WithBot("rest", BotStatus.Paused, at: T0.AddSeconds(4))
            .WithSubscription("s-old", at: T0, strategy: "a")
            .WithSubscription("s-live", ExternalAccountId, at: T0.AddSeconds(1), strategy: "b")
            .WithSubscription("s-new", at: T0.AddSeconds(2), strategy: "c")
            .WithSubscription("s-rest", paused: true, at: T0.AddSeconds(3), strategy: "d");
        var buy = new OrderIntent(ClientOrderIds.Create(Tenant, PaperAccountId, "bot:old", 1, 0), PaperAccountId, "bot:old", 1, Symbol, OrderSide.Buy, 0.01m, 50_000m);
        var takeProfit = buy with { ClientOrderId = ClientOrderIds.Create(Tenant, PaperAccountId, "bot:old", 2, 0), SourceSequence = 2, Side = OrderSide.Sell, Type = OrderType.Limit, LimitPrice = 51_000m };
        return s.Then(
            new BotStepped("old", 1, Bots.BotHistory.State, Bots.BotHistory.NoFed, [new BotLeg(1, Place: buy)], 50_000m, T0), new OrderFilled(buy, FillOf(buy), T0),
            new BotStepped("old", 2, Bots.BotHistory.State, Bots.BotHistory.NoFed, [new BotLeg(2, Place: takeProfit)], 50_000m, T0), new OrderWorking(takeProfit, null, "P-2", T0));
    }

    [Fact]
    public void A_lapse_falls_to_free_and_pauses_what_free_does_not_allow_oldest_kept()
    {
        var decision = PlanDecisions.Lapse(OnPro(), Catalog, T1);
        Assert.Equal(new ITenantEvent[]
        {
            new TenantPlanLapsed(PlanCatalog.Free, T1),
            new BotPaused("live", T1, $"plan Pro lapsed; {FreeLive}"),
            new BotPaused("new", T1, "plan Pro lapsed; running bots: 1 of 1 on plan Free; Starter allows 5"),
            new SubscriptionPaused("b", T1, "s-live", $"plan Pro lapsed; {FreeLive}"),
            new SubscriptionPaused("c", T1, "s-new", "plan Pro lapsed; active subscriptions: 1 of 1 on plan Free; Starter allows 5"),
        }, decision.Events);
    }

    [Fact]
    public void After_a_lapse_nothing_is_deleted_no_position_closed_no_order_cancelled_and_each_pause_says_why()
    {
        var before = OnPro();
        var s = before.Then([.. PlanDecisions.Lapse(before, Catalog, T1).Events]);
        Assert.Equal(new TenantPlan(PlanCatalog.Free, PlanStatus.Lapsed, T1, LapsedFrom: "pro"), s.Plan);
        Assert.Equal(before.BotsById.Keys.Order(), s.BotsById.Keys.Order());
        Assert.Equal(before.Subscriptions.Keys.Order(), s.Subscriptions.Keys.Order());
        Assert.Equal(
            [("idle", BotStatus.Stopped), ("live", BotStatus.Paused), ("new", BotStatus.Paused), ("old", BotStatus.Running), ("rest", BotStatus.Paused)],
            s.BotsById.Values.OrderBy(b => b.Config.BotId).Select(b => (b.Config.BotId, b.Status)));
        Assert.Equal($"plan Pro lapsed; {FreeLive}", s.BotsById["live"].StopReason);
        Assert.Null(s.BotsById["rest"].StopReason);
        Assert.Equal(
            [("s-live", SubscriptionStatus.Paused), ("s-new", SubscriptionStatus.Paused), ("s-old", SubscriptionStatus.Active), ("s-rest", SubscriptionStatus.Paused)],
            s.Subscriptions.Values.OrderBy(x => x.Key()).Select(x => (x.Key(), x.Status)));
        Assert.Equal("plan Pro lapsed; active subscriptions: 1 of 1 on plan Free; Starter allows 5", s.Subscriptions["s-new"].PauseReason);
        Assert.Null(s.Subscriptions["s-rest"].PauseReason);
        // The position and its resting take profit stay as they were.
        Assert.Equal(before.BotsById["old"].Ledger, s.BotsById["old"].Ledger);
        Assert.Equal(before.Open, s.Open);
        Assert.All(s.BotsById.Values, b => Assert.Empty(b.Cancelling));
    }

    [Fact]
    public void A_lapse_delivered_twice_persists_nothing_and_a_free_plan_cannot_lapse()
    {
        var lapsed = OnPro().Then([.. PlanDecisions.Lapse(OnPro(), Catalog, T1).Events]);
        Assert.True(PlanDecisions.Lapse(lapsed, Catalog, T1.AddHours(1)) is { Accepted: true, Events.IsEmpty: true });
        Assert.Equal("plan Free is free of charge: it cannot lapse", PlanDecisions.Lapse(Accounts().On(PlanCatalog.Free), Catalog, T1).Rejection);
        Assert.Equal("tenant 't1' does not exist", PlanDecisions.Lapse(TenantState.Empty(Tenant), Catalog, T1).Rejection);
        // A paid plan past due lapses the same way.
        var pastDue = Accounts().On(PlanCatalog.Starter, PeriodEnd).Then(new TenantPlanPastDue(T1, T0));
        Assert.Equal(new ITenantEvent[] { new TenantPlanLapsed(PlanCatalog.Free, T1) }, PlanDecisions.Lapse(pastDue, Catalog, T1).Events);
        // The catalog's own Free is where it falls to.
        var free = PlanCatalog.Free with { TradesPerDay = 10 };
        Assert.Equal(new TenantPlanLapsed(free, T1), PlanDecisions.Lapse(pastDue, new PlanCatalog([free, PlanCatalog.Starter]), T1).Events[0]);
    }

    [Fact]
    public void Upgrading_again_resumes_nothing_the_trader_does()
    {
        var lapsed = OnPro().Then([.. PlanDecisions.Lapse(OnPro(), Catalog, T1).Events]);
        var upgrade = PlanDecisions.ChangePlan(lapsed, Catalog, "pro", PeriodEnd.AddDays(30), T1.AddHours(1));
        Assert.Equal(new ITenantEvent[] { new TenantPlanChanged(PlanCatalog.Pro, PeriodEnd.AddDays(30), T1.AddHours(1)) }, upgrade.Events);
        var s = lapsed.Then([.. upgrade.Events]);
        Assert.Equal(new TenantPlan(PlanCatalog.Pro, PlanStatus.Active, T1.AddHours(1), PeriodEnd.AddDays(30)), s.Plan);
        Assert.Equal(lapsed.BotsById.Values.Select(b => b.Status), s.BotsById.Values.Select(b => b.Status));
        Assert.Equal(lapsed.Subscriptions.Values.Select(x => x.Status), s.Subscriptions.Values.Select(x => x.Status));
        // The trader resumes them, and a resumed one carries no reason any more.
        s = s.Then([.. BotDecisions.Start(s, "live", T1.AddHours(2)).Events, .. TenantDecisions.Resume(s, "s-live", T1.AddHours(2)).Events]);
        Assert.Equal((BotStatus.Running, (string?)null), (s.BotsById["live"].Status, s.BotsById["live"].StopReason));
        Assert.Equal((SubscriptionStatus.Active, (string?)null), (s.Subscriptions["s-live"].Status, s.Subscriptions["s-live"].PauseReason));
    }

    [Fact]
    public void A_downgrade_pauses_what_the_smaller_plan_does_not_allow()
    {
        var decision = PlanDecisions.ChangePlan(OnPro(), Catalog, "free", null, T1);
        Assert.Equal(new ITenantEvent[]
        {
            new TenantPlanChanged(PlanCatalog.Free, null, T1),
            new BotPaused("live", T1, $"plan changed to Free; {FreeLive}"),
            new BotPaused("new", T1, "plan changed to Free; running bots: 1 of 1 on plan Free; Starter allows 5"),
            new SubscriptionPaused("b", T1, "s-live", $"plan changed to Free; {FreeLive}"),
            new SubscriptionPaused("c", T1, "s-new", "plan changed to Free; active subscriptions: 1 of 1 on plan Free; Starter allows 5"),
        }, decision.Events);
        // Starter takes live accounts and five of each: nothing to pause.
        Assert.Equal(new ITenantEvent[] { new TenantPlanChanged(PlanCatalog.Starter, PeriodEnd, T1) }, PlanDecisions.ChangePlan(OnPro(), Catalog, "starter", PeriodEnd, T1).Events);
    }

    [Fact]
    public void Fitting_keeps_running_bots_within_the_plans_pairs_oldest_first()
    {
        var duo = PlanCatalog.Starter with { Id = "duo", Name = "Duo", MaxBots = 2, MaxPairs = 1 };
        var s = Accounts().On(duo)
            .WithBot("eth", symbol: "ETHUSDT", at: T0)
            .WithBot("btc", at: T0.AddSeconds(1))
            .WithBot("eth-2", symbol: "ETHUSDT", at: T0.AddSeconds(2));
        Assert.Equal(
            new ITenantEvent[] { new BotPaused("btc", T1, "plan changed to Duo; pairs: the running bots trade 1 of 1 on plan Duo, BTCUSDT would be one more; Starter allows 5") },
            PlanDecisions.Fit(s, "plan changed to Duo", T1));
        // Created at the same time: by id.
        var tied = Accounts().On(PlanCatalog.Free).WithBot("b", at: T0).WithBot("a", at: T0);
        Assert.Equal("b", Assert.IsType<BotPaused>(Assert.Single(PlanDecisions.Fit(tied, "x", T1))).BotId);
        var tiedSubscriptions = Accounts().On(PlanCatalog.Free).WithSubscription("s-b", at: T0, strategy: "b").WithSubscription("s-a", at: T0, strategy: "a");
        Assert.Equal("s-b", Assert.IsType<SubscriptionPaused>(Assert.Single(PlanDecisions.Fit(tiedSubscriptions, "x", T1))).SubscriptionId);
        // Nothing running: nothing to pause.
        Assert.Empty(PlanDecisions.Fit(Accounts().On(PlanCatalog.Free).WithBot("b", BotStatus.Stopped).WithSubscription("s", paused: true), "x", T1));
    }

    // ---- the time zone

    [Theory]
    [InlineData("Europe/Paris", "Europe/Paris")]
    [InlineData(" America/New_York ", "America/New_York")]
    [InlineData("Etc/UTC", "Etc/UTC")]
    public void A_known_iana_zone_is_set(string given, string kept)
    {
        var decision = PlanDecisions.SetTimeZone(Accounts(), given, T1);
        Assert.Equal(new ITenantEvent[] { new TenantTimeZoneSet(kept, T1) }, decision.Events);
        var s = Accounts().Then([.. decision.Events]);
        Assert.Equal(kept, s.TimeZoneId);
        Assert.True(PlanDecisions.SetTimeZone(s, given, T1) is { Accepted: true, Events.IsEmpty: true });
    }

    [Theory]
    [InlineData(null, "timeZone is required (an IANA name such as Europe/Paris, or UTC)")]
    [InlineData("  ", "timeZone is required (an IANA name such as Europe/Paris, or UTC)")]
    [InlineData("Europe/Atlantis", "unknown time zone 'Europe/Atlantis' (an IANA name such as Europe/Paris, or UTC)")]
    [InlineData("europe/paris", "unknown time zone 'europe/paris' (an IANA name such as Europe/Paris, or UTC)")]
    [InlineData("utc", "unknown time zone 'utc' (an IANA name such as Europe/Paris, or UTC)")]
    [InlineData("Romance Standard Time", "unknown time zone 'Romance Standard Time' (an IANA name such as Europe/Paris, or UTC)")]
    [InlineData("../../etc/passwd", "unknown time zone '../../etc/passwd' (an IANA name such as Europe/Paris, or UTC)")]
    public void An_unknown_zone_is_refused(string? given, string refusal) =>
        Assert.Equal(refusal, PlanDecisions.SetTimeZone(Accounts(), given, T1).Rejection);

    [Fact]
    public void Utc_is_where_every_tenant_starts_and_going_back_to_it_is_a_change()
    {
        Assert.True(PlanDecisions.SetTimeZone(Accounts(), "UTC", T1) is { Accepted: true, Events.IsEmpty: true });
        var paris = Accounts().InZone("Europe/Paris");
        Assert.Equal(new ITenantEvent[] { new TenantTimeZoneSet("UTC", T1) }, PlanDecisions.SetTimeZone(paris, "UTC", T1).Events);
        Assert.Equal("tenant 't1' does not exist", PlanDecisions.SetTimeZone(TenantState.Empty(Tenant), "UTC", T1).Rejection);
    }

    // ---- usage

    [Fact]
    public void Usage_says_where_the_tenant_stands_against_each_limit()
    {
        var s = OnPro().InZone("Europe/Paris").PlacedAt(T0);
        var usage = PlanDecisions.Usage(s, T1);
        // 5 bots (3 running) on BTCUSDT; 4 subscriptions (3 active); the bot's buy, its take profit and the order just placed;
        // "old" holding: one open position (the subscriptions hold nothing; the fill of PlacedAt went to the strategy "rsi" no subscription follows).
        Assert.Equal(new PlanUsage(s.CurrentPlan(), 5, 3, 1, 4, 3, 3, new DateOnly(2026, 1, 2), "Europe/Paris", 1), usage);
    }

    [Fact]
    public void Plan_events_are_applied_without_touching_anything_else()
    {
        var s = OnPro();
        var after = s.Then(new TenantPlanChanged(PlanCatalog.Starter, null, T1), new TenantTimeZoneSet("Asia/Tokyo", T1));
        Assert.Equal(s with { Plan = after.Plan, TimeZoneId = "Asia/Tokyo" }, after);
        Assert.Throws<ArgumentOutOfRangeException>(() => PlanState.Apply(s, new TenantCreated("t1", "x", T1)));
    }
}
