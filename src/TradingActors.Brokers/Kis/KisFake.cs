using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using TradingActors.Brokers.Fakes;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Kis;

/// <summary>How the KIS fake behaves: which server it plays, its limits, its listed stocks.</summary>
public sealed record KisFakeOptions
{
    /// <summary>Plays the real server (tr_ids TTTC..., APBK codes) rather than the mock one (VTTC..., 40xxxxxx codes).</summary>
    public bool Live { get; init; }

    /// <summary>Requests per app key per <see cref="RateWindow"/> on the real server (published: 20/s).</summary>
    public int LiveRequestsPerSecond { get; init; } = 20;

    /// <summary>Requests per app key per <see cref="RateWindow"/> on the mock server (published: 2/s).</summary>
    public int MockRequestsPerSecond { get; init; } = 2;

    public TimeSpan RateWindow { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>One token issuance per app key per interval (EGW00133 otherwise).</summary>
    public TimeSpan TokenIssueInterval { get; init; } = TimeSpan.FromMinutes(1);

    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Asked again within this long of an issuance, the venue answers the same token (kis_auth.py: "6시간 이내 ... 기존 토큰값과 동일").</summary>
    public TimeSpan TokenReuse { get; init; } = TimeSpan.FromHours(6);

    /// <summary>Rows per inquiry page (the mock server gives 15 daily orders or 20 holdings a call, the real one 100 or 50); small in tests so paging is exercised.</summary>
    public int PageSize { get; init; } = 15;

    /// <summary>The order organisation number (KRX_FWDG_ORD_ORGNO / ord_gno_brno) of the fake's orders.</summary>
    public string OrderBranch { get; init; } = "06010";

    /// <summary>Cash every seeded account starts with, whatever SeedAccount is given (KRW amounts dwarf the shared suite's 100,000).</summary>
    public decimal? SeededCash { get; init; }

    /// <summary>The KIS account number ("CANO-ACNT_PRDT_CD") of an exchange account seeded under another name.</summary>
    public IReadOnlyDictionary<string, string> AccountNumbers { get; init; } = new Dictionary<string, string>();

    /// <summary>The stocks the fake lists: code → (name, opening price).</summary>
    public IReadOnlyDictionary<string, (string Name, decimal Price)> Listed { get; init; } = new Dictionary<string, (string, decimal)>(StringComparer.Ordinal)
    {
        ["005930"] = ("삼성전자", 70_000m),
        ["000660"] = ("SK하이닉스", 180_000m),
    };

    /// <summary>A market buy is checked against cash at the day's upper limit, +30 % (3rd party, measured on the real server).</summary>
    public decimal MarketBuyReserve { get; init; } = 1.3m;
}

/// <summary>
/// A local KIS Open API (domestic stock) over <see cref="FakeExchange"/>: the token endpoint with its one-a-minute
/// throttle, and the order, cancel, daily-orders, balance and price endpoints with their paths, headers (bearer token
/// of the same app key, appkey, appsecret, the tr_id of the call and server, custtype P), upper-case string bodies,
/// paging (tr_cont and ctx_area_fk100/nk100) and error payloads, gateway refusals as the gateway sends them (credential
/// errors HTTP 403, token and rate refusals HTTP 500 with an rt_cd body, 3rd-party logs), order refusals as HTTP 200.
/// Where the sources give no code, the fake uses its own, named KFAK....
/// Known simplifications: ODNO is the exchange's order number unpadded (the venue pads to 10 digits; the shared
/// contract suite compares the two); a sell needs no holdings (the suite sells short); a cancel marks the original
/// row (cncl_yn Y, cnc_cfrm_qty) and adds no row of its own.
/// </summary>
public sealed class KisFake : FakeVenueServer
{
    private const string TokenRoute = "/oauth2/tokenP";
    private const string OrderRoute = "/uapi/domestic-stock/v1/trading/order-cash";
    private const string CancelRoute = "/uapi/domestic-stock/v1/trading/order-rvsecncl";
    private const string DailyOrdersRoute = "/uapi/domestic-stock/v1/trading/inquire-daily-ccld";
    private const string BalanceRoute = "/uapi/domestic-stock/v1/trading/inquire-balance";
    private const string PriceRoute = "/uapi/domestic-stock/v1/quotations/inquire-price";

