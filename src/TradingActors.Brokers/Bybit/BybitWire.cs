using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Bybit;

/// <summary>
/// The Bybit v5 JSON shapes (the venue's own camelCase field names; numbers travel as strings), shared by the
/// connector and its fake, and the reading of an order record into a <see cref="BrokerOrderResult"/>.
/// </summary>
public static class BybitWire
{
    /// <summary>camelCase names, absent fields left out (a market order has no price).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>A decimal as the venue writes it: invariant, no exponent, no trailing zeros.</summary>
    public static string Number(decimal value) => value.ToString("0.############################", CultureInfo.InvariantCulture);

    /// <summary>A venue number; "" and absent are null (the venue writes "" for an average price it has not got).</summary>
    public static decimal? ParseNumber(string? text) =>
        string.IsNullOrEmpty(text) ? null : decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);

    /// <summary>A venue timestamp in milliseconds since the epoch (written as a string).</summary>
    public static DateTimeOffset? ParseMillis(string? text) =>
        string.IsNullOrEmpty(text) ? null : DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture));

    /// <summary>The venue's clock from /v5/market/time: timeNano (finest), else timeSecond; null when it gave neither.</summary>
    public static DateTimeOffset? ServerTime(ServerTimeResult time)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (!string.IsNullOrEmpty(time.TimeNano))
            return DateTimeOffset.UnixEpoch.AddTicks(long.Parse(time.TimeNano, NumberStyles.Integer, CultureInfo.InvariantCulture) / 100);
        return string.IsNullOrEmpty(time.TimeSecond)
            ? null
            : DateTimeOffset.FromUnixTimeSeconds(long.Parse(time.TimeSecond, NumberStyles.Integer, CultureInfo.InvariantCulture));
    }

    public static string Side(OrderSide side) => side == OrderSide.Buy ? "Buy" : "Sell";

    public static OrderSide? ParseSide(string? side) => side switch
    {
        "Buy" => OrderSide.Buy,
        "Sell" => OrderSide.Sell,
        _ => null,
    };

    /// <summary>The body of POST /v5/order/create for an intent: a limit order is good till cancelled; our client order id is the orderLinkId.</summary>
    public static CreateOrderRequest CreateOrder(string category, OrderIntent intent)
    {
        ArgumentNullException.ThrowIfNull(intent);
        var limit = intent.Type == OrderType.Limit;
        return new CreateOrderRequest(
            category, intent.Symbol, Side(intent.Side), limit ? "Limit" : "Market", Number(intent.Quantity),
            limit ? Number(intent.LimitPrice ?? throw new ArgumentException("a limit order needs a limit price", nameof(intent))) : null,
            limit ? "GTC" : null,
            intent.ClientOrderId,
            // Spot market orders count a buy's qty in the quote coin unless told otherwise; ours is always the base quantity.
            !limit && string.Equals(category, "spot", StringComparison.Ordinal) ? "baseCoin" : null);
    }

    /// <summary>
    /// An order as the venue reports it, in the engine's terms: open (New, Untriggered, Triggered) is Accepted or
    /// PartiallyFilled by what executed; Filled; Cancelled, PartiallyFilledCanceled, Deactivated and Rejected (after
    /// the venue took it) are Cancelled with whatever executed kept in the cumulative fill.
    /// </summary>
    public static BrokerOrderResult ToResult(OrderRecord order, string fallbackClientOrderId)
    {
        ArgumentNullException.ThrowIfNull(order);
        var executed = ParseNumber(order.CumExecQty) ?? 0m;
        var status = order.OrderStatus switch
        {
            "New" or "Untriggered" or "Triggered" or "Created" => executed > 0 ? BrokerOrderStatus.PartiallyFilled : BrokerOrderStatus.Accepted,
            "PartiallyFilled" => BrokerOrderStatus.PartiallyFilled,
            "Filled" => BrokerOrderStatus.Filled,
            "Cancelled" or "PartiallyFilledCanceled" or "Deactivated" or "Rejected" => BrokerOrderStatus.Cancelled,
            _ => throw new VenueOutcomeUnknownException($"bybit: order {order.OrderId} has a status this connector does not know ({order.OrderStatus})"),
        };
        var fill = executed > 0 ? new Fill(executed, AveragePrice(order, executed), ParseNumber(order.CumExecFee) ?? 0m, order.OrderId, ParseMillis(order.UpdatedTime) ?? ParseMillis(order.CreatedTime) ?? DateTimeOffset.UnixEpoch) : null;
        return new BrokerOrderResult(status, string.IsNullOrEmpty(order.OrderLinkId) ? fallbackClientOrderId : order.OrderLinkId, fill, order.OrderId,
            status == BrokerOrderStatus.Cancelled && order.OrderStatus == "Rejected" ? order.RejectReason : null)
        {
            Symbol = order.Symbol,
            Side = ParseSide(order.Side),
            Quantity = ParseNumber(order.Qty),
            LimitPrice = order.OrderType == "Limit" ? ParseNumber(order.Price) : null,
        };
    }

    // The venue writes "" (unified) or "0" (classic) when it has no average; the executed value over the quantity is the same number.
    private static decimal AveragePrice(OrderRecord order, decimal executed) =>
        ParseNumber(order.AvgPrice) is > 0m and var average ? average : (ParseNumber(order.CumExecValue) ?? 0m) / executed;
}

