using TradingActors.Domain.Strategies;

namespace TradingActors.Engine.Fanout;

/// <summary>A tenant (re)registers for a strategy's signals; answered with <see cref="SubscriberRegistered"/>.</summary>
public sealed record RegisterSubscriber(string StrategyId, int Bucket, string TenantId, long LastProcessed) : IWithFanoutBucket;
public sealed record UnregisterSubscriber(string StrategyId, int Bucket, string TenantId) : IWithFanoutBucket;
public sealed record SubscriberRegistered(string StrategyId, string TenantId) : ITradingMessage;

/// <summary>A member has persisted the outcome of every signal of the strategy through <paramref name="Through"/>.</summary>
public sealed record SignalAcknowledged(string StrategyId, int Bucket, string TenantId, long Through) : IWithFanoutBucket;

/// <summary>A new signal for a bucket's members, sent by the strategy through the fan-out region (which starts the bucket if needed).</summary>
public sealed record DeliverSignal(string StrategyId, int Bucket, Signal Signal) : IWithFanoutBucket;

/// <summary>
/// Sent by the strategy to every bucket, periodically, through the fan-out region: it (re)starts a
/// bucket that stopped or moved, and tells it the latest sequence so lagging members catch up.
/// </summary>
public sealed record FanoutTick(string StrategyId, int Bucket, long LatestSequence) : IWithFanoutBucket;

public sealed record GetFanoutStatus(string StrategyId, int Bucket) : IWithFanoutBucket;

/// <summary>Lagging: members that have not acknowledged the latest sequence (or not yet answered since the bucket started).</summary>
public sealed record FanoutStatus(string StrategyId, int Bucket, int Subscribers, long LatestSequence, int Lagging) : ITradingMessage;

public sealed record SubscriberAdded(string TenantId) : ITradingMessage;
public sealed record SubscriberRemoved(string TenantId) : ITradingMessage;

/// <summary>Written by earlier versions (the last sequence a bucket delivered); read and ignored: delivery state now lives in memory and the journal of the strategy.</summary>
public sealed record FanoutAdvanced(long Sequence) : ITradingMessage;

public sealed record FanoutSnapshot(System.Collections.Immutable.ImmutableArray<string> Subscribers, long LastSequence) : ITradingMessage;
