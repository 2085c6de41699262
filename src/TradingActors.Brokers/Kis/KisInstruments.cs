using TradingActors.Domain.Market;

namespace TradingActors.Brokers.Kis;

/// <summary>
/// KRX stock rules: whole shares (step 1, at least 1) and a price tick that depends on the price band — the table
/// in force since 2023-01-25, the same for KOSPI and KOSDAQ. A symbol is the 6-digit short code (종목코드, e.g.
/// 005930). Pure.
/// </summary>
public static class KisInstruments
{
    /// <summary>(price below, tick) — the last band has no upper bound.</summary>
    private static readonly (decimal Below, decimal Tick)[] Bands =
    [
        (2_000m, 1m),
        (5_000m, 5m),
        (20_000m, 10m),
        (50_000m, 50m),
        (200_000m, 100m),
        (500_000m, 500m),
    ];

    private const decimal TopTick = 1_000m;

    /// <summary>The tick (호가단위) of a price.</summary>
    public static decimal TickFor(decimal price)
    {
        foreach (var (below, tick) in Bands)
            if (price < below) return tick;
        return TopTick;
    }

    /// <summary>Whether a price lies on the tick grid of its band.</summary>
    public static bool IsOnTick(decimal price) => price > 0 && price % TickFor(price) == 0;

    /// <summary>A KRX stock short code: 6 digits.</summary>
    public static bool IsStockCode(string? symbol) => symbol is { Length: 6 } && symbol.All(char.IsAsciiDigit);

    /// <summary>The rules of a stock trading at <paramref name="price"/>: whole shares, the tick of that price's band.</summary>
    public static Instrument Rules(string symbol, decimal price) => new(symbol, QuantityStep: 1m, PriceTick: TickFor(price), MinQuantity: 1m);
}
