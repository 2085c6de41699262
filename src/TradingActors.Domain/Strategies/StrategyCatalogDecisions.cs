using System.Collections.Immutable;

namespace TradingActors.Domain.Strategies;

/// <summary>An event of the strategy catalog's journal (stored: each has its own manifest).</summary>
public interface IStrategyCatalogEvent;

/// <summary>A shared strategy was created (by an admin, or seeded from configuration: By = "seed").</summary>
public sealed record StrategyCreated(StrategyDefinition Definition, DateTimeOffset At, string By) : IStrategyCatalogEvent;

/// <summary>A shared strategy was retired: it stops for good; its id is never reused.</summary>
public sealed record StrategyRetired(string StrategyId, DateTimeOffset At, string By) : IStrategyCatalogEvent;

/// <summary>The catalog's state: running strategies in creation order, retired ids, and a version that grows with each event.</summary>
public sealed record StrategyCatalogState(ImmutableList<StrategyDefinition> Running, ImmutableList<string> Retired, long Version)
{
    public static readonly StrategyCatalogState Empty = new([], [], 0);

    public bool IsRunning(string id) => Running.Any(s => s.Id == id);

    public bool IsRetired(string id) => Retired.Contains(id, StringComparer.Ordinal);

    public StrategyCatalogState Apply(IStrategyCatalogEvent e) => e switch
    {
        StrategyCreated c when !IsRunning(c.Definition.Id) => this with { Running = Running.Add(c.Definition), Version = Version + 1 },
        StrategyRetired r when IsRunning(r.StrategyId) => this with
        {
            Running = Running.RemoveAll(s => s.Id == r.StrategyId),
            Retired = Retired.Add(r.StrategyId),
            Version = Version + 1,
        },
        _ => this with { Version = Version + 1 },
    };

    public StrategyCatalog ToCatalog() => new(Running, Retired);
}

/// <summary>What the catalog decides for an admin's create or retire, and for the configured seeds at first start.</summary>
public static class StrategyCatalogDecisions
{
    /// <summary>
    /// The event creating <paramref name="definition"/>, or why not. Creating a strategy that already runs with the same
    /// definition is accepted without an event (a retried request); a retired id is never reused, so subscribers'
    /// sequences and the journal stay one strategy's.
    /// </summary>
    public static (StrategyCreated? Created, IReadOnlyList<string> Errors) Create(StrategyCatalogState state, StrategyDefinition definition, DateTimeOffset now, string by)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var errors = definition.Check(out var canonical);
        if (errors.Count > 0) return (null, errors.Select(e => e.Message).ToList());
        if (state.IsRetired(canonical.Id)) return (null, [$"strategy '{canonical.Id}' was retired; ids are not reused (its signals stay in its journal)"]);
        if (state.Running.FirstOrDefault(s => s.Id == canonical.Id) is { } existing)
            return existing == canonical ? (null, []) : (null, [$"strategy '{canonical.Id}' already exists with a different definition"]);
        return (new StrategyCreated(canonical, now, by), []);
    }

    public static (StrategyRetired? Retired, string? Error) Retire(StrategyCatalogState state, string id, DateTimeOffset now, string by)
    {
        if (state.IsRetired(id)) return (null, $"strategy '{id}' is already retired");
        if (!state.IsRunning(id)) return (null, $"unknown strategy '{id}'");
        return (new StrategyRetired(id, now, by), null);
    }

    /// <summary>
    /// The configured strategies become seed data: each id the catalog has never seen (neither running nor retired) is
    /// created; a configured id that runs or was retired is left as the catalog has it (the catalog is the truth once seeded).
    /// </summary>
    public static IReadOnlyList<StrategyCreated> Seed(StrategyCatalogState state, IEnumerable<StrategyDefinition> configured, DateTimeOffset now)
    {
        var created = new List<StrategyCreated>();
        foreach (var definition in configured)
        {
            // Stryker disable once Logical : Create refuses a running or retired id itself, so skipping only ids that are both changes nothing
            if (state.IsRetired(definition.Id) || state.IsRunning(definition.Id) || created.Any(c => c.Definition.Id == definition.Id)) continue;
            if (Create(state, definition, now, "seed") is ({ } event_, _)) created.Add(event_);
        }
        return created;
    }
}
