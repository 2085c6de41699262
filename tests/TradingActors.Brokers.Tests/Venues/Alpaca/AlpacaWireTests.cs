using TradingActors.Brokers.Alpaca;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Tests.Venues.Alpaca;

/// <summary>Alpaca's JSON read and written: order requests, order objects and their statuses, numbers, times, accounts and asset rules.</summary>
public sealed class AlpacaWireTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);
    private const string Cid = "cid-0123456789abcdefghijklmnopqr";

    private static OrderIntent Intent(OrderType type = OrderType.Market, decimal? limit = null, OrderSide side = OrderSide.Buy, decimal qty = 1m) =>
        new(Cid, "acct-1", "strategy:s1", 1, "AAPL", side, qty, 190m, type, limit);

    // ---- requests

    [Fact]
    public void A_market_order_is_a_day_order_with_strings_for_numbers_and_our_client_order_id()
    {
        var json = AlpacaWire.Serialize(AlpacaWire.OrderRequest(Intent(qty: 2.50m)));

        Assert.Equal($$"""{"symbol":"AAPL","qty":"2.5","side":"buy","type":"market","time_in_force":"day","client_order_id":"{{Cid}}"}""", json);
    }

    [Fact]
    public void A_limit_order_is_good_till_cancelled_at_its_limit()
    {
        var json = AlpacaWire.Serialize(AlpacaWire.OrderRequest(Intent(OrderType.Limit, 171.00m, OrderSide.Sell)));

        Assert.Equal($$"""{"symbol":"AAPL","qty":"1","side":"sell","type":"limit","time_in_force":"gtc","limit_price":"171","client_order_id":"{{Cid}}"}""", json);
    }

    [Fact]
    public void A_limit_order_without_a_limit_price_cannot_be_sent()
    {
        var e = Assert.Throws<ArgumentException>(() => AlpacaWire.OrderRequest(Intent(OrderType.Limit)));

        Assert.Contains("limit price", e.Message);
    }

    [Theory]
    [InlineData("1", "1")]
    [InlineData("1.000", "1")]
    [InlineData("0.000000001", "0.000000001")]
    [InlineData("171.10", "171.1")]
    [InlineData("100000", "100000")]
    [InlineData("-2.50", "-2.5")]
    public void Decimals_are_written_invariantly_without_trailing_zeros(string value, string written) =>
        Assert.Equal(written, AlpacaWire.Format(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData("buy", OrderSide.Buy)]
    [InlineData("sell", OrderSide.Sell)]
    public void Sides_are_alpacas_words(string name, OrderSide side)
    {
        Assert.Equal(side, AlpacaWire.ParseSide(name));
        Assert.Equal(name, AlpacaWire.SideName(side));
    }

    [Theory]
    [InlineData("BUY")]
    [InlineData("short")]
    [InlineData("")]
    public void An_unknown_side_does_not_parse(string name) =>
        Assert.Throws<FormatException>(() => AlpacaWire.ParseSide(name));

    [Theory]
    [InlineData("190.5", 190.5)]
    [InlineData("-3", -3)]
    [InlineData("0", 0)]
    public void Numbers_are_read_invariantly(string text, double value) =>
        Assert.Equal((decimal)value, AlpacaWire.ParseDecimal(text, "qty"));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1e3")]
    [InlineData("1,5")]
    [InlineData("abc")]
    public void A_field_that_is_not_a_number_names_itself(string? text)
    {
        var e = Assert.Throws<FormatException>(() => AlpacaWire.ParseDecimal(text, "filled_qty"));

        Assert.Contains("'filled_qty'", e.Message);
    }

    [Fact]
    public void An_absent_optional_number_is_null() => Assert.Null(AlpacaWire.ParseOptionalDecimal(null, "limit_price"));

    [Theory]
    [InlineData("2019-11-20T06:49:45.214827487Z", "2019-11-20T06:49:45.2148274+00:00")]
    [InlineData("2019-11-20T06:49:45.2148Z", "2019-11-20T06:49:45.2148+00:00")]
    [InlineData("2019-11-20T06:49:45Z", "2019-11-20T06:49:45+00:00")]
    [InlineData("2024-05-20T09:56:41.449735-04:00", "2024-05-20T09:56:41.449735-04:00")]
    [InlineData("2021-01-01T00:00:00.123456789012+00:00", "2021-01-01T00:00:00.1234567+00:00")]
    public void Nanosecond_times_are_read_to_the_tick(string text, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), AlpacaWire.ParseTime(text));

    [Fact]
    public void A_time_whose_fraction_ends_the_text_is_read_as_utc() =>
        Assert.Equal(new DateTimeOffset(2019, 11, 20, 6, 49, 45, TimeSpan.Zero).AddTicks(2148274), AlpacaWire.ParseTime("2019-11-20T06:49:45.214827487"));

    [Fact]
    public void A_time_written_is_read_back()
    {
        var at = new DateTimeOffset(2026, 3, 2, 10, 1, 2, TimeSpan.FromHours(-5)).AddTicks(1234567);

        Assert.Equal("2026-03-02T15:01:02.1234567Z", AlpacaWire.FormatTime(at));
        Assert.Equal(at, AlpacaWire.ParseTime(AlpacaWire.FormatTime(at)));
    }

    [Fact]
    public void An_absent_time_is_null_and_a_broken_one_does_not_parse()
    {
        Assert.Null(AlpacaWire.ParseTime(null));
        Assert.Equal("not a time: 'yesterday'", Assert.Throws<FormatException>(() => AlpacaWire.ParseTime("yesterday")).Message);
    }

    [Theory]
    [InlineData("", "not a valid AlpacaOrder: ")]
    [InlineData("null", "empty AlpacaOrder")]
    [InlineData("{", "not a valid AlpacaOrder: ")]
    [InlineData("[1]", "not a valid AlpacaOrder: ")]
    public void A_body_that_is_not_the_expected_json_does_not_parse(string body, string message) =>
        Assert.StartsWith(message, Assert.Throws<FormatException>(() => AlpacaWire.Parse<AlpacaOrder>(body)).Message);

    [Fact]
    public void Fields_alpaca_leaves_out_are_empty_not_invented()
    {
        var order = AlpacaWire.Parse<AlpacaOrder>("{}");
        var account = AlpacaWire.Parse<AlpacaAccount>("{}");
        var position = AlpacaWire.Parse<AlpacaPosition>("{}");
        var asset = AlpacaWire.Parse<AlpacaAsset>("{}");

        Assert.Equal(("", "", "", ""), (order.Id, order.Symbol, order.Side, order.Status));
        Assert.Equal(("", "", ""), (account.Id, account.Status, account.Currency));
        Assert.Equal(("", ""), (position.Symbol, position.Side));
        Assert.Equal(("", "", "", ""), (asset.Id, asset.Class, asset.Symbol, asset.Status));
        Assert.Equal("the order has no id", Assert.Throws<FormatException>(() => AlpacaWire.ToResult(order, Cid, Now)).Message);
    }

    [Theory]
    [InlineData("""{"code":40010001,"message":"x"}""", 40010001L, "x")]
    [InlineData("""{"message":"unauthorized."}""", null, "unauthorized.")]
    [InlineData("""{"code":50010000}""", 50010000L, null)]
    public void Alpacas_error_payload_is_read(string body, long? code, string? message)
    {
        var error = AlpacaWire.TryParseError(body);

        Assert.NotNull(error);
        Assert.Equal(code, error.Code);
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("""{"id":"x"}""")]
    [InlineData("<html/>")]
    [InlineData("[]")]
    [InlineData("null")]
    public void A_body_that_is_not_an_error_payload_is_none(string body) => Assert.Null(AlpacaWire.TryParseError(body));

    // ---- statuses and results

    [Theory]
    [InlineData("new", "0", BrokerOrderStatus.Accepted)]
    [InlineData("accepted", "0", BrokerOrderStatus.Accepted)]
    [InlineData("pending_new", "0", BrokerOrderStatus.Accepted)]
    [InlineData("accepted_for_bidding", "0", BrokerOrderStatus.Accepted)]
    [InlineData("pending_cancel", "0", BrokerOrderStatus.Accepted)]
    [InlineData("pending_replace", "0", BrokerOrderStatus.Accepted)]
    [InlineData("done_for_day", "0", BrokerOrderStatus.Accepted)]
    [InlineData("stopped", "0", BrokerOrderStatus.Accepted)]
    [InlineData("suspended", "0", BrokerOrderStatus.Accepted)]
    [InlineData("calculated", "0", BrokerOrderStatus.Accepted)]
    [InlineData("held", "0", BrokerOrderStatus.Accepted)]
    [InlineData("pending_cancel", "4", BrokerOrderStatus.PartiallyFilled)]
    [InlineData("done_for_day", "4", BrokerOrderStatus.PartiallyFilled)]
    [InlineData("calculated", "10", BrokerOrderStatus.Filled)]
    [InlineData("partially_filled", "4", BrokerOrderStatus.PartiallyFilled)]
    [InlineData("filled", "10", BrokerOrderStatus.Filled)]
    [InlineData("canceled", "0", BrokerOrderStatus.Cancelled)]
    [InlineData("canceled", "4", BrokerOrderStatus.Cancelled)]
    [InlineData("expired", "4", BrokerOrderStatus.Cancelled)]
    [InlineData("replaced", "0", BrokerOrderStatus.Cancelled)]
    [InlineData("rejected", "0", BrokerOrderStatus.Cancelled)]
    public void Each_alpaca_status_maps_into_the_one_vocabulary(string status, string filled, BrokerOrderStatus expected) =>
        Assert.Equal(expected, AlpacaWire.StatusOf(status, decimal.Parse(filled, System.Globalization.CultureInfo.InvariantCulture), 10m));

    [Fact]
    public void An_open_order_without_a_known_quantity_is_partly_filled_whatever_it_filled() =>
        Assert.Equal(BrokerOrderStatus.PartiallyFilled, AlpacaWire.StatusOf("new", 10m, null));

    [Theory]
    [InlineData("open")]
    [InlineData("FILLED")]
    [InlineData("")]
    public void An_unknown_status_does_not_parse(string status)
    {
        var e = Assert.Throws<FormatException>(() => AlpacaWire.StatusOf(status, 0m, 1m));

        Assert.Contains($"'{status}'", e.Message);
    }

    private static AlpacaOrder Order(string status = "filled", string filledQty = "10", string? avg = "190.25") => new()
    {
        Id = "904837e3-3b76-47ec-b432-046db621571b",
        ClientOrderId = Cid,
        CreatedAt = "2026-03-02T14:59:58.1Z",
        UpdatedAt = "2026-03-02T14:59:59.5Z",
        SubmittedAt = "2026-03-02T14:59:58.2Z",
        FilledAt = status == "filled" ? "2026-03-02T14:59:59.123456789Z" : null,
        Symbol = "AAPL",
        Qty = "10",
        FilledQty = filledQty,
        FilledAvgPrice = avg,
        Side = "sell",
        Type = "limit",
        LimitPrice = "190.25",
        Status = status,
    };

    [Fact]
    public void A_filled_order_carries_its_cumulative_fill_without_commission_timed_when_it_filled()
    {
        var result = AlpacaWire.ToResult(Order(), "other", Now);

        Assert.Equal(BrokerOrderStatus.Filled, result.Status);
        Assert.Equal(Cid, result.ClientOrderId);
        Assert.Equal("904837e3-3b76-47ec-b432-046db621571b", result.VenueOrderId);
        Assert.Equal(new Fill(10m, 190.25m, 0m, "904837e3-3b76-47ec-b432-046db621571b", new DateTimeOffset(2026, 3, 2, 14, 59, 59, TimeSpan.Zero).AddTicks(1234567)), result.Fill);
        Assert.Equal("AAPL", result.Symbol);
        Assert.Equal(OrderSide.Sell, result.Side);
        Assert.Equal(10m, result.Quantity);
        Assert.Equal(190.25m, result.LimitPrice);
        Assert.Null(result.RejectReason);
    }

    [Fact]
    public void A_partial_fill_is_timed_at_the_orders_last_update()
    {
        var result = AlpacaWire.ToResult(Order("partially_filled", "4"), Cid, Now);

        Assert.Equal(BrokerOrderStatus.PartiallyFilled, result.Status);
        Assert.Equal(4m, result.Fill!.Quantity);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 14, 59, 59, 500, TimeSpan.Zero), result.Fill.Time);
    }

    [Fact]
    public void A_fill_without_any_time_is_timed_now()
    {
        var result = AlpacaWire.ToResult(Order("partially_filled", "4") with { UpdatedAt = null, SubmittedAt = null }, Cid, Now);

        Assert.Equal(Now, result.Fill!.Time);
    }

    [Fact]
    public void A_fill_without_updates_is_timed_at_submission()
    {
        var result = AlpacaWire.ToResult(Order("partially_filled", "4") with { UpdatedAt = null }, Cid, Now);

        Assert.Equal(new DateTimeOffset(2026, 3, 2, 14, 59, 58, 200, TimeSpan.Zero), result.Fill!.Time);
    }

    [Fact]
    public void An_order_as_placed_has_no_fill_and_no_limit_for_a_market_order()
    {
        var result = AlpacaWire.ToResult(Order("accepted", "0", null) with { LimitPrice = null, Type = "market", Side = "buy" }, Cid, Now);

        Assert.Equal(BrokerOrderStatus.Accepted, result.Status);
        Assert.Null(result.Fill);
        Assert.Null(result.LimitPrice);
        Assert.Equal(OrderSide.Buy, result.Side);
    }

    [Fact]
    public void An_order_without_a_filled_quantity_has_filled_nothing() =>
        Assert.Null(AlpacaWire.ToResult(Order("new", "0", null) with { FilledQty = null }, Cid, Now).Fill);

    [Fact]
    public void An_order_cancelled_after_a_partial_fill_keeps_the_part_that_filled()
    {
        var result = AlpacaWire.ToResult(Order("canceled", "4"), Cid, Now);

        Assert.Equal(BrokerOrderStatus.Cancelled, result.Status);
        Assert.Equal(4m, result.Fill!.Quantity);
        Assert.True(result.IsFinal);
    }

    [Fact]
    public void An_order_rejected_after_it_was_accepted_ends_cancelled_with_a_reason()
    {
        var result = AlpacaWire.ToResult(Order("rejected", "0", null), Cid, Now);

        Assert.Equal(BrokerOrderStatus.Cancelled, result.Status);
        Assert.Null(result.Fill);
        Assert.Equal("alpaca rejected the order after accepting it", result.RejectReason);
    }

    [Fact]
    public void Without_alpacas_client_order_id_the_one_looked_up_is_kept() =>
        Assert.Equal("looked-up", AlpacaWire.ToResult(Order() with { ClientOrderId = null }, "looked-up", Now).ClientOrderId);

    public static TheoryData<AlpacaOrder, string> Unreadable => new()
    {
        { Order() with { Id = "" }, "the order has no id" },
        { Order(avg: null), "'filled_avg_price' is not a number: ''" },
        { Order() with { Status = "weird" }, "unknown order status 'weird'" },
        { Order() with { Side = "short" }, "unknown order side 'short'" },
        { Order() with { Qty = "ten" }, "'qty' is not a number: 'ten'" },
        { Order() with { FilledQty = "some" }, "'filled_qty' is not a number: 'some'" },
        { Order() with { LimitPrice = "high" }, "'limit_price' is not a number: 'high'" },
        { Order() with { FilledAt = "soon" }, "not a time: 'soon'" },
    };

    [Theory]
    [MemberData(nameof(Unreadable))]
    public void An_order_that_cannot_be_read_does_not_parse_and_says_why(AlpacaOrder order, string message) =>
        Assert.Equal(message, Assert.Throws<FormatException>(() => AlpacaWire.ToResult(order, Cid, Now)).Message);

    [Fact]
    public void An_order_object_from_alpacas_docs_is_read()
    {
        const string body = """
            {"id":"39c489ad-fcb1-42b3-9f62-e14c11c62157","client_order_id":"a49c3e74-3f74-468e-a31a-f7a15de17128",
             "created_at":"2024-05-20T09:56:41.449735Z","updated_at":"2024-05-20T13:30:00.876162Z","submitted_at":"2024-05-20T13:23:01.24795Z",
             "filled_at":"2024-05-20T13:30:00.865454Z","expired_at":null,"canceled_at":null,"failed_at":null,"replaced_at":null,
             "replaced_by":null,"replaces":null,"asset_id":"7595a8d2-68a6-46d7-910c-6b1958491f5c","symbol":"A","asset_class":"us_equity",
             "notional":null,"qty":"0.1","filled_qty":"0.1","filled_avg_price":"154.03","order_class":"","order_type":"market",
             "type":"market","side":"sell","time_in_force":"day","limit_price":null,"stop_price":null,"status":"filled",
             "extended_hours":false,"legs":null,"trail_percent":null,"trail_price":null,"hwm":null}
            """;

        var result = AlpacaWire.ToResult(AlpacaWire.Parse<AlpacaOrder>(body), "x", Now);

        Assert.Equal(BrokerOrderStatus.Filled, result.Status);
        Assert.Equal("a49c3e74-3f74-468e-a31a-f7a15de17128", result.ClientOrderId);
        Assert.Equal(new Fill(0.1m, 154.03m, 0m, "39c489ad-fcb1-42b3-9f62-e14c11c62157", new DateTimeOffset(2024, 5, 20, 13, 30, 0, TimeSpan.Zero).AddTicks(8654540)), result.Fill);
    }

    // ---- positions and account

    [Theory]
    [InlineData("10", "long", 10)]
    [InlineData("-10", "short", -10)]
    [InlineData("10", "short", -10)]
    [InlineData("-10", "long", 10)]
    public void A_positions_sign_comes_from_its_side(string qty, string side, int signed) =>
        Assert.Equal(signed, AlpacaWire.SignedQuantity(new AlpacaPosition { Symbol = "AAPL", Qty = qty, Side = side }));

    [Fact]
    public void A_position_that_cannot_be_read_says_why()
    {
        Assert.Equal("unknown position side 'flat'", Assert.Throws<FormatException>(() => AlpacaWire.SignedQuantity(new AlpacaPosition { Symbol = "AAPL", Qty = "1", Side = "flat" })).Message);
        Assert.Equal("'qty' is not a number: 'x'", Assert.Throws<FormatException>(() => AlpacaWire.SignedQuantity(new AlpacaPosition { Symbol = "AAPL", Qty = "x", Side = "long" })).Message);
        Assert.Equal("'avg_entry_price' is not a number: ''", Assert.Throws<FormatException>(() => AlpacaWire.ToAccountState(
            new AlpacaAccount { Currency = "USD", Cash = "1", Equity = "1" }, [new AlpacaPosition { Symbol = "AAPL", Qty = "1", Side = "long" }], [], Now)).Message);
    }

    [Fact]
    public void The_account_state_holds_cash_equity_signed_positions_and_open_orders()
    {
        var account = new AlpacaAccount { Status = "ACTIVE", Currency = "USD", Cash = "99810.5", Equity = "100000.25" };
        AlpacaPosition[] positions =
        [
            new() { Symbol = "AAPL", Qty = "3", Side = "long", AvgEntryPrice = "190.1" },
            new() { Symbol = "MSFT", Qty = "-2", Side = "short", AvgEntryPrice = "410" },
            new() { Symbol = "TSLA", Qty = "0", Side = "long", AvgEntryPrice = "0" },
        ];

        var state = AlpacaWire.ToAccountState(account, positions, [Order("new", "0", null)], Now);

        Assert.Equal("USD", state.Currency);
        Assert.Equal(99810.5m, state.Cash);
        Assert.Equal(100000.25m, state.Equity);
        Assert.Equal([new VenuePosition("AAPL", 3m, 190.1m), new VenuePosition("MSFT", -2m, 410m)], state.Positions);
        var open = Assert.Single(state.OpenOrders);
        Assert.Equal(BrokerOrderStatus.Accepted, open.Status);
        Assert.Equal(Cid, open.ClientOrderId);
    }

    [Fact]
    public void An_open_order_without_a_client_order_id_is_listed_with_none() =>
        Assert.Equal("", Assert.Single(AlpacaWire.ToAccountState(new AlpacaAccount { Currency = "USD", Cash = "1", Equity = "1" }, [],
            [Order("new", "0", null) with { ClientOrderId = null }], Now).OpenOrders).ClientOrderId);

    [Fact]
    public void An_account_without_cash_or_equity_does_not_parse()
    {
        Assert.Equal("'cash' is not a number: ''", Assert.Throws<FormatException>(() => AlpacaWire.ToAccountState(new AlpacaAccount { Currency = "USD", Equity = "1" }, [], [], Now)).Message);
        Assert.Equal("'equity' is not a number: ''", Assert.Throws<FormatException>(() => AlpacaWire.ToAccountState(new AlpacaAccount { Currency = "USD", Cash = "1" }, [], [], Now)).Message);
    }

    // ---- instrument rules

    private static AlpacaAsset Equity(bool fractionable = true) => new()
    {
        Id = "b0b6dd9d-8b9b-48a9-ba46-b9d54906e415", Class = "us_equity", Symbol = "AAPL", Status = "active", Tradable = true, Fractionable = fractionable,
    };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_stock_trades_in_whole_shares_at_a_cent_because_fractions_need_day_orders(bool fractionable)
    {
        var rules = AlpacaInstruments.ToInstrument(Equity(fractionable));

        Assert.Equal(new Domain.Market.Instrument("AAPL", 1m, 0.01m, 1m, 0m), rules);
    }

    [Fact]
    public void A_stocks_own_price_increment_is_used_when_alpaca_sends_one() =>
        Assert.Equal(0.0001m, AlpacaInstruments.ToInstrument(Equity() with { PriceIncrement = "0.0001" })!.PriceTick);

    [Theory]
    [InlineData(false, "active")]
    [InlineData(true, "inactive")]
    [InlineData(true, "ACTIVE")]
    public void An_asset_that_cannot_be_traded_is_not_listed(bool tradable, string status) =>
        Assert.Null(AlpacaInstruments.ToInstrument(Equity() with { Tradable = tradable, Status = status }));

    [Fact]
    public void A_crypto_pair_trades_at_the_increments_alpaca_gives()
    {
        var pair = new AlpacaAsset
        {
            Class = "crypto", Symbol = "BTC/USD", Status = "active", Tradable = true, Fractionable = true,
            MinOrderSize = "0.0002", MinTradeIncrement = "0.0001", PriceIncrement = "1",
        };

        Assert.Equal(new Domain.Market.Instrument("BTC/USD", 0.0001m, 1m, 0.0002m), AlpacaInstruments.ToInstrument(pair));
        Assert.Equal(0.0001m, AlpacaInstruments.ToInstrument(pair with { MinOrderSize = null })!.MinQuantity);
    }

    [Theory]
    [InlineData(null, "1", null, "'min_trade_increment' is not a number: ''")]
    [InlineData("0.0001", null, null, "'price_increment' is not a number: ''")]
    [InlineData("0.0001", "1", "some", "'min_order_size' is not a number: 'some'")]
    [InlineData("0", "1", null, "asset BTC/USD has a non-positive increment")]
    [InlineData("0.0001", "0", null, "asset BTC/USD has a non-positive increment")]
    [InlineData("-1", "1", null, "asset BTC/USD has a non-positive increment")]
    public void A_crypto_pair_without_usable_increments_does_not_parse(string? step, string? tick, string? min, string message) =>
        Assert.Equal(message, Assert.Throws<FormatException>(() => AlpacaInstruments.ToInstrument(new AlpacaAsset
        {
            Class = "crypto", Symbol = "BTC/USD", Status = "active", Tradable = true, MinTradeIncrement = step, PriceIncrement = tick, MinOrderSize = min,
        })).Message);

    [Fact]
    public void A_stocks_price_increment_that_is_not_a_number_names_itself() =>
        Assert.Equal("'price_increment' is not a number: 'cent'", Assert.Throws<FormatException>(() => AlpacaInstruments.ToInstrument(Equity() with { PriceIncrement = "cent" })).Message);

    [Fact]
    public void An_asset_from_alpacas_docs_is_read()
    {
        const string body = """
            {"id":"904837e3-3b76-47ec-b432-046db621571b","class":"us_equity","exchange":"NASDAQ","symbol":"AAPL","name":"Apple Inc. Common Stock",
             "status":"active","tradable":true,"marginable":true,"shortable":true,"easy_to_borrow":true,"fractionable":true,
             "maintenance_margin_requirement":30,"attributes":["ptp_no_exception"]}
            """;

        Assert.Equal(new Domain.Market.Instrument("AAPL", 1m, 0.01m, 1m), AlpacaInstruments.ToInstrument(AlpacaWire.Parse<AlpacaAsset>(body)));
    }

    // ---- options

    [Fact]
    public void Live_accounts_reach_live_and_every_other_mode_reaches_paper()
    {
        var options = new AlpacaOptions();

        Assert.Equal(new Uri("https://api.alpaca.markets/"), options.BaseUrlFor(new BrokerAccount("a", "n") { Mode = "live" }));
        Assert.Equal(new Uri("https://paper-api.alpaca.markets/"), options.BaseUrlFor(new BrokerAccount("a", "n") { Mode = "paper" }));
        Assert.Equal(new Uri("https://paper-api.alpaca.markets/"), options.BaseUrlFor(new BrokerAccount("a", "n") { Mode = "testnet" }));
        Assert.Equal(new Uri("https://paper-api.alpaca.markets/"), options.BaseUrlFor(new BrokerAccount("a", "n") { Mode = "Live" }));
        Assert.Equal(200, options.RequestsPerMinute);
        Assert.Equal(500, options.OpenOrdersLimit);
        Assert.Equal(TimeSpan.FromSeconds(10), options.HttpTimeout);
    }
}
