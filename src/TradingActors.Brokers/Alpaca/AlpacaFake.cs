using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using TradingActors.Brokers.Fakes;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Alpaca;

/// <summary>What the fake allows: its rate window (Alpaca's 200 requests a minute per key; tests use small ones) and the assets it lists.</summary>
public sealed record AlpacaFakeOptions
{
    public int RequestsPerWindow { get; init; } = 200;
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(1);
    public IReadOnlyList<AlpacaAsset> Assets { get; init; } = AlpacaFake.DefaultAssets;
}

/// <summary>
/// A local Alpaca Trading API v2 over a <see cref="FakeExchange"/> (no commission: build the exchange with a fee
/// rate of 0). It answers Alpaca's paths and JSON — POST/GET/DELETE orders, orders:by_client_order_id, account,
/// positions, assets — checks APCA-API-KEY-ID / APCA-API-SECRET-KEY, refuses a reused client_order_id with 422,
/// checks buying power (cash less what open buy orders hold) with 403, applies Alpaca's order rules (sub-penny
/// limit prices, fractional quantities only on DAY orders of fractionable assets), and counts requests per key in
/// a fixed window, answering X-RateLimit-Limit/-Remaining/-Reset on every authenticated answer and 429 beyond.
/// Like Alpaca, the placement answers the order as submitted ("accepted", nothing filled) although a market order
/// fills at once: the fill shows in the next lookup. Orders keep the exchange's ids (numbers, where Alpaca uses UUIDs).
/// </summary>
public sealed class AlpacaFake : FakeVenueServer
{
    /// <summary>The assets listed unless told otherwise: two fractionable NASDAQ stocks, in Alpaca's documented equity shape (no increments: those are crypto-only fields).</summary>
    public static readonly IReadOnlyList<AlpacaAsset> DefaultAssets =
    [
        Equity("b0b6dd9d-8b9b-48a9-ba46-b9d54906e415", "AAPL", "Apple Inc. Common Stock"),
        Equity("b6d1aa75-5c9c-4353-a305-9e2caa1925ab", "MSFT", "Microsoft Corporation Common Stock"),
    ];

    private static readonly string[] KnownTimesInForce = ["day", "gtc", "opg", "cls", "ioc", "fok"];

    private readonly AlpacaFakeOptions _options;
    private readonly FakeRateWindow _rate;
    private readonly ConcurrentDictionary<string, (string Secret, string Account)> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _timeInForce = new(StringComparer.Ordinal);
    private readonly Lock _placing = new();

    public AlpacaFake(AlpacaFakeOptions? options = null, TimeProvider? time = null)
        : this(new FakeExchange(time ?? TimeProvider.System, feeRate: 0m), options)
    {
    }

    public AlpacaFake(FakeExchange exchange, AlpacaFakeOptions? options = null) : base(exchange)
    {
        _options = options ?? new AlpacaFakeOptions();
        _rate = new FakeRateWindow(_options.RequestsPerWindow, _options.Window, exchange.Time);
    }

    public override string Venue => AlpacaOptions.VenueName;

    /// <summary>An account with its key id and secret key (Alpaca keys belong to one account).</summary>
    public override void SeedAccount(string accountNumber, string apiKey, string apiSecret, decimal cash = 100_000m)
    {
        Exchange.Account(accountNumber, "USD", cash);
        _keys[apiKey] = (apiSecret, accountNumber);
    }

    protected override void MapRoutes(WebApplication app)
    {
        app.MapPost("/v2/orders", ctx => Authenticated(ctx, PlaceAsync));
        app.MapGet("/v2/orders", ctx => Authenticated(ctx, ListOrdersAsync));
        app.MapGet("/v2/orders:by_client_order_id", ctx => Authenticated(ctx, OrderByClientIdAsync));
        app.MapGet("/v2/orders/{id}", ctx => Authenticated(ctx, OrderAsync));
        app.MapDelete("/v2/orders/{id}", ctx => Authenticated(ctx, CancelAsync));
        app.MapGet("/v2/account", ctx => Authenticated(ctx, AccountAsync));
        app.MapGet("/v2/positions", ctx => Authenticated(ctx, PositionsAsync));
        app.MapGet("/v2/assets/{symbol}", ctx => Authenticated(ctx, AssetAsync));
    }

    protected override Task WriteFailureAsync(HttpContext ctx) =>
        WriteJsonAsync(ctx, 500, new AlpacaError { Code = AlpacaErrors.InternalCode, Message = "internal server error occurred" });

