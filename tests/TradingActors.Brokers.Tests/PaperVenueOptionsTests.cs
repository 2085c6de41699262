using TradingActors.Brokers.Paper;

namespace TradingActors.Brokers.Tests;

public sealed class PaperVenueOptionsTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        var options = new PaperVenueOptions();

        options.Validate();
        Assert.Equal(0.001m, options.FeeRate);
        Assert.Equal(5m, options.SlippageBps);
        Assert.Equal("paper", options.Venue);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(0.05, 500)]
    public void Bounds_are_inclusive(double fee, double bps) =>
        new PaperVenueOptions { FeeRate = (decimal)fee, SlippageBps = (decimal)bps }.Validate();

    [Theory]
    [InlineData(-0.0001)]
    [InlineData(0.0501)]
    public void Fee_rate_out_of_range_is_rejected(double fee)
    {
        var ex = Assert.Throws<ArgumentException>(() => new PaperVenueOptions { FeeRate = (decimal)fee }.Validate());
        Assert.Contains("FeeRate", ex.Message);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(501)]
    public void Slippage_out_of_range_is_rejected(double bps)
    {
        var ex = Assert.Throws<ArgumentException>(() => new PaperVenueOptions { SlippageBps = (decimal)bps }.Validate());
        Assert.Contains("SlippageBps", ex.Message);
    }

    [Fact]
    public void Empty_venue_name_is_rejected() =>
        Assert.Throws<ArgumentException>(() => new PaperVenueOptions { Venue = " " }.Validate());
}
