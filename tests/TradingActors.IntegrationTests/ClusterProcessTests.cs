using System.Diagnostics;
using System.Net;
using System.Text.Json;
using TradingActors.IntegrationTests.Infrastructure;

namespace TradingActors.IntegrationTests;

/// <summary>
/// The operator scenario, with real node processes (issue 8's node-kill tests): node processes on one database, demo
/// tenants on the RSI strategy, signals flowing. One cluster of 3,000 tenants lives through an operator's day: a fourth
/// node joins and takes shards, a node leaves gracefully, a node that hosts tenants is killed -9 in the middle of a
/// signal's fan-out, and, once a replacement has joined, the oldest node (strategy, feed, coordinators) is killed -9
/// the same way. A second cluster of 300 tenants has every node restarted one at a time. After each step the journal
/// must show every subscriber settling every signal once — none behind, none doubled, no fill twice — and the first
/// signal emitted once every tenant is resident again settled by everyone at once.
/// The stated fail-over bound is 15 s (decision 006, docs/benchmarks.md); these tests fail only past
/// <see cref="FailoverLimit"/>, because a shared 2-core machine running other work slows failure detection and
/// recovery. The figures each run measured go to .run/failover-figures.log.
/// </summary>
public sealed class ClusterProcessTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Strategy = "rsi-btc";
    private static readonly TimeSpan FailoverLimit = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How soon the first signal after a step must be settled by every subscriber: a few fan-out ticks (2 s each) at
    /// most. Measured 25 ms-2.1 s for 300 tenants, 3.1 s once for 3,000 at a load average of 25.
    /// </summary>
    private static readonly TimeSpan ProbeLimit = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task A_fourth_node_a_graceful_leave_and_kill_9_of_a_tenant_node_and_of_the_oldest_mid_fan_out_lose_and_double_nothing()
    {
        const int tenants = 3_000;
        await using var db = await TestDatabase.CreateAsync();
        // A slower feed than the 300-tenant cluster's: each signal is 3,000 outcomes to persist on 2 cores.
        await using var cluster = await Cluster.StartAsync(db, nameof(A_fourth_node_a_graceful_leave_and_kill_9_of_a_tenant_node_and_of_the_oldest_mid_fan_out_lose_and_double_nothing),
            tenants, feedIntervalMs: 200);
        var startedAt = DateTimeOffset.UtcNow;

        // 1. A fourth node joins: the coordinator rebalances shards to it while signals flow.
        var clock = Stopwatch.StartNew();
        var fourth = await cluster.Add(db, "node3");
        await cluster.AllResident(TimeSpan.FromSeconds(120), "four members Up, the fourth hosting tenants", extra: async () => await Resident(fourth) > 0);
        var movedIn = await Resident(fourth);
        var joined = clock.Elapsed;
        var step = await cluster.Verify(db, startedAt, DateTimeOffset.UtcNow);
        Report($"{tenants} tenants, fourth node: {movedIn} tenants moved to it, {joined.TotalSeconds:0.0} s after it started; {step}");

        // 2. A graceful leave (SIGTERM) of a node that hosts tenants: its shards are handed over, nothing to detect or down.
        var leaving = cluster.Nodes[1];
        var handedOver = await Resident(leaving);
        var leftAt = DateTimeOffset.UtcNow;
        leaving.Terminate();
        Assert.True(await leaving.ExitedWithin(TimeSpan.FromSeconds(40)), "the leaving node exited");
        var exited = DateTimeOffset.UtcNow - leftAt;
        cluster.Retire(leaving);
        var afterLeave = await cluster.AllResidentAgain(leftAt);
        step = await cluster.Verify(db, leftAt, leftAt + afterLeave);
        Report($"{tenants} tenants, graceful leave of a node hosting {handedOver}: exited after {exited.TotalSeconds:0.0} s, all {tenants} resident again " +
               $"{afterLeave.TotalSeconds:0.0} s after SIGTERM; {step}");

        // 3. kill -9 of a node that hosts tenants (not the oldest) during a fan-out.
        var victim = cluster.Nodes.First(n => n != cluster.Nodes[0] && n != fourth);
        var hosted = await Resident(victim);
        Assert.True(hosted > 0, "the node to kill hosts no tenant");
        var (signal, killedAt) = await cluster.KillDuringFanout(db, victim);
        var settledAtKill = await SettledBy(db, signal);
        var afterKill = await cluster.AllResidentAgain(killedAt);
        step = await cluster.Verify(db, killedAt, killedAt + afterKill);
        Report($"{tenants} tenants, kill -9 of a tenant node hosting {hosted} ({settledAtKill} of {tenants} subscribers had settled signal #{signal} just after it died): " +
               $"all {tenants} resident again after {afterKill.TotalSeconds:0.0} s; {step}");

        // 4. A node joins in its place, then kill -9 of the oldest (strategy and feed singletons, shard coordinators) during a fan-out.
        await cluster.Add(db, "node4");
        await cluster.AllResident(TimeSpan.FromSeconds(120), "three members Up again");
        var oldest = cluster.Nodes[0];
        (signal, killedAt) = await cluster.KillDuringFanout(db, oldest);
        settledAtKill = await SettledBy(db, signal);
        var strategyBack = await StrategyRunningAgain(cluster.Nodes, killedAt);
        var afterOldest = await cluster.AllResidentAgain(killedAt);
        step = await cluster.Verify(db, killedAt, killedAt + afterOldest);
        // No signal sequence emitted twice or skipped across the move: the journal's sequences are 1..n.
        var sequences = await JournalFacts.StrategySequencesAsync(db.ConnectionString, Strategy);
        Assert.Equal(Enumerable.Range(1, sequences.Length).Select(i => (long)i), sequences);
        Report($"{tenants} tenants, kill -9 of the oldest node ({settledAtKill} of {tenants} subscribers had settled signal #{signal} just after it died): strategy " +
               $"consuming prices again after {strategyBack.TotalSeconds:0.0} s; all {tenants} resident again after {afterOldest.TotalSeconds:0.0} s; {step}");
    }

    [Fact]
    public async Task A_rolling_restart_of_every_node_while_signals_flow_loses_and_doubles_nothing()
    {
        const int tenants = 300;
        await using var db = await TestDatabase.CreateAsync();
        await using var cluster = await Cluster.StartAsync(db, nameof(A_rolling_restart_of_every_node_while_signals_flow_loses_and_doubles_nothing), tenants, feedIntervalMs: 50);
        var startedAt = DateTimeOffset.UtcNow;
        var restarts = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            // SIGTERM: out of rotation, leave, hand the shards and singletons over; then a new process in its place.
            var clock = Stopwatch.StartNew();
            var leaving = cluster.Nodes[0]; // the oldest left is restarted first, so each round restarts a node not yet restarted
            leaving.Terminate();
            Assert.True(await leaving.ExitedWithin(TimeSpan.FromSeconds(40)), $"node {i} left and exited");
            var left = clock.Elapsed;
            cluster.Retire(leaving);
            await cluster.Add(db, $"node{i}-again");
            await cluster.AllResident(TimeSpan.FromSeconds(120), $"three members Up and every tenant resident after node {i}'s restart");
            restarts.Add($"node {i}: left in {left.TotalSeconds:0.0} s, back with all tenants resident {clock.Elapsed.TotalSeconds:0.0} s after SIGTERM");
        }
        var step = await cluster.Verify(db, startedAt, DateTimeOffset.UtcNow);
        Report($"rolling restart of 3 nodes, {tenants} tenants: {string.Join("; ", restarts)}; {step}");
    }

    /// <summary>How many subscribers have settled the signal in the journal (an order outcome or a skip).</summary>
    private static async Task<int> SettledBy(TestDatabase db, long sequence) =>
        (await JournalFacts.OutcomesAsync(db.ConnectionString, Strategy)).Count(o => o.Sequence == sequence && o.Kind != "order-submitted");

    /// <summary>How long after the kill the strategy consumes prices again on one of <paramref name="nodes"/> (the feed moved too).</summary>
    private static async Task<TimeSpan> StrategyRunningAgain(IReadOnlyList<NodeProcess> nodes, DateTimeOffset killedAt)
    {
        long? seen = null;
        await Eventually.TrueAsync(async () =>
        {
            foreach (var node in nodes)
                if (await StrategyPricesSeen(node) is { } prices)
                {
                    if (seen is { } before && prices > before) return true;
                    seen = prices;
                }
            return false;
        }, TimeSpan.FromSeconds(40), "the strategy running again on a survivor");
        var after = DateTimeOffset.UtcNow - killedAt;
        Assert.True(after <= FailoverLimit, $"the strategy ran again {after.TotalSeconds:0.0} s after the oldest node was killed");
        return after;
    }

    /// <summary>Figures for docs/benchmarks.md: in the test output and in .run/failover-figures.log.</summary>
    private void Report(string line)
    {
        output.WriteLine(line);
        File.AppendAllText(Path.Combine(NodeProcess.RepositoryRoot(), ".run", "failover-figures.log"), $"{DateTimeOffset.UtcNow:u} {line}\n");
    }

    private static async Task<int> Resident(NodeProcess node) =>
        (await node.Summary())?.GetProperty("tenantsActive").GetInt32() ?? 0;

    private static async Task<long?> StrategyPricesSeen(NodeProcess node)
    {
        if (await node.Summary() is not { } summary) return null;
        foreach (var strategy in summary.GetProperty("strategies").EnumerateArray())
            if (strategy.GetProperty("strategyId").GetString() == Strategy) return strategy.GetProperty("pricesSeen").GetInt64();
        return null;
    }

    /// <summary>Node processes on one database; the first is the seed and creates the demo tenants. Nodes are the live ones, oldest first.</summary>
    private sealed class Cluster : IAsyncDisposable
    {
        private readonly string _test;
        private readonly int _tenants;
        private readonly Dictionary<string, string> _settings;
        private readonly List<NodeProcess> _retired = [];

        private Cluster(List<NodeProcess> nodes, string test, int tenants, Dictionary<string, string> settings) =>
            (Nodes, _test, _tenants, _settings) = (nodes, test, tenants, settings);

        public List<NodeProcess> Nodes { get; }

        public static async Task<Cluster> StartAsync(TestDatabase db, string test, int tenants, int feedIntervalMs)
        {
            var settings = new Dictionary<string, string>
            {
                ["Feed:IntervalMs"] = feedIntervalMs.ToString(), // a fast feed: RSI crossings every few seconds
                ["Feed:Volatility"] = "0.004",
                ["SummaryInterval"] = "00:00:10",
            };
            var seed = NodeProcess.Start(test + "-node0", db.ConnectionString, null, new Dictionary<string, string>(settings) { ["Demo:Tenants"] = tenants.ToString() });
            var nodes = new List<NodeProcess> { seed };
            try
            {
                for (var i = 1; i < 3; i++) nodes.Add(NodeProcess.Start($"{test}-node{i}", db.ConnectionString, seed.AkkaAddress, settings));
                var cluster = new Cluster(nodes, test, tenants, settings);
                // Joining and settling shards while the demo tenants subscribe and signals flow. This is set-up, not
                // a bound under test (the fail-over limits are asserted after each step): three node processes
                // starting and 300 tenants seeding took over 90 s once on a 2-core machine at load average ~80, and
                // 3,000 tenants seed 16 at a time through the tenant region while the first ones trade.
                await cluster.AllResident(TimeSpan.FromSeconds(420), "three members Up, all demo tenants resident and spread over them",
                    extra: async () => (await Task.WhenAll(cluster.Nodes.Select(Resident))).All(r => r > 0));
                // Resident is not subscribed: the seed node's demo seeder may still be subscribing the last tenants, and a
                // test that kills the seed must not cut the seeding short. Every demo subscription is in the journal first.
                await Eventually.TrueAsync(async () => (await JournalFacts.SubscriptionStartsAsync(db.ConnectionString, Strategy)).Count == tenants,
                    TimeSpan.FromSeconds(120), "every demo tenant's subscription persisted");
                await WaitForSignals(db, 2, TimeSpan.FromSeconds(60));
                Assert.Equal(HttpStatusCode.NotFound, await seed.Get("/tenants/demo-0001")); // no tenant state on the public surface, not even for an admin
                return cluster;
            }
            catch
            {
                foreach (var node in nodes) await node.DisposeAsync();
                throw;
            }
        }

        /// <summary>Another node process joining through the oldest live node.</summary>
        public async Task<NodeProcess> Add(TestDatabase db, string name)
        {
            var node = NodeProcess.Start($"{_test}-{name}", db.ConnectionString, Nodes[0].AkkaAddress, _settings);
            Nodes.Add(node);
            await Eventually.TrueAsync(async () => await node.Get("/readyz") == HttpStatusCode.OK, TimeSpan.FromSeconds(90), $"{name} ready");
            return node;
        }

        /// <summary>A node that has left or was killed: no longer live (disposed at the end).</summary>
        public void Retire(NodeProcess node)
        {
            Nodes.Remove(node);
            _retired.Add(node);
        }

        /// <summary>Every live node sees every live node Up and every tenant is resident on exactly one of them.</summary>
        public async Task AllResident(TimeSpan timeout, string what, Func<Task<bool>>? extra = null) =>
            await Eventually.TrueAsync(async () =>
            {
                var summaries = await Task.WhenAll(Nodes.Select(n => n.Summary()));
                return summaries.All(s => s is { } x && x.GetProperty("membersUp").GetInt32() == Nodes.Count)
                       && summaries.Sum(s => s!.Value.GetProperty("tenantsActive").GetInt32()) == _tenants
                       && (extra is null || await extra());
            }, timeout, what);

        /// <summary>How long after <paramref name="since"/> (a kill or a leave) every tenant was resident on the live nodes again, brought back by the engine.</summary>
        public async Task<TimeSpan> AllResidentAgain(DateTimeOffset since)
        {
            await Eventually.TrueAsync(async () => (await Task.WhenAll(Nodes.Select(Resident))).Sum() == _tenants, TimeSpan.FromSeconds(60),
                $"all {_tenants} tenants resident on the live nodes");
            var after = DateTimeOffset.UtcNow - since;
            Assert.True(after <= FailoverLimit, $"the tenants were resident again only {after.TotalSeconds:0.0} s after the kill or leave");
            return after;
        }

        /// <summary>
        /// kill -9 of <paramref name="victim"/> as soon as the strategy has persisted a new signal: its fan-out to the
        /// subscribers is then under way. Returns the signal and when the node was killed.
        /// </summary>
        public async Task<(long Signal, DateTimeOffset KilledAt)> KillDuringFanout(TestDatabase db, NodeProcess victim)
        {
            // One held connection and a one-row query in a tight loop: a 3,000-subscriber fan-out lasts a few hundred ms.
            await using var latest = await JournalFacts.LatestSignalWatch.OpenAsync(db.ConnectionString, Strategy);
            var before = await latest.SequenceAsync();
            var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(90);
            while (DateTimeOffset.UtcNow < deadline)
            {
                if (await latest.SequenceAsync() is var now && now > before)
                {
                    victim.KillHard();
                    var killedAt = DateTimeOffset.UtcNow;
                    Retire(victim);
                    return (now, killedAt);
                }
            }
            throw new TimeoutException("no new signal within 90 s to kill the node during its fan-out");
        }

        /// <summary>
        /// After a step: the journal shows every subscriber settling every signal once (none behind, none doubled,
        /// fills never twice), and the first signal emitted after <paramref name="residentAt"/> was settled by every
        /// subscriber within a few seconds.
        /// </summary>
        public async Task<string> Verify(TestDatabase db, DateTimeOffset stepAt, DateTimeOffset residentAt)
        {
            var signals = await WaitForSignalAfter(db, residentAt, TimeSpan.FromSeconds(90));
            var last = signals[^1].Sequence;
            var starts = await JournalFacts.SubscriptionStartsAsync(db.ConnectionString, Strategy);
            Assert.Equal(_tenants, starts.Count);
            IReadOnlyList<Outcome> outcomes = [];
            await Eventually.TrueAsync(async () =>
            {
                outcomes = await JournalFacts.OutcomesAsync(db.ConnectionString, Strategy);
                return starts.All(s => outcomes.Count(o => o.TenantId == s.Key && o.Sequence <= last && o.Kind != "order-submitted") >= last - s.Value);
            }, TimeSpan.FromSeconds(30), $"every subscriber settled every signal through #{last}");

            var settledAt = new Dictionary<long, DateTimeOffset>();
            var byTenant = outcomes.Where(o => o.Sequence <= last && o.Kind != "order-submitted").ToLookup(o => o.TenantId);
            foreach (var (tenant, start) in starts)
            {
                var mine = byTenant[tenant].ToList();
                Assert.Equal(Enumerable.Range((int)start + 1, (int)(last - start)).Select(i => (long)i), mine.Select(o => o.Sequence).Order());
                foreach (var o in mine)
                    settledAt[o.Sequence] = settledAt.TryGetValue(o.Sequence, out var t) && t > o.At ? t : o.At;
            }
            var fills = outcomes.Where(o => o.Kind == "order-filled").Select(o => o.ClientOrderId).ToList();
            Assert.Equal(fills.Count, fills.Distinct().Count());

            // The first signal emitted once every tenant was resident again: everyone, at once.
            var probe = signals.First(s => s.Time >= residentAt);
            var latency = settledAt[probe.Sequence] - probe.Time;
            Assert.True(latency <= ProbeLimit,
                $"signal #{probe.Sequence}, emitted {(probe.Time - stepAt).TotalSeconds:0.0} s after the step, was settled by all {_tenants} subscribers only {latency.TotalSeconds:0.0} s later");
            Assert.All(Nodes, n => Assert.False(n.HasExited));
            // A recovery that met events of a writer reappearing after another (decision 021) would have been logged here.
            Assert.All(Nodes, n => Assert.Empty(n.LogLinesContaining("Invalid replayed event")));
            var first = signals.FirstOrDefault(s => s.Time >= stepAt).Sequence;
            return $"signals #{first}-#{last} since, #{probe.Sequence} (emitted {(probe.Time - stepAt).TotalSeconds:0.0} s after the step) settled by all {_tenants} " +
                   $"within {latency.TotalMilliseconds:0} ms; every subscriber settled every signal once ({fills.Count} fills, none twice)";
        }

        private static async Task WaitForSignals(TestDatabase db, int count, TimeSpan timeout) =>
            await Eventually.TrueAsync(async () => (await JournalFacts.SignalsAsync(db.ConnectionString, Strategy)).Count >= count, timeout, $"{count} signals");

        private static async Task<IReadOnlyList<(long Sequence, DateTimeOffset Time)>> WaitForSignalAfter(TestDatabase db, DateTimeOffset after, TimeSpan timeout)
        {
            IReadOnlyList<(long Sequence, DateTimeOffset Time)> signals = [];
            await Eventually.TrueAsync(async () =>
            {
                signals = await JournalFacts.SignalsAsync(db.ConnectionString, Strategy);
                return signals.Any(s => s.Time >= after);
            }, timeout, $"a signal emitted after {after:HH:mm:ss}");
            return signals;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var node in Nodes.Concat(_retired)) await node.DisposeAsync();
        }
    }
}
