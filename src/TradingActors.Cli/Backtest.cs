using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Cli;
using TradingActors.Backtesting;
using TradingActors.Domain.Strategies;
using Venue = TradingActors.Backtesting.BacktestSettings;

namespace TradingActors.Cli;

/// <summary>
/// `tradectl backtest`: a backtest (or, with --sweep, a parameter grid) run on this machine from CSV bars; no node.
/// Option values out of range are usage errors (exit 2, from <see cref="Validate"/>); what the options point at (the
/// kind, the parameters, the files) is checked before anything runs or is written, and refused with exit 1.
/// </summary>
public sealed class BacktestOptions : CommandSettings
{
    [CommandOption("--strategy <KIND>")]
    [Description("The strategy kind: rsi, ema-cross, dca or grid")]
    public string? Strategy { get; init; }

    [CommandOption("--params <JSON>")]
    [Description("Its parameters as a JSON object, or @FILE to read them from a file (omitted ones take their defaults; with --sweep, the fixed ones)")]
    public string? Params { get; init; }

    [CommandOption("--bars <FILE>")]
    [Description("A CSV of bars (time,open,high,low,close,volume), e.g. data/bars/ETHUSDT-1h.csv; repeat it for several symbols (one cash account)")]
    public string[] Bars { get; init; } = [];

    [CommandOption("--symbol <SYMBOL>")]
    [Description("Each --bars file's symbol, in the same order (default: the file name before its first '-', ETHUSDT-1h.csv -> ETHUSDT)")]
    public string[] Symbols { get; init; } = [];

    [CommandOption("--cash <AMOUNT>")]
    [Description("Starting cash in the quote currency (default 10000)")]
    public double Cash { get; init; } = 10_000;

    [CommandOption("--fee <RATE>")]
    [Description("Taker fee rate of market orders, on the notional (default 0.001 = 0.1 %)")]
    public double Fee { get; init; } = 0.001;

    [CommandOption("--maker-fee <RATE>")]
    [Description("Maker fee rate of limit orders (default: the --fee rate)")]
    public double? MakerFee { get; init; }

    [CommandOption("--slippage-bps <BPS>")]
    [Description("Market orders fill this many basis points worse than the next bar's open (default 5)")]
    public double SlippageBps { get; init; } = 5;

    [CommandOption("--funding-rate <RATE>")]
    [Description("Perpetual funding: a long pays RATE x its notional every --funding-hours (negative: receives), on every symbol (default: none)")]
    public double? FundingRate { get; init; }

    [CommandOption("--funding-hours <HOURS>")]
    [Description("Hours between fundings, counted from 00:00 UTC (default 8)")]
    public double? FundingHours { get; init; }

    [CommandOption("--out <DIR>")]
    [Description("Write report.json, equity.csv, trades.csv, trades.json and equity.svg there (a sweep: sweep.csv, sweep.json)")]
    public string? Out { get; init; }

    [CommandOption("--json")]
    [Description("Print the report (a sweep: the ranking) as JSON instead of the table")]
    public bool Json { get; init; }

    [CommandOption("--sweep <AXIS>")]
    [Description("Sweep a parameter: NAME=V1,V2,... or NAME=FROM..TO[:STEP] (step 1 by default); repeat it for a grid (all combinations)")]
    public string[] Sweep { get; init; } = [];

    [CommandOption("--rank <METRIC>")]
    [Description("Rank a sweep by sharpe (default), sortino, return, cagr, drawdown (lowest first), profit-factor, win-rate or final-equity")]
    public string? Rank { get; init; }

    [CommandOption("--top <N>")]
    [Description("Rows of the sweep's table (default 10; the files hold every point)")]
    public int? Top { get; init; }

    [CommandOption("--parallelism <N>")]
    [Description("Sweep points run at once (default: this machine's cores)")]
    public int? Parallelism { get; init; }

