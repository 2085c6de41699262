using TradingActors.Domain.Orders;

namespace TradingActors.Brokers;

/// <summary>
/// The one boundary every venue connector implements (paper, OANDA, Alpaca, Bybit, KIS...).
/// A connector is shared by all tenants of its venue; per-tenant state (credentials, tokens)
/// travels in <see cref="BrokerAccount"/>, owned by the tenant's BrokerSession.
/// </summary>
public interface IBrokerClient
{
    /// <summary>Venue name, e.g. "paper".</summary>
    string Venue { get; }

    /// <summary>
    /// Places a market order. Returns Filled, Accepted or Rejected. A duplicate client order id
    /// is answered with the venue's existing order (never a second order).
    /// Throws <see cref="BrokerUnavailableException"/> when the venue definitely did not take
    /// the order (auth, rate limit, validation before acceptance); any other exception or a
    /// cancelled token means the outcome is unknown and must be resolved by lookup.
    /// </summary>
    Task<BrokerOrderResult> PlaceOrderAsync(BrokerAccount account, OrderIntent intent, CancellationToken ct);

    /// <summary>Looks an order up by its client order id; null when the venue has no such order.</summary>
    Task<BrokerOrderResult?> FindOrderAsync(BrokerAccount account, string clientOrderId, CancellationToken ct);
}

/// <summary>The account a call is made for: venue account number plus decrypted credentials (never logged).</summary>
public sealed record BrokerAccount(string AccountId, string VenueAccountNumber, string? ApiKey = null, string? ApiSecret = null)
{
    // Credentials must never reach logs through a record's generated ToString.
    public override string ToString() => $"BrokerAccount {{ AccountId = {AccountId}, VenueAccountNumber = {VenueAccountNumber} }}";
}

public enum BrokerOrderStatus
{
    Filled = 1,
    /// <summary>Accepted by the venue but not (yet) filled.</summary>
    Accepted = 2,
    Rejected = 3,
}

public sealed record BrokerOrderResult(BrokerOrderStatus Status, string ClientOrderId, Fill? Fill, string? VenueOrderId, string? RejectReason)
{
    public static BrokerOrderResult Filled(string clientOrderId, Fill fill) => new(BrokerOrderStatus.Filled, clientOrderId, fill, fill.VenueOrderId, null);
    public static BrokerOrderResult Rejected(string clientOrderId, string reason) => new(BrokerOrderStatus.Rejected, clientOrderId, null, null, reason);
}

/// <summary>The venue refused the call before taking the order (401, 429, bad request): nothing was placed.</summary>
public sealed class BrokerUnavailableException(string reason, Exception? inner = null) : Exception(reason, inner);
