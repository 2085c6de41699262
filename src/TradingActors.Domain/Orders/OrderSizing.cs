using TradingActors.Domain.Market;

namespace TradingActors.Domain.Orders;

/// <summary>Order quantities from a budget or a holding, rounded down to the instrument's step.</summary>
public static class OrderSizing
{
    /// <summary>
    /// The largest step-aligned quantity whose notional times <paramref name="costFactor"/> fits in the budget
    /// (0 if that is below the instrument's minimum). costFactor (&gt;= 1) covers fee and slippage,
    /// e.g. <see cref="Paper.PaperVenueCosts.CostFactor"/>, so the buy never spends more than its budget.
    /// </summary>
    public static decimal BuyQuantity(decimal budget, decimal price, Instrument instrument, decimal costFactor)
    {
        if (costFactor < 1m)
            throw new ArgumentOutOfRangeException(nameof(costFactor), costFactor, "cost factor must be >= 1 (fees and slippage only add cost)");
        if (price <= 0) return 0m;
        // Stryker disable once Equality : a zero budget sizes to 0 below as well
        if (budget <= 0) return 0m;
        return AtLeastMin(instrument.RoundQuantityDown(budget / (price * costFactor)), instrument);
    }

    /// <summary>The held quantity rounded down to the step; 0 when flat or when the rest is below the minimum.</summary>
    public static decimal SellQuantity(decimal held, Instrument instrument) => RoundedQuantity(held, instrument);

    /// <summary>A requested quantity rounded down to the step; 0 when that is below the minimum.</summary>
    public static decimal RoundedQuantity(decimal quantity, Instrument instrument) =>
        AtLeastMin(instrument.RoundQuantityDown(quantity), instrument);

    private static decimal AtLeastMin(decimal quantity, Instrument instrument) =>
        // Stryker disable once Equality : a zero quantity is 0 either way
        quantity > 0 && quantity >= instrument.MinQuantity ? quantity : 0m;
}
