using TradingActors.Domain.Market;

namespace TradingActors.Brokers.Bybit;

/// <summary>
/// Bybit's instrument rules read into <see cref="Instrument"/>. Derivatives (linear, inverse) give lotSizeFilter
/// qtyStep, minOrderQty and minNotionalValue; spot gives basePrecision as its quantity step and minOrderAmt as its
/// minimum value; both give priceFilter.tickSize. Symbols are the venue's own ("BTCUSDT"), which the engine uses
/// as they are. Pure.
/// </summary>
public static class BybitInstruments
{
    /// <summary>The rules of one listed instrument; throws when the venue left out a rule the engine needs.</summary>
    public static Instrument ToInstrument(InstrumentRecord record, bool spot)
    {
        ArgumentNullException.ThrowIfNull(record);
        var lot = record.LotSizeFilter ?? throw Missing(record.Symbol, "lotSizeFilter");
        var tick = BybitWire.ParseNumber(record.PriceFilter?.TickSize) ?? throw Missing(record.Symbol, "priceFilter.tickSize");
        var step = BybitWire.ParseNumber(spot ? lot.BasePrecision : lot.QtyStep) ?? throw Missing(record.Symbol, spot ? "basePrecision" : "qtyStep");
        var minQty = BybitWire.ParseNumber(lot.MinOrderQty) ?? step;
        var minNotional = BybitWire.ParseNumber(spot ? lot.MinOrderAmt : lot.MinNotionalValue) ?? 0m;
        return new Instrument(record.Symbol, step, tick, minQty, minNotional);
    }

    /// <summary>The one instrument of a page asked for by symbol; null when the venue does not list it (an empty list).</summary>
    public static Instrument? Find(BybitPage<InstrumentRecord> page, string symbol, bool spot)
    {
        ArgumentNullException.ThrowIfNull(page);
        var record = page.List?.FirstOrDefault(i => string.Equals(i.Symbol, symbol, StringComparison.Ordinal));
        return record is null ? null : ToInstrument(record, spot);
    }

    private static VenueOutcomeUnknownException Missing(string symbol, string field) =>
        new($"bybit: the rules of {symbol} lack {field}");
}
