using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Alpaca;

/// <summary>The body of POST /v2/orders. Quantities and prices travel as strings, as Alpaca documents them.</summary>
public sealed record AlpacaOrderRequest(
    [property: JsonPropertyName("symbol")] string Symbol,
    [property: JsonPropertyName("qty")] string Qty,
    [property: JsonPropertyName("side")] string Side,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("time_in_force")] string TimeInForce,
    [property: JsonPropertyName("limit_price"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LimitPrice,
    [property: JsonPropertyName("client_order_id")] string ClientOrderId);

/// <summary>Alpaca's order object (the fields the connector reads and the fake writes; Alpaca sends nulls rather than omitting fields).</summary>
public sealed record AlpacaOrder
{
    [JsonPropertyName("id")] public string Id { get; init; } = "";
    [JsonPropertyName("client_order_id")] public string? ClientOrderId { get; init; }
    [JsonPropertyName("created_at")] public string? CreatedAt { get; init; }
    [JsonPropertyName("updated_at")] public string? UpdatedAt { get; init; }
    [JsonPropertyName("submitted_at")] public string? SubmittedAt { get; init; }
    [JsonPropertyName("filled_at")] public string? FilledAt { get; init; }
    [JsonPropertyName("expired_at")] public string? ExpiredAt { get; init; }
    [JsonPropertyName("canceled_at")] public string? CanceledAt { get; init; }
    [JsonPropertyName("failed_at")] public string? FailedAt { get; init; }
    [JsonPropertyName("replaced_at")] public string? ReplacedAt { get; init; }
    [JsonPropertyName("replaced_by")] public string? ReplacedBy { get; init; }
    [JsonPropertyName("replaces")] public string? Replaces { get; init; }
    [JsonPropertyName("asset_id")] public string? AssetId { get; init; }
    [JsonPropertyName("symbol")] public string Symbol { get; init; } = "";
    [JsonPropertyName("asset_class")] public string? AssetClass { get; init; }
    [JsonPropertyName("notional")] public string? Notional { get; init; }
    [JsonPropertyName("qty")] public string? Qty { get; init; }
    [JsonPropertyName("filled_qty")] public string? FilledQty { get; init; }
    [JsonPropertyName("filled_avg_price")] public string? FilledAvgPrice { get; init; }
    [JsonPropertyName("order_class")] public string? OrderClass { get; init; }
    [JsonPropertyName("order_type")] public string? OrderType { get; init; }
    [JsonPropertyName("type")] public string? Type { get; init; }
    [JsonPropertyName("side")] public string Side { get; init; } = "";
    [JsonPropertyName("time_in_force")] public string? TimeInForce { get; init; }
    [JsonPropertyName("limit_price")] public string? LimitPrice { get; init; }
    [JsonPropertyName("stop_price")] public string? StopPrice { get; init; }
    [JsonPropertyName("status")] public string Status { get; init; } = "";
    [JsonPropertyName("extended_hours")] public bool ExtendedHours { get; init; }
    [JsonPropertyName("legs")] public IReadOnlyList<AlpacaOrder>? Legs { get; init; }
    [JsonPropertyName("trail_percent")] public string? TrailPercent { get; init; }
    [JsonPropertyName("trail_price")] public string? TrailPrice { get; init; }
    [JsonPropertyName("hwm")] public string? Hwm { get; init; }
}

/// <summary>Alpaca's error payload: a numeric code (shared by many errors: read the message too) and a message.</summary>
public sealed record AlpacaError
{
    [JsonPropertyName("code"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? Code { get; init; }
    [JsonPropertyName("message")] public string? Message { get; init; }
}

/// <summary>GET /v2/account (the fields the connector reads and the fake writes).</summary>
public sealed record AlpacaAccount
{
    [JsonPropertyName("id")] public string Id { get; init; } = "";
    [JsonPropertyName("account_number")] public string? AccountNumber { get; init; }
    [JsonPropertyName("status")] public string Status { get; init; } = "";
    [JsonPropertyName("currency")] public string Currency { get; init; } = "";
    [JsonPropertyName("cash")] public string? Cash { get; init; }
    [JsonPropertyName("buying_power")] public string? BuyingPower { get; init; }
    [JsonPropertyName("equity")] public string? Equity { get; init; }
    [JsonPropertyName("portfolio_value")] public string? PortfolioValue { get; init; }
    [JsonPropertyName("long_market_value")] public string? LongMarketValue { get; init; }
    [JsonPropertyName("short_market_value")] public string? ShortMarketValue { get; init; }
    [JsonPropertyName("pattern_day_trader")] public bool PatternDayTrader { get; init; }
    [JsonPropertyName("trading_blocked")] public bool TradingBlocked { get; init; }
    [JsonPropertyName("transfers_blocked")] public bool TransfersBlocked { get; init; }
    [JsonPropertyName("account_blocked")] public bool AccountBlocked { get; init; }
    [JsonPropertyName("trade_suspended_by_user")] public bool TradeSuspendedByUser { get; init; }
    [JsonPropertyName("created_at")] public string? CreatedAt { get; init; }
}

/// <summary>One entry of GET /v2/positions.</summary>
public sealed record AlpacaPosition
{
    [JsonPropertyName("asset_id")] public string? AssetId { get; init; }
    [JsonPropertyName("symbol")] public string Symbol { get; init; } = "";
    [JsonPropertyName("exchange")] public string? Exchange { get; init; }
    [JsonPropertyName("asset_class")] public string? AssetClass { get; init; }
    [JsonPropertyName("avg_entry_price")] public string? AvgEntryPrice { get; init; }
    [JsonPropertyName("qty")] public string? Qty { get; init; }
    [JsonPropertyName("qty_available")] public string? QtyAvailable { get; init; }
    [JsonPropertyName("side")] public string Side { get; init; } = "";
    [JsonPropertyName("market_value")] public string? MarketValue { get; init; }
    [JsonPropertyName("cost_basis")] public string? CostBasis { get; init; }
    [JsonPropertyName("unrealized_pl")] public string? UnrealizedPl { get; init; }
    [JsonPropertyName("current_price")] public string? CurrentPrice { get; init; }
}

/// <summary>GET /v2/assets/{symbol}. The size and price increments are documented for crypto only; equities leave them out.</summary>
public sealed record AlpacaAsset
{
    [JsonPropertyName("id")] public string Id { get; init; } = "";
    [JsonPropertyName("class")] public string Class { get; init; } = "";
    [JsonPropertyName("exchange")] public string? Exchange { get; init; }
    [JsonPropertyName("symbol")] public string Symbol { get; init; } = "";
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("status")] public string Status { get; init; } = "";
    [JsonPropertyName("tradable")] public bool Tradable { get; init; }
    [JsonPropertyName("marginable")] public bool Marginable { get; init; }
    [JsonPropertyName("shortable")] public bool Shortable { get; init; }
    [JsonPropertyName("easy_to_borrow")] public bool EasyToBorrow { get; init; }
    [JsonPropertyName("fractionable")] public bool Fractionable { get; init; }
    [JsonPropertyName("maintenance_margin_requirement"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public decimal? MaintenanceMarginRequirement { get; init; }
    [JsonPropertyName("min_order_size"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? MinOrderSize { get; init; }
    [JsonPropertyName("min_trade_increment"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? MinTradeIncrement { get; init; }
    [JsonPropertyName("price_increment"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? PriceIncrement { get; init; }
}

/// <summary>
/// Alpaca's JSON: (de)serialisation, its number and time formats, and an order object read into the one
/// <see cref="BrokerOrderResult"/> vocabulary. Pure; anything that does not parse throws <see cref="FormatException"/>.
/// </summary>
public static class AlpacaWire
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);

    /// <summary>Market orders are DAY orders (the only kind Alpaca fills fractionally); limit orders are good till cancelled.</summary>
    public const string MarketTimeInForce = "day";
    public const string LimitTimeInForce = "gtc";

    /// <summary>The request for an intent: our client order id in Alpaca's own field.</summary>
    public static AlpacaOrderRequest OrderRequest(OrderIntent intent)
    {
        ArgumentNullException.ThrowIfNull(intent);
        var limit = intent.Type == Domain.Orders.OrderType.Limit;
        if (limit && intent.LimitPrice is null) throw new ArgumentException("a limit order needs a limit price", nameof(intent));
        return new AlpacaOrderRequest(
            intent.Symbol,
            Format(intent.Quantity),
            SideName(intent.Side),
            limit ? "limit" : "market",
            limit ? LimitTimeInForce : MarketTimeInForce,
            limit ? Format(intent.LimitPrice!.Value) : null,
            intent.ClientOrderId);
    }

    public static string SideName(OrderSide side) => side == OrderSide.Sell ? "sell" : "buy";

    public static OrderSide ParseSide(string side) => side switch
    {
        "buy" => OrderSide.Buy,
        "sell" => OrderSide.Sell,
        _ => throw new FormatException($"unknown order side '{side}'"),
    };

    /// <summary>A decimal as Alpaca writes it: invariant, no exponent, no trailing zeros ("1", "171", "0.5").</summary>
    public static string Format(decimal value) => value.ToString("0.############################", CultureInfo.InvariantCulture);

    /// <summary>A number as Alpaca writes it: an optional sign, digits, a decimal point; no exponent, spaces or grouping.</summary>
    public static decimal ParseDecimal(string? value, string field) =>
        decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d)
            ? d
            : throw new FormatException($"'{field}' is not a number: '{value}'");

    public static decimal? ParseOptionalDecimal(string? value, string field) => value is null ? null : ParseDecimal(value, field);

    /// <summary>Alpaca's RFC 3339 times carry nanoseconds; .NET reads seven digits, so the rest is dropped.</summary>
    public static DateTimeOffset? ParseTime(string? value)
    {
        if (value is null) return null;
        var text = value;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end])) end++;
            if (end - dot - 1 > 7) text = string.Concat(text.AsSpan(0, dot + 8), text.AsSpan(end));
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t
            : throw new FormatException($"not a time: '{value}'");
    }

    /// <summary>Alpaca's way of writing a time: RFC 3339 in UTC.</summary>
    public static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Reads a JSON body; an empty or broken one is a <see cref="FormatException"/>.</summary>
    public static T Parse<T>(string body) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(body, Json) ?? throw new FormatException($"empty {typeof(T).Name}");
        }
        catch (JsonException e)
        {
            throw new FormatException($"not a valid {typeof(T).Name}: {e.Message}", e);
        }
    }

    /// <summary>The error payload of an answer, or null when its body is not Alpaca's error JSON.</summary>
    public static AlpacaError? TryParseError(string body)
    {
        try
        {
            var error = JsonSerializer.Deserialize<AlpacaError>(body, Json);
            return error is { Code: not null } or { Message: not null } ? error : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Json);

    /// <summary>
    /// An order's status in the one vocabulary. Every status that may still fill is open (Accepted, or PartiallyFilled once
    /// something filled, or Filled when all of it did): pending_cancel, pending_replace and done_for_day included — Alpaca
    /// documents done_for_day as "will not receive further updates until the next trading day", so a GTC order can still
    /// fill after it. Ended statuses are Cancelled, keeping any part that filled; "rejected" is an order Alpaca took and
    /// then refused (it arrives after the placement answered "accepted"), so it ends Cancelled with nothing filled rather
    /// than Rejected, which means "refused when placed" here.
    /// </summary>
    public static BrokerOrderStatus StatusOf(string status, decimal filled, decimal? quantity) => status switch
    {
        "filled" => BrokerOrderStatus.Filled,
        "partially_filled" => BrokerOrderStatus.PartiallyFilled,
        "canceled" or "expired" or "replaced" or "rejected" => BrokerOrderStatus.Cancelled,
        "new" or "accepted" or "pending_new" or "accepted_for_bidding" or "pending_cancel" or "pending_replace" or "done_for_day"
            or "stopped" or "suspended" or "calculated" or "held" =>
            filled <= 0 ? BrokerOrderStatus.Accepted
            : quantity is { } q && filled >= q ? BrokerOrderStatus.Filled
            : BrokerOrderStatus.PartiallyFilled,
        _ => throw new FormatException($"unknown order status '{status}'"),
    };

    /// <summary>
    /// An order object as a result: cumulative fill (filled_qty at filled_avg_price; Alpaca charges no commission on
    /// stocks, and regulatory fees are booked later as account activities, so the fee is 0), timed at filled_at, or at
    /// the last update for a partial fill.
    /// </summary>
    public static BrokerOrderResult ToResult(AlpacaOrder order, string clientOrderId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (string.IsNullOrEmpty(order.Id)) throw new FormatException("the order has no id");
        var quantity = ParseOptionalDecimal(order.Qty, "qty");
        var filled = ParseOptionalDecimal(order.FilledQty, "filled_qty") ?? 0m;
        var status = StatusOf(order.Status, filled, quantity);
        Fill? fill = null;
        if (filled > 0)
        {
            var price = ParseDecimal(order.FilledAvgPrice, "filled_avg_price");
            var at = ParseTime(order.FilledAt) ?? ParseTime(order.UpdatedAt) ?? ParseTime(order.SubmittedAt) ?? now;
            fill = new Fill(filled, price, 0m, order.Id, at);
        }
        return new BrokerOrderResult(status, order.ClientOrderId ?? clientOrderId, fill, order.Id,
            order.Status == "rejected" ? "alpaca rejected the order after accepting it" : null)
        {
            Symbol = order.Symbol,
            Side = ParseSide(order.Side),
            Quantity = quantity,
            LimitPrice = ParseOptionalDecimal(order.LimitPrice, "limit_price"),
        };
    }

    /// <summary>A position's signed quantity: Alpaca's side says long or short (its qty may or may not carry the sign).</summary>
    public static decimal SignedQuantity(AlpacaPosition position)
    {
        ArgumentNullException.ThrowIfNull(position);
        var quantity = Math.Abs(ParseDecimal(position.Qty, "qty"));
        return position.Side switch
        {
            "long" => quantity,
            "short" => -quantity,
            _ => throw new FormatException($"unknown position side '{position.Side}'"),
        };
    }

    /// <summary>GET /v2/account, /v2/positions and /v2/orders?status=open read into one account state.</summary>
    public static VenueAccountState ToAccountState(AlpacaAccount account, IReadOnlyList<AlpacaPosition> positions, IReadOnlyList<AlpacaOrder> openOrders, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(openOrders);
        var held = positions
            .Select(p => new VenuePosition(p.Symbol, SignedQuantity(p), ParseDecimal(p.AvgEntryPrice, "avg_entry_price")))
            .Where(p => p.Quantity != 0)
            .ToList();
        // A listed order names its own client order id; one placed without any (not by this engine) is listed with none.
        var orders = openOrders.Select(o => ToResult(o, "", now)).ToList();
        return new VenueAccountState(account.Currency, ParseDecimal(account.Cash, "cash"), ParseDecimal(account.Equity, "equity"), held, orders);
    }
}