/// <summary>Every answer: retCode 0 and "OK", or an error code and message (HTTP 200 either way), the result, the venue's time (ms).</summary>
public sealed record BybitEnvelope<T>(int RetCode, string RetMsg, T? Result, JsonElement? RetExtInfo, long Time);

/// <summary>POST /v5/order/create.</summary>
public sealed record CreateOrderRequest(string Category, string Symbol, string Side, string OrderType, string Qty, string? Price, string? TimeInForce, string? OrderLinkId, string? MarketUnit = null);

/// <summary>POST /v5/order/cancel: either id; the venue takes orderId first.</summary>
public sealed record CancelOrderRequest(string Category, string Symbol, string? OrderId, string? OrderLinkId);

/// <summary>The answer to create and cancel: the ids only (the order's state is learnt by lookup).</summary>
public sealed record OrderIdResult(string? OrderId, string? OrderLinkId);

/// <summary>One page of a list (orders, positions, instruments); an empty cursor means the last page.</summary>
public sealed record BybitPage<T>(string? Category, List<T>? List, string? NextPageCursor);

/// <summary>An order in GET /v5/order/realtime and /v5/order/history.</summary>
public sealed record OrderRecord(
    string OrderId, string? OrderLinkId, string Symbol, string? Price, string? Qty, string? Side, string OrderStatus, string? RejectReason,
    string? AvgPrice, string? LeavesQty, string? CumExecQty, string? CumExecValue, string? CumExecFee, string? TimeInForce, string? OrderType,
    string? CreatedTime, string? UpdatedTime);

/// <summary>GET /v5/market/time.</summary>
public sealed record ServerTimeResult(string? TimeSecond, string? TimeNano);

/// <summary>GET /v5/account/wallet-balance.</summary>
public sealed record WalletBalanceResult(List<WalletAccount>? List);

public sealed record WalletAccount(string? AccountType, string? TotalEquity, string? TotalWalletBalance, string? TotalAvailableBalance, List<WalletCoin>? Coin);

public sealed record WalletCoin(string Coin, string? Equity, string? WalletBalance, string? UsdValue);

/// <summary>A position in GET /v5/position/list: side Buy (long) or Sell (short), "" when flat; size unsigned.</summary>
public sealed record PositionRecord(string Symbol, string? Side, string? Size, string? AvgPrice, int PositionIdx, string? MarkPrice, string? PositionValue);

/// <summary>An instrument in GET /v5/market/instruments-info (linear and spot fields together; each category fills its own).</summary>
public sealed record InstrumentRecord(string Symbol, string? Status, string? BaseCoin, string? QuoteCoin, LotSizeFilter? LotSizeFilter, PriceFilter? PriceFilter);

public sealed record LotSizeFilter(
    string? QtyStep = null, string? MinOrderQty = null, string? MaxOrderQty = null, string? MinNotionalValue = null,
    string? BasePrecision = null, string? MinOrderAmt = null);

public sealed record PriceFilter(string? TickSize, string? MinPrice = null, string? MaxPrice = null);
