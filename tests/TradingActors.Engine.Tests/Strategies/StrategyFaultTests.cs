using Akka.Actor;
using TradingActors.Domain.Orders;
using TradingActors.Engine.Fanout;
using TradingActors.Engine.Strategies;
using TradingActors.Engine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TradingActors.Engine.Tests.Strategies;

/// <summary>
/// Persist site: StrategyActor.Emit (SignalEmitted). A signal is delivered to the buckets, published on
/// its topic and answered only once persisted; the journal sequence number is the signal sequence
/// (SignalHistory relies on it), so after any fault the next signal takes the next journal sequence.
/// </summary>
public sealed class StrategyFaultTests(ITestOutputHelper output) : EngineTestKit(output, ClusterProvider)
{
    /// <summary>DistributedPubSub needs the cluster provider; the node need not join anything.</summary>
    public const string ClusterProvider = """
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
        """;

    private static string Pid => Names.StrategyPersistenceId(StrategyRig.StrategyId);

    private void AssertJournalIsTheSignalLog(params long[] sequences)
    {
        var journaled = Journaled(Pid).Where(e => e.Payload is SignalEmitted).ToList();
        Assert.Equal(sequences, journaled.Select(e => ((SignalEmitted)e.Payload).Signal.Sequence));
        Assert.All(journaled, e => Assert.Equal(e.SequenceNr, ((SignalEmitted)e.Payload).Signal.Sequence));
        // The node's history reads the same journal and serves the signals contiguously.
        var history = Sys.ActorOf(SignalHistory.Props());
        history.Tell(new FetchSignals(StrategyRig.StrategyId, 1, 100), TestActor);
        var fetched = ExpectMsg<SignalsFetched>();
        Assert.Equal(sequences, fetched.Signals.Select(s => s.Sequence));
        Assert.Equal(sequences[^1], fetched.LatestSequence);
    }

    [Fact]
    public async Task A_signal_whose_write_fails_is_never_delivered_published_or_answered_and_the_next_signal_takes_its_sequence()
    {
        var rig = new StrategyRig(this);
        var strategy = rig.Start();
        rig.ExpectRecoveredAt(0);
        rig.Emit(strategy);
        await Journal.FailWritesOf<SignalEmitted>();

        strategy.Tell(new EmitManualSignal(StrategyRig.StrategyId, OrderSide.Sell, 101m), TestActor);

        rig.ExpectRecoveredAt(1); // the write stopped it; its supervisor started it again from the journal
        ExpectNoMsg(TimeSpan.Zero);
        Assert.Empty(Drain(rig.Fanout));
        Assert.Empty(Drain(rig.Topic));

        await Journal.Heal();
        var next = rig.Emit(strategy, OrderSide.Sell, 102m);
        Assert.Equal(2, next.Sequence);
        Assert.Equal(102m, next.Price);
        AssertJournalIsTheSignalLog(1, 2);
    }

    [Fact]
    public async Task A_rejected_signal_is_never_delivered_published_or_answered_and_the_next_signal_takes_its_journal_sequence()
    {
        var rig = new StrategyRig(this);
        var strategy = rig.Start();
        rig.ExpectRecoveredAt(0);
        rig.Emit(strategy);
        await Journal.RejectWritesOf<SignalEmitted>();

        strategy.Tell(new EmitManualSignal(StrategyRig.StrategyId, OrderSide.Sell, 101m), TestActor);

        // A refused write used up journal sequence 2: the strategy restarts to take the journal's sequence back.
        rig.ExpectRecoveredAt(1);
        ExpectNoMsg(TimeSpan.Zero);
        Assert.Empty(Drain(rig.Fanout));
        Assert.Empty(Drain(rig.Topic));
        Assert.Equal(1, rig.Status(strategy).LastSequence);

        await Journal.Heal();
        var next = rig.Emit(strategy, OrderSide.Sell, 102m);
        Assert.Equal(2, next.Sequence);
        Assert.Equal(102m, next.Price);
        AssertJournalIsTheSignalLog(1, 2);
    }

    [Fact]
    public async Task A_strategy_whose_signals_cannot_be_replayed_delivers_and_ticks_nothing_until_it_recovers_its_sequence()
    {
        var rig = new StrategyRig(this);
        await Snapshots.OnSave.Fail(); // no checkpoint: a recovery must replay the signals
        var strategy = rig.Start();
        rig.ExpectRecoveredAt(0);
        rig.Emit(strategy);
        rig.Emit(strategy, OrderSide.Sell, 101m);
        await Journal.FailRecoveries();

        Kill(rig.Child(strategy)); // its supervisor starts it again, and again, with backoff

        rig.Fanout.ExpectNoMsg(TimeSpan.FromMilliseconds(500)); // several failed recoveries: no tick, no delivery
        Assert.Empty(Drain(rig.Topic));

        await Journal.Heal();
        rig.ExpectRecoveredAt(2);
        Assert.Equal(3, rig.Emit(strategy, OrderSide.Buy, 99m).Sequence);
        AssertJournalIsTheSignalLog(1, 2, 3);
    }
}
