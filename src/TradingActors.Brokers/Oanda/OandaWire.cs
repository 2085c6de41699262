using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace TradingActors.Brokers.Oanda;

/// <summary>
/// OANDA v20's JSON shapes, with its own field names (camelCase, "ID" kept upper case, "NAV"), shared by the
/// connector and the fake. Decimals travel as strings, as OANDA sends them; times are RFC 3339 with up to nine
/// fractional digits. One answer record (<see cref="OandaResponse"/>) holds every top-level field the endpoints used
/// here answer with; each endpoint fills its own.
/// </summary>
public static partial class OandaWire
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public const string Market = "MARKET";
    public const string Limit = "LIMIT";
    public const string MarketOrderTransaction = "MARKET_ORDER";
    public const string LimitOrderTransaction = "LIMIT_ORDER";
    public const string OrderFill = "ORDER_FILL";
    public const string OrderCancel = "ORDER_CANCEL";
    public const string OrderCancelReject = "ORDER_CANCEL_REJECT";
    public const string Pending = "PENDING";
    public const string Filled = "FILLED";
    public const string Triggered = "TRIGGERED";
    public const string Cancelled = "CANCELLED";
    public const string FillOrKill = "FOK";
    public const string GoodTillCancelled = "GTC";
    public const string DefaultPositionFill = "DEFAULT";
    public const string PriceLine = "PRICE";
    public const string HeartbeatLine = "HEARTBEAT";

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Json);

    /// <summary>The body read as <typeparamref name="T"/>; null when it is empty or not such JSON.</summary>
    public static T? Read<T>(string? body) where T : class
    {
        if (string.IsNullOrWhiteSpace(body)) return null;
        try
        {
            return JsonSerializer.Deserialize<T>(body, Json);
        }
        // Stryker disable once Block : without this block the method returns default, which is this null
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A decimal as OANDA writes it: invariant, no exponent, no trailing zeros ("1000", "-250", "1.085").</summary>
    public static string Number(decimal value) => value.ToString("0.############################", CultureInfo.InvariantCulture);

    /// <summary>A decimal string of OANDA's; null when absent; a malformed one is a <see cref="FormatException"/> naming the field.</summary>
    public static decimal? Decimal(string? value, string field)
    {
        if (value is null) return null;
        return TryDecimal(value, out var d) ? d : throw new FormatException($"{OandaOptions.VenueName}: '{field}' is not a decimal");
    }

    /// <summary>Reads a decimal string of OANDA's (sign and point only: no exponent, no grouping).</summary>
    public static bool TryDecimal(string? value, out decimal result) =>
        decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out result);

    /// <summary>A decimal string that must be there.</summary>
    public static decimal Required(string? value, string field) =>
        Decimal(value, field) ?? throw new FormatException($"{OandaOptions.VenueName}: '{field}' is missing");

    /// <summary>
    /// An RFC 3339 time as OANDA writes it ("2016-10-25T19:45:38.558056359Z": nanoseconds, which .NET's parser does
    /// not take past seven digits, so the extra digits are dropped). Null when absent.
    /// </summary>
    public static DateTimeOffset? Time(string? value)
    {
        if (value is null) return null;
        var text = BeyondTicks().Replace(value, "$1");
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t
            : throw new FormatException($"{OandaOptions.VenueName}: '{value}' is not an RFC 3339 time");
    }

    /// <summary>Seconds' fraction digits past the seventh (a tick is 100 ns).</summary>
    [GeneratedRegex(@"(\.[0-9]{7})[0-9]+")]
    private static partial Regex BeyondTicks();

    /// <summary>A time the way OANDA writes it: UTC, nine fractional digits.</summary>
    public static string Time(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffff", CultureInfo.InvariantCulture) + "00Z";

    /// <summary>The paths of the v20 endpoints used here, relative to the host (each starts with v3/).</summary>
    public static class Paths
    {
        public static string Account(string accountId) => "v3/accounts/" + Uri.EscapeDataString(accountId);

        public static string Orders(string accountId) => Account(accountId) + "/orders";

        /// <summary>An order by OANDA's id ("1234") or by client id ("@ours").</summary>
        public static string Order(string accountId, string specifier) => Orders(accountId) + "/" + specifier;

        public static string ByClientId(string clientOrderId) => "@" + Uri.EscapeDataString(clientOrderId);

        public static string ById(string orderId) => Uri.EscapeDataString(orderId);

        public static string Cancel(string accountId, string specifier) => Order(accountId, specifier) + "/cancel";

        public static string PendingOrders(string accountId) => Account(accountId) + "/pendingOrders";

        public static string Transaction(string accountId, string transactionId) => Account(accountId) + "/transactions/" + Uri.EscapeDataString(transactionId);

        public static string Summary(string accountId) => Account(accountId) + "/summary";

        public static string OpenPositions(string accountId) => Account(accountId) + "/openPositions";

        public static string Instruments(string accountId, string instrument) => Account(accountId) + "/instruments?instruments=" + Uri.EscapeDataString(instrument);

        public static string PricingStream(string accountId, IEnumerable<string> instruments) =>
            Account(accountId) + "/pricing/stream?instruments=" + string.Join(',', instruments.Select(Uri.EscapeDataString));
    }
}

