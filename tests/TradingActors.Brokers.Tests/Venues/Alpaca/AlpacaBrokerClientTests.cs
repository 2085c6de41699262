using System.Globalization;
using System.Net;
using TradingActors.Brokers.Alpaca;
using TradingActors.Brokers.Fakes;
using TradingActors.Brokers.Http;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Tests.Venues.Alpaca;

/// <summary>
/// What the Alpaca connector does beyond the shared contract: it honours the rate-limit headers per key, cancels by
/// Alpaca's order id and answers the state read back, repeats only reads worth repeating, and never turns a failed
/// read into "not placed".
/// </summary>
public sealed class AlpacaBrokerClientTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);
    private static CancellationToken Soon => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;
    private long _seq;

    private OrderIntent Market(decimal qty = 1m, string symbol = "AAPL") =>
        new(ClientOrderIds.Create("t", "acct-1", "strategy:s1", ++_seq, 0), "acct-1", "strategy:s1", _seq, symbol, OrderSide.Buy, qty, 190m);

    private OrderIntent Limit(decimal limit, decimal qty = 1m) => Market(qty) with { Type = OrderType.Limit, LimitPrice = limit };

    private static BrokerAccount Account => AlpacaTestKit.Account();

    private static string Reset(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    // ---- rate limits

    [Fact]
    public async Task A_used_up_window_sends_nothing_more_for_that_key_until_it_resets()
    {
        var clock = new ManualClock(Start);
        await using var fake = await AlpacaTestKit.StartAsync(new AlpacaFakeOptions { RequestsPerWindow = 2, Window = TimeSpan.FromSeconds(60) }, clock);
        fake.SeedAccount("PA-2", "PK-other", "other-secret");
        var client = AlpacaTestKit.Client(fake.BaseUrl, clock, VenueRetry.None);
        Assert.True((await client.CheckConnectivityAsync(Account, Soon)).Passed);
        Assert.True((await client.CheckConnectivityAsync(Account, Soon)).Passed); // answered with X-RateLimit-Remaining 0
        var sent = fake.Requests;

        var e = await Assert.ThrowsAsync<OrderNotPlacedException>(() => client.PlaceOrderAsync(Account, Market(), Soon));

        Assert.Equal(sent, fake.Requests);
        Assert.True(e.Data.Contains(VenueRefusal.Transient));
        Assert.Equal(TimeSpan.FromSeconds(60), e.RetryAfter);
        Assert.Contains("rate limit", e.Message);
        Assert.Empty(fake.Exchange.Orders(AlpacaTestKit.AccountNumber));
        Assert.True((await client.CheckConnectivityAsync(AlpacaTestKit.Account("PK-other", "other-secret"), Soon)).Passed); // another key is not held back

        clock.Advance(TimeSpan.FromSeconds(60));
        var placed = await client.PlaceOrderAsync(Account, Market(), Soon);
        Assert.Equal(BrokerOrderStatus.Accepted, placed.Status);
    }

    [Fact]
    public async Task The_last_request_of_a_window_closes_the_gate_without_a_429()
    {
        var clock = new ManualClock(Start);
        await using var fake = await AlpacaTestKit.StartAsync(new AlpacaFakeOptions { RequestsPerWindow = 2, Window = TimeSpan.FromSeconds(10) }, clock);
        var client = AlpacaTestKit.Client(fake.BaseUrl, clock, VenueRetry.None);

        Assert.True((await client.CheckConnectivityAsync(Account, Soon)).Passed);
        Assert.Null(client.RateGate.WaitFor(AlpacaTestKit.Key));
        Assert.True((await client.CheckConnectivityAsync(Account, Soon)).Passed);

        Assert.Equal(TimeSpan.FromSeconds(10), client.RateGate.WaitFor(AlpacaTestKit.Key));
        await Assert.ThrowsAsync<OrderNotPlacedException>(() => client.CheckConnectivityAsync(Account, Soon));
        Assert.Equal(0, fake.RefusedForRate);
        Assert.Equal(2, fake.Requests);
    }

    private static StubHandler ClosingThenAccepting(DateTimeOffset reset) => new(r => r.Method == HttpMethod.Get
        ? StubHandler.Response(200, """{"id":"a","status":"ACTIVE","currency":"USD","cash":"1","equity":"1"}""", ("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", Reset(reset)))
        : StubHandler.Response(200, """{"id":"1","client_order_id":"c","symbol":"AAPL","qty":"1","filled_qty":"0","side":"buy","status":"accepted"}"""));

    [Fact]
    public async Task A_window_that_resets_soon_is_waited_out_before_sending()
    {
        var clock = new InstantTimers(Start);
        var stub = ClosingThenAccepting(Start.AddSeconds(2));
        var client = AlpacaTestKit.Client(new Uri("http://alpaca.test/"), clock, VenueRetry.None, new HttpClient(stub));
        await client.CheckConnectivityAsync(Account, Soon);

        var placed = await client.PlaceOrderAsync(Account, Market(), Soon);

        Assert.Equal(BrokerOrderStatus.Accepted, placed.Status);
        Assert.Equal(2, stub.Requests.Count);
        Assert.Equal(1, clock.Waits);
        Assert.True(clock.GetUtcNow() >= Start.AddSeconds(2));
        Assert.True(clock.GetUtcNow() < Start.AddSeconds(2.1));
    }

    [Fact]
    public async Task A_window_longer_than_the_wait_in_place_is_refused_not_waited()
    {
        var clock = new InstantTimers(Start);
        var stub = ClosingThenAccepting(Start.AddSeconds(3));
        var client = new AlpacaBrokerClient(
            new AlpacaOptions { TestBaseUrl = new Uri("http://alpaca.test/"), RateLimitWaitInPlace = TimeSpan.FromSeconds(2.5) }, new HttpClient(stub), clock, VenueRetry.None);
        await client.CheckConnectivityAsync(Account, Soon);

        var e = await Assert.ThrowsAsync<OrderNotPlacedException>(() => client.PlaceOrderAsync(Account, Market(), Soon));

        Assert.Equal(TimeSpan.FromSeconds(3), e.RetryAfter);
        Assert.Equal(0, clock.Waits);
        Assert.Single(stub.Requests);
    }

    [Fact]
    public async Task A_wait_the_clock_does_not_see_pass_is_given_up_after_three_rounds()
    {
        var clock = new InstantTimers(Start, stuck: true);
        var stub = ClosingThenAccepting(Start.AddSeconds(1));
        var client = AlpacaTestKit.Client(new Uri("http://alpaca.test/"), clock, VenueRetry.None, new HttpClient(stub));
        await client.CheckConnectivityAsync(Account, Soon);

        var e = await Assert.ThrowsAsync<OrderNotPlacedException>(() => client.PlaceOrderAsync(Account, Market(), Soon));

        Assert.True(e.Data.Contains(VenueRefusal.Transient));
        Assert.Equal(3, clock.Waits);
        Assert.Single(stub.Requests);
    }

    [Fact]
    public async Task A_429_is_not_placed_and_retried_after_the_reset_it_names()
    {
        var clock = new ManualClock(Start);
        var calls = 0;
        var stub = new StubHandler(_ => ++calls == 1
            ? StubHandler.Response(429, """{"code":42910000,"message":"rate limit exceeded"}""", ("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", Reset(Start.AddSeconds(30))))
            : StubHandler.Response(500, """{"code":50010000,"message":"internal server error occurred"}"""));
        var client = AlpacaTestKit.Client(new Uri("http://alpaca.test/"), clock, VenueRetry.None, new HttpClient(stub));

        var e = await Assert.ThrowsAsync<OrderNotPlacedException>(() => client.PlaceOrderAsync(Account, Market(), Soon));

        Assert.True(e.Data.Contains(VenueRefusal.Transient));
        Assert.Equal(TimeSpan.FromSeconds(30), e.RetryAfter);
        Assert.Equal(TimeSpan.FromSeconds(30), client.RateGate.WaitFor(AlpacaTestKit.Key));
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Null(client.RateGate.WaitFor(AlpacaTestKit.Key));
        await Assert.ThrowsAsync<VenueOutcomeUnknownException>(() => client.PlaceOrderAsync(Account, Market(), Soon));
        Assert.Equal(2, stub.Requests.Count);
    }

    [Fact]
    public async Task A_rate_limited_order_is_retried_and_taken_once_the_window_allows()
    {
        await using var fake = await AlpacaTestKit.StartAsync(new AlpacaFakeOptions { RequestsPerWindow = 1, Window = TimeSpan.FromMilliseconds(300) });
        var retry = new VenueRetry(new VenueRetryOptions { MaxAttempts = 6, FirstDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(400) }, TimeProvider.System);
        // A second connector uses up the window behind this one's back: the venue's 429 is what this one learns from.
        await new AlpacaBrokerClient(new AlpacaOptions { TestBaseUrl = fake.BaseUrl }, new HttpClient()).CheckConnectivityAsync(Account, Soon);
        var client = AlpacaTestKit.Client(fake.BaseUrl, retry: retry);

        var placed = await client.PlaceOrderAsync(Account, Market(), Soon);

        Assert.Equal(BrokerOrderStatus.Accepted, placed.Status);
        Assert.Single(fake.Exchange.Orders(AlpacaTestKit.AccountNumber));
    }

    [Fact]
    public void The_gate_keeps_the_latest_reset_and_forgets_a_key_once_it_passed()
    {
        var clock = new ManualClock(Start);
        var gate = new AlpacaRateGate(clock);

        gate.Observe("k", AlpacaErrorsTests.Answer(200, "", ("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", Reset(Start.AddSeconds(20)))));
        gate.Observe("k", AlpacaErrorsTests.Answer(200, "", ("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", Reset(Start.AddSeconds(5)))));
        gate.Observe("k", AlpacaErrorsTests.Answer(200, "", ("X-RateLimit-Remaining", "3"), ("X-RateLimit-Reset", Reset(Start.AddSeconds(40)))));
        gate.Observe("j", AlpacaErrorsTests.Answer(200, "", ("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", Reset(Start))));
        gate.Observe("i", AlpacaErrorsTests.Answer(200, "", ("X-RateLimit-Remaining", "0")));
        gate.Observe("h", AlpacaErrorsTests.Answer(429, ""));

        Assert.Equal(TimeSpan.FromSeconds(20), gate.WaitFor("k"));
        Assert.Null(gate.WaitFor("j"));
        Assert.Null(gate.WaitFor("i"));
        Assert.Null(gate.WaitFor("h"));
        clock.Advance(TimeSpan.FromSeconds(19));
        Assert.Equal(TimeSpan.FromSeconds(1), gate.WaitFor("k"));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(gate.WaitFor("k"));
        Assert.Equal(0, gate.KeysHeld);
        gate.Observe("k", AlpacaErrorsTests.Answer(429, "", ("Retry-After", "4")));
        Assert.Equal(TimeSpan.FromSeconds(4), gate.WaitFor("k"));
        gate.Observe("k", AlpacaErrorsTests.Answer(429, "", ("Retry-After", "9")));
        Assert.Equal(TimeSpan.FromSeconds(9), gate.WaitFor("k"));
        Assert.Equal(1, gate.KeysHeld);
    }

    // ---- cancels

    [Fact]
    public async Task A_cancel_without_alpacas_order_id_finds_it_by_client_order_id_first()
    {
        await using var fake = await AlpacaTestKit.StartAsync();
        var client = AlpacaTestKit.Client(fake.BaseUrl);
        var intent = Limit(150m);
        await client.PlaceOrderAsync(Account, intent, Soon);

        var cancelled = await client.CancelOrderAsync(Account, OrderLookup.Of(intent), Soon);

        Assert.Equal(BrokerOrderStatus.Cancelled, cancelled!.Status);
        Assert.Equal(intent.ClientOrderId, cancelled.ClientOrderId);
        Assert.Equal(FakeOrderState.Cancelled, Assert.Single(fake.Exchange.Orders(AlpacaTestKit.AccountNumber)).State);
    }

    [Fact]
    public async Task A_cancel_of_an_order_that_already_ended_answers_its_state_without_a_cancel()
    {
        await using var fake = await AlpacaTestKit.StartAsync();
        var client = AlpacaTestKit.Client(fake.BaseUrl);
        var intent = Market();
        await client.PlaceOrderAsync(Account, intent, Soon);
        var before = fake.Requests;

        var state = await client.CancelOrderAsync(Account, OrderLookup.Of(intent), Soon);

        Assert.Equal(BrokerOrderStatus.Filled, state!.Status);
        Assert.Equal(1m, state.Fill!.Quantity);
        Assert.Equal(before + 1, fake.Requests); // the lookup only
    }

    [Fact]
    public async Task A_cancel_that_came_too_late_answers_the_fill()
    {
        await using var fake = await AlpacaTestKit.StartAsync();
        var client = AlpacaTestKit.Client(fake.BaseUrl);
        var intent = Market();
        var placed = await client.PlaceOrderAsync(Account, intent, Soon);

        var state = await client.CancelOrderAsync(Account, OrderLookup.Of(intent) with { VenueOrderId = placed.VenueOrderId }, Soon);

        Assert.Equal(BrokerOrderStatus.Filled, state!.Status);
        Assert.Equal(190m, state.Fill!.Price);
    }

    [Fact]
    public async Task A_cancelled_partial_fill_keeps_the_part_that_filled()
    {
        await using var fake = await AlpacaTestKit.StartAsync();
        var client = AlpacaTestKit.Client(fake.BaseUrl);
        var intent = Limit(180m, qty: 5m);
        var placed = await client.PlaceOrderAsync(Account, intent, Soon);
        fake.Exchange.SetPrice("AAPL", 180m, liquidity: 2m);

        var state = await client.CancelOrderAsync(Account, OrderLookup.Of(intent) with { VenueOrderId = placed.VenueOrderId }, Soon);

        Assert.Equal(BrokerOrderStatus.Cancelled, state!.Status);
        Assert.Equal(2m, state.Fill!.Quantity);
        Assert.Equal(180m, state.Fill.Price);
        Assert.Equal(5m, state.Quantity);
    }

    [Fact]
    public async Task A_cancel_of_an_order_the_venue_never_had_is_null_by_id_and_by_client_order_id()
    {
        await using var fake = await AlpacaTestKit.StartAsync();
        var client = AlpacaTestKit.Client(fake.BaseUrl);

        Assert.Null(await client.CancelOrderAsync(Account, OrderLookup.Of(Market()) with { VenueOrderId = "404" }, Soon));
        Assert.Null(await client.CancelOrderAsync(Account, OrderLookup.Of(Market()), Soon));
    }

    [Fact]
    public async Task A_cancel_with_refused_credentials_was_not_taken()
    {
        await using var fake = await AlpacaTestKit.StartAsync();
        var client = AlpacaTestKit.Client(fake.BaseUrl);
        var intent = Limit(150m);
        var placed = await client.PlaceOrderAsync(Account, intent, Soon);

        await Assert.ThrowsAsync<OrderNotPlacedException>(() =>
            client.CancelOrderAsync(AlpacaTestKit.Account(AlpacaTestKit.Key, "wrong"), OrderLookup.Of(intent) with { VenueOrderId = placed.VenueOrderId }, Soon));

        Assert.True(Assert.Single(fake.Exchange.Orders(AlpacaTestKit.AccountNumber)).IsOpen);
    }

    [Fact]
    public async Task A_cancel_whose_order_cannot_be_read_back_fails_the_read()
    {
        var stub = new StubHandler(r => r.Method == HttpMethod.Delete ? StubHandler.Response(204, "") : StubHandler.Response(403, """{"message":"forbidden."}"""));
        var client = AlpacaTestKit.Client(new Uri("http://alpaca.test/"), http: new HttpClient(stub));

        var e = await Assert.ThrowsAsync<HttpRequestException>(() => client.CancelOrderAsync(Account, OrderLookup.Of(Market()) with { VenueOrderId = "7" }, Soon));

        Assert.Equal(HttpStatusCode.Forbidden, e.StatusCode);
        Assert.Equal([HttpMethod.Delete, HttpMethod.Get], stub.Requests.Select(r => r.Method));
        Assert.Equal("/v2/orders/7", stub.Requests[1].Uri.AbsolutePath);
    }

    // ---- reads

    [Fact]
    public async Task A_read_refused_by_the_venue_is_not_repeated_and_never_says_not_placed()
    {
        var stub = StubHandler.Json(401, """{"message":"unauthorized."}""");
        var client = AlpacaTestKit.Client(new Uri("http://alpaca.test/"), http: new HttpClient(stub));

        var e = await Assert.ThrowsAsync<HttpRequestException>(() => client.FindOrderAsync(Account, OrderLookup.Of(Market()), Soon));

        Assert.Equal(HttpStatusCode.Unauthorized, e.StatusCode);
        Assert.Single(stub.Requests);
    }

    [Fact]
    public async Task A_read_the_venue_failed_is_repeated()
    {
        var calls = 0;
        var stub = new StubHandler(_ => ++calls < 3
            ? StubHandler.Response(503, "")
            : StubHandler.Response(200, """{"id":"x","class":"us_equity","symbol":"AAPL","status":"active","tradable":true}"""));
        var client = AlpacaTestKit.Client(new Uri("http://alpaca.test/"), http: new HttpClient(stub));

        var rules = await client.GetInstrumentAsync(Account, "AAPL", Soon);

        Assert.Equal("AAPL", rules!.Symbol);
        Assert.Equal(3, stub.Requests.Count);
    }

    [Fact]
    public async Task A_not_found_that_is_not_alpacas_is_a_failed_lookup_not_an_absent_order()
    {
        var stub = StubHandler.Json(404, "<html>404 Not Found</html>");
        var client = AlpacaTestKit.Client(new Uri("http://alpaca.test/"), http: new HttpClient(stub));

        var e = await Assert.ThrowsAsync<HttpRequestException>(() => client.FindOrderAsync(Account, OrderLookup.Of(Market()), Soon));
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetInstrumentAsync(Account, "AAPL", Soon));
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAccountAsync(Account, Soon));

        Assert.Equal(HttpStatusCode.NotFound, e.StatusCode);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"id":"1","symbol":"AAPL","side":"buy","status":"teleported","qty":"1","filled_qty":"0"}""")]
    [InlineData("""{"id":"1","symbol":"AAPL","side":"buy","status":"filled","qty":"1","filled_qty":"1","filled_avg_price":null}""")]
    public async Task A_placement_answer_that_does_not_parse_is_unknown(string body)
    {
        var client = AlpacaTestKit.Client(new Uri("http://alpaca.test/"), http: new HttpClient(StubHandler.Json(200, body)));

        var e = await Assert.ThrowsAsync<VenueOutcomeUnknownException>(() => client.PlaceOrderAsync(Account, Market(), Soon));

        Assert.Contains("alpaca POST /v2/orders: the answer did not parse", e.Message);
    }

    [Fact]
    public async Task A_limit_order_without_a_limit_price_is_not_placed_and_not_sent()
    {
        var stub = StubHandler.Json(200, "{}");
        var client = AlpacaTestKit.Client(new Uri("http://alpaca.test/"), http: new HttpClient(stub));

        var e = await Assert.ThrowsAsync<OrderNotPlacedException>(() => client.PlaceOrderAsync(Account, Market() with { Type = OrderType.Limit }, Soon));

        Assert.StartsWith("alpaca: a limit order needs a limit price", e.Message);
        Assert.Empty(stub.Requests);
    }

    [Fact]
    public async Task The_check_fails_for_an_account_alpaca_has_blocked_and_throws_when_the_venue_fails()
    {
        var blocked = AlpacaTestKit.Client(new Uri("http://alpaca.test/"), http: new HttpClient(StubHandler.Json(200,
            """{"id":"a","status":"ACTIVE","currency":"USD","cash":"1","equity":"1","trading_blocked":true}""")));
        var failing = AlpacaTestKit.Client(new Uri("http://alpaca.test/"), http: new HttpClient(StubHandler.Json(500, "")));
        var odd = AlpacaTestKit.Client(new Uri("http://alpaca.test/"), http: new HttpClient(StubHandler.Json(404, """{"code":40410000,"message":"account not found"}""")));

        Assert.Equal(ConnectivityCheck.Refused("alpaca account has trading blocked"), await blocked.CheckConnectivityAsync(Account, Soon));
        await Assert.ThrowsAsync<VenueOutcomeUnknownException>(() => failing.CheckConnectivityAsync(Account, Soon));
        var e = await Assert.ThrowsAsync<HttpRequestException>(() => odd.CheckConnectivityAsync(Account, Soon));
        Assert.Equal(HttpStatusCode.NotFound, e.StatusCode);
    }

    [Fact]
    public async Task An_asset_listed_but_not_tradable_has_no_rules()
    {
        var client = AlpacaTestKit.Client(new Uri("http://alpaca.test/"), http: new HttpClient(StubHandler.Json(200,
            """{"id":"x","class":"us_equity","symbol":"OLD","status":"inactive","tradable":false}""")));

        Assert.Null(await client.GetInstrumentAsync(Account, "OLD", Soon));
    }

    [Fact]
    public async Task A_crypto_pair_is_asked_for_url_encoded_and_read_with_its_increments()
    {
        var stub = StubHandler.Json(200, """{"id":"x","class":"crypto","symbol":"BTC/USD","status":"active","tradable":true,"min_order_size":"0.0001","min_trade_increment":"0.0001","price_increment":"1"}""");
        var client = AlpacaTestKit.Client(new Uri("http://alpaca.test/"), http: new HttpClient(stub));

        var rules = await client.GetInstrumentAsync(Account, "BTC/USD", Soon);

        Assert.Equal(new Domain.Market.Instrument("BTC/USD", 0.0001m, 1m, 0.0001m), rules);
        Assert.Equal("http://alpaca.test/v2/assets/BTC%2FUSD", Assert.Single(stub.Requests).Uri.AbsoluteUri);
    }

    [Fact]
    public async Task The_account_asks_for_every_open_order_alpaca_returns_at_once()
    {
        var stub = new StubHandler(r => StubHandler.Response(200, r.RequestUri!.AbsolutePath == "/v2/account"
            ? """{"id":"a","status":"ACTIVE","currency":"USD","cash":"10","equity":"12"}""" : "[]"));
        var client = AlpacaTestKit.Client(new Uri("http://alpaca.test/"), http: new HttpClient(stub));

        var state = await client.GetAccountAsync(Account, Soon);

        Assert.Equal(("USD", 10m, 12m), (state.Currency, state.Cash, state.Equity));
        Assert.Empty(state.Positions);
        Assert.Empty(state.OpenOrders);
        Assert.Equal(["/v2/account", "/v2/positions", "/v2/orders?status=open&limit=500"], stub.Requests.Select(r => r.Uri.PathAndQuery));
    }

    [Fact]
    public async Task An_account_answer_that_does_not_parse_is_unknown()
    {
        var stub = new StubHandler(r => StubHandler.Response(200, r.RequestUri!.AbsolutePath == "/v2/account"
            ? """{"id":"a","status":"ACTIVE","currency":"USD","cash":"lots","equity":"1"}""" : "[]"));
        var client = AlpacaTestKit.Client(new Uri("http://alpaca.test/"), http: new HttpClient(stub));

        var e = await Assert.ThrowsAsync<VenueOutcomeUnknownException>(() => client.GetAccountAsync(Account, Soon));

        Assert.Contains("'cash'", e.Message);
        Assert.StartsWith("alpaca account, positions and open orders: the answer did not parse", e.Message);
    }

    [Fact]
    public async Task A_short_position_is_negative_in_the_account()
    {
        await using var fake = await AlpacaTestKit.StartAsync();
        var client = AlpacaTestKit.Client(fake.BaseUrl);
        await client.PlaceOrderAsync(Account, Market(3m) with { Side = OrderSide.Sell }, Soon);

        var state = await client.GetAccountAsync(Account, Soon);

        Assert.Equal(new VenuePosition("AAPL", -3m, 190m), Assert.Single(state.Positions));
        Assert.Equal(100_570m, state.Cash);
        Assert.Equal(100_000m, state.Equity);
        Assert.Empty(state.OpenOrders);
    }

    [Fact]
    public async Task The_connector_says_who_it_is()
    {
        var client = AlpacaTestKit.Client(new Uri("http://alpaca.test/"));

        Assert.Equal("alpaca", client.Venue);
        Assert.True(client.DeduplicatesClientOrderIds);
    }

    [Fact]
    public async Task Missing_arguments_are_refused_by_name_before_anything_is_sent()
    {
        var stub = StubHandler.Json(200, "{}");
        var client = AlpacaTestKit.Client(new Uri("http://alpaca.test/"), http: new HttpClient(stub));
        var lookup = OrderLookup.Of(Market());

        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => new AlpacaBrokerClient(null!, new HttpClient())).ParamName);
        Assert.Equal("http", Assert.Throws<ArgumentNullException>(() => new AlpacaBrokerClient(new AlpacaOptions(), null!)).ParamName);
        Assert.Equal("account", (await Assert.ThrowsAsync<ArgumentNullException>(() => client.PlaceOrderAsync(null!, Market(), Soon))).ParamName);
        Assert.Equal("intent", (await Assert.ThrowsAsync<ArgumentNullException>(() => client.PlaceOrderAsync(Account, null!, Soon))).ParamName);
        Assert.Equal("account", (await Assert.ThrowsAsync<ArgumentNullException>(() => client.FindOrderAsync(null!, lookup, Soon))).ParamName);
        Assert.Equal("lookup", (await Assert.ThrowsAsync<ArgumentNullException>(() => client.FindOrderAsync(Account, null!, Soon))).ParamName);
        Assert.Equal("account", (await Assert.ThrowsAsync<ArgumentNullException>(() => client.CancelOrderAsync(null!, lookup, Soon))).ParamName);
        Assert.Equal("lookup", (await Assert.ThrowsAsync<ArgumentNullException>(() => client.CancelOrderAsync(Account, null!, Soon))).ParamName);
        Assert.Equal("account", (await Assert.ThrowsAsync<ArgumentNullException>(() => client.GetAccountAsync(null!, Soon))).ParamName);
        Assert.Equal("account", (await Assert.ThrowsAsync<ArgumentNullException>(() => client.GetInstrumentAsync(null!, "AAPL", Soon))).ParamName);
        Assert.Equal("symbol", (await Assert.ThrowsAsync<ArgumentException>(() => client.GetInstrumentAsync(Account, " ", Soon))).ParamName);
        Assert.Equal("account", (await Assert.ThrowsAsync<ArgumentNullException>(() => client.CheckConnectivityAsync(null!, Soon))).ParamName);
        Assert.Equal("response", Assert.Throws<ArgumentNullException>(() => client.RateGate.Observe("k", null!)).ParamName);
        Assert.Empty(stub.Requests);
    }

    [Fact]
    public void The_pure_parts_refuse_missing_arguments_by_name()
    {
        var now = DateTimeOffset.UnixEpoch;
        static string? Name(Action a) => Assert.Throws<ArgumentNullException>(a).ParamName;

        Assert.Equal("account", Name(() => new AlpacaOptions().BaseUrlFor(null!)));
        Assert.Equal("account", Name(() => AlpacaAuth.MissingCredentials(null!)));
        Assert.Equal("request", Name(() => AlpacaAuth.Apply(null!, Account)));
        Assert.Equal("intent", Name(() => AlpacaWire.OrderRequest(null!)));
        Assert.Equal("order", Name(() => AlpacaWire.ToResult(null!, "c", now)));
        Assert.Equal("position", Name(() => AlpacaWire.SignedQuantity(null!)));
        Assert.Equal("account", Name(() => AlpacaWire.ToAccountState(null!, [], [], now)));
        Assert.Equal("positions", Name(() => AlpacaWire.ToAccountState(new AlpacaAccount(), null!, [], now)));
        Assert.Equal("openOrders", Name(() => AlpacaWire.ToAccountState(new AlpacaAccount(), [], null!, now)));
        Assert.Equal("asset", Name(() => AlpacaInstruments.ToInstrument(null!)));
        Assert.Equal("response", Name(() => AlpacaErrors.PlacementRefusal(null!, "c", now)));
        Assert.Equal("response", Name(() => AlpacaErrors.CancelAnswer(null!, now)));
        Assert.Equal("response", Name(() => AlpacaErrors.ThrowIfRetryable(null!, now)));
        Assert.Equal("response", Name(() => AlpacaErrors.ReadFailure(null!)));
        Assert.Equal("response", Name(() => AlpacaErrors.IsNotFound(null!)));
        Assert.Equal("response", Name(() => AlpacaErrors.IsAuthRefusal(null!)));
        Assert.Equal("account", Name(() => AlpacaErrors.AccountRefusal(null!)));
        Assert.Equal("response", Name(() => AlpacaErrors.RetryAfter(null!, now)));
        Assert.Equal("response", Name(() => AlpacaErrors.ResetAt(null!)));
        Assert.Equal("response", Name(() => AlpacaErrors.Remaining(null!)));
    }
}
