using TradingActors.Domain.Strategies;

namespace TradingActors.Domain.Tests.Strategies;

public sealed class StrategyDefinitionTests
{
    private static readonly StrategyCatalog Catalog = new([
        new StrategyDefinition("rsi-btc", "BTCUSDT", MaxSignalAgeSeconds: 5),
        new StrategyDefinition("rsi-eth", "ETHUSDT"),
    ]);

    [Fact]
    public void A_strategy_s_signals_are_stale_after_a_minute_by_default() =>
        Assert.Equal(TimeSpan.FromMinutes(1), new StrategyDefinition("s", "BTCUSDT").MaxSignalAge);

    [Fact]
    public void A_strategy_s_max_signal_age_is_its_configured_seconds() =>
        Assert.Equal(TimeSpan.FromSeconds(90), new StrategyDefinition("s", "BTCUSDT", MaxSignalAgeSeconds: 90).MaxSignalAge);

    [Fact]
    public void The_catalog_gives_each_strategy_its_own_max_signal_age()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), Catalog.MaxSignalAge("rsi-btc"));
        Assert.Equal(TimeSpan.FromSeconds(60), Catalog.MaxSignalAge("rsi-eth"));
    }

    [Fact]
    public void A_strategy_no_longer_in_the_catalog_gets_a_minute() =>
        Assert.Equal(TimeSpan.FromMinutes(1), Catalog.MaxSignalAge("gone"));

    [Fact]
    public void The_catalog_finds_strategies_by_exact_id()
    {
        Assert.True(Catalog.TryGet("rsi-eth", out var eth));
        Assert.Equal("ETHUSDT", eth.Symbol);
        Assert.False(Catalog.TryGet("RSI-ETH", out _));
        Assert.False(Catalog.TryGet("gone", out _));
    }

    public sealed record CheckRow(string Rule, StrategyDefinition Definition, string Field, string Message);

    public static TheoryData<CheckRow> CheckRows => new()
    {
        new("no id", new("", "BTCUSDT"), "id", "strategy id is required"),
        new("an unknown symbol", new("s", "DOGEUSDT"), "symbol", "unknown symbol 'DOGEUSDT' (symbols: BTCUSDT, ETHUSDT, EUR_USD, AAPL, 005930)"),
        new("a signal age of 0", new("s", "BTCUSDT", MaxSignalAgeSeconds: 0), "maxSignalAgeSeconds", "maxSignalAgeSeconds must be between 1 and 86400 (got 0)"),
        new("an unknown kind", new("s", "BTCUSDT", "macd"), "kind", "unknown strategy kind 'macd' (kinds: rsi, ema-cross, dca, grid)"),
        new("a kind that places its own orders", new("s", "BTCUSDT", "dca", """{"base_order":10,"safety_order":10}"""), "kind",
            "a dca strategy places its own orders and runs as a personal bot; shared strategies are rsi, ema-cross"),
    };

    [Theory]
    [MemberData(nameof(CheckRows))]
    public void A_definition_that_cannot_run_as_a_shared_strategy_says_why(CheckRow row) =>
        Assert.Equal(new ParameterError(row.Field, row.Message), Assert.Single(row.Definition.Check(out _)));

    [Fact]
    public void Descriptions_round_to_two_places_and_show_what_they_cannot_read()
    {
        Assert.Equal("RSI(14) crossing on BTCUSDT: buys when RSI crosses up through 30.56, sells when it crosses down through 70.",
            new StrategyDefinition("s", "BTCUSDT", Parameters: """{"oversold":30.555}""").Describe());
        Assert.Equal("RSI(?) crossing on BTCUSDT: buys when RSI crosses up through ?, sells when it crosses down through ?.",
            new StrategyDefinition("s", "BTCUSDT", Parameters: """{"period":1}""").Describe());
        Assert.Equal("dca on ETHUSDT.", new StrategyDefinition("s", "ETHUSDT", "dca", """{"base_order":10,"safety_order":10}""").Describe());
    }

    [Fact]
    public void The_strategy_of_a_definition_is_its_kind_and_a_definition_that_cannot_run_makes_none()
    {
        Assert.Equal("ema-cross", new StrategyDefinition("s", "BTCUSDT", "ema-cross").CreateStrategy().Kind);
        var e = Assert.Throws<ArgumentException>(() => new StrategyDefinition("s", "BTCUSDT", Parameters: """{"period":1}""").CreateStrategy());
        Assert.Equal("strategy 's': period must be between 2 and 1000 (got 1)", e.Message);
        Assert.Equal("strategy 's': period must be between 2 and 1000 (got 1); oversold must be between 1 and 99 (got 0)",
            Assert.Throws<ArgumentException>(() => new StrategyDefinition("s", "BTCUSDT", Parameters: """{"period":1,"oversold":0}""").CreateStrategy()).Message);
    }
}
