using TradingActors.Domain.Market;
using TradingActors.Domain.Strategies;

namespace TradingActors.Backtesting;

/// <summary>
/// One backtest, as plain data (a remote node needs nothing else): the strategy kind's name, its parameters as JSON
/// (<see cref="StrategyParameters.ToJson"/> shape), the symbols with their bars, and the venue settings.
/// Run it with <see cref="Backtester.Run(BacktestRequest, CancellationToken)"/>.
/// </summary>
public sealed record BacktestRequest
{
    /// <summary>The strategy kind's name ("rsi", "ema-cross", ...), resolved through <see cref="StrategyKinds"/> by default.</summary>
    public required string Strategy { get; init; }

    /// <summary>The kind's parameters as a JSON object of names and values; missing ones take their defaults.</summary>
    public string Parameters { get; init; } = "{}";

    /// <summary>
    /// One or more symbols, each with its own bars and its own strategy instance; all share one cash account. Their
    /// bars are merged by open time, then by symbol name (ordinal), whatever order they are given in.
    /// </summary>
    public required IReadOnlyList<BacktestSymbol> Symbols { get; init; }

    public BacktestSettings Settings { get; init; } = new();
}

/// <summary>
/// A symbol's bars (sorted by strictly increasing open time, each a valid OHLC bar) and, for a perpetual, its funding.
/// </summary>
public sealed record BacktestSymbol(string Symbol, Candle[] Bars, FundingSchedule? Funding = null);

/// <summary>
/// A perpetual's funding: at every <see cref="Interval"/> counted from 1970-01-01T00:00Z (8 hours: 00:00, 08:00 and
/// 16:00 UTC) a long position pays <see cref="Rate"/> × its notional at the close of the bar the funding time falls
/// in; a negative rate is received. One constant rate for the whole run.
/// </summary>
public sealed record FundingSchedule(double Rate, TimeSpan Interval)
{
    public static readonly TimeSpan EightHours = TimeSpan.FromHours(8);

    /// <summary>The usual perpetual schedule: every 8 hours at 00:00, 08:00 and 16:00 UTC.</summary>
    public static FundingSchedule Every8Hours(double rate) => new(rate, EightHours);
}

/// <summary>Whether the equity curve is kept point by point (for its CSV and chart); metrics never need it.</summary>
public enum EquityCurveRecording
{
    /// <summary>Nothing per bar is stored: metrics are computed online (sweeps, benchmarks).</summary>
    None = 0,
    /// <summary>One point per distinct bar time: time, equity, cash, position value, drawdown.</summary>
    Full = 1,
}

/// <summary>The simulated venue and account, and what to record. Rates are fractions (0.001 = 0.1 %).</summary>
public sealed record BacktestSettings
{
    /// <summary>Starting cash in the quote currency.</summary>
    public double InitialCash { get; init; } = 10_000;

    /// <summary>Fee rate of market orders, on the notional.</summary>
    public double TakerFeeRate { get; init; } = 0.001;

    /// <summary>Fee rate of limit orders, on the notional.</summary>
    public double MakerFeeRate { get; init; } = 0.001;

    /// <summary>Market orders fill this many basis points worse than the next bar's open.</summary>
    public double SlippageBps { get; init; } = 5;

    /// <summary>
    /// The fraction of the cash not reserved by open buy orders that a Signal buy spends, fee included
    /// (1.0 = all of it): budget = SignalBudget × (cash − reserved) / (1 + TakerFeeRate).
    /// </summary>
    public double SignalBudget { get; init; } = 1.0;

    public EquityCurveRecording EquityCurve { get; init; } = EquityCurveRecording.Full;

    /// <summary>Keep every fill and closed round trip in the report (the metrics are computed either way).</summary>
    public bool RecordTrades { get; init; } = true;

    public const double MaxFeeRate = 0.1;
    public const double MaxSlippageBps = 1000;
}

/// <summary>How far a run is: bars processed (over all symbols) of the total.</summary>
public readonly record struct BacktestProgress(long BarsDone, long BarsTotal)
{
    public double Fraction => BarsTotal == 0 ? 1 : (double)BarsDone / BarsTotal;
}

/// <summary>How to run (not part of the request: the caller's own business).</summary>
public sealed class BacktestRunOptions
{
    public const int DefaultCheckEvery = 65_536;

    /// <summary>
    /// Told every <see cref="CheckEvery"/> bars and once more at the end (never per bar). Called on the running thread.
    /// </summary>
    public IProgress<BacktestProgress>? Progress { get; init; }

    /// <summary>Bars between progress reports and cancellation checks.</summary>
    public int CheckEvery { get; init; } = DefaultCheckEvery;

    /// <summary>Finds a kind by name; <see cref="StrategyKinds.Get"/> when null (tests plug their own kinds here).</summary>
    public Func<string, StrategyKind>? ResolveKind { get; init; }
}
