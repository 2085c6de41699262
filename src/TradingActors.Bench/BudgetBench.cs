using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using TradingActors.Brokers.Bybit;
using TradingActors.Brokers.Fakes;
using TradingActors.Credentials;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using TradingActors.Engine;
using TradingActors.Engine.Hosting;
using TradingActors.Engine.RateBudgets;
using TradingActors.Engine.Strategies;
using TradingActors.Engine.Tenants;

namespace TradingActors.Bench;

/// <summary>
/// <c>budget --tenants N --nodes K</c>: N tenants, each with its own Bybit testnet account at the local Bybit fake,
/// spread over K engine nodes in this process that share the cluster's per-IP request budget (decision 023), receive
/// one signal. Measures how long until every tenant has booked its fill, against the floor the venue's per-IP limit
/// sets for the N order creations alone (N / (600 per 5 s)); counts every request the fake refused for its limits,
/// each once (per-IP 403s, the banning one included, and per-key 10006), the orders the fake holds (exactly N, one
/// per account) and the journal's fills; and the p99 of the time a request waited for the budget. Logs what bounds
/// the burst (requests per path, the budget's rate) and the fills per node. Last stdout line:
/// <c>budget venue=bybit tenants=N total_s=T floor_s=F refused=R fairness_p99_wait_s=W</c>.
/// </summary>
public static class BudgetBench
{
    public const string Mode = "budget";

    private const decimal SignalPrice = 60_000m;

    /// <summary>
    /// Sizes each buy to 0.020 BTC at the signal's price after the engine's cost allowance for external venues: a
    /// multiple of Bybit's linear BTCUSDT step (0.001). The engine sizes with its own instrument table (step 0.000001),
    /// so a budget of 1 000 would ask for 0.016633 BTC and every order would be refused "Qty invalid" (10001).
    /// </summary>
    private static readonly decimal SubscriptionBudget = 0.020m * SignalPrice * TenantDecisions.ExternalCostFactor;

    public static async Task<(string ResultLine, bool Passed)> RunAsync(BenchArgs bench, string connectionString, Action<string> log)
    {
        var venueLimit = RequestBudgetOptions.BybitPerIp;
        await using var fake = new BybitFake(new FakeExchange(TimeProvider.System), new BybitFakeOptions
        {
            IpRequestsPerWindow = venueLimit.Limit,
            IpWindow = venueLimit.Window,
        });
        fake.Exchange.SetPrice("BTCUSDT", SignalPrice);
        await fake.StartAsync();
        var keys = new KeyRingSource(MasterKeyRing.Of([MasterKey.Generate("bench-mk")], "bench-mk"));

        var nodes = new List<EngineHost>();
        try
        {
            for (var i = 0; i < bench.Nodes; i++)
            {
                var options = EngineHost.BenchOptions(connectionString, bench.Buckets);
                options.CredentialKeys = keys;
                options.RealVenues = new RealVenueSettings
                {
                    Bybit = new VenueEndpoints { TestBaseUrl = fake.BaseUrl.ToString(), LiveBaseUrl = fake.BaseUrl.ToString() },
                    Oanda = new VenueEndpoints { Enabled = false },
                    Alpaca = new VenueEndpoints { Enabled = false },
                    Kis = new VenueEndpoints { Enabled = false },
                };
                if (i > 0) options.Cluster = new TradingActors.Engine.Hosting.ClusterSettings { Port = 0, Seeds = Cluster.Get(nodes[0].System).SelfAddress.ToString() };
                nodes.Add(await EngineHost.StartAsync(options, bench.LogLevel));
            }
            var keeperStarted = Stopwatch.GetTimestamp();
            await Wait.Until(() => Task.FromResult(Cluster.Get(nodes[0].System).State.Members.Count(m => m.Status == MemberStatus.Up) == bench.Nodes),
                TimeSpan.FromSeconds(60), $"{bench.Nodes} members Up");

            var setup = Stopwatch.StartNew();
            await SeedAsync(nodes[0], fake, keys, bench);
            await Wait.Until(async () => (await nodes[0].FanoutTotals()).Subscribers == bench.Tenants, TimeSpan.FromSeconds(300), "all subscribers registered");
            var resident = await Task.WhenAll(nodes.Select(Resident));
            log($"{bench.Tenants} tenants with a Bybit account each set up in {setup.ElapsedMilliseconds} ms; resident per node: {string.Join(", ", resident)}");

            // A keeper grants nothing in its first counting span (decision 023): the burst is measured on a running cluster, not on that.
            var sinceStart = Stopwatch.GetElapsedTime(keeperStarted);
            if (sinceStart < venueLimit.CountedFor) await Task.Delay(venueLimit.CountedFor - sinceStart);

            var waits = new ConcurrentBag<(long At, double Seconds)>();
            using var listener = new MeterListener();
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "tradingactors.venue.budget_wait") l.EnableMeasurementEvents(instrument);
            };
            listener.SetMeasurementEventCallback<double>((_, value, _, _) => waits.Add((Stopwatch.GetTimestamp(), value)));
            listener.Start();

