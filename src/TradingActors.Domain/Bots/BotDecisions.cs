using System.Collections.Immutable;
using System.Globalization;
using TradingActors.Domain.Billing;
using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Paper;
using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tenants;

namespace TradingActors.Domain.Bots;

/// <summary>
/// One of the bot's orders as its ledger has it, to tell the bot's strategy: cumulative quantity, notional and fee filled,
/// and whether it ended. Cumulative, so the bot tells its strategy only the growth beyond what it was told (<see cref="BotDecisions.Tell"/>):
/// the same progress twice tells nothing twice.
/// </summary>
public sealed record BotOrderProgress(long OrderRef, OrderSide Side, decimal Quantity, decimal Notional, decimal Fee, bool Ended);

/// <summary>What to tell the strategy of one order: the part beyond what it was told (null when nothing), and whether it now ends.</summary>
public sealed record BotOrderNews(long OrderRef, OrderSide Side, decimal Quantity, decimal Price, decimal Fee, bool Ends);

/// <summary>
/// What a tenant decides for its bots (decision 028), pure: creating and controlling them, turning a step's intents into
/// orders within the bot's budget and risk limits (client order ids from bot id + sequence + leg), the risk stops, and
/// what of its orders' fate the bot's strategy has not been told yet.
/// </summary>
public static class BotDecisions
{
    /// <summary>
    /// A bot, stopped, with its canonical configuration; the same configuration again is a retry. The tenant's plan must
    /// allow one more bot, its pair, and live trading on a live account (decision 032; <paramref name="plans"/> names the
    /// plan that lifts a limit).
    /// </summary>
    public static Decision Create(TenantState s, BotConfig config, DateTimeOffset now, PlanCatalog? plans = null)
    {
        if (!s.Exists) return Decision.Reject($"tenant '{s.TenantId}' does not exist");
        var errors = config.Check(s, out var canonical);
        if (errors.Count > 0) return Decision.Reject(string.Join("; ", errors.Select(e => e.Message)));
        if (s.BotsById.TryGetValue(config.BotId, out var existing))
            return existing.Config == canonical ? Decision.Accept() : Decision.Reject($"bot '{config.BotId}' already exists");
        if (PlanDecisions.CreateBot(s, canonical, plans) is { } over) return Decision.Reject(over);
        return Decision.Accept(new BotCreated(canonical, now));
    }

    /// <summary>
    /// Starts a stopped or paused bot; refused while the tenant's kill switch stands (its bots' drawdown at
    /// <paramref name="latest"/> prices still at or past the tenant's maxDrawdownPercent): the bot would only be stopped again.
    /// The tenant's plan must allow one more running bot, its pair, and live trading on a live account (decision 032).
    /// </summary>
    public static Decision Start(TenantState s, string botId, DateTimeOffset now, LatestPrice? latest = null, PlanCatalog? plans = null)
    {
        var control = Control(s, botId, bot => bot.Status switch
        {
            BotStatus.Running => $"bot '{botId}' is already running",
            _ when s.Suspension is not null => TenantDecisions.SuspendedForTrader,
            _ when TenantRiskDecisions.KillSwitchReason(s, latest) is { } killed => $"{killed}; raise or turn off the tenant's maxDrawdownPercent to start bots again",
            _ => null,
        }, new BotStarted(botId, now));
        return control.Accepted && PlanDecisions.StartBot(s, s.BotsById[botId].Config, plans) is { } over ? Decision.Reject(over) : control;
    }

    public static Decision Pause(TenantState s, string botId, DateTimeOffset now) => Control(s, botId, bot => bot.Status switch
    {
        BotStatus.Running => null,
        BotStatus.Paused => $"bot '{botId}' is already paused",
        _ => $"bot '{botId}' is not running",
    }, new BotPaused(botId, now));

