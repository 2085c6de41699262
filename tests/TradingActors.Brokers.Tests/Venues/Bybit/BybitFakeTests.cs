using System.Net;
using System.Text;
using System.Text.Json;
using TradingActors.Brokers.Bybit;
using TradingActors.Brokers.Fakes;

namespace TradingActors.Brokers.Tests.Venues.Bybit;

/// <summary>
/// The fake is faithful, not just agreeable: spoken to over HTTP with a plain HttpClient and hand-made headers, it
/// checks keys, windows and signatures the venue's way, refuses duplicates, enforces the account's order rate and
/// the IP limit, and answers the venue's error codes and shapes.
/// </summary>
public sealed class BybitFakeTests : IAsyncLifetime
{
    private const string Key = BybitTestKit.ApiKey;
    private const string Secret = BybitTestKit.ApiSecret;
    private static readonly DateTimeOffset Start = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private readonly ManualClock _clock = new(Start);
    private readonly HttpClient _http = new();
    private BybitFake _fake = null!;

    public Task InitializeAsync() => StartAsync(new BybitFakeOptions());

    private async Task StartAsync(BybitFakeOptions options)
    {
        if (_fake is not null) await _fake.DisposeAsync();
        _fake = await BybitTestKit.StartAsync(options, _clock);
        _fake.Exchange.SetPrice("ETHUSDT", 3_000m);
    }

    public async Task DisposeAsync()
    {
        await _fake.DisposeAsync();
        _http.Dispose();
    }

    private long ServerMs => _fake.ServerNow.ToUnixTimeMilliseconds();

    private sealed record Reply(HttpStatusCode Status, int? RetCode, string RetMsg, JsonElement Result, HttpResponseMessage Raw, string Body)
    {
        public string? Header(string name) => Raw.Headers.TryGetValues(name, out var v) ? v.Single() : null;
    }

    /// <summary>A request as a Bybit client library makes it: the payload signed exactly as sent.</summary>
    private async Task<Reply> SendAsync(HttpMethod method, string path, string payload = "", string? key = Key, string secret = Secret, long? timestamp = null,
        int recvWindow = 5000, string? signedPayload = null, bool sign = true)
    {
        var get = method == HttpMethod.Get;
        using var request = new HttpRequestMessage(method, new Uri(_fake.BaseUrl, get && payload.Length > 0 ? path + "?" + payload : path));
        if (!get) request.Content = new StringContent(payload, Encoding.UTF8, "application/json");
        var ts = timestamp ?? ServerMs;
        if (key is not null)
        {
            request.Headers.Add("X-BAPI-API-KEY", key);
            request.Headers.Add("X-BAPI-TIMESTAMP", ts.ToString());
            request.Headers.Add("X-BAPI-RECV-WINDOW", recvWindow.ToString());
            if (sign) request.Headers.Add("X-BAPI-SIGN", BybitAuth.Sign(secret, ts, key, recvWindow, signedPayload ?? payload));
        }
        var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (response.Content.Headers.ContentType?.MediaType != "application/json") return new Reply(response.StatusCode, null, body, default, response, body);
        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        Assert.True(root.GetProperty("time").GetInt64() > 0);
        Assert.Equal(JsonValueKind.Object, root.GetProperty("retExtInfo").ValueKind);
        return new Reply(response.StatusCode, root.GetProperty("retCode").GetInt32(), root.GetProperty("retMsg").GetString()!, root.GetProperty("result").Clone(), response, body);
    }

    private Task<Reply> CreateAsync(string body, string? key = Key) => SendAsync(HttpMethod.Post, "v5/order/create", body, key);

    private static string Order(string linkId = "link-1", string qty = "0.01", string type = "Market", string? price = null, string side = "Buy", string symbol = "BTCUSDT",
        string category = "linear", string? marketUnit = null) =>
        JsonSerializer.Serialize(new CreateOrderRequest(category, symbol, side, type, qty, price, price is null ? null : "GTC", linkId, marketUnit), BybitWire.Json);

    // ---- public endpoints

    [Fact]
    public async Task The_server_time_is_the_venues_own_clock()
    {
        await StartAsync(new BybitFakeOptions { ClockSkew = TimeSpan.FromSeconds(3) });

        var reply = await SendAsync(HttpMethod.Get, "v5/market/time", key: null);

        Assert.Equal(0, reply.RetCode);
        Assert.Equal((Start + TimeSpan.FromSeconds(3)).ToUnixTimeSeconds().ToString(), reply.Result.GetProperty("timeSecond").GetString());
        Assert.Equal(((Start + TimeSpan.FromSeconds(3) - DateTimeOffset.UnixEpoch).Ticks * 100).ToString(), reply.Result.GetProperty("timeNano").GetString());
        Assert.Equal(Start + TimeSpan.FromSeconds(3), _fake.ServerNow);
    }

