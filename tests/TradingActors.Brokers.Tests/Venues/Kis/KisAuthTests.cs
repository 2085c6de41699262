using System.Text.Json;
using TradingActors.Brokers.Http;
using TradingActors.Brokers.Kis;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Tests.Venues.Kis;

/// <summary>
/// How KIS authenticates a call: the account number split in two, the tr_id of each call per server, the headers of
/// a trading call (bearer token, app key and secret, tr_id, custtype, tr_cont) and the session token. KIS signs
/// nothing (the hashkey is optional and not used), so there is no signature vector.
/// </summary>
public sealed class KisAuthTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 4, 1, 2, 3, TimeSpan.Zero);
    private static readonly BrokerAccount Account = new("acct-1", "12345678-01", "app-key-123", "app-secret-456");

    // ---- account number

    [Fact]
    public void An_account_number_splits_into_cano_and_product_code()
    {
        var number = KisAccountNumber.Parse("12345678-01");

        Assert.Equal("12345678", number.Cano);
        Assert.Equal("01", number.ProductCode);
        Assert.Equal("12345678-01", number.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ACC-1")]
    [InlineData("1234567-01")]
    [InlineData("123456789-01")]
    [InlineData("12345678-1")]
    [InlineData("12345678-012")]
    [InlineData("1234567801")]
    [InlineData("12345678_01")]
    [InlineData("1234567a-01")]
    [InlineData("12345678-0a")]
    [InlineData("a2345678-01")]
    [InlineData("12345678-a1")]
    [InlineData("１２３４５６７８-01")]
    public void A_malformed_account_number_is_refused_before_sending_naming_the_format(string? text)
    {
        Assert.False(KisAccountNumber.TryParse(text, out var parsed));
        Assert.Equal(default, parsed);

        var e = Assert.Throws<OrderNotPlacedException>(() => KisAccountNumber.Parse(text));

        Assert.Contains(KisAccountNumber.Format, e.Message);
        Assert.Contains($"'{text}'", e.Message);
        Assert.False(e.Data.Contains(VenueRefusal.Transient));
    }

    // ---- tr_ids

    [Theory]
    [InlineData(true, "TTTC0012U", "TTTC0011U", "TTTC0013U", "TTTC0081R", "TTTC8434R")]
    [InlineData(false, "VTTC0012U", "VTTC0011U", "VTTC0013U", "VTTC0081R", "VTTC8434R")]
    public void Each_call_has_the_tr_id_of_its_server(bool live, string buy, string sell, string cancel, string daily, string balance)
    {
        Assert.Equal(buy, KisTrIds.Order(OrderSide.Buy, live));
        Assert.Equal(sell, KisTrIds.Order(OrderSide.Sell, live));
        Assert.Equal(cancel, KisTrIds.Cancel(live));
        Assert.Equal(daily, KisTrIds.DailyOrders(live));
        Assert.Equal(balance, KisTrIds.Balance(live));
        Assert.Equal("FHKST01010100", KisTrIds.Price);
    }

    // ---- headers

    [Theory]
    [InlineData("")]
    [InlineData("N")]
    public void A_trading_call_carries_the_token_key_secret_tr_id_and_customer_type(string trCont)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1/");

        KisAuth.Apply(request, Account, new VenueToken("tok-789", Now.AddDays(1)), "VTTC0081R", trCont);

        Assert.Equal("Bearer tok-789", request.Headers.Authorization!.ToString());
        Assert.Equal("app-key-123", Single(request, "appkey"));
        Assert.Equal("app-secret-456", Single(request, "appsecret"));
        Assert.Equal("VTTC0081R", Single(request, "tr_id"));
        Assert.Equal("P", Single(request, "custtype"));
        Assert.Equal(trCont, Single(request, "tr_cont"));
    }

    [Fact]
    public void An_account_without_credentials_sends_them_empty()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1/");

        KisAuth.Apply(request, new BrokerAccount("a", "12345678-01"), new VenueToken("t", Now.AddDays(1)), "X");

        Assert.Equal("", Single(request, "appkey"));
        Assert.Equal("", Single(request, "appsecret"));
    }

    [Fact]
    public void A_first_page_is_asked_with_an_empty_tr_cont()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1/");

        KisAuth.Apply(request, Account, new VenueToken("t", Now.AddDays(1)), "X");

        Assert.Equal("", Single(request, "tr_cont"));
    }

    private static string Single(HttpRequestMessage request, string name) => Assert.Single(request.Headers.GetValues(name));

    [Fact]
    public void The_token_request_carries_the_grant_key_and_secret()
    {
        using var doc = JsonDocument.Parse(KisAuth.TokenBody(Account));

        Assert.Equal("client_credentials", doc.RootElement.GetProperty("grant_type").GetString());
        Assert.Equal("app-key-123", doc.RootElement.GetProperty("appkey").GetString());
        Assert.Equal("app-secret-456", doc.RootElement.GetProperty("appsecret").GetString());
    }

    [Fact]
    public void The_token_request_of_an_account_without_credentials_carries_empty_ones()
    {
        using var doc = JsonDocument.Parse(KisAuth.TokenBody(new BrokerAccount("a", "12345678-01")));

        Assert.Equal("", doc.RootElement.GetProperty("appkey").GetString());
        Assert.Equal("", doc.RootElement.GetProperty("appsecret").GetString());
    }

    // ---- the session token

    [Fact]
    public void A_token_expires_at_its_korean_expiry_time()
    {
        var token = KisAuth.ParseToken("""{"access_token":"eyJx","expires_in":86400,"access_token_token_expired":"2025-03-05 00:00:00"}""", Now);

        Assert.Equal("eyJx", token.Value);
        Assert.Equal(new DateTimeOffset(2025, 3, 4, 15, 0, 0, TimeSpan.Zero), token.ExpiresAt);
    }

    [Theory]
    [InlineData("""{"access_token":"eyJx","expires_in":3600}""")]
    [InlineData("""{"access_token":"eyJx","expires_in":3600,"access_token_token_expired":"tomorrow"}""")]
    public void Without_a_readable_expiry_time_the_token_lives_expires_in_seconds(string body) =>
        Assert.Equal(Now.AddHours(1), KisAuth.ParseToken(body, Now).ExpiresAt);

    [Theory]
    [InlineData("""{"access_token":"","expires_in":3600}""")]
    [InlineData("""{"expires_in":3600}""")]
    [InlineData("""{"access_token":"eyJx"}""")]
    [InlineData("""{"access_token":"eyJx","expires_in":0}""")]
    [InlineData("""{"access_token":"eyJx","expires_in":"x"}""")]
    [InlineData("not json")]
    [InlineData("null")]
    public void An_unusable_token_answer_is_not_placed(string body) =>
        Assert.StartsWith("kis token answer carried no ", Assert.Throws<OrderNotPlacedException>(() => KisAuth.ParseToken(body, Now)).Message);

    [Fact]
    public void An_unusable_token_answer_says_what_it_lacked()
    {
        Assert.Equal("kis token answer carried no access_token", Assert.Throws<OrderNotPlacedException>(() => KisAuth.ParseToken("{}", Now)).Message);
        Assert.Equal("kis token answer carried no expiry", Assert.Throws<OrderNotPlacedException>(() => KisAuth.ParseToken("""{"access_token":"x"}""", Now)).Message);
    }

    [Fact]
    public void A_usable_token_is_used_as_it_is()
    {
        var token = new VenueToken("tok", Now.AddHours(1));

        Assert.Same(token, KisAuth.RequireUsableToken(Account with { Token = token }, Now));
    }

    [Fact]
    public void An_account_without_a_token_is_refused_for_its_token()
    {
        var e = Assert.ThrowsAny<OrderNotPlacedException>(() => KisAuth.RequireUsableToken(Account, Now));

        Assert.True(VenueRefusal.IsTokenRefusal(e));
        Assert.Contains("no session token", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(10)]
    public void A_token_about_to_lapse_is_refused_without_naming_it(int minutesLeft)
    {
        var token = new VenueToken("secret-token-value", Now.AddMinutes(minutesLeft));

        var e = Assert.ThrowsAny<OrderNotPlacedException>(() => KisAuth.RequireUsableToken(Account with { Token = token }, Now));

        Assert.True(VenueRefusal.IsTokenRefusal(e));
        Assert.DoesNotContain("secret-token-value", e.ToString());
        Assert.Contains(token.ExpiresAt.ToString("O"), e.Message);
    }

    [Fact]
    public void Wire_records_that_hold_credentials_never_print_them()
    {
        Assert.Equal("KisTokenRequest { }", new KisTokenRequest("client_credentials", "app-key-123", "app-secret-456").ToString());
        Assert.DoesNotContain("eyJsecret", new KisTokenAnswer("eyJsecret", "Bearer", 1, "2025-01-01 00:00:00").ToString());
        Assert.Contains("2025-01-01 00:00:00", new KisTokenAnswer("eyJsecret", "Bearer", 1, "2025-01-01 00:00:00").ToString());
    }
}