/// <summary>The body of an order request: <c>{"order":{...}}</c>.</summary>
public sealed record OandaOrderBody(OandaOrderRequest? Order);

/// <summary>A MARKET or LIMIT order request. Units are signed (negative = sell); price only for LIMIT.</summary>
public sealed record OandaOrderRequest
{
    public string? Type { get; init; }
    public string? Instrument { get; init; }
    public string? Units { get; init; }
    public string? Price { get; init; }
    public string? TimeInForce { get; init; }
    public string? PositionFill { get; init; }
    public OandaClientExtensions? ClientExtensions { get; init; }
}

/// <summary>The client's own id (ours: the client order id), tag and comment on an order.</summary>
public sealed record OandaClientExtensions(string? Id, string? Tag = null, string? Comment = null);

/// <summary>
/// Every top-level field of the answers used here: order creation (create/fill/cancel/reissue/reject transactions),
/// one order, orders, one transaction, the account summary, positions, instruments, and OANDA's error fields.
/// </summary>
public sealed record OandaResponse
{
    public OandaTransaction? OrderCreateTransaction { get; init; }
    public OandaTransaction? OrderFillTransaction { get; init; }
    public OandaTransaction? OrderCancelTransaction { get; init; }
    public OandaTransaction? OrderReissueTransaction { get; init; }
    public OandaTransaction? OrderReissueRejectTransaction { get; init; }
    public OandaTransaction? OrderRejectTransaction { get; init; }
    public OandaTransaction? OrderCancelRejectTransaction { get; init; }
    public OandaOrder? Order { get; init; }
    public IReadOnlyList<OandaOrder>? Orders { get; init; }
    public OandaTransaction? Transaction { get; init; }
    public OandaAccountSummary? Account { get; init; }
    public IReadOnlyList<OandaPosition>? Positions { get; init; }
    public IReadOnlyList<OandaInstrument>? Instruments { get; init; }
    public IReadOnlyList<string>? RelatedTransactionIDs { get; init; }
    public string? LastTransactionID { get; init; }
    public string? ErrorCode { get; init; }
    public string? ErrorMessage { get; init; }
}

/// <summary>
/// A transaction: the fields of the types read and written here (MARKET_ORDER, LIMIT_ORDER and their _REJECT,
/// ORDER_FILL, ORDER_CANCEL, ORDER_CANCEL_REJECT).
/// </summary>
public sealed record OandaTransaction
{
    public string? Id { get; init; }
    public string? Time { get; init; }
    public int? UserID { get; init; }
    public string? AccountID { get; init; }
    public string? BatchID { get; init; }
    public string? RequestID { get; init; }
    public string? Type { get; init; }
    public string? Instrument { get; init; }
    public string? Units { get; init; }
    public string? Price { get; init; }
    public string? TimeInForce { get; init; }
    public string? PositionFill { get; init; }
    public string? TriggerCondition { get; init; }
    public string? Reason { get; init; }
    public string? RejectReason { get; init; }
    public OandaClientExtensions? ClientExtensions { get; init; }
    public string? ReplacesOrderID { get; init; }
    public string? ReplacedByOrderID { get; init; }
    public string? OrderID { get; init; }
    public string? ClientOrderID { get; init; }
    public string? FullVWAP { get; init; }
    public string? Pl { get; init; }
    public string? Financing { get; init; }
    public string? Commission { get; init; }
    public string? GuaranteedExecutionFee { get; init; }
    public string? HalfSpreadCost { get; init; }
    public string? AccountBalance { get; init; }
    public OandaTradeChange? TradeOpened { get; init; }
    public OandaTradeChange? TradeReduced { get; init; }
    public IReadOnlyList<OandaTradeChange>? TradesClosed { get; init; }
}

