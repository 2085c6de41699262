using System.Collections.Immutable;
using System.Globalization;
using TradingActors.Domain.Bots;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;

namespace TradingActors.Domain.Billing;

/// <summary>
/// A refusal by the tenant's plan (decision 032): the limit, the plan that set it, the cheapest plan on sale that lifts it
/// (null when none does), and the reason in a trader's words ("trades per day: 20 of 20 today (Europe/Paris) on plan Free;
/// Starter allows 5,000"). The API answers it as a problem naming the limit and the lifting plan.
/// </summary>
public sealed record PlanRefusal(PlanLimit Limit, string PlanId, string? LiftingPlanId, string Reason);

/// <summary>
/// Where a tenant stands against its plan now (GET /api/v1/billing): bots (all, and running), the pairs its bots trade,
/// subscriptions (all, and active), automated orders placed on its local Day in TimeZone, open positions.
/// </summary>
public sealed record PlanUsage(TenantPlan Plan, int Bots, int RunningBots, int Pairs, int Subscriptions, int ActiveSubscriptions, int TradesToday, DateOnly Day,
    string TimeZone, int OpenPositions);

/// <summary>
/// The tenant's plan and its limits (decision 032), pure: the one place they are checked. Changing, falling behind on and
/// losing a plan (what no longer fits is paused, never deleted; nothing resumes by itself), the tenant's time zone, and the
/// checks every creation, start and automated order passes through.
/// </summary>
public static class PlanDecisions
{
    /// <summary>How long a plan whose payment failed keeps its limits before it lapses (the engine's default).</summary>
    public static readonly TimeSpan GracePeriod = TimeSpan.FromDays(7);

    // ---- the tenant's plan

    /// <summary>
    /// The tenant's plan from now on, with its limits as the catalog has them now and the end of the period paid for. A plan
    /// no longer sold can only be renewed by the tenant on it (it keeps what it bought). The same plan, limits and period
    /// again persist nothing (a webhook delivered twice). Running bots and active subscriptions the new plan does not allow
    /// are paused with the reason; upgrading resumes nothing (the trader does).
    /// </summary>
    public static Decision ChangePlan(TenantState s, PlanCatalog catalog, string planId, DateTimeOffset? periodEnd, DateTimeOffset now)
    {
        if (!s.Exists) return Decision.Reject($"tenant '{s.TenantId}' does not exist");
        var current = s.CurrentPlan();
        Plan plan;
        if (catalog.TryGet(planId, out var onSale)) plan = onSale;
        else if (catalog.IsRetired(planId) && s.Plan is { Status: not PlanStatus.Lapsed } held && held.Limits.Id == planId) plan = held.Limits;
        else return Decision.Reject(catalog.IsRetired(planId) ? $"plan '{planId}' is retired" : $"unknown plan '{planId}'");
        if (current.Status == PlanStatus.Active && current.Limits == plan && current.PeriodEnd == periodEnd) return Decision.Accept();
        var changed = new TenantPlanChanged(plan, periodEnd, now);
        return Decision.Accept([changed, .. Fit(s.Apply(changed), $"plan changed to {plan.Name}", now, catalog)]);
    }

    /// <summary>
    /// A payment failed: the plan keeps its limits until <paramref name="graceUntil"/>. A plan already past due keeps the grace
    /// it has (a failed retry does not extend it); a free or lapsed plan has nothing to fall behind on.
    /// </summary>
    public static Decision MarkPastDue(TenantState s, DateTimeOffset graceUntil, DateTimeOffset now)
    {
        if (!s.Exists) return Decision.Reject($"tenant '{s.TenantId}' does not exist");
        var current = s.CurrentPlan();
        if (current.Status == PlanStatus.Lapsed) return Decision.Reject($"plan {current.LapsedFrom} has lapsed already");
        if (current.Limits.IsFree()) return Decision.Reject($"plan {current.Limits.Name} is free of charge: it has no payment to fail");
        if (current.Status == PlanStatus.PastDue) return Decision.Accept();
        if (graceUntil <= now) return Decision.Reject("the grace period must end after now");
        return Decision.Accept(new TenantPlanPastDue(graceUntil, now));
    }

