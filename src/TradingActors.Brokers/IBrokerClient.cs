using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers;

/// <summary>
/// The one boundary every venue connector implements (paper, simulated, OANDA, Alpaca, Bybit, KIS; a new venue
/// starts from Brokers/_Template). A connector is shared by all tenants of its venue; per-tenant state
/// (credentials, tokens) travels in <see cref="BrokerAccount"/>, owned by the tenant's BrokerSession.
/// <para>
/// The one vocabulary of an order call's outcome (decision 005, docs/architecture.md invariant 2), which every
/// connector maps each venue error into (its Errors file):
/// <list type="bullet">
/// <item>a result: Filled, PartiallyFilled, Accepted (open), Cancelled — the venue has the order; Rejected — the
/// venue itself refused the order, with its reason: not placed;</item>
/// <item><see cref="OrderNotPlacedException"/> — definitely not taken: refused before the venue took the order
/// (auth, rate limit, validation, connection refused, nothing sent);</item>
/// <item><see cref="DuplicateClientOrderIdException"/> — the venue already holds this client order id: already
/// placed, look it up;</item>
/// <item>any other exception, or the token cancelled — unknown (timeout, transport error or 5xx after sending):
/// the order may have been taken; resolve it with <see cref="FindOrderAsync"/>, never by placing blindly.</item>
/// </list>
/// Reads (find, account, rules, check) throw on any failure: a failed read told nothing.
/// </para>
/// </summary>
public interface IBrokerClient
{
    /// <summary>Venue name, e.g. "paper", "bybit".</summary>
    string Venue { get; }

    /// <summary>
    /// True when placing a client order id the venue already holds never makes a second order (it answers with the
    /// existing order or with a duplicate error). Only at such a venue is an order that was not found after the
    /// visibility window placed again with the same id.
    /// </summary>
    bool DeduplicatesClientOrderIds { get; }

    /// <summary>How the venue issues session tokens (KIS); null for a venue that takes the account's keys on every call.</summary>
    ITokenVenue? Tokens => null;

    /// <summary>Places a market or limit order (<see cref="OrderIntent.Type"/>) carrying the client order id in the venue's own field.</summary>
    Task<BrokerOrderResult> PlaceOrderAsync(BrokerAccount account, OrderIntent intent, CancellationToken ct);

    /// <summary>
    /// Looks an order up: by client order id where the venue has one, else by its venue order id or by matching
    /// (symbol, side, quantity, sent after) among orders not already known. Null when the venue has no such order.
    /// </summary>
    Task<BrokerOrderResult?> FindOrderAsync(BrokerAccount account, OrderLookup lookup, CancellationToken ct);

    /// <summary>
    /// Cancels an open order; returns its state afterwards (Cancelled, or Filled when it filled first). Null when the
    /// venue has no such order. Failures as for a placement (an unknown outcome is resolved by looking the order up).
    /// </summary>
    Task<BrokerOrderResult?> CancelOrderAsync(BrokerAccount account, OrderLookup lookup, CancellationToken ct);

    /// <summary>The account's balance, positions and open orders as the venue holds them.</summary>
    Task<VenueAccountState> GetAccountAsync(BrokerAccount account, CancellationToken ct);

    /// <summary>The venue's trading rules for a symbol (tick, lot, minimums); null when the venue does not list it.</summary>
    Task<Instrument?> GetInstrumentAsync(BrokerAccount account, string symbol, CancellationToken ct);

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

/// <summary>
/// The account a call is made for: venue account number, mode and decrypted credentials (never logged). Token is the
/// venue session token a token venue (KIS) issued for this account, kept by the tenant and handed in by its session.
/// </summary>
public sealed record BrokerAccount(string AccountId, string VenueAccountNumber, string? ApiKey = null, string? ApiSecret = null, string? Passphrase = null)
{
    /// <summary>"paper"/"testnet" (the venue's practice environment) or "live"; picks the venue's base URLs.</summary>
    public string Mode { get; init; } = "testnet";

    public VenueToken? Token { get; init; }

    public bool IsLive => string.Equals(Mode, "live", StringComparison.Ordinal);

    // Credentials must never reach logs through a record's generated ToString.
    public override string ToString() => $"BrokerAccount {{ AccountId = {AccountId}, VenueAccountNumber = {VenueAccountNumber}, Mode = {Mode} }}";
}

/// <summary>A venue session token (KIS access token) and when the venue stops taking it. Never logged.</summary>
public sealed record VenueToken(string Value, DateTimeOffset ExpiresAt)
{
    /// <summary>Reused until this long before expiry, so a call never starts with a token about to lapse.</summary>
    public static readonly TimeSpan RefreshAhead = TimeSpan.FromMinutes(10);

    public bool IsUsableAt(DateTimeOffset now) => now < ExpiresAt - RefreshAhead;

