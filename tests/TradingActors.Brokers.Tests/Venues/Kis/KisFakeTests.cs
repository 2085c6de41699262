using TradingActors.Brokers.Fakes;
using TradingActors.Brokers.Kis;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Tests.Venues.Kis;

/// <summary>
/// The KIS fake is faithful to the venue, proven over HTTP with a plain HttpClient: token issuance and its throttle,
/// the gateway's checks (key, secret, token of the same key, expiry, custtype, tr_id per server, rate), order system
/// refusals, paging and the answers' shapes.
/// </summary>
public sealed class KisFakeTests
{
    private const string OrderPath = "uapi/domestic-stock/v1/trading/order-cash";
    private const string CancelPath = "uapi/domestic-stock/v1/trading/order-rvsecncl";
    private const string PricePath = "uapi/domestic-stock/v1/quotations/inquire-price?FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=";

    // ---- token

    [Fact]
    public async Task A_token_is_issued_for_a_day_in_korean_time_and_counted()
    {
        await using var h = await KisFakeHarness.StartAsync();

        var (status, body) = await h.TokenAsync();

        Assert.Equal(200, status);
        Assert.StartsWith("eyJ", body.GetProperty("access_token").GetString());
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.Equal(86_400, body.GetProperty("expires_in").GetInt64());
        Assert.Equal("2025-03-05 10:00:00", body.GetProperty("access_token_token_expired").GetString());
        Assert.Equal(1, h.Fake.TokensIssued(KisFakeHarness.Key));
    }

    [Fact]
    public async Task A_second_issuance_within_a_minute_is_refused_with_EGW00133()
    {
        await using var h = await KisFakeHarness.StartAsync();
        await h.IssueTokenAsync();
        h.Clock!.Advance(TimeSpan.FromSeconds(59));

        var (status, body) = await h.TokenAsync();

        Assert.Equal(403, status);
        Assert.Equal("EGW00133", body.GetProperty("error_code").GetString());
        Assert.Equal("접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)", body.GetProperty("error_description").GetString());
        Assert.Equal(1, h.Fake.TokensIssued(KisFakeHarness.Key));
        Assert.Equal(2, h.Fake.TokenRequests(KisFakeHarness.Key));
        Assert.Equal(1, h.Fake.RefusedForRate);
    }

    [Fact]
    public async Task Within_six_hours_the_same_token_is_issued_again_after_that_a_new_one()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var first = await h.IssueTokenAsync();

        h.Clock!.Advance(TimeSpan.FromMinutes(1));
        var again = await h.IssueTokenAsync();
        h.Clock.Advance(TimeSpan.FromHours(6));
        var fresh = await h.IssueTokenAsync();

