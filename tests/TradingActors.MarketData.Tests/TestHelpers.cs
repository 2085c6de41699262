namespace TradingActors.MarketData.Tests;

internal static class TestHelpers
{
    public const string BarsRelativePath = "data/bars/BTCUSDT-1m.csv";

    /// <summary>Walks up from the test output folder to the repo folder that holds the shipped bars.</summary>
    public static string FindBarsFile()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, BarsRelativePath);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"{BarsRelativePath} not found above {AppContext.BaseDirectory}");
    }

    /// <summary>Wilder's RSI; a local copy so these tests don't depend on the strategy code.</summary>
    public static List<double> Rsi(IReadOnlyList<decimal> closes, int period = 14)
    {
        var result = new List<double>();
        double avgGain = 0, avgLoss = 0;
        for (var i = 1; i < closes.Count; i++)
        {
            var change = (double)(closes[i] - closes[i - 1]);
            var gain = Math.Max(change, 0);
            var loss = Math.Max(-change, 0);
            if (i <= period)
            {
                avgGain += gain / period;
                avgLoss += loss / period;
                if (i < period) continue;
            }
            else
            {
                avgGain = (avgGain * (period - 1) + gain) / period;
                avgLoss = (avgLoss * (period - 1) + loss) / period;
            }
            result.Add(avgLoss == 0 ? 100 : 100 - 100 / (1 + avgGain / avgLoss));
        }
        return result;
    }

    public static (int Below30, int Above70) RsiCrossings(IReadOnlyList<decimal> closes)
    {
        var rsi = Rsi(closes);
        int below = 0, above = 0;
        for (var i = 1; i < rsi.Count; i++)
        {
            if (rsi[i - 1] >= 30 && rsi[i] < 30) below++;
            if (rsi[i - 1] <= 70 && rsi[i] > 70) above++;
        }
        return (below, above);
    }
}
