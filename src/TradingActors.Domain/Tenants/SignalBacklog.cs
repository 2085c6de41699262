using TradingActors.Domain.Strategies;

namespace TradingActors.Domain.Tenants;

/// <summary>
/// One tenant's signals of one strategy that arrived ahead of their turn (a gap, or an unresolved
/// order deferring them). Kept in memory only: the strategy's journal is the source of truth, so the
/// backlog is bounded and anything it drops is fetched again (<see cref="Missing"/>).
/// Signals are executed strictly in sequence: the next is always LastProcessed + 1.
/// </summary>
public sealed class SignalBacklog
{
    public const int DefaultCapacity = 100;

    private readonly int _capacity;

    public SignalBacklog(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    private readonly SortedList<long, Signal> _pending = [];

    /// <summary>The highest sequence the strategy is known to have published.</summary>
    public long KnownThrough { get; private set; }

    public int Count => _pending.Count;

    /// <summary>Keeps a signal newer than <paramref name="lastProcessed"/>; beyond capacity the newest are dropped (fetched again later).</summary>
    public void Offer(Signal signal, long lastProcessed)
    {
        Announce(signal.Sequence);
        if (signal.Sequence <= lastProcessed || _pending.ContainsKey(signal.Sequence)) return;
        if (_pending.Count >= _capacity)
        {
            // Stryker disable once Equality : an equal sequence is already pending and returned above
            if (signal.Sequence > _pending.Keys[^1]) return;
            _pending.RemoveAt(_pending.Count - 1);
        }
        _pending.Add(signal.Sequence, signal);
    }

    /// <summary>The strategy has published through <paramref name="sequence"/>.</summary>
    public void Announce(long sequence)
    {
        // Stryker disable once Equality : assigning an equal value changes nothing
        if (sequence > KnownThrough) KnownThrough = sequence;
    }

    /// <summary>The signal to execute next (LastProcessed + 1), if it is here; forgets what is already processed.</summary>
    public Signal? Next(long lastProcessed)
    {
        while (_pending.Count > 0 && _pending.Keys[0] <= lastProcessed) _pending.RemoveAt(0);
        return _pending.Count > 0 && _pending.Keys[0] == lastProcessed + 1 ? _pending.Values[0] : null;
    }

    /// <summary>
    /// The range to fetch from the strategy's journal (at most <paramref name="page"/> signals), or
    /// null when the next signal is here or nothing newer is known.
    /// </summary>
    public (long From, long To)? Missing(long lastProcessed, int page)
    {
        if (Next(lastProcessed) is not null || KnownThrough <= lastProcessed) return null;
        var from = lastProcessed + 1;
        var to = _pending.Count > 0 ? _pending.Keys[0] - 1 : KnownThrough;
        return (from, Math.Min(to, from + page - 1));
    }

    /// <summary>Nothing pending and nothing newer known than <paramref name="lastProcessed"/>.</summary>
    public bool IsCaughtUp(long lastProcessed) => KnownThrough <= lastProcessed && Next(lastProcessed) is null && _pending.Count == 0;
}
