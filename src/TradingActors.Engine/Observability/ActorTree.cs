using Akka.Actor;

namespace TradingActors.Node.Ops;

/// <summary>
/// The actors under a path on this node, level by level (tradectl actor hierarchy): each level is found by sending
/// Identify to "path/*" and collecting who answers within a short window, the way Akka's own tools look without a
/// registry of children. Bounded: a tenant region can hold thousands of actors.
/// </summary>
public static class ActorTree
{
    public const int MaxActors = 2000;
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(300);

    public sealed record Node(string Path, int Depth);

    public static async Task<IReadOnlyList<Node>> ListAsync(ActorSystem system, string root, int depth)
    {
        var found = new List<Node>();
        var level = new List<string> { root };
        for (var d = 1; d <= depth && level.Count > 0 && found.Count < MaxActors; d++)
        {
            var next = new List<string>();
            foreach (var children in await Task.WhenAll(level.Select(parent => ChildrenOf(system, parent))))
                foreach (var child in children.Order(StringComparer.Ordinal))
                {
                    if (found.Count >= MaxActors) break;
                    found.Add(new Node(child, d));
                    next.Add(child);
                }
            level = next;
        }
        return found.OrderBy(n => n.Path, StringComparer.Ordinal).ToList();
    }

    private static async Task<List<string>> ChildrenOf(ActorSystem system, string parent)
    {
        var collector = system.ActorOf(Props.Create(() => new Collector()));
        return await collector.Ask<List<string>>(parent.TrimEnd('/') + "/*", TimeSpan.FromSeconds(5));
    }

    private sealed class Collector : ReceiveActor
    {
        public Collector()
        {
            var found = new List<string>();
            IActorRef? replyTo = null;
            Receive<string>(selection =>
            {
                replyTo = Sender;
                Context.ActorSelection(selection).Tell(new Identify(null));
                Context.System.Scheduler.ScheduleTellOnce(Window, Self, ReceiveTimeout.Instance, Self);
            });
            Receive<ActorIdentity>(i => { if (i.Subject is not null) found.Add(i.Subject.Path.ToStringWithoutAddress()); });
            Receive<ReceiveTimeout>(_ =>
            {
                replyTo?.Tell(found);
                Context.Stop(Self);
            });
        }
    }
}
