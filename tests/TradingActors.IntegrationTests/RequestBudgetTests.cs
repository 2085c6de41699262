using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using TradingActors.Brokers.Bybit;
using TradingActors.Brokers.Fakes;
using TradingActors.Credentials;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Hosting;
using TradingActors.Engine.RateBudgets;
using TradingActors.Engine.Tenants;
using TradingActors.IntegrationTests.Infrastructure;

namespace TradingActors.IntegrationTests;

/// <summary>
/// The cluster-wide request budget (decision 023) across two real nodes against the Bybit fake: one signal to many
/// Bybit tenants spread over both nodes sends several windows' worth of requests from one IP, and the venue refuses
/// none of them. A budget kept per node would let each node send the whole limit, and the fake would ban the IP.
/// </summary>
public sealed class RequestBudgetTests
{
    private const int Tenants = 80;
    private const decimal SignalPrice = 60_000m;

    // A small per-IP limit, so 80 tenants (about 160 requests: the order, then its lookup) span several windows.
    private static readonly BybitFakeOptions Venue = new() { IpRequestsPerWindow = 40, IpWindow = TimeSpan.FromSeconds(2) };

    private static readonly RequestBudgetOptions Budget = new()
    {
        Name = "bybit-ip", Venue = BybitOptions.VenueName, Limit = Venue.IpRequestsPerWindow, Window = Venue.IpWindow, SendWithin = TimeSpan.FromMilliseconds(500),
    };

    [Fact]
    public async Task A_burst_of_bybit_orders_from_two_nodes_stays_within_the_venues_ip_limit_every_order_once_and_no_tenant_starved()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var fake = new BybitFake(new FakeExchange(TimeProvider.System), Venue);
        fake.Exchange.SetPrice("BTCUSDT", SignalPrice);
        await fake.StartAsync();
        var keys = new KeyRingSource(MasterKeyRing.Of([MasterKey.Generate("mk-budget")], "mk-budget"));