            var recorder = new OutcomeRecorder(bench.Tenants);
            foreach (var node in nodes) recorder.Attach(node.System);
            // One recorder per node as well (never complete): does either node's share finish far behind the other's?
            var perNode = nodes.Select(n =>
            {
                var r = new OutcomeRecorder(bench.Tenants);
                r.Attach(n.System);
                return r;
            }).ToList();
            var requestsBefore = Paths.ToDictionary(p => p, fake.RequestsTo);
            using var sampling = new CancellationTokenSource();
            var samples = SampleRequestsAsync(fake, sampling.Token);

            var start = Stopwatch.GetTimestamp();
            await nodes[0].Strategies.Ask<SignalPublished>(new EmitManualSignal(EngineHost.Strategy, OrderSide.Buy, SignalPrice), TimeSpan.FromSeconds(30));
            var filled = await Task.WhenAny(recorder.AllFilled, Task.Delay(bench.FillTimeout)) == recorder.AllFilled;
            var fills = recorder.FillTimestamps();
            var totalS = fills.Length > 0 ? fills.Max(t => Measure.Ms(start, t)) / 1000 : double.NaN;
            await sampling.CancelAsync();
            var sampled = await samples;
            var peak = PeakInWindow(sampled, venueLimit.Window);
            listener.Dispose();
            log(recorder.Describe());
            if (!filled)
            {
                // Why not: the first tenant's latest order as its ledger holds it.
                var state = (await nodes[0].Tenants.Ask<Portfolio>(new GetPortfolio(TenantId(0)), TimeSpan.FromSeconds(30))).State;
                log($"{TenantId(0)}: " + string.Join("; ", state.Open.Values.Concat(state.Recent).Select(o => $"{o.Intent.ClientOrderId} {o.Status} {o.Reason}")));
            }
            for (var i = 0; i < nodes.Count; i++)
            {
                var nodeFills = perNode[i].FillTimestamps().Select(t => Measure.Ms(start, t) / 1000).Order().ToList();
                log($"node{i}: {nodeFills.Count} tenants filled" + (nodeFills.Count == 0 ? "" :
                    $", p50 {Measure.Percentile(nodeFills, 50):0.0} s, last {nodeFills[^1]:0.0} s after the signal"));
            }

            // Every order the fake took, per account: each tenant's account must hold exactly its one order.
            var placed = fake.Exchange.OrdersPlaced;
            var accountsWithOne = Enumerable.Range(0, bench.Tenants).Count(i => fake.Exchange.Orders(AccountNumber(i)).Count == 1);
            // RefusedForRate counts every refusal for a limit once: a 403 (the banning request and every one while banned) or a 10006.
            var refused = fake.RefusedForRate;
            var audit = await JournalAudit.ReadFillsAsync(nodes[0].System);

