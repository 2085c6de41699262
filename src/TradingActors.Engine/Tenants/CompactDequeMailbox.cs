using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace TradingActors.Engine.Tenants;

/// <summary>
/// The tenants' mailbox. Akka's default queue (a ConcurrentQueue) allocates a 32-slot segment
/// per actor up front, ~0.8 KB that every resident tenant carries although its mailbox is
/// almost always empty. This one starts empty and grows on demand; a tenant's traffic is a
/// few messages at a time, so a lock per operation costs nothing measurable. Deque-based
/// because persistent actors stash (and unstash to the front).
/// </summary>
public sealed class CompactDequeMailbox(Settings settings, Config config)
    : MailboxType(settings, config), IProducesMessageQueue<CompactDequeMessageQueue>
{
    /// <summary>Mailbox id in cluster-config/base.conf.</summary>
    public const string Id = "trading.tenant-mailbox";

    public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new CompactDequeMessageQueue();
}

/// <summary>A lock-guarded ring buffer with front insertion; empty until the first message.</summary>
public sealed class CompactDequeMessageQueue : IMessageQueue, IUnboundedDequeBasedMessageQueueSemantics
{
    private Envelope[] _items = [];
    private int _head;
    private int _count;

    public bool HasMessages
    {
        get { lock (this) return _count > 0; }
    }

    public int Count
    {
        get { lock (this) return _count; }
    }

    public void Enqueue(IActorRef receiver, Envelope envelope)
    {
        lock (this)
        {
            if (_count == _items.Length) Grow();
            _items[(_head + _count) % _items.Length] = envelope;
            _count++;
        }
    }

    public void EnqueueFirst(Envelope envelope)
    {
        lock (this)
        {
            if (_count == _items.Length) Grow();
            _head = (_head - 1 + _items.Length) % _items.Length;
            _items[_head] = envelope;
            _count++;
        }
    }

    public bool TryDequeue(out Envelope envelope)
    {
        lock (this)
        {
            if (_count == 0)
            {
                envelope = default;
                return false;
            }
            envelope = _items[_head];
            _items[_head] = default; // let the message be collected
            _head = (_head + 1) % _items.Length;
            _count--;
            if (_count == 0 && _items.Length > 64) (_items, _head) = ([], 0); // a burst's buffer is not kept
            return true;
        }
    }

    public void CleanUp(IActorRef owner, IMessageQueue deadletters)
    {
        while (TryDequeue(out var envelope)) deadletters.Enqueue(owner, envelope);
    }

    private void Grow()
    {
        var larger = new Envelope[Math.Max(4, _items.Length * 2)];
        for (var i = 0; i < _count; i++) larger[i] = _items[(_head + i) % _items.Length];
        (_items, _head) = (larger, 0);
    }
}
