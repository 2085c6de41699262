namespace TradingActors.Domain.Orders;

/// <summary>
/// A tenant's decision to place one order, fixed before any venue is called.
/// Source is "strategy:{id}" or "bot:{id}"; together with the sequence it makes the client order id.
/// A limit order carries its limit price; a market order none.
/// </summary>
public sealed record OrderIntent(
    string ClientOrderId,
    string AccountId,
    string Source,
    long SourceSequence,
    string Symbol,
    OrderSide Side,
    decimal Quantity,
    decimal ReferencePrice,
    OrderType Type = OrderType.Market,
    decimal? LimitPrice = null);

public enum OrderType
{
    Market = 1,
    /// <summary>Rests at the venue until its price crosses <see cref="OrderIntent.LimitPrice"/> (good till cancelled).</summary>
    Limit = 2,
}

/// <summary>
/// What a venue reports as executed for one order: cumulative (total quantity so far, its average price,
/// its total fee). A later report of the same order only grows, so booking the growth is idempotent
/// however often the order is looked up.
/// </summary>
public sealed record Fill(decimal Quantity, decimal Price, decimal Fee, string VenueOrderId, DateTimeOffset Time)
{
    /// <summary>
    /// The part of this cumulative fill beyond <paramref name="booked"/> (an earlier report of the same order that is
    /// already booked): what is left to book, null when the order has not grown. Its price is the increment's own
    /// average, so the parts' notionals add up to this fill's; a fee reported lower than before books nothing.
    /// </summary>
    public Fill? GrowthSince(Fill? booked)
    {
        if (booked is not { Quantity: > 0 } before) return Quantity > 0 ? this : null;
        var quantity = Quantity - before.Quantity;
        if (quantity <= 0) return null;
        var price = (Quantity * Price - before.Quantity * before.Price) / quantity;
        return this with { Quantity = quantity, Price = price, Fee = Math.Max(0m, Fee - before.Fee) };
    }
}
