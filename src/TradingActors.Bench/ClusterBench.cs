using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;

namespace TradingActors.Bench;

/// <summary>
/// One signal fanned out to T paper tenants by N node processes on loopback (scripts/bench.sh cluster starts them on a
/// fresh database and passes their URLs). Everything goes through the nodes' operator surface (/ops, bearer token):
/// the tenants are the demo seeder's, created on demand; the signal is an operator's manual signal; every tenant's
/// outcome comes from each node's order-outcome stream; orders and duplicates are counted in the journal with SQL;
/// messages that crossed nodes come from the nodes' Prometheus scrapes. The last stdout line is the result.
/// </summary>
public static partial class ClusterBench
{
    /// <summary>Signal-path messages (EngineInstruments.MessagesFromOtherNodes): what one signal makes cross nodes. Ticks are periodic, not per signal.</summary>
    private static readonly string[] SignalPathMessages = ["deliver-signal", "execute-signal", "catch-up-signals", "signal-ack", "signal-published"];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<int> RunAsync(string[] args, TextWriter stdout)
    {
        ClusterArgs a;
        try
        {
            a = ClusterArgs.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"bench: {e.Message}");
            Console.Error.WriteLine(ClusterArgs.Usage);
            return 2;
        }
        var connectionString = Environment.GetEnvironmentVariable("TRADINGACTORS_BENCH_PG");
        var token = Environment.GetEnvironmentVariable("TRADINGACTORS_BENCH_OPS_TOKEN");
        if (string.IsNullOrWhiteSpace(connectionString) || string.IsNullOrWhiteSpace(token))
        {
            Console.Error.WriteLine("bench: TRADINGACTORS_BENCH_PG (the nodes' database) and TRADINGACTORS_BENCH_OPS_TOKEN must be set (run through scripts/bench.sh cluster)");
            return 2;
        }

