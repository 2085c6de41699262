using System.Text.Json.Serialization;

namespace TradingActors.Domain.Indicators;

/// <summary>
/// The last <see cref="Period"/> values with their mean and variance in O(1) per value. Sums are kept of each
/// value's distance from a shift (the mean at the last lap), which keeps the variance exact for large prices with
/// small moves; once per lap both sums are re-added from the ring, so rounding cannot drift.
/// </summary>
internal sealed class RollingWindow
{
    private readonly double[] _values;
    private int _next;
    private long _count;
    private double _shift;
    private double _sum;   // of (value - shift)
    private double _sumSq; // of (value - shift)^2

    public RollingWindow(int period)
    {
        if (period < 1) throw new ArgumentOutOfRangeException(nameof(period), period, "a window needs a period of at least 1");
        _values = new double[period];
    }

    public int Period => _values.Length;

    public long Count => _count;

    public bool IsFull => _count >= _values.Length;

    /// <summary>The number of values the window holds (up to the period).</summary>
    public int Size => (int)Math.Min(_count, _values.Length);

    public double Mean => _shift + _sum / Size;

    /// <summary>Variance with divisor n (population) or n - 1 (sample).</summary>
    public double Variance(bool sample)
    {
        var n = Size;
        var divisor = sample ? n - 1 : n;
        if (divisor <= 0) return double.NaN;
        var v = (_sumSq - _sum * _sum / n) / divisor;
        // Stryker disable once Equality : a variance of exactly 0 is 0 either way
        return v < 0 ? 0 : v; // rounding can leave -1e-17 for a flat window
    }

    public void Update(double value)
    {
        if (_count == 0) _shift = value;
        if (IsFull)
        {
            var leaving = _values[_next] - _shift;
            _sum -= leaving;
            _sumSq -= leaving * leaving;
        }
        _values[_next] = value;
        var d = value - _shift;
        _sum += d;
        _sumSq += d * d;
        _count++;
        if (++_next == _values.Length)
        {
            _next = 0;
            Resum();
        }
    }

    private void Resum()
    {
        double total = 0;
        for (var i = 0; i < _values.Length; i++) total += _values[i];
        _shift = total / _values.Length;
        _sum = _sumSq = 0;
        for (var i = 0; i < _values.Length; i++)
        {
            var d = _values[i] - _shift;
            _sum += d;
            _sumSq += d * d;
        }
    }

    public WindowState ToState() => new(Period, (double[])_values.Clone(), _next, _count, _shift, _sum, _sumSq);

    public static RollingWindow From(WindowState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        // The next slot is always the count modulo the period (the ring is written in order from slot 0).
        if (state.Values is null || state.Period < 1 || state.Values.Length != state.Period || state.Count < 0 || state.Next != state.Count % state.Period)
            throw new ArgumentException("inconsistent rolling-window checkpoint", nameof(state));
        var window = new RollingWindow(state.Period) { _next = state.Next, _count = state.Count, _shift = state.Shift, _sum = state.Sum, _sumSq = state.SumOfSquares };
        state.Values.CopyTo(window._values, 0);
        return window;
    }
}

/// <summary>A rolling window's checkpoint (inside the checkpoints of the indicators built on one).</summary>
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record WindowState(int Period, double[] Values, int Next, long Count, double Shift, double Sum, double SumOfSquares);
