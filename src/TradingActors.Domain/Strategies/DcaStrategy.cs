using System.Text.Json.Serialization;
using TradingActors.Domain.Indicators;
using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;

namespace TradingActors.Domain.Strategies;

/// <summary>Where a DCA deal is.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DcaDealState>))]
public enum DcaDealState
{
    /// <summary>No deal: waiting for the cooldown and the entry filter.</summary>
    Idle = 0,
    /// <summary>The base order is working.</summary>
    Opening = 1,
    /// <summary>A position is held: the take profit rests, and the next safety order while the guard allows.</summary>
    Active = 2,
    /// <summary>The take profit sold the position; waiting for the deal's other orders to end.</summary>
    Closing = 3,
    /// <summary>The stop loss fired: selling at market until flat, then waiting for the deal's other orders to end.</summary>
    StoppingOut = 4,
}

/// <summary>What one of a DCA deal's orders is for.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DcaOrderRole>))]
public enum DcaOrderRole
{
    Base = 1,
    Safety = 2,
    TakeProfit = 3,
    StopLoss = 4,
}

/// <summary>
/// DCA (martingale), long only. A deal opens with a market base order once the cooldown is over and the EMA filter
/// passes; once the base order ended, a take profit for the whole position rests at average entry * (1 + take_profit%)
/// and one safety order at a time rests below the deal's first entry price: safety order n at
/// first * (1 - price_deviation% * (1 + step_scale + ... + step_scale^(n-1))), spending safety_order * volume_scale^(n-1)
/// in quote. Each safety order that ends filled moves the take profit to the new average and places the next one.
/// The deal closes when the take profit sold the position (or the stop loss at average * (1 - stop_loss%) did) and
/// every other order of the deal ended. While ATR% or the volatility of returns is above its limit (the guard), the
/// resting safety order is cancelled and none is placed; it comes back at its level on the first calm bar.
/// Average entry and position come from the fills (fees are in quote and do not change quantities). Places its own
/// orders, so it runs as a personal bot, never as a shared strategy.
/// </summary>
public sealed class DcaStrategy : ITradingStrategy
{
    public static readonly StrategyKind Kind = new(
        "dca",
        "DCA (martingale), long only: a base order, safety orders further and further below the first entry, a take profit above the average entry",
        emitsSignals: false,
        [
            ParameterSpec.Number("base_order", 1e-12, 1e12, null, "quote amount the market base order spends to open a deal"),
            ParameterSpec.Number("safety_order", 0, 1e12, null, "quote amount of the first safety order (later ones are scaled by volume_scale)"),
            ParameterSpec.Integer("max_safety_orders", 0, 50, 5, "safety orders a deal may use at most (0: none)"),
            ParameterSpec.Number("price_deviation", 0.01, 99, 1, "% below the deal's first entry price where safety order 1 rests"),
            ParameterSpec.Number("step_scale", 0.1, 10, 1, "each safety order's distance from the previous one is price_deviation * step_scale^(n-1) %"),
            ParameterSpec.Number("volume_scale", 0.1, 10, 1.5, "safety order n spends safety_order * volume_scale^(n-1)"),
            ParameterSpec.Number("take_profit", 0.01, 1000, 1.5, "% above the average entry where the take profit sells the whole position"),
            ParameterSpec.Number("stop_loss", 0, 99, 0, "% below the average entry where a close sells the whole position at market (0: off)"),
            ParameterSpec.Integer("ema_filter", 0, 1000, 0, "EMA period in bars: a deal only opens on a close above the EMA (0: off)"),
            ParameterSpec.Integer("atr_period", 1, 1000, 14, "ATR period in bars (for atr_limit)"),
            ParameterSpec.Number("atr_limit", 0, 100, 0, "ATR as % of the close above which safety orders pause (0: off)"),
            ParameterSpec.Integer("volatility_period", 2, 1000, 20, "returns in the rolling volatility (for volatility_limit)"),
            ParameterSpec.Number("volatility_limit", 0, 100, 0, "standard deviation of log returns per bar, in %, above which safety orders pause (0: off)"),
            ParameterSpec.Integer("cooldown_bars", 0, 100_000, 0, "bars to wait after a deal closed before the next base order (the bar it closed in counts)"),
        ],
        Validate,
        (p, resume) => new DcaStrategy(p, resume as DcaState));

