using TradingActors.Brokers.Alpaca;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Tests.Venues.Alpaca;

/// <summary>
/// Alpaca authenticates with two plain headers, the key id and the secret key (no signature, so no test vector
/// exists in its docs): they are sent on every request, to the base URL of the account's mode, and never reach a message.
/// </summary>
public sealed class AlpacaAuthTests
{
    private static OrderIntent Intent() => new(ClientOrderIds.Create("t", "acct-1", "strategy:s1", 1, 0), "acct-1", "strategy:s1", 1, "AAPL", OrderSide.Buy, 1m, 190m);

    private const string Accepted = """{"id":"1","client_order_id":"x","symbol":"AAPL","qty":"1","filled_qty":"0","filled_avg_price":null,"side":"buy","type":"market","status":"accepted"}""";

    [Fact]
    public void The_key_id_and_secret_key_go_in_alpacas_headers()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://paper-api.alpaca.markets/v2/account");

        AlpacaAuth.Apply(request, AlpacaTestKit.Account("PKTESTKEY", "s3cr3t"));

        Assert.Equal(["PKTESTKEY"], request.Headers.GetValues("APCA-API-KEY-ID"));
        Assert.Equal(["s3cr3t"], request.Headers.GetValues("APCA-API-SECRET-KEY"));
        Assert.Equal(2, request.Headers.Count());
    }

    [Theory]
    [InlineData(null, "s", "alpaca: the account has no API key id")]
    [InlineData("", "s", "alpaca: the account has no API key id")]
    [InlineData(" ", "s", "alpaca: the account has no API key id")]
    [InlineData("k", null, "alpaca: the account has no API secret key")]
    [InlineData("k", "", "alpaca: the account has no API secret key")]
    [InlineData("k", "  ", "alpaca: the account has no API secret key")]
    public void An_account_without_both_credentials_is_never_sent(string? key, string? secret, string reason)
    {
        var account = new BrokerAccount("acct-1", "PA-1", key, secret);
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://paper-api.alpaca.markets/v2/account");

        Assert.Equal(reason, AlpacaAuth.MissingCredentials(account));
        Assert.Equal(reason, Assert.Throws<OrderNotPlacedException>(() => AlpacaAuth.Apply(request, account)).Message);
        Assert.Empty(request.Headers);
    }

    [Fact]
    public void An_account_with_both_credentials_is_complete() => Assert.Null(AlpacaAuth.MissingCredentials(AlpacaTestKit.Account()));

    [Fact]
    public async Task Every_call_carries_the_headers_and_a_json_body_only_where_there_is_one()
    {
        var stub = new StubHandler(r => StubHandler.Response(r.Method == HttpMethod.Delete ? 204 : 200, r.RequestUri!.AbsolutePath switch
        {
            "/v2/account" => """{"id":"a","status":"ACTIVE","currency":"USD","cash":"1","equity":"1"}""",
            "/v2/positions" or "/v2/orders" when r.Method == HttpMethod.Get => "[]",
            "/v2/assets/AAPL" => """{"id":"x","class":"us_equity","symbol":"AAPL","status":"active","tradable":true}""",
            _ => Accepted,
        }));
        var client = AlpacaTestKit.Client(new Uri("http://alpaca.test/"), http: new HttpClient(stub));
        var account = AlpacaTestKit.Account();

        await client.PlaceOrderAsync(account, Intent(), CancellationToken.None);
        await client.FindOrderAsync(account, OrderLookup.Of(Intent()), CancellationToken.None);
        await client.CancelOrderAsync(account, OrderLookup.Of(Intent()) with { VenueOrderId = "1" }, CancellationToken.None);
        await client.GetAccountAsync(account, CancellationToken.None);
        await client.GetInstrumentAsync(account, "AAPL", CancellationToken.None);
        await client.CheckConnectivityAsync(account, CancellationToken.None);

        Assert.Equal(9, stub.Requests.Count);
        Assert.All(stub.Requests, r =>
        {
            Assert.Equal(AlpacaTestKit.Key, r.Headers["APCA-API-KEY-ID"]);
            Assert.Equal(AlpacaTestKit.Secret, r.Headers["APCA-API-SECRET-KEY"]);
            Assert.Equal(r.Method == HttpMethod.Post, r.Body is not null);
        });
    }

    [Theory]
    [InlineData("live", "api.alpaca.test")]
    [InlineData("paper", "paper-api.alpaca.test")]
    [InlineData("testnet", "paper-api.alpaca.test")]
    public async Task The_accounts_mode_picks_the_base_url(string mode, string host)
    {
        var stub = StubHandler.Json(200, Accepted);
        var client = new AlpacaBrokerClient(
            new AlpacaOptions { LiveBaseUrl = new Uri("https://api.alpaca.test/"), TestBaseUrl = new Uri("https://paper-api.alpaca.test/") },
            new HttpClient(stub));

        await client.PlaceOrderAsync(AlpacaTestKit.Account() with { Mode = mode }, Intent(), CancellationToken.None);

        Assert.Equal(new Uri($"https://{host}/v2/orders"), Assert.Single(stub.Requests).Uri);
    }

    [Fact]
    public async Task A_base_url_with_a_path_keeps_it()
    {
        var stub = StubHandler.Json(200, Accepted);
        var client = AlpacaTestKit.Client(new Uri("http://gateway.test/alpaca"), http: new HttpClient(stub));

        await client.FindOrderAsync(AlpacaTestKit.Account(), OrderLookup.Of(Intent()) with { ClientOrderId = "a b/c" }, CancellationToken.None);

        Assert.Equal("http://gateway.test/alpaca/v2/orders:by_client_order_id?client_order_id=a%20b%2Fc", Assert.Single(stub.Requests).Uri.AbsoluteUri);
    }

    [Fact]
    public async Task An_account_without_a_secret_sends_nothing_and_fails_the_check_by_name()
    {
        var stub = StubHandler.Json(200, Accepted);
        var client = AlpacaTestKit.Client(new Uri("http://alpaca.test/"), http: new HttpClient(stub));
        var account = AlpacaTestKit.Account() with { ApiSecret = null };

        var e = await Assert.ThrowsAsync<OrderNotPlacedException>(() => client.PlaceOrderAsync(account, Intent(), CancellationToken.None));
        var check = await client.CheckConnectivityAsync(account, CancellationToken.None);

        Assert.Equal("alpaca: the account has no API secret key", e.Message);
        Assert.Equal(ConnectivityCheck.Refused("alpaca: the account has no API secret key"), check);
        await Assert.ThrowsAsync<OrderNotPlacedException>(() => client.FindOrderAsync(account, OrderLookup.Of(Intent()), CancellationToken.None));
        await Assert.ThrowsAsync<OrderNotPlacedException>(() => client.CancelOrderAsync(account, OrderLookup.Of(Intent()) with { VenueOrderId = "1" }, CancellationToken.None));
        await Assert.ThrowsAsync<OrderNotPlacedException>(() => client.GetAccountAsync(account, CancellationToken.None));
        await Assert.ThrowsAsync<OrderNotPlacedException>(() => client.GetInstrumentAsync(account, "AAPL", CancellationToken.None));
        Assert.Empty(stub.Requests);
    }

    [Fact]
    public async Task The_fake_takes_a_key_only_with_its_own_secret()
    {
        await using var fake = await AlpacaTestKit.StartAsync();
        fake.SeedAccount("PA-2", "PK-other-key", "other-secret-zzzzzzzz");
        var client = AlpacaTestKit.Client(fake.BaseUrl);

        var mixed = await client.CheckConnectivityAsync(AlpacaTestKit.Account(AlpacaTestKit.Key, "other-secret-zzzzzzzz"), CancellationToken.None);
        var own = await client.CheckConnectivityAsync(AlpacaTestKit.Account("PK-other-key", "other-secret-zzzzzzzz"), CancellationToken.None);

        Assert.False(mixed.Passed);
        Assert.Equal("alpaca GET /v2/account: 401 Unauthorized: unauthorized.", mixed.Reason);
        Assert.True(own.Passed);
    }

    [Fact]
    public async Task A_refused_secret_appears_in_no_message()
    {
        await using var fake = await AlpacaTestKit.StartAsync();
        var client = AlpacaTestKit.Client(fake.BaseUrl);
        var wrong = AlpacaTestKit.Account(AlpacaTestKit.Key, "wrong-secret-zzzzzzzzzzzzzz");

        var placing = await Assert.ThrowsAsync<OrderNotPlacedException>(() => client.PlaceOrderAsync(wrong, Intent(), CancellationToken.None));
        var finding = await Assert.ThrowsAsync<HttpRequestException>(() => client.FindOrderAsync(wrong, OrderLookup.Of(Intent()), CancellationToken.None));
        var reading = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAccountAsync(wrong, CancellationToken.None));

        foreach (var text in new[] { placing.ToString(), finding.ToString(), reading.ToString(), wrong.ToString() })
        {
            Assert.DoesNotContain("wrong-secret", text);
            Assert.DoesNotContain(AlpacaTestKit.Key, text);
        }
        Assert.Contains("401", placing.Message);
    }
}
