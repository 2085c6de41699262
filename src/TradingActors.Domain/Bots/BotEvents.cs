using System.Collections.Immutable;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tenants;

namespace TradingActors.Domain.Bots;

/// <summary>A tenant's event about one of its bots (decision 028).</summary>
public interface IBotEvent : ITenantEvent
{
    string BotId { get; }
}

public sealed record BotCreated(BotConfig Config, DateTimeOffset At) : IBotEvent
{
    public string BotId => Config.BotId;
}

public sealed record BotStarted(string BotId, DateTimeOffset At) : IBotEvent;

/// <summary>The bot decides nothing until started again; its resting orders stay. Reason: why the tenant paused it (its plan no longer allowing it, decision 032); null when its trader did.</summary>
public sealed record BotPaused(string BotId, DateTimeOffset At, string? Reason = null) : IBotEvent;

/// <summary>
/// The bot stopped: by its trader (Reason null) or by a risk limit (Reason says which). Its open orders are cancelled;
/// Close, when given, sells the whole position at market (its client order id: the bot's next sequence, leg 0).
/// </summary>
public sealed record BotStopped(string BotId, string? Reason, OrderIntent? Close, DateTimeOffset At) : IBotEvent;

public sealed record BotDeleted(string BotId, DateTimeOffset At) : IBotEvent;

/// <summary>
/// One leg of a bot's decision: an order to place (Place, its client order id from bot id + sequence + leg), a cancel of
/// one of its open orders (Cancel: its client order id), or an intent refused before it became an order (Refused: why).
/// </summary>
public sealed record BotLeg(long OrderRef, OrderIntent? Place = null, string? Cancel = null, string? Refused = null);

/// <summary>
/// A bot decided (decision 028): its strategy's checkpoint and what it has been told of its orders after the step, and the
/// legs to carry out, persisted before any of them is sent, with the decision's sequence.
/// </summary>
public sealed record BotStepped(string BotId, long Sequence, StrategyState State, ImmutableDictionary<long, BotFed> Fed, ImmutableList<BotLeg> Legs,
    decimal Price, DateTimeOffset At) : IBotEvent;

/// <summary>The bot's strategy checkpoint between decisions (bars that decided nothing, fills told), and the price it saw (its equity's peak).</summary>
public sealed record BotCheckpointed(string BotId, StrategyState State, ImmutableDictionary<long, BotFed> Fed, decimal Price, DateTimeOffset At) : IBotEvent;
