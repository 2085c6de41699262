using System.Text.Json;
using TradingActors.Brokers.Bybit;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Tests.Venues.Bybit;

/// <summary>The venue's shapes: order bodies, order records read into results (status, cumulative fill), numbers, times, instrument rules.</summary>
public sealed class BybitWireTests
{
    private static OrderIntent Intent(OrderType type = OrderType.Market, decimal? limit = null, OrderSide side = OrderSide.Buy) =>
        new("cid-0123456789abcdef0123456789ab", "acct-1", "strategy:s1", 1, "BTCUSDT", side, 0.0100m, 50_000m, type, limit);

    // ---- order bodies

    [Fact]
    public void A_linear_market_order_is_sent_without_price_or_time_in_force() =>
        Assert.Equal("""{"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Market","qty":"0.01","orderLinkId":"cid-0123456789abcdef0123456789ab"}""",
            JsonSerializer.Serialize(BybitWire.CreateOrder("linear", Intent()), BybitWire.Json));

    [Fact]
    public void A_limit_order_is_good_till_cancelled_at_its_price() =>
        Assert.Equal("""{"category":"linear","symbol":"BTCUSDT","side":"Sell","orderType":"Limit","qty":"0.01","price":"45000.5","timeInForce":"GTC","orderLinkId":"cid-0123456789abcdef0123456789ab"}""",
            JsonSerializer.Serialize(BybitWire.CreateOrder("linear", Intent(OrderType.Limit, 45_000.50m, OrderSide.Sell)), BybitWire.Json));

    [Fact]
    public void A_spot_market_order_counts_its_quantity_in_the_base_coin()
    {
        Assert.Equal("baseCoin", BybitWire.CreateOrder("spot", Intent()).MarketUnit);
        Assert.Null(BybitWire.CreateOrder("spot", Intent(OrderType.Limit, 45_000m)).MarketUnit);
        Assert.Null(BybitWire.CreateOrder("linear", Intent()).MarketUnit);
    }

    [Fact]
    public void A_limit_order_needs_its_price()
    {
        Assert.StartsWith("a limit order needs a limit price", Assert.Throws<ArgumentException>(() => BybitWire.CreateOrder("linear", Intent(OrderType.Limit))).Message);
        Assert.Throws<ArgumentNullException>(() => BybitWire.CreateOrder("linear", null!));
    }

    // ---- numbers and times

    [Theory]
    [InlineData("0.0100", "0.01")]
    [InlineData("50000", "50000")]
    [InlineData("50000.000", "50000")]
    [InlineData("0.000001", "0.000001")]
    [InlineData("-1.5", "-1.5")]
    public void Numbers_are_written_plain_and_invariant(string value, string expected) =>
        Assert.Equal(expected, BybitWire.Number(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("0", "0")]
    [InlineData("1,000.5", "1000.5")]
    [InlineData("27464.50441675", "27464.50441675")]
    public void Venue_numbers_are_read_and_blank_is_none(string? text, string? expected) =>
        Assert.Equal(expected is null ? null : decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), BybitWire.ParseNumber(text));

