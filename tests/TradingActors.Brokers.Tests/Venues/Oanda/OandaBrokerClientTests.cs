using TradingActors.Brokers.Fakes;
using TradingActors.Brokers.Http;
using TradingActors.Brokers.Oanda;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Tests.Venues.Oanda;

/// <summary>
/// What only the OANDA connector does: it looks every client id up before placing (OANDA takes a filled order's id
/// again), reads orders through their fills and reissues, and keeps the token out of every message.
/// </summary>
public sealed class OandaBrokerClientTests : IAsyncLifetime
{
    private OandaFake _fake = null!;
    private OandaBrokerClient _client = null!;
    private readonly BrokerAccount _account = OandaKit.Account();

    public async Task InitializeAsync()
    {
        _fake = await OandaKit.StartAsync();
        _client = OandaKit.Client(_fake.BaseUrl);
    }

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    private static CancellationToken Soon => OandaKit.Soon;

    [Fact]
    public void It_is_oanda_and_deduplicates_client_order_ids()
    {
        Assert.Equal("oanda", _client.Venue);
        Assert.True(_client.DeduplicatesClientOrderIds);
    }

    // ---- the order request

    [Fact]
    public void A_market_order_is_sent_fill_or_kill_with_our_client_id()
    {
        var intent = OandaKit.Market(OrderSide.Sell, 2500m);

        var request = OandaBrokerClient.Request(intent);

        Assert.Equal(new OandaOrderRequest
        {
            Type = "MARKET", Instrument = "EUR_USD", Units = "-2500", TimeInForce = "FOK", PositionFill = "DEFAULT",
            ClientExtensions = new OandaClientExtensions(intent.ClientOrderId),
        }, request);
        Assert.Equal(
            """{"order":{"type":"MARKET","instrument":"EUR_USD","units":"-2500","timeInForce":"FOK","positionFill":"DEFAULT","clientExtensions":{"id":""" + "\"" + intent.ClientOrderId + "\"}}}",
            OandaWire.Write(new OandaOrderBody(request)));
    }

    [Fact]
    public void A_limit_order_is_sent_good_till_cancelled_at_its_price()
    {
        var request = OandaBrokerClient.Request(OandaKit.Limit(1.08500m));

        Assert.Equal("LIMIT", request.Type);
        Assert.Equal("1.085", request.Price);
        Assert.Equal("GTC", request.TimeInForce);
        Assert.Equal("1000", request.Units);
    }

    [Fact]
    public async Task A_limit_order_without_a_price_is_not_placed()
    {
        var intent = OandaKit.Market() with { Type = OrderType.Limit };

        Assert.Equal("oanda: a limit order needs a limit price", Assert.Throws<OrderNotPlacedException>(() => OandaBrokerClient.Request(intent)).Message);
        await Assert.ThrowsAsync<OrderNotPlacedException>(() => _client.PlaceOrderAsync(_account, intent, Soon));
        Assert.Equal(0, _fake.Requests);
    }

    // ---- the look-up before placing

    [Fact]
    public async Task Every_placement_looks_its_client_id_up_first()
    {
        await _client.PlaceOrderAsync(_account, OandaKit.Market(), Soon);

        Assert.Equal(2, _fake.Requests); // GET .../orders/@id, then POST .../orders
    }

    [Fact]
    public async Task Placing_a_filled_market_order_again_answers_the_fill_and_makes_no_second_order()
    {
        var intent = OandaKit.Market();
        var first = await _client.PlaceOrderAsync(_account, intent, Soon);

        var again = await _client.PlaceOrderAsync(_account, intent, Soon);

        Assert.Equal(BrokerOrderStatus.Filled, again.Status);
        Assert.Equal(first.VenueOrderId, again.VenueOrderId);
        Assert.Equal(first.Fill!.Quantity, again.Fill!.Quantity);
        Assert.Equal(first.Fill.Price, again.Fill.Price);
        Assert.Equal(first.Fill.Fee, again.Fill.Fee);
        Assert.Equal(intent.ClientOrderId, again.ClientOrderId);
        Assert.Single(_fake.Exchange.Orders(OandaKit.AccountId));
        Assert.Equal(1000m, _fake.Exchange.Holdings(OandaKit.AccountId).Positions["EUR_USD"].Quantity);
    }