    private async Task Authenticated(HttpContext ctx, Func<HttpContext, string, Task> handle)
    {
        var key = ctx.Request.Headers[AlpacaAuth.KeyIdHeader].ToString();
        var secret = ctx.Request.Headers[AlpacaAuth.SecretKeyHeader].ToString();
        if (key.Length == 0 || !_keys.TryGetValue(key, out var known) || !SameSecret(known.Secret, secret))
        {
            // Alpaca's gateway answers a refused key pair with a bare message and no code.
            await WriteJsonAsync(ctx, 401, new AlpacaError { Message = "unauthorized." });
            return;
        }
        var taken = _rate.TryTake(key, out var remaining, out var reset);
        ctx.Response.Headers[AlpacaErrors.RateLimitLimitHeader] = _rate.Limit.ToString(CultureInfo.InvariantCulture);
        ctx.Response.Headers[AlpacaErrors.RateLimitRemainingHeader] = remaining.ToString(CultureInfo.InvariantCulture);
        // Whole seconds, rounded up: a client waiting until Reset never comes back inside the window.
        ctx.Response.Headers[AlpacaErrors.RateLimitResetHeader] = ((long)Math.Ceiling(reset.ToUnixTimeMilliseconds() / 1000.0)).ToString(CultureInfo.InvariantCulture);
        if (!taken)
        {
            CountRefusedForRate();
            await WriteJsonAsync(ctx, 429, new AlpacaError { Code = AlpacaErrors.RateLimitCode, Message = "rate limit exceeded" });
            return;
        }
        await handle(ctx, known.Account);
    }

