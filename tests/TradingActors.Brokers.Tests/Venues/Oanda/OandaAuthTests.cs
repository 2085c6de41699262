using System.Net;
using TradingActors.Brokers.Oanda;

namespace TradingActors.Brokers.Tests.Venues.Oanda;

/// <summary>
/// OANDA authenticates with its personal access token as a bearer token, nothing signed: the "vector" is the header
/// itself, checked as built and as the fake receives it.
/// </summary>
public sealed class OandaAuthTests
{
    [Fact]
    public void A_request_carries_the_token_as_a_bearer_and_asks_for_rfc3339_times()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api-fxpractice.oanda.com/v3/accounts/101-004-1234567-001/summary");

        OandaAuth.Authorize(request, "abc-123");
        OandaAuth.Authorize(request, "abc-123"); // twice: still one of each

        Assert.Equal("Bearer abc-123", request.Headers.Authorization!.ToString());
        Assert.Equal(["RFC3339"], request.Headers.GetValues("Accept-Datetime-Format"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void A_blank_token_is_not_sent(string? token)
    {
        using var request = new HttpRequestMessage();

        Assert.ThrowsAny<ArgumentException>(() => OandaAuth.Authorize(request, token!));
        Assert.Null(request.Headers.Authorization);
    }

    [Fact]
    public void The_token_is_the_api_key_and_the_secret_is_not_needed()
    {
        Assert.Equal("tok", OandaAuth.TokenOf(new BrokerAccount("a", "101-1", "tok", null)));
        Assert.Equal("tok", OandaAuth.TokenOf(new BrokerAccount("a", "101-1", "tok", "ignored")));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    public void An_account_without_a_token_is_refused_before_anything_is_sent(string? key)
    {
        var e = Assert.Throws<OrderNotPlacedException>(() => OandaAuth.TokenOf(new BrokerAccount("a", "101-004-1-001", key, "secret-value")));

        Assert.Equal("oanda: account 101-004-1-001 has no API token", e.Message);
        Assert.DoesNotContain("secret-value", e.Message);
    }

    [Theory]
    [InlineData("Bearer abc", "abc")]
    [InlineData("bearer abc", "abc")]
    [InlineData("BEARER  abc ", "abc")]
    [InlineData("Bearer ", null)]
    [InlineData("Bearer", null)]
    [InlineData("Basic abc", null)]
    [InlineData(" Bearer abc", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void The_fake_reads_the_token_the_way_it_is_sent(string? header, string? token) =>
        Assert.Equal(token, OandaAuth.TokenFrom(header));

    [Fact]
    public async Task The_connector_is_admitted_with_the_token_alone_and_a_wrong_one_is_refused()
    {
        await using var fake = await OandaKit.StartAsync();
        var client = OandaKit.Client(fake.BaseUrl);

        Assert.True((await client.CheckConnectivityAsync(OandaKit.Account(), OandaKit.Soon)).Passed);
        var wrong = await client.CheckConnectivityAsync(OandaKit.Account("not-the-token"), OandaKit.Soon);

        Assert.False(wrong.Passed);
        Assert.DoesNotContain("not-the-token", wrong.Reason);
    }

    [Fact]
    public async Task The_fake_takes_the_bearer_header_exactly_as_oandas_clients_send_it()
    {
        await using var fake = await OandaKit.StartAsync();
        using var http = OandaKit.Http(fake.BaseUrl, token: null);

        using var request = new HttpRequestMessage(HttpMethod.Get, OandaKit.Path("summary"));
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + OandaKit.Token);
        using var ok = await http.SendAsync(request);
        using var basic = new HttpRequestMessage(HttpMethod.Get, OandaKit.Path("summary"));
        basic.Headers.TryAddWithoutValidation("Authorization", "Basic " + OandaKit.Token);
        using var refused = await http.SendAsync(basic);

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }
}
