using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Sql;
using TradingActors.Engine.Hosting;
using TradingActors.Engine.Persistence;
using TradingActors.Engine.Serialization;

namespace TradingActors.IntegrationTests.Infrastructure;

/// <summary>
/// A plain ActorSystem (no cluster) with exactly the engine's persistence HOCON, read from the
/// cluster-config files embedded in the Engine assembly, and the engine's serializer: recovery tests
/// exercise the configured plugins without paying for a whole node.
/// </summary>
public static class PersistenceSystem
{
    /// <summary>Puts the stock Akka.Persistence.Sql plugins back, to compare against them.</summary>
    public const string StockPlugins = """
        akka.persistence.journal.sql.class = "Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql"
        akka.persistence.snapshot-store.sql.class = "Akka.Persistence.Sql.Snapshot.SqlSnapshotStore, Akka.Persistence.Sql"
        """;

    /// <param name="tagQuery">the engine's events-by-tag interceptor for the query side (AddTradingEngine always adds it); null: the stock query</param>
    public static ActorSystem Start(string connectionString, string overrides = "", ReadJournalTagQuery? tagQuery = null)
    {
        var quoted = "\"" + connectionString.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
        var config = ConfigurationFactory.ParseString(overrides)
            .WithFallback(ConfigurationFactory.ParseString($$"""
                akka.persistence.journal.sql.connection-string = {{quoted}}
                akka.persistence.snapshot-store.sql.connection-string = {{quoted}}
                akka.loglevel = WARNING
                akka.actor {
                  serializers.trading = "{{typeof(TradingSerializer).AssemblyQualifiedName}}"
                  serialization-bindings {
                    {{string.Join("\n", TradingSerializer.BoundTypes.Select(t => $"\"{t.AssemblyQualifiedName}\" = trading"))}}
                  }
                }
                """))
            .WithFallback(Embedded("persistence.conf"))
            .WithFallback(Embedded("base.conf"))
            .WithFallback(SqlPersistence.DefaultConfiguration);
        var bootstrap = BootstrapSetup.Create().WithConfig(config);
        var system = tagQuery is null
            ? ActorSystem.Create("recovery", bootstrap)
            : ActorSystem.Create("recovery", bootstrap.And(ReadJournalTagQuery.Setup(connectionString, tagQuery)));
        // Start the scheduler's timer now, from this thread. Left to start lazily, it was first used by
        // hundreds of recovering actors at once (each schedules its recovery timeout), and its start-up
        // wait then blocked every pool thread, the timer's own start included (akka.net #7130): about
        // one run in six hung for minutes. A cluster node starts it at once; this bare system did not.
        system.Scheduler.Advanced.ScheduleOnce(TimeSpan.Zero, static () => { });
        return system;
    }

    public static IActorRef Journal(ActorSystem system) => Persistence.Instance.Apply(system).JournalFor(null);

    public static IActorRef SnapshotStore(ActorSystem system) => Persistence.Instance.Apply(system).SnapshotStoreFor(null);

    public static Task<JournalBatchStats> JournalStats(ActorSystem system) =>
        Journal(system).Ask<JournalBatchStats>(GetBatchStats.Instance, TimeSpan.FromSeconds(10));

    public static Task<SnapshotBatchStats> SnapshotStats(ActorSystem system) =>
        SnapshotStore(system).Ask<SnapshotBatchStats>(GetBatchStats.Instance, TimeSpan.FromSeconds(10));

    private static Config Embedded(string file)
    {
        using var stream = typeof(TradingEngineHosting).Assembly.GetManifestResourceStream("cluster-config/" + file)
            ?? throw new InvalidOperationException($"cluster-config/{file} is not embedded in the Engine assembly");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
