namespace TradingActors.Domain.Strategies;

/// <summary>A strategy the cluster runs as a singleton: RSI crossing on one symbol.</summary>
public sealed record StrategyDefinition(string Id, string Symbol, int Period = 14, decimal Oversold = 30m, decimal Overbought = 70m);

/// <summary>The strategies this deployment runs; tenants may only subscribe to these.</summary>
public sealed record StrategyCatalog(IReadOnlyList<StrategyDefinition> Strategies)
{
    public bool TryGet(string id, out StrategyDefinition definition)
    {
        definition = Strategies.FirstOrDefault(s => s.Id == id)!;
        return definition is not null;
    }
}
