using System.Text.Json.Serialization;
using TradingActors.Backtesting;

namespace TradingActors.Engine.Backtests;

/// <summary>
/// A backtest job as the coordinator runs it (decision 029): one strategy kind over one dataset with one set of venue
/// settings, either a single run (recorded: report, equity, trades, chart) or a sweep (a grid over parameters; metrics
/// only, ranked). Plain data; stored with the job row (inline bars aside).
/// </summary>
public sealed record BacktestJobSpec(
    string JobId,
    string TenantId,
    string Strategy,
    string Parameters,
    BacktestDataset Dataset,
    string Symbol,
    BacktestVenueSettings Settings,
    IReadOnlyList<SweepAxis>? Sweep,
    string RankBy)
{
    public bool IsSweep => Sweep is { Count: > 0 };
}

/// <summary>One swept parameter and its values, in order.</summary>
public sealed record SweepAxis(string Name, IReadOnlyList<double> Values);

/// <summary>
/// Where a run's bars come from: a dataset file every node has (Kind "file", Name its file name under the node's data
/// directory), or bars the caller sent (Kind "inline", Hash = SHA-256 of the CSV), shipped once to each worker that
/// needs them and cached there. Bars never travel with a run.
/// </summary>
public sealed record BacktestDataset(string Kind, string Name, string Hash)
{
    public const string File = "file";
    public const string Inline = "inline";

    public static BacktestDataset OfFile(string name) => new(File, name, "");

    public static BacktestDataset OfInline(string hash) => new(Inline, "inline", hash);

    public bool IsInline => Kind == Inline;

    /// <summary>The key a node caches the parsed bars under.</summary>
    public string CacheKey => IsInline ? "inline:" + Hash : "file:" + Name;
}

/// <summary>The simulated venue and account of a job (the backtester's <see cref="BacktestSettings"/> plus funding).</summary>
public sealed record BacktestVenueSettings(
    double InitialCash = 10_000,
    double TakerFeeRate = 0.001,
    double MakerFeeRate = 0.001,
    double SlippageBps = 5,
    double SignalBudget = 1.0,
    double? FundingRate = null,
    double FundingIntervalHours = 8)
{
    public BacktestSettings ToSettings(bool record) => new()
    {
        InitialCash = InitialCash,
        TakerFeeRate = TakerFeeRate,
        MakerFeeRate = MakerFeeRate,
        SlippageBps = SlippageBps,
        SignalBudget = SignalBudget,
        EquityCurve = record ? EquityCurveRecording.Full : EquityCurveRecording.None,
        RecordTrades = record,
    };

    public FundingSchedule? Funding => FundingRate is { } rate ? new FundingSchedule(rate, TimeSpan.FromHours(FundingIntervalHours)) : null;
}

/// <summary>Every message of the backtest workers and sweep coordinators (bound to the trading serializer).</summary>
public interface IBacktestMessage : ITradingMessage
{
    string JobId { get; }
}

/// <summary>Coordinator → every engine node's worker (broadcast): this job has runs waiting; pull some.</summary>
public sealed record BacktestWorkAvailable(string JobId) : IBacktestMessage;

/// <summary>Worker → coordinator: hand me up to this many runs (its free slots).</summary>
public sealed record RequestBacktestRuns(string JobId, int Count) : IBacktestMessage;

/// <summary>Coordinator → worker: these runs are yours (fewer than asked: the job has no more waiting).</summary>
public sealed record BacktestRunsGranted(string JobId, IReadOnlyList<BacktestRun> Runs) : IBacktestMessage;

/// <summary>
/// One point of a job: the strategy, its parameters (canonical JSON) and a reference to the bars. Pure: running it twice
/// gives the same figures, so a run whose worker was lost is simply run again elsewhere.
/// </summary>
public sealed record BacktestRun(string JobId, string TenantId, int Point, string Strategy, string Parameters, BacktestDataset Dataset, string Symbol,
    BacktestVenueSettings Settings, bool Record);

/// <summary>Worker → coordinator: the bars of an inline dataset, which this worker has not cached.</summary>
public sealed record FetchBacktestBars(string JobId, string Hash) : IBacktestMessage;

/// <summary>Coordinator → worker: a part of an inline dataset's CSV (UTF-8), in order; the frame size bounds a part.</summary>
public sealed record BacktestBarsChunk(string JobId, string Hash, int Index, int Count, byte[] Data) : IBacktestMessage;

/// <summary>Worker → coordinator: a run finished; its figures, and where and on what it ran.</summary>
public sealed record BacktestRunCompleted(string JobId, int Point, BacktestFigures Figures, string Node, string Dispatcher, string Thread) : IBacktestMessage;

/// <summary>Worker → coordinator: a run could not run (bad data, a missing dataset): the job fails with the reason.</summary>
public sealed record BacktestRunFailed(string JobId, int Point, string Reason, string Node) : IBacktestMessage;

/// <summary>Coordinator → every worker (broadcast): drop and stop this job's runs (cancelled, failed or done).</summary>
public sealed record CancelBacktestRuns(string JobId) : IBacktestMessage;

/// <summary>
/// A run's <see cref="BacktestMetrics"/> on the wire. Doubles travel as round-trip JSON numbers, so the coordinator ranks
/// exactly what the worker computed: a sweep over the cluster gives the same table as one on one thread.
/// </summary>
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record BacktestFigures(
    double InitialCash, double FinalEquity, double TotalReturnPct, double? CagrPct, double MaxDrawdownPct, TimeSpan MaxDrawdownDuration,
    bool MaxDrawdownRecovered, double? Sharpe, double? Sortino, long EquityPoints, double ExposurePct, long Trades, long RoundTrips, long Wins,
    long Losses, double? WinRatePct, double GrossProfit, double GrossLoss, double? ProfitFactor, double FeesPaid, double FundingPaid)
{
    public static BacktestFigures Of(BacktestMetrics m) => new(m.InitialCash, m.FinalEquity, m.TotalReturnPct, m.CagrPct, m.MaxDrawdownPct,
        m.MaxDrawdownDuration, m.MaxDrawdownRecovered, m.Sharpe, m.Sortino, m.EquityPoints, m.ExposurePct, m.Trades, m.RoundTrips, m.Wins, m.Losses,
        m.WinRatePct, m.GrossProfit, m.GrossLoss, m.ProfitFactor, m.FeesPaid, m.FundingPaid);

    public BacktestMetrics ToMetrics() => new(InitialCash, FinalEquity, TotalReturnPct, CagrPct, MaxDrawdownPct, MaxDrawdownDuration, MaxDrawdownRecovered,
        Sharpe, Sortino, EquityPoints, ExposurePct, Trades, RoundTrips, Wins, Losses, WinRatePct, GrossProfit, GrossLoss, ProfitFactor, FeesPaid, FundingPaid);
}

/// <summary>Local: the API hands a validated job to its node's desk, which starts the job's coordinator.</summary>
public sealed record StartBacktestJob(BacktestJobSpec Spec, byte[]? InlineBars);

/// <summary>Local: a DELETE reached this node; the desk tells the job's coordinator if it runs here (others see the row).</summary>
public sealed record CancelBacktestJob(string JobId);
