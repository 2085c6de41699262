using TradingActors.Domain.Tenants;

namespace TradingActors.Domain.Billing;

public enum PlanStatus
{
    /// <summary>Paid up (or free): its limits hold.</summary>
    Active = 1,
    /// <summary>A payment failed: its limits still hold until the grace period ends, then it lapses.</summary>
    PastDue = 2,
    /// <summary>The paid plan ended: the tenant is on the fallback plan's limits (Free) until a plan is bought again.</summary>
    Lapsed = 3,
}

/// <summary>
/// The plan a tenant is on (decision 032): the plan's limits as they were when it was applied (an admin's later edit
/// reaches the tenant at its next change or renewal, never mid-period), its status, the end of the period paid for, the
/// end of the grace period while past due, and the paid plan that lapsed (its limits are then the fallback's).
/// </summary>
public sealed record TenantPlan(Plan Limits, PlanStatus Status, DateTimeOffset Since, DateTimeOffset? PeriodEnd = null, DateTimeOffset? GraceUntil = null,
    string? LapsedFrom = null)
{
    /// <summary>Where a tenant without any plan event stands: the legacy plan, active (decision 032).</summary>
    public static readonly TenantPlan Legacy = new(Plan.Legacy, PlanStatus.Active, DateTimeOffset.MinValue);
}

/// <summary>
/// The tenant's counters that cannot be read off its state (decision 032): automated orders placed on Day, the tenant's local
/// date. Bots, subscriptions and open positions are counted from the state itself.
/// </summary>
public sealed record QuotaCounters(DateOnly Day, int Trades);

/// <summary>A tenant's local day: the date in its IANA time zone (UTC when it has none, or when this node does not know the zone).</summary>
public static class TradingDay
{
    public const string Utc = "UTC";

    public static DateOnly Of(DateTimeOffset at, string? timeZoneId) =>
        DateOnly.FromDateTime(Zone(timeZoneId) is { } zone ? TimeZoneInfo.ConvertTime(at, zone).DateTime : at.UtcDateTime);

    /// <summary>The zone, or null for UTC. A zone a node does not know reads as UTC, so replaying never fails.</summary>
    public static TimeZoneInfo? Zone(string? timeZoneId) =>
        timeZoneId is null or Utc ? null : TimeZoneInfo.TryFindSystemTimeZoneById(timeZoneId, out var zone) ? zone : null;

    /// <summary>The name a refusal gives the zone.</summary>
    public static string Name(string? timeZoneId) => timeZoneId ?? Utc;
}

/// <summary>
/// The tenant's plan from now on (decision 032): bought, changed, renewed (a new period end), or set by an operator.
/// Plan is the plan's limits as they are now: the tenant keeps them until its plan is applied again.
/// </summary>
public sealed record TenantPlanChanged(Plan Plan, DateTimeOffset? PeriodEnd, DateTimeOffset At) : ITenantEvent;

/// <summary>A payment failed: the plan's limits hold until GraceUntil, then it lapses.</summary>
public sealed record TenantPlanPastDue(DateTimeOffset GraceUntil, DateTimeOffset At) : ITenantEvent;

/// <summary>
/// The paid plan ended (grace over, or its subscription deleted): the tenant is on Fallback's limits (Free's) until a plan is
/// bought again. The bots and subscriptions that no longer fit are paused in the same persist (their own events).
/// </summary>
public sealed record TenantPlanLapsed(Plan Fallback, DateTimeOffset At) : ITenantEvent;

/// <summary>The tenant's IANA time zone: where its day starts for the trades-per-day count.</summary>
public sealed record TenantTimeZoneSet(string TimeZoneId, DateTimeOffset At) : ITenantEvent;

/// <summary>How a tenant's state takes a plan event and counts the orders it places (part of <see cref="TenantState.Apply"/>).</summary>
public static class PlanState
{
    public static TenantState Apply(TenantState s, ITenantEvent e) => e switch
    {
        TenantPlanChanged c => s with { Plan = new TenantPlan(c.Plan, PlanStatus.Active, c.At, c.PeriodEnd) },
        // Only a plan in force can fall behind; the grace already running is not extended by a failed retry.
        TenantPlanPastDue d => s.CurrentPlan() is { Status: not PlanStatus.Lapsed } plan
            ? s with { Plan = plan with { Status = PlanStatus.PastDue, GraceUntil = plan.GraceUntil ?? d.GraceUntil } }
            : s,
        TenantPlanLapsed l => s with { Plan = new TenantPlan(l.Fallback, PlanStatus.Lapsed, l.At, LapsedFrom: s.CurrentPlan().Limits.Id) },
        TenantTimeZoneSet z => s with { TimeZoneId = z.TimeZoneId },
        _ => throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name, "not a plan event"),
    };

    /// <summary>
    /// An automated order placed at <paramref name="at"/> counts toward that local day. A day before the counted one (the
    /// zone moved west) still counts toward it: a change of zone never gives a day twice.
    /// </summary>
    public static TenantState CountTrade(TenantState s, DateTimeOffset at)
    {
        var day = TradingDay.Of(at, s.TimeZoneId);
        return s with { Quota = s.Quota is { } q && day <= q.Day ? q with { Trades = q.Trades + 1 } : new QuotaCounters(day, 1) };
    }

    /// <summary>Whether <paramref name="e"/> places an automated order: the first event of a signal's or a bot's order that reached a venue.</summary>
    /// <remarks>
    /// An external order counts at OrderSubmitted (its intent is persisted just before the call, so a crash after it still
    /// counts the call it may have made); a paper order at its fill or when it rests. An order refused before a venue saw
    /// it (insufficient funds: a rejection or failure as its first event) counts nothing, nor does a manual order.
    /// </remarks>
    public static bool Places(TenantState before, TenantState after, IOrderEvent e)
    {
        if (e is OrderRejected or OrderFailed || Sources.IsManual(e.Intent.Source)) return false;
        var id = e.Intent.ClientOrderId;
        // The ledger took it (open, or settled: the newest of its recent orders), and did not have it before.
        var taken = after.Open.ContainsKey(id) || (after.Recent.Count > 0 && after.Recent[^1].Intent.ClientOrderId == id);
        return taken && !before.Knows(id);
    }
}
