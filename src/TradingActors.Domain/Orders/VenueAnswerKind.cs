namespace TradingActors.Domain.Orders;

/// <summary>
/// What a venue said to a placement or a lookup by client order id: the one vocabulary shared by
/// the connectors (IBrokerClient), the engine's venue calls and the tenant's ledger rules.
/// </summary>
public enum VenueAnswerKind
{
    /// <summary>The order exists and is filled.</summary>
    Filled,

    /// <summary>The order exists and is open at the venue: resting, or partly filled (the answer then carries its cumulative fill).</summary>
    Accepted,

    /// <summary>Rejected by the venue: it refused the order itself (margin, size...). Not placed.</summary>
    Rejected,

    /// <summary>A lookup found no order with that client order id.</summary>
    NotFound,

    /// <summary>
    /// Definitely not placed: the call never reached the venue or the venue refused the call
    /// before taking the order (auth, rate limit, validation, circuit open, venue busy).
    /// </summary>
    NotPlaced,

    /// <summary>Maybe placed (timeout, lost answer, transport error after sending): resolve by client order id.</summary>
    Unknown,

    /// <summary>The venue already holds this client order id: already placed, never a second order. Look it up.</summary>
    Duplicate,

    /// <summary>
    /// The order ended at the venue with nothing filled (cancelled, expired). One that ended partly filled is answered
    /// as <see cref="Filled"/> with the part that filled.
    /// </summary>
    Cancelled,
}
