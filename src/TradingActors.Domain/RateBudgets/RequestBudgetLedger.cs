namespace TradingActors.Domain.RateBudgets;

/// <summary>
/// A venue's request budget shared by everything behind one egress IP (Bybit: 600 requests per 5 s, then a ban),
/// as the cluster's one keeper grants it: a sliding window, so no span of <see cref="Window"/> ever holds more than
/// <see cref="Limit"/> granted requests — which also holds for the venue's own fixed windows. Grants are counted when
/// granted, whether used or not (a granted request may be sent at any moment of its lease).
/// A keeper that starts does not know what its predecessor granted in the last window: it grants nothing until one
/// window has passed since it started (<see cref="Starting"/>).
/// </summary>
public sealed class RequestBudgetLedger
{
    private readonly Queue<(DateTimeOffset At, int Count)> _grants = new();
    private readonly DateTimeOffset _grantsFrom;
    private int _inWindow;

    public RequestBudgetLedger(int limit, TimeSpan window, DateTimeOffset grantsFrom)
    {
        if (limit <= 0) throw new ArgumentOutOfRangeException(nameof(limit), limit, "a budget needs a positive limit");
        if (window <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(window), window, "a budget needs a positive window");
        Limit = limit;
        Window = window;
        _grantsFrom = grantsFrom;
    }

    /// <summary>A ledger for a keeper starting now: silent for one window, since its predecessor's grants may still count.</summary>
    public static RequestBudgetLedger Starting(int limit, TimeSpan window, DateTimeOffset now) => new(limit, window, now + window);

    public int Limit { get; }
    public TimeSpan Window { get; }

    /// <summary>Requests that may still be granted now.</summary>
    public int Available(DateTimeOffset now)
    {
        Expire(now);
        return now < _grantsFrom ? 0 : Limit - _inWindow;
    }

    /// <summary>Grants up to <paramref name="wanted"/> requests now; how many were granted (0 when the window is full).</summary>
    public int Grant(DateTimeOffset now, int wanted)
    {
        if (wanted <= 0) return 0;
        var granted = Math.Min(wanted, Available(now));
        if (granted == 0) return 0;
        _grants.Enqueue((now, granted));
        _inWindow += granted;
        return granted;
    }

    /// <summary>How long until a request can be granted again: zero when one can now.</summary>
    public TimeSpan WaitFor(DateTimeOffset now)
    {
        if (Available(now) > 0) return TimeSpan.Zero;
        if (now < _grantsFrom) return _grantsFrom - now;
        return _grants.Peek().At + Window - now;
    }

    private void Expire(DateTimeOffset now)
    {
        while (_grants.Count > 0 && _grants.Peek().At + Window <= now)
            _inWindow -= _grants.Dequeue().Count;
    }
}
