using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Xunit.Abstractions;

namespace TradingActors.Engine.Tests.Infrastructure;

/// <summary>One actor system per test on the TestKit journal and snapshot store (<see cref="FaultyPersistence"/>).</summary>
public abstract class EngineTestKit : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    protected EngineTestKit(ITestOutputHelper output, string overrides = "")
        : base(FaultyPersistence.Config(overrides), output: output)
    {
        Journal = JournalFaults.Of(Sys);
        Snapshots = Akka.Persistence.TestKit.TestSnapshotStore.FromRef(Akka.Persistence.Persistence.Instance.Apply(Sys).SnapshotStoreFor(null));
    }

    protected JournalFaults Journal { get; }

    protected Akka.Persistence.TestKit.ITestSnapshotStore Snapshots { get; }

    public Task InitializeAsync() => Journal.Heal();

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>What the journal holds for <paramref name="persistenceId"/>, read through the journal plugin.</summary>
    protected List<object> Events(string persistenceId) => Journaled(persistenceId).Select(e => e.Payload).ToList();

    /// <summary>The journal's events for <paramref name="persistenceId"/> with their sequence numbers.</summary>
    protected List<(long SequenceNr, object Payload)> Journaled(string persistenceId)
    {
        var reader = CreateTestProbe();
        Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor(null)
            .Tell(new Akka.Persistence.ReplayMessages(1, long.MaxValue, long.MaxValue, persistenceId, reader.Ref));
        var events = new List<(long, object)>();
        while (reader.ReceiveOne(TimeSpan.FromSeconds(15)) is { } message)
        {
            if (message is Akka.Persistence.ReplayedMessage replayed) events.Add((replayed.Persistent.SequenceNr, replayed.Persistent.Payload));
            else if (message is Akka.Persistence.RecoverySuccess) return events;
            else throw new InvalidOperationException("journal replay: " + message);
        }
        throw new TimeoutException("journal replay did not finish");
    }

    /// <summary>Stops an actor the way a crash would (no passivation) and waits until it is gone.</summary>
    protected void Kill(IActorRef actor)
    {
        Watch(actor);
        actor.Tell(PoisonPill.Instance);
        ExpectTerminated(actor);
    }

    /// <summary>Everything the probe holds right now (what an actor sent before a point the test has synchronised on).</summary>
    protected static List<object> Drain(TestProbe probe)
    {
        var messages = new List<object>();
        while (probe.HasMessages) messages.Add(probe.ReceiveOne(TimeSpan.Zero)!);
        return messages;
    }
}
