using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Paper;
using ClientOrderIdRules = TradingActors.Domain.Orders.ClientOrderIds;

namespace TradingActors.Brokers.Paper;

/// <summary>
/// The embedded paper venue: fills market orders at the latest known price plus slippage and fee, and marketable limit
/// orders at their limit or better; a limit order that is not marketable is taken as working and rests in the tenant's
/// ledger, which fills it when a price crosses it (PaperLimitOrders, decision 027). It keeps no book of its own: a
/// paper account is the tenant's own persisted state, so the tenant's ledger is the book and its deduplication (by
/// signal sequence and client order id) is the only one needed.
/// A fill is booked only when the tenant persists it; a call that fails or hangs placed nothing.
/// One instance serves every tenant of the node; its only state is the injected faults of a test.
/// </summary>
public sealed class PaperExchange : IBrokerClient
{
    private readonly PaperVenueOptions _options;
    private readonly PaperVenueCosts _costs; // the same fill arithmetic the tenant's paper account books
    private readonly IPriceSource _prices;
    private readonly TimeProvider _time;
    private readonly InjectedFaults _faults = new("paper");

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

    /// <summary>No book, so nothing to deduplicate against: the tenant's ledger does it (and never re-places a paper order).</summary>
    public bool DeduplicatesClientOrderIds => false;

    public async Task<BrokerOrderResult> PlaceOrderAsync(BrokerAccount account, OrderIntent intent, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(intent);
        ct.ThrowIfCancellationRequested();
        // A lost answer takes nothing here: the paper venue has no book to take the order into.
        return await _faults.BeforePlaceAsync(account.VenueAccountNumber, intent, ct) ?? Fill(intent);
    }

    /// <summary>The paper venue keeps no book (the tenant's ledger is the book): there is never anything to find.</summary>
    public Task<BrokerOrderResult?> FindOrderAsync(BrokerAccount account, OrderLookup lookup, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(lookup);
        ct.ThrowIfCancellationRequested();
        return Task.FromResult<BrokerOrderResult?>(null);
    }

    /// <summary>
    /// A resting paper order lives in its tenant's ledger, which asks only to cancel an order it holds open: cancelled
    /// (the tenant's ledger books nothing more for it; a filled one is no longer open there to be cancelled).
    /// </summary>
    public Task<BrokerOrderResult?> CancelOrderAsync(BrokerAccount account, OrderLookup lookup, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(lookup);
        ct.ThrowIfCancellationRequested();
        return Task.FromResult<BrokerOrderResult?>(new BrokerOrderResult(BrokerOrderStatus.Cancelled, lookup.ClientOrderId, null, VenueOrderIdPrefix + lookup.ClientOrderId, null));
    }

    /// <summary>A paper account is the tenant's own persisted state (its ledger): the venue holds none to read.</summary>
    public Task<VenueAccountState> GetAccountAsync(BrokerAccount account, CancellationToken ct) =>
        throw new InvalidOperationException("a paper account is kept by its tenant, not by the paper venue: read the tenant's state");

    public Task<Instrument?> GetInstrumentAsync(BrokerAccount account, string symbol, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(Instruments.TryGet(symbol, out var i) ? i : null);
    }

    /// <summary>The paper venue runs in-process and takes no credentials: always reachable.</summary>
    public Task<ConnectivityCheck> CheckConnectivityAsync(BrokerAccount account, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(ConnectivityCheck.Ok);
    }

    /// <summary>
    /// The fill a market order gets now: latest price (else the intent's reference price) moved by
    /// slippage, fee on the notional. Rejected when the order is invalid or no price is known.
    /// The venue order id is derived from the client order id, so it needs no counter.
    /// </summary>
    public BrokerOrderResult Fill(OrderIntent intent)
    {
        if (intent.Quantity <= 0)
            return BrokerOrderResult.Rejected(intent.ClientOrderId, "quantity must be positive");
        if (intent.ClientOrderId is null || !ClientOrderIdRules.IsValid(intent.ClientOrderId))
            return BrokerOrderResult.Rejected(intent.ClientOrderId ?? "", "invalid client order id");
        if (!Instruments.TryGet(intent.Symbol, out var instrument))
            return BrokerOrderResult.Rejected(intent.ClientOrderId, $"unknown instrument {intent.Symbol}");
        if (!TryGetPrice(intent, out var price))
            return BrokerOrderResult.Rejected(intent.ClientOrderId, $"no price for {intent.Symbol}");

        if (intent.Type == OrderType.Limit)
        {
            if (intent.LimitPrice is not > 0m) return BrokerOrderResult.Rejected(intent.ClientOrderId, "a limit order needs a positive limit price");
            // Not marketable: taken as working; it rests in the tenant's ledger (the paper book) until a price crosses it.
            var marketable = intent.Side == OrderSide.Buy ? price <= intent.LimitPrice : price >= intent.LimitPrice;
            if (!marketable && !_options.RestsLimitOrders)
                return BrokerOrderResult.Rejected(intent.ClientOrderId, $"limit {intent.LimitPrice} is not marketable at {price}; the {Venue} venue keeps no book for resting orders");
            if (!marketable)
                return new BrokerOrderResult(BrokerOrderStatus.Accepted, intent.ClientOrderId, null, VenueOrderIdPrefix + intent.ClientOrderId, null);
        }
        var fillPrice = _costs.FillPrice(intent.Side, price, instrument);
        if (intent.Type == OrderType.Limit)
            fillPrice = intent.Side == OrderSide.Buy ? Math.Min(fillPrice, intent.LimitPrice!.Value) : Math.Max(fillPrice, intent.LimitPrice!.Value);
        var fee = _costs.Fee(intent.Quantity, fillPrice);
        var fill = new Fill(intent.Quantity, fillPrice, fee, VenueOrderIdPrefix + intent.ClientOrderId, _time.GetUtcNow());
        return BrokerOrderResult.Filled(intent.ClientOrderId, fill);
    }

    public const string VenueOrderIdPrefix = "P-";

    /// <summary>Makes every later call for this account misbehave as <paramref name="fault"/> until cleared.</summary>
    public void SetFault(string venueAccountNumber, VenueFault fault) => _faults.Set(venueAccountNumber, fault);

    public void ClearFault(string venueAccountNumber) => SetFault(venueAccountNumber, VenueFault.None);

    /// <summary>The latest known price of a symbol, if any.</summary>
    public bool TryGetPrice(string symbol, out decimal price) => _prices.TryGetLatest(symbol, out price) && price > 0m;

    private bool TryGetPrice(OrderIntent intent, out decimal price)
    {
        if (_prices.TryGetLatest(intent.Symbol, out price) && price > 0m) return true;
        // No market data yet (e.g. right after start): fill at the price the decision was made on.
        price = intent.ReferencePrice;
        return price > 0m;
    }
}