    private const double Dust = 1e-9;
    private const int None = -1;

    private readonly double _baseOrder;
    private readonly double _takeProfit;
    private readonly double _stopLoss;
    private readonly double _atrLimit;
    private readonly double _volatilityLimit;
    private readonly int _cooldownBars;
    private readonly double[] _safetyFactor; // safety order n rests at first entry * _safetyFactor[n - 1]
    private readonly double[] _safetyQuote;  // and spends _safetyQuote[n - 1]
    private readonly ExponentialMovingAverage? _ema;
    private readonly AverageTrueRange _atr;
    private readonly RollingVolatility _volatility;
    private Order[] _orders = new Order[8];
    private int _orderCount;
    private long _lastRef;
    private DcaDealState _state;
    private int _cooldown;
    private bool _guard;
    private double _position;
    private double _cost;
    private double _bought;
    private double _firstEntry;
    private int _nextSafety = 1;
    private int _safetyFilled;
    private bool _safetyStopped;
    private double _realised;
    private double _fees;
    private int _deals;

    public DcaStrategy(StrategyParameters parameters, DcaState? resume = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _baseOrder = parameters["base_order"];
        _takeProfit = parameters["take_profit"];
        _stopLoss = parameters["stop_loss"];
        _atrLimit = parameters["atr_limit"];
        _volatilityLimit = parameters["volatility_limit"];
        _cooldownBars = parameters.Int("cooldown_bars");
        var count = parameters.Int("max_safety_orders");
        _safetyFactor = new double[count];
        _safetyQuote = new double[count];
        double step = parameters["price_deviation"], deviation = 0, quote = parameters["safety_order"];
        for (var n = 0; n < count; n++)
        {
            deviation += step;
            _safetyFactor[n] = 1 - deviation / 100;
            _safetyQuote[n] = quote;
            step *= parameters["step_scale"];
            quote *= parameters["volume_scale"];
        }

        var emaPeriod = parameters.Int("ema_filter");
        var atrPeriod = parameters.Int("atr_period");
        var volatilityPeriod = parameters.Int("volatility_period");
        if (emaPeriod > 0)
            _ema = resume?.Ema is { } ema && ema.Period == emaPeriod ? ExponentialMovingAverage.From(ema) : new ExponentialMovingAverage(emaPeriod);
        _atr = resume is not null && resume.Atr.Period == atrPeriod ? AverageTrueRange.From(resume.Atr) : new AverageTrueRange(atrPeriod);
        _volatility = resume is not null && resume.Volatility.Returns.Period == volatilityPeriod
            ? RollingVolatility.From(resume.Volatility)
            : new RollingVolatility(volatilityPeriod);
        if (resume is null) return;

        _state = resume.Deal;
        _cooldown = resume.Cooldown;
        _guard = resume.Guard;
        _lastRef = resume.LastOrderRef;
        _position = resume.Position;
        _cost = resume.Cost;
        _bought = resume.Bought;
        _firstEntry = resume.FirstEntry;
        _nextSafety = resume.NextSafetyOrder;
        _safetyFilled = resume.SafetyOrdersFilled;
        _safetyStopped = resume.SafetyOrdersStopped;
        _realised = resume.Realised;
        _fees = resume.Fees;
        _deals = resume.DealsClosed;
        foreach (var o in resume.Orders)
            Add(new Order { Ref = o.OrderRef, Role = o.Role, Level = o.Level, Amount = o.Amount, Price = o.Price, Filled = o.Filled, FilledQuote = o.FilledQuote, Cancelling = o.Cancelling });
    }

    string ITradingStrategy.Kind => Kind.Name;

    public DcaDealState State => _state;

    /// <summary>Base quantity the deal holds.</summary>
    public double Position => _position;

    /// <summary>Quote spent per unit of the position (fees excluded); 0 while flat.</summary>
    public double AverageEntry => _position > 0 ? _cost / _position : 0;

