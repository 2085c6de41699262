using TradingActors.Brokers.Http;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Oanda;

/// <summary>
/// Every OANDA v20 answer mapped into the outcome vocabulary of <see cref="IBrokerClient"/> (pure):
/// <list type="bullet">
/// <item>201 to an order: orderCreateTransaction with orderFillTransaction (Filled, or PartiallyFilled when fewer
/// units filled), orderCancelTransaction (Cancelled with its reason, e.g. a FOK that could not fill), or neither
/// (Accepted: a resting limit order);</item>
/// <item>400/404 with orderRejectTransaction: Rejected with OANDA's rejectReason (INSUFFICIENT_MARGIN, UNITS_INVALID,
/// ...) — except CLIENT_ORDER_ID_ALREADY_EXISTS, <see cref="DuplicateClientOrderIdException"/>;</item>
/// <item>401 (token refused), 403 (the token may not use the account), 400/404/405 without a reject transaction:
/// <see cref="OrderNotPlacedException"/>; 429: the same, retryable;</item>
/// <item>5xx, an answer that does not parse, anything else: <see cref="VenueOutcomeUnknownException"/>.</item>
/// </list>
/// Orders are read as chains: when OANDA fills part of an order and reissues the rest as a new order
/// (replacesOrderID / replacedByOrderID), the executed quantity is the sum of the chain's fills and the order is
/// the first link's (its id and units).
/// </summary>
public static class OandaErrors
{
    public const string ClientOrderIdAlreadyExists = "CLIENT_ORDER_ID_ALREADY_EXISTS";
    public const string OrderDoesntExist = "ORDER_DOESNT_EXIST";

    // ---- placing

    /// <summary>The answer to POST .../orders for <paramref name="intent"/>.</summary>
    public static BrokerOrderResult PlaceAnswer(VenueResponse answer, OrderIntent intent, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(intent);
        var body = OandaWire.Read<OandaResponse>(answer.Body);
        if (answer.IsSuccess)
        {
            try
            {
                return Placed(body ?? throw new FormatException("not JSON"), intent.ClientOrderId);
            }
            catch (FormatException e)
            {
                throw new VenueOutcomeUnknownException($"{answer.Description}: {answer.Code} answer does not parse ({e.Message})", e);
            }
        }
        if (answer.Code is 400 or 404)
        {
            var reject = body?.OrderRejectTransaction;
            if (reject?.RejectReason == ClientOrderIdAlreadyExists || body?.ErrorCode == ClientOrderIdAlreadyExists)
                throw new DuplicateClientOrderIdException(intent.ClientOrderId);
            if (reject is not null)
                return BrokerOrderResult.Rejected(intent.ClientOrderId, Reason(reject.RejectReason ?? body!.ErrorCode, body!.ErrorMessage)) with
                {
                    Symbol = intent.Symbol,
                    Side = intent.Side,
                    Quantity = intent.Quantity,
                    LimitPrice = intent.LimitPrice,
                };
        }
        throw Failure(answer, body, now);
    }

    /// <summary>A 201 to an order: the order as its create transaction and the fill or cancel that came with it.</summary>
    public static BrokerOrderResult Placed(OandaResponse body, string clientOrderId)
    {
        ArgumentNullException.ThrowIfNull(body);
        var create = body.OrderCreateTransaction ?? throw new FormatException("no orderCreateTransaction");
        var id = create.Id ?? throw new FormatException("orderCreateTransaction has no id");
        var units = OandaWire.Required(create.Units, "units");
        var ordered = Math.Abs(units);
        var fill = FillOf(body.OrderFillTransaction is { } f ? [f] : [], id);
        var filled = fill?.Quantity ?? 0m;
        var status = body.OrderCancelTransaction is not null ? BrokerOrderStatus.Cancelled
            : filled == 0 ? BrokerOrderStatus.Accepted
            : filled >= ordered ? BrokerOrderStatus.Filled
            : BrokerOrderStatus.PartiallyFilled;
        return new BrokerOrderResult(status, clientOrderId, fill, id, body.OrderCancelTransaction?.Reason)
        {
            Symbol = create.Instrument,
            Side = OandaInstruments.SideOf(units),
            Quantity = ordered,
            LimitPrice = create.Type == OandaWire.LimitOrderTransaction ? OandaWire.Decimal(create.Price, "price") : null,
        };
    }

