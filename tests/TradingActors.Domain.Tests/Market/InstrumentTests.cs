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
    [InlineData("005930", 1, 100, 1)]
    public void Every_known_symbol_resolves_to_its_precision_rules(string symbol, double quantityStep, double priceTick, double minQuantity)
    {
        Assert.Equal(
            new Instrument(symbol, (decimal)quantityStep, (decimal)priceTick, (decimal)minQuantity),
            Instruments.Get(symbol));
    }

    [Fact]
    public void The_known_instruments_are_exactly_the_five_listed()
    {
        Assert.Equal(["005930", "AAPL", "BTCUSDT", "ETHUSDT", "EUR_USD"], Instruments.All.Select(i => i.Symbol).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void An_unknown_symbol_is_rejected_naming_the_symbol()
    {
        var e = Assert.Throws<ArgumentException>(() => Instruments.Get("NOPE"));

        Assert.Equal("symbol", e.ParamName);
        Assert.StartsWith("unknown instrument 'NOPE'", e.Message);
    }

    // A venue's rules (what a connector reads into Instrument): 0.001 steps, at least 0.01, at least 10 in notional.
    private static readonly Instrument Rules = new("XYZ", 0.001m, 0.01m, 0.01m, MinNotional: 10m);

    public static TheoryData<string, decimal, decimal, string?> Refusals => new()
    {
        { "all rules met", 0.5m, 100m, null },
        { "exactly the minimum quantity and notional", 0.1m, 100m, null },
        { "below the minimum quantity", 0.009m, 10_000m, "quantity 0.009 is below the minimum 0.01 for XYZ" },
        { "off the step", 0.0105m, 10_000m, "quantity 0.0105 is not a multiple of the step 0.001 for XYZ" },
        { "below the minimum notional", 0.099m, 100m, "notional 9.900 is below the minimum 10 for XYZ" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void A_venue_refuses_what_breaks_its_rules_with_the_reason(string rule, decimal quantity, decimal price, string? expected) =>
        Assert.True(expected == Rules.Refusal(quantity, price), $"{rule}: {Rules.Refusal(quantity, price)}");
}