    [Fact]
    public async Task Placing_a_cancelled_order_again_answers_it_cancelled_and_places_nothing()
    {
        var intent = OandaKit.Limit(1.05m);
        await _client.PlaceOrderAsync(_account, intent, Soon);
        await _client.CancelOrderAsync(_account, OrderLookup.Of(intent), Soon);

        var again = await _client.PlaceOrderAsync(_account, intent, Soon);

        Assert.Equal(BrokerOrderStatus.Cancelled, again.Status);
        Assert.Single(_fake.Exchange.Orders(OandaKit.AccountId));
    }

    [Fact]
    public async Task A_look_up_that_failed_once_is_retried_and_the_order_placed_once()
    {
        _fake.Faults.Set(FakeFaultKind.Fail, pathContains: "/orders/@", times: 1);

        var placed = await _client.PlaceOrderAsync(_account, OandaKit.Market(), Soon);

        Assert.Equal(BrokerOrderStatus.Filled, placed.Status);
        Assert.Single(_fake.Exchange.Orders(OandaKit.AccountId));
    }

    [Fact]
    public async Task A_look_up_whose_answer_was_lost_is_retried_as_it_placed_nothing()
    {
        _fake.Faults.Set(FakeFaultKind.DropAfterAccept, pathContains: "/orders/@", times: 1);

        var placed = await _client.PlaceOrderAsync(_account, OandaKit.Market(), Soon);

        Assert.Equal(BrokerOrderStatus.Filled, placed.Status);
        Assert.Single(_fake.Exchange.Orders(OandaKit.AccountId));
    }

    [Fact]
    public async Task Without_retries_a_failed_look_up_is_the_answer()
    {
        var client = OandaKit.Client(_fake.BaseUrl, retry: VenueRetry.None);
        _fake.Faults.Set(FakeFaultKind.Fail, pathContains: "/orders/@", times: 1);

        await Assert.ThrowsAsync<OrderNotPlacedException>(() => client.PlaceOrderAsync(_account, OandaKit.Market(), Soon));

        Assert.Empty(_fake.Exchange.Orders(OandaKit.AccountId));
    }

    [Fact]
    public async Task A_look_up_that_keeps_failing_places_nothing_and_says_so()
    {
        _fake.Faults.Set(FakeFaultKind.Fail, pathContains: "/orders/@");

        var e = await Assert.ThrowsAsync<OrderNotPlacedException>(() => _client.PlaceOrderAsync(_account, OandaKit.Market(), Soon));

        Assert.Contains("nothing was placed", e.Message);
        Assert.True(e.Data.Contains(VenueRefusal.Transient));
        Assert.Empty(_fake.Exchange.Orders(OandaKit.AccountId));
    }

    [Fact]
    public async Task An_order_found_before_placing_whose_fills_cannot_be_read_is_unknown_not_refused()
    {
        var intent = OandaKit.Market();
        await _client.PlaceOrderAsync(_account, intent, Soon);
        _fake.Faults.Set(FakeFaultKind.Fail, pathContains: "/transactions/");

        var e = await Assert.ThrowsAsync<VenueOutcomeUnknownException>(() => _client.PlaceOrderAsync(_account, intent, Soon));

        Assert.Contains(intent.ClientOrderId, e.Message);
        Assert.Single(_fake.Exchange.Orders(OandaKit.AccountId));
    }

    [Fact]
    public async Task A_rate_limited_placement_is_retried_and_placed_once()
    {
        await using var fake = await OandaKit.StartAsync(new OandaFakeOptions { RequestsPerWindow = 2, RateWindow = TimeSpan.FromMilliseconds(200) });
        var retry = new VenueRetry(new VenueRetryOptions { MaxAttempts = 6, FirstDelay = TimeSpan.FromMilliseconds(150), MaxDelay = TimeSpan.FromMilliseconds(300) }, TimeProvider.System);
        var client = OandaKit.Client(fake.BaseUrl, retry: retry);
        await client.CheckConnectivityAsync(_account, Soon); // the placement's look-up takes the window's last request: its POST meets the limit

        var placed = await client.PlaceOrderAsync(_account, OandaKit.Market(), Soon);

        Assert.Equal(BrokerOrderStatus.Filled, placed.Status);
        Assert.Single(fake.Exchange.Orders(OandaKit.AccountId));
        Assert.True(fake.RefusedForRate > 0);
    }

