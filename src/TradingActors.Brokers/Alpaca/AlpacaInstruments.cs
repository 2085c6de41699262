using TradingActors.Domain.Market;

namespace TradingActors.Brokers.Alpaca;

/// <summary>
/// Alpaca's asset rules read into <see cref="Instrument"/>. Symbols are Alpaca's own ("AAPL"; crypto pairs "BTC/USD").
/// <para>
/// US equities: Alpaca documents min_order_size, min_trade_increment and price_increment for crypto only. A
/// fractionable stock takes up to 9 decimals, but only on DAY orders ("fractional orders must be DAY orders"), and
/// the engine's limit orders are good till cancelled — so equities trade in whole shares here (step and minimum 1),
/// which every order type accepts. Prices: Alpaca refuses sub-penny limit prices at or above $1 and allows four
/// decimals below; one cent is valid at every price, so it is the tick.
/// </para>
/// <para>Other classes (crypto) carry their increments on the asset, and those are used as given.</para>
/// </summary>
public static class AlpacaInstruments
{
    public const string EquityClass = "us_equity";
    public const decimal EquityQuantityStep = 1m;
    public const decimal EquityPriceTick = 0.01m;

    /// <summary>The asset's rules, or null when Alpaca lists it but it cannot be traded (inactive or not tradable): to the engine that is not listed.</summary>
    public static Instrument? ToInstrument(AlpacaAsset asset)
    {
        ArgumentNullException.ThrowIfNull(asset);
        if (!asset.Tradable || !string.Equals(asset.Status, "active", StringComparison.Ordinal)) return null;
        if (string.Equals(asset.Class, EquityClass, StringComparison.Ordinal))
        {
            var tick = AlpacaWire.ParseOptionalDecimal(asset.PriceIncrement, "price_increment") ?? EquityPriceTick;
            return new Instrument(asset.Symbol, EquityQuantityStep, tick, EquityQuantityStep);
        }
        var step = AlpacaWire.ParseDecimal(asset.MinTradeIncrement, "min_trade_increment");
        var priceTick = AlpacaWire.ParseDecimal(asset.PriceIncrement, "price_increment");
        var min = AlpacaWire.ParseOptionalDecimal(asset.MinOrderSize, "min_order_size") ?? step;
        if (step <= 0 || priceTick <= 0) throw new FormatException($"asset {asset.Symbol} has a non-positive increment");
        return new Instrument(asset.Symbol, step, priceTick, min);
    }
}
