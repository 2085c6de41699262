using TradingActors.Brokers.Http;
using TradingActors.Brokers.Oanda;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Tests.Venues.Oanda;

/// <summary>Every OANDA answer mapped into the outcome vocabulary: results, refusals, duplicates, unknowns.</summary>
public sealed class OandaErrorsTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly OrderIntent Intent = OandaKit.Market();

    private const string Create = """
        "orderCreateTransaction":{"id":"6356","time":"2026-03-02T12:00:00.000000000Z","type":"MARKET_ORDER","instrument":"EUR_USD","units":"1000","timeInForce":"FOK","positionFill":"DEFAULT","reason":"CLIENT_ORDER","clientExtensions":{"id":"c1"}}
        """;

    private const string Fill = """
        "orderFillTransaction":{"id":"6357","time":"2026-03-02T12:00:01.123456789Z","type":"ORDER_FILL","orderID":"6356","instrument":"EUR_USD","units":"1000","price":"9.99","fullVWAP":"8.88","commission":"1.5","financing":"-0.25","guaranteedExecutionFee":"0.1","tradeOpened":{"tradeID":"6357","units":"1000","price":"1.08500"}}
        """;

    private static readonly string PartFill = Fill.Replace("\"units\":\"1000\"", "\"units\":\"400\"");

    private static VenueResponse Answer(int status, string body, string? retryAfter = null) => OandaKit.Answer(status, body, retryAfter);

    // ---- placing: what OANDA took

    [Fact]
    public void A_fill_in_the_answer_is_a_filled_order_with_price_fee_and_time()
    {
        var result = OandaErrors.PlaceAnswer(Answer(201, "{" + Create + "," + Fill + "}"), Intent, Now);

        Assert.Equal(BrokerOrderStatus.Filled, result.Status);
        Assert.Equal(Intent.ClientOrderId, result.ClientOrderId);
        Assert.Equal("6356", result.VenueOrderId);
        Assert.Equal("EUR_USD", result.Symbol);
        Assert.Equal(OrderSide.Buy, result.Side);
        Assert.Equal(1000m, result.Quantity);
        Assert.Null(result.LimitPrice);
        Assert.Null(result.RejectReason);
        var fill = result.Fill!;
        Assert.Equal(1000m, fill.Quantity);
        Assert.Equal(1.085m, fill.Price); // the trade's price, not the deprecated top-level price or fullVWAP
        Assert.Equal(1.5m + 0.1m + 0.25m, fill.Fee); // commission and guaranteed fee, plus the financing paid
        Assert.Equal("6356", fill.VenueOrderId);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 12, 0, 1, TimeSpan.Zero).AddTicks(1234567), fill.Time);
    }

    [Fact]
    public void A_sell_is_read_from_negative_units_and_its_quantity_is_positive()
    {
        var body = "{" + Create.Replace("\"units\":\"1000\"", "\"units\":\"-1000\"") + "," + Fill.Replace("\"units\":\"1000\"", "\"units\":\"-1000\"") + "}";

        var result = OandaErrors.PlaceAnswer(Answer(201, body), Intent, Now);

        Assert.Equal(OrderSide.Sell, result.Side);
        Assert.Equal(1000m, result.Quantity);
        Assert.Equal(1000m, result.Fill!.Quantity);
        Assert.Equal(BrokerOrderStatus.Filled, result.Status);
    }

    [Fact]
    public void A_fill_that_reduced_closed_and_opened_trades_is_priced_at_their_average()
    {
        var fill = """
            "orderFillTransaction":{"id":"7","time":"2026-03-02T12:00:00Z","units":"-400","commission":"0","tradesClosed":[{"tradeID":"1","units":"-100","price":"1.1"},{"tradeID":"2","units":"-100","price":"1.2"}],"tradeReduced":{"tradeID":"3","units":"-100","price":"1.3"},"tradeOpened":{"tradeID":"7","units":"-100","price":"1.4"}}
            """;
        var body = "{" + Create.Replace("\"units\":\"1000\"", "\"units\":\"-400\"") + "," + fill + "}";

        var result = OandaErrors.PlaceAnswer(Answer(201, body), Intent, Now);

        Assert.Equal(400m, result.Fill!.Quantity);
        Assert.Equal(1.25m, result.Fill.Price);
        Assert.Equal(0m, result.Fill.Fee);
    }

    [Theory]
    [InlineData("\"price\":\"1.2\",\"fullVWAP\":\"1.3\"", "1.2")] // no trades: the top-level price
    [InlineData("\"fullVWAP\":\"1.3\"", "1.3")] // nor that: the VWAP
    public void A_fill_without_trades_falls_back_to_its_own_prices(string prices, string expected)
    {
        var body = "{" + Create + ",\"orderFillTransaction\":{\"id\":\"7\",\"time\":\"2026-03-02T12:00:00Z\",\"units\":\"1000\"," + prices + "}}";

        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), OandaErrors.PlaceAnswer(Answer(201, body), Intent, Now).Fill!.Price);
    }

    [Fact]
    public void A_cancel_in_the_answer_is_a_cancelled_order_with_the_venues_reason()
    {
        var body = "{" + Create + ",\"orderCancelTransaction\":{\"id\":\"6357\",\"type\":\"ORDER_CANCEL\",\"orderID\":\"6356\",\"reason\":\"MARKET_HALTED\"}}";

        var result = OandaErrors.PlaceAnswer(Answer(201, body), Intent, Now);

        Assert.Equal(BrokerOrderStatus.Cancelled, result.Status);
        Assert.Equal("MARKET_HALTED", result.RejectReason);
        Assert.Null(result.Fill);
        Assert.Equal("6356", result.VenueOrderId);
    }

    [Fact]
    public void A_part_filled_then_cancelled_keeps_the_part()
    {
        var body = "{" + Create + "," + PartFill
            + ",\"orderCancelTransaction\":{\"id\":\"6358\",\"reason\":\"INSUFFICIENT_LIQUIDITY\"}}";

        var result = OandaErrors.PlaceAnswer(Answer(201, body), Intent, Now);

        Assert.Equal(BrokerOrderStatus.Cancelled, result.Status);
        Assert.Equal(400m, result.Fill!.Quantity);
    }

    [Fact]
    public void A_part_filled_and_reissued_is_partially_filled()
    {
        var body = "{" + Create + "," + PartFill
            + ",\"orderReissueTransaction\":{\"id\":\"6358\",\"type\":\"LIMIT_ORDER\",\"units\":\"600\",\"replacesOrderID\":\"6356\"}}";

        var result = OandaErrors.PlaceAnswer(Answer(201, body), Intent, Now);

        Assert.Equal(BrokerOrderStatus.PartiallyFilled, result.Status);
        Assert.Equal(400m, result.Fill!.Quantity);
    }

    [Fact]
    public void A_limit_order_without_fill_or_cancel_is_accepted_with_its_limit()
    {
        var body = """{"orderCreateTransaction":{"id":"9","type":"LIMIT_ORDER","instrument":"EUR_USD","units":"1000","price":"1.05000","timeInForce":"GTC"},"lastTransactionID":"9"}""";

        var result = OandaErrors.PlaceAnswer(Answer(201, body), Intent, Now);

        Assert.Equal(BrokerOrderStatus.Accepted, result.Status);
        Assert.Null(result.Fill);
        Assert.Equal(1.05m, result.LimitPrice);
        Assert.Equal("9", result.VenueOrderId);
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("", "not JSON")]
    [InlineData("""{"lastTransactionID":"1"}""", "no orderCreateTransaction")]
    [InlineData("""{"orderCreateTransaction":{"units":"1000"}}""", "orderCreateTransaction has no id")]
    [InlineData("""{"orderCreateTransaction":{"id":"1"}}""", "'units' is missing")]
    [InlineData("""{"orderCreateTransaction":{"id":"1","units":"lots"}}""", "'units' is not a decimal")]
    [InlineData("""{"orderCreateTransaction":{"id":"1","type":"LIMIT_ORDER","units":"1","price":"cheap"}}""", "'price' is not a decimal")]
    [InlineData("""{"orderCreateTransaction":{"id":"1","units":"1000"},"orderFillTransaction":{"units":"1000","price":"1.1"}}""", "a fill without a time")]
    [InlineData("""{"orderCreateTransaction":{"id":"1","units":"1000"},"orderFillTransaction":{"time":"yesterday","units":"1000","price":"1.1"}}""", "'yesterday' is not an RFC 3339 time")]
    public void A_success_that_does_not_parse_is_unknown(string body, string why)
    {
        var e = Assert.Throws<VenueOutcomeUnknownException>(() => OandaErrors.PlaceAnswer(Answer(201, body), Intent, Now));

        Assert.Equal($"oanda POST /v3/accounts/101-004-1234567-001/orders: 201 answer does not parse ({why})", e.Message.Replace("oanda: ", ""));
    }

    [Theory]
    [InlineData("""{"units":"x"}""", "'units' is not a decimal")]
    [InlineData("""{"time":"2026-03-02T12:00:00Z"}""", "'units' is missing")]
    [InlineData("""{"time":"2026-03-02T12:00:00Z","units":"1","tradeOpened":{"price":"1"}}""", "'trade units' is missing")]
    [InlineData("""{"time":"2026-03-02T12:00:00Z","units":"1","tradeOpened":{"units":"1"}}""", "'trade price' is missing")]
    [InlineData("""{"time":"2026-03-02T12:00:00Z","units":"1","price":"x"}""", "'price' is not a decimal")]
    [InlineData("""{"time":"2026-03-02T12:00:00Z","units":"1"}""", "'fullVWAP' is missing")]
    [InlineData("""{"time":"2026-03-02T12:00:00Z","units":"1","price":"1","commission":"x"}""", "'commission' is not a decimal")]
    [InlineData("""{"time":"2026-03-02T12:00:00Z","units":"1","price":"1","guaranteedExecutionFee":"x"}""", "'guaranteedExecutionFee' is not a decimal")]
    [InlineData("""{"time":"2026-03-02T12:00:00Z","units":"1","price":"1","financing":"x"}""", "'financing' is not a decimal")]
    [InlineData("""{"units":"1","price":"1"}""", "a fill without a time")]
    public void A_fill_that_does_not_parse_says_which_field(string fill, string why) =>
        Assert.EndsWith(why, Assert.Throws<FormatException>(() => OandaErrors.FillParts(OandaWire.Read<OandaTransaction>(fill)!)).Message);

    [Fact]
    public void A_market_orders_create_has_no_limit_even_with_a_price()
    {
        var body = """{"orderCreateTransaction":{"id":"1","type":"MARKET_ORDER","units":"1","price":"1.2"}}""";

        Assert.Null(OandaErrors.PlaceAnswer(Answer(201, body), Intent, Now).LimitPrice);
    }

    // ---- placing: what OANDA refused

    [Theory]
    [InlineData(400, "INSUFFICIENT_MARGIN", "Insufficient margin")]
    [InlineData(400, "UNITS_PRECISION_EXCEEDED", "too precise")]
    [InlineData(404, "INSTRUMENT_UNKNOWN", "unknown instrument")]
    public void A_reject_transaction_is_rejected_with_the_venues_reason(int status, string code, string message)
    {
        var body = $$"""{"orderRejectTransaction":{"id":"11","type":"MARKET_ORDER_REJECT","rejectReason":"{{code}}"},"relatedTransactionIDs":["11"],"lastTransactionID":"11","errorCode":"{{code}}","errorMessage":"{{message}}"}""";

        var result = OandaErrors.PlaceAnswer(Answer(status, body), Intent, Now);

        Assert.Equal(BrokerOrderStatus.Rejected, result.Status);
        Assert.Equal($"{code}: {message}", result.RejectReason);
        Assert.Equal(Intent.ClientOrderId, result.ClientOrderId);
        Assert.Equal(Intent.Symbol, result.Symbol);
        Assert.Equal(Intent.Side, result.Side);
        Assert.Equal(Intent.Quantity, result.Quantity);
        Assert.Null(result.Fill);
    }

    [Theory]
    [InlineData("""{"orderRejectTransaction":{"id":"11"},"errorCode":"MARKET_HALTED"}""", "MARKET_HALTED")]
    [InlineData("""{"orderRejectTransaction":{"id":"11","rejectReason":"INSUFFICIENT_MARGIN"},"errorCode":"OTHER"}""", "INSUFFICIENT_MARGIN")]
    [InlineData("""{"orderRejectTransaction":{"id":"11","rejectReason":"ACCOUNT_LOCKED"}}""", "ACCOUNT_LOCKED")]
    [InlineData("""{"orderRejectTransaction":{"id":"11"},"errorMessage":"no"}""", "no")]
    [InlineData("""{"orderRejectTransaction":{"id":"11"}}""", "refused")]
    public void A_reject_names_whatever_reason_the_venue_gave(string body, string reason) =>
        Assert.Equal(reason, OandaErrors.PlaceAnswer(Answer(400, body), Intent, Now).RejectReason);

    [Theory]
    [InlineData(400, """{"orderRejectTransaction":{"id":"12","rejectReason":"CLIENT_ORDER_ID_ALREADY_EXISTS"},"errorCode":"CLIENT_ORDER_ID_ALREADY_EXISTS"}""")]
    [InlineData(400, """{"orderRejectTransaction":{"id":"12","rejectReason":"CLIENT_ORDER_ID_ALREADY_EXISTS"}}""")]
    [InlineData(400, """{"errorCode":"CLIENT_ORDER_ID_ALREADY_EXISTS","errorMessage":"in use"}""")]
    [InlineData(404, """{"orderRejectTransaction":{"id":"12","rejectReason":"CLIENT_ORDER_ID_ALREADY_EXISTS"}}""")]
    public void The_venues_duplicate_answer_is_a_duplicate(int status, string body)
    {
        var e = Assert.Throws<DuplicateClientOrderIdException>(() => OandaErrors.PlaceAnswer(Answer(status, body), Intent, Now));

        Assert.Equal(Intent.ClientOrderId, e.ClientOrderId);
    }

    [Fact]
    public void A_duplicate_code_in_a_non_refusal_status_is_not_taken_for_a_duplicate() =>
        Assert.IsType<VenueOutcomeUnknownException>(Record.Exception(() =>
            OandaErrors.PlaceAnswer(Answer(500, """{"errorCode":"CLIENT_ORDER_ID_ALREADY_EXISTS"}"""), Intent, Now)));

    [Theory]
    [InlineData(401, """{"errorMessage":"Insufficient authorization to perform request."}""", "token was refused")]
    [InlineData(403, """{"errorMessage":"The provided request was forbidden."}""", "may not use this account")]
    [InlineData(400, """{"errorMessage":"Invalid value specified for 'order'"}""", "refused")]
    [InlineData(404, """{"errorMessage":"The specified Account does not exist."}""", "refused")]
    [InlineData(405, """{"errorMessage":"Method not allowed"}""", "refused")]
    public void A_refusal_before_taking_the_order_is_not_placed_and_not_retried(int status, string body, string says)
    {
        var e = Assert.Throws<OrderNotPlacedException>(() => OandaErrors.PlaceAnswer(Answer(status, body), Intent, Now));

        Assert.Contains(says, e.Message);
        Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
        Assert.False(e.Data.Contains(VenueRefusal.Transient));
    }

    [Fact]
    public void A_rate_limit_is_not_placed_and_retryable_after_the_venues_wait()
    {
        var e = Assert.Throws<OrderNotPlacedException>(() => OandaErrors.PlaceAnswer(Answer(429, """{"errorMessage":"slow down"}""", "3"), Intent, Now));

        Assert.True(e.Data.Contains(VenueRefusal.Transient));
        Assert.Equal(TimeSpan.FromSeconds(3), e.RetryAfter);
        Assert.Contains("slow down", e.Message);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(409)]
    [InlineData(302)]
    public void Any_other_answer_after_sending_is_unknown(int status) =>
        Assert.IsType<VenueOutcomeUnknownException>(Record.Exception(() =>
            OandaErrors.PlaceAnswer(Answer(status, """{"errorMessage":"An internal server error occurred."}"""), Intent, Now)));

    [Theory]
    [InlineData("""{"errorCode":"X","errorMessage":"Y"}""", "X: Y")]
    [InlineData("""{"errorCode":"X"}""", "X")]
    [InlineData("""{"errorMessage":"Y"}""", "Y")]
    [InlineData("""{"lastTransactionID":"3"}""", """{"lastTransactionID":"3"}""")]
    [InlineData("<html>busy</html>", "<html>busy</html>")]
    public void Failures_are_told_in_the_venues_own_words(string body, string detail) =>
        Assert.Equal(detail, OandaErrors.Detail(Answer(500, body), OandaWire.Read<OandaResponse>(body)));

    // ---- orders as looked up

    [Theory]
    [InlineData("PENDING", 0, 1000, BrokerOrderStatus.Accepted)]
    [InlineData("PENDING", 400, 1000, BrokerOrderStatus.PartiallyFilled)]
    [InlineData("TRIGGERED", 0, 1000, BrokerOrderStatus.Accepted)]
    [InlineData("TRIGGERED", 1, 1000, BrokerOrderStatus.PartiallyFilled)]
    [InlineData("FILLED", 1000, 1000, BrokerOrderStatus.Filled)]
    [InlineData("FILLED", 999, 1000, BrokerOrderStatus.Cancelled)] // the rest was not reissued: it ended
    [InlineData("CANCELLED", 0, 1000, BrokerOrderStatus.Cancelled)]
    [InlineData("CANCELLED", 400, 1000, BrokerOrderStatus.Cancelled)]
    public void An_orders_state_maps_to_its_status(string state, int filled, int ordered, BrokerOrderStatus status) =>
        Assert.Equal(status, OandaErrors.StatusOf(state, filled, ordered));

    [Theory]
    [InlineData("EXPIRED")]
    [InlineData(null)]
    public void An_unknown_state_does_not_parse(string? state) =>
        Assert.Equal($"unknown order state '{state}'", Assert.Throws<FormatException>(() => OandaErrors.StatusOf(state, 0, 1)).Message);

    [Fact]
    public void A_reissued_order_is_the_first_links_order_with_every_links_fill()
    {
        OandaOrder[] chain =
        [
            new() { Id = "5", State = "FILLED", Type = "LIMIT", Instrument = "EUR_USD", Units = "-2000", Price = "1.1", FillingTransactionID = "6" },
            new() { Id = "7", State = "FILLED", Type = "LIMIT", Instrument = "EUR_USD", Units = "-1500", Price = "1.1", FillingTransactionID = "8" },
            new() { Id = "9", State = "PENDING", Type = "LIMIT", Instrument = "EUR_USD", Units = "-1000", Price = "1.1" },
        ];
        OandaTransaction[] fills =
        [
            new() { Id = "6", Time = "2026-03-02T12:00:00Z", Units = "-500", TradeOpened = new() { Units = "-500", Price = "1.1" }, Commission = "1" },
            new() { Id = "8", Time = "2026-03-02T12:00:05Z", Units = "-500", TradeOpened = new() { Units = "-500", Price = "1.2" }, Commission = "2" },
        ];

        var result = OandaErrors.FromOrders(chain, fills, "c1");

        Assert.Equal(BrokerOrderStatus.PartiallyFilled, result.Status);
        Assert.Equal("5", result.VenueOrderId);
        Assert.Equal(2000m, result.Quantity);
        Assert.Equal(OrderSide.Sell, result.Side);
        Assert.Equal(1.1m, result.LimitPrice);
        Assert.Equal("EUR_USD", result.Symbol);
        Assert.Equal("c1", result.ClientOrderId);
        Assert.Equal(1000m, result.Fill!.Quantity);
        Assert.Equal(1.15m, result.Fill.Price);
        Assert.Equal(3m, result.Fill.Fee);
        Assert.Equal("5", result.Fill.VenueOrderId);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 12, 0, 5, TimeSpan.Zero), result.Fill.Time);
    }

    [Fact]
    public void A_market_order_has_no_limit_and_an_order_without_fills_no_fill()
    {
        var result = OandaErrors.FromOrders([new OandaOrder { Id = "5", State = "CANCELLED", Type = "MARKET", Units = "10", Price = "1.1" }], [], "c1");

        Assert.Null(result.LimitPrice);
        Assert.Null(result.Fill);
        Assert.Equal(BrokerOrderStatus.Cancelled, result.Status);
    }

    [Fact]
    public void An_order_chain_needs_an_order_with_an_id_and_units()
    {
        Assert.StartsWith("an order chain has at least one order", Assert.Throws<ArgumentException>(() => OandaErrors.FromOrders([], [], "c1")).Message);
        Assert.Equal("an order without an id", Assert.Throws<FormatException>(() => OandaErrors.FromOrders([new OandaOrder { State = "PENDING", Units = "1" }], [], "c1")).Message);
        Assert.EndsWith("'units' is missing", Assert.Throws<FormatException>(() => OandaErrors.FromOrders([new OandaOrder { Id = "1", State = "PENDING" }], [], "c1")).Message);
        Assert.EndsWith("'price' is not a decimal", Assert.Throws<FormatException>(() =>
            OandaErrors.FromOrders([new OandaOrder { Id = "1", State = "PENDING", Type = "LIMIT", Units = "1", Price = "x" }], [], "c1")).Message);
    }

    [Fact]
    public void Pending_orders_of_their_own_are_those_with_an_instrument_and_units()
    {
        var pending = OandaWire.Read<OandaResponse>("""
            {"orders":[{"id":"1","type":"LIMIT","instrument":"EUR_USD","units":"10"},{"id":"2","type":"TAKE_PROFIT","tradeID":"7"},
            {"id":"3","instrument":"EUR_USD"},{"id":"4","units":"10"}]}
            """)!;

        Assert.Equal(["1"], OandaErrors.PendingOrders(pending).Select(o => o.Id));
        Assert.Empty(OandaErrors.PendingOrders(new OandaResponse()));
    }

    [Fact]
    public void Fills_that_net_to_nothing_are_no_fill() => Assert.Null(OandaErrors.FillOf([], "1"));

    [Fact]
    public void An_order_answer_is_the_order_or_nothing_when_the_venue_has_none()
    {
        Assert.Equal("5", OandaErrors.OrderAnswer(Answer(200, """{"order":{"id":"5"},"lastTransactionID":"9"}"""), Now)!.Id);
        Assert.Null(OandaErrors.OrderAnswer(Answer(404, """{"errorCode":"ORDER_DOESNT_EXIST","errorMessage":"The Order specified does not exist"}"""), Now));
        Assert.Equal("oanda POST /v3/accounts/101-004-1234567-001/orders: 200 answer does not parse ({\"lastTransactionID\":\"9\"})",
            Assert.Throws<VenueOutcomeUnknownException>(() => OandaErrors.OrderAnswer(Answer(200, """{"lastTransactionID":"9"}"""), Now)).Message);
        Assert.Throws<VenueOutcomeUnknownException>(() => OandaErrors.OrderAnswer(Answer(200, "oops"), Now));
        // A 404 that is not about the order (the account) is not "no such order".
        Assert.Throws<OrderNotPlacedException>(() => OandaErrors.OrderAnswer(Answer(404, """{"errorMessage":"The specified Account does not exist."}"""), Now));
        Assert.Throws<OrderNotPlacedException>(() => OandaErrors.OrderAnswer(Answer(400, """{"errorCode":"ORDER_DOESNT_EXIST"}"""), Now));
        Assert.Throws<VenueOutcomeUnknownException>(() => OandaErrors.OrderAnswer(Answer(500, "{}"), Now));
    }

    [Theory]
    [InlineData(500, true)]
    [InlineData(200, true)] // an answer that does not parse
    [InlineData(429, true)]
    [InlineData(401, false)]
    [InlineData(403, false)]
    [InlineData(400, false)]
    public void A_failed_look_up_before_placing_placed_nothing(int status, bool retryable)
    {
        var e = Assert.Throws<OrderNotPlacedException>(() => OandaErrors.ExistingOrder(Answer(status, "{}"), Now));

        Assert.Equal(retryable, e.Data.Contains(VenueRefusal.Transient));
    }

    [Fact]
    public void The_look_up_before_placing_answers_the_order_or_nothing()
    {
        Assert.Equal("5", OandaErrors.ExistingOrder(Answer(200, """{"order":{"id":"5"}}"""), Now)!.Id);
        Assert.Null(OandaErrors.ExistingOrder(Answer(404, """{"errorCode":"ORDER_DOESNT_EXIST"}"""), Now));
        var inner = new VenueOutcomeUnknownException("reset");
        var e = OandaErrors.LookupFailed(inner);
        Assert.Same(inner, e.InnerException);
        Assert.Contains("nothing was placed", e.Message);
        Assert.True(e.Data.Contains(VenueRefusal.Transient));
    }

    [Theory]
    [InlineData(200, "{\"orderCancelTransaction\":{\"id\":\"9\"}}", true)]
    [InlineData(404, "{\"orderCancelRejectTransaction\":{\"id\":\"9\",\"rejectReason\":\"ORDER_DOESNT_EXIST\"},\"errorCode\":\"ORDER_DOESNT_EXIST\"}", false)]
    [InlineData(404, "{\"errorCode\":\"ORDER_DOESNT_EXIST\"}", false)]
    [InlineData(404, "{\"orderCancelRejectTransaction\":{\"id\":\"9\",\"rejectReason\":\"ORDER_DOESNT_EXIST\"}}", false)]
    [InlineData(400, "{\"orderCancelRejectTransaction\":{\"id\":\"9\",\"rejectReason\":\"ORDER_NOT_CANCELABLE\"}}", false)]
    public void A_cancel_answer_says_whether_the_venue_cancelled(int status, string body, bool cancelled) =>
        Assert.Equal(cancelled, OandaErrors.CancelAnswer(Answer(status, body), Now));

    [Theory]
    [InlineData(404, """{"errorMessage":"The specified Account does not exist."}""", typeof(OrderNotPlacedException))]
    [InlineData(401, """{"errorMessage":"Insufficient authorization to perform request."}""", typeof(OrderNotPlacedException))]
    [InlineData(500, "{}", typeof(VenueOutcomeUnknownException))]
    [InlineData(504, "", typeof(VenueOutcomeUnknownException))]
    public void A_cancel_that_failed_is_thrown(int status, string body, Type expected) =>
        Assert.IsType(expected, Record.Exception(() => OandaErrors.CancelAnswer(Answer(status, body), Now)));

    [Fact]
    public void An_instruments_answer_lists_rules_and_an_unknown_name_lists_none()
    {
        Assert.Equal("EUR_USD", Assert.Single(OandaErrors.InstrumentsAnswer(Answer(200, """{"instruments":[{"name":"EUR_USD"}]}"""), Now)).Name);
        Assert.Empty(OandaErrors.InstrumentsAnswer(Answer(400, """{"errorMessage":"Invalid value specified for 'instruments'"}"""), Now));
        Assert.Empty(OandaErrors.InstrumentsAnswer(Answer(400, """{"errorMessage":"Invalid value specified for 'instruments[0]'"}"""), Now));
        Assert.Throws<OrderNotPlacedException>(() => OandaErrors.InstrumentsAnswer(Answer(400, """{"errorMessage":"Invalid value specified for 'accountID'"}"""), Now));
        Assert.Throws<OrderNotPlacedException>(() => OandaErrors.InstrumentsAnswer(Answer(400, "{}"), Now));
        Assert.Throws<VenueOutcomeUnknownException>(() => OandaErrors.InstrumentsAnswer(Answer(200, "{}"), Now));
        Assert.Throws<VenueOutcomeUnknownException>(() => OandaErrors.InstrumentsAnswer(Answer(503, "{}"), Now));
    }

    [Fact]
    public void The_check_passes_on_an_answer_and_is_refused_on_the_tokens_refusal()
    {
        Assert.True(OandaErrors.Connectivity(Answer(200, "{}"), Now).Passed);

        var refused = OandaErrors.Connectivity(Answer(401, """{"errorMessage":"Insufficient authorization to perform request."}"""), Now);
        Assert.False(refused.Passed);
        Assert.Equal("oanda refused the API token (Insufficient authorization to perform request.)", refused.Reason);

        var forbidden = OandaErrors.Connectivity(Answer(403, """{"errorMessage":"The provided request was forbidden."}"""), Now);
        Assert.False(forbidden.Passed);
        Assert.Equal("oanda: the API token may not use this account (The provided request was forbidden.)", forbidden.Reason);

        Assert.Throws<VenueOutcomeUnknownException>(() => OandaErrors.Connectivity(Answer(500, "{}"), Now));
        Assert.Throws<OrderNotPlacedException>(() => OandaErrors.Connectivity(Answer(429, "{}"), Now));
    }

    [Fact]
    public void Any_answer_is_its_body_or_its_failure()
    {
        Assert.Equal("9", OandaErrors.Answer(Answer(200, """{"lastTransactionID":"9"}"""), Now).LastTransactionID);
        Assert.Throws<VenueOutcomeUnknownException>(() => OandaErrors.Answer(Answer(200, "[]"), Now));
        Assert.Throws<OrderNotPlacedException>(() => OandaErrors.Answer(Answer(401, "{}"), Now));
        Assert.Equal("6", OandaErrors.TransactionAnswer(Answer(200, """{"transaction":{"id":"6"}}"""), Now).Id);
        Assert.Throws<VenueOutcomeUnknownException>(() => OandaErrors.TransactionAnswer(Answer(200, """{"lastTransactionID":"9"}"""), Now));
    }

    // ---- the account

    [Fact]
    public void The_account_is_its_balance_nav_net_positions_and_open_orders()
    {
        var summary = new OandaResponse { Account = new OandaAccountSummary { Currency = "USD", Balance = "98913.915", Nav = "99000.5" } };
        var positions = new OandaResponse
        {
            Positions =
            [
                new() { Instrument = "EUR_USD", Long = new() { Units = "1000", AveragePrice = "1.085" }, Short = new() { Units = "0" } },
                new() { Instrument = "USD_JPY", Long = new() { Units = "0" }, Short = new() { Units = "-300", AveragePrice = "151.2" } },
                new() { Instrument = "GBP_USD", Long = new() { Units = "500", AveragePrice = "1.25" }, Short = new() { Units = "-200", AveragePrice = "1.3" } }, // hedged
                new() { Instrument = "AUD_USD", Long = new() { Units = "100", AveragePrice = "0.6" }, Short = new() { Units = "-100", AveragePrice = "0.7" } }, // flat
                new() { Instrument = "NZD_USD" }, // no sides
            ],
        };
        var open = new BrokerOrderResult(BrokerOrderStatus.Accepted, "c1", null, "9", null);

        var state = OandaErrors.AccountState(summary, positions, [open]);

        Assert.Equal("USD", state.Currency);
        Assert.Equal(98913.915m, state.Cash);
        Assert.Equal(99000.5m, state.Equity);
        Assert.Equal(
            [new VenuePosition("EUR_USD", 1000m, 1.085m), new VenuePosition("USD_JPY", -300m, 151.2m), new VenuePosition("GBP_USD", 300m, 1.25m)],
            state.Positions);
        Assert.Same(open, Assert.Single(state.OpenOrders));
        Assert.Empty(OandaErrors.AccountState(summary, new OandaResponse(), []).Positions);
    }

    [Theory]
    [InlineData("""{"lastTransactionID":"1"}""", """{"positions":[]}""", "the summary has no account")]
    [InlineData("""{"account":{"balance":"1","NAV":"1"}}""", """{"positions":[]}""", "an account without a currency")]
    [InlineData("""{"account":{"currency":"USD","NAV":"1"}}""", """{"positions":[]}""", "'balance' is missing")]
    [InlineData("""{"account":{"currency":"USD","balance":"1"}}""", """{"positions":[]}""", "'NAV' is missing")]
    [InlineData("""{"account":{"currency":"USD","balance":"1","NAV":"1"}}""", """{"positions":[{"long":{"units":"1","averagePrice":"1"}}]}""", "a position without an instrument")]
    [InlineData("""{"account":{"currency":"USD","balance":"1","NAV":"1"}}""", """{"positions":[{"instrument":"EUR_USD","long":{"units":"1"}}]}""", "'averagePrice' is missing")]
    [InlineData("""{"account":{"currency":"USD","balance":"1","NAV":"1"}}""", """{"positions":[{"instrument":"EUR_USD","long":{"units":"x"}}]}""", "'long units' is not a decimal")]
    [InlineData("""{"account":{"currency":"USD","balance":"1","NAV":"1"}}""", """{"positions":[{"instrument":"EUR_USD","short":{"units":"x"}}]}""", "'short units' is not a decimal")]
    public void An_account_answer_missing_its_amounts_does_not_parse(string summary, string positions, string why) =>
        Assert.EndsWith(why, Assert.Throws<FormatException>(() =>
            OandaErrors.AccountState(OandaWire.Read<OandaResponse>(summary)!, OandaWire.Read<OandaResponse>(positions)!, [])).Message);
}
