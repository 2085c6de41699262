using System.Collections.Immutable;
using TradingActors.Domain.Market;
using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tenants;

namespace TradingActors.Domain.Bots;

/// <summary>
/// A bot's risk limits (decision 028). MaxPosition: the most quote its position may cost (0: the budget). StopLossPercent:
/// the position is sold once its unrealised loss passes this share of what it cost (0: off). MaxDrawdownPercent: the kill
/// switch — the bot stops, and says why, once its equity (budget + realised + unrealised PnL) falls this far below its peak
/// (0: off). MaxOpenOrders: orders the bot may have open at once. CloseOnStop: a risk stop also sells the position.
/// </summary>
public sealed record BotRisk(decimal MaxPosition = 0m, decimal StopLossPercent = 0m, decimal MaxDrawdownPercent = 0m, int MaxOpenOrders = 10, bool CloseOnStop = true)
{
    /// <summary>The most open orders one bot may be allowed.</summary>
    public const int MaxOpenOrdersCeiling = 200;

    public IEnumerable<ParameterError> Check()
    {
        if (MaxPosition < 0) yield return new("risk.maxPosition", "maxPosition must not be negative (0: the budget)");
        if (StopLossPercent is < 0 or >= 100) yield return new("risk.stopLossPercent", "stopLossPercent must be at least 0 and below 100 (0: off)");
        if (MaxDrawdownPercent is < 0 or >= 100) yield return new("risk.maxDrawdownPercent", "maxDrawdownPercent must be at least 0 and below 100 (0: off)");
        if (MaxOpenOrders is < 1 or > MaxOpenOrdersCeiling) yield return new("risk.maxOpenOrders", $"maxOpenOrders must be between 1 and {MaxOpenOrdersCeiling}");
    }
}

/// <summary>
/// What a trader's bot is: a strategy kind (any: signal kinds buy with the budget and sell the position; order kinds place
/// their own), its parameters (canonical JSON), the symbol, the linked account it trades on, its budget (the most quote it
/// may have invested at once), the bar it decides on (BarSeconds: live prices are folded into bars of this length, the
/// same bars a backtest replays) and its risk limits.
/// </summary>
public sealed record BotConfig(string BotId, string Kind, string Symbol, string AccountId, string Parameters, decimal Budget, int BarSeconds, BotRisk Risk)
{
    public const int MinBarSeconds = 1;
    public const int MaxBarSeconds = 86_400;

    /// <summary>Every problem with the configuration, each naming its field; <paramref name="canonical"/> has canonical parameters when there is none.</summary>
    public IReadOnlyList<ParameterError> Check(TenantState tenant, out BotConfig canonical)
    {
        canonical = this;
        var errors = new List<ParameterError>();
        if (TenantDecisions.ValidateId(BotId, "bot id") is { } badId) errors.Add(new("id", badId));
        if (string.IsNullOrWhiteSpace(Symbol) || !Instruments.TryGet(Symbol, out _))
            errors.Add(new("symbol", $"unknown symbol '{Symbol}' (symbols: {string.Join(", ", Instruments.All.Select(i => i.Symbol))})"));
        if (AccountId is null || !tenant.Accounts.ContainsKey(AccountId)) errors.Add(new("accountId", $"unknown account '{AccountId}'"));
        if (Budget <= 0) errors.Add(new("budget", "budget must be positive"));
        if (BarSeconds is < MinBarSeconds or > MaxBarSeconds) errors.Add(new("barSeconds", $"barSeconds must be between {MinBarSeconds} and {MaxBarSeconds}"));
        errors.AddRange((Risk ?? new BotRisk()).Check());
        if (!StrategyKinds.TryGet(Kind, out var kind))
        {
            errors.Add(new("kind", $"unknown strategy kind '{Kind}' (kinds: {string.Join(", ", StrategyKinds.All.Select(k => k.Name))})"));
            return errors;
        }
        var parameters = StrategyParameters.FromJson(kind, Parameters, out var parameterErrors);
        errors.AddRange(parameterErrors.Select(e => new ParameterError(e.Parameter.Length == 0 ? "parameters" : "parameters." + e.Parameter, e.Message)));
        if (errors.Count == 0) canonical = this with { Parameters = parameters.ToJson(), Risk = Risk ?? new BotRisk() };
        return errors;
    }

    /// <summary>The strategy this bot runs, new or resumed from its checkpoint.</summary>
    public ITradingStrategy CreateStrategy(StrategyState? resume)
    {
        var kind = StrategyKinds.Get(Kind);
        var parameters = StrategyParameters.FromJson(kind, Parameters, out var errors);
        if (errors.Count > 0) throw new ArgumentException($"bot '{BotId}': {string.Join("; ", errors.Select(e => e.Message))}");
        return kind.Create(parameters, resume);
    }

    public string Source => Sources.Bot(BotId);

    /// <summary>The parameters by name (defaults filled in); empty when they do not parse.</summary>
    public IReadOnlyDictionary<string, double> ParameterValues() =>
        new StrategyDefinition(BotId, Symbol, Kind, Parameters).ParameterValues();
}

