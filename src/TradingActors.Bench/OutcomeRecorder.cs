using Akka.Actor;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Tenants;

namespace TradingActors.Bench;

/// <summary>
/// Collects <see cref="OrderOutcomePersisted"/> from the node's event stream. The timestamp in each
/// message is taken by the tenant right after its outcome was persisted, so the listener's own
/// mailbox delay does not enter the figures.
/// </summary>
public sealed class OutcomeRecorder
{
    private readonly object _gate = new();
    private readonly int _expected;
    private readonly Dictionary<string, long> _firstFill = new(StringComparer.Ordinal);
    private readonly Dictionary<OrderStatus, int> _byStatus = [];
    private readonly TaskCompletionSource _allFilled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _filledEvents;

    public OutcomeRecorder(int expected) => _expected = expected;

    public Task AllFilled => _allFilled.Task;

    /// <summary>Subscribes a listener actor to the system's event stream (synchronously: in effect before this returns).</summary>
    public IActorRef Attach(ActorSystem system)
    {
        var listener = system.ActorOf(Props.Create(() => new Listener(this)), "bench-outcomes-" + Guid.NewGuid().ToString("N"));
        if (!system.EventStream.Subscribe(listener, typeof(OrderOutcomePersisted)))
            throw new InvalidOperationException("could not subscribe to OrderOutcomePersisted");
        return listener;
    }

    private void Add(OrderOutcomePersisted outcome)
    {
        lock (_gate)
        {
            _byStatus[outcome.Status] = _byStatus.GetValueOrDefault(outcome.Status) + 1;
            if (outcome.Status != OrderStatus.Filled) return;
            _filledEvents++;
            _firstFill.TryAdd(outcome.TenantId, outcome.PersistedTimestamp);
            if (_firstFill.Count >= _expected) _allFilled.TrySetResult();
        }
    }

    /// <summary>First Filled timestamp per tenant (Stopwatch ticks).</summary>
    public long[] FillTimestamps()
    {
        lock (_gate) return [.. _firstFill.Values];
    }

    public string Describe()
    {
        lock (_gate)
        {
            var statuses = string.Join(", ", _byStatus.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}"));
            return $"tenants filled={_firstFill.Count}/{_expected}, Filled events={_filledEvents}, outcomes by status: {(statuses.Length == 0 ? "none" : statuses)}";
        }
    }

    private sealed class Listener : ReceiveActor
    {
        public Listener(OutcomeRecorder recorder) => Receive<OrderOutcomePersisted>(recorder.Add);
    }
}