    /// <summary>Whether the tenant's plan is past due and its grace is over: it is to lapse now.</summary>
    public static bool GraceOver(TenantState s, DateTimeOffset now) =>
        s.CurrentPlan() is { Status: PlanStatus.PastDue, GraceUntil: { } until } && now >= until;

    /// <summary>
    /// The paid plan ends (its grace is over, or its subscription was deleted): the tenant falls to the catalog's fallback
    /// (Free). Live trading stops: the running bots and active subscriptions Free does not allow are paused with the reason,
    /// in the same persist; none is deleted, no position is closed. A lapse delivered twice persists nothing.
    /// </summary>
    public static Decision Lapse(TenantState s, PlanCatalog catalog, DateTimeOffset now)
    {
        if (!s.Exists) return Decision.Reject($"tenant '{s.TenantId}' does not exist");
        var current = s.CurrentPlan();
        if (current.Status == PlanStatus.Lapsed) return Decision.Accept();
        if (current.Limits.IsFree()) return Decision.Reject($"plan {current.Limits.Name} is free of charge: it cannot lapse");
        var lapsed = new TenantPlanLapsed(catalog.Fallback(), now);
        return Decision.Accept([lapsed, .. Fit(s.Apply(lapsed), $"plan {current.Limits.Name} lapsed", now, catalog)]);
    }

    /// <summary>
    /// The tenant's IANA time zone (Europe/Paris, America/New_York, UTC): its day for the trades-per-day count starts at its
    /// local midnight from now on. The count of the day under way is kept (see <see cref="PlanState.CountTrade"/>).
    /// </summary>
    public static Decision SetTimeZone(TenantState s, string? timeZoneId, DateTimeOffset now)
    {
        if (!s.Exists) return Decision.Reject($"tenant '{s.TenantId}' does not exist");
        var id = timeZoneId?.Trim();
        if (string.IsNullOrEmpty(id)) return Decision.Reject("timeZone is required (an IANA name such as Europe/Paris, or UTC)");
        // Exactly as the zone names itself: the runtime's cache of zones ignores case, the zone files do not, so "europe/paris"
        // would resolve on a node that has looked up "Europe/Paris" and nowhere else.
        if (id != TradingDay.Utc && TradingDay.Zone(id)?.Id != id) return Decision.Reject($"unknown time zone '{id}' (an IANA name such as Europe/Paris, or UTC)");
        return TradingDay.Name(s.TimeZoneId) == id ? Decision.Accept() : Decision.Accept(new TenantTimeZoneSet(id, now));
    }

    /// <summary>
    /// What must pause for the tenant to fit its plan (its state already on it): running bots, oldest first, while they fit
    /// (not on a live account without live trading, within the plan's bots and pairs), the others paused; active
    /// subscriptions, longest active first, likewise. Each pause says why (<paramref name="cause"/>, then the limit).
    /// </summary>
    public static ImmutableArray<ITenantEvent> Fit(TenantState s, string cause, DateTimeOffset now, PlanCatalog? plans = null)
    {
        plans ??= PlanCatalog.Seeded;
        var pauses = ImmutableArray.CreateBuilder<ITenantEvent>();
        var running = new List<BotRecord>();
        foreach (var bot in s.BotsById.Values.Where(b => b.Status == BotStatus.Running).OrderBy(b => b.CreatedAt).ThenBy(b => b.Config.BotId, StringComparer.Ordinal))
        {
            if (BotRefusal(s, bot.Config, running, "running bots", plans) is { } refusal)
                pauses.Add(new BotPaused(bot.Config.BotId, now, $"{cause}; {refusal.Reason}"));
            else running.Add(bot);
        }
        var active = 0;
        foreach (var sub in s.Subscriptions.Values.Where(x => x.Status == SubscriptionStatus.Active).OrderBy(x => x.ActiveSince).ThenBy(x => x.Key(), StringComparer.Ordinal))
        {
            if (SubscriptionRefusal(s, sub.AccountId, active, "active subscriptions", plans) is { } refusal)
                pauses.Add(new SubscriptionPaused(sub.StrategyId, now, sub.SubscriptionId, $"{cause}; {refusal.Reason}"));
            else active++;
        }
        return pauses.ToImmutable();
    }

    // ---- the checks

