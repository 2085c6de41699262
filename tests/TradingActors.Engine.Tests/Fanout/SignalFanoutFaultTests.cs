using Akka.Actor;
using TradingActors.Engine.Fanout;
using TradingActors.Engine.Strategies;
using TradingActors.Engine.Tenants;
using TradingActors.Engine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TradingActors.Engine.Tests.Fanout;

/// <summary>
/// Persist sites of a fan-out bucket: OnRegister (SubscriberAdded), OnUnregister (SubscriberRemoved) and
/// MaybeSnapshot (its membership every 500 events). A registration is answered, and a member is
/// delivered to, only once its membership is persisted. A bucket that stops is started again as its
/// shard would (a new incarnation with the same persistence id). A rejected write leaves the bucket
/// running as it was: the tenant's periodic registration (or its leaving again on an unwanted signal)
/// retries it.
/// </summary>
public sealed class SignalFanoutFaultTests(ITestOutputHelper output) : FanoutBucketTestKit(output)
{
    private static readonly string Pid = Names.FanoutPersistenceId(EntityId);

    /// <summary>A bucket incarnation, started once it has read the latest sequence (and told its members to catch up).</summary>
    private IActorRef Start()
    {
        var bucket = Sys.ActorOf(BucketProps());
        Watch(bucket);
        History.ExpectMsg<GetLatestSequence>();
        return bucket;
    }

    private List<object> EventsOf<T>() => Events(Pid).Where(e => e is T).ToList();

    // ---- SubscriberAdded

    [Fact]
    public async Task A_registration_whose_write_fails_is_never_answered_nor_delivered_to_and_is_persisted_once_when_the_tenant_registers_again()
    {
        var bucket = Start();
        await Journal.FailWritesOf<SubscriberAdded>();

        Register(bucket, "t1");

        ExpectTerminated(bucket);
        Assert.Empty(Drain(Member));
        Assert.Empty(Drain(Tenants));

        await Journal.Heal();
        var restarted = Start();
        Assert.Equal(0, Status(restarted).Subscribers);
        restarted.Tell(Deliver(1));
        Assert.Equal(1, Status(restarted).LatestSequence); // known, delivered to nobody
        Assert.Empty(Drain(Tenants));
        ExpectRegistered(restarted, "t1", lastProcessed: 0); // the tenant's periodic registration
        Assert.Equal(new CatchUpSignals("t1", StrategyId, 1), Tenants.ExpectMsg<CatchUpSignals>());
        Assert.Single(EventsOf<SubscriberAdded>());
    }

    [Fact]
    public async Task A_rejected_registration_is_never_answered_nor_delivered_to_and_is_persisted_once_when_the_tenant_registers_again()
    {
        var bucket = Start();
        await Journal.RejectWritesOf<SubscriberAdded>();

        Register(bucket, "t1");
        var status = Status(bucket); // answered after the rejection was handled (the registration stashes it)

        Assert.Equal(0, status.Subscribers);
        Assert.Empty(Drain(Member));
        bucket.Tell(Deliver(1));
        Assert.Equal(1, Status(bucket).LatestSequence);
        Assert.Empty(Drain(Tenants));

        await Journal.Heal();
        ExpectRegistered(bucket, "t1", lastProcessed: 0);
        Assert.Equal(new CatchUpSignals("t1", StrategyId, 1), Tenants.ExpectMsg<CatchUpSignals>());
        bucket.Tell(Deliver(2));
        Tenants.ExpectMsg<CatchUpSignals>(c => c.Through == 2); // a member now (progress unknown: it catches up)
        Assert.Single(EventsOf<SubscriberAdded>());
    }

    [Fact]
    public async Task A_bucket_whose_members_cannot_be_replayed_tells_no_one_anything_and_then_wakes_every_member_once()
    {
        var bucket = Start();
        ExpectRegistered(bucket, "t1");
        ExpectRegistered(bucket, "t2");
        Kill(bucket);
        JournalLatest(7);
        await Journal.FailRecoveries();

        var failing = Sys.ActorOf(BucketProps());
        Watch(failing);

        ExpectTerminated(failing);
        Assert.Empty(Drain(Tenants));
        Assert.Empty(Drain(History)); // it did not even ask for the latest sequence

        await Journal.Heal();
        var restarted = Start();
        var woken = new[] { Tenants.ExpectMsg<CatchUpSignals>(), Tenants.ExpectMsg<CatchUpSignals>() };
        Assert.Equal(["t1", "t2"], woken.Select(c => c.TenantId).Order());
        Assert.All(woken, c => Assert.Equal(7, c.Through));
        Assert.Equal(2, Status(restarted).Subscribers);
        Assert.Empty(Drain(Tenants));
    }

    // ---- SubscriberRemoved

