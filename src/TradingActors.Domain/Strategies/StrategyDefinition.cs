using TradingActors.Domain.Market;
using TradingActors.Domain.Tenants;

namespace TradingActors.Domain.Strategies;

/// <summary>
/// A shared strategy the cluster runs once: a kind that emits signals (rsi, ema-cross), its parameters as JSON (names
/// and values of the kind's <see cref="ParameterSpec"/>s; <see cref="Check"/> canonicalises them), and the symbol whose
/// prices it reads. A signal older than MaxSignalAgeSeconds when it reaches a tenant is not traded at today's price
/// (skipped as stale). Created by an admin at run time or seeded from configuration (decision 026); never edited: a
/// different strategy is a new id.
/// </summary>
public sealed record StrategyDefinition(string Id, string Symbol, string Kind = "rsi", string Parameters = "{}", int MaxSignalAgeSeconds = 60)
{
    public const int MaxSignalAgeLimitSeconds = 86_400;

    public TimeSpan MaxSignalAge => TimeSpan.FromSeconds(MaxSignalAgeSeconds);

    /// <summary>
    /// Every problem with this definition (empty when it can run), each naming its field (id, symbol, kind,
    /// maxSignalAgeSeconds, parameters.NAME): id, symbol, a kind that emits signals, its parameters, the signal age.
    /// <paramref name="canonical"/> is the definition with its parameters in canonical form (itself when there are problems).
    /// </summary>
    public IReadOnlyList<ParameterError> Check(out StrategyDefinition canonical)
    {
        canonical = this;
        var errors = new List<ParameterError>();
        if (TenantDecisions.ValidateId(Id, "strategy id") is { } badId) errors.Add(new("id", badId));
        if (string.IsNullOrWhiteSpace(Symbol) || !Instruments.TryGet(Symbol, out _))
            errors.Add(new("symbol", $"unknown symbol '{Symbol}' (symbols: {string.Join(", ", Instruments.All.Select(i => i.Symbol))})"));
        if (MaxSignalAgeSeconds is < 1 or > MaxSignalAgeLimitSeconds)
            errors.Add(new("maxSignalAgeSeconds", $"maxSignalAgeSeconds must be between 1 and {MaxSignalAgeLimitSeconds} (got {MaxSignalAgeSeconds})"));
        if (!StrategyKinds.TryGet(Kind, out var kind))
        {
            errors.Add(new("kind", $"unknown strategy kind '{Kind}' (kinds: {string.Join(", ", StrategyKinds.All.Select(k => k.Name))})"));
            return errors;
        }
        if (!kind.EmitsSignals)
            errors.Add(new("kind", $"a {kind.Name} strategy places its own orders and runs as a personal bot; shared strategies are {string.Join(", ", StrategyKinds.All.Where(k => k.EmitsSignals).Select(k => k.Name))}"));
        var parameters = StrategyParameters.FromJson(kind, Parameters, out var parameterErrors);
        errors.AddRange(parameterErrors.Select(e => new ParameterError(e.Parameter.Length == 0 ? "parameters" : "parameters." + e.Parameter, e.Message)));
        if (errors.Count == 0) canonical = this with { Parameters = parameters.ToJson() };
        return errors;
    }

    /// <summary>The parameters by name (defaults filled in); empty when they do not parse.</summary>
    public IReadOnlyDictionary<string, double> ParameterValues() =>
        StrategyKinds.TryGet(Kind, out var kind) && StrategyParameters.FromJson(kind, Parameters, out var errors) is { } p && errors.Count == 0
            ? p.Values.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal)
            : new Dictionary<string, double>();

    /// <summary>What the strategy does, in a trader's words.</summary>
    public string Describe()
    {
        var p = ParameterValues();
        string V(string name) => p.TryGetValue(name, out var v) ? v.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) : "?";
        return Kind switch
        {
            "rsi" => $"RSI({V("period")}) crossing on {Symbol}: buys when RSI crosses up through {V("oversold")}, sells when it crosses down through {V("overbought")}.",
            "ema-cross" => $"EMA({V("fast")})/EMA({V("slow")}) cross on {Symbol}: buys when the fast EMA crosses above the slow one, sells when it crosses below.",
            _ => $"{Kind} on {Symbol}.",
        };
    }

    /// <summary>The running strategy this definition describes; throws when <see cref="Check"/> would not pass.</summary>
    public ITradingStrategy CreateStrategy(StrategyState? resume = null)
    {
        var kind = StrategyKinds.Get(Kind);
        var parameters = StrategyParameters.FromJson(kind, Parameters, out var errors);
        if (errors.Count > 0) throw new ArgumentException($"strategy '{Id}': {string.Join("; ", errors.Select(e => e.Message))}");
        return kind.Create(parameters, resume);
    }
}

/// <summary>
/// The strategies this deployment runs, as every node sees them: tenants may only subscribe to running ones. Retired
/// strategies keep their ids (their journals hold their signals) but take no new subscribers.
/// </summary>
public sealed record StrategyCatalog(IReadOnlyList<StrategyDefinition> Strategies, IReadOnlyList<string>? Retired = null)
{
    public static readonly StrategyCatalog Empty = new([]);

    public bool TryGet(string id, out StrategyDefinition definition)
    {
        definition = Strategies.FirstOrDefault(s => s.Id == id)!;
        return definition is not null;
    }

    public bool IsRetired(string id) => Retired?.Contains(id, StringComparer.Ordinal) == true;

    /// <summary>The strategy's maximum signal age; a minute for a strategy no longer in the catalog.</summary>
    public TimeSpan MaxSignalAge(string id) => TryGet(id, out var definition) ? definition.MaxSignalAge : TimeSpan.FromMinutes(1);
}