    /// <summary>The average price of the deal's base order, which the safety order levels are measured from; 0 before.</summary>
    public double FirstEntry => _firstEntry;

    /// <summary>Safety orders of the current deal that ended filled (in whole or in part).</summary>
    public int SafetyOrdersFilled => _safetyFilled;

    /// <summary>True while ATR% or volatility% is above its limit: safety orders pause.</summary>
    public bool GuardOn => _guard;

    /// <summary>The resting take profit's limit price; NaN when none rests.</summary>
    public double TakeProfitPrice
    {
        get
        {
            var i = Current(DcaOrderRole.TakeProfit);
            return i == None ? double.NaN : _orders[i].Price;
        }
    }

    /// <summary>Orders of the deal not yet ended (including those asked to cancel).</summary>
    public int OpenOrders => _orderCount;

    /// <summary>Deals closed so far (by the take profit or the stop loss).</summary>
    public int DealsClosed => _deals;

    /// <summary>What the sells made over the average entry, minus every fee paid (buys' fees included), in quote.</summary>
    public double RealisedProfit => _realised - _fees;

    /// <summary>Fees paid, in quote.</summary>
    public double Fees => _fees;

    public void OnBar(in Candle bar, IntentBuffer intents)
    {
        var close = bar.Close;
        _ema?.Update(close);
        _atr.Update(bar.High, bar.Low, close);
        _volatility.Update(close);
        // NaN (an indicator still warming up) compares false: no guard.
        _guard = (_atrLimit > 0 && _atr.Value / close * 100 > _atrLimit) || (_volatilityLimit > 0 && _volatility.Value * 100 > _volatilityLimit);
        switch (_state)
        {
            case DcaDealState.Idle:
                if (_cooldown > 0)
                {
                    _cooldown--;
                    return;
                }
                if (_ema is not null && !(close > _ema.Value)) return;
                _state = DcaDealState.Opening;
                intents.Add(StrategyIntent.Market(Add(DcaOrderRole.Base, 0, _baseOrder, 0), OrderSide.Buy, IntentSizing.Quote, _baseOrder, IntentReason.DcaBaseOrder, close));
                return;
            case DcaDealState.Active:
                if (_stopLoss > 0 && close <= AverageEntry * (1 - _stopLoss / 100))
                {
                    StopOut(close, intents);
                    return;
                }
                if (Current(DcaOrderRole.TakeProfit) == None) PlaceTakeProfit(intents);
                var safety = Current(DcaOrderRole.Safety);
                if (_guard && safety != None) Cancel(safety, IntentReason.Replaced, intents);
                PlaceSafety(intents);
                return;
            case DcaDealState.StoppingOut:
                if (_position > 0 && Current(DcaOrderRole.StopLoss) == None) SellAtMarket(close, intents);
                return;
        }
    }

    public void OnFill(in StrategyFill fill, IntentBuffer intents)
    {
        var i = IndexOf(fill.OrderRef);
        if (i == None) return;
        ref var order = ref _orders[i];
        double quantity = fill.Quantity, price = fill.Price;
        order.Filled += quantity;
        order.FilledQuote += quantity * price;
        _fees += fill.Fee;
        if (order.Role is DcaOrderRole.Base or DcaOrderRole.Safety)
        {
            _position += quantity;
            _cost += quantity * price;
            _bought += quantity;
        }
        else
        {
            var average = AverageEntry;
            _realised += quantity * (price - average);
            _cost -= quantity * average;
            _position -= quantity;
            if (_position <= _bought * Dust)
            {
                // Flat (rounding of partial fills leaves crumbs; an oversell races a cancel): nothing left to average.
                _position = 0;
                _cost = 0;
            }
        }
        if (fill.OrderEnded) Ended(i, intents);
    }

    public void OnOrderEnded(long orderRef, IntentBuffer intents)
    {
        var i = IndexOf(orderRef);
        if (i != None) Ended(i, intents);
    }

