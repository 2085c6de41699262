using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TradingActors.Brokers;
using TradingActors.Brokers.Paper;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tenants;
using TradingActors.Engine;
using TradingActors.Engine.Fanout;
using TradingActors.Engine.Hosting;
using TradingActors.Engine.Strategies;
using TradingActors.Engine.Tenants;

namespace TradingActors.IntegrationTests.Infrastructure;

/// <summary>
/// One engine node (a whole ActorSystem through AddTradingEngine) in the test process.
/// Venues are handed in, so they outlive a node restart like a real venue would.
/// </summary>
public sealed class EngineNode : IAsyncDisposable
{
    public const string Strategy = "rsi-btc";

    private readonly IHost _host;

    private EngineNode(IHost host, TradingEngineOptions options)
    {
        _host = host;
        Options = options;
        (System, Tenants, Fanout, Strategies) = EngineEntryPoints.From(host.Services);
    }

    public ActorSystem System { get; }
    public TradingEngineOptions Options { get; }
    public IActorRef Tenants { get; }
    public IActorRef Fanout { get; }
    public IActorRef Strategies { get; }
    public Address Address => Cluster.Get(System).SelfAddress;

    public static TradingEngineOptions DefaultOptions(string connectionString, TestVenues venues) => new()
    {
        ConnectionString = connectionString,
        ActorSystemName = "trading",
        Cluster = new TradingActors.Engine.Hosting.ClusterSettings { Port = 0 },
        Strategies = [new StrategyDefinition(Strategy, "BTCUSDT")],
        Feed = new FeedSettings { Kind = "none" },
        FanoutBuckets = 8,
        TenantShards = 20,
        BrokerCallTimeout = TimeSpan.FromSeconds(2),
        VenueVisibilityWindow = TimeSpan.FromMilliseconds(300),
        SummaryInterval = TimeSpan.FromMinutes(10),
        Venues = venues.All,
    };

    public static async Task<EngineNode> StartAsync(TradingEngineOptions options, bool waitForStrategy = true)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddTradingEngine(options);
        var host = builder.Build();
        await host.StartAsync();
        var node = new EngineNode(host, options);
        await Eventually.TrueAsync(() => Task.FromResult(Cluster.Get(node.System).SelfMember.Status == MemberStatus.Up), TimeSpan.FromSeconds(20), "node Up");
        if (waitForStrategy)
            await Eventually.TrueAsync(async () =>
            {
                try { await node.Strategies.Ask<StrategyStatus>(new GetStrategyStatus(Strategy), TimeSpan.FromSeconds(1)); return true; }
                catch (AskTimeoutException) { return false; }
            }, TimeSpan.FromSeconds(30), "strategy singleton ready");
        return node;
    }

    public async Task<object> Send(ITenantCommand command) => await Tenants.Ask<object>(command, TimeSpan.FromSeconds(15));

    public async Task Accept(ITenantCommand command)
    {
        var reply = await Send(command);
        if (reply is not CommandAccepted) throw new InvalidOperationException($"{command} was not accepted: {reply}");
    }

    public async Task<TenantState> Portfolio(string tenantId) =>
        (await Tenants.Ask<Portfolio>(new GetPortfolio(tenantId), TimeSpan.FromSeconds(15))).State;

    /// <summary>A tenant with a paper account subscribed to the strategy with the given budget.</summary>
    public async Task CreatePaperSubscriber(string tenantId, decimal cash = 10_000m, decimal budget = 1_000m)
    {
        await Accept(new CreateTenant(tenantId, tenantId));
        await Accept(new LinkPaperAccount(tenantId, "paper-1", cash));
        await Accept(new SubscribeToStrategy(tenantId, Strategy, "paper-1", budget));
    }

    public async Task<Signal> EmitSignal(OrderSide side, decimal price) =>
        (await Strategies.Ask<SignalPublished>(new EmitManualSignal(Strategy, side, price), TimeSpan.FromSeconds(15))).Signal;

    /// <summary>Sum of registered subscribers over the strategy's fan-out buckets.</summary>
    public async Task<int> RegisteredSubscribers()
    {
        var total = 0;
        for (var bucket = 0; bucket < Options.FanoutBuckets; bucket++)
            total += (await Fanout.Ask<FanoutStatus>(new GetFanoutStatus(Strategy, bucket), TimeSpan.FromSeconds(10))).Subscribers;
        return total;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}

/// <summary>Venue instances shared across node restarts, with call counting for assertions.</summary>
public sealed class TestVenues
{
    public TestVenues()
    {
        var prices = new LatestPrices();
        Paper = new CountingBroker(new PaperExchange(new PaperVenueOptions(), prices, TimeProvider.System));
        Sim = new CountingBroker(new PaperExchange(new PaperVenueOptions { Venue = "sim" }, prices, TimeProvider.System));
        All = new Dictionary<string, IBrokerClient> { [Venues.Paper] = Paper, ["sim"] = Sim };
    }

    public CountingBroker Paper { get; }
    public CountingBroker Sim { get; }
    public IReadOnlyDictionary<string, IBrokerClient> All { get; }
}

/// <summary>Counts placements and lookups per client order id, passing calls through to the venue.</summary>
public sealed class CountingBroker(PaperExchange inner) : IBrokerClient
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _placements = new();
    private int _lookups;

    public PaperExchange Exchange => inner;
    public string Venue => inner.Venue;
    public int Lookups => Volatile.Read(ref _lookups);
    public int Placements(string clientOrderId) => _placements.GetValueOrDefault(clientOrderId);

    public Task<BrokerOrderResult> PlaceOrderAsync(BrokerAccount account, OrderIntent intent, CancellationToken ct)
    {
        _placements.AddOrUpdate(intent.ClientOrderId, 1, (_, n) => n + 1);
        return inner.PlaceOrderAsync(account, intent, ct);
    }

    public Task<BrokerOrderResult?> FindOrderAsync(BrokerAccount account, string clientOrderId, CancellationToken ct)
    {
        Interlocked.Increment(ref _lookups);
        return inner.FindOrderAsync(account, clientOrderId, ct);
    }
}

public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await condition()) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out after {timeout.TotalSeconds:0} s waiting for: {what}");
            await Task.Delay(50);
        }
    }
}
