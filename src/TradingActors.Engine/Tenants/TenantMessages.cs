using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tenants;

namespace TradingActors.Engine.Tenants;

public sealed record CreateTenant(string TenantId, string DisplayName) : ITenantCommand;
public sealed record LinkPaperAccount(string TenantId, string AccountId, decimal StartingCash) : ITenantCommand;
public sealed record LinkBrokerAccount(string TenantId, string AccountId, string Venue, string VenueAccountNumber) : ITenantCommand;
public sealed record SubscribeToStrategy(string TenantId, string StrategyId, string AccountId, decimal Budget) : ITenantCommand;
public sealed record UnsubscribeFromStrategy(string TenantId, string StrategyId) : ITenantCommand;
public sealed record PauseSubscription(string TenantId, string StrategyId) : ITenantCommand;
public sealed record ResumeSubscription(string TenantId, string StrategyId) : ITenantCommand;

/// <summary>Delivered by a fan-out bucket; answered with <see cref="SignalAcknowledged"/> once the outcome is durable.</summary>
public sealed record ExecuteSignal(string TenantId, Signal Signal) : ITenantCommand;

/// <summary>Brings a tenant into memory (sent proactively after restarts so signals find it awake).</summary>
public sealed record WakeTenant(string TenantId) : ITenantCommand;

public sealed record GetPortfolio(string TenantId) : ITenantCommand;

/// <summary>Replies: a command is acknowledged only after its events are persisted.</summary>
public sealed record CommandAccepted(string TenantId, string Command) : ITradingMessage;
public sealed record CommandRejected(string TenantId, string Command, string Reason) : ITradingMessage;

public sealed record SignalAcknowledged(string TenantId, string StrategyId, long Sequence, string Outcome) : ITradingMessage;

public sealed record Portfolio(string TenantId, TenantState State) : ITradingMessage;

/// <summary>Published on the node's local event stream after an order outcome is persisted (metrics, benchmarks).</summary>
public sealed record OrderOutcomePersisted(string TenantId, string ClientOrderId, OrderStatus Status, long PersistedTimestamp);

/// <summary>The persisted snapshot of a tenant.</summary>
public sealed record TenantSnapshot(TenantState State) : ITradingMessage;
