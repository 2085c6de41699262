using System.Globalization;
using System.Text.Json;

namespace TradingActors.Domain.Tests.Indicators;

/// <summary>Published worked examples the indicators are checked against, and small helpers.</summary>
internal static class IndicatorTestData
{
    /// <summary>
    /// StockCharts ChartSchool "Moving Averages - Simple and Exponential": the 30 closes of its spreadsheet
    /// (cs-movavg.xls), with the 10-day SMA and 10-day EMA it publishes from the 10th close on (two decimals).
    /// </summary>
    public static readonly double[] MovingAverageCloses =
    [
        22.27, 22.19, 22.08, 22.17, 22.18, 22.13, 22.23, 22.43, 22.24, 22.29,
        22.15, 22.39, 22.38, 22.61, 23.36, 24.05, 23.75, 23.83, 23.95, 23.63,
        23.82, 23.87, 23.65, 23.19, 23.10, 23.33, 22.68, 23.10, 22.40, 22.17,
    ];

    public static readonly double[] PublishedSma10 =
    [
        22.22, 22.21, 22.23, 22.26, 22.31, 22.42, 22.61, 22.77, 22.91, 23.08, 23.21,
        23.38, 23.53, 23.65, 23.71, 23.69, 23.61, 23.51, 23.43, 23.28, 23.13,
    ];

    public static readonly double[] PublishedEma10 =
    [
        22.22, 22.21, 22.24, 22.27, 22.33, 22.52, 22.80, 22.97, 23.13, 23.28, 23.34,
        23.43, 23.51, 23.54, 23.47, 23.40, 23.39, 23.26, 23.23, 23.08, 22.92,
    ];

    /// <summary>
    /// StockCharts ChartSchool "Relative Strength Index (RSI)" (cs-rsi.xls), Wilder's 14-day example as it is
    /// published with four decimals, and the RSI(14) it lists from the 15th close on.
    /// </summary>
    public static readonly double[] RsiCloses =
    [
        44.3389, 44.0902, 44.1497, 43.6124, 44.3278, 44.8264, 45.0955, 45.4245, 45.8433, 46.0826, 45.8931,
        46.0328, 45.6140, 46.2820, 46.2820, 46.0028, 46.0328, 46.4116, 46.2222, 45.6439, 46.2122, 46.2521,
        45.7137, 46.4515, 45.7835, 45.3548, 44.0288, 44.1783, 44.2181, 44.5672, 43.4205, 42.6628, 43.1314,
    ];

    public static readonly double[] PublishedRsi14 =
    [
        70.53, 66.32, 66.55, 69.41, 66.36, 57.97, 62.93, 63.26, 56.06, 62.38,
        54.71, 50.42, 39.99, 41.46, 41.87, 45.46, 37.30, 33.08, 37.77,
    ];

    /// <summary>
    /// StockCharts ChartSchool "Average True Range (ATR)" (cs-atr.xls): 30 bars (high, low, close) and the 14-day
    /// Wilder ATR it publishes from the 14th bar on.
    /// </summary>
    public static readonly double[] AtrHighs =
    [
        48.70, 48.72, 48.90, 48.87, 48.82, 49.05, 49.20, 49.35, 49.92, 50.19, 50.12, 49.66, 49.88, 50.19, 50.36,
        50.57, 50.65, 50.43, 49.63, 50.33, 50.29, 50.17, 49.32, 48.50, 48.32, 46.80, 47.80, 48.39, 48.66, 48.79,
    ];

    public static readonly double[] AtrLows =
    [
        47.79, 48.14, 48.39, 48.37, 48.24, 48.64, 48.94, 48.86, 49.50, 49.87, 49.20, 48.90, 49.43, 49.73, 49.26,
        50.09, 50.30, 49.21, 48.98, 49.61, 49.20, 49.43, 48.08, 47.64, 41.55, 44.28, 47.31, 47.20, 47.90, 47.73,
    ];

