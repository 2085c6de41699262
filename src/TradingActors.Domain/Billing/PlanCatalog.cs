using System.Collections.Immutable;
using TradingActors.Domain.Strategies;

namespace TradingActors.Domain.Billing;

/// <summary>
/// The plans on sale, as every node sees them (decision 032). Retired plans keep their ids (tenants on one keep the limits
/// they bought until their plan changes) but are sold no more. Free is where a lapsed plan falls to.
/// </summary>
public sealed record PlanCatalog(IReadOnlyList<Plan> Plans, IReadOnlyList<string>? Retired = null)
{
    public const string FreeId = "free";

    /// <summary>Paper only; one bot on one pair and one subscription: room for the demo (a DCA bot and an RSI subscription on paper).</summary>
    public static readonly Plan Free = new(FreeId, "Free", 1, 1, 1, 1_000, 2, false, ApiRateTiers.Basic.Name, 0m, 0m);

    public static readonly Plan Starter = new("starter", "Starter", 5, 5, 5, 5_000, 10, true, ApiRateTiers.Standard.Name, 19m, 190m);

    public static readonly Plan Pro = new("pro", "Pro", 20, 20, 20, 20_000, 50, true, ApiRateTiers.High.Name, 49m, 490m);

    public static readonly Plan Enterprise = new("enterprise", "Enterprise", 100, 100, Plan.Unlimited, Plan.Unlimited, Plan.Unlimited, true, ApiRateTiers.High.Name, 199m, 1_990m);

    /// <summary>The plans a new deployment seeds its catalog with.</summary>
    public static IReadOnlyList<Plan> Seeds { get; } = [Free, Starter, Pro, Enterprise];

    /// <summary>The seeded catalog: what refusals name when no other catalog is given.</summary>
    public static readonly PlanCatalog Seeded = new(Seeds);

    public bool TryGet(string id, out Plan plan)
    {
        plan = Plans.FirstOrDefault(p => p.Id == id)!;
        return plan is not null;
    }

    public bool IsRetired(string id) => Retired?.Contains(id, StringComparer.Ordinal) == true;

    /// <summary>Where a lapsed plan falls to: the catalog's Free (it cannot be retired), the seeded one if the catalog lacks it.</summary>
    public Plan Fallback() => TryGet(FreeId, out var free) ? free : Free;

    /// <summary>
    /// The cheapest plan on sale that allows more of <paramref name="limit"/> than <paramref name="current"/> (by monthly price,
    /// then yearly, then id); null when none does. What a refusal names as the plan that lifts the limit.
    /// </summary>
    public Plan? Lifting(PlanLimit limit, Plan current) =>
        Plans.Where(p => p.Id != current.Id && p.Allows(limit) > current.Allows(limit))
            .OrderBy(p => p.MonthlyPrice).ThenBy(p => p.YearlyPrice).ThenBy(p => p.Id, StringComparer.Ordinal)
            .FirstOrDefault();
}

/// <summary>An event of the plan catalog's journal (stored: each has its own manifest).</summary>
public interface IPlanCatalogEvent;

/// <summary>A plan was put on sale (by an admin, or seeded: By = "seed").</summary>
public sealed record PlanCreated(Plan Plan, DateTimeOffset At, string By) : IPlanCatalogEvent;

/// <summary>A plan's limits or prices changed: tenants get them when their plan is next applied (a renewal, a change), never mid-period.</summary>
public sealed record PlanUpdated(Plan Plan, DateTimeOffset At, string By) : IPlanCatalogEvent;

/// <summary>A plan is sold no more; its id is never reused.</summary>
public sealed record PlanRetired(string PlanId, DateTimeOffset At, string By) : IPlanCatalogEvent;

/// <summary>The catalog's state: plans on sale in creation order, retired ids, and a version that grows with each event.</summary>
public sealed record PlanCatalogState(ImmutableList<Plan> Plans, ImmutableList<string> Retired, long Version)
{
    public static readonly PlanCatalogState Empty = new([], [], 0);

    public bool IsOnSale(string id) => Plans.Any(p => p.Id == id);

    public bool IsRetired(string id) => Retired.Contains(id, StringComparer.Ordinal);

