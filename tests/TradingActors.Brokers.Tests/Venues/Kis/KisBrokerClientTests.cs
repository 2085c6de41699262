using System.Text.Json;
using TradingActors.Brokers.Fakes;
using TradingActors.Brokers.Http;
using TradingActors.Brokers.Kis;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Tests.Venues.Kis;

/// <summary>
/// What only the KIS connector does: the session token (issued once, refused when unusable or refused by the venue),
/// the request it sends, reconciliation by inquiry across pages when an answer was lost, cancel by lookup, the
/// account, instrument rules and the check, and the real and mock servers.
/// </summary>
public sealed class KisBrokerClientTests
{
    private static readonly BrokerAccount Bare = new("acct-1", KisFakeHarness.AccountNumber, KisFakeHarness.Key, KisFakeHarness.Secret);
    private static CancellationToken Soon => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;

    private static (KisBrokerClient Client, Recorder Recorder) Connect(KisFakeHarness h, VenueRetry? retry = null, KisOptions? options = null)
    {
        var recorder = new Recorder(new SocketsHttpHandler());
        var client = new KisBrokerClient(options ?? KisTestKit.Options(h.Fake.BaseUrl), new HttpClient(recorder), (TimeProvider?)h.Clock ?? TimeProvider.System,
            retry ?? VenueRetry.None);
        return (client, recorder);
    }

    private static KisBrokerClient Scripted(Scripted venue, TimeProvider? time = null, KisOptions? options = null) =>
        new(options ?? KisTestKit.Options(new Uri("http://kis.test/")), new HttpClient(venue), time ?? TimeProvider.System, VenueRetry.None);

    private static async Task<BrokerAccount> OpenAsync(KisFakeHarness h, KisBrokerClient client, BrokerAccount? account = null)
    {
        var bare = account ?? Bare;
        return bare with { Token = await client.IssueTokenAsync(bare, Soon) };
    }

    private static long _seq;

    private static OrderIntent Market(OrderSide side = OrderSide.Buy, decimal qty = 1m, string symbol = "005930")
    {
        var seq = Interlocked.Increment(ref _seq);
        return new OrderIntent(ClientOrderIds.Create("tenant-1", "acct-1", "strategy:s1", seq, 0), "acct-1", "strategy:s1", seq, symbol, side, qty, 70_000m);
    }

    private static OrderIntent Limit(decimal price, OrderSide side = OrderSide.Buy, decimal qty = 1m) => Market(side, qty) with { Type = OrderType.Limit, LimitPrice = price };

    private static OrderLookup LookupOf(OrderIntent intent, DateTimeOffset? sentAfter, string? venueOrderId = null, params string[] known) =>
        OrderLookup.Of(intent) with { SentAfter = sentAfter, VenueOrderId = venueOrderId, KnownVenueOrderIds = known };

    // ---- token

    [Fact]
    public async Task A_token_is_issued_once_with_the_venues_expiry()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var (client, recorder) = Connect(h);

        var token = await client.IssueTokenAsync(Bare, Soon);

