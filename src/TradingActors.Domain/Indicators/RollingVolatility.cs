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
    private double _last;

    public RollingVolatility(int period = 20)
        : this(new RollingWindow(Checked(period)), double.NaN)
    {
    }

    private RollingVolatility(RollingWindow returns, double last)
    {
        _returns = returns;
        _last = last;
    }

    private static int Checked(int period) =>
        period < 2 ? throw new ArgumentOutOfRangeException(nameof(period), period, "volatility needs a period of at least 2 returns") : period;

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
        var returns = RollingWindow.From(state.Returns);
        Checked(returns.Period);
        // The last close is a price, or NaN before the first close (when there can be no return yet).
        if (!(state.LastClose > 0) && !(double.IsNaN(state.LastClose) && returns.Count == 0))
            throw new ArgumentException("inconsistent volatility checkpoint", nameof(state));
        return new RollingVolatility(returns, state.LastClose);
    }
}
