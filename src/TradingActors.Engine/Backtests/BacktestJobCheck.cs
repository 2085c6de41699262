using System.Globalization;
using TradingActors.Backtesting;
using TradingActors.Domain.Market;
using TradingActors.Domain.Strategies;

namespace TradingActors.Engine.Backtests;

/// <summary>One thing wrong with a job, named by the request field it comes from (settings.takerFeeRate, parameters.period, sweep).</summary>
public sealed record BacktestJobProblem(string Field, string Message);

/// <summary>
/// Everything wrong with a job before anything is stored or run (pure but for the dataset lookup): the kind, each refused
/// parameter by name, the dataset, the settings field by field, the sweep (unknown parameter, too many points, no point
/// the kind accepts), the rank metric, the inline bars. Also how many runs it makes.
/// </summary>
public static class BacktestJobCheck
{
    public static IReadOnlyList<BacktestJobProblem> Check(BacktestJobSpec spec, Candle[]? inlineBars, BacktestDatasets datasets, BacktestOptions options,
        out int points)
    {
        var problems = new List<BacktestJobProblem>();
        points = 0;
        StrategyParameters? parameters = null;
        if (!StrategyKinds.TryGet(spec.Strategy, out var kind))
            problems.Add(new("strategy", $"unknown strategy kind '{spec.Strategy}' (kinds: {string.Join(", ", StrategyKinds.All.Select(k => k.Name))})"));
        else
        {
            parameters = StrategyParameters.FromJson(kind, spec.Parameters, out var errors);
            foreach (var error in errors)
                problems.Add(new(error.Parameter.Length == 0 ? "parameters" : "parameters." + error.Parameter, error.Message));
        }

        if (spec.Dataset.IsInline)
        {
            if (inlineBars is null) problems.Add(new("bars", "the inline bars are missing"));
        }
        else if (!BacktestDatasets.IsValidName(spec.Dataset.Name) || !datasets.Exists(spec.Dataset.Name))
            problems.Add(new("dataset", $"unknown dataset '{spec.Dataset.Name}'; GET /api/v1/backtests/datasets lists them"));
        if (string.IsNullOrWhiteSpace(spec.Symbol) || spec.Symbol.Length > 32 || !spec.Symbol.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            problems.Add(new("symbol", "a symbol is 1 to 32 letters, digits, '_', '-' or '.'"));

        var s = spec.Settings;
        if (!(s.InitialCash > 0 && s.InitialCash <= 1e12)) problems.Add(new("settings.initialCash", $"must be in (0, 1e12] (got {Text(s.InitialCash)})"));
        if (!(s.TakerFeeRate >= 0 && s.TakerFeeRate <= BacktestSettings.MaxFeeRate)) problems.Add(new("settings.takerFeeRate", $"must be in [0, {Text(BacktestSettings.MaxFeeRate)}] (got {Text(s.TakerFeeRate)})"));
        if (!(s.MakerFeeRate >= 0 && s.MakerFeeRate <= BacktestSettings.MaxFeeRate)) problems.Add(new("settings.makerFeeRate", $"must be in [0, {Text(BacktestSettings.MaxFeeRate)}] (got {Text(s.MakerFeeRate)})"));
        if (!(s.SlippageBps >= 0 && s.SlippageBps <= BacktestSettings.MaxSlippageBps)) problems.Add(new("settings.slippageBps", $"must be in [0, {Text(BacktestSettings.MaxSlippageBps)}] (got {Text(s.SlippageBps)})"));
        if (!(s.SignalBudget > 0 && s.SignalBudget <= 1)) problems.Add(new("settings.signalBudget", $"must be in (0, 1] (got {Text(s.SignalBudget)})"));
        if (s.FundingRate is { } rate && !(double.IsFinite(rate) && Math.Abs(rate) < 1)) problems.Add(new("settings.fundingRate", $"must be in (-1, 1) (got {Text(rate)})"));
        if (!(s.FundingIntervalHours >= 1.0 / 60 && s.FundingIntervalHours <= 24 * 365)) problems.Add(new("settings.fundingIntervalHours", $"must be from one minute to a year, in hours (got {Text(s.FundingIntervalHours)})"));

        if (!SweepRanking.TryParse(spec.RankBy, out _))
            problems.Add(new("rankBy", $"unknown metric '{spec.RankBy}' (metrics: {string.Join(", ", SweepRanking.MetricNames)})"));

        if (spec.IsSweep && kind is not null)
            points = CheckSweep(spec.Sweep!, kind, parameters, options, problems);
        else if (!spec.IsSweep)
            points = 1;

        // The bars themselves (inline ones: a file dataset is checked by the node that reads it) with the kind and settings.
        if (inlineBars is not null && kind is not null && parameters is not null && problems.Count == 0)
        {
            var request = new BacktestRequest
            {
                Strategy = kind.Name, Parameters = parameters.ToJson(),
                Symbols = [new BacktestSymbol(spec.Symbol, inlineBars, s.Funding)], Settings = s.ToSettings(record: false),
            };
            foreach (var problem in Backtester.Validate(request)) problems.Add(new("bars", problem));
        }
        return problems;
    }

    private static int CheckSweep(IReadOnlyList<SweepAxis> sweep, StrategyKind kind, StrategyParameters? parameters, BacktestOptions options,
        List<BacktestJobProblem> problems)
    {
        var before = problems.Count;
        var product = 1.0;
        foreach (var axis in sweep)
        {
            var field = "sweep." + axis.Name;
            if (kind.IndexOf(axis.Name) < 0)
                problems.Add(new(field, $"{kind.Name} has no parameter '{axis.Name}' (it has: {string.Join(", ", kind.Parameters.Select(p => p.Name))})"));
            if (axis.Values is not { Count: > 0 }) problems.Add(new(field, "give at least one value"));
            else if (axis.Values.Any(v => !double.IsFinite(v))) problems.Add(new(field, "every value must be a finite number"));
            product *= Math.Max(1, axis.Values?.Count ?? 0);
        }
        if (product > options.MaxSweepPoints)
            problems.Add(new("sweep", $"the sweep has {product.ToString("N0", CultureInfo.InvariantCulture)} points, more than the cap of {options.MaxSweepPoints.ToString("N0", CultureInfo.InvariantCulture)}"));
        if (problems.Count > before || parameters is null) return 0;
        try
        {
            var grid = ParameterGrid.Build(kind, parameters, sweep.Select(a => new ParameterAxis(a.Name, a.Values)).ToList(), options.MaxSweepPoints);
            if (grid.Points.Count == 0)
            {
                var first = grid.Skipped[0].Errors[0];
                problems.Add(new("sweep", $"the kind refuses every point of the sweep (e.g. {first.Parameter}: {first.Message})"));
            }
            return grid.Points.Count;
        }
        catch (ArgumentException e)
        {
            problems.Add(new("sweep", e.Message.Split(" (Parameter")[0]));
            return 0;
        }
    }

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
