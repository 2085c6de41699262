using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tenants;

namespace TradingActors.Domain.Tests.Tenants;

/// <summary>SignalBacklog: signals that arrived ahead of their turn, executed strictly in sequence.</summary>
public sealed class SignalBacklogTests
{
    private static Signal Sig(long sequence, string reason = "rsi") =>
        new("rsi", sequence, "BTCUSDT", OrderSide.Buy, 50_000m, DateTimeOffset.UnixEpoch, reason);

    private static SignalBacklog With(long lastProcessed, int capacity, params long[] sequences)
    {
        var backlog = new SignalBacklog(capacity);
        foreach (var sequence in sequences) backlog.Offer(Sig(sequence), lastProcessed);
        return backlog;
    }

    private static long[] Pending(SignalBacklog backlog, long lastProcessed)
    {
        // Walks the backlog in order, as the tenant does (each executed signal becomes the last processed).
        var sequences = new List<long>();
        for (var last = lastProcessed; ; last++)
        {
            if (backlog.Next(last) is not { } next) break;
            sequences.Add(next.Sequence);
        }
        return [.. sequences];
    }

    [Fact]
    public void An_empty_backlog_is_caught_up_with_nothing_to_fetch()
    {
        var backlog = new SignalBacklog();

        Assert.Equal(0, backlog.Count);
        Assert.Equal(0, backlog.KnownThrough);
        Assert.Null(backlog.Next(0));
        Assert.Null(backlog.Missing(0, 10));
        Assert.True(backlog.IsCaughtUp(0));
    }

    [Fact]
    public void The_next_signal_is_the_one_after_the_last_processed()
    {
        var backlog = With(0, 10, 1, 2);

        Assert.Equal(Sig(1), backlog.Next(0));
        Assert.Equal(Sig(2), backlog.Next(1));
        Assert.Null(backlog.Next(2));
    }

    [Fact]
    public void A_signal_after_a_gap_is_not_next()
    {
        var backlog = With(0, 10, 3);

        Assert.Null(backlog.Next(0));
        Assert.Equal(1, backlog.Count);
        Assert.Equal(3, backlog.KnownThrough);
    }

    [Fact]
    public void Next_forgets_signals_already_processed()
    {
        var backlog = With(0, 10, 1, 2, 3, 5);

        Assert.Null(backlog.Next(3));
        Assert.Equal(1, backlog.Count);
    }

    [Theory]
    [InlineData(5, 5)]
    [InlineData(5, 4)]
    public void A_signal_already_processed_is_not_kept_but_is_known(long lastProcessed, long sequence)
    {
        var backlog = new SignalBacklog();

        backlog.Offer(Sig(sequence), lastProcessed);

        Assert.Equal(0, backlog.Count);
        Assert.Equal(sequence, backlog.KnownThrough);
    }

    [Fact]
    public void The_signal_right_after_the_last_processed_is_kept()
    {
        var backlog = new SignalBacklog();

        backlog.Offer(Sig(6), 5);

        Assert.Equal(1, backlog.Count);
        Assert.Equal(Sig(6), backlog.Next(5));
    }

    [Fact]
    public void A_redelivered_signal_is_kept_once_as_first_offered()
    {
        var backlog = new SignalBacklog();

        backlog.Offer(Sig(1, "first"), 0);
        backlog.Offer(Sig(1, "again"), 0);

        Assert.Equal(1, backlog.Count);
        Assert.Equal("first", backlog.Next(0)!.Reason);
    }

    [Fact]
    public void Beyond_capacity_the_newest_signals_are_dropped()
    {
        var backlog = With(0, 3, 1, 2, 3, 4, 5);

        Assert.Equal(3, backlog.Count);
        Assert.Equal(5, backlog.KnownThrough);
        Assert.Equal([1L, 2, 3], Pending(backlog, 0));
    }

    [Fact]
    public void A_lower_signal_offered_when_full_replaces_the_highest()
    {
        var backlog = With(0, 3, 5, 6, 7);

        backlog.Offer(Sig(2), 0);
        backlog.Offer(Sig(1), 0);

        Assert.Equal(3, backlog.Count);
        Assert.Equal([1L, 2], Pending(backlog, 0));
        Assert.Equal(Sig(5), backlog.Next(4));
        Assert.Null(backlog.Next(5)); // 6 and 7 were dropped
        Assert.Equal(7, backlog.KnownThrough);
    }

