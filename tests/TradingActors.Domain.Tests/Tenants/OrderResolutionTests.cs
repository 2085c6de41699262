using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using static TradingActors.Domain.Tests.Tenants.TenantHistory;

namespace TradingActors.Domain.Tests.Tenants;

/// <summary>ResolutionPolicy: when an open order is looked up again, placed again, or concluded not placed.</summary>
public sealed class OrderResolutionTests
{
    // Distinct durations so a wrong sign or a missing term shows: 10 + 5 + 2 = 17 s.
    private static readonly ResolutionPolicy Policy = new(
        CallTimeout: TimeSpan.FromSeconds(10),
        VisibilityWindow: TimeSpan.FromSeconds(5),
        ClockSkew: TimeSpan.FromSeconds(2),
        FirstRetry: TimeSpan.FromSeconds(1),
        MaxRetry: TimeSpan.FromSeconds(30),
        AttemptsBeforeAttention: 5);

    private static readonly TimeSpan UntilReplace = TimeSpan.FromSeconds(17);
    private static readonly OrderIntent Order = Intent(1, account: ExternalAccountId);

    private static OrderRecord Open(OrderStatus status = OrderStatus.Unknown) =>
        new(Order, status, null, "timeout", T0.AddSeconds(11), SubmittedAt: T0);

    [Fact]
    public void An_absent_order_may_be_replaced_after_the_call_timeout_visibility_window_and_clock_skew()
    {
        Assert.Equal(T0 + UntilReplace, Policy.EarliestReplace(Open()));
    }