    // ---- orders and fills

    /// <summary>
    /// An order from its chain (first link: the order placed; last link: where it stands now) and the fill transactions
    /// of its FILLED links.
    /// </summary>
    public static BrokerOrderResult FromOrders(IReadOnlyList<OandaOrder> chain, IEnumerable<OandaTransaction> fills, string clientOrderId)
    {
        ArgumentNullException.ThrowIfNull(chain);
        if (chain.Count == 0) throw new ArgumentException("an order chain has at least one order", nameof(chain));
        var root = chain[0];
        var id = root.Id ?? throw new FormatException("an order without an id");
        var units = OandaWire.Required(root.Units, "units");
        var ordered = Math.Abs(units);
        var fill = FillOf(fills, id);
        return new BrokerOrderResult(StatusOf(chain[^1].State, fill?.Quantity ?? 0m, ordered), clientOrderId, fill, id, null)
        {
            Symbol = root.Instrument,
            Side = OandaInstruments.SideOf(units),
            Quantity = ordered,
            LimitPrice = root.Type == OandaWire.Limit ? OandaWire.Decimal(root.Price, "price") : null,
        };
    }

    /// <summary>
    /// The status of an order whose last link is in <paramref name="state"/> with <paramref name="filled"/> of
    /// <paramref name="ordered"/> units executed. A FILLED last link short of the whole is an order whose rest was
    /// not reissued: it ended.
    /// </summary>
    public static BrokerOrderStatus StatusOf(string? state, decimal filled, decimal ordered) => state switch
    {
        OandaWire.Pending or OandaWire.Triggered => filled > 0 ? BrokerOrderStatus.PartiallyFilled : BrokerOrderStatus.Accepted,
        OandaWire.Filled => filled >= ordered ? BrokerOrderStatus.Filled : BrokerOrderStatus.Cancelled,
        OandaWire.Cancelled => BrokerOrderStatus.Cancelled,
        _ => throw new FormatException($"unknown order state '{state}'"),
    };

    /// <summary>The cumulative fill of ORDER_FILL transactions: units, their average price, fees, last time; null when nothing filled.</summary>
    public static Fill? FillOf(IEnumerable<OandaTransaction> fills, string venueOrderId)
    {
        ArgumentNullException.ThrowIfNull(fills);
        decimal quantity = 0, value = 0, fee = 0;
        var times = new List<DateTimeOffset>();
        foreach (var fill in fills)
        {
            var part = FillParts(fill);
            quantity += part.Units;
            value += part.Units * part.Price;
            fee += part.Fee;
            times.Add(part.Time);
        }
        return quantity == 0 ? null : new Fill(quantity, value / quantity, fee, venueOrderId, times.Max());
    }

    /// <summary>
    /// One ORDER_FILL: units filled; the price from the trades it opened, reduced or closed (OANDA's official prices;
    /// the top-level price is deprecated and only a fallback); the fee as a cost: commission and guaranteed execution
    /// fee, less financing (OANDA signs amounts from the account's side: financing paid is negative).
    /// </summary>
    public static (decimal Units, decimal Price, decimal Fee, DateTimeOffset Time) FillParts(OandaTransaction fill)
    {
        ArgumentNullException.ThrowIfNull(fill);
        var units = Math.Abs(OandaWire.Required(fill.Units, "units"));
        decimal tradedUnits = 0, tradedValue = 0;
        foreach (var trade in Trades(fill))
        {
            var u = Math.Abs(OandaWire.Required(trade.Units, "trade units"));
            tradedUnits += u;
            tradedValue += u * OandaWire.Required(trade.Price, "trade price");
        }
        var price = tradedUnits > 0 ? tradedValue / tradedUnits : OandaWire.Decimal(fill.Price, "price") ?? OandaWire.Required(fill.FullVWAP, "fullVWAP");
        var fee = (OandaWire.Decimal(fill.Commission, "commission") ?? 0m)
            + (OandaWire.Decimal(fill.GuaranteedExecutionFee, "guaranteedExecutionFee") ?? 0m)
            - (OandaWire.Decimal(fill.Financing, "financing") ?? 0m);
        var time = OandaWire.Time(fill.Time) ?? throw new FormatException("a fill without a time");
        return (units, price, fee, time);
    }

