namespace TradingActors.Engine.Backtests;

/// <summary>Backtest jobs and parameter sweeps in the cluster ("Trading:Backtests", decision 029), validated at start.</summary>
public sealed class BacktestOptions
{
    /// <summary>
    /// Threads of the backtest dispatcher on each engine node, and so how many runs a node's worker runs at once (it pulls
    /// no more). 0: the node's cores. The dispatcher's threads are its own: tenants, buckets and strategies never wait
    /// behind a backtest for a thread of theirs.
    /// </summary>
    public int Threads { get; set; }

    /// <summary>Where a node finds the datasets jobs name (every *.csv file; data/bars by default, found like the replay file).</summary>
    public string DataDirectory { get; set; } = "data/bars";

    /// <summary>Datasets (parsed bars) a node keeps in memory, most recently used first.</summary>
    public int CachedDatasets { get; set; } = 8;

    /// <summary>A sweep of more points than this is refused.</summary>
    public int MaxSweepPoints { get; set; } = 1_000;

    /// <summary>Jobs a user may have queued or running at once.</summary>
    public int MaxConcurrentJobsPerUser { get; set; } = 2;

    /// <summary>Bars sent inline (CSV text in the request) larger than this are refused.</summary>
    public int MaxInlineBarsBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// A single backtest keeps every bar's equity and every trade (its documents are stored with the job): one over more
    /// bars than this fails, saying so (a sweep, which keeps only metrics, has no such cap).
    /// </summary>
    public int MaxRecordedBars { get; set; } = 250_000;

    /// <summary>A running job whose coordinator has not touched its row for this long (its node stopped) is marked failed.</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromSeconds(30);

    public int ThreadCount => Threads > 0 ? Threads : Environment.ProcessorCount;

    public IEnumerable<string> Validate()
    {
        if (Threads is < 0 or > 256) yield return "Trading:Backtests:Threads must be in 0..256 (0: the node's cores)";
        if (string.IsNullOrWhiteSpace(DataDirectory)) yield return "Trading:Backtests:DataDirectory is required";
        if (CachedDatasets is < 1 or > 1_000) yield return "Trading:Backtests:CachedDatasets must be in 1..1000";
        if (MaxSweepPoints is < 1 or > Backtesting.ParameterGrid.DefaultMaxPoints) yield return $"Trading:Backtests:MaxSweepPoints must be in 1..{Backtesting.ParameterGrid.DefaultMaxPoints}";
        if (MaxConcurrentJobsPerUser is < 1 or > 1_000) yield return "Trading:Backtests:MaxConcurrentJobsPerUser must be in 1..1000";
        if (MaxInlineBarsBytes is < 1024 or > 64 * 1024 * 1024) yield return "Trading:Backtests:MaxInlineBarsBytes must be in 1 KiB..64 MiB";
        if (MaxRecordedBars is < 1_000 or > 10_000_000) yield return "Trading:Backtests:MaxRecordedBars must be in 1000..10000000";
        if (StaleAfter < TimeSpan.FromSeconds(5)) yield return "Trading:Backtests:StaleAfter must be at least 5 s";
    }
}
