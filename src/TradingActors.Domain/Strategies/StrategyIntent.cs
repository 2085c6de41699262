using System.Globalization;
using TradingActors.Domain.Orders;

namespace TradingActors.Domain.Strategies;

/// <summary>What a strategy asks for.</summary>
public enum IntentKind
{
    /// <summary>
    /// A direction without a size (RSI, EMA cross): Buy = be long, Sell = be flat. A shared strategy publishes it
    /// as a signal each subscriber sizes from its budget; a bot or a backtest turns it into a market order with
    /// <see cref="SignalOrders"/>.
    /// </summary>
    Signal = 1,
    /// <summary>A market order of the given size.</summary>
    Market = 2,
    /// <summary>A limit order of the given size resting at <see cref="StrategyIntent.LimitPrice"/> until filled or cancelled.</summary>
    Limit = 3,
    /// <summary>Cancel the strategy's open order <see cref="StrategyIntent.OrderRef"/>.</summary>
    Cancel = 4,
}

/// <summary>How <see cref="StrategyIntent.Amount"/> is measured.</summary>
public enum IntentSizing
{
    /// <summary>Amount is in the quote currency (a notional): the quantity is amount / price when placed.</summary>
    Quote = 1,
    /// <summary>Amount is a quantity of the base asset.</summary>
    Base = 2,
}

/// <summary>Why a strategy asked; kept as a code and a number so emitting an intent allocates nothing (text: <see cref="StrategyIntent.Describe"/>).</summary>
public enum IntentReason
{
    None = 0,
    RsiCrossedUp = 1,
    RsiCrossedDown = 2,
    EmaCrossedUp = 3,
    EmaCrossedDown = 4,
    DcaBaseOrder = 5,
    DcaSafetyOrder = 6,
    DcaTakeProfit = 7,
    DcaStopLoss = 8,
    GridLevel = 9,
    Replaced = 10,
    ClosePosition = 11,
    GridInitialBuy = 12,
}

/// <summary>
/// One thing a strategy asks for. A value type written into the caller's <see cref="IntentBuffer"/>, so a bar that
/// asks for nothing (nearly every bar) and one that does allocate nothing. <see cref="OrderRef"/> is the strategy's
/// own number for an order (1, 2, 3... per strategy instance), which fills, ends and cancels refer to; the executor
/// maps it to a client order id. Signals carry no order ref (0) and no size.
/// </summary>
public readonly record struct StrategyIntent(
    IntentKind Kind,
    OrderSide Side,
    IntentSizing Sizing,
    double Amount,
    double LimitPrice,
    long OrderRef,
    IntentReason Reason,
    double ReasonValue,
    double ReasonLevel)
{
    public static StrategyIntent Signal(OrderSide side, IntentReason reason, double value, double level) =>
        new(IntentKind.Signal, side, IntentSizing.Quote, 0, 0, 0, reason, value, level);

    public static StrategyIntent Market(long orderRef, OrderSide side, IntentSizing sizing, double amount, IntentReason reason, double value = 0, double level = 0) =>
        new(IntentKind.Market, side, sizing, amount, 0, orderRef, reason, value, level);

    public static StrategyIntent Limit(long orderRef, OrderSide side, IntentSizing sizing, double amount, double limitPrice, IntentReason reason, double value = 0, double level = 0) =>
        new(IntentKind.Limit, side, sizing, amount, limitPrice, orderRef, reason, value, level);

    public static StrategyIntent Cancel(long orderRef, IntentReason reason = IntentReason.Replaced) =>
        new(IntentKind.Cancel, OrderSide.Buy, IntentSizing.Base, 0, 0, orderRef, reason, 0, 0);

    /// <summary>The reason as a trader reads it (allocates: for logs, signals and reports, not the hot path).</summary>
    public string Describe() => Reason switch
    {
        IntentReason.RsiCrossedUp => Text($"RSI {ReasonValue:0.0} crossed up through {ReasonLevel:0.##}"),
        IntentReason.RsiCrossedDown => Text($"RSI {ReasonValue:0.0} crossed down through {ReasonLevel:0.##}"),
        IntentReason.EmaCrossedUp => Text($"fast EMA {ReasonValue:0.########} crossed above slow EMA {ReasonLevel:0.########}"),
        IntentReason.EmaCrossedDown => Text($"fast EMA {ReasonValue:0.########} crossed below slow EMA {ReasonLevel:0.########}"),
        IntentReason.DcaBaseOrder => Text($"DCA base order at {ReasonValue:0.########}"),
        IntentReason.DcaSafetyOrder => Text($"DCA safety order {ReasonLevel:0} at {ReasonValue:0.########}"),
        IntentReason.DcaTakeProfit => Text($"DCA take profit at {ReasonValue:0.########} (average entry {ReasonLevel:0.########})"),
        IntentReason.DcaStopLoss => Text($"DCA stop loss at {ReasonValue:0.########} (average entry {ReasonLevel:0.########})"),
        IntentReason.GridLevel => Text($"grid level {ReasonLevel:0} at {ReasonValue:0.########}"),
        IntentReason.GridInitialBuy => Text($"grid initial buy for {ReasonLevel:0} levels at {ReasonValue:0.########}"),
        IntentReason.Replaced => "replaced",
        IntentReason.ClosePosition => "closing the position",
        _ => "",
    };

    private static string Text(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// The intents of one strategy step, reused across steps (the caller clears it): an array that only grows, so a
/// steady-state step allocates nothing.
/// </summary>
public sealed class IntentBuffer
{
    private StrategyIntent[] _items = new StrategyIntent[8];

    public int Count { get; private set; }

    public ref readonly StrategyIntent this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index));
            return ref _items[index];
        }
    }

    public void Add(in StrategyIntent intent)
    {
        if (Count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        _items[Count++] = intent;
    }

    public void Clear() => Count = 0;

    public ReadOnlySpan<StrategyIntent> AsSpan() => _items.AsSpan(0, Count);
}
