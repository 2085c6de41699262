using TradingActors.Brokers.Http;
using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Oanda;

/// <summary>
/// OANDA v20 over HTTP, one instance for every tenant of the venue (credentials travel in each call's
/// <see cref="BrokerAccount"/>: the token in ApiKey, the account id in VenueAccountNumber).
/// <para>
/// OANDA refuses a client order id it already holds only while that order is PENDING; the id of a filled or
/// cancelled order is taken again, which would make a second order. So every placement first looks the id up
/// (GET .../orders/@id) and answers the order found instead of placing; only when OANDA has none is the order
/// sent. That look-up is why this venue deduplicates client order ids. A failed look-up placed nothing: it is a
/// (retryable) refusal, never a reason to place blind.
/// </para>
/// Placements answer at once with the fill (market orders fill or are cancelled FOK); limit orders rest, good till
/// cancelled. Lookups read the order and the transactions that filled it.
/// </summary>
public sealed class OandaBrokerClient : IBrokerClient
{
    private readonly OandaOptions _options;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly VenueRetry _retry;

    public OandaBrokerClient(OandaOptions options, HttpClient http, TimeProvider time, VenueRetry? retry = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        _http = http;
        _time = time;
        _retry = retry ?? new VenueRetry(new VenueRetryOptions(), time);
    }

    public string Venue => OandaOptions.VenueName;

    /// <summary>True: a placement answers the order already holding its client order id (looked up first), never a second one.</summary>
    public bool DeduplicatesClientOrderIds => true;

    public async Task<BrokerOrderResult> PlaceOrderAsync(BrokerAccount account, OrderIntent intent, CancellationToken ct)
    {
        var token = OandaAuth.TokenOf(account); // refuses a null account as well, and Request a null intent
        var body = OandaWire.Write(new OandaOrderBody(Request(intent)));
        return await _retry.OrderAsync(async c =>
        {
            var existing = await ExistingOrderAsync(account, token, intent.ClientOrderId, c);
            if (existing is not null) return await ExistingResultAsync(account, token, existing, intent.ClientOrderId, c);
            using var request = Build(HttpMethod.Post, account, OandaWire.Paths.Orders(account.VenueAccountNumber), token);
            request.Content = VenueHttp.JsonBody(body);
            var answer = await SendAsync(request, c);
            return OandaErrors.PlaceAnswer(answer, intent, _time.GetUtcNow());
        }, ct);
    }

    /// <summary>The order request OANDA takes for an intent: a MARKET FOK or a LIMIT GTC, our client order id in clientExtensions.</summary>
    public static OandaOrderRequest Request(OrderIntent intent)
    {
        ArgumentNullException.ThrowIfNull(intent);
        var limit = intent.Type == OrderType.Limit;
        if (limit && intent.LimitPrice is null) throw new OrderNotPlacedException($"{OandaOptions.VenueName}: a limit order needs a limit price");
        return new OandaOrderRequest
        {
            Type = limit ? OandaWire.Limit : OandaWire.Market,
            Instrument = intent.Symbol,
            Units = OandaInstruments.Units(intent.Side, intent.Quantity),
            Price = limit ? OandaWire.Number(intent.LimitPrice!.Value) : null,
            TimeInForce = limit ? OandaWire.GoodTillCancelled : OandaWire.FillOrKill,
            PositionFill = OandaWire.DefaultPositionFill,
            ClientExtensions = new OandaClientExtensions(intent.ClientOrderId),
        };
    }

    public async Task<BrokerOrderResult?> FindOrderAsync(BrokerAccount account, OrderLookup lookup, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        var token = OandaAuth.TokenOf(account);
        return await _retry.ReadAsync(async c =>
        {
            var order = await GetOrderAsync(account, token, Specifier(lookup), c);
            return order is null ? null : await ResolveAsync(account, token, order, ClientIdOf(lookup, order), c);
        }, ct);
    }