    [Fact]
    public async Task An_unregistration_whose_write_fails_leaves_the_tenant_a_member_until_it_leaves_again_and_is_persisted_once()
    {
        var bucket = Start();
        ExpectRegistered(bucket, "t1");
        await Journal.FailWritesOf<SubscriberRemoved>();

        bucket.Tell(new UnregisterSubscriber(StrategyId, Bucket, "t1"));

        ExpectTerminated(bucket);
        Assert.Empty(Drain(Tenants));

        await Journal.Heal();
        JournalLatest(3);
        var restarted = Start();
        // Still a member: woken like every member; a tenant no longer subscribed acknowledges and leaves again.
        Assert.Equal(new CatchUpSignals("t1", StrategyId, 3), Tenants.ExpectMsg<CatchUpSignals>());
        restarted.Tell(new SignalAcknowledged(StrategyId, Bucket, "t1", 3));
        restarted.Tell(new UnregisterSubscriber(StrategyId, Bucket, "t1"));
        Assert.Equal(0, Status(restarted).Subscribers);
        restarted.Tell(Deliver(4));
        Assert.Equal(4, Status(restarted).LatestSequence);
        Assert.Empty(Drain(Tenants));
        Assert.Single(EventsOf<SubscriberRemoved>());
    }

    [Fact]
    public async Task A_rejected_unregistration_leaves_the_tenant_a_member_until_it_leaves_again_and_is_persisted_once()
    {
        var bucket = Start();
        ExpectRegistered(bucket, "t1");
        await Journal.RejectWritesOf<SubscriberRemoved>();

        bucket.Tell(new UnregisterSubscriber(StrategyId, Bucket, "t1"));

        Assert.Equal(1, Status(bucket).Subscribers);
        bucket.Tell(Deliver(1));
        Tenants.ExpectMsg<ExecuteSignal>(e => e.TenantId == "t1" && e.Signal.Sequence == 1);

        await Journal.Heal();
        bucket.Tell(new UnregisterSubscriber(StrategyId, Bucket, "t1")); // the tenant, not subscribed, leaves again
        Assert.Equal(0, Status(bucket).Subscribers);
        bucket.Tell(Deliver(2));
        Assert.Equal(2, Status(bucket).LatestSequence);
        Assert.Empty(Drain(Tenants));
        Assert.Single(EventsOf<SubscriberRemoved>());
    }

    [Fact]
    public async Task A_bucket_whose_departures_cannot_be_replayed_tells_no_one_anything_and_then_never_delivers_to_the_departed()
    {
        var bucket = Start();
        ExpectRegistered(bucket, "t1");
        ExpectRegistered(bucket, "t2");
        bucket.Tell(new UnregisterSubscriber(StrategyId, Bucket, "t1"));
        Assert.Equal(1, Status(bucket).Subscribers);
        Kill(bucket);
        await Journal.FailRecoveries();

        var failing = Sys.ActorOf(BucketProps());
        Watch(failing);

        ExpectTerminated(failing);
        Assert.Empty(Drain(Tenants));

        await Journal.Heal();
        JournalLatest(5);
        var restarted = Start();
        Assert.Equal("t2", Tenants.ExpectMsg<CatchUpSignals>().TenantId);
        restarted.Tell(Deliver(6));
        Assert.Equal("t2", Tenants.ExpectMsg<CatchUpSignals>().TenantId);
        Assert.Equal(1, Status(restarted).Subscribers);
        Assert.Empty(Drain(Tenants));
    }

    // ---- the membership snapshot (every 500 events). Snapshot stores have no rejection: the second fault is the failed delete of older ones.

    private const int SnapshotEvery = 500;

    private void RegisterMany(IActorRef bucket, int count)
    {
        for (var i = 0; i < count; i++) Register(bucket, "t" + i);
        Member.ReceiveN(count, TimeSpan.FromSeconds(10));
    }

    private void AssertRecoveredWithAllMembers(int members)
    {
        JournalLatest(1);
        var restarted = Start();
        var woken = Tenants.ReceiveN(members, TimeSpan.FromSeconds(10)).Cast<CatchUpSignals>().Select(c => c.TenantId).ToHashSet();
        Assert.Equal(members, woken.Count);
        Assert.Equal(members, Status(restarted).Subscribers);
        Assert.Empty(Drain(Tenants));
    }

    [Fact]
    public async Task A_membership_snapshot_that_fails_to_save_loses_nothing_the_members_recover_from_the_journal()
    {
        var bucket = Start();
        await Snapshots.OnSave.Fail();

        RegisterMany(bucket, SnapshotEvery + 2);

        Assert.Equal(SnapshotEvery + 2, Status(bucket).Subscribers);
        Assert.Empty(Drain(Tenants));
        Kill(bucket);
        await Snapshots.OnSave.Pass();
        AssertRecoveredWithAllMembers(SnapshotEvery + 2);
    }

    [Fact]
    public async Task A_membership_snapshot_whose_older_ones_cannot_be_deleted_still_recovers_every_member()
    {
        var bucket = Start();
        await Snapshots.OnDelete.Fail();

        RegisterMany(bucket, 2 * SnapshotEvery + 2);

        Kill(bucket);
        AssertRecoveredWithAllMembers(2 * SnapshotEvery + 2);
    }

    [Fact]
    public async Task A_bucket_whose_membership_snapshot_cannot_be_loaded_tells_no_one_anything_and_then_recovers_every_member()
    {
        var bucket = Start();
        RegisterMany(bucket, SnapshotEvery + 2);
        Kill(bucket);
        await Snapshots.OnLoad.Fail();

        var failing = Sys.ActorOf(BucketProps());
        Watch(failing);

        ExpectTerminated(failing);
        Assert.Empty(Drain(Tenants));
        Assert.Empty(Drain(History));

        await Snapshots.OnLoad.Pass();
        AssertRecoveredWithAllMembers(SnapshotEvery + 2);
    }
}
