using System.Text.Json;
using Spectre.Console;

namespace TradingActors.Cli.Tests;

/// <summary>
/// `tradectl backtest` run in process on the committed datasets (data/bars): the report files and their byte
/// stability, the refusals (bad parameters, a bad CSV, an unknown kind: exit 1, nothing written), the usage errors
/// (exit 2) and a sweep's ranking. No node, no database.
/// </summary>
public sealed class BacktestCommandTests : IDisposable
{
    private static readonly string Eth = Repo.Path("data", "bars", "ETHUSDT-1h.csv");
    private const string DcaParams = """{"base_order":100,"safety_order":100,"max_safety_orders":5,"take_profit":1.5}""";
    private static readonly string[] ReportFiles = ["report.json", "equity.csv", "trades.csv", "trades.json", "equity.svg"];

    private readonly string _scratch = Directory.CreateTempSubdirectory("tradectl-backtest-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task A_dca_backtest_prints_the_figures_and_writes_byte_identical_files_run_after_run()
    {
        var first = Path.Combine(_scratch, "first");
        var second = Path.Combine(_scratch, "second");

        var run = await Tradectl("backtest", "--strategy", "dca", "--params", DcaParams, "--bars", Eth, "--out", first);
        var again = await Tradectl("backtest", "--strategy", "dca", "--params", DcaParams, "--bars", Eth, "--out", second);

        Assert.Equal(0, run.Code);
        Assert.Equal(0, again.Code);
        foreach (var figure in new[] { "total return", "CAGR", "max drawdown", "max drawdown duration", "Sharpe", "Sortino", "win rate", "profit factor", "exposure", "trades", "fees", "final equity" })
            Assert.Contains(figure, run.Text);
        Assert.Contains("ETHUSDT (2,000 bars)", run.Text);
        foreach (var file in ReportFiles)
        {
            Assert.True(File.Exists(Path.Combine(first, file)), $"{file} written");
            Assert.Equal(File.ReadAllBytes(Path.Combine(first, file)), File.ReadAllBytes(Path.Combine(second, file)));
        }

        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(first, "report.json")));
        var metrics = report.RootElement.GetProperty("metrics");
        Assert.Equal("dca", report.RootElement.GetProperty("strategy").GetString());
        Assert.Equal("ETHUSDT", report.RootElement.GetProperty("symbols")[0].GetProperty("symbol").GetString());
        Assert.True(metrics.GetProperty("trades").GetInt64() > 10, "the DCA deals trade through the crash");
        Assert.True(metrics.GetProperty("roundTrips").GetInt64() > 0);
        Assert.True(metrics.GetProperty("feesPaid").GetDouble() > 0);
        Assert.Equal(JsonValueKind.Number, metrics.GetProperty("sharpe").ValueKind);
        Assert.Equal(JsonValueKind.Number, metrics.GetProperty("maxDrawdownPct").ValueKind);
        Assert.Equal(JsonValueKind.Number, metrics.GetProperty("finalEquity").ValueKind);
        Assert.Equal(2001, File.ReadAllLines(Path.Combine(first, "equity.csv")).Length); // header + one point per bar
        Assert.Equal(metrics.GetProperty("trades").GetInt64() + 1, File.ReadAllLines(Path.Combine(first, "trades.csv")).Length);
        Assert.StartsWith("<svg", File.ReadAllText(Path.Combine(first, "equity.svg")));

