namespace TradingActors.Brokers.Paper;

/// <summary>Costs and name of the embedded paper venue. Bound from configuration, checked by <see cref="Validate"/>.</summary>
public sealed class PaperVenueOptions
{
    public const decimal MaxFeeRate = 0.05m;
    public const decimal MaxSlippageBps = 500m;

    /// <summary>Fee as a fraction of notional (0.001 = 0.1%).</summary>
    public decimal FeeRate { get; init; } = 0.001m;

    /// <summary>Adverse price move applied to every fill, in basis points (5 = 0.05%).</summary>
    public decimal SlippageBps { get; init; } = 5m;

    public string Venue { get; init; } = "paper";

    /// <summary>
    /// True (the embedded paper venue): a limit order that is not marketable is taken as working and rests in its
    /// tenant's ledger (decision 027). False (the simulated external venue prices with this): refused, it keeps no book.
    /// </summary>
    public bool RestsLimitOrders { get; init; } = true;

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad setting; a typo in config must not silently run with absurd costs.</summary>
    public void Validate()
    {
        if (FeeRate is < 0m or > MaxFeeRate)
            throw new ArgumentException($"Paper FeeRate must be between 0 and {MaxFeeRate} (a fraction of notional), but was {FeeRate}.", nameof(FeeRate));
        if (SlippageBps is < 0m or > MaxSlippageBps)
            throw new ArgumentException($"Paper SlippageBps must be between 0 and {MaxSlippageBps} basis points, but was {SlippageBps}.", nameof(SlippageBps));
        if (string.IsNullOrWhiteSpace(Venue))
            throw new ArgumentException("Paper Venue name must not be empty.", nameof(Venue));
    }
}
