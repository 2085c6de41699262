using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;

namespace TradingActors.Engine.Strategies;

/// <summary>
/// Persisted by the strategy before the signal is published. A strategy persists nothing else, so
/// its journal is its signal log: journal sequence number = signal sequence (SignalHistory relies on it).
/// </summary>
public sealed record SignalEmitted(Signal Signal) : ITradingMessage;

/// <summary>An operator-injected signal (tradectl, benchmarks): persisted and published like a computed one.</summary>
public sealed record EmitManualSignal(string StrategyId, OrderSide Side, decimal Price) : IWithStrategyId;

public sealed record SignalPublished(Signal Signal) : ITradingMessage;

public sealed record GetStrategyStatus(string StrategyId) : IWithStrategyId;

/// <summary>
/// An operator stops the strategy's signals (tradectl strategies pause): it goes on reading prices, so its indicator
/// stays warm, but emits nothing, computed or manual, until resumed. Answered with its status once the pause is
/// stored (it survives a restart or a hand-over), or a failure (already paused, or the store refused it).
/// </summary>
public sealed record PauseStrategy(string StrategyId) : IWithStrategyId;

/// <summary>Signals again from the next crossing (those it would have emitted while paused are not made up).</summary>
public sealed record ResumeStrategy(string StrategyId) : IWithStrategyId;

/// <summary>
/// Checkpointed: how many prices the indicator state in the last checkpoint had seen. Rsi: the RSI of an rsi strategy.
/// Node: the member the strategy runs on. Waiting: it has no definition yet (it asked the catalog).
/// </summary>
public sealed record StrategyStatus(string StrategyId, long LastSequence, decimal? Rsi, long PricesSeen, long Checkpointed = 0, long Incarnation = 0, bool Paused = false,
    string? Kind = null, string? Symbol = null, string? Node = null, bool Waiting = false) : ITradingMessage;

/// <summary>
/// The catalog keeps each running strategy running: sent through the strategy region at start and every tick, it wakes
/// the entity wherever its shard lives and gives it its definition if it has none (a strategy made before its
/// definition was checkpointed, or one whose checkpoint is unreadable).
/// </summary>
public sealed record RunStrategy(StrategyDefinition Definition) : IWithStrategyId
{
    public string StrategyId => Definition.Id;
}

/// <summary>The catalog retired the strategy: it stops for good (passivated, so remember-entities forgets it).</summary>
public sealed record StopRetiredStrategy(string StrategyId) : IWithStrategyId;

/// <summary>The singleton's termination message: the strategy finishes what it is persisting, then stops (its backoff supervisor with it).</summary>
public sealed record HandOverStrategy : ITradingMessage
{
    public static readonly HandOverStrategy Instance = new();
}

/// <summary>The RSI-cross indicator state as stored by checkpoint v2 (read only: v3 stores the strategy's own state).</summary>
public sealed record RsiCheckpoint(int Period, decimal? LastClose, int Changes, decimal GainAccumulator, decimal LossAccumulator, decimal? PreviousValue);

/// <summary>Checkpoint v2, written before strategies were data: an RSI strategy's indicator (read only, resumed as an rsi strategy's state).</summary>
public sealed record RsiStrategyCheckpoint(long LastSequence, long PricesSeen, RsiCheckpoint Indicator, bool Paused = false) : ITradingMessage;

/// <summary>
/// A strategy's snapshot: its sequence, its definition and its strategy state (indicators), so a restart, a hand-over
/// or a move resumes without a warm-up and without asking the catalog, and whether an operator paused it (the journal
/// holds signals only, so the pause lives here).
/// </summary>
public sealed record StrategyCheckpoint(long LastSequence, long PricesSeen, StrategyDefinition Definition, StrategyState State, bool Paused) : ITradingMessage;

/// <summary>Written by earlier versions (sequence and recent signals, no indicator); read for the sequence only.</summary>
public sealed record StrategySnapshot(long LastSequence, System.Collections.Immutable.ImmutableArray<Signal> Recent) : ITradingMessage;
