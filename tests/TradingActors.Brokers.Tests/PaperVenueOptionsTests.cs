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
    [InlineData(-0.0001, "Paper FeeRate must be between 0 and 0.05 (a fraction of notional), but was -0.0001.")]
    [InlineData(0.0501, "Paper FeeRate must be between 0 and 0.05 (a fraction of notional), but was 0.0501.")]
    public void Fee_rate_out_of_range_is_rejected_with_the_range_and_the_value(double fee, string message)
    {
        var ex = Assert.Throws<ArgumentException>(() => new PaperVenueOptions { FeeRate = (decimal)fee }.Validate());
        Assert.Equal("FeeRate", ex.ParamName);
        Assert.StartsWith(message, ex.Message);
    }

    [Theory]
    [InlineData(-1, "Paper SlippageBps must be between 0 and 500 basis points, but was -1.")]
    [InlineData(501, "Paper SlippageBps must be between 0 and 500 basis points, but was 501.")]
    public void Slippage_out_of_range_is_rejected_with_the_range_and_the_value(double bps, string message)
    {
        var ex = Assert.Throws<ArgumentException>(() => new PaperVenueOptions { SlippageBps = (decimal)bps }.Validate());
        Assert.Equal("SlippageBps", ex.ParamName);
        Assert.StartsWith(message, ex.Message);
    }

    [Fact]
    public void Empty_venue_name_is_rejected_naming_the_setting()
    {
        var ex = Assert.Throws<ArgumentException>(() => new PaperVenueOptions { Venue = " " }.Validate());
        Assert.Equal("Venue", ex.ParamName);
        Assert.StartsWith("Paper Venue name must not be empty.", ex.Message);
    }
}
