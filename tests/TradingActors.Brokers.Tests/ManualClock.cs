namespace TradingActors.Brokers.Tests;

/// <summary>A clock that moves only when told: tests of time-based behaviour (retention, fill times) without waiting.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
