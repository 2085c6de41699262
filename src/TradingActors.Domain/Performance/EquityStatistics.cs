namespace TradingActors.Domain.Performance;

/// <summary>
/// The equity metrics computed online, one point at a time, storing nothing per point: the same figures for a backtest's
/// curve and a live bot's or subscription's (docs/backtesting.md gives the formulas). Returns go through Welford's running mean and sum of squared deviations so
/// the sample standard deviation needs no second pass.
/// </summary>
public sealed class EquityStatistics
{
    public const double DaysPerYear = 365.25;

    private long _points;
    private long _exposedPoints;
    private double _previous;
    private double _peak = double.NegativeInfinity;
    private long _peakTicks;
    private long _lastTicks;
    private bool _underwater;
    private double _maxDrawdown;
    private long _maxUnderwaterTicks;
    private bool _maxUnderwaterRecovered = true;
    private long _returns;
    private double _mean;
    private double _m2;
    private double _downsideSquares;

    public long Points => _points;

    /// <summary>The last point's equity.</summary>
    public double Last => _previous;

    /// <summary>The last point's drawdown from the running peak, as a fraction.</summary>
    public double CurrentDrawdown { get; private set; }

    public void Add(long ticks, double equity, bool exposed)
    {
        if (exposed) _exposedPoints++;
        if (_points++ > 0)
        {
            // Welford: mean and M2 (sum of squared deviations) of r_k = E_k / E_(k-1) - 1.
            var r = equity / _previous - 1;
            _returns++;
            var delta = r - _mean;
            _mean += delta / _returns;
            _m2 += delta * (r - _mean);
            // Stryker disable once Equality : a zero return adds zero either way
            if (r < 0) _downsideSquares += r * r;
        }
        _previous = equity;
        _lastTicks = ticks;

        if (equity >= _peak)
        {
            if (_underwater)
            {
                var underwater = ticks - _peakTicks;
                // Stryker disable once Equality : two recovered periods equally long give the same figures either way
                if (underwater > _maxUnderwaterTicks)
                {
                    _maxUnderwaterTicks = underwater;
                    _maxUnderwaterRecovered = true;
                }
                _underwater = false;
            }
            _peak = equity;
            _peakTicks = ticks;
            CurrentDrawdown = 0;
        }
        else
        {
            _underwater = true;
            var drawdown = (_peak - equity) / _peak;
            CurrentDrawdown = drawdown;
            // Stryker disable once Equality : an equal drawdown set again leaves it as it was
            if (drawdown > _maxDrawdown) _maxDrawdown = drawdown;
        }
    }

    /// <summary>The figures so far; <paramref name="intervalTicks"/> is the bar interval, the span runs from the first bar's open to the end.</summary>
    public Summary Summarize(double initialCash, long intervalTicks, long startTicks, long endTicks)
    {
        var maxUnderwater = _maxUnderwaterTicks;
        var recovered = _maxUnderwaterRecovered;
        if (_underwater && _lastTicks - _peakTicks > maxUnderwater)
        {
            maxUnderwater = _lastTicks - _peakTicks;
            recovered = false;
        }

        var final = _points == 0 ? initialCash : _previous;
        var growth = final / initialCash;
        double? cagr = null;
        double? sharpe = null;
        double? sortino = null;
        if (intervalTicks > 0)
        {
            var years = (endTicks - startTicks) / (DaysPerYear * TimeSpan.TicksPerDay);
            cagr = Finite(Math.Pow(growth, 1 / years) - 1);
            var sqrtBarsPerYear = Math.Sqrt(DaysPerYear * TimeSpan.TicksPerDay / intervalTicks);
            // A zero deviation divides by zero: infinite or NaN, so null.
            if (_returns >= 2) sharpe = Finite(_mean / Math.Sqrt(_m2 / (_returns - 1)) * sqrtBarsPerYear);
            if (_returns >= 1) sortino = Finite(_mean / Math.Sqrt(_downsideSquares / _returns) * sqrtBarsPerYear);
        }
        return new Summary(
            final,
            (growth - 1) * 100,
            cagr * 100,
            _maxDrawdown * 100,
            maxUnderwater,
            recovered,
            sharpe,
            sortino,
            _points == 0 ? 0 : _exposedPoints * 100.0 / _points);
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    public readonly record struct Summary(
        double FinalEquity,
        double TotalReturnPct,
        double? CagrPct,
        double MaxDrawdownPct,
        long MaxUnderwaterTicks,
        bool MaxUnderwaterRecovered,
        double? Sharpe,
        double? Sortino,
        double ExposurePct);
}
