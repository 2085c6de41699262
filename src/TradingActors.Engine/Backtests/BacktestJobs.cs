using Akka.Actor;
using Akka.Cluster;
using TradingActors.Backtesting;
using TradingActors.Domain.Market;

namespace TradingActors.Engine.Backtests;

/// <summary>What became of a submitted job.</summary>
public abstract record BacktestSubmission
{
    /// <summary>Stored (queued) and handed to this node's desk; it makes <paramref name="Points"/> runs.</summary>
    public sealed record Accepted(string JobId, int Points) : BacktestSubmission;

    /// <summary>Refused as it is: nothing was stored.</summary>
    public sealed record Invalid(IReadOnlyList<BacktestJobProblem> Problems) : BacktestSubmission;

    /// <summary>The tenant already has the most jobs it may have queued or running: nothing was stored.</summary>
    public sealed record TooManyJobs(int Active, int Max) : BacktestSubmission;
}

/// <summary>
/// Taking a backtest job on this node (decision 029): checked (<see cref="BacktestJobCheck"/>), stored queued under the
/// tenant's cap, then started by this node's desk, whose coordinator owns it from then on.
/// </summary>
public sealed class BacktestJobs(BacktestJobStore store, BacktestDatasets datasets, Hosting.TradingEngineOptions options)
{
    public BacktestOptions Options => options.Backtests;

    public BacktestDatasets Datasets => datasets;

    public BacktestJobStore Store => store;

    public async Task<BacktestSubmission> SubmitAsync(ActorSystem system, IActorRef desk, BacktestJobSpec spec, byte[]? inlineCsv, CancellationToken ct)
    {
        Candle[]? bars = null;
        if (inlineCsv is not null)
        {
            try
            {
                bars = CandleCsv.Parse(System.Text.Encoding.UTF8.GetString(inlineCsv));
            }
            catch (FormatException e)
            {
                return new BacktestSubmission.Invalid([new BacktestJobProblem("bars.csv", e.Message)]);
            }
        }
        var problems = BacktestJobCheck.Check(spec, bars, datasets, options.Backtests, out var points);
        if (problems.Count > 0) return new BacktestSubmission.Invalid(problems);
        var owner = BacktestDesk.OwnerOf(Cluster.Get(system).SelfUniqueAddress);
        var (outcome, active) = await store.CreateAsync(spec, points, owner, options.Backtests.MaxConcurrentJobsPerUser, ct);
        if (outcome == BacktestJobStore.CreateOutcome.TooManyActive)
            return new BacktestSubmission.TooManyJobs(active, options.Backtests.MaxConcurrentJobsPerUser);
        desk.Tell(new StartBacktestJob(spec, inlineCsv));
        return new BacktestSubmission.Accepted(spec.JobId, points);
    }

    /// <summary>The user's cancel; the job's coordinator stops on this node at once, on another at its next tick.</summary>
    public async Task<(string? Status, bool Cancelled)> CancelAsync(IActorRef desk, string jobId, string tenantId, CancellationToken ct)
    {
        var outcome = await store.CancelAsync(jobId, tenantId, ct);
        if (outcome.Cancelled) desk.Tell(new CancelBacktestJob(jobId));
        return outcome;
    }

    /// <summary>A new job id: 32 hex digits.</summary>
    public static string NewId() => Guid.NewGuid().ToString("N");
}