    /// <summary>Stops a running or paused bot: its open orders are cancelled, and with <paramref name="closePosition"/> its position sold at market.</summary>
    public static Decision Stop(TenantState s, string botId, bool closePosition, decimal? price, DateTimeOffset now, string? reason = null)
    {
        if (!s.BotsById.TryGetValue(botId, out var bot)) return Decision.Reject($"unknown bot '{botId}'");
        if (bot.Status == BotStatus.Stopped) return Decision.Reject($"bot '{botId}' is already stopped");
        OrderIntent? close = null;
        if (closePosition && bot.Ledger.Position > 0)
        {
            if (price is not > 0) return Decision.Reject($"no market price for {bot.Config.Symbol} to close the position at");
            close = Order(s, bot, bot.Sequence + 1, 0, OrderSide.Sell, bot.Ledger.Position, price.Value, OrderType.Market, null);
        }
        return Decision.Accept(new BotStopped(botId, reason, close, now));
    }

    public static Decision Delete(TenantState s, string botId, DateTimeOffset now)
    {
        if (!s.BotsById.TryGetValue(botId, out var bot)) return Decision.Reject($"unknown bot '{botId}'");
        if (bot.Status != BotStatus.Stopped) return Decision.Reject($"bot '{botId}' is {Name(bot.Status)}: stop it first");
        if (!bot.Pending.IsEmpty || BotState.OpenOrders(s, bot).Any()) return Decision.Reject($"bot '{botId}' still has orders open; delete it once they have ended");
        return Decision.Accept(new BotDeleted(botId, now));
    }

    private static Decision Control(TenantState s, string botId, Func<BotRecord, string?> refusal, IBotEvent e)
    {
        if (!s.BotsById.TryGetValue(botId, out var bot)) return Decision.Reject($"unknown bot '{botId}'");
        return refusal(bot) is { } why ? Decision.Reject(why) : Decision.Accept(e);
    }

    public static string Name(BotStatus status) => status switch
    {
        BotStatus.Running => "running",
        BotStatus.Paused => "paused",
        _ => "stopped",
    };

