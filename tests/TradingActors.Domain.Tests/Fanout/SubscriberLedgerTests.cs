using TradingActors.Domain.Fanout;

namespace TradingActors.Domain.Tests.Fanout;

public class SubscriberLedgerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(3);

    /// <summary>A ledger that knows <paramref name="latest"/>, with members registered at the given progress at T0.</summary>
    private static SubscriberLedger At(long latest, params (string Tenant, long Acked)[] members)
    {
        var ledger = new SubscriberLedger();
        foreach (var (tenant, acked) in members) ledger.Register(tenant, acked, T0);
        ledger.Learn(latest, T0);
        return ledger;
    }

    [Fact]
    public void A_new_ledger_knows_no_latest_sequence_and_no_members()
    {
        var ledger = new SubscriberLedger();

        Assert.Equal(-1, ledger.Latest);
        Assert.Equal(0, ledger.Count);
        Assert.Equal(0, ledger.Lagging);
        Assert.Empty(ledger.Members);
    }

    [Fact]
    public void Members_recovered_from_the_journal_are_of_unknown_progress_and_lag_even_before_the_latest_is_known()
    {
        var ledger = new SubscriberLedger();
        ledger.Add("t1");
        ledger.Add("t2");
        ledger.Add("t1");

        Assert.Equal(2, ledger.Count);
        Assert.Equal(["t1", "t2"], ledger.Members.Order());
        Assert.True(ledger.Contains("t1"));
        Assert.False(ledger.Contains("t3"));
        Assert.Equal(2, ledger.Lagging);
        Assert.Empty(ledger.Redeliver(T0.AddHours(1), Quiet)); // nothing to catch up to while the latest is unknown
    }

    [Fact]
    public void Learning_the_latest_on_start_tells_every_member_and_a_later_one_tells_only_those_behind_it_however_recently_told()
    {
        var ledger = new SubscriberLedger();
        ledger.Add("t1");
        ledger.Add("t2");

        Assert.Equal(["t1", "t2"], ledger.Learn(4, T0).Order());
        Assert.Equal(4, ledger.Latest);

        ledger.Acknowledge("t1", 4, T0);
        ledger.Acknowledge("t2", 3, T0);
        Assert.Equal(1, ledger.Lagging);
        Assert.Empty(ledger.Learn(4, T0)); // not news
        Assert.Empty(ledger.Learn(2, T0));
        Assert.Equal(4, ledger.Latest);

        ledger.Acknowledge("t1", 6, T0); // a member that caught up from the journal past what the bucket knew
        Assert.Equal(["t2"], ledger.Learn(5, T0)); // news: t2, told at T0, is told again; t1 is not behind it
        Assert.Equal(5, ledger.Latest);
    }

    [Fact]
    public void Learning_tells_nobody_who_has_acknowledged_it()
    {
        var ledger = At(3, ("t1", 3), ("t2", 2));

        Assert.Equal(["t2"], ledger.Learn(3, T0).Concat(ledger.Redeliver(T0 + Quiet, Quiet)));
    }

    public static TheoryData<long, long, long, bool> CarriesSignalCases => new()
    {
        // latest known, member acknowledged through, signal sequence, gets the signal itself (else: catch up)
        { 0, 0, 1, true },    // exactly one behind
        { 6, 6, 7, true },
        { 1, 0, 2, false },   // missed one: catches up from the journal
        { 6, 6, 8, false },   // the bucket missed one itself
        { 1, 3, 2, false },   // ahead of what the bucket knew: catches up (nothing to do)
        { -1, 0, 1, false },  // the bucket does not know the latest: nobody is exactly one behind
    };

    [Theory]
    [MemberData(nameof(CarriesSignalCases))]
    public void A_signal_goes_itself_only_to_members_exactly_one_behind_it(long latest, long acked, long sequence, bool carries)
    {
        var ledger = new SubscriberLedger();
        ledger.Register("t1", acked, T0);
        if (latest >= 0) ledger.Learn(latest, T0);

        var notices = ledger.Signal(sequence, T0);

        Assert.Equal([new MemberNotice("t1", carries)], notices);
        Assert.Equal(sequence, ledger.Latest);
    }

    [Fact]
    public void A_member_of_unknown_progress_catches_up_from_the_journal()
    {
        var ledger = new SubscriberLedger();
        ledger.Add("t1");
        ledger.Learn(0, T0);

        Assert.Equal([new MemberNotice("t1", false)], ledger.Signal(1, T0));
    }

    [Fact]
    public void A_signal_no_newer_than_the_latest_tells_nobody()
    {
        var ledger = At(5, ("t1", 4));

        Assert.Empty(ledger.Signal(5, T0));
        Assert.Empty(ledger.Signal(3, T0));
        Assert.Equal(5, ledger.Latest);
    }

    [Fact]
    public void A_member_told_of_every_signal_is_never_redelivered_to_and_one_the_bucket_went_quiet_on_is_told_again_each_quiet_interval()
    {
        var ledger = At(0, ("t1", 0), ("t2", 0));
        var now = T0;
        for (var sequence = 1; sequence <= 10; sequence++)
        {
            now = now.AddSeconds(1);
            Assert.Equal(2, ledger.Signal(sequence, now).Count);
            Assert.Empty(ledger.Redeliver(now.AddSeconds(0.999), Quiet)); // told a second ago at most
        }
        ledger.Acknowledge("t2", 10, now);

        Assert.Empty(ledger.Redeliver(now + Quiet - TimeSpan.FromTicks(1), Quiet));
        Assert.Equal(["t1"], ledger.Redeliver(now + Quiet, Quiet));                 // quiet exactly that long: told again
        Assert.Empty(ledger.Redeliver(now + Quiet + Quiet / 2, Quiet));            // and counted as told then
        Assert.Equal(["t1"], ledger.Redeliver(now + Quiet + Quiet, Quiet));
        ledger.Acknowledge("t1", 10, now);
        Assert.Empty(ledger.Redeliver(now.AddHours(1), Quiet));
    }

    [Fact]
    public void Members_told_on_learning_the_latest_are_redelivered_to_only_after_a_quiet_interval()
    {
        var ledger = new SubscriberLedger();
        ledger.Add("t1");
        ledger.Learn(2, T0);

        Assert.Empty(ledger.Redeliver(T0.AddSeconds(2), Quiet));
        Assert.Equal(["t1"], ledger.Redeliver(T0 + Quiet, Quiet));
    }

    [Fact]
    public void A_member_of_unknown_progress_is_redelivered_to_even_at_sequence_zero()
    {
        var ledger = new SubscriberLedger();
        ledger.Add("t1");
        ledger.Learn(0, T0);

        Assert.Equal(["t1"], ledger.Redeliver(T0 + Quiet, Quiet));
        ledger.Acknowledge("t1", 0, T0);
        Assert.Empty(ledger.Redeliver(T0 + 3 * Quiet, Quiet));
        Assert.Equal(0, ledger.Lagging);
    }

    [Fact]
    public void A_registration_behind_the_latest_is_told_to_catch_up_and_counts_as_told()
    {
        var ledger = At(5);

        Assert.True(ledger.Register("t1", 3, T0.AddSeconds(10)));
        Assert.Empty(ledger.Redeliver(T0.AddSeconds(12), Quiet));
        Assert.Equal(["t1"], ledger.Redeliver(T0.AddSeconds(13), Quiet));
    }

    [Fact]
    public void A_registration_never_moves_a_members_progress_back()
    {
        var ledger = At(5, ("t1", 0));
        ledger.Acknowledge("t1", 5, T0);

        Assert.False(ledger.Register("t1", 3, T0)); // an older registration arriving late
        Assert.False(ledger.Register("t2", 5, T0));
        Assert.False(ledger.Register("t3", 7, T0));  // ahead of what the bucket knows
        Assert.Equal(0, ledger.Lagging);
        Assert.Equal(3, ledger.Count);
    }

    [Fact]
    public void A_registration_before_the_latest_is_known_tells_nobody()
    {
        var ledger = new SubscriberLedger();

        Assert.False(ledger.Register("t1", -1, T0));
        Assert.False(ledger.Register("t2", 0, T0));
        Assert.Equal(["t1"], ledger.Learn(0, T0)); // t1's progress is unknown; t2 has processed through 0
    }

    [Fact]
    public void Acknowledgements_never_move_progress_back_and_those_of_non_members_change_nothing()
    {
        var ledger = At(5, ("t1", 0), ("t2", 0));

        ledger.Acknowledge("t1", 5, T0);
        ledger.Acknowledge("t1", 2, T0);
        ledger.Acknowledge("t9", 5, T0);

        Assert.Equal(1, ledger.Lagging);
        Assert.Equal(2, ledger.Count);
        Assert.False(ledger.Contains("t9"));
        Assert.Equal(["t2"], ledger.Redeliver(T0 + Quiet, Quiet));
    }

    [Fact]
    public void A_removed_member_is_told_nothing_more()
    {
        var ledger = At(1, ("t1", 0), ("t2", 0));

        ledger.Remove("t1");
        ledger.Remove("t9");

        Assert.Equal(["t2"], ledger.Members);
        Assert.Equal([new MemberNotice("t2", false)], ledger.Signal(2, T0));
        Assert.Equal(["t2"], ledger.Redeliver(T0 + Quiet, Quiet));
        Assert.Equal(["t2"], ledger.Learn(3, T0));
    }

    [Fact]
    public void Nobody_is_redelivered_to_while_members_are_still_acknowledging_a_slow_fan_out()
    {
        var ledger = At(0, ("t1", 0), ("t2", 0), ("t3", 0));
        ledger.Signal(1, T0);

        ledger.Acknowledge("t1", 1, T0.AddSeconds(2));
        Assert.Empty(ledger.Redeliver(T0.AddSeconds(3), Quiet));   // told 3 s ago, but t1 answered 1 s ago
        ledger.Acknowledge("t2", 1, T0.AddSeconds(4.9));
        Assert.Empty(ledger.Redeliver(T0.AddSeconds(7.8), Quiet));
        Assert.Equal(["t3"], ledger.Redeliver(T0.AddSeconds(7.9), Quiet)); // 3 s without a new acknowledgement
    }

    [Fact]
    public void A_repeated_older_or_non_members_acknowledgement_is_not_progress_that_holds_redelivery_back()
    {
        var ledger = At(0, ("t1", 0), ("t2", 0));
        ledger.Signal(1, T0);
        ledger.Acknowledge("t1", 1, T0);

        ledger.Acknowledge("t1", 1, T0.AddSeconds(2));
        ledger.Acknowledge("t1", 0, T0.AddSeconds(2));
        ledger.Acknowledge("t9", 1, T0.AddSeconds(2));

        Assert.Equal(["t2"], ledger.Redeliver(T0 + Quiet, Quiet));
    }
}