    /// <summary>The rank metrics' short names, beside <see cref="SweepRanking.MetricNames"/>.</summary>
    private static readonly Dictionary<string, RankMetric> RankAliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["return"] = RankMetric.TotalReturn,
        ["drawdown"] = RankMetric.MaxDrawdown,
    };

    public bool IsSweep => Sweep.Length > 0;

    public RankMetric RankMetric =>
        Rank is null ? RankMetric.Sharpe
        : RankAliases.TryGetValue(Rank, out var alias) ? alias
        : SweepRanking.TryParse(Rank, out var metric) ? metric
        : throw new InvalidOperationException($"unknown rank metric {Rank}");

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Strategy)) return ValidationResult.Error("--strategy is required (rsi, ema-cross, dca or grid)");
        if (Bars.Length == 0) return ValidationResult.Error("--bars FILE is required (a CSV of bars; repeat it for several symbols)");
        if (Symbols.Length > 0 && Symbols.Length != Bars.Length)
            return ValidationResult.Error($"--symbol is given {Symbols.Length} times for {Bars.Length} --bars files: give it once per file, in the same order, or not at all");
        if (Symbols.FirstOrDefault(string.IsNullOrWhiteSpace) is not null) return ValidationResult.Error("--symbol must not be empty");
        if (!(Cash > 0 && double.IsFinite(Cash))) return ValidationResult.Error($"--cash must be a positive number (got {Text(Cash)})");
        if (!(Fee >= 0 && Fee <= Venue.MaxFeeRate)) return ValidationResult.Error($"--fee must be a rate in [0, {Text(Venue.MaxFeeRate)}] (got {Text(Fee)}; 0.001 is 0.1 %)");
        if (MakerFee is { } maker && !(maker >= 0 && maker <= Venue.MaxFeeRate))
            return ValidationResult.Error($"--maker-fee must be a rate in [0, {Text(Venue.MaxFeeRate)}] (got {Text(maker)})");
        if (!(SlippageBps >= 0 && SlippageBps <= Venue.MaxSlippageBps))
            return ValidationResult.Error($"--slippage-bps must be in [0, {Text(Venue.MaxSlippageBps)}] (got {Text(SlippageBps)})");
        if (FundingRate is { } rate && !(Math.Abs(rate) < 1)) return ValidationResult.Error($"--funding-rate must be a rate in (-1, 1) (got {Text(rate)}; 0.0001 is 0.01 %)");
        if (FundingHours is { } hours)
        {
            if (FundingRate is null) return ValidationResult.Error("--funding-hours needs --funding-rate");
            if (!(hours >= 1.0 / 60 && hours <= 24 * 366)) return ValidationResult.Error($"--funding-hours must be between one minute and a year (got {Text(hours)})");
        }
        if (!IsSweep && (Rank is not null || Top is not null || Parallelism is not null))
            return ValidationResult.Error("--rank, --top and --parallelism go with --sweep");
        if (Rank is not null && !RankAliases.ContainsKey(Rank) && !SweepRanking.TryParse(Rank, out _))
            return ValidationResult.Error($"--rank: unknown metric '{Rank}' (sharpe, sortino, return, cagr, drawdown, profit-factor, win-rate, final-equity)");
        if (Top is < 1) return ValidationResult.Error("--top must be at least 1");
        if (Parallelism is < 1) return ValidationResult.Error("--parallelism must be at least 1");
        foreach (var sweep in Sweep)
            if (SweepAxis.Parse(sweep, out var error) is null) return ValidationResult.Error(error!);
        return ValidationResult.Success();
    }

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>A --sweep option: NAME=V1,V2,... or NAME=FROM..TO[:STEP]; booleans as true/false.</summary>
public static class SweepAxis
{
    public static ParameterAxis? Parse(string text, out string? error)
    {
        error = null;
        var equals = text.IndexOf('=');
        var name = equals > 0 ? text[..equals].Trim() : "";
        var values = equals > 0 ? text[(equals + 1)..].Trim() : "";
        if (name.Length == 0 || values.Length == 0)
        {
            error = $"--sweep '{text}': expected NAME=V1,V2,... or NAME=FROM..TO[:STEP], e.g. period=7,14,21 or oversold=20..30:5";
            return null;
        }
        try
        {
            var dots = values.IndexOf("..", StringComparison.Ordinal);
            if (dots < 0)
            {
                var list = new List<double>();
                foreach (var part in values.Split(','))
                {
                    if (!TryNumber(part, out var value))
                    {
                        error = $"--sweep {name}: '{part.Trim()}' is not a number (or true/false)";
                        return null;
                    }
                    list.Add(value);
                }
                if (list.Distinct().Count() != list.Count)
                {
                    error = $"--sweep {name}: a value is given twice";
                    return null;
                }
                return new ParameterAxis(name, list);
            }
            var rest = values[(dots + 2)..];
            var colon = rest.IndexOf(':');
            var fromText = values[..dots];
            var toText = colon < 0 ? rest : rest[..colon];
            var stepText = colon < 0 ? "1" : rest[(colon + 1)..];
            if (!TryNumber(fromText, out var from) || !TryNumber(toText, out var to) || !TryNumber(stepText, out var step))
            {
                error = $"--sweep {name}: '{values}' is not FROM..TO[:STEP] with numbers, e.g. 20..30:5";
                return null;
            }
            return ParameterAxis.Range(name, from, to, step);
        }
        catch (ArgumentException e)
        {
            error = "--sweep " + Messages.Of(e);
            return null;
        }
    }

