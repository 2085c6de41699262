using System.Text.Json.Serialization;
using TradingActors.Domain.Indicators;
using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;

namespace TradingActors.Domain.Strategies;

/// <summary>
/// RSI threshold: Buy when Wilder's RSI crosses up through the oversold level (previous &lt; oversold, current &gt;=
/// oversold), Sell when it crosses down through the overbought level (previous &gt; overbought, current &lt;=
/// overbought). Reacting to the exit from the extreme zone, not to being in it, gives one signal per crossing;
/// nothing until two RSI values exist. Emits signals, so it can be shared.
/// </summary>
public sealed class RsiThresholdStrategy : ITradingStrategy
{
    public static readonly StrategyKind Kind = new(
        "rsi",
        "RSI threshold: buy when RSI leaves the oversold zone, sell when it leaves the overbought zone",
        emitsSignals: true,
        [
            ParameterSpec.Integer("period", 2, 1000, 14, "RSI period in bars"),
            ParameterSpec.Number("oversold", 1, 99, 30, "RSI level a buy crosses up through"),
            ParameterSpec.Number("overbought", 1, 99, 70, "RSI level a sell crosses down through"),
        ],
        p => p["oversold"] < p["overbought"] ? [] : [new ParameterError("oversold", $"oversold ({p["oversold"]}) must be below overbought ({p["overbought"]})")],
        (p, resume) => new RsiThresholdStrategy(p, resume as RsiThresholdState));

    private readonly double _oversold;
    private readonly double _overbought;
    private readonly WilderRsi _rsi;
    private double _previous = double.NaN;

    public RsiThresholdStrategy(StrategyParameters parameters, RsiThresholdState? resume = null)
    {
        var period = parameters.Int("period");
        _oversold = parameters["oversold"];
        _overbought = parameters["overbought"];
        _rsi = resume is null || resume.Rsi.Period != period ? new WilderRsi(period) : WilderRsi.From(resume.Rsi);
        if (resume is not null && resume.Rsi.Period == period) _previous = resume.PreviousValue;
    }

    string ITradingStrategy.Kind => Kind.Name;

    /// <summary>The current RSI (NaN while warming up).</summary>
    public double Rsi => _rsi.Value;

    public void OnBar(in Candle bar, IntentBuffer intents)
    {
        var previous = _rsi.Value;
        _rsi.Update(bar.Close);
        _previous = previous;
        var current = _rsi.Value;
        // Every comparison with NaN is false: nothing until there are two RSI values.
        if (previous < _oversold && current >= _oversold)
            intents.Add(StrategyIntent.Signal(OrderSide.Buy, IntentReason.RsiCrossedUp, current, _oversold));
        else if (previous > _overbought && current <= _overbought)
            intents.Add(StrategyIntent.Signal(OrderSide.Sell, IntentReason.RsiCrossedDown, current, _overbought));
    }

    public void OnFill(in StrategyFill fill, IntentBuffer intents) { }

    public void OnOrderEnded(long orderRef, IntentBuffer intents) { }

    public StrategyState Save() => new RsiThresholdState(_rsi.ToState(), _previous);
}

/// <summary>The RSI and its value one bar before (what a crossing is measured against).</summary>
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record RsiThresholdState(WilderRsi.State Rsi, double PreviousValue) : StrategyState;
