using TradingActors.Domain.Billing;

namespace TradingActors.Api.Billing;

/// <summary>
/// A plan as the API shows it (GET /api/v1/plans, the admin routes): a count left out (null) is no limit. Prices in USD a month and a
/// year; the API rate tier by name with its requests a second and burst as this API applies them.
/// </summary>
public sealed record PlanResponse(string Id, string Name, int MaxBots, int MaxPairs, int? MaxSubscriptions, int? TradesPerDay, int? OpenPositions,
    bool LiveTrading, string ApiRateTier, int RequestsPerSecond, int Burst, decimal MonthlyPrice, decimal YearlyPrice, string Currency);

/// <summary>
/// An admin's plan (POST /api/v1/admin/plans, PUT /api/v1/admin/plans/{id}): what GET shows, without the tier's figures. A
/// null or absent maxSubscriptions, tradesPerDay or openPositions is no limit; every other field is required.
/// </summary>
public sealed record PlanRequest(string? Id, string? Name, int? MaxBots, int? MaxPairs, int? MaxSubscriptions, int? TradesPerDay, int? OpenPositions,
    bool? LiveTrading, string? ApiRateTier, decimal? MonthlyPrice, decimal? YearlyPrice);

/// <summary>One limit of your plan and how much of it you use now (Allowed left out: no limit).</summary>
public sealed record PlanUsageLine(string Limit, int Used, int? Allowed);

/// <summary>
/// GET /api/v1/billing: your plan, its status (active, past_due, lapsed), the end of the period paid for, the grace a failed
/// payment leaves (past_due), the plan a lapse came from, your time zone and its day, and your usage against each limit
/// (maxBots: every bot; maxPairs: the pairs your bots trade; maxSubscriptions: every subscription; tradesPerDay: automated
/// orders placed today; openPositions: subscriptions and bots holding or buying).
/// </summary>
public sealed record BillingResponse(PlanResponse Plan, string Status, DateTimeOffset? PeriodEnd, DateTimeOffset? GraceUntil, string? LapsedFrom, string TimeZone,
    DateOnly Day, IReadOnlyList<PlanUsageLine> Usage, long? Version = null);

/// <summary>PUT /api/v1/billing/time-zone: an IANA zone (Europe/Paris) or UTC; your trades-per-day count starts at its midnight.</summary>
public sealed record TimeZoneRequest(string? TimeZone);

/// <summary>PUT /api/v1/admin/users/{userId}/plan: an operator moves a user to a plan (periodEnd: the end of what it grants; none: open-ended).</summary>
public sealed record UserPlanRequest(string? PlanId, DateTimeOffset? PeriodEnd);

/// <summary>The API's words for plans: limits by their field names, statuses in snake case.</summary>
public static class PlanWire
{
    public static string Limit(PlanLimit limit) => limit switch
    {
        PlanLimit.Bots => "maxBots",
        PlanLimit.Pairs => "maxPairs",
        PlanLimit.Subscriptions => "maxSubscriptions",
        PlanLimit.TradesPerDay => "tradesPerDay",
        PlanLimit.OpenPositions => "openPositions",
        PlanLimit.LiveTrading => "liveTrading",
        _ => throw new ArgumentOutOfRangeException(nameof(limit), limit, null),
    };

    public static string Status(PlanStatus status) => status switch
    {
        PlanStatus.Active => "active",
        PlanStatus.PastDue => "past_due",
        PlanStatus.Lapsed => "lapsed",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static int? Count(int count) => count == Plan.Unlimited ? null : count;

    public static PlanResponse Response(Plan plan, ApiRateTier tier) => new(plan.Id, plan.Name, plan.MaxBots, plan.MaxPairs, Count(plan.MaxSubscriptions),
        Count(plan.TradesPerDay), Count(plan.OpenPositions), plan.LiveTrading, plan.ApiRateTier, tier.RequestsPerSecond, tier.Burst, plan.MonthlyPrice,
        plan.YearlyPrice, Plan.Currency);

    /// <summary>The plan an admin asked for, or every missing field (the plan's own rules are checked by the catalog).</summary>
    public static (Plan? Plan, Dictionary<string, string[]> Missing) FromRequest(PlanRequest r, string? id = null)
    {
        var missing = new Dictionary<string, string[]>();
        void Require(object? value, string field)
        {
            if (value is null || value is string s && string.IsNullOrWhiteSpace(s)) missing[field] = [$"{field} is required"];
        }
        Require(id ?? r.Id, "id");
        Require(r.Name, "name");
        Require(r.MaxBots, "maxBots");
        Require(r.MaxPairs, "maxPairs");
        Require(r.LiveTrading, "liveTrading");
        Require(r.ApiRateTier, "apiRateTier");
        Require(r.MonthlyPrice, "monthlyPrice");
        Require(r.YearlyPrice, "yearlyPrice");
        if (missing.Count > 0) return (null, missing);
        return (new Plan((id ?? r.Id)!.Trim(), r.Name!.Trim(), r.MaxBots!.Value, r.MaxPairs!.Value, r.MaxSubscriptions ?? Plan.Unlimited,
            r.TradesPerDay ?? Plan.Unlimited, r.OpenPositions ?? Plan.Unlimited, r.LiveTrading!.Value, r.ApiRateTier!.Trim(), r.MonthlyPrice!.Value,
            r.YearlyPrice!.Value), missing);
    }
}
