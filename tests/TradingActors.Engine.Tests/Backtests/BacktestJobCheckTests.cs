using System.Text;
using TradingActors.Backtesting;
using TradingActors.Engine.Backtests;

namespace TradingActors.Engine.Tests.Backtests;

/// <summary>A job is checked whole before anything is stored (decision 029): each problem names its request field.</summary>
public sealed class BacktestJobCheckTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("ta-check-").FullName;
    private readonly BacktestDatasets _datasets;
    private static readonly BacktestOptions Options = new() { MaxSweepPoints = 100 };

    public BacktestJobCheckTests()
    {
        File.WriteAllText(Path.Combine(_data, "ETHUSDT-1h.csv"), Csv(30));
        _datasets = new BacktestDatasets(_data, 4);
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private static string Csv(int bars)
    {
        var text = new StringBuilder(CandleCsv.Header + "\n");
        for (var i = 0; i < bars; i++) text.Append($"2024-01-01T{i / 60:00}:{i % 60:00}:00Z,{100 + i},{101 + i},{99 + i},{100.5 + i},1\n");
        return text.ToString();
    }

    private static readonly BacktestJobSpec Valid = new("j", "t", "rsi", """{"period":7}""", BacktestDataset.OfFile("ETHUSDT-1h.csv"), "ETHUSDT",
        new BacktestVenueSettings(), null, "sharpe");

    public static TheoryData<BacktestJobSpec, string> Bad() => new()
    {
        { Valid with { Strategy = "martingale" }, "strategy" },
        { Valid with { Parameters = """{"period":1}""" }, "parameters.period" },
        { Valid with { Parameters = """{"oversold":80}""" }, "parameters.oversold" },
        { Valid with { Parameters = """{"nope":1}""" }, "parameters.nope" },
        { Valid with { Parameters = "[1]" }, "parameters" },
        { Valid with { Dataset = BacktestDataset.OfFile("NOPE.csv") }, "dataset" },
        { Valid with { Dataset = BacktestDataset.OfFile("../ETHUSDT-1h.csv") }, "dataset" },
        { Valid with { Symbol = "" }, "symbol" },
        { Valid with { Symbol = "ETH/USDT" }, "symbol" },
        { Valid with { Settings = new BacktestVenueSettings(InitialCash: 0) }, "settings.initialCash" },
        { Valid with { Settings = new BacktestVenueSettings(TakerFeeRate: 0.2) }, "settings.takerFeeRate" },
        { Valid with { Settings = new BacktestVenueSettings(MakerFeeRate: -0.1) }, "settings.makerFeeRate" },
        { Valid with { Settings = new BacktestVenueSettings(SlippageBps: double.NaN) }, "settings.slippageBps" },
        { Valid with { Settings = new BacktestVenueSettings(SignalBudget: 1.5) }, "settings.signalBudget" },
        { Valid with { Settings = new BacktestVenueSettings(FundingRate: 1) }, "settings.fundingRate" },
        { Valid with { Settings = new BacktestVenueSettings(FundingIntervalHours: 0) }, "settings.fundingIntervalHours" },
        { Valid with { Sweep = [new SweepAxis("period", [5, 7]), new SweepAxis("overbought", Enumerable.Range(50, 51).Select(v => (double)v).ToArray())] }, "sweep" },
        { Valid with { Sweep = [new SweepAxis("speed", [1, 2])] }, "sweep.speed" },
        { Valid with { Sweep = [new SweepAxis("period", [])] }, "sweep.period" },
        { Valid with { Sweep = [new SweepAxis("period", [double.PositiveInfinity])] }, "sweep.period" },
        { Valid with { Sweep = [new SweepAxis("oversold", [75, 80])] }, "sweep" },
        { Valid with { Sweep = [new SweepAxis("period", [5]), new SweepAxis("period", [7])] }, "sweep" },
        { Valid with { RankBy = "luck" }, "rankBy" },
    };

    [Theory]
    [MemberData(nameof(Bad))]
    public void Each_problem_names_its_field(BacktestJobSpec spec, string field)
    {
        var problems = BacktestJobCheck.Check(spec, null, _datasets, Options, out _);
        Assert.Contains(problems, p => p.Field == field);
        Assert.All(problems, p => Assert.False(string.IsNullOrWhiteSpace(p.Message)));
    }

    [Fact]
    public void A_valid_backtest_is_one_run_and_a_sweep_one_per_point_the_kind_accepts()
    {
        Assert.Empty(BacktestJobCheck.Check(Valid, null, _datasets, Options, out var one));
        Assert.Equal(1, one);
        var sweep = Valid with { Sweep = [new SweepAxis("period", [5, 7, 9]), new SweepAxis("oversold", [20, 30, 75])] }; // 75 ≥ overbought 70: refused
        Assert.Empty(BacktestJobCheck.Check(sweep, null, _datasets, Options, out var points));
        Assert.Equal(6, points);
    }

    [Fact]
    public void Inline_bars_are_checked_with_the_job()
    {
        var inline = Valid with { Dataset = BacktestDataset.OfInline("h") };
        Assert.Contains(BacktestJobCheck.Check(inline, null, _datasets, Options, out _), p => p.Field == "bars");
        Assert.Empty(BacktestJobCheck.Check(inline, CandleCsv.Parse(Csv(20)), _datasets, Options, out _));
        var bad = CandleCsv.Parse(Csv(20));
        bad[5] = bad[5] with { Low = bad[5].Open + 10 }; // low above the open
        var problem = Assert.Single(BacktestJobCheck.Check(inline, bad, _datasets, Options, out _));
        Assert.Equal("bars", problem.Field);
        Assert.Contains("bar 5", problem.Message);
    }
}
