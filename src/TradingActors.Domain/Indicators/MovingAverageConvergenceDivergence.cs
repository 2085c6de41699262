using System.Text.Json.Serialization;

namespace TradingActors.Domain.Indicators;

/// <summary>
/// MACD: line = EMA(fast) - EMA(slow) of closes, ready once the slow EMA is; signal = EMA(signal period) of the
/// line, fed from the first ready line value; histogram = line - signal. Each EMA is seeded with its simple average
/// (<see cref="ExponentialMovingAverage"/>), so the signal is ready slow + signal - 1 closes in.
/// </summary>
public sealed class MovingAverageConvergenceDivergence
{
    private readonly ExponentialMovingAverage _fast;
    private readonly ExponentialMovingAverage _slow;
    private readonly ExponentialMovingAverage _signal;

    public MovingAverageConvergenceDivergence(int fast = 12, int slow = 26, int signal = 9)
        : this(new ExponentialMovingAverage(fast), new ExponentialMovingAverage(slow), new ExponentialMovingAverage(signal))
    {
        if (fast >= slow) throw new ArgumentOutOfRangeException(nameof(fast), fast, $"the fast period must be shorter than the slow one ({slow})");
    }

    private MovingAverageConvergenceDivergence(ExponentialMovingAverage fast, ExponentialMovingAverage slow, ExponentialMovingAverage signal)
    {
        _fast = fast;
        _slow = slow;
        _signal = signal;
    }

    public bool IsReady => _slow.IsReady;

    public double Line => _fast.Value - _slow.Value; // NaN until the slow EMA is ready

    public double Signal => _signal.Value;

    public double Histogram => Line - Signal;

    public void Update(double close)
    {
        _fast.Update(close);
        _slow.Update(close);
        if (_slow.IsReady) _signal.Update(_fast.Value - _slow.Value);
    }

    [JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
    public sealed record State(ExponentialMovingAverage.State Fast, ExponentialMovingAverage.State Slow, ExponentialMovingAverage.State Signal);

    public State ToState() => new(_fast.ToState(), _slow.ToState(), _signal.ToState());

    public static MovingAverageConvergenceDivergence From(State state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var (fast, slow, signal) = (ExponentialMovingAverage.From(state.Fast), ExponentialMovingAverage.From(state.Slow), ExponentialMovingAverage.From(state.Signal));
        // Both EMAs see every close; the signal one every close from the slow one's first value on.
        if (fast.Period >= slow.Period || fast.Count != slow.Count || signal.Count != Math.Max(0, slow.Count - slow.Period + 1))
            throw new ArgumentException("inconsistent MACD checkpoint", nameof(state));
        return new(fast, slow, signal);
    }
}
