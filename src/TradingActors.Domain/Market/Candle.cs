namespace TradingActors.Domain.Market;

/// <summary>
/// One OHLCV bar as strategies and backtests see it. Prices are binary floating point: indicators and
/// strategies compute in double for speed (decision 026); the ledger keeps decimals, and an order's price
/// is converted once, when an intent becomes an order. <see cref="Time"/> is the bar's open time (UTC).
/// A live price tick is a bar whose four prices are the tick's price.
/// </summary>
public readonly record struct Candle(DateTimeOffset Time, double Open, double High, double Low, double Close, double Volume)
{
    /// <summary>A tick as a bar: open, high, low and close all at <paramref name="price"/>.</summary>
    public static Candle OfPrice(DateTimeOffset time, double price) => new(time, price, price, price, price, 0);
}