    [Fact]
    public void A_signal_between_the_pending_ones_when_full_replaces_the_highest()
    {
        var backlog = With(0, 3, 2, 5, 7);

        backlog.Offer(Sig(6), 0);

        Assert.Equal(3, backlog.Count);
        Assert.Equal(Sig(6), backlog.Next(5));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_backlog_holds_at_least_one_signal(int capacity) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new SignalBacklog(capacity));

    [Fact]
    public void A_backlog_of_one_keeps_the_lowest_signal()
    {
        var backlog = new SignalBacklog(1);
        backlog.Offer(Sig(3), 0);
        backlog.Offer(Sig(2), 0);
        backlog.Offer(Sig(4), 0);

        Assert.Equal(1, backlog.Count);
        Assert.Equal(Sig(2), backlog.Next(1));
    }

    [Fact]
    public void The_default_capacity_is_a_hundred()
    {
        var backlog = new SignalBacklog();
        for (var i = 1; i <= 150; i++) backlog.Offer(Sig(i), 0);

        Assert.Equal(SignalBacklog.DefaultCapacity, backlog.Count);
        Assert.Equal(100, backlog.Count);
        Assert.Equal(Sig(100), backlog.Next(99));
        Assert.Equal(150, backlog.KnownThrough);
    }

    [Fact]
    public void Announce_raises_what_is_known_and_never_lowers_it()
    {
        var backlog = new SignalBacklog();

        backlog.Announce(9);
        backlog.Announce(4);

        Assert.Equal(9, backlog.KnownThrough);
        Assert.Equal(0, backlog.Count);
    }

    [Fact]
    public void Nothing_is_missing_when_the_next_signal_is_here()
    {
        var backlog = With(0, 10, 1, 5);

        Assert.Null(backlog.Missing(0, 10));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    public void Nothing_is_missing_when_nothing_newer_is_known(long lastProcessed)
    {
        var backlog = new SignalBacklog();
        backlog.Announce(5);

        Assert.Null(backlog.Missing(lastProcessed, 10));
    }

    [Fact]
    public void One_known_signal_after_the_last_processed_is_missing()
    {
        var backlog = new SignalBacklog();
        backlog.Announce(5);

        Assert.Equal((5L, 5L), backlog.Missing(4, 10));
    }

    [Theory]
    [InlineData(100, 1, 4)]
    [InlineData(4, 1, 4)]
    [InlineData(3, 1, 3)]
    [InlineData(1, 1, 1)]
    public void The_gap_before_the_lowest_pending_signal_is_missing_a_page_at_a_time(int page, long from, long to)
    {
        var backlog = With(0, 10, 5, 6);

        Assert.Equal((from, to), backlog.Missing(0, page));
    }

    [Theory]
    [InlineData(100, 4, 20)]
    [InlineData(17, 4, 20)]
    [InlineData(10, 4, 13)]
    public void Without_pending_signals_everything_known_is_missing_a_page_at_a_time(int page, long from, long to)
    {
        var backlog = new SignalBacklog();
        backlog.Announce(20);

        Assert.Equal((from, to), backlog.Missing(3, page));
    }

    [Fact]
    public void Pending_signals_already_processed_do_not_hide_what_is_missing()
    {
        var backlog = With(0, 10, 1, 2);
        backlog.Announce(9);

        Assert.Equal((3L, 9L), backlog.Missing(2, 100));
        Assert.Equal(0, backlog.Count);
    }

    [Fact]
    public void Caught_up_once_everything_known_is_processed()
    {
        var backlog = With(0, 10, 1, 2);

        Assert.False(backlog.IsCaughtUp(0));
        Assert.False(backlog.IsCaughtUp(1));
        Assert.True(backlog.IsCaughtUp(2));
        Assert.Equal(0, backlog.Count);
    }

    [Fact]
    public void Not_caught_up_while_a_newer_signal_is_known_but_not_here()
    {
        var backlog = new SignalBacklog();
        backlog.Announce(3);

        Assert.False(backlog.IsCaughtUp(2));
        Assert.True(backlog.IsCaughtUp(3));
    }
}
