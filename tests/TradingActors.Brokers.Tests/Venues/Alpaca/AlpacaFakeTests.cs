using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using TradingActors.Brokers.Alpaca;
using TradingActors.Brokers.Fakes;

namespace TradingActors.Brokers.Tests.Venues.Alpaca;

/// <summary>
/// The fake answers as Alpaca does, checked over HTTP with a plain HttpClient (no connector): auth headers, error
/// payloads, duplicates, buying power, order rules, rate-limit headers and 429s, and its order, account and asset JSON.
/// </summary>
public sealed class AlpacaFakeTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 15, 0, 0, 250, TimeSpan.Zero);
    private readonly ManualClock _clock = new(Start);
    private AlpacaFake _fake = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _fake = await AlpacaTestKit.StartAsync(new AlpacaFakeOptions { RequestsPerWindow = 5, Window = TimeSpan.FromSeconds(1) }, _clock);
        _http = new HttpClient { BaseAddress = _fake.BaseUrl };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _fake.DisposeAsync();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> SendAsync(HttpMethod method, string path, string? json = null,
        string? key = AlpacaTestKit.Key, string? secret = AlpacaTestKit.Secret)
    {
        using var request = new HttpRequestMessage(method, path);
        if (key is not null) request.Headers.Add("APCA-API-KEY-ID", key);
        if (secret is not null) request.Headers.Add("APCA-API-SECRET-KEY", secret);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return (response.StatusCode, body, response);
    }

    private static string Order(string clientOrderId = "cid-1", string qty = "\"1\"", string type = "market", string tif = "day", string? limit = null, string side = "buy", string symbol = "AAPL") =>
        $$"""{"symbol":"{{symbol}}","qty":{{qty}},"side":"{{side}}","type":"{{type}}","time_in_force":"{{tif}}",{{(limit is null ? "" : $"\"limit_price\":{limit},")}}"client_order_id":"{{clientOrderId}}"}""";

    private static void AssertError(JsonElement body, long code, string message)
    {
        Assert.Equal(code, body.GetProperty("code").GetInt64());
        Assert.Equal(message, body.GetProperty("message").GetString());
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : "";

    // ---- auth

    [Theory]
    [InlineData(null, null)]
    [InlineData(AlpacaTestKit.Key, null)]
    [InlineData(null, AlpacaTestKit.Secret)]
    [InlineData(AlpacaTestKit.Key, "wrong")]
    [InlineData("PK-unknown", AlpacaTestKit.Secret)]
    [InlineData("", AlpacaTestKit.Secret)]
    public async Task A_missing_or_wrong_key_pair_is_refused_with_alpacas_401(string? key, string? secret)
    {
        var (status, body, response) = await SendAsync(HttpMethod.Post, "/v2/orders", Order(), key, secret);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("""{"message":"unauthorized."}""", body.GetRawText());
        Assert.False(response.Headers.Contains("X-RateLimit-Limit"));
        Assert.Empty(_fake.Exchange.Orders(AlpacaTestKit.AccountNumber));
    }

    // ---- rate limits

    [Fact]
    public async Task Every_authenticated_answer_says_the_keys_limit_what_remains_and_when_the_window_resets()
    {
        var resetAt = ((long)Math.Ceiling((Start + TimeSpan.FromSeconds(1)).ToUnixTimeMilliseconds() / 1000.0)).ToString(System.Globalization.CultureInfo.InvariantCulture);

        var first = (await SendAsync(HttpMethod.Get, "/v2/account")).Response;
        var second = (await SendAsync(HttpMethod.Get, "/v2/assets/NOSUCH")).Response;

        Assert.Equal("5", Header(first, "X-RateLimit-Limit"));
        Assert.Equal("4", Header(first, "X-RateLimit-Remaining"));
        Assert.Equal(resetAt, Header(first, "X-RateLimit-Reset"));
        Assert.Equal("3", Header(second, "X-RateLimit-Remaining"));
        Assert.Equal(resetAt, Header(second, "X-RateLimit-Reset"));
    }

    [Fact]
    public async Task Beyond_the_limit_a_key_is_refused_with_429_until_the_window_resets_and_other_keys_are_not()
    {
        _fake.SeedAccount("PA-2", "PK-other", "other-secret");
        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/v2/account")).Status);

        var (status, body, response) = await SendAsync(HttpMethod.Post, "/v2/orders", Order());
        var other = await SendAsync(HttpMethod.Get, "/v2/account", key: "PK-other", secret: "other-secret");

        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        AssertError(body, 42910000, "rate limit exceeded");
        Assert.Equal("0", Header(response, "X-RateLimit-Remaining"));
        Assert.Equal(1, _fake.RefusedForRate);
        Assert.Empty(_fake.Exchange.Orders(AlpacaTestKit.AccountNumber));
        Assert.Equal(HttpStatusCode.OK, other.Status);

        _clock.Advance(TimeSpan.FromSeconds(1));
        var again = await SendAsync(HttpMethod.Get, "/v2/account");
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal("4", Header(again.Response, "X-RateLimit-Remaining"));
    }

    // ---- placing

    [Fact]
    public async Task A_market_order_is_answered_as_accepted_with_nothing_filled_and_shows_filled_on_lookup()
    {
        var (status, placed, _) = await SendAsync(HttpMethod.Post, "/v2/orders", Order("cid-1"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("accepted", placed.GetProperty("status").GetString());
        Assert.Equal("0", placed.GetProperty("filled_qty").GetString());
        Assert.Equal(JsonValueKind.Null, placed.GetProperty("filled_avg_price").ValueKind);
        Assert.Equal(JsonValueKind.Null, placed.GetProperty("filled_at").ValueKind);
        Assert.Equal("cid-1", placed.GetProperty("client_order_id").GetString());
        Assert.Equal("1", placed.GetProperty("qty").GetString());
        Assert.Equal("day", placed.GetProperty("time_in_force").GetString());
        Assert.Equal("us_equity", placed.GetProperty("asset_class").GetString());
        Assert.Equal("b0b6dd9d-8b9b-48a9-ba46-b9d54906e415", placed.GetProperty("asset_id").GetString());

        var (_, found, _) = await SendAsync(HttpMethod.Get, "/v2/orders:by_client_order_id?client_order_id=cid-1");
        Assert.Equal(placed.GetProperty("id").GetString(), found.GetProperty("id").GetString());
        Assert.Equal("filled", found.GetProperty("status").GetString());
        Assert.Equal("1", found.GetProperty("filled_qty").GetString());
        Assert.Equal("190", found.GetProperty("filled_avg_price").GetString());
        Assert.Equal(AlpacaWire.FormatTime(Start), found.GetProperty("filled_at").GetString());

        var (_, byId, _) = await SendAsync(HttpMethod.Get, $"/v2/orders/{placed.GetProperty("id").GetString()}");
        Assert.Equal("filled", byId.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_client_order_id_is_taken_once_and_refused_with_alpacas_422_after()
    {
        await SendAsync(HttpMethod.Post, "/v2/orders", Order("cid-1", type: "limit", tif: "gtc", limit: "\"100\""));
        await SendAsync(HttpMethod.Delete, $"/v2/orders/{_fake.Exchange.Orders(AlpacaTestKit.AccountNumber)[0].VenueOrderId}");

        var (status, body, _) = await SendAsync(HttpMethod.Post, "/v2/orders", Order("cid-1"));

        Assert.Equal((HttpStatusCode)422, status);
        Assert.Equal("""{"code":40010001,"message":"client_order_id must be unique"}""", body.GetRawText());
        Assert.Single(_fake.Exchange.Orders(AlpacaTestKit.AccountNumber));
    }

    [Fact]
    public async Task An_order_beyond_the_buying_power_is_refused_with_alpacas_403()
    {
        var (status, body, _) = await SendAsync(HttpMethod.Post, "/v2/orders", Order(qty: "\"527\""));

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("""{"buying_power":"100000","code":40310000,"message":"insufficient buying power"}""", body.GetRawText());
        Assert.Empty(_fake.Exchange.Orders(AlpacaTestKit.AccountNumber));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, "/v2/orders", Order(qty: "\"526\""))).Status);
    }

    [Fact]
    public async Task Open_buy_orders_hold_buying_power_and_a_sell_of_shares_held_needs_none()
    {
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, "/v2/orders", Order("buy-1", qty: "\"500\""))).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, "/v2/orders", Order("rest-1", qty: "\"20\"", type: "limit", tif: "gtc", limit: "\"100\""))).Status);
        // Cash left: 5,000; the resting buy holds 2,000.

        var (status, body, _) = await SendAsync(HttpMethod.Post, "/v2/orders", Order("buy-2", qty: "\"16\""));
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("3000", body.GetProperty("buying_power").GetString());
        _clock.Advance(TimeSpan.FromSeconds(1)); // a fresh rate window

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, "/v2/orders", Order("sell-1", qty: "\"500\"", side: "sell"))).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, "/v2/orders", Order("short-1", qty: "\"10\"", side: "sell"))).Status);
        var (shortStatus, _, _) = await SendAsync(HttpMethod.Post, "/v2/orders", Order("short-2", qty: "\"10000\"", side: "sell"));
        Assert.Equal(HttpStatusCode.Forbidden, shortStatus);
    }

    [Theory]
    [InlineData("\"190.001\"", "invalid limit_price 190.001. sub-penny increment does not fulfill minimum pricing criteria")]
    [InlineData("\"1.005\"", "invalid limit_price 1.005. sub-penny increment does not fulfill minimum pricing criteria")]
    [InlineData("\"0.00001\"", "invalid limit_price 0.00001. sub-penny increment does not fulfill minimum pricing criteria")]
    public async Task A_sub_penny_limit_price_is_refused_as_alpaca_words_it(string limit, string message)
    {
        var (status, body, _) = await SendAsync(HttpMethod.Post, "/v2/orders", Order(type: "limit", tif: "gtc", limit: limit));

        Assert.Equal((HttpStatusCode)422, status);
        AssertError(body, 42210000, message);
    }

    [Theory]
    [InlineData("\"0.9999\"")]
    [InlineData("\"190.10\"")]
    [InlineData("\"1\"")]
    public async Task Cents_at_a_dollar_and_above_and_hundredths_of_a_cent_below_are_taken(string limit) =>
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, "/v2/orders", Order(type: "limit", tif: "gtc", limit: limit))).Status);

    [Fact]
    public async Task Fractional_quantities_are_taken_on_day_orders_only()
    {
        var gtc = await SendAsync(HttpMethod.Post, "/v2/orders", Order("f-1", qty: "\"0.5\"", type: "limit", tif: "gtc", limit: "\"100\""));
        var tooFine = await SendAsync(HttpMethod.Post, "/v2/orders", Order("f-2", qty: "\"0.0000000001\""));
        var day = await SendAsync(HttpMethod.Post, "/v2/orders", Order("f-3", qty: "\"0.000000001\""));

        Assert.Equal((HttpStatusCode)422, gtc.Status);
        AssertError(gtc.Body, 42210000, "fractional orders must be DAY orders");
        Assert.Equal((HttpStatusCode)422, tooFine.Status);
        AssertError(tooFine.Body, 42210000, "qty must not have more than 9 decimal places");
        Assert.Equal(HttpStatusCode.OK, day.Status);
    }

    [Fact]
    public async Task A_fraction_of_an_asset_that_is_not_fractionable_is_refused()
    {
        await using var fake = new AlpacaFake(new AlpacaFakeOptions { Assets = [AlpacaFake.DefaultAssets[0] with { Fractionable = false }] });
        fake.SeedAccount("PA-1", "k", "s");
        await fake.StartAsync();
        using var http = new HttpClient { BaseAddress = fake.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/orders") { Content = new StringContent(Order(qty: "\"0.5\"")) };
        request.Headers.Add("APCA-API-KEY-ID", "k");
        request.Headers.Add("APCA-API-SECRET-KEY", "s");

        var response = await http.SendAsync(request);

        Assert.Equal((HttpStatusCode)422, response.StatusCode);
        Assert.Equal("""{"code":42210000,"message":"requested asset is not fractionable"}""", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("""{"qty":"1","side":"buy","type":"market","time_in_force":"day"}""", 40010001, "symbol is required")]
    [InlineData("""{"symbol":"AAPL","side":"buy","type":"market","time_in_force":"day"}""", 40010001, "qty is required")]
    [InlineData("""{"symbol":"AAPL","qty":true,"side":"buy","type":"market","time_in_force":"day"}""", 40010001, "qty is required")]
    [InlineData("""{"symbol":"AAPL","qty":"0","side":"buy","type":"market","time_in_force":"day"}""", 40010001, "qty must be > 0")]
    [InlineData("""{"symbol":"AAPL","qty":"one","side":"buy","type":"market","time_in_force":"day"}""", 40010001, "qty must be > 0")]
    [InlineData("""{"symbol":"AAPL","qty":"1","side":"long","type":"market","time_in_force":"day"}""", 40010001, "side must be buy or sell")]
    [InlineData("""{"symbol":"AAPL","qty":"1","side":"buy","time_in_force":"day"}""", 40010001, "type is required")]
    [InlineData("""{"symbol":"AAPL","qty":"1","side":"buy","type":"stop","time_in_force":"day"}""", 40010001, "this fake takes market and limit orders only")]
    [InlineData("""{"symbol":"AAPL","qty":"1","side":"buy","type":"market"}""", 40010001, "time_in_force is required")]
    [InlineData("""{"symbol":"AAPL","qty":"1","side":"buy","type":"market","time_in_force":"week"}""", 40010001, "invalid time_in_force")]
    [InlineData("""{"symbol":"AAPL","qty":"1","side":"buy","type":"market","time_in_force":"ioc"}""", 40010001, "this fake takes day and gtc orders only")]
    [InlineData("""{"symbol":"AAPL","qty":"1","side":"buy","type":"limit","time_in_force":"gtc"}""", 40010001, "limit_price is required")]
    [InlineData("""{"symbol":"AAPL","qty":"1","side":"buy","type":"limit","time_in_force":"gtc","limit_price":"-1"}""", 40010001, "limit_price must be > 0")]
    [InlineData("""{"symbol":"NOSUCH","qty":"1","side":"buy","type":"market","time_in_force":"day"}""", 40010001, "could not find asset 'NOSUCH'")]
    public async Task An_invalid_order_is_refused_with_alpacas_422(string json, long code, string message)
    {
        var (status, body, _) = await SendAsync(HttpMethod.Post, "/v2/orders", json);

        Assert.Equal((HttpStatusCode)422, status);
        AssertError(body, code, message);
        Assert.Empty(_fake.Exchange.Orders(AlpacaTestKit.AccountNumber));
    }

    [Fact]
    public async Task A_client_order_id_longer_than_128_characters_is_refused() =>
        AssertError((await SendAsync(HttpMethod.Post, "/v2/orders", Order(new string('x', 129)))).Body, 40010001, "client_order_id must be no more than 128 characters");

    [Fact]
    public async Task An_order_without_a_client_order_id_gets_one_from_the_venue()
    {
        var (_, body, _) = await SendAsync(HttpMethod.Post, "/v2/orders", """{"symbol":"aapl","qty":2,"side":"buy","type":"limit","time_in_force":"gtc","limit_price":150.5}""");

        Assert.True(Guid.TryParse(body.GetProperty("client_order_id").GetString(), out _));
        Assert.Equal("AAPL", body.GetProperty("symbol").GetString());
        Assert.Equal("2", body.GetProperty("qty").GetString());
        Assert.Equal("150.5", body.GetProperty("limit_price").GetString());
        Assert.Equal("gtc", body.GetProperty("time_in_force").GetString());
    }

    [Theory]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("\"order\"")]
    public async Task A_body_that_is_not_an_order_object_is_alpacas_400(string json)
    {
        var (status, body, _) = await SendAsync(HttpMethod.Post, "/v2/orders", json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertError(body, 40010000, "request body format is invalid");
    }

    // ---- lookups and cancels

    [Fact]
    public async Task An_order_the_account_does_not_hold_is_alpacas_404()
    {
        _fake.SeedAccount("PA-2", "PK-other", "other-secret");
        var (_, theirs, _) = await SendAsync(HttpMethod.Post, "/v2/orders", Order("theirs"), "PK-other", "other-secret");

        var byClientId = await SendAsync(HttpMethod.Get, "/v2/orders:by_client_order_id?client_order_id=theirs");
        var byId = await SendAsync(HttpMethod.Get, $"/v2/orders/{theirs.GetProperty("id").GetString()}");
        var cancel = await SendAsync(HttpMethod.Delete, $"/v2/orders/{theirs.GetProperty("id").GetString()}");

        foreach (var (status, body, _) in new[] { byClientId, byId, cancel })
        {
            Assert.Equal(HttpStatusCode.NotFound, status);
            AssertError(body, 40410000, "order not found");
        }
    }

    [Fact]
    public async Task A_lookup_without_a_client_order_id_is_refused()
    {
        var (status, body, _) = await SendAsync(HttpMethod.Get, "/v2/orders:by_client_order_id");

        Assert.Equal((HttpStatusCode)422, status);
        AssertError(body, 40010001, "client_order_id is required");
    }

    [Fact]
    public async Task An_open_order_is_cancelled_with_204_and_an_ended_one_is_refused_naming_its_state()
    {
        var (_, resting, _) = await SendAsync(HttpMethod.Post, "/v2/orders", Order("rest", type: "limit", tif: "gtc", limit: "\"100\""));
        var (_, market, _) = await SendAsync(HttpMethod.Post, "/v2/orders", Order("market"));
        var restingId = resting.GetProperty("id").GetString();

        var cancelled = await SendAsync(HttpMethod.Delete, $"/v2/orders/{restingId}");
        var again = await SendAsync(HttpMethod.Delete, $"/v2/orders/{restingId}");
        var filled = await SendAsync(HttpMethod.Delete, $"/v2/orders/{market.GetProperty("id").GetString()}");

        Assert.Equal(HttpStatusCode.NoContent, cancelled.Status);
        Assert.Equal((HttpStatusCode)422, again.Status);
        AssertError(again.Body, 42210000, "order is already in \"canceled\" state");
        AssertError(filled.Body, 42210000, "order is already in \"filled\" state");
        _clock.Advance(TimeSpan.FromSeconds(1)); // a fresh rate window
        var (_, after, _) = await SendAsync(HttpMethod.Get, $"/v2/orders/{restingId}");
        Assert.Equal("canceled", after.GetProperty("status").GetString());
        Assert.Equal(AlpacaWire.FormatTime(Start), after.GetProperty("canceled_at").GetString());
    }

    [Fact]
    public async Task A_partly_filled_order_shows_its_cumulative_fill()
    {
        await SendAsync(HttpMethod.Post, "/v2/orders", Order("part", qty: "\"3\"", type: "limit", tif: "gtc", limit: "\"180\""));
        _clock.Advance(TimeSpan.FromSeconds(2));
        _fake.Exchange.SetPrice("AAPL", 180m, liquidity: 2m);

        var (_, body, _) = await SendAsync(HttpMethod.Get, "/v2/orders:by_client_order_id?client_order_id=part");

        Assert.Equal("partially_filled", body.GetProperty("status").GetString());
        Assert.Equal("2", body.GetProperty("filled_qty").GetString());
        Assert.Equal("180", body.GetProperty("filled_avg_price").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("filled_at").ValueKind);
        Assert.Equal(AlpacaWire.FormatTime(Start.AddSeconds(2)), body.GetProperty("updated_at").GetString());
    }

    [Fact]
    public async Task Orders_are_listed_by_status_newest_first_up_to_the_limit()
    {
        await SendAsync(HttpMethod.Post, "/v2/orders", Order("a", type: "limit", tif: "gtc", limit: "\"100\""));
        await SendAsync(HttpMethod.Post, "/v2/orders", Order("b", type: "limit", tif: "gtc", limit: "\"101\""));
        await SendAsync(HttpMethod.Post, "/v2/orders", Order("c"));

        static string[] Ids(JsonElement body) => body.EnumerateArray().Select(o => o.GetProperty("client_order_id").GetString()!).ToArray();
        Assert.Equal(["b", "a"], Ids((await SendAsync(HttpMethod.Get, "/v2/orders")).Body));
        _clock.Advance(TimeSpan.FromSeconds(1)); // a fresh rate window
        Assert.Equal(["c"], Ids((await SendAsync(HttpMethod.Get, "/v2/orders?status=closed")).Body));
        Assert.Equal(["c", "b", "a"], Ids((await SendAsync(HttpMethod.Get, "/v2/orders?status=all")).Body));
        Assert.Equal(["a", "b"], Ids((await SendAsync(HttpMethod.Get, "/v2/orders?status=all&direction=asc&limit=2")).Body));
        var (status, body, _) = await SendAsync(HttpMethod.Get, "/v2/orders?status=pending");
        Assert.Equal((HttpStatusCode)422, status);
        AssertError(body, 40010001, "invalid status");
    }

    // ---- account, positions, assets, failures

    [Fact]
    public async Task The_account_positions_and_assets_are_alpacas_json()
    {
        await SendAsync(HttpMethod.Post, "/v2/orders", Order("long", qty: "\"3\""));
        _fake.Exchange.SetPrice("MSFT", 400m);
        await SendAsync(HttpMethod.Post, "/v2/orders", Order("short", qty: "\"2\"", side: "sell", symbol: "MSFT"));
        _fake.Exchange.SetPrice("AAPL", 200m);
        _clock.Advance(TimeSpan.FromSeconds(1));

        var (_, account, _) = await SendAsync(HttpMethod.Get, "/v2/account");
        var (_, positions, _) = await SendAsync(HttpMethod.Get, "/v2/positions");
        var (_, asset, _) = await SendAsync(HttpMethod.Get, "/v2/assets/AAPL");

        Assert.Equal("ACTIVE", account.GetProperty("status").GetString());
        Assert.Equal("USD", account.GetProperty("currency").GetString());
        Assert.Equal(AlpacaTestKit.AccountNumber, account.GetProperty("account_number").GetString());
        Assert.Equal("100230", account.GetProperty("cash").GetString()); // 100,000 − 570 + 800
        Assert.Equal("100030", account.GetProperty("equity").GetString()); // + 600 long − 800 short
        Assert.Equal("600", account.GetProperty("long_market_value").GetString());
        Assert.Equal("-800", account.GetProperty("short_market_value").GetString());
        Assert.False(account.GetProperty("trading_blocked").GetBoolean());
        var held = positions.EnumerateArray().ToList();
        Assert.Equal(["AAPL", "MSFT"], held.Select(p => p.GetProperty("symbol").GetString()));
        Assert.Equal(("3", "long", "190", "600"), (held[0].GetProperty("qty").GetString(), held[0].GetProperty("side").GetString(), held[0].GetProperty("avg_entry_price").GetString(), held[0].GetProperty("market_value").GetString()));
        Assert.Equal(("-2", "short", "400"), (held[1].GetProperty("qty").GetString(), held[1].GetProperty("side").GetString(), held[1].GetProperty("avg_entry_price").GetString()));
        Assert.Equal("us_equity", asset.GetProperty("class").GetString());
        Assert.True(asset.GetProperty("fractionable").GetBoolean());
        Assert.True(asset.GetProperty("tradable").GetBoolean());
        Assert.False(asset.TryGetProperty("min_trade_increment", out _)); // crypto-only in Alpaca's docs
    }

    [Fact]
    public async Task An_asset_alpaca_does_not_list_is_its_404()
    {
        var (status, body, _) = await SendAsync(HttpMethod.Get, "/v2/assets/NOSUCH");

        Assert.Equal(HttpStatusCode.NotFound, status);
        AssertError(body, 40410000, "asset not found for NOSUCH");
    }

    [Fact]
    public async Task A_failing_venue_answers_alpacas_500_and_takes_nothing()
    {
        _fake.Faults.Set(FakeFaultKind.Fail, "/v2/orders", times: 1);

        var (status, body, _) = await SendAsync(HttpMethod.Post, "/v2/orders", Order());

        Assert.Equal(HttpStatusCode.InternalServerError, status);
        AssertError(body, 50010000, "internal server error occurred");
        Assert.Empty(_fake.Exchange.Orders(AlpacaTestKit.AccountNumber));
    }

    [Fact]
    public async Task The_fake_runs_standalone_on_a_fixed_port()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var fake = new AlpacaFake();

        await fake.StartAsync(port);

        Assert.Equal(new Uri($"http://127.0.0.1:{port}/"), fake.BaseUrl);
        Assert.Equal("alpaca", fake.Venue);
    }
}
