using System.Collections.Immutable;
using TradingActors.Domain.Tenants;

namespace TradingActors.Domain.Bots;

/// <summary>How a tenant's state takes a bot event (part of <see cref="TenantState.Apply"/>).</summary>
public static class BotState
{
    public static TenantState Apply(TenantState s, IBotEvent e)
    {
        var bots = s.BotsById;
        // A bot brings its budget to the bots' combined equity and to its peak, and takes its equity away from both when it
        // goes: the tenant's drawdown (decision 031) moves only with what the bots make or lose.
        if (e is BotCreated c)
            return bots.ContainsKey(c.BotId) ? s : s with { Bots = bots.SetItem(c.BotId, BotRecord.New(c.Config, c.At)), BotsPeakEquity = s.BotsPeakEquity + c.Config.Budget };
        if (!bots.TryGetValue(e.BotId, out var bot)) return s;
        if (e is BotDeleted) return s with { Bots = bots.Remove(e.BotId), BotsPeakEquity = Math.Max(0m, s.BotsPeakEquity - bot.Equity(bot.LastPrice)) };
        var next = e switch
        {
            BotStarted => bot with { Status = BotStatus.Running, StopReason = null },
            // A trader's pause leaves the reason as it was; the plan's says why it paused the bot.
            BotPaused x => bot with { Status = BotStatus.Paused, StopReason = x.Reason ?? bot.StopReason },
            BotStopped x => bot with
            {
                Status = BotStatus.Stopped,
                StopReason = x.Reason,
                // Decided but never placed: dropped. Open: cancelled. A close is the one order left to place.
                Pending = x.Close is { } close ? [close] : [],
                Cancelling = OpenOrders(s, bot).Select(o => o.Intent.ClientOrderId).ToImmutableHashSet(),
                Sequence = x.Close?.SourceSequence ?? bot.Sequence,
            },
            BotStepped step => Stepped(bot, step),
            BotCheckpointed k => Told(bot with { Strategy = k.State, Ledger = Peak(bot, k.Price), LastPrice = Seen(bot, k.Price) }, k.Fed),
            _ => bot,
        };
        var after = s with { Bots = bots.SetItem(e.BotId, next with { UpdatedAt = e.At }) };
        // The combined peak is kept when each bot's is: at a step or checkpoint, every bot at the price it last saw.
        return e is BotStepped or BotCheckpointed
            ? after with { BotsPeakEquity = Math.Max(after.BotsPeakEquity, TenantRiskDecisions.CombinedEquity(after)) }
            : after;
    }

    /// <summary>The bot's orders the ledger holds open.</summary>
    public static IEnumerable<OrderRecord> OpenOrders(TenantState s, BotRecord bot)
    {
        var source = bot.Config.Source;
        return s.Open.Values.Where(o => o.Intent.Source == source);
    }

    private static BotRecord Stepped(BotRecord bot, BotStepped step)
    {
        var orders = bot.Orders;
        var pending = bot.Pending;
        var cancelling = bot.Cancelling;
        var refused = bot.Refused;
        var nextOwn = bot.NextOwnRef;
        foreach (var leg in step.Legs)
        {
            // Stryker disable once Equality : NextOwnRef is at most -1, which a ref of 0 (0 - 1) never lowers
            if (leg.OrderRef < 0) nextOwn = Math.Min(nextOwn, leg.OrderRef - 1);
            if (leg.Place is { } place)
            {
                orders = orders.SetItem(leg.OrderRef, place.ClientOrderId);
                pending = pending.Add(place);
            }
            else if (leg.Cancel is { } cancel) cancelling = cancelling.Add(cancel);
            else if (leg.Refused is not null) refused = refused.Add(leg.OrderRef);
        }
        var next = bot with
        {
            Sequence = Math.Max(bot.Sequence, step.Sequence),
            Strategy = step.State,
            Orders = orders,
            Pending = pending,
            Cancelling = cancelling,
            Refused = refused,
            NextOwnRef = nextOwn,
            Ledger = Peak(bot, step.Price),
            LastPrice = Seen(bot, step.Price),
        };
        return Told(next, step.Fed);
    }

    /// <summary>Takes what the strategy has been told; orders it knows ended are forgotten (their refs and ids are not needed again).</summary>
    private static BotRecord Told(BotRecord bot, ImmutableDictionary<long, BotFed> fed)
    {
        var ended = fed.Where(f => f.Value.Ended).Select(f => f.Key).ToList();
        return bot with
        {
            Fed = fed.RemoveRange(ended),
            Orders = bot.Orders.RemoveRange(ended),
            Refused = bot.Refused.Except(ended),
        };
    }

    private static decimal Seen(BotRecord bot, decimal price) => price > 0 ? price : bot.LastPrice;

    private static BotLedger Peak(BotRecord bot, decimal price)
    {
        if (price <= 0) return bot.Ledger;
        var equity = bot.Ledger.Equity(bot.Config.Budget, price);
        // Stryker disable once Equality : an equity equal to the peak set as the peak leaves it as it was
        return equity > bot.Ledger.PeakEquity ? bot.Ledger with { PeakEquity = equity } : bot.Ledger;
    }
}
