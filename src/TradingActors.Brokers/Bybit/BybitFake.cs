using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using TradingActors.Brokers.Fakes;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Bybit;

/// <summary>The limits and behaviour of a <see cref="BybitFake"/>: Bybit's published values by default, small ones for tests.</summary>
public sealed record BybitFakeOptions
{
    /// <summary>The product this fake trades ("linear" or "spot"); requests for another category are refused with 10001.</summary>
    public string Category { get; init; } = "linear";

    /// <summary>POST /v5/order/create per account (UID) per second; beyond it retCode 10006.</summary>
    public int OrderCreatesPerSecond { get; init; } = 10;

    /// <summary>POST /v5/order/cancel per account (UID) per second; beyond it retCode 10006.</summary>
    public int OrderCancelsPerSecond { get; init; } = 10;

    /// <summary>Requests per IP per <see cref="IpWindow"/>; the one beyond bans the IP (HTTP 403 "access too frequent").</summary>
    public int IpRequestsPerWindow { get; init; } = 600;

    public TimeSpan IpWindow { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an IP that broke the IP limit is refused.</summary>
    public TimeSpan IpBan { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The venue's clock less the exchange's (the client's) clock: a skewed host, seen from the venue.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.Zero;

    /// <summary>How many of an account's most recently ended orders /v5/order/realtime still shows (older ones: history only).</summary>
    public int RealtimeClosedOrders { get; init; } = 500;
}

/// <summary>
/// A local Bybit v5 over a <see cref="FakeExchange"/>, answering the venue's paths, headers and bodies: HMAC
/// authentication with the receive window checked against its own (optionally skewed) clock (10003 unknown key,
/// 10002 stale timestamp, 10004 bad signature with the venue's origin_string), retCode errors on HTTP 200, duplicate
/// orderLinkIds refused (110072, spot 170141), the account's order rate (10006 with the X-Bapi-Limit headers, which
/// it also sends on success), the IP limit (HTTP 403 and a ban), insufficient funds (110007, spot 170131), the
/// instrument rules of BTCUSDT and ETHUSDT, realtime/history lookups with pagination, positions and the unified
/// wallet. It counts what it refused so a burst can be shown to stay within the limits.
/// </summary>
public sealed class BybitFake : FakeVenueServer
{
    private readonly BybitFakeOptions _options;
    private readonly ConcurrentDictionary<string, (string AccountNumber, string Secret)> _keys = new(StringComparer.Ordinal);
    private readonly FakeRateWindow _creates;
    private readonly FakeRateWindow _cancels;
    private readonly FakeRateWindow _ipWindow;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DateTimeOffset> _bannedUntil = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _byIp = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _byPath = new(StringComparer.Ordinal);
    private long _bans;
    private long _refusedBanned;
    private long _rateLimited;
    private long _staleTimestamps;
    private long _clockSkewTicks;

    public BybitFake(FakeExchange exchange, BybitFakeOptions? options = null) : base(exchange)
    {
        _options = options ?? new BybitFakeOptions();
        _creates = new FakeRateWindow(_options.OrderCreatesPerSecond, TimeSpan.FromSeconds(1), exchange.Time);
        _cancels = new FakeRateWindow(_options.OrderCancelsPerSecond, TimeSpan.FromSeconds(1), exchange.Time);
        _ipWindow = new FakeRateWindow(_options.IpRequestsPerWindow, _options.IpWindow, exchange.Time);
        ClockSkew = _options.ClockSkew;
    }

    public override string Venue => BybitOptions.VenueName;

    public BybitFakeOptions Options => _options;

    /// <summary>The venue's clock less the exchange's; can be moved while running (a host clock that jumps).</summary>
    public TimeSpan ClockSkew
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _clockSkewTicks));
        set => Interlocked.Exchange(ref _clockSkewTicks, value.Ticks);
    }

    /// <summary>The venue's clock.</summary>
    public DateTimeOffset ServerNow => Exchange.Time.GetUtcNow() + ClockSkew;

    /// <summary>IP bans imposed so far.</summary>
    public long Bans => Interlocked.Read(ref _bans);

