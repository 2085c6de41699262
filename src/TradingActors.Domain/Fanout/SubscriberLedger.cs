namespace TradingActors.Domain.Fanout;

/// <summary>What a fan-out bucket tells one member about a signal: the signal itself, or to catch up from the strategy's journal.</summary>
public readonly record struct MemberNotice(string TenantId, bool CarriesSignal);

/// <summary>
/// A fan-out bucket's record of its members' progress: per member, the sequence it has acknowledged through
/// (-1 until it answers after the bucket started) and when the bucket last told it anything. Delivery is
/// at-least-once until a member acknowledges the latest sequence, but a member is told again only once the
/// bucket has been quiet towards it for a while, and only once no member has acknowledged anything new for that
/// long: while signals flow every member already hears of each one, and while acknowledgements still arrive the
/// fan-out is slow, not lost (a large one takes longer than the quiet interval under load), so a redelivery on top
/// only doubles the messages and the work of members still queued.
/// Mutable by design: one bucket holds thousands of members and is told of every signal.
/// </summary>
public sealed class SubscriberLedger
{
    private const long NeverTold = long.MinValue;
    private readonly Dictionary<string, Progress> _members = new(StringComparer.Ordinal);
    private long _acknowledgedAtTicks = NeverTold; // when a member last acknowledged a sequence it had not before

    // A class, so a signal updates every member without re-hashing its id or touching the dictionary it walks.
    private sealed class Progress(long acked, long toldAtTicks)
    {
        public long Acked = acked;
        public long ToldAtTicks = toldAtTicks;
        public bool Behind(long latest) => Acked < 0 || Acked < latest;
    }

    /// <summary>The strategy's latest sequence as far as the bucket knows; -1 until it has read it.</summary>
    public long Latest { get; private set; } = -1;

    public int Count => _members.Count;

    public IEnumerable<string> Members => _members.Keys;

    public bool Contains(string tenantId) => _members.ContainsKey(tenantId);

    /// <summary>Members that have not acknowledged the latest sequence, or whose progress is unknown.</summary>
    public int Lagging => _members.Values.Count(p => p.Behind(Latest));

    /// <summary>A member recovered from the bucket's journal: its progress is unknown and it has been told nothing.</summary>
    public void Add(string tenantId) => _members[tenantId] = new Progress(-1, NeverTold);

    public void Remove(string tenantId) => _members.Remove(tenantId);

    /// <summary>
    /// A tenant registering, having processed through <paramref name="lastProcessed"/> (progress never goes back).
    /// True when it is behind the latest sequence and must be told to catch up (it counts as told now).
    /// </summary>
    public bool Register(string tenantId, long lastProcessed, DateTimeOffset now)
    {
        if (!_members.TryGetValue(tenantId, out var progress)) _members[tenantId] = progress = new Progress(-1, NeverTold);
        progress.Acked = Math.Max(progress.Acked, lastProcessed);
        if (Latest <= progress.Acked) return false;
        progress.ToldAtTicks = now.UtcTicks;
        return true;
    }

    /// <summary>A member has persisted outcomes through <paramref name="through"/>; older, repeated or non-members' acknowledgements change nothing.</summary>
    public void Acknowledge(string tenantId, long through, DateTimeOffset now)
    {
        if (!_members.TryGetValue(tenantId, out var progress) || through <= progress.Acked) return;
        progress.Acked = through;
        _acknowledgedAtTicks = now.UtcTicks;
    }

    /// <summary>
    /// The latest sequence read from the journal or a strategy tick. A later one than known is news: every member
    /// behind it (on start, every member: this also wakes it) is told to catch up, however recently it was told before.
    /// </summary>
    public IReadOnlyList<string> Learn(long latest, DateTimeOffset now)
    {
        if (latest <= Latest) return [];
        Latest = latest;
        return TellLagging(now, toldBefore: long.MaxValue);
    }

    /// <summary>
    /// A signal from the strategy. A member exactly one behind gets the signal itself; the others (or those of
    /// unknown progress) are told to catch up from the journal. A signal not newer than the latest is not news:
    /// nobody is told (members behind it are redelivered to).
    /// </summary>
    public IReadOnlyList<MemberNotice> Signal(long sequence, DateTimeOffset now)
    {
        if (sequence <= Latest) return [];
        var caughtUp = Latest; // -1 while unknown: nobody is exactly one behind then
        Latest = sequence;
        var notices = new List<MemberNotice>(_members.Count);
        foreach (var (tenant, progress) in _members)
        {
            notices.Add(new MemberNotice(tenant, progress.Acked == caughtUp && caughtUp == sequence - 1));
            progress.ToldAtTicks = now.UtcTicks;
        }
        return notices;
    }

    /// <summary>
    /// Members behind the latest sequence that the bucket has told nothing for at least <paramref name="quiet"/>:
    /// they are told again (without limit: until they acknowledge). Nobody while the latest is unknown, nor while
    /// members are still acknowledging (the last new acknowledgement less than <paramref name="quiet"/> ago).
    /// </summary>
    public IReadOnlyList<string> Redeliver(DateTimeOffset now, TimeSpan quiet)
    {
        var since = now.UtcTicks - quiet.Ticks;
        return Latest < 0 || _acknowledgedAtTicks > since ? [] : TellLagging(now, toldBefore: since);
    }

    private List<string> TellLagging(DateTimeOffset now, long toldBefore)
    {
        var told = new List<string>();
        foreach (var (tenant, progress) in _members)
        {
            if (!progress.Behind(Latest) || progress.ToldAtTicks > toldBefore) continue;
            told.Add(tenant);
            progress.ToldAtTicks = now.UtcTicks;
        }
        return told;
    }
}