    [Fact]
    public async Task A_placement_that_stays_rate_limited_is_not_placed()
    {
        await using var fake = await OandaKit.StartAsync(new OandaFakeOptions { RequestsPerWindow = 1, RateWindow = TimeSpan.FromMinutes(1) });
        var client = OandaKit.Client(fake.BaseUrl);
        await client.CheckConnectivityAsync(_account, Soon);

        var e = await Assert.ThrowsAsync<OrderNotPlacedException>(() => client.PlaceOrderAsync(_account, OandaKit.Market(), Soon));

        Assert.True(e.Data.Contains(VenueRefusal.Transient));
        Assert.Empty(fake.Exchange.Orders(OandaKit.AccountId));
    }

    [Fact]
    public async Task A_market_order_the_venue_cannot_fill_is_cancelled_with_its_reason()
    {
        _fake.Exchange.SetPrice("EUR_USD", 0m);

        var placed = await _client.PlaceOrderAsync(_account, OandaKit.Market(), Soon);

        Assert.Equal(BrokerOrderStatus.Cancelled, placed.Status);
        Assert.Equal("MARKET_HALTED", placed.RejectReason);
        Assert.Null(placed.Fill);
    }

    [Fact]
    public async Task An_order_too_precise_for_the_instrument_is_rejected_with_the_venues_reason()
    {
        var placed = await _client.PlaceOrderAsync(_account, OandaKit.Limit(1.0500001m), Soon);

        Assert.Equal(BrokerOrderStatus.Rejected, placed.Status);
        Assert.StartsWith("PRICE_PRECISION_EXCEEDED", placed.RejectReason);
    }

    // ---- reading orders

    [Fact]
    public async Task A_reissued_order_keeps_its_first_id_and_whole_quantity_with_all_its_fills()
    {
        var intent = OandaKit.Limit(1.05m, OrderSide.Buy, 3000m);
        var placed = await _client.PlaceOrderAsync(_account, intent, Soon);
        _fake.Exchange.SetPrice("EUR_USD", 1.05m, liquidity: 1000m);
        await _client.FindOrderAsync(_account, OrderLookup.Of(intent), Soon); // the first reissue
        _fake.Exchange.SetPrice("EUR_USD", 1.04m, liquidity: 1000m);

        var found = (await _client.FindOrderAsync(_account, OrderLookup.Of(intent), Soon))!;

        Assert.Equal(BrokerOrderStatus.PartiallyFilled, found.Status);
        Assert.Equal(placed.VenueOrderId, found.VenueOrderId);
        Assert.Equal(3000m, found.Quantity);
        Assert.Equal(2000m, found.Fill!.Quantity);
        Assert.Equal(1.05m, found.Fill.Price);
        Assert.Equal(1.05m, found.LimitPrice);
        var state = await _client.GetAccountAsync(_account, Soon);
        var open = Assert.Single(state.OpenOrders);
        Assert.Equal(placed.VenueOrderId, open.VenueOrderId);
        Assert.Equal(BrokerOrderStatus.PartiallyFilled, open.Status);
        Assert.Equal(intent.ClientOrderId, open.ClientOrderId);
    }

    [Fact]
    public async Task A_chain_longer_than_allowed_fails_the_read_instead_of_following_it()
    {
        var client = OandaKit.Client(_fake.BaseUrl, OandaKit.Options(_fake.BaseUrl) with { MaxOrderChain = 2 }, VenueRetry.None);
        var intent = OandaKit.Limit(1.05m, OrderSide.Buy, 3000m);
        await client.PlaceOrderAsync(_account, intent, Soon);
        using var http = OandaKit.Http(_fake.BaseUrl);
        for (var i = 0; i < 2; i++)
        {
            _fake.Exchange.SetPrice("EUR_USD", 1.05m - i * 0.001m, liquidity: 1000m);
            (await http.GetAsync(OandaKit.Path("pendingOrders"))).Dispose(); // the fake shows each partial fill as its own reissue
        }

        var e = await Assert.ThrowsAsync<VenueOutcomeUnknownException>(() => client.FindOrderAsync(_account, OrderLookup.Of(intent), Soon));

        Assert.Contains("more than 2 reissues", e.Message);
    }

    [Fact]
    public async Task An_order_is_found_by_its_venue_id_when_there_is_no_client_id()
    {
        var intent = OandaKit.Market();
        var placed = await _client.PlaceOrderAsync(_account, intent, Soon);

        var found = await _client.FindOrderAsync(_account, new OrderLookup("", "EUR_USD", OrderSide.Buy, 1000m) { VenueOrderId = placed.VenueOrderId }, Soon);

        Assert.Equal(placed.VenueOrderId, found!.VenueOrderId);
        Assert.Equal(intent.ClientOrderId, found.ClientOrderId);
        Assert.Equal(BrokerOrderStatus.Filled, found.Status);
    }

