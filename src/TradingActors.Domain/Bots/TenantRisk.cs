using System.Collections.Immutable;
using System.Globalization;
using TradingActors.Domain.Paper;
using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tenants;

namespace TradingActors.Domain.Bots;

/// <summary>
/// A tenant's risk limits across all its bots (decision 031), set by its trader; 0 turns a limit off. MaxExposure: the most
/// quote its bots together may have invested at cost (positions' cost plus open buys, as each bot's budget counts them).
/// MaxOpenOrders: open bot orders across all its bots (off, the plan still bounds them: <see cref="BotPlan.MaxOpenOrders"/>).
/// MaxDrawdownPercent: the tenant kill switch — once the bots' combined equity falls this far below its combined peak,
/// every running or paused bot stops and says why.
/// </summary>
public sealed record TenantRisk(decimal MaxExposure = 0m, int MaxOpenOrders = 0, decimal MaxDrawdownPercent = 0m)
{
    /// <summary>Every limit off: what a tenant has until its trader sets some.</summary>
    public static readonly TenantRisk Off = new();

    /// <summary>Every problem, each naming its field (as <see cref="BotRisk.Check"/>).</summary>
    public IEnumerable<ParameterError> Check(BotPlan? plan = null)
    {
        var most = (plan ?? BotPlan.Default).MaxOpenOrders();
        if (MaxExposure is < 0 or > TenantDecisions.MaxBudget) yield return new("maxExposure", "maxExposure must be at least 0 and at most 1,000,000,000 (0: off)");
        if (MaxOpenOrders < 0 || MaxOpenOrders > most)
            yield return new("maxOpenOrders", $"maxOpenOrders must be between 0 and {most}, what the plan's bots may have open (0: off)");
        if (MaxDrawdownPercent is < 0 or >= 100) yield return new("maxDrawdownPercent", "maxDrawdownPercent must be at least 0 and below 100 (0: off)");
    }
}

/// <summary>The trader set the tenant's risk limits (decision 031): they hold from the bots' next decision on.</summary>
public sealed record TenantRiskLimitsSet(TenantRisk Limits, DateTimeOffset At) : ITenantEvent;

/// <summary>
/// Where a tenant's bots stand against its limits now: quote invested at cost (Exposure), open bot orders, the bots' combined
/// equity, its peak (the kept peak or the equity now, the higher) and the drawdown from that peak in percent.
/// </summary>
public sealed record TenantRiskNow(decimal Exposure, int OpenOrders, decimal Equity, decimal PeakEquity, decimal DrawdownPercent);

/// <summary>
/// What one bot has at stake: quote committed (its position's cost plus what its open and undecided buys hold), base its open
/// and undecided sells hold back, and its orders open or decided.
/// </summary>
public sealed record BotExposure(decimal Committed, decimal Selling, int OpenOrders);

/// <summary>The latest market price of a symbol, null when none is known.</summary>
public delegate decimal? LatestPrice(string symbol);

/// <summary>The tenant's risk limits across its bots (decision 031), pure: setting them, where the bots stand, and the kill switch.</summary>
public static class TenantRiskDecisions
{
    /// <summary>
    /// Every problem is reported at once, each naming its field; the same limits again persist nothing. maxOpenOrders is
    /// bounded by the tenant's plan (<paramref name="plan"/> when given).
    /// </summary>
    public static Decision Set(TenantState s, TenantRisk limits, DateTimeOffset now, BotPlan? plan = null)
    {
        if (!s.Exists) return Decision.Reject($"tenant '{s.TenantId}' does not exist");
        var errors = limits.Check(plan ?? BotPlan.Of(s.CurrentPlan().Limits)).ToList();
        if (errors.Count > 0) return Decision.Reject(string.Join("; ", errors.Select(e => e.Message)));
        return s.RiskLimits == limits ? Decision.Accept() : Decision.Accept(new TenantRiskLimitsSet(limits, now));
    }