    /// <summary>Requests refused (403) because their IP was banned, the banning one included.</summary>
    public long RefusedWhileBanned => Interlocked.Read(ref _refusedBanned);

    /// <summary>Requests refused with retCode 10006 (the account's rate).</summary>
    public long RateLimited => Interlocked.Read(ref _rateLimited);

    /// <summary>Requests refused with retCode 10002 (timestamp outside the receive window).</summary>
    public long StaleTimestamps => Interlocked.Read(ref _staleTimestamps);

    /// <summary>Requests seen from one IP ("127.0.0.1"), refused ones included (a fault injected by the base answers before).</summary>
    public long RequestsFrom(string ip) => _byIp.GetValueOrDefault(ip);

    /// <summary>Requests per IP so far (a copy).</summary>
    public IReadOnlyDictionary<string, long> RequestsByIp => new Dictionary<string, long>(_byIp, StringComparer.Ordinal);

    /// <summary>Requests to one path ("/v5/market/time") that reached the venue (refused ones included; a fault injected by the base answers before).</summary>
    public long RequestsTo(string path) => _byPath.GetValueOrDefault(path);

    public override void SeedAccount(string accountNumber, string apiKey, string apiSecret, decimal cash = 100_000m)
    {
        Exchange.Account(accountNumber, "USDT", cash);
        _keys[apiKey] = (accountNumber, apiSecret);
    }

    // ---- instruments: the fixed listing, per category, in the venue's shapes

    private static readonly Dictionary<string, Dictionary<string, InstrumentRecord>> Listing = new(StringComparer.Ordinal)
    {
        ["linear"] = new(StringComparer.Ordinal)
        {
            ["BTCUSDT"] = new("BTCUSDT", "Trading", "BTC", "USDT", new LotSizeFilter("0.001", "0.001", "1190", "5"), new PriceFilter("0.10", "0.10", "1999999.80")),
            ["ETHUSDT"] = new("ETHUSDT", "Trading", "ETH", "USDT", new LotSizeFilter("0.01", "0.01", "7240", "5"), new PriceFilter("0.01", "0.01", "199999.98")),
        },
        ["spot"] = new(StringComparer.Ordinal)
        {
            ["BTCUSDT"] = new("BTCUSDT", "Trading", "BTC", "USDT", new LotSizeFilter(MinOrderQty: "0.000048", MaxOrderQty: "71", BasePrecision: "0.000001", MinOrderAmt: "1"), new PriceFilter("0.01")),
            ["ETHUSDT"] = new("ETHUSDT", "Trading", "ETH", "USDT", new LotSizeFilter(MinOrderQty: "0.00062", MaxOrderQty: "1229", BasePrecision: "0.00001", MinOrderAmt: "1"), new PriceFilter("0.01")),
        },
    };

    private bool Spot => _options.Category == "spot";

    // ---- routes

    protected override void MapRoutes(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(async (ctx, next) =>
        {
            _byPath.AddOrUpdate(ctx.Request.Path.Value ?? "", 1, (_, n) => n + 1);
            if (RefuseForIpLimit(ctx)) await WriteAccessTooFrequentAsync(ctx);
            else await next(ctx);
        });
        app.MapGet("/v5/market/time", ctx => AnswerAsync(ctx, 0, "OK", new ServerTimeResult(
            ServerNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ((ServerNow - DateTimeOffset.UnixEpoch).Ticks * 100).ToString(CultureInfo.InvariantCulture))));
        app.MapGet("/v5/market/instruments-info", InstrumentsAsync);
        app.MapPost("/v5/order/create", ctx => PrivateAsync(ctx, CreateOrderAsync));
        app.MapPost("/v5/order/cancel", ctx => PrivateAsync(ctx, CancelOrderAsync));
        app.MapGet("/v5/order/realtime", ctx => PrivateAsync(ctx, (c, caller) => OrdersAsync(c, caller, realtime: true)));
        app.MapGet("/v5/order/history", ctx => PrivateAsync(ctx, (c, caller) => OrdersAsync(c, caller, realtime: false)));
        app.MapGet("/v5/position/list", ctx => PrivateAsync(ctx, PositionsAsync));
        app.MapGet("/v5/account/wallet-balance", ctx => PrivateAsync(ctx, WalletAsync));
    }

