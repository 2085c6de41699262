using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;

namespace TradingActors.Domain.Paper;

/// <summary>
/// How the paper venue charges a market order: a proportional fee and a fixed slippage in basis points.
/// Fill price and fee are built so that quantity * fill price + fee never exceeds quantity * market price *
/// <see cref="CostFactor"/>; sizing a buy with CostFactor therefore keeps it within its budget.
/// </summary>
public sealed record PaperVenueCosts(decimal FeeRate = 0.001m, decimal SlippageBps = 5m)
{
    public const decimal MaxFeeRate = 0.05m;
    public const decimal MaxSlippageBps = 500m;

    // Get-only (not init) so a `with` expression cannot bypass the validation.
    public decimal FeeRate { get; } = FeeRate is >= 0m and <= MaxFeeRate
        ? FeeRate
        : throw new ArgumentOutOfRangeException(nameof(FeeRate), FeeRate, $"fee rate must be in [0, {MaxFeeRate}]");

    public decimal SlippageBps { get; } = SlippageBps is >= 0m and <= MaxSlippageBps
        ? SlippageBps
        : throw new ArgumentOutOfRangeException(nameof(SlippageBps), SlippageBps, $"slippage must be in [0, {MaxSlippageBps}] bps");

    private decimal Slippage => SlippageBps / 10_000m;

    /// <summary>
    /// Cost per unit of notional: (1 + FeeRate) * (1 + slippage). The fee is charged on the slipped price,
    /// so the product (not the sum 1 + FeeRate + slippage, which is short by FeeRate * slippage) is the true bound.
    /// </summary>
    public decimal CostFactor => (1m + FeeRate) * (1m + Slippage);

    /// <summary>
    /// Market price moved against the trader by the slippage, then truncated toward the market price to a whole
    /// tick (buy rounds down, sell rounds up) so the modelled slippage is never exceeded.
    /// </summary>
    public decimal FillPrice(OrderSide side, decimal marketPrice, Instrument instrument)
    {
        if (marketPrice <= 0) throw new ArgumentOutOfRangeException(nameof(marketPrice), marketPrice, "market price must be positive");
        var ticks = side switch
        {
            OrderSide.Buy => decimal.Floor(marketPrice * (1m + Slippage) / instrument.PriceTick),
            OrderSide.Sell => decimal.Ceiling(marketPrice * (1m - Slippage) / instrument.PriceTick),
            _ => throw new ArgumentOutOfRangeException(nameof(side), side, "unknown order side"),
        };
        return ticks * instrument.PriceTick;
    }

    /// <summary>quantity * fillPrice * FeeRate, truncated to 8 decimals (truncated so it stays within CostFactor).</summary>
    public decimal Fee(decimal quantity, decimal fillPrice) =>
        decimal.Round(quantity * fillPrice * FeeRate, 8, MidpointRounding.ToZero);
}
