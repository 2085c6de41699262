using TradingActors.Domain.Orders;

namespace TradingActors.Brokers;

/// <summary>
/// The one boundary every venue connector implements (paper, OANDA, Alpaca, Bybit, KIS...).
/// A connector is shared by all tenants of its venue; per-tenant state (credentials, tokens)
/// travels in <see cref="BrokerAccount"/>, owned by the tenant's BrokerSession.
/// <para>
/// The vocabulary of a placement's outcome (docs/architecture.md, invariant 2):
/// a result — Filled, Accepted, or Rejected by the venue (not placed);
/// <see cref="OrderNotPlacedException"/> — definitely not placed (the call was refused before the
/// venue took the order: auth, rate limit, validation, nothing sent);
/// <see cref="DuplicateClientOrderIdException"/> — the venue already holds this client order id:
/// already placed, look it up; any other exception, or the token cancelled — unknown: the order may
/// have been taken, resolve it by looking the client order id up.
/// </para>
/// </summary>
public interface IBrokerClient
{
    /// <summary>Venue name, e.g. "paper".</summary>
    string Venue { get; }

    /// <summary>
    /// True when placing a client order id the venue already holds never makes a second order (it
    /// answers with the existing order or with a duplicate error). Only at such a venue is an order
    /// that was not found after the visibility window placed again with the same id.
    /// </summary>
    bool DeduplicatesClientOrderIds { get; }

    /// <summary>Places a market order; see the type's summary for what each outcome means.</summary>
    Task<BrokerOrderResult> PlaceOrderAsync(BrokerAccount account, OrderIntent intent, CancellationToken ct);

    /// <summary>Looks an order up by its client order id; null when the venue has no such order. Any exception: the lookup told nothing.</summary>
    Task<BrokerOrderResult?> FindOrderAsync(BrokerAccount account, string clientOrderId, CancellationToken ct);

    /// <summary>
    /// Whether the account can trade: the venue answers and accepts its credentials (an authenticated call that
    /// changes nothing). A refusal is an answer (<see cref="ConnectivityCheck.Refused"/>); an exception or the token
    /// cancelled: the venue did not answer.
    /// </summary>
    Task<ConnectivityCheck> CheckConnectivityAsync(BrokerAccount account, CancellationToken ct);
}

/// <summary>The outcome of <see cref="IBrokerClient.CheckConnectivityAsync"/>; Reason (never a secret) says why it failed.</summary>
public sealed record ConnectivityCheck(bool Passed, string? Reason)
{
    public static ConnectivityCheck Ok { get; } = new(true, null);
    public static ConnectivityCheck Refused(string reason) => new(false, reason);
}

/// <summary>The account a call is made for: venue account number plus decrypted credentials (never logged).</summary>
public sealed record BrokerAccount(string AccountId, string VenueAccountNumber, string? ApiKey = null, string? ApiSecret = null, string? Passphrase = null)
{
    // Credentials must never reach logs through a record's generated ToString.
    public override string ToString() => $"BrokerAccount {{ AccountId = {AccountId}, VenueAccountNumber = {VenueAccountNumber} }}";
}

public enum BrokerOrderStatus
{
    Filled = 1,
    /// <summary>Accepted by the venue but not (yet) filled.</summary>
    Accepted = 2,
    /// <summary>Rejected by the venue: not placed.</summary>
    Rejected = 3,
}

public sealed record BrokerOrderResult(BrokerOrderStatus Status, string ClientOrderId, Fill? Fill, string? VenueOrderId, string? RejectReason)
{
    public static BrokerOrderResult Filled(string clientOrderId, Fill fill) => new(BrokerOrderStatus.Filled, clientOrderId, fill, fill.VenueOrderId, null);
    public static BrokerOrderResult Rejected(string clientOrderId, string reason) => new(BrokerOrderStatus.Rejected, clientOrderId, null, null, reason);
}

/// <summary>Definitely not placed: the call was refused before the venue took the order (401, 429, bad request, circuit open).</summary>
public sealed class OrderNotPlacedException(string reason, Exception? inner = null) : Exception(reason, inner);

/// <summary>The venue already holds this client order id: the order was placed before; look it up, never count it as a failure or a second order.</summary>
public sealed class DuplicateClientOrderIdException(string clientOrderId, Exception? inner = null)
    : Exception($"the venue already holds client order id {clientOrderId}", inner)
{
    public string ClientOrderId { get; } = clientOrderId;
}
