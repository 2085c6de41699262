using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TradingActors.Brokers;
using TradingActors.Brokers.Paper;
using TradingActors.Brokers.Simulated;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tenants;
using TradingActors.Engine;
using TradingActors.Engine.Fanout;
using TradingActors.Engine.Hosting;
using TradingActors.Engine.Observability;
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

    /// <summary>The node's services (its price board's latest prices, its venue registry).</summary>
    public IServiceProvider Services => _host.Services;
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
        // Diagnosing a failure: TRADINGACTORS_TEST_LOG=file appends every node's log there at Debug.
        if (Environment.GetEnvironmentVariable("TRADINGACTORS_TEST_LOG") is { Length: > 0 } logFile)
        {
            builder.Logging.AddProvider(new FileLoggerProvider(logFile)).SetMinimumLevel(LogLevel.Debug);
            options.ExtraHocon = "akka.loglevel = DEBUG\n" + options.ExtraHocon;
        }
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
    public async Task CreatePaperSubscriber(string tenantId, decimal cash = 10_000m, decimal budget = 1_000m, string strategy = Strategy)
    {
        await Accept(new CreateTenant(tenantId, tenantId));
        await Accept(new LinkPaperAccount(tenantId, "paper-1", cash));
        await Accept(new SubscribeToStrategy(tenantId, strategy, "paper-1", budget));
    }

    /// <summary>A create or retire sent to the strategy catalog through this node (as the API and tradectl do).</summary>
    public Task<StrategyCatalogAnswer> Catalog(ITradingMessage command) =>
        Services.GetRequiredService<StrategyCatalogView>().SendAsync(Services.GetRequiredService<IActorRegistry>().Get<StrategyCatalogKey>(), command,
            TimeSpan.FromSeconds(10), CancellationToken.None);

    /// <summary>The catalog as this node sees it.</summary>
    public StrategyCatalog CatalogView => Services.GetRequiredService<StrategyCatalogView>().Current;

    /// <summary>A tenant with an account at an external venue ("ext-1") subscribed to the strategy.</summary>
    public async Task CreateExternalSubscriber(string tenantId, string venue, string venueAccountNumber, decimal budget = 2_000m)
    {
        await Accept(new CreateTenant(tenantId, tenantId));
        await Accept(new LinkBrokerAccount(tenantId, "ext-1", venue, venueAccountNumber));
        await Accept(new SubscribeToStrategy(tenantId, Strategy, "ext-1", budget));
    }

    public async Task<Signal> EmitSignal(OrderSide side, decimal price) =>
        (await Strategies.Ask<SignalPublished>(new EmitManualSignal(Strategy, side, price), TimeSpan.FromSeconds(15))).Signal;

    public Task<StrategyStatus> StrategyStatus() => Strategies.Ask<StrategyStatus>(new GetStrategyStatus(Strategy), TimeSpan.FromSeconds(5));

    /// <summary>A price on the symbol's topic, as the market feed would publish it.</summary>
    public void PublishPrice(string symbol, decimal price, DateTimeOffset time) =>
        Akka.Cluster.Tools.PublishSubscribe.DistributedPubSub.Get(System).Mediator.Tell(
            new Akka.Cluster.Tools.PublishSubscribe.Publish(Names.PriceTopic(symbol), new TradingActors.Domain.Market.PriceUpdate(symbol, price, time)));

    public void PublishPrice(string symbol, decimal price) =>
        Akka.Cluster.Tools.PublishSubscribe.DistributedPubSub.Get(System).Mediator.Tell(
            new Akka.Cluster.Tools.PublishSubscribe.Publish(Names.PriceTopic(symbol), new TradingActors.Domain.Market.PriceUpdate(symbol, price, DateTimeOffset.UtcNow)));

    /// <summary>Sum of registered subscribers over the strategy's fan-out buckets.</summary>
    public async Task<int> RegisteredSubscribers()
    {
        var total = 0;
        for (var bucket = 0; bucket < Options.FanoutBuckets; bucket++)
            total += (await Fanout.Ask<FanoutStatus>(new GetFanoutStatus(Strategy, bucket), TimeSpan.FromSeconds(10))).Subscribers;
        return total;
    }

    /// <summary>Stops running entities of a region (all, or those with the given id) the way a crash would: no passivation. Returns how many.</summary>
    public async Task<int> StopEntities(string region, string entityId = "*")
    {
        var stopped = 0;
        foreach (var entity in await FindEntities(region, entityId))
        {
            entity.Tell(PoisonPill.Instance);
            stopped++;
        }
        return stopped;
    }

    /// <summary>Entities of a region running on this node right now (found without sending them anything).</summary>
    public async Task<int> RunningEntities(string region, string entityId = "*") => (await FindEntities(region, entityId)).Count;

    private async Task<List<IActorRef>> FindEntities(string region, string entityId) =>
        // A shard's own helpers (its remember-entities store, starter, hand-off stopper) are not entities.
        (await FindActors($"/system/sharding/{region}/*/{entityId}"))
            .Where(a => a.Path.Name is not ("RememberEntitiesStore" or "RememberEntitiesStarter" or "HandOffStopper")).ToList();

    /// <summary>Actors on this node matching an actor selection path (wildcards allowed), found with Identify.</summary>
    public Task<List<IActorRef>> FindActors(string path) => ActorTree.FindAsync(System, path);

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}