        // --json: stdout is the report, exactly the bytes of report.json and nothing else.
        var json = await Tradectl("backtest", "--strategy", "dca", "--params", DcaParams, "--bars", Eth, "--json");
        Assert.Equal(0, json.Code);
        Assert.Equal(File.ReadAllText(Path.Combine(first, "report.json")), json.Text);
    }

    [Fact]
    public async Task A_bad_parameters_file_is_refused_naming_the_parameter_and_nothing_is_written()
    {
        var file = Path.Combine(_scratch, "dca.json");
        await File.WriteAllTextAsync(file, """{"base_order":100,"safety_order":100,"take_profit":-1}""");
        var outDir = Path.Combine(_scratch, "out");

        var bad = await Tradectl("backtest", "--strategy", "dca", "--params", "@" + file, "--bars", Eth, "--out", outDir);

        Assert.Equal(1, bad.Code);
        Assert.Contains("take_profit must be between 0.01 and 1000 (got -1)", bad.Text);
        Assert.False(Directory.Exists(outDir), "nothing written");

        var unknown = await Tradectl("backtest", "--strategy", "rsi", "--params", """{"period":14,"oversould":25}""", "--bars", Eth, "--out", outDir);
        Assert.Equal(1, unknown.Code);
        Assert.Contains("rsi has no parameter 'oversould'", unknown.Text);
        var missing = await Tradectl("backtest", "--strategy", "dca", "--params", "@" + Path.Combine(_scratch, "absent.json"), "--bars", Eth, "--out", outDir);
        Assert.Equal(1, missing.Code);
        Assert.Contains("--params: cannot read", missing.Text);
        Assert.False(Directory.Exists(outDir), "nothing written");
    }

    [Fact]
    public async Task A_bad_csv_is_refused_naming_the_file_and_the_line()
    {
        var csv = Path.Combine(_scratch, "ETHUSDT-bad.csv");
        var lines = File.ReadAllLines(Eth).Take(40).ToList();
        lines.Add("2024-03-02T16:00:00Z,3400.00,3390.00,3380.00,3395.00,10"); // line 41: high below the open
        await File.WriteAllLinesAsync(csv, lines);
        var outDir = Path.Combine(_scratch, "out");

        var bad = await Tradectl("backtest", "--strategy", "rsi", "--bars", Eth, "--bars", csv, "--symbol", "ETHUSDT", "--symbol", "ETH2", "--out", outDir);

        Assert.Equal(1, bad.Code);
        Assert.Contains(csv, bad.Text);
        Assert.Contains("line 41: high 3390 is below max(open, close) 3400", bad.Text);
        Assert.False(Directory.Exists(outDir), "nothing written");

        var absent = await Tradectl("backtest", "--strategy", "rsi", "--bars", Path.Combine(_scratch, "nowhere.csv"));
        Assert.Equal(1, absent.Code);
        Assert.Contains("cannot read " + Path.Combine(_scratch, "nowhere.csv"), absent.Text);
    }

    [Fact]
    public async Task An_unknown_kind_is_refused_with_the_kinds_there_are()
    {
        var unknown = await Tradectl("backtest", "--strategy", "martingale", "--bars", Eth);

        Assert.Equal(1, unknown.Code);
        Assert.Contains("unknown strategy kind 'martingale' (kinds: rsi, ema-cross, dca, grid)", unknown.Text);
    }

    [Theory]
    [InlineData("--strategy", "rsi")]                                                            // no --bars
    [InlineData("--bars", "BARS")]                                                               // no --strategy
    [InlineData("--strategy", "rsi", "--bars", "BARS", "--fee", "0.5")]                          // out of range
    [InlineData("--strategy", "rsi", "--bars", "BARS", "--symbol", "A", "--symbol", "B")]        // two symbols, one file
    [InlineData("--strategy", "rsi", "--bars", "BARS", "--sweep", "period")]                    // no values
    [InlineData("--strategy", "rsi", "--bars", "BARS", "--sweep", "period=7..x")]
    [InlineData("--strategy", "rsi", "--bars", "BARS", "--rank", "sharpe")]                      // --rank without --sweep
    [InlineData("--strategy", "rsi", "--bars", "BARS", "--sweep", "period=7,14", "--rank", "luck")]
    [InlineData("--strategy", "rsi", "--bars", "BARS", "--frobnicate")]
    public async Task Usage_errors_exit_2(params string[] args)
    {
        var outcome = await Tradectl(["backtest", .. args.Select(a => a == "BARS" ? Eth : a)]);

        Assert.Equal(2, outcome.Code);
        Assert.StartsWith("tradectl:", outcome.Text);
    }

    [Fact]
    public async Task A_sweep_runs_every_point_ranks_them_and_writes_the_same_table_whatever_the_parallelism()
    {
        var parallel = Path.Combine(_scratch, "parallel");
        var serial = Path.Combine(_scratch, "serial");
        string[] sweep = ["backtest", "--strategy", "rsi", "--params", """{"overbought":65}""", "--bars", Eth, "--sweep", "period=7,14,21", "--sweep", "oversold=20..30:5"];

        var table = await Tradectl([.. sweep, "--top", "4", "--out", parallel]);
        var json = await Tradectl([.. sweep, "--parallelism", "1", "--json", "--out", serial]);

        Assert.Equal(0, table.Code);
        Assert.Equal(0, json.Code);
        Assert.Contains("9 points run (0 refused by the kind's rules), ranked by sharpe", table.Text);
        using var ranking = JsonDocument.Parse(json.Text);
        var results = ranking.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal("sharpe", ranking.RootElement.GetProperty("metric").GetString());
        Assert.Equal(9, results.Count);
        Assert.Equal(Enumerable.Range(1, 9), results.Select(r => r.GetProperty("rank").GetInt32()));
        Assert.Equal(Enumerable.Range(0, 9), results.Select(r => r.GetProperty("point").GetInt32()).Order());
        Assert.All(results, r => Assert.Equal(65, r.GetProperty("parameters").GetProperty("overbought").GetDouble()));
        var sharpes = results.Select(r => r.GetProperty("sharpe")).Where(s => s.ValueKind == JsonValueKind.Number).Select(s => s.GetDouble()).ToList();
        Assert.Equal(sharpes.OrderDescending(), sharpes);
        // The table's first row is the best point: rank 1, its point number and its period.
        var best = results[0];
        var firstRow = table.Text.Split('\n').First(l => l.TrimStart().StartsWith("1 ", StringComparison.Ordinal));
        Assert.Equal(["1", best.GetProperty("point").GetInt32().ToString(), best.GetProperty("parameters").GetProperty("period").GetDouble().ToString()],
            firstRow.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(3));
        Assert.Equal(4, table.Text.Split('\n').Count(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s+\d+\s+\d+\s+\d+\s+\d+\s")));
        foreach (var file in new[] { "sweep.csv", "sweep.json" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(serial, file)), File.ReadAllBytes(Path.Combine(parallel, file)));
        Assert.Equal(10, File.ReadAllLines(Path.Combine(parallel, "sweep.csv")).Length);

        // By drawdown the lowest comes first.
        var byDrawdown = await Tradectl([.. sweep, "--rank", "drawdown", "--json"]);
        using var drawdowns = JsonDocument.Parse(byDrawdown.Text);
        var depths = drawdowns.RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("maxDrawdownPct").GetDouble()).ToList();
        Assert.Equal("max-drawdown", drawdowns.RootElement.GetProperty("metric").GetString());
        Assert.Equal(depths.Order(), depths);
    }

    [Fact]
    public async Task A_sweep_whose_every_point_is_refused_or_of_an_unknown_parameter_is_refused()
    {
        var refused = await Tradectl("backtest", "--strategy", "rsi", "--bars", Eth, "--sweep", "oversold=60,70", "--sweep", "overbought=50,55");
        var unknown = await Tradectl("backtest", "--strategy", "rsi", "--bars", Eth, "--sweep", "lookback=1,2");
        var required = await Tradectl("backtest", "--strategy", "grid", "--bars", Eth, "--sweep", "levels=5,10", "--params", """{"lower":3000,"upper":4000}""");

        Assert.Equal((1, 1, 1), (refused.Code, unknown.Code, required.Code));
        Assert.Contains("every point of the sweep is refused, e.g. oversold=60, overbought=50: oversold (60) must be below overbought (50)", refused.Text);
        Assert.Contains("rsi has no parameter 'lookback'", unknown.Text);
        Assert.Contains("level_quote is required", required.Text);
    }

    [Theory]
    [InlineData("data/bars/ETHUSDT-1h.csv", "ETHUSDT")]
    [InlineData("BTCUSDT-PERP-1h.csv", "BTCUSDT")]
    [InlineData("/tmp/SOLUSDT.csv", "SOLUSDT")]
    public void A_symbol_defaults_to_the_file_name_before_its_first_dash(string file, string symbol) =>
        Assert.Equal(symbol, BacktestCommand.SymbolOf(file));

    private sealed record Outcome(int Code, string Text);

    private static Task<Outcome> Tradectl(params string[] args) => Run(args);

    private static async Task<Outcome> Run(string[] args)
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(output), Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 240;
        var code = await TradingActors.Cli.Tradectl.RunAsync(args, console);
        return new Outcome(code, output.ToString());
    }
}

internal static class Repo
{
    public static string Path(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "TradingActors.sln"))) return System.IO.Path.Combine([dir.FullName, .. parts]);
        throw new InvalidOperationException("TradingActors.sln not found above " + AppContext.BaseDirectory);
    }
}