    public override string ToString() => $"VenueToken {{ ExpiresAt = {ExpiresAt:O} }}";
}

/// <summary>
/// A venue that authenticates with a session token issued from the account's key and secret (KIS). The account's
/// BrokerSession asks for one only when it holds none that is usable, one call at a time — so one owner refreshes
/// it however many orders arrive at once — and the tenant persists it, encrypted, so a restart or a shard move
/// reuses it instead of asking the venue again (venues throttle issuance).
/// </summary>
public interface ITokenVenue
{
    /// <summary>Issues a new token. Throws <see cref="OrderNotPlacedException"/> when the venue refuses (bad key, throttled).</summary>
    Task<VenueToken> IssueTokenAsync(BrokerAccount account, CancellationToken ct);
}

/// <summary>
/// What identifies an order to look it up. Venues with client order ids use <see cref="ClientOrderId"/>; a venue
/// without them (KIS) uses <see cref="VenueOrderId"/> when known, else matches symbol, side and quantity among
/// orders sent at or after <see cref="SentAfter"/> whose venue ids are not in <see cref="KnownVenueOrderIds"/>.
/// </summary>
public sealed record OrderLookup(string ClientOrderId, string Symbol, OrderSide Side, decimal Quantity)
{
    public string? VenueOrderId { get; init; }
    public DateTimeOffset? SentAfter { get; init; }
    public IReadOnlyCollection<string> KnownVenueOrderIds { get; init; } = [];

    public static OrderLookup Of(OrderIntent intent) => new(intent.ClientOrderId, intent.Symbol, intent.Side, intent.Quantity);
}

public enum BrokerOrderStatus
{
    Filled = 1,
    /// <summary>Accepted by the venue, open, nothing filled yet.</summary>
    Accepted = 2,
    /// <summary>Rejected by the venue: not placed.</summary>
    Rejected = 3,
    /// <summary>Open with part of its quantity filled (<see cref="BrokerOrderResult.Fill"/> holds that part).</summary>
    PartiallyFilled = 4,
    /// <summary>Ended without filling all of it: cancelled, expired, or a FOK/IOC remainder; Fill holds any part that filled.</summary>
    Cancelled = 5,
}

/// <summary>
/// One order as the venue holds it. Fill is cumulative (everything executed so far), null when nothing has.
/// Quantity is the ordered quantity when the venue reports it.
/// </summary>
public sealed record BrokerOrderResult(BrokerOrderStatus Status, string ClientOrderId, Fill? Fill, string? VenueOrderId, string? RejectReason)
{
    public string? Symbol { get; init; }
    public OrderSide? Side { get; init; }
    public decimal? Quantity { get; init; }
    public decimal? LimitPrice { get; init; }

    /// <summary>The order has ended: nothing more will fill.</summary>
    public bool IsFinal => Status is BrokerOrderStatus.Filled or BrokerOrderStatus.Rejected or BrokerOrderStatus.Cancelled;

    public static BrokerOrderResult Filled(string clientOrderId, Fill fill) => new(BrokerOrderStatus.Filled, clientOrderId, fill, fill.VenueOrderId, null);
    public static BrokerOrderResult Rejected(string clientOrderId, string reason) => new(BrokerOrderStatus.Rejected, clientOrderId, null, null, reason);
}

/// <summary>An account as the venue holds it. Amounts are in <see cref="Currency"/>.</summary>
public sealed record VenueAccountState(string Currency, decimal Cash, decimal Equity, IReadOnlyList<VenuePosition> Positions, IReadOnlyList<BrokerOrderResult> OpenOrders);

/// <summary>A position: signed quantity (negative = short) and its average entry price.</summary>
public sealed record VenuePosition(string Symbol, decimal Quantity, decimal AveragePrice);

/// <summary>Definitely not placed: the call was refused before the venue took the order (401, 429, bad request, circuit open, nothing sent).</summary>
public sealed class OrderNotPlacedException(string reason, Exception? inner = null) : Exception(reason, inner)
{
    /// <summary>When the venue said when to come back (Retry-After, a rate window's reset); null when it did not.</summary>
    public TimeSpan? RetryAfter { get; init; }
}

/// <summary>The venue already holds this client order id: the order was placed before; look it up, never count it as a failure or a second order.</summary>
public sealed class DuplicateClientOrderIdException(string clientOrderId, Exception? inner = null)
    : Exception($"the venue already holds client order id {clientOrderId}", inner)
{
    public string ClientOrderId { get; } = clientOrderId;
}

/// <summary>
/// A venue call whose outcome is unknown: sent, and then no usable answer (timeout, transport error, 5xx after
/// sending, an answer that does not parse). Resolve by lookup. (Any exception other than the two above means the
/// same; connectors throw this one so the reason is clear.)
/// </summary>
public sealed class VenueOutcomeUnknownException(string reason, Exception? inner = null) : Exception(reason, inner);

/// <summary>
/// A connector with venue-wide state the first order should not wait for inside its call (a venue clock): read when
/// the node starts. Failures are the connector's to absorb (it reads the state again on demand).
/// </summary>
public interface IVenueWarmUp
{
    Task WarmUpAsync(CancellationToken ct);
}
