using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Paper;

namespace TradingActors.Domain.Tests;

public class PaperAccountTests
{
    private static Fill Fill(decimal quantity, decimal price, decimal fee) =>
        new(quantity, price, fee, "paper-1", DateTimeOffset.UnixEpoch);

    [Fact]
    public void Open_starts_with_cash_and_nothing_else()
    {
        var account = PaperAccount.Open(10_000m);

        Assert.Equal(10_000m, account.Cash);
        Assert.Empty(account.Positions);
        Assert.Equal(0m, account.FeesPaid);
        Assert.Equal(0m, account.Held("AAPL"));
    }

    [Fact]
    public void Open_rejects_negative_cash()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => PaperAccount.Open(-0.01m));
        Assert.Equal(0m, PaperAccount.Open(0m).Cash);

        Assert.Equal(-0.01m, e.ActualValue);
        Assert.StartsWith("starting cash cannot be negative", e.Message);
    }

    [Fact]
    public void Buy_debits_notional_plus_fee_and_opens_the_position()
    {
        var account = PaperAccount.Open(10_000m).Apply(OrderSide.Buy, Fill(2m, 100.05m, 0.2001m), "AAPL");

        Assert.Equal(10_000m - 200.10m - 0.2001m, account.Cash); // 9799.6999
        Assert.Equal(new PaperPosition(2m, 100.05m), account.Positions["AAPL"]);
        Assert.Equal(0.2001m, account.FeesPaid);
    }

    [Fact]
    public void Buying_more_moves_the_average_price_by_quantity_weight()
    {
        var account = PaperAccount.Open(10_000m)
            .Apply(OrderSide.Buy, Fill(2m, 100m, 0.2m), "AAPL")
            .Apply(OrderSide.Buy, Fill(1m, 130m, 0.13m), "AAPL");

        // (2 * 100 + 1 * 130) / 3 = 110; fees are tracked separately, not in the average.
        Assert.Equal(new PaperPosition(3m, 110m), account.Positions["AAPL"]);
        Assert.Equal(10_000m - 200.2m - 130.13m, account.Cash);
        Assert.Equal(0.33m, account.FeesPaid);
    }

    [Fact]
    public void Sell_credits_notional_minus_fee_and_keeps_the_average_price()
    {
        var account = PaperAccount.Open(1_000m)
            .Apply(OrderSide.Buy, Fill(3m, 100m, 0.3m), "AAPL")
            .Apply(OrderSide.Sell, Fill(1m, 120m, 0.12m), "AAPL");

        Assert.Equal(1_000m - 300.3m + 119.88m, account.Cash);
        Assert.Equal(new PaperPosition(2m, 100m), account.Positions["AAPL"]);
        Assert.Equal(0.42m, account.FeesPaid);
    }

    [Fact]
    public void Selling_everything_removes_the_position()
    {
        var account = PaperAccount.Open(1_000m)
            .Apply(OrderSide.Buy, Fill(3m, 100m, 0m), "AAPL")
            .Apply(OrderSide.Sell, Fill(3m, 90m, 0m), "AAPL");

        Assert.False(account.Positions.ContainsKey("AAPL"));
        Assert.Equal(970m, account.Cash);
    }

    [Fact]
    public void Selling_more_than_held_throws()
    {
        var account = PaperAccount.Open(1_000m).Apply(OrderSide.Buy, Fill(1m, 100m, 0m), "AAPL");

        var e = Assert.Throws<InvalidOperationException>(() => account.Apply(OrderSide.Sell, Fill(1.001m, 100m, 0m), "AAPL"));
        Assert.Throws<InvalidOperationException>(() => account.Apply(OrderSide.Sell, Fill(1m, 100m, 0m), "BTCUSDT"));

        Assert.Equal("cannot sell 1.001 AAPL: only 1 held", e.Message);
    }

    [Fact]
    public void Buying_beyond_cash_throws()
    {
        var account = PaperAccount.Open(100m);

        var e = Assert.Throws<InvalidOperationException>(() => account.Apply(OrderSide.Buy, Fill(1m, 100m, 0.1m), "AAPL"));

        Assert.Equal("insufficient cash for AAPL buy: needs 100.1, has 100", e.Message);
    }

    [Fact]
    public void Apply_returns_a_new_account_and_leaves_the_original_unchanged()
    {
        var open = PaperAccount.Open(1_000m);

        var after = open.Apply(OrderSide.Buy, Fill(1m, 100m, 0.1m), "AAPL");

        Assert.Equal(1_000m, open.Cash);
        Assert.Empty(open.Positions);
        Assert.NotSame(open, after);
    }

    [Theory]
    [InlineData(0, 100, 0, "fill quantity must be positive (got 0)")]
    [InlineData(-1, 100, 0, "fill quantity must be positive (got -1)")]
    [InlineData(1, 0, 0, "fill price must be positive (got 0)")]
    [InlineData(1, 100, -0.1, "fill fee cannot be negative (got -0.1)")]
    public void Apply_rejects_nonsensical_fills_saying_what_is_wrong(double quantity, double price, double fee, string problem)
    {
        var e = Assert.Throws<ArgumentException>(() =>
            PaperAccount.Open(1_000m).Apply(OrderSide.Buy, Fill((decimal)quantity, (decimal)price, (decimal)fee), "AAPL"));

        Assert.Equal("fill", e.ParamName);
        Assert.StartsWith(problem, e.Message);
    }

    [Fact]
    public void An_order_side_that_is_neither_buy_nor_sell_is_never_affordable_and_never_booked()
    {
        var account = PaperAccount.Open(1_000m).Apply(OrderSide.Buy, Fill(2m, 100m, 0m), "AAPL");
        var unknown = (OrderSide)99;

        Assert.False(account.CanAfford(unknown, "AAPL", 1m, 100m, 1m));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => account.Apply(unknown, Fill(1m, 100m, 0m), "AAPL"));
        Assert.Equal("side", e.ParamName);
        Assert.StartsWith("unknown order side", e.Message);
    }

    [Fact]
    public void Can_afford_a_buy_only_when_notional_times_cost_factor_fits_in_cash()
    {
        var account = PaperAccount.Open(1_001.5m);

        Assert.True(account.CanAfford(OrderSide.Buy, "AAPL", 10m, 100m, 1.0015m));   // exactly 1001.5
        Assert.False(account.CanAfford(OrderSide.Buy, "AAPL", 10.001m, 100m, 1.0015m));
        Assert.False(account.CanAfford(OrderSide.Buy, "AAPL", 0m, 100m, 1.0015m));
    }

    [Fact]
    public void Can_afford_a_sell_only_up_to_the_held_quantity()
    {
        var account = PaperAccount.Open(1_000m).Apply(OrderSide.Buy, Fill(2m, 100m, 0m), "AAPL");

        Assert.True(account.CanAfford(OrderSide.Sell, "AAPL", 2m, 100m, 1m));
        Assert.False(account.CanAfford(OrderSide.Sell, "AAPL", 2.001m, 100m, 1m));
        Assert.False(account.CanAfford(OrderSide.Sell, "ETHUSDT", 1m, 100m, 1m));
    }

    [Fact]
    public void A_buy_sized_from_all_cash_with_venue_costs_is_affordable_and_books_without_overdraft()
    {
        var costs = new PaperVenueCosts();
        var random = new Random(7);
        foreach (var instrument in Instruments.All)
        {
            for (var i = 0; i < 500; i++)
            {
                var account = PaperAccount.Open(Math.Round((decimal)(random.NextDouble() * 20_000) + 1m, 2));
                var price = instrument.RoundPrice((decimal)(random.NextDouble() * 50_000) + 0.5m);
                var quantity = OrderSizing.BuyQuantity(account.Cash, price, instrument, costs.CostFactor);
                if (quantity == 0) continue;

                Assert.True(account.CanAfford(OrderSide.Buy, instrument.Symbol, quantity, price, costs.CostFactor));
                var fillPrice = costs.FillPrice(OrderSide.Buy, price, instrument);
                var after = account.Apply(OrderSide.Buy, Fill(quantity, fillPrice, costs.Fee(quantity, fillPrice)), instrument.Symbol);

                Assert.True(after.Cash >= 0);
                Assert.Equal(quantity, after.Held(instrument.Symbol));
            }
        }
    }
}