    private static IEnumerable<OandaTradeChange> Trades(OandaTransaction fill)
    {
        if (fill.TradeOpened is { } opened) yield return opened;
        if (fill.TradeReduced is { } reduced) yield return reduced;
        foreach (var closed in fill.TradesClosed ?? []) yield return closed;
    }

    // ---- reads

    /// <summary>The answer to GET .../orders/{specifier}: the order, or null when OANDA has none (404 ORDER_DOESNT_EXIST).</summary>
    public static OandaOrder? OrderAnswer(VenueResponse answer, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var body = OandaWire.Read<OandaResponse>(answer.Body);
        if (answer.IsSuccess) return body?.Order ?? throw Unparseable(answer);
        if (IsMissingOrder(answer, body)) return null;
        throw Failure(answer, body, now);
    }

    /// <summary>
    /// The look-up made before every placement: as <see cref="OrderAnswer"/>, but a failure of any kind is a
    /// refusal — nothing was placed by this call — and one that may pass (5xx, broken answer, rate limit) is retryable.
    /// </summary>
    public static OandaOrder? ExistingOrder(VenueResponse answer, DateTimeOffset now)
    {
        try
        {
            return OrderAnswer(answer, now);
        }
        catch (VenueOutcomeUnknownException e)
        {
            throw LookupFailed(e);
        }
    }

    /// <summary>The look-up before placing did not answer (its request failed): nothing was placed; try again.</summary>
    public static OrderNotPlacedException LookupFailed(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return VenueRefusal.Retryable($"the look-up before placing failed, nothing was placed: {e.Message}", inner: e);
    }

    /// <summary>The answer to GET .../transactions/{id}.</summary>
    public static OandaTransaction TransactionAnswer(VenueResponse answer, DateTimeOffset now) =>
        Answer(answer, now).Transaction ?? throw Unparseable(answer);

    /// <summary>Any successful answer's body; a failure as its exception.</summary>
    public static OandaResponse Answer(VenueResponse answer, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var body = OandaWire.Read<OandaResponse>(answer.Body);
        if (answer.IsSuccess) return body ?? throw Unparseable(answer);
        throw Failure(answer, body, now);
    }

    /// <summary>
    /// The answer to PUT .../cancel: true when OANDA cancelled the order; false when it refused because it holds no
    /// such pending order (unknown, or already filled or cancelled) — then the order's own state is the answer.
    /// </summary>
    public static bool CancelAnswer(VenueResponse answer, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var body = OandaWire.Read<OandaResponse>(answer.Body);
        if (answer.IsSuccess) return true;
        if (answer.Code is 400 or 404 && (body?.OrderCancelRejectTransaction is not null || IsMissingOrder(answer, body))) return false;
        throw Failure(answer, body, now);
    }

    /// <summary>The answer to GET .../instruments?instruments=X: the rules listed; none when OANDA does not know the name.</summary>
    public static IReadOnlyList<OandaInstrument> InstrumentsAnswer(VenueResponse answer, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var body = OandaWire.Read<OandaResponse>(answer.Body);
        if (answer.IsSuccess) return body?.Instruments ?? throw Unparseable(answer);
        // The only parameter sent is the name: a 400 about it means OANDA lists no such instrument.
        if (answer.Code == 400 && body?.ErrorMessage?.Contains("'instruments", StringComparison.Ordinal) == true) return [];
        throw Failure(answer, body, now);
    }

