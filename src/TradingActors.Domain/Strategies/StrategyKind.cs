namespace TradingActors.Domain.Strategies;

/// <summary>
/// A kind of strategy: its name, parameters, cross-field rules and how to make (or resume) one. Whether it can be a
/// shared strategy: only kinds whose intents are <see cref="IntentKind.Signal"/>s (a direction each subscriber sizes
/// from its own budget) can; kinds that rest their own orders (DCA, grid) run as personal bots (decision 026).
/// </summary>
public sealed class StrategyKind
{
    private readonly Func<StrategyParameters, IEnumerable<ParameterError>> _validate;
    private readonly Func<StrategyParameters, StrategyState?, ITradingStrategy> _create;

    public StrategyKind(
        string name,
        string description,
        bool emitsSignals,
        IReadOnlyList<ParameterSpec> parameters,
        Func<StrategyParameters, IEnumerable<ParameterError>> validate,
        Func<StrategyParameters, StrategyState?, ITradingStrategy> create)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(validate);
        ArgumentNullException.ThrowIfNull(create);
        if (parameters.Select(p => p.Name).Distinct(StringComparer.Ordinal).Count() != parameters.Count)
            throw new ArgumentException($"{name}: parameter names must be unique", nameof(parameters));
        Name = name;
        Description = description;
        EmitsSignals = emitsSignals;
        Parameters = parameters;
        _validate = validate;
        _create = create;
    }

    public string Name { get; }

    public string Description { get; }

    /// <summary>True when the strategy's intents are signals (it can be shared); false when it places its own orders.</summary>
    public bool EmitsSignals { get; }

    public IReadOnlyList<ParameterSpec> Parameters { get; }

    public int IndexOf(string name)
    {
        for (var i = 0; i < Parameters.Count; i++)
            if (string.Equals(Parameters[i].Name, name, StringComparison.Ordinal)) return i;
        return -1;
    }

    internal IEnumerable<ParameterError> Validate(StrategyParameters parameters) => _validate(parameters);

    /// <summary>A new strategy of this kind, or one resumed from <paramref name="resume"/> (its checkpoint).</summary>
    public ITradingStrategy Create(StrategyParameters parameters, StrategyState? resume = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!ReferenceEquals(parameters.Kind, this))
            throw new ArgumentException($"parameters are for {parameters.Kind.Name}, not {Name}", nameof(parameters));
        return _create(parameters, resume);
    }

    public override string ToString() => Name;
}
