using Akka.Actor;
using Akka.Persistence;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Tenants;

namespace TradingActors.IntegrationTests.Infrastructure;

/// <summary>
/// A persistent actor that journals real tenant events (tagged by EventTagger, serialized by the
/// TradingSerializer, snapshots as TenantSnapshot) and reports what its recovery saw.
/// Event n of ledger p links the paper account "p#n" with n in cash, so every event says whose it is.
/// </summary>
public sealed class LedgerActor : ReceivePersistentActor
{
    public static readonly DateTimeOffset At = DateTimeOffset.Parse("2026-01-02T03:04:05Z");

    public sealed record Append(int Count);
    public sealed record Appended(long LastSequenceNr);
    public sealed record TakeSnapshot;
    public sealed record SnapshotTaken(long SequenceNr);
    public sealed record Forget(long ToSequenceNr);
    public sealed record Forgotten(long ToSequenceNr);
    public sealed record GetRecovery;
    public sealed record RecoveryReport(long? SnapshotSequenceNr, IReadOnlyList<long> ReplayedSequenceNrs, IReadOnlyList<string> ReplayedAccounts, long LastSequenceNr, TenantState State);

    private readonly List<long> _replayedSequenceNrs = [];
    private readonly List<string> _replayedAccounts = [];
    private long? _snapshotSequenceNr;
    private TenantState _state;
    private IActorRef? _waiting;

    public LedgerActor(string persistenceId)
    {
        PersistenceId = persistenceId;
        _state = TenantState.Empty(persistenceId);

        Recover<SnapshotOffer>(offer =>
        {
            _snapshotSequenceNr = offer.Metadata.SequenceNr;
            _state = ((TenantSnapshot)offer.Snapshot).State;
        });
        Recover<PaperAccountLinked>(linked =>
        {
            _replayedSequenceNrs.Add(LastSequenceNr);
            _replayedAccounts.Add(linked.AccountId);
            _state = _state.Apply(linked);
        });

        Command<GetRecovery>(_ => Sender.Tell(new RecoveryReport(_snapshotSequenceNr, _replayedSequenceNrs, _replayedAccounts, LastSequenceNr, _state)));
        Command<Append>(append =>
        {
            var events = Enumerable.Range(1, append.Count).Select(i => EventFor(PersistenceId, LastSequenceNr + i)).ToList();
            var left = events.Count;
            var replyTo = Sender;
            PersistAll(events, e =>
            {
                _state = _state.Apply(e);
                if (--left == 0) replyTo.Tell(new Appended(LastSequenceNr));
            });
        });
        Command<TakeSnapshot>(_ =>
        {
            _waiting = Sender;
            SaveSnapshot(new TenantSnapshot(_state));
        });
        Command<SaveSnapshotSuccess>(s => _waiting?.Tell(new SnapshotTaken(s.Metadata.SequenceNr)));
        Command<SaveSnapshotFailure>(f => _waiting?.Tell(new Status.Failure(f.Cause)));
        Command<Forget>(f =>
        {
            _waiting = Sender;
            DeleteMessages(f.ToSequenceNr);
        });
        Command<DeleteMessagesSuccess>(d => _waiting?.Tell(new Forgotten(d.ToSequenceNr)));
        Command<DeleteMessagesFailure>(f => _waiting?.Tell(new Status.Failure(f.Cause)));
    }

    public override string PersistenceId { get; }

    public static Props Props(string persistenceId) => Akka.Actor.Props.Create(() => new LedgerActor(persistenceId));

    public static PaperAccountLinked EventFor(string persistenceId, long sequenceNr) => new($"{persistenceId}#{sequenceNr}", sequenceNr, At);

    /// <summary>The state a ledger holds after events 1..n, built without any actor.</summary>
    public static TenantState ExpectedState(string persistenceId, long lastSequenceNr)
    {
        var state = TenantState.Empty(persistenceId);
        for (var n = 1L; n <= lastSequenceNr; n++) state = state.Apply(EventFor(persistenceId, n));
        return state;
    }
}

/// <summary>What a journal answered to one ReplayMessages request.</summary>
public sealed record ReplayOutcome(IReadOnlyList<IPersistentRepresentation> Replayed, long? HighestSequenceNr, Exception? Failure);

/// <summary>Stands in for a persistent actor: collects what the journal replays to it.</summary>
public sealed class ReplayCollector : ReceiveActor
{
    private readonly List<IPersistentRepresentation> _replayed = [];

    public ReplayCollector(TaskCompletionSource<ReplayOutcome> outcome)
    {
        Receive<ReplayedMessage>(m => _replayed.Add(m.Persistent));
        Receive<RecoverySuccess>(s => { outcome.TrySetResult(new ReplayOutcome(_replayed, s.HighestSequenceNr, null)); Context.Stop(Self); });
        Receive<ReplayMessagesFailure>(f => { outcome.TrySetResult(new ReplayOutcome(_replayed, null, f.Cause)); Context.Stop(Self); });
    }
}

/// <summary>Replay requests made straight to a journal, as a persistent actor's recovery makes them.</summary>
public static class JournalReplay
{
    /// <summary>Sends one replay request to the journal and returns what came back.</summary>
    public static Task<ReplayOutcome> Run(ActorSystem system, IActorRef journal, string persistenceId, long from, long to, long max)
    {
        var outcome = new TaskCompletionSource<ReplayOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var collector = system.ActorOf(Props.Create(() => new ReplayCollector(outcome)));
        journal.Tell(new ReplayMessages(from, to, max, persistenceId, collector));
        return outcome.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
