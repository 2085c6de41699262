using TradingActors.Domain.Strategies;
using static TradingActors.Backtesting.Formatting;

namespace TradingActors.Backtesting;

/// <summary>The figure a sweep is ranked by.</summary>
public enum RankMetric
{
    Sharpe = 1,
    Sortino = 2,
    TotalReturn = 3,
    Cagr = 4,
    /// <summary>The only one where lower is better.</summary>
    MaxDrawdown = 5,
    ProfitFactor = 6,
    WinRate = 7,
    FinalEquity = 8,
}

/// <summary>One point's run: where it is in the grid, its parameters and its figures.</summary>
public sealed record SweepResult(int PointIndex, StrategyParameters Parameters, BacktestMetrics Metrics);

/// <summary>A result's place in the ranking (1 = best) and the figure it was ranked by (null: undefined).</summary>
public sealed record RankedResult(int Rank, double? Score, SweepResult Result);

/// <summary>
/// Ranks sweep results and writes the table. Order: the metric, best first (highest, except max drawdown: lowest);
/// results whose metric is undefined (null or not finite) after all others; equal figures by grid point index,
/// lowest first. Ranks are 1, 2, 3... in that order (ties get consecutive ranks, so every run has its own).
/// </summary>
public static class SweepRanking
{
    public static readonly IReadOnlyList<string> MetricNames =
        ["sharpe", "sortino", "total-return", "cagr", "max-drawdown", "profit-factor", "win-rate", "final-equity"];

    public static string Name(RankMetric metric) => MetricNames[(int)metric - 1];

    public static bool TryParse(string? name, out RankMetric metric)
    {
        for (var i = 0; i < MetricNames.Count; i++)
        {
            if (!string.Equals(MetricNames[i], name, StringComparison.OrdinalIgnoreCase)) continue;
            metric = (RankMetric)(i + 1);
            return true;
        }
        metric = default;
        return false;
    }

    public static bool HigherIsBetter(RankMetric metric) => metric != RankMetric.MaxDrawdown;

