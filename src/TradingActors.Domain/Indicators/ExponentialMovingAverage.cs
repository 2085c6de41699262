using System.Text.Json.Serialization;

namespace TradingActors.Domain.Indicators;

/// <summary>
/// Exponential moving average with multiplier 2 / (period + 1), seeded with the simple average of the first
/// <see cref="Period"/> values (the StockCharts convention), then EMA = (value - previous) * k + previous.
/// NaN until <see cref="Period"/> values have been seen.
/// </summary>
public sealed class ExponentialMovingAverage
{
    private readonly double _k;
    private long _count;
    private double _value; // the running sum while warming up, the EMA afterwards

    public ExponentialMovingAverage(int period)
    {
        if (period < 1) throw new ArgumentOutOfRangeException(nameof(period), period, "an EMA needs a period of at least 1");
        Period = period;
        _k = 2.0 / (period + 1);
    }

    public int Period { get; }

    public long Count => _count;

    public bool IsReady => _count >= Period;

    public double Value => IsReady ? _value : double.NaN;

    public void Update(double value)
    {
        _count++;
        if (_count < Period) _value += value;
        else if (_count == Period) _value = (_value + value) / Period;
        else _value += (value - _value) * _k;
    }

    [JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
    public sealed record State(int Period, long Count, double Value);

    public State ToState() => new(Period, _count, _value);

    public static ExponentialMovingAverage From(State state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Count < 0) throw new ArgumentException("inconsistent EMA checkpoint", nameof(state));
        return new ExponentialMovingAverage(state.Period) { _count = state.Count, _value = state.Value };
    }
}
