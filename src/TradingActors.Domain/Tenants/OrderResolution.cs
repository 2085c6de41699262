using TradingActors.Domain.Orders;

namespace TradingActors.Domain.Tenants;

/// <summary>The next step for an open order after a lookup by its client order id did not settle it.</summary>
public abstract record ResolutionStep
{
    /// <summary>Look the order up again after this delay.</summary>
    public sealed record LookUpAgain(TimeSpan After) : ResolutionStep;

    /// <summary>Place it again with the same client order id: the venue deduplicates, and the original call can no longer be in flight.</summary>
    public sealed record Replace : ResolutionStep;

    /// <summary>Not at the venue after the visibility window, at a venue that does not deduplicate: conclude it was never placed.</summary>
    public sealed record ConcludeNotPlaced(string Reason) : ResolutionStep;
}

/// <summary>
/// How open orders (submitted, unknown, needing attention, working) are resolved by client order id, each
/// with its own backoff. The original call may still be running on the node that made it (a tenant that moved
/// keeps no handle on it) until SubmittedAt + CallTimeout; a venue shows an order it took within
/// VisibilityWindow after that; ClockSkew covers a different node's clock. Only after all three is
/// an absent order placed again, and only at a venue that deduplicates client order ids. A working order
/// was confirmed by its venue: it is looked up until it ends, never placed again nor flagged.
/// </summary>
public sealed record ResolutionPolicy(
    TimeSpan CallTimeout,
    TimeSpan VisibilityWindow,
    TimeSpan ClockSkew,
    TimeSpan FirstRetry,
    TimeSpan MaxRetry,
    int AttemptsBeforeAttention)
{
    public const string NotFoundReason = "not found at the venue after the visibility window: not placed";

    /// <summary>When an order not found at the venue may be placed again.</summary>
    public DateTimeOffset EarliestReplace(OrderRecord open) => open.SubmittedAt + CallTimeout + VisibilityWindow + ClockSkew;

    /// <summary>Delay before lookup number <paramref name="attempt"/> + 1: doubling from FirstRetry, capped at MaxRetry.</summary>
    public TimeSpan Backoff(int attempt)
    {
        var delay = FirstRetry;
        // Stryker disable once Equality : a delay already at the cap is capped again on return
        for (var i = 0; i < attempt && delay < MaxRetry; i++) delay += delay;
        // Stryker disable once Equality : both sides are equal at the boundary
        return delay < MaxRetry ? delay : MaxRetry;
    }

    /// <summary>What follows a lookup (number <paramref name="attempts"/>, counting from 1) that left the order open.</summary>
    public ResolutionStep AfterLookup(OrderRecord open, VenueAnswerKind answer, bool venueDeduplicates, int attempts, DateTimeOffset now)
    {
        // A working order the venue does not show (yet, again) is still the venue's: placing it again could double it.
        if (answer != VenueAnswerKind.NotFound || open.Status == OrderStatus.Working) return new ResolutionStep.LookUpAgain(Backoff(attempts));
        var earliest = EarliestReplace(open);
        if (now < earliest)
        {
            // The original may still land: keep looking (it is found as soon as it shows), never later than the deadline.
            var wait = earliest - now;
            var backoff = Backoff(attempts);
            // Stryker disable once Equality : both sides are equal at the boundary
            return new ResolutionStep.LookUpAgain(backoff < wait ? backoff : wait);
        }
        return venueDeduplicates ? new ResolutionStep.Replace() : new ResolutionStep.ConcludeNotPlaced(NotFoundReason);
    }

    /// <summary>
    /// True once: when an order is still open after the attempt limit and is not yet flagged. Never for a working order:
    /// the venue confirmed it, and a limit order may rightly rest for days.
    /// </summary>
    public bool RaisesAttention(OrderRecord open, int attempts) =>
        attempts >= AttemptsBeforeAttention && open.Status is not (OrderStatus.NeedsAttention or OrderStatus.Working);

    public static string AttentionReason(int attempts) =>
        $"the venue has not settled this order after {attempts} lookups";
}