/// <summary>
/// Venue instances shared across node restarts (a real venue outlives a node), with call counting:
/// the embedded paper venue and "sim", an external venue simulated in-process that deduplicates client order ids.
/// </summary>
public sealed class TestVenues
{
    public TestVenues(params IBrokerClient[] more)
    {
        Prices = new LatestPrices();
        Paper = new CountingBroker<PaperExchange>(new PaperExchange(new PaperVenueOptions(), Prices, TimeProvider.System));
        Sim = new CountingBroker<SimulatedVenue>(new SimulatedVenue("sim", Prices, TimeProvider.System));
        var all = new Dictionary<string, IBrokerClient> { [Venues.Paper] = Paper, ["sim"] = Sim };
        foreach (var venue in more) all[venue.Venue] = venue;
        All = all;
    }

    public LatestPrices Prices { get; }
    public CountingBroker<PaperExchange> Paper { get; }
    public CountingBroker<SimulatedVenue> Sim { get; }
    public IReadOnlyDictionary<string, IBrokerClient> All { get; }
}

/// <summary>Counts placements and lookups per client order id, passing calls through to the venue.</summary>
public sealed class CountingBroker<TVenue>(TVenue inner) : DelegatingBrokerClient(inner) where TVenue : IBrokerClient
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _placements = new();
    private int _lookups;
    private int _total;

    public TVenue Exchange => inner;
    public int Lookups => Volatile.Read(ref _lookups);
    public int Placements(string clientOrderId) => _placements.GetValueOrDefault(clientOrderId);

    /// <summary>Placement calls made, repeats included.</summary>
    public int TotalPlacements => Volatile.Read(ref _total);

    /// <summary>Distinct client order ids ever placed.</summary>
    public int DistinctOrders => _placements.Count;

    public override Task<BrokerOrderResult> PlaceOrderAsync(BrokerAccount account, OrderIntent intent, CancellationToken ct)
    {
        Interlocked.Increment(ref _total);
        _placements.AddOrUpdate(intent.ClientOrderId, 1, (_, n) => n + 1);
        return inner.PlaceOrderAsync(account, intent, ct);
    }

    public override Task<BrokerOrderResult?> FindOrderAsync(BrokerAccount account, OrderLookup lookup, CancellationToken ct)
    {
        Interlocked.Increment(ref _lookups);
        return inner.FindOrderAsync(account, lookup, ct);
    }

    public override Task<ConnectivityCheck> CheckConnectivityAsync(BrokerAccount account, CancellationToken ct) => inner.CheckConnectivityAsync(account, ct);
}

/// <summary>Appends log lines to one file (diagnostics only).</summary>
public sealed class FileLoggerProvider(string path) : ILoggerProvider
{
    private static readonly Lock Gate = new();

    public ILogger CreateLogger(string categoryName) => new FileLogger(path, categoryName);

    public void Dispose() { }

    private sealed class FileLogger(string path, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = $"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}\n";
            lock (Gate) File.AppendAllText(path, line);
        }
    }
}

/// <summary>A clock the test sets: signals' ages and subscriptions' starts without waiting.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Set(DateTimeOffset now) => Interlocked.Exchange(ref _ticks, now.UtcTicks);
}

public static class Eventually
{
    public static Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) => TrueAsync(condition, timeout, () => what);

    /// <summary>As above, with the description made when it times out (what the condition saw last).</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                if (await condition()) return;
            }
            catch (AskTimeoutException) when (DateTime.UtcNow <= deadline)
            {
                // Sharding delivers at most once: an ask that reached a shard while it handed off is lost, and
                // a client asks again (the condition is not yet observed, it is not false).
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out after {timeout.TotalSeconds:0} s waiting for: {what()}");
            await Task.Delay(50);
        }
    }
}