    public static readonly double[] AtrCloses =
    [
        48.16, 48.61, 48.75, 48.63, 48.74, 49.03, 49.07, 49.32, 49.91, 50.13, 49.53, 49.50, 49.75, 50.03, 50.31,
        50.52, 50.41, 49.34, 49.37, 50.23, 49.24, 49.93, 48.43, 48.18, 46.57, 45.41, 47.77, 47.72, 48.62, 47.85,
    ];

    public static readonly double[] PublishedAtr14 =
    [
        0.56, 0.59, 0.59, 0.57, 0.62, 0.62, 0.64, 0.67, 0.69, 0.78, 0.78, 1.21, 1.30, 1.38, 1.37, 1.34, 1.32,
    ];

    /// <summary>
    /// StockCharts ChartSchool "Bollinger Bands" (cs-bollinger.xls): 42 closes and the 20-day, 2-deviation bands it
    /// publishes from the 20th close on (middle, upper, lower; two decimals).
    /// </summary>
    public static readonly double[] BollingerCloses =
    [
        86.16, 89.09, 88.78, 90.32, 89.07, 91.15, 89.44, 89.18, 86.93, 87.68, 86.96, 89.43, 89.32, 88.72,
        87.45, 87.26, 89.50, 87.90, 89.13, 90.70, 92.90, 92.98, 91.80, 92.66, 92.68, 92.30, 92.77, 92.54,
        92.95, 93.20, 91.07, 89.83, 89.74, 90.40, 90.74, 88.02, 88.09, 88.84, 90.78, 90.54, 91.39, 90.65,
    ];

    public static readonly double[] PublishedBollingerMiddle =
    [
        88.71, 89.05, 89.24, 89.39, 89.51, 89.69, 89.75, 89.91, 90.08, 90.38, 90.66, 90.86,
        90.88, 90.91, 90.99, 91.15, 91.19, 91.12, 91.17, 91.25, 91.24, 91.17, 91.05,
    ];

    public static readonly double[] PublishedBollingerUpper =
    [
        91.29, 91.95, 92.61, 92.93, 93.31, 93.73, 93.90, 94.27, 94.57, 94.79, 95.04, 94.91,
        94.90, 94.90, 94.86, 94.67, 94.56, 94.68, 94.58, 94.53, 94.53, 94.37, 94.15,
    ];

    public static readonly double[] PublishedBollingerLower =
    [
        86.12, 86.14, 85.87, 85.85, 85.70, 85.65, 85.59, 85.56, 85.60, 85.98, 86.27, 86.82,
        86.87, 86.91, 87.12, 87.63, 87.83, 87.56, 87.76, 87.97, 87.95, 87.96, 87.95,
    ];

    /// <summary>
    /// Published figures are rounded to two decimals, and the spreadsheets behind them round (or carry more
    /// decimals in) some inputs, so a figure can sit a little over half a cent from the exact value.
    /// </summary>
    public const double TwoDecimals = 0.01;

    public static T ThroughJson<T>(T value, out string json)
    {
        json = JsonSerializer.Serialize(value);
        return JsonSerializer.Deserialize<T>(json)!;
    }

    /// <summary>Walks up from the test output folder to the repository file at <paramref name="relativePath"/>.</summary>
    public static string FindRepoFile(string relativePath)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relativePath);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"{relativePath} not found above {AppContext.BaseDirectory}");
    }

    /// <summary>The closes of data/bars/BTCUSDT-1m.csv (time,open,high,low,close,volume), as written.</summary>
    public static string[] BtcCloseTexts() =>
        File.ReadAllLines(FindRepoFile("data/bars/BTCUSDT-1m.csv"))
            .Skip(1)
            .Where(line => line.Length > 0)
            .Select(line => line.Split(',')[4])
            .ToArray();

    public static double[] BtcCloses() => BtcCloseTexts().Select(c => double.Parse(c, CultureInfo.InvariantCulture)).ToArray();

    public static void AllWithin(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double tolerance)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"[{i}] expected {expected[i]} ± {tolerance}, got {actual[i]}");
    }
}
