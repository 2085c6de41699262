using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster;

namespace TradingActors.Node.Ops;

/// <summary>
/// Cluster membership and reachability events as they happen on this node (tradectl cluster tail): an actor
/// subscribed for the length of one request writes them to a channel the request reads.
/// </summary>
public static class MembershipEvents
{
    public sealed record Event(DateTimeOffset Time, string Kind, string Address, string Status, string[] Roles);

    public static async IAsyncEnumerable<Event> FollowAsync(ActorSystem system, TimeProvider time,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var channel = Channel.CreateBounded<Event>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest });
        var listener = system.ActorOf(Props.Create(() => new Listener(channel.Writer, time)));
        try
        {
            await foreach (var e in channel.Reader.ReadAllAsync(ct)) yield return e;
        }
        finally
        {
            system.Stop(listener);
        }
    }

    private sealed class Listener : ReceiveActor
    {
        private readonly Cluster _cluster = Cluster.Get(Context.System);

        public Listener(ChannelWriter<Event> events, TimeProvider time)
        {
            Receive<ClusterEvent.IMemberEvent>(e => events.TryWrite(Of(e.GetType().Name, e.Member, time)));
            Receive<ClusterEvent.UnreachableMember>(e => events.TryWrite(Of("Unreachable", e.Member, time)));
            Receive<ClusterEvent.ReachableMember>(e => events.TryWrite(Of("Reachable", e.Member, time)));
            Receive<ClusterEvent.LeaderChanged>(e => events.TryWrite(new Event(time.GetUtcNow(), "LeaderChanged", e.Leader?.ToString() ?? "-", "", [])));
        }

        private static Event Of(string kind, Member member, TimeProvider time) =>
            new(time.GetUtcNow(), kind, member.Address.ToString(), member.Status.ToString(), member.Roles.Order(StringComparer.Ordinal).ToArray());

        protected override void PreStart() =>
            // Only what happens from now on: `cluster show` gives the state.
            _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
                typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.LeaderChanged));

        protected override void PostStop() => _cluster.Unsubscribe(Self);
    }
}
