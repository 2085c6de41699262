namespace TradingActors.Domain.Strategies;

/// <summary>
/// A strategy the cluster runs as a singleton: RSI crossing on one symbol. A signal older than
/// MaxSignalAgeSeconds when it reaches a tenant is not traded at today's price (skipped as stale).
/// </summary>
public sealed record StrategyDefinition(string Id, string Symbol, int Period = 14, decimal Oversold = 30m, decimal Overbought = 70m, int MaxSignalAgeSeconds = 60)
{
    public TimeSpan MaxSignalAge => TimeSpan.FromSeconds(MaxSignalAgeSeconds);
}

/// <summary>The strategies this deployment runs; tenants may only subscribe to these.</summary>
public sealed record StrategyCatalog(IReadOnlyList<StrategyDefinition> Strategies)
{
    public bool TryGet(string id, out StrategyDefinition definition)
    {
        definition = Strategies.FirstOrDefault(s => s.Id == id)!;
        return definition is not null;
    }

    /// <summary>The strategy's maximum signal age; a minute for a strategy no longer in the catalog.</summary>
    public TimeSpan MaxSignalAge(string id) => TryGet(id, out var definition) ? definition.MaxSignalAge : TimeSpan.FromMinutes(1);
}
