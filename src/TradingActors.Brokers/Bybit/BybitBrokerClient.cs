using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using TradingActors.Brokers.Http;
using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Bybit;

/// <summary>
/// The Bybit v5 connector (<see cref="IBrokerClient"/>), one instance for every tenant of the venue: places market
/// and limit orders with our client order id as orderLinkId, looks them up by it (realtime, then history), cancels,
/// reads the unified wallet, positions and open orders, and the instrument rules. Every request is signed with the
/// venue's clock — the local clock plus a venue-wide offset read from /v5/market/time — so a skewed host never hits
/// 10002; a 10002 all the same (the clock moved) reads the offset again and sends that request once more. Orders
/// go through <see cref="VenueRetry.OrderAsync{T}"/> (only refusals are sent again), reads through
/// <see cref="VenueRetry.ReadAsync{T}"/>; every answer is mapped by <see cref="BybitErrors"/>.
/// </summary>
public sealed class BybitBrokerClient : IBrokerClient, IVenueWarmUp
{
    public const string CreatePath = "v5/order/create";
    public const string CancelPath = "v5/order/cancel";
    public const string RealtimePath = "v5/order/realtime";
    public const string HistoryPath = "v5/order/history";
    public const string WalletPath = "v5/account/wallet-balance";
    public const string PositionsPath = "v5/position/list";
    public const string InstrumentsPath = "v5/market/instruments-info";
    public const string TimePath = "v5/market/time";

    private readonly BybitOptions _options;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly VenueRetry _retry;
    private readonly BybitServerClock _clock;

    public BybitBrokerClient(BybitOptions options, HttpClient http, TimeProvider? time = null, VenueRetry? retry = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(http);
        _options = options;
        _http = http;
        _time = time ?? TimeProvider.System;
        _retry = retry ?? new VenueRetry(new VenueRetryOptions(), _time);
        _clock = new BybitServerClock(MeasureOffsetAsync, _time, options.ServerTimeRefresh);
    }

    public string Venue => BybitOptions.VenueName;

    /// <summary>The venue refuses a repeated orderLinkId (110072, spot 170141): a second placement never makes a second order.</summary>
    public bool DeduplicatesClientOrderIds => true;

    /// <summary>
    /// Reads the venue's clock now (a host calls it at start so the first order does not wait for it) and returns
    /// the offset from the local clock. Throws when the venue does not answer.
    /// </summary>
    public async Task<TimeSpan> SyncServerTimeAsync(bool live, CancellationToken ct) =>
        (await _clock.RefreshAsync(_options.BaseUrl(live), _clock.Peek(_options.BaseUrl(live))?.Generation ?? 0, ct)).Offset;

