using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.TestKit;
using TradingActors.Engine.Hosting;
using TradingActors.Engine.Serialization;
using TradingActors.Engine.Tenants;
using AkkaSerialization = Akka.Serialization.Serialization;

namespace TradingActors.Engine.Tests.Infrastructure;

/// <summary>
/// The in-memory journal and snapshot store of Akka.Persistence.TestKit as the default plugins, with
/// the engine's serializer bound exactly as AddTradingEngine binds it, and every event and snapshot
/// run through that serializer on its way in (as the SQL plugins would): what a test recovers is what
/// the real serializer wrote. No database.
/// </summary>
public static class FaultyPersistence
{
    public static Config Config(string overrides = "") =>
        ConfigurationFactory.ParseString(overrides)
            .WithFallback(ConfigurationFactory.ParseString($$"""
                akka.loglevel = WARNING
                # Every expectation waits for its message, never a fixed time: the bound only decides how long a
                # wrong actor takes to fail. 3 s (the default) failed a first command under the suite's parallel
                # start on 2 cores.
                akka.test.single-expect-default = 15s
                akka.persistence {
                  journal {
                    plugin = "akka.persistence.journal.test"
                    test {
                      class = "Akka.Persistence.TestKit.TestJournal, Akka.Persistence.TestKit"
                      plugin-dispatcher = "akka.actor.default-dispatcher"
                    }
                  }
                  snapshot-store {
                    plugin = "akka.persistence.snapshot-store.test"
                    test {
                      class = "{{typeof(RoundTripSnapshotStore).AssemblyQualifiedName}}"
                      plugin-dispatcher = "akka.actor.default-dispatcher"
                    }
                  }
                }
                akka.actor {
                  serializers.trading = "{{typeof(TradingSerializer).AssemblyQualifiedName}}"
                  serialization-bindings {
                    {{string.Join("\n", TradingSerializer.BoundTypes.Select(t => $"\"{t.AssemblyQualifiedName}\" = trading"))}}
                  }
                }
                {{VenueDispatchers.Hocon([TestVenues.Sim, BookVenue.Name], 2)}}
                """))
            .WithFallback(Embedded("base.conf")); // the tenants' mailbox

    /// <summary>Serializes and deserializes through the serializer bound to the message's type; throws if that is not ours.</summary>
    public static object RoundTrip(AkkaSerialization serialization, object message)
    {
        var serializer = serialization.FindSerializerFor(message);
        if (serializer is not TradingSerializer)
            throw new InvalidOperationException($"{message.GetType().Name} is not bound to the engine's serializer (got {serializer.GetType().Name})");
        var manifest = AkkaSerialization.ManifestFor(serializer, message);
        return serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, manifest);
    }

    private static Config Embedded(string file)
    {
        using var stream = typeof(TradingEngineHosting).Assembly.GetManifestResourceStream("cluster-config/" + file)
            ?? throw new InvalidOperationException($"cluster-config/{file} is not embedded in the Engine assembly");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}

/// <summary>
/// The journal's faults, always behind a serializer round trip: an event the engine's serializer
/// cannot write, or cannot read back to the same bytes, is rejected, as a real journal rejects it.
/// </summary>
public sealed class JournalFaults(ITestJournal journal, AkkaSerialization serialization)
{
    public static JournalFaults Of(ActorSystem system) =>
        new(TestJournal.FromRef(Akka.Persistence.Persistence.Instance.Apply(system).JournalFor(null)), system.Serialization);

    /// <summary>Writes and recoveries succeed.</summary>
    public async Task Heal()
    {
        await journal.OnWrite.SetInterceptorAsync(new SerializedWrite(serialization, JournalInterceptors.Noop.Instance));
        await journal.OnRecovery.Pass();
    }

    /// <summary>Every write of a <typeparamref name="TEvent"/> fails (a storage failure: the writer stops).</summary>
    public Task FailWritesOf<TEvent>() =>
        journal.OnWrite.SetInterceptorAsync(new SerializedWrite(serialization, new JournalInterceptors.OnType(typeof(TEvent), JournalInterceptors.Failure.Instance)));

    /// <summary>Every write of a <typeparamref name="TEvent"/> is rejected (the journal refuses the event; the writer goes on).</summary>
    public Task RejectWritesOf<TEvent>() =>
        journal.OnWrite.SetInterceptorAsync(new SerializedWrite(serialization, new JournalInterceptors.OnType(typeof(TEvent), JournalInterceptors.Rejection.Instance)));

    /// <summary>Every write of an event that <paramref name="matches"/> fails (the writer stops); other writes succeed.</summary>
    public Task FailWritesWhere(Func<object, bool> matches) =>
        journal.OnWrite.SetInterceptorAsync(new SerializedWrite(serialization, new When(matches, JournalInterceptors.Failure.Instance)));

    /// <summary>Every replay that reaches an event fails (an actor with events in its journal cannot recover).</summary>
    public Task FailRecoveries() => journal.OnRecovery.Fail();

    private sealed class When(Func<object, bool> matches, IJournalInterceptor then) : IJournalInterceptor
    {
        public Task InterceptAsync(IPersistentRepresentation message) => matches(message.Payload) ? then.InterceptAsync(message) : Task.CompletedTask;
    }

    private sealed class SerializedWrite(AkkaSerialization serialization, IJournalInterceptor then) : IJournalInterceptor
    {
        public Task InterceptAsync(IPersistentRepresentation message)
        {
            try
            {
                var back = FaultyPersistence.RoundTrip(serialization, message.Payload);
                var once = serialization.FindSerializerFor(message.Payload).ToBinary(message.Payload);
                var twice = serialization.FindSerializerFor(back).ToBinary(back);
                if (!once.AsSpan().SequenceEqual(twice)) throw new InvalidOperationException($"{message.Payload.GetType().Name} does not read back as written");
            }
            catch (Exception e)
            {
                throw new TestJournalRejectionException("the engine's serializer cannot round-trip this event", e);
            }
            return then.InterceptAsync(message);
        }
    }
}

/// <summary>The TestKit snapshot store, storing what the engine's serializer reads back from what it wrote.</summary>
public sealed class RoundTripSnapshotStore : TestSnapshotStore
{
    private readonly AkkaSerialization _serialization = Context.System.Serialization;

    protected override Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken) =>
        base.SaveAsync(metadata, FaultyPersistence.RoundTrip(_serialization, snapshot), cancellationToken);

    // The in-memory store reads a bound of 0 as "no bound" and would delete every snapshot; the SQL
    // plugin the engine runs on deletes those up to 0, i.e. none (a strategy's first checkpoint asks exactly that).
    protected override Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken) =>
        criteria.MaxSequenceNr <= 0 ? Task.CompletedTask : base.DeleteAsync(persistenceId, criteria, cancellationToken);
}
