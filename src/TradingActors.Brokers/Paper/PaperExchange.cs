using System.Collections.Concurrent;
using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Paper;
// Alias: the inspection method ClientOrderIds(venueAccountNumber) below shadows the domain class name.
using ClientOrderIdRules = TradingActors.Domain.Orders.ClientOrderIds;

namespace TradingActors.Brokers.Paper;

/// <summary>
/// The embedded paper venue: fills market orders at the latest known price plus slippage and fee.
/// One instance serves every tenant of the node, so all state is instance-level and guarded.
/// Like a real venue it remembers orders by (venue account number, client order id) and answers a repeated
/// id with the first result, which is what makes retries after a crash safe.
/// Balances are not kept here: cash and positions belong to the tenant's own account.
/// </summary>
public sealed class PaperExchange : IBrokerClient
{
    private readonly PaperVenueOptions _options;
    private readonly PaperVenueCosts _costs; // the same fill arithmetic the tenant's paper account books
    private readonly IPriceSource _prices;
    private readonly TimeProvider _time;

    // One lock for the whole book: check-then-insert must be atomic so concurrent duplicates
    // yield one order, and the work inside is a few arithmetic operations.
    private readonly object _gate = new();
    private readonly Dictionary<string, Dictionary<string, BrokerOrderResult>> _book = new(StringComparer.Ordinal);
    private long _nextOrderNumber;

    private readonly ConcurrentDictionary<string, PaperFault> _faults = new(StringComparer.Ordinal);

    public PaperExchange(PaperVenueOptions options, IPriceSource prices, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(prices);
        ArgumentNullException.ThrowIfNull(time);
        options.Validate();
        _options = options;
        _costs = new PaperVenueCosts(options.FeeRate, options.SlippageBps);
        _prices = prices;
        _time = time;
    }

    public string Venue => _options.Venue;

    public async Task<BrokerOrderResult> PlaceOrderAsync(BrokerAccount account, OrderIntent intent, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(intent);
        // A call cancelled before it is sent never reaches the venue.
        ct.ThrowIfCancellationRequested();

        switch (FaultFor(account.VenueAccountNumber))
        {
            case PaperFault.Throw:
                throw new InvalidOperationException("paper venue failure (injected)");
            case PaperFault.Unavailable:
                throw new BrokerUnavailableException("paper venue unavailable (injected)");
            case PaperFault.Reject:
                return BrokerOrderResult.Rejected(intent.ClientOrderId, "rejected by paper venue (injected)");
            case PaperFault.Hang:
                await HangUntilCancelled(ct); // throws when cancelled; nothing recorded
                break;
            case PaperFault.FillThenLoseAnswer:
                Place(account.VenueAccountNumber, intent); // the venue has the order...
                await HangUntilCancelled(ct);      // ...but the answer never arrives
                break;
        }

        return Place(account.VenueAccountNumber, intent);
    }

    public async Task<BrokerOrderResult?> FindOrderAsync(BrokerAccount account, string clientOrderId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(clientOrderId);
        ct.ThrowIfCancellationRequested();

        // Only Hang affects lookups: with FillThenLoseAnswer the answer was lost, not the order.
        if (FaultFor(account.VenueAccountNumber) == PaperFault.Hang)
            await HangUntilCancelled(ct);

        lock (_gate)
        {
            return _book.TryGetValue(account.VenueAccountNumber, out var orders) && orders.TryGetValue(clientOrderId, out var result)
                ? result
                : null;
        }
    }

    /// <summary>Makes every later call for this account misbehave as <paramref name="fault"/> until cleared.</summary>
    public void SetFault(string venueAccountNumber, PaperFault fault)
    {
        ArgumentNullException.ThrowIfNull(venueAccountNumber);
        if (fault == PaperFault.None) _faults.TryRemove(venueAccountNumber, out _);
        else _faults[venueAccountNumber] = fault;
    }

    public void ClearFault(string venueAccountNumber) => SetFault(venueAccountNumber, PaperFault.None);

    public int OrderCount(string venueAccountNumber)
    {
        lock (_gate) return _book.TryGetValue(venueAccountNumber, out var orders) ? orders.Count : 0;
    }

    public int TotalOrders
    {
        get { lock (_gate) return _book.Values.Sum(o => o.Count); }
    }

    /// <summary>Snapshot of the client order ids the venue holds for an account.</summary>
    public IReadOnlyCollection<string> ClientOrderIds(string venueAccountNumber)
    {
        lock (_gate) return _book.TryGetValue(venueAccountNumber, out var orders) ? orders.Keys.ToArray() : [];
    }

    private PaperFault FaultFor(string venueAccountNumber) =>
        _faults.TryGetValue(venueAccountNumber, out var fault) ? fault : PaperFault.None;

    // Never returns normally: Task.Delay(Infinite) only ends by throwing OperationCanceledException.
    private static Task HangUntilCancelled(CancellationToken ct) => Task.Delay(Timeout.Infinite, ct);

    private BrokerOrderResult Place(string venueAccountNumber, OrderIntent intent)
    {
        // Validation rejects are not recorded: the venue never accepted the order,
        // and the same intent retried is rejected the same way.
        if (intent.Quantity <= 0)
            return BrokerOrderResult.Rejected(intent.ClientOrderId, "quantity must be positive");
        if (intent.ClientOrderId is null || !ClientOrderIdRules.IsValid(intent.ClientOrderId))
            return BrokerOrderResult.Rejected(intent.ClientOrderId ?? "", "invalid client order id");
        if (!Instruments.TryGet(intent.Symbol, out var instrument))
            return BrokerOrderResult.Rejected(intent.ClientOrderId, $"unknown instrument {intent.Symbol}");

        lock (_gate)
        {
            if (!_book.TryGetValue(venueAccountNumber, out var orders))
                _book[venueAccountNumber] = orders = new Dictionary<string, BrokerOrderResult>(StringComparer.Ordinal);

            // A repeated client id gets the first answer, never a second fill.
            if (orders.TryGetValue(intent.ClientOrderId, out var existing))
                return existing;

            if (!TryGetPrice(intent, out var price))
                return BrokerOrderResult.Rejected(intent.ClientOrderId, $"no price for {intent.Symbol}");

            var fillPrice = _costs.FillPrice(intent.Side, price, instrument);
            var fee = _costs.Fee(intent.Quantity, fillPrice);
            var venueOrderId = "P-" + (++_nextOrderNumber);
            var fill = new Fill(intent.Quantity, fillPrice, fee, venueOrderId, _time.GetUtcNow());

            var result = BrokerOrderResult.Filled(intent.ClientOrderId, fill);
            orders[intent.ClientOrderId] = result;
            return result;
        }
    }

    private bool TryGetPrice(OrderIntent intent, out decimal price)
    {
        if (_prices.TryGetLatest(intent.Symbol, out price) && price > 0m) return true;
        // No market data yet (e.g. right after start): fill at the price the decision was made on.
        price = intent.ReferencePrice;
        return price > 0m;
    }
}