    /// <summary>
    /// Reads both base URLs' clocks at node start. Otherwise the first order's call reads it first, and behind the
    /// cluster's request budget that second request waits its turn after every other tenant's — past the call timeout
    /// in a burst. An unreachable base URL (live, from a machine without it) is read again on demand.
    /// </summary>
    public async Task WarmUpAsync(CancellationToken ct)
    {
        foreach (var live in new[] { false, true })
        {
            try { await SyncServerTimeAsync(live, ct); }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested) { }
        }
    }

    /// <summary>The venue's clock less the local one, as last read for the mode's base URL; null before the first reading.</summary>
    public TimeSpan? ServerTimeOffset(bool live) => _clock.Peek(_options.BaseUrl(live))?.Offset;

    public async Task<BrokerOrderResult> PlaceOrderAsync(BrokerAccount account, OrderIntent intent, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        var body = JsonSerializer.Serialize(BybitWire.CreateOrder(_options.Category, intent), BybitWire.Json); // checks the intent
        return await _retry.OrderAsync(async c => BybitErrors.Placement(await SendAsync(account, HttpMethod.Post, CreatePath, body, c), intent), ct);
    }

    public async Task<BrokerOrderResult?> FindOrderAsync(BrokerAccount account, OrderLookup lookup, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        var (orderId, orderLinkId) = Ids(lookup);
        var query = BybitAuth.Query(("category", _options.Category), ("symbol", lookup.Symbol), ("orderId", orderId), ("orderLinkId", orderLinkId));
        return await _retry.ReadAsync(c => new ValueTask<BrokerOrderResult?>(FindOnceAsync(account, lookup, query, c)), ct);
    }

    /// <summary>
    /// How the venue is told which order: by our client order id (orderLinkId) when there is one — it is ours and
    /// canonical — else by the venue's order id. The venue takes orderId first when given both, so only one is sent.
    /// </summary>
    private static (string? OrderId, string? OrderLinkId) Ids(OrderLookup lookup)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        if (!string.IsNullOrEmpty(lookup.ClientOrderId)) return (null, lookup.ClientOrderId);
        return string.IsNullOrEmpty(lookup.VenueOrderId)
            ? throw new ArgumentException("a lookup needs a client or venue order id", nameof(lookup))
            : (lookup.VenueOrderId, null);
    }

    /// <summary>Realtime holds open and recent orders; an order it no longer shows (older, or after a venue restart) is in history.</summary>
    private async Task<BrokerOrderResult?> FindOnceAsync(BrokerAccount account, OrderLookup lookup, string query, CancellationToken ct)
    {
        foreach (var path in new[] { RealtimePath, HistoryPath })
        {
            var page = BybitErrors.Result<BybitPage<OrderRecord>>(await SendAsync(account, HttpMethod.Get, path, query, ct));
            if (page.List?.FirstOrDefault() is { } order) return BybitWire.ToResult(order, lookup.ClientOrderId);
        }
        return null;
    }

    public async Task<BrokerOrderResult?> CancelOrderAsync(BrokerAccount account, OrderLookup lookup, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        var (orderId, orderLinkId) = Ids(lookup);
        var body = JsonSerializer.Serialize(new CancelOrderRequest(_options.Category, lookup.Symbol, orderId, orderLinkId), BybitWire.Json);
        var answer = await _retry.OrderAsync(async c =>
        {
            var a = await SendAsync(account, HttpMethod.Post, CancelPath, body, c);
            return a.Outcome is BybitOutcome.Ok or BybitOutcome.NoSuchOrder or BybitOutcome.AlreadyEnded ? a : throw BybitErrors.Failure(a, lookup.ClientOrderId);
        }, ct);

        // The cancel's answer holds ids only; the order's state (cancelled, or filled first) is read, and an order the
        // venue says it has not got may have ended already: the lookup says which.
        BrokerOrderResult? state;
        try
        {
            state = await FindOrderAsync(account, lookup, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new VenueOutcomeUnknownException("bybit: the cancel was answered but the order's state could not be read", e);
        }
        if (state is not null || answer.Outcome != BybitOutcome.Ok) return state;
        return new BrokerOrderResult(BrokerOrderStatus.Cancelled, lookup.ClientOrderId, null, BybitErrors.Result<OrderIdResult>(answer).OrderId, null)
        {
            Symbol = lookup.Symbol, Side = lookup.Side, Quantity = lookup.Quantity,
        };
    }

    public async Task<VenueAccountState> GetAccountAsync(BrokerAccount account, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        return await _retry.ReadAsync(c => new ValueTask<VenueAccountState>(ReadAccountAsync(account, c)), ct);
    }

    private async Task<VenueAccountState> ReadAccountAsync(BrokerAccount account, CancellationToken ct)
    {
        var wallet = BybitErrors.Result<WalletBalanceResult>(
            await SendAsync(account, HttpMethod.Get, WalletPath, BybitAuth.Query(("accountType", _options.AccountType)), ct)).List?.FirstOrDefault()
            ?? throw new VenueOutcomeUnknownException($"bybit: no {_options.AccountType} wallet in the answer");
        var coins = wallet.Coin ?? [];
        var cash = BybitWire.ParseNumber(coins.FirstOrDefault(c => c.Coin == _options.SettleCoin)?.WalletBalance) ?? 0m;
        var equity = BybitWire.ParseNumber(wallet.TotalEquity) ?? cash;

        // Spot has no positions at the venue: holdings are the other coins of the wallet, without an entry price.
        var positions = _options.IsSpot
            ? coins.Where(c => c.Coin != _options.SettleCoin && (BybitWire.ParseNumber(c.WalletBalance) ?? 0m) != 0m)
                .Select(c => new VenuePosition(c.Coin + _options.SettleCoin, BybitWire.ParseNumber(c.WalletBalance)!.Value, 0m)).ToList()
            : (await PagesAsync<PositionRecord>(account, PositionsPath,
                    BybitAuth.Query(("category", _options.Category), ("settleCoin", _options.SettleCoin)), _options.PositionsPageLimit, ct))
                .Where(p => (BybitWire.ParseNumber(p.Size) ?? 0m) != 0m)
                .Select(p => new VenuePosition(p.Symbol, p.Side == "Sell" ? -BybitWire.ParseNumber(p.Size)!.Value : BybitWire.ParseNumber(p.Size)!.Value, BybitWire.ParseNumber(p.AvgPrice) ?? 0m))
                .ToList();

        // Open orders only (openOnly=0, the default); spot takes no settleCoin.
        var openQuery = _options.IsSpot
            ? BybitAuth.Query(("category", _options.Category))
            : BybitAuth.Query(("category", _options.Category), ("settleCoin", _options.SettleCoin));
        var open = (await PagesAsync<OrderRecord>(account, RealtimePath, openQuery, _options.OrdersPageLimit, ct))
            .Select(o => BybitWire.ToResult(o, "")).ToList();
        return new VenueAccountState(_options.SettleCoin, cash, equity, positions.OrderBy(p => p.Symbol, StringComparer.Ordinal).ToList(), open);
    }

    /// <summary>Every page of a list, following nextPageCursor until the venue gives none (or an empty page).</summary>
    private async Task<List<T>> PagesAsync<T>(BrokerAccount account, string path, string query, int limit, CancellationToken ct)
    {
        var rows = new List<T>();
        string? cursor = null;
        do
        {
            var pageQuery = query + "&" + BybitAuth.Query(("limit", limit.ToString(CultureInfo.InvariantCulture)), ("cursor", cursor));
            var page = BybitErrors.Result<BybitPage<T>>(await SendAsync(account, HttpMethod.Get, path, pageQuery, ct));
            if (page.List is not { Count: > 0 } list) break;
            rows.AddRange(list);
            cursor = page.NextPageCursor;
        }
        while (!string.IsNullOrEmpty(cursor));
        return rows;
    }

    public async Task<Instrument?> GetInstrumentAsync(BrokerAccount account, string symbol, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(symbol);
        var query = BybitAuth.Query(("category", _options.Category), ("symbol", symbol));
        return await _retry.ReadAsync(async c =>
            BybitInstruments.Find(BybitErrors.Result<BybitPage<InstrumentRecord>>(
                await SendOnceAsync(_options.BaseUrl(account.IsLive), HttpMethod.Get, InstrumentsPath, query, null, TimeSpan.Zero, c)), symbol, _options.IsSpot), ct);
    }

    /// <summary>The wallet read, authenticated: a refusal of the credentials is an answer, with the venue's reason (never the key).</summary>
    public async Task<ConnectivityCheck> CheckConnectivityAsync(BrokerAccount account, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (string.IsNullOrEmpty(account.ApiKey) || string.IsNullOrEmpty(account.ApiSecret))
            return ConnectivityCheck.Refused("bybit: the account has no API key and secret");
        var query = BybitAuth.Query(("accountType", _options.AccountType));
        return await _retry.ReadAsync(async c =>
        {
            var answer = await SendAsync(account, HttpMethod.Get, WalletPath, query, c);
            return answer.Outcome switch
            {
                BybitOutcome.Ok => ConnectivityCheck.Ok,
                BybitOutcome.NotPlaced or BybitOutcome.Rejected => ConnectivityCheck.Refused($"bybit refused the account: {answer.Reason}"),
                _ => throw BybitErrors.Failure(answer, ""),
            };
        }, ct);
    }

    // ---- sending

    /// <summary>
    /// Sends a signed request with the venue's clock. On 10002 the clock moved since it was read: read it again and
    /// send once more (10002 means the venue took nothing).
    /// </summary>
    private async Task<BybitAnswer> SendAsync(BrokerAccount account, HttpMethod method, string path, string payload, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(account.ApiKey) || string.IsNullOrEmpty(account.ApiSecret))
            throw new OrderNotPlacedException("bybit: the account has no API key and secret");
        var credentials = (account.ApiKey, account.ApiSecret);
        var baseUrl = _options.BaseUrl(account.IsLive);
        if (!_options.SyncServerTime) return await SendOnceAsync(baseUrl, method, path, payload, credentials, TimeSpan.Zero, ct);

        var clock = await ReadClockAsync(() => _clock.CurrentAsync(baseUrl, ct), ct);
        var answer = await SendOnceAsync(baseUrl, method, path, payload, credentials, clock.Offset, ct);
        if (answer.Outcome != BybitOutcome.StaleTimestamp) return answer;
        clock = await ReadClockAsync(() => _clock.RefreshAsync(baseUrl, clock.Generation, ct), ct);
        return await SendOnceAsync(baseUrl, method, path, payload, credentials, clock.Offset, ct);
    }

    /// <summary>The clock is read before anything is sent: when it cannot be, the request was not sent.</summary>
    private static async Task<BybitServerClock.Reading> ReadClockAsync(Func<ValueTask<BybitServerClock.Reading>> read, CancellationToken ct)
    {
        try
        {
            return await read();
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            throw VenueRefusal.Retryable("bybit: the venue's clock could not be read; nothing was sent", inner: e);
        }
    }

    private async Task<BybitAnswer> SendOnceAsync(Uri baseUrl, HttpMethod method, string path, string payload, (string Key, string Secret)? credentials, TimeSpan offset,
        CancellationToken ct)
    {
        var get = method == HttpMethod.Get;
        using var request = new HttpRequestMessage(method, new Uri(baseUrl, get && payload.Length > 0 ? path + "?" + payload : path));
        if (!get) request.Content = VenueHttp.JsonBody(payload);
        if (credentials is var (key, secret))
            BybitAuth.Authenticate(request, key, secret, (_time.GetUtcNow() + offset).ToUnixTimeMilliseconds(), _options.RecvWindowMs, payload);

        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        VenueResponse response;
        try
        {
            response = await VenueHttp.SendAsync(_http, request, Venue, linked.Token);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new VenueOutcomeUnknownException($"bybit {method} /{path}: no answer within {_options.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s", e);
        }
        return BybitErrors.Read(response, _time.GetUtcNow() + offset, credentials?.Key);
    }

    /// <summary>The venue's clock less ours, taking the venue's reading to be from halfway through the round trip.</summary>
    private async Task<TimeSpan> MeasureOffsetAsync(Uri baseUrl, CancellationToken ct)
    {
        var sent = _time.GetUtcNow();
        var answer = await SendOnceAsync(baseUrl, HttpMethod.Get, TimePath, "", null, TimeSpan.Zero, ct);
        var received = _time.GetUtcNow();
        var server = BybitWire.ServerTime(BybitErrors.Result<ServerTimeResult>(answer))
            ?? throw new VenueOutcomeUnknownException($"{answer.Description}: the answer has no time");
        return server - (sent + (received - sent) / 2);
    }
}

