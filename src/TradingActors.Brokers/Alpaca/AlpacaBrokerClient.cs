using System.Collections.Concurrent;
using TradingActors.Brokers.Http;
using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Alpaca;

/// <summary>
/// The Alpaca Trading API v2 connector, one instance for every tenant of the venue (credentials come with each
/// call in <see cref="BrokerAccount"/>). Orders carry our client order id in Alpaca's client_order_id; Alpaca refuses
/// a second order with the same id (422 "client_order_id must be unique"), so it deduplicates. A placement answers
/// before the order executes ("accepted"/"new", nothing filled): fills are learnt by lookup. Placement and cancel
/// go through <see cref="VenueRetry.OrderAsync{T}"/> (retried only while provably not taken), reads through
/// <see cref="VenueRetry.ReadAsync{T}"/>; every answer is read by <see cref="AlpacaErrors"/>.
/// </summary>
public sealed class AlpacaBrokerClient : IBrokerClient
{
    private readonly AlpacaOptions _options;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly VenueRetry _retry;

    public AlpacaBrokerClient(AlpacaOptions options, HttpClient http, TimeProvider? time = null, VenueRetry? retry = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(http);
        _options = options;
        _http = http;
        _time = time ?? TimeProvider.System;
        _retry = retry ?? new VenueRetry(new VenueRetryOptions(), _time);
        RateGate = new AlpacaRateGate(_time);
    }

    public string Venue => AlpacaOptions.VenueName;

    public bool DeduplicatesClientOrderIds => true;

    /// <summary>What the venue's X-RateLimit headers said, per API key: keys whose window is used up are not sent until it resets.</summary>
    public AlpacaRateGate RateGate { get; }

    private static readonly TimeSpan RateWaitMargin = TimeSpan.FromMilliseconds(10);

    private DateTimeOffset Now => _time.GetUtcNow();

    public async Task<BrokerOrderResult> PlaceOrderAsync(BrokerAccount account, OrderIntent intent, CancellationToken ct)
    {
        EnsureCredentials(account);
        ArgumentNullException.ThrowIfNull(intent);
        AlpacaOrderRequest body;
        try
        {
            body = AlpacaWire.OrderRequest(intent);
        }
        catch (ArgumentException e)
        {
            throw new OrderNotPlacedException($"alpaca: {e.Message}", e);
        }
        var json = AlpacaWire.Serialize(body);
        return await _retry.OrderAsync(async t =>
        {
            var response = await SendAsync(account, HttpMethod.Post, "v2/orders", json, t);
            return response.IsSuccess ? ReadOrder(response, intent.ClientOrderId) : AlpacaErrors.PlacementRefusal(response, intent.ClientOrderId, Now);
        }, ct);
    }

    public async Task<BrokerOrderResult?> FindOrderAsync(BrokerAccount account, OrderLookup lookup, CancellationToken ct)
    {
        EnsureCredentials(account);
        ArgumentNullException.ThrowIfNull(lookup);
        var response = await ReadAsync(account, "v2/orders:by_client_order_id?client_order_id=" + Uri.EscapeDataString(lookup.ClientOrderId), ct);
        return OrderOrNull(response, lookup.ClientOrderId);
    }

    /// <summary>
    /// Cancels by Alpaca's order id (looked up by client order id when the caller has none), then answers the order's
    /// state read back: Cancelled, Filled when it filled first (Alpaca's 422 "not cancelable"), or still open while
    /// Alpaca shows pending_cancel. An order already ended is answered without a cancel.
    /// </summary>
    public async Task<BrokerOrderResult?> CancelOrderAsync(BrokerAccount account, OrderLookup lookup, CancellationToken ct)
    {
        EnsureCredentials(account);
        ArgumentNullException.ThrowIfNull(lookup);
        var id = lookup.VenueOrderId;
        if (id is null)
        {
            var found = await FindOrderAsync(account, lookup, ct);
            if (found is null || found.IsFinal) return found;
            id = found.VenueOrderId!;
        }
        var path = "v2/orders/" + Uri.EscapeDataString(id);
        var answer = await _retry.OrderAsync(async t => AlpacaErrors.CancelAnswer(await SendAsync(account, HttpMethod.Delete, path, null, t), Now), ct);
        if (answer == AlpacaCancelAnswer.NotFound) return null;
        return OrderOrNull(await ReadAsync(account, path, ct), lookup.ClientOrderId);
    }

    public async Task<VenueAccountState> GetAccountAsync(BrokerAccount account, CancellationToken ct)
    {
        EnsureCredentials(account);
        var state = Parse<AlpacaAccount>(await ReadOkAsync(account, "v2/account", ct));
        var positions = Parse<List<AlpacaPosition>>(await ReadOkAsync(account, "v2/positions", ct));
        var open = Parse<List<AlpacaOrder>>(await ReadOkAsync(account, $"v2/orders?status=open&limit={_options.OpenOrdersLimit}", ct));
        return Read($"{Venue} account, positions and open orders", () => AlpacaWire.ToAccountState(state, positions, open, Now));
    }

    public async Task<Instrument?> GetInstrumentAsync(BrokerAccount account, string symbol, CancellationToken ct)
    {
        EnsureCredentials(account);
        ArgumentException.ThrowIfNullOrWhiteSpace(symbol);
        // Crypto pairs ("BTC/USD") go URL-encoded, as Alpaca documents.
        var response = await ReadAsync(account, "v2/assets/" + Uri.EscapeDataString(symbol), ct);
        if (AlpacaErrors.IsNotFound(response)) return null;
        if (!response.IsSuccess) throw AlpacaErrors.ReadFailure(response);
        var asset = Parse<AlpacaAsset>(response);
        return Read(response.Description, () => AlpacaInstruments.ToInstrument(asset));
    }