    [Fact]
    public async Task The_client_order_id_is_looked_up_before_the_venue_id()
    {
        var a = OandaKit.Limit(1.05m);
        var b = OandaKit.Limit(1.04m);
        await _client.PlaceOrderAsync(_account, a, Soon);
        var placedB = await _client.PlaceOrderAsync(_account, b, Soon);

        var found = await _client.FindOrderAsync(_account, OrderLookup.Of(a) with { VenueOrderId = placedB.VenueOrderId }, Soon);

        Assert.Equal(1.05m, found!.LimitPrice);
        Assert.Equal(a.ClientOrderId, found.ClientOrderId);
    }

    [Fact]
    public async Task An_order_placed_without_a_client_id_is_found_by_id_and_listed_with_none()
    {
        using var http = OandaKit.Http(_fake.BaseUrl);
        var placed = (await OandaKit.ReadAsync(await OandaKit.PostOrderAsync(http, """{"type":"LIMIT","instrument":"EUR_USD","units":"10","price":"1.05"}"""))).Body;
        var id = placed.OrderCreateTransaction!.Id;

        var found = await _client.FindOrderAsync(_account, new OrderLookup("", "EUR_USD", OrderSide.Buy, 10m) { VenueOrderId = id }, Soon);
        var open = Assert.Single((await _client.GetAccountAsync(_account, Soon)).OpenOrders);

        Assert.Equal("", found!.ClientOrderId);
        Assert.Equal(id, found.VenueOrderId);
        Assert.Equal("", open.ClientOrderId);
        Assert.Equal(id, open.VenueOrderId);
    }

    [Fact]
    public async Task A_reissue_chain_with_a_missing_link_is_not_taken_for_the_order()
    {
        var (client, sent) = OandaKit.Stubbed(r => r.RequestUri!.AbsolutePath.EndsWith("/orders/@c1", StringComparison.Ordinal)
            ? (200, """{"order":{"id":"9","state":"PENDING","type":"LIMIT","instrument":"EUR_USD","units":"10","price":"1.1","replacesOrderID":"5","clientExtensions":{"id":"c1"}}}""")
            : (404, """{"errorCode":"ORDER_DOESNT_EXIST","errorMessage":"The Order specified does not exist"}"""));

        var e = await Assert.ThrowsAsync<VenueOutcomeUnknownException>(() =>
            client.FindOrderAsync(OandaKit.Account(), new OrderLookup("c1", "EUR_USD", OrderSide.Buy, 10m), Soon));

        Assert.Equal("oanda: order 5 of a reissued order does not exist", e.Message);
        Assert.Equal(["GET /v3/accounts/101-004-1234567-001/orders/@c1", "GET /v3/accounts/101-004-1234567-001/orders/5"], sent);
    }

    [Fact]
    public async Task The_result_carries_the_client_order_id_asked_for()
    {
        var (client, _) = OandaKit.Stubbed(_ => (200, """{"order":{"id":"9","state":"PENDING","type":"LIMIT","instrument":"EUR_USD","units":"10","price":"1.1","clientExtensions":{"id":"theirs"}}}"""));

        var found = await client.FindOrderAsync(OandaKit.Account(), new OrderLookup("ours", "EUR_USD", OrderSide.Buy, 10m), Soon);

        Assert.Equal("ours", found!.ClientOrderId);
    }

    [Fact]
    public async Task An_order_the_venue_never_had_is_not_found()
    {
        Assert.Null(await _client.FindOrderAsync(_account, OrderLookup.Of(OandaKit.Market()), Soon));
    }

    // ---- cancelling

    [Fact]
    public async Task Cancelling_an_order_that_filled_first_answers_it_filled()
    {
        var intent = OandaKit.Limit(1.05m);
        await _client.PlaceOrderAsync(_account, intent, Soon);
        _fake.Exchange.SetPrice("EUR_USD", 1.05m);

        var result = await _client.CancelOrderAsync(_account, OrderLookup.Of(intent), Soon);

        Assert.Equal(BrokerOrderStatus.Filled, result!.Status);
        Assert.Equal(1000m, result.Fill!.Quantity);
    }

    [Fact]
    public async Task Cancelling_a_part_filled_order_keeps_the_part()
    {
        var intent = OandaKit.Limit(1.05m, OrderSide.Buy, 2000m);
        await _client.PlaceOrderAsync(_account, intent, Soon);
        _fake.Exchange.SetPrice("EUR_USD", 1.05m, liquidity: 500m);

        var result = await _client.CancelOrderAsync(_account, OrderLookup.Of(intent), Soon);

        Assert.Equal(BrokerOrderStatus.Cancelled, result!.Status);
        Assert.Equal(500m, result.Fill!.Quantity);
        Assert.Equal(2000m, result.Quantity);
    }

