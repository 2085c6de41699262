using System.Text.Json.Serialization;

namespace TradingActors.Domain.Indicators;

/// <summary>
/// Realised volatility: the sample standard deviation (divisor n - 1) of the last <see cref="Period"/> log returns
/// ln(close / previous close), per bar (not annualised: multiply by sqrt(bars per year) for that). NaN until
/// <see cref="Period"/> returns (period + 1 closes) have been seen.
/// </summary>
public sealed class RollingVolatility
{
    private readonly RollingWindow _returns;
    private double _last = double.NaN;

    public RollingVolatility(int period = 20)
    {
        if (period < 2) throw new ArgumentOutOfRangeException(nameof(period), period, "volatility needs a period of at least 2 returns");
        _returns = new RollingWindow(period);
    }

    private RollingVolatility(RollingWindow returns, double last)
    {
        _returns = returns;
        _last = last;
    }

    public int Period => _returns.Period;

    public bool IsReady => _returns.IsFull;

    public double Value => IsReady ? Math.Sqrt(_returns.Variance(sample: true)) : double.NaN;

    public void Update(double close)
    {
        if (!(close > 0)) throw new ArgumentOutOfRangeException(nameof(close), close, "volatility is measured on positive prices");
        if (!double.IsNaN(_last)) _returns.Update(Math.Log(close / _last));
        _last = close;
    }

    [JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
    public sealed record State(WindowState Returns, double LastClose);

    public State ToState() => new(_returns.ToState(), _last);

    public static RollingVolatility From(State state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new RollingVolatility(RollingWindow.From(state.Returns), state.LastClose);
    }
}
