using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Akka.Actor;

namespace TradingActors.Engine.Observability;

/// <summary>
/// The engine's instruments (System.Diagnostics.Metrics), exported by the node at /metrics. Each counts what this
/// process did, so a node's scrape is its share and Prometheus sums the cluster. No instrument carries a tenant id:
/// a label per tenant would be a time series per tenant, and tenants are not the operators' business.
/// </summary>
public static class EngineInstruments
{
    public const string MeterName = "TradingActors.Engine";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Order outcomes persisted by this node's tenants, by status (filled, rejected, failed, unknown, needs_attention).</summary>
    public static readonly Counter<long> Orders = Meter.CreateCounter<long>("tradingactors.orders", description: "order outcomes persisted, by status");

    /// <summary>Signals the strategies published (every node's view counts each once).</summary>
    public static readonly Counter<long> Signals = Meter.CreateCounter<long>("tradingactors.signals", description: "signals published by the strategies");

    /// <summary>Signals a tenant skipped (stale, budget, paused…): counted per skipped signal.</summary>
    public static readonly Counter<long> SignalsSkipped = Meter.CreateCounter<long>("tradingactors.signals.skipped", description: "signals skipped by tenants");

    /// <summary>From a signal's time to a tenant on this node receiving it (fan-out, redelivery and catch-up included).</summary>
    public static readonly Histogram<double> SignalDelivery = Meter.CreateHistogram("tradingactors.signal.delivery", "s",
        "from a signal's time to a tenant receiving it", advice: LatencyBuckets);

    /// <summary>From an order's submission (persisted when its signal or request was taken) to its persisted outcome.</summary>
    public static readonly Histogram<double> OrderLatency = Meter.CreateHistogram("tradingactors.order.latency", "s",
        "from an order's submission to its persisted outcome", advice: LatencyBuckets);

    /// <summary>Venue calls that did not end in an answer: venue and class (unknown, not_placed, circuit_open, unusable_credentials).</summary>
    public static readonly Counter<long> VenueErrors = Meter.CreateCounter<long>("tradingactors.venue.errors", description: "venue calls without an answer, by venue and class");

    /// <summary>How long a venue request waited for the cluster-wide request budget (decision 023), by budget.</summary>
    public static readonly Histogram<double> RequestBudgetWait = Meter.CreateHistogram<double>("tradingactors.venue.budget_wait", "s",
        "time a venue request waited for the cluster's shared request budget, by budget");

    /// <summary>Venue session tokens issued (KIS), by venue: about one per account per day when the cache works.</summary>
    public static readonly Counter<long> VenueTokensIssued = Meter.CreateCounter<long>("tradingactors.venue.tokens_issued", description: "venue session tokens issued, by venue");

    /// <summary>One batched journal write (many actors' events in one statement), as the journal's callers wait for it.</summary>
    public static readonly Histogram<double> JournalWrite = Meter.CreateHistogram("tradingactors.journal.write", "s",
        "batched journal writes", advice: LatencyBuckets);

    /// <summary>Persistent actors that finished recovering on this node, by kind (tenant, strategy, fanout).</summary>
    public static readonly Counter<long> Recoveries = Meter.CreateCounter<long>("tradingactors.recoveries", description: "persistent actors recovered, by kind");

    /// <summary>Backtest runs this node's worker ran (decision 029), by outcome (completed, failed, cancelled).</summary>
    public static readonly Counter<long> BacktestRuns = Meter.CreateCounter<long>("tradingactors.backtest.runs", description: "backtest runs run here, by outcome");

    /// <summary>How long one backtest run took on the backtest dispatcher (its dataset's first read included).</summary>
    public static readonly Histogram<double> BacktestRun = Meter.CreateHistogram("tradingactors.backtest.run", "s", "one backtest run on the backtest dispatcher",
        advice: LatencyBuckets);

    /// <summary>Catch-up deliveries a fan-out bucket sent to members behind the latest signal.</summary>
    public static readonly Counter<long> FanoutRedeliveries = Meter.CreateCounter<long>("tradingactors.fanout.redeliveries", description: "catch-ups sent again to subscribers still behind after a quiet interval");

    /// <summary>
    /// Engine messages this node handled that an actor on another node had sent, by message (signal path: deliver-signal,
    /// execute-signal, catch-up-signals, signal-ack, signal-published; and the strategy's periodic fanout-tick). Counted
    /// once each where it is handled, so a message that crossed the network counts once on the node that received it.
    /// </summary>
    public static readonly Counter<long> MessagesFromOtherNodes = Meter.CreateCounter<long>("tradingactors.messages.remote",
        description: "engine messages handled here that an actor on another node sent, by message");

    /// <summary>Counts <paramref name="message"/> in <see cref="MessagesFromOtherNodes"/> when its sender lives on another node.</summary>
    public static void CountIfFromOtherNode(IActorRef? sender, string message)
    {
        // A local actor's path has no host (akka://trading/...); another node's actor has one (akka.tcp://trading@host:port/...).
        if (sender is not null && sender.Path.Address.HasGlobalScope)
            MessagesFromOtherNodes.Add(1, new KeyValuePair<string, object?>("message", message));
    }

    /// <summary>What a node's <see cref="EngineMetrics"/> last observed of the cluster and of its own shards.</summary>
    public sealed record ClusterView(IReadOnlyDictionary<string, int> MembersByStatus, IReadOnlyDictionary<string, (int Shards, int Entities)> Regions);

    // One view per engine in the process (one in a node; several only when tests host several ActorSystems together,
    // where shards and entities add up and members are the largest view). Static, like the meter: a gauge made per
    // actor would be a second instrument of the same name, which the exporter cannot tell apart.
    private static readonly ConcurrentDictionary<object, ClusterView> Views = new();

    private static readonly ObservableGauge<int> ClusterMembers = Meter.CreateObservableGauge("tradingactors.cluster.members",
        () => Views.Values.SelectMany(v => v.MembersByStatus).GroupBy(m => m.Key)
            .Select(g => new Measurement<int>(g.Max(m => m.Value), new KeyValuePair<string, object?>("status", g.Key))),
        description: "cluster members this node sees, by status");

    private static readonly ObservableGauge<int> Shards = Meter.CreateObservableGauge("tradingactors.shards",
        () => Regions(r => r.Shards), description: "shards hosted by this node, by region");

    private static readonly ObservableGauge<int> Entities = Meter.CreateObservableGauge("tradingactors.entities",
        () => Regions(r => r.Entities), description: "entities (tenants, fan-out buckets) resident on this node, by region");

    public static void Publish(object owner, ClusterView view) => Views[owner] = view;

    public static void Withdraw(object owner) => Views.TryRemove(owner, out _);

    private static IEnumerable<Measurement<int>> Regions(Func<(int Shards, int Entities), int> value) =>
        Views.Values.SelectMany(v => v.Regions).GroupBy(r => r.Key)
            .Select(g => new Measurement<int>(g.Sum(r => value(r.Value)), new KeyValuePair<string, object?>("region", g.Key)));

    private static InstrumentAdvice<double> LatencyBuckets => new()
    {
        HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    };

    /// <summary>Seconds since a Stopwatch timestamp.</summary>
    public static double SecondsSince(long timestamp) => Stopwatch.GetElapsedTime(timestamp).TotalSeconds;
}