    private static bool SameSecret(string expected, string given) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(given));

    // ---- orders

    private async Task PlaceAsync(HttpContext ctx, string account)
    {
        JsonElement body;
        try
        {
            using var document = await JsonDocument.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted);
            body = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            await WriteErrorAsync(ctx, 400, AlpacaErrors.MalformedCode, "request body format is invalid");
            return;
        }
        if (body.ValueKind != JsonValueKind.Object)
        {
            await WriteErrorAsync(ctx, 400, AlpacaErrors.MalformedCode, "request body format is invalid");
            return;
        }
        if (Validate(body, out var order) is { } refusal)
        {
            await WriteErrorAsync(ctx, 422, refusal.Code, refusal.Message);
            return;
        }
        FakeOrder? placed = null;
        decimal? buyingPower = null;
        var duplicate = false;
        lock (_placing)
        {
            // Alpaca refuses a client_order_id it already holds for the account, whatever became of that order.
            if (Exchange.OrderByClientId(account, order.ClientOrderId) is not null)
            {
                duplicate = true;
            }
            else if (BuyingPower(account) is var power && Cost(account, order) > power)
            {
                buyingPower = Math.Max(power, 0m);
            }
            else
            {
                placed = Exchange.Place(account, order.ClientOrderId, order.Symbol, order.Side, order.Type, order.Quantity, order.LimitPrice);
                _timeInForce[placed.VenueOrderId] = order.TimeInForce;
            }
        }
        if (duplicate)
            await WriteErrorAsync(ctx, 422, AlpacaErrors.ValidationCode, AlpacaErrors.DuplicateMessage);
        else if (buyingPower is { } power)
            await WriteJsonAsync(ctx, 403, new { buying_power = AlpacaWire.Format(power), code = AlpacaErrors.ForbiddenCode, message = "insufficient buying power" });
        else
            await WriteJsonAsync(ctx, 200, Render(placed!, asSubmitted: true));
    }

    private sealed record NewOrder(string Symbol, OrderSide Side, OrderType Type, decimal Quantity, decimal? LimitPrice, string TimeInForce, string ClientOrderId);

    private sealed record Refusal(long Code, string Message);

    /// <summary>Alpaca's rules for a new order, in the order it applies them; null when the order may be taken.</summary>
    private Refusal? Validate(JsonElement body, out NewOrder order)
    {
        order = null!;
        var symbol = Text(body, "symbol");
        if (string.IsNullOrEmpty(symbol)) return new(AlpacaErrors.ValidationCode, "symbol is required");
        var qtyText = Number(body, "qty");
        if (qtyText is null) return new(AlpacaErrors.ValidationCode, "qty is required");
        if (!decimal.TryParse(qtyText, NumberStyles.Number, CultureInfo.InvariantCulture, out var qty) || qty <= 0)
            return new(AlpacaErrors.ValidationCode, "qty must be > 0");
        OrderSide side;
        switch (Text(body, "side"))
        {
            case "buy": side = OrderSide.Buy; break;
            case "sell": side = OrderSide.Sell; break;
            default: return new(AlpacaErrors.ValidationCode, "side must be buy or sell");
        }
        OrderType type;
        switch (Text(body, "type"))
        {
            case "market": type = OrderType.Market; break;
            case "limit": type = OrderType.Limit; break;
            case null: return new(AlpacaErrors.ValidationCode, "type is required");
            // stop, stop_limit, trailing_stop exist at Alpaca; this fake's exchange books market and limit orders only.
            default: return new(AlpacaErrors.ValidationCode, "this fake takes market and limit orders only");
        }
        var tif = Text(body, "time_in_force");
        if (tif is null) return new(AlpacaErrors.ValidationCode, "time_in_force is required");
        if (!KnownTimesInForce.Contains(tif)) return new(AlpacaErrors.ValidationCode, "invalid time_in_force");
        if (tif is not ("day" or "gtc")) return new(AlpacaErrors.ValidationCode, "this fake takes day and gtc orders only");
        decimal? limit = null;
        if (type == OrderType.Limit)
        {
            var limitText = Number(body, "limit_price");
            if (limitText is null) return new(AlpacaErrors.ValidationCode, "limit_price is required");
            if (!decimal.TryParse(limitText, NumberStyles.Number, CultureInfo.InvariantCulture, out var l) || l <= 0)
                return new(AlpacaErrors.ValidationCode, "limit_price must be > 0");
            limit = l;
        }
        var clientOrderId = Text(body, "client_order_id") ?? Guid.NewGuid().ToString();
        if (clientOrderId.Length > 128) return new(AlpacaErrors.ValidationCode, "client_order_id must be no more than 128 characters");
        var asset = Asset(symbol);
        if (asset is null) return new(AlpacaErrors.ValidationCode, $"could not find asset '{symbol}'");
        if (qty != decimal.Truncate(qty))
        {
            if (!asset.Fractionable) return new(AlpacaErrors.UnprocessableCode, "requested asset is not fractionable");
            if (tif != "day") return new(AlpacaErrors.UnprocessableCode, "fractional orders must be DAY orders");
            if (qty * 1_000_000_000m != decimal.Truncate(qty * 1_000_000_000m)) return new(AlpacaErrors.UnprocessableCode, "qty must not have more than 9 decimal places");
        }
        // Sub-penny rule: two decimals at or above $1, four below.
        if (limit is { } price && price * (price >= 1m ? 100m : 10_000m) is var units && units != decimal.Truncate(units))
            return new(AlpacaErrors.UnprocessableCode, $"invalid limit_price {AlpacaWire.Format(price)}. sub-penny increment does not fulfill minimum pricing criteria");
        order = new NewOrder(asset.Symbol, side, type, qty, limit, tif, clientOrderId);
        return null;
    }

    private static string? Text(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A number sent as Alpaca documents it (a string) or as a JSON number (as some of its client libraries do).</summary>
    private static string? Number(JsonElement body, string name) =>
        !body.TryGetProperty(name, out var value) ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : value.ValueKind == JsonValueKind.Number ? value.GetRawText()
        : null;

    private AlpacaAsset? Asset(string symbol) =>
        _options.Assets.FirstOrDefault(a => string.Equals(a.Symbol, symbol, StringComparison.OrdinalIgnoreCase));

    /// <summary>A cash account's buying power: its cash less what its open buy orders hold at their limit.</summary>
    private decimal BuyingPower(string account)
    {
        var held = Exchange.Orders(account).Where(o => o.IsOpen && o.Side == OrderSide.Buy).Sum(o => o.Remaining * (o.LimitPrice ?? Exchange.Price(o.Symbol) ?? 0m));
        return Exchange.Holdings(account).Cash - held;
    }

    /// <summary>What an order takes from buying power: a buy all of it; a sell only the part beyond the long position (a short).</summary>
    private decimal Cost(string account, NewOrder order)
    {
        var price = order.LimitPrice ?? Exchange.Price(order.Symbol) ?? 0m;
        if (order.Side == OrderSide.Buy) return order.Quantity * price;
        var held = Exchange.Holdings(account).Positions.TryGetValue(order.Symbol, out var p) ? Math.Max(p.Quantity, 0m) : 0m;
        return Math.Max(order.Quantity - held, 0m) * price;
    }

    private async Task OrderByClientIdAsync(HttpContext ctx, string account)
    {
        var clientOrderId = ctx.Request.Query["client_order_id"].ToString();
        if (clientOrderId.Length == 0)
        {
            await WriteErrorAsync(ctx, 422, AlpacaErrors.ValidationCode, "client_order_id is required");
            return;
        }
        await WriteOrderOrNotFoundAsync(ctx, Exchange.OrderByClientId(account, clientOrderId));
    }

    private Task OrderAsync(HttpContext ctx, string account) => WriteOrderOrNotFoundAsync(ctx, Owned(account, ctx));

    private async Task CancelAsync(HttpContext ctx, string account)
    {
        var order = Owned(account, ctx);
        if (order is null)
        {
            await WriteErrorAsync(ctx, 404, AlpacaErrors.NotFoundCode, "order not found");
            return;
        }
        if (!order.IsOpen)
        {
            await WriteErrorAsync(ctx, 422, AlpacaErrors.UnprocessableCode, $"order is already in \"{StatusOf(order)}\" state");
            return;
        }
        Exchange.Cancel(order.VenueOrderId);
        ctx.Response.StatusCode = 204;
    }

    private async Task ListOrdersAsync(HttpContext ctx, string account)
    {
        var status = ctx.Request.Query["status"].ToString() is { Length: > 0 } s ? s : "open";
        if (status is not ("open" or "closed" or "all"))
        {
            await WriteErrorAsync(ctx, 422, AlpacaErrors.ValidationCode, "invalid status");
            return;
        }
        var limit = int.TryParse(ctx.Request.Query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? Math.Clamp(l, 1, 500) : 50;
        var ascending = ctx.Request.Query["direction"].ToString() == "asc";
        var orders = Exchange.Orders(account).Where(o => status == "all" || o.IsOpen == (status == "open"));
        orders = ascending ? orders.OrderBy(o => o.Sequence) : orders.OrderByDescending(o => o.Sequence);
        await WriteJsonAsync(ctx, 200, orders.Take(limit).Select(o => Render(o, asSubmitted: false)).ToList());
    }

    private FakeOrder? Owned(string account, HttpContext ctx) =>
        Exchange.Order(ctx.Request.RouteValues["id"]?.ToString() ?? "") is { } o && o.AccountNumber == account ? o : null;

    private Task WriteOrderOrNotFoundAsync(HttpContext ctx, FakeOrder? order) =>
        order is null
            ? WriteErrorAsync(ctx, 404, AlpacaErrors.NotFoundCode, "order not found")
            : WriteJsonAsync(ctx, 200, Render(order, asSubmitted: false));

    private static string StatusOf(FakeOrder order) => order.State switch
    {
        FakeOrderState.Open => "new",
        FakeOrderState.PartiallyFilled => "partially_filled",
        FakeOrderState.Filled => "filled",
        _ => "canceled",
    };

    /// <summary>Alpaca's order object; as submitted it is what the placement answers: accepted, nothing filled.</summary>
    private AlpacaOrder Render(FakeOrder o, bool asSubmitted)
    {
        var updated = new[] { o.CreatedAt, o.LastFillAt ?? o.CreatedAt, o.EndedAt ?? o.CreatedAt }.Max();
        var filled = !asSubmitted && o.FilledQuantity > 0;
        var type = o.Type == OrderType.Limit ? "limit" : "market";
        return new AlpacaOrder
        {
            Id = o.VenueOrderId,
            ClientOrderId = o.ClientOrderId,
            CreatedAt = AlpacaWire.FormatTime(o.CreatedAt),
            UpdatedAt = AlpacaWire.FormatTime(asSubmitted ? o.CreatedAt : updated),
            SubmittedAt = AlpacaWire.FormatTime(o.CreatedAt),
            FilledAt = !asSubmitted && o.State == FakeOrderState.Filled ? AlpacaWire.FormatTime(o.LastFillAt!.Value) : null,
            CanceledAt = !asSubmitted && o.State == FakeOrderState.Cancelled ? AlpacaWire.FormatTime(o.EndedAt!.Value) : null,
            AssetId = Asset(o.Symbol)?.Id,
            Symbol = o.Symbol,
            AssetClass = AlpacaInstruments.EquityClass,
            Qty = AlpacaWire.Format(o.Quantity),
            FilledQty = filled ? AlpacaWire.Format(o.FilledQuantity) : "0",
            FilledAvgPrice = filled ? AlpacaWire.Format(o.AveragePrice) : null,
            OrderClass = "",
            OrderType = type,
            Type = type,
            Side = AlpacaWire.SideName(o.Side),
            TimeInForce = _timeInForce.GetValueOrDefault(o.VenueOrderId, type == "limit" ? AlpacaWire.LimitTimeInForce : AlpacaWire.MarketTimeInForce),
            LimitPrice = o.LimitPrice is { } limit ? AlpacaWire.Format(limit) : null,
            Status = asSubmitted ? "accepted" : StatusOf(o),
        };
    }

    // ---- account, positions, assets

    private Task AccountAsync(HttpContext ctx, string account)
    {
        var (currency, cash, positions) = Exchange.Holdings(account);
        var values = positions.Select(p => p.Value.Quantity * (Exchange.Price(p.Key) ?? p.Value.AveragePrice)).ToList();
        var longValue = values.Where(v => v > 0).Sum();
        var shortValue = values.Where(v => v < 0).Sum();
        var equity = cash + longValue + shortValue;
        return WriteJsonAsync(ctx, 200, new AlpacaAccount
        {
            Id = StableId(account),
            AccountNumber = account,
            Status = "ACTIVE",
            Currency = currency,
            Cash = AlpacaWire.Format(cash),
            BuyingPower = AlpacaWire.Format(Math.Max(BuyingPower(account), 0m)),
            Equity = AlpacaWire.Format(equity),
            PortfolioValue = AlpacaWire.Format(equity),
            LongMarketValue = AlpacaWire.Format(longValue),
            ShortMarketValue = AlpacaWire.Format(shortValue),
            CreatedAt = AlpacaWire.FormatTime(DateTimeOffset.UnixEpoch),
        });
    }

    private Task PositionsAsync(HttpContext ctx, string account)
    {
        var positions = Exchange.Holdings(account).Positions
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p =>
            {
                var (qty, avg) = p.Value;
                var price = Exchange.Price(p.Key) ?? avg;
                return new AlpacaPosition
                {
                    AssetId = Asset(p.Key)?.Id,
                    Symbol = p.Key,
                    Exchange = Asset(p.Key)?.Exchange,
                    AssetClass = AlpacaInstruments.EquityClass,
                    AvgEntryPrice = AlpacaWire.Format(avg),
                    Qty = AlpacaWire.Format(qty),
                    QtyAvailable = AlpacaWire.Format(qty),
                    Side = qty < 0 ? "short" : "long",
                    MarketValue = AlpacaWire.Format(qty * price),
                    CostBasis = AlpacaWire.Format(qty * avg),
                    UnrealizedPl = AlpacaWire.Format(qty * (price - avg)),
                    CurrentPrice = AlpacaWire.Format(price),
                };
            })
            .ToList();
        return WriteJsonAsync(ctx, 200, positions);
    }

    private Task AssetAsync(HttpContext ctx, string account)
    {
        var symbol = ctx.Request.RouteValues["symbol"]?.ToString() ?? "";
        return Asset(symbol) is { } asset
            ? WriteJsonAsync(ctx, 200, asset)
            : WriteErrorAsync(ctx, 404, AlpacaErrors.NotFoundCode, $"asset not found for {symbol}");
    }

    private static AlpacaAsset Equity(string id, string symbol, string name) => new()
    {
        Id = id,
        Class = AlpacaInstruments.EquityClass,
        Exchange = "NASDAQ",
        Symbol = symbol,
        Name = name,
        Status = "active",
        Tradable = true,
        Marginable = true,
        Shortable = true,
        EasyToBorrow = true,
        Fractionable = true,
        MaintenanceMarginRequirement = 30,
    };

    private static string StableId(string account) =>
        new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(account)).AsSpan(0, 16)).ToString();

    private static Task WriteErrorAsync(HttpContext ctx, int status, long code, string message) =>
        WriteJsonAsync(ctx, status, new AlpacaError { Code = code, Message = message });

    private static async Task WriteJsonAsync<T>(HttpContext ctx, int status, T body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json; charset=UTF-8";
        await ctx.Response.WriteAsync(JsonSerializer.Serialize(body, AlpacaWire.Json), ctx.RequestAborted);
    }
}