    private static bool TryNumber(string text, out double value)
    {
        text = text.Trim();
        if (text.Equals("true", StringComparison.OrdinalIgnoreCase)) value = 1;
        else if (text.Equals("false", StringComparison.OrdinalIgnoreCase)) value = 0;
        else return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
        return true;
    }
}

internal static class Messages
{
    /// <summary>An <see cref="ArgumentException"/>'s message without the " (Parameter 'x')" the runtime appends.</summary>
    public static string Of(ArgumentException e) =>
        e.ParamName is { } name ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;
}

/// <summary>
/// Runs a backtest or a sweep locally. Everything is read and checked first (kind, parameters, every CSV, the
/// request), so a refusal writes nothing. A single run records the equity curve and the trades (for --out and
/// --json); a sweep runs its points over this machine's cores with nothing recorded but the metrics.
/// </summary>
public sealed class BacktestCommand : AsyncCommand<BacktestOptions>
{
    /// <summary>Bars (times points, for a sweep) above which a terminal gets a progress bar.</summary>
    public const long ProgressThreshold = 200_000;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public override Task<int> ExecuteAsync(CommandContext context, BacktestOptions settings, CancellationToken ct)
    {
        var console = CommandEnvironment.Console;
        if (context.Remaining.Raw.Count > 0 || context.Remaining.Parsed.Count > 0)
            throw new OpsFailure("backtest: unknown option or argument: " +
                string.Join(" ", context.Remaining.Parsed.Select(p => p.Key).Concat(context.Remaining.Raw)), OpsFailure.Usage);
        // Redirected output is for files and grep: tables and messages are not wrapped at 80 columns.
        if (!console.Profile.Out.IsTerminal && console.Profile.Width < 200) console.Profile.Width = 200;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            var kind = StrategyKinds.TryGet(settings.Strategy, out var found)
                ? found
                : throw Refused($"unknown strategy kind '{settings.Strategy}' (kinds: {string.Join(", ", StrategyKinds.All.Select(k => k.Name))})");
            var parametersJson = ReadParameters(settings.Params);
            return Task.FromResult(settings.IsSweep
                ? RunSweep(console, settings, kind, parametersJson, stop.Token)
                : RunSingle(console, settings, kind, parametersJson, stop.Token));
        }
        catch (Exception e) when (e is OperationCanceledException || e is AggregateException a && a.InnerExceptions.All(i => i is OperationCanceledException))
        {
            throw new OpsFailure("cancelled", OpsFailure.Cancelled);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static int RunSingle(IAnsiConsole console, BacktestOptions settings, StrategyKind kind, string parametersJson, CancellationToken ct)
    {
        var parameters = StrategyParameters.FromJson(kind, parametersJson, out var errors);
        if (errors.Count > 0) throw RefusedParameters(kind, errors);

        var request = new BacktestRequest
        {
            Strategy = kind.Name,
            Parameters = parameters.ToJson(),
            Symbols = ReadSymbols(settings),
            Settings = VenueSettings(settings),
        };
        var problems = Backtester.Validate(request);
        if (problems.Count > 0) throw Refused(string.Join("; ", problems));

        var totalBars = request.Symbols.Sum(s => (long)s.Bars.Length);
        var watch = Stopwatch.StartNew();
        BacktestReport report = null!;
        if (ShowProgress(console, settings, totalBars))
        {
            console.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(progress =>
                {
                    var task = progress.AddTask($"{kind.Name} over {totalBars:N0} bars", maxValue: totalBars);
                    report = Backtester.Run(request, new BacktestRunOptions { Progress = new Reporter(p => task.Value = p.BarsDone) }, ct);
                });
        }
        else report = Backtester.Run(request, ct);
        watch.Stop();

        if (settings.Out is { } dir)
        {
            Directory.CreateDirectory(dir);
            Write(Path.Combine(dir, "report.json"), w => ReportWriter.WriteJson(report, w));
            Write(Path.Combine(dir, "equity.csv"), w => ReportWriter.WriteEquityCsv(report, w));
            Write(Path.Combine(dir, "trades.csv"), w => ReportWriter.WriteTradesCsv(report, w));
            Write(Path.Combine(dir, "trades.json"), w => ReportWriter.WriteTradesJson(report, w));
            Write(Path.Combine(dir, "equity.svg"), w => EquityChart.Write(report, w));
        }

        if (settings.Json)
        {
            var writer = console.Profile.Out.Writer;
            ReportWriter.WriteJson(report, writer);
            writer.Flush();
        }
        else
        {
            Summary(console, report, totalBars, watch.Elapsed);
            if (settings.Out is { } written) console.WriteLine($"wrote report.json, equity.csv, trades.csv, trades.json, equity.svg to {written}");
        }
        return 0;
    }

    private static int RunSweep(IAnsiConsole console, BacktestOptions settings, StrategyKind kind, string parametersJson, CancellationToken ct)
    {
        var swept = settings.Sweep.Select(s => SweepAxis.Parse(s, out _)!).ToList();
        var fixedValues = FixedParameters(kind, parametersJson, swept.Select(a => a.Name).ToHashSet(StringComparer.Ordinal));
        // The fixed parameters are one-value axes ahead of the swept ones: every point is checked as a whole (cross-field
        // rules included) and numbered as in the swept axes' own product.
        var axes = fixedValues.Select(v => ParameterAxis.Of(v.Key, v.Value)).Concat(swept).ToList();
        ParameterGrid grid;
        try
        {
            grid = ParameterGrid.Build(kind, null, axes);
        }
        catch (ArgumentException e)
        {
            throw Refused("--sweep: " + Messages.Of(e));
        }
        if (grid.Points.Count == 0)
        {
            var first = grid.Skipped[0];
            throw Refused($"every point of the sweep is refused, e.g. {Point(swept, first.AxisValues.Skip(fixedValues.Count).ToList())}: " +
                          string.Join("; ", first.Errors.Select(e => e.Message)));
        }

        var request = new BacktestRequest
        {
            Strategy = kind.Name,
            Parameters = grid.Points[0].Parameters.ToJson(),
            Symbols = ReadSymbols(settings),
            Settings = VenueSettings(settings) with { EquityCurve = EquityCurveRecording.None, RecordTrades = false },
        };
        var problems = Backtester.Validate(request);
        if (problems.Count > 0) throw Refused(string.Join("; ", problems));

        var parallelism = settings.Parallelism ?? Environment.ProcessorCount;
        var totalBars = request.Symbols.Sum(s => (long)s.Bars.Length);
        var watch = Stopwatch.StartNew();
        IReadOnlyList<SweepResult> results = null!;
        if (ShowProgress(console, settings, totalBars * grid.Points.Count))
        {
            console.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(progress =>
                {
                    var task = progress.AddTask($"{grid.Points.Count:N0} points x {totalBars:N0} bars", maxValue: grid.Points.Count);
                    results = RunPoints(request, grid, parallelism, () => task.Increment(1), ct);
                });
        }
        else results = RunPoints(request, grid, parallelism, null, ct);
        watch.Stop();

        var metric = settings.RankMetric;
        var ranked = SweepRanking.Rank(results, metric);
        if (settings.Out is { } dir)
        {
            Directory.CreateDirectory(dir);
            Write(Path.Combine(dir, "sweep.csv"), w => SweepRanking.WriteCsv(ranked, w));
            Write(Path.Combine(dir, "sweep.json"), w => SweepRanking.WriteJson(ranked, metric, w, grid.Skipped));
        }

        if (settings.Json)
        {
            var writer = console.Profile.Out.Writer;
            SweepRanking.WriteJson(ranked, metric, writer, grid.Skipped);
            writer.Flush();
            return 0;
        }
        var table = new Table().Border(TableBorder.Simple);
        table.AddColumn("RANK", c => c.RightAligned());
        table.AddColumn("POINT", c => c.RightAligned());
        foreach (var axis in swept) table.AddColumn(Markup.Escape(axis.Name.ToUpperInvariant()), c => c.RightAligned());
        foreach (var column in new[] { "RETURN %", "MAX DD %", "SHARPE", "SORTINO", "WIN %", "PF", "TRADES", "FINAL EQUITY" })
            table.AddColumn(column, c => c.RightAligned());
        foreach (var row in ranked.Take(settings.Top ?? 10))
        {
            var m = row.Result.Metrics;
            var cells = new List<string> { Integer(row.Rank), Integer(row.Result.PointIndex) };
            cells.AddRange(swept.Select(a => Value(kind, a.Name, row.Result.Parameters[a.Name])));
            cells.AddRange([F2(m.TotalReturnPct), F2(m.MaxDrawdownPct), F3(m.Sharpe), F3(m.Sortino), F2(m.WinRatePct), F3(m.ProfitFactor), Integer(m.Trades), F2(m.FinalEquity)]);
            table.AddRow(cells.Select(Markup.Escape).ToArray());
        }
        console.Write(table);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{kind.Name}: {results.Count:N0} points run ({grid.Skipped.Count:N0} refused by the kind's rules), ranked by {SweepRanking.Name(metric)}{(SweepRanking.HigherIsBetter(metric) ? "" : " (lowest first)")}, " +
            $"{totalBars:N0} bars each, {watch.Elapsed.TotalSeconds:F1} s on {parallelism} thread(s)"));
        if (settings.Out is { } written) console.WriteLine($"wrote sweep.csv, sweep.json to {written}");
        return 0;
    }

