using TradingActors.Domain.Bots;
using TradingActors.Domain.Market;

namespace TradingActors.Domain.Tests.Bots;

/// <summary>BarBuilder: prices folded into bars aligned to the Unix epoch; a bar closes on the first price of a later bar.</summary>
public sealed class BarBuilderTests
{
    private static readonly DateTimeOffset Minute = new(2026, 1, 5, 10, 0, 0, TimeSpan.Zero);

    /// <summary>Adds each price; the bars it closed, in order.</summary>
    private static List<Candle> Fold(BarBuilder bars, params (DateTimeOffset Time, double Price)[] prices)
    {
        var closed = new List<Candle>();
        foreach (var (time, price) in prices)
        {
            if (bars.Add(time, price, out var bar)) closed.Add(bar);
            else Assert.Equal(default, bar);
        }
        return closed;
    }

    [Fact]
    public void A_bar_is_its_open_high_low_and_close_and_closes_on_the_first_price_of_a_later_bar()
    {
        var bars = new BarBuilder(TimeSpan.FromMinutes(1));
        var closed = Fold(bars,
            (Minute.AddSeconds(5), 100), (Minute.AddSeconds(10), 103), (Minute.AddSeconds(20), 98), (Minute.AddSeconds(59.999), 101),
            (Minute.AddMinutes(1), 200));
        Assert.Equal([new Candle(Minute, 100, 103, 98, 101, 0)], closed);
        // The price that closed it opened the next: 200 is that bar's open.
        Assert.Equal([new Candle(Minute.AddMinutes(1), 200, 205, 200, 205, 0)], Fold(bars, (Minute.AddMinutes(1).AddSeconds(1), 205), (Minute.AddMinutes(2), 1)));
    }

    [Fact]
    public void The_first_price_closes_nothing_and_one_price_is_a_bar_of_four_equal_prices()
    {
        var bars = new BarBuilder(TimeSpan.FromMinutes(1));
        Assert.Empty(Fold(bars, (Minute.AddSeconds(30), 100)));
        Assert.Equal([new Candle(Minute, 100, 100, 100, 100, 0)], Fold(bars, (Minute.AddMinutes(1), 101)));
        Assert.Equal(Candle.OfPrice(Minute, 100), new Candle(Minute, 100, 100, 100, 100, 0));
    }

    [Fact]
    public void A_quiet_bar_is_no_bar()
    {
        // 10:00:10 then 10:05:30: the 10:00 bar closes, the next one is the 10:05 bar, nothing in between.
        var bars = new BarBuilder(TimeSpan.FromMinutes(1));
        Assert.Equal([new Candle(Minute, 100, 100, 100, 100, 0)], Fold(bars, (Minute.AddSeconds(10), 100), (Minute.AddMinutes(5).AddSeconds(30), 90)));
        Assert.Equal([new Candle(Minute.AddMinutes(5), 90, 90, 90, 90, 0)], Fold(bars, (Minute.AddMinutes(6), 80)));
    }

    [Fact]
    public void A_price_older_than_the_open_bar_is_ignored_and_a_late_one_within_it_counts()
    {
        var bars = new BarBuilder(TimeSpan.FromMinutes(1));
        Fold(bars, (Minute.AddSeconds(30), 100), (Minute.AddMinutes(1).AddSeconds(30), 100));
        // 10:00:59 is the closed bar's: ignored, neither a new low nor a close.
        Assert.Empty(Fold(bars, (Minute.AddSeconds(59), 1), (Minute.AddSeconds(59), 1_000)));
        // 10:01:10 arrives after 10:01:30 but is in the open bar: it counts, and is the close as the last price seen.
        Assert.Equal([new Candle(Minute.AddMinutes(1), 100, 110, 95, 95, 0)],
            Fold(bars, (Minute.AddMinutes(1).AddSeconds(20), 110), (Minute.AddMinutes(1).AddSeconds(10), 95), (Minute.AddMinutes(2), 100)));
    }

    [Fact]
    public void Equal_prices_neither_raise_the_high_nor_lower_the_low()
    {
        var bars = new BarBuilder(TimeSpan.FromMinutes(1));
        Assert.Equal([new Candle(Minute, 100, 100, 100, 100, 0)], Fold(bars, (Minute, 100), (Minute.AddSeconds(1), 100), (Minute.AddMinutes(1), 100)));
        Assert.Equal([new Candle(Minute.AddMinutes(1), 100, 101, 99, 100, 0)],
            Fold(bars, (Minute.AddMinutes(1).AddSeconds(1), 101), (Minute.AddMinutes(1).AddSeconds(2), 99), (Minute.AddMinutes(1).AddSeconds(3), 100), (Minute.AddMinutes(2), 0)));
    }

    [Fact]
    public void Bars_are_aligned_to_the_unix_epoch_for_any_length()
    {
        // 7 s bars open at 00:00:00, 00:00:07, ... of 1970-01-01 (and every 7 s from there), as a backtest's klines do.
        var epoch = DateTimeOffset.UnixEpoch;
        var bars = new BarBuilder(TimeSpan.FromSeconds(7));
        Assert.Equal([new Candle(epoch, 1, 3, 1, 3, 0)], Fold(bars, (epoch.AddSeconds(1), 1), (epoch.AddSeconds(6.9), 3), (epoch.AddSeconds(7), 4)));
        // 2026-01-05 10:00:00 is 1 767 607 200 s after the epoch, 2 s past a multiple of 7 (252 515 314 * 7 = 1 767 607 198).
        var later = new BarBuilder(TimeSpan.FromSeconds(7));
        Assert.Equal([new Candle(Minute.AddSeconds(-2), 5, 5, 5, 5, 0)], Fold(later, (Minute, 5), (Minute.AddSeconds(5), 6)));
        // Before the epoch too: -2 s is in the bar opening at -7 s.
        var before = new BarBuilder(TimeSpan.FromSeconds(7));
        Assert.Equal([new Candle(epoch.AddSeconds(-7), 1, 1, 1, 1, 0)], Fold(before, (epoch.AddSeconds(-2), 1), (epoch, 2)));
    }

    [Fact]
    public void A_bar_takes_the_utc_time_of_a_price_given_with_an_offset()
    {
        var bars = new BarBuilder(TimeSpan.FromHours(1));
        var closed = Fold(bars, (new DateTimeOffset(2026, 1, 5, 19, 30, 0, TimeSpan.FromHours(9)), 1), (new DateTimeOffset(2026, 1, 5, 11, 0, 0, TimeSpan.Zero), 2));
        Assert.Equal([new Candle(Minute, 1, 1, 1, 1, 0)], closed); // 19:30 +09:00 is 10:30 UTC, in the 10:00 UTC bar
        Assert.Equal(TimeSpan.Zero, closed[0].Time.Offset);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_bar_has_a_positive_length(int seconds)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new BarBuilder(TimeSpan.FromSeconds(seconds)));
        Assert.Equal("length", e.ParamName);
        Assert.StartsWith("a bar has a positive length", e.Message);
        Assert.NotNull(new BarBuilder(TimeSpan.FromTicks(1)));
    }
}
