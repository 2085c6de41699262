namespace TradingActors.Domain.Orders;

/// <summary>
/// A tenant's decision to place one market order, fixed before any venue is called.
/// Source is "strategy:{id}" or "bot:{id}"; together with the sequence it makes the client order id.
/// </summary>
public sealed record OrderIntent(
    string ClientOrderId,
    string AccountId,
    string Source,
    long SourceSequence,
    string Symbol,
    OrderSide Side,
    decimal Quantity,
    decimal ReferencePrice);

/// <summary>What a venue reports for an executed market order.</summary>
public sealed record Fill(decimal Quantity, decimal Price, decimal Fee, string VenueOrderId, DateTimeOffset Time);
