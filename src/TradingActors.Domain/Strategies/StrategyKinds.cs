namespace TradingActors.Domain.Strategies;

/// <summary>Every strategy kind the product runs, by name.</summary>
public static class StrategyKinds
{
    public static IReadOnlyList<StrategyKind> All { get; } =
    [
        RsiThresholdStrategy.Kind,
        EmaCrossStrategy.Kind,
        DcaStrategy.Kind,
        GridStrategy.Kind,
    ];

    public static bool TryGet(string? name, out StrategyKind kind)
    {
        kind = All.FirstOrDefault(k => string.Equals(k.Name, name, StringComparison.Ordinal))!;
        return kind is not null;
    }

    /// <summary>The kind named <paramref name="name"/>, or an error listing the kinds there are.</summary>
    public static StrategyKind Get(string? name) =>
        TryGet(name, out var kind) ? kind : throw new ArgumentException($"unknown strategy kind '{name}' (kinds: {string.Join(", ", All.Select(k => k.Name))})", nameof(name));
}
