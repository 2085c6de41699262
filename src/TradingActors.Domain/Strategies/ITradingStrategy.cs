using System.Text.Json.Serialization;
using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;

namespace TradingActors.Domain.Strategies;

/// <summary>
/// One strategy code path for shared signals, personal bots and backtests: a pure state machine (no clock, no I/O,
/// no randomness) fed closed bars of its symbol and the fate of its own orders, writing what it wants into an
/// <see cref="IntentBuffer"/>. Executors differ only in what they do with the intents: the StrategyActor publishes
/// signals, a bot sends orders through its tenant, the backtester fills them on the bars. A strategy is mutable so a
/// step allocates nothing; <see cref="Save"/> takes a checkpoint and <see cref="StrategyKinds.Create"/> resumes one.
/// </summary>
public interface ITradingStrategy
{
    /// <summary>The kind's name ("rsi", "ema-cross", "dca", "grid").</summary>
    string Kind { get; }

    /// <summary>A bar closed (or a tick arrived, as a bar of one price).</summary>
    void OnBar(in Candle bar, IntentBuffer intents);

    /// <summary>One of the strategy's orders filled (in part: <see cref="StrategyFill.Quantity"/> is this part only).</summary>
    void OnFill(in StrategyFill fill, IntentBuffer intents);

    /// <summary>One of the strategy's orders ended with nothing more to fill: cancelled, expired or rejected.</summary>
    void OnOrderEnded(long orderRef, IntentBuffer intents);

    /// <summary>Everything needed to resume exactly here (stored in snapshots and journal events; allocates).</summary>
    StrategyState Save();
}

/// <summary>A part of one of the strategy's orders that filled: this part's quantity, price and fee (in quote).</summary>
public readonly record struct StrategyFill(long OrderRef, OrderSide Side, double Quantity, double Price, double Fee, bool OrderEnded);

/// <summary>
/// A strategy's checkpoint. Stored (bot snapshots, strategy checkpoints), so each kind's shape is a contract named by
/// its discriminator, never by a .NET type name; a changed shape gets a new discriminator.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$kind")]
[JsonDerivedType(typeof(RsiThresholdState), "rsi.v1")]
[JsonDerivedType(typeof(EmaCrossState), "ema-cross.v1")]
[JsonDerivedType(typeof(DcaState), "dca.v1")]
[JsonDerivedType(typeof(GridState), "grid.v1")]
public abstract record StrategyState;

/// <summary>
/// How a bot or a backtest turns a <see cref="IntentKind.Signal"/> into an order: Buy while flat spends the budget at
/// market, Sell while long sells the whole position at market; a Buy while long and a Sell while flat ask for nothing
/// (the strategy repeats a direction the position already has). A shared strategy's subscribers size signals from
/// their subscription budgets instead (TenantDecisions.PlanSignal).
/// </summary>
public static class SignalOrders
{
    /// <summary>The market order for <paramref name="signal"/>, or null; <paramref name="position"/> is the base quantity held.</summary>
    public static StrategyIntent? For(in StrategyIntent signal, double position, double budget, long orderRef)
    {
        if (signal.Kind != IntentKind.Signal) throw new ArgumentException("not a signal intent", nameof(signal));
        if (signal.Side == OrderSide.Buy)
            return position <= 0 && budget > 0
                ? StrategyIntent.Market(orderRef, OrderSide.Buy, IntentSizing.Quote, budget, signal.Reason, signal.ReasonValue, signal.ReasonLevel)
                : null;
        return position > 0
            ? StrategyIntent.Market(orderRef, OrderSide.Sell, IntentSizing.Base, position, signal.Reason, signal.ReasonValue, signal.ReasonLevel)
            : null;
    }
}
