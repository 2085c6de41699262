using Akka.Actor;

namespace TradingActors.Engine.Observability;

/// <summary>
/// Actors on this node found by actor selection (wildcards allowed) without a registry of children: Identify is sent
/// to the selection and whoever answers within a short window is collected. Used by tradectl's actor hierarchy (level
/// by level, bounded: a tenant region can hold thousands of actors) and by tests that look for entities.
/// </summary>
public static class ActorTree
{
    public const int MaxActors = 2000;
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(300);

    public sealed record Node(string Path, int Depth);

    /// <summary>The actors matching <paramref name="selection"/> that answered Identify within the window.</summary>
    public static async Task<List<IActorRef>> FindAsync(ActorSystem system, string selection)
    {
        var collector = system.ActorOf(Props.Create(() => new Collector()));
        return await collector.Ask<List<IActorRef>>(selection, TimeSpan.FromSeconds(5));
    }

    /// <summary>The actors under <paramref name="root"/>, <paramref name="depth"/> levels deep, in path order.</summary>
    public static async Task<IReadOnlyList<Node>> ListAsync(ActorSystem system, string root, int depth)
    {
        var found = new List<Node>();
        var level = new List<string> { root };
        for (var d = 1; d <= depth && level.Count > 0 && found.Count < MaxActors; d++)
        {
            var next = new List<string>();
            foreach (var children in await Task.WhenAll(level.Select(parent => FindAsync(system, parent.TrimEnd('/') + "/*"))))
                foreach (var child in children.Select(c => c.Path.ToStringWithoutAddress()).Order(StringComparer.Ordinal))
                {
                    if (found.Count >= MaxActors) break;
                    found.Add(new Node(child, d));
                    next.Add(child);
                }
            level = next;
        }
        return found.OrderBy(n => n.Path, StringComparer.Ordinal).ToList();
    }

    private sealed class Collector : ReceiveActor
    {
        public Collector()
        {
            var found = new List<IActorRef>();
            IActorRef? replyTo = null;
            Receive<string>(selection =>
            {
                replyTo = Sender;
                Context.ActorSelection(selection).Tell(new Identify(null));
                Context.System.Scheduler.ScheduleTellOnce(Window, Self, ReceiveTimeout.Instance, Self);
            });
            Receive<ActorIdentity>(i => { if (i.Subject is not null) found.Add(i.Subject); });
            Receive<ReceiveTimeout>(_ =>
            {
                replyTo?.Tell(found);
                Context.Stop(Self);
            });
        }
    }
}
