using TradingActors.Domain.Market;

namespace TradingActors.Domain.Tenants;

/// <summary>
/// What planning knows of a symbol's trading rules (tick, lot, minimum notional) at an account's venue (decision 025):
/// the venue's own once learnt, the engine's table for the embedded paper venue.
/// </summary>
public abstract record InstrumentRule
{
    public sealed record Known(Instrument Instrument) : InstrumentRule;

    /// <summary>The venue's rules are not known yet: ask the venue, then plan again.</summary>
    public sealed record Unlearnt : InstrumentRule;

    /// <summary>The venue does not trade the symbol (or nobody knows its rules): no order.</summary>
    public sealed record NotTraded(string Reason) : InstrumentRule;

    /// <summary>The engine's own table: what the embedded paper venue trades, and the fallback when a venue could not be asked.</summary>
    public static InstrumentRule FromEngineTable(string symbol) =>
        Instruments.TryGet(symbol, out var instrument) ? new Known(instrument) : new NotTraded($"unknown symbol '{symbol}'");

    /// <summary>Every account by the engine's table (what planning used before venues were asked).</summary>
    public static readonly InstrumentRules EngineTable = (_, symbol) => FromEngineTable(symbol);
}

/// <summary>The rules of <paramref name="symbol"/> at <paramref name="account"/>'s venue, as far as they are known.</summary>
public delegate InstrumentRule InstrumentRules(LinkedAccount account, string symbol);
