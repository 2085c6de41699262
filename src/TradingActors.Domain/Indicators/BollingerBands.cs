using System.Text.Json.Serialization;

namespace TradingActors.Domain.Indicators;

/// <summary>
/// Bollinger bands: middle = simple average of the last <see cref="Period"/> closes, upper and lower = middle ±
/// <see cref="Width"/> standard deviations, the deviation taken over the whole window as a population (divisor n,
/// as Bollinger and StockCharts compute it). NaN until ready.
/// </summary>
public sealed class BollingerBands
{
    private readonly RollingWindow _window;

    public BollingerBands(int period = 20, double width = 2)
        : this(new RollingWindow(Checked(period, width)), width)
    {
    }

    private BollingerBands(RollingWindow window, double width)
    {
        _window = window;
        Width = width;
    }

    /// <summary>The period, once it and the width are known to make bands (a constructor's or a checkpoint's).</summary>
    private static int Checked(int period, double width)
    {
        if (period < 2) throw new ArgumentOutOfRangeException(nameof(period), period, "Bollinger bands need a period of at least 2");
        if (!(width > 0) || !double.IsFinite(width)) throw new ArgumentOutOfRangeException(nameof(width), width, "band width must be a positive number of deviations");
        return period;
    }

    public int Period => _window.Period;

    public double Width { get; }

    public bool IsReady => _window.IsFull;

    public double Middle => IsReady ? _window.Mean : double.NaN;

    public double StandardDeviation => IsReady ? Math.Sqrt(_window.Variance(sample: false)) : double.NaN;

    public double Upper => Middle + Width * StandardDeviation;

    public double Lower => Middle - Width * StandardDeviation;

    /// <summary>Where <paramref name="price"/> sits in the bands: 0 at the lower, 1 at the upper (%B).</summary>
    public double PercentB(double price) => (price - Lower) / (Upper - Lower);

    public void Update(double close) => _window.Update(close);

    [JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
    public sealed record State(WindowState Window, double Width);

    public State ToState() => new(_window.ToState(), Width);

    public static BollingerBands From(State state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var window = RollingWindow.From(state.Window);
        Checked(window.Period, state.Width);
        return new BollingerBands(window, state.Width);
    }
}