    /// <summary>A new bot: within the plan's bots (every bot counts, stopped ones too) and pairs, and not on a live account without live trading.</summary>
    public static PlanRefusal? CreateBot(TenantState s, BotConfig config, PlanCatalog? plans = null) =>
        BotRefusal(s, config, s.BotsById.Values.ToList(), "bots", plans ?? PlanCatalog.Seeded);

    /// <summary>
    /// Starting a bot: within the plan's bots and pairs counting the running ones (a plan that shrank leaves bots paused or
    /// stopped: the trader chooses which run), and not on a live account without live trading.
    /// </summary>
    public static PlanRefusal? StartBot(TenantState s, BotConfig config, PlanCatalog? plans = null) =>
        BotRefusal(s, config, s.BotsById.Values.Where(b => b.Status == BotStatus.Running && b.Config.BotId != config.BotId).ToList(), "running bots",
            plans ?? PlanCatalog.Seeded);

    /// <summary>A new subscription: within the plan's subscriptions (paused ones count too), and not on a live account without live trading.</summary>
    public static PlanRefusal? Subscribe(TenantState s, string accountId, PlanCatalog? plans = null) =>
        SubscriptionRefusal(s, accountId, s.Subscriptions.Count, "subscriptions", plans ?? PlanCatalog.Seeded);

    /// <summary>Resuming a subscription: within the plan's subscriptions counting the active ones, and not on a live account without live trading.</summary>
    public static PlanRefusal? ResumeSubscription(TenantState s, Subscription subscription, PlanCatalog? plans = null) =>
        SubscriptionRefusal(s, subscription.AccountId,
            s.Subscriptions.Values.Count(x => x.Status == SubscriptionStatus.Active && x.Key() != subscription.Key()), "active subscriptions", plans ?? PlanCatalog.Seeded);

    /// <summary>
    /// Whether the plan admits an automated order (a signal's or a bot's): null, or why not. A sell is always admitted (it
    /// counts all the same): a plan's limit never holds a position its strategy wants to leave. A buy needs live trading on a
    /// live account, room in today's trades (placed today, plus orders decided and not placed yet, plus
    /// <paramref name="decided"/> earlier legs of the same decision) and, when it opens a position (its source holds nothing
    /// and is buying nothing), room in the open positions.
    /// </summary>
    public static PlanRefusal? AdmitOrder(TenantState s, LinkedAccount account, OrderSide side, bool opensPosition, DateTimeOffset now, PlanCatalog? plans = null,
        int decided = 0)
    {
        if (side == OrderSide.Sell) return null;
        plans ??= PlanCatalog.Seeded;
        var plan = s.CurrentPlan().Limits;
        if (LiveRefusal(plan, account, plans) is { } live) return live;
        // Counting costs a walk over the state: a limit that cannot be reached is not counted (legacy tenants, the hot path).
        if (plan.TradesPerDay != Plan.Unlimited)
        {
            var trades = TradesToday(s, now) + Decided(s) + decided;
            if (trades >= plan.TradesPerDay)
                return Refuse(PlanLimit.TradesPerDay, plan, plans,
                    Count($"trades per day: {trades:N0} of {plan.TradesPerDay:N0} today ({TradingDay.Name(s.TimeZoneId)}) on plan {plan.Name}"));
        }
        if (opensPosition && plan.OpenPositions != Plan.Unlimited && OpenPositions(s) is var open && open >= plan.OpenPositions)
            return Refuse(PlanLimit.OpenPositions, plan, plans, Count($"open positions: {open:N0} of {plan.OpenPositions:N0} on plan {plan.Name}"));
        return null;
    }

    /// <summary>A trader's own order: only a buy on a live account without live trading is refused (the trader may always sell what it holds).</summary>
    public static PlanRefusal? ManualOrder(TenantState s, LinkedAccount account, OrderSide side, PlanCatalog? plans = null) =>
        side == OrderSide.Buy ? LiveRefusal(s.CurrentPlan().Limits, account, plans ?? PlanCatalog.Seeded) : null;

    // ---- counts

    /// <summary>Automated orders placed on the tenant's local day of <paramref name="now"/>.</summary>
    public static int TradesToday(TenantState s, DateTimeOffset now) =>
        s.Quota is { } q && TradingDay.Of(now, s.TimeZoneId) <= q.Day ? q.Trades : 0;

