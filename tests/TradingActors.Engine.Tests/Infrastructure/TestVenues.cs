using System.Collections.Concurrent;
using TradingActors.Brokers;
using TradingActors.Brokers.Paper;
using TradingActors.Brokers.Simulated;
using TradingActors.Domain.Orders;
using TradingActors.Engine.Tenants;

namespace TradingActors.Engine.Tests.Infrastructure;

/// <summary>
/// The embedded paper venue and "sim", an external venue simulated in-process that deduplicates client order ids (both
/// counted), and "book" (<see cref="BookVenue"/>), an external venue whose limit orders rest and fill in parts.
/// </summary>
public sealed class TestVenues
{
    public const string Sim = "sim";

    public TestVenues(TimeProvider time)
    {
        Paper = new CountingVenue<PaperExchange>(new PaperExchange(new PaperVenueOptions(), Prices, time));
        External = new CountingVenue<SimulatedVenue>(new SimulatedVenue(Sim, Prices, time));
        Book = new BookVenue(new Brokers.Fakes.FakeExchange(time));
        Registry = new VenueRegistry(new Dictionary<string, IBrokerClient> { [Paper.Venue] = Paper, [Sim] = External, [BookVenue.Name] = Book });
    }

    public LatestPrices Prices { get; } = new();
    public CountingVenue<PaperExchange> Paper { get; }
    public CountingVenue<SimulatedVenue> External { get; }
    public BookVenue Book { get; }
    public VenueRegistry Registry { get; }
}

/// <summary>Tells what reached a venue: placements per client order id and lookups, passing every call through.</summary>
public sealed class CountingVenue<TVenue>(TVenue inner) : DelegatingBrokerClient(inner) where TVenue : IBrokerClient
{
    private readonly ConcurrentDictionary<string, int> _placements = new();
    private readonly ConcurrentDictionary<string, int> _lookups = new();

    public TVenue Inner => inner;

    public int Placements(string clientOrderId) => _placements.GetValueOrDefault(clientOrderId);
    public int TotalPlacements => _placements.Values.Sum();
    public int Lookups(string clientOrderId) => _lookups.GetValueOrDefault(clientOrderId);
    public int TotalLookups => _lookups.Values.Sum();

    public override Task<BrokerOrderResult> PlaceOrderAsync(BrokerAccount account, OrderIntent intent, CancellationToken ct)
    {
        _placements.AddOrUpdate(intent.ClientOrderId, 1, (_, n) => n + 1);
        return inner.PlaceOrderAsync(account, intent, ct);
    }

    public override Task<BrokerOrderResult?> FindOrderAsync(BrokerAccount account, OrderLookup lookup, CancellationToken ct)
    {
        _lookups.AddOrUpdate(lookup.ClientOrderId, 1, (_, n) => n + 1);
        return inner.FindOrderAsync(account, lookup, ct);
    }

    public override Task<ConnectivityCheck> CheckConnectivityAsync(BrokerAccount account, CancellationToken ct) => inner.CheckConnectivityAsync(account, ct);
}
