using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Paper;

namespace TradingActors.Domain.Tests;

public class PaperVenueCostsTests
{
    private static readonly PaperVenueCosts Default = new();

    [Fact]
    public void Venue_costs_default_to_10_bps_fee_and_5_bps_slippage()
    {
        Assert.Equal((0.001m, 5m), (Default.FeeRate, Default.SlippageBps));
    }

    [Fact]
    public void Cost_factor_compounds_fee_on_the_slipped_price()
    {
        // (1 + 0.001) * (1 + 0.0005) = 1.0015005 (the plain sum 1.0015 would under-reserve by 0.0000005)
        Assert.Equal(1.0015005m, Default.CostFactor);
        Assert.Equal(1m, new PaperVenueCosts(0m, 0m).CostFactor);
    }

    [Fact]
    public void Fill_price_moves_against_the_trader_by_the_slippage()
    {
        Assert.Equal(100.05m, Default.FillPrice(OrderSide.Buy, 100m, Instruments.Aapl));
        Assert.Equal(99.95m, Default.FillPrice(OrderSide.Sell, 100m, Instruments.Aapl));
        Assert.Equal(60030m, Default.FillPrice(OrderSide.Buy, 60000m, Instruments.BtcUsdt));
        Assert.Equal(100m, new PaperVenueCosts(0.001m, 0m).FillPrice(OrderSide.Buy, 100m, Instruments.Aapl));
    }

    [Fact]
    public void Fill_price_truncates_slippage_to_whole_ticks()
    {
        var costs = new PaperVenueCosts(0.001m, 7.5m);

        // 100 * 1.00075 = 100.075 -> 100.07 (not 100.08), 100 * 0.99925 = 99.925 -> 99.93 (not 99.92)
        Assert.Equal(100.07m, costs.FillPrice(OrderSide.Buy, 100m, Instruments.Aapl));
        Assert.Equal(99.93m, costs.FillPrice(OrderSide.Sell, 100m, Instruments.Aapl));
    }

    [Fact]
    public void Fee_is_the_fee_rate_of_the_notional_truncated_to_8_decimals()
    {
        Assert.Equal(0.2001m, Default.Fee(2m, 100.05m));
        // 0.000001 * 12345.67 * 0.001 = 0.00001234567 -> 0.00001234 (truncated, not rounded up to ...35)
        Assert.Equal(0.00001234m, Default.Fee(0.000001m, 12345.67m));
    }

    [Theory]
    [InlineData(-0.0001, 5, "FeeRate", "fee rate must be in [0, 0.05]")]
    [InlineData(0.0501, 5, "FeeRate", "fee rate must be in [0, 0.05]")]
    [InlineData(0.001, -1, "SlippageBps", "slippage must be in [0, 500] bps")]
    [InlineData(0.001, 500.1, "SlippageBps", "slippage must be in [0, 500] bps")]
    public void Venue_costs_reject_out_of_range_values_stating_the_range(double feeRate, double slippageBps, string setting, string range)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new PaperVenueCosts((decimal)feeRate, (decimal)slippageBps));

        Assert.Equal(setting, e.ParamName);
        Assert.StartsWith(range, e.Message);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(0.05, 500)]
    public void Venue_costs_accept_the_range_bounds(double feeRate, double slippageBps)
    {
        var costs = new PaperVenueCosts((decimal)feeRate, (decimal)slippageBps);

        Assert.Equal((decimal)feeRate, costs.FeeRate);
    }

    [Fact]
    public void Fill_price_rejects_a_non_positive_market_price()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Default.FillPrice(OrderSide.Buy, 0m, Instruments.Aapl));

        Assert.Equal("marketPrice", e.ParamName);
        Assert.StartsWith("market price must be positive", e.Message);
    }

    [Fact]
    public void Fill_price_rejects_an_order_side_that_is_neither_buy_nor_sell()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Default.FillPrice((OrderSide)99, 100m, Instruments.Aapl));

        Assert.Equal("side", e.ParamName);
        Assert.StartsWith("unknown order side", e.Message);
    }
}