    [Fact]
    public void The_earliest_replace_counts_from_the_submission_not_from_the_last_change()
    {
        var record = Open() with { At = T0.AddHours(1) };

        Assert.Equal(T0 + UntilReplace, Policy.EarliestReplace(record));
    }

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(2, 4)]
    [InlineData(3, 8)]
    [InlineData(4, 16)]
    [InlineData(5, 30)] // 32 capped
    [InlineData(6, 30)]
    [InlineData(1_000, 30)]
    public void Backoff_doubles_from_the_first_retry_and_is_capped(int attempt, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Policy.Backoff(attempt));

    [Theory]
    [InlineData(3, 8)]
    [InlineData(4, 16)]
    [InlineData(5, 16)]
    public void Backoff_reaching_the_cap_exactly_stays_there(int attempt, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), (Policy with { MaxRetry = TimeSpan.FromSeconds(16) }).Backoff(attempt));

    [Fact]
    public void A_first_retry_above_the_cap_is_capped()
    {
        var policy = Policy with { FirstRetry = TimeSpan.FromMinutes(2) };

        Assert.Equal(TimeSpan.FromSeconds(30), policy.Backoff(0));
    }

    [Theory]
    [InlineData(VenueAnswerKind.Accepted)]
    [InlineData(VenueAnswerKind.Unknown)]
    [InlineData(VenueAnswerKind.NotPlaced)]
    [InlineData(VenueAnswerKind.Duplicate)]
    [InlineData(VenueAnswerKind.Filled)]
    [InlineData(VenueAnswerKind.Rejected)]
    public void Any_answer_but_not_found_is_looked_up_again_after_the_backoff(VenueAnswerKind answer)
    {
        var longAfter = T0.AddHours(1); // well past the earliest replace: still never replaced

        Assert.Equal(new ResolutionStep.LookUpAgain(TimeSpan.FromSeconds(8)), Policy.AfterLookup(Open(), answer, venueDeduplicates: true, attempts: 3, longAfter));
        Assert.Equal(new ResolutionStep.LookUpAgain(TimeSpan.FromSeconds(8)), Policy.AfterLookup(Open(), answer, venueDeduplicates: false, attempts: 3, longAfter));
    }

    [Theory]
    [InlineData(1, 0, 2)]     // backoff 2 s, 17 s to the deadline
    [InlineData(4, 0, 16)]    // backoff 16 s, 17 s to the deadline
    [InlineData(5, 0, 17)]    // backoff 30 s: capped by the deadline
    [InlineData(4, 1, 16)]    // backoff 16 s, exactly 16 s to the deadline
    [InlineData(1, 16, 1)]    // backoff 2 s, 1 s to the deadline
    public void Not_found_before_the_earliest_replace_is_looked_up_again_after_the_backoff_but_never_past_it(int attempts, int secondsAfterSubmission, int seconds)
    {
        var now = T0 + TimeSpan.FromSeconds(secondsAfterSubmission);

        Assert.Equal(new ResolutionStep.LookUpAgain(TimeSpan.FromSeconds(seconds)), Policy.AfterLookup(Open(), VenueAnswerKind.NotFound, true, attempts, now));
        Assert.Equal(new ResolutionStep.LookUpAgain(TimeSpan.FromSeconds(seconds)), Policy.AfterLookup(Open(), VenueAnswerKind.NotFound, false, attempts, now));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Not_found_a_tick_before_the_earliest_replace_waits_that_tick(bool deduplicates)
    {
        var now = T0 + UntilReplace - TimeSpan.FromTicks(1);

        Assert.Equal(new ResolutionStep.LookUpAgain(TimeSpan.FromTicks(1)), Policy.AfterLookup(Open(), VenueAnswerKind.NotFound, deduplicates, 1, now));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3_600)]
    public void Not_found_from_the_earliest_replace_on_is_placed_again_at_a_deduplicating_venue(int secondsAfter)
    {
        var now = T0 + UntilReplace + TimeSpan.FromSeconds(secondsAfter);

        Assert.Equal(new ResolutionStep.Replace(), Policy.AfterLookup(Open(), VenueAnswerKind.NotFound, venueDeduplicates: true, attempts: 2, now));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3_600)]
    public void Not_found_from_the_earliest_replace_on_is_concluded_not_placed_at_a_venue_that_does_not_deduplicate(int secondsAfter)
    {
        var now = T0 + UntilReplace + TimeSpan.FromSeconds(secondsAfter);

        Assert.Equal(
            new ResolutionStep.ConcludeNotPlaced("not found at the venue after the visibility window: not placed"),
            Policy.AfterLookup(Open(), VenueAnswerKind.NotFound, venueDeduplicates: false, attempts: 2, now));
    }

    [Theory]
    [InlineData(OrderStatus.Submitted, 4, false)]
    [InlineData(OrderStatus.Submitted, 5, true)]
    [InlineData(OrderStatus.Unknown, 0, false)]
    [InlineData(OrderStatus.Unknown, 4, false)]
    [InlineData(OrderStatus.Unknown, 5, true)]
    [InlineData(OrderStatus.Unknown, 6, true)]
    [InlineData(OrderStatus.NeedsAttention, 5, false)]
    [InlineData(OrderStatus.NeedsAttention, 50, false)]
    [InlineData(OrderStatus.Working, 4, false)]
    [InlineData(OrderStatus.Working, 5, false)]
    [InlineData(OrderStatus.Working, 5_000, false)]
    public void Attention_is_raised_once_the_attempt_limit_is_reached(OrderStatus status, int attempts, bool raised) =>
        Assert.Equal(raised, Policy.RaisesAttention(Open(status), attempts));

    [Theory]
    [InlineData(true, 1, 2)]
    [InlineData(false, 3, 8)]
    [InlineData(true, 1_000, 30)]
    public void A_working_order_the_venue_does_not_show_is_looked_up_again_never_placed_again_nor_concluded_not_placed(bool deduplicates, int attempts, int seconds)
    {
        var longAfter = T0.AddHours(1); // well past the earliest replace

        Assert.Equal(new ResolutionStep.LookUpAgain(TimeSpan.FromSeconds(seconds)),
            Policy.AfterLookup(Open(OrderStatus.Working), VenueAnswerKind.NotFound, deduplicates, attempts, longAfter));
    }

    [Theory]
    [InlineData(VenueAnswerKind.Accepted)]
    [InlineData(VenueAnswerKind.Unknown)]
    [InlineData(VenueAnswerKind.NotPlaced)]
    public void A_working_order_is_looked_up_with_the_same_backoff_until_it_ends(VenueAnswerKind answer) =>
        Assert.Equal(new ResolutionStep.LookUpAgain(TimeSpan.FromSeconds(16)), Policy.AfterLookup(Open(OrderStatus.Working), answer, true, 4, T0.AddHours(1)));

    [Fact]
    public void The_attention_reason_counts_the_lookups() =>
        Assert.Equal("the venue has not settled this order after 7 lookups", ResolutionPolicy.AttentionReason(7));
}