    [Fact]
    public async Task Cancelling_an_order_the_venue_never_had_is_nothing()
    {
        Assert.Null(await _client.CancelOrderAsync(_account, OrderLookup.Of(OandaKit.Market()), Soon));
    }

    [Fact]
    public async Task A_cancel_whose_aftermath_cannot_be_read_is_unknown()
    {
        var intent = OandaKit.Limit(1.05m, OrderSide.Buy, 2000m);
        await _client.PlaceOrderAsync(_account, intent, Soon);
        _fake.Exchange.SetPrice("EUR_USD", 1.05m, liquidity: 500m);
        _fake.Faults.Set(FakeFaultKind.Fail, pathContains: "/transactions/");

        var e = await Assert.ThrowsAsync<VenueOutcomeUnknownException>(() => _client.CancelOrderAsync(_account, OrderLookup.Of(intent), Soon));

        Assert.Contains("after the cancel", e.Message);
        Assert.Equal(FakeOrderState.Cancelled, Assert.Single(_fake.Exchange.Orders(OandaKit.AccountId)).State);
    }

    [Fact]
    public async Task A_cancel_the_venue_failed_is_unknown()
    {
        var intent = OandaKit.Limit(1.05m);
        await _client.PlaceOrderAsync(_account, intent, Soon);
        _fake.Faults.Set(FakeFaultKind.Fail, pathContains: "/cancel");

        await Assert.ThrowsAsync<VenueOutcomeUnknownException>(() => _client.CancelOrderAsync(_account, OrderLookup.Of(intent), Soon));
    }

    [Fact]
    public async Task A_request_past_the_http_timeout_is_unknown()
    {
        var client = OandaKit.Client(_fake.BaseUrl, OandaKit.Options(_fake.BaseUrl) with { HttpTimeout = TimeSpan.FromMilliseconds(200) });
        var intent = OandaKit.Limit(1.05m);
        await client.PlaceOrderAsync(_account, intent, Soon);
        _fake.Faults.Set(FakeFaultKind.Hang, pathContains: "/cancel");

        var e = await Assert.ThrowsAsync<VenueOutcomeUnknownException>(() => client.CancelOrderAsync(_account, OrderLookup.Of(intent), Soon));

        Assert.Contains("no answer within 0.2 s", e.Message);
    }

    // ---- account, rules, check

    [Fact]
    public async Task The_account_shows_a_short_position_negative_and_equity_from_nav()
    {
        await _client.PlaceOrderAsync(_account, OandaKit.Market(OrderSide.Sell, 10m, "USD_JPY"), Soon);

        var state = await _client.GetAccountAsync(_account, Soon);

        Assert.Equal("USD", state.Currency);
        Assert.Equal(new VenuePosition("USD_JPY", -10m, 151.25m), Assert.Single(state.Positions));
        Assert.Equal(_fake.Exchange.Holdings(OandaKit.AccountId).Cash - 1512.5m, state.Equity);
        Assert.Empty(state.OpenOrders);
    }

    [Fact]
    public async Task Instrument_rules_come_from_the_venue_and_an_unlisted_name_is_none()
    {
        var jpy = await _client.GetInstrumentAsync(_account, "USD_JPY", Soon);

        Assert.Equal(new TradingActors.Domain.Market.Instrument("USD_JPY", 1m, 0.001m, 1m), jpy);
        Assert.Null(await _client.GetInstrumentAsync(_account, "EUR_GBP", Soon));
        Assert.Null(await _client.GetInstrumentAsync(_account, "nosuch", Soon));
    }

    [Fact]
    public async Task The_check_is_refused_for_an_account_the_token_does_not_own()
    {
        _fake.SeedAccount("101-004-7654321-001", "other-token", "unused");

        var check = await _client.CheckConnectivityAsync(new BrokerAccount("b", "101-004-7654321-001", OandaKit.Token), Soon);

        Assert.False(check.Passed);
        Assert.Contains("may not use this account", check.Reason);
    }

    [Fact]
    public async Task The_check_is_refused_without_a_token_and_asks_nothing()
    {
        var check = await _client.CheckConnectivityAsync(OandaKit.Account(token: null), Soon);

        Assert.False(check.Passed);
        Assert.Equal("oanda: no API token is configured for the account", check.Reason);
        Assert.Equal(0, _fake.Requests);
    }

