using TradingActors.Domain.Orders;

namespace TradingActors.Domain.Strategies;

/// <summary>
/// A strategy's decision, numbered per strategy (1, 2, 3...). It is persisted by the strategy
/// before it is published, so any subscriber can catch up on missed sequences.
/// </summary>
public sealed record Signal(string StrategyId, long Sequence, string Symbol, OrderSide Side, decimal Price, DateTimeOffset Time, string Reason);