    /// <summary>
    /// A step of a running bot: its strategy's intents (in order) at <paramref name="price"/>, its checkpoint and what it has
    /// been told after the step. Each market or limit intent becomes an order (sized and rounded for the instrument; a
    /// quote amount at the limit price, or at the price for a market order, costs included for a buy) unless a limit
    /// refuses it: the budget (or MaxPosition), the position for a sell, MaxOpenOrders, the instrument's minimum, then the
    /// tenant's limits across all its bots (its maxOpenOrders, its maxExposure for a buy; decision 031). A signal becomes a
    /// market order through <see cref="SignalOrders"/> (buy with what the budget — and the tenant's maxExposure — has left
    /// while flat, sell the position while long). A cancel names one of the bot's open orders. Last, a buy the tenant's plan
    /// does not admit (trades per day, open positions, live trading: decision 032) is refused with the reason; a sell never is.
    /// Null when the bot is not running.
    /// </summary>
    public static BotStepped? Step(TenantState s, string botId, IReadOnlyList<StrategyIntent> intents, StrategyState state, ImmutableDictionary<long, BotFed> fed,
        decimal price, PaperVenueCosts paperCosts, DateTimeOffset now, InstrumentRules? rules = null, PlanCatalog? plans = null)
    {
        if (!s.BotsById.TryGetValue(botId, out var bot) || bot.Status != BotStatus.Running) return null;
        var sequence = bot.Sequence + 1;
        var legs = ImmutableList.CreateBuilder<BotLeg>();
        var account = s.Accounts.GetValueOrDefault(bot.Config.AccountId);
        var instrument = account is null ? null : (rules ?? InstrumentRule.EngineTable)(account, bot.Config.Symbol) is InstrumentRule.Known k ? k.Instrument : null;
        var costFactor = CostFactor(s, bot, paperCosts);
        var (committed, toSell, openCount) = Exposure(s, bot, paperCosts);
        var cancels = new HashSet<string>(StringComparer.Ordinal);
        var cap = bot.Config.Risk.MaxPosition > 0 ? Math.Min(bot.Config.Budget, bot.Config.Risk.MaxPosition) : bot.Config.Budget;
        // The tenant's limits hold across all its bots (decision 031): what the other bots have at stake stays as it is during this step.
        var tenant = s.RiskLimits;
        var others = s.BotsById.Values.Where(b => b.Config.BotId != botId).Select(b => Exposure(s, b, paperCosts)).ToList();
        var othersCommitted = others.Sum(o => o.Committed);
        var othersOpen = others.Sum(o => o.OpenOrders);
        var tenantCap = tenant.MaxExposure > 0 ? tenant.MaxExposure - othersCommitted : decimal.MaxValue;
        var ownRef = bot.NextOwnRef;
        var leg = 0;
        // A buy opens a position only while the bot holds nothing and buys nothing (decision 032). Its later buys in this step
        // are checked against the same open positions as its first, so they are admitted when it is: nothing to count again.
        var opensPosition = !PlanDecisions.HoldsOrBuys(s, bot);
        foreach (var raw in intents)
        {
            var intent = raw;
            if (intent.Kind == IntentKind.Signal)
            {
                var made = SignalOrders.For(intent, (double)(bot.Ledger.Position - toSell), (double)Math.Max(0m, Math.Min(cap, tenantCap) - committed), ownRef);
                if (made is null) continue;
                intent = made.Value;
                ownRef--;
            }
            if (intent.Kind == IntentKind.Cancel)
            {
                // Once: the same order cancelled twice in a step frees what it held once.
                if (bot.Orders.TryGetValue(intent.OrderRef, out var target) && s.Open.TryGetValue(target, out var cancelled) && !bot.Cancelling.Contains(target)
                    && cancels.Add(target))
                {
                    legs.Add(new BotLeg(intent.OrderRef, Cancel: target));
                    // What it held back is free for the legs after it (a take profit replaced in one step sells the whole position).
                    var left = Left(cancelled);
                    if (cancelled.Intent.Side == OrderSide.Sell) toSell -= left;
                    else committed -= left * (cancelled.Intent.LimitPrice ?? cancelled.Intent.ReferencePrice) * costFactor;
                    openCount--;
                }
                continue;
            }
            var side = intent.Side;
            var limit = intent.Kind == IntentKind.Limit ? (decimal?)ToDecimal(intent.LimitPrice) : null;
            string? refusal = null;
            decimal quantity = 0m;
            if (instrument is null) refusal = $"{bot.Config.Symbol} is not traded on account '{bot.Config.AccountId}'";
            // A limit at or below 0 rounds to a price at or below 0, as does one below half a tick.
            else if (limit is { } l && instrument.RoundPrice(l) <= 0) refusal = "the limit price is not a positive price";
            else
            {
                if (limit is { } lp) limit = instrument.RoundPrice(lp);
                var at = limit ?? price;
                var amount = ToDecimal(intent.Amount);
                quantity = intent.Sizing == IntentSizing.Quote
                    ? side == OrderSide.Buy ? OrderSizing.BuyQuantity(amount, at, instrument, costFactor) : OrderSizing.RoundedQuantity(amount / at, instrument)
                    : OrderSizing.RoundedQuantity(amount, instrument);
                if (side == OrderSide.Sell) quantity = Math.Min(quantity, OrderSizing.RoundedQuantity(bot.Ledger.Position - toSell, instrument));
                var cost = quantity * at * costFactor;
                if (quantity <= 0) refusal = side == OrderSide.Sell && bot.Ledger.Position - toSell <= 0
                    ? "nothing to sell: the bot holds no position beyond its open sells"
                    : $"below {instrument.Symbol}'s minimum quantity {instrument.MinQuantity}";
                else if (openCount >= bot.Config.Risk.MaxOpenOrders) refusal = $"the bot has {openCount} orders open, its limit (maxOpenOrders {bot.Config.Risk.MaxOpenOrders})";
                else if (side == OrderSide.Buy && committed + cost > cap)
                    refusal = string.Create(CultureInfo.InvariantCulture, $"over the bot's {(cap < bot.Config.Budget ? "maxPosition" : "budget")} of {cap:G29}: {committed:0.##} committed, this buy costs {cost:0.##}");
                else if (tenant.MaxOpenOrders > 0 && othersOpen + openCount >= tenant.MaxOpenOrders)
                    refusal = $"the tenant's bots have {othersOpen + openCount} orders open, the tenant's limit (maxOpenOrders {tenant.MaxOpenOrders})";
                else if (side == OrderSide.Buy && committed + cost > tenantCap)
                    refusal = string.Create(CultureInfo.InvariantCulture,
                        $"over the tenant's maxExposure of {tenant.MaxExposure:G29}: {othersCommitted + committed:0.##} committed by its bots, this buy costs {cost:0.##}");
                else if (s.Suspension is not null) refusal = TenantDecisions.SuspendedForTrader;
                else if (account is not null && PlanDecisions.AdmitOrder(s, account, side, opensPosition, now, plans, decided: leg) is { } over) refusal = over.Reason;
                if (refusal is null)
                {
                    if (side == OrderSide.Buy) committed += cost;
                    else toSell += quantity;
                    openCount++;
                }
            }
            legs.Add(refusal is null
                ? new BotLeg(intent.OrderRef, Place: Order(s, bot, sequence, leg++, side, quantity, price,
                    intent.Kind == IntentKind.Limit ? OrderType.Limit : OrderType.Market, limit))
                : new BotLeg(intent.OrderRef, Refused: refusal));
        }
        return new BotStepped(botId, legs.Count > 0 ? sequence : bot.Sequence, state, fed, legs.ToImmutable(), price, now);
    }

