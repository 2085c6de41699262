using System.Globalization;
using TradingActors.Brokers.Oanda;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Tests.Venues.Oanda;

/// <summary>OANDA's JSON: field names, decimal strings, nanosecond times, paths; and its instrument rules.</summary>
public sealed class OandaWireTests
{
    [Theory]
    [InlineData("1000", "1000")]
    [InlineData("1000.000", "1000")]
    [InlineData("-250", "-250")]
    [InlineData("1.08500", "1.085")]
    [InlineData("0.00001", "0.00001")]
    [InlineData("0", "0")]
    [InlineData("1000000000", "1000000000")]
    [InlineData("98913.91500000", "98913.915")]
    public void Numbers_are_written_plainly_without_trailing_zeros(string value, string written) =>
        Assert.Equal(written, OandaWire.Number(decimal.Parse(value, CultureInfo.InvariantCulture)));

    [Fact]
    public void Decimal_strings_are_read_invariantly_and_a_bad_one_names_its_field()
    {
        Assert.True(OandaWire.TryDecimal("-0.5", out var half));
        Assert.Equal(-0.5m, half);
        Assert.False(OandaWire.TryDecimal(null, out _));
        Assert.False(OandaWire.TryDecimal("1,000", out _));
        Assert.Equal(-1.5m, OandaWire.Decimal("-1.5", "units"));
        Assert.Null(OandaWire.Decimal(null, "units"));
        Assert.Equal("oanda: 'units' is not a decimal", Assert.Throws<FormatException>(() => OandaWire.Decimal("1,5", "units")).Message);
        Assert.Throws<FormatException>(() => OandaWire.Decimal("1e3", "units"));
        Assert.Throws<FormatException>(() => OandaWire.Decimal(" 1", "units"));
        Assert.Equal(2m, OandaWire.Required("2", "price"));
        Assert.Equal("oanda: 'price' is missing", Assert.Throws<FormatException>(() => OandaWire.Required(null, "price")).Message);
    }

    [Theory]
    [InlineData("2016-10-25T19:45:38.558056359Z", 5580563)]
    [InlineData("2016-10-25T19:45:38.5580563Z", 5580563)]
    [InlineData("2016-10-25T19:45:38.5Z", 5000000)]
    [InlineData("2016-10-25T19:45:38Z", 0)]
    [InlineData("2016-10-25T21:45:38.558056359+02:00", 5580563)]
    public void Times_with_nanoseconds_are_read_to_the_tick(string text, long ticks) =>
        Assert.Equal(new DateTimeOffset(2016, 10, 25, 19, 45, 38, TimeSpan.Zero).AddTicks(ticks), OandaWire.Time(text));

    [Fact]
    public void A_missing_time_is_none_and_a_bad_one_does_not_parse()
    {
        Assert.Null(OandaWire.Time((string?)null));
        Assert.Throws<FormatException>(() => OandaWire.Time("1477424738.558056359")); // UNIX format: not asked for
        Assert.Equal("oanda: 'soon' is not an RFC 3339 time", Assert.Throws<FormatException>(() => OandaWire.Time("soon")).Message);
        Assert.Equal(new DateTimeOffset(2016, 10, 25, 19, 45, 38, TimeSpan.Zero), OandaWire.Time("2016-10-25T19:45:38")); // no zone: UTC
    }

