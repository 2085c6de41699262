// Residual risk of reconciling by inquiry (for the engine's decision record):
//
// KIS carries no client order id for individual accounts, so an order whose answer was lost (timeout, dropped
// connection, 5xx after sending) can only be recognised among the account's daily orders by what was sent: symbol,
// side, quantity and an order time (ord_dt + ord_tmd, KST, to the second) at or after the engine's send time.
// What this cannot tell apart:
// - two identical orders (same account, symbol, side, quantity) sent in the same second — or within the clock
//   tolerance — when neither answer arrived. Both rows match both lookups; each lookup takes the earliest row not yet
//   known (the lower order number within a second), so the first lookup resolves to one and, once the engine records
//   that number as known, the second to the other. The intents may be paired with the opposite rows: quantities,
//   sides and symbols are equal, so positions and cash come out right, but per-intent attribution (which strategy's
//   order filled at what average price, and limit prices if they differed — the lookup carries no price) can swap;
// - an identical order placed outside the engine on the same account (the HTS app, another program) after the send
//   time, when ours never reached the venue: the outside order is taken for ours, and ours is not placed again.
// What minimises it: KnownVenueOrderIds excludes every order number the engine already holds (answered orders and
// earlier reconciliations), so a known identical order is never taken for a lost one; SentAfter excludes everything
// sent before the intent (less a small clock tolerance, since missing our order and placing again would be worse);
// the engine persists the intent before sending and reconciles before it ever places again, never re-placing
// blindly. The window that remains is identical orders of one account inside one second, both unanswered, and
// identical orders placed beside the engine.

using TradingActors.Brokers.Http;
using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Kis;

/// <summary>
/// The KIS Open API connector for KRX domestic stocks (cash account): market and limit orders, lookups by order
/// number or by inquiry, cancel, balance, instrument rules, and the session token (<see cref="ITokenVenue"/>).
/// One instance serves every tenant: the account number, app key, secret and token come with each call.
/// <para>
/// The venue order id is the order number (ODNO) KIS answers. Cancelling also needs the order's forwarding
/// organisation number (KRX_FWDG_ORD_ORGNO); it is read from the order's inquiry row (ord_gno_brno) when cancelling,
/// since a cancel looks the order up first anyway. Orders are day orders: KRX ends an unfilled order at the close,
/// so a limit order is good for the trading day, not until cancelled.
/// </para>
/// </summary>
public sealed class KisBrokerClient : IBrokerClient, ITokenVenue
{
    private const string OrderPath = "uapi/domestic-stock/v1/trading/order-cash";
    private const string CancelPath = "uapi/domestic-stock/v1/trading/order-rvsecncl";
    private const string DailyOrdersPath = "uapi/domestic-stock/v1/trading/inquire-daily-ccld";
    private const string BalancePath = "uapi/domestic-stock/v1/trading/inquire-balance";
    private const string PricePath = "uapi/domestic-stock/v1/quotations/inquire-price";

    private readonly KisOptions _options;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly VenueRetry _retry;

    public KisBrokerClient(KisOptions options, HttpClient http, TimeProvider? time = null, VenueRetry? retry = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _http = http ?? throw new ArgumentNullException(nameof(http));
        _time = time ?? TimeProvider.System;
        _retry = retry ?? new VenueRetry(new VenueRetryOptions(), _time);
    }

    /// <summary>KIS authenticates with access tokens the account's BrokerSession asks this connector for (decision 022).</summary>
    public ITokenVenue Tokens => this;

    public string Venue => KisOptions.VenueName;

    /// <summary>No client order ids at KIS: an order is never placed again, it is reconciled by inquiry.</summary>
    public bool DeduplicatesClientOrderIds => false;

    private DateTimeOffset Now => _time.GetUtcNow();

    // ---- token

