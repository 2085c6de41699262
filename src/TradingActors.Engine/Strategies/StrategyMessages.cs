using System.Collections.Immutable;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;

namespace TradingActors.Engine.Strategies;

/// <summary>Persisted by the strategy before the signal is published.</summary>
public sealed record SignalEmitted(Signal Signal) : ITradingMessage;

/// <summary>An operator-injected signal (tradectl, benchmarks): persisted and published like a computed one.</summary>
public sealed record EmitManualSignal(string StrategyId, OrderSide Side, decimal Price) : IWithStrategyId;

public sealed record SignalPublished(Signal Signal) : ITradingMessage;

/// <summary>Signals after a sequence, from the strategy's persisted history (catch-up).</summary>
public sealed record GetSignalsSince(string StrategyId, long AfterSequence) : IWithStrategyId;
public sealed record SignalsSince(string StrategyId, long LastSequence, ImmutableArray<Signal> Signals) : ITradingMessage;

/// <summary>Published periodically so subscribers notice a signal they missed.</summary>
public sealed record StrategyHeartbeat(string StrategyId, long LastSequence) : ITradingMessage;

public sealed record GetStrategyStatus(string StrategyId) : IWithStrategyId;
public sealed record StrategyStatus(string StrategyId, long LastSequence, decimal? Rsi, long PricesSeen) : ITradingMessage;

public sealed record StrategySnapshot(long LastSequence, ImmutableArray<Signal> Recent) : ITradingMessage;