    [Fact]
    public void Times_are_written_as_oanda_does_and_read_back()
    {
        var t = new DateTimeOffset(2016, 10, 25, 21, 45, 38, TimeSpan.FromHours(2)).AddTicks(5580563);

        Assert.Equal("2016-10-25T19:45:38.558056300Z", OandaWire.Time(t));
        Assert.Equal(t, OandaWire.Time(OandaWire.Time(t)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("{")]
    [InlineData("[1]")]
    public void What_is_not_the_json_expected_reads_as_nothing(string? body) => Assert.Null(OandaWire.Read<OandaResponse>(body));

    [Fact]
    public void Field_names_are_oandas()
    {
        var json = OandaWire.Write(new OandaResponse
        {
            Account = new OandaAccountSummary { Nav = "1", Balance = "2" },
            Order = new OandaOrder { FillingTransactionID = "3", ReplacesOrderID = "4", TradeClosedIDs = ["5"] },
            OrderFillTransaction = new OandaTransaction { OrderID = "6", ClientOrderID = "c", FullVWAP = "1", UserID = 7, AccountID = "a", TradeOpened = new() { TradeID = "8" } },
            RelatedTransactionIDs = ["9"],
            LastTransactionID = "9",
        });

        foreach (var name in new[] { "\"NAV\":\"1\"", "\"balance\":\"2\"", "\"fillingTransactionID\":\"3\"", "\"replacesOrderID\":\"4\"", "\"tradeClosedIDs\":[\"5\"]",
                     "\"orderID\":\"6\"", "\"clientOrderID\":\"c\"", "\"fullVWAP\":\"1\"", "\"userID\":7", "\"accountID\":\"a\"", "\"tradeID\":\"8\"",
                     "\"relatedTransactionIDs\":[\"9\"]", "\"lastTransactionID\":\"9\"", "\"orderFillTransaction\"" })
            Assert.Contains(name, json);
        Assert.DoesNotContain("null", json);
        Assert.Equal("1", OandaWire.Read<OandaResponse>("""{"account":{"NAV":"1"}}""")!.Account!.Nav);
    }

    [Fact]
    public void A_price_buckets_liquidity_is_a_number()
    {
        var line = OandaWire.Read<OandaStreamLine>("""{"type":"PRICE","bids":[{"price":"1.1","liquidity":10000000}]}""")!;

        Assert.Equal(10_000_000m, line.Bids![0].Liquidity);
        Assert.Contains("\"liquidity\":5", OandaWire.Write(new OandaPriceBucket("1", 5)));
    }

    [Fact]
    public void Paths_are_oandas_with_ids_escaped()
    {
        const string a = "101-004-1234567-001";
        Assert.Equal($"v3/accounts/{a}/orders", OandaWire.Paths.Orders(a));
        Assert.Equal($"v3/accounts/{a}/orders/@abc_-1", OandaWire.Paths.Order(a, OandaWire.Paths.ByClientId("abc_-1")));
        Assert.Equal("@a%2Fb", OandaWire.Paths.ByClientId("a/b"));
        Assert.Equal("12%20", OandaWire.Paths.ById("12 "));
        Assert.Equal($"v3/accounts/{a}/orders/@x/cancel", OandaWire.Paths.Cancel(a, "@x"));
        Assert.Equal($"v3/accounts/{a}/pendingOrders", OandaWire.Paths.PendingOrders(a));
        Assert.Equal($"v3/accounts/{a}/transactions/77", OandaWire.Paths.Transaction(a, "77"));
        Assert.Equal($"v3/accounts/{a}/summary", OandaWire.Paths.Summary(a));
        Assert.Equal($"v3/accounts/{a}/openPositions", OandaWire.Paths.OpenPositions(a));
        Assert.Equal($"v3/accounts/{a}/instruments?instruments=EUR_USD", OandaWire.Paths.Instruments(a, "EUR_USD"));
        Assert.Equal($"v3/accounts/{a}/pricing/stream?instruments=EUR_USD,USD_JPY", OandaWire.Paths.PricingStream(a, ["EUR_USD", "USD_JPY"]));
        Assert.Equal("v3/accounts/a%2F..", OandaWire.Paths.Account("a/.."));
    }

    // ---- instruments

    [Fact]
    public void An_instruments_rules_are_its_unit_step_display_tick_and_minimum_size()
    {
        var rules = OandaInstruments.ToInstrument(new OandaInstrument { Name = "USD_JPY", DisplayPrecision = 3, TradeUnitsPrecision = 0, MinimumTradeSize = "1", PipLocation = -2 });

        Assert.Equal(new TradingActors.Domain.Market.Instrument("USD_JPY", 1m, 0.001m, 1m, 0m), rules);
    }

    [Fact]
    public void Fractional_units_and_a_missing_minimum_follow_the_precision()
    {
        var rules = OandaInstruments.ToInstrument(new OandaInstrument { Name = "XAU_USD", DisplayPrecision = 2, TradeUnitsPrecision = 2 });

        Assert.Equal(0.01m, rules.QuantityStep);
        Assert.Equal(0.01m, rules.MinQuantity);
        Assert.Equal(0.01m, rules.PriceTick);
        Assert.Equal(1m, OandaInstruments.ToInstrument(new OandaInstrument { Name = "X_Y", DisplayPrecision = 0 }).QuantityStep);
    }

    [Fact]
    public void An_instrument_without_name_or_display_precision_does_not_parse()
    {
        Assert.Equal("oanda: an instrument without a name", Assert.Throws<FormatException>(() => OandaInstruments.ToInstrument(new OandaInstrument { DisplayPrecision = 5 })).Message);
        Assert.Throws<FormatException>(() => OandaInstruments.ToInstrument(new OandaInstrument { Name = "", DisplayPrecision = 5 }));
        Assert.Equal("oanda: EUR_USD has no displayPrecision", Assert.Throws<FormatException>(() => OandaInstruments.ToInstrument(new OandaInstrument { Name = "EUR_USD" })).Message);
        Assert.Equal("oanda: 'minimumTradeSize' is not a decimal",
            Assert.Throws<FormatException>(() => OandaInstruments.ToInstrument(new OandaInstrument { Name = "EUR_USD", DisplayPrecision = 5, MinimumTradeSize = "x" })).Message);
    }

    [Fact]
    public void The_minimum_size_is_the_venues_not_the_step() =>
        Assert.Equal(100m, OandaInstruments.ToInstrument(new OandaInstrument { Name = "X_Y", DisplayPrecision = 5, TradeUnitsPrecision = 0, MinimumTradeSize = "100" }).MinQuantity);

    [Theory]
    [InlineData(0, "1")]
    [InlineData(1, "0.1")]
    [InlineData(5, "0.00001")]
    [InlineData(28, "0.0000000000000000000000000001")]
    public void A_step_is_ten_to_the_minus_places(int places, string step) =>
        Assert.Equal(decimal.Parse(step, CultureInfo.InvariantCulture), OandaInstruments.Step(places));

    [Theory]
    [InlineData(-1)]
    [InlineData(29)]
    public void A_step_needs_places_a_decimal_has(int places) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => OandaInstruments.Step(places));

    [Theory]
    [InlineData("1000", 0)]
    [InlineData("1.08500", 3)]
    [InlineData("0.00001", 5)]
    [InlineData("-2.5", 1)]
    public void Places_count_significant_decimals(string value, int places) =>
        Assert.Equal(places, OandaInstruments.Places(decimal.Parse(value, CultureInfo.InvariantCulture)));

    [Fact]
    public void A_sell_is_negative_units_and_negative_units_are_a_sell()
    {
        Assert.Equal("1000", OandaInstruments.Units(OrderSide.Buy, 1000m));
        Assert.Equal("-1000", OandaInstruments.Units(OrderSide.Sell, 1000m));
        Assert.Equal(OrderSide.Sell, OandaInstruments.SideOf(-1m));
        Assert.Equal(OrderSide.Buy, OandaInstruments.SideOf(1m));
        Assert.Equal(OrderSide.Buy, OandaInstruments.SideOf(0m));
    }

    // ---- options

    [Fact]
    public void Mode_picks_the_live_or_practice_hosts()
    {
        var o = new OandaOptions();
        var live = new BrokerAccount("a", "1") { Mode = "live" };
        var paper = new BrokerAccount("a", "1") { Mode = "paper" };

        Assert.Equal(new Uri("https://api-fxtrade.oanda.com/"), o.BaseUrl(live));
        Assert.Equal(new Uri("https://api-fxpractice.oanda.com/"), o.BaseUrl(paper));
        Assert.Equal(new Uri("https://stream-fxtrade.oanda.com/"), o.StreamUrl(live));
        Assert.Equal(new Uri("https://stream-fxpractice.oanda.com/"), o.StreamUrl(paper));
        Assert.Equal(TimeSpan.FromSeconds(10), o.StreamStallTimeout);
        Assert.Equal(120, o.RequestsPerSecond);
        Assert.Throws<ArgumentNullException>(() => o.BaseUrl(null!));
        Assert.Throws<ArgumentNullException>(() => o.StreamUrl(null!));
    }
}
