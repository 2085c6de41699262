namespace TradingActors.Brokers;

/// <summary>Failure modes the in-process venues (paper, simulated) can be told to show for one account: tests and chaos drills.</summary>
public enum VenueFault
{
    None = 0,
    /// <summary>Place throws a generic exception: the caller cannot tell whether the order was taken (unknown).</summary>
    Throw,
    /// <summary>Place returns Rejected; nothing recorded.</summary>
    Reject,
    /// <summary>Place waits until cancelled, nothing recorded; at the simulated venue lookups wait too (the paper venue has nothing to look up).</summary>
    Hang,
    /// <summary>Simulated venue: place records the fill, then waits until cancelled: the venue has the order, the caller never hears.</summary>
    FillThenLoseAnswer,
    /// <summary>Place throws <see cref="OrderNotPlacedException"/> (the venue refused the call); nothing recorded.</summary>
    NotPlaced,
    /// <summary>Simulated venue: takes orders like <see cref="FillThenLoseAnswer"/>, and lookups wait until cancelled too: the venue acts, every answer is lost.</summary>
    TakeThenGoSilent,
}
