using TradingActors.Domain.Market;

namespace TradingActors.MarketData;

/// <summary>
/// Seeded geometric random walk for one symbol: each <see cref="Next"/> multiplies the price by
/// exp(sigma * z), z standard normal. No drift and no mean reversion: a plain walk already swings
/// enough for RSI(14) to cross 30/70 regularly, which is all the demo strategies need.
/// The same seed always yields the same sequence, so tests and demos are reproducible.
/// </summary>
public sealed class RandomWalk
{
    // Upper bound keeps the decimal conversion far from overflow even at extreme volatility.
    private const double MaxPrice = 1e15;

    private readonly Random _random;
    private readonly Instrument? _instrument;
    private readonly double _minPrice;

    // The unrounded price is the state: rounding every step to the tick would make small moves
    // snap back to the same tick forever on low-priced or coarse-tick symbols.
    private double _price;

    public RandomWalk(string symbol, decimal startPrice, double volatilityPerStep, int seed)
    {
        if (string.IsNullOrWhiteSpace(symbol))
            throw new ArgumentException("symbol must not be empty", nameof(symbol));
        if (startPrice <= 0)
            throw new ArgumentException($"start price must be > 0 (was {startPrice})", nameof(startPrice));
        if (!double.IsFinite(volatilityPerStep) || volatilityPerStep < 0)
            throw new ArgumentException($"volatility per step must be finite and >= 0 (was {volatilityPerStep})", nameof(volatilityPerStep));

        Symbol = symbol;
        VolatilityPerStep = volatilityPerStep;
        _instrument = Instruments.TryGet(symbol, out var instrument) ? instrument : null;
        PriceTick = _instrument?.PriceTick ?? 0.01m;
        _minPrice = (double)PriceTick;
        _random = new Random(seed);
        _price = Math.Clamp((double)startPrice, _minPrice, MaxPrice);
        Current = Round(_price);
    }

    public string Symbol { get; }

    public double VolatilityPerStep { get; }

    /// <summary>The instrument's price tick, or 0.01 for symbols unknown to <see cref="Instruments"/>.</summary>
    public decimal PriceTick { get; }

    /// <summary>The last emitted (rounded) price; the rounded start price before the first step.</summary>
    public decimal Current { get; private set; }

    /// <summary>Takes one step and returns the new price, rounded to the tick and never below one tick.</summary>
    public PriceUpdate Next(DateTimeOffset time)
    {
        var z = StandardNormal();
        // Clamped so the walk can never reach zero (where it would stay forever) or overflow decimal.
        _price = Math.Clamp(_price * Math.Exp(VolatilityPerStep * z), _minPrice, MaxPrice);
        Current = Round(_price);
        return new PriceUpdate(Symbol, Current, time);
    }

    private decimal Round(double price)
    {
        var value = (decimal)price;
        var rounded = _instrument?.RoundPrice(value) ?? decimal.Round(value, 2, MidpointRounding.AwayFromZero);
        return Math.Max(rounded, PriceTick);
    }

    // Box-Muller; uses only one of the pair to keep the state trivial (speed is irrelevant here).
    private double StandardNormal()
    {
        var u1 = 1.0 - _random.NextDouble(); // (0, 1], so Log never sees 0
        var u2 = _random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}

/// <summary>A symbol to simulate and the price its walk starts from.</summary>
public sealed record SimulatedSymbol(string Symbol, decimal StartPrice);

/// <summary>Settings for <see cref="SimulatedFeed"/>. Call <see cref="Validate"/> before use (the feed does).</summary>
public sealed record SimulatedFeedOptions
{
    public const double MaxVolatility = 0.2;

    public IReadOnlyList<SimulatedSymbol> Symbols { get; init; } = [];

    /// <summary>Milliseconds between ticks; the feed does not schedule itself, its caller uses this.</summary>
    public int IntervalMs { get; init; } = 1000;

    /// <summary>Standard deviation of the log return per tick (0.002 = 0.2 %).</summary>
    public double Volatility { get; init; } = 0.002;

    /// <summary>Base seed; symbol i uses Seed + i so symbols move independently but reproducibly.</summary>
    public int Seed { get; init; } = 42;

    public TimeSpan Interval => TimeSpan.FromMilliseconds(IntervalMs);

    public void Validate()
    {
        if (IntervalMs < 1)
            throw new ArgumentException($"IntervalMs must be >= 1 ms (was {IntervalMs})", nameof(IntervalMs));
        if (!(Volatility > 0 && Volatility <= MaxVolatility)) // also rejects NaN
            throw new ArgumentException($"Volatility must be in (0, {MaxVolatility}] (was {Volatility})", nameof(Volatility));
        if (Symbols is null || Symbols.Count == 0)
            throw new ArgumentException("at least one symbol is required", nameof(Symbols));

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in Symbols)
        {
            if (s is null || string.IsNullOrWhiteSpace(s.Symbol))
                throw new ArgumentException("symbol names must not be empty", nameof(Symbols));
            if (s.StartPrice <= 0)
                throw new ArgumentException($"start price of {s.Symbol} must be > 0 (was {s.StartPrice})", nameof(Symbols));
            if (!seen.Add(s.Symbol))
                throw new ArgumentException($"symbol {s.Symbol} is listed more than once", nameof(Symbols));
        }
    }
}

/// <summary>One <see cref="RandomWalk"/> per configured symbol, stepped together on each <see cref="Tick"/>.</summary>
public sealed class SimulatedFeed
{
    private readonly RandomWalk[] _walks;

    public SimulatedFeed(SimulatedFeedOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _walks = options.Symbols
            .Select((s, i) => new RandomWalk(s.Symbol, s.StartPrice, options.Volatility, unchecked(options.Seed + i)))
            .ToArray();
    }

    public SimulatedFeedOptions Options { get; }

    /// <summary>Advances every symbol one step; updates come back in the configured symbol order.</summary>
    public IReadOnlyList<PriceUpdate> Tick(DateTimeOffset time)
    {
        var updates = new PriceUpdate[_walks.Length];
        for (var i = 0; i < _walks.Length; i++)
            updates[i] = _walks[i].Next(time);
        return updates;
    }
}
