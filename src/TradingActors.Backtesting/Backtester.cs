using System.Globalization;
using TradingActors.Domain.Market;
using TradingActors.Domain.Strategies;

namespace TradingActors.Backtesting;

/// <summary>
/// Replays bars through a strategy on a simulated spot venue and measures the result. Deterministic: the same request
/// gives the same report, and the same bytes from <see cref="ReportWriter"/>. The venue's rules are
/// <see cref="BacktestRules.Fills"/>, in short:
/// <list type="bullet">
/// <item>a market order fills whole at the next bar's open, moved against the trader by the slippage, taker fee on the notional; one placed on the last bar never fills;</item>
/// <item>a limit order rests from the next bar: a buy fills when low &lt;= limit at min(open, limit), a sell when high &gt;= limit at max(open, limit); maker fee, no slippage, whole quantity;</item>
/// <item>within a bar the price goes open→low→high→close when close &gt;= open, else open→high→low→close, and orders fill in the order it reaches them (ties by order ref);</item>
/// <item>spot, long only: a buy costing more than the cash, or a sell of more than the position, is rejected when it would fill; cancels act at once;</item>
/// <item>a bar is processed as (1) funding, (2) fills along the path, (3) equity at the close, (4) the strategy's OnBar and its intents; intents from callbacks are eligible from the next bar.</item>
/// </list>
/// </summary>
public static class Backtester
{
    public static BacktestReport Run(BacktestRequest request, CancellationToken cancellationToken = default) =>
        Run(request, null, cancellationToken);

    /// <summary>
    /// Runs <paramref name="request"/>. Throws <see cref="ArgumentException"/> listing every problem of an invalid
    /// request (<see cref="Validate"/>), and <see cref="OperationCanceledException"/> when cancelled (checked every
    /// <see cref="BacktestRunOptions.CheckEvery"/> bars).
    /// </summary>
    public static BacktestReport Run(BacktestRequest request, BacktestRunOptions? options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        options ??= Default;
        var problems = Check(request, options, out var parameters);
        if (problems.Count > 0) throw new ArgumentException("invalid backtest request: " + string.Join("; ", problems), nameof(request));

        var ordered = request.Symbols.OrderBy(s => s.Symbol, StringComparer.Ordinal).ToArray();
        var books = new SymbolBook[ordered.Length];
        var bars = new Candle[ordered.Length][];
        for (var i = 0; i < ordered.Length; i++)
        {
            books[i] = new SymbolBook(ordered[i].Symbol, ordered[i].Bars, parameters.Kind.Create(parameters), ordered[i].Funding);
            bars[i] = ordered[i].Bars;
        }
        var interval = BarTimeline.MedianGap(bars);
        var engine = new BacktestEngine(parameters.Kind.Name, parameters.ToJson(), request.Settings, books, interval, options.Progress, options.CheckEvery);
        return engine.Run(cancellationToken);
    }

    /// <summary>Every problem of <paramref name="request"/> (empty when it can run): the API checks a job before queueing it.</summary>
    public static IReadOnlyList<string> Validate(BacktestRequest request, BacktestRunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Check(request, options ?? Default, out _);
    }

    private static readonly BacktestRunOptions Default = new();