    private void Ended(int i, IntentBuffer intents)
    {
        var order = _orders[i];
        _orderCount--;
        Array.Copy(_orders, i + 1, _orders, i, _orderCount - i);
        switch (order.Role)
        {
            case DcaOrderRole.Base when order.Filled > 0:
                _firstEntry = order.FilledQuote / order.Filled;
                _state = DcaDealState.Active;
                PlaceTakeProfit(intents);
                PlaceSafety(intents);
                break;
            case DcaOrderRole.Base:
                _state = DcaDealState.Idle; // rejected or cancelled by the venue: no deal, the next bar may try again
                break;
            case DcaOrderRole.Safety when order.Filled > 0:
                // Filled in part and then cancelled (by the guard) counts too: the deal moves on to the next level.
                _safetyFilled++;
                _nextSafety = order.Level + 1;
                if (_state is DcaDealState.Active or DcaDealState.Closing)
                {
                    _state = DcaDealState.Active; // a late fill after the take profit closed the deal reopens it
                    var old = Current(DcaOrderRole.TakeProfit);
                    if (old != None) Cancel(old, IntentReason.Replaced, intents);
                    PlaceTakeProfit(intents);
                    PlaceSafety(intents);
                }
                break;
            case DcaOrderRole.Safety:
                if (!order.Cancelling) _safetyStopped = true; // rejected or expired: no more safety orders this deal
                break;
            case DcaOrderRole.TakeProfit when _state == DcaDealState.Active:
                var current = Current(DcaOrderRole.TakeProfit);
                if (_position <= 0)
                {
                    _state = DcaDealState.Closing;
                    for (var j = 0; j < _orderCount; j++)
                        if (!_orders[j].Cancelling) Cancel(j, IntentReason.ClosePosition, intents);
                }
                else if (current != None && Math.Abs(_orders[current].Amount - _orders[current].Filled - _position) > _position * Dust)
                {
                    // A replaced take profit sold some before its cancel took: the resting one is now too big.
                    Cancel(current, IntentReason.Replaced, intents);
                    PlaceTakeProfit(intents);
                }
                // else (no take profit rests: this one ended with the position still held, rejected or expired) the
                // next bar places it again.
                break;
        }
        if (_state is DcaDealState.Closing or DcaDealState.StoppingOut && _position <= 0 && _orderCount == 0)
        {
            _state = DcaDealState.Idle;
            _cooldown = _cooldownBars;
            _deals++;
            _bought = 0;
            _firstEntry = 0;
            _nextSafety = 1;
            _safetyFilled = 0;
            _safetyStopped = false;
        }
    }

    private void StopOut(double close, IntentBuffer intents)
    {
        _state = DcaDealState.StoppingOut;
        for (var j = 0; j < _orderCount; j++)
            if (!_orders[j].Cancelling) Cancel(j, IntentReason.ClosePosition, intents);
        SellAtMarket(close, intents);
    }

    private void SellAtMarket(double close, IntentBuffer intents) =>
        intents.Add(StrategyIntent.Market(Add(DcaOrderRole.StopLoss, 0, _position, 0), OrderSide.Sell, IntentSizing.Base, _position, IntentReason.DcaStopLoss, close, AverageEntry));

    private void PlaceTakeProfit(IntentBuffer intents)
    {
        var average = AverageEntry;
        var price = average * (1 + _takeProfit / 100);
        intents.Add(StrategyIntent.Limit(Add(DcaOrderRole.TakeProfit, 0, _position, price), OrderSide.Sell, IntentSizing.Base, _position, price, IntentReason.DcaTakeProfit, price, average));
    }

    /// <summary>The next safety order, unless the guard is on, none is left, one already exists or one was refused.</summary>
    private void PlaceSafety(IntentBuffer intents)
    {
        var n = _nextSafety;
        if (_guard || _safetyStopped || n > _safetyQuote.Length) return;
        for (var j = 0; j < _orderCount; j++)
            if (_orders[j].Role == DcaOrderRole.Safety) return; // at most one, counting one still being cancelled
        var price = _firstEntry * _safetyFactor[n - 1];
        var quote = _safetyQuote[n - 1];
        intents.Add(StrategyIntent.Limit(Add(DcaOrderRole.Safety, n, quote, price), OrderSide.Buy, IntentSizing.Quote, quote, price, IntentReason.DcaSafetyOrder, price, n));
    }

