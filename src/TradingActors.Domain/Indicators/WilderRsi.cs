using System.Text.Json.Serialization;

namespace TradingActors.Domain.Indicators;

/// <summary>
/// Wilder's Relative Strength Index over closes. The first average gain and loss are the simple means of the first
/// <see cref="Period"/> changes; after that each is smoothed as (previous * (period - 1) + current) / period.
/// NaN until <see cref="Period"/> changes (period + 1 values) have been seen; 50 when the price did not move at all.
/// </summary>
public sealed class WilderRsi
{
    private long _changes;
    private double _last = double.NaN;
    private double _gain; // sum while warming up, Wilder average afterwards
    private double _loss;

    public WilderRsi(int period)
    {
        if (period < 1) throw new ArgumentOutOfRangeException(nameof(period), period, "RSI period must be at least 1");
        Period = period;
    }

    public int Period { get; }

    public long Changes => _changes;

    public bool IsReady => _changes >= Period;

    public double AverageGain => IsReady ? _gain : double.NaN;

    public double AverageLoss => IsReady ? _loss : double.NaN;

    public double Value
    {
        get
        {
            if (!IsReady) return double.NaN;
            var total = _gain + _loss;
            // Same as 100 - 100 / (1 + gain/loss) but needs no special case for a loss of zero.
            return total == 0 ? 50 : 100 * _gain / total;
        }
    }

    public void Update(double close)
    {
        if (double.IsNaN(_last))
        {
            _last = close;
            return;
        }
        var change = close - _last;
        _last = close;
        // Stryker disable once Equality : a zero change is a zero gain either way
        var gain = change > 0 ? change : 0;
        // Stryker disable once Equality : a zero change is a zero loss either way
        var loss = change < 0 ? -change : 0;
        _changes++;
        if (_changes < Period)
        {
            _gain += gain;
            _loss += loss;
        }
        else if (_changes == Period)
        {
            _gain = (_gain + gain) / Period;
            _loss = (_loss + loss) / Period;
        }
        else
        {
            _gain = (_gain * (Period - 1) + gain) / Period;
            _loss = (_loss * (Period - 1) + loss) / Period;
        }
    }

    [JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
    public sealed record State(int Period, double LastClose, long Changes, double Gain, double Loss);

    public State ToState() => new(Period, _last, _changes, _gain, _loss);

    public static WilderRsi From(State state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Changes < 0 || state.Gain < 0 || state.Loss < 0 || (double.IsNaN(state.LastClose) && state.Changes > 0))
            throw new ArgumentException("inconsistent RSI checkpoint", nameof(state));
        return new WilderRsi(state.Period) { _last = state.LastClose, _changes = state.Changes, _gain = state.Gain, _loss = state.Loss };
    }
}
