using System.Collections.Concurrent;
using TradingActors.Domain.Market;
using TradingActors.Domain.Tenants;

namespace TradingActors.Engine.Tenants;

/// <summary>
/// The venues' own instrument rules (tick, lot, minimum notional) as this node learnt them (decision 025), shared by
/// every tenant on the node: a venue's rules are the same for all its accounts of one mode, so a burst of tenants on
/// one signal asks the venue once, not once each. Rules are kept for <see cref="KeptFor"/>; a venue that could not be
/// asked is not asked again for <see cref="RetryAfter"/>, and meanwhile the engine's table stands in for it.
/// The embedded paper venue always trades by the engine's table.
/// </summary>
public sealed class VenueInstrumentBook
{
    public static readonly TimeSpan KeptFor = TimeSpan.FromHours(6);
    public static readonly TimeSpan RetryAfter = TimeSpan.FromMinutes(1);

    private readonly record struct Key(string Venue, AccountMode Mode, string Symbol);

    /// <summary>What the venue said (null: it does not list the symbol), or Failed when it could not be asked.</summary>
    private sealed record Entry(Instrument? Rules, bool Failed, DateTimeOffset LearntAt);

    private readonly ConcurrentDictionary<Key, Entry> _entries = new();
    private readonly ConcurrentDictionary<Key, Lazy<Task>> _learning = new();

    /// <summary>The rules planning uses for this account and symbol now.</summary>
    public InstrumentRule Find(LinkedAccount account, string symbol, DateTimeOffset now)
    {
        if (account.IsEmbeddedPaper) return InstrumentRule.FromEngineTable(symbol);
        if (!_entries.TryGetValue(KeyOf(account, symbol), out var entry) || IsDue(entry, now)) return new InstrumentRule.Unlearnt();
        if (entry.Failed) return InstrumentRule.FromEngineTable(symbol);
        return entry.Rules is { } rules ? new InstrumentRule.Known(rules) : new InstrumentRule.NotTraded($"{account.Venue} does not list {symbol}");
    }

    /// <summary>
    /// Asks the venue (through <paramref name="ask"/>, the calling account's session) unless another account's session
    /// is asking already, in which case its answer serves both. Never throws: a failure is remembered as one.
    /// </summary>
    public Task LearnAsync(string venue, AccountMode mode, string symbol, Func<Task<Instrument?>> ask, TimeProvider time)
    {
        var key = new Key(venue, mode, symbol);
        // Learnt (or failed) since the tenant planned: that answer serves this ask too.
        if (_entries.TryGetValue(key, out var entry) && !IsDue(entry, time.GetUtcNow())) return Task.CompletedTask;
        var learning = _learning.GetOrAdd(key, k => new Lazy<Task>(() => AskAsync(k, ask, time)));
        return learning.Value;
    }

    private async Task AskAsync(Key key, Func<Task<Instrument?>> ask, TimeProvider time)
    {
        try
        {
            Instrument? rules;
            try
            {
                rules = await ask();
            }
            catch (Exception)
            {
                _entries[key] = new Entry(null, Failed: true, time.GetUtcNow());
                return;
            }
            _entries[key] = new Entry(rules, Failed: false, time.GetUtcNow());
        }
        finally
        {
            _learning.TryRemove(key, out _);
        }
    }

    /// <summary>Time to ask the venue again: its rules are old, or it could not be asked a while ago.</summary>
    private static bool IsDue(Entry entry, DateTimeOffset now) => now - entry.LearntAt >= (entry.Failed ? RetryAfter : KeptFor);

    private static Key KeyOf(LinkedAccount account, string symbol) => new(account.Venue, account.EffectiveMode, symbol);
}
