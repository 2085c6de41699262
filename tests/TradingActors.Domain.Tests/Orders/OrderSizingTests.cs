using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Paper;

namespace TradingActors.Domain.Tests;

public class OrderSizingTests
{
    private static readonly Instrument Lot = new("LOT", QuantityStep: 0.01m, PriceTick: 0.01m, MinQuantity: 1m);

    [Fact]
    public void Buy_quantity_rounds_down_to_the_step()
    {
        // 100 / 60000 = 0.0016666... -> 0.001666 (BTC step 0.000001)
        Assert.Equal(0.001666m, OrderSizing.BuyQuantity(100m, 60000m, Instruments.BtcUsdt, 1m));
    }

    [Fact]
    public void Buy_quantity_leaves_room_for_fee_and_slippage()
    {
        // 1000 / (100 * 1.0015) = 9.98502... -> 9.985; 9.985 * 100 * 1.0015 = 999.99775 <= 1000
        var quantity = OrderSizing.BuyQuantity(1000m, 100m, Instruments.Aapl, 1.0015m);

        Assert.Equal(9.985m, quantity);
        Assert.True(quantity * 100m * 1.0015m <= 1000m);
    }

    [Fact]
    public void Buy_quantity_is_zero_below_the_minimum_quantity()
    {
        Assert.Equal(0m, OrderSizing.BuyQuantity(50m, 100m, Lot, 1m));           // 0.5 < min 1
        Assert.Equal(0m, OrderSizing.BuyQuantity(0.5m, 1.08m, Instruments.EurUsd, 1m)); // 0.46 -> 0 units
        Assert.Equal(1m, OrderSizing.BuyQuantity(100m, 100m, Lot, 1m));          // exactly the minimum
    }

    [Theory]
    [InlineData(0, 100)]
    [InlineData(-10, 100)]
    [InlineData(100, 0)]
    [InlineData(100, -1)]
    public void Buy_quantity_is_zero_without_a_positive_budget_and_price(double budget, double price)
    {
        Assert.Equal(0m, OrderSizing.BuyQuantity((decimal)budget, (decimal)price, Instruments.Aapl, 1m));
    }

    [Fact]
    public void Buy_quantity_rejects_a_cost_factor_below_one()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => OrderSizing.BuyQuantity(100m, 10m, Instruments.Aapl, 0.99m));

        Assert.Equal("costFactor", e.ParamName);
        Assert.Equal(0.99m, e.ActualValue);
        Assert.StartsWith("cost factor must be >= 1", e.Message);
    }

    [Fact]
    public void Buy_quantity_never_exceeds_the_budget_including_paper_fill_costs_and_is_the_largest_that_fits()
    {
        var random = new Random(12345);
        var costs = new PaperVenueCosts(FeeRate: 0.001m, SlippageBps: 5m);
        foreach (var instrument in Instruments.All)
        {
            for (var i = 0; i < 2_000; i++)
            {
                var budget = Math.Round((decimal)(random.NextDouble() * 50_000) + 0.01m, 2);
                var price = instrument.RoundPrice((decimal)(random.NextDouble() * 70_000) + 0.5m);

                var quantity = OrderSizing.BuyQuantity(budget, price, instrument, costs.CostFactor);
                if (quantity == 0) continue;

                var fillPrice = costs.FillPrice(OrderSide.Buy, price, instrument);
                var spent = quantity * fillPrice + costs.Fee(quantity, fillPrice);
                Assert.True(spent <= budget, $"{instrument.Symbol}: {quantity} @ {price} spends {spent} > {budget}");
                Assert.True((quantity + instrument.QuantityStep) * price * costs.CostFactor > budget, "one more step should not fit");
                Assert.Equal(quantity, instrument.RoundQuantityDown(quantity));
            }
        }
    }

    [Fact]
    public void Sell_quantity_rounds_the_holding_down_to_the_step()
    {
        Assert.Equal(1.2345m, OrderSizing.SellQuantity(1.23456789m, Instruments.EthUsdt));
        Assert.Equal(2.5m, OrderSizing.SellQuantity(2.5m, Instruments.EthUsdt));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(0.99)]
    public void Sell_quantity_is_zero_when_flat_or_below_the_minimum(double held)
    {
        Assert.Equal(0m, OrderSizing.SellQuantity((decimal)held, Lot));
    }
}