    [Fact]
    public async Task Instruments_are_listed_in_the_venues_shape_and_an_unknown_symbol_is_an_empty_list()
    {
        var btc = await SendAsync(HttpMethod.Get, "v5/market/instruments-info", "category=linear&symbol=BTCUSDT", key: null);
        var none = await SendAsync(HttpMethod.Get, "v5/market/instruments-info", "category=linear&symbol=NOSUCH", key: null);
        var all = await SendAsync(HttpMethod.Get, "v5/market/instruments-info", "category=linear", key: null);
        var spot = await SendAsync(HttpMethod.Get, "v5/market/instruments-info", "category=spot&symbol=ETHUSDT", key: null);
        var bad = await SendAsync(HttpMethod.Get, "v5/market/instruments-info", "category=futures", key: null);

        var lot = btc.Result.GetProperty("list")[0].GetProperty("lotSizeFilter");
        Assert.Equal("0.001", lot.GetProperty("qtyStep").GetString());
        Assert.Equal("0.001", lot.GetProperty("minOrderQty").GetString());
        Assert.Equal("5", lot.GetProperty("minNotionalValue").GetString());
        Assert.Equal("0.10", btc.Result.GetProperty("list")[0].GetProperty("priceFilter").GetProperty("tickSize").GetString());
        Assert.Equal("linear", btc.Result.GetProperty("category").GetString());
        Assert.Equal(0, none.RetCode);
        Assert.Equal(0, none.Result.GetProperty("list").GetArrayLength());
        Assert.Equal("", none.Result.GetProperty("category").GetString());
        Assert.Equal(2, all.Result.GetProperty("list").GetArrayLength());
        Assert.Equal("0.00001", spot.Result.GetProperty("list")[0].GetProperty("lotSizeFilter").GetProperty("basePrecision").GetString());
        Assert.Equal("1", spot.Result.GetProperty("list")[0].GetProperty("lotSizeFilter").GetProperty("minOrderAmt").GetString());
        Assert.Equal(10001, bad.RetCode);
    }

    // ---- authentication

    [Fact]
    public async Task An_unknown_or_missing_key_is_10003_on_http_200()
    {
        var unknown = await SendAsync(HttpMethod.Get, "v5/account/wallet-balance", "accountType=UNIFIED", key: "nobody");
        var missing = await SendAsync(HttpMethod.Get, "v5/account/wallet-balance", "accountType=UNIFIED", key: null);

        Assert.Equal(HttpStatusCode.OK, unknown.Status);
        Assert.Equal(10003, unknown.RetCode);
        Assert.Equal("API key is invalid.", unknown.RetMsg);
        Assert.Equal(10003, missing.RetCode);
    }

    [Fact]
    public async Task A_wrong_signature_is_10004_and_the_venue_echoes_what_it_signed()
    {
        var ts = ServerMs;

        var wrong = await SendAsync(HttpMethod.Get, "v5/account/wallet-balance", "accountType=UNIFIED", secret: "wrong-secret", timestamp: ts);
        var unsigned = await SendAsync(HttpMethod.Get, "v5/account/wallet-balance", "accountType=UNIFIED", sign: false);

        Assert.Equal(10004, wrong.RetCode);
        Assert.Equal($"error sign! origin_string[{ts}{Key}5000accountType=UNIFIED]", wrong.RetMsg);
        Assert.Equal(10004, unsigned.RetCode);
    }

    [Fact]
    public async Task The_signature_covers_the_query_exactly_as_sent()
    {
        var reordered = await SendAsync(HttpMethod.Get, "v5/order/realtime", "symbol=BTCUSDT&category=linear", signedPayload: "category=linear&symbol=BTCUSDT");
        var asSent = await SendAsync(HttpMethod.Get, "v5/order/realtime", "symbol=BTCUSDT&category=linear");

        Assert.Equal(10004, reordered.RetCode);
        Assert.Equal(0, asSent.RetCode);
    }

    [Fact]
    public async Task The_signature_covers_the_body_exactly_as_sent()
    {
        var body = Order();

        var other = await SendAsync(HttpMethod.Post, "v5/order/create", body, signedPayload: body.Replace("\"qty\"", "\"qty\" "));
        var asSent = await CreateAsync(body);

        Assert.Equal(10004, other.RetCode);
        Assert.Equal(0, asSent.RetCode);
        Assert.Single(_fake.Exchange.Orders(BybitTestKit.AccountNumber));
    }

    [Theory]
    [InlineData(-5001, 10002)] // older than the window
    [InlineData(-5000, 0)]     // server - recvWindow: the oldest taken
    [InlineData(999, 0)]       // less than a second ahead
    [InlineData(1000, 10002)]  // server + 1000: refused
    public async Task The_timestamp_must_fall_in_the_receive_window_of_the_venues_clock(long fromServerMs, int retCode)
    {
        await StartAsync(new BybitFakeOptions { ClockSkew = TimeSpan.FromSeconds(-3) });

        var reply = await SendAsync(HttpMethod.Get, "v5/account/wallet-balance", "accountType=UNIFIED", timestamp: ServerMs + fromServerMs);

        Assert.Equal(retCode, reply.RetCode);
        Assert.Equal(retCode == 0 ? 0 : 1, _fake.StaleTimestamps);
        if (retCode != 0) Assert.StartsWith("invalid request, please check your server timestamp or recv_window param. req_timestamp[", reply.RetMsg);
    }

    [Fact]
    public async Task A_wider_receive_window_takes_an_older_timestamp() =>
        Assert.Equal(0, (await SendAsync(HttpMethod.Get, "v5/account/wallet-balance", "accountType=UNIFIED", timestamp: ServerMs - 9_000, recvWindow: 10_000)).RetCode);

    [Fact]
    public async Task A_client_clock_three_seconds_behind_the_venue_is_refused_until_it_signs_with_the_venues_time()
    {
        await StartAsync(new BybitFakeOptions { ClockSkew = TimeSpan.FromSeconds(3) });
        var local = _clock.GetUtcNow().ToUnixTimeMilliseconds();

        // 3 s behind passes a 5 s window; a 2 s window shows the skew.
        Assert.Equal(10002, (await SendAsync(HttpMethod.Get, "v5/account/wallet-balance", "accountType=UNIFIED", timestamp: local, recvWindow: 2000)).RetCode);
        Assert.Equal(0, (await SendAsync(HttpMethod.Get, "v5/account/wallet-balance", "accountType=UNIFIED", timestamp: ServerMs, recvWindow: 2000)).RetCode);
    }

