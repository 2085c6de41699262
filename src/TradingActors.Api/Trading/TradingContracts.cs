namespace TradingActors.Api.Trading;

// The API's own shapes of the read models: never the engine's state records (TenantState is also the
// snapshot format) nor the journal's events. Statuses, sides and kinds are lower-case strings.

/// <summary>A page, newest first; NextCursor is opaque and absent on the last page.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

public sealed record OrderResponse(
    string Id,
    string AccountId,
    string Source,
    string? StrategyId,
    string Symbol,
    string Side,
    decimal Quantity,
    decimal ReferencePrice,
    string Status,
    string? Reason,
    decimal? FilledQuantity,
    decimal? FillPrice,
    decimal? Fee,
    string? VenueOrderId,
    DateTimeOffset SubmittedAt,
    DateTimeOffset UpdatedAt,
    string? SubscriptionId = null,
    string Type = "market",
    decimal? LimitPrice = null);

/// <summary>
/// An outcome: a fill, a rejection or failure with its reason, an order left unknown or needing attention, an order working at
/// its venue (quantity, price and fee: what filled so far; nothing filled yet: the order's quantity and no price), a
/// cancellation, or skipped signals.
/// </summary>
public sealed record ExecutionResponse(
    long Id,
    string Kind,
    string? OrderId,
    string? AccountId,
    string? StrategyId,
    string? Symbol,
    string? Side,
    decimal? Quantity,
    decimal? Price,
    decimal? Fee,
    string? Reason,
    long? FromSequence,
    long? ToSequence,
    DateTimeOffset OccurredAt,
    string? SubscriptionId = null);

/// <summary>A holding at average cost (fees included); valued at the last market price when there is one.</summary>
public sealed record PositionResponse(
    string AccountId,
    string Symbol,
    decimal Quantity,
    decimal AverageCost,
    decimal LastPrice,
    decimal MarketValue,
    decimal UnrealizedPnl,
    decimal RealizedPnl,
    DateTimeOffset UpdatedAt);

/// <summary>One account: cash is known for paper accounts only (an external venue owns its balances).</summary>
public sealed record PortfolioAccountResponse(
    string AccountId,
    string Venue,
    decimal? Cash,
    decimal? StartingCash,
    decimal PositionsValue,
    decimal? Equity,
    decimal RealizedPnl,
    decimal UnrealizedPnl,
    IReadOnlyList<PositionResponse> Positions);

public sealed record PortfolioResponse(
    IReadOnlyList<PortfolioAccountResponse> Accounts,
    decimal PositionsValue,
    decimal RealizedPnl,
    decimal UnrealizedPnl,
    DateTimeOffset AsOf);