            // What bounds the burst: every request the budget let through, at the share of the venue's limit the cluster
            // uses, each grant counted for the venue's window plus the time it may take to be sent (decision 023).
            var requests = Paths.ToDictionary(p => p, p => fake.RequestsTo(p) - requestsBefore[p]);
            var sent = requests.Values.Sum();
            var budgetPerSecond = venueLimit.EffectiveLimit / venueLimit.CountedFor.TotalSeconds;
            var floorS = bench.Tenants / (venueLimit.Limit / venueLimit.Window.TotalSeconds);
            var sorted = waits.Select(w => w.Seconds).Order().ToList();
            var p99 = Measure.Percentile(sorted, 99);
            log($"the fake holds {placed} orders ({accountsWithOne}/{bench.Tenants} accounts with exactly one); journal: {audit.Orders} filled orders, " +
                $"{audit.Duplicates} filled twice, {audit.OtherExecutionEvents} other outcomes; refused {refused} (bans {fake.Bans}, 403 {fake.RefusedWhileBanned}, 10006 {fake.RateLimited})");
            log($"requests during the burst: {sent} ({string.Join(", ", requests.Where(r => r.Value > 0).Select(r => $"{r.Key} {r.Value}"))}); " +
                $"most in any {venueLimit.Window.TotalSeconds:0} s: {peak} (venue limit {venueLimit.Limit}, cluster share {venueLimit.EffectiveLimit})");
            log($"floors: {floorS:0.0} s for {bench.Tenants} creates at the venue's limit, {bench.Tenants / budgetPerSecond:0.0} s at the cluster's budget " +
                $"({venueLimit.EffectiveLimit} per {venueLimit.CountedFor.TotalSeconds:0.#} s = {budgetPerSecond:0} requests/s), {sent / budgetPerSecond:0.0} s for the {sent} requests sent; " +
                $"total {totalS:0.0} s = {totalS / floorS:0.00} x the venue floor, {totalS / (sent / budgetPerSecond):0.00} x the request floor; " +
                $"{fake.StaleTimestamps} requests refused for a stale timestamp (10002)");
            // Admitted by the budget vs arrived at the venue, per half second: the venue counts arrivals, the keeper grants.
            var slots = (int)Math.Ceiling((double.IsNaN(totalS) ? bench.FillTimeout.TotalSeconds : Math.Max(1, totalS)) * 2) + 1;
            var admitted = new int[slots];
            foreach (var (at, _) in waits) admitted[Math.Clamp((int)(Measure.Ms(start, at) / 500), 0, slots - 1)]++;
            var arrived = new long[slots];
            for (var i = 1; i < sampled.Count; i++)
                arrived[Math.Clamp((int)(Measure.Ms(start, sampled[i].At) / 500), 0, slots - 1)] += sampled[i].Requests - sampled[i - 1].Requests;
            log("per 0.5 s after the signal (slot start s: admitted/arrived, quiet slots left out): " + string.Join(" ",
                Enumerable.Range(0, slots).Where(i => admitted[i] + arrived[i] > 0).Select(i => $"{i * 0.5:0.0}:{admitted[i]}/{arrived[i]}")));
            log($"{sorted.Count} budget waits: p50 {Measure.Percentile(sorted, 50):0.000} s, p99 {p99:0.000} s, max {(sorted.Count == 0 ? 0 : sorted[^1]):0.000} s");
            var line = FormattableString.Invariant(
                $"budget venue=bybit tenants={bench.Tenants} total_s={totalS:0.0} floor_s={floorS:0.0} refused={refused} fairness_p99_wait_s={p99:0.0}");
            var passed = filled && refused == 0 && placed == bench.Tenants && accountsWithOne == bench.Tenants
                         && audit.Orders == bench.Tenants && audit.Duplicates == 0;
            return (line, passed);
        }
        finally
        {
            foreach (var node in Enumerable.Reverse(nodes)) await node.DisposeAsync();
        }
    }

    private static readonly string[] Paths =
        ["/v5/order/create", "/v5/order/realtime", "/v5/order/history", "/v5/market/time", "/v5/market/instruments-info", "/v5/account/wallet-balance", "/v5/position/list"];

    private static string TenantId(int tenant) => $"budget-{tenant:D6}";

    private static string AccountNumber(int tenant) => (100_000_000 + tenant).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<int> Resident(EngineHost engine) =>
        (await engine.Tenants.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(30))).Shards.Sum(s => s.EntityIds.Count);

    /// <summary>The fake's request count every 50 ms until cancelled.</summary>
    private static async Task<List<(long At, long Requests)>> SampleRequestsAsync(BybitFake fake, CancellationToken ct)
    {
        var samples = new List<(long, long)>();
        try
        {
            while (true)
            {
                samples.Add((Stopwatch.GetTimestamp(), fake.Requests));
                await Task.Delay(50, ct);
            }
        }
        catch (OperationCanceledException) { }
        samples.Add((Stopwatch.GetTimestamp(), fake.Requests));
        return samples;
    }

    /// <summary>The most requests seen within any span of one window, from the samples (to 50 ms).</summary>
    private static long PeakInWindow(List<(long At, long Requests)> samples, TimeSpan window)
    {
        long peak = 0;
        var from = 0;
        for (var to = 0; to < samples.Count; to++)
        {
            while (Stopwatch.GetElapsedTime(samples[from].At, samples[to].At) > window) from++;
            peak = Math.Max(peak, samples[to].Requests - samples[from].Requests);
        }
        return peak;
    }

    /// <summary>Each tenant links its own Bybit testnet account as the API would (credentials sealed under its data key) and subscribes.</summary>
    private static async Task SeedAsync(EngineHost engine, BybitFake fake, KeyRingSource keys, BenchArgs bench)
    {
        var timeout = TimeSpan.FromSeconds(60);
        var failures = new ConcurrentQueue<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, bench.Tenants), new ParallelOptions { MaxDegreeOfParallelism = bench.Parallelism }, async (i, _) =>
        {
            var id = TenantId(i);
            var uid = AccountNumber(i);
            var credentials = new BrokerCredentials($"BENCHKEY{i:D8}", $"bench-secret-{i:D8}", uid);
            fake.SeedAccount(uid, credentials.ApiKey, credentials.Secret!, 100_000m);
            var dataKey = DataKey.Generate();
            ITenantCommand[] commands =
            [
                new CreateTenant(id, id),
                new LinkBrokerAccount(id, "bybit-1", "bybit", "", "Bybit", AccountMode.Testnet, credentials.KeyIdHint,
                    SealedCredentials.Seal(credentials, dataKey, id, "bybit-1").Encode(), WrappedDataKey.Wrap(dataKey, id, keys.Current).Encode()),
                new SubscribeToStrategy(id, EngineHost.Strategy, "bybit-1", SubscriptionBudget),
            ];
            foreach (var command in commands)
            {
                var reply = await engine.Tenants.Ask<object>(command, timeout);
                if (reply is not CommandAccepted)
                {
                    failures.Enqueue($"{command.GetType().Name} {id}: {reply}");
                    return;
                }
            }
        });
        if (!failures.IsEmpty)
            throw new InvalidOperationException($"{failures.Count} tenants were not set up; first: " + string.Join(" | ", failures.Take(5)));
    }
}
