using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Oanda;

/// <summary>
/// OANDA's instrument rules read into <see cref="Instrument"/>, and how orders carry size and side. Symbols are
/// OANDA's own names (EUR_USD, USD_JPY): the engine uses them as they are. A quantity is in units; its step is
/// 10^-tradeUnitsPrecision; a price's tick is 10^-displayPrecision (OANDA refuses more digits:
/// PRICE_PRECISION_EXCEEDED); the minimum is minimumTradeSize; OANDA has no minimum notional.
/// </summary>
public static class OandaInstruments
{
    /// <summary>The rules of one instrument as the engine uses them.</summary>
    public static Instrument ToInstrument(OandaInstrument wire)
    {
        ArgumentNullException.ThrowIfNull(wire);
        if (string.IsNullOrEmpty(wire.Name)) throw new FormatException($"{OandaOptions.VenueName}: an instrument without a name");
        var step = Step(wire.TradeUnitsPrecision ?? 0);
        var tick = Step(wire.DisplayPrecision ?? throw new FormatException($"{OandaOptions.VenueName}: {wire.Name} has no displayPrecision"));
        var minimum = OandaWire.Decimal(wire.MinimumTradeSize, "minimumTradeSize") ?? step;
        return new Instrument(wire.Name, step, tick, minimum);
    }

    /// <summary>10^-places: the step of a number with that many decimal places (0 → 1, 5 → 0.00001).</summary>
    public static decimal Step(int places) =>
        places < 0 ? throw new ArgumentOutOfRangeException(nameof(places)) : new decimal(1, 0, 0, false, (byte)places); // the constructor refuses more than 28

    /// <summary>How many decimal places a number needs (1.08500 → 3, 1000 → 0).</summary>
    public static int Places(decimal value) => OandaWire.Number(value).Split('.') is [_, var fraction] ? fraction.Length : 0;

    /// <summary>Units as OANDA takes them: a sell is negative.</summary>
    public static string Units(OrderSide side, decimal quantity) => OandaWire.Number(side == OrderSide.Sell ? -quantity : quantity);

    /// <summary>The side of signed units.</summary>
    public static OrderSide SideOf(decimal units) => units < 0 ? OrderSide.Sell : OrderSide.Buy;
}
