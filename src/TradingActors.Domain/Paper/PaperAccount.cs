using System.Collections.Immutable;
using TradingActors.Domain.Orders;

namespace TradingActors.Domain.Paper;

/// <summary>A holding in a paper account. AveragePrice is the quantity-weighted mean of buy fill prices (fees excluded).</summary>
public sealed record PaperPosition(decimal Quantity, decimal AveragePrice);

/// <summary>
/// A tenant's simulated broker account: cash, positions by symbol and the fees paid so far.
/// Immutable; <see cref="Apply"/> returns the account after a fill. Cash and positions never go negative.
/// </summary>
public sealed record PaperAccount(decimal Cash, ImmutableDictionary<string, PaperPosition> Positions, decimal FeesPaid)
{
    public static PaperAccount Open(decimal startingCash) =>
        startingCash >= 0
            ? new(startingCash, ImmutableDictionary.Create<string, PaperPosition>(StringComparer.Ordinal), 0m)
            : throw new ArgumentOutOfRangeException(nameof(startingCash), startingCash, "starting cash cannot be negative");

    /// <summary>Quantity held for the symbol, 0 when flat.</summary>
    public decimal Held(string symbol) => Positions.TryGetValue(symbol, out var p) ? p.Quantity : 0m;

    /// <summary>
    /// Buy: quantity * price * costFactor fits in cash (price = market price, costFactor from
    /// <see cref="PaperVenueCosts.CostFactor"/>). Sell: at least quantity is held. Non-positive quantities are never affordable.
    /// </summary>
    public bool CanAfford(OrderSide side, string symbol, decimal quantity, decimal price, decimal costFactor) =>
        quantity > 0 && side switch
        {
            OrderSide.Buy => quantity * price * costFactor <= Cash,
            OrderSide.Sell => Held(symbol) >= quantity,
            _ => false,
        };

    /// <summary>
    /// Books a fill: a buy debits quantity * price + fee and raises the position at a weighted average price;
    /// a sell credits quantity * price - fee and reduces the position (removed at zero; average price unchanged).
    /// Throws InvalidOperationException when the buy exceeds cash or the sell exceeds the holding.
    /// </summary>
    public PaperAccount Apply(OrderSide side, Fill fill, string symbol)
    {
        if (fill.Quantity <= 0) throw new ArgumentException($"fill quantity must be positive (got {fill.Quantity})", nameof(fill));
        if (fill.Price <= 0) throw new ArgumentException($"fill price must be positive (got {fill.Price})", nameof(fill));
        if (fill.Fee < 0) throw new ArgumentException($"fill fee cannot be negative (got {fill.Fee})", nameof(fill));

        var notional = fill.Quantity * fill.Price;
        var position = Positions.GetValueOrDefault(symbol);
        var held = position?.Quantity ?? 0m;

        switch (side)
        {
            case OrderSide.Buy:
            {
                var cost = notional + fill.Fee;
                if (cost > Cash)
                    throw new InvalidOperationException($"insufficient cash for {symbol} buy: needs {cost}, has {Cash}");
                var quantity = held + fill.Quantity;
                var average = ((position?.AveragePrice ?? 0m) * held + notional) / quantity;
                return this with
                {
                    Cash = Cash - cost,
                    FeesPaid = FeesPaid + fill.Fee,
                    Positions = Positions.SetItem(symbol, new PaperPosition(quantity, average)),
                };
            }
            case OrderSide.Sell:
            {
                if (fill.Quantity > held)
                    throw new InvalidOperationException($"cannot sell {fill.Quantity} {symbol}: only {held} held");
                var quantity = held - fill.Quantity;
                return this with
                {
                    Cash = Cash + notional - fill.Fee,
                    FeesPaid = FeesPaid + fill.Fee,
                    Positions = quantity == 0
                        ? Positions.Remove(symbol)
                        : Positions.SetItem(symbol, position! with { Quantity = quantity }),
                };
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(side), side, "unknown order side");
        }
    }
}
