using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using TradingActors.Domain.Orders;
using TradingActors.Engine.Hosting;
using TradingActors.Engine.Strategies;

namespace TradingActors.Bench;

/// <summary>
/// <c>failover --tenants N</c>: two engine nodes in this process share N subscribed tenants; one is
/// lost (downed without leaving, as the split-brain resolver downs a crashed node; its process stays
/// silent). Measures how long until every tenant is resident on the survivor again — brought back by
/// the engine, no message sent to a tenant — from the downing and from the member's removal (what
/// follows the removal is the part that grows with the tenants; detection and removal of a crashed
/// node are measured by the node-process tests), and then one signal to all of them.
/// </summary>
public static class FailoverBench
{
    public static async Task<(string ResultLine, bool Passed)> RunAsync(
        BenchArgs bench, string connectionString, Func<EngineHost, Task> createTenants, Action<string> log)
    {
        var survivorOptions = EngineHost.BenchOptions(connectionString, bench.Buckets);
        await using var survivor = await EngineHost.StartAsync(survivorOptions, bench.LogLevel);
        var lostOptions = EngineHost.BenchOptions(connectionString, bench.Buckets);
        lostOptions.Cluster = new TradingActors.Engine.Hosting.ClusterSettings { Port = 0, Seeds = Cluster.Get(survivor.System).SelfAddress.ToString() };
        // Lost like a crashed node: no graceful hand-off when it learns it was downed.
        lostOptions.ExtraHocon = "akka.cluster.run-coordinated-shutdown-when-down = off\n" + lostOptions.ExtraHocon;
        var lost = await EngineHost.StartAsync(lostOptions, bench.LogLevel);
        try
        {
            await Wait.Until(() => Task.FromResult(Cluster.Get(survivor.System).State.Members.Count(m => m.Status == MemberStatus.Up) == 2),
                TimeSpan.FromSeconds(60), "two members Up");
            var phase = Stopwatch.StartNew();
            await createTenants(survivor);
            await Wait.Until(async () => (await survivor.FanoutTotals()).Subscribers == bench.Tenants, TimeSpan.FromSeconds(300), "all subscribers registered");
            await Wait.Until(async () => await Resident(survivor) + await Resident(lost) == bench.Tenants, TimeSpan.FromSeconds(120), "all tenants resident");
            var moved = await Resident(lost);
            log($"{bench.Tenants} tenants set up over two nodes ({phase.ElapsedMilliseconds} ms): {moved} on the node to lose");

            var cpu = CpuWindow.Start();
            var start = Stopwatch.GetTimestamp();
            var lostAddress = Cluster.Get(lost.System).SelfAddress;
            Cluster.Get(survivor.System).Down(lostAddress);
            // The leader removes the downed member once it is also unreachable here (a crashed node is at
            // once; this silent one after the failure detector notices): shards move only after that.
            var removed = Task.Run(async () =>
            {
                while (Cluster.Get(survivor.System).State.Members.Any(m => m.Address == lostAddress)) await Task.Delay(20);
                return Stopwatch.GetTimestamp();
            });
            var last = 0;
            await Wait.Until(async () => (last = await Resident(survivor)) == bench.Tenants, bench.FillTimeout,
                $"all {bench.Tenants} tenants resident on the survivor", TimeSpan.FromMilliseconds(50));
            var end = Stopwatch.GetTimestamp();
            var residentMs = Measure.Ms(start, end);
            var afterRemovalMs = Measure.Ms(await removed, end);
            log($"all {last} tenants resident on the survivor {Measure.F1(residentMs)} ms after the downing, " +
                $"{Measure.F1(afterRemovalMs)} ms after the member was removed ({cpu.Describe()})");

            var recorder = new OutcomeRecorder(bench.Tenants);
            recorder.Attach(survivor.System);
            var signalStart = Stopwatch.GetTimestamp();
            await survivor.Strategies.Ask<SignalPublished>(new EmitManualSignal(EngineHost.Strategy, OrderSide.Buy, 60_000m), TimeSpan.FromSeconds(30));
            var filled = await Task.WhenAny(recorder.AllFilled, Task.Delay(bench.FillTimeout)) == recorder.AllFilled;
            var fills = recorder.FillTimestamps();
            var signalMs = fills.Length > 0 ? fills.Max(t => Measure.Ms(signalStart, t)) : double.NaN;
            log($"then one signal: {recorder.Describe()}, last fill {Measure.F1(signalMs)} ms after it");

            var audit = await JournalAudit.ReadFillsAsync(survivor.System);
            var passed = filled && audit.Orders == bench.Tenants && audit.Duplicates == 0;
            return ($"failover tenants={bench.Tenants} moved={moved} resident_ms={Measure.F1(residentMs)} resident_after_removal_ms={Measure.F1(afterRemovalMs)} " +
                    $"signal_total_ms={Measure.F1(signalMs)} " +
                    $"orders={audit.Orders} duplicates={audit.Duplicates}", passed);
        }
        finally
        {
            await lost.StopAsync();
        }
    }

    private static async Task<int> Resident(EngineHost engine) =>
        (await engine.Tenants.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(30))).Shards.Sum(s => s.EntityIds.Count);
}
