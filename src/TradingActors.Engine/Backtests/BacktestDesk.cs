using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace TradingActors.Engine.Backtests;

/// <summary>
/// Every node's desk for backtest jobs, at /user/backtests (decision 029): starts a job's <see cref="SweepCoordinator"/>
/// when the API on this node has stored it, passes a cancel to it, and every few seconds fails the jobs whose coordinator
/// is gone (its member left the cluster, or it stopped touching its row): a job dies with the node that ran it, and says so.
/// </summary>
public sealed class BacktestDesk : ReceiveActor, IWithTimers
{
    public const string Name = "backtests";

    private readonly BacktestJobStore _store;
    private readonly IActorRef _workers;
    private readonly TimeSpan _staleAfter;
    private readonly TimeSpan _coordinatorTick;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private bool _sweeping;

    public BacktestDesk(BacktestJobStore store, IActorRef workers, TimeSpan staleAfter, TimeSpan janitorInterval, TimeSpan coordinatorTick)
    {
        _store = store;
        _workers = workers;
        _staleAfter = staleAfter;
        _coordinatorTick = coordinatorTick;

        Receive<StartBacktestJob>(m =>
        {
            if (!Context.Child(m.Spec.JobId).IsNobody()) return;
            Context.ActorOf(SweepCoordinator.Props(m.Spec, m.InlineBars, _store, _workers, _coordinatorTick), m.Spec.JobId);
        });
        Receive<CancelBacktestJob>(m => Context.Child(m.JobId).Forward(m));
        Receive<SweepOrphans>(_ =>
        {
            var cluster = Cluster.Get(Context.System);
            if (_sweeping || cluster.SelfMember.Status != MemberStatus.Up) return;
            _sweeping = true;
            var members = cluster.State.Members.Where(m => m.Status is MemberStatus.Up or MemberStatus.Joining or MemberStatus.WeaklyUp or MemberStatus.Leaving)
                .Select(m => OwnerOf(m.UniqueAddress)).ToHashSet(StringComparer.Ordinal);
            _store.FailOrphansAsync(members, _staleAfter, CancellationToken.None).PipeTo(Self, success: ids => new Swept(ids));
        });
        Receive<Swept>(m =>
        {
            _sweeping = false;
            foreach (var id in m.Failed) _log.Warning("backtest job {0} failed: the node that ran it is gone", id);
        });
        Receive<Status.Failure>(m =>
        {
            _sweeping = false;
            _log.Warning("backtest jobs: could not look for orphaned jobs: {0}", m.Cause.Message);
        });
        Timers.StartPeriodicTimer("orphans", SweepOrphans.Instance, TimeSpan.FromSeconds(2), janitorInterval);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>How a job names the member its coordinator runs on: address and incarnation (a restarted node is another owner).</summary>
    public static string OwnerOf(UniqueAddress member) => $"{member.Address}#{member.Uid}";

    public static Props Props(BacktestJobStore store, IActorRef workers, TimeSpan staleAfter, TimeSpan? janitorInterval = null, TimeSpan? coordinatorTick = null) =>
        Akka.Actor.Props.Create(() => new BacktestDesk(store, workers, staleAfter, janitorInterval ?? TimeSpan.FromSeconds(5), coordinatorTick ?? TimeSpan.FromSeconds(1)));

    private sealed record SweepOrphans
    {
        public static readonly SweepOrphans Instance = new();
    }

    private sealed record Swept(IReadOnlyList<string> Failed);
}
