using TradingActors.Domain.Market;
using TradingActors.Domain.Strategies;

namespace TradingActors.Domain.Tests.Strategies;

/// <summary>Builds checked parameters and feeds strategies closes as one-price bars.</summary>
internal static class StrategyTestKit
{
    private static readonly DateTimeOffset Start = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static StrategyParameters Parameters(StrategyKind kind, params (string Name, double Value)[] given)
    {
        var parameters = StrategyParameters.Parse(kind, given.ToDictionary(g => g.Name, g => g.Value), out var errors);
        Assert.Empty(errors);
        return parameters;
    }

    public static StrategyParameters Rsi(int period, double oversold = 30, double overbought = 70) =>
        Parameters(RsiThresholdStrategy.Kind, ("period", period), ("oversold", oversold), ("overbought", overbought));

    public static StrategyParameters Ema(int fast, int slow) => Parameters(EmaCrossStrategy.Kind, ("fast", fast), ("slow", slow));

    public static Candle Bar(int index, double close) => Candle.OfPrice(Start.AddMinutes(index), close);

    /// <summary>The intents of each bar, with the bar's index, in order.</summary>
    public static List<(int Bar, StrategyIntent Intent)> Run(ITradingStrategy strategy, IReadOnlyList<double> closes, int firstIndex = 0)
    {
        var intents = new IntentBuffer();
        var result = new List<(int, StrategyIntent)>();
        for (var i = 0; i < closes.Count; i++)
        {
            intents.Clear();
            strategy.OnBar(Bar(firstIndex + i, closes[i]), intents);
            foreach (var intent in intents.AsSpan()) result.Add((firstIndex + i, intent));
        }
        return result;
    }
}