    [Fact]
    public async Task A_missing_timestamp_is_outside_the_window()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_fake.BaseUrl, "v5/account/wallet-balance?accountType=UNIFIED"));
        request.Headers.Add("X-BAPI-API-KEY", Key);
        request.Headers.Add("X-BAPI-SIGN", "00");

        var body = await (await _http.SendAsync(request)).Content.ReadAsStringAsync();

        Assert.Contains("\"retCode\":10002", body);
    }

    [Fact]
    public async Task Without_a_receive_window_header_the_default_5000_is_signed_and_checked()
    {
        var ts = ServerMs - 4_000;
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_fake.BaseUrl, "v5/account/wallet-balance?accountType=UNIFIED"));
        request.Headers.Add("X-BAPI-API-KEY", Key);
        request.Headers.Add("X-BAPI-TIMESTAMP", ts.ToString());
        request.Headers.Add("X-BAPI-SIGN", BybitAuth.Sign(Secret, ts, Key, 5000, "accountType=UNIFIED"));

        var body = await (await _http.SendAsync(request)).Content.ReadAsStringAsync();

        Assert.Contains("\"retCode\":0", body);
    }

    // ---- placing

    [Fact]
    public async Task An_order_is_answered_with_its_ids_and_the_rate_headers()
    {
        var reply = await CreateAsync(Order());

        Assert.Equal(0, reply.RetCode);
        Assert.Equal("OK", reply.RetMsg);
        var order = Assert.Single(_fake.Exchange.Orders(BybitTestKit.AccountNumber));
        Assert.Equal(order.VenueOrderId, reply.Result.GetProperty("orderId").GetString());
        Assert.Equal("link-1", reply.Result.GetProperty("orderLinkId").GetString());
        Assert.Equal("link-1", order.ClientOrderId);
        Assert.Equal(FakeOrderState.Filled, order.State);
        Assert.Equal("10", reply.Header("X-Bapi-Limit"));
        Assert.Equal("9", reply.Header("X-Bapi-Limit-Status"));
        Assert.Equal(ServerMs.ToString(), reply.Header("X-Bapi-Limit-Reset-Timestamp"));
    }

    [Fact]
    public async Task An_order_without_link_id_is_taken_without_one()
    {
        var reply = await CreateAsync(Order(linkId: ""));

        Assert.Equal(0, reply.RetCode);
        Assert.Equal("", reply.Result.GetProperty("orderLinkId").GetString());
        Assert.Null(Assert.Single(_fake.Exchange.Orders(BybitTestKit.AccountNumber)).ClientOrderId);
    }

    [Fact]
    public async Task A_limit_order_rests_at_its_price()
    {
        Assert.Equal(0, (await CreateAsync(Order(type: "Limit", price: "45000.1"))).RetCode);

        var order = Assert.Single(_fake.Exchange.Orders(BybitTestKit.AccountNumber));
        Assert.Equal(FakeOrderState.Open, order.State);
        Assert.Equal(45_000.1m, order.LimitPrice);
    }

    [Fact]
    public async Task A_repeated_order_link_id_is_110072_and_makes_no_second_order()
    {
        await CreateAsync(Order());

        var again = await CreateAsync(Order());

        Assert.Equal(110072, again.RetCode);
        Assert.Equal("OrderLinkedID is duplicate", again.RetMsg);
        Assert.Single(_fake.Exchange.Orders(BybitTestKit.AccountNumber));
    }

    [Fact]
    public async Task Another_account_may_use_the_same_link_id()
    {
        _fake.SeedAccount("UID-2", "other-key", "other-secret");
        await CreateAsync(Order());

        var other = await SendAsync(HttpMethod.Post, "v5/order/create", Order(), key: "other-key", secret: "other-secret");

        Assert.Equal(0, other.RetCode);
    }

    [Theory]
    [InlineData("""{"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Market","qty":"0.01","orderLinkId":"a"}""", 0, "OK")]
    [InlineData("""{"category":"spot","symbol":"BTCUSDT","side":"Buy","orderType":"Market","qty":"0.01"}""", 10001, "params error: category only support linear")]
    [InlineData("""{"category":"linear","symbol":"DOGEUSDT","side":"Buy","orderType":"Market","qty":"1"}""", 10001, "params error: symbol invalid")]
    [InlineData("""{"category":"linear","side":"Buy","orderType":"Market","qty":"1"}""", 10001, "params error: symbol invalid")]
    [InlineData("""{"category":"linear","symbol":"BTCUSDT","side":"buy","orderType":"Market","qty":"0.01"}""", 10001, "params error: side invalid")]
    [InlineData("""{"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Stop","qty":"0.01"}""", 10001, "params error: orderType invalid")]
    [InlineData("""{"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Market","qty":"lots"}""", 10001, "params error: qty invalid")]
    [InlineData("""{"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Market","qty":"0"}""", 10001, "params error: qty invalid")]
    [InlineData("""{"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.01"}""", 10001, "params error: price invalid")]
    [InlineData("""{"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.01","price":"-1"}""", 10001, "params error: price invalid")]
    [InlineData("""{"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.01","price":"45000.05"}""", 10001, "params error: price invalid")]
    [InlineData("""{"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Market","qty":"0.01","orderLinkId":"has space"}""", 10001, "params error: orderLinkId invalid")]
    [InlineData("""{"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Market","qty":"0.01","orderLinkId":"0123456789012345678901234567890123456"}""", 10001, "params error: orderLinkId invalid")]
    [InlineData("""{"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Market","qty":"0.01","orderLinkId":"012345678901234567890123456789_-abcd"}""", 0, "OK")]
    [InlineData("""{"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Market","qty":"0.0005"}""", 10001, "The number of contracts exceeds minimum limit allowed")]
    [InlineData("""{"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Market","qty":"0.0015"}""", 10001, "Qty invalid")]
    [InlineData("""{"category":"linear","symbol":"ETHUSDT","side":"Buy","orderType":"Limit","qty":"0.01","price":"100"}""", 110094, "Order does not meet minimum order value 5USDT")]
    [InlineData("""{"category":"linear","symbol":"BTCUSDT","side":"Sell","orderType":"Market","qty":"2.5"}""", 110007, "ab not enough for new order")]
    [InlineData("""{"category":"linear","symbol":"BTCUSDT","side":"Sell","orderType":"Market","qty":"2"}""", 0, "OK")]
    [InlineData("""not json""", 10001, "Request parameter error.")]
    public async Task Linear_orders_are_checked_the_venues_way(string body, int retCode, string retMsg)
    {
        var reply = await CreateAsync(body);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(retCode, reply.RetCode);
        Assert.Equal(retMsg, reply.RetMsg);
        Assert.Equal(retCode == 0 ? 1 : 0, _fake.Exchange.Orders(BybitTestKit.AccountNumber).Count);
    }

    [Fact]
    public async Task A_market_order_without_a_price_is_below_the_minimum_value()
    {
        var reply = await CreateAsync(Order(symbol: "ETHUSDT", qty: "0.01"));
        _fake.Exchange.SetPrice("ETHUSDT", 0m);

        var none = await CreateAsync(Order(linkId: "x", symbol: "ETHUSDT", qty: "0.01"));

        Assert.Equal(0, reply.RetCode);
        Assert.Equal(110094, none.RetCode);
    }

    [Fact]
    public async Task The_accounts_order_rate_is_10006_with_the_limit_headers_until_the_window_turns()
    {
        await StartAsync(new BybitFakeOptions { OrderCreatesPerSecond = 2, ClockSkew = TimeSpan.FromSeconds(2) });
        await CreateAsync(Order("a"));
        _clock.Advance(TimeSpan.FromMilliseconds(300));
        var second = await CreateAsync(Order("b"));

        var third = await CreateAsync(Order("c"));

        Assert.Equal("0", second.Header("X-Bapi-Limit-Status"));
        Assert.Equal(10006, third.RetCode);
        Assert.Equal("Too many visits!", third.RetMsg);
        Assert.Equal("2", third.Header("X-Bapi-Limit"));
        Assert.Equal("0", third.Header("X-Bapi-Limit-Status"));
        Assert.Equal((Start + TimeSpan.FromSeconds(1) + TimeSpan.FromSeconds(2)).ToUnixTimeMilliseconds().ToString(), third.Header("X-Bapi-Limit-Reset-Timestamp"));
        Assert.Equal(2, _fake.Exchange.Orders(BybitTestKit.AccountNumber).Count);
        Assert.Equal(1, _fake.RateLimited);
        Assert.Equal(1, _fake.RefusedForRate);

        _clock.Advance(TimeSpan.FromMilliseconds(700));
        Assert.Equal(0, (await CreateAsync(Order("c"))).RetCode);
    }

    [Fact]
    public async Task The_order_rate_is_per_account()
    {
        await StartAsync(new BybitFakeOptions { OrderCreatesPerSecond = 1 });
        _fake.SeedAccount("UID-2", "other-key", "other-secret");
        await CreateAsync(Order("a"));

        var other = await SendAsync(HttpMethod.Post, "v5/order/create", Order("a"), key: "other-key", secret: "other-secret");

        Assert.Equal(0, other.RetCode);
        Assert.Equal(0, _fake.RateLimited);
    }

    [Fact]
    public async Task Reads_are_not_counted_against_the_order_rate()
    {
        await StartAsync(new BybitFakeOptions { OrderCreatesPerSecond = 1 });
        for (var i = 0; i < 3; i++) await SendAsync(HttpMethod.Get, "v5/account/wallet-balance", "accountType=UNIFIED");

        Assert.Equal(0, (await CreateAsync(Order())).RetCode);
    }

    [Fact]
    public async Task Cancels_have_their_own_rate()
    {
        await StartAsync(new BybitFakeOptions { OrderCancelsPerSecond = 1, OrderCreatesPerSecond = 5 });
        await CreateAsync(Order("a", type: "Limit", price: "40000"));
        await CreateAsync(Order("b", type: "Limit", price: "40000"));
        await SendAsync(HttpMethod.Post, "v5/order/cancel", """{"category":"linear","symbol":"BTCUSDT","orderLinkId":"a"}""");

        var second = await SendAsync(HttpMethod.Post, "v5/order/cancel", """{"category":"linear","symbol":"BTCUSDT","orderLinkId":"b"}""");

        Assert.Equal(10006, second.RetCode);
        Assert.Equal("1", second.Header("X-Bapi-Limit"));
        Assert.True(_fake.Exchange.OrderByClientId(BybitTestKit.AccountNumber, "b")!.IsOpen);
    }

    [Fact]
    public async Task Going_over_the_ip_limit_bans_the_ip_with_403_for_the_ban_duration()
    {
        await StartAsync(new BybitFakeOptions { IpRequestsPerWindow = 3, IpWindow = TimeSpan.FromSeconds(5), IpBan = TimeSpan.FromMinutes(1) });
        for (var i = 0; i < 3; i++) Assert.Equal(0, (await SendAsync(HttpMethod.Get, "v5/market/time", key: null)).RetCode);

        var over = await SendAsync(HttpMethod.Get, "v5/market/time", key: null);
        _clock.Advance(TimeSpan.FromSeconds(30)); // the window has turned, the ban has not ended
        var stillBanned = await CreateAsync(Order());

        Assert.Equal(HttpStatusCode.Forbidden, over.Status);
        Assert.Equal("access too frequent", over.Body);
        Assert.Equal(HttpStatusCode.Forbidden, stillBanned.Status);
        Assert.Empty(_fake.Exchange.Orders(BybitTestKit.AccountNumber));
        Assert.Equal(1, _fake.Bans);
        Assert.Equal(2, _fake.RefusedWhileBanned);
        Assert.Equal(2, _fake.RefusedForRate);
        Assert.Equal(5, _fake.RequestsFrom("127.0.0.1"));
        Assert.Equal(5, _fake.RequestsByIp["127.0.0.1"]);
        Assert.Equal(4, _fake.RequestsTo("/v5/market/time"));
        Assert.Equal(0, _fake.RequestsFrom("10.0.0.1"));

        _clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(0, (await CreateAsync(Order())).RetCode);
        Assert.Equal(1, _fake.Bans);
    }

    // ---- cancelling

    [Fact]
    public async Task An_open_order_is_cancelled_by_link_id_or_order_id()
    {
        await CreateAsync(Order("a", type: "Limit", price: "40000"));
        await CreateAsync(Order("b", type: "Limit", price: "40000"));
        var b = _fake.Exchange.OrderByClientId(BybitTestKit.AccountNumber, "b")!;

        var byLink = await SendAsync(HttpMethod.Post, "v5/order/cancel", """{"category":"linear","symbol":"BTCUSDT","orderLinkId":"a"}""");
        var byId = await SendAsync(HttpMethod.Post, "v5/order/cancel", $$"""{"category":"linear","symbol":"BTCUSDT","orderId":"{{b.VenueOrderId}}","orderLinkId":"a"}""");

        Assert.Equal(0, byLink.RetCode);
        Assert.Equal("a", byLink.Result.GetProperty("orderLinkId").GetString());
        Assert.Equal(0, byId.RetCode);
        Assert.Equal(b.VenueOrderId, byId.Result.GetProperty("orderId").GetString());
        Assert.All(_fake.Exchange.Orders(BybitTestKit.AccountNumber), o => Assert.Equal(FakeOrderState.Cancelled, o.State));
    }

    [Theory]
    [InlineData("""{"category":"linear","symbol":"BTCUSDT","orderLinkId":"nope"}""", 110001)]
    [InlineData("""{"category":"linear","symbol":"BTCUSDT","orderId":"999"}""", 110001)]
    [InlineData("""{"category":"linear","symbol":"BTCUSDT","orderLinkId":"filled"}""", 110001)]
    [InlineData("""{"category":"linear","symbol":"ETHUSDT","orderLinkId":"open"}""", 110001)]
    [InlineData("""{"category":"linear","symbol":"BTCUSDT"}""", 10001)]
    [InlineData("""{"category":"linear","orderLinkId":"open"}""", 10001)]
    [InlineData("""{"category":"spot","symbol":"BTCUSDT","orderLinkId":"open"}""", 10001)]
    [InlineData("""nope""", 10001)]
    public async Task A_cancel_of_what_is_not_open_is_refused(string body, int retCode)
    {
        await CreateAsync(Order("filled"));
        await CreateAsync(Order("open", type: "Limit", price: "40000"));

        var reply = await SendAsync(HttpMethod.Post, "v5/order/cancel", body);

        Assert.Equal(retCode, reply.RetCode);
        if (retCode == 110001) Assert.Equal("order not exists or too late to cancel", reply.RetMsg);
        Assert.True(_fake.Exchange.OrderByClientId(BybitTestKit.AccountNumber, "open")!.IsOpen);
    }

    [Fact]
    public async Task Another_accounts_order_cannot_be_cancelled_by_its_id()
    {
        await CreateAsync(Order("open", type: "Limit", price: "40000"));
        var id = _fake.Exchange.OrderByClientId(BybitTestKit.AccountNumber, "open")!.VenueOrderId;
        _fake.SeedAccount("UID-2", "other-key", "other-secret");

        var reply = await SendAsync(HttpMethod.Post, "v5/order/cancel", $$"""{"category":"linear","symbol":"BTCUSDT","orderId":"{{id}}"}""", key: "other-key", secret: "other-secret");

        Assert.Equal(110001, reply.RetCode);
    }

    // ---- looking up

    [Fact]
    public async Task An_order_is_found_by_link_id_with_its_cumulative_fill()
    {
        await CreateAsync(Order("a"));

        var reply = await SendAsync(HttpMethod.Get, "v5/order/realtime", "category=linear&symbol=BTCUSDT&orderLinkId=a");

        var order = reply.Result.GetProperty("list")[0];
        Assert.Equal("Filled", order.GetProperty("orderStatus").GetString());
        Assert.Equal("0.01", order.GetProperty("cumExecQty").GetString());
        Assert.Equal("50000", order.GetProperty("avgPrice").GetString());
        Assert.Equal("500", order.GetProperty("cumExecValue").GetString());
        Assert.Equal("0.5", order.GetProperty("cumExecFee").GetString());
        Assert.Equal("Market", order.GetProperty("orderType").GetString());
        Assert.Equal("IOC", order.GetProperty("timeInForce").GetString());
        Assert.Equal("0", order.GetProperty("leavesQty").GetString());
        Assert.Equal(Start.ToUnixTimeMilliseconds().ToString(), order.GetProperty("updatedTime").GetString());
        Assert.Equal("linear", reply.Result.GetProperty("category").GetString());
    }

    [Fact]
    public async Task An_open_limit_order_has_nothing_executed_and_a_blank_average()
    {
        await CreateAsync(Order("a", type: "Limit", price: "40000", qty: "0.02"));
        _fake.Exchange.SetPrice("BTCUSDT", 40_000m, liquidity: 0.01m);
        await CreateAsync(Order("b", type: "Limit", price: "30000"));

        var list = (await SendAsync(HttpMethod.Get, "v5/order/realtime", "category=linear&settleCoin=USDT")).Result.GetProperty("list");

        Assert.Equal("New", list[0].GetProperty("orderStatus").GetString());
        Assert.Equal("", list[0].GetProperty("avgPrice").GetString());
        Assert.Equal("0", list[0].GetProperty("cumExecQty").GetString());
        Assert.Equal("Limit", list[0].GetProperty("orderType").GetString());
        Assert.Equal("GTC", list[0].GetProperty("timeInForce").GetString());
        Assert.Equal("30000", list[0].GetProperty("price").GetString());
        Assert.Equal("PartiallyFilled", list[1].GetProperty("orderStatus").GetString());
        Assert.Equal("0.01", list[1].GetProperty("leavesQty").GetString());
    }

    [Fact]
    public async Task A_cancelled_order_that_filled_in_part_says_so()
    {
        await CreateAsync(Order("a", type: "Limit", price: "40000", qty: "0.02"));
        _fake.Exchange.SetPrice("BTCUSDT", 40_000m, liquidity: 0.01m);
        await CreateAsync(Order("b", type: "Limit", price: "30000"));
        await SendAsync(HttpMethod.Post, "v5/order/cancel", """{"category":"linear","symbol":"BTCUSDT","orderLinkId":"a"}""");
        await SendAsync(HttpMethod.Post, "v5/order/cancel", """{"category":"linear","symbol":"BTCUSDT","orderLinkId":"b"}""");

        var list = (await SendAsync(HttpMethod.Get, "v5/order/history", "category=linear&symbol=BTCUSDT")).Result.GetProperty("list");

        Assert.Equal("Cancelled", list[0].GetProperty("orderStatus").GetString());
        Assert.Equal("PartiallyFilledCanceled", list[1].GetProperty("orderStatus").GetString());
    }

    [Fact]
    public async Task Realtime_shows_only_the_most_recent_ended_orders_and_history_shows_them_all()
    {
        await StartAsync(new BybitFakeOptions { RealtimeClosedOrders = 1 });
        await CreateAsync(Order("a"));
        _clock.Advance(TimeSpan.FromSeconds(1));
        await CreateAsync(Order("b"));
        await CreateAsync(Order("open", type: "Limit", price: "40000"));

        var oldInRealtime = await SendAsync(HttpMethod.Get, "v5/order/realtime", "category=linear&symbol=BTCUSDT&orderLinkId=a");
        var newInRealtime = await SendAsync(HttpMethod.Get, "v5/order/realtime", "category=linear&symbol=BTCUSDT&orderLinkId=b");
        var oldInHistory = await SendAsync(HttpMethod.Get, "v5/order/history", "category=linear&symbol=BTCUSDT&orderLinkId=a");
        var ended = await SendAsync(HttpMethod.Get, "v5/order/realtime", "category=linear&symbol=BTCUSDT&openOnly=1");
        var open = await SendAsync(HttpMethod.Get, "v5/order/realtime", "category=linear&symbol=BTCUSDT&openOnly=0");
        var history = await SendAsync(HttpMethod.Get, "v5/order/history", "category=linear&symbol=BTCUSDT");

        Assert.Equal(0, oldInRealtime.Result.GetProperty("list").GetArrayLength());
        Assert.Equal("b", newInRealtime.Result.GetProperty("list")[0].GetProperty("orderLinkId").GetString());
        Assert.Equal("a", oldInHistory.Result.GetProperty("list")[0].GetProperty("orderLinkId").GetString());
        Assert.Equal("b", Assert.Single(ended.Result.GetProperty("list").EnumerateArray()).GetProperty("orderLinkId").GetString());
        Assert.Equal("open", Assert.Single(open.Result.GetProperty("list").EnumerateArray()).GetProperty("orderLinkId").GetString());
        Assert.Equal(["open", "b", "a"], history.Result.GetProperty("list").EnumerateArray().Select(o => o.GetProperty("orderLinkId").GetString()));
    }

    [Fact]
    public async Task Orders_are_found_by_order_id_and_only_the_accounts_own()
    {
        await CreateAsync(Order("a"));
        var id = _fake.Exchange.OrderByClientId(BybitTestKit.AccountNumber, "a")!.VenueOrderId;
        _fake.SeedAccount("UID-2", "other-key", "other-secret");

        var mine = await SendAsync(HttpMethod.Get, "v5/order/realtime", $"category=linear&orderId={id}");
        var theirs = await SendAsync(HttpMethod.Get, "v5/order/realtime", $"category=linear&orderId={id}", key: "other-key", secret: "other-secret");
        var otherSymbol = await SendAsync(HttpMethod.Get, "v5/order/realtime", $"category=linear&symbol=ETHUSDT&orderId={id}");

        Assert.Equal("a", mine.Result.GetProperty("list")[0].GetProperty("orderLinkId").GetString());
        Assert.Equal(0, theirs.Result.GetProperty("list").GetArrayLength());
        Assert.Equal(0, otherSymbol.Result.GetProperty("list").GetArrayLength());
    }

    [Theory]
    [InlineData("v5/order/realtime", "category=linear")]
    [InlineData("v5/order/realtime", "category=spot&symbol=BTCUSDT")]
    [InlineData("v5/order/history", "category=linear&openOnly=0")]
    [InlineData("v5/order/history", "symbol=BTCUSDT")]
    public async Task Linear_order_lists_need_their_category_and_a_symbol_or_settle_coin(string path, string query) =>
        Assert.Equal(10001, (await SendAsync(HttpMethod.Get, path, query)).RetCode);

    [Fact]
    public async Task Lists_come_in_pages_by_limit_and_cursor()
    {
        foreach (var id in new[] { "a", "b", "c" }) await CreateAsync(Order(id, type: "Limit", price: "40000"));

        var first = await SendAsync(HttpMethod.Get, "v5/order/realtime", "category=linear&settleCoin=USDT&limit=2");
        var second = await SendAsync(HttpMethod.Get, "v5/order/realtime", "category=linear&settleCoin=USDT&limit=2&cursor=" + first.Result.GetProperty("nextPageCursor").GetString());
        var all = await SendAsync(HttpMethod.Get, "v5/order/realtime", "category=linear&settleCoin=USDT");
        var clamped = await SendAsync(HttpMethod.Get, "v5/order/realtime", "category=linear&settleCoin=USDT&limit=0");

        Assert.Equal(["c", "b"], first.Result.GetProperty("list").EnumerateArray().Select(o => o.GetProperty("orderLinkId").GetString()));
        Assert.Equal("2", first.Result.GetProperty("nextPageCursor").GetString());
        Assert.Equal(["a"], second.Result.GetProperty("list").EnumerateArray().Select(o => o.GetProperty("orderLinkId").GetString()));
        Assert.Equal("", second.Result.GetProperty("nextPageCursor").GetString());
        Assert.Equal(3, all.Result.GetProperty("list").GetArrayLength());
        Assert.Equal(1, clamped.Result.GetProperty("list").GetArrayLength());
    }

    [Fact]
    public async Task Settle_coin_filters_the_listed_orders()
    {
        await CreateAsync(Order("a", type: "Limit", price: "40000"));

        var usdc = await SendAsync(HttpMethod.Get, "v5/order/realtime", "category=linear&settleCoin=USDC");

        Assert.Equal(0, usdc.Result.GetProperty("list").GetArrayLength());
    }

    // ---- account

    [Fact]
    public async Task Positions_are_listed_signed_by_side_with_their_entry()
    {
        await CreateAsync(Order("a", qty: "0.02"));
        await CreateAsync(Order("b", symbol: "ETHUSDT", side: "Sell", qty: "0.5"));
        _fake.Exchange.SetPrice("BTCUSDT", 51_000m);

        var bySettle = (await SendAsync(HttpMethod.Get, "v5/position/list", "category=linear&settleCoin=USDT")).Result.GetProperty("list");
        var flat = (await SendAsync(HttpMethod.Get, "v5/position/list", "category=linear&symbol=BTCUSDT")).Result.GetProperty("list");

        Assert.Equal(2, bySettle.GetArrayLength());
        Assert.Equal("BTCUSDT", bySettle[0].GetProperty("symbol").GetString());
        Assert.Equal("Buy", bySettle[0].GetProperty("side").GetString());
        Assert.Equal("0.02", bySettle[0].GetProperty("size").GetString());
        Assert.Equal("50000", bySettle[0].GetProperty("avgPrice").GetString());
        Assert.Equal("51000", bySettle[0].GetProperty("markPrice").GetString());
        Assert.Equal("1020", bySettle[0].GetProperty("positionValue").GetString());
        Assert.Equal("Sell", bySettle[1].GetProperty("side").GetString());
        Assert.Equal("0.5", bySettle[1].GetProperty("size").GetString());
        Assert.Equal("0.02", flat[0].GetProperty("size").GetString());
    }

    [Fact]
    public async Task A_flat_symbol_asked_by_name_is_answered_empty()
    {
        var flat = (await SendAsync(HttpMethod.Get, "v5/position/list", "category=linear&symbol=ETHUSDT")).Result.GetProperty("list");

        Assert.Equal("", flat[0].GetProperty("side").GetString());
        Assert.Equal("0", flat[0].GetProperty("size").GetString());
        Assert.Equal("3000", flat[0].GetProperty("markPrice").GetString());
    }

    [Theory]
    [InlineData("category=linear")]
    [InlineData("category=spot&settleCoin=USDT")]
    public async Task Positions_need_a_derivative_category_and_a_symbol_or_settle_coin(string query) =>
        Assert.Equal(10001, (await SendAsync(HttpMethod.Get, "v5/position/list", query)).RetCode);

    [Fact]
    public async Task The_unified_wallet_shows_cash_and_equity()
    {
        await CreateAsync(Order("a", qty: "0.02"));
        _fake.Exchange.SetPrice("BTCUSDT", 51_000m);

        var wallet = (await SendAsync(HttpMethod.Get, "v5/account/wallet-balance", "accountType=UNIFIED")).Result.GetProperty("list")[0];
        var wrongType = await SendAsync(HttpMethod.Get, "v5/account/wallet-balance", "accountType=SPOT");

        var cash = 100_000m - 1_000m - 1m;
        Assert.Equal("UNIFIED", wallet.GetProperty("accountType").GetString());
        Assert.Equal(BybitWire.Number(cash + 0.02m * 51_000m), wallet.GetProperty("totalEquity").GetString());
        var usdt = Assert.Single(wallet.GetProperty("coin").EnumerateArray());
        Assert.Equal("USDT", usdt.GetProperty("coin").GetString());
        Assert.Equal(BybitWire.Number(cash), usdt.GetProperty("walletBalance").GetString());
        Assert.Equal(10001, wrongType.RetCode);
    }

    [Fact]
    public async Task A_venue_failure_is_its_5xx_with_its_envelope()
    {
        _fake.Faults.Set(FakeFaultKind.Fail, times: 1);

        var reply = await CreateAsync(Order());

        Assert.Equal(HttpStatusCode.InternalServerError, reply.Status);
        Assert.Equal(10016, reply.RetCode);
        Assert.Empty(_fake.Exchange.Orders(BybitTestKit.AccountNumber));
    }

    // ---- spot

    [Fact]
    public async Task Spot_refuses_with_its_own_codes()
    {
        await StartAsync(new BybitFakeOptions { Category = "spot" });

        var ok = await CreateAsync(Order("a", category: "spot", qty: "0.01", marketUnit: "baseCoin"));
        var duplicate = await CreateAsync(Order("a", category: "spot", qty: "0.01", marketUnit: "baseCoin"));
        var sellMore = await CreateAsync(Order("b", category: "spot", side: "Sell", qty: "0.02"));
        var tooSmall = await CreateAsync(Order("c", category: "spot", qty: "0.00001", marketUnit: "baseCoin"));
        var decimals = await CreateAsync(Order("d", category: "spot", qty: "0.0100001", marketUnit: "baseCoin"));
        var lowValue = await CreateAsync(Order("e", category: "spot", type: "Limit", price: "10", qty: "0.0001"));
        var unknown = await CreateAsync(Order("f", category: "spot", symbol: "DOGEUSDT"));
        var tooDear = await CreateAsync(Order("g", category: "spot", qty: "3", marketUnit: "baseCoin"));
        var cancelled = await SendAsync(HttpMethod.Post, "v5/order/cancel", """{"category":"spot","symbol":"BTCUSDT","orderLinkId":"a"}""");

        Assert.Equal(0, ok.RetCode);
        Assert.Equal((170141, "Duplicate clientOrderId."), (duplicate.RetCode!.Value, duplicate.RetMsg));
        Assert.Equal((170131, "Insufficient balance."), (sellMore.RetCode!.Value, sellMore.RetMsg));
        Assert.Equal(170136, tooSmall.RetCode);
        Assert.Equal(170137, decimals.RetCode);
        Assert.Equal(170140, lowValue.RetCode);
        Assert.Equal(170121, unknown.RetCode);
        Assert.Equal(170131, tooDear.RetCode);
        Assert.Equal(170213, cancelled.RetCode);
    }

    [Fact]
    public async Task A_spot_market_buy_counts_in_the_quote_coin_unless_told_base()
    {
        await StartAsync(new BybitFakeOptions { Category = "spot" });

        await CreateAsync(Order("quote", category: "spot", qty: "1000"));
        await CreateAsync(Order("base", category: "spot", qty: "0.01", marketUnit: "baseCoin"));
        await CreateAsync(Order("sell", category: "spot", side: "Sell", qty: "1000"));

        Assert.Equal(0.02m, _fake.Exchange.OrderByClientId(BybitTestKit.AccountNumber, "quote")!.Quantity);
        Assert.Equal(0.01m, _fake.Exchange.OrderByClientId(BybitTestKit.AccountNumber, "base")!.Quantity);
        Assert.Null(_fake.Exchange.OrderByClientId(BybitTestKit.AccountNumber, "sell"));
    }

    [Fact]
    public async Task Spot_holdings_are_coins_of_the_wallet_and_there_is_no_position_list()
    {
        await StartAsync(new BybitFakeOptions { Category = "spot" });
        await CreateAsync(Order("a", category: "spot", qty: "0.01", marketUnit: "baseCoin"));

        var coins = (await SendAsync(HttpMethod.Get, "v5/account/wallet-balance", "accountType=UNIFIED")).Result.GetProperty("list")[0].GetProperty("coin");
        var positions = await SendAsync(HttpMethod.Get, "v5/position/list", "category=spot&settleCoin=USDT");
        var open = await SendAsync(HttpMethod.Get, "v5/order/realtime", "category=spot");

        Assert.Equal(["USDT", "BTC"], coins.EnumerateArray().Select(c => c.GetProperty("coin").GetString()));
        Assert.Equal("0.01", coins[1].GetProperty("walletBalance").GetString());
        Assert.Equal("500", coins[1].GetProperty("usdValue").GetString());
        Assert.Equal(10001, positions.RetCode);
        Assert.Equal(0, open.RetCode);
    }

    [Fact]
    public void The_fake_names_the_venue_and_keeps_its_options()
    {
        Assert.Equal("bybit", _fake.Venue);
        Assert.Equal(500, _fake.Options.RealtimeClosedOrders);
        Assert.Equal(600, new BybitFakeOptions().IpRequestsPerWindow);
        Assert.Equal(TimeSpan.FromSeconds(5), new BybitFakeOptions().IpWindow);
        Assert.Equal(TimeSpan.FromMinutes(10), new BybitFakeOptions().IpBan);
        Assert.Equal(10, new BybitFakeOptions().OrderCreatesPerSecond);
    }
}
