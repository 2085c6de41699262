namespace TradingActors.MarketData.Tests;

public class SimulatedFeedTests
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static SimulatedFeedOptions Valid => new()
    {
        Symbols = [new("BTCUSDT", 60_000m), new("ETHUSDT", 3_000m)],
    };

    [Fact]
    public void Defaults_are_as_documented()
    {
        var o = new SimulatedFeedOptions();
        Assert.Equal(1000, o.IntervalMs);
        Assert.Equal(0.002, o.Volatility);
        Assert.Equal(42, o.Seed);
        Assert.Equal(TimeSpan.FromSeconds(1), o.Interval);
        Valid.Validate(); // does not throw
    }

    public static TheoryData<SimulatedFeedOptions, string> Invalid => new()
    {
        { Valid with { IntervalMs = 0 }, "IntervalMs" },
        { Valid with { Volatility = 0 }, "Volatility" },
        { Valid with { Volatility = 0.21 }, "Volatility" },
        { Valid with { Volatility = double.NaN }, "Volatility" },
        { Valid with { Symbols = [] }, "at least one symbol" },
        { Valid with { Symbols = null! }, "at least one symbol" },
        { Valid with { Symbols = [new("BTCUSDT", 0m)] }, "start price of BTCUSDT" },
        { Valid with { Symbols = [new(" ", 1m)] }, "must not be empty" },
        { Valid with { Symbols = [new("AAPL", 1m), new("AAPL", 2m)] }, "more than once" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_rejects_bad_options_with_a_clear_message(SimulatedFeedOptions options, string expected)
    {
        var e = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains(expected, e.Message);
        Assert.Throws<ArgumentException>(() => new SimulatedFeed(options));
    }

    [Fact]
    public void Volatility_upper_bound_is_inclusive() => (Valid with { Volatility = 0.2 }).Validate();

    [Fact]
    public void Tick_returns_one_update_per_symbol_in_order()
    {
        var feed = new SimulatedFeed(Valid);
        var updates = feed.Tick(T0);
        Assert.Equal(["BTCUSDT", "ETHUSDT"], updates.Select(u => u.Symbol));
        Assert.All(updates, u => Assert.Equal(T0, u.Time));
    }

    [Fact]
    public void Each_symbol_walks_with_seed_plus_its_index()
    {
        var feed = new SimulatedFeed(Valid with { Seed = 100 });
        var btc = new RandomWalk("BTCUSDT", 60_000m, 0.002, 100);
        var eth = new RandomWalk("ETHUSDT", 3_000m, 0.002, 101);
        for (var i = 0; i < 50; i++)
        {
            var t = T0.AddSeconds(i);
            Assert.Equal([btc.Next(t), eth.Next(t)], feed.Tick(t));
        }
    }
}
