using TradingActors.Domain.Market;

namespace TradingActors.MarketData.Tests;

public class ReplayFeedTests
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly Bar[] Bars =
    [
        new("BTCUSDT", T0, 10m, 12m, 9m, 11m, 1m),
        new("BTCUSDT", T0.AddMinutes(1), 11m, 13m, 10m, 12m, 1m),
        new("BTCUSDT", T0.AddMinutes(2), 12m, 14m, 11m, 13m, 1m),
    ];

    private static List<PriceUpdate> Take(ReplayFeed feed, int max)
    {
        var list = new List<PriceUpdate>();
        while (list.Count < max && feed.TryNext(out var u)) list.Add(u);
        return list;
    }

    [Fact]
    public void Without_loop_replays_closes_once_then_stops()
    {
        var feed = new ReplayFeed(Bars);
        Assert.False(feed.Loop);
        Assert.Equal(
            [new("BTCUSDT", 11m, T0), new("BTCUSDT", 12m, T0.AddMinutes(1)), new PriceUpdate("BTCUSDT", 13m, T0.AddMinutes(2))],
            Take(feed, 10));
        Assert.False(feed.TryNext(out _));
    }

    [Fact]
    public void With_loop_repeats_prices_and_keeps_times_increasing()
    {
        var updates = Take(new ReplayFeed(Bars, loop: true), 10);

        Assert.Equal(10, updates.Count);
        Assert.Equal([11m, 12m, 13m, 11m, 12m, 13m, 11m, 12m, 13m, 11m], updates.Select(u => u.Price));
        // The next pass continues one bar interval after the last bar: one bar per minute throughout.
        for (var i = 0; i < updates.Count; i++)
            Assert.Equal(T0.AddMinutes(i), updates[i].Time);
    }

    [Fact]
    public void Shipped_file_loops_with_increasing_times()
    {
        var bars = CsvBars.ReadFile(TestHelpers.FindBarsFile(), "BTCUSDT");
        var updates = Take(new ReplayFeed(bars, loop: true), bars.Count * 2 + 5);

        Assert.Equal(bars.Count * 2 + 5, updates.Count);
        for (var i = 1; i < updates.Count; i++)
            Assert.True(updates[i].Time > updates[i - 1].Time, $"time went backwards at {i}");
        Assert.Equal(bars[0].Close, updates[bars.Count].Price);
    }

    [Fact]
    public void Empty_feed_has_nothing()
    {
        Assert.False(new ReplayFeed([]).TryNext(out _));
    }

    [Fact]
    public void Looping_two_bars_keeps_one_bar_interval_between_all_updates()
    {
        var updates = Take(new ReplayFeed(Bars[..2], loop: true), 5);

        Assert.Equal([11m, 12m, 11m, 12m, 11m], updates.Select(u => u.Price));
        Assert.Equal([T0, T0.AddMinutes(1), T0.AddMinutes(2), T0.AddMinutes(3), T0.AddMinutes(4)], updates.Select(u => u.Time));
    }

    // Cases by name: xunit (and Stryker's per-test coverage) need serializable theory data.
    private static readonly Dictionary<string, (Bar[] Bars, bool Loop)> Rejected = new()
    {
        ["descending times"] = ([Bars[1], Bars[0]], false),
        ["the same time twice"] = ([Bars[0], Bars[0] with { Close = 12m }], false),
        ["a later pair out of order"] = ([Bars[0], Bars[2], Bars[1]], false),
        ["looping a single bar"] = ([Bars[0]], true),
    };

    [Theory]
    [InlineData("descending times", "bar times must be strictly increasing (index 1)")]
    [InlineData("the same time twice", "bar times must be strictly increasing (index 1)")]
    [InlineData("a later pair out of order", "bar times must be strictly increasing (index 2)")]
    [InlineData("looping a single bar", "looping needs at least two bars to know the spacing between passes")]
    public void Rejects_bars_it_cannot_replay_saying_why(string bars, string problem)
    {
        var (list, loop) = Rejected[bars];

        var e = Assert.Throws<ArgumentException>(() => new ReplayFeed(list, loop));
        Assert.Equal("bars", e.ParamName);
        Assert.StartsWith(problem, e.Message);
    }

    [Fact]
    public void Missing_bars_are_rejected() =>
        Assert.Equal("bars", Assert.Throws<ArgumentNullException>(() => new ReplayFeed(null!)).ParamName);
}
