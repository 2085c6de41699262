using System.Collections.Immutable;

namespace TradingActors.Engine.Fanout;

/// <summary>A tenant (re)registers for a strategy's signals; answered with the signals it missed.</summary>
public sealed record RegisterSubscriber(string StrategyId, int Bucket, string TenantId, long LastProcessed) : IWithFanoutBucket;
public sealed record UnregisterSubscriber(string StrategyId, int Bucket, string TenantId) : IWithFanoutBucket;
public sealed record SubscriberRegistered(string StrategyId, string TenantId, ImmutableArray<Domain.Strategies.Signal> Missed) : ITradingMessage;

/// <summary>Starts a bucket (sent by its strategy when it starts, so buckets are awake before signals).</summary>
public sealed record StartFanout(string StrategyId, int Bucket) : IWithFanoutBucket;

public sealed record GetFanoutStatus(string StrategyId, int Bucket) : IWithFanoutBucket;
public sealed record FanoutStatus(string StrategyId, int Bucket, int Subscribers, long LastSequence, int Unacknowledged) : ITradingMessage;

public sealed record SubscriberAdded(string TenantId) : ITradingMessage;
public sealed record SubscriberRemoved(string TenantId) : ITradingMessage;
/// <summary>The last signal this bucket delivered: after a restart it delivers only newer ones.</summary>
public sealed record FanoutAdvanced(long Sequence) : ITradingMessage;
public sealed record FanoutSnapshot(ImmutableArray<string> Subscribers, long LastSequence) : ITradingMessage;
