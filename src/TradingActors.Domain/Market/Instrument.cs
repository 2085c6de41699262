namespace TradingActors.Domain.Market;

/// <summary>
/// A tradable symbol with the precision rules every order is rounded to. The static table below holds the
/// engine's defaults; a venue connector reads the venue's own rules (tick, lot, minimum notional) into the same type.
/// </summary>
public sealed record Instrument(string Symbol, decimal QuantityStep, decimal PriceTick, decimal MinQuantity, decimal MinNotional = 0m)
{
    /// <summary>Rounds a quantity down to the instrument's step (never up: a buy must stay within budget).</summary>
    public decimal RoundQuantityDown(decimal quantity)
    {
        // Stryker disable once Equality : at zero the step rounding below returns 0 as well
        if (quantity <= 0) return 0m;
        var steps = decimal.Floor(quantity / QuantityStep);
        return steps * QuantityStep;
    }

    public decimal RoundPrice(decimal price) =>
        decimal.Round(price / PriceTick, 0, MidpointRounding.AwayFromZero) * PriceTick;

    /// <summary>Why the venue would refuse this quantity at this price, or null when it takes it (step, minimum size, minimum notional).</summary>
    public string? Refusal(decimal quantity, decimal price)
    {
        if (quantity < MinQuantity) return $"quantity {quantity} is below the minimum {MinQuantity} for {Symbol}";
        if (quantity % QuantityStep != 0) return $"quantity {quantity} is not a multiple of the step {QuantityStep} for {Symbol}";
        if (quantity * price < MinNotional) return $"notional {quantity * price} is below the minimum {MinNotional} for {Symbol}";
        return null;
    }
}

/// <summary>The instruments the engine knows. One place for precision rules.</summary>
public static class Instruments
{
    public static readonly Instrument BtcUsdt = new("BTCUSDT", 0.000001m, 0.01m, 0.000001m);
    public static readonly Instrument EthUsdt = new("ETHUSDT", 0.0001m, 0.01m, 0.0001m);
    public static readonly Instrument EurUsd = new("EUR_USD", 1m, 0.00001m, 1m);
    public static readonly Instrument Aapl = new("AAPL", 0.001m, 0.01m, 0.001m);

    /// <summary>
    /// Samsung Electronics on KRX (KIS's short code): whole shares, and the tick of the 50,000–200,000 won band it
    /// trades in (KRX ticks depend on the price band; KisInstruments has the whole table).
    /// </summary>
    public static readonly Instrument Samsung = new("005930", 1m, 100m, 1m);

    private static readonly IReadOnlyDictionary<string, Instrument> BySymbol =
        new[] { BtcUsdt, EthUsdt, EurUsd, Aapl, Samsung }.ToDictionary(i => i.Symbol, StringComparer.Ordinal);

    public static bool TryGet(string symbol, out Instrument instrument) =>
        BySymbol.TryGetValue(symbol, out instrument!);

    public static Instrument Get(string symbol) =>
        TryGet(symbol, out var i) ? i : throw new ArgumentException($"unknown instrument '{symbol}'", nameof(symbol));

    public static IEnumerable<Instrument> All => BySymbol.Values;
}