    [Fact]
    public void Venue_times_are_milliseconds()
    {
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1684738540559), BybitWire.ParseMillis("1684738540559"));
        Assert.Null(BybitWire.ParseMillis(""));
        Assert.Null(BybitWire.ParseMillis(null));
    }

    [Fact]
    public void The_server_time_is_read_to_the_finest_field_given()
    {
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1688639403423).AddTicks(2132), BybitWire.ServerTime(new ServerTimeResult("1688639403", "1688639403423213247")));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1688639403), BybitWire.ServerTime(new ServerTimeResult("1688639403", "")));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1688639403), BybitWire.ServerTime(new ServerTimeResult("1688639403", null)));
        Assert.Null(BybitWire.ServerTime(new ServerTimeResult("", null)));
        Assert.Null(BybitWire.ServerTime(new ServerTimeResult(null, null)));
        Assert.Throws<ArgumentNullException>(() => BybitWire.ServerTime(null!));
    }

    [Theory]
    [InlineData(OrderSide.Buy, "Buy")]
    [InlineData(OrderSide.Sell, "Sell")]
    public void Sides_are_the_venues_words(OrderSide side, string word)
    {
        Assert.Equal(word, BybitWire.Side(side));
        Assert.Equal(side, BybitWire.ParseSide(word));
    }

    [Theory]
    [InlineData("")]
    [InlineData("buy")]
    [InlineData(null)]
    public void An_unknown_side_is_none(string? word) => Assert.Null(BybitWire.ParseSide(word));

    // ---- order records

    private static OrderRecord Order(string status, string cumExecQty = "0", string avgPrice = "", string cumExecValue = "0", string orderType = "Limit",
        string? orderLinkId = "cid", string? updated = "1684738540561", string? created = "1684738540559", string side = "Buy") =>
        new("oid-1", orderLinkId, "BTCUSDT", "45000.0", "0.020", side, status, "EC_NoError", avgPrice, "0", cumExecQty, cumExecValue, "0.45", "GTC", orderType, created, updated);

    [Theory]
    [InlineData("Created", "0", BrokerOrderStatus.Accepted)]
    [InlineData("New", "0", BrokerOrderStatus.Accepted)]
    [InlineData("Untriggered", "0", BrokerOrderStatus.Accepted)]
    [InlineData("Triggered", "0", BrokerOrderStatus.Accepted)]
    [InlineData("New", "0.010", BrokerOrderStatus.PartiallyFilled)]
    [InlineData("PartiallyFilled", "0.010", BrokerOrderStatus.PartiallyFilled)]
    [InlineData("Filled", "0.020", BrokerOrderStatus.Filled)]
    [InlineData("Cancelled", "0", BrokerOrderStatus.Cancelled)]
    [InlineData("PartiallyFilledCanceled", "0.010", BrokerOrderStatus.Cancelled)]
    [InlineData("Deactivated", "0", BrokerOrderStatus.Cancelled)]
    [InlineData("Rejected", "0", BrokerOrderStatus.Cancelled)]
    public void Every_order_status_has_its_meaning(string status, string executed, BrokerOrderStatus expected)
    {
        var result = BybitWire.ToResult(Order(status, executed, executed == "0" ? "" : "45000"), "fallback");

        Assert.Equal(expected, result.Status);
        Assert.Equal(executed == "0", result.Fill is null);
    }

    [Fact]
    public void An_unknown_status_is_not_guessed() =>
        Assert.Equal("bybit: order oid-1 has a status this connector does not know (Unheard)",
            Assert.Throws<VenueOutcomeUnknownException>(() => BybitWire.ToResult(Order("Unheard"), "fallback")).Message);

    [Fact]
    public void The_fill_is_cumulative_with_its_average_price_fee_order_and_time()
    {
        var result = BybitWire.ToResult(Order("PartiallyFilledCanceled", "0.010", "45000.5", "450.005"), "fallback");

        Assert.Equal(new Fill(0.010m, 45_000.5m, 0.45m, "oid-1", DateTimeOffset.FromUnixTimeMilliseconds(1684738540561)), result.Fill);
        Assert.Equal("oid-1", result.VenueOrderId);
        Assert.Equal("cid", result.ClientOrderId);
        Assert.Equal("BTCUSDT", result.Symbol);
        Assert.Equal(OrderSide.Buy, result.Side);
        Assert.Equal(0.02m, result.Quantity);
        Assert.Equal(45_000m, result.LimitPrice);
        Assert.Null(result.RejectReason);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    public void Without_an_average_the_executed_value_over_quantity_is_the_price(string avgPrice) =>
        Assert.Equal(45_000.25m, BybitWire.ToResult(Order("PartiallyFilledCanceled", "0.02", avgPrice, "900.005"), "f").Fill!.Price);

    [Fact]
    public void Without_any_value_the_price_is_zero_rather_than_a_guess() =>
        Assert.Equal(0m, BybitWire.ToResult(Order("Filled", "0.02", "", ""), "f").Fill!.Price);

    [Fact]
    public void The_fill_time_falls_back_to_creation_then_the_epoch()
    {
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1684738540559), BybitWire.ToResult(Order("Filled", "0.02", "1", updated: ""), "f").Fill!.Time);
        Assert.Equal(DateTimeOffset.UnixEpoch, BybitWire.ToResult(Order("Filled", "0.02", "1", updated: null, created: null), "f").Fill!.Time);
    }

    [Fact]
    public void An_order_without_fee_field_has_no_fee()
    {
        var order = Order("Filled", "0.02", "1") with { CumExecFee = "" };

        Assert.Equal(0m, BybitWire.ToResult(order, "f").Fill!.Fee);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void An_order_without_link_id_keeps_the_lookups_id(string? orderLinkId) =>
        Assert.Equal("fallback", BybitWire.ToResult(Order("New", orderLinkId: orderLinkId), "fallback").ClientOrderId);

    [Fact]
    public void A_market_order_has_no_limit_price_and_a_sell_is_a_sell()
    {
        var result = BybitWire.ToResult(Order("Filled", "0.02", "50000", orderType: "Market", side: "Sell"), "f");

        Assert.Null(result.LimitPrice);
        Assert.Equal(OrderSide.Sell, result.Side);
    }

    [Fact]
    public void An_order_rejected_after_it_was_taken_keeps_the_venues_reason()
    {
        Assert.Equal("EC_PostOnlyWillTakeLiquidity", BybitWire.ToResult(Order("Rejected") with { RejectReason = "EC_PostOnlyWillTakeLiquidity" }, "f").RejectReason);
        Assert.Null(BybitWire.ToResult(Order("Cancelled") with { RejectReason = "EC_PerCancelRequest" }, "f").RejectReason);
        Assert.Throws<ArgumentNullException>(() => BybitWire.ToResult(null!, "f"));
    }

    [Fact]
    public void The_docs_open_order_example_reads()
    {
        const string json = """
            {"orderId":"fd4300ae-7847-404e-b947-b46980a4d140","orderLinkId":"test-000005","blockTradeId":"","symbol":"ETHUSDT","price":"1600.00","qty":"0.10","side":"Buy",
             "isLeverage":"","positionIdx":1,"orderStatus":"New","cancelType":"UNKNOWN","rejectReason":"EC_NoError","avgPrice":"0","leavesQty":"0.10","leavesValue":"160",
             "cumExecQty":"0.00","cumExecValue":"0","cumExecFee":"0","timeInForce":"GTC","orderType":"Limit","stopOrderType":"UNKNOWN","orderIv":"","triggerPrice":"0.00",
             "takeProfit":"2500.00","stopLoss":"1500.00","tpTriggerBy":"LastPrice","slTriggerBy":"LastPrice","triggerDirection":0,"triggerBy":"UNKNOWN","lastPriceOnCreated":"",
             "reduceOnly":false,"closeOnTrigger":false,"smpType":"None","smpGroup":0,"smpOrderId":"","tpslMode":"Full","tpLimitPrice":"","slLimitPrice":"","placeType":"",
             "createdTime":"1684738540559","updatedTime":"1684738540561"}
            """;

        var result = BybitWire.ToResult(JsonSerializer.Deserialize<OrderRecord>(json, BybitWire.Json)!, "f");

        Assert.Equal(BrokerOrderStatus.Accepted, result.Status);
        Assert.Equal("test-000005", result.ClientOrderId);
        Assert.Equal("fd4300ae-7847-404e-b947-b46980a4d140", result.VenueOrderId);
        Assert.Equal(1600m, result.LimitPrice);
        Assert.Equal(0.1m, result.Quantity);
        Assert.Null(result.Fill);
    }

    // ---- instruments

    private static InstrumentRecord Linear(LotSizeFilter? lot = null, PriceFilter? price = null) =>
        new("BTCUSDT", "Trading", "BTC", "USDT", lot ?? new LotSizeFilter("0.001", "0.002", "1190", "5"), price ?? new PriceFilter("0.10"));

    [Fact]
    public void Linear_rules_are_qty_step_tick_minimum_quantity_and_minimum_notional() =>
        Assert.Equal(new TradingActors.Domain.Market.Instrument("BTCUSDT", 0.001m, 0.1m, 0.002m, 5m), BybitInstruments.ToInstrument(Linear(), spot: false));

    [Fact]
    public void Spot_rules_are_base_precision_tick_minimum_quantity_and_minimum_amount()
    {
        var spot = new InstrumentRecord("BTCUSDT", "Trading", "BTC", "USDT",
            new LotSizeFilter(MinOrderQty: "0.000048", BasePrecision: "0.000001", MinOrderAmt: "1", QtyStep: "9", MinNotionalValue: "9"), new PriceFilter("0.01"));

        Assert.Equal(new TradingActors.Domain.Market.Instrument("BTCUSDT", 0.000001m, 0.01m, 0.000048m, 1m), BybitInstruments.ToInstrument(spot, spot: true));
    }

    [Fact]
    public void Missing_minimums_default_to_one_step_and_no_notional() =>
        Assert.Equal(new TradingActors.Domain.Market.Instrument("BTCUSDT", 0.001m, 0.1m, 0.001m, 0m), BybitInstruments.ToInstrument(Linear(new LotSizeFilter("0.001")), spot: false));

    [Fact]
    public void Rules_the_engine_needs_must_be_there()
    {
        Assert.Equal("bybit: the rules of BTCUSDT lack lotSizeFilter", Assert.Throws<VenueOutcomeUnknownException>(() => BybitInstruments.ToInstrument(Linear() with { LotSizeFilter = null }, false)).Message);
        Assert.Equal("bybit: the rules of BTCUSDT lack priceFilter.tickSize", Assert.Throws<VenueOutcomeUnknownException>(() => BybitInstruments.ToInstrument(Linear() with { PriceFilter = null }, false)).Message);
        Assert.Throws<VenueOutcomeUnknownException>(() => BybitInstruments.ToInstrument(Linear(price: new PriceFilter("")), false));
        Assert.Throws<VenueOutcomeUnknownException>(() => BybitInstruments.ToInstrument(Linear(new LotSizeFilter(MinOrderQty: "1")), false));
        var e = Assert.Throws<VenueOutcomeUnknownException>(() => BybitInstruments.ToInstrument(Linear(new LotSizeFilter("0.001")), true));
        Assert.Contains("basePrecision", e.Message);
        Assert.Contains("BTCUSDT", e.Message);
        Assert.Contains("qtyStep", Assert.Throws<VenueOutcomeUnknownException>(() => BybitInstruments.ToInstrument(Linear(new LotSizeFilter(BasePrecision: "1")), false)).Message);
        Assert.Throws<ArgumentNullException>(() => BybitInstruments.ToInstrument(null!, false));
    }

    [Fact]
    public void A_symbol_is_found_in_its_page_or_is_not_listed()
    {
        var page = new BybitPage<InstrumentRecord>("linear", [Linear() with { Symbol = "ETHUSDT" }, Linear()], "");

        Assert.Equal("BTCUSDT", BybitInstruments.Find(page, "BTCUSDT", false)!.Symbol);
        Assert.Null(BybitInstruments.Find(page, "btcusdt", false));
        Assert.Null(BybitInstruments.Find(page with { List = [] }, "BTCUSDT", false));
        Assert.Null(BybitInstruments.Find(page with { List = null }, "BTCUSDT", false));
        Assert.Throws<ArgumentNullException>(() => BybitInstruments.Find(null!, "BTCUSDT", false));
    }

    [Fact]
    public void The_docs_linear_instrument_example_reads()
    {
        const string json = """
            {"category":"linear","list":[{"symbol":"BTCUSDT","symbolId":5,"contractType":"LinearPerpetual","status":"Trading","baseCoin":"BTC","quoteCoin":"USDT",
             "priceScale":"2","leverageFilter":{"minLeverage":"1","maxLeverage":"100.00","leverageStep":"0.01"},
             "priceFilter":{"minPrice":"0.10","maxPrice":"1999999.80","tickSize":"0.10"},
             "lotSizeFilter":{"maxOrderQty":"1190.000","minOrderQty":"0.001","qtyStep":"0.001","postOnlyMaxOrderQty":"1190.000","maxMktOrderQty":"500.000","minNotionalValue":"5"}}],
             "nextPageCursor":""}
            """;

        var rules = BybitInstruments.Find(JsonSerializer.Deserialize<BybitPage<InstrumentRecord>>(json, BybitWire.Json)!, "BTCUSDT", false);

        Assert.Equal(new TradingActors.Domain.Market.Instrument("BTCUSDT", 0.001m, 0.1m, 0.001m, 5m), rules);
    }

    [Fact]
    public void The_options_pick_mainnet_only_for_live_and_know_spot()
    {
        var options = new BybitOptions();

        Assert.Equal(new Uri("https://api.bybit.com/"), options.BaseUrl(live: true));
        Assert.Equal(new Uri("https://api-testnet.bybit.com/"), options.BaseUrl(live: false));
        Assert.False(options.IsSpot);
        Assert.True((options with { Category = "spot" }).IsSpot);
        Assert.Equal("linear", options.Category);
        Assert.Equal(5000, options.RecvWindowMs);
        Assert.Equal("USDT", options.SettleCoin);
        Assert.Equal("UNIFIED", options.AccountType);
        Assert.True(options.SyncServerTime);
    }
}