    /// <summary>GET /v2/account: passes when Alpaca takes the credentials and the account is active and not blocked.</summary>
    public async Task<ConnectivityCheck> CheckConnectivityAsync(BrokerAccount account, CancellationToken ct)
    {
        if (AlpacaAuth.MissingCredentials(account) is { } missing) return ConnectivityCheck.Refused(missing);
        var response = await ReadAsync(account, "v2/account", ct);
        if (response.IsSuccess)
            return AlpacaErrors.AccountRefusal(Parse<AlpacaAccount>(response)) is { } why ? ConnectivityCheck.Refused(why) : ConnectivityCheck.Ok;
        var failure = AlpacaErrors.ReadFailure(response);
        if (AlpacaErrors.IsAuthRefusal(response)) return ConnectivityCheck.Refused(failure.Message);
        throw failure;
    }

    /// <summary>An account without both credentials is refused before any call (and before any retry): nothing is sent.</summary>
    private static void EnsureCredentials(BrokerAccount account)
    {
        if (AlpacaAuth.MissingCredentials(account) is { } missing) throw new OrderNotPlacedException(missing);
    }

    private async Task<VenueResponse> SendAsync(BrokerAccount account, HttpMethod method, string pathAndQuery, string? json, CancellationToken ct)
    {
        var key = account.ApiKey!;
        var path = pathAndQuery.Split('?')[0];
        // A short wait is waited out. Timers may fire a little before the wall clock reaches the reset, hence the margin
        // and the few rounds.
        for (var round = 0; RateGate.WaitFor(key) is { } wait; round++)
        {
            if (wait > _options.RateLimitWaitInPlace || round == 3)
                throw VenueRefusal.Retryable($"{Venue} {method} /{path}: the API key's rate limit window is used up; not sent", wait);
            await Task.Delay(wait + RateWaitMargin, _time, ct);
        }
        // Joined as text: a base URL with a path prefix keeps it, and "orders:by_client_order_id" is never read as a scheme.
        using var request = new HttpRequestMessage(method, new Uri(_options.BaseUrlFor(account).AbsoluteUri.TrimEnd('/') + "/" + pathAndQuery));
        AlpacaAuth.Apply(request, account);
        if (json is not null) request.Content = VenueHttp.JsonBody(json);
        var response = await VenueHttp.SendAsync(_http, request, Venue, ct);
        RateGate.Observe(key, response);
        return response;
    }

    /// <summary>A read, repeated only on a rate limit, a venue failure or a transport error; a definite answer (even a refusal) is returned.</summary>
    private async Task<VenueResponse> ReadAsync(BrokerAccount account, string pathAndQuery, CancellationToken ct) =>
        await _retry.ReadAsync(async t =>
        {
            var response = await SendAsync(account, HttpMethod.Get, pathAndQuery, null, t);
            AlpacaErrors.ThrowIfRetryable(response, Now);
            return response;
        }, ct);

    private async Task<VenueResponse> ReadOkAsync(BrokerAccount account, string pathAndQuery, CancellationToken ct)
    {
        var response = await ReadAsync(account, pathAndQuery, ct);
        return response.IsSuccess ? response : throw AlpacaErrors.ReadFailure(response);
    }

    private BrokerOrderResult? OrderOrNull(VenueResponse response, string clientOrderId)
    {
        if (response.IsSuccess) return ReadOrder(response, clientOrderId);
        if (AlpacaErrors.IsNotFound(response)) return null;
        throw AlpacaErrors.ReadFailure(response);
    }

    private BrokerOrderResult ReadOrder(VenueResponse response, string clientOrderId)
    {
        var order = Parse<AlpacaOrder>(response);
        return Read(response.Description, () => AlpacaWire.ToResult(order, clientOrderId, Now));
    }

    /// <summary>An answer that does not parse told nothing usable: unknown (for a placement the order may be taken).</summary>
    private static T Parse<T>(VenueResponse response) where T : class =>
        Read(response.Description, () => AlpacaWire.Parse<T>(response.Body));

    private static T Read<T>(string what, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (FormatException e)
        {
            throw new VenueOutcomeUnknownException($"{what}: the answer did not parse: {e.Message}", e);
        }
    }
}

/// <summary>
/// Alpaca's rate limit as its headers tell it, per API key (the limit is the account's, whichever tenant call or
/// node uses the key through this connector): after an answer with X-RateLimit-Remaining 0, or a 429, nothing is sent
/// for that key until X-RateLimit-Reset (or Retry-After). The only state the connector shares across calls.
/// </summary>
public sealed class AlpacaRateGate(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _closedUntil = new(StringComparer.Ordinal);

    /// <summary>Keys held back now or until their next call after the reset (a key is forgotten once its wait is over).</summary>
    public int KeysHeld => _closedUntil.Count;

    /// <summary>How long the key must still wait, or null when it may send.</summary>
    public TimeSpan? WaitFor(string key)
    {
        if (!_closedUntil.TryGetValue(key, out var until)) return null;
        var now = time.GetUtcNow();
        if (now < until) return until - now;
        _closedUntil.TryRemove(new KeyValuePair<string, DateTimeOffset>(key, until));
        return null;
    }

    /// <summary>Learns from an answer whether the key's window is used up, and until when.</summary>
    public void Observe(string key, VenueResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var now = time.GetUtcNow();
        DateTimeOffset? until = response.Code == 429
            ? now + AlpacaErrors.RetryAfter(response, now)
            : AlpacaErrors.Remaining(response) == 0 ? AlpacaErrors.ResetAt(response) : null;
        if (until is { } closed && closed > now)
            _closedUntil.AddOrUpdate(key, closed, (_, known) => known > closed ? known : closed);
    }
}
