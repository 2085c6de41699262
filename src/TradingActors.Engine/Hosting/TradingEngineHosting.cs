using System.Reflection;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Akka.Event;
using Akka.Hosting;
using Akka.Persistence.Sql;
using Akka.Remote.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using TradingActors.Brokers;
using TradingActors.Brokers.Http;
using TradingActors.Engine.RateBudgets;
using TradingActors.Brokers.Alpaca;
using TradingActors.Brokers.Bybit;
using TradingActors.Brokers.Kis;
using TradingActors.Brokers.Oanda;
using TradingActors.Brokers.Paper;
using TradingActors.Brokers.Simulated;
using TradingActors.Domain.Market;
using TradingActors.Domain.Paper;
using TradingActors.Domain.Strategies;
using TradingActors.Engine.Backtests;
using TradingActors.Engine.Fanout;
using TradingActors.Engine.MarketFeeds;
using TradingActors.Engine.Membership;
using TradingActors.Engine.Observability;
using TradingActors.Engine.Persistence;
using TradingActors.Engine.ReadModels;
using TradingActors.Engine.Serialization;
using TradingActors.Engine.Billing;
using TradingActors.Engine.Strategies;
using TradingActors.Domain.Billing;
using TradingActors.Engine.Tenants;
using TradingActors.MarketData;

namespace TradingActors.Engine.Hosting;

/// <summary>ActorRegistry keys: actors are found through the registry, never through static fields.</summary>
public sealed class TenantRegion;
public sealed class FanoutRegion;
public sealed class StrategyRouterKey;
public sealed class StrategyRegion;
public sealed class StrategyCatalogKey;
public sealed class PlanCatalogKey;
public sealed class SignalHistoryKey;
public sealed class EngineMetricsKey;
public sealed class BacktestDeskKey;