        var runStarted = Stopwatch.GetTimestamp();
        void Log(string message) =>
            Console.Error.WriteLine($"bench [{Measure.F1(Measure.Ms(runStarted, Stopwatch.GetTimestamp()) / 1000.0)} s] {message}");

        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            Timeout = Timeout.InfiniteTimeSpan, // per call below: seeding takes minutes, the outcome streams last the run
        };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var nodes = a.Urls.Select((url, i) => new OpsNode($"node{i}", url, i < a.NodePids.Count ? a.NodePids[i] : null, http)).ToArray();
        var first = nodes[0];
        using var streams = new CancellationTokenSource();
        var exitCode = 1;
        try
        {
            Log($"cluster nodes={a.Nodes} tenants={a.Tenants} cores={Environment.ProcessorCount} loadavg={ApiLoad.LoadAverage()} " +
                $"urls={string.Join(",", a.Urls)} seed-parallelism={a.SeedParallelism}");

            // ---- the cluster: every node an Up member, the strategy running
            var phase = Stopwatch.StartNew();
            OpsCluster? cluster = null;
            await Wait.Until(async () =>
            {
                cluster = await first.Get<OpsCluster>("/ops/cluster");
                return cluster is not null && cluster.Members.Length == a.Nodes && cluster.Members.All(m => m.Status == "Up" && m.Reachable);
            }, TimeSpan.FromSeconds(120), $"{a.Nodes} Up members", TimeSpan.FromMilliseconds(500));
            Log($"cluster: {string.Join(", ", cluster!.Members.Select(m => $"{m.Address} [{string.Join(",", m.Roles)}]"))}; oldest {cluster.Oldest} ({phase.ElapsedMilliseconds} ms)");
            OpsStrategy[]? strategies = null;
            await Wait.Until(async () =>
            {
                strategies = await first.Get<OpsStrategy[]>("/ops/strategies");
                return strategies is [{ State: "running" }, ..];
            }, TimeSpan.FromSeconds(60), "the strategy running", TimeSpan.FromMilliseconds(500));
            var strategy = strategies![0].Id; // the demo tenants subscribe to the first strategy
            var singleton = await first.Get<OpsSingleton>($"/ops/singletons/strategy-{strategy}");
            Log($"strategy {strategy} running on {singleton?.Node}");

            // ---- set-up, not timed in the result: T demo tenants, each resident and registered with its fan-out bucket
            phase.Restart();
            var cpu = Cpu.Start(nodes.Where(n => n.Pid is not null).Select(n => (n.Name, n.Pid!.Value)).ToList(), a.PostgresPid);
            var seeded = await first.Post<OpsDemoSeeded>("/ops/demo/tenants", new { tenants = a.Tenants, parallelism = a.SeedParallelism }, TimeSpan.FromHours(2))
                         ?? throw new InvalidOperationException("seeding the demo tenants failed");
            Log($"seeded {seeded.Tenants} demo tenants ({seeded.Created} new, {seeded.Rejected} commands rejected{(seeded.FirstRejection is null ? "" : ", first: " + seeded.FirstRejection)}) " +
                $"in {seeded.ElapsedMs} ms = {Measure.F1(seeded.Tenants * 1000.0 / Math.Max(1, seeded.ElapsedMs))} tenants/s; {cpu.Describe()}");
            // The database is fresh, so "already exists" only comes from the seeder asking again after a reply slower than
            // its 10 s timeout; what counts is every tenant subscribed and resident, waited for below.
            if (seeded.Created != a.Tenants)
                Log($"note: {seeded.Created} CreateTenant commands were accepted and {seeded.Rejected} rejected: asks retried after a timeout");

            // A cluster started one node at a time has its shards (the fan-out buckets first: the strategy starts them) on
            // the first node; the coordinator moves a few per rebalance round. The signal comes once both regions are spread
            // evenly (at most one shard apart), as in a cluster that has been running.
            phase.Restart();
            try
            {
                await Wait.Until(async () =>
                {
                    var tenantShards = await first.Get<OpsRegionStats[]>("/ops/sharding/tenant/stats");
                    var bucketShards = await first.Get<OpsRegionStats[]>("/ops/sharding/fanout/stats");
                    static bool Even(OpsRegionStats[]? r, int nodes) => r is not null && r.Length == nodes && r.Max(x => x.Shards) - r.Min(x => x.Shards) <= 1;
                    return Even(tenantShards, a.Nodes) && Even(bucketShards, a.Nodes);
                }, TimeSpan.FromSeconds(600), "tenant and fan-out shards spread evenly over the nodes", TimeSpan.FromSeconds(1));
                Log($"shards spread evenly ({phase.ElapsedMilliseconds} ms after the seeding)");
                phase.Restart();
            }
            catch (TimeoutException e)
            {
                Log($"warning: {e.Message}; measuring as placed: {await Placement(first)}");
            }

            OpsFanout? fanout = null;
            int resident = 0;
            await Wait.Until(async () =>
            {
                fanout = await first.Get<OpsFanout>($"/ops/fanout/{strategy}");
                resident = (await first.Get<OpsRegionStats[]>("/ops/sharding/tenant/stats"))?.Sum(r => r.Entities) ?? 0;
                return fanout is not null && fanout.BucketsAnswered == fanout.Buckets.Length && fanout.Subscribers == a.Tenants && fanout.Lagging == 0
                       && resident == a.Tenants;
            }, TimeSpan.FromSeconds(300), $"{a.Tenants} subscribers in the fan-out buckets, none lagging, {a.Tenants} tenants resident", TimeSpan.FromMilliseconds(500));
            Log($"fan-out: {fanout!.Subscribers} subscribers in {fanout.Buckets.Length} buckets, none lagging; {resident} tenants resident " +
                $"({phase.ElapsedMilliseconds} ms after the spreading)");
            var placement = await Placement(first);
            Log($"placement: {placement}");
            foreach (var n in nodes)
                if (n.Pid is { } pid) Log($"{n.Name} (pid {pid}) RSS {Measure.RssOf(pid) / (1024 * 1024)} MiB with its warm tenants");

            // ---- the measured signal
            var recorder = new FillRecorder(a.Tenants);
            var following = nodes.Select(n => n.FollowOutcomes(recorder, streams.Token)).ToArray();
            await Task.WhenAll(following.Select(f => f.Following)).WaitAsync(TimeSpan.FromSeconds(30));
            var before = await ScrapeAll(nodes);
            if (await first.Get<OpsRegionStats[]>("/ops/sharding/tenant/stats") is { } stats && stats.Sum(r => r.Entities) != a.Tenants)
                Log($"warning: {stats.Sum(r => r.Entities)} tenants resident just before the signal");

            cpu = Cpu.Start(nodes.Where(n => n.Pid is not null).Select(n => (n.Name, n.Pid!.Value)).ToList(), a.PostgresPid);
            var loadBefore = ApiLoad.LoadAverage();
            // Start: just before the operator's request. It includes the HTTP hop, the strategy persisting the signal and its
            // reply, as the fan-out bench's start includes the signal's own write.
            var start = DateTimeOffset.UtcNow;
            var startTimestamp = Stopwatch.GetTimestamp();
            var signal = await first.Post<OpsSignal>($"/ops/strategies/{strategy}/signal", new { side = "buy", price = 60_000m }, TimeSpan.FromSeconds(30))
                         ?? throw new InvalidOperationException("the signal was not emitted");
            Log($"signal #{signal.Sequence} {signal.Side} {signal.Symbol} @ {signal.Price} persisted and published; reply after {Measure.F1(Measure.Ms(startTimestamp, Stopwatch.GetTimestamp()))} ms " +
                $"(signal time {Measure.F1((signal.Time - start).TotalMilliseconds)} ms after the start)");

            var allFilled = await Task.WhenAny(recorder.AllFilled, Task.Delay(a.FillTimeout)) == recorder.AllFilled;
            var window = cpu.Describe();
            var loadAfter = ApiLoad.LoadAverage();
            var latencies = recorder.FirstFills().Select(t => (t - start).TotalMilliseconds).Order().ToList();
            var totalMs = latencies.Count > 0 ? latencies[^1] : double.NaN;
            Log(allFilled ? $"all filled: {recorder.Describe()}; {window}" : $"TIMEOUT after {a.FillTimeout.TotalSeconds:0} s: {recorder.Describe()}; {window}");
            Log($"load average {loadBefore} at the signal, {loadAfter} after the fills");
            if (latencies.Count > 0)
            {
                Log($"fill latency ms: min {Measure.F1(latencies[0])} p10 {Measure.F1(Measure.Percentile(latencies, 10))} p50 {Measure.F1(Measure.Percentile(latencies, 50))} " +
                    $"p90 {Measure.F1(Measure.Percentile(latencies, 90))} p99 {Measure.F1(Measure.Percentile(latencies, 99))} max {Measure.F1(totalMs)}");
                var binMs = Math.Max(10, Math.Ceiling(totalMs / 20 / 10) * 10);
                Log($"fills per {binMs:0} ms window after the start: " +
                    string.Join(" ", latencies.GroupBy(l => (int)(l / binMs)).OrderBy(g => g.Key).Select(g => $"{g.Key * binMs:0}-{(g.Key + 1) * binMs:0}:{g.Count()}")));
                if (latencies[0] < 0) Log("warning: a fill before the start: the nodes' clocks and this one's disagree");
            }
            Log($"fills per node: {string.Join(", ", nodes.Select(n => $"{n.Name} {n.Filled}"))}");

            // ---- after the fills: every subscriber acknowledged, then the counters and the journal
            phase.Restart();
            try
            {
                await Wait.Until(async () => (await first.Get<OpsFanout>($"/ops/fanout/{strategy}")) is { Lagging: 0 } f && f.BucketsAnswered == f.Buckets.Length,
                    TimeSpan.FromSeconds(60), "every subscriber acknowledged the signal", TimeSpan.FromMilliseconds(200));
                Log($"fan-out buckets fully acknowledged ({phase.ElapsedMilliseconds} ms after the fills)");
            }
            catch (TimeoutException e)
            {
                Log($"warning: {e.Message}");
            }
            // A node that stalls for seconds (a starved machine) is taken for dead and downed: the run then measured a cluster
            // that changed under it, and a downed node has no counters left to read.
            var members = await first.Get<OpsCluster>("/ops/cluster");
            var intact = members is not null && members.Members.Length == a.Nodes && members.Members.All(m => m.Status == "Up" && m.Reachable);
            if (!intact)
                Log($"FAILED: the cluster changed during the run: {(members is null ? "node0 does not answer" : string.Join(", ", members.Members.Select(m => $"{m.Address} {m.Status}{(m.Reachable ? "" : " unreachable")}")))}" +
                    $" (see .run/bench-cluster/nodeI.log)");
            long? perSignal = null;
            try
            {
                var after = await ScrapeAll(nodes);
                var crossed = new SortedDictionary<string, long>(StringComparer.Ordinal);
                foreach (var (message, count) in after)
                    if (message != AllRedeliveries) crossed[message] = count - before.GetValueOrDefault(message);
                perSignal = SignalPathMessages.Sum(m => crossed.GetValueOrDefault(m));
                Log($"messages from another node, summed over the nodes, signal to last acknowledgement: {string.Join(", ", crossed.Select(kv => $"{kv.Key}={kv.Value}"))} " +
                    $"-> {perSignal} on the signal path ({string.Join(" + ", SignalPathMessages)})");
                // Buckets tell members that have not acknowledged yet to catch up, every 3 s: in a fan-out that takes longer,
                // members that are merely still in the queue are told again (and acknowledge again).
                Log($"catch-up redeliveries the buckets sent in the same window, to local and remote members: " +
                    $"{after.GetValueOrDefault(AllRedeliveries) - before.GetValueOrDefault(AllRedeliveries)}");
            }
            catch (HttpRequestException e)
            {
                Log($"FAILED: cross-node messages not counted, a node's /metrics does not answer: {e.Message}");
            }

            var audit = await AuditJournal(connectionString);
            Log($"journal: {audit.FilledEvents} OrderFilled events, {audit.Orders} distinct client order ids, {audit.Duplicates} filled more than once, " +
                $"other outcomes: {(audit.Other.Count == 0 ? "none" : string.Join(", ", audit.Other.Select(kv => $"{kv.Key}={kv.Value}")))}");
            foreach (var n in nodes)
                if (n.Pid is { } pid) Log($"{n.Name} (pid {pid}) RSS {Measure.RssOf(pid) / (1024 * 1024)} MiB after trading");

            var p50 = Measure.Percentile(latencies, 50);
            var p99 = Measure.Percentile(latencies, 99);
            var resultLine = $"cluster nodes={a.Nodes} tenants={a.Tenants} orders={audit.Orders} duplicates={audit.Duplicates} " +
                             $"total_ms={Measure.F1(totalMs)} p50_ms={Measure.F1(p50)} p99_ms={Measure.F1(p99)} cross_node_msgs_per_signal={(perSignal is { } m ? m.ToString(CultureInfo.InvariantCulture) : "NaN")}";
            exitCode = allFilled && intact && perSignal is not null && recorder.Dropped == 0 && audit.Orders == a.Tenants && audit.Duplicates == 0 ? 0 : 1;
            if (recorder.Dropped > 0) Log($"FAILED: {recorder.Dropped} outcomes were dropped by a node's stream: the latencies miss them");
            streams.Cancel();
            stdout.WriteLine(resultLine);
            stdout.Flush();
            return exitCode;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"bench: FAILED: {e}");
            return 1;
        }
        finally
        {
            await streams.CancelAsync();
        }
    }

    /// <summary>Tenants and fan-out buckets per node, from the cluster-wide sharding stats.</summary>
    private static async Task<string> Placement(OpsNode node)
    {
        var tenants = await node.Get<OpsRegionStats[]>("/ops/sharding/tenant/stats") ?? [];
        var buckets = await node.Get<OpsRegionStats[]>("/ops/sharding/fanout/stats") ?? [];
        return string.Join("; ", tenants.Select(t =>
            $"{t.Node}: {t.Entities} tenants in {t.Shards} shards, {buckets.FirstOrDefault(b => b.Node == t.Node)?.Entities ?? 0} fan-out buckets"));
    }

    /// <summary>The key under which <see cref="ScrapeAll"/> returns every catch-up the buckets sent (to local members too).</summary>
    private const string AllRedeliveries = "(fan-out redeliveries, local and remote)";

    /// <summary>
    /// tradingactors_messages_remote_total by message, and tradingactors_fanout_redeliveries_total under
    /// <see cref="AllRedeliveries"/>, each summed over every node's scrape.
    /// </summary>
    private static async Task<Dictionary<string, long>> ScrapeAll(IEnumerable<OpsNode> nodes)
    {
        var sums = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            var scrape = await node.Scrape();
            foreach (Match m in Sample().Matches(scrape))
            {
                var key = m.Groups["name"].Value switch
                {
                    "tradingactors_messages_remote_total" when MessageLabel().Match(m.Groups["labels"].Value) is { Success: true } message => message.Groups[1].Value,
                    "tradingactors_fanout_redeliveries_total" => AllRedeliveries,
                    _ => null,
                };
                if (key is not null) sums[key] = sums.GetValueOrDefault(key) + (long)double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
            }
        }
        return sums;
    }

    [GeneratedRegex("""^(?<name>[a-z_:]+)(\{(?<labels>[^}]*)\})? (?<value>[-+0-9.eE]+)""", RegexOptions.Multiline)]
    private static partial Regex Sample();

    [GeneratedRegex("message=\"([^\"]+)\"")]
    private static partial Regex MessageLabel();

    private sealed record Audit(int FilledEvents, int Orders, int Duplicates, IReadOnlyDictionary<string, long> Other);

    /// <summary>
    /// What the journal holds (the database is fresh: all of it is this run's): fills per client order id, and the
    /// tenants' other outcome events by kind. Read with SQL, independently of the engine.
    /// </summary>
    private static async Task<Audit> AuditJournal(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var filledEvents = 0;
        var orders = 0;
        var duplicates = 0;
        await using (var command = new NpgsqlCommand("""
            SELECT convert_from(message, 'UTF8')::jsonb -> 'intent' ->> 'clientOrderId', count(*)
            FROM journal WHERE persistence_id LIKE 'tenant-%' AND manifest = 't.order-filled.v1' GROUP BY 1
            """, connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var fills = reader.GetInt64(1);
                filledEvents += (int)fills;
                orders++;
                if (fills > 1) duplicates++;
            }
        }
        var other = new SortedDictionary<string, long>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand("""
            SELECT manifest, count(*) FROM journal WHERE persistence_id LIKE 'tenant-%'
              AND manifest IN ('t.order-rejected.v1', 't.order-failed.v1', 't.order-unknown.v1', 't.order-attention.v1', 't.signals-skipped.v2')
            GROUP BY 1
            """, connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) other[reader.GetString(0)] = reader.GetInt64(1);
        }
        return new Audit(filledEvents, orders, duplicates, other);
    }

    /// <summary>
    /// First Filled outcome per tenant, from every node's stream. While the signal settles it only notes the tenant of
    /// each filled line and keeps the line (the bench shares the 2 cores it measures); the lines are parsed afterwards.
    /// </summary>
    private sealed class FillRecorder(int expected)
    {
        private readonly object _gate = new();
        private readonly HashSet<string> _filledTenants = new(StringComparer.Ordinal);
        private readonly List<string> _lines = [];
        private readonly TaskCompletionSource _allFilled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _dropped;

        public Task AllFilled => _allFilled.Task;
        public long Dropped => Interlocked.Read(ref _dropped);

        /// <summary>One "data:" line of a stream (an OutcomeEvent as JSON); true when it was its tenant's first fill.</summary>
        public bool Add(string json)
        {
            var filled = json.Contains("\"status\":\"filled\"", StringComparison.Ordinal);
            var tenant = filled ? TenantOf(json) : null;
            lock (_gate)
            {
                _lines.Add(json);
                if (tenant is null || !_filledTenants.Add(tenant)) return false;
                if (_filledTenants.Count >= expected) _allFilled.TrySetResult();
                return true;
            }
        }

        private static string? TenantOf(string json)
        {
            const string key = "\"tenantId\":\"";
            var from = json.IndexOf(key, StringComparison.Ordinal);
            if (from < 0) return null;
            from += key.Length;
            var to = json.IndexOf('"', from);
            return to < 0 ? null : json[from..to];
        }

        public void AddDropped(long count) => Interlocked.Add(ref _dropped, count);

        private List<OutcomeEvent> Parsed()
        {
            lock (_gate) return [.. _lines.Select(l => JsonSerializer.Deserialize<OutcomeEvent>(l, Json)!)];
        }

        /// <summary>The first fill's persisted time of every tenant that filled.</summary>
        public DateTimeOffset[] FirstFills() =>
            [.. Parsed().Where(e => e.Status == "filled").GroupBy(e => e.TenantId, StringComparer.Ordinal).Select(g => g.Min(e => e.PersistedAt))];

        public string Describe()
        {
            var byStatus = Parsed().GroupBy(e => e.Status).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}={g.Count()}").ToList();
            int filled;
            lock (_gate) filled = _filledTenants.Count;
            return $"tenants filled={filled}/{expected}, outcomes by status: {(byStatus.Count == 0 ? "none" : string.Join(", ", byStatus))}";
        }
    }

    /// <summary>One node's /ops surface and /metrics.</summary>
    private sealed class OpsNode(string name, Uri url, int? pid, HttpClient http)
    {
        private int _filled;

        public string Name => name;
        public int? Pid => pid;
        public int Filled => Volatile.Read(ref _filled);

        /// <summary>The route's JSON answer, or null when the node does not answer it (yet) with 200.</summary>
        public async Task<T?> Get<T>(string path, TimeSpan? timeout = null)
        {
            using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
            try
            {
                using var response = await http.GetAsync(new Uri(url, path), cts.Token);
                return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<T>(Json, cts.Token) : default;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                return default;
            }
        }

        public async Task<T?> Post<T>(string path, object body, TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            using var response = await http.PostAsJsonAsync(new Uri(url, path), body, Json, cts.Token);
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"{name} POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cts.Token)}");
            return await response.Content.ReadFromJsonAsync<T>(Json, cts.Token);
        }

        public async Task<string> Scrape()
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                return await http.GetStringAsync(new Uri(url, "/metrics"), cts.Token);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                throw new HttpRequestException($"{name} ({url}): {e.Message}", e);
            }
        }

        public sealed record Stream(Task Following, Task Reading);

        /// <summary>Reads the node's order outcome stream into the recorder; Following completes once the node has subscribed.</summary>
        public Stream FollowOutcomes(FillRecorder recorder, CancellationToken ct)
        {
            var following = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var reading = Task.Run(async () =>
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url, "/ops/orders/events"));
                    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
                    response.EnsureSuccessStatusCode();
                    using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
                    string? kind = null;
                    while (await reader.ReadLineAsync(ct) is { } line)
                    {
                        if (line.StartsWith(": following", StringComparison.Ordinal)) following.TrySetResult();
                        else if (line.StartsWith("event: ", StringComparison.Ordinal)) kind = line["event: ".Length..];
                        else if (line.StartsWith("data: ", StringComparison.Ordinal))
                        {
                            var data = line["data: ".Length..];
                            if (kind == "dropped")
                            {
                                recorder.AddDropped(JsonDocument.Parse(data).RootElement.GetProperty("dropped").GetInt64());
                                Console.Error.WriteLine($"bench: {name} dropped outcomes: {data}");
                            }
                            else if (recorder.Add(data))
                            {
                                Interlocked.Increment(ref _filled);
                            }
                            kind = null;
                        }
                    }
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                }
                catch (Exception e)
                {
                    following.TrySetException(e);
                    Console.Error.WriteLine($"bench: {name}'s outcome stream failed: {e.Message}");
                }
            }, CancellationToken.None);
            return new Stream(following.Task, reading);
        }
    }

    // The nodes' /ops answers this bench reads (a wire contract: src/TradingActors.Node/Ops/OpsRoutes.cs).
    private sealed record OpsMember(string Address, string Status, string[] Roles, bool Reachable);
    private sealed record OpsCluster(string Self, string? Leader, string? Oldest, OpsMember[] Members);
    private sealed record OpsRegionStats(string Node, int Shards, int Entities);
    private sealed record OpsSingleton(string Name, string Role, string? Node);
    private sealed record OpsStrategy(string Id, string Symbol, string State, long? LastSequence);
    private sealed record OpsFanoutBucket(int Bucket, bool Answered, int Subscribers, long LatestSequence, int Lagging);
    private sealed record OpsFanout(string Strategy, int BucketsAnswered, int Subscribers, int Lagging, OpsFanoutBucket[] Buckets);
    private sealed record OpsDemoSeeded(string Strategy, int Tenants, int Created, int Rejected, string? FirstRejection, long ElapsedMs);
    private sealed record OpsSignal(string Strategy, long Sequence, string Symbol, string Side, decimal Price, DateTimeOffset Time);
    private sealed record OutcomeEvent(string TenantId, string ClientOrderId, string Status, DateTimeOffset PersistedAt);
}