    [Fact]
    public async Task Every_call_without_a_token_is_refused_before_sending()
    {
        var none = OandaKit.Account(token: " ");
        var lookup = OrderLookup.Of(OandaKit.Market());

        await Assert.ThrowsAsync<OrderNotPlacedException>(() => _client.PlaceOrderAsync(none, OandaKit.Market(), Soon));
        await Assert.ThrowsAsync<OrderNotPlacedException>(() => _client.FindOrderAsync(none, lookup, Soon));
        await Assert.ThrowsAsync<OrderNotPlacedException>(() => _client.CancelOrderAsync(none, lookup, Soon));
        await Assert.ThrowsAsync<OrderNotPlacedException>(() => _client.GetAccountAsync(none, Soon));
        await Assert.ThrowsAsync<OrderNotPlacedException>(() => _client.GetInstrumentAsync(none, "EUR_USD", Soon));
        Assert.Equal(0, _fake.Requests);
    }

    [Fact]
    public async Task A_venue_failure_of_a_read_is_thrown()
    {
        var client = OandaKit.Client(_fake.BaseUrl, retry: VenueRetry.None);
        _fake.Faults.Set(FakeFaultKind.Fail);

        await Assert.ThrowsAsync<VenueOutcomeUnknownException>(() => client.GetAccountAsync(_account, Soon));
        await Assert.ThrowsAsync<VenueOutcomeUnknownException>(() => client.CheckConnectivityAsync(_account, Soon));
        await Assert.ThrowsAsync<VenueOutcomeUnknownException>(() => client.GetInstrumentAsync(_account, "EUR_USD", Soon));
        await Assert.ThrowsAsync<VenueOutcomeUnknownException>(() => client.FindOrderAsync(_account, OrderLookup.Of(OandaKit.Market()), Soon));
    }

    // ---- modes and secrets

    [Theory]
    [InlineData("live")]
    [InlineData("paper")]
    public async Task The_accounts_mode_picks_the_host_and_never_the_other(string mode)
    {
        var nowhere = new Uri("http://127.0.0.1:9/");
        var options = OandaKit.Options(_fake.BaseUrl) with
        {
            LiveBaseUrl = mode == "live" ? _fake.BaseUrl : nowhere,
            TestBaseUrl = mode == "live" ? nowhere : _fake.BaseUrl,
        };
        var client = OandaKit.Client(_fake.BaseUrl, options);
        var other = mode == "live" ? "paper" : "live";

        Assert.Equal(BrokerOrderStatus.Filled, (await client.PlaceOrderAsync(OandaKit.Account(mode: mode), OandaKit.Market(), Soon)).Status);
        await Assert.ThrowsAsync<OrderNotPlacedException>(() => client.PlaceOrderAsync(OandaKit.Account(mode: other), OandaKit.Market(), Soon));
        Assert.Single(_fake.Exchange.Orders(OandaKit.AccountId));
    }

    [Fact]
    public async Task The_token_is_in_no_message()
    {
        const string wrongToken = "deadbeefdeadbeefdeadbeefdeadbeef-secret";
        var wrong = OandaKit.Account(wrongToken);
        var messages = new List<string>();
        foreach (var call in new Func<Task>[]
                 {
                     () => _client.PlaceOrderAsync(wrong, OandaKit.Market(), Soon),
                     () => _client.FindOrderAsync(wrong, OrderLookup.Of(OandaKit.Market()), Soon),
                     () => _client.CancelOrderAsync(wrong, OrderLookup.Of(OandaKit.Market()), Soon),
                     () => _client.GetAccountAsync(wrong, Soon),
                     () => _client.GetInstrumentAsync(wrong, "EUR_USD", Soon),
                 })
            messages.Add((await Record.ExceptionAsync(call))!.ToString());
        messages.Add((await _client.CheckConnectivityAsync(wrong, Soon)).Reason!);
        _fake.Faults.Set(FakeFaultKind.Fail);
        messages.Add((await Record.ExceptionAsync(() => _client.PlaceOrderAsync(_account, OandaKit.Market(), Soon)))!.ToString());

        Assert.All(messages, m =>
        {
            Assert.DoesNotContain(wrongToken, m);
            Assert.DoesNotContain(OandaKit.Token, m);
            Assert.DoesNotContain("secret", m);
        });
        Assert.Contains(messages, m => m.Contains("401", StringComparison.Ordinal));
    }
}
