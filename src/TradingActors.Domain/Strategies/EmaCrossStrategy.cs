using System.Text.Json.Serialization;
using TradingActors.Domain.Indicators;
using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;

namespace TradingActors.Domain.Strategies;

/// <summary>
/// EMA cross: Buy when the fast EMA of closes crosses above the slow one (fast - slow goes from &lt;= 0 to &gt; 0),
/// Sell when it crosses below (from &gt;= 0 to &lt; 0). Touching is not crossing: once the EMAs have been apart, a
/// difference of exactly 0 keeps the side they were on, so touching and turning back gives no second signal in the
/// same direction (equal EMAs that were never apart, e.g. after a flat warm-up, count as 0 and part with a signal).
/// Nothing until both EMAs have a value on two bars. Emits signals, so it can be shared.
/// </summary>
public sealed class EmaCrossStrategy : ITradingStrategy
{
    public static readonly StrategyKind Kind = new(
        "ema-cross",
        "EMA cross: buy when the fast EMA crosses above the slow EMA, sell when it crosses below",
        emitsSignals: true,
        [
            ParameterSpec.Integer("fast", 1, 1000, 12, "fast EMA period in bars"),
            ParameterSpec.Integer("slow", 2, 5000, 26, "slow EMA period in bars"),
        ],
        p => p["fast"] < p["slow"] ? [] : [new ParameterError("fast", $"fast ({p["fast"]}) must be shorter than slow ({p["slow"]})")],
        (p, resume) => new EmaCrossStrategy(p, resume as EmaCrossState));

    private readonly ExponentialMovingAverage _fast;
    private readonly ExponentialMovingAverage _slow;
    private double _previousDifference = double.NaN;

    public EmaCrossStrategy(StrategyParameters parameters, EmaCrossState? resume = null)
    {
        int fast = parameters.Int("fast"), slow = parameters.Int("slow");
        if (resume is not null && resume.Fast.Period == fast && resume.Slow.Period == slow)
        {
            _fast = ExponentialMovingAverage.From(resume.Fast);
            _slow = ExponentialMovingAverage.From(resume.Slow);
            _previousDifference = resume.PreviousDifference;
        }
        else
        {
            _fast = new ExponentialMovingAverage(fast);
            _slow = new ExponentialMovingAverage(slow);
        }
    }

    string ITradingStrategy.Kind => Kind.Name;

    public double Fast => _fast.Value;

    public double Slow => _slow.Value;

    public void OnBar(in Candle bar, IntentBuffer intents)
    {
        _fast.Update(bar.Close);
        _slow.Update(bar.Close);
        var previous = _previousDifference;
        var difference = _fast.Value - _slow.Value; // NaN until the slow EMA is ready
        // A touch (0) after the EMAs were apart keeps the side they were on: only leaving that side is a crossing.
        if (difference != 0 || double.IsNaN(previous)) _previousDifference = difference;
        // Every comparison with NaN is false: nothing until there are two differences.
        if (previous <= 0 && difference > 0)
            intents.Add(StrategyIntent.Signal(OrderSide.Buy, IntentReason.EmaCrossedUp, _fast.Value, _slow.Value));
        else if (previous >= 0 && difference < 0)
            intents.Add(StrategyIntent.Signal(OrderSide.Sell, IntentReason.EmaCrossedDown, _fast.Value, _slow.Value));
    }

    public void OnFill(in StrategyFill fill, IntentBuffer intents) { }

    public void OnOrderEnded(long orderRef, IntentBuffer intents) { }

    public StrategyState Save() => new EmaCrossState(_fast.ToState(), _slow.ToState(), _previousDifference);
}

/// <summary>
/// Both EMAs and the fast - slow difference that places them on a side: the last one that was not 0 (0 only while the
/// EMAs were never apart; NaN before the slow EMA's first value).
/// </summary>
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record EmaCrossState(ExponentialMovingAverage.State Fast, ExponentialMovingAverage.State Slow, double PreviousDifference) : StrategyState;
