using System.Globalization;
using TradingActors.Domain.Orders;

namespace TradingActors.Domain.Strategies;

/// <summary>RSI cross strategy settings; invalid combinations cannot be constructed.</summary>
public sealed record RsiCrossSettings(int Period = 14, decimal Oversold = 30m, decimal Overbought = 70m)
{
    // Get-only (not init) so a `with` expression cannot bypass the validation.
    public int Period { get; } = Validate(Period, Oversold, Overbought);
    public decimal Oversold { get; } = Oversold;
    public decimal Overbought { get; } = Overbought;

    private static int Validate(int period, decimal oversold, decimal overbought)
    {
        if (period < 2)
            throw new ArgumentException($"RSI period must be at least 2 (got {period})", nameof(Period));
        if (oversold <= 0 || oversold >= overbought || overbought >= 100)
            throw new ArgumentException(
                $"RSI thresholds must satisfy 0 < oversold < overbought < 100 (got oversold {oversold}, overbought {overbought})",
                nameof(Oversold));
        return period;
    }
}

/// <summary>Strategy state: the RSI indicator (whose Value is the current RSI) and the RSI value before the last close.</summary>
public sealed record RsiCrossState(RelativeStrengthIndex Rsi, decimal? PreviousValue)
{
    public static RsiCrossState Start(RsiCrossSettings settings) => new(new RelativeStrengthIndex(settings.Period), null);
}

/// <summary>A buy or sell decision with the RSI that caused it.</summary>
public sealed record RsiCrossDecision(OrderSide Side, decimal Rsi, string Reason);

/// <summary>
/// RSI cross: BUY when the RSI crosses UP through the oversold level (previous &lt; oversold and
/// current &gt;= oversold), SELL when it crosses DOWN through the overbought level (previous &gt; overbought
/// and current &lt;= overbought). Reacting to the exit from the extreme zone, not to being in it, yields
/// exactly one decision per crossing. No decision until two consecutive RSI values exist.
/// </summary>
public static class RsiCrossStrategy
{
    public static (RsiCrossState Next, RsiCrossDecision? Decision) Step(RsiCrossState state, RsiCrossSettings settings, decimal close)
    {
        if (state.Rsi.Period != settings.Period)
            throw new ArgumentException(
                $"state was built for RSI period {state.Rsi.Period} but settings say {settings.Period}; start a new state", nameof(state));

        var previous = state.Rsi.Value;
        var rsi = state.Rsi.Next(close);
        var next = new RsiCrossState(rsi, previous);

        if (previous is not { } prev || rsi.Value is not { } current) return (next, null);

        if (prev < settings.Oversold && current >= settings.Oversold)
            return (next, new RsiCrossDecision(OrderSide.Buy, current, Reason(current, "up", settings.Oversold)));
        if (prev > settings.Overbought && current <= settings.Overbought)
            return (next, new RsiCrossDecision(OrderSide.Sell, current, Reason(current, "down", settings.Overbought)));
        return (next, null);
    }

    private static string Reason(decimal rsi, string direction, decimal level) =>
        string.Create(CultureInfo.InvariantCulture, $"RSI {rsi:0.0} crossed {direction} through {level:0.##}");
}