    /// <summary>The venue's internal error: a 5xx with its envelope, nothing done.</summary>
    protected override Task WriteFailureAsync(HttpContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        return AnswerAsync(ctx, BybitErrors.InternalError, "Internal System Error.", null, StatusCodes.Status500InternalServerError);
    }

    // ---- the IP limit

    private bool RefuseForIpLimit(HttpContext ctx)
    {
        var ip = ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        _byIp.AddOrUpdate(ip, 1, (_, n) => n + 1);
        var now = Exchange.Time.GetUtcNow();
        lock (_gate)
        {
            if (_bannedUntil.TryGetValue(ip, out var until) && until > now) return true;
            if (_ipWindow.TryTake(ip, out _, out _)) return false;
            _bannedUntil[ip] = now + _options.IpBan;
            Interlocked.Increment(ref _bans);
            return true;
        }
    }

    private async Task WriteAccessTooFrequentAsync(HttpContext ctx)
    {
        Interlocked.Increment(ref _refusedBanned);
        CountRefusedForRate();
        ctx.Response.StatusCode = StatusCodes.Status403Forbidden;
        ctx.Response.ContentType = "text/plain";
        await ctx.Response.WriteAsync("access too frequent", ctx.RequestAborted);
    }

    // ---- authentication

    private sealed record Caller(string AccountNumber, string Body);

    /// <summary>Checks the four headers the venue's way (key, then window, then signature) and runs the route for the account.</summary>
    private async Task PrivateAsync(HttpContext ctx, Func<HttpContext, Caller, Task> route)
    {
        var body = "";
        if (HttpMethods.IsPost(ctx.Request.Method))
        {
            using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
            body = await reader.ReadToEndAsync(ctx.RequestAborted);
        }
        var headers = ctx.Request.Headers;
        var apiKey = headers[BybitAuth.ApiKeyHeader].ToString();
        if (apiKey.Length == 0 || !_keys.TryGetValue(apiKey, out var holder))
        {
            await AnswerAsync(ctx, BybitErrors.InvalidApiKey, "API key is invalid.", null);
            return;
        }
        var recvWindow = int.TryParse(headers[BybitAuth.RecvWindowHeader].ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var rw) ? rw : 5000;
        var serverMs = ServerNow.ToUnixTimeMilliseconds();
        if (!long.TryParse(headers[BybitAuth.TimestampHeader].ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var timestamp)
            || !BybitAuth.WithinWindow(timestamp, serverMs, recvWindow))
        {
            Interlocked.Increment(ref _staleTimestamps);
            await AnswerAsync(ctx, BybitErrors.TimestampOutsideWindow, string.Create(CultureInfo.InvariantCulture,
                $"invalid request, please check your server timestamp or recv_window param. req_timestamp[{headers[BybitAuth.TimestampHeader]}],server_timestamp[{serverMs}],recv_window[{recvWindow}]"), null);
            return;
        }
        var payload = HttpMethods.IsGet(ctx.Request.Method) ? RawQuery(ctx) : body;
        if (!BybitAuth.Verify(holder.Secret, timestamp, apiKey, recvWindow, payload, headers[BybitAuth.SignHeader].ToString()))
        {
            await AnswerAsync(ctx, BybitErrors.InvalidSignature, $"error sign! origin_string[{BybitAuth.SignedText(timestamp, apiKey, recvWindow, payload)}]", null);
            return;
        }
        await route(ctx, new Caller(holder.AccountNumber, body));
    }

    // The signed query is the text as sent, before any decoding.
    private static string RawQuery(HttpContext ctx) => ctx.Request.QueryString.Value is { Length: > 0 } q ? q[1..] : "";