    private static List<string> Check(BacktestRequest request, BacktestRunOptions options, out StrategyParameters parameters)
    {
        var problems = new List<string>();
        parameters = null!;
        StrategyKind? kind = null;
        try
        {
            kind = (options.ResolveKind ?? StrategyKinds.Get)(request.Strategy);
        }
        catch (ArgumentException e)
        {
            problems.Add(e.Message);
        }
        if (kind is not null)
        {
            parameters = StrategyParameters.FromJson(kind, request.Parameters, out var errors);
            foreach (var error in errors) problems.Add($"parameter {error.Parameter}: {error.Message}");
        }

        if (options.CheckEvery < 1) problems.Add($"checkEvery must be at least 1 (got {options.CheckEvery})");
        var settings = request.Settings;
        if (settings is null) problems.Add("settings are required");
        else
        {
            if (!(settings.InitialCash > 0 && double.IsFinite(settings.InitialCash))) problems.Add($"initialCash must be a positive number (got {Text(settings.InitialCash)})");
            if (!(settings.TakerFeeRate >= 0 && settings.TakerFeeRate <= BacktestSettings.MaxFeeRate)) problems.Add($"takerFeeRate must be in [0, {Text(BacktestSettings.MaxFeeRate)}] (got {Text(settings.TakerFeeRate)})");
            if (!(settings.MakerFeeRate >= 0 && settings.MakerFeeRate <= BacktestSettings.MaxFeeRate)) problems.Add($"makerFeeRate must be in [0, {Text(BacktestSettings.MaxFeeRate)}] (got {Text(settings.MakerFeeRate)})");
            if (!(settings.SlippageBps >= 0 && settings.SlippageBps <= BacktestSettings.MaxSlippageBps)) problems.Add($"slippageBps must be in [0, {Text(BacktestSettings.MaxSlippageBps)}] (got {Text(settings.SlippageBps)})");
            if (!(settings.SignalBudget > 0 && settings.SignalBudget <= 1)) problems.Add($"signalBudget must be in (0, 1] (got {Text(settings.SignalBudget)})");
            if (!Enum.IsDefined(settings.EquityCurve)) problems.Add($"equityCurve must be None or Full (got {(int)settings.EquityCurve})");
        }

        if (request.Symbols is null || request.Symbols.Count == 0)
        {
            problems.Add("at least one symbol with bars is required");
            return problems;
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var symbol in request.Symbols)
        {
            if (symbol is null)
            {
                problems.Add("a symbol is null");
                continue;
            }
            if (string.IsNullOrWhiteSpace(symbol.Symbol)) problems.Add("a symbol has no name");
            else if (!names.Add(symbol.Symbol)) problems.Add($"symbol {symbol.Symbol} is given twice");
            if (symbol.Funding is { } funding)
            {
                if (!double.IsFinite(funding.Rate) || Math.Abs(funding.Rate) >= 1) problems.Add($"{symbol.Symbol}: funding rate must be a finite number in (-1, 1) (got {Text(funding.Rate)})");
                if (funding.Interval < TimeSpan.FromMinutes(1)) problems.Add($"{symbol.Symbol}: funding interval must be at least one minute (got {funding.Interval})");
            }
            if (CheckBars(symbol.Symbol, symbol.Bars) is { } problem) problems.Add(problem);
        }
        return problems;
    }

    /// <summary>The first problem of a symbol's bars: empty, out of order, or a bar that is not a valid OHLCV bar.</summary>
    private static string? CheckBars(string symbol, Candle[]? bars)
    {
        if (bars is null || bars.Length == 0) return $"{symbol}: no bars";
        var previous = long.MinValue;
        for (var i = 0; i < bars.Length; i++)
        {
            ref readonly var bar = ref bars[i];
            var ticks = bar.Time.UtcTicks;
            if (ticks <= previous) return $"{symbol}: bar {i} ({bar.Time.UtcDateTime:O}) is not after the bar before it";
            previous = ticks;
            if (!(bar.Open > 0 && bar.High > 0 && bar.Low > 0 && bar.Close > 0)
                || !double.IsFinite(bar.Open) || !double.IsFinite(bar.High) || !double.IsFinite(bar.Low) || !double.IsFinite(bar.Close))
                return $"{symbol}: bar {i} ({bar.Time.UtcDateTime:O}) has a price that is not a positive number";
            if (bar.High < Math.Max(bar.Open, bar.Close) || bar.Low > Math.Min(bar.Open, bar.Close))
                return $"{symbol}: bar {i} ({bar.Time.UtcDateTime:O}) has high below max(open, close) or low above min(open, close)";
            if (!(bar.Volume >= 0) || !double.IsFinite(bar.Volume)) return $"{symbol}: bar {i} ({bar.Time.UtcDateTime:O}) has a negative or non-finite volume";
        }
        return null;
    }

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
