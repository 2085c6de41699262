using TradingActors.Domain.Orders;

namespace TradingActors.Domain.Tenants;

/// <summary>
/// What identifies an open order to its venue when it is looked up or cancelled, built from the tenant's ledger (the
/// engine turns it into the connectors' OrderLookup). A venue with client order ids uses ClientOrderId; one without
/// (KIS) uses VenueOrderId once known, else matches symbol, side and quantity among orders sent at or after SentAfter
/// whose venue ids are not among KnownVenueOrderIds (the tenant's other orders there).
/// </summary>
public sealed record VenueLookup(string ClientOrderId, string Symbol, OrderSide Side, decimal Quantity, string? VenueOrderId, DateTimeOffset? SentAfter,
    IReadOnlyList<string> KnownVenueOrderIds)
{
    /// <summary>
    /// The lookup of <paramref name="order"/>: sent after its submission less <paramref name="clockSkew"/> (the venue's
    /// clock may run behind ours; no bound for a record written before submissions were timed), and the venue order ids
    /// of the tenant's other open and recent orders on the same account and symbol, in ordinal order.
    /// </summary>
    public static VenueLookup Of(TenantState s, OrderRecord order, TimeSpan clockSkew)
    {
        var intent = order.Intent;
        var known = s.Open.Values.Concat(s.Recent)
            .Where(o => o.Intent.ClientOrderId != intent.ClientOrderId && o.Intent.AccountId == intent.AccountId && o.Intent.Symbol == intent.Symbol)
            // A record written before venue order ids were kept has its fill's.
            .Select(o => o.VenueOrderId ?? o.Fill?.VenueOrderId)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        return new VenueLookup(intent.ClientOrderId, intent.Symbol, intent.Side, intent.Quantity, order.VenueOrderId,
            order.SubmittedAt == default ? null : order.SubmittedAt - clockSkew, known);
    }
}
