using TradingActors.Brokers.Kis;

namespace TradingActors.Brokers.Tests.Venues.Kis;

/// <summary>KRX rules: whole shares and the price-band tick table in force since 2023-01-25; wire encodings.</summary>
public sealed class KisInstrumentsTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(1_999, 1)]
    [InlineData(2_000, 5)]
    [InlineData(4_995, 5)]
    [InlineData(5_000, 10)]
    [InlineData(19_990, 10)]
    [InlineData(20_000, 50)]
    [InlineData(49_950, 50)]
    [InlineData(50_000, 100)]
    [InlineData(70_000, 100)]
    [InlineData(199_900, 100)]
    [InlineData(200_000, 500)]
    [InlineData(499_500, 500)]
    [InlineData(500_000, 1_000)]
    [InlineData(1_234_000, 1_000)]
    public void The_tick_depends_on_the_price_band(decimal price, decimal tick) => Assert.Equal(tick, KisInstruments.TickFor(price));

    [Theory]
    [InlineData(70_000, true)]
    [InlineData(70_050, false)]
    [InlineData(1_999, true)]
    [InlineData(2_001, false)]
    [InlineData(2_005, true)]
    [InlineData(500_500, false)]
    [InlineData(0, false)]
    [InlineData(-100, false)]
    public void A_price_is_on_the_grid_of_its_band(decimal price, bool onTick) => Assert.Equal(onTick, KisInstruments.IsOnTick(price));

    [Theory]
    [InlineData("005930", true)]
    [InlineData("000660", true)]
    [InlineData("05930", false)]
    [InlineData("0059300", false)]
    [InlineData("00593a", false)]
    [InlineData("NOSUCH", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void A_stock_code_is_six_digits(string? symbol, bool code) => Assert.Equal(code, KisInstruments.IsStockCode(symbol));

    [Fact]
    public void A_stock_trades_in_whole_shares_at_the_tick_of_its_price()
    {
        var rules = KisInstruments.Rules("005930", 70_000m);

        Assert.Equal("005930", rules.Symbol);
        Assert.Equal(1m, rules.QuantityStep);
        Assert.Equal(1m, rules.MinQuantity);
        Assert.Equal(100m, rules.PriceTick);
        Assert.Equal(0m, rules.MinNotional);
        Assert.NotNull(rules.Refusal(0.5m, 70_000m));
        Assert.Null(rules.Refusal(3m, 70_000m));
    }

    // ---- wire encodings

    [Theory]
    [InlineData("2025-03-04T15:00:00Z", "20250305", "000000")]
    [InlineData("2025-03-04T14:59:59Z", "20250304", "235959")]
    [InlineData("2025-03-04T06:52:11+00:00", "20250304", "155211")]
    public void Dates_and_times_are_korean(string utc, string date, string time)
    {
        var at = DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(date, KisWire.Date(at));
        Assert.Equal(time, KisWire.Time(at));
        Assert.Equal(at, KisWire.ParseDateTime(date, time));
    }

    [Theory]
    [InlineData("2025030", "155211")]
    [InlineData("20250304", "1552")]
    [InlineData("20250304", null)]
    [InlineData(null, "155211")]
    [InlineData("20251304", "155211")]
    public void An_unreadable_order_time_is_null(string? date, string? time) => Assert.Null(KisWire.ParseDateTime(date, time));

    [Fact]
    public void A_token_expiry_is_read_and_written_in_korean_time()
    {
        var at = new DateTimeOffset(2025, 3, 4, 15, 30, 0, TimeSpan.Zero);

        Assert.Equal("2025-03-05 00:30:00", KisWire.FormatExpiry(at));
        Assert.Equal(at, KisWire.ParseExpiry("2025-03-05 00:30:00"));
        Assert.Null(KisWire.ParseExpiry("2025-03-05T00:30:00"));
        Assert.Null(KisWire.ParseExpiry(null));
    }

    [Theory]
    [InlineData("70000", 70_000)]
    [InlineData(" 70000.0000 ", 70_000)]
    [InlineData("-1250", -1_250)]
    [InlineData("", 0)]
    [InlineData("   ", 0)]
    [InlineData(null, 0)]
    public void Numbers_are_read_from_strings_blank_as_zero(string? text, decimal value) => Assert.Equal(value, KisWire.Number(text));

    [Fact]
    public void A_number_that_is_not_one_does_not_pass_as_zero() =>
        Assert.Equal("'1,2x' is not a number", Assert.Throws<FormatException>(() => KisWire.Number("1,2x")).Message);

    [Fact]
    public void A_whole_amount_drops_the_venues_decimal_places()
    {
        Assert.Equal("70000", KisWire.Whole(70_000.0000m));
        Assert.Equal("-3", KisWire.Whole(-3.7m));
    }

    [Theory]
    [InlineData(70_000, "70000")]
    [InlineData(1, "1")]
    [InlineData(0, "0")]
    [InlineData(12.9, "12")]
    public void Whole_amounts_are_written_without_decimals(decimal value, string text) => Assert.Equal(text, KisWire.Whole(value));
}
