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

    // Cases by name: xunit (and Stryker's per-test coverage) need serializable theory data.
    private static readonly Dictionary<string, SimulatedFeedOptions> Invalid = new()
    {
        ["interval 0"] = Valid with { IntervalMs = 0 },
        ["volatility 0"] = Valid with { Volatility = 0 },
        ["volatility above the maximum"] = Valid with { Volatility = 0.21 },
        ["volatility NaN"] = Valid with { Volatility = double.NaN },
        ["no symbols"] = Valid with { Symbols = [] },
        ["symbols null"] = Valid with { Symbols = null! },
        ["a start price of 0"] = Valid with { Symbols = [new("BTCUSDT", 0m)] },
        ["a blank symbol"] = Valid with { Symbols = [new(" ", 1m)] },
        ["a null symbol"] = Valid with { Symbols = [null!] },
        ["a symbol twice"] = Valid with { Symbols = [new("AAPL", 1m), new("AAPL", 2m)] },
    };

    [Theory]
    [InlineData("interval 0", "IntervalMs", "IntervalMs must be >= 1 ms (was 0)")]
    [InlineData("volatility 0", "Volatility", "Volatility must be in (0, 0.2] (was 0)")]
    [InlineData("volatility above the maximum", "Volatility", "Volatility must be in (0, 0.2] (was 0.21)")]
    [InlineData("volatility NaN", "Volatility", "Volatility must be in (0, 0.2] (was NaN)")]
    [InlineData("no symbols", "Symbols", "at least one symbol is required")]
    [InlineData("symbols null", "Symbols", "at least one symbol is required")]
    [InlineData("a start price of 0", "Symbols", "start price of BTCUSDT must be > 0 (was 0)")]
    [InlineData("a blank symbol", "Symbols", "symbol names must not be empty")]
    [InlineData("a null symbol", "Symbols", "symbol names must not be empty")]
    [InlineData("a symbol twice", "Symbols", "symbol AAPL is listed more than once")]
    public void Validate_rejects_bad_options_with_a_clear_message(string options, string setting, string problem)
    {
        var e = Assert.Throws<ArgumentException>(Invalid[options].Validate);
        Assert.Equal(setting, e.ParamName);
        Assert.StartsWith(problem, e.Message);
        Assert.Throws<ArgumentException>(() => new SimulatedFeed(Invalid[options]));
    }

    [Fact]
    public void The_shortest_interval_and_the_highest_volatility_are_accepted() =>
        (Valid with { IntervalMs = 1, Volatility = 0.2 }).Validate();

    [Fact]
    public void Missing_options_are_rejected() =>
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => new SimulatedFeed(null!)).ParamName);

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
