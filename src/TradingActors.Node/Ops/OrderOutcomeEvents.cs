using System.Diagnostics;
using System.Threading.Channels;
using Akka.Actor;
using TradingActors.Engine.ReadModels;
using TradingActors.Engine.Tenants;

namespace TradingActors.Node.Ops;

/// <summary>
/// Order outcomes persisted by this node's tenants, as they happen (GET /ops/orders/events): an actor subscribed to the
/// node's event stream for the length of one request writes them to a channel the request reads. The subscription is
/// in effect when <see cref="Follow"/> returns, so an outcome persisted after that is never missed.
/// </summary>
public sealed class OrderOutcomeEvents : IDisposable
{
    /// <summary>Outcomes a slow reader may fall behind by before newer ones are dropped (and the drop reported).</summary>
    public const int Capacity = 100_000;

    /// <summary>PersistedAt: when the tenant's persist callback ran (its Stopwatch timestamp, on this node's UTC clock).</summary>
    public sealed record Event(string TenantId, string ClientOrderId, string Status, DateTimeOffset PersistedAt);

    private readonly ActorSystem _system;
    private readonly IActorRef _listener;
    private readonly Channel<Event> _channel = Channel.CreateBounded<Event>(new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropWrite });
    private long _dropped;

    private OrderOutcomeEvents(ActorSystem system)
    {
        _system = system;
        _listener = system.ActorOf(Props.Create(() => new Listener(this)));
        // Synchronous: in effect before the caller tells its client it is following.
        if (!system.EventStream.Subscribe(_listener, typeof(OrderOutcomePersisted)))
            throw new InvalidOperationException("could not subscribe to order outcomes");
    }

    public static OrderOutcomeEvents Follow(ActorSystem system) => new(system);

    public ChannelReader<Event> Reader => _channel.Reader;

    /// <summary>Outcomes dropped so far because the reader was <see cref="Capacity"/> behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public void Dispose()
    {
        _system.EventStream.Unsubscribe(_listener);
        _system.Stop(_listener);
    }

    private void Add(OrderOutcomePersisted outcome)
    {
        // The tenant took a Stopwatch timestamp right after its event was persisted; this converts it to wall-clock time
        // here (microseconds of skew at most), so other processes on the host can compare it with their own clock.
        var persistedAt = DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(outcome.PersistedTimestamp);
        if (!_channel.Writer.TryWrite(new Event(outcome.TenantId, outcome.ClientOrderId, ReadModelNames.Status(outcome.Status), persistedAt)))
            Interlocked.Increment(ref _dropped);
    }

    private sealed class Listener : ReceiveActor
    {
        public Listener(OrderOutcomeEvents events) => Receive<OrderOutcomePersisted>(events.Add);
    }
}
