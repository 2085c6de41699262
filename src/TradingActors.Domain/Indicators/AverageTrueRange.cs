using System.Text.Json.Serialization;

namespace TradingActors.Domain.Indicators;

/// <summary>
/// Wilder's Average True Range. True range = max(high - low, |high - previous close|, |low - previous close|); the
/// first bar has no previous close, so its true range is high - low. The first ATR is the mean of the first
/// <see cref="Period"/> true ranges, then ATR = (previous * (period - 1) + TR) / period. NaN until ready.
/// </summary>
public sealed class AverageTrueRange
{
    private long _count;
    private double _previousClose = double.NaN;
    private double _value; // sum of true ranges while warming up, the ATR afterwards

    public AverageTrueRange(int period)
    {
        if (period < 1) throw new ArgumentOutOfRangeException(nameof(period), period, "ATR period must be at least 1");
        Period = period;
    }

    public int Period { get; }

    public long Count => _count;

    public bool IsReady => _count >= Period;

    public double Value => IsReady ? _value : double.NaN;

    /// <summary>The last bar's true range (NaN before the first bar).</summary>
    public double LastTrueRange { get; private set; } = double.NaN;

    public void Update(double high, double low, double close)
    {
        var range = high - low;
        if (!double.IsNaN(_previousClose))
            range = Math.Max(range, Math.Max(Math.Abs(high - _previousClose), Math.Abs(low - _previousClose)));
        LastTrueRange = range;
        _previousClose = close;
        _count++;
        if (_count < Period) _value += range;
        else if (_count == Period) _value = (_value + range) / Period;
        else _value = (_value * (Period - 1) + range) / Period;
    }

    [JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
    public sealed record State(int Period, long Count, double PreviousClose, double Value, double LastTrueRange);

    public State ToState() => new(Period, _count, _previousClose, _value, LastTrueRange);

    public static AverageTrueRange From(State state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Count < 0 || (double.IsNaN(state.PreviousClose) && state.Count > 0))
            throw new ArgumentException("inconsistent ATR checkpoint", nameof(state));
        return new AverageTrueRange(state.Period) { _count = state.Count, _previousClose = state.PreviousClose, _value = state.Value, LastTrueRange = state.LastTrueRange };
    }
}