        Assert.Equal(first, again);
        Assert.NotEqual(first, fresh);
        Assert.Equal(3, h.Fake.TokensIssued(KisFakeHarness.Key));
    }

    [Fact]
    public async Task The_throttle_counts_from_the_last_issuance_even_of_the_same_token()
    {
        await using var h = await KisFakeHarness.StartAsync();
        await h.IssueTokenAsync();
        h.Clock!.Advance(TimeSpan.FromMinutes(1));
        await h.IssueTokenAsync();
        h.Clock.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(403, (await h.TokenAsync()).Status);
    }

    [Theory]
    [InlineData("no-such-key", KisFakeHarness.Secret, "client_credentials", "EGW00103")]
    [InlineData(KisFakeHarness.Key, "wrong-secret", "client_credentials", "EGW00105")]
    [InlineData(KisFakeHarness.Key, KisFakeHarness.Secret, "password", "EGW00112")]
    [InlineData("", KisFakeHarness.Secret, "client_credentials", "EGW00103")]
    public async Task An_issuance_with_wrong_credentials_is_refused_with_403(string key, string secret, string grant, string code)
    {
        await using var h = await KisFakeHarness.StartAsync();

        var (status, body) = await h.TokenAsync(key, secret, grant);

        Assert.Equal(403, status);
        Assert.Equal(code, body.GetProperty("error_code").GetString());
        Assert.Equal(0, h.Fake.TokensIssued(KisFakeHarness.Key));
        Assert.DoesNotContain(secret, body.ToString());
    }

    [Fact]
    public async Task An_issuance_without_a_grant_or_key_names_what_is_missing()
    {
        await using var h = await KisFakeHarness.StartAsync();

        using var noGrant = await h.Http.PostAsync("oauth2/tokenP", new StringContent("""{"appkey":"k","appsecret":"s"}"""));
        using var noKey = await h.Http.PostAsync("oauth2/tokenP", new StringContent("""{"grant_type":"client_credentials","appsecret":"s"}"""));
        using var garbage = await h.Http.PostAsync("oauth2/tokenP", new StringContent("nonsense"));

        Assert.Contains("EGW00115", await noGrant.Content.ReadAsStringAsync());
        Assert.Contains("EGW00102", await noKey.Content.ReadAsStringAsync());
        Assert.Contains("EGW00115", await garbage.Content.ReadAsStringAsync());
        Assert.Equal(403, (int)noKey.StatusCode);
    }

    // ---- the gateway

    [Fact]
    public async Task A_trading_call_with_every_header_right_is_answered_with_the_venues_headers()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var token = await h.IssueTokenAsync();

        var reply = await h.CallAsync(HttpMethod.Get, PricePath + "005930", token, "FHKST01010100");

        Assert.Equal(200, reply.Status);
        Assert.Equal("0", reply.RtCd);
        Assert.Equal("FHKST01010100", reply.TrId);
        Assert.False(string.IsNullOrEmpty(reply.GtUid));
        Assert.StartsWith("application/json", reply.ContentType);
    }

    [Theory]
    [InlineData(null, KisFakeHarness.Secret, 403, "EGW00102")]
    [InlineData("other-key", KisFakeHarness.Secret, 403, "EGW00103")]
    [InlineData(KisFakeHarness.Key, null, 403, "EGW00104")]
    [InlineData(KisFakeHarness.Key, "wrong-secret", 403, "EGW00105")]
    public async Task The_gateway_refuses_a_missing_or_wrong_key_or_secret(string? key, string? secret, int status, string code)
    {
        await using var h = await KisFakeHarness.StartAsync();
        var token = await h.IssueTokenAsync();

        var reply = await h.CallAsync(HttpMethod.Get, PricePath + "005930", token, "FHKST01010100", key: key, secret: secret);

        Assert.Equal(status, reply.Status);
        Assert.Equal(code, reply.Code);
        Assert.Equal("1", reply.RtCd);
    }

    [Fact]
    public async Task A_call_without_a_known_token_is_refused_with_EGW00121()
    {
        await using var h = await KisFakeHarness.StartAsync();
        await h.IssueTokenAsync();

        var none = await h.CallAsync(HttpMethod.Get, PricePath + "005930", null, "FHKST01010100");
        var madeUp = await h.CallAsync(HttpMethod.Get, PricePath + "005930", "eyJmadeup", "FHKST01010100");

        Assert.Equal((500, "EGW00121"), (none.Status, none.Code));
        Assert.Equal((500, "EGW00121"), (madeUp.Status, madeUp.Code));
    }

    [Fact]
    public async Task A_token_of_another_app_key_is_refused()
    {
        await using var h = await KisFakeHarness.StartAsync();
        h.Fake.SeedAccount("87654321-01", "other-key", "other-secret");
        var token = await h.IssueTokenAsync();

        var reply = await h.CallAsync(HttpMethod.Get, PricePath + "005930", token, "FHKST01010100", key: "other-key", secret: "other-secret");

        Assert.Equal("EGW00121", reply.Code);
    }

    [Fact]
    public async Task A_token_past_its_day_is_refused_with_EGW00123()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var token = await h.IssueTokenAsync();
        h.Clock!.Advance(TimeSpan.FromDays(1) - TimeSpan.FromSeconds(1));
        Assert.Equal(200, (await h.CallAsync(HttpMethod.Get, PricePath + "005930", token, "FHKST01010100")).Status);

        h.Clock.Advance(TimeSpan.FromSeconds(1));
        var reply = await h.CallAsync(HttpMethod.Get, PricePath + "005930", token, "FHKST01010100");

        Assert.Equal((500, "EGW00123", "1"), (reply.Status, reply.Code, reply.RtCd));
        Assert.Equal("기간이 만료된 token 입니다.", reply.Body.GetProperty("msg1").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("B")]
    public async Task A_call_without_custtype_P_is_refused(string? custType)
    {
        await using var h = await KisFakeHarness.StartAsync();
        var token = await h.IssueTokenAsync();

        Assert.Equal("EGW00208", (await h.CallAsync(HttpMethod.Get, PricePath + "005930", token, "FHKST01010100", custType: custType)).Code);
    }

    [Theory]
    [InlineData(null, "OPSQ9999")]
    [InlineData("TTTC0012U", "EGW00213")]
    [InlineData("VTTC0081R", "KFAK0009")]
    public async Task The_tr_id_must_be_the_calls_on_the_server_played(string? trId, string code)
    {
        await using var h = await KisFakeHarness.StartAsync();
        var token = await h.IssueTokenAsync();

        var reply = await h.CallAsync(HttpMethod.Post, OrderPath, token, trId, KisFakeHarness.Order());

        Assert.Equal(code, reply.Code);
        Assert.Empty(h.Exchange.Orders(KisFakeHarness.AccountNumber));
    }

    [Fact]
    public async Task The_real_server_takes_real_tr_ids_only()
    {
        await using var h = await KisFakeHarness.StartAsync(new KisFakeOptions { Live = true });
        var token = await h.IssueTokenAsync();

        var mock = await h.CallAsync(HttpMethod.Post, OrderPath, token, "VTTC0012U", KisFakeHarness.Order());
        var real = await h.CallAsync(HttpMethod.Post, OrderPath, token, "TTTC0012U", KisFakeHarness.Order());

        Assert.Equal("EGW00213", mock.Code);
        Assert.Equal("0", real.RtCd);
        Assert.Single(h.Exchange.Orders(KisFakeHarness.AccountNumber));
    }

    [Fact]
    public async Task A_post_without_a_json_content_type_is_refused()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var token = await h.IssueTokenAsync();

        var reply = await h.CallAsync(HttpMethod.Post, OrderPath, token, "VTTC0012U", KisFakeHarness.Order(), contentType: "text/plain");

        Assert.Equal("EGW00132", reply.Code);
    }

    [Fact]
    public async Task The_mock_servers_two_calls_a_second_per_key_are_enforced_with_EGW00201()
    {
        await using var h = await KisFakeHarness.StartAsync(new KisFakeOptions());
        var token = await h.IssueTokenAsync();

        var replies = new List<Reply>();
        for (var i = 0; i < 3; i++) replies.Add(await h.CallAsync(HttpMethod.Get, PricePath + "005930", token, "FHKST01010100"));
        h.Clock!.Advance(TimeSpan.FromSeconds(1));
        var later = await h.CallAsync(HttpMethod.Get, PricePath + "005930", token, "FHKST01010100");

        Assert.Equal(["0", "0", "1"], replies.Select(r => r.RtCd));
        Assert.Equal((500, "EGW00201"), (replies[2].Status, replies[2].Code));
        Assert.Equal("초당 거래건수를 초과하였습니다.", replies[2].Body.GetProperty("msg1").GetString());
        Assert.Equal(1, h.Fake.RefusedForRate);
        Assert.Equal("0", later.RtCd);
    }

    [Fact]
    public async Task The_real_servers_limit_is_twenty_a_second()
    {
        await using var h = await KisFakeHarness.StartAsync(new KisFakeOptions { Live = true });
        var token = await h.IssueTokenAsync();

        var codes = new List<string?>();
        for (var i = 0; i < 21; i++) codes.Add((await h.CallAsync(HttpMethod.Get, PricePath + "005930", token, "FHKST01010100")).RtCd);

        Assert.Equal(20, codes.Count(c => c == "0"));
        Assert.Equal("1", codes[^1]);
    }

    [Fact]
    public async Task A_venue_failure_is_its_500_with_an_rt_cd_body()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var token = await h.IssueTokenAsync();
        h.Fake.Faults.Set(FakeFaultKind.Fail, times: 1);

        var reply = await h.CallAsync(HttpMethod.Post, OrderPath, token, "VTTC0012U", KisFakeHarness.Order());

        Assert.Equal((500, "1", "EGW00002"), (reply.Status, reply.RtCd, reply.Code));
        Assert.Empty(h.Exchange.Orders(KisFakeHarness.AccountNumber));
    }

    // ---- orders

    [Fact]
    public async Task A_market_buy_is_taken_and_answered_with_its_order_number()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var token = await h.IssueTokenAsync();

        var reply = await h.CallAsync(HttpMethod.Post, OrderPath, token, "VTTC0012U", KisFakeHarness.Order());

        var order = Assert.Single(h.Exchange.Orders(KisFakeHarness.AccountNumber));
        Assert.Equal((200, "0", "APBK0013"), (reply.Status, reply.RtCd, reply.Code));
        Assert.Equal("주문 전송 완료 되었습니다.", reply.Body.GetProperty("msg1").GetString());
        Assert.Equal(order.VenueOrderId, reply.Output.GetProperty("ODNO").GetString());
        Assert.Equal("06010", reply.Output.GetProperty("KRX_FWDG_ORD_ORGNO").GetString());
        Assert.Equal("100000", reply.Output.GetProperty("ORD_TMD").GetString());
        Assert.Equal((OrderSide.Buy, OrderType.Market, 1m, FakeOrderState.Filled), (order.Side, order.Type, order.Quantity, order.State));
        Assert.Null(order.ClientOrderId);
    }

    [Fact]
    public async Task A_sell_tr_id_places_a_sell_and_a_limit_rests_at_its_price()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var token = await h.IssueTokenAsync();

        await h.CallAsync(HttpMethod.Post, OrderPath, token, "VTTC0011U", KisFakeHarness.Order(division: "00", price: "75000"));

        var order = Assert.Single(h.Exchange.Orders(KisFakeHarness.AccountNumber));
        Assert.Equal((OrderSide.Sell, OrderType.Limit, 75_000m, FakeOrderState.Open), (order.Side, order.Type, order.LimitPrice, order.State));
    }

    [Theory]
    [InlineData("PDNO", null)]
    [InlineData("ORD_DVSN", "03")]
    [InlineData("ORD_QTY", "0")]
    [InlineData("ORD_QTY", "1.5")]
    [InlineData("ORD_QTY", "")]
    [InlineData("ORD_UNPR", "-1")]
    [InlineData("ORD_UNPR", "70000")]
    [InlineData("EXCG_ID_DVSN_CD", "NXT")]
    public async Task A_malformed_order_field_is_refused_naming_it(string field, string? value)
    {
        await using var h = await KisFakeHarness.StartAsync();
        var token = await h.IssueTokenAsync();
        var body = KisFakeHarness.Order();
        if (value is null) body.Remove(field);
        else body[field] = value;

        var reply = await h.CallAsync(HttpMethod.Post, OrderPath, token, "VTTC0012U", body);

        Assert.Equal("OPSQ2002", reply.Code);
        Assert.Contains(field, reply.Body.GetProperty("msg1").GetString());
        Assert.Empty(h.Exchange.Orders(KisFakeHarness.AccountNumber));
    }

    [Fact]
    public async Task Numbers_where_the_venue_wants_strings_are_refused()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var token = await h.IssueTokenAsync();

        var reply = await h.CallAsync(HttpMethod.Post, OrderPath, token, "VTTC0012U",
            new { CANO = "12345678", ACNT_PRDT_CD = "01", PDNO = "005930", ORD_DVSN = "01", ORD_QTY = 1, ORD_UNPR = "0", EXCG_ID_DVSN_CD = "KRX" });

        Assert.Equal("OPSQ2002", reply.Code);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_refused()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var token = await h.IssueTokenAsync();

        Assert.Equal("OPSQ9997", (await h.CallAsync(HttpMethod.Post, OrderPath, token, "VTTC0012U", "{oops")).Code);
        Assert.Equal("OPSQ9997", (await h.CallAsync(HttpMethod.Post, CancelPath, token, "VTTC0013U", "[]")).Code);
    }

    [Fact]
    public async Task An_order_for_another_account_than_the_keys_is_refused()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var token = await h.IssueTokenAsync();
        var body = KisFakeHarness.Order();
        body["ACNT_PRDT_CD"] = "02";

        Assert.Equal("OPSQ2000", (await h.CallAsync(HttpMethod.Post, OrderPath, token, "VTTC0012U", body)).Code);
    }

    [Fact]
    public async Task An_unlisted_stock_is_rejected_by_the_order_system()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var token = await h.IssueTokenAsync();

        var reply = await h.CallAsync(HttpMethod.Post, OrderPath, token, "VTTC0012U", KisFakeHarness.Order(code: "999999"));

        Assert.Equal((200, "1", "APBK0656"), (reply.Status, reply.RtCd, reply.Code));
    }

    [Fact]
    public async Task A_limit_price_off_the_tick_grid_is_rejected()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var token = await h.IssueTokenAsync();

        var reply = await h.CallAsync(HttpMethod.Post, OrderPath, token, "VTTC0012U", KisFakeHarness.Order(division: "00", price: "70050"));

        Assert.Equal((200, "40030000"), (reply.Status, reply.Code));
        Assert.Empty(h.Exchange.Orders(KisFakeHarness.AccountNumber));
    }

    [Fact]
    public async Task An_order_beyond_the_cash_is_refused_the_mock_servers_way()
    {
        await using var h = await KisFakeHarness.StartAsync(cash: 1_000_000m);
        var token = await h.IssueTokenAsync();

        var reply = await h.CallAsync(HttpMethod.Post, OrderPath, token, "VTTC0012U", KisFakeHarness.Order(division: "00", qty: "15", price: "70000"));

        Assert.Equal((200, "1", "40250000"), (reply.Status, reply.RtCd, reply.Code));
        Assert.Equal("모의투자 주문가능금액이 부족합니다.", reply.Body.GetProperty("msg1").GetString());
        Assert.Empty(h.Exchange.Orders(KisFakeHarness.AccountNumber));
    }

    [Fact]
    public async Task An_order_beyond_the_cash_is_refused_the_real_servers_way()
    {
        await using var h = await KisFakeHarness.StartAsync(new KisFakeOptions { Live = true }, cash: 1_000_000m);
        var token = await h.IssueTokenAsync();

        var reply = await h.CallAsync(HttpMethod.Post, OrderPath, token, "TTTC0012U", KisFakeHarness.Order(division: "00", qty: "15", price: "70000"));

        Assert.Equal((200, "7", "APBK0952"), (reply.Status, reply.RtCd, reply.Code));
        Assert.Equal("주문가능금액을 초과 했습니다", reply.Body.GetProperty("msg1").GetString());
    }

    [Fact]
    public async Task A_market_buy_is_checked_at_the_upper_limit_price_and_open_buys_hold_cash_back()
    {
        await using var h = await KisFakeHarness.StartAsync(cash: 150_000m);
        var token = await h.IssueTokenAsync();

        var market = await h.CallAsync(HttpMethod.Post, OrderPath, token, "VTTC0012U", KisFakeHarness.Order(qty: "2"));
        var limit = await h.CallAsync(HttpMethod.Post, OrderPath, token, "VTTC0012U", KisFakeHarness.Order(division: "00", qty: "2", price: "60000"));
        var second = await h.CallAsync(HttpMethod.Post, OrderPath, token, "VTTC0012U", KisFakeHarness.Order(division: "00", qty: "1", price: "60000"));

        Assert.Equal("40250000", market.Code); // 2 x 70,000 x 1.3 > 150,000
        Assert.Equal("0", limit.RtCd);         // 120,000
        Assert.Equal("40250000", second.Code); // 60,000 more than the 30,000 left
    }

    [Fact]
    public async Task A_sell_needs_no_cash()
    {
        await using var h = await KisFakeHarness.StartAsync(cash: 0m);
        var token = await h.IssueTokenAsync();

        Assert.Equal("0", (await h.CallAsync(HttpMethod.Post, OrderPath, token, "VTTC0011U", KisFakeHarness.Order(qty: "100"))).RtCd);
    }

    // ---- cancel

    private static Dictionary<string, string> Cancel(string odno, string branch = "06010", string code = "02", string all = "Y") => new()
    {
        ["CANO"] = "12345678",
        ["ACNT_PRDT_CD"] = "01",
        ["KRX_FWDG_ORD_ORGNO"] = branch,
        ["ORGN_ODNO"] = odno,
        ["ORD_DVSN"] = "00",
        ["RVSE_CNCL_DVSN_CD"] = code,
        ["ORD_QTY"] = "0",
        ["ORD_UNPR"] = "0",
        ["QTY_ALL_ORD_YN"] = all,
        ["EXCG_ID_DVSN_CD"] = "KRX",
    };

    [Fact]
    public async Task An_open_order_is_cancelled_and_the_cancel_gets_its_own_number()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var token = await h.IssueTokenAsync();
        var placed = await h.CallAsync(HttpMethod.Post, OrderPath, token, "VTTC0012U", KisFakeHarness.Order(division: "00", price: "60000"));
        var odno = placed.Output.GetProperty("ODNO").GetString()!;

        var reply = await h.CallAsync(HttpMethod.Post, CancelPath, token, "VTTC0013U", Cancel(odno));

        Assert.Equal("0", reply.RtCd);
        Assert.Equal("9000000001", reply.Output.GetProperty("ODNO").GetString());
        Assert.Equal(FakeOrderState.Cancelled, h.Exchange.Order(odno)!.State);
    }

    [Fact]
    public async Task A_cancel_of_an_unknown_or_ended_order_is_refused_by_the_order_system()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var token = await h.IssueTokenAsync();
        var filled = (await h.CallAsync(HttpMethod.Post, OrderPath, token, "VTTC0012U", KisFakeHarness.Order())).Output.GetProperty("ODNO").GetString()!;

        var unknown = await h.CallAsync(HttpMethod.Post, CancelPath, token, "VTTC0013U", Cancel("424242"));
        var wrongBranch = await h.CallAsync(HttpMethod.Post, CancelPath, token, "VTTC0013U", Cancel(filled, branch: "99999"));
        var ended = await h.CallAsync(HttpMethod.Post, CancelPath, token, "VTTC0013U", Cancel(filled));

        Assert.Equal((200, "KFAK0001"), (unknown.Status, unknown.Code));
        Assert.Equal("KFAK0001", wrongBranch.Code);
        Assert.Equal((200, "KFAK0002"), (ended.Status, ended.Code));
    }

    [Theory]
    [InlineData("RVSE_CNCL_DVSN_CD")]
    [InlineData("QTY_ALL_ORD_YN")]
    [InlineData("ORD_DVSN")]
    [InlineData("ORD_QTY")]
    [InlineData("ORD_UNPR")]
    [InlineData("EXCG_ID_DVSN_CD")]
    public async Task A_cancel_missing_a_field_or_modifying_is_refused(string field)
    {
        await using var h = await KisFakeHarness.StartAsync();
        var token = await h.IssueTokenAsync();
        var odno = (await h.CallAsync(HttpMethod.Post, OrderPath, token, "VTTC0012U", KisFakeHarness.Order(division: "00", price: "60000"))).Output.GetProperty("ODNO").GetString()!;
        var body = Cancel(odno);
        body.Remove(field);

        Assert.Equal("OPSQ2002", (await h.CallAsync(HttpMethod.Post, CancelPath, token, "VTTC0013U", body)).Code);
        Assert.Equal("OPSQ2002", (await h.CallAsync(HttpMethod.Post, CancelPath, token, "VTTC0013U", Cancel(odno, code: "01"))).Code);
        Assert.Equal("OPSQ2002", (await h.CallAsync(HttpMethod.Post, CancelPath, token, "VTTC0013U", Cancel(odno, all: "N"))).Code);
        Assert.Equal(FakeOrderState.Open, h.Exchange.Order(odno)!.State);
    }

    [Fact]
    public async Task A_cancel_for_another_account_is_refused()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var token = await h.IssueTokenAsync();
        var body = Cancel("1");
        body["CANO"] = "99999999";

        Assert.Equal("OPSQ2000", (await h.CallAsync(HttpMethod.Post, CancelPath, token, "VTTC0013U", body)).Code);
    }

    // ---- daily orders

    private static async Task<List<string>> PlaceAsync(KisFakeHarness h, string token, int count, string tr = "VTTC0012U", string qty = "1", string division = "00")
    {
        var numbers = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var reply = await h.CallAsync(HttpMethod.Post, OrderPath, token, tr, KisFakeHarness.Order(division: division, qty: qty, price: division == "00" ? "60000" : "0"));
            numbers.Add(reply.Output.GetProperty("ODNO").GetString()!);
            h.Clock?.Advance(TimeSpan.FromSeconds(1));
        }
        return numbers;
    }

    [Fact]
    public async Task Daily_orders_come_in_pages_F_M_E_carried_by_ctx_area_nk100_and_tr_cont_N()
    {
        await using var h = await KisFakeHarness.StartAsync(new KisFakeOptions { MockRequestsPerSecond = 1_000, PageSize = 2 });
        var token = await h.IssueTokenAsync();
        var numbers = await PlaceAsync(h, token, 5);

        var first = await h.CallAsync(HttpMethod.Get, KisFakeHarness.DailyQuery(), token, "VTTC0081R", trCont: "");
        var nk1 = first.Body.GetProperty("ctx_area_nk100").GetString()!;
        var second = await h.CallAsync(HttpMethod.Get, KisFakeHarness.DailyQuery(nk: nk1), token, "VTTC0081R", trCont: "N");
        var nk2 = second.Body.GetProperty("ctx_area_nk100").GetString()!;
        var last = await h.CallAsync(HttpMethod.Get, KisFakeHarness.DailyQuery(nk: nk2), token, "VTTC0081R", trCont: "N");

        Assert.Equal(["F", "M", "E"], new[] { first.TrCont!, second.TrCont!, last.TrCont! });
        var seen = first.Rows.Concat(second.Rows).Concat(last.Rows).Select(r => r.GetProperty("odno").GetString()).ToList();
        Assert.Equal(numbers.AsEnumerable().Reverse(), seen); // INQR_DVSN 00: newest first
        Assert.Equal("", last.Body.GetProperty("ctx_area_nk100").GetString());
        Assert.Equal("12345678^01^^", first.Body.GetProperty("ctx_area_fk100").GetString());
        Assert.Equal("5", first.Body.GetProperty("output2").GetProperty("tot_ord_qty").GetString());
    }

    [Fact]
    public async Task A_continuation_key_without_tr_cont_N_starts_again_and_one_page_is_D()
    {
        await using var h = await KisFakeHarness.StartAsync(new KisFakeOptions { MockRequestsPerSecond = 1_000, PageSize = 2 });
        var token = await h.IssueTokenAsync();
        var numbers = await PlaceAsync(h, token, 3);

        var restart = await h.CallAsync(HttpMethod.Get, KisFakeHarness.DailyQuery(nk: "2"), token, "VTTC0081R");
        var beyond = await h.CallAsync(HttpMethod.Get, KisFakeHarness.DailyQuery(nk: "99"), token, "VTTC0081R", trCont: "N");
        var single = await h.CallAsync(HttpMethod.Get, KisFakeHarness.DailyQuery(odno: numbers[0]), token, "VTTC0081R");

        Assert.Equal("F", restart.TrCont);
        Assert.Equal(numbers[2], restart.Rows[0].GetProperty("odno").GetString());
        Assert.Equal("E", beyond.TrCont);
        Assert.Empty(beyond.Rows);
        Assert.Equal("D", single.TrCont);
        Assert.Equal(numbers[0], Assert.Single(single.Rows).GetProperty("odno").GetString());
    }

    [Fact]
    public async Task Daily_orders_are_filtered_by_side_code_number_execution_and_date_and_ordered_as_asked()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var token = await h.IssueTokenAsync();
        var buys = await PlaceAsync(h, token, 2);
        var sells = await PlaceAsync(h, token, 1, tr: "VTTC0011U", division: "01");

        async Task<List<string>> Numbers(string query) =>
            (await h.CallAsync(HttpMethod.Get, query, token, "VTTC0081R")).Rows.Select(r => r.GetProperty("odno").GetString()!).ToList();

        Assert.Equal(sells, await Numbers(KisFakeHarness.DailyQuery(side: "01")));
        Assert.Equal(buys.AsEnumerable().Reverse(), await Numbers(KisFakeHarness.DailyQuery(side: "02")));
        Assert.Equal(buys.Concat(sells), await Numbers(KisFakeHarness.DailyQuery(order: "01")));
        Assert.Empty(await Numbers(KisFakeHarness.DailyQuery(pdno: "000660")));
        Assert.Equal(3, (await Numbers(KisFakeHarness.DailyQuery(pdno: "005930"))).Count);
        Assert.Equal([buys[1]], await Numbers(KisFakeHarness.DailyQuery(odno: buys[1])));
        Assert.Equal(sells, await Numbers(KisFakeHarness.DailyQuery(ccld: "01")));
        Assert.Equal(buys.AsEnumerable().Reverse(), await Numbers(KisFakeHarness.DailyQuery(ccld: "02")));
        Assert.Empty(await Numbers(KisFakeHarness.DailyQuery(start: "20250305", end: "20250306")));
        Assert.Empty(await Numbers(KisFakeHarness.DailyQuery(start: "20250301", end: "20250303")));
        Assert.Equal(3, (await Numbers(KisFakeHarness.DailyQuery(start: "20250304", end: "20250305"))).Count);
    }

    [Fact]
    public async Task A_daily_order_row_says_what_was_ordered_executed_and_left()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var token = await h.IssueTokenAsync();
        var odno = (await PlaceAsync(h, token, 1, qty: "3"))[0];
        h.Exchange.SetPrice("005930", 60_000m, liquidity: 1m);

        var row = Assert.Single((await h.CallAsync(HttpMethod.Get, KisFakeHarness.DailyQuery(), token, "VTTC0081R")).Rows);

        Assert.Equal("20250304", row.GetProperty("ord_dt").GetString());
        Assert.Equal("100000", row.GetProperty("ord_tmd").GetString());
        Assert.Equal("06010", row.GetProperty("ord_gno_brno").GetString());
        Assert.Equal(odno, row.GetProperty("odno").GetString());
        Assert.Equal("", row.GetProperty("orgn_odno").GetString());
        Assert.Equal("02", row.GetProperty("sll_buy_dvsn_cd").GetString());
        Assert.Equal("005930", row.GetProperty("pdno").GetString());
        Assert.Equal("삼성전자", row.GetProperty("prdt_name").GetString());
        Assert.Equal("3", row.GetProperty("ord_qty").GetString());
        Assert.Equal("60000", row.GetProperty("ord_unpr").GetString());
        Assert.Equal("00", row.GetProperty("ord_dvsn_cd").GetString());
        Assert.Equal("1", row.GetProperty("tot_ccld_qty").GetString());
        Assert.Equal("60000", row.GetProperty("avg_prvs").GetString());
        Assert.Equal("60000", row.GetProperty("tot_ccld_amt").GetString());
        Assert.Equal("2", row.GetProperty("rmn_qty").GetString());
        Assert.Equal("N", row.GetProperty("cncl_yn").GetString());
        Assert.Equal("0", row.GetProperty("cnc_cfrm_qty").GetString());

        await h.CallAsync(HttpMethod.Post, CancelPath, token, "VTTC0013U", Cancel(odno));
        var cancelled = Assert.Single((await h.CallAsync(HttpMethod.Get, KisFakeHarness.DailyQuery(), token, "VTTC0081R")).Rows);
        Assert.Equal(("Y", "2", "0"), (cancelled.GetProperty("cncl_yn").GetString(), cancelled.GetProperty("cnc_cfrm_qty").GetString(), cancelled.GetProperty("rmn_qty").GetString()));
    }

    [Theory]
    [InlineData("INQR_STRT_DT")]
    [InlineData("SLL_BUY_DVSN_CD")]
    [InlineData("CCLD_DVSN")]
    [InlineData("INQR_DVSN_3")]
    public async Task A_daily_inquiry_without_a_required_parameter_is_refused(string parameter)
    {
        await using var h = await KisFakeHarness.StartAsync();
        var token = await h.IssueTokenAsync();
        var query = KisFakeHarness.DailyQuery().Replace(parameter + "=", parameter + "_=");

        Assert.Equal("OPSQ2002", (await h.CallAsync(HttpMethod.Get, query, token, "VTTC0081R")).Code);
        Assert.Equal("OPSQ2000", (await h.CallAsync(HttpMethod.Get, KisFakeHarness.DailyQuery().Replace("CANO=12345678", "CANO=1"), token, "VTTC0081R")).Code);
    }

    // ---- balance and price

    [Fact]
    public async Task The_balance_lists_holdings_in_pages_with_the_account_totals()
    {
        await using var h = await KisFakeHarness.StartAsync(new KisFakeOptions { MockRequestsPerSecond = 1_000, PageSize = 1 }, cash: 10_000_000m);
        var token = await h.IssueTokenAsync();
        await PlaceAsync(h, token, 1, division: "01");
        await h.CallAsync(HttpMethod.Post, OrderPath, token, "VTTC0012U", KisFakeHarness.Order(code: "000660"));
        var cash = h.Exchange.Holdings(KisFakeHarness.AccountNumber).Cash;

        var first = await h.CallAsync(HttpMethod.Get, KisFakeHarness.BalanceQuery, token, "VTTC8434R");
        var nk = first.Body.GetProperty("ctx_area_nk100").GetString()!;
        var second = await h.CallAsync(HttpMethod.Get, KisFakeHarness.BalanceQuery.Replace("CTX_AREA_NK100=", "CTX_AREA_NK100=" + nk), token, "VTTC8434R", trCont: "N");

        Assert.Equal(("F", "E"), (first.TrCont, second.TrCont));
        var holding = Assert.Single(first.Rows);
        Assert.Equal(("000660", "1", "180000.0000"), (holding.GetProperty("pdno").GetString(), holding.GetProperty("hldg_qty").GetString(), holding.GetProperty("pchs_avg_pric").GetString()));
        Assert.Equal("005930", Assert.Single(second.Rows).GetProperty("pdno").GetString());
        var totals = Assert.Single(first.Body.GetProperty("output2").EnumerateArray().ToList());
        Assert.Equal(KisWire.Whole(cash), totals.GetProperty("dnca_tot_amt").GetString());
        Assert.Equal(KisWire.Whole(cash + 250_000m), totals.GetProperty("tot_evlu_amt").GetString());
        Assert.Equal("250000", totals.GetProperty("scts_evlu_amt").GetString());
    }

    [Fact]
    public async Task A_balance_inquiry_without_a_required_parameter_is_refused()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var token = await h.IssueTokenAsync();

        Assert.Equal("OPSQ2002", (await h.CallAsync(HttpMethod.Get, KisFakeHarness.BalanceQuery.Replace("PRCS_DVSN=00", "PRCS_DVSN="), token, "VTTC8434R")).Code);
        Assert.Equal("OPSQ2000", (await h.CallAsync(HttpMethod.Get, KisFakeHarness.BalanceQuery.Replace("ACNT_PRDT_CD=01", "ACNT_PRDT_CD=03"), token, "VTTC8434R")).Code);
    }

    [Fact]
    public async Task A_listed_stocks_price_and_tick_are_quoted_an_unlisted_one_is_not()
    {
        await using var h = await KisFakeHarness.StartAsync();
        var token = await h.IssueTokenAsync();
        h.Exchange.SetPrice("000660", 45_000m);

        var samsung = await h.CallAsync(HttpMethod.Get, PricePath + "005930", token, "FHKST01010100");
        var hynix = await h.CallAsync(HttpMethod.Get, PricePath + "000660", token, "FHKST01010100");
        var none = await h.CallAsync(HttpMethod.Get, PricePath + "999999", token, "FHKST01010100");
        var wrongMarket = await h.CallAsync(HttpMethod.Get, PricePath.Replace("=J", "=Q") + "005930", token, "FHKST01010100");

        Assert.Equal(("70000", "100", "005930"), (samsung.Output.GetProperty("stck_prpr").GetString(), samsung.Output.GetProperty("aspr_unit").GetString(), samsung.Output.GetProperty("stck_shrn_iscd").GetString()));
        Assert.Equal(("45000", "50"), (hynix.Output.GetProperty("stck_prpr").GetString(), hynix.Output.GetProperty("aspr_unit").GetString()));
        Assert.Equal((200, "1", "APBK0656"), (none.Status, none.RtCd, none.Code));
        Assert.Equal("OPSQ2002", wrongMarket.Code);
    }

    // ---- seeding

    [Fact]
    public void An_account_seeded_under_another_name_needs_its_kis_number()
    {
        var exchange = new FakeExchange(TimeProvider.System);
        var fake = new KisFake(exchange, new KisFakeOptions { AccountNumbers = new Dictionary<string, string> { ["ACC-1"] = "11112222-01" }, SeededCash = 5m });

        Assert.Throws<ArgumentException>(() => fake.SeedAccount("ACC-2", "k", "s"));
        fake.SeedAccount("ACC-1", "k", "s", cash: 1m);

        Assert.Equal((("KRW", 5m)), (exchange.Holdings("ACC-1").Currency, exchange.Holdings("ACC-1").Cash));
        Assert.Equal(70_000m, exchange.Price("005930"));
        Assert.Equal("kis", fake.Venue);
    }

    [Fact]
    public void A_price_already_set_is_kept()
    {
        var exchange = new FakeExchange(TimeProvider.System);
        exchange.SetPrice("005930", 71_000m);

        _ = new KisFake(exchange);

        Assert.Equal(71_000m, exchange.Price("005930"));
        Assert.Equal(180_000m, exchange.Price("000660"));
    }
}