    /// <summary>
    /// Positions the tenant's subscriptions and bots hold or are buying into: each holding something, or with a buy open or
    /// decided, counts once (a grid bot with ten resting buys is one position). A trader's own orders are not counted.
    /// </summary>
    public static int OpenPositions(TenantState s) =>
        s.Subscriptions.Values.Count(sub => sub.Held > 0 || s.OpenOrderOf(sub.Key()) is { Intent.Side: OrderSide.Buy })
        + s.BotsById.Values.Count(b => HoldsOrBuys(s, b));

    /// <summary>Whether the bot holds a position or has a buy open or decided: its next buy opens no new position.</summary>
    public static bool HoldsOrBuys(TenantState s, BotRecord bot) =>
        bot.Ledger.Position > 0 || bot.Pending.Any(p => p.Side == OrderSide.Buy) || BotState.OpenOrders(s, bot).Any(o => o.Intent.Side == OrderSide.Buy);

    public static PlanUsage Usage(TenantState s, DateTimeOffset now) => new(
        s.CurrentPlan(),
        s.BotsById.Count,
        s.BotsById.Values.Count(b => b.Status == BotStatus.Running),
        s.BotsById.Values.Select(b => b.Config.Symbol).Distinct(StringComparer.Ordinal).Count(),
        s.Subscriptions.Count,
        s.Subscriptions.Values.Count(x => x.Status == SubscriptionStatus.Active),
        TradesToday(s, now),
        TradingDay.Of(now, s.TimeZoneId),
        TradingDay.Name(s.TimeZoneId),
        OpenPositions(s));

    /// <summary>Bot orders decided and not placed yet: they count toward today's trades once placed, so they are room already taken.</summary>
    private static int Decided(TenantState s) => s.BotsById.Values.Sum(b => b.Pending.Count);

    private static PlanRefusal? BotRefusal(TenantState s, BotConfig config, IReadOnlyCollection<BotRecord> others, string what, PlanCatalog plans)
    {
        var plan = s.CurrentPlan().Limits;
        if (s.Accounts.GetValueOrDefault(config.AccountId) is { } account && LiveRefusal(plan, account, plans) is { } live) return live;
        if (others.Count >= plan.MaxBots)
            return Refuse(PlanLimit.Bots, plan, plans, Count($"{what}: {others.Count:N0} of {plan.MaxBots:N0} on plan {plan.Name}"));
        var pairs = others.Select(b => b.Config.Symbol).Distinct(StringComparer.Ordinal).ToList();
        return pairs.Contains(config.Symbol, StringComparer.Ordinal) || pairs.Count < plan.MaxPairs
            ? null
            : Refuse(PlanLimit.Pairs, plan, plans, Count($"pairs: the {what} trade {pairs.Count:N0} of {plan.MaxPairs:N0} on plan {plan.Name}, {config.Symbol} would be one more"));
    }

    private static PlanRefusal? SubscriptionRefusal(TenantState s, string accountId, int others, string what, PlanCatalog plans)
    {
        var plan = s.CurrentPlan().Limits;
        if (s.Accounts.GetValueOrDefault(accountId) is { } account && LiveRefusal(plan, account, plans) is { } live) return live;
        return others >= plan.MaxSubscriptions
            ? Refuse(PlanLimit.Subscriptions, plan, plans, Count($"{what}: {others:N0} of {plan.MaxSubscriptions:N0} on plan {plan.Name}"))
            : null;
    }

    private static PlanRefusal? LiveRefusal(Plan plan, LinkedAccount account, PlanCatalog plans) =>
        account.EffectiveMode == AccountMode.Live && !plan.LiveTrading
            ? Refuse(PlanLimit.LiveTrading, plan, plans, $"live trading: plan {plan.Name} trades paper and testnet accounts only")
            : null;

    private static PlanRefusal Refuse(PlanLimit limit, Plan plan, PlanCatalog plans, string what)
    {
        var lifting = plans.Lifting(limit, plan);
        var lifts = lifting is null ? "no plan allows more"
            : limit == PlanLimit.LiveTrading ? $"{lifting.Name} allows live accounts"
            : lifting.Allows(limit) == Plan.Unlimited ? $"{lifting.Name} allows any number"
            : Count($"{lifting.Name} allows {lifting.Allows(limit):N0}");
        return new PlanRefusal(limit, plan.Id, lifting?.Id, $"{what}; {lifts}");
    }

    private static string Count(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
