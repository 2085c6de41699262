using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Npgsql;

namespace TradingActors.Engine.Membership;

/// <summary>
/// Joins the cluster through the member directory, with no fixed seed (decision 016). The node's row is beaten every
/// heartbeat (marked up once it is an Up member). While not Up: the other fresh up rows are its seed nodes, tried again
/// every JoinRetry with the list read anew (a killed member's row goes stale, new members appear). With no member
/// anywhere, the node takes the formation lock, looks once more, and forms the cluster itself, holding the lock until
/// its row says up: two nodes starting together cannot form two clusters.
/// </summary>
public sealed class ClusterJoiner : ReceiveActor, IWithTimers
{
    public sealed record Settings(TimeSpan Heartbeat, TimeSpan JoinRetry);

    private sealed record Beat;
    private sealed record BeatDone;
    private sealed record Attempt;
    private sealed record SeedsFound(IReadOnlyList<string> Seeds);
    private sealed record FormationChance(IAsyncDisposable? Lock, IReadOnlyList<string> Seeds);
    private sealed record Failed(string What, Exception Cause);

    private static readonly TimeSpan FormationWait = TimeSpan.FromSeconds(1);

    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly NodeDirectory _directory;
    private readonly Settings _settings;
    private IAsyncDisposable? _formationLock;
    private bool _beating;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(NodeDirectory directory, Settings settings) =>
        Akka.Actor.Props.Create(() => new ClusterJoiner(directory, settings));

    public ClusterJoiner(NodeDirectory directory, Settings settings)
    {
        _directory = directory;
        _settings = settings;

        Receive<Beat>(_ =>
        {
            if (_beating) return; // the last beat is still running: one at a time
            _beating = true;
            _directory.BeatAsync(IsUp, CancellationToken.None).WaitAsync(_settings.Heartbeat)
                .PipeTo(Self, success: () => new BeatDone(), failure: e => new Failed("heartbeat", e));
        });
        Receive<BeatDone>(_ =>
        {
            _beating = false;
            // The row says up now: nodes waiting for the formation lock will find this one and join it.
            if (IsUp) ReleaseFormationLock();
        });

        Receive<Attempt>(_ =>
        {
            if (IsJoined) return;
            _directory.UpMembersAsync(CancellationToken.None)
                .PipeTo(Self, success: seeds => new SeedsFound(seeds), failure: e => new Failed("reading the member directory", e));
        });
        Receive<SeedsFound>(found =>
        {
            if (IsJoined) return;
            if (found.Seeds.Count > 0)
            {
                JoinThrough(found.Seeds);
                return;
            }
            TakeFormationChance().PipeTo(Self, failure: e => new Failed("taking the formation lock", e));
        });
        Receive<FormationChance>(chance =>
        {
            if (chance.Lock is null)
            {
                Timers.StartSingleTimer("attempt", new Attempt(), FormationWait); // another node is forming: join it soon
                return;
            }
            if (chance.Seeds.Count > 0 || IsJoined)
            {
                _ = chance.Lock.DisposeAsync();
                if (!IsJoined) JoinThrough(chance.Seeds);
                return;
            }
            _formationLock = chance.Lock;
            _log.Info("no cluster member in the directory: forming the cluster at {0}", _cluster.SelfAddress);
            _cluster.Join(_cluster.SelfAddress);
            Timers.StartSingleTimer("attempt", new Attempt(), _settings.JoinRetry);
        });
        Receive<ClusterEvent.MemberUp>(up =>
        {
            if (up.Member.Address == _cluster.SelfAddress) Self.Tell(new Beat());
        });
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<Failed>(failed =>
        {
            _log.Warning("cluster membership: {0} failed: {1}", failed.What, failed.Cause.Message);
            if (failed.What == "heartbeat") _beating = false;
            else Timers.StartSingleTimer("attempt", new Attempt(), FormationWait);
        });
    }

    private bool IsUp => _cluster.SelfMember.Status == MemberStatus.Up;

    /// <summary>A cluster welcomed the node (it is in the membership it sees): no more attempts.</summary>
    private bool IsJoined => _cluster.State.Members.Any(m => m.UniqueAddress.Equals(_cluster.SelfUniqueAddress));

    private void JoinThrough(IReadOnlyList<string> seeds)
    {
        _log.Info("joining the cluster through {0}", string.Join(", ", seeds));
        _cluster.JoinSeedNodes(seeds.Select(Address.Parse));
        Timers.StartSingleTimer("attempt", new Attempt(), _settings.JoinRetry);
    }

    private async Task<FormationChance> TakeFormationChance()
    {
        var taken = await _directory.TryTakeFormationLockAsync(CancellationToken.None);
        if (taken is null) return new FormationChance(null, []);
        try
        {
            return new FormationChance(taken, await _directory.UpMembersAsync(CancellationToken.None));
        }
        catch (NpgsqlException)
        {
            await taken.DisposeAsync();
            throw;
        }
    }

    private void ReleaseFormationLock()
    {
        if (_formationLock is null) return;
        _ = _formationLock.DisposeAsync();
        _formationLock = null;
    }

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent));
        Timers.StartPeriodicTimer("beat", new Beat(), TimeSpan.Zero, _settings.Heartbeat);
        Self.Tell(new Attempt());
    }

    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);
        ReleaseFormationLock();
    }
}