    /// <summary>The answer to the connectivity check (GET .../summary): a refusal of the token is an answer, not a failure.</summary>
    public static ConnectivityCheck Connectivity(VenueResponse answer, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(answer);
        if (answer.IsSuccess) return ConnectivityCheck.Ok;
        var body = OandaWire.Read<OandaResponse>(answer.Body);
        return answer.Code switch
        {
            401 => ConnectivityCheck.Refused($"{OandaOptions.VenueName} refused the API token ({Detail(answer, body)})"),
            403 => ConnectivityCheck.Refused($"{OandaOptions.VenueName}: the API token may not use this account ({Detail(answer, body)})"),
            _ => throw Failure(answer, body, now),
        };
    }

    /// <summary>
    /// The orders of GET .../pendingOrders that are orders of their own: dependent orders (take profit, stop loss on a
    /// trade) carry no instrument and units.
    /// </summary>
    public static IReadOnlyList<OandaOrder> PendingOrders(OandaResponse pending)
    {
        ArgumentNullException.ThrowIfNull(pending);
        return (pending.Orders ?? []).Where(o => o.Instrument is not null && o.Units is not null).ToList();
    }

    /// <summary>
    /// The account as OANDA holds it (the answers of GET .../summary and .../openPositions): balance as cash, NAV as
    /// equity, net positions (long + short units, at the average price of the side that remains), open orders.
    /// </summary>
    public static VenueAccountState AccountState(OandaResponse summary, OandaResponse positions, IReadOnlyList<BrokerOrderResult> openOrders)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(openOrders);
        var account = summary.Account ?? throw new FormatException("the summary has no account");
        var held = new List<VenuePosition>();
        foreach (var p in positions.Positions ?? [])
        {
            var longUnits = OandaWire.Decimal(p.Long?.Units, "long units") ?? 0m;
            var shortUnits = OandaWire.Decimal(p.Short?.Units, "short units") ?? 0m;
            var net = longUnits + shortUnits;
            if (net == 0) continue;
            var side = Math.Sign(net) == 1 ? p.Long : p.Short;
            held.Add(new VenuePosition(p.Instrument ?? throw new FormatException("a position without an instrument"), net,
                OandaWire.Required(side!.AveragePrice, "averagePrice")));
        }
        return new VenueAccountState(
            account.Currency ?? throw new FormatException("an account without a currency"),
            OandaWire.Required(account.Balance, "balance"),
            OandaWire.Required(account.Nav, "NAV"),
            held,
            openOrders);
    }

    // ---- failures

    /// <summary>A failed answer as its exception (see the class summary).</summary>
    public static Exception Failure(VenueResponse answer, OandaResponse? body, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var what = $"{answer.Description}: {answer.Code} {Detail(answer, body)}";
        return answer.Code switch
        {
            401 => new OrderNotPlacedException($"{what} (the API token was refused)"),
            403 => new OrderNotPlacedException($"{what} (the API token may not use this account)"),
            429 => VenueRefusal.Retryable($"{what} (rate limit)", answer.RetryAfter(now)),
            400 or 404 or 405 => new OrderNotPlacedException($"{what} (refused)"),
            _ => new VenueOutcomeUnknownException(what),
        };
    }

    /// <summary>OANDA's own words for a failure: errorCode and errorMessage, else a short excerpt of the body (error bodies carry no credentials).</summary>
    public static string Detail(VenueResponse answer, OandaResponse? body)
    {
        ArgumentNullException.ThrowIfNull(answer);
        if (body?.ErrorCode is null && body?.ErrorMessage is null) return answer.Excerpt;
        return Reason(body.ErrorCode, body.ErrorMessage);
    }

    private static string Reason(string? code, string? message) =>
        code is null ? message ?? "refused" : message is null ? code : $"{code}: {message}";

    private static bool IsMissingOrder(VenueResponse answer, OandaResponse? body) =>
        answer.Code == 404 && (body?.ErrorCode == OrderDoesntExist || body?.OrderCancelRejectTransaction?.RejectReason == OrderDoesntExist);

    private static VenueOutcomeUnknownException Unparseable(VenueResponse answer) =>
        new($"{answer.Description}: {answer.Code} answer does not parse ({answer.Excerpt})");
}