    /// <summary>Each point as its own run, over <paramref name="parallelism"/> threads; results in point order (so the ranking never depends on it).</summary>
    private static SweepResult[] RunPoints(BacktestRequest request, ParameterGrid grid, int parallelism, Action? done, CancellationToken ct)
    {
        var options = new BacktestRunOptions { ResolveKind = _ => grid.Kind };
        var results = new SweepResult[grid.Points.Count];
        Parallel.For(0, grid.Points.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct }, i =>
        {
            var point = grid.Points[i];
            var report = Backtester.Run(request with { Parameters = point.Parameters.ToJson() }, options, ct);
            results[i] = new SweepResult(point.Index, point.Parameters, report.Metrics);
            done?.Invoke();
        });
        return results;
    }

    /// <summary>
    /// The --params of a sweep, each value checked on its own (name known, a number or boolean, in range); rules across
    /// parameters are checked per point. A required parameter neither given nor swept is refused here.
    /// </summary>
    private static List<KeyValuePair<string, double>> FixedParameters(StrategyKind kind, string json, HashSet<string> swept)
    {
        var given = new Dictionary<string, double>(StringComparer.Ordinal);
        var errors = new List<ParameterError>();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json);
        }
        catch (JsonException e)
        {
            throw Refused($"--params is not valid JSON: {e.Message}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw Refused("--params must be a JSON object of names and values");
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var index = kind.IndexOf(property.Name);
                if (index < 0)
                {
                    errors.Add(new ParameterError(property.Name, $"{kind.Name} has no parameter '{property.Name}' (it has: {string.Join(", ", kind.Parameters.Select(p => p.Name))})"));
                    continue;
                }
                if (given.ContainsKey(property.Name))
                {
                    errors.Add(new ParameterError(property.Name, $"{property.Name} is given more than once"));
                    continue;
                }
                double value;
                switch (property.Value.ValueKind)
                {
                    case JsonValueKind.Number when property.Value.TryGetDouble(out var number): value = number; break;
                    case JsonValueKind.True: value = 1; break;
                    case JsonValueKind.False: value = 0; break;
                    default:
                        errors.Add(new ParameterError(property.Name, $"{property.Name} must be a number or a boolean"));
                        continue;
                }
                given[property.Name] = value;
                if (!swept.Contains(property.Name) && kind.Parameters[index].Check(value) is { } message) errors.Add(new ParameterError(property.Name, message));
            }
        }
        foreach (var spec in kind.Parameters)
            if (spec.Default is null && !given.ContainsKey(spec.Name) && !swept.Contains(spec.Name))
                errors.Add(new ParameterError(spec.Name, $"{spec.Name} is required ({spec.Description})"));
        if (errors.Count > 0) throw RefusedParameters(kind, errors);
        return kind.Parameters.Where(p => given.ContainsKey(p.Name) && !swept.Contains(p.Name)).Select(p => KeyValuePair.Create(p.Name, given[p.Name])).ToList();
    }

    private static string ReadParameters(string? option)
    {
        if (option is null) return "{}";
        if (!option.StartsWith('@')) return option;
        var file = option[1..];
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw Refused($"--params: cannot read {file}: {e.Message}");
        }
    }

    private static List<BacktestSymbol> ReadSymbols(BacktestOptions settings)
    {
        var funding = settings.FundingRate is { } rate ? new FundingSchedule(rate, TimeSpan.FromHours(settings.FundingHours ?? 8)) : null;
        var symbols = new List<BacktestSymbol>(settings.Bars.Length);
        for (var i = 0; i < settings.Bars.Length; i++)
        {
            var file = settings.Bars[i];
            var symbol = settings.Symbols.Length > 0 ? settings.Symbols[i].Trim() : SymbolOf(file);
            Domain.Market.Candle[] bars;
            try
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
                bars = CandleCsv.Read(stream);
            }
            catch (FormatException e)
            {
                throw Refused($"{file}: {e.Message}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw Refused($"cannot read {file}: {e.Message}");
            }
            if (bars.Length == 0) throw Refused($"{file}: no bars (only the header)");
            if (symbols.FindIndex(s => s.Symbol == symbol) is var twice and >= 0)
                throw Refused($"{settings.Bars[twice]} and {file} are both {symbol}: name each file's symbol with --symbol, in the order of the --bars files");
            symbols.Add(new BacktestSymbol(symbol, bars, funding));
        }
        return symbols;
    }

    /// <summary>ETHUSDT-1h.csv → ETHUSDT; a name without '-' is the name without its extension.</summary>
    public static string SymbolOf(string file)
    {
        var name = Path.GetFileNameWithoutExtension(file);
        var dash = name.IndexOf('-');
        return dash > 0 ? name[..dash] : name;
    }

    private static Venue VenueSettings(BacktestOptions s) => new()
    {
        InitialCash = s.Cash,
        TakerFeeRate = s.Fee,
        MakerFeeRate = s.MakerFee ?? s.Fee,
        SlippageBps = s.SlippageBps,
        EquityCurve = EquityCurveRecording.Full,
        RecordTrades = true,
    };

    /// <summary>A progress bar only on a terminal, for a long run, and never with --json (stdout is the JSON).</summary>
    private static bool ShowProgress(IAnsiConsole console, BacktestOptions settings, long work) =>
        !settings.Json && work > ProgressThreshold && console.Profile.Out.IsTerminal && console.Profile.Capabilities.Interactive;

    private static void Write(string path, Action<TextWriter> write)
    {
        try
        {
            using var writer = new StreamWriter(path, append: false, Utf8);
            write(writer);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Refused($"cannot write {path}: {e.Message}");
        }
    }

    private static void Summary(IAnsiConsole console, BacktestReport report, long totalBars, TimeSpan elapsed)
    {
        var m = report.Metrics;
        var o = report.Orders;
        // The run's lines as they are (never wrapped to the terminal's width: read by people and by grep alike).
        var writer = console.Profile.Out.Writer;
        writer.WriteLine($"{report.Strategy} {report.ParametersJson}");
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{string.Join(", ", report.Symbols.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Symbol} ({s.Bars:N0} bars)")))}: " +
            $"{Time(report.Start)} to {Time(report.End)}, {Duration(report.BarInterval)} bars; run in {elapsed.TotalSeconds:F2} s"));
        writer.Flush();
        var table = new Table().Border(TableBorder.Simple);
        table.AddColumn("METRIC");
        table.AddColumn("VALUE", c => c.RightAligned());
        table.AddColumn("");
        void Row(string name, string value, string note = "") => table.AddRow(Markup.Escape(name), Markup.Escape(value), Markup.Escape(note));
        Row("total return", Pct(m.TotalReturnPct));
        Row("CAGR", Pct(m.CagrPct));
        Row("max drawdown", Pct(m.MaxDrawdownPct));
        Row("max drawdown duration", Duration(m.MaxDrawdownDuration), m.MaxDrawdownPct > 0 && !m.MaxDrawdownRecovered ? "not recovered" : "");
        Row("Sharpe", F3(m.Sharpe), m.Sharpe is null ? "no volatility" : "");
        Row("Sortino", F3(m.Sortino), m.Sortino is null ? "no negative return" : "");
        Row("win rate", Pct(m.WinRatePct), string.Create(CultureInfo.InvariantCulture, $"{m.Wins:N0} of {m.RoundTrips:N0} round trips"));
        Row("profit factor", F3(m.ProfitFactor), m.ProfitFactor is null ? "no losing round trip" : "");
        Row("exposure", Pct(m.ExposurePct));
        Row("trades", m.Trades.ToString("N0", CultureInfo.InvariantCulture), string.Join(", ", new[] { (o.Placed, "orders"), (o.Cancelled, "cancelled"), (o.Rejected, "rejected"), (o.OpenAtEnd, "open") }
            .Where(c => c.Item1 > 0 || c.Item2 == "orders").Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Item1:N0} {c.Item2}"))));
        Row("fees", F2(m.FeesPaid));
        if (report.Symbols.Any(s => s.Funding is not null)) Row("funding paid", F2(m.FundingPaid));
        Row("final equity", F2(m.FinalEquity), "from " + F2(m.InitialCash));
        console.Write(table);
    }

    private sealed class Reporter(Action<BacktestProgress> report) : IProgress<BacktestProgress>
    {
        public void Report(BacktestProgress value) => report(value);
    }

    private static string Point(IReadOnlyList<ParameterAxis> axes, IReadOnlyList<double> values) =>
        string.Join(", ", axes.Select((a, i) => string.Create(CultureInfo.InvariantCulture, $"{a.Name}={values[i]:R}")));

    private static string Value(StrategyKind kind, string name, double value) =>
        kind.Parameters[kind.IndexOf(name)].Type == ParameterType.Boolean ? (value != 0 ? "true" : "false") : value.ToString("R", CultureInfo.InvariantCulture);

    private static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F2(double? value) => value is { } v && double.IsFinite(v) ? Zero(v.ToString("N2", CultureInfo.InvariantCulture)) : "-";

    private static string F3(double? value) => value is { } v && double.IsFinite(v) ? Zero(v.ToString("F3", CultureInfo.InvariantCulture)) : "-";

    private static string Pct(double? value) => value is { } v && double.IsFinite(v) ? F2(v) + " %" : "-";

    /// <summary>"-0.00" reads as "0.00".</summary>
    private static string Zero(string text) => text.Length > 1 && text[0] == '-' && text.AsSpan(1).IndexOfAnyExcept("0.,") < 0 ? text[1..] : text;

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);

    private static string Duration(TimeSpan span)
    {
        if (span <= TimeSpan.Zero) return "0";
        var parts = new List<string>();
        if (span.Days > 0) parts.Add(span.Days.ToString(CultureInfo.InvariantCulture) + "d");
        if (span.Hours > 0) parts.Add(span.Hours.ToString(CultureInfo.InvariantCulture) + "h");
        if (span.Minutes > 0) parts.Add(span.Minutes.ToString(CultureInfo.InvariantCulture) + "m");
        if (span.Seconds > 0 || parts.Count == 0) parts.Add(span.Seconds.ToString(CultureInfo.InvariantCulture) + "s");
        return string.Join(" ", parts);
    }

    private static OpsFailure Refused(string message) => new(message, OpsFailure.Refused);

    private static OpsFailure RefusedParameters(StrategyKind kind, IReadOnlyList<ParameterError> errors) =>
        Refused($"{kind.Name} parameters refused: " + string.Join("; ", errors.Select(e => e.Parameter.Length > 0 && !e.Message.Contains(e.Parameter, StringComparison.Ordinal)
            ? $"{e.Parameter}: {e.Message}"
            : e.Message)));
}
