namespace TradingActors.Domain.Strategies;

/// <summary>
/// Wilder's Relative Strength Index as an immutable value: feed closes with <see cref="Next"/>.
/// <see cref="Value"/> stays null until <see cref="Period"/> price changes (period + 1 closes) have been seen.
/// The first average gain/loss is the simple mean of the first <see cref="Period"/> changes; after that
/// each average is smoothed as (previous * (period - 1) + current) / period.
/// </summary>
public sealed record RelativeStrengthIndex
{
    public RelativeStrengthIndex(int period = 14)
    {
        if (period < 1) throw new ArgumentOutOfRangeException(nameof(period), period, "RSI period must be at least 1");
        Period = period;
    }

    public int Period { get; }

    /// <summary>The last close seen, null before the first one.</summary>
    public decimal? LastClose { get; private init; }

    /// <summary>Number of price changes seen so far (closes - 1).</summary>
    public int Changes { get; private init; }

    // Sum of gains/losses while warming up, the Wilder average afterwards: one pair of fields, no extra state.
    private decimal GainAccumulator { get; init; }
    private decimal LossAccumulator { get; init; }

    /// <summary>Wilder average gain (null during warm-up).</summary>
    public decimal? AverageGain => IsReady ? GainAccumulator : null;

    /// <summary>Wilder average loss as a positive number (null during warm-up).</summary>
    public decimal? AverageLoss => IsReady ? LossAccumulator : null;

    public bool IsReady => Changes >= Period;

    /// <summary>RSI in [0, 100]; 100 when there were only gains, 50 when the price did not move at all.</summary>
    public decimal? Value
    {
        get
        {
            if (!IsReady) return null;
            if (GainAccumulator == 0 && LossAccumulator == 0) return 50m;
            // Same as 100 - 100 / (1 + gain/loss) but needs no special case for loss == 0.
            return 100m * GainAccumulator / (GainAccumulator + LossAccumulator);
        }
    }

    /// <summary>Everything the indicator knows, to checkpoint it and resume exactly where it was (<see cref="From"/>).</summary>
    public sealed record State(int Period, decimal? LastClose, int Changes, decimal GainAccumulator, decimal LossAccumulator);

    public State ToState() => new(Period, LastClose, Changes, GainAccumulator, LossAccumulator);

    /// <summary>The indicator a checkpoint describes; throws when the checkpoint is inconsistent.</summary>
    public static RelativeStrengthIndex From(State state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Changes < 0) throw new ArgumentOutOfRangeException(nameof(state), state.Changes, "RSI changes cannot be negative");
        if (state.GainAccumulator < 0 || state.LossAccumulator < 0) throw new ArgumentOutOfRangeException(nameof(state), "RSI gains and losses cannot be negative");
        if (state.LastClose is null && state.Changes > 0) throw new ArgumentException("an RSI with changes has a last close", nameof(state));
        return new RelativeStrengthIndex(state.Period)
        {
            LastClose = state.LastClose,
            Changes = state.Changes,
            GainAccumulator = state.GainAccumulator,
            LossAccumulator = state.LossAccumulator,
        };
    }

    public RelativeStrengthIndex Next(decimal close)
    {
        if (LastClose is not { } last) return this with { LastClose = close };

        var change = close - last;
        // Stryker disable once Equality : a zero change is a zero gain either way
        var gain = change > 0 ? change : 0m;
        // Stryker disable once Equality : a zero change is a zero loss either way
        var loss = change < 0 ? -change : 0m;
        var changes = Changes + 1;

        decimal nextGain, nextLoss;
        if (changes < Period)
        {
            (nextGain, nextLoss) = (GainAccumulator + gain, LossAccumulator + loss);
        }
        else if (changes == Period)
        {
            // Seed: simple mean of the first `Period` changes.
            (nextGain, nextLoss) = ((GainAccumulator + gain) / Period, (LossAccumulator + loss) / Period);
        }
        else
        {
            (nextGain, nextLoss) = ((GainAccumulator * (Period - 1) + gain) / Period, (LossAccumulator * (Period - 1) + loss) / Period);
        }

        return this with { LastClose = close, Changes = changes, GainAccumulator = nextGain, LossAccumulator = nextLoss };
    }
}
