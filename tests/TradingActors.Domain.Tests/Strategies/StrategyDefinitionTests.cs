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
}