    private void Cancel(int i, IntentReason reason, IntentBuffer intents)
    {
        _orders[i].Cancelling = true;
        intents.Add(StrategyIntent.Cancel(_orders[i].Ref, reason));
    }

    private long Add(DcaOrderRole role, int level, double amount, double price)
    {
        var orderRef = ++_lastRef;
        Add(new Order { Ref = orderRef, Role = role, Level = level, Amount = amount, Price = price });
        return orderRef;
    }

    private void Add(in Order order)
    {
        if (_orderCount == _orders.Length) Array.Resize(ref _orders, _orders.Length * 2);
        _orders[_orderCount++] = order;
    }

    private int IndexOf(long orderRef)
    {
        for (var i = 0; i < _orderCount; i++)
            if (_orders[i].Ref == orderRef) return i;
        return None;
    }

    /// <summary>The order of <paramref name="role"/> not being cancelled, or <see cref="None"/>.</summary>
    private int Current(DcaOrderRole role)
    {
        for (var i = 0; i < _orderCount; i++)
            if (_orders[i].Role == role && !_orders[i].Cancelling) return i;
        return None;
    }

    public StrategyState Save()
    {
        var orders = new List<DcaOrderState>(_orderCount);
        for (var i = 0; i < _orderCount; i++)
        {
            var o = _orders[i];
            orders.Add(new DcaOrderState(o.Ref, o.Role, o.Level, o.Amount, o.Price, o.Filled, o.FilledQuote, o.Cancelling));
        }
        return new DcaState(
            _ema?.ToState(), _atr.ToState(), _volatility.ToState(), _state, _cooldown, _guard, _lastRef, _position, _cost, _bought,
            _firstEntry, _nextSafety, _safetyFilled, _safetyStopped, _realised, _fees, _deals, orders);
    }

    /// <summary>Cumulative % below the first entry of safety order <paramref name="n"/> (0 for none).</summary>
    public static double SafetyOrderDeviation(double priceDeviation, double stepScale, int n)
    {
        double deviation = 0, step = priceDeviation;
        for (var k = 0; k < n; k++)
        {
            deviation += step;
            step *= stepScale;
        }
        return deviation;
    }

    private static IEnumerable<ParameterError> Validate(StrategyParameters p)
    {
        var count = p.Int("max_safety_orders");
        if (count > 0 && !(p["safety_order"] > 0))
            yield return new ParameterError("safety_order", $"safety_order must be above 0 when max_safety_orders is {count}");
        var deviation = SafetyOrderDeviation(p["price_deviation"], p["step_scale"], count);
        if (deviation >= 100)
            yield return new ParameterError(
                "price_deviation",
                $"safety order {count} would rest {ParameterSpec.Format(deviation)}% below the first entry: price_deviation, step_scale and max_safety_orders must keep every safety order under 100%");
    }

    private struct Order
    {
        public long Ref;
        public DcaOrderRole Role;
        public int Level;
        public double Amount; // quote for buys, base for sells
        public double Price;  // limit price (0 at market)
        public double Filled;
        public double FilledQuote;
        public bool Cancelling;
    }
}

/// <summary>One of a DCA deal's orders not yet ended.</summary>
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record DcaOrderState(long OrderRef, DcaOrderRole Role, int Level, double Amount, double Price, double Filled, double FilledQuote, bool Cancelling);

/// <summary>A DCA strategy's checkpoint: its indicators, the deal and its open orders.</summary>
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record DcaState(
    ExponentialMovingAverage.State? Ema,
    AverageTrueRange.State Atr,
    RollingVolatility.State Volatility,
    DcaDealState Deal,
    int Cooldown,
    bool Guard,
    long LastOrderRef,
    double Position,
    double Cost,
    double Bought,
    double FirstEntry,
    int NextSafetyOrder,
    int SafetyOrdersFilled,
    bool SafetyOrdersStopped,
    double Realised,
    double Fees,
    int DealsClosed,
    IReadOnlyList<DcaOrderState> Orders) : StrategyState;