    public PlanCatalogState Apply(IPlanCatalogEvent e) => e switch
    {
        PlanCreated c when !IsOnSale(c.Plan.Id) => this with { Plans = Plans.Add(c.Plan), Version = Version + 1 },
        PlanUpdated u when IsOnSale(u.Plan.Id) => this with { Plans = Plans.Replace(Plans.First(p => p.Id == u.Plan.Id), u.Plan), Version = Version + 1 },
        PlanRetired r when IsOnSale(r.PlanId) => this with
        {
            Plans = Plans.RemoveAll(p => p.Id == r.PlanId),
            Retired = Retired.Add(r.PlanId),
            Version = Version + 1,
        },
        _ => this with { Version = Version + 1 },
    };

    public PlanCatalog ToCatalog() => new(Plans, Retired);
}

/// <summary>What the plan catalog decides for an admin's create, update or retire, and for the seeds at first start (decision 032).</summary>
public static class PlanCatalogDecisions
{
    /// <summary>
    /// The event putting <paramref name="plan"/> on sale, or every problem with it. The same plan again is accepted without an
    /// event (a retried request); a plan that exists differently is updated, not created; a retired id is never reused.
    /// </summary>
    public static (PlanCreated? Created, IReadOnlyList<ParameterError> Errors) Create(PlanCatalogState state, Plan plan, DateTimeOffset now, string by)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var errors = Errors(plan);
        if (errors.Count > 0) return (null, errors);
        var canonical = Canonical(plan);
        if (state.IsRetired(canonical.Id)) return (null, [new("id", $"plan '{canonical.Id}' was retired; ids are not reused")]);
        if (state.Plans.FirstOrDefault(p => p.Id == canonical.Id) is { } existing)
            return existing == canonical ? (null, []) : (null, [new("id", $"plan '{canonical.Id}' already exists; update it instead")]);
        return (new PlanCreated(canonical, now, by), []);
    }

    /// <summary>The plan's new limits or prices, or every problem with them; the same plan again persists nothing.</summary>
    public static (PlanUpdated? Updated, IReadOnlyList<ParameterError> Errors) Update(PlanCatalogState state, Plan plan, DateTimeOffset now, string by)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var errors = Errors(plan);
        if (errors.Count > 0) return (null, errors);
        var canonical = Canonical(plan);
        if (state.IsRetired(canonical.Id)) return (null, [new("id", $"plan '{canonical.Id}' is retired")]);
        if (state.Plans.FirstOrDefault(p => p.Id == canonical.Id) is not { } existing) return (null, [new("id", $"unknown plan '{canonical.Id}'")]);
        return existing == canonical ? (null, []) : (new PlanUpdated(canonical, now, by), []);
    }

    public static (PlanRetired? Retired, string? Error) Retire(PlanCatalogState state, string id, DateTimeOffset now, string by)
    {
        if (id == PlanCatalog.FreeId) return (null, "plan 'free' is where lapsed plans fall to; it cannot be retired");
        if (state.IsRetired(id)) return (null, $"plan '{id}' is already retired");
        if (!state.IsOnSale(id)) return (null, $"unknown plan '{id}'");
        return (new PlanRetired(id, now, by), null);
    }

    /// <summary>Each seeded plan the catalog has never seen (neither on sale nor retired) is created; the catalog is the truth once seeded.</summary>
    public static IReadOnlyList<PlanCreated> Seed(PlanCatalogState state, IEnumerable<Plan> seeds, DateTimeOffset now)
    {
        var created = new List<PlanCreated>();
        foreach (var plan in seeds)
        {
            if (created.Any(c => c.Plan.Id == plan.Id)) continue;
            if (Create(state, plan, now, "seed") is ({ } event_, _)) created.Add(event_);
        }
        return created;
    }

    /// <summary>The plan's problems, and the fallback's own rules: a lapse must stop live trading and charge nothing.</summary>
    private static IReadOnlyList<ParameterError> Errors(Plan plan)
    {
        var errors = plan.Check().ToList();
        if (plan.Id == PlanCatalog.FreeId)
        {
            if (plan.LiveTrading) errors.Add(new("liveTrading", "plan 'free' is where lapsed plans fall to: it trades paper and testnet accounts only"));
            if (!plan.IsFree()) errors.Add(new("monthlyPrice", "plan 'free' is where lapsed plans fall to: it is free of charge"));
        }
        return errors;
    }

    private static Plan Canonical(Plan plan) => plan with { Name = plan.Name.Trim() };
}