        await using var first = await EngineNode.StartAsync(Options(db, fake, keys, seed: null));
        await using var second = await EngineNode.StartAsync(Options(db, fake, keys, seed: first.Address.ToString()));
        await Eventually.TrueAsync(() => Task.FromResult(Akka.Cluster.Cluster.Get(first.System).State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up) == 2),
            TimeSpan.FromSeconds(20), "two members Up");

        var tenants = Enumerable.Range(0, Tenants).Select(i => $"bybit-{i:D3}").ToArray();
        foreach (var batch in tenants.Chunk(20)) await Task.WhenAll(batch.Select(t => LinkBybitSubscriber(first, fake, keys, t)));
        await Eventually.TrueAsync(async () => await first.RegisteredSubscribers() == Tenants, TimeSpan.FromSeconds(20), "all registered");
        var onEach = new[] { await first.RunningEntities("tenant"), await second.RunningEntities("tenant") };
        Assert.All(onEach, n => Assert.True(n > 0, $"tenants per node: {string.Join(", ", onEach)}; both nodes must send"));

        var fills = new ConcurrentDictionary<string, (int Node, long At)>();
        Listen(first.System, 0, fills);
        Listen(second.System, 1, fills);
        var requestsBefore = fake.Requests;
        var start = Stopwatch.GetTimestamp();
        await first.EmitSignal(OrderSide.Buy, SignalPrice);
        // A ban refuses everything for ten minutes: stop waiting at the first refusal.
        await Eventually.TrueAsync(() => Task.FromResult(fills.Count == Tenants || fake.RefusedForRate > 0), TimeSpan.FromSeconds(60), "every tenant filled");

        // The venue refused nothing: no ban, no 403, no 10006 (an order refused for the rate would be sent again and hide).
        Assert.Equal((0L, 0L, 0L, 0L), (fake.Bans, fake.RefusedWhileBanned, fake.RateLimited, fake.RefusedForRate));
        Assert.Equal(Tenants, fills.Count);
        var sent = fake.Requests - requestsBefore;
        Assert.True(sent > 3 * Venue.IpRequestsPerWindow, $"{sent} requests: the burst must span several of the venue's windows to prove anything");

        // Each tenant's order once at the venue, once in its journal, the same client order id.
        var filled = (await JournalFacts.OutcomesAsync(db.ConnectionString, EngineNode.Strategy)).Where(o => o.Kind == "order-filled").ToList();
        foreach (var (tenant, i) in tenants.Select((t, i) => (t, i)))
        {
            var atVenue = Assert.Single(fake.Exchange.Orders(AccountNumber(i)));
            var booked = Assert.Single(filled, o => o.TenantId == tenant);
            Assert.Equal(booked.ClientOrderId, atVenue.ClientOrderId);
        }
        Assert.Equal(Tenants, fake.Exchange.OrdersPlaced);

        // Fair turns: nobody starved. The burst cannot be faster than the budget (its counting span per EffectiveLimit
        // requests); first come first served on each node and batches taken in turn at the keeper keep every tenant
        // within it, and neither node's tenants finish far behind the other's.
        var budgetTime = TimeSpan.FromSeconds(sent * Budget.CountedFor.TotalSeconds / Budget.EffectiveLimit);
        var times = fills.Values.Select(f => (f.Node, At: Stopwatch.GetElapsedTime(start, f.At))).ToList();
        var last = times.Max(t => t.At);
        Assert.True(last <= budgetTime * 1.5 + Budget.CountedFor, $"the last tenant filled {last.TotalSeconds:0.0} s after the signal; the budget allows {budgetTime.TotalSeconds:0.0} s");
        var lastPerNode = times.GroupBy(t => t.Node).Select(g => g.Max(t => t.At)).ToList();
        Assert.Equal(2, lastPerNode.Count);
        Assert.True((lastPerNode[0] - lastPerNode[1]).Duration() <= Budget.CountedFor * 2,
            $"the nodes' last fills {lastPerNode[0].TotalSeconds:0.0} s and {lastPerNode[1].TotalSeconds:0.0} s: one node's tenants waited behind the other's");
    }

    private static TradingEngineOptions Options(TestDatabase db, BybitFake fake, KeyRingSource keys, string? seed)
    {
        var options = EngineNode.DefaultOptions(db.ConnectionString, new TestVenues());
        // The node's own venues: the real Bybit connector, its HTTP client on the cluster's budget (as a node runs it).
        options.Venues = null;
        options.RealVenues = new RealVenueSettings
        {
            Bybit = new VenueEndpoints { TestBaseUrl = fake.BaseUrl.ToString(), LiveBaseUrl = fake.BaseUrl.ToString() },
            Oanda = new VenueEndpoints { Enabled = false },
            Alpaca = new VenueEndpoints { Enabled = false },
            Kis = new VenueEndpoints { Enabled = false },
        };
        options.RequestBudgets = [Budget];
        options.CredentialKeys = keys;
        // The engine's default: a call admitted by the budget has this long for its answer.
        options.BrokerCallTimeout = TimeSpan.FromSeconds(5);
        if (seed is not null) options.Cluster = new TradingActors.Engine.Hosting.ClusterSettings { Port = 0, Seeds = seed };
        return options;
    }

    private static string AccountNumber(int tenant) => (200_000_000 + tenant).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A tenant with its own Bybit testnet account (credentials sealed as the API seals them), subscribed to the strategy.</summary>
    private static async Task LinkBybitSubscriber(EngineNode node, BybitFake fake, KeyRingSource keys, string tenant)
    {
        var i = int.Parse(tenant["bybit-".Length..], System.Globalization.CultureInfo.InvariantCulture);
        var credentials = new BrokerCredentials($"KEY{i:D8}", $"secret-{i:D8}", AccountNumber(i));
        fake.SeedAccount(credentials.AccountNumber, credentials.ApiKey, credentials.Secret!, 100_000m);
        var dataKey = DataKey.Generate();
        await node.Accept(new CreateTenant(tenant, tenant));
        await node.Accept(new LinkBrokerAccount(tenant, "bybit-1", BybitOptions.VenueName, "", "Bybit", AccountMode.Testnet, credentials.KeyIdHint,
            SealedCredentials.Seal(credentials, dataKey, tenant, "bybit-1").Encode(), WrappedDataKey.Wrap(dataKey, tenant, keys.Current).Encode()));
        // 0.020 BTC after the engine's cost allowance: a multiple of Bybit's linear step (0.001).
        await node.Accept(new SubscribeToStrategy(tenant, EngineNode.Strategy, "bybit-1", 0.020m * SignalPrice * TenantDecisions.ExternalCostFactor));
    }

    /// <summary>Each tenant's first fill on this node, when its tenant persisted it.</summary>
    private static void Listen(ActorSystem system, int node, ConcurrentDictionary<string, (int, long)> fills)
    {
        var listener = system.ActorOf(Props.Create(() => new FillListener(node, fills)));
        system.EventStream.Subscribe(listener, typeof(OrderOutcomePersisted));
    }

    private sealed class FillListener : ReceiveActor
    {
        public FillListener(int node, ConcurrentDictionary<string, (int, long)> fills) =>
            Receive<OrderOutcomePersisted>(o => { if (o.Status == OrderStatus.Filled) fills.TryAdd(o.TenantId, (node, o.PersistedTimestamp)); });
    }
}
