using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using TradingActors.Engine.RateBudgets;

namespace TradingActors.Engine.Tests.RateBudgets;

/// <summary>
/// The cluster-wide request budget's protocol (decision 023): two node gates share one keeper; every waiter gets its
/// turn, in the order it came on its node, both nodes progress together, and the whole burst is no faster than the
/// budget allows. (The keeper's arithmetic is RequestBudgetLedgerTests; across real nodes and a venue fake, the
/// integration test and the budget benchmark.)
/// </summary>
public sealed class RequestBudgetTests() : Akka.TestKit.Xunit2.TestKit("akka.loglevel = WARNING")
{
    private static readonly RequestBudgetOptions Budget = new() { Name = "test-ip", Venue = "sim", Limit = 10, Window = TimeSpan.FromMilliseconds(500), UsePercent = 100 };

    private (ClusterRequestBudget A, ClusterRequestBudget B) TwoNodes()
    {
        var keeper = Sys.ActorOf(RequestBudgetKeeper.Props([Budget], TimeProvider.System));
        var a = new ClusterRequestBudget(Budget.Name);
        var b = new ClusterRequestBudget(Budget.Name);
        a.Attach(Sys.ActorOf(RequestBudgetGate.Props(a, keeper, TimeProvider.System)));
        b.Attach(Sys.ActorOf(RequestBudgetGate.Props(b, keeper, TimeProvider.System)));
        return (a, b);
    }

    [Fact]
    public async Task A_burst_from_two_nodes_is_served_in_order_on_each_node_together_and_no_faster_than_the_budget()
    {
        var (a, b) = TwoNodes();
        var served = new ConcurrentQueue<(char Node, int Index, TimeSpan At)>();
        var clock = Stopwatch.StartNew();

        // AcquireAsync queues the waiter before it first yields: these arrive in index order on each node.
        var burst = Enumerable.Range(0, 30).SelectMany(i => new[] { Acquire(a, 'a', i), Acquire(b, 'b', i) }).ToList();
        await Task.WhenAll(burst).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(60, served.Count);
        // 60 requests at 10 per 500 ms after the keeper's silent first window: at least 6 windows in all.
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(2_900), $"the burst took {clock.Elapsed.TotalMilliseconds:0} ms, faster than the budget allows");
        foreach (var node in new[] { 'a', 'b' })
        {
            // First come, first served on each node: by index, each is served no later than the next (waiters let go in
            // one batch resume on the thread pool in any order, so within a few milliseconds of each other).
            var times = served.Where(s => s.Node == node).OrderBy(s => s.Index).Select(s => s.At).ToList();
            for (var i = 1; i < times.Count; i++)
                Assert.True(times[i - 1] <= times[i] + TimeSpan.FromMilliseconds(30), $"node {node}: waiter {i - 1} served at {times[i - 1]}, after waiter {i} at {times[i]}");
        }
        var lastA = served.Where(s => s.Node == 'a').Max(s => s.At);
        var lastB = served.Where(s => s.Node == 'b').Max(s => s.At);
        Assert.True((lastA - lastB).Duration() < TimeSpan.FromMilliseconds(1_100), $"one node starved: last a {lastA}, last b {lastB}");

        async Task Acquire(ClusterRequestBudget budget, char node, int index)
        {
            await budget.AcquireAsync(CancellationToken.None);
            served.Enqueue((node, index, clock.Elapsed));
        }
    }

    [Fact]
    public async Task A_waiter_that_gives_up_takes_no_grant_from_those_behind_it()
    {
        var (a, _) = TwoNodes();
        using var cts = new CancellationTokenSource();
        var givesUp = a.AcquireAsync(cts.Token).AsTask();
        var waits = a.AcquireAsync(CancellationToken.None).AsTask();

        cts.Cancel(); // while the keeper is still in its silent first window

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => givesUp);
        await waits.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Waiters_before_the_gate_is_attached_are_served_once_it_is()
    {
        var keeper = Sys.ActorOf(RequestBudgetKeeper.Props([Budget], TimeProvider.System));
        var budget = new ClusterRequestBudget(Budget.Name);
        var early = budget.AcquireAsync(CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.False(early.IsCompleted);

        budget.Attach(Sys.ActorOf(RequestBudgetGate.Props(budget, keeper, TimeProvider.System)));

        await early.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void The_keeper_grants_nothing_for_an_unknown_budget_and_says_when_to_ask_again()
    {
        var keeper = Sys.ActorOf(RequestBudgetKeeper.Props([Budget], TimeProvider.System));

        keeper.Tell(new RequestPermits("other", 5));
        Assert.Equal(new PermitsGranted("other", 0, TimeSpan.FromSeconds(1)), ExpectMsg<PermitsGranted>());
        keeper.Tell(new RequestPermits(Budget.Name, 5));
        var silent = ExpectMsg<PermitsGranted>();
        Assert.Equal(0, silent.Granted);
        Assert.InRange(silent.RetryAfter, TimeSpan.FromMilliseconds(1), Budget.Window);
    }

    [Theory]
    [InlineData("", "sim", 10, 500, 90, "a request budget needs a name")]
    [InlineData("x", "", 10, 500, 90, "request budget 'x' needs a venue")]
    [InlineData("x", "sim", 0, 500, 90, "request budget 'x' needs a positive limit")]
    [InlineData("x", "sim", 10, 0, 90, "request budget 'x' needs a positive window")]
    [InlineData("x", "sim", 10, 500, 0, "request budget 'x': UsePercent must be 1..100")]
    [InlineData("x", "sim", 10, 500, 101, "request budget 'x': UsePercent must be 1..100")]
    public void A_budget_that_cannot_work_is_refused_at_start(string name, string venue, int limit, int windowMs, int use, string error) =>
        Assert.Equal([error], new RequestBudgetOptions { Name = name, Venue = venue, Limit = limit, Window = TimeSpan.FromMilliseconds(windowMs), UsePercent = use }.Validate());

    [Fact]
    public void The_cluster_uses_its_share_of_the_venues_limit()
    {
        Assert.Equal(540, RequestBudgetOptions.BybitPerIp.EffectiveLimit);
        Assert.Empty(RequestBudgetOptions.BybitPerIp.Validate());
        Assert.Equal(1, (Budget with { Limit = 1, UsePercent = 10 }).EffectiveLimit);
    }
}