    /// <summary>
    /// The risk stop due at <paramref name="price"/>, if any: the kill switch (equity this far below its peak) or the stop
    /// loss (the position's unrealised loss this share of its cost). The bot stops and says why; with CloseOnStop its
    /// position is sold.
    /// </summary>
    public static BotStopped? RiskStop(TenantState s, string botId, decimal price, DateTimeOffset now)
    {
        if (!s.BotsById.TryGetValue(botId, out var bot) || bot.Status == BotStatus.Stopped || price <= 0) return null;
        var risk = bot.Config.Risk;
        var ledger = bot.Ledger;
        string? reason = null;
        var equity = ledger.Equity(bot.Config.Budget, price);
        var peak = Math.Max(ledger.PeakEquity, equity);
        var drawdown = peak > 0 ? (peak - equity) / peak * 100m : 0m;
        if (risk.MaxDrawdownPercent > 0 && drawdown >= risk.MaxDrawdownPercent)
            reason = string.Create(CultureInfo.InvariantCulture, $"kill switch: drawdown {drawdown:0.##}% reached maxDrawdownPercent {risk.MaxDrawdownPercent:G29}% (equity {equity:0.##}, peak {peak:0.##})");
        // Only a position costs anything (a flat ledger's cost is 0); one that cost nothing cannot lose a share of it.
        else if (risk.StopLossPercent > 0 && ledger.Cost > 0 && -ledger.Unrealised(price) / ledger.Cost * 100m >= risk.StopLossPercent)
            reason = string.Create(CultureInfo.InvariantCulture, $"stop loss: the position is down {-ledger.Unrealised(price) / ledger.Cost * 100m:0.##}%, stopLossPercent {risk.StopLossPercent:G29}%");
        if (reason is null) return null;
        var stop = Stop(s, botId, risk.CloseOnStop, price, now, reason);
        // Stryker disable once Linq : Stop accepts every bot that passed the checks above (known, not stopped, a positive price)
        return stop.Events.OfType<BotStopped>().SingleOrDefault();
    }

    /// <summary>
    /// The bot's orders whose fate its strategy has not been told in full (against its last checkpoint), oldest first, as
    /// the ledger has them: open or recently ended orders with their cumulative fill; an order gone from the recent list
    /// is told as ended with what was told of it; refused legs end at once.
    /// </summary>
    public static IReadOnlyList<BotOrderProgress> Untold(TenantState s, BotRecord bot)
    {
        var untold = new List<BotOrderProgress>();
        foreach (var (orderRef, clientOrderId) in bot.Orders.OrderBy(o => Math.Abs(o.Key)))
        {
            var fed = bot.Fed.GetValueOrDefault(orderRef) ?? BotFed.None;
            if (fed.Ended || bot.Pending.Any(p => p.ClientOrderId == clientOrderId)) continue;
            // Stryker disable once NullCoalescing : an order is either open or ended, never both, so the order of the lookups does not matter
            var record = s.Open.GetValueOrDefault(clientOrderId) ?? s.Recent.LastOrDefault(r => r.Intent.ClientOrderId == clientOrderId);
            var progress = record is null
                ? new BotOrderProgress(orderRef, OrderSide.Buy, fed.Quantity, fed.Notional, fed.Fee, Ended: true)
                : new BotOrderProgress(orderRef, record.Intent.Side, record.Fill?.Quantity ?? 0m, record.Fill is { } f ? f.Quantity * f.Price : 0m, record.Fill?.Fee ?? 0m,
                    !record.IsOpen);
            if (progress.Quantity > fed.Quantity || progress.Ended) untold.Add(progress);
        }
        foreach (var orderRef in bot.Refused.Where(r => !(bot.Fed.GetValueOrDefault(r)?.Ended ?? false)).OrderBy(Math.Abs))
            untold.Add(new BotOrderProgress(orderRef, OrderSide.Buy, 0m, 0m, 0m, Ended: true));
        return untold;
    }

