namespace TradingActors.Domain.Market;

/// <summary>A tradable symbol with the venue-neutral precision rules every order is rounded to.</summary>
public sealed record Instrument(string Symbol, decimal QuantityStep, decimal PriceTick, decimal MinQuantity)
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
}

/// <summary>The instruments the engine knows. One place for precision rules.</summary>
public static class Instruments
{
    public static readonly Instrument BtcUsdt = new("BTCUSDT", 0.000001m, 0.01m, 0.000001m);
    public static readonly Instrument EthUsdt = new("ETHUSDT", 0.0001m, 0.01m, 0.0001m);
    public static readonly Instrument EurUsd = new("EUR_USD", 1m, 0.00001m, 1m);
    public static readonly Instrument Aapl = new("AAPL", 0.001m, 0.01m, 0.001m);

    private static readonly IReadOnlyDictionary<string, Instrument> BySymbol =
        new[] { BtcUsdt, EthUsdt, EurUsd, Aapl }.ToDictionary(i => i.Symbol, StringComparer.Ordinal);

    public static bool TryGet(string symbol, out Instrument instrument) =>
        BySymbol.TryGetValue(symbol, out instrument!);

    public static Instrument Get(string symbol) =>
        TryGet(symbol, out var i) ? i : throw new ArgumentException($"unknown instrument '{symbol}'", nameof(symbol));

    public static IEnumerable<Instrument> All => BySymbol.Values;
}