        Assert.Equal(KisFakeHarness.Start.AddDays(1), token.ExpiresAt);
        Assert.StartsWith("eyJ", token.Value);
        Assert.Equal(1, h.Fake.TokensIssued(KisFakeHarness.Key));
        Assert.Same(client, ((IBrokerClient)client).Tokens); // so the account's BrokerSession issues and keeps the token
        var sent = Assert.Single(recorder.Requests);
        Assert.Equal("/oauth2/tokenP", sent.Path);
        Assert.Equal(HttpMethod.Post, sent.Method);
        Assert.Equal("application/json; charset=utf-8", sent.ContentType);
    }

    [Fact]
    public async Task A_token_asked_again_within_a_minute_is_not_placed_and_retryable_a_minute_later()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var (client, _) = Connect(h);
        await client.IssueTokenAsync(Bare, Soon);

        var e = await Assert.ThrowsAsync<OrderNotPlacedException>(() => client.IssueTokenAsync(Bare, Soon));

        Assert.True(e.Data.Contains(VenueRefusal.Transient));
        Assert.Equal(TimeSpan.FromMinutes(1), e.RetryAfter);
        Assert.Equal(1, h.Fake.TokensIssued(KisFakeHarness.Key));
        Assert.Equal(2, h.Fake.TokenRequests(KisFakeHarness.Key));
    }

    [Theory]
    [InlineData(null, "s")]
    [InlineData("k", null)]
    [InlineData("", "s")]
    [InlineData("k", "")]
    public async Task An_account_without_key_and_secret_asks_for_no_token(string? key, string? secret)
    {
        await using var h = await KisFakeHarness.StartAsync();
        var (client, recorder) = Connect(h);

        var e = await Assert.ThrowsAsync<OrderNotPlacedException>(() => client.IssueTokenAsync(Bare with { ApiKey = key, ApiSecret = secret }, Soon));

        Assert.Equal("kis: the account has no app key and secret to issue a token with", e.Message);
        Assert.Empty(recorder.Requests);
    }

    [Fact]
    public async Task An_order_without_a_token_is_refused_for_its_token_without_calling_the_venue()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var (client, recorder) = Connect(h);

        var e = await Assert.ThrowsAnyAsync<OrderNotPlacedException>(() => client.PlaceOrderAsync(Bare, Market(), Soon));

        Assert.True(VenueRefusal.IsTokenRefusal(e));
        Assert.Empty(recorder.Requests);
    }

    [Fact]
    public async Task Every_call_with_a_token_about_to_lapse_is_refused_for_its_token_without_calling_the_venue()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var (client, recorder) = Connect(h);
        var account = Bare with { Token = new VenueToken("eyJx", KisFakeHarness.Start.AddMinutes(9)) };
        var lookup = LookupOf(Market(), KisFakeHarness.Start);

        foreach (var call in new Func<Task>[]
                 {
                     () => client.PlaceOrderAsync(account, Market(), Soon),
                     () => client.FindOrderAsync(account, lookup, Soon),
                     () => client.CancelOrderAsync(account, lookup, Soon),
                     () => client.GetAccountAsync(account, Soon),
                     () => client.GetInstrumentAsync(account, "005930", Soon),
                 })
            Assert.True(VenueRefusal.IsTokenRefusal(await Assert.ThrowsAnyAsync<OrderNotPlacedException>(call)));

        Assert.False((await client.CheckConnectivityAsync(account, Soon)).Passed);
        Assert.Empty(recorder.Requests);
    }

    [Fact]
    public async Task A_token_the_venue_holds_expired_is_refused_for_its_token_so_the_session_issues_a_new_one()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var (client, _) = Connect(h);
        var issued = await client.IssueTokenAsync(Bare, Soon);
        h.Clock!.Advance(TimeSpan.FromDays(1));
        // The session's copy says it is still good (a skewed clock, a token revoked early): the venue decides.
        var account = Bare with { Token = issued with { ExpiresAt = issued.ExpiresAt.AddDays(1) } };

        var e = await Assert.ThrowsAnyAsync<OrderNotPlacedException>(() => client.PlaceOrderAsync(account, Market(), Soon));

        Assert.True(VenueRefusal.IsTokenRefusal(e));
        Assert.Contains("EGW00123", e.Message);
        Assert.DoesNotContain(issued.Value, e.ToString());
        Assert.Empty(h.Exchange.Orders(KisFakeHarness.AccountNumber));
        var renewed = await OpenAsync(h, client);
        Assert.Equal(BrokerOrderStatus.Accepted, (await client.PlaceOrderAsync(renewed, Market(), Soon)).Status);
    }

    // ---- what is sent

    [Fact]
    public async Task A_market_buy_is_sent_with_the_venues_headers_and_string_body()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var (client, recorder) = Connect(h);
        var account = await OpenAsync(h, client);

        var placed = await client.PlaceOrderAsync(account, Market(qty: 2m), Soon);

        var sent = recorder.Requests[^1];
        Assert.Equal("/uapi/domestic-stock/v1/trading/order-cash", sent.Path);
        Assert.Equal($"Bearer {account.Token!.Value}", sent.Headers["authorization"]);
        Assert.Equal(KisFakeHarness.Key, sent.Headers["appkey"]);
        Assert.Equal(KisFakeHarness.Secret, sent.Headers["appsecret"]);
        Assert.Equal("VTTC0012U", sent.Headers["tr_id"]);
        Assert.Equal("P", sent.Headers["custtype"]);
        Assert.Equal("application/json; charset=utf-8", sent.ContentType);
        var body = JsonSerializer.Deserialize<Dictionary<string, string>>(sent.Body)!;
        Assert.Equal(new Dictionary<string, string>
        {
            ["CANO"] = "12345678", ["ACNT_PRDT_CD"] = "01", ["PDNO"] = "005930", ["ORD_DVSN"] = "01", ["ORD_QTY"] = "2", ["ORD_UNPR"] = "0",
            ["EXCG_ID_DVSN_CD"] = "KRX", ["SLL_TYPE"] = "", ["CNDT_PRIC"] = "",
        }, body);
        Assert.Equal(Assert.Single(h.Exchange.Orders(KisFakeHarness.AccountNumber)).VenueOrderId, placed.VenueOrderId);
    }

    [Fact]
    public async Task A_limit_sell_is_sent_as_a_sell_at_its_price()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var (client, recorder) = Connect(h);
        var account = await OpenAsync(h, client);

        var placed = await client.PlaceOrderAsync(account, Limit(75_000m, OrderSide.Sell, 3m), Soon);

        var sent = recorder.Requests[^1];
        Assert.Equal("VTTC0011U", sent.Headers["tr_id"]);
        var body = JsonSerializer.Deserialize<Dictionary<string, string>>(sent.Body)!;
        Assert.Equal(("00", "75000", "3", "01"), (body["ORD_DVSN"], body["ORD_UNPR"], body["ORD_QTY"], body["SLL_TYPE"]));
        Assert.Equal((BrokerOrderStatus.Accepted, 75_000m, OrderSide.Sell), (placed.Status, placed.LimitPrice, placed.Side));
        Assert.Equal(FakeOrderState.Open, Assert.Single(h.Exchange.Orders(KisFakeHarness.AccountNumber)).State);
    }

    public static TheoryData<string, OrderIntent, string> Unsendable => new()
    {
        { "12345678-1", Market(), "kis account number '12345678-1' is not " + KisAccountNumber.Format },
        { "ACC-1", Market(), "kis account number 'ACC-1' is not " + KisAccountNumber.Format },
        { KisFakeHarness.AccountNumber, Market(symbol: "NOSUCH"), "kis: 'NOSUCH' is not a 6-digit KRX stock code" },
        { KisFakeHarness.AccountNumber, Market(qty: 1.5m), "kis: quantity 1.5 is not a whole number of shares" },
        { KisFakeHarness.AccountNumber, Market(qty: 0m), "kis: quantity 0 is not a whole number of shares" },
        { KisFakeHarness.AccountNumber, Market() with { Type = OrderType.Limit }, "kis: limit price  is not a whole number of won" },
        { KisFakeHarness.AccountNumber, Limit(70_000.5m), "kis: limit price 70000.5 is not a whole number of won" },
        { KisFakeHarness.AccountNumber, Limit(0m), "kis: limit price 0 is not a whole number of won" },
    };

    [Theory]
    [MemberData(nameof(Unsendable))]
    public async Task What_KRX_cannot_take_is_not_placed_and_not_sent(string accountNumber, OrderIntent intent, string reason)
    {
        await using var h = await KisFakeHarness.StartAsync();
        var (client, recorder) = Connect(h);
        var account = await OpenAsync(h, client) with { VenueAccountNumber = accountNumber };
        recorder.Requests.Clear();

        var e = await Assert.ThrowsAsync<OrderNotPlacedException>(() => client.PlaceOrderAsync(account, intent, Soon));

        Assert.Equal(reason, e.Message);
        Assert.Empty(recorder.Requests);
        Assert.False(e.Data.Contains(VenueRefusal.Transient));
        Assert.False(VenueRefusal.IsTokenRefusal(e));
    }

    [Fact]
    public async Task A_malformed_account_number_names_the_format()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var (client, _) = Connect(h);

        var e = await Assert.ThrowsAsync<OrderNotPlacedException>(() => client.PlaceOrderAsync(Bare with { VenueAccountNumber = "ACC-1" }, Market(), Soon));

        Assert.Contains(KisAccountNumber.Format, e.Message);
        Assert.False((await client.CheckConnectivityAsync(Bare with { VenueAccountNumber = "ACC-1" }, Soon)).Passed);
    }

    // ---- servers

    [Fact]
    public async Task A_live_account_uses_the_real_servers_url_and_tr_ids()
    {
        await using var h = await KisFakeHarness.StartAsync(new KisFakeOptions { Live = true });
        var options = new KisOptions { LiveBaseUrl = h.Fake.BaseUrl, TestBaseUrl = new Uri("http://127.0.0.1:9/") };
        var (client, recorder) = Connect(h, options: options);
        var live = await OpenAsync(h, client, Bare with { Mode = "live" });

        var placed = await client.PlaceOrderAsync(live, Market(), Soon);
        var found = await client.FindOrderAsync(live, LookupOf(Market(), KisFakeHarness.Start, placed.VenueOrderId), Soon);
        var state = await client.GetAccountAsync(live, Soon);

        Assert.Equal(BrokerOrderStatus.Filled, found!.Status);
        Assert.Single(state.Positions);
        Assert.Equal(["TTTC0012U", "TTTC0081R", "TTTC8434R", "TTTC0081R"], recorder.Requests.Skip(1).Select(r => r.Headers["tr_id"]));
        await Assert.ThrowsAsync<OrderNotPlacedException>(() => client.PlaceOrderAsync(live with { Mode = "paper" }, Market(), Soon));
    }

    [Fact]
    public async Task A_mock_account_at_the_real_server_is_refused_not_placed()
    {
        await using var h = await KisFakeHarness.StartAsync(new KisFakeOptions { Live = true });
        var (client, _) = Connect(h);
        var account = await OpenAsync(h, client);

        var e = await Assert.ThrowsAsync<OrderNotPlacedException>(() => client.PlaceOrderAsync(account, Market(), Soon));

        Assert.Contains("EGW00213", e.Message);
        Assert.Empty(h.Exchange.Orders(KisFakeHarness.AccountNumber));
    }

    // ---- rate

    [Fact]
    public async Task A_rate_overrun_is_not_placed_and_retryable_after_a_second()
    {
        await using var h = await KisFakeHarness.StartAsync(new KisFakeOptions { MockRequestsPerSecond = 1 });
        var (client, _) = Connect(h);
        var account = await OpenAsync(h, client);
        await client.PlaceOrderAsync(account, Market(), Soon);

        var e = await Assert.ThrowsAsync<OrderNotPlacedException>(() => client.PlaceOrderAsync(account, Market(), Soon));

        Assert.True(e.Data.Contains(VenueRefusal.Transient));
        Assert.Equal(TimeSpan.FromSeconds(1), e.RetryAfter);
        Assert.Contains("EGW00201", e.Message);
        Assert.Single(h.Exchange.Orders(KisFakeHarness.AccountNumber));
        Assert.Equal(1, h.Fake.RefusedForRate);
    }

    [Fact]
    public async Task A_rate_limited_order_is_sent_again_and_placed_once()
    {
        await using var h = await KisFakeHarness.StartAsync(new KisFakeOptions { MockRequestsPerSecond = 2, RateWindow = TimeSpan.FromMilliseconds(300) }, systemClock: true);
        var retry = new VenueRetry(new VenueRetryOptions { MaxAttempts = 8, FirstDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(400) }, TimeProvider.System);
        var (client, _) = Connect(h, retry);
        var account = await OpenAsync(h, client);

        for (var i = 0; i < 4; i++) await client.PlaceOrderAsync(account, Market(), Soon);

        Assert.Equal(4, h.Exchange.Orders(KisFakeHarness.AccountNumber).Count);
        Assert.True(h.Fake.RefusedForRate > 0);
    }

    // ---- reconciliation by inquiry

    [Fact]
    public async Task After_a_lost_answer_the_lookup_finds_the_order_not_the_identical_earlier_one_already_known()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var (client, _) = Connect(h);
        var account = await OpenAsync(h, client);
        var sentFirst = h.Clock!.GetUtcNow();
        var first = await client.PlaceOrderAsync(account, Market(), Soon);
        h.Clock.Advance(TimeSpan.FromSeconds(5));
        var sentSecond = h.Clock.GetUtcNow();
        var intent = Market();
        h.Fake.Faults.Set(FakeFaultKind.DropAfterAccept, times: 1);

        var lost = await Assert.ThrowsAnyAsync<Exception>(() => client.PlaceOrderAsync(account, intent, Soon));
        Assert.IsNotType<OrderNotPlacedException>(lost);

        var exchangeOrders = h.Exchange.Orders(KisFakeHarness.AccountNumber);
        Assert.Equal(2, exchangeOrders.Count);
        var second = exchangeOrders.Single(o => o.VenueOrderId != first.VenueOrderId);

        // The engine knows the first order's number: the earlier identical order is never taken for the lost one.
        var found = await client.FindOrderAsync(account, LookupOf(intent, sentFirst, null, first.VenueOrderId!), Soon);
        Assert.Equal((second.VenueOrderId, BrokerOrderStatus.Filled, intent.ClientOrderId), (found!.VenueOrderId, found.Status, found.ClientOrderId));
        Assert.Equal(1m, found.Fill!.Quantity);
        Assert.Equal(70_000m, found.Fill.Price);

        // Sent after the first, nothing known: the lost order is still the one found.
        Assert.Equal(second.VenueOrderId, (await client.FindOrderAsync(account, LookupOf(intent, sentSecond), Soon))!.VenueOrderId);

        // Nothing known and a send time before both: the earliest is taken — why the engine passes what it knows.
        Assert.Equal(first.VenueOrderId, (await client.FindOrderAsync(account, LookupOf(intent, sentFirst), Soon))!.VenueOrderId);

        // Both known: the lost order was not placed twice, nothing else matches.
        Assert.Null(await client.FindOrderAsync(account, LookupOf(intent, sentFirst, null, first.VenueOrderId!, second.VenueOrderId), Soon));
    }

    [Fact]
    public async Task The_lookup_follows_every_page_to_find_the_earliest_match()
    {
        await using var h = await KisFakeHarness.StartAsync(new KisFakeOptions { MockRequestsPerSecond = 1_000, PageSize = 2 });
        var (client, recorder) = Connect(h);
        var account = await OpenAsync(h, client);
        var sent = h.Clock!.GetUtcNow();
        var numbers = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            numbers.Add((await client.PlaceOrderAsync(account, Limit(60_000m), Soon)).VenueOrderId!);
            h.Clock.Advance(TimeSpan.FromSeconds(1));
        }
        recorder.Requests.Clear();

        var found = await client.FindOrderAsync(account, LookupOf(Limit(60_000m), sent), Soon);

        Assert.Equal(numbers[0], found!.VenueOrderId); // the oldest: on the last page, newest first
        Assert.Equal(3, recorder.Requests.Count);
        Assert.Equal(["", "N", "N"], recorder.Requests.Select(r => r.Headers["tr_cont"]));
        Assert.Equal(["", "2", "4"], recorder.Requests.Select(r => r.Query("CTX_AREA_NK100")));
        Assert.Equal(["", "12345678^01^005930^", "12345678^01^005930^"], recorder.Requests.Select(r => r.Query("CTX_AREA_FK100")));
    }

    [Fact]
    public async Task The_inquiry_asks_for_the_accounts_orders_of_the_symbol_and_side_since_the_send_day()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var (client, recorder) = Connect(h);
        var account = await OpenAsync(h, client);
        h.Clock!.Advance(TimeSpan.FromDays(2));
        account = await OpenAsync(h, client);
        recorder.Requests.Clear();

        await client.FindOrderAsync(account, LookupOf(Market(OrderSide.Sell), KisFakeHarness.Start), Soon);
        await client.FindOrderAsync(account, LookupOf(Market(), null, "0000000042"), Soon);

        var bySend = recorder.Requests[0];
        Assert.Equal("/uapi/domestic-stock/v1/trading/inquire-daily-ccld", bySend.Path);
        Assert.Equal("VTTC0081R", bySend.Headers["tr_id"]);
        foreach (var (name, value) in new[]
                 {
                     ("CANO", "12345678"), ("ACNT_PRDT_CD", "01"), ("INQR_STRT_DT", "20250304"), ("INQR_END_DT", "20250306"), ("SLL_BUY_DVSN_CD", "01"),
                     ("INQR_DVSN", "00"), ("PDNO", "005930"), ("CCLD_DVSN", "00"), ("ORD_GNO_BRNO", ""), ("ODNO", ""), ("INQR_DVSN_3", "00"),
                     ("INQR_DVSN_1", ""), ("EXCG_ID_DVSN_CD", "KRX"), ("CTX_AREA_FK100", ""), ("CTX_AREA_NK100", ""),
                 })
            Assert.Equal(value, bySend.Query(name));
        var byNumber = recorder.Requests[1];
        Assert.Equal(("0000000042", "02", "20250227"), (byNumber.Query("ODNO"), byNumber.Query("SLL_BUY_DVSN_CD"), byNumber.Query("INQR_STRT_DT")));
    }

    [Fact]
    public async Task A_send_time_just_after_midnight_searches_the_day_before_within_the_tolerance()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var midnightKst = new DateTimeOffset(2025, 3, 4, 15, 0, 1, TimeSpan.Zero);
        h.Clock!.Advance(midnightKst.AddSeconds(30) - KisFakeHarness.Start);
        var (client, recorder) = Connect(h);
        var account = await OpenAsync(h, client);
        recorder.Requests.Clear();

        await client.FindOrderAsync(account, LookupOf(Market(), midnightKst), Soon);

        Assert.Equal(("20250304", "20250305"), (recorder.Requests[0].Query("INQR_STRT_DT"), recorder.Requests[0].Query("INQR_END_DT")));
    }

    [Fact]
    public async Task A_send_time_ahead_of_the_venues_day_still_searches_today()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var (client, recorder) = Connect(h);
        var account = await OpenAsync(h, client);
        recorder.Requests.Clear();

        await client.FindOrderAsync(account, LookupOf(Market(), KisFakeHarness.Start.AddDays(1)), Soon);

        Assert.Equal(("20250304", "20250304"), (recorder.Requests[0].Query("INQR_STRT_DT"), recorder.Requests[0].Query("INQR_END_DT")));
    }

    [Fact]
    public async Task An_inquiry_that_never_ends_is_given_up_as_a_failed_read()
    {
        var page = """{"rt_cd":"0","msg_cd":"KIOK0460","msg1":"ok","ctx_area_fk100":"f","ctx_area_nk100":"n","output1":[],"output2":{}}""";
        var venue = new Scripted().Then(200, page, trCont: "M");
        var client = Scripted(venue, options: KisTestKit.Options(new Uri("http://kis.test/")) with { MaxPages = 3 });
        var account = Bare with { Token = new VenueToken("t", DateTimeOffset.UtcNow.AddDays(1)) };

        var e = await Assert.ThrowsAsync<VenueOutcomeUnknownException>(() => client.FindOrderAsync(account, LookupOf(Market(), DateTimeOffset.UtcNow), Soon));

        Assert.Equal(3, venue.Seen.Count);
        Assert.Equal("kis GET /uapi/domestic-stock/v1/trading/inquire-daily-ccld: more than 3 pages", e.Message);
    }

    [Fact]
    public async Task A_page_without_continuation_keys_continues_with_empty_ones()
    {
        var more = """{"rt_cd":"0","output1":[]}""";
        var last = """{"rt_cd":"0"}""";
        var venue = new Scripted().Then(200, more, trCont: "F").Then(200, last, trCont: "D");
        var client = Scripted(venue);
        var account = Bare with { Token = new VenueToken("t", DateTimeOffset.UtcNow.AddDays(1)) };

        Assert.Null(await client.FindOrderAsync(account, LookupOf(Market(), DateTimeOffset.UtcNow), Soon));

        Assert.Equal(2, venue.Seen.Count);
        Assert.Contains("CTX_AREA_NK100=&", venue.Seen[1].RequestUri!.Query + "&");
        Assert.Contains("CTX_AREA_FK100=&", venue.Seen[1].RequestUri!.Query + "&");
        Assert.Equal("N", venue.Seen[1].Headers.GetValues("tr_cont").Single());
    }

    // ---- cancel

    [Fact]
    public async Task A_cancel_sends_the_orders_organisation_and_number_and_answers_cancelled()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var (client, recorder) = Connect(h);
        var account = await OpenAsync(h, client);
        var intent = Limit(60_000m, qty: 2m);
        var sent = h.Clock!.GetUtcNow();
        var placed = await client.PlaceOrderAsync(account, intent, Soon);
        h.Exchange.SetPrice("005930", 60_000m, liquidity: 1m);
        recorder.Requests.Clear();

        var cancelled = await client.CancelOrderAsync(account, LookupOf(intent, sent), Soon);

        Assert.Equal((BrokerOrderStatus.Cancelled, placed.VenueOrderId, 1m), (cancelled!.Status, cancelled.VenueOrderId, cancelled.Fill!.Quantity));
        var cancel = recorder.Requests.Single(r => r.Method == HttpMethod.Post);
        Assert.Equal("/uapi/domestic-stock/v1/trading/order-rvsecncl", cancel.Path);
        Assert.Equal("VTTC0013U", cancel.Headers["tr_id"]);
        Assert.Equal(new Dictionary<string, string>
        {
            ["CANO"] = "12345678", ["ACNT_PRDT_CD"] = "01", ["KRX_FWDG_ORD_ORGNO"] = "06010", ["ORGN_ODNO"] = placed.VenueOrderId!, ["ORD_DVSN"] = "00",
            ["RVSE_CNCL_DVSN_CD"] = "02", ["ORD_QTY"] = "0", ["ORD_UNPR"] = "0", ["QTY_ALL_ORD_YN"] = "Y", ["EXCG_ID_DVSN_CD"] = "KRX",
        }, JsonSerializer.Deserialize<Dictionary<string, string>>(cancel.Body));
        Assert.Equal(placed.VenueOrderId, recorder.Requests[^1].Query("ODNO"));
        Assert.Equal(FakeOrderState.Cancelled, h.Exchange.Order(placed.VenueOrderId!)!.State);
    }

    [Fact]
    public async Task A_cancel_of_an_order_that_already_filled_answers_filled_without_cancelling()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var (client, recorder) = Connect(h);
        var account = await OpenAsync(h, client);
        var intent = Market();
        var placed = await client.PlaceOrderAsync(account, intent, Soon);
        recorder.Requests.Clear();

        var result = await client.CancelOrderAsync(account, LookupOf(intent, KisFakeHarness.Start, placed.VenueOrderId), Soon);

        Assert.Equal(BrokerOrderStatus.Filled, result!.Status);
        Assert.DoesNotContain(recorder.Requests, r => r.Method == HttpMethod.Post);
    }

    [Fact]
    public async Task A_cancel_of_an_order_the_venue_never_had_is_null()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var (client, _) = Connect(h);
        var account = await OpenAsync(h, client);

        Assert.Null(await client.CancelOrderAsync(account, LookupOf(Market(), KisFakeHarness.Start, "4242"), Soon));
    }

    private static string DailyPage(string remaining, string filled, string division = "00", bool branch = true) =>
        $$$"""{"rt_cd":"0","output1":[{"ord_dt":"{{{KisWire.Date(DateTimeOffset.UtcNow)}}}","ord_tmd":"000000",{{{(branch ? "\"ord_gno_brno\":\"06010\"," : "")}}}"odno":"77","orgn_odno":"","sll_buy_dvsn_cd":"02","pdno":"005930","ord_qty":"1","ord_unpr":"60000","ord_dvsn_cd":"{{{division}}}","tot_ccld_qty":"{{{filled}}}","avg_prvs":"60000","rmn_qty":"{{{remaining}}}","cncl_yn":"N","cnc_cfrm_qty":"0","rjct_qty":"0"}],"output2":{}}""";

    [Fact]
    public async Task A_cancel_refused_because_the_order_filled_meanwhile_answers_filled()
    {
        var venue = new Scripted()
            .Then(200, DailyPage("1", "0", division: "01", branch: false))
            .Then(200, """{"rt_cd":"1","msg_cd":"KFAK0002","msg1":"정정취소할 수량이 없습니다."}""")
            .Then(200, DailyPage("0", "1"));
        var client = Scripted(venue);
        var account = Bare with { Token = new VenueToken("t", DateTimeOffset.UtcNow.AddDays(1)) };

        var result = await client.CancelOrderAsync(account, LookupOf(Market(), null, "77"), Soon);

        Assert.Equal(BrokerOrderStatus.Filled, result!.Status);
        Assert.Equal(3, venue.Seen.Count);
        var cancel = JsonSerializer.Deserialize<Dictionary<string, string>>(venue.Bodies[1])!;
        Assert.Equal(("01", "", "77"), (cancel["ORD_DVSN"], cancel["KRX_FWDG_ORD_ORGNO"], cancel["ORGN_ODNO"]));
    }

    [Fact]
    public async Task A_cancel_the_gateway_refuses_is_not_placed_and_one_without_an_answer_unknown()
    {
        // Were the cancel's answer ignored, the read-back would answer the order open.
        var refused = new Scripted().Then(200, DailyPage("1", "0")).Then(500, """{"rt_cd":"1","msg_cd":"EGW00201","msg1":"초당 거래건수를 초과하였습니다."}""").Then(200, DailyPage("1", "0"));
        var failed = new Scripted().Then(200, DailyPage("1", "0")).Then(500, "").Then(200, DailyPage("1", "0"));
        var account = Bare with { Token = new VenueToken("t", DateTimeOffset.UtcNow.AddDays(1)) };

        var e = await Assert.ThrowsAsync<OrderNotPlacedException>(() => Scripted(refused).CancelOrderAsync(account, LookupOf(Market(), null, "77"), Soon));
        Assert.True(e.Data.Contains(VenueRefusal.Transient));
        await Assert.ThrowsAsync<VenueOutcomeUnknownException>(() => Scripted(failed).CancelOrderAsync(account, LookupOf(Market(), null, "77"), Soon));
    }

    [Fact]
    public async Task A_cancelled_order_that_cannot_be_read_back_is_unknown()
    {
        var venue = new Scripted()
            .Then(200, DailyPage("1", "0"))
            .Then(200, """{"rt_cd":"0","msg_cd":"APBK0013","msg1":"ok","output":{"ODNO":"9000000001"}}""")
            .Then(200, """{"rt_cd":"0","output1":[],"output2":{}}""");

        var e = await Assert.ThrowsAsync<VenueOutcomeUnknownException>(() =>
            Scripted(venue).CancelOrderAsync(Bare with { Token = new VenueToken("t", DateTimeOffset.UtcNow.AddDays(1)) }, LookupOf(Market(), null, "77"), Soon));
        Assert.Equal("kis: order 77 could not be read back after the cancel", e.Message);
    }

    // ---- account

    [Fact]
    public async Task The_account_is_in_won_with_every_holding_and_only_todays_open_orders()
    {
        await using var h = await KisFakeHarness.StartAsync(new KisFakeOptions { MockRequestsPerSecond = 1_000, PageSize = 1 });
        var (client, _) = Connect(h);
        var account = await OpenAsync(h, client);
        await client.PlaceOrderAsync(account, Market(), Soon);
        await client.PlaceOrderAsync(account, Market(symbol: "000660"), Soon);
        var yesterday = await client.PlaceOrderAsync(account, Limit(60_000m), Soon);
        h.Clock!.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        account = await OpenAsync(h, client);
        var open = await client.PlaceOrderAsync(account, Limit(61_000m), Soon);
        var cancelledIntent = Limit(62_000m);
        var cancelled = await client.PlaceOrderAsync(account, cancelledIntent, Soon);
        await client.CancelOrderAsync(account, LookupOf(cancelledIntent, null, cancelled.VenueOrderId), Soon);
        var holdings = h.Exchange.Holdings(KisFakeHarness.AccountNumber);

        var state = await client.GetAccountAsync(account, Soon);

        Assert.Equal("KRW", state.Currency);
        Assert.Equal(holdings.Cash, state.Cash);
        Assert.Equal(holdings.Cash + 70_000m + 180_000m, state.Equity);
        Assert.Equal([("000660", 1m, 180_000m), ("005930", 1m, 70_000m)], state.Positions.Select(p => (p.Symbol, p.Quantity, p.AveragePrice)));
        var only = Assert.Single(state.OpenOrders);
        Assert.Equal((open.VenueOrderId, BrokerOrderStatus.Accepted, "", 61_000m), (only.VenueOrderId, only.Status, only.ClientOrderId, only.LimitPrice));
        Assert.NotEqual(yesterday.VenueOrderId, only.VenueOrderId);
    }

    [Fact]
    public async Task A_balance_without_account_totals_is_a_failed_read()
    {
        var venue = new Scripted().Then(200, """{"rt_cd":"0","output1":[],"output2":[]}""");

        var e = await Assert.ThrowsAsync<VenueOutcomeUnknownException>(() =>
            Scripted(venue).GetAccountAsync(Bare with { Token = new VenueToken("t", DateTimeOffset.UtcNow.AddDays(1)) }, Soon));
        Assert.Equal("kis: the balance answer carried no account totals", e.Message);
    }

    [Fact]
    public async Task The_account_totals_of_the_last_page_that_has_them_are_used_and_empty_holdings_skipped()
    {
        var venue = new Scripted()
            .Then(200, """{"rt_cd":"0","output1":[{"pdno":"005930","hldg_qty":"0","pchs_avg_pric":"0"}],"output2":[{"dnca_tot_amt":"1","tot_evlu_amt":"2"}]}""", trCont: "F")
            .Then(200, """{"rt_cd":"0","output1":[{"pdno":"000660","hldg_qty":"3","pchs_avg_pric":"180000.0000"},{"hldg_qty":"2","pchs_avg_pric":"1"}],"output2":[{"dnca_tot_amt":"5","tot_evlu_amt":"9"}]}""", trCont: "M")
            .Then(200, """{"rt_cd":"0"}""", trCont: "E")
            .Then(200, """{"rt_cd":"0","output1":[],"output2":{}}""");

        var state = await Scripted(venue).GetAccountAsync(Bare with { Token = new VenueToken("t", DateTimeOffset.UtcNow.AddDays(1)) }, Soon);

        Assert.Equal((5m, 9m), (state.Cash, state.Equity));
        Assert.Equal([("000660", 3m, 180_000m), ("", 2m, 1m)], state.Positions.Select(p => (p.Symbol, p.Quantity, p.AveragePrice)));
        Assert.Empty(state.OpenOrders);
    }

    // ---- instrument rules

    [Fact]
    public async Task The_rules_are_whole_shares_at_the_tick_of_the_current_price()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var (client, recorder) = Connect(h);
        var account = await OpenAsync(h, client);

        var samsung = await client.GetInstrumentAsync(account, "005930", Soon);
        h.Exchange.SetPrice("000660", 45_000m);
        var hynix = await client.GetInstrumentAsync(account, "000660", Soon);

        Assert.Equal(("005930", 1m, 100m, 1m), (samsung!.Symbol, samsung.QuantityStep, samsung.PriceTick, samsung.MinQuantity));
        Assert.Equal(50m, hynix!.PriceTick);
        var sent = recorder.Requests[1];
        Assert.Equal("/uapi/domestic-stock/v1/quotations/inquire-price", sent.Path);
        Assert.Equal(("J", "005930", "FHKST01010100"), (sent.Query("FID_COND_MRKT_DIV_CODE"), sent.Query("FID_INPUT_ISCD"), sent.Headers["tr_id"]));
    }

    [Fact]
    public async Task A_code_the_venue_does_not_list_has_no_rules_and_a_non_code_is_not_asked()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var (client, recorder) = Connect(h);
        var account = await OpenAsync(h, client);
        recorder.Requests.Clear();

        Assert.Null(await client.GetInstrumentAsync(account, "999999", Soon));
        Assert.Null(await client.GetInstrumentAsync(Bare, "NOSUCH", Soon));
        Assert.Single(recorder.Requests);
    }

    [Theory]
    [InlineData("""{"rt_cd":"0","msg_cd":"MCA00000","msg1":"ok","output":{"stck_prpr":"0"}}""")]
    [InlineData("""{"rt_cd":"0","msg_cd":"MCA00000","msg1":"ok","output":{}}""")]
    [InlineData("""{"rt_cd":"0","msg_cd":"MCA00000","msg1":"ok"}""")]
    public async Task An_empty_quotation_has_no_rules(string body) =>
        Assert.Null(await Scripted(new Scripted().Then(200, body)).GetInstrumentAsync(Bare with { Token = new VenueToken("t", DateTimeOffset.UtcNow.AddDays(1)) }, "123456", Soon));

    [Fact]
    public async Task A_failed_quotation_throws() =>
        await Assert.ThrowsAsync<VenueOutcomeUnknownException>(() =>
            Scripted(new Scripted().Then(500, "")).GetInstrumentAsync(Bare with { Token = new VenueToken("t", DateTimeOffset.UtcNow.AddDays(1)) }, "123456", Soon));

    // ---- check

    [Fact]
    public async Task The_check_reads_one_balance_page_and_passes()
    {
        await using var h = await KisFakeHarness.StartAsync(new KisFakeOptions { MockRequestsPerSecond = 1_000, PageSize = 1 });
        var (client, recorder) = Connect(h);
        var account = await OpenAsync(h, client);
        await client.PlaceOrderAsync(account, Market(), Soon);
        await client.PlaceOrderAsync(account, Market(symbol: "000660"), Soon);
        recorder.Requests.Clear();

        Assert.Equal(ConnectivityCheck.Ok, await client.CheckConnectivityAsync(account, Soon));

        var sent = Assert.Single(recorder.Requests);
        Assert.Equal(("/uapi/domestic-stock/v1/trading/inquire-balance", "VTTC8434R"), (sent.Path, sent.Headers["tr_id"]));
        foreach (var (name, value) in new[]
                 {
                     ("CANO", "12345678"), ("ACNT_PRDT_CD", "01"), ("AFHR_FLPR_YN", "N"), ("OFL_YN", ""), ("INQR_DVSN", "02"), ("UNPR_DVSN", "01"),
                     ("FUND_STTL_ICLD_YN", "N"), ("FNCG_AMT_AUTO_RDPT_YN", "N"), ("PRCS_DVSN", "00"), ("CTX_AREA_FK100", ""), ("CTX_AREA_NK100", ""),
                 })
            Assert.Equal(value, sent.Query(name));
    }

    [Fact]
    public async Task A_wrong_secret_fails_the_check_with_the_venues_reason_and_no_secret()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var (client, _) = Connect(h);
        var account = await OpenAsync(h, client);

        var check = await client.CheckConnectivityAsync(account with { ApiSecret = "wrong-secret-value" }, Soon);

        Assert.False(check.Passed);
        Assert.Contains("EGW00105", check.Reason);
        Assert.DoesNotContain("wrong-secret-value", check.Reason);
        Assert.DoesNotContain(KisFakeHarness.Secret, check.Reason);
        Assert.DoesNotContain(account.Token!.Value, check.Reason);
    }

    [Fact]
    public async Task A_rate_limited_or_unreachable_check_did_not_answer()
    {
        await using var h = await KisFakeHarness.StartAsync(new KisFakeOptions { MockRequestsPerSecond = 1 });
        var (client, _) = Connect(h);
        var account = await OpenAsync(h, client);
        await client.CheckConnectivityAsync(account, Soon);

        await Assert.ThrowsAsync<OrderNotPlacedException>(() => client.CheckConnectivityAsync(account, Soon));
        var unreachable = await Assert.ThrowsAsync<OrderNotPlacedException>(() => KisTestKit.Client(new Uri("http://127.0.0.1:9/"), retry: VenueRetry.None)
            .CheckConnectivityAsync(Bare with { Token = new VenueToken("t", DateTimeOffset.UtcNow.AddDays(1)) }, Soon));
        Assert.True(unreachable.Data.Contains(VenueRefusal.Transient));
    }

    [Fact]
    public void The_connector_is_the_kis_venue_without_deduplication()
    {
        var client = KisTestKit.Client(new Uri("http://127.0.0.1:9/"));

        Assert.Equal("kis", client.Venue);
        Assert.False(client.DeduplicatesClientOrderIds);
        Assert.Throws<ArgumentNullException>(() => new KisBrokerClient(null!, new HttpClient()));
        Assert.Throws<ArgumentNullException>(() => new KisBrokerClient(new KisOptions(), null!));
    }

    [Fact]
    public async Task Null_arguments_are_refused()
    {
        var client = KisTestKit.Client(new Uri("http://127.0.0.1:9/"));
        var lookup = LookupOf(Market(), null);

        await Assert.ThrowsAsync<ArgumentNullException>(() => client.IssueTokenAsync(null!, Soon));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.PlaceOrderAsync(null!, Market(), Soon));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.PlaceOrderAsync(Bare, null!, Soon));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.FindOrderAsync(null!, lookup, Soon));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.FindOrderAsync(Bare, null!, Soon));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.CancelOrderAsync(null!, lookup, Soon));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.CancelOrderAsync(Bare, null!, Soon));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.GetAccountAsync(null!, Soon));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.GetInstrumentAsync(null!, "005930", Soon));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.CheckConnectivityAsync(null!, Soon));
    }

    [Fact]
    public void The_default_options_are_the_venues()
    {
        var options = new KisOptions();

        Assert.Equal(new Uri("https://openapi.koreainvestment.com:9443"), options.LiveBaseUrl);
        Assert.Equal(new Uri("https://openapivts.koreainvestment.com:29443"), options.TestBaseUrl);
        Assert.Equal((20, 2, "KRX"), (options.LiveRequestsPerSecond, options.MockRequestsPerSecond, options.Exchange));
        Assert.Equal(options.LiveBaseUrl, options.BaseUrlFor(Bare with { Mode = "live" }));
        Assert.Equal(options.TestBaseUrl, options.BaseUrlFor(Bare));
        Assert.Equal("kis", KisOptions.VenueName);
    }
}
