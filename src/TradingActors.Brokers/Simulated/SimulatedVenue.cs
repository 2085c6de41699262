using TradingActors.Brokers.Paper;
using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Simulated;

/// <summary>How a simulated venue answers a client order id it already holds.</summary>
public enum DuplicateHandling
{
    /// <summary>Answers with the existing order (OANDA, Bybit style).</summary>
    ReturnExisting,
    /// <summary>Refuses with a duplicate error (Alpaca style): the caller must look the order up.</summary>
    Refuse,
    /// <summary>Does not deduplicate: a repeated id is a second order. Orders at such a venue are never re-placed.</summary>
    None,
}

/// <summary>
/// An external venue simulated in-process, for tests and drills of the intent-first protocol: unlike
/// the embedded paper venue it keeps its own book of orders by (venue account number, client order
/// id), answers lookups from it, and deduplicates (or not) as configured. Fills are priced like paper
/// fills. Its book is the venue's memory, not the engine's: orders older than the retention are
/// forgotten, so a long-running drill stays bounded.
/// </summary>
public sealed class SimulatedVenue : IBrokerClient
{
    private readonly PaperExchange _pricing;
    private readonly DuplicateHandling _duplicates;
    private readonly TimeSpan _retention;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Account, string ClientOrderId), List<BrokerOrderResult>> _book = [];
    private readonly Queue<(DateTimeOffset At, string Account, string ClientOrderId, BrokerOrderResult Order)> _byAge = new();
    private readonly InjectedFaults _faults = new("simulated");
    private readonly Func<BrokerAccount, string?>? _authenticate;
    private long _orders;

    /// <param name="authenticate">
    /// The venue's check of an account's credentials: null when they are accepted, else why not (like a venue's 401).
    /// Without one every account is accepted (drills that link accounts without keys).
    /// </param>
    public SimulatedVenue(string venue, IPriceSource prices, TimeProvider time, DuplicateHandling duplicates = DuplicateHandling.ReturnExisting, TimeSpan? retention = null,
        Func<BrokerAccount, string?>? authenticate = null)
    {
        _authenticate = authenticate;
        _pricing = new PaperExchange(new PaperVenueOptions { Venue = venue, RestsLimitOrders = false }, prices, time);
        _duplicates = duplicates;
        _retention = retention ?? TimeSpan.FromHours(24);
        _time = time;
    }

    public string Venue => _pricing.Venue;

    public bool DeduplicatesClientOrderIds => _duplicates != DuplicateHandling.None;

    public async Task<BrokerOrderResult> PlaceOrderAsync(BrokerAccount account, OrderIntent intent, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(intent);
        ct.ThrowIfCancellationRequested();
        // Refused before the venue takes the order: definitely not placed.
        if (_authenticate?.Invoke(account) is { } refused) throw new OrderNotPlacedException("401 unauthorized: " + refused);
        return await _faults.BeforePlaceAsync(account.VenueAccountNumber, intent, ct, () => Place(account, intent)) ?? Place(account, intent);
    }

    public async Task<ConnectivityCheck> CheckConnectivityAsync(BrokerAccount account, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        ct.ThrowIfCancellationRequested();
        await _faults.BeforeLookupAsync(account.VenueAccountNumber, ct); // a venue that is down does not answer the check either
        return _authenticate?.Invoke(account) is { } refused ? ConnectivityCheck.Refused("401 unauthorized: " + refused) : ConnectivityCheck.Ok;
    }

    public async Task<BrokerOrderResult?> FindOrderAsync(BrokerAccount account, OrderLookup lookup, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(lookup);
        ct.ThrowIfCancellationRequested();
        await _faults.BeforeLookupAsync(account.VenueAccountNumber, ct);
        if (_authenticate?.Invoke(account) is { } refused) throw new InvalidOperationException("401 unauthorized: " + refused);
        lock (_gate)
            return _book.TryGetValue((account.VenueAccountNumber, lookup.ClientOrderId), out var orders) ? orders[0] : null;
    }

    /// <summary>Its orders fill at once, so a cancel finds the order already ended and answers its state.</summary>
    public Task<BrokerOrderResult?> CancelOrderAsync(BrokerAccount account, OrderLookup lookup, CancellationToken ct) => FindOrderAsync(account, lookup, ct);

    /// <summary>Positions from the fills it holds; cash is what they cost (the simulated account starts at zero).</summary>
    public async Task<VenueAccountState> GetAccountAsync(BrokerAccount account, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        ct.ThrowIfCancellationRequested();
        await _faults.BeforeLookupAsync(account.VenueAccountNumber, ct);
        if (_authenticate?.Invoke(account) is { } refused) throw new InvalidOperationException("401 unauthorized: " + refused);
        List<BrokerOrderResult> orders;
        lock (_gate) orders = _book.Where(o => o.Key.Account == account.VenueAccountNumber).SelectMany(o => o.Value).ToList();
        var cash = 0m;
        var positions = new Dictionary<string, (decimal Qty, decimal Cost)>(StringComparer.Ordinal);
        foreach (var o in orders)
        {
            var f = o.Fill!;
            var signed = o.Side == OrderSide.Sell ? -f.Quantity : f.Quantity;
            cash -= signed * f.Price + f.Fee;
            var (qty, cost) = positions.GetValueOrDefault(o.Symbol!);
            positions[o.Symbol!] = (qty + signed, cost + signed * f.Price);
        }
        var held = positions.Where(p => p.Value.Qty != 0)
            .Select(p => new VenuePosition(p.Key, p.Value.Qty, p.Value.Cost / p.Value.Qty)).OrderBy(p => p.Symbol, StringComparer.Ordinal).ToList();
        var equity = cash + held.Sum(p => p.Quantity * (_pricing.TryGetPrice(p.Symbol, out var price) ? price : p.AveragePrice));
        return new VenueAccountState("USD", cash, equity, held, []);
    }

    public Task<Instrument?> GetInstrumentAsync(BrokerAccount account, string symbol, CancellationToken ct) => _pricing.GetInstrumentAsync(account, symbol, ct);

    public void SetFault(string venueAccountNumber, VenueFault fault) => _faults.Set(venueAccountNumber, fault);

    public void ClearFault(string venueAccountNumber) => SetFault(venueAccountNumber, VenueFault.None);

    /// <summary>Orders the venue holds for an account (a non-deduplicating venue counts repeated ids).</summary>
    public int OrderCount(string venueAccountNumber)
    {
        lock (_gate) return _book.Where(o => o.Key.Account == venueAccountNumber).Sum(o => o.Value.Count);
    }

    public long TotalOrders => Interlocked.Read(ref _orders);

    private BrokerOrderResult Place(BrokerAccount account, OrderIntent intent)
    {
        var key = (account.VenueAccountNumber, intent.ClientOrderId);
        lock (_gate)
        {
            Forget(_time.GetUtcNow() - _retention);
            if (_book.TryGetValue(key, out var existing))
            {
                switch (_duplicates)
                {
                    case DuplicateHandling.ReturnExisting: return existing[0];
                    case DuplicateHandling.Refuse: throw new DuplicateClientOrderIdException(intent.ClientOrderId);
                }
            }
            var result = _pricing.Fill(intent);
            if (result.Status == BrokerOrderStatus.Rejected) return result; // never taken: not recorded
            var numbered = result with
            {
                VenueOrderId = "S-" + Interlocked.Increment(ref _orders), Fill = result.Fill! with { VenueOrderId = "S-" + _orders },
                Symbol = intent.Symbol, Side = intent.Side, Quantity = intent.Quantity, LimitPrice = intent.LimitPrice,
            };
            if (existing is null) _book[key] = [numbered];
            else existing.Add(numbered);
            _byAge.Enqueue((_time.GetUtcNow(), key.VenueAccountNumber, key.ClientOrderId, numbered));
            return numbered;
        }
    }

    private void Forget(DateTimeOffset olderThan)
    {
        while (_byAge.Count > 0 && _byAge.Peek().At < olderThan)
        {
            // Only the expired order: at a venue that does not deduplicate, one id can hold newer ones.
            var (_, accountNumber, id, order) = _byAge.Dequeue();
            if (_book.TryGetValue((accountNumber, id), out var orders) && orders.Remove(order) && orders.Count == 0)
                _book.Remove((accountNumber, id));
        }
    }
}
