using System.Collections.Concurrent;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers;

/// <summary>
/// Faults that tests and drills inject into an in-process venue (paper, simulated), per venue
/// account. Empty in production: the only state is what a test put there.
/// </summary>
public sealed class InjectedFaults(string venueKind)
{
    private readonly ConcurrentDictionary<string, VenueFault> _faults = new(StringComparer.Ordinal);

    public void Set(string venueAccountNumber, VenueFault fault)
    {
        ArgumentNullException.ThrowIfNull(venueAccountNumber);
        if (fault == VenueFault.None) _faults.TryRemove(venueAccountNumber, out _);
        else _faults[venueAccountNumber] = fault;
    }

    public VenueFault For(string venueAccountNumber) =>
        // Stryker disable once Conditional : a fast path: an empty map also gives None (the default)
        _faults.IsEmpty ? VenueFault.None : _faults.GetValueOrDefault(venueAccountNumber);

    /// <summary>
    /// Plays the account's fault for a placement: throws, answers a rejection, or waits until
    /// cancelled (a lost answer first lets the venue take the order). Null: no fault, go on.
    /// </summary>
    public async Task<BrokerOrderResult?> BeforePlaceAsync(string venueAccountNumber, OrderIntent intent, CancellationToken ct, Action? takeOrder = null)
    {
        switch (For(venueAccountNumber))
        {
            case VenueFault.Throw:
                throw new InvalidOperationException($"{venueKind} venue failure (injected)");
            case VenueFault.NotPlaced:
                throw new OrderNotPlacedException($"{venueKind} venue refused the call (injected)");
            case VenueFault.Reject:
                return BrokerOrderResult.Rejected(intent.ClientOrderId, $"rejected by {venueKind} venue (injected)");
            case VenueFault.Hang:
                await Task.Delay(Timeout.Infinite, ct); // ends only by throwing when cancelled
                break;
            case VenueFault.FillThenLoseAnswer or VenueFault.TakeThenGoSilent:
                takeOrder?.Invoke();                     // the venue has the order...
                await Task.Delay(Timeout.Infinite, ct); // ...but the answer never arrives
                break;
        }
        return null;
    }

    /// <summary>Plays the account's fault for a lookup: waits until cancelled when the venue's answers are lost; otherwise returns at once.</summary>
    public Task BeforeLookupAsync(string venueAccountNumber, CancellationToken ct) =>
        For(venueAccountNumber) is VenueFault.Hang or VenueFault.TakeThenGoSilent ? Task.Delay(Timeout.Infinite, ct) : Task.CompletedTask;
}
