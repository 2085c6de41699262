using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Kis;

/// <summary>
/// Finding our order among the venue's daily order rows (inquire-daily-ccld) and reading a row as an order's state.
/// KIS carries no client order id, so an order whose answer was lost is recognised by what was sent — symbol, side,
/// quantity, sent at or after a time — among the orders not already known by number. Pure: rows and a lookup in, a
/// row out.
/// </summary>
public static class KisReconciliation
{
    public const string SellCode = "01";
    public const string BuyCode = "02";

    /// <summary>SLL_BUY_DVSN_CD of a side (00 is both).</summary>
    public static string SideCode(OrderSide side) => side == OrderSide.Sell ? SellCode : BuyCode;

    public static OrderSide? SideOf(string? code) => code switch
    {
        SellCode => OrderSide.Sell,
        BuyCode => OrderSide.Buy,
        _ => null,
    };

    /// <summary>When the venue took the order (its ord_dt + ord_tmd, KST, to the second).</summary>
    public static DateTimeOffset? OrderTime(KisOrderRow row) => KisWire.ParseDateTime(row.OrderDate, row.OrderTime);

    /// <summary>
    /// A new order, not a modify or cancel order (those name their original in orgn_odno). A blank or all-zero
    /// orgn_odno is read as "none", so an original is never skipped for the way the venue leaves the field empty.
    /// </summary>
    public static bool IsOriginal(KisOrderRow row) =>
        string.IsNullOrWhiteSpace(row.OriginalOrderNumber) || row.OriginalOrderNumber.Trim().All(c => c == '0');

    /// <summary>
    /// The row of the order looked up. With a venue order id: the row of that order number — when the number repeats
    /// across days, the first one at or after the send time (a later day's order may reuse it), else the latest, so a
    /// wrong send time never hides a known order. Without: the earliest new order of the same symbol, side and quantity sent at or after
    /// <see cref="OrderLookup.SentAfter"/> (to the second, less <paramref name="clockTolerance"/>) whose number is not in
    /// <see cref="OrderLookup.KnownVenueOrderIds"/>. Null when there is none.
    /// </summary>
    public static KisOrderRow? Match(IEnumerable<KisOrderRow> rows, OrderLookup lookup, TimeSpan clockTolerance)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        var notBefore = lookup.SentAfter is { } sent ? WholeSecond(sent) - clockTolerance : (DateTimeOffset?)null;
        bool SentInTime(KisOrderRow row) => notBefore is null || OrderTime(row) >= notBefore;

        if (lookup.VenueOrderId is { } id)
        {
            var numbered = rows.Where(r => r.OrderNumber == id).OrderBy(r => OrderTime(r)).ToList();
            return numbered.FirstOrDefault(SentInTime) ?? numbered.LastOrDefault();
        }
        var known = new HashSet<string>(lookup.KnownVenueOrderIds, StringComparer.Ordinal);
        return rows
            .Where(r => IsOriginal(r)
                        && r.Code == lookup.Symbol
                        && SideOf(r.SideCode) == lookup.Side
                        && KisWire.Number(r.Quantity) == lookup.Quantity
                        && SentInTime(r)
                        && !(r.OrderNumber is { } number && known.Contains(number)))
            .OrderBy(r => OrderTime(r))
            .ThenBy(r => r.OrderNumber, StringComparer.Ordinal)
            .FirstOrDefault();
    }

    /// <summary>
    /// A row as the order's state: Filled when all executed; Cancelled when cancelled, refused or ended with a part
    /// unfilled — including an order of an earlier day (KRX orders live one trading day); PartiallyFilled when part
    /// executed and the rest is open; else Accepted. The fill is cumulative at the average price (avg_prvs); the
    /// inquiry carries no fee or fill time, so the fee is 0 and the time is the order's.
    /// </summary>
    public static BrokerOrderResult ToResult(KisOrderRow row, string clientOrderId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(row);
        var ordered = KisWire.Number(row.Quantity);
        var filled = KisWire.Number(row.FilledQuantity);
        var cancelledQty = KisWire.Number(row.CancelConfirmedQuantity);
        var rejectedQty = KisWire.Number(row.RejectedQuantity);
        // A blank remaining quantity says nothing; the cancel and refusal quantities still do.
        var nothingLeft = !string.IsNullOrWhiteSpace(row.RemainingQuantity) && KisWire.Number(row.RemainingQuantity) <= 0;
        var ended = row.Cancelled == "Y" || cancelledQty > 0 || rejectedQty > 0 || nothingLeft
                    || string.CompareOrdinal(row.OrderDate, KisWire.Date(now)) < 0;
        var status = filled >= ordered && ordered > 0 ? BrokerOrderStatus.Filled
            : ended ? BrokerOrderStatus.Cancelled
            : filled > 0 ? BrokerOrderStatus.PartiallyFilled
            : BrokerOrderStatus.Accepted;

        var time = OrderTime(row) ?? now;
        Fill? fill = null;
        if (filled > 0)
        {
            var average = KisWire.Number(row.AveragePrice);
            var price = average > 0 ? average : KisWire.Number(row.FilledAmount) / filled;
            fill = new Fill(filled, price, 0m, row.OrderNumber ?? "", time);
        }
        var unitPrice = KisWire.Number(row.UnitPrice);
        return new BrokerOrderResult(status, clientOrderId, fill, row.OrderNumber, null)
        {
            Symbol = row.Code,
            Side = SideOf(row.SideCode),
            Quantity = ordered,
            LimitPrice = row.OrderDivision == MarketDivision || unitPrice <= 0 ? null : unitPrice,
        };
    }

    /// <summary>ORD_DVSN of a limit order (지정가).</summary>
    public const string LimitDivision = "00";

    /// <summary>ORD_DVSN of a market order (시장가).</summary>
    public const string MarketDivision = "01";

    private static DateTimeOffset WholeSecond(DateTimeOffset at) => new(at.Ticks - at.Ticks % TimeSpan.TicksPerSecond, at.Offset);
}