    /// <summary>The account's rate on an order path: the X-Bapi-Limit headers on every answer, 10006 beyond the limit.</summary>
    private async Task<bool> TakeOrderRateAsync(HttpContext ctx, FakeRateWindow window, Caller caller)
    {
        var allowed = window.TryTake(caller.AccountNumber, out var remaining, out var reset);
        ctx.Response.Headers[BybitErrors.LimitHeader] = window.Limit.ToString(CultureInfo.InvariantCulture);
        ctx.Response.Headers[BybitErrors.LimitStatusHeader] = remaining.ToString(CultureInfo.InvariantCulture);
        // The reset of a window that is exceeded; otherwise, as the venue documents, just the current time.
        // Rounded up to the millisecond, so a client that waits until the announced reset is taken.
        ctx.Response.Headers[BybitErrors.LimitResetHeader] = (allowed ? ServerNow.ToUnixTimeMilliseconds() : CeilingMillis(reset + ClockSkew)).ToString(CultureInfo.InvariantCulture);
        if (allowed) return true;
        Interlocked.Increment(ref _rateLimited);
        CountRefusedForRate();
        await AnswerAsync(ctx, BybitErrors.TooManyVisits, "Too many visits!", null);
        return false;
    }

    private static long CeilingMillis(DateTimeOffset at) => (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;

    // ---- orders

    private async Task CreateOrderAsync(HttpContext ctx, Caller caller)
    {
        if (!await TakeOrderRateAsync(ctx, _creates, caller)) return;
        var request = ReadBody<CreateOrderRequest>(caller.Body);
        var (code, message, order) = request is null ? (BybitErrors.ParamError, "Request parameter error.", null) : Create(caller, request);
        if (order is null) await AnswerAsync(ctx, code, message, null);
        else await AnswerAsync(ctx, 0, "OK", new OrderIdResult(order.VenueOrderId, order.ClientOrderId ?? ""));
    }

    private (int Code, string Message, FakeOrder? Order) Create(Caller caller, CreateOrderRequest r)
    {
        if (r.Category != _options.Category) return (BybitErrors.ParamError, $"params error: category only support {_options.Category}", null);
        if (r.Symbol is null || !Listing[_options.Category].TryGetValue(r.Symbol, out var rules))
            return Spot ? (BybitErrors.SpotInvalidSymbol, "Invalid symbol.", null) : (BybitErrors.ParamError, "params error: symbol invalid", null);
        if (BybitWire.ParseSide(r.Side) is not { } side) return (BybitErrors.ParamError, "params error: side invalid", null);
        if (r.OrderType is not ("Market" or "Limit")) return (BybitErrors.ParamError, "params error: orderType invalid", null);
        var limit = r.OrderType == "Limit";
        if (!decimal.TryParse(r.Qty, NumberStyles.Number, CultureInfo.InvariantCulture, out var qty) || qty <= 0) return (BybitErrors.ParamError, "params error: qty invalid", null);
        decimal? price = null;
        if (limit)
        {
            if (!decimal.TryParse(r.Price, NumberStyles.Number, CultureInfo.InvariantCulture, out var p) || p <= 0 || p % BybitWire.ParseNumber(rules.PriceFilter!.TickSize)!.Value != 0)
                return (BybitErrors.ParamError, "params error: price invalid", null);
            price = p;
        }
        if (!string.IsNullOrEmpty(r.OrderLinkId) && !(r.OrderLinkId.Length <= 36 && r.OrderLinkId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
            return (BybitErrors.ParamError, "params error: orderLinkId invalid", null);

        lock (_gate)
        {
            if (!string.IsNullOrEmpty(r.OrderLinkId) && Exchange.OrderByClientId(caller.AccountNumber, r.OrderLinkId) is not null)
                return Spot ? (BybitErrors.SpotDuplicateClientOrderId, "Duplicate clientOrderId.", null) : (BybitErrors.DuplicateOrderLinkId, "OrderLinkedID is duplicate", null);
            var market = Exchange.Price(r.Symbol) ?? 0m;
            var at = price ?? market;
            var instrument = BybitInstruments.ToInstrument(rules, Spot);
            // A spot market buy counts its qty in the quote coin unless told baseCoin.
            if (Spot && !limit && side == OrderSide.Buy && r.MarketUnit != "baseCoin")
                qty = at > 0 ? instrument.RoundQuantityDown(qty / at) : 0m;
            if (qty < instrument.MinQuantity)
                return Spot ? (BybitErrors.SpotQuantityTooLow, "Order quantity exceeded lower limit.", null) : (BybitErrors.ParamError, "The number of contracts exceeds minimum limit allowed", null);
            if (qty % instrument.QuantityStep != 0)
                return Spot ? (BybitErrors.SpotQuantityDecimalsTooLong, "Order quantity has too many decimals.", null) : (BybitErrors.ParamError, "Qty invalid", null);
            var notional = qty * at;
            if (notional < instrument.MinNotional)
                return Spot ? (BybitErrors.SpotOrderValueTooLow, "Order value exceeded lower limit.", null)
                    : (BybitErrors.BelowMinimumOrderValue, $"Order does not meet minimum order value {BybitWire.Number(instrument.MinNotional)}USDT", null);
            var holdings = Exchange.Holdings(caller.AccountNumber);
            var afford = Spot && side == OrderSide.Sell
                ? holdings.Positions.GetValueOrDefault(r.Symbol).Quantity >= qty
                : notional <= holdings.Cash;
            if (!afford)
                return Spot ? (BybitErrors.SpotInsufficientBalance, "Insufficient balance.", null) : (BybitErrors.InsufficientAvailableBalance, "ab not enough for new order", null);
            var order = Exchange.Place(caller.AccountNumber, string.IsNullOrEmpty(r.OrderLinkId) ? null : r.OrderLinkId, r.Symbol, side,
                limit ? OrderType.Limit : OrderType.Market, qty, price);
            return (0, "OK", order);
        }
    }

    private async Task CancelOrderAsync(HttpContext ctx, Caller caller)
    {
        if (!await TakeOrderRateAsync(ctx, _cancels, caller)) return;
        var r = ReadBody<CancelOrderRequest>(caller.Body);
        if (r is null || r.Category != _options.Category || string.IsNullOrEmpty(r.Symbol))
        {
            await AnswerAsync(ctx, BybitErrors.ParamError, "params error: category and symbol are required", null);
            return;
        }
        if (string.IsNullOrEmpty(r.OrderId) && string.IsNullOrEmpty(r.OrderLinkId))
        {
            await AnswerAsync(ctx, BybitErrors.ParamError, "params error: orderId or orderLinkId is required", null);
            return;
        }
        var order = Find(caller.AccountNumber, r.OrderId, r.OrderLinkId);
        if (order is null || order.Symbol != r.Symbol || !order.IsOpen)
        {
            await AnswerAsync(ctx, Spot ? BybitErrors.SpotOrderNotExists : BybitErrors.OrderNotExists, "order not exists or too late to cancel", null);
            return;
        }
        var cancelled = Exchange.Cancel(order.VenueOrderId)!;
        await AnswerAsync(ctx, 0, "OK", new OrderIdResult(cancelled.VenueOrderId, cancelled.ClientOrderId ?? ""));
    }

    /// <summary>An order of the account: by orderId first, as the venue does, else by orderLinkId.</summary>
    private FakeOrder? Find(string accountNumber, string? orderId, string? orderLinkId) =>
        !string.IsNullOrEmpty(orderId)
            ? Exchange.Order(orderId) is { } o && o.AccountNumber == accountNumber ? o : null
            : Exchange.OrderByClientId(accountNumber, orderLinkId!);

    private async Task OrdersAsync(HttpContext ctx, Caller caller, bool realtime)
    {
        var q = ctx.Request.Query;
        if (q["category"].ToString() != _options.Category)
        {
            await AnswerAsync(ctx, BybitErrors.ParamError, $"params error: category only support {_options.Category}", null);
            return;
        }
        string symbol = q["symbol"].ToString(), settleCoin = q["settleCoin"].ToString(), orderId = q["orderId"].ToString(), orderLinkId = q["orderLinkId"].ToString();
        var byId = orderId.Length > 0 || orderLinkId.Length > 0;
        if (Spot && settleCoin.Length > 0)
        {
            await AnswerAsync(ctx, BybitErrors.ParamError, "params error: settleCoin is not supported for spot", null);
            return;
        }
        if (!Spot && !byId && symbol.Length == 0 && settleCoin.Length == 0)
        {
            await AnswerAsync(ctx, BybitErrors.ParamError, "Missing some parameters that must be filled in, symbol or settleCoin or baseCoin", null);
            return;
        }
        var all = Exchange.Orders(caller.AccountNumber);
        // Realtime shows open orders and only the most recent ended ones; history shows them all.
        var recentlyEnded = all.Where(o => !o.IsOpen).OrderByDescending(o => o.EndedAt).ThenByDescending(o => o.Sequence)
            .Take(_options.RealtimeClosedOrders).Select(o => o.VenueOrderId).ToHashSet(StringComparer.Ordinal);
        IEnumerable<FakeOrder> rows = all.Where(o => !realtime || o.IsOpen || recentlyEnded.Contains(o.VenueOrderId));
        if (byId) rows = rows.Where(o => orderId.Length > 0 ? o.VenueOrderId == orderId : o.ClientOrderId == orderLinkId);
        else if (realtime) rows = q["openOnly"].ToString() is "1" or "2" ? rows.Where(o => !o.IsOpen) : rows.Where(o => o.IsOpen);
        if (symbol.Length > 0) rows = rows.Where(o => o.Symbol == symbol);
        if (settleCoin.Length > 0) rows = rows.Where(o => o.Symbol.EndsWith(settleCoin, StringComparison.Ordinal));
        await PageAsync(ctx, rows.OrderByDescending(o => o.Sequence).Select(Record).ToList(), 50);
    }

    private OrderRecord Record(FakeOrder o)
    {
        var filled = o.FilledQuantity;
        var status = o.State switch
        {
            FakeOrderState.Open => "New",
            FakeOrderState.PartiallyFilled => "PartiallyFilled",
            FakeOrderState.Filled => "Filled",
            _ => filled > 0 ? "PartiallyFilledCanceled" : "Cancelled",
        };
        return new OrderRecord(
            o.VenueOrderId, o.ClientOrderId ?? "", o.Symbol, BybitWire.Number(o.LimitPrice ?? 0m), BybitWire.Number(o.Quantity), BybitWire.Side(o.Side), status, "EC_NoError",
            filled > 0 ? BybitWire.Number(o.AveragePrice) : "", BybitWire.Number(o.IsOpen ? o.Remaining : 0m), BybitWire.Number(filled),
            BybitWire.Number(filled * o.AveragePrice), BybitWire.Number(o.Fees), o.Type == OrderType.Limit ? "GTC" : "IOC", o.Type == OrderType.Limit ? "Limit" : "Market",
            Millis(o.CreatedAt), Millis(o.LastFillAt is { } f && (o.EndedAt is null || f >= o.EndedAt) ? f : o.EndedAt ?? o.CreatedAt));
    }

    private string Millis(DateTimeOffset at) => (at + ClockSkew).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    // ---- account

    private async Task PositionsAsync(HttpContext ctx, Caller caller)
    {
        var q = ctx.Request.Query;
        if (Spot || q["category"].ToString() != _options.Category)
        {
            await AnswerAsync(ctx, BybitErrors.ParamError, "params error: category only support linear or inverse or option", null);
            return;
        }
        string symbol = q["symbol"].ToString(), settleCoin = q["settleCoin"].ToString();
        if (symbol.Length == 0 && settleCoin.Length == 0)
        {
            await AnswerAsync(ctx, BybitErrors.ParamError, "Missing some parameters that must be filled in, symbol or settleCoin", null);
            return;
        }
        var held = Exchange.Holdings(caller.AccountNumber).Positions;
        var rows = new List<PositionRecord>();
        if (symbol.Length > 0)
        {
            // Asked by symbol, the venue answers even a flat position.
            rows.Add(held.TryGetValue(symbol, out var p) ? Position(symbol, p) : new PositionRecord(symbol, "", "0", "0", 0, Mark(symbol, 0m), "0"));
        }
        else
        {
            rows.AddRange(held.Where(h => h.Key.EndsWith(settleCoin, StringComparison.Ordinal)).OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => Position(h.Key, h.Value)));
        }
        await PageAsync(ctx, rows, 200);
    }

    private PositionRecord Position(string symbol, (decimal Quantity, decimal AveragePrice) p) => new(
        symbol, p.Quantity > 0 ? "Buy" : "Sell", BybitWire.Number(Math.Abs(p.Quantity)), BybitWire.Number(p.AveragePrice), 0, Mark(symbol, p.AveragePrice),
        BybitWire.Number(Math.Abs(p.Quantity) * (Exchange.Price(symbol) ?? p.AveragePrice)));

    private string Mark(string symbol, decimal otherwise) => BybitWire.Number(Exchange.Price(symbol) ?? otherwise);

    private async Task WalletAsync(HttpContext ctx, Caller caller)
    {
        if (ctx.Request.Query["accountType"].ToString() != "UNIFIED")
        {
            await AnswerAsync(ctx, BybitErrors.ParamError, "accountType only support UNIFIED.", null);
            return;
        }
        var (_, cash, positions) = Exchange.Holdings(caller.AccountNumber);
        var value = positions.Sum(p => p.Value.Quantity * (Exchange.Price(p.Key) ?? p.Value.AveragePrice));
        var coins = new List<WalletCoin> { new("USDT", BybitWire.Number(cash), BybitWire.Number(cash), BybitWire.Number(cash)) };
        if (Spot)
        {
            // Spot holdings are coins of the wallet.
            coins.AddRange(positions.Where(p => p.Value.Quantity > 0).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new WalletCoin(
                p.Key[..^4], BybitWire.Number(p.Value.Quantity), BybitWire.Number(p.Value.Quantity), BybitWire.Number(p.Value.Quantity * (Exchange.Price(p.Key) ?? p.Value.AveragePrice)))));
        }
        var total = BybitWire.Number(cash + value);
        await AnswerAsync(ctx, 0, "OK", new WalletBalanceResult([new WalletAccount("UNIFIED", total, BybitWire.Number(cash), BybitWire.Number(cash), coins)]));
    }

    // ---- public market data

    private async Task InstrumentsAsync(HttpContext ctx)
    {
        var category = ctx.Request.Query["category"].ToString();
        if (!Listing.TryGetValue(category, out var listed))
        {
            await AnswerAsync(ctx, BybitErrors.ParamError, "params error: category invalid", null);
            return;
        }
        var symbol = ctx.Request.Query["symbol"].ToString();
        var list = listed.Values.Where(i => symbol.Length == 0 || i.Symbol == symbol).ToList();
        // An unknown symbol is an empty list, not an error (and then the venue leaves the category blank).
        await AnswerAsync(ctx, 0, "OK", new BybitPage<InstrumentRecord>(list.Count > 0 ? category : "", list, ""));
    }

    // ---- answers

    /// <summary>A page of a list by limit and cursor (the offset of its first row); nextPageCursor is empty on the last page.</summary>
    private async Task PageAsync<T>(HttpContext ctx, List<T> rows, int maxLimit)
    {
        var q = ctx.Request.Query;
        var limit = int.TryParse(q["limit"].ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? Math.Clamp(l, 1, maxLimit) : 20;
        var from = int.TryParse(q["cursor"].ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var c) ? Math.Max(c, 0) : 0;
        var page = rows.Skip(from).Take(limit).ToList();
        var next = from + limit < rows.Count ? (from + limit).ToString(CultureInfo.InvariantCulture) : "";
        await AnswerAsync(ctx, 0, "OK", new BybitPage<T>(_options.Category, page, next));
    }

    private static T? ReadBody<T>(string body) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(body, BybitWire.Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The venue's envelope; HTTP 200 unless told otherwise, errors included.</summary>
    private Task AnswerAsync(HttpContext ctx, int retCode, string retMsg, object? result, int status = StatusCodes.Status200OK)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        var json = JsonSerializer.Serialize(new { retCode, retMsg, result = result ?? new object(), retExtInfo = new object(), time = ServerNow.ToUnixTimeMilliseconds() }, BybitWire.Json);
        return ctx.Response.WriteAsync(json, ctx.RequestAborted);
    }
}
