using Akka.Actor;
using TradingActors.Domain.Orders;
using TradingActors.Engine.Fanout;
using TradingActors.Engine.Strategies;
using TradingActors.Engine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TradingActors.Engine.Tests.Strategies;

/// <summary>
/// An operator's pause (tradectl strategies pause): a paused strategy reads prices and emits nothing, computed or
/// manual; the pause is answered only once stored, survives a restart, and a pause the store refuses is not in effect.
/// </summary>
public sealed class StrategyPauseTests(ITestOutputHelper output) : EngineTestKit(output, StrategyFaultTests.ClusterProvider)
{
    /// <summary>
    /// Ten falling prices take the RSI (period 3) below 30 and a jump takes it back up through 30: a computed buy. After
    /// an earlier jump the first fall also takes it down through 70: a sell first.
    /// </summary>
    private static void CrossUp(StrategyRig rig, IActorRef strategy)
    {
        for (var i = 0; i < 10; i++) rig.Price(strategy, 100m - i);
        rig.Price(strategy, 120m);
    }

    private T Control<T>(IActorRef strategy, IWithStrategyId command)
    {
        strategy.Tell(command, TestActor);
        return ExpectMsg<T>();
    }

    [Fact]
    public void A_paused_strategy_reads_prices_but_emits_nothing_and_stays_paused_after_a_restart_until_resumed()
    {
        var rig = new StrategyRig(this);
        var strategy = rig.Start();
        rig.ExpectRecoveredAt(0);
        CrossUp(rig, strategy);
        rig.ExpectDelivered(1); // running, the crossing signals
        rig.Topic.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        Assert.True(Control<StrategyStatus>(strategy, new PauseStrategy(StrategyRig.StrategyId)).Paused);
        Assert.Equal($"strategy '{StrategyRig.StrategyId}' is already paused",
            Control<Status.Failure>(strategy, new PauseStrategy(StrategyRig.StrategyId)).Cause.Message);
        Assert.Equal($"strategy '{StrategyRig.StrategyId}' is paused",
            Control<Status.Failure>(strategy, new EmitManualSignal(StrategyRig.StrategyId, OrderSide.Sell, 100m)).Cause.Message);
        CrossUp(rig, strategy);
        AwaitAssert(() => Assert.Equal(22, rig.Status(strategy).PricesSeen));
        var paused = rig.Status(strategy);
        Assert.Equal((1L, true), (paused.LastSequence, paused.Paused));
        rig.Topic.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.DoesNotContain(Drain(rig.Fanout), m => m is DeliverSignal);

        // Restarted (as after a crash or a hand-over): still paused, indicator and prices where they were.
        Kill(rig.Child(strategy));
        rig.ExpectRecoveredAt(1);
        var restarted = rig.Status(strategy);
        Assert.Equal((true, 22L), (restarted.Paused, restarted.PricesSeen));
        CrossUp(rig, strategy);
        AwaitAssert(() => Assert.Equal(33, rig.Status(strategy).PricesSeen));
        rig.Topic.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        Assert.False(Control<StrategyStatus>(strategy, new ResumeStrategy(StrategyRig.StrategyId)).Paused);
        Assert.Equal($"strategy '{StrategyRig.StrategyId}' is not paused",
            Control<Status.Failure>(strategy, new ResumeStrategy(StrategyRig.StrategyId)).Cause.Message);
        Drain(rig.Fanout);
        CrossUp(rig, strategy);
        rig.ExpectDelivered(2); // the next crossings signal (a sell, then a buy), with the next sequences
        rig.ExpectDelivered(3);
        Kill(rig.Child(strategy));
        rig.ExpectRecoveredAt(3);
        Assert.False(rig.Status(strategy).Paused); // the resume was stored too
    }

    [Fact]
    public async Task A_pause_the_store_refuses_is_not_in_effect_and_the_operator_is_told()
    {
        var rig = new StrategyRig(this);
        var strategy = rig.Start();
        rig.ExpectRecoveredAt(0);
        await Snapshots.OnSave.Fail();

        var refused = Control<Status.Failure>(strategy, new PauseStrategy(StrategyRig.StrategyId));

        Assert.StartsWith($"strategy '{StrategyRig.StrategyId}': the change was not stored", refused.Cause.Message);
        Assert.EndsWith("it is running", refused.Cause.Message);
        Assert.False(rig.Status(strategy).Paused);
        Assert.Equal(1, rig.Emit(strategy).Sequence); // still signals
        await Snapshots.OnSave.Pass();
        Assert.True(Control<StrategyStatus>(strategy, new PauseStrategy(StrategyRig.StrategyId)).Paused);
    }
}