/// <summary>
/// A plan's bot limits (decision 032): how many bots, on how many pairs together. What bounds the tenant's maxOpenOrders
/// (decision 031); the plan itself is enforced by <see cref="Billing.PlanDecisions"/>.
/// </summary>
public sealed record BotPlan(int MaxBots = 5, int MaxSymbols = 3)
{
    /// <summary>The legacy plan's: what every tenant had before plans, and has until it gets one.</summary>
    public static readonly BotPlan Default = new();

    public static BotPlan Of(Billing.Plan plan) => new(plan.MaxBots, plan.MaxPairs);

    /// <summary>The most open orders the plan's bots can have together (each bot at its own ceiling): the bound of the tenant's maxOpenOrders.</summary>
    public int MaxOpenOrders() => MaxBots * BotRisk.MaxOpenOrdersCeiling;
}

public enum BotStatus
{
    /// <summary>Created, never started (or stopped and not started again).</summary>
    Stopped = 1,
    Running = 2,
    /// <summary>Decides nothing; its resting orders stay.</summary>
    Paused = 3,
}

/// <summary>An order of a bot: the strategy's own number for it and the client order id the tenant placed it under.</summary>
public sealed record BotOrderLink(long OrderRef, string ClientOrderId);

/// <summary>
/// What the bot's strategy has been told about one of its orders (checkpointed with its state): the cumulative quantity,
/// notional and fee it has been given as filled and whether it has been told the order ended. Feeding is idempotent
/// against this: only what the ledger holds beyond it is told.
/// </summary>
public sealed record BotFed(decimal Quantity, decimal Notional, decimal Fee, bool Ended)
{
    public static readonly BotFed None = new(0m, 0m, 0m, false);
}

/// <summary>
/// A bot's money: position and what it cost (fees included), realised profit (after fees), fees, the highest equity seen,
/// and its round trips (flat → position → flat) with how many made money. TripBase: Realised when the open trip began.
/// </summary>
public sealed record BotLedger(decimal Position, decimal Cost, decimal Realised, decimal Fees, decimal PeakEquity, int RoundTrips, int Wins, decimal TripBase = 0m)
{
    public static BotLedger Start(decimal budget) => new(0m, 0m, 0m, 0m, budget, 0, 0);

    /// <summary>A part of one of the bot's orders that filled.</summary>
    public BotLedger Book(Orders.OrderSide side, decimal quantity, decimal price, decimal fee)
    {
        if (quantity <= 0) return this;
        if (side == Orders.OrderSide.Buy)
            return this with { Position = Position + quantity, Cost = Cost + quantity * price + fee, Fees = Fees + fee, TripBase = Position == 0 ? Realised : TripBase };
        var sold = Math.Min(quantity, Position);
        var costOut = Position > 0 ? Cost * sold / Position : 0m;
        var next = this with { Position = Position - sold, Cost = Cost - costOut, Realised = Realised + sold * price - fee - costOut, Fees = Fees + fee };
        if (Position > 0 && next.Position == 0)
            next = next with { Cost = 0m, RoundTrips = RoundTrips + 1, Wins = Wins + (next.Realised > TripBase ? 1 : 0) };
        return next;
    }

    public decimal AverageCost => Position > 0 ? Cost / Position : 0m;

    public decimal Unrealised(decimal price) => Position * price - Cost;

    public decimal Equity(decimal budget, decimal price) => budget + Realised + Unrealised(price);
}

/// <summary>
/// A bot as its tenant holds it. Sequence numbers its decisions (client order ids are bot id + sequence + leg);
/// Strategy is the strategy's checkpoint with Fed, what it has been told of its orders; Orders maps the strategy's
/// order numbers to client order ids; Pending are the orders decided but not yet placed (placed again after a crash),
/// Cancelling the open orders a cancel was decided for. StopReason says why a risk limit stopped it, or why the tenant's
/// plan paused it (decision 032). LastPrice is the price of its last step or checkpoint (its bar's close; 0 before the
/// first): what its position is worth when no newer price is known.
/// </summary>
public sealed record BotRecord(
    BotConfig Config,
    BotStatus Status,
    long Sequence,
    StrategyState? Strategy,
    ImmutableDictionary<long, BotFed> Fed,
    ImmutableDictionary<long, string> Orders,
    ImmutableList<Orders.OrderIntent> Pending,
    ImmutableHashSet<string> Cancelling,
    ImmutableHashSet<long> Refused,
    BotLedger Ledger,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? StopReason = null,
    long NextOwnRef = -1,
    decimal LastPrice = 0m)
{
    public static BotRecord New(BotConfig config, DateTimeOffset at) => new(config, BotStatus.Stopped, 0, null,
        ImmutableDictionary<long, BotFed>.Empty, ImmutableDictionary<long, string>.Empty, [], [], [], BotLedger.Start(config.Budget), at, at);

    /// <summary>
    /// Budget + realised + unrealised PnL at <paramref name="price"/>; without a positive price the position counts at what
    /// it cost (a bot recovered from before prices were kept with it has none until its next bar).
    /// </summary>
    public decimal Equity(decimal price) => price > 0 ? Ledger.Equity(Config.Budget, price) : Config.Budget + Ledger.Realised;

    /// <summary>The strategy order number a client order id belongs to, if it is this bot's.</summary>
    public long? RefOf(string clientOrderId)
    {
        foreach (var (orderRef, id) in Orders)
            if (id == clientOrderId) return orderRef;
        return null;
    }
}
