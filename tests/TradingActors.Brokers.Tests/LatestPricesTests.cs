using TradingActors.Brokers.Paper;

namespace TradingActors.Brokers.Tests;

public sealed class LatestPricesTests
{
    [Fact]
    public void Returns_the_last_update_per_symbol()
    {
        var prices = new LatestPrices();
        prices.Update("BTCUSDT", 1m);
        prices.Update("BTCUSDT", 2m);

        Assert.True(prices.TryGetLatest("BTCUSDT", out var price));
        Assert.Equal(2m, price);
        Assert.False(prices.TryGetLatest("ETHUSDT", out _));
    }

    [Fact]
    public void Instances_are_independent()
    {
        var a = new LatestPrices();
        a.Update("BTCUSDT", 1m);

        Assert.False(new LatestPrices().TryGetLatest("BTCUSDT", out _));
    }

    [Fact]
    public void Non_positive_price_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new LatestPrices().Update("BTCUSDT", 0m));

    [Fact]
    public void A_price_without_a_symbol_is_refused_and_not_kept()
    {
        var prices = new LatestPrices();

        Assert.Throws<ArgumentException>(() => prices.Update("", 1m));
        Assert.False(prices.TryGetLatest("", out _));
    }
}