    private readonly KisFakeOptions _options;
    private readonly FakeRateWindow _rate;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Seeded> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IssuedToken> _tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IssuedToken> _lastIssued = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _lastIssuedAt = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _issued = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _tokenRequests = new(StringComparer.Ordinal);
    private long _cancelNumbers;

    private sealed record Seeded(string ExchangeAccount, KisAccountNumber Number, string Secret);

    private sealed record IssuedToken(string Value, string AppKey, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt);

    public KisFake(FakeExchange exchange, KisFakeOptions? options = null) : base(exchange)
    {
        _options = options ?? new KisFakeOptions();
        _rate = new FakeRateWindow(_options.Live ? _options.LiveRequestsPerSecond : _options.MockRequestsPerSecond, _options.RateWindow, exchange.Time);
        foreach (var (code, (_, price)) in _options.Listed)
            if (exchange.Price(code) is null) exchange.SetPrice(code, price);
    }

    public override string Venue => KisOptions.VenueName;

    public KisFakeOptions Options => _options;

    /// <summary>Tokens issued to an app key so far (a reused token counts: the venue answered an issuance).</summary>
    public int TokensIssued(string appKey) { lock (_gate) return _issued.GetValueOrDefault(appKey); }

    /// <summary>Token requests for an app key so far, refused ones included.</summary>
    public int TokenRequests(string appKey) { lock (_gate) return _tokenRequests.GetValueOrDefault(appKey); }

    /// <summary>
    /// Registers an app key and secret for an account. A KIS app key belongs to one account, whose number is
    /// <paramref name="accountNumber"/> when it is "CANO-ACNT_PRDT_CD", else the one <see cref="KisFakeOptions.AccountNumbers"/> gives it.
    /// </summary>
    public override void SeedAccount(string accountNumber, string apiKey, string apiSecret, decimal cash = 100_000m)
    {
        var kisNumber = _options.AccountNumbers.GetValueOrDefault(accountNumber) ?? accountNumber;
        if (!KisAccountNumber.TryParse(kisNumber, out var number))
            throw new ArgumentException($"'{kisNumber}' is not {KisAccountNumber.Format}; map it in KisFakeOptions.AccountNumbers", nameof(accountNumber));
        Exchange.Account(accountNumber, "KRW", _options.SeededCash ?? cash);
        lock (_gate) _byKey[apiKey] = new Seeded(accountNumber, number, apiSecret);
    }

    protected override void MapRoutes(WebApplication app)
    {
        app.MapPost(TokenRoute, IssueTokenAsync);
        app.MapPost(OrderRoute, ctx => GatedAsync(ctx, trIds: [Tr("TTTC0012U"), Tr("TTTC0011U")], post: true, OrderAsync));
        app.MapPost(CancelRoute, ctx => GatedAsync(ctx, trIds: [Tr("TTTC0013U")], post: true, CancelAsync));
        app.MapGet(DailyOrdersRoute, ctx => GatedAsync(ctx, trIds: [Tr("TTTC0081R")], post: false, DailyOrdersAsync));
        app.MapGet(BalanceRoute, ctx => GatedAsync(ctx, trIds: [Tr("TTTC8434R")], post: false, BalanceAsync));
        app.MapGet(PriceRoute, ctx => GatedAsync(ctx, trIds: [KisTrIds.Price], post: false, PriceAsync));
    }

    /// <summary>A gateway server error, as the venue sends it.</summary>
    protected override Task WriteFailureAsync(HttpContext ctx) =>
        WriteAsync(ctx, 500, new KisAnswer { RtCd = "1", MsgCd = "EGW00002", Msg1 = "서버 에러가 발생하였습니다." });

    /// <summary>A tr_id of the server the fake plays (real T..., mock V...).</summary>
    private string Tr(string real) => _options.Live ? real : "V" + real[1..];

    private DateTimeOffset Now => Exchange.Time.GetUtcNow();

    // ---- token