    /// <summary>
    /// What <paramref name="progress"/> tells a strategy that was told <paramref name="fed"/>: the news (the fill beyond it at
    /// that part's average price, and the end) and what it has been told after; no news when it tells nothing new.
    /// </summary>
    public static (BotOrderNews? News, ImmutableDictionary<long, BotFed> Fed) Tell(ImmutableDictionary<long, BotFed> fed, BotOrderProgress progress)
    {
        var was = fed.GetValueOrDefault(progress.OrderRef) ?? BotFed.None;
        var quantity = progress.Quantity - was.Quantity;
        var ends = progress.Ended && !was.Ended;
        if (quantity <= 0 && !ends) return (null, fed);
        var grew = quantity > 0;
        var news = new BotOrderNews(progress.OrderRef, progress.Side, grew ? quantity : 0m, grew ? (progress.Notional - was.Notional) / quantity : 0m,
            grew ? Math.Max(0m, progress.Fee - was.Fee) : 0m, ends);
        var told = new BotFed(grew ? progress.Quantity : was.Quantity, grew ? progress.Notional : was.Notional, grew ? progress.Fee : was.Fee, was.Ended || progress.Ended);
        return (news, fed.SetItem(progress.OrderRef, told));
    }

    /// <summary>
    /// What the bot has at stake now: quote committed (its position's cost plus, for each open or undecided buy, the part not
    /// filled yet at its limit — or its reference price — with costs), base its open and undecided sells hold back, and how
    /// many orders it has open or decided. What its budget, its maxOpenOrders and the tenant's limits count.
    /// </summary>
    public static BotExposure Exposure(TenantState s, BotRecord bot, PaperVenueCosts paperCosts)
    {
        var costFactor = CostFactor(s, bot, paperCosts);
        // What each open order still holds: the part not filled yet (the filled part is in the ledger's position and cost).
        var open = BotState.OpenOrders(s, bot).Select(o => (o.Intent, Left: Left(o))).Concat(bot.Pending.Select(p => (Intent: p, Left: p.Quantity))).ToList();
        return new BotExposure(
            bot.Ledger.Cost + open.Where(o => o.Intent.Side == OrderSide.Buy).Sum(o => o.Left * (o.Intent.LimitPrice ?? o.Intent.ReferencePrice) * costFactor),
            open.Where(o => o.Intent.Side == OrderSide.Sell).Sum(o => o.Left),
            open.Count);
    }

    /// <summary>What a buy on the bot's account costs per unit of notional: the paper venue's fee and slippage, or an external venue's margin.</summary>
    private static decimal CostFactor(TenantState s, BotRecord bot, PaperVenueCosts paperCosts) =>
        s.Accounts.GetValueOrDefault(bot.Config.AccountId)?.IsEmbeddedPaper == true ? paperCosts.CostFactor : TenantDecisions.ExternalCostFactor;

    /// <summary>The part of an open order not filled yet.</summary>
    private static decimal Left(OrderRecord order) => order.Intent.Quantity - (order.Fill?.Quantity ?? 0m);

    private static OrderIntent Order(TenantState s, BotRecord bot, long sequence, int leg, OrderSide side, decimal quantity, decimal price, OrderType type, decimal? limit)
    {
        var source = bot.Config.Source;
        var id = ClientOrderIds.Create(s.TenantId, bot.Config.AccountId, source, sequence, leg);
        return new OrderIntent(id, bot.Config.AccountId, source, sequence, bot.Config.Symbol, side, quantity, price, type, limit);
    }

    private static decimal ToDecimal(double value) =>
        double.IsFinite(value) && Math.Abs(value) < 7.9e27 ? Math.Round((decimal)value, 10) : 0m;
}