    /// <summary>The figure of <paramref name="metrics"/> a ranking by <paramref name="metric"/> compares; null when undefined.</summary>
    public static double? Score(BacktestMetrics metrics, RankMetric metric)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        double? value = metric switch
        {
            RankMetric.Sharpe => metrics.Sharpe,
            RankMetric.Sortino => metrics.Sortino,
            RankMetric.TotalReturn => metrics.TotalReturnPct,
            RankMetric.Cagr => metrics.CagrPct,
            RankMetric.MaxDrawdown => metrics.MaxDrawdownPct,
            RankMetric.ProfitFactor => metrics.ProfitFactor,
            RankMetric.WinRate => metrics.WinRatePct,
            RankMetric.FinalEquity => metrics.FinalEquity,
            _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "unknown rank metric"),
        };
        return value is { } v && double.IsFinite(v) ? v : null;
    }

    public static IReadOnlyList<RankedResult> Rank(IEnumerable<SweepResult> results, RankMetric metric = RankMetric.Sharpe)
    {
        ArgumentNullException.ThrowIfNull(results);
        var scored = results.Select(r => (Score: Score(r.Metrics, metric), Result: r)).ToList();
        var higher = HigherIsBetter(metric);
        scored.Sort((a, b) =>
        {
            if (a.Score is { } x && b.Score is { } y)
            {
                var byScore = higher ? y.CompareTo(x) : x.CompareTo(y);
                if (byScore != 0) return byScore;
            }
            else if (a.Score.HasValue != b.Score.HasValue) return a.Score.HasValue ? -1 : 1;
            return a.Result.PointIndex.CompareTo(b.Result.PointIndex);
        });
        var ranked = new RankedResult[scored.Count];
        for (var i = 0; i < ranked.Length; i++) ranked[i] = new RankedResult(i + 1, scored[i].Score, scored[i].Result);
        return ranked;
    }

    public const string MetricColumns = "total_return_pct,cagr_pct,max_drawdown_pct,sharpe,sortino,win_rate_pct,profit_factor,round_trips,trades,final_equity";

    /// <summary>
    /// rank,point,&lt;every parameter of the kind&gt;,score,total_return_pct,...,final_equity: one row per result,
    /// in rank order. The parameter columns are the kind's, in its order (booleans as true/false).
    /// </summary>
    public static void WriteCsv(IReadOnlyList<RankedResult> ranked, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(ranked);
        ArgumentNullException.ThrowIfNull(writer);
        var specs = ranked.Count > 0 ? ranked[0].Result.Parameters.Kind.Parameters : [];
        writer.Write("rank,point");
        foreach (var spec in specs) writer.Write("," + Csv(spec.Name));
        writer.Write(",score," + MetricColumns + "\n");
        foreach (var row in ranked)
        {
            var m = row.Result.Metrics;
            writer.Write(Integer(row.Rank) + "," + Integer(row.Result.PointIndex));
            foreach (var spec in specs) writer.Write("," + Parameter(spec, row.Result.Parameters[spec.Name]));
            writer.Write(string.Join(',', "", Ratio(row.Score), Ratio(m.TotalReturnPct), Ratio(m.CagrPct), Ratio(m.MaxDrawdownPct), Ratio(m.Sharpe), Ratio(m.Sortino),
                Ratio(m.WinRatePct), Ratio(m.ProfitFactor), Integer(m.RoundTrips), Integer(m.Trades), Money(m.FinalEquity)));
            writer.Write('\n');
        }
    }

    /// <summary>{"metric": ..., "results": [...], "skipped": [...]} with the same figures as the CSV.</summary>
    public static void WriteJson(IReadOnlyList<RankedResult> ranked, RankMetric metric, TextWriter writer, IReadOnlyList<SkippedPoint>? skipped = null)
    {
        ArgumentNullException.ThrowIfNull(ranked);
        ArgumentNullException.ThrowIfNull(writer);
        var json = new JsonText(writer);
        json.Begin('{');
        json.String("metric", Name(metric));
        json.Begin('[', "results");
        foreach (var row in ranked)
        {
            var m = row.Result.Metrics;
            json.Begin('{', compact: true)
                .Raw("rank", Integer(row.Rank))
                .Raw("point", Integer(row.Result.PointIndex))
                .Raw("parameters", row.Result.Parameters.ToJson())
                .Number("score", Ratio(row.Score))
                .Number("totalReturnPct", Ratio(m.TotalReturnPct))
                .Number("cagrPct", Ratio(m.CagrPct))
                .Number("maxDrawdownPct", Ratio(m.MaxDrawdownPct))
                .Number("sharpe", Ratio(m.Sharpe))
                .Number("sortino", Ratio(m.Sortino))
                .Number("winRatePct", Ratio(m.WinRatePct))
                .Number("profitFactor", Ratio(m.ProfitFactor))
                .Raw("roundTrips", Integer(m.RoundTrips))
                .Raw("trades", Integer(m.Trades))
                .Number("finalEquity", Money(m.FinalEquity))
                .End('}');
        }
        json.End(']');
        json.Begin('[', "skipped");
        foreach (var point in skipped ?? [])
        {
            json.Begin('{', compact: true).Raw("point", Integer(point.Index));
            json.Begin('[', "values");
            foreach (var value in point.AxisValues) json.Number(null, Price(value));
            json.End(']');
            json.Begin('[', "errors");
            foreach (var error in point.Errors) json.String(null, error.Message);
            json.End(']');
            json.End('}');
        }
        json.End(']');
        json.End('}');
    }

    private static string Parameter(ParameterSpec spec, double value) =>
        spec.Type == ParameterType.Boolean ? (value != 0 ? "true" : "false") : Price(value);
}

/// <summary>Runs a grid's points one after the other on this thread (the cluster spreads them over nodes instead).</summary>
public static class Sweep
{
    /// <summary>
    /// Each point of <paramref name="grid"/> run as <paramref name="request"/> with that point's parameters, nothing
    /// recorded but the metrics. <paramref name="progress"/> counts points (BarsDone = points done).
    /// </summary>
    public static IReadOnlyList<SweepResult> Run(BacktestRequest request, ParameterGrid grid, IProgress<BacktestProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(grid);
        var settings = request.Settings with { EquityCurve = EquityCurveRecording.None, RecordTrades = false };
        var options = new BacktestRunOptions { ResolveKind = _ => grid.Kind };
        var results = new List<SweepResult>(grid.Points.Count);
        foreach (var point in grid.Points)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var run = request with { Strategy = grid.Kind.Name, Parameters = point.Parameters.ToJson(), Settings = settings };
            var report = Backtester.Run(run, options, cancellationToken);
            results.Add(new SweepResult(point.Index, point.Parameters, report.Metrics));
            progress?.Report(new BacktestProgress(results.Count, grid.Points.Count));
        }
        return results;
    }
}
