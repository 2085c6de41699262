using Akka.Actor;
using TradingActors.Domain.Orders;
using TradingActors.Engine.Fanout;
using TradingActors.Engine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TradingActors.Engine.Tests.Strategies;

/// <summary>
/// Snapshot site: StrategyActor.Checkpoint (the indicator and the sequence, after every price and
/// signal). A checkpoint sends nothing anywhere; a restart takes the sequence from the journal and the
/// indicator from the newest stored checkpoint. (Snapshot stores have no rejection: the second fault
/// here is the failed delete of older checkpoints.)
/// </summary>
public sealed class StrategyCheckpointFaultTests(ITestOutputHelper output) : EngineTestKit(output, StrategyFaultTests.ClusterProvider)
{
    // Rising prices: RSI stays overbought, no cross, no signal.
    private static void Prices(StrategyRig rig, IActorRef strategy, int count, decimal from = 100m)
    {
        for (var i = 0; i < count; i++) rig.Price(strategy, from + i);
    }

    [Fact]
    public async Task A_failed_checkpoint_sends_nothing_and_the_next_one_replaces_it_so_a_restart_resumes_sequence_and_indicator()
    {
        var rig = new StrategyRig(this);
        var strategy = rig.Start();
        rig.ExpectRecoveredAt(0);
        await Snapshots.OnSave.Fail();

        Prices(rig, strategy, 5);
        rig.Emit(strategy);
        var failed = rig.Status(strategy);

        Assert.Equal((5L, 0L, 1L), (failed.PricesSeen, failed.Checkpointed, failed.LastSequence));
        Assert.Empty(Drain(rig.Fanout)); // only the signal's deliveries left it
        await Snapshots.OnSave.Pass();
        Prices(rig, strategy, 1, from: 105m);
        AwaitAssert(() => Assert.Equal(6L, rig.Status(strategy).Checkpointed));

        Kill(rig.Child(strategy));
        rig.ExpectRecoveredAt(1);
        var resumed = rig.Status(strategy);
        Assert.Equal((6L, 6L, 1L), (resumed.PricesSeen, resumed.Checkpointed, resumed.LastSequence));
        Assert.Equal(2, rig.Emit(strategy, OrderSide.Sell, 99m).Sequence);
    }

    [Fact]
    public async Task A_checkpoint_whose_older_ones_cannot_be_deleted_still_resumes_from_the_newest()
    {
        var rig = new StrategyRig(this);
        var strategy = rig.Start();
        rig.ExpectRecoveredAt(0);
        await Snapshots.OnDelete.Fail();

        Prices(rig, strategy, 3);
        rig.Emit(strategy);
        Prices(rig, strategy, 3, from: 103m);
        rig.Emit(strategy, OrderSide.Sell, 99m);
        Prices(rig, strategy, 2, from: 106m);
        AwaitAssert(() => Assert.Equal(8L, rig.Status(strategy).Checkpointed));
        Assert.Empty(Drain(rig.Fanout));

        Kill(rig.Child(strategy));
        rig.ExpectRecoveredAt(2);
        var resumed = rig.Status(strategy);
        Assert.Equal((8L, 8L, 2L), (resumed.PricesSeen, resumed.Checkpointed, resumed.LastSequence));
        Assert.Equal(3, rig.Emit(strategy).Sequence);
    }

    [Fact]
    public async Task A_strategy_whose_checkpoint_cannot_be_loaded_ticks_nothing_until_it_loads_and_then_resumes_where_it_was()
    {
        var rig = new StrategyRig(this);
        var strategy = rig.Start();
        rig.ExpectRecoveredAt(0);
        Prices(rig, strategy, 4);
        rig.Emit(strategy);
        AwaitAssert(() => Assert.Equal(4L, rig.Status(strategy).Checkpointed));
        await Snapshots.OnLoad.Fail();

        Kill(rig.Child(strategy));

        rig.Fanout.ExpectNoMsg(TimeSpan.FromMilliseconds(500)); // failed recoveries, retried with backoff: no tick, no delivery
        Assert.Empty(Drain(rig.Topic));

        await Snapshots.OnLoad.Pass();
        rig.ExpectRecoveredAt(1);
        var resumed = rig.Status(strategy);
        Assert.Equal((4L, 1L), (resumed.PricesSeen, resumed.LastSequence));
        Assert.Equal(2, rig.Emit(strategy, OrderSide.Sell, 99m).Sequence);
    }
}
