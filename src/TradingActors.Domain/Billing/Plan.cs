using System.Globalization;
using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tenants;

namespace TradingActors.Domain.Billing;

/// <summary>The limits a plan sets (decision 032), by the name a refusal and the API give them.</summary>
public enum PlanLimit
{
    /// <summary>Bots the tenant may have (creating), and have running (starting).</summary>
    Bots = 1,
    /// <summary>Pairs (symbols) the tenant's bots may trade together.</summary>
    Pairs = 2,
    /// <summary>Subscriptions the tenant may have (subscribing), and have active (resuming).</summary>
    Subscriptions = 3,
    /// <summary>Automated orders (signals and bots) placed in the tenant's local day.</summary>
    TradesPerDay = 4,
    /// <summary>Positions the tenant's subscriptions and bots may hold or be buying into at once.</summary>
    OpenPositions = 5,
    /// <summary>Trading on live accounts (without it: paper and testnet accounts only).</summary>
    LiveTrading = 6,
}

/// <summary>
/// A per-user request budget of the API (decision 032): a token bucket of Burst requests refilled at RequestsPerSecond.
/// The plan names its tier; the API's per-user rate limit follows it.
/// </summary>
public sealed record ApiRateTier(string Name, int RequestsPerSecond, int Burst);

public static class ApiRateTiers
{
    public static readonly ApiRateTier Basic = new("basic", 5, 10);

    /// <summary>What every user had before plans (TraderApiOptions' defaults): tenants on the legacy plan keep it.</summary>
    public static readonly ApiRateTier Standard = new("standard", 20, 40);

    public static readonly ApiRateTier High = new("high", 100, 200);

    public static IReadOnlyList<ApiRateTier> All { get; } = [Basic, Standard, High];

    public static bool TryGet(string? name, out ApiRateTier tier)
    {
        tier = All.FirstOrDefault(t => t.Name == name)!;
        return tier is not null;
    }
}

/// <summary>
/// A plan users pay for (decision 032), as data an admin edits: how many bots and on how many pairs, subscriptions, automated
/// orders a day, open positions, whether live accounts may trade (paper and testnet only otherwise), the API's rate tier,
/// and its prices in USD a month and a year. <see cref="Unlimited"/> in a count means no limit. MaxPairs is the issue's
/// "pairs per bot" over all the bots: each bot trades one pair (decision 028), so what bounds the bots is how many
/// different pairs they trade together.
/// </summary>
public sealed record Plan(
    string Id,
    string Name,
    int MaxBots,
    int MaxPairs,
    int MaxSubscriptions,
    int TradesPerDay,
    int OpenPositions,
    bool LiveTrading,
    string ApiRateTier,
    decimal MonthlyPrice,
    decimal YearlyPrice)
{
    /// <summary>A count that never refuses.</summary>
    public const int Unlimited = int.MaxValue;

    /// <summary>The most bots a plan may allow: their open orders (each bot at most <see cref="Bots.BotRisk.MaxOpenOrdersCeiling"/>) stay countable.</summary>
    public const int MaxBotsCeiling = 1_000;

    public const int MaxNameLength = 40;

    public const decimal MaxPrice = 1_000_000m;

    /// <summary>Prices are in US dollars (Stripe's lower-case ISO code).</summary>
    public const string Currency = "usd";

    /// <summary>
    /// The plan of every tenant that has never had one (decision 032): the limits every tenant had before plans — 5 bots
    /// on 3 pairs (<see cref="Bots.BotPlan.Default"/>), everything else unlimited, live trading, the standard API rate —
    /// so existing tenants keep working as they did. Not sold: it is no catalog's.
    /// </summary>
    public static readonly Plan Legacy = new("legacy", "Legacy", 5, 3, Unlimited, Unlimited, Unlimited, true, ApiRateTiers.Standard.Name, 0m, 0m);

    /// <summary>A plan nobody pays for: it cannot lapse, and it is where a lapsed one falls to.</summary>
    public bool IsFree() => MonthlyPrice == 0m;

    /// <summary>What the plan allows for <paramref name="limit"/> (live trading: 1 allowed, 0 not).</summary>
    public int Allows(PlanLimit limit) => limit switch
    {
        PlanLimit.Bots => MaxBots,
        PlanLimit.Pairs => MaxPairs,
        PlanLimit.Subscriptions => MaxSubscriptions,
        PlanLimit.TradesPerDay => TradesPerDay,
        PlanLimit.OpenPositions => OpenPositions,
        PlanLimit.LiveTrading => LiveTrading ? 1 : 0,
        _ => throw new ArgumentOutOfRangeException(nameof(limit), limit, "unknown plan limit"),
    };

    /// <summary>Every problem with the plan, each naming its field (as <see cref="Bots.BotRisk.Check"/>).</summary>
    public IEnumerable<ParameterError> Check()
    {
        if (TenantDecisions.ValidateId(Id, "plan id") is { } badId) yield return new("id", badId);
        if (string.IsNullOrWhiteSpace(Name) || Name.Trim().Length > MaxNameLength)
            yield return new("name", $"name is required, at most {MaxNameLength} characters");
        if (MaxBots is < 0 or > MaxBotsCeiling) yield return new("maxBots", $"maxBots must be between 0 and {MaxBotsCeiling}");
        else if (MaxPairs < Math.Min(1, MaxBots) || MaxPairs > MaxBots)
            yield return new("maxPairs", "maxPairs must be between 1 and maxBots (each bot trades one pair), 0 when the plan has no bots");
        if (MaxSubscriptions < 0) yield return new("maxSubscriptions", "maxSubscriptions must not be negative");
        if (TradesPerDay < 0) yield return new("tradesPerDay", "tradesPerDay must not be negative");
        if (OpenPositions < 0) yield return new("openPositions", "openPositions must not be negative");
        if (!ApiRateTiers.TryGet(ApiRateTier, out _))
            yield return new("apiRateTier", $"unknown API rate tier '{ApiRateTier}' (tiers: {string.Join(", ", ApiRateTiers.All.Select(t => t.Name))})");
        var monthly = PriceError("monthlyPrice", MonthlyPrice);
        var yearly = PriceError("yearlyPrice", YearlyPrice);
        if (monthly is not null) yield return monthly;
        if (yearly is not null) yield return yearly;
        // The prices against each other only once each is a price.
        if (monthly is not null || yearly is not null) yield break;
        if (MonthlyPrice == 0m != (YearlyPrice == 0m))
            yield return new("yearlyPrice", "a plan free of charge is free both ways: monthlyPrice and yearlyPrice are both 0 or both positive");
        // A year dearer than twelve months is a typing mistake, never an offer.
        else if (YearlyPrice > MonthlyPrice * 12m)
            yield return new("yearlyPrice", string.Create(CultureInfo.InvariantCulture, $"yearlyPrice must be at most 12 × monthlyPrice ({MonthlyPrice * 12m:0.00})"));
    }

    private static ParameterError? PriceError(string field, decimal price) =>
        price < 0m || price > MaxPrice || decimal.Round(price, 2) != price
            ? new ParameterError(field, string.Create(CultureInfo.InvariantCulture, $"{field} must be between 0 and {MaxPrice:0} USD, in whole cents"))
            : null;
}
