namespace TradingActors.Domain.Market;

/// <summary>One price observation for a symbol (a tick, or a bar's close when replaying bars).</summary>
public sealed record PriceUpdate(string Symbol, decimal Price, DateTimeOffset Time);