    public async Task<BrokerOrderResult?> CancelOrderAsync(BrokerAccount account, OrderLookup lookup, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        var token = OandaAuth.TokenOf(account);
        var specifier = Specifier(lookup);
        return await _retry.OrderAsync(async c =>
        {
            using (var request = Build(HttpMethod.Put, account, OandaWire.Paths.Cancel(account.VenueAccountNumber, specifier), token))
                OandaErrors.CancelAnswer(await SendAsync(request, c), _time.GetUtcNow());
            // Cancelled or refused (no such pending order: gone, filled first, never there): the order's own state answers.
            try
            {
                var order = await GetOrderAsync(account, token, specifier, c);
                return order is null ? null : await ResolveAsync(account, token, order, ClientIdOf(lookup, order), c);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new VenueOutcomeUnknownException($"{Venue}: the order's state after the cancel request could not be read ({e.Message})", e);
            }
        }, ct);
    }

    public async Task<VenueAccountState> GetAccountAsync(BrokerAccount account, CancellationToken ct)
    {
        var token = OandaAuth.TokenOf(account);
        var id = account.VenueAccountNumber;
        return await _retry.ReadAsync(async c =>
        {
            // The three reads go out together.
            var summary = ReadAsync(account, token, OandaWire.Paths.Summary(id), c);
            var positions = ReadAsync(account, token, OandaWire.Paths.OpenPositions(id), c);
            var pending = ReadAsync(account, token, OandaWire.Paths.PendingOrders(id), c);
            var open = new List<BrokerOrderResult>();
            foreach (var order in OandaErrors.PendingOrders(await pending))
                open.Add(await ResolveAsync(account, token, order, order.ClientExtensions?.Id ?? "", c)); // a reissued one is followed to its fills
            return OandaErrors.AccountState(await summary, await positions, open);
        }, ct);
    }

    public async Task<Instrument?> GetInstrumentAsync(BrokerAccount account, string symbol, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(symbol);
        var token = OandaAuth.TokenOf(account);
        return await _retry.ReadAsync(async c =>
        {
            using var request = Build(HttpMethod.Get, account, OandaWire.Paths.Instruments(account.VenueAccountNumber, symbol), token);
            var listed = OandaErrors.InstrumentsAnswer(await SendAsync(request, c), _time.GetUtcNow());
            var rules = listed.FirstOrDefault(i => string.Equals(i.Name, symbol, StringComparison.Ordinal));
            return rules is null ? null : OandaInstruments.ToInstrument(rules);
        }, ct);
    }

    public async Task<ConnectivityCheck> CheckConnectivityAsync(BrokerAccount account, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (string.IsNullOrWhiteSpace(account.ApiKey)) return ConnectivityCheck.Refused($"{Venue}: no API token is configured for the account");
        return await _retry.ReadAsync(async c =>
        {
            using var request = Build(HttpMethod.Get, account, OandaWire.Paths.Summary(account.VenueAccountNumber), account.ApiKey);
            return OandaErrors.Connectivity(await SendAsync(request, c), _time.GetUtcNow());
        }, ct);
    }

    // ---- orders as OANDA holds them

    /// <summary>The look-up before placing: the order holding the client id, null when OANDA has none; any failure a refusal.</summary>
    private async Task<OandaOrder?> ExistingOrderAsync(BrokerAccount account, string token, string clientOrderId, CancellationToken ct)
    {
        using var request = Build(HttpMethod.Get, account, OandaWire.Paths.Order(account.VenueAccountNumber, OandaWire.Paths.ByClientId(clientOrderId)), token);
        VenueResponse answer;
        try
        {
            answer = await SendAsync(request, ct);
        }
        catch (VenueOutcomeUnknownException e)
        {
            throw OandaErrors.LookupFailed(e); // a read that broke off placed nothing
        }
        return OandaErrors.ExistingOrder(answer, _time.GetUtcNow());
    }