/// <summary>A trade opened, reduced or closed by a fill: its units and the price they traded at.</summary>
public sealed record OandaTradeChange
{
    public string? TradeID { get; init; }
    public string? Units { get; init; }
    public string? Price { get; init; }
    public string? RealizedPL { get; init; }
    public string? Financing { get; init; }
    public string? GuaranteedExecutionFee { get; init; }
    public string? HalfSpreadCost { get; init; }
}

/// <summary>An order as GET .../orders/{specifier} and .../pendingOrders answer it.</summary>
public sealed record OandaOrder
{
    public string? Id { get; init; }
    public string? CreateTime { get; init; }
    public string? State { get; init; }
    public OandaClientExtensions? ClientExtensions { get; init; }
    public string? Type { get; init; }
    public string? Instrument { get; init; }
    public string? Units { get; init; }
    public string? Price { get; init; }
    public string? TimeInForce { get; init; }
    public string? PositionFill { get; init; }
    public string? TriggerCondition { get; init; }
    public string? FillingTransactionID { get; init; }
    public string? FilledTime { get; init; }
    public string? TradeOpenedID { get; init; }
    public string? TradeReducedID { get; init; }
    public IReadOnlyList<string>? TradeClosedIDs { get; init; }
    public string? CancellingTransactionID { get; init; }
    public string? CancelledTime { get; init; }
    public string? ReplacesOrderID { get; init; }
    public string? ReplacedByOrderID { get; init; }
}

/// <summary>GET .../summary's account: balance, NAV (balance + unrealized P/L), home currency.</summary>
public sealed record OandaAccountSummary
{
    public string? Id { get; init; }
    public string? Currency { get; init; }
    public string? Balance { get; init; }

    [JsonPropertyName("NAV")]
    public string? Nav { get; init; }

    public string? UnrealizedPL { get; init; }
    public string? Pl { get; init; }
    public string? MarginUsed { get; init; }
    public string? MarginAvailable { get; init; }
    public string? PositionValue { get; init; }
    public int? OpenTradeCount { get; init; }
    public int? OpenPositionCount { get; init; }
    public int? PendingOrderCount { get; init; }
    public bool? HedgingEnabled { get; init; }
    public string? CreatedTime { get; init; }
    public string? LastTransactionID { get; init; }
}

/// <summary>A position in one instrument: its long and short sides (short units are negative).</summary>
public sealed record OandaPosition
{
    public string? Instrument { get; init; }
    public string? Pl { get; init; }
    public string? UnrealizedPL { get; init; }
    public string? MarginUsed { get; init; }
    public string? Commission { get; init; }
    public string? Financing { get; init; }
    public OandaPositionSide? Long { get; init; }
    public OandaPositionSide? Short { get; init; }
}

public sealed record OandaPositionSide
{
    public string? Units { get; init; }
    public string? AveragePrice { get; init; }
    public IReadOnlyList<string>? TradeIDs { get; init; }
    public string? Pl { get; init; }
    public string? UnrealizedPL { get; init; }
}

/// <summary>An instrument's trading rules as GET .../instruments answers them.</summary>
public sealed record OandaInstrument
{
    public string? Name { get; init; }
    public string? Type { get; init; }
    public string? DisplayName { get; init; }
    public int? PipLocation { get; init; }
    public int? DisplayPrecision { get; init; }
    public int? TradeUnitsPrecision { get; init; }
    public string? MinimumTradeSize { get; init; }
    public string? MaximumOrderUnits { get; init; }
    public string? MaximumPositionSize { get; init; }
    public string? MarginRate { get; init; }
}

/// <summary>One line of the price stream: a PRICE (bids, asks, closeout prices) or a HEARTBEAT (type and time only).</summary>
public sealed record OandaStreamLine
{
    public string? Type { get; init; }
    public string? Time { get; init; }
    public string? Instrument { get; init; }
    public string? Status { get; init; }
    public bool? Tradeable { get; init; }
    public IReadOnlyList<OandaPriceBucket>? Bids { get; init; }
    public IReadOnlyList<OandaPriceBucket>? Asks { get; init; }
    public string? CloseoutBid { get; init; }
    public string? CloseoutAsk { get; init; }
}

/// <summary>A price and the liquidity (units) offered at it.</summary>
public sealed record OandaPriceBucket(string? Price, decimal? Liquidity);