/// <summary>
/// The venue's clock as an offset from the local one, per base URL (mainnet and testnet are different servers), shared
/// by every tenant. Read once and then again after an interval or when the venue refused a timestamp; one reading at a
/// time per base URL, and a call that finds a newer reading than the one that failed it does not read again, so a
/// burst of 10002 answers costs one request to /v5/market/time.
/// </summary>
internal sealed class BybitServerClock(Func<Uri, CancellationToken, Task<TimeSpan>> measure, TimeProvider time, TimeSpan refresh)
{
    private readonly ConcurrentDictionary<Uri, Entry> _entries = new();

    internal sealed record Reading(TimeSpan Offset, long Generation, DateTimeOffset ReadAt);

    private sealed class Entry
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public Reading? Current;
    }

    public Reading? Peek(Uri baseUrl) => _entries.TryGetValue(baseUrl, out var e) ? Volatile.Read(ref e.Current) : null;

    /// <summary>The current reading; read first when there is none or it is older than the refresh interval.</summary>
    public async ValueTask<Reading> CurrentAsync(Uri baseUrl, CancellationToken ct)
    {
        var entry = _entries.GetOrAdd(baseUrl, _ => new Entry());
        var current = Volatile.Read(ref entry.Current);
        if (current is not null && time.GetUtcNow() - current.ReadAt < refresh) return current;
        try
        {
            return await RefreshAsync(entry, baseUrl, current?.Generation ?? 0, ct);
        }
        catch (Exception) when (current is not null && !ct.IsCancellationRequested)
        {
            // An old offset beats none: keep it for another interval rather than fail every call while the time endpoint is down.
            var kept = current with { ReadAt = time.GetUtcNow() };
            Interlocked.CompareExchange(ref entry.Current, kept, current);
            return kept;
        }
    }

    /// <summary>Reads the clock again unless a newer reading than <paramref name="staleGeneration"/> already exists.</summary>
    public ValueTask<Reading> RefreshAsync(Uri baseUrl, long staleGeneration, CancellationToken ct) =>
        RefreshAsync(_entries.GetOrAdd(baseUrl, _ => new Entry()), baseUrl, staleGeneration, ct);

    private async ValueTask<Reading> RefreshAsync(Entry entry, Uri baseUrl, long staleGeneration, CancellationToken ct)
    {
        await entry.Gate.WaitAsync(ct);
        try
        {
            if (Volatile.Read(ref entry.Current) is { } current && current.Generation != staleGeneration) return current;
            var next = new Reading(await measure(baseUrl, ct), staleGeneration + 1, time.GetUtcNow());
            Volatile.Write(ref entry.Current, next);
            return next;
        }
        finally
        {
            entry.Gate.Release();
        }
    }
}