    /// <summary>A bot's price: the latest known for its symbol, else the one it last saw (its last bar's close).</summary>
    public static decimal PriceOf(BotRecord bot, LatestPrice? latest) =>
        latest?.Invoke(bot.Config.Symbol) is decimal p && p > 0 ? p : bot.LastPrice;

    /// <summary>The sum of every bot's equity (budget + realised + unrealised), stopped ones too: their money is the tenant's all the same.</summary>
    public static decimal CombinedEquity(TenantState s, LatestPrice? latest = null) =>
        s.BotsById.Values.Sum(b => b.Equity(PriceOf(b, latest)));

    public static TenantRiskNow Now(TenantState s, PaperVenueCosts paperCosts, LatestPrice? latest = null)
    {
        var exposures = s.BotsById.Values.Select(b => BotDecisions.Exposure(s, b, paperCosts)).ToList();
        var equity = CombinedEquity(s, latest);
        var peak = Math.Max(s.BotsPeakEquity, equity);
        return new TenantRiskNow(exposures.Sum(e => e.Committed), exposures.Sum(e => e.OpenOrders), equity, peak, Drawdown(equity, peak));
    }

    /// <summary>Why the tenant's kill switch stands at these prices (the bots' drawdown at or past maxDrawdownPercent), or null.</summary>
    public static string? KillSwitchReason(TenantState s, LatestPrice? latest = null)
    {
        var limit = s.RiskLimits.MaxDrawdownPercent;
        if (limit <= 0) return null;
        var equity = CombinedEquity(s, latest);
        var peak = Math.Max(s.BotsPeakEquity, equity);
        var drawdown = Drawdown(equity, peak);
        return drawdown >= limit
            ? string.Create(CultureInfo.InvariantCulture,
                $"tenant kill switch: the bots' combined drawdown {drawdown:0.##}% reached the tenant's maxDrawdownPercent {limit:G29}% (combined equity {equity:0.##}, peak {peak:0.##})")
            : null;
    }

    /// <summary>
    /// The tenant's kill switch at these prices: every running or paused bot stops with the reason, its open orders cancelled
    /// and, with its own CloseOnStop, its position sold at its price. Nothing when it does not stand.
    /// </summary>
    public static ImmutableArray<BotStopped> KillSwitch(TenantState s, LatestPrice? latest, DateTimeOffset now)
    {
        if (KillSwitchReason(s, latest) is not { } reason) return [];
        var stops = ImmutableArray.CreateBuilder<BotStopped>();
        foreach (var bot in s.BotsById.Values.Where(b => b.Status != BotStatus.Stopped).OrderBy(b => b.Config.BotId, StringComparer.Ordinal))
        {
            var id = bot.Config.BotId;
            var stop = BotDecisions.Stop(s, id, bot.Config.Risk.CloseOnStop, PriceOf(bot, latest), now, reason);
            // No price to sell at (a bot recovered from before its prices were kept, with none seen since): it stops all the same, keeping its position.
            if (!stop.Accepted) stop = BotDecisions.Stop(s, id, closePosition: false, null, now, reason);
            stops.Add((BotStopped)stop.Events[0]);
        }
        return stops.ToImmutable();
    }

    /// <summary>
    /// The risk stops due once a bot's bar closed at <paramref name="price"/>: the bot's own (<see cref="BotDecisions.RiskStop"/>),
    /// then the tenant's kill switch over the bots still running or paused (the bar's close is that bot's price, the others'
    /// the latest known).
    /// </summary>
    public static ImmutableArray<BotStopped> RiskStops(TenantState s, string botId, decimal price, LatestPrice? latest, DateTimeOffset now)
    {
        var own = BotDecisions.RiskStop(s, botId, price, now);
        var symbol = s.BotsById.GetValueOrDefault(botId)?.Config.Symbol;
        decimal? At(string other) => other == symbol && price > 0 ? price : latest?.Invoke(other);
        var tenant = KillSwitch(own is null ? s : s.Apply(own), At, now);
        return own is null ? tenant : [own, .. tenant];
    }

    private static decimal Drawdown(decimal equity, decimal peak) => peak > 0 ? (peak - equity) / peak * 100m : 0m;
}
