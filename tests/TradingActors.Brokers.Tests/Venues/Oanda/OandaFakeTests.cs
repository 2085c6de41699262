using System.Net;
using TradingActors.Brokers.Fakes;
using TradingActors.Brokers.Oanda;

namespace TradingActors.Brokers.Tests.Venues.Oanda;

/// <summary>
/// The fake proven faithful over plain HTTP, without the connector: OANDA's auth answers, its duplicate rule (only
/// while PENDING), its limits, its transactions and error payloads, its order chains and its price stream.
/// </summary>
public sealed class OandaFakeTests : IAsyncLifetime
{
    private OandaFake _fake = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _fake = await OandaKit.StartAsync();
        _http = OandaKit.Http(_fake.BaseUrl);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _fake.DisposeAsync();
    }

    private Task<HttpResponseMessage> Post(string order) => OandaKit.PostOrderAsync(_http, order);

    private async Task<(HttpStatusCode Status, OandaResponse Body)> Get(string rest) => await OandaKit.ReadAsync(await _http.GetAsync(OandaKit.Path(rest)));

    // ---- auth

    [Theory]
    [InlineData(null)]
    [InlineData("someone-elses-token")]
    public async Task A_missing_or_unknown_token_is_refused_with_oandas_401(string? token)
    {
        using var http = OandaKit.Http(_fake.BaseUrl, token);

        var (status, body) = await OandaKit.ReadAsync(await OandaKit.PostOrderAsync(http, """{"type":"MARKET","instrument":"EUR_USD","units":"1000"}"""));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("Insufficient authorization to perform request.", body.ErrorMessage);
        Assert.Empty(_fake.Exchange.Orders(OandaKit.AccountId));
    }

    [Fact]
    public async Task Another_tokens_account_is_forbidden_and_an_unknown_account_not_found()
    {
        _fake.SeedAccount("101-004-7654321-001", "other-token", "unused");

        using var theirs = await _http.GetAsync("v3/accounts/101-004-7654321-001/summary");
        using var nobodys = await _http.GetAsync("v3/accounts/101-004-0000000-001/summary");

        Assert.Equal(HttpStatusCode.Forbidden, theirs.StatusCode);
        Assert.Equal("The provided request was forbidden.", (await OandaKit.ReadAsync(theirs)).Body.ErrorMessage);
        Assert.Equal(HttpStatusCode.NotFound, nobodys.StatusCode);
    }

    [Fact]
    public async Task One_token_reaches_every_account_it_was_given()
    {
        _fake.SeedAccount("101-004-1234567-002", OandaKit.Token, "unused");

        using var second = await _http.GetAsync("v3/accounts/101-004-1234567-002/summary");

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
    }

    // ---- limits

    [Fact]
    public async Task Requests_beyond_the_tokens_limit_are_refused_with_429_and_counted()
    {
        await using var fake = await OandaKit.StartAsync(new OandaFakeOptions { RequestsPerWindow = 3, RateWindow = TimeSpan.FromMinutes(1) });
        fake.SeedAccount("101-004-7654321-001", "other-token", "unused");
        using var http = OandaKit.Http(fake.BaseUrl);
        using var other = OandaKit.Http(fake.BaseUrl, "other-token");

        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++) codes.Add((await http.GetAsync(OandaKit.Path("summary"))).StatusCode);
        var refused = await OandaKit.ReadAsync(await http.GetAsync(OandaKit.Path("summary")));
        using var otherToken = await other.GetAsync("v3/accounts/101-004-7654321-001/summary");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], codes);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        Assert.False(string.IsNullOrEmpty(refused.Body.ErrorMessage));
        Assert.Equal(2, fake.RefusedForRate);
        Assert.Equal(HttpStatusCode.OK, otherToken.StatusCode); // the limit is per token
    }

    [Fact]
    public async Task The_window_opens_again_after_it_passes()
    {
        await using var fake = await OandaKit.StartAsync(new OandaFakeOptions { RequestsPerWindow = 1, RateWindow = TimeSpan.FromMilliseconds(200) });
        using var http = OandaKit.Http(fake.BaseUrl);

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(OandaKit.Path("summary"))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await http.GetAsync(OandaKit.Path("summary"))).StatusCode);
        await Task.Delay(250);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(OandaKit.Path("summary"))).StatusCode);
    }

    // ---- placing

    [Fact]
    public async Task A_market_order_answers_its_create_and_fill_transactions()
    {
        var (status, body) = await OandaKit.ReadAsync(await Post("""{"type":"MARKET","instrument":"EUR_USD","units":"1000","timeInForce":"FOK","positionFill":"DEFAULT","clientExtensions":{"id":"c-1"}}"""));

        Assert.Equal(HttpStatusCode.Created, status);
        var order = Assert.Single(_fake.Exchange.Orders(OandaKit.AccountId));
        var create = body.OrderCreateTransaction!;
        Assert.Equal(order.VenueOrderId, create.Id);
        Assert.Equal("MARKET_ORDER", create.Type);
        Assert.Equal("1000", create.Units);
        Assert.Equal("c-1", create.ClientExtensions!.Id);
        var fill = body.OrderFillTransaction!;
        Assert.Equal("ORDER_FILL", fill.Type);
        Assert.Equal(create.Id, fill.OrderID);
        Assert.Equal("c-1", fill.ClientOrderID);
        Assert.Equal("1000", fill.Units);
        Assert.Equal("1.085", fill.TradeOpened!.Price);
        Assert.Equal("1.085", fill.Commission); // the exchange's 0.1 % fee
        Assert.Null(body.OrderCancelTransaction);
        Assert.Equal([create.Id!, fill.Id!], body.RelatedTransactionIDs);
        Assert.Equal(fill.Id, body.LastTransactionID);
        Assert.Equal("c-1", order.ClientOrderId);
    }

    [Fact]
    public async Task Answers_are_json_with_a_request_id()
    {
        using var response = await _http.GetAsync(OandaKit.Path("summary"));

        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.True(response.Headers.Contains("RequestID"));
    }

    [Fact]
    public async Task A_sell_is_negative_units()
    {
        var (_, body) = await OandaKit.ReadAsync(await Post("""{"type":"MARKET","instrument":"EUR_USD","units":"-1000"}"""));

        Assert.Equal("-1000", body.OrderFillTransaction!.Units);
        Assert.Equal(-1000m, _fake.Exchange.Holdings(OandaKit.AccountId).Positions["EUR_USD"].Quantity);
    }

    [Fact]
    public async Task A_market_order_without_a_price_is_cancelled_as_a_halted_market()
    {
        _fake.Exchange.SetPrice("EUR_USD", 0m);

        var (status, body) = await OandaKit.ReadAsync(await Post("""{"type":"MARKET","instrument":"EUR_USD","units":"1000"}"""));

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Null(body.OrderFillTransaction);
        Assert.Equal("MARKET_HALTED", body.OrderCancelTransaction!.Reason);
        Assert.Equal(body.OrderCreateTransaction!.Id, body.OrderCancelTransaction.OrderID);
    }

    [Fact]
    public async Task A_limit_order_rests_with_only_its_create_transaction()
    {
        var (status, body) = await OandaKit.ReadAsync(await Post("""{"type":"LIMIT","instrument":"EUR_USD","units":"1000","price":"1.05","timeInForce":"GTC"}"""));

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("LIMIT_ORDER", body.OrderCreateTransaction!.Type);
        Assert.Equal("1.05", body.OrderCreateTransaction.Price);
        Assert.Null(body.OrderFillTransaction);
        Assert.Null(body.OrderCancelTransaction);
        Assert.Equal(FakeOrderState.Open, Assert.Single(_fake.Exchange.Orders(OandaKit.AccountId)).State);
    }

    [Fact]
    public async Task A_client_id_held_by_a_pending_order_is_refused_as_oanda_does()
    {
        const string order = """{"type":"LIMIT","instrument":"EUR_USD","units":"1000","price":"1.05","clientExtensions":{"id":"dup-1"}}""";
        await Post(order);

        var (status, body) = await OandaKit.ReadAsync(await Post(order));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("CLIENT_ORDER_ID_ALREADY_EXISTS", body.ErrorCode);
        Assert.Equal("CLIENT_ORDER_ID_ALREADY_EXISTS", body.OrderRejectTransaction!.RejectReason);
        Assert.Equal("LIMIT_ORDER_REJECT", body.OrderRejectTransaction.Type);
        Assert.Single(_fake.Exchange.Orders(OandaKit.AccountId));
    }

    [Fact]
    public async Task A_filled_orders_client_id_is_taken_again_so_a_blind_second_placement_doubles()
    {
        const string order = """{"type":"MARKET","instrument":"EUR_USD","units":"1000","clientExtensions":{"id":"again-1"}}""";

        var first = await OandaKit.ReadAsync(await Post(order));
        var second = await OandaKit.ReadAsync(await Post(order));

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal(HttpStatusCode.Created, second.Status);
        Assert.NotEqual(first.Body.OrderCreateTransaction!.Id, second.Body.OrderCreateTransaction!.Id);
        Assert.Equal(2, _fake.Exchange.Orders(OandaKit.AccountId).Count);
        Assert.Equal(2000m, _fake.Exchange.Holdings(OandaKit.AccountId).Positions["EUR_USD"].Quantity);
        // The look-up by client id answers the newest.
        Assert.Equal(second.Body.OrderCreateTransaction.Id, (await Get("orders/@again-1")).Body.Order!.Id);
    }

    [Fact]
    public async Task A_cancelled_orders_client_id_is_taken_again()
    {
        const string order = """{"type":"LIMIT","instrument":"EUR_USD","units":"1000","price":"1.05","clientExtensions":{"id":"again-2"}}""";
        await Post(order);
        await _http.PutAsync(OandaKit.Path("orders/@again-2/cancel"), null);

        var (status, _) = await OandaKit.ReadAsync(await Post(order));

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(2, _fake.Exchange.Orders(OandaKit.AccountId).Count);
    }

    [Fact]
    public async Task An_order_beyond_the_balance_is_refused_for_insufficient_margin()
    {
        var (status, body) = await OandaKit.ReadAsync(await Post("""{"type":"MARKET","instrument":"EUR_USD","units":"100000"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("INSUFFICIENT_MARGIN", body.ErrorCode);
        Assert.Equal("INSUFFICIENT_MARGIN", body.OrderRejectTransaction!.RejectReason);
        Assert.Equal("MARKET_ORDER_REJECT", body.OrderRejectTransaction.Type);
        Assert.False(string.IsNullOrEmpty(body.ErrorMessage));
        Assert.Equal([body.OrderRejectTransaction.Id!], body.RelatedTransactionIDs);
        Assert.Empty(_fake.Exchange.Orders(OandaKit.AccountId));
    }

    [Fact]
    public async Task Reducing_a_position_needs_no_margin()
    {
        await Post("""{"type":"MARKET","instrument":"EUR_USD","units":"90000"}""");

        var (status, _) = await OandaKit.ReadAsync(await Post("""{"type":"MARKET","instrument":"EUR_USD","units":"-90000"}"""));

        Assert.Equal(HttpStatusCode.Created, status);
    }

    [Theory]
    [InlineData("""{"type":"MARKET","units":"1000"}""", "INSTRUMENT_MISSING")]
    [InlineData("""{"type":"MARKET","instrument":"EUR_GBP","units":"1000"}""", "INSTRUMENT_UNKNOWN")]
    [InlineData("""{"type":"MARKET","instrument":"EUR_USD"}""", "UNITS_MISSING")]
    [InlineData("""{"type":"MARKET","instrument":"EUR_USD","units":"0"}""", "UNITS_INVALID")]
    [InlineData("""{"type":"MARKET","instrument":"EUR_USD","units":"ten"}""", "UNITS_INVALID")]
    [InlineData("""{"type":"MARKET","instrument":"EUR_USD","units":"10.5"}""", "UNITS_PRECISION_EXCEEDED")]
    [InlineData("""{"type":"MARKET","instrument":"EUR_USD","units":"200000000"}""", "UNITS_LIMIT_EXCEEDED")]
    [InlineData("""{"type":"MARKET","instrument":"EUR_USD","units":"1000","timeInForce":"GTC"}""", "TIME_IN_FORCE_INVALID")]
    [InlineData("""{"type":"LIMIT","instrument":"EUR_USD","units":"1000","price":"1.05","timeInForce":"FOK"}""", "TIME_IN_FORCE_INVALID")]
    [InlineData("""{"type":"LIMIT","instrument":"EUR_USD","units":"1000"}""", "PRICE_MISSING")]
    [InlineData("""{"type":"LIMIT","instrument":"EUR_USD","units":"1000","price":"cheap"}""", "PRICE_INVALID")]
    [InlineData("""{"type":"LIMIT","instrument":"EUR_USD","units":"1000","price":"0"}""", "PRICE_INVALID")]
    [InlineData("""{"type":"LIMIT","instrument":"EUR_USD","units":"1000","price":"1.050001"}""", "PRICE_PRECISION_EXCEEDED")]
    [InlineData("""{"type":"LIMIT","instrument":"USD_JPY","units":"1000","price":"150.0001"}""", "PRICE_PRECISION_EXCEEDED")]
    [InlineData("""{"type":"MARKET","instrument":"EUR_USD","units":"1000","clientExtensions":{"id":""}}""", "CLIENT_ORDER_ID_INVALID")]
    public async Task An_invalid_order_is_rejected_with_oandas_reason(string order, string reason)
    {
        var (status, body) = await OandaKit.ReadAsync(await Post(order));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(reason, body.OrderRejectTransaction!.RejectReason);
        Assert.Equal(reason, body.ErrorCode);
        Assert.Empty(_fake.Exchange.Orders(OandaKit.AccountId));
    }

    [Fact]
    public async Task A_minimum_trade_size_is_enforced()
    {
        var rules = OandaFakeOptions.DefaultInstruments[0] with { MinimumTradeSize = "100" };
        await using var fake = await OandaKit.StartAsync(new OandaFakeOptions { Instruments = [rules] });
        using var http = OandaKit.Http(fake.BaseUrl);

        var (_, body) = await OandaKit.ReadAsync(await OandaKit.PostOrderAsync(http, """{"type":"MARKET","instrument":"EUR_USD","units":"99"}"""));

        Assert.Equal("UNITS_MIMIMUM_NOT_MET", body.ErrorCode); // sic: OANDA's spelling
    }

    [Theory]
    [InlineData("""{"type":"STOP","instrument":"EUR_USD","units":"1000"}""")]
    [InlineData("""{"instrument":"EUR_USD","units":"1000"}""")]
    public async Task An_order_the_fake_does_not_take_is_a_bad_request_without_a_transaction(string order)
    {
        var (status, body) = await OandaKit.ReadAsync(await Post(order));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("Invalid value specified for 'order'", body.ErrorMessage);
        Assert.Null(body.OrderRejectTransaction);
    }

    [Fact]
    public async Task A_body_that_is_not_an_order_is_a_bad_request()
    {
        using var response = await _http.PostAsync(OandaKit.Path("orders"), new StringContent("{{{", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    // ---- looking up

    [Fact]
    public async Task An_unknown_order_is_oandas_404()
    {
        var (status, body) = await Get("orders/@nobody");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("ORDER_DOESNT_EXIST", body.ErrorCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Get("orders/424242")).Status);
    }

    [Fact]
    public async Task A_filled_order_is_found_by_client_id_and_id_and_its_fill_by_transaction()
    {
        var placed = (await OandaKit.ReadAsync(await Post("""{"type":"MARKET","instrument":"EUR_USD","units":"1000","clientExtensions":{"id":"f-1"}}"""))).Body;

        var byClient = (await Get("orders/@f-1")).Body.Order!;
        var byId = (await Get("orders/" + placed.OrderCreateTransaction!.Id)).Body.Order!;
        var (status, fill) = await Get("transactions/" + byClient.FillingTransactionID);

        Assert.Equal(byClient, byId);
        Assert.Equal("FILLED", byClient.State);
        Assert.Equal("MARKET", byClient.Type);
        Assert.Equal("f-1", byClient.ClientExtensions!.Id);
        Assert.Equal(placed.OrderFillTransaction!.Id, byClient.FillingTransactionID);
        Assert.Equal(byClient.FillingTransactionID, byClient.TradeOpenedID);
        Assert.NotNull(byClient.FilledTime);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(placed.OrderFillTransaction, fill.Transaction);
        Assert.Equal(HttpStatusCode.NotFound, (await Get("transactions/999")).Status);
    }

    [Fact]
    public async Task A_limit_filled_by_the_market_shows_its_fill_at_the_next_request()
    {
        await Post("""{"type":"LIMIT","instrument":"EUR_USD","units":"1000","price":"1.05","clientExtensions":{"id":"l-1"}}""");
        Assert.Equal("PENDING", (await Get("orders/@l-1")).Body.Order!.State);

        _fake.Exchange.SetPrice("EUR_USD", 1.04m);
        var order = (await Get("orders/@l-1")).Body.Order!;
        var fill = (await Get("transactions/" + order.FillingTransactionID)).Body.Transaction!;

        Assert.Equal("FILLED", order.State);
        Assert.Equal("1.05", order.Price);
        Assert.Equal("DEFAULT", order.TriggerCondition);
        Assert.Equal("1.05", fill.TradeOpened!.Price);
        Assert.Equal("LIMIT_ORDER", fill.Reason);
        Assert.Equal("1000", fill.Units);
    }

    [Fact]
    public async Task A_partial_fill_ends_the_order_and_reissues_the_rest_under_the_same_client_id()
    {
        var first = (await OandaKit.ReadAsync(await Post("""{"type":"LIMIT","instrument":"EUR_USD","units":"-3000","price":"1.1","clientExtensions":{"id":"p-1"}}"""))).Body.OrderCreateTransaction!.Id!;

        _fake.Exchange.SetPrice("EUR_USD", 1.1m, liquidity: 1000m);
        var reissued = (await Get("orders/@p-1")).Body.Order!;
        var original = (await Get("orders/" + first)).Body.Order!;
        var reissue = (await Get("transactions/" + reissued.Id)).Body.Transaction!;

        Assert.Equal("FILLED", original.State);
        Assert.Equal("-3000", original.Units);
        Assert.Equal(reissued.Id, original.ReplacedByOrderID);
        Assert.Equal("PENDING", reissued.State);
        Assert.Equal("-2000", reissued.Units);
        Assert.Equal(first, reissued.ReplacesOrderID);
        Assert.Equal("p-1", reissued.ClientExtensions!.Id);
        Assert.Equal("REPLACEMENT", reissue.Reason);
        Assert.Equal("-1000", (await Get("transactions/" + original.FillingTransactionID)).Body.Transaction!.Units);
        var pending = Assert.Single((await Get("pendingOrders")).Body.Orders!);
        Assert.Equal(reissued.Id, pending.Id);
    }

    [Fact]
    public async Task A_pending_order_is_cancelled_once_and_then_no_longer_exists_for_cancelling()
    {
        await Post("""{"type":"LIMIT","instrument":"EUR_USD","units":"1000","price":"1.05","clientExtensions":{"id":"x-1"}}""");

        var (status, body) = await OandaKit.ReadAsync(await _http.PutAsync(OandaKit.Path("orders/@x-1/cancel"), null));
        var (again, refused) = await OandaKit.ReadAsync(await _http.PutAsync(OandaKit.Path("orders/@x-1/cancel"), null));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("CLIENT_REQUEST", body.OrderCancelTransaction!.Reason);
        Assert.Equal("x-1", body.OrderCancelTransaction.ClientOrderID);
        Assert.Equal(HttpStatusCode.NotFound, again);
        Assert.Equal("ORDER_DOESNT_EXIST", refused.OrderCancelRejectTransaction!.RejectReason);
        Assert.Equal("ORDER_DOESNT_EXIST", refused.ErrorCode);
        var order = (await Get("orders/@x-1")).Body.Order!;
        Assert.Equal("CANCELLED", order.State);
        Assert.Equal(body.OrderCancelTransaction.Id, order.CancellingTransactionID);
        Assert.NotNull(order.CancelledTime);
        Assert.Empty((await Get("pendingOrders")).Body.Orders!);
    }

    [Fact]
    public async Task Cancelling_an_unknown_order_is_oandas_404()
    {
        var (status, body) = await OandaKit.ReadAsync(await _http.PutAsync(OandaKit.Path("orders/@nobody/cancel"), null));

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("ORDER_CANCEL_REJECT", body.OrderCancelRejectTransaction!.Type);
        Assert.Equal("ORDER_DOESNT_EXIST", body.OrderCancelRejectTransaction.RejectReason);
    }

    // ---- the account

    [Fact]
    public async Task The_summary_and_positions_are_the_exchanges()
    {
        await Post("""{"type":"MARKET","instrument":"EUR_USD","units":"1000"}""");
        await Post("""{"type":"MARKET","instrument":"USD_JPY","units":"-10"}""");
        await Post("""{"type":"LIMIT","instrument":"EUR_USD","units":"1000","price":"1.05"}""");
        _fake.Exchange.SetPrice("EUR_USD", 1.095m);

        var account = (await Get("summary")).Body.Account!;
        var positions = (await Get("openPositions")).Body.Positions!;
        var holdings = _fake.Exchange.Holdings(OandaKit.AccountId);

        Assert.Equal(holdings.Cash, decimal.Parse(account.Balance!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("USD", account.Currency);
        Assert.Equal(holdings.Cash + 1000m * 1.095m - 10m * 151.25m, decimal.Parse(account.Nav!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("10", account.UnrealizedPL); // 1000 × (1.095 − 1.085)
        Assert.Equal(1, account.PendingOrderCount);
        Assert.Equal(2, account.OpenPositionCount);
        var eur = positions.Single(p => p.Instrument == "EUR_USD");
        Assert.Equal("1000", eur.Long!.Units);
        Assert.Equal("1.085", eur.Long.AveragePrice);
        Assert.Equal("0", eur.Short!.Units);
        Assert.NotEmpty(eur.Long.TradeIDs!);
        var jpy = positions.Single(p => p.Instrument == "USD_JPY");
        Assert.Equal("-10", jpy.Short!.Units);
        Assert.Equal("0", jpy.Long!.Units);
    }

    [Fact]
    public async Task Instruments_are_listed_filtered_and_an_unknown_name_is_not_listed()
    {
        var all = (await Get("instruments")).Body.Instruments!;
        var eur = Assert.Single((await Get("instruments?instruments=EUR_USD")).Body.Instruments!);
        var none = (await Get("instruments?instruments=EUR_GBP")).Body.Instruments!;
        var (status, bad) = await Get("instruments?instruments=NOSUCH");

        Assert.Equal(["EUR_USD", "USD_JPY"], all.Select(i => i.Name));
        Assert.Equal(5, eur.DisplayPrecision);
        Assert.Equal(0, eur.TradeUnitsPrecision);
        Assert.Equal(-4, eur.PipLocation);
        Assert.Equal("1", eur.MinimumTradeSize);
        Assert.Empty(none);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("Invalid value specified for 'instruments'", bad.ErrorMessage);
    }

    [Fact]
    public async Task An_unknown_path_is_a_404_in_oandas_shape()
    {
        var (status, body) = await OandaKit.ReadAsync(await _http.GetAsync("v3/nothing"));

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.NotNull(body.ErrorMessage);
    }

    [Fact]
    public async Task The_fake_runs_on_a_fixed_port_as_well()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var fake = new OandaFake(new FakeExchange(TimeProvider.System));
        fake.SeedAccount(OandaKit.AccountId, OandaKit.Token, "unused");

        await fake.StartAsync(port);
        using var http = OandaKit.Http(fake.BaseUrl);

        Assert.Equal(port, fake.BaseUrl.Port);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(OandaKit.Path("summary"))).StatusCode);
        Assert.Equal("oanda", fake.Venue);
    }

    // ---- faults

    [Fact]
    public async Task A_failure_is_oandas_500_and_does_nothing()
    {
        _fake.Faults.Set(FakeFaultKind.Fail, times: 1);

        var (status, body) = await OandaKit.ReadAsync(await Post("""{"type":"MARKET","instrument":"EUR_USD","units":"1000"}"""));

        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.NotNull(body.ErrorMessage);
        Assert.Empty(_fake.Exchange.Orders(OandaKit.AccountId));
    }

    [Fact]
    public async Task Without_aiming_a_fault_on_a_look_up_stays_on_the_look_up()
    {
        _fake.Faults.Set(FakeFaultKind.Fail, times: 1);
        await _http.GetAsync(OandaKit.Path("orders/@aim-0"));

        var (status, _) = await OandaKit.ReadAsync(await Post("""{"type":"MARKET","instrument":"EUR_USD","units":"1000","clientExtensions":{"id":"aim-0"}}"""));

        Assert.Equal(HttpStatusCode.Created, status);
    }

    [Fact]
    public async Task An_aimed_failure_that_met_the_look_up_fails_the_order_request_for_that_id()
    {
        await using var fake = await OandaKit.StartAsync(new OandaFakeOptions { AimFaultsAtOrders = true });
        using var http = OandaKit.Http(fake.BaseUrl);
        fake.Faults.Set(FakeFaultKind.Fail, times: 1);

        var lookup = await http.GetAsync(OandaKit.Path("orders/@aim-1"));
        var other = await OandaKit.ReadAsync(await OandaKit.PostOrderAsync(http, """{"type":"MARKET","instrument":"EUR_USD","units":"1000","clientExtensions":{"id":"aim-2"}}"""));
        var aimed = await OandaKit.ReadAsync(await OandaKit.PostOrderAsync(http, """{"type":"MARKET","instrument":"EUR_USD","units":"1000","clientExtensions":{"id":"aim-1"}}"""));
        var again = await OandaKit.ReadAsync(await OandaKit.PostOrderAsync(http, """{"type":"MARKET","instrument":"EUR_USD","units":"1000","clientExtensions":{"id":"aim-1"}}"""));

        Assert.Equal(HttpStatusCode.InternalServerError, lookup.StatusCode);
        Assert.Equal(HttpStatusCode.Created, other.Status);
        Assert.Equal(HttpStatusCode.InternalServerError, aimed.Status);
        Assert.Equal(HttpStatusCode.Created, again.Status); // once
        Assert.Equal(2, fake.Exchange.Orders(OandaKit.AccountId).Count);
    }

    [Fact]
    public async Task An_aimed_drop_that_met_the_look_up_takes_the_order_and_drops_its_answer()
    {
        await using var fake = await OandaKit.StartAsync(new OandaFakeOptions { AimFaultsAtOrders = true });
        using var http = OandaKit.Http(fake.BaseUrl);
        fake.Faults.Set(FakeFaultKind.DropAfterAccept, times: 1);

        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(OandaKit.Path("orders/@aim-3")));
        await Assert.ThrowsAsync<HttpRequestException>(() => OandaKit.PostOrderAsync(http, """{"type":"MARKET","instrument":"EUR_USD","units":"1000","clientExtensions":{"id":"aim-3"}}"""));

        Assert.Equal(FakeOrderState.Filled, Assert.Single(fake.Exchange.Orders(OandaKit.AccountId)).State);
    }
}