    /// <summary>
    /// Issues an access token (POST /oauth2/tokenP). Not retried here: KIS refuses a second issuance within a minute
    /// (EGW00133, not placed and retryable with RetryAfter one minute), and the session asks again when it must.
    /// </summary>
    public async Task<VenueToken> IssueTokenAsync(BrokerAccount account, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (string.IsNullOrEmpty(account.ApiKey) || string.IsNullOrEmpty(account.ApiSecret))
            throw new OrderNotPlacedException("kis: the account has no app key and secret to issue a token with");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_options.BaseUrlFor(account), KisAuth.TokenPath))
        {
            Content = Json(KisAuth.TokenBody(account)),
        };
        var response = await VenueHttp.SendAsync(_http, request, Venue, ct);
        return KisErrors.Token(response, Now);
    }

    // ---- orders

    public async Task<BrokerOrderResult> PlaceOrderAsync(BrokerAccount account, OrderIntent intent, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(intent);
        var number = KisAccountNumber.Parse(account.VenueAccountNumber);
        var body = OrderBody(number, intent);
        var token = KisAuth.RequireUsableToken(account, Now);
        var trId = KisTrIds.Order(intent.Side, account.IsLive);
        return await _retry.OrderAsync(async c =>
        {
            using var request = Request(HttpMethod.Post, account, token, trId, OrderPath);
            request.Content = Json(System.Text.Json.JsonSerializer.Serialize(body, KisWire.Json));
            var response = await VenueHttp.SendAsync(_http, request, Venue, c);
            return KisErrors.PlaceResult(response, intent, Now);
        }, ct);
    }

    /// <summary>The order-cash body, or not placed when KRX could not take the intent as it is (whole shares, whole won, a 6-digit code).</summary>
    private KisOrderCashRequest OrderBody(KisAccountNumber number, OrderIntent intent)
    {
        if (!KisInstruments.IsStockCode(intent.Symbol))
            throw new OrderNotPlacedException($"kis: '{intent.Symbol}' is not a 6-digit KRX stock code");
        if (intent.Quantity <= 0 || intent.Quantity != decimal.Truncate(intent.Quantity))
            throw new OrderNotPlacedException($"kis: quantity {intent.Quantity} is not a whole number of shares");
        string division, price;
        if (intent.Type == OrderType.Limit)
        {
            if (intent.LimitPrice is not { } limit || limit <= 0 || limit != decimal.Truncate(limit))
                throw new OrderNotPlacedException($"kis: limit price {intent.LimitPrice} is not a whole number of won");
            (division, price) = (KisReconciliation.LimitDivision, KisWire.Whole(limit));
        }
        else
        {
            (division, price) = (KisReconciliation.MarketDivision, "0");
        }
        return new KisOrderCashRequest(number.Cano, number.ProductCode, intent.Symbol, division, KisWire.Whole(intent.Quantity), price,
            _options.Exchange, intent.Side == OrderSide.Sell ? "01" : "", "");
    }

    public async Task<BrokerOrderResult?> FindOrderAsync(BrokerAccount account, OrderLookup lookup, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(lookup);
        var number = KisAccountNumber.Parse(account.VenueAccountNumber);
        var token = KisAuth.RequireUsableToken(account, Now);
        var row = await _retry.ReadAsync(c => new ValueTask<KisOrderRow?>(FindRowAsync(account, number, token, lookup, c)), ct);
        return row is null ? null : KisReconciliation.ToResult(row, lookup.ClientOrderId, Now);
    }

    /// <summary>
    /// Cancels what is left of the order (RVSE_CNCL_DVSN_CD 02, all remaining) and answers its state by lookup:
    /// Cancelled, or Filled when it filled first. Null when the venue has no such order.
    /// </summary>
    public async Task<BrokerOrderResult?> CancelOrderAsync(BrokerAccount account, OrderLookup lookup, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(lookup);
        var number = KisAccountNumber.Parse(account.VenueAccountNumber);
        var token = KisAuth.RequireUsableToken(account, Now);
        var row = await _retry.ReadAsync(c => new ValueTask<KisOrderRow?>(FindRowAsync(account, number, token, lookup, c)), ct);
        if (row is null) return null;
        var before = KisReconciliation.ToResult(row, lookup.ClientOrderId, Now);
        if (before.IsFinal) return before;

        var body = new KisCancelRequest(number.Cano, number.ProductCode, row.OrderBranch ?? "", row.OrderNumber ?? "",
            row.OrderDivision ?? KisReconciliation.LimitDivision, "02", "0", "0", "Y", _options.Exchange);
        var trId = KisTrIds.Cancel(account.IsLive);
        await _retry.OrderAsync(async c =>
        {
            using var request = Request(HttpMethod.Post, account, token, trId, CancelPath);
            request.Content = Json(System.Text.Json.JsonSerializer.Serialize(body, KisWire.Json));
            var response = await VenueHttp.SendAsync(_http, request, Venue, c);
            KisErrors.CheckCancel(response, Now);
            return response;
        }, ct);

        var byNumber = lookup with { VenueOrderId = row.OrderNumber };
        var after = await _retry.ReadAsync(c => new ValueTask<KisOrderRow?>(FindRowAsync(account, number, token, byNumber, c)), ct)
            ?? throw new VenueOutcomeUnknownException($"kis: order {row.OrderNumber} could not be read back after the cancel");
        return KisReconciliation.ToResult(after, lookup.ClientOrderId, Now);
    }

    /// <summary>The daily order rows narrowed by the lookup (number, symbol, side, dates), matched by <see cref="KisReconciliation"/>.</summary>
    private async Task<KisOrderRow?> FindRowAsync(BrokerAccount account, KisAccountNumber number, VenueToken token, OrderLookup lookup, CancellationToken ct)
    {
        var from = lookup.SentAfter is { } sent ? sent - _options.LookupClockTolerance : Now.AddDays(-_options.LookupDaysWithoutSendTime);
        var rows = await DailyOrdersAsync(account, number, token, from, lookup.Symbol, KisReconciliation.SideCode(lookup.Side), lookup.VenueOrderId ?? "", ct);
        return KisReconciliation.Match(rows, lookup, _options.LookupClockTolerance);
    }

    /// <summary>GET inquire-daily-ccld over every page (INQR_DVSN 00: newest first; CCLD_DVSN 00: filled and open).</summary>
    private async Task<List<KisOrderRow>> DailyOrdersAsync(BrokerAccount account, KisAccountNumber number, VenueToken token, DateTimeOffset from,
        string symbol, string sideCode, string orderNumber, CancellationToken ct)
    {
        var now = Now;
        // A send time ahead of the venue's day (skewed clocks) still searches today.
        var start = KisWire.Date(new DateTimeOffset(Math.Min(from.UtcTicks, now.UtcTicks), TimeSpan.Zero));
        var query = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["CANO"] = number.Cano,
            ["ACNT_PRDT_CD"] = number.ProductCode,
            ["INQR_STRT_DT"] = start,
            ["INQR_END_DT"] = KisWire.Date(now),
            ["SLL_BUY_DVSN_CD"] = sideCode,
            ["INQR_DVSN"] = "00",
            ["PDNO"] = symbol,
            ["CCLD_DVSN"] = "00",
            ["ORD_GNO_BRNO"] = "",
            ["ODNO"] = orderNumber,
            ["INQR_DVSN_3"] = "00",
            ["INQR_DVSN_1"] = "",
            ["EXCG_ID_DVSN_CD"] = _options.Exchange,
        };
        var pages = await PagesAsync<KisDailyOrdersAnswer>(account, token, DailyOrdersPath, KisTrIds.DailyOrders(account.IsLive), query,
            page => (page.ContextFk, page.ContextNk), ct);
        return pages.SelectMany(p => p.Rows ?? []).ToList();
    }

    // ---- account, rules, check

    /// <summary>Cash (dnca_tot_amt) and equity (tot_evlu_amt) in KRW, holdings, and today's orders still open.</summary>
    public async Task<VenueAccountState> GetAccountAsync(BrokerAccount account, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        var number = KisAccountNumber.Parse(account.VenueAccountNumber);
        var token = KisAuth.RequireUsableToken(account, Now);
        var pages = await _retry.ReadAsync(c => new ValueTask<List<KisBalanceAnswer>>(BalanceAsync(account, number, token, c)), ct);
        var summary = pages.Select(p => p.Summary?.FirstOrDefault()).LastOrDefault(s => s is not null)
            ?? throw new VenueOutcomeUnknownException($"kis: the balance answer carried no account totals");
        var positions = pages.SelectMany(p => p.Holdings ?? [])
            .Select(h => new VenuePosition(h.Code ?? "", KisWire.Number(h.Quantity), KisWire.Number(h.AveragePrice)))
            .Where(p => p.Quantity != 0)
            .ToList();

        var rows = await _retry.ReadAsync(c => new ValueTask<List<KisOrderRow>>(DailyOrdersAsync(account, number, token, Now, "", "00", "", c)), ct);
        var now = Now;
        var open = rows.Where(KisReconciliation.IsOriginal)
            .Select(r => KisReconciliation.ToResult(r, "", now))
            .Where(o => o.Status is BrokerOrderStatus.Accepted or BrokerOrderStatus.PartiallyFilled)
            .ToList();
        return new VenueAccountState("KRW", KisWire.Number(summary.Deposit), KisWire.Number(summary.TotalValue), positions, open);
    }

    private Task<List<KisBalanceAnswer>> BalanceAsync(BrokerAccount account, KisAccountNumber number, VenueToken token, CancellationToken ct, bool firstPageOnly = false)
    {
        var query = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["CANO"] = number.Cano,
            ["ACNT_PRDT_CD"] = number.ProductCode,
            ["AFHR_FLPR_YN"] = "N",
            ["OFL_YN"] = "",
            ["INQR_DVSN"] = "02",
            ["UNPR_DVSN"] = "01",
            ["FUND_STTL_ICLD_YN"] = "N",
            ["FNCG_AMT_AUTO_RDPT_YN"] = "N",
            ["PRCS_DVSN"] = "00",
        };
        return PagesAsync<KisBalanceAnswer>(account, token, BalancePath, KisTrIds.Balance(account.IsLive), query, page => (page.ContextFk, page.ContextNk), ct,
            firstPageOnly);
    }

    /// <summary>
    /// Whole shares and the tick of the current price's band (inquire-price stck_prpr). Null for a symbol that is
    /// not a 6-digit code (nothing asked) or that the venue does not know.
    /// </summary>
    public async Task<Instrument?> GetInstrumentAsync(BrokerAccount account, string symbol, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (!KisInstruments.IsStockCode(symbol)) return null;
        var token = KisAuth.RequireUsableToken(account, Now);
        var uri = new Uri(_options.BaseUrlFor(account), PricePath + Query(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["FID_COND_MRKT_DIV_CODE"] = "J",
            ["FID_INPUT_ISCD"] = symbol,
        }));
        return await _retry.ReadAsync(async c =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            KisAuth.Apply(request, account, token, KisTrIds.Price);
            var response = await VenueHttp.SendAsync(_http, request, Venue, c);
            var verdict = KisErrors.Classify(response, Now);
            if (verdict.Code == KisErrors.NoSuchStockCode) return null;
            var price = KisWire.Number(KisErrors.Read<KisPriceAnswer>(response, Now).Output?.Price);
            // An unknown code may also be answered rt_cd 0 with an empty quotation: nothing trades under it.
            return price > 0 ? KisInstruments.Rules(symbol, price) : null;
        }, ct);
    }

    /// <summary>One page of the account's balance with its credentials and token; a refusal of them is an answer (Refused).</summary>
    public async Task<ConnectivityCheck> CheckConnectivityAsync(BrokerAccount account, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        try
        {
            var number = KisAccountNumber.Parse(account.VenueAccountNumber);
            var token = KisAuth.RequireUsableToken(account, Now);
            await _retry.ReadAsync(c => new ValueTask<List<KisBalanceAnswer>>(BalanceAsync(account, number, token, c, firstPageOnly: true)), ct);
            return ConnectivityCheck.Ok;
        }
        catch (OrderNotPlacedException e) when (!e.Data.Contains(VenueRefusal.Transient))
        {
            return ConnectivityCheck.Refused(e.Message);
        }
    }

    // ---- plumbing

    /// <summary>
    /// Every page of an inquiry: tr_cont "" then "N" with the previous page's ctx_area_fk100/nk100, while the venue
    /// answers tr_cont F or M (more); D or E is the last page.
    /// </summary>
    private async Task<List<T>> PagesAsync<T>(BrokerAccount account, VenueToken token, string path, string trId, Dictionary<string, string> query,
        Func<T, (string? Fk, string? Nk)> context, CancellationToken ct, bool firstPageOnly = false) where T : KisAnswer
    {
        var pages = new List<T>();
        var (fk, nk, trCont) = ("", "", "");
        while (true)
        {
            query["CTX_AREA_FK100"] = fk;
            query["CTX_AREA_NK100"] = nk;
            using var request = Request(HttpMethod.Get, account, token, trId, path + Query(query), trCont);
            var response = await VenueHttp.SendAsync(_http, request, Venue, ct);
            var page = KisErrors.Read<T>(response, Now);
            pages.Add(page);
            if (firstPageOnly || response.Header("tr_cont") is not ("F" or "M")) return pages;
            if (pages.Count >= _options.MaxPages) throw new VenueOutcomeUnknownException($"{response.Description}: more than {_options.MaxPages} pages");
            (fk, nk) = context(page);
            fk ??= "";
            nk ??= "";
            trCont = "N";
        }
    }

    private HttpRequestMessage Request(HttpMethod method, BrokerAccount account, VenueToken token, string trId, string pathAndQuery, string trCont = "")
    {
        var request = new HttpRequestMessage(method, new Uri(_options.BaseUrlFor(account), pathAndQuery));
        KisAuth.Apply(request, account, token, trId, trCont);
        return request;
    }

    private static string Query(Dictionary<string, string> values) =>
        "?" + string.Join("&", values.Select(v => $"{v.Key}={Uri.EscapeDataString(v.Value)}"));

    private static StringContent Json(string json)
    {
        var content = new StringContent(json, System.Text.Encoding.UTF8);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }
}