public static class TradingEngineHosting
{
    /// <summary>
    /// The one entry point: remoting, cluster, sharded tenants and fan-out buckets, strategy and
    /// feed singletons, pub-sub, SQL persistence on PostgreSQL, our serializer, logging.
    /// </summary>
    public static IServiceCollection AddTradingEngine(this IServiceCollection services, TradingEngineOptions options)
    {
        options.Validate();
        var prices = new LatestPrices();
        // Every node serves the configured strategies (the catalog's seeds) before the catalog first speaks.
        var strategyView = new StrategyCatalogView(new StrategyCatalog(options.CanonicalStrategies()));
        services.AddSingleton(strategyView);
        services.AddSingleton<IStrategyDirectory>(strategyView);
        // Likewise the plans (decision 032): the seeded catalog until the plan catalog first speaks.
        var planView = PlanCatalogView.Seeded();
        services.AddSingleton(planView);
        services.AddSingleton<IPlanDirectory>(planView);
        // Budgets exist before the connectors: their HTTP clients wait on them; the actors behind them come with the system.
        var budgets = options.RequestBudgets.ToDictionary(b => b.Venue, b => new ClusterRequestBudget(b), StringComparer.Ordinal);
        var venues = new VenueRegistry(options.Venues ?? DefaultVenues(options, prices, budgets),
            budgets.ToDictionary(b => b.Key, b => (IRequestBudget)b.Value, StringComparer.Ordinal));
        services.AddSingleton(options);
        services.AddSingleton(prices);
        services.AddSingleton<IPriceSource>(prices);
        services.AddSingleton(venues);
        if (options.Cluster.Has(NodeRoles.Engine)) services.AddHostedService(sp => new VenueWarmUp(venues, sp.GetRequiredService<ILogger<VenueWarmUp>>()));
        var projection = new ProjectionStatus();
        services.AddSingleton(projection);
        // Backtest jobs (decision 029): the node's datasets and the jobs' rows, for the API and the actors alike.
        var datasets = new BacktestDatasets(options.Backtests.DataDirectory, options.Backtests.CachedDatasets);
        var backtestJobs = new BacktestJobStore(NpgsqlDataSource.Create(options.ConnectionString));
        services.AddSingleton(datasets);
        services.AddSingleton(backtestJobs);
        services.AddSingleton(new BacktestJobs(backtestJobs, datasets, options));

        services.AddAkka(options.ActorSystemName, (builder, sp) =>
        {
            builder
                .AddHocon(PersistenceConfig(options.ConnectionString), HoconAddMode.Prepend)
                .AddHocon(EmbeddedHocon("persistence.conf"), HoconAddMode.Prepend)
                .AddHocon(EmbeddedHocon("sharding.conf"), HoconAddMode.Prepend)
                .AddHocon(EmbeddedHocon("base.conf"), HoconAddMode.Prepend)
                .AddHocon(SqlPersistence.DefaultConfiguration, HoconAddMode.Append)
                // The query side's events-by-tag (read models, audits) without a tag-table scan per event.
                .AddSetup(ReadJournalTagQuery.Setup(options.ConnectionString))
                .ConfigureLoggers(loggers =>
                {
                    loggers.ClearLoggers();
                    loggers.AddLoggerFactory(); // Akka → Microsoft.Extensions.Logging → Serilog
                })
                .WithCustomSerializer("trading", TradingSerializer.BoundTypes, system => new TradingSerializer(system))
                // No silent Newtonsoft fallback: a type without a binding fails loudly.
                .WithStrictSerialization(true)
                .WithRemoting(options.Cluster.Hostname, options.Cluster.Port)
                .WithClustering(new ClusterOptions
                {
                    SeedNodes = options.Cluster.SeedList.ToArray(),
                    Roles = options.Cluster.RoleList.ToArray(),
                })
                .AddHocon(VenueDispatchers.Hocon(venues.External, options.VenueThreads), HoconAddMode.Prepend)
                .AddHocon(BacktestDispatcher.Hocon(options.Backtests.ThreadCount), HoconAddMode.Prepend)
                .WithDistributedPubSub(role: null!)
                // Before the regions: tenants and buckets recovered by remember-entities ask it at once.
                .WithActors((system, registry) =>
                {
                    registry.Register<SignalHistoryKey>(system.ActorOf(SignalHistory.Props(), "signal-history"));
                    system.ActorOf(StrategyDirectoryActor.Props(strategyView), "strategy-directory");
                    system.ActorOf(PlanDirectoryActor.Props(planView), "plan-directory");
                })
                .WithTradingRegions(options, venues, prices, strategyView, planView)
                .WithActors((system, registry) =>
                {
                    // The catalog (decision 026): one in the cluster, on an engine node; it keeps every running strategy running.
                    if (options.Cluster.Has(NodeRoles.Engine))
                        system.ActorOf(ClusterSingletonManager.Props(
                            StrategyCatalogActor.Props(strategyView.Current.Strategies, registry.Get<StrategyRegion>(), options.FanoutTickInterval, options.Time),
                            PoisonPill.Instance, ClusterSingletonManagerSettings.Create(system).WithRole(NodeRoles.Engine)), "strategy-catalog");
                    registry.Register<StrategyCatalogKey>(system.ActorOf(ClusterSingletonProxy.Props("/user/strategy-catalog",
                        ClusterSingletonProxySettings.Create(system).WithRole(NodeRoles.Engine)), "strategy-catalog-proxy"));
                    registry.Register<StrategyRouterKey>(system.ActorOf(Props.Create(() => new StrategyRouter(registry.Get<StrategyRegion>(), strategyView)), "strategies"));
                    // The plans (decision 032): one catalog in the cluster, on an engine node.
                    if (options.Cluster.Has(NodeRoles.Engine))
                        system.ActorOf(ClusterSingletonManager.Props(PlanCatalogActor.Props(PlanCatalog.Seeds, TimeSpan.FromMinutes(1), options.Time),
                            PoisonPill.Instance, ClusterSingletonManagerSettings.Create(system).WithRole(NodeRoles.Engine)), "plan-catalog");
                    registry.Register<PlanCatalogKey>(system.ActorOf(ClusterSingletonProxy.Props("/user/plan-catalog",
                        ClusterSingletonProxySettings.Create(system).WithRole(NodeRoles.Engine)), "plan-catalog-proxy"));

                    if (options.Cluster.Has(NodeRoles.Feed) && FeedProps(options) is { } feed)
                        system.ActorOf(ClusterSingletonManager.Props(feed, PoisonPill.Instance,
                            ClusterSingletonManagerSettings.Create(system).WithRole(NodeRoles.Feed)), "feed");
                    system.ActorOf(Props.Create(() => new PriceBoard(prices, Instruments.All.Select(i => i.Symbol))), "price-board");
                    // The API's read side: projected where the API runs.
                    if (options.ReadModels.Enabled && options.Cluster.Has(NodeRoles.Api))
                    {
                        var settings = new ReadModelProjection.Settings(options.ReadModels.BatchSize, options.ReadModels.BatchWindow,
                            TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), options.ReadModels.FeedRetention, options.ReadModels.FeedPruneInterval);
                        var database = NpgsqlDataSource.Create(options.ConnectionString);
                        system.RegisterOnTermination(() => database.Dispose());
                        system.ActorOf(ClusterSingletonManager.Props(
                            ReadModelProjection.Supervised(options.ConnectionString, database, projection, settings, options.Time),
                            PoisonPill.Instance, ClusterSingletonManagerSettings.Create(system).WithRole(NodeRoles.Api)), "read-model-projection");
                        // The performance curves' prices (decision 030), recorded once in the cluster beside the read models.
                        system.ActorOf(ClusterSingletonManager.Props(
                            PriceMarkRecorder.Props(options.ConnectionString, database, Instruments.All.Select(i => i.Symbol),
                                new PriceMarkRecorder.Settings(options.ReadModels.PriceMarkFlushInterval, options.ReadModels.PriceMarkMinuteRetention,
                                    options.ReadModels.FeedPruneInterval), options.Time),
                            PoisonPill.Instance, ClusterSingletonManagerSettings.Create(system).WithRole(NodeRoles.Api)), "price-marks");
                    }
                    if (budgets.Count > 0)
                    {
                        if (options.Cluster.Has(NodeRoles.Engine))
                            system.ActorOf(ClusterSingletonManager.Props(RequestBudgetKeeper.Props(options.RequestBudgets, options.Time), PoisonPill.Instance,
                                ClusterSingletonManagerSettings.Create(system).WithRole(NodeRoles.Engine)), "request-budgets");
                        var keeper = system.ActorOf(ClusterSingletonProxy.Props("/user/request-budgets",
                            ClusterSingletonProxySettings.Create(system).WithRole(NodeRoles.Engine)), "request-budgets-proxy");
                        foreach (var budget in budgets.Values)
                            budget.Attach(system.ActorOf(RequestBudgetGate.Props(budget, keeper, options.Time), "request-budget-" + budget.Name));
                    }
                    registry.Register<EngineMetricsKey>(system.ActorOf(
                        Props.Create(() => new EngineMetrics(registry.Get<TenantRegion>(), registry.Get<StrategyRouterKey>(), strategyView, options.SummaryInterval,
                            registry.Get<FanoutRegion>())), "metrics"));
                })
                .WithBacktests(options, datasets, backtestJobs)
                .WithClusterFormation(options)
                .AddStartup((system, _) =>
                {
                    // Without seeds or discovery the node forms a one-node cluster on its own.
                    if (options.Cluster.SeedList.Count == 0 && !options.Cluster.UsesDiscovery)
                    {
                        var cluster = Akka.Cluster.Cluster.Get(system);
                        cluster.Join(cluster.SelfAddress);
                    }
                });
            // Added last with Prepend: it wins over everything in cluster-config/.
            if (!string.IsNullOrWhiteSpace(options.ExtraHocon)) builder.AddHocon(options.ExtraHocon, HoconAddMode.Prepend);
        });
        return services;
    }

    /// <summary>
    /// Backtests (decision 029): a worker on every engine node, pulling runs up to the backtest dispatcher's threads; on
    /// every node a broadcast group over the engine nodes' workers (how a coordinator announces its job) and the desk
    /// that starts coordinators for the jobs the node's API takes.
    /// </summary>
    private static AkkaConfigurationBuilder WithBacktests(this AkkaConfigurationBuilder builder, TradingEngineOptions options, BacktestDatasets datasets,
        BacktestJobStore store) =>
        builder.WithActors((system, registry) =>
        {
            system.RegisterOnTermination(store.Dispose);
            if (options.Cluster.Has(NodeRoles.Engine))
                system.ActorOf(BacktestWorker.Props(datasets, store, options.Backtests.ThreadCount, Akka.Cluster.Cluster.Get(system).SelfAddress.ToString(),
                    options.Backtests.MaxRecordedBars), BacktestWorker.Name);
            string[] paths = ["/user/" + BacktestWorker.Name];
            var workers = system.ActorOf(Props.Empty.WithRouter(new Akka.Cluster.Routing.ClusterRouterGroup(new Akka.Routing.BroadcastGroup(paths),
                new Akka.Cluster.Routing.ClusterRouterGroupSettings(10_000, paths, allowLocalRoutees: true, useRole: NodeRoles.Engine))), "backtest-workers");
            registry.Register<BacktestDeskKey>(system.ActorOf(BacktestDesk.Props(store, workers, options.Backtests.StaleAfter), BacktestDesk.Name));
        });

    /// <summary>
    /// With Trading:Cluster:Discovery = postgres the node joins through the members it finds in cluster_nodes, or forms
    /// the cluster when there is none (decision 016); leaving, it removes its row.
    /// </summary>
    private static AkkaConfigurationBuilder WithClusterFormation(this AkkaConfigurationBuilder builder, TradingEngineOptions options)
    {
        var settings = options.Cluster;
        if (!settings.UsesDiscovery) return builder;
        return builder.AddStartup((system, _) =>
        {
            NodeDirectory.Migrate(options.ConnectionString);
            var database = NpgsqlDataSource.Create(options.ConnectionString);
            var cluster = Akka.Cluster.Cluster.Get(system);
            var directory = new NodeDirectory(database, options.ActorSystemName, cluster.SelfAddress.ToString(),
                string.Join(",", settings.RoleList), settings.DiscoveryStaleAfter);
            var joiner = ((ExtendedActorSystem)system).SystemActorOf(ClusterJoiner.Props(directory, new ClusterJoiner.Settings(settings.DiscoveryHeartbeat, settings.JoinRetry)),
                "cluster-joiner");
            // Leaving: the row goes with the node, so nobody tries to join through it.
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseClusterExiting, "leave-member-directory", async () =>
            {
                system.Stop(joiner);
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                    await directory.RemoveAsync(timeout.Token);
                }
                catch (Exception e) when (e is NpgsqlException or OperationCanceledException)
                {
                    system.Log.Warning("could not remove this node from cluster_nodes ({0}); its row goes stale in {1}", e.Message, settings.DiscoveryStaleAfter);
                }
                return Akka.Done.Instance;
            });
            system.RegisterOnTermination(() => database.Dispose());
        });
    }

    /// <summary>
    /// Tenants and fan-out buckets live on engine nodes only (decision 015); every other node gets proxies under the same
    /// registry keys, so the API and the metrics send to tenants the same way wherever they run.
    /// </summary>
    private static AkkaConfigurationBuilder WithTradingRegions(this AkkaConfigurationBuilder builder, TradingEngineOptions options,
        VenueRegistry venues, IPriceSource prices, StrategyCatalogView strategyView, PlanCatalogView planView)
    {
        var tenantShards = new EngineMessageExtractor(options.TenantShards);
        var fanoutShards = new EngineMessageExtractor(Math.Max(10, options.FanoutBuckets));
        var strategyShards = new EngineMessageExtractor(StrategyShards);
        if (!options.Cluster.Has(NodeRoles.Engine))
            return builder
                .WithShardRegionProxy<TenantRegion>("tenant", NodeRoles.Engine, tenantShards)
                .WithShardRegionProxy<FanoutRegion>("fanout", NodeRoles.Engine, fanoutShards)
                .WithShardRegionProxy<StrategyRegion>("strategy", NodeRoles.Engine, strategyShards);
        return builder
            .WithShardRegion<TenantRegion>("tenant",
                (system, registry, _) =>
                {
                    var deps = new Lazy<TenantDependencies>(() => TenantDeps(options, venues, prices, registry, strategyView, planView));
                    return entityId => TenantActor.Props(entityId, deps.Value);
                },
                tenantShards,
                RememberedEntities())
            .WithShardRegion<FanoutRegion>("fanout",
                (system, registry, _) => entityId => SignalFanout.Props(entityId, registry.Get<TenantRegion>(), registry.Get<SignalHistoryKey>(), options.Time, RedeliveryTiming.Default),
                fanoutShards,
                RememberedEntities())
            // Strategies are always-on entities (decision 026): remembered, so a lost node's strategies start elsewhere at
            // once; the shard's hand-off lets a strategy finish the signal it is persisting before it moves.
            .WithShardRegion<StrategyRegion>("strategy",
                (system, registry, _) => entityId => StrategyActor.Supervised(entityId, strategyView, registry.Get<FanoutRegion>(), options.FanoutBuckets,
                    options.FanoutTickInterval, options.Time, options.StrategyRestartBackoff, options.StrategyRestartBackoffMax),
                strategyShards,
                RememberedEntities(handOffStopMessage: HandOverStrategy.Instance));
    }

    /// <summary>Strategies spread over this many shards (and so over the engine nodes); fixed, as shard ids are stored.</summary>
    public const int StrategyShards = 20;

    /// <summary>
    /// Remember-entities with the eventsourced store (entity ids in our journal): after a node is
    /// lost or a shard moves, the coordinator starts the shard elsewhere and the shard starts every
    /// remembered entity at once — resident tenants and every fan-out bucket come back without
    /// waiting for a message. An entity that passivates is forgotten: idle tenants stay asleep.
    /// </summary>
    private static ShardOptions RememberedEntities(object? handOffStopMessage = null) => new()
    {
        HandOffStopMessage = handOffStopMessage,
        StateStoreMode = StateStoreMode.DData,
        RememberEntities = true,
        RememberEntitiesStore = RememberEntitiesStore.Eventsourced,
        JournalPluginId = "akka.persistence.journal.sql",
        SnapshotPluginId = "akka.persistence.snapshot-store.sql",
        // Residency is the entity's own decision (active subscribers never sleep).
        ShouldPassivateIdleEntities = false,
        Role = NodeRoles.Engine,
    };

    private static TenantDependencies TenantDeps(TradingEngineOptions options, VenueRegistry venues, IPriceSource prices, IActorRegistry registry,
        IStrategyDirectory strategies, IPlanDirectory plans) => new(
        strategies,
        venues,
        new PaperVenueCosts(options.PaperFeeRate, options.PaperSlippageBps),
        options.Time,
        registry.Get<FanoutRegion>(),
        registry.Get<SignalHistoryKey>(),
        options.FanoutBuckets,
        options.TenantSnapshotEvery,
        new BrokerSession.Settings(options.BrokerCallTimeout, options.BrokerBreakerFailures, options.BrokerBreakerReset, IdleStop: TimeSpan.FromMinutes(2),
            options.RequestBudgetAdmissionTimeout),
        options.Resolution,
        options.IdlePassivation,
        prices,
        options.CredentialKeys)
    {
        Plans = plans,
        PlanGracePeriod = options.PlanGracePeriod,
        PlanGraceCheck = options.PlanGraceCheckInterval,
    };

    /// <summary>
    /// The node's own venues: the embedded paper venue, the simulated external venue when enabled, and the real venues
    /// that are not disabled (decision 022), each with one HTTP client whose requests wait for the venue's cluster-wide
    /// request budget when it has one (decision 023).
    /// </summary>
    private static Dictionary<string, IBrokerClient> DefaultVenues(TradingEngineOptions options, IPriceSource prices, IReadOnlyDictionary<string, ClusterRequestBudget> budgets)
    {
        var venues = new Dictionary<string, IBrokerClient>
        {
            [Domain.Tenants.Venues.Paper] = new PaperExchange(new PaperVenueOptions { FeeRate = options.PaperFeeRate, SlippageBps = options.PaperSlippageBps }, prices, options.Time),
        };
        if (options.SimulatedVenue.Enabled)
            venues[SimulatedVenueName] = new SimulatedVenue(SimulatedVenueName, prices, options.Time, authenticate: options.SimulatedVenue.Authenticate);
        var real = options.RealVenues;
        HttpClient Http(string venue) => new(budgets.TryGetValue(venue, out var budget)
            ? new RequestBudgetHandler(budget) { InnerHandler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) } }
            : new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        if (real.Oanda.Enabled)
            venues[OandaOptions.VenueName] = new OandaBrokerClient(OandaOptionsOf(real), Http(OandaOptions.VenueName), options.Time);
        if (real.Alpaca.Enabled)
        {
            var o = new AlpacaOptions();
            venues[AlpacaOptions.VenueName] = new AlpacaBrokerClient(o with { TestBaseUrl = Or(real.Alpaca.TestBaseUrl, o.TestBaseUrl), LiveBaseUrl = Or(real.Alpaca.LiveBaseUrl, o.LiveBaseUrl) },
                Http(AlpacaOptions.VenueName), options.Time);
        }
        if (real.Bybit.Enabled)
        {
            var o = new BybitOptions();
            venues[BybitOptions.VenueName] = new BybitBrokerClient(o with { TestBaseUrl = Or(real.Bybit.TestBaseUrl, o.TestBaseUrl), LiveBaseUrl = Or(real.Bybit.LiveBaseUrl, o.LiveBaseUrl) },
                Http(BybitOptions.VenueName), options.Time);
        }
        if (real.Kis.Enabled)
        {
            var o = new KisOptions();
            venues[KisOptions.VenueName] = new KisBrokerClient(o with { TestBaseUrl = Or(real.Kis.TestBaseUrl, o.TestBaseUrl), LiveBaseUrl = Or(real.Kis.LiveBaseUrl, o.LiveBaseUrl) },
                Http(KisOptions.VenueName), options.Time);
        }
        return venues;
    }

    private static Uri Or(string? url, Uri otherwise) => url is null ? otherwise : new Uri(url.EndsWith('/') ? url : url + "/");

    /// <summary>OANDA's REST and stream hosts as Trading:RealVenues:Oanda sets them: the connector and the price feed use the same.</summary>
    private static OandaOptions OandaOptionsOf(RealVenueSettings real)
    {
        var o = new OandaOptions();
        return o with
        {
            TestBaseUrl = Or(real.Oanda.TestBaseUrl, o.TestBaseUrl), LiveBaseUrl = Or(real.Oanda.LiveBaseUrl, o.LiveBaseUrl),
            TestStreamUrl = Or(real.Oanda.TestStreamUrl, o.TestStreamUrl), LiveStreamUrl = Or(real.Oanda.LiveStreamUrl, o.LiveStreamUrl),
        };
    }

    /// <summary>The OANDA feed of Trading:Feed:Oanda; its stream is not counted against a request budget (OANDA's stream host has none).</summary>
    private static Props OandaFeedProps(TradingEngineOptions options)
    {
        var feed = options.Feed.Oanda;
        var account = new BrokerAccount("oanda-feed", feed.AccountNumber, feed.Token) { Mode = feed.Mode };
        var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };
        return OandaPriceFeed.Props(OandaOptionsOf(options.RealVenues), account, feed.InstrumentsFor(options.Strategies), http, options.Time);
    }

    public const string SimulatedVenueName = "simulated";

    private static Props? FeedProps(TradingEngineOptions options) => options.Feed.Kind switch
    {
        "simulated" => MarketFeedActor.Simulated(new SimulatedFeedOptions
        {
            // Every instrument the engine knows: strategies and bots made at run time may read any of them.
            Symbols = Instruments.All.Select(i => new SimulatedSymbol(i.Symbol, StartPrice(i.Symbol))).ToList(),
            IntervalMs = options.Feed.IntervalMs,
            Volatility = options.Feed.Volatility,
            Seed = options.Feed.Seed,
        }, options.Time),
        "replay" => MarketFeedActor.Replay(LocateFile(options.Feed.ReplayFile), options.Feed.ReplaySymbol, TimeSpan.FromMilliseconds(options.Feed.IntervalMs), options.Time),
        "oanda" => OandaFeedProps(options),
        _ => null,
    };

    private static decimal StartPrice(string symbol) => symbol switch
    {
        "BTCUSDT" => 60_000m,
        "ETHUSDT" => 3_000m,
        "EUR_USD" => 1.08m,
        "AAPL" => 190m,
        "005930" => 70_000m,
        _ => 100m,
    };

    /// <summary>A relative path is looked up from the working directory, then upwards from the app folder.</summary>
    private static string LocateFile(string path)
    {
        if (Path.IsPathRooted(path) || File.Exists(path)) return Path.GetFullPath(path);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, path);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"replay file '{path}' not found");
    }

    private static Config PersistenceConfig(string connectionString)
    {
        var quoted = "\"" + connectionString.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
        return ConfigurationFactory.ParseString($"""
            akka.persistence.journal.sql.connection-string = {quoted}
            akka.persistence.snapshot-store.sql.connection-string = {quoted}
            akka.persistence.query.journal.sql.connection-string = {quoted}
            """);
    }

    private static Config EmbeddedHocon(string file)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("cluster-config/" + file)
            ?? throw new InvalidOperationException($"cluster-config/{file} is not embedded");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}

/// <summary>Routes by marker interface: tenants by tenant id, fan-out buckets by strategy and bucket.</summary>
public sealed class EngineMessageExtractor(int maxShards) : HashCodeMessageExtractor(maxShards)
{
    public override string EntityId(object message) => message switch
    {
        IWithTenantId t => t.TenantId,
        IWithFanoutBucket f => Names.FanoutEntityId(f.StrategyId, f.Bucket),
        IWithStrategyId s => s.StrategyId,
        _ => null!,
    };
}
