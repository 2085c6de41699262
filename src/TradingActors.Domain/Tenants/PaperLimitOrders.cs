using System.Globalization;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Paper;

namespace TradingActors.Domain.Tenants;

/// <summary>
/// The embedded paper venue's resting limit orders (decision 027). The tenant's ledger is the paper book: a limit order
/// that is not marketable when placed is taken as working, and fills — whole, at its limit, with the paper fee and no
/// slippage (a maker's fill) — when a price the tenant sees crosses it: a buy when the price falls to its limit or
/// below, a sell when it rises to its limit or above. Pure; the tenant persists what this returns.
/// </summary>
public static class PaperLimitOrders
{
    /// <summary>The symbols with a resting paper limit order: the prices the tenant must watch.</summary>
    public static IReadOnlySet<string> WatchedSymbols(TenantState s)
    {
        var symbols = new HashSet<string>(StringComparer.Ordinal);
        foreach (var order in s.Open.Values)
            if (IsResting(s, order)) symbols.Add(order.Intent.Symbol);
        return symbols;
    }

    public static bool IsResting(TenantState s, OrderRecord order) =>
        order.Status == OrderStatus.Working && order.Intent.Type == OrderType.Limit
        && s.Accounts.TryGetValue(order.Intent.AccountId, out var account) && account.IsEmbeddedPaper;

    /// <summary>
    /// What prices from <paramref name="low"/> to <paramref name="high"/> on <paramref name="symbol"/> (one tick, or every
    /// tick seen while the tenant was busy) do to its resting paper orders, oldest first: each crossed order filled at its
    /// limit, or cancelled when the account can no longer pay for it (cash spent, holding sold meanwhile). Each event is
    /// decided against the account as the earlier ones leave it.
    /// </summary>
    public static IReadOnlyList<IOrderEvent> Crossed(TenantState s, string symbol, decimal low, decimal high, PaperVenueCosts costs, DateTimeOffset now)
    {
        if (low <= 0 || high < low) throw new ArgumentOutOfRangeException(nameof(low), $"prices must be positive with low <= high (got {low}..{high})");
        var events = new List<IOrderEvent>();
        var state = s;
        foreach (var order in s.Open.Values.Where(o => o.Intent.Symbol == symbol && IsResting(s, o)).OrderBy(o => o.SubmittedAt).ThenBy(o => o.Intent.ClientOrderId, StringComparer.Ordinal))
        {
            var intent = order.Intent;
            var limit = intent.LimitPrice!.Value;
            var crossed = intent.Side == OrderSide.Buy ? low <= limit : high >= limit;
            if (!crossed) continue;
            var paper = state.Accounts[intent.AccountId].Paper!;
            var fee = costs.Fee(intent.Quantity, limit);
            IOrderEvent e = Affordable(paper, intent, limit, fee)
                ? new OrderFilled(intent, new Fill(intent.Quantity, limit, fee, order.VenueOrderId ?? "P-" + intent.ClientOrderId, now), now)
                : new OrderCancelled(intent, string.Create(CultureInfo.InvariantCulture,
                    $"cancelled by the paper venue: its limit {limit:G29} was reached but the account {(intent.Side == OrderSide.Buy ? "no longer has the cash" : "no longer holds the quantity")}"), now);
            events.Add(e);
            state = state.Apply(e);
        }
        return events;
    }

    private static bool Affordable(PaperAccount paper, OrderIntent intent, decimal limit, decimal fee) => intent.Side == OrderSide.Buy
        ? intent.Quantity * limit + fee <= paper.Cash
        : paper.Held(intent.Symbol) >= intent.Quantity;
}
