using System.Collections.Concurrent;
using TradingActors.Brokers;
using TradingActors.Brokers.Fakes;
using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;

namespace TradingActors.Engine.Tests.Infrastructure;

/// <summary>
/// "book": an external venue in-process over the Brokers' <see cref="FakeExchange"/>, a book that rests limit orders and
/// fills them when <see cref="FakeExchange.SetPrice"/> crosses them, up to the liquidity offered (so one crossing can
/// fill an order in part). It deduplicates client order ids (placing an id it holds answers that order), finds an order
/// by its venue order id when the lookup carries one (as a venue without client order ids must) and else by client order
/// id, and keeps every lookup and cancel it is sent. With <see cref="WorkMarketOrders"/> a market order rests as a limit
/// at its reference price: a venue that takes a market order, answers "accepted" and fills it in parts as liquidity comes.
/// </summary>
public sealed class BookVenue(FakeExchange exchange) : IBrokerClient
{
    public const string Name = "book";

    private readonly ConcurrentQueue<OrderLookup> _lookups = new();
    private readonly ConcurrentQueue<OrderLookup> _cancels = new();
    private int _placements;

    public FakeExchange Exchange => exchange;

    public string Venue => Name;

    public bool DeduplicatesClientOrderIds => true;

    public bool WorkMarketOrders { get; set; }

    /// <summary>Placements that took a new order (a repeated client order id is not one).</summary>
    public int Placements => Volatile.Read(ref _placements);

    public IReadOnlyList<OrderLookup> Lookups => [.. _lookups];

    public IReadOnlyList<OrderLookup> Cancels => [.. _cancels];

    public Task<BrokerOrderResult> PlaceOrderAsync(BrokerAccount account, OrderIntent intent, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        exchange.Account(account.VenueAccountNumber);
        if (exchange.OrderByClientId(account.VenueAccountNumber, intent.ClientOrderId) is { } existing) return Task.FromResult(Result(existing));
        Interlocked.Increment(ref _placements);
        var (type, limit) = intent.Type == OrderType.Market && WorkMarketOrders ? (OrderType.Limit, (decimal?)intent.ReferencePrice) : (intent.Type, intent.LimitPrice);
        return Task.FromResult(Result(exchange.Place(account.VenueAccountNumber, intent.ClientOrderId, intent.Symbol, intent.Side, type, intent.Quantity, limit)));
    }

    public Task<BrokerOrderResult?> FindOrderAsync(BrokerAccount account, OrderLookup lookup, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        _lookups.Enqueue(lookup);
        return Task.FromResult(Find(account, lookup) is { } order ? Result(order) : null);
    }

    public Task<BrokerOrderResult?> CancelOrderAsync(BrokerAccount account, OrderLookup lookup, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        _cancels.Enqueue(lookup);
        return Task.FromResult(Find(account, lookup) is { } order ? Result(exchange.Cancel(order.VenueOrderId)!) : null);
    }

    public Task<VenueAccountState> GetAccountAsync(BrokerAccount account, CancellationToken ct)
    {
        var (currency, cash, positions) = exchange.Holdings(account.VenueAccountNumber);
        var held = positions.Select(p => new VenuePosition(p.Key, p.Value.Quantity, p.Value.AveragePrice)).ToList();
        var open = exchange.Orders(account.VenueAccountNumber).Where(o => o.IsOpen).Select(Result).ToList();
        return Task.FromResult(new VenueAccountState(currency, cash, cash + held.Sum(p => p.Quantity * (exchange.Price(p.Symbol) ?? p.AveragePrice)), held, open));
    }

    /// <summary>The venue's own rules for a symbol, where they differ from the engine's table (null: the venue does not list it).</summary>
    public ConcurrentDictionary<string, Instrument?> Rules { get; } = new();

    /// <summary>When set, asking for an instrument fails (the venue cannot be reached for it).</summary>
    public Exception? InstrumentFault { get; set; }

    /// <summary>When set, asking for an instrument never answers, whatever the caller's token says.</summary>
    public bool InstrumentHangs { get; set; }

    /// <summary>Requests for an instrument's rules, whatever they answered.</summary>
    public int InstrumentRequests => Volatile.Read(ref _instrumentRequests);

    private int _instrumentRequests;

    public Task<Instrument?> GetInstrumentAsync(BrokerAccount account, string symbol, CancellationToken ct)
    {
        Interlocked.Increment(ref _instrumentRequests);
        if (InstrumentFault is { } fault) return Task.FromException<Instrument?>(fault);
        if (InstrumentHangs) return new TaskCompletionSource<Instrument?>().Task; // and ignores its token
        if (Rules.TryGetValue(symbol, out var rules)) return Task.FromResult(rules);
        return Task.FromResult(Instruments.TryGet(symbol, out var instrument) ? instrument : null);
    }

    public Task<ConnectivityCheck> CheckConnectivityAsync(BrokerAccount account, CancellationToken ct) => Task.FromResult(ConnectivityCheck.Ok);

    private FakeOrder? Find(BrokerAccount account, OrderLookup lookup) =>
        lookup.VenueOrderId is { } id
            ? exchange.Order(id) is { } byId && byId.AccountNumber == account.VenueAccountNumber ? byId : null
            : exchange.OrderByClientId(account.VenueAccountNumber, lookup.ClientOrderId);

    /// <summary>The order as the contract reports it: its cumulative fill, the reason it ended.</summary>
    private static BrokerOrderResult Result(FakeOrder o)
    {
        var fill = o.FilledQuantity > 0 ? new Fill(o.FilledQuantity, o.AveragePrice, o.Fees, o.VenueOrderId, o.LastFillAt ?? o.CreatedAt) : null;
        var status = o.State switch
        {
            FakeOrderState.Open => BrokerOrderStatus.Accepted,
            FakeOrderState.PartiallyFilled => BrokerOrderStatus.PartiallyFilled,
            FakeOrderState.Filled => BrokerOrderStatus.Filled,
            _ => BrokerOrderStatus.Cancelled,
        };
        return new BrokerOrderResult(status, o.ClientOrderId ?? "", fill, o.VenueOrderId, o.EndReason)
        {
            Symbol = o.Symbol, Side = o.Side, Quantity = o.Quantity, LimitPrice = o.LimitPrice,
        };
    }
}
