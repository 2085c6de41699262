using System.Collections;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;

namespace TradingActors.Backtesting;

/// <summary>Everything a run produced. Write it with <see cref="ReportWriter"/> and <see cref="EquityChart"/>.</summary>
public sealed class BacktestReport
{
    internal BacktestReport(
        string strategy,
        string parametersJson,
        BacktestSettings settings,
        IReadOnlyList<SymbolSummary> symbols,
        DateTimeOffset start,
        DateTimeOffset end,
        TimeSpan barInterval,
        BacktestMetrics metrics,
        OrderCounts orders,
        IReadOnlyList<OpenOrderAtEnd> openAtEnd,
        IReadOnlyList<BacktestTrade>? trades,
        IReadOnlyList<RoundTrip>? roundTrips,
        EquityCurve? equityCurve)
    {
        Strategy = strategy;
        ParametersJson = parametersJson;
        Settings = settings;
        Symbols = symbols;
        Start = start;
        End = end;
        BarInterval = barInterval;
        Metrics = metrics;
        Orders = orders;
        OpenAtEnd = openAtEnd;
        Trades = trades;
        RoundTrips = roundTrips;
        EquityCurve = equityCurve;
    }

    public string Strategy { get; }

    /// <summary>The parameters as run, canonical (<see cref="StrategyParameters.ToJson"/>).</summary>
    public string ParametersJson { get; }

    public BacktestSettings Settings { get; }

    /// <summary>Per symbol, in processing (ordinal name) order.</summary>
    public IReadOnlyList<SymbolSummary> Symbols { get; }

    /// <summary>The first bar's open.</summary>
    public DateTimeOffset Start { get; }

    /// <summary>The last bar's open plus one bar interval.</summary>
    public DateTimeOffset End { get; }

    /// <summary>The median gap between distinct bar times (zero with a single bar time).</summary>
    public TimeSpan BarInterval { get; }

    public BacktestMetrics Metrics { get; }

    public OrderCounts Orders { get; }

    public IReadOnlyList<OpenOrderAtEnd> OpenAtEnd { get; }

    /// <summary>Every fill in order, or null when <see cref="BacktestSettings.RecordTrades"/> was off.</summary>
    public IReadOnlyList<BacktestTrade>? Trades { get; }

    /// <summary>Every closed round trip in closing order, or null when trades were not recorded.</summary>
    public IReadOnlyList<RoundTrip>? RoundTrips { get; }

    /// <summary>One point per distinct bar time, or null when <see cref="BacktestSettings.EquityCurve"/> was None.</summary>
    public EquityCurve? EquityCurve { get; }
}

/// <summary>
/// The run's figures (formulas: <see cref="BacktestRules.Metrics"/>). Percentages are in percent (12.5 = 12.5 %);
/// a null is a figure the data cannot define (no volatility, no losing trip, ...).
/// </summary>
public sealed record BacktestMetrics(
    double InitialCash,
    double FinalEquity,
    double TotalReturnPct,
    double? CagrPct,
    double MaxDrawdownPct,
    TimeSpan MaxDrawdownDuration,
    bool MaxDrawdownRecovered,
    double? Sharpe,
    double? Sortino,
    long EquityPoints,
    double ExposurePct,
    long Trades,
    long RoundTrips,
    long Wins,
    long Losses,
    double? WinRatePct,
    double GrossProfit,
    double GrossLoss,
    double? ProfitFactor,
    double FeesPaid,
    double FundingPaid);

/// <summary>What happened to the orders: placed = filled + rejected + cancelled + open at end.</summary>
public sealed record OrderCounts(long Placed, long Filled, long Rejected, long Cancelled, long OpenAtEnd);

/// <summary>A symbol at the end of the run.</summary>
public sealed record SymbolSummary(string Symbol, int Bars, DateTimeOffset First, DateTimeOffset Last, double Position, double LastClose, FundingSchedule? Funding);

/// <summary>An order still open after the last bar (never filled, never told ended).</summary>
public sealed record OpenOrderAtEnd(string Symbol, long OrderRef, IntentKind Kind, OrderSide Side, IntentSizing Sizing, double Amount, double LimitPrice);

/// <summary>One fill: the whole order at one price (the bar's open time is its time).</summary>
public readonly record struct BacktestTrade(
    DateTimeOffset Time,
    string Symbol,
    long OrderRef,
    IntentKind OrderKind,
    OrderSide Side,
    double Quantity,
    double Price,
    double Fee,
    double CashAfter,
    double PositionAfter,
    IntentReason Reason)
{
    public double Notional => Quantity * Price;
}

/// <summary>A symbol's position from flat back to flat: fills, money in, and the result after fees and funding.</summary>
public readonly record struct RoundTrip(string Symbol, DateTimeOffset Opened, DateTimeOffset Closed, int Fills, double BuyCost, double Pnl)
{
    /// <summary>Pnl over the money the buys took (notional and fees), in percent.</summary>
    public double ReturnPct => BuyCost > 0 ? Pnl / BuyCost * 100 : 0;
}

/// <summary>The equity at one distinct bar time (the bar's open time; the values are at its close).</summary>
public readonly record struct EquityPoint(DateTimeOffset Time, double Equity, double Cash, double PositionValue, double DrawdownPct);

/// <summary>The recorded equity points, in time order.</summary>
public sealed class EquityCurve : IReadOnlyList<EquityPoint>
{
    private readonly EquityPoint[] _points;

    internal EquityCurve(EquityPoint[] points, int count)
    {
        _points = points;
        Count = count;
    }

    public int Count { get; }

    public EquityPoint this[int index] => (uint)index < (uint)Count ? _points[index] : throw new ArgumentOutOfRangeException(nameof(index));

    public ReadOnlySpan<EquityPoint> AsSpan() => _points.AsSpan(0, Count);

    public IEnumerator<EquityPoint> GetEnumerator()
    {
        for (var i = 0; i < Count; i++) yield return _points[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
