using TradingActors.Domain.Market;

namespace TradingActors.Domain.Tests;

public class InstrumentTests
{
    [Theory]
    [InlineData(0.0000019, 0.000001)]
    [InlineData(0.000001, 0.000001)]
    [InlineData(1.23456789, 1.234567)]
    [InlineData(0.0000009, 0)]
    [InlineData(0, 0)]
    [InlineData(-1, 0)]
    public void Quantity_rounds_down_to_the_step(double quantity, double expected)
    {
        Assert.Equal((decimal)expected, Instruments.BtcUsdt.RoundQuantityDown((decimal)quantity));
    }

    [Fact]
    public void Quantity_rounding_never_rounds_up_for_whole_unit_instruments()
    {
        Assert.Equal(1234m, Instruments.EurUsd.RoundQuantityDown(1234.999m));
    }

    [Theory]
    [InlineData(100.004, 100.00)]
    [InlineData(100.005, 100.01)] // midpoint rounds away from zero
    [InlineData(100.006, 100.01)]
    public void Price_rounds_to_the_nearest_tick(double price, double expected)
    {
        Assert.Equal((decimal)expected, Instruments.Aapl.RoundPrice((decimal)price));
    }

    [Fact]
    public void Price_rounding_uses_the_instrument_tick()
    {
        Assert.Equal(1.08457m, Instruments.EurUsd.RoundPrice(1.084565m));
    }

    [Fact]
    public void Instruments_are_looked_up_by_exact_symbol()
    {
        Assert.Same(Instruments.BtcUsdt, Instruments.Get("BTCUSDT"));
        Assert.False(Instruments.TryGet("btcusdt", out _));
        Assert.Throws<ArgumentException>(() => Instruments.Get("NOPE"));
    }

    [Theory]
    [InlineData("BTCUSDT", 0.000001, 0.01, 0.000001)]
    [InlineData("ETHUSDT", 0.0001, 0.01, 0.0001)]
    [InlineData("EUR_USD", 1, 0.00001, 1)]
    [InlineData("AAPL", 0.001, 0.01, 0.001)]
    public void Every_known_symbol_resolves_to_its_precision_rules(string symbol, double quantityStep, double priceTick, double minQuantity)
    {
        Assert.Equal(
            new Instrument(symbol, (decimal)quantityStep, (decimal)priceTick, (decimal)minQuantity),
            Instruments.Get(symbol));
    }

    [Fact]
    public void The_known_instruments_are_exactly_the_four_listed()
    {
        Assert.Equal(["AAPL", "BTCUSDT", "ETHUSDT", "EUR_USD"], Instruments.All.Select(i => i.Symbol).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void An_unknown_symbol_is_rejected_naming_the_symbol()
    {
        var e = Assert.Throws<ArgumentException>(() => Instruments.Get("NOPE"));

        Assert.Equal("symbol", e.ParamName);
        Assert.StartsWith("unknown instrument 'NOPE'", e.Message);
    }
}