    /// <summary>The order found before placing, as the placement's answer. It exists: failing to read its fills is an unknown outcome, not a refusal.</summary>
    private async Task<BrokerOrderResult> ExistingResultAsync(BrokerAccount account, string token, OandaOrder order, string clientOrderId, CancellationToken ct)
    {
        try
        {
            return await ResolveAsync(account, token, order, clientOrderId, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new VenueOutcomeUnknownException($"{Venue}: client order id {clientOrderId} is held by an order whose state could not be read ({e.Message})", e);
        }
    }

    private async Task<OandaOrder?> GetOrderAsync(BrokerAccount account, string token, string specifier, CancellationToken ct)
    {
        using var request = Build(HttpMethod.Get, account, OandaWire.Paths.Order(account.VenueAccountNumber, specifier), token);
        return OandaErrors.OrderAnswer(await SendAsync(request, ct), _time.GetUtcNow());
    }

    /// <summary>
    /// An order with everything executed for it: the chain of orders OANDA reissued it as (back through
    /// replacesOrderID, forward through replacedByOrderID) and the fill transaction of each FILLED link.
    /// </summary>
    private async Task<BrokerOrderResult> ResolveAsync(BrokerAccount account, string token, OandaOrder order, string clientOrderId, CancellationToken ct)
    {
        var chain = new List<OandaOrder> { order };
        while (chain[0].ReplacesOrderID is { } earlier)
            chain.Insert(0, await LinkAsync(account, token, earlier, chain.Count, ct));
        while (chain[^1].ReplacedByOrderID is { } later)
            chain.Add(await LinkAsync(account, token, later, chain.Count, ct));
        var fills = new List<OandaTransaction>();
        foreach (var link in chain)
        {
            if (link.State != OandaWire.Filled || link.FillingTransactionID is not { } fillId) continue;
            using var request = Build(HttpMethod.Get, account, OandaWire.Paths.Transaction(account.VenueAccountNumber, fillId), token);
            fills.Add(OandaErrors.TransactionAnswer(await SendAsync(request, ct), _time.GetUtcNow()));
        }
        try
        {
            return OandaErrors.FromOrders(chain, fills, clientOrderId);
        }
        catch (FormatException e)
        {
            throw new VenueOutcomeUnknownException($"{Venue}: order {order.Id} does not parse ({e.Message})", e);
        }
    }

    private async Task<OandaOrder> LinkAsync(BrokerAccount account, string token, string orderId, int length, CancellationToken ct)
    {
        if (length >= _options.MaxOrderChain)
            throw new VenueOutcomeUnknownException($"{Venue}: order {orderId} is more than {_options.MaxOrderChain} reissues away");
        return await GetOrderAsync(account, token, OandaWire.Paths.ById(orderId), ct)
            ?? throw new VenueOutcomeUnknownException($"{Venue}: order {orderId} of a reissued order does not exist");
    }

    private async Task<OandaResponse> ReadAsync(BrokerAccount account, string token, string path, CancellationToken ct)
    {
        using var request = Build(HttpMethod.Get, account, path, token);
        return OandaErrors.Answer(await SendAsync(request, ct), _time.GetUtcNow());
    }

    // ---- HTTP

    private static string Specifier(OrderLookup lookup) =>
        string.IsNullOrEmpty(lookup.ClientOrderId) && lookup.VenueOrderId is { } id
            ? OandaWire.Paths.ById(id)
            : OandaWire.Paths.ByClientId(lookup.ClientOrderId);

    private static string ClientIdOf(OrderLookup lookup, OandaOrder order) =>
        string.IsNullOrEmpty(lookup.ClientOrderId) ? order.ClientExtensions?.Id ?? "" : lookup.ClientOrderId;

    private HttpRequestMessage Build(HttpMethod method, BrokerAccount account, string path, string token)
    {
        var request = new HttpRequestMessage(method, new Uri(_options.BaseUrl(account), path));
        OandaAuth.Authorize(request, token);
        return request;
    }

    /// <summary>One request within <see cref="OandaOptions.HttpTimeout"/>: past it (the caller still waiting) the outcome is unknown.</summary>
    private async Task<VenueResponse> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.HttpTimeout);
        try
        {
            return await VenueHttp.SendAsync(_http, request, Venue, timeout.Token);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new VenueOutcomeUnknownException($"{Venue} {request.Method} {request.RequestUri?.AbsolutePath}: no answer within {_options.HttpTimeout.TotalSeconds:0.###} s", e);
        }
    }
}
