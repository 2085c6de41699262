using System.Net;
using TradingActors.Brokers.Bybit;
using TradingActors.Brokers.Fakes;
using TradingActors.Brokers.Http;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Tests.Venues.Bybit;

/// <summary>
/// What the Bybit connector does beyond the shared contract: it honours the venue's rate answers, treats an IP ban as
/// a refusal, looks orders up in realtime then history, answers a cancel with the order's state, reads every page of
/// positions and open orders, trades spot, and keeps keys out of every message.
/// </summary>
public sealed class BybitBrokerClientTests : IAsyncLifetime
{
    private readonly List<BybitFake> _fakes = [];
    private static CancellationToken Soon => BybitTestKit.Soon;
    private static readonly BrokerAccount Account = BybitTestKit.Account();
    private static readonly VenueRetryOptions Once = new() { MaxAttempts = 1 };

    // Waits as long as the venue says (within 2 s), else hardly at all: a test passes only by honouring the venue's reset.
    private static readonly VenueRetryOptions Patient = new() { MaxAttempts = 4, FirstDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromSeconds(2) };
    private long _seq;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var fake in _fakes) await fake.DisposeAsync();
    }

    private async Task<BybitFake> FakeAsync(BybitFakeOptions? options = null, decimal cash = 100_000m)
    {
        var fake = await BybitTestKit.StartAsync(options, cash: cash);
        _fakes.Add(fake);
        return fake;
    }

    private OrderIntent Market(OrderSide side = OrderSide.Buy, decimal qty = 0.01m, string symbol = "BTCUSDT")
    {
        var seq = ++_seq;
        return new OrderIntent(ClientOrderIds.Create("t", "acct-1", "strategy:s", seq, 0), "acct-1", "strategy:s", seq, symbol, side, qty, 50_000m);
    }

    private OrderIntent Limit(decimal price, decimal qty = 0.01m, OrderSide side = OrderSide.Buy) => Market(side, qty) with { Type = OrderType.Limit, LimitPrice = price };

    [Fact]
    public void It_is_bybit_and_deduplicates_client_order_ids()
    {
        var client = BybitTestKit.Client(new Uri("http://127.0.0.1:9/"));

        Assert.Equal("bybit", client.Venue);
        Assert.True(client.DeduplicatesClientOrderIds);
    }

    [Fact]
    public async Task Every_call_needs_its_arguments()
    {
        var client = BybitTestKit.Client(new Uri("http://127.0.0.1:9/"));
        var lookup = OrderLookup.Of(Market());

        Assert.Throws<ArgumentNullException>(() => new BybitBrokerClient(null!, new HttpClient()));
        Assert.Throws<ArgumentNullException>(() => new BybitBrokerClient(new BybitOptions(), null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.PlaceOrderAsync(null!, Market(), Soon));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.PlaceOrderAsync(Account, null!, Soon));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.FindOrderAsync(null!, lookup, Soon));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.FindOrderAsync(Account, null!, Soon));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.CancelOrderAsync(null!, lookup, Soon));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.CancelOrderAsync(Account, null!, Soon));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.GetAccountAsync(null!, Soon));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.GetInstrumentAsync(null!, "BTCUSDT", Soon));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.GetInstrumentAsync(Account, null!, Soon));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.CheckConnectivityAsync(null!, Soon));
    }

    [Fact]
    public async Task The_default_retry_and_clock_are_used_when_none_is_given()
    {
        var fake = await FakeAsync();
        var client = new BybitBrokerClient(new BybitOptions { TestBaseUrl = fake.BaseUrl }, new HttpClient());

        Assert.True((await client.CheckConnectivityAsync(Account, Soon)).Passed);
    }

    // ---- rate limits

    [Fact]
    public async Task The_accounts_rate_limit_is_waited_out_until_the_venues_reset_and_the_order_is_placed()
    {
        var fake = await FakeAsync(new BybitFakeOptions { OrderCreatesPerSecond = 1 });
        var client = BybitTestKit.Client(fake.BaseUrl, retries: Patient);
        await client.PlaceOrderAsync(Account, Market(), Soon);

        var second = await client.PlaceOrderAsync(Account, Market(), Soon);

        Assert.Equal(BrokerOrderStatus.Accepted, second.Status);
        Assert.Equal(2, fake.Exchange.Orders(BybitTestKit.AccountNumber).Count);
        Assert.InRange(fake.RateLimited, 1, 2); // the wait counts from the venue's answer, but a timer may fire a millisecond tick early
    }

    [Fact]
    public async Task A_rate_limit_refusal_says_when_to_come_back()
    {
        // The reset is on the venue's clock, 3 s ahead of ours: the wait counts from the venue's now.
        var fake = await FakeAsync(new BybitFakeOptions { OrderCreatesPerSecond = 1, ClockSkew = TimeSpan.FromSeconds(3) });
        var client = BybitTestKit.Client(fake.BaseUrl, retries: Once);
        await client.PlaceOrderAsync(Account, Market(), Soon);

        var e = await Assert.ThrowsAsync<OrderNotPlacedException>(() => client.PlaceOrderAsync(Account, Market(), Soon));

        Assert.True(e.Data.Contains(VenueRefusal.Transient));
        // At most the 1 s window, give or take the clock estimate's error (half a cold round trip); counted from our clock it would be ~4 s.
        Assert.InRange(e.RetryAfter!.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1.5));
        Assert.Contains("10006", e.Message);
        Assert.Single(fake.Exchange.Orders(BybitTestKit.AccountNumber));
    }

    [Fact]
    public async Task An_ip_ban_is_a_retryable_refusal_and_places_nothing()
    {
        var fake = await FakeAsync(new BybitFakeOptions { IpRequestsPerWindow = 1 });
        var client = BybitTestKit.Client(fake.BaseUrl, retries: Once);
        await client.SyncServerTimeAsync(live: false, Soon); // the one request the IP may make

        var e = await Assert.ThrowsAsync<OrderNotPlacedException>(() => client.PlaceOrderAsync(Account, Market(), Soon));

        Assert.True(e.Data.Contains(VenueRefusal.Transient));
        Assert.Contains("HTTP 403 access too frequent", e.Message);
        Assert.Empty(fake.Exchange.Orders(BybitTestKit.AccountNumber));
        Assert.Equal(1, fake.Bans);
    }

    [Fact]
    public async Task A_burst_within_the_limits_meets_no_ban_and_no_10006()
    {
        var fake = await FakeAsync(new BybitFakeOptions { OrderCreatesPerSecond = 20, IpRequestsPerWindow = 100 });
        var client = BybitTestKit.Client(fake.BaseUrl);
        await client.SyncServerTimeAsync(live: false, Soon);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.PlaceOrderAsync(Account, Market(), Soon)));

        Assert.Equal(0, fake.RefusedForRate);
        Assert.Equal(0, fake.Bans);
        Assert.Equal(21, fake.RequestsFrom("127.0.0.1"));
    }

    // ---- credentials

    [Fact]
    public async Task An_account_without_credentials_is_refused_before_anything_is_sent()
    {
        var fake = await FakeAsync();
        var client = BybitTestKit.Client(fake.BaseUrl);
        var bare = new BrokerAccount("acct-1", BybitTestKit.AccountNumber);

        var e = await Assert.ThrowsAsync<OrderNotPlacedException>(() => client.PlaceOrderAsync(bare, Market(), Soon));
        await Assert.ThrowsAsync<OrderNotPlacedException>(() => client.PlaceOrderAsync(bare with { ApiKey = BybitTestKit.ApiKey }, Market(), Soon));
        var check = await client.CheckConnectivityAsync(bare, Soon);
        var noSecret = await client.CheckConnectivityAsync(bare with { ApiKey = BybitTestKit.ApiKey, ApiSecret = "" }, Soon);

        Assert.False(check.Passed);
        Assert.False(noSecret.Passed);
        Assert.Equal("bybit: the account has no API key and secret", check.Reason);
        Assert.Equal("bybit: the account has no API key and secret", e.Message);
        Assert.Equal(0, fake.Requests);
    }

    [Fact]
    public async Task A_wrong_secret_names_neither_the_secret_nor_the_key_and_is_not_retried()
    {
        var fake = await FakeAsync();
        var client = BybitTestKit.Client(fake.BaseUrl);
        var wrong = BybitTestKit.Account("wrong-secret-0000000000");

        var e = await Assert.ThrowsAsync<OrderNotPlacedException>(() => client.PlaceOrderAsync(wrong, Market(), Soon));
        var check = await client.CheckConnectivityAsync(wrong, Soon);

        Assert.False(e.Data.Contains(VenueRefusal.Transient));
        Assert.Equal("bybit refused the account: 10004 error sign!", check.Reason);
        foreach (var text in new[] { e.ToString(), check.Reason! })
        {
            Assert.DoesNotContain(BybitTestKit.ApiKey, text);
            Assert.DoesNotContain("wrong-secret", text);
        }
        Assert.Equal(1, fake.RequestsTo("/v5/order/create"));
        Assert.Equal(1, fake.RequestsTo("/v5/account/wallet-balance"));
    }

    [Fact]
    public async Task An_unknown_key_fails_the_check_with_the_venues_reason()
    {
        var fake = await FakeAsync();
        var client = BybitTestKit.Client(fake.BaseUrl);

        var check = await client.CheckConnectivityAsync(Account with { ApiKey = "someone-else" }, Soon);

        Assert.Equal("bybit refused the account: 10003 API key is invalid.", check.Reason);
    }

    [Fact]
    public async Task Warming_up_reads_the_testnet_clock_and_leaves_an_unreachable_live_one_for_later()
    {
        var fake = await FakeAsync(new BybitFakeOptions { ClockSkew = TimeSpan.FromSeconds(3) });
        // Live at a port nothing listens on: the warm-up must not fail for it.
        var closed = new Uri("http://127.0.0.1:9/");
        var client = new BybitBrokerClient(new BybitOptions { TestBaseUrl = fake.BaseUrl, LiveBaseUrl = closed }, new HttpClient(), TimeProvider.System,
            new VenueRetry(new VenueRetryOptions { MaxAttempts = 1 }, TimeProvider.System));

        await client.WarmUpAsync(Soon);

        Assert.InRange(client.ServerTimeOffset(live: false)!.Value, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(3.5));
        Assert.Null(client.ServerTimeOffset(live: true));
        Assert.Equal(1, fake.Requests);
    }

    [Fact]
    public async Task A_venue_that_fails_the_check_did_not_answer_it()
    {
        var fake = await FakeAsync();
        var client = BybitTestKit.Client(fake.BaseUrl);
        await client.SyncServerTimeAsync(live: false, Soon);
        fake.Faults.Set(FakeFaultKind.Fail);

        await Assert.ThrowsAsync<VenueOutcomeUnknownException>(() => client.CheckConnectivityAsync(Account, Soon));
        Assert.Equal(3, fake.Requests - 1); // retried as a read
    }

    [Fact]
    public async Task A_check_refused_by_a_parameter_error_is_a_refusal()
    {
        var fake = await FakeAsync();
        var client = BybitTestKit.Client(fake.BaseUrl, new BybitOptions { AccountType = "SPOT" });

        Assert.Equal("bybit refused the account: 10001 accountType only support UNIFIED.", (await client.CheckConnectivityAsync(Account, Soon)).Reason);
    }

    // ---- timeouts

    [Fact]
    public async Task An_order_the_venue_does_not_answer_in_time_is_unknown()
    {
        var fake = await FakeAsync();
        var client = BybitTestKit.Client(fake.BaseUrl, new BybitOptions { Timeout = TimeSpan.FromMilliseconds(200) }, retries: Once);
        await client.SyncServerTimeAsync(live: false, Soon);
        fake.Faults.Set(FakeFaultKind.Hang, "/v5/order/create");

        var e = await Assert.ThrowsAsync<VenueOutcomeUnknownException>(() => client.PlaceOrderAsync(Account, Market(), Soon));

        Assert.Equal("bybit POST /v5/order/create: no answer within 0.2 s", e.Message);
    }

    // ---- looking up

    [Fact]
    public async Task An_order_realtime_no_longer_shows_is_found_in_history()
    {
        var fake = await FakeAsync(new BybitFakeOptions { RealtimeClosedOrders = 0 });
        var client = BybitTestKit.Client(fake.BaseUrl);
        var intent = Market();
        var placed = await client.PlaceOrderAsync(Account, intent, Soon);

        var found = await client.FindOrderAsync(Account, OrderLookup.Of(intent), Soon);

        Assert.Equal(BrokerOrderStatus.Filled, found!.Status);
        Assert.Equal(placed.VenueOrderId, found.VenueOrderId);
        Assert.Equal(new Fill(0.01m, 50_000m, 0.5m, placed.VenueOrderId!, found.Fill!.Time), found.Fill);
        Assert.Equal(1, fake.RequestsTo("/v5/order/realtime"));
        Assert.Equal(1, fake.RequestsTo("/v5/order/history"));
    }

    [Fact]
    public async Task An_order_realtime_shows_is_not_looked_for_in_history()
    {
        var fake = await FakeAsync();
        var client = BybitTestKit.Client(fake.BaseUrl);
        var intent = Limit(45_000m);
        await client.PlaceOrderAsync(Account, intent, Soon);

        var found = await client.FindOrderAsync(Account, OrderLookup.Of(intent), Soon);

        Assert.Equal(BrokerOrderStatus.Accepted, found!.Status);
        Assert.Equal(45_000m, found.LimitPrice);
        Assert.Equal(0.01m, found.Quantity);
        Assert.Equal(OrderSide.Buy, found.Side);
        Assert.Equal("BTCUSDT", found.Symbol);
        Assert.Equal(0, fake.RequestsTo("/v5/order/history"));
    }

    [Fact]
    public async Task Without_a_client_order_id_an_order_is_found_and_cancelled_by_its_venue_id()
    {
        var fake = await FakeAsync();
        var client = BybitTestKit.Client(fake.BaseUrl);
        var placed = await client.PlaceOrderAsync(Account, Limit(45_000m), Soon);
        var lookup = new OrderLookup("", "BTCUSDT", OrderSide.Buy, 0.01m) { VenueOrderId = placed.VenueOrderId };

        var found = await client.FindOrderAsync(Account, lookup, Soon);
        var cancelled = await client.CancelOrderAsync(Account, lookup, Soon);

        Assert.Equal(placed.VenueOrderId, found!.VenueOrderId);
        Assert.Equal(placed.ClientOrderId, found.ClientOrderId); // the venue still knows our id
        Assert.Equal(BrokerOrderStatus.Cancelled, cancelled!.Status);
    }

    [Fact]
    public async Task A_lookup_or_cancel_needs_some_id_and_sends_nothing_without_one()
    {
        var fake = await FakeAsync();
        var client = BybitTestKit.Client(fake.BaseUrl);
        var none = new OrderLookup("", "BTCUSDT", OrderSide.Buy, 1m);

        Assert.StartsWith("a lookup needs a client or venue order id", (await Assert.ThrowsAsync<ArgumentException>(() => client.FindOrderAsync(Account, none, Soon))).Message);
        await Assert.ThrowsAsync<ArgumentException>(() => client.FindOrderAsync(Account, none with { VenueOrderId = "" }, Soon));
        await Assert.ThrowsAsync<ArgumentException>(() => client.CancelOrderAsync(Account, none, Soon));
        Assert.Equal(0, fake.Requests);
    }

    [Fact]
    public async Task An_order_in_a_status_the_connector_does_not_know_is_a_failed_read()
    {
        var fake = await FakeAsync();
        var client = BybitTestKit.Client(fake.BaseUrl, retries: Once, handler: new StubHandler(r => r.RequestUri!.AbsolutePath == "/v5/order/realtime"
            ? StubHandler.Json("""{"retCode":0,"retMsg":"OK","result":{"category":"linear","list":[{"orderId":"1","orderLinkId":"x","symbol":"BTCUSDT","orderStatus":"Mystery"}],"nextPageCursor":""},"retExtInfo":{},"time":1}""")
            : null));

        await Assert.ThrowsAsync<VenueOutcomeUnknownException>(() => client.FindOrderAsync(Account, OrderLookup.Of(Market()), Soon));
    }

    [Fact]
    public async Task The_lookup_query_is_signed_as_sent()
    {
        var fake = await FakeAsync();
        var client = BybitTestKit.Client(fake.BaseUrl);
        var intent = Market();
        await client.PlaceOrderAsync(Account, intent, Soon);

        // The fake refuses (10004) any query that is not signed exactly as it arrives.
        Assert.NotNull(await client.FindOrderAsync(Account, OrderLookup.Of(intent), Soon));
        Assert.Equal(0, fake.StaleTimestamps);
    }


    [Fact]
    public async Task A_lookup_finds_the_order_asked_for_among_several()
    {
        var fake = await FakeAsync();
        var client = BybitTestKit.Client(fake.BaseUrl);
        var orders = new[] { Limit(40_000m), Limit(41_000m), Limit(42_000m) };
        var placed = new List<BrokerOrderResult>();
        foreach (var order in orders) placed.Add(await client.PlaceOrderAsync(Account, order, Soon));

        var middle = await client.FindOrderAsync(Account, OrderLookup.Of(orders[1]), Soon);
        var first = await client.FindOrderAsync(Account, new OrderLookup("", "BTCUSDT", OrderSide.Buy, 0.01m) { VenueOrderId = placed[0].VenueOrderId }, Soon);

        Assert.Equal(placed[1].VenueOrderId, middle!.VenueOrderId);
        Assert.Equal(41_000m, middle.LimitPrice);
        Assert.Equal(orders[0].ClientOrderId, first!.ClientOrderId);
        Assert.Equal(40_000m, first.LimitPrice);
    }

    [Fact]
    public async Task A_cancel_goes_by_the_client_order_id_even_when_the_venue_id_it_holds_is_of_another_order()
    {
        var fake = await FakeAsync();
        var client = BybitTestKit.Client(fake.BaseUrl);
        var a = Limit(40_000m);
        var b = Limit(41_000m);
        await client.PlaceOrderAsync(Account, a, Soon);
        var placedB = await client.PlaceOrderAsync(Account, b, Soon);

        var state = await client.CancelOrderAsync(Account, OrderLookup.Of(a) with { VenueOrderId = placedB.VenueOrderId }, Soon);

        Assert.Equal(BrokerOrderStatus.Cancelled, state!.Status);
        Assert.False(fake.Exchange.OrderByClientId(BybitTestKit.AccountNumber, a.ClientOrderId)!.IsOpen);
        Assert.True(fake.Exchange.OrderByClientId(BybitTestKit.AccountNumber, b.ClientOrderId)!.IsOpen);
    }

    [Fact]
    public async Task An_open_order_placed_without_our_id_is_listed_without_one()
    {
        var fake = await FakeAsync();
        fake.Exchange.Place(BybitTestKit.AccountNumber, null, "BTCUSDT", OrderSide.Buy, OrderType.Limit, 0.01m, 40_000m); // placed by hand, on the venue's site
        var client = BybitTestKit.Client(fake.BaseUrl);

        var open = Assert.Single((await client.GetAccountAsync(Account, Soon)).OpenOrders);

        Assert.Equal("", open.ClientOrderId);
        Assert.Equal(40_000m, open.LimitPrice);
    }

    [Fact]
    public async Task Public_reads_go_unsigned_with_exactly_their_query()
    {
        var fake = await FakeAsync();
        var seen = new List<HttpRequestMessage>();
        var client = BybitTestKit.Client(fake.BaseUrl, handler: new StubHandler(r => { seen.Add(r); return null; }));

        await client.GetInstrumentAsync(Account, "ETHUSDT", Soon);
        await client.SyncServerTimeAsync(live: false, Soon);

        Assert.Equal(["/v5/market/instruments-info?category=linear&symbol=ETHUSDT", "/v5/market/time"], seen.Select(r => r.RequestUri!.PathAndQuery));
        Assert.All(seen, r => Assert.False(r.Headers.Contains("X-BAPI-API-KEY")));
    }

    [Theory]
    [InlineData("""{"retCode":0,"retMsg":"OK","result":{},"retExtInfo":{},"time":1}""")]
    [InlineData("""{"retCode":0,"retMsg":"OK","result":{"timeSecond":"","timeNano":""},"retExtInfo":{},"time":1}""")]
    public async Task A_time_answer_without_a_time_is_a_failed_reading(string body)
    {
        var fake = await FakeAsync();
        var client = BybitTestKit.Client(fake.BaseUrl, handler: new StubHandler(r => r.RequestUri!.AbsolutePath == "/v5/market/time" ? StubHandler.Json(body) : null));

        var e = await Assert.ThrowsAsync<VenueOutcomeUnknownException>(() => client.SyncServerTimeAsync(live: false, Soon));

        Assert.Equal("bybit GET /v5/market/time: the answer has no time", e.Message);
    }

    // ---- cancelling

    [Fact]
    public async Task Cancelling_an_order_that_filled_first_answers_filled()
    {
        var fake = await FakeAsync();
        var client = BybitTestKit.Client(fake.BaseUrl);
        var intent = Market();
        await client.PlaceOrderAsync(Account, intent, Soon);

        var state = await client.CancelOrderAsync(Account, OrderLookup.Of(intent), Soon);

        Assert.Equal(BrokerOrderStatus.Filled, state!.Status);
        Assert.Equal(0.01m, state.Fill!.Quantity);
    }

    [Fact]
    public async Task Cancelling_an_order_the_venue_never_had_is_null()
    {
        var fake = await FakeAsync();
        var client = BybitTestKit.Client(fake.BaseUrl);

        Assert.Null(await client.CancelOrderAsync(Account, OrderLookup.Of(Market()), Soon));
    }

    [Fact]
    public async Task Cancelling_a_partly_filled_order_keeps_what_filled()
    {
        var fake = await FakeAsync();
        var client = BybitTestKit.Client(fake.BaseUrl);
        var intent = Limit(45_000m, 0.02m);
        await client.PlaceOrderAsync(Account, intent, Soon);
        fake.Exchange.SetPrice("BTCUSDT", 45_000m, liquidity: 0.01m);

        var state = await client.CancelOrderAsync(Account, OrderLookup.Of(intent), Soon);

        Assert.Equal(BrokerOrderStatus.Cancelled, state!.Status);
        Assert.Equal(0.01m, state.Fill!.Quantity);
        Assert.Equal(45_000m, state.Fill.Price);
    }

    [Theory]
    [InlineData(110008)]
    [InlineData(110010)]
    public async Task A_cancel_of_an_order_that_already_ended_answers_its_state(int code)
    {
        var fake = await FakeAsync();
        var client = BybitTestKit.Client(fake.BaseUrl, handler: new StubHandler(r => r.RequestUri!.AbsolutePath == "/v5/order/cancel"
            ? StubHandler.Json($$"""{"retCode":{{code}},"retMsg":"Order has been finished or canceled","result":{},"retExtInfo":{},"time":1}""")
            : null));
        var intent = Market();
        await client.PlaceOrderAsync(Account, intent, Soon);

        Assert.Equal(BrokerOrderStatus.Filled, (await client.CancelOrderAsync(Account, OrderLookup.Of(intent), Soon))!.Status);
    }

    [Fact]
    public async Task A_cancel_the_venue_took_but_whose_order_it_cannot_show_is_cancelled()
    {
        var fake = await FakeAsync();
        var client = BybitTestKit.Client(fake.BaseUrl, handler: new StubHandler(r => r.RequestUri!.AbsolutePath is "/v5/order/realtime" or "/v5/order/history"
            ? StubHandler.Json("""{"retCode":0,"retMsg":"OK","result":{"category":"linear","list":[],"nextPageCursor":""},"retExtInfo":{},"time":1}""")
            : null));
        var intent = Limit(45_000m);
        var placed = await client.PlaceOrderAsync(Account, intent, Soon);

        var state = await client.CancelOrderAsync(Account, OrderLookup.Of(intent), Soon);

        Assert.Equal(BrokerOrderStatus.Cancelled, state!.Status);
        Assert.Equal(placed.VenueOrderId, state.VenueOrderId);
        Assert.Equal(intent.ClientOrderId, state.ClientOrderId);
        Assert.Equal("BTCUSDT", state.Symbol);
        Assert.Equal(OrderSide.Buy, state.Side);
        Assert.Equal(0.01m, state.Quantity);
        Assert.Null(state.Fill);
    }

    [Fact]
    public async Task A_cancel_whose_state_cannot_be_read_afterwards_is_unknown()
    {
        var fake = await FakeAsync();
        var client = BybitTestKit.Client(fake.BaseUrl);
        var intent = Limit(45_000m);
        await client.PlaceOrderAsync(Account, intent, Soon);
        fake.Faults.Set(FakeFaultKind.Fail, "/v5/order/realtime");

        var e = await Assert.ThrowsAsync<VenueOutcomeUnknownException>(() => client.CancelOrderAsync(Account, OrderLookup.Of(intent), Soon));

        Assert.IsType<VenueOutcomeUnknownException>(e.InnerException);
        Assert.Equal("bybit: the cancel was answered but the order's state could not be read", e.Message);
        Assert.Equal(FakeOrderState.Cancelled, Assert.Single(fake.Exchange.Orders(BybitTestKit.AccountNumber)).State);
    }

    [Fact]
    public async Task A_cancel_refused_for_the_key_is_not_done_and_not_retried()
    {
        var fake = await FakeAsync();
        var client = BybitTestKit.Client(fake.BaseUrl);
        var intent = Limit(45_000m);
        await client.PlaceOrderAsync(Account, intent, Soon);

        await Assert.ThrowsAsync<OrderNotPlacedException>(() => client.CancelOrderAsync(BybitTestKit.Account("wrong-secret-1"), OrderLookup.Of(intent), Soon));

        Assert.True(Assert.Single(fake.Exchange.Orders(BybitTestKit.AccountNumber)).IsOpen);
        Assert.Equal(1, fake.RequestsTo("/v5/order/cancel"));
    }

    [Fact]
    public async Task A_rate_limited_cancel_is_sent_again()
    {
        var fake = await FakeAsync(new BybitFakeOptions { OrderCancelsPerSecond = 1 });
        var client = BybitTestKit.Client(fake.BaseUrl, retries: Patient);
        var first = Limit(45_000m);
        var second = Limit(45_000m);
        await client.PlaceOrderAsync(Account, first, Soon);
        await client.PlaceOrderAsync(Account, second, Soon);
        await client.CancelOrderAsync(Account, OrderLookup.Of(first), Soon);

        var state = await client.CancelOrderAsync(Account, OrderLookup.Of(second), Soon);

        Assert.Equal(BrokerOrderStatus.Cancelled, state!.Status);
        Assert.InRange(fake.RateLimited, 1, 2);
    }

    // ---- the account

    [Fact]
    public async Task Every_page_of_positions_and_open_orders_is_read()
    {
        var fake = await FakeAsync();
        fake.Exchange.SetPrice("ETHUSDT", 3_000m);
        var client = BybitTestKit.Client(fake.BaseUrl, new BybitOptions { OrdersPageLimit = 1, PositionsPageLimit = 1 });
        await client.PlaceOrderAsync(Account, Market(OrderSide.Buy, 0.02m), Soon);
        await client.PlaceOrderAsync(Account, Market(OrderSide.Sell, 0.5m, "ETHUSDT"), Soon);
        var resting = new[] { Limit(40_000m), Limit(41_000m), Limit(60_000m, side: OrderSide.Sell) };
        foreach (var order in resting) await client.PlaceOrderAsync(Account, order, Soon);
        fake.Exchange.SetPrice("BTCUSDT", 51_000m);

        var state = await client.GetAccountAsync(Account, Soon);

        Assert.Equal("USDT", state.Currency);
        Assert.Equal([new VenuePosition("BTCUSDT", 0.02m, 50_000m), new VenuePosition("ETHUSDT", -0.5m, 3_000m)], state.Positions);
        Assert.Equal(resting.Select(o => o.ClientOrderId).Reverse(), state.OpenOrders.Select(o => o.ClientOrderId));
        Assert.All(state.OpenOrders, o => Assert.Equal(BrokerOrderStatus.Accepted, o.Status));
        var cash = fake.Exchange.Holdings(BybitTestKit.AccountNumber).Cash;
        Assert.Equal(cash, state.Cash);
        Assert.Equal(cash + 0.02m * 51_000m - 0.5m * 3_000m, state.Equity);
        Assert.Equal(2, fake.RequestsTo("/v5/position/list"));
        Assert.Equal(3, fake.RequestsTo("/v5/order/realtime"));
    }

    [Fact]
    public async Task An_account_with_nothing_open_has_no_positions_or_orders()
    {
        var fake = await FakeAsync(cash: 1_234.5m);
        var client = BybitTestKit.Client(fake.BaseUrl);

        var state = await client.GetAccountAsync(Account, Soon);

        Assert.Equal(1_234.5m, state.Cash);
        Assert.Equal(1_234.5m, state.Equity);
        Assert.Empty(state.Positions);
        Assert.Empty(state.OpenOrders);
    }

    [Theory]
    [InlineData("""{"list":[{"accountType":"UNIFIED","totalEquity":"","coin":[{"coin":"USDT","walletBalance":"10"}]}]}""", 10, 10)]
    [InlineData("""{"list":[{"accountType":"UNIFIED","totalEquity":"99","coin":[{"coin":"BTC","walletBalance":"1"}]}]}""", 0, 99)]
    [InlineData("""{"list":[{"accountType":"UNIFIED","totalEquity":"99"}]}""", 0, 99)]
    public async Task A_wallet_without_parts_reads_as_what_it_has(string result, decimal cash, decimal equity)
    {
        var fake = await FakeAsync();
        var client = BybitTestKit.Client(fake.BaseUrl, handler: new StubHandler(r => r.RequestUri!.AbsolutePath == "/v5/account/wallet-balance"
            ? StubHandler.Json($$"""{"retCode":0,"retMsg":"OK","result":{{result}},"retExtInfo":{},"time":1}""")
            : null));

        var state = await client.GetAccountAsync(Account, Soon);

        Assert.Equal(cash, state.Cash);
        Assert.Equal(equity, state.Equity);
    }

    [Theory]
    [InlineData("""{"list":[]}""")]
    [InlineData("""{}""")]
    public async Task An_answer_without_the_wallet_is_a_failed_read(string result)
    {
        var fake = await FakeAsync();
        var client = BybitTestKit.Client(fake.BaseUrl, retries: Once, handler: new StubHandler(r => r.RequestUri!.AbsolutePath == "/v5/account/wallet-balance"
            ? StubHandler.Json($$"""{"retCode":0,"retMsg":"OK","result":{{result}},"retExtInfo":{},"time":1}""")
            : null));

        var e = await Assert.ThrowsAsync<VenueOutcomeUnknownException>(() => client.GetAccountAsync(Account, Soon));

        Assert.Equal("bybit: no UNIFIED wallet in the answer", e.Message);
    }

    [Fact]
    public async Task A_page_without_rows_ends_the_list_even_if_it_names_a_cursor()
    {
        var fake = await FakeAsync();
        var client = BybitTestKit.Client(fake.BaseUrl, handler: new StubHandler(r => r.RequestUri!.AbsolutePath == "/v5/position/list"
            ? StubHandler.Json("""{"retCode":0,"retMsg":"OK","result":{"category":"linear","list":[],"nextPageCursor":"again"},"retExtInfo":{},"time":1}""")
            : null));

        Assert.Empty((await client.GetAccountAsync(Account, Soon)).Positions);
    }

    [Fact]
    public async Task Flat_positions_are_left_out()
    {
        var fake = await FakeAsync();
        var client = BybitTestKit.Client(fake.BaseUrl, handler: new StubHandler(r => r.RequestUri!.AbsolutePath == "/v5/position/list"
            ? StubHandler.Json("""{"retCode":0,"retMsg":"OK","result":{"category":"linear","list":[{"symbol":"ETHUSDT","side":"","size":"0","avgPrice":"0","positionIdx":0},{"symbol":"BTCUSDT","side":"Buy","size":"1","avgPrice":"","positionIdx":0}],"nextPageCursor":""},"retExtInfo":{},"time":1}""")
            : null));

        Assert.Equal([new VenuePosition("BTCUSDT", 1m, 0m)], (await client.GetAccountAsync(Account, Soon)).Positions);
    }

    // ---- rules

    [Fact]
    public async Task The_rules_of_a_listed_symbol_are_the_venues_and_an_unlisted_one_has_none()
    {
        var fake = await FakeAsync();
        var client = BybitTestKit.Client(fake.BaseUrl);

        var eth = await client.GetInstrumentAsync(Account, "ETHUSDT", Soon);

        Assert.Equal(new TradingActors.Domain.Market.Instrument("ETHUSDT", 0.01m, 0.01m, 0.01m, 5m), eth);
        Assert.Null(await client.GetInstrumentAsync(Account, "NOSUCH", Soon));
        Assert.Equal(0, fake.RequestsTo("/v5/market/time")); // public: unsigned, no clock needed
    }

    // ---- spot

    [Fact]
    public async Task Spot_trades_in_the_base_coin_holds_coins_and_refuses_duplicates_its_way()
    {
        var fake = await FakeAsync(new BybitFakeOptions { Category = "spot" });
        var client = BybitTestKit.Client(fake.BaseUrl, new BybitOptions { Category = "spot" });
        var buy = Market(qty: 0.01m);
        var resting = Limit(40_000m);

        var placed = await client.PlaceOrderAsync(Account, buy, Soon);
        await client.PlaceOrderAsync(Account, resting, Soon);
        var found = await client.FindOrderAsync(Account, OrderLookup.Of(buy), Soon);
        var duplicate = await Assert.ThrowsAsync<DuplicateClientOrderIdException>(() => client.PlaceOrderAsync(Account, buy, Soon));
        var state = await client.GetAccountAsync(Account, Soon);
        var rules = await client.GetInstrumentAsync(Account, "BTCUSDT", Soon);
        var cancelled = await client.CancelOrderAsync(Account, OrderLookup.Of(resting), Soon);
        var sellTooMuch = await client.PlaceOrderAsync(Account, Market(OrderSide.Sell, 1m), Soon);

        Assert.Equal(BrokerOrderStatus.Accepted, placed.Status);
        Assert.Equal(0.01m, found!.Fill!.Quantity);
        Assert.Equal(buy.ClientOrderId, duplicate.ClientOrderId);
        Assert.Equal([new VenuePosition("BTCUSDT", 0.01m, 0m)], state.Positions);
        Assert.Equal(resting.ClientOrderId, Assert.Single(state.OpenOrders).ClientOrderId);
        Assert.Equal(new TradingActors.Domain.Market.Instrument("BTCUSDT", 0.000001m, 0.01m, 0.000048m, 1m), rules);
        Assert.Equal(BrokerOrderStatus.Cancelled, cancelled!.Status);
        Assert.Equal(BrokerOrderStatus.Rejected, sellTooMuch.Status);
        Assert.Equal("170131 Insufficient balance.", sellTooMuch.RejectReason);
        Assert.Equal(0, fake.RequestsTo("/v5/position/list"));
        Assert.Equal(2, fake.Exchange.Orders(BybitTestKit.AccountNumber).Count);
    }

    [Fact]
    public async Task Spot_leaves_out_coins_it_holds_none_of()
    {
        var fake = await FakeAsync(new BybitFakeOptions { Category = "spot" });
        var client = BybitTestKit.Client(fake.BaseUrl, new BybitOptions { Category = "spot" }, handler: new StubHandler(r => r.RequestUri!.AbsolutePath == "/v5/account/wallet-balance"
            ? StubHandler.Json("""{"retCode":0,"retMsg":"OK","result":{"list":[{"totalEquity":"10","coin":[{"coin":"USDT","walletBalance":"10"},{"coin":"ETH","walletBalance":"0"},{"coin":"BTC","walletBalance":""},{"coin":"SOL","walletBalance":"-2"}]}]},"retExtInfo":{},"time":1}""")
            : null));

        Assert.Equal([new VenuePosition("SOLUSDT", -2m, 0m)], (await client.GetAccountAsync(Account, Soon)).Positions);
    }

    // ---- placing

    [Fact]
    public async Task A_refused_order_keeps_the_venues_code_and_words()
    {
        var fake = await FakeAsync();
        var client = BybitTestKit.Client(fake.BaseUrl);

        var tooSmall = await client.PlaceOrderAsync(Account, Market(qty: 0.0001m), Soon);
        var belowValue = await client.PlaceOrderAsync(Account, Limit(100m, 0.001m), Soon);

        Assert.Equal("10001 The number of contracts exceeds minimum limit allowed", tooSmall.RejectReason);
        Assert.Equal("110094 Order does not meet minimum order value 5USDT", belowValue.RejectReason);
        Assert.Empty(fake.Exchange.Orders(BybitTestKit.AccountNumber));
    }

    [Fact]
    public async Task An_order_is_sent_as_asked_in_the_configured_category()
    {
        var fake = await FakeAsync();
        var sent = new List<string>();
        var client = BybitTestKit.Client(fake.BaseUrl, handler: new StubHandler(r =>
        {
            if (r.RequestUri!.AbsolutePath == "/v5/order/create") sent.Add(r.RequestUri.Query + "|" + r.Content!.ReadAsStringAsync().Result + "|" + r.Content.Headers.ContentType);
            return null;
        }));
        var intent = Limit(45_000m);

        await client.PlaceOrderAsync(Account, intent, Soon);

        Assert.Equal($$"""|{"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.01","price":"45000","timeInForce":"GTC","orderLinkId":"{{intent.ClientOrderId}}"}|application/json; charset=utf-8""",
            Assert.Single(sent));
    }
}
