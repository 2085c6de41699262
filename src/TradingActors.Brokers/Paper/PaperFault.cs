namespace TradingActors.Brokers.Paper;

/// <summary>Failure modes the paper venue can be told to simulate for one account (tests, chaos drills).</summary>
public enum PaperFault
{
    None = 0,
    /// <summary>Place throws a generic exception; nothing recorded (outcome looks unknown to the caller).</summary>
    Throw,
    /// <summary>Place returns Rejected; nothing recorded.</summary>
    Reject,
    /// <summary>Place and Find wait until cancelled; nothing recorded.</summary>
    Hang,
    /// <summary>Place records the fill, then waits until cancelled: the venue has the order, the caller never hears.</summary>
    FillThenLoseAnswer,
    /// <summary>Place throws <see cref="BrokerUnavailableException"/>; nothing recorded (definitely not placed).</summary>
    Unavailable,
}