    private async Task IssueTokenAsync(HttpContext ctx)
    {
        var body = await ReadJsonAsync(ctx);
        var key = Field(body, "appkey");
        if (key is not null) lock (_gate) _tokenRequests[key] = _tokenRequests.GetValueOrDefault(key) + 1;
        var grant = Field(body, "grant_type");
        if (grant is null) { await OAuthErrorAsync(ctx, "EGW00115", "grant_type이 누락되었습니다."); return; }
        if (grant != "client_credentials") { await OAuthErrorAsync(ctx, "EGW00112", "유효하지 않은 grant입니다."); return; }
        if (key is null) { await OAuthErrorAsync(ctx, "EGW00102", "AppKey는 필수입니다."); return; }
        Seeded? seeded;
        lock (_gate) seeded = _byKey.GetValueOrDefault(key);
        if (seeded is null) { await OAuthErrorAsync(ctx, "EGW00103", "유효하지 않은 AppKey입니다."); return; }
        if (Field(body, "appsecret") != seeded.Secret) { await OAuthErrorAsync(ctx, "EGW00105", "유효하지 않은 AppSecret입니다."); return; }

        var now = Now;
        IssuedToken? token = null;
        lock (_gate)
        {
            var throttled = _lastIssuedAt.TryGetValue(key, out var lastAt) && now - lastAt < _options.TokenIssueInterval;
            if (!throttled)
            {
                var last = _lastIssued.GetValueOrDefault(key);
                token = last is not null && now - last.IssuedAt < _options.TokenReuse && now < last.ExpiresAt
                    ? last
                    : new IssuedToken("eyJ" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)).Replace('+', '-').Replace('/', '_').TrimEnd('='),
                        key, now, now + _options.TokenLifetime);
                _tokens[token.Value] = token;
                _lastIssued[key] = token;
                _lastIssuedAt[key] = now;
                _issued[key] = _issued.GetValueOrDefault(key) + 1;
            }
        }
        if (token is null)
        {
            CountRefusedForRate();
            await OAuthErrorAsync(ctx, KisErrors.TokenThrottledCode, "접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)");
            return;
        }
        await WriteAsync(ctx, 200, new KisTokenAnswer(token.Value, "Bearer", (long)(token.ExpiresAt - now).TotalSeconds, KisWire.FormatExpiry(token.ExpiresAt)));
    }

    private static Task OAuthErrorAsync(HttpContext ctx, string code, string description) => WriteAsync(ctx, 403, new KisOAuthError(code, description));

    // ---- the gateway: credentials, rate, token, headers

    private async Task GatedAsync(HttpContext ctx, string[] trIds, bool post, Func<HttpContext, Seeded, string, Task> handle)
    {
        var headers = ctx.Request.Headers;
        var key = headers["appkey"].ToString();
        if (key.Length == 0) { await GatewayAsync(ctx, 403, "EGW00102", "AppKey는 필수입니다."); return; }
        Seeded? seeded;
        lock (_gate) seeded = _byKey.GetValueOrDefault(key);
        if (seeded is null) { await GatewayAsync(ctx, 403, "EGW00103", "유효하지 않은 AppKey입니다."); return; }
        var secret = headers["appsecret"].ToString();
        if (secret.Length == 0) { await GatewayAsync(ctx, 403, "EGW00104", "AppSecret는 필수입니다."); return; }
        if (secret != seeded.Secret) { await GatewayAsync(ctx, 403, "EGW00105", "유효하지 않은 AppSecret입니다."); return; }
        if (!_rate.TryTake(key, out _, out _))
        {
            CountRefusedForRate();
            await GatewayAsync(ctx, 500, KisErrors.RateLimitCode, "초당 거래건수를 초과하였습니다.");
            return;
        }
        var bearer = headers.Authorization.ToString();
        IssuedToken? token = null;
        if (bearer.StartsWith("Bearer ", StringComparison.Ordinal)) lock (_gate) token = _tokens.GetValueOrDefault(bearer["Bearer ".Length..]);
        if (token is null || token.AppKey != key) { await GatewayAsync(ctx, 500, "EGW00121", "유효하지 않은 token 입니다."); return; }
        if (Now >= token.ExpiresAt) { await GatewayAsync(ctx, 500, "EGW00123", "기간이 만료된 token 입니다."); return; }
        if (headers["custtype"].ToString() != KisAuth.CustomerType) { await GatewayAsync(ctx, 500, "EGW00208", "custtype이 유효하지 않습니다."); return; }
        var trId = headers["tr_id"].ToString();
        if (trId.Length == 0) { await GatewayAsync(ctx, 500, "OPSQ9999", "tr_id가 없습니다."); return; }
        if (!trIds.Contains(trId))
        {
            // A real id on the mock server or the other way round; any other id is the fake's own refusal.
            var otherServer = trIds.Any(t => t.Length == trId.Length && t[1..] == trId[1..]);
            await GatewayAsync(ctx, 500, otherServer ? "EGW00213" : "KFAK0009", otherServer ? "모의투자 TR 이 아닙니다." : "이 경로의 tr_id가 아닙니다.");
            return;
        }
        if (post && ctx.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true)
        {
            await GatewayAsync(ctx, 500, "EGW00132", "Content-Type이 유효하지 않습니다.");
            return;
        }
        await handle(ctx, seeded, trId);
    }

    private static Task GatewayAsync(HttpContext ctx, int status, string code, string message) =>
        WriteAsync(ctx, status, new KisAnswer { RtCd = "1", MsgCd = code, Msg1 = message });

    /// <summary>An order system answer: HTTP 200 with rt_cd not "0" (rt_cd 7 for the real server's funds refusal).</summary>
    private static Task RefuseAsync(HttpContext ctx, string code, string message, string rtCd = "1") =>
        WriteAsync(ctx, 200, new KisAnswer { RtCd = rtCd, MsgCd = code, Msg1 = message });

    /// <summary>A field the fake needs is missing, not a string, or not valid.</summary>
    private static Task InvalidAsync(HttpContext ctx, string field) => GatewayAsync(ctx, 200, "OPSQ2002", $"입력 필드 오류 ({field})");

    // ---- orders

    private async Task OrderAsync(HttpContext ctx, Seeded account, string trId)
    {
        var body = await ReadJsonAsync(ctx);
        if (body is null) { await GatewayAsync(ctx, 500, "OPSQ9997", "JSON 파싱 오류"); return; }
        if (!SameAccount(body, account)) { await GatewayAsync(ctx, 200, "OPSQ2000", "계좌번호 유효성 오류"); return; }
        var code = Field(body, "PDNO");
        var division = Field(body, "ORD_DVSN");
        var qtyText = Field(body, "ORD_QTY");
        var priceText = Field(body, "ORD_UNPR");
        if (code is null) { await InvalidAsync(ctx, "PDNO"); return; }
        if (division is not (KisReconciliation.LimitDivision or KisReconciliation.MarketDivision)) { await InvalidAsync(ctx, "ORD_DVSN"); return; }
        if (!WholeNumber(qtyText, out var quantity) || quantity <= 0) { await InvalidAsync(ctx, "ORD_QTY"); return; }
        if (!WholeNumber(priceText, out var unitPrice)) { await InvalidAsync(ctx, "ORD_UNPR"); return; }
        if (Field(body, "EXCG_ID_DVSN_CD") != "KRX") { await InvalidAsync(ctx, "EXCG_ID_DVSN_CD"); return; }
        if (!_options.Listed.ContainsKey(code)) { await RefuseAsync(ctx, KisErrors.NoSuchStockCode, "해당 종목 정보가 없습니다."); return; }
        var market = division == KisReconciliation.MarketDivision;
        if (market && unitPrice != 0) { await InvalidAsync(ctx, "ORD_UNPR"); return; }
        if (!market && !KisInstruments.IsOnTick(unitPrice)) { await RefuseAsync(ctx, "40030000", "주문처리가 안되었습니다(호가단위 오류)"); return; }

        var side = trId.EndsWith("0011U", StringComparison.Ordinal) ? OrderSide.Sell : OrderSide.Buy;
        if (side == OrderSide.Buy)
        {
            var price = market ? (Exchange.Price(code) ?? 0m) * _options.MarketBuyReserve : unitPrice;
            if (quantity * price > Orderable(account.ExchangeAccount))
            {
                if (_options.Live) await RefuseAsync(ctx, "APBK0952", "주문가능금액을 초과 했습니다", rtCd: "7");
                else await RefuseAsync(ctx, "40250000", "모의투자 주문가능금액이 부족합니다.");
                return;
            }
        }
        var order = Exchange.Place(account.ExchangeAccount, null, code, side, market ? OrderType.Market : OrderType.Limit, quantity, market ? null : unitPrice);
        await WriteAsync(ctx, 200, new KisOrderAnswer
        {
            RtCd = "0",
            MsgCd = "APBK0013",
            Msg1 = "주문 전송 완료 되었습니다.",
            Output = new KisOrderOutput(_options.OrderBranch, order.VenueOrderId, KisWire.Time(order.CreatedAt)),
        });
    }

    /// <summary>Cash less what open buy orders hold back.</summary>
    private decimal Orderable(string exchangeAccount)
    {
        var held = Exchange.Orders(exchangeAccount)
            .Where(o => o.IsOpen && o.Side == OrderSide.Buy && o.LimitPrice is not null)
            .Sum(o => o.Remaining * o.LimitPrice!.Value);
        return Exchange.Holdings(exchangeAccount).Cash - held;
    }

    private async Task CancelAsync(HttpContext ctx, Seeded account, string trId)
    {
        var body = await ReadJsonAsync(ctx);
        if (body is null) { await GatewayAsync(ctx, 500, "OPSQ9997", "JSON 파싱 오류"); return; }
        if (!SameAccount(body, account)) { await GatewayAsync(ctx, 200, "OPSQ2000", "계좌번호 유효성 오류"); return; }
        if (Field(body, "RVSE_CNCL_DVSN_CD") != "02") { await InvalidAsync(ctx, "RVSE_CNCL_DVSN_CD"); return; }
        if (Field(body, "QTY_ALL_ORD_YN") != "Y") { await InvalidAsync(ctx, "QTY_ALL_ORD_YN"); return; }
        if (Field(body, "ORD_DVSN") is null) { await InvalidAsync(ctx, "ORD_DVSN"); return; }
        if (Field(body, "ORD_QTY") is null || Field(body, "ORD_UNPR") is null) { await InvalidAsync(ctx, "ORD_QTY"); return; }
        if (Field(body, "EXCG_ID_DVSN_CD") != "KRX") { await InvalidAsync(ctx, "EXCG_ID_DVSN_CD"); return; }
        var number = Field(body, "ORGN_ODNO") ?? "";
        var order = Exchange.Orders(account.ExchangeAccount).FirstOrDefault(o => o.VenueOrderId == number);
        if (order is null || Field(body, "KRX_FWDG_ORD_ORGNO") != _options.OrderBranch) { await RefuseAsync(ctx, "KFAK0001", "원주문번호가 존재하지 않습니다."); return; }
        if (!order.IsOpen) { await RefuseAsync(ctx, "KFAK0002", "정정취소할 수량이 없습니다."); return; }
        Exchange.Cancel(number);
        var cancelNumber = "9" + Interlocked.Increment(ref _cancelNumbers).ToString("D9", CultureInfo.InvariantCulture);
        await WriteAsync(ctx, 200, new KisOrderAnswer
        {
            RtCd = "0",
            MsgCd = "APBK0013",
            Msg1 = "주문 전송 완료 되었습니다.",
            Output = new KisOrderOutput(_options.OrderBranch, cancelNumber, KisWire.Time(Now)),
        });
    }

    // ---- inquiries

    private async Task DailyOrdersAsync(HttpContext ctx, Seeded account, string trId)
    {
        var q = ctx.Request.Query;
        if (!SameAccount(q["CANO"], q["ACNT_PRDT_CD"], account)) { await GatewayAsync(ctx, 200, "OPSQ2000", "계좌번호 유효성 오류"); return; }
        foreach (var required in new[] { "INQR_STRT_DT", "INQR_END_DT", "SLL_BUY_DVSN_CD", "INQR_DVSN", "CCLD_DVSN", "INQR_DVSN_3" })
            if (string.IsNullOrEmpty(q[required])) { await InvalidAsync(ctx, required); return; }
        var (start, end) = (q["INQR_STRT_DT"].ToString(), q["INQR_END_DT"].ToString());
        var side = q["SLL_BUY_DVSN_CD"].ToString();
        var (code, number, filled) = (q["PDNO"].ToString(), q["ODNO"].ToString(), q["CCLD_DVSN"].ToString());
        var orders = Exchange.Orders(account.ExchangeAccount)
            .Where(o => string.CompareOrdinal(KisWire.Date(o.CreatedAt), start) >= 0 && string.CompareOrdinal(KisWire.Date(o.CreatedAt), end) <= 0)
            .Where(o => side == "00" || KisReconciliation.SideCode(o.Side) == side)
            .Where(o => code.Length == 0 || o.Symbol == code)
            .Where(o => number.Length == 0 || o.VenueOrderId == number)
            .Where(o => filled switch { "01" => o.FilledQuantity > 0, "02" => o.IsOpen, _ => true })
            .ToList();
        // INQR_DVSN 00: newest first (역순); 01: oldest first (정순).
        orders = q["INQR_DVSN"] == "01" ? orders.OrderBy(o => o.Sequence).ToList() : orders.OrderByDescending(o => o.Sequence).ToList();
        var (page, from, more) = Page(ctx, orders);
        var summary = new KisDailyOrdersSummary
        {
            OrderedQuantity = KisWire.Whole(orders.Sum(o => o.Quantity)),
            FilledQuantity = KisWire.Whole(orders.Sum(o => o.FilledQuantity)),
            FilledAmount = KisWire.Whole(orders.Sum(o => o.FilledQuantity * o.AveragePrice)),
            EstimatedCosts = KisWire.Whole(orders.Sum(o => o.Fees)),
            AveragePrice = "0",
        };
        await WritePageAsync(ctx, trId, from, more, new KisDailyOrdersAnswer
        {
            RtCd = "0",
            MsgCd = "KIOK0460",
            Msg1 = "조회 되었습니다.",
            ContextFk = Context(q),
            ContextNk = more ? (from + page.Count).ToString(CultureInfo.InvariantCulture) : "",
            Rows = page.Select(Row).ToList(),
            Summary = summary,
        });
    }

    private KisOrderRow Row(FakeOrder o)
    {
        var cancelled = o.State == FakeOrderState.Cancelled;
        return new KisOrderRow
        {
            OrderDate = KisWire.Date(o.CreatedAt),
            OrderBranch = _options.OrderBranch,
            OrderNumber = o.VenueOrderId,
            OriginalOrderNumber = "",
            OrderDivisionName = o.Type == OrderType.Limit ? "지정가" : "시장가",
            SideCode = KisReconciliation.SideCode(o.Side),
            SideName = o.Side == OrderSide.Sell ? "현금매도" : "현금매수",
            Code = o.Symbol,
            Name = _options.Listed.GetValueOrDefault(o.Symbol).Name ?? "",
            Quantity = KisWire.Whole(o.Quantity),
            UnitPrice = KisWire.Whole(o.LimitPrice ?? 0m),
            OrderTime = KisWire.Time(o.CreatedAt),
            FilledQuantity = KisWire.Whole(o.FilledQuantity),
            AveragePrice = KisWire.Whole(decimal.Round(o.AveragePrice)),
            Cancelled = cancelled ? "Y" : "N",
            FilledAmount = KisWire.Whole(o.FilledQuantity * o.AveragePrice),
            OrderDivision = o.Type == OrderType.Limit ? KisReconciliation.LimitDivision : KisReconciliation.MarketDivision,
            CancelConfirmedQuantity = KisWire.Whole(cancelled ? o.Remaining : 0m),
            RemainingQuantity = KisWire.Whole(o.IsOpen ? o.Remaining : 0m),
            RejectedQuantity = "0",
        };
    }

    private async Task BalanceAsync(HttpContext ctx, Seeded account, string trId)
    {
        var q = ctx.Request.Query;
        if (!SameAccount(q["CANO"], q["ACNT_PRDT_CD"], account)) { await GatewayAsync(ctx, 200, "OPSQ2000", "계좌번호 유효성 오류"); return; }
        foreach (var required in new[] { "AFHR_FLPR_YN", "INQR_DVSN", "UNPR_DVSN", "FUND_STTL_ICLD_YN", "FNCG_AMT_AUTO_RDPT_YN", "PRCS_DVSN" })
            if (string.IsNullOrEmpty(q[required])) { await InvalidAsync(ctx, required); return; }
        var (_, cash, positions) = Exchange.Holdings(account.ExchangeAccount);
        var holdings = positions.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p =>
        {
            var price = Exchange.Price(p.Key) ?? p.Value.AveragePrice;
            return new KisHolding
            {
                Code = p.Key,
                Name = _options.Listed.GetValueOrDefault(p.Key).Name ?? "",
                Quantity = KisWire.Whole(p.Value.Quantity),
                OrderableQuantity = KisWire.Whole(p.Value.Quantity),
                AveragePrice = p.Value.AveragePrice.ToString("0.0000", CultureInfo.InvariantCulture),
                PurchaseAmount = KisWire.Whole(p.Value.Quantity * p.Value.AveragePrice),
                Price = KisWire.Whole(price),
                Value = KisWire.Whole(p.Value.Quantity * price),
            };
        }).ToList();
        var securities = positions.Sum(p => p.Value.Quantity * (Exchange.Price(p.Key) ?? p.Value.AveragePrice));
        var (page, from, more) = Page(ctx, holdings);
        await WritePageAsync(ctx, trId, from, more, new KisBalanceAnswer
        {
            RtCd = "0",
            MsgCd = "KIOK0510",
            Msg1 = "조회가 완료되었습니다",
            ContextFk = Context(q),
            ContextNk = more ? (from + page.Count).ToString(CultureInfo.InvariantCulture) : "",
            Holdings = page,
            Summary =
            [
                new KisBalanceSummary
                {
                    Deposit = KisWire.Whole(cash),
                    NextDaySettlement = KisWire.Whole(cash),
                    SettlementD2 = KisWire.Whole(cash),
                    SecuritiesValue = KisWire.Whole(securities),
                    TotalValue = KisWire.Whole(cash + securities),
                    NetAssets = KisWire.Whole(cash + securities),
                },
            ],
        });
    }

    private async Task PriceAsync(HttpContext ctx, Seeded account, string trId)
    {
        var q = ctx.Request.Query;
        if (q["FID_COND_MRKT_DIV_CODE"] != "J") { await InvalidAsync(ctx, "FID_COND_MRKT_DIV_CODE"); return; }
        var code = q["FID_INPUT_ISCD"].ToString();
        if (!_options.Listed.ContainsKey(code)) { await RefuseAsync(ctx, KisErrors.NoSuchStockCode, "해당 종목 정보가 없습니다."); return; }
        var price = Exchange.Price(code) ?? 0m;
        await WriteAsync(ctx, 200, new KisPriceAnswer
        {
            RtCd = "0",
            MsgCd = "MCA00000",
            Msg1 = "정상처리 되었습니다.",
            Output = new KisPrice
            {
                Price = KisWire.Whole(price),
                Code = code,
                Tick = KisWire.Whole(KisInstruments.TickFor(price)),
                QuantityUnit = "1",
                Market = "KOSPI200",
            },
        }, trId);
    }

    // ---- paging and writing

    /// <summary>
    /// The page asked for: from the offset in CTX_AREA_NK100 when the request continues (tr_cont N), else the first.
    /// </summary>
    private (List<T> Page, int From, bool More) Page<T>(HttpContext ctx, List<T> all)
    {
        var continues = ctx.Request.Headers["tr_cont"] == "N";
        var from = continues && int.TryParse(ctx.Request.Query["CTX_AREA_NK100"], NumberStyles.None, CultureInfo.InvariantCulture, out var offset) ? offset : 0;
        from = Math.Min(from, all.Count);
        var page = all.Skip(from).Take(_options.PageSize).ToList();
        return (page, from, from + page.Count < all.Count);
    }

    /// <summary>Writes a page with tr_cont F (first, more follow), M (more follow), D (first and last) or E (last).</summary>
    private static Task WritePageAsync<T>(HttpContext ctx, string trId, int from, bool more, T answer) =>
        WriteAsync(ctx, 200, answer, trId, (from == 0, more) switch { (true, true) => "F", (false, true) => "M", (true, false) => "D", _ => "E" });

    private static string Context(IQueryCollection q) =>
        string.Join("^", q["CANO"].ToString(), q["ACNT_PRDT_CD"].ToString(), q["PDNO"].ToString(), q["ODNO"].ToString());

    private static async Task WriteAsync<T>(HttpContext ctx, int status, T body, string? trId = null, string trCont = "")
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json; charset=UTF-8";
        ctx.Response.Headers["tr_id"] = trId ?? ctx.Request.Headers["tr_id"].ToString();
        ctx.Response.Headers["tr_cont"] = trCont;
        ctx.Response.Headers["gt_uid"] = Guid.NewGuid().ToString("N");
        await ctx.Response.WriteAsync(JsonSerializer.Serialize(body, KisWire.Json));
    }

    private static async Task<JsonElement?> ReadJsonAsync(HttpContext ctx)
    {
        try
        {
            using var doc = await JsonDocument.ParseAsync(ctx.Request.Body);
            return doc.RootElement.ValueKind == JsonValueKind.Object ? doc.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A body field the venue wants as a string (the venue refuses numbers where it expects strings).</summary>
    private static string? Field(JsonElement? body, string name) =>
        body is { } b && b.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool SameAccount(JsonElement? body, Seeded account) => SameAccount(Field(body, "CANO"), Field(body, "ACNT_PRDT_CD"), account);

    private static bool SameAccount(string? cano, string? product, Seeded account) => cano == account.Number.Cano && product == account.Number.ProductCode;

    private static bool WholeNumber(string? text, out decimal value)
    {
        value = 0;
        return text is { Length: > 0 } && text.All(char.IsAsciiDigit) && decimal.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
