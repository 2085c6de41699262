namespace TradingActors.Domain.Indicators;

/// <summary>Simple moving average of the last <see cref="Period"/> values, O(1) per value. NaN until <see cref="Period"/> values have been seen.</summary>
public sealed class SimpleMovingAverage
{
    private readonly RollingWindow _window;

    public SimpleMovingAverage(int period) => _window = new RollingWindow(period);

    private SimpleMovingAverage(RollingWindow window) => _window = window;

    public int Period => _window.Period;

    public long Count => _window.Count;

    public bool IsReady => _window.IsFull;

    public double Value => IsReady ? _window.Mean : double.NaN;

    public void Update(double value) => _window.Update(value);

    public WindowState ToState() => _window.ToState();

    public static SimpleMovingAverage From(WindowState state) => new(RollingWindow.From(state));
}
