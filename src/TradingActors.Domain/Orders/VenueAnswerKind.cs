namespace TradingActors.Domain.Orders;

/// <summary>What a venue said to a placement or a lookup by client order id.</summary>
public enum VenueAnswerKind
{
    Filled,
    /// <summary>Taken but not (yet) filled.</summary>
    Accepted,
    Rejected,
    /// <summary>A lookup found no order with that client order id.</summary>
    NotFound,
    /// <summary>Definitely not placed (venue refused the call, breaker open).</summary>
    Unavailable,
    /// <summary>Definitely not placed: the venue failed before taking the order.</summary>
    Failed,
    /// <summary>Maybe placed: resolve by client order id.</summary>
    Unknown,
}
