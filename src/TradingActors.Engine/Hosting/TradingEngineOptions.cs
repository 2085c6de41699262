using System.Security.Cryptography;
using TradingActors.Brokers;
using TradingActors.Credentials;
using TradingActors.Domain.Strategies;

namespace TradingActors.Engine.Hosting;

/// <summary>Everything a node needs to run the engine; bound from the "Trading" configuration section and validated at start.</summary>
public sealed class TradingEngineOptions
{
    public const string Section = "Trading";

    /// <summary>Npgsql connection string of the one database (journal, snapshots, read models).</summary>
    public string ConnectionString { get; set; } = "";

    public string ActorSystemName { get; set; } = "trading";

    public ClusterSettings Cluster { get; set; } = new();

    /// <summary>
    /// The seeds of the strategy catalog (decision 026): created at the catalog's first start when their ids are new;
    /// after that the catalog (admins, at run time) decides. Parameters are a JSON object, e.g. {"period":14}.
    /// </summary>
    public List<StrategyDefinition> Strategies { get; set; } = [new("rsi-btc", "BTCUSDT")];

    /// <summary>The configured strategies with their parameters in canonical form (call after <see cref="Validate"/>).</summary>
    public IReadOnlyList<StrategyDefinition> CanonicalStrategies() => Strategies.Select(s => s.Check(out var canonical).Count == 0 ? canonical : s).ToList();

    public FeedSettings Feed { get; set; } = new();

    public decimal PaperFeeRate { get; set; } = 0.001m;
    public decimal PaperSlippageBps { get; set; } = 5m;

    public int TenantShards { get; set; } = 100;

    /// <summary>Subscriber buckets per strategy: the unit fan-out work is spread over the nodes by.</summary>
    public int FanoutBuckets { get; set; } = 32;

    /// <summary>How often each strategy tells every bucket its latest sequence (and so restarts a bucket that stopped or moved).</summary>
    public TimeSpan FanoutTickInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A strategy that stopped (write or recovery failure) starts again after this backoff, doubling up to the max.</summary>
    public TimeSpan StrategyRestartBackoff { get; set; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan StrategyRestartBackoffMax { get; set; } = TimeSpan.FromSeconds(10);

    public int TenantSnapshotEvery { get; set; } = 100;
    public TimeSpan BrokerCallTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A venue shows an order it took within this long after the call ended (lookups before it can miss it).</summary>
    public TimeSpan VenueVisibilityWindow { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Clocks of the nodes may differ this much: added before an order not found is placed again.</summary>
    public TimeSpan ClockSkewAllowance { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Open orders are looked up with a backoff from this to the max; after this many lookups they need attention.</summary>
    public TimeSpan OrderLookupBackoff { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan OrderLookupBackoffMax { get; set; } = TimeSpan.FromMinutes(1);
    public int OrderLookupsBeforeAttention { get; set; } = 10;

    /// <summary>A broker session stops calling its venue after this many failed calls in a row (unknown or not placed)...</summary>
    public int BrokerBreakerFailures { get; set; } = 5;

    /// <summary>...for this long; then one trial call decides again.</summary>
    public TimeSpan BrokerBreakerReset { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Dedicated threads per external venue for its broker sessions (the bulkhead around venue I/O).</summary>
    public int VenueThreads { get; set; } = 4;
    public TimeSpan IdlePassivation { get; set; } = TimeSpan.FromMinutes(2);
    public TimeSpan SummaryInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Venue connectors by name. Null: the embedded paper venue, and the simulated external venue when <see cref="SimulatedVenue"/> is enabled.</summary>
    public IReadOnlyDictionary<string, IBrokerClient>? Venues { get; set; }

    /// <summary>
    /// The real venues' connectors (decision 022): each on unless disabled; base URLs default to the venue's own
    /// (testnet/practice/mock and live) and can point at the local fakes (scripts/fakes.sh) instead.
    /// </summary>
    public RealVenueSettings RealVenues { get; set; } = new();

    /// <summary>
    /// Request budgets shared by the whole cluster behind one egress IP (decision 023): every request to the budget's
    /// venue, from every node, waits its turn. Bybit's per-IP limit by default.
    /// </summary>
    public List<RateBudgets.RequestBudgetOptions> RequestBudgets { get; set; } = [RateBudgets.RequestBudgetOptions.BybitPerIp];

    /// <summary>How long a venue call may wait for its request budget before it is given up as not placed (nothing was sent).</summary>
    public TimeSpan RequestBudgetAdmissionTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The simulated external venue ("simulated", testnet or live): a venue with keys, for demos and drills.</summary>
    public SimulatedVenueSettings SimulatedVenue { get; set; } = new();

    /// <summary>
    /// The master key ring broker sessions open sealed credentials with (decision 008); set by the host from
    /// "Trading:Credentials". Null: accounts with sealed credentials cannot trade on this node.
    /// </summary>
    public KeyRingSource? CredentialKeys { get; set; }

    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>How long a plan whose payment failed keeps its limits before it lapses to Free (decision 032).</summary>
    public TimeSpan PlanGracePeriod { get; set; } = Domain.Billing.PlanDecisions.GracePeriod;

    /// <summary>How often a resident tenant whose plan is past due checks its grace (a sleeping one checks as it wakes).</summary>
    public TimeSpan PlanGraceCheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The read models the API serves, projected from the journal by a cluster singleton.</summary>
    public ReadModelSettings ReadModels { get; set; } = new();

    /// <summary>Backtest jobs and parameter sweeps: the workers' dispatcher, the datasets, the limits (decision 029).</summary>
    public Backtests.BacktestOptions Backtests { get; set; } = new();

    /// <summary>
    /// Operator tuning: HOCON that overrides cluster-config/ (e.g. journal batch sizes), so a
    /// setting can be measured or changed on a node without a rebuild. Empty by default.
    /// </summary>
    public string ExtraHocon { get; set; } = "";

    public Domain.Tenants.ResolutionPolicy Resolution => new(
        BrokerCallTimeout, VenueVisibilityWindow, ClockSkewAllowance, OrderLookupBackoff, OrderLookupBackoffMax, OrderLookupsBeforeAttention);

    public void Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(ConnectionString)) errors.Add("Trading:ConnectionString is required");
                foreach (var s in Strategies)
            errors.AddRange(s.Check(out _).Select(e => $"Trading:Strategies: strategy '{s.Id}': {e.Message}"));
        if (Strategies.Select(s => s.Id).Distinct().Count() != Strategies.Count) errors.Add("strategy ids must be unique");
        if (TenantShards is < 1 or > 10_000) errors.Add("Trading:TenantShards must be in 1..10000");
        if (FanoutBuckets is < 1 or > 1_000) errors.Add("Trading:FanoutBuckets must be in 1..1000");
        if (TenantSnapshotEvery < 1) errors.Add("Trading:TenantSnapshotEvery must be at least 1");
        if (BrokerCallTimeout <= TimeSpan.Zero) errors.Add("Trading:BrokerCallTimeout must be positive");
        if (VenueVisibilityWindow < TimeSpan.Zero) errors.Add("Trading:VenueVisibilityWindow must not be negative");
        if (ClockSkewAllowance < TimeSpan.Zero) errors.Add("Trading:ClockSkewAllowance must not be negative");
        if (OrderLookupBackoff <= TimeSpan.Zero || OrderLookupBackoffMax < OrderLookupBackoff) errors.Add("Trading:OrderLookupBackoff must be positive and at most OrderLookupBackoffMax");
        if (OrderLookupsBeforeAttention < 1) errors.Add("Trading:OrderLookupsBeforeAttention must be at least 1");
        if (FanoutTickInterval <= TimeSpan.Zero) errors.Add("Trading:FanoutTickInterval must be positive");
        if (StrategyRestartBackoff <= TimeSpan.Zero || StrategyRestartBackoffMax < StrategyRestartBackoff) errors.Add("Trading:StrategyRestartBackoff must be positive and at most StrategyRestartBackoffMax");
        if (VenueThreads is < 1 or > 64) errors.Add("Trading:VenueThreads must be in 1..64");
        if (BrokerBreakerFailures < 1) errors.Add("Trading:BrokerBreakerFailures must be at least 1");
        if (BrokerBreakerReset <= TimeSpan.Zero) errors.Add("Trading:BrokerBreakerReset must be positive");
        foreach (var s in Strategies)
            if (s.MaxSignalAgeSeconds < 1) errors.Add($"strategy '{s.Id}': MaxSignalAgeSeconds must be at least 1");
        if (Cluster.Port is < 0 or > 65535) errors.Add("Trading:Cluster:Port must be in 0..65535");
        if (Cluster.RolesError() is { } roles) errors.Add(roles);
        if (Cluster.Discovery is not ("" or "postgres")) errors.Add("Trading:Cluster:Discovery must be postgres or empty");
        if (Cluster.UsesDiscovery && Cluster.SeedList.Count > 0) errors.Add("Trading:Cluster: Seeds and Discovery exclude each other; set one");
        if (Cluster.DiscoveryHeartbeat <= TimeSpan.Zero || Cluster.DiscoveryStaleAfter < 2 * Cluster.DiscoveryHeartbeat)
            errors.Add("Trading:Cluster:DiscoveryHeartbeat must be positive and DiscoveryStaleAfter at least twice it");
        if (Cluster.JoinRetry <= TimeSpan.Zero) errors.Add("Trading:Cluster:JoinRetry must be positive");
        if (Feed.Kind is not ("simulated" or "replay" or "oanda" or "none")) errors.Add("Trading:Feed:Kind must be simulated, replay, oanda or none");
        if (Feed.Kind == "oanda") errors.AddRange(Feed.Oanda.Validate(Strategies));
        if (Feed.IntervalMs < 1) errors.Add("Trading:Feed:IntervalMs must be at least 1");
        if (PlanGracePeriod <= TimeSpan.Zero) errors.Add("Trading:PlanGracePeriod must be positive");
        if (PlanGraceCheckInterval <= TimeSpan.Zero) errors.Add("Trading:PlanGraceCheckInterval must be positive");
        if (ReadModels.BatchSize is < 1 or > 10_000) errors.Add("Trading:ReadModels:BatchSize must be in 1..10000");
        if (ReadModels.BatchWindow <= TimeSpan.Zero) errors.Add("Trading:ReadModels:BatchWindow must be positive");
        if (ReadModels.FeedRetention < TimeSpan.FromMinutes(1)) errors.Add("Trading:ReadModels:FeedRetention must be at least a minute");
        if (ReadModels.FeedPruneInterval < TimeSpan.FromSeconds(1)) errors.Add("Trading:ReadModels:FeedPruneInterval must be at least a second");
        if (ReadModels.PriceMarkFlushInterval <= TimeSpan.Zero) errors.Add("Trading:ReadModels:PriceMarkFlushInterval must be positive");
        if (ReadModels.PriceMarkMinuteRetention < TimeSpan.FromHours(1)) errors.Add("Trading:ReadModels:PriceMarkMinuteRetention must be at least an hour");
        errors.AddRange(RealVenues.Validate());
        foreach (var b in RequestBudgets) errors.AddRange(b.Validate());
        if (RequestBudgets.Select(b => b.Name).Distinct().Count() != RequestBudgets.Count) errors.Add("Trading:RequestBudgets: names must be unique");
        if (RequestBudgets.Select(b => b.Venue).Distinct().Count() != RequestBudgets.Count) errors.Add("Trading:RequestBudgets: one budget per venue");
        if (RequestBudgetAdmissionTimeout <= TimeSpan.Zero) errors.Add("Trading:RequestBudgetAdmissionTimeout must be positive");
        errors.AddRange(Backtests.Validate());
        if (errors.Count > 0) throw new ArgumentException("invalid engine options: " + string.Join("; ", errors));
    }
}

/// <summary>The cluster roles that decide what a node hosts (decision 015).</summary>
public static class NodeRoles
{
    /// <summary>Tenant and fan-out shards, the strategy singletons: the nodes that trade.</summary>
    public const string Engine = "engine";

    /// <summary>The trader API, its read-model projection and the demo seeding; shard region proxies only.</summary>
    public const string Api = "api";

    /// <summary>The market data feed singleton.</summary>
    public const string Feed = "feed";

    public static readonly IReadOnlyList<string> All = [Engine, Api, Feed];
}

public sealed class ClusterSettings
{
    public string Hostname { get; set; } = "127.0.0.1";

    /// <summary>Remoting port; 0 picks a free one (tests).</summary>
    public int Port { get; set; } = 4053;

    /// <summary>
    /// Comma-separated seed addresses (akka.tcp://trading@host:port): join through these. Empty, with no
    /// <see cref="Discovery"/>: form a one-node cluster.
    /// </summary>
    public string Seeds { get; set; } = "";

    /// <summary>
    /// "postgres": find the cluster's members in the database and join through them, or form the cluster when there is
    /// none (decision 016): no fixed seed. Empty: use <see cref="Seeds"/>.
    /// </summary>
    public string Discovery { get; set; } = "";

    /// <summary>How often a node refreshes its row in cluster_nodes, and after how long without a refresh it is nobody's seed.</summary>
    public TimeSpan DiscoveryHeartbeat { get; set; } = TimeSpan.FromSeconds(2);
    public TimeSpan DiscoveryStaleAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A node not yet welcomed reads the directory again and retries with the members it then finds, this often.</summary>
    public TimeSpan JoinRetry { get; set; } = TimeSpan.FromSeconds(5);

    public bool UsesDiscovery => Discovery == "postgres";

    /// <summary>
    /// Comma-separated duties of this node (decision 015): engine (tenants, fan-out buckets, strategies), api (the
    /// trader API and its read models), feed (market data). One image; a node may have several. All three by default.
    /// </summary>
    public string Roles { get; set; } = string.Join(",", NodeRoles.All);

    public IReadOnlyList<string> SeedList => Split(Seeds);
    public IReadOnlyList<string> RoleList => Split(Roles);

    public bool Has(string role) => RoleList.Contains(role, StringComparer.Ordinal);

    /// <summary>Why the roles are not usable, or null.</summary>
    public string? RolesError() =>
        RoleList.Count == 0 ? $"Trading:Cluster:Roles needs at least one of {string.Join(", ", NodeRoles.All)}"
        : RoleList.FirstOrDefault(r => !NodeRoles.All.Contains(r, StringComparer.Ordinal)) is { } unknown
            ? $"Trading:Cluster:Roles has '{unknown}'; the roles are {string.Join(", ", NodeRoles.All)}"
            : null;

    private static string[] Split(string value) => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

public sealed class FeedSettings
{
    /// <summary>simulated (seeded random walk), replay (shipped CSV bars), oanda (OANDA's price stream) or none.</summary>
    public string Kind { get; set; } = "simulated";
    public int IntervalMs { get; set; } = 1000;
    public double Volatility { get; set; } = 0.002;
    public int Seed { get; set; } = 42;
    public string ReplayFile { get; set; } = "data/bars/BTCUSDT-1m.csv";
    public string ReplaySymbol { get; set; } = "BTCUSDT";

    /// <summary>The account whose price stream feeds the cluster when <see cref="Kind"/> is oanda.</summary>
    public OandaFeedSettings Oanda { get; set; } = new();
}

/// <summary>
/// OANDA's price stream as the cluster's feed: one account's token opens it, at the stream URL of the account's mode
/// (Trading:RealVenues:Oanda, so the local fake can stand in). The token is never logged nor put in an error.
/// </summary>
public sealed class OandaFeedSettings
{
    public string AccountNumber { get; set; } = "";

    public string Token { get; set; } = "";

    /// <summary>testnet (fxPractice) or live (fxTrade).</summary>
    public string Mode { get; set; } = "testnet";

    /// <summary>Comma-separated OANDA instruments (EUR_USD,USD_JPY); empty: the strategies' symbols.</summary>
    public string Instruments { get; set; } = "";

    /// <summary>The instruments streamed: the configured ones, else the strategies' symbols.</summary>
    public IReadOnlyList<string> InstrumentsFor(IEnumerable<StrategyDefinition> strategies)
    {
        var configured = Instruments.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return (configured.Length > 0 ? configured : strategies.Select(s => s.Symbol)).Distinct(StringComparer.Ordinal).ToList();
    }

    public IEnumerable<string> Validate(IEnumerable<StrategyDefinition> strategies)
    {
        if (string.IsNullOrWhiteSpace(AccountNumber)) yield return "Trading:Feed:Oanda:AccountNumber is required when Trading:Feed:Kind is oanda";
        if (string.IsNullOrWhiteSpace(Token)) yield return "Trading:Feed:Oanda:Token is required when Trading:Feed:Kind is oanda";
        // The value is not echoed: a token pasted into the wrong setting must not reach the log.
        if (Mode is not ("testnet" or "live")) yield return "Trading:Feed:Oanda:Mode must be testnet or live";
        var instruments = InstrumentsFor(strategies);
        if (instruments.Count == 0) yield return "Trading:Feed:Oanda:Instruments needs at least one instrument";
        foreach (var instrument in instruments)
            if (!IsOandaInstrument(instrument))
                yield return $"Trading:Feed:Oanda:Instruments: {Shown(instrument)} is not an OANDA instrument (BASE_QUOTE, e.g. EUR_USD); set Trading:Feed:Oanda:Instruments";
    }

    // OANDA names instruments BASE_QUOTE in capitals; a strategy on BTCUSDT has no OANDA stream.
    private static bool IsOandaInstrument(string name) =>
        name.Split('_') is [var b, var q] && b.Length > 0 && q.Length > 0 && name.All(c => c == '_' || char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c));

    // Instruments are short and tokens long: a long value may be a token pasted into the wrong setting, so it is not shown.
    private static string Shown(string value) => value.Length <= 16 ? $"'{value}'" : $"an entry of {value.Length} characters";

    public override string ToString() =>
        $"OandaFeedSettings {{ AccountNumber = {AccountNumber}, Mode = {(Mode is "testnet" or "live" ? Mode : "(invalid)")}, Instruments = {string.Join(',', Instruments.Split(',', StringSplitOptions.TrimEntries).Select(Shown))} }}";
}

public sealed class ReadModelSettings
{
    /// <summary>Off for engine-only hosts (tests of the engine); the node turns it on (appsettings.json).</summary>
    public bool Enabled { get; set; }

    /// <summary>Events per transaction at most, and how long a partial batch waits for more.</summary>
    public int BatchSize { get; set; } = 1000;
    public TimeSpan BatchWindow { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// How long GET /api/v1/stream can be resumed from (Last-Event-ID): its rows older than this are pruned every
    /// FeedPruneInterval. The orders, executions and subscriptions themselves are kept.
    /// </summary>
    public TimeSpan FeedRetention { get; set; } = TimeSpan.FromDays(7);
    public TimeSpan FeedPruneInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Price marks (decision 030), the performance curves' prices: written every PriceMarkFlushInterval; one a minute is
    /// kept for PriceMarkMinuteRetention, one an hour after that (thinned every FeedPruneInterval).
    /// </summary>
    public TimeSpan PriceMarkFlushInterval { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan PriceMarkMinuteRetention { get; set; } = TimeSpan.FromDays(35);
}

/// <summary>Where a real venue's connector sends its requests; null URLs: the venue's own.</summary>
public sealed class VenueEndpoints
{
    public bool Enabled { get; set; } = true;

    /// <summary>The practice environment (Bybit testnet, Alpaca paper, OANDA fxpractice, KIS mock): accounts not in live mode.</summary>
    public string? TestBaseUrl { get; set; }

    /// <summary>The live environment: accounts in live mode.</summary>
    public string? LiveBaseUrl { get; set; }

    /// <summary>OANDA only: the price stream's base URLs.</summary>
    public string? TestStreamUrl { get; set; }
    public string? LiveStreamUrl { get; set; }

    public IEnumerable<string> Validate(string venue)
    {
        foreach (var (name, value) in new[] { ("TestBaseUrl", TestBaseUrl), ("LiveBaseUrl", LiveBaseUrl), ("TestStreamUrl", TestStreamUrl), ("LiveStreamUrl", LiveStreamUrl) })
            if (value is not null && (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
                yield return $"Trading:RealVenues:{venue}:{name} must be an absolute http(s) URL";
    }
}

public sealed class RealVenueSettings
{
    public VenueEndpoints Oanda { get; set; } = new();
    public VenueEndpoints Alpaca { get; set; } = new();
    public VenueEndpoints Bybit { get; set; } = new();
    public VenueEndpoints Kis { get; set; } = new();

    public IEnumerable<string> Validate() =>
        Oanda.Validate("Oanda").Concat(Alpaca.Validate("Alpaca")).Concat(Bybit.Validate("Bybit")).Concat(Kis.Validate("Kis"));
}

/// <summary>
/// The simulated venue's accounts: API key → secret, as a venue issues them. Empty: every key with a secret of at
/// least 8 characters is accepted (a demo testnet where any key works); otherwise only these pairs.
/// </summary>
public sealed class SimulatedVenueSettings
{
    public bool Enabled { get; set; }

    public Dictionary<string, string> Keys { get; set; } = [];

    public override string ToString() => $"SimulatedVenueSettings {{ Enabled = {Enabled}, Keys = {Keys.Count} }}";

    /// <summary>Null when the venue accepts the account's keys, else why not (never the keys themselves).</summary>
    public string? Authenticate(BrokerAccount account) =>
        account.ApiKey is not { } key || account.ApiSecret is not { } secret ? "no API key or secret"
        : Keys.Count == 0 ? (secret.Length >= 8 ? null : "the secret is too short")
        : Keys.TryGetValue(key, out var expected) && CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(expected), System.Text.Encoding.UTF8.GetBytes(secret))
            ? null
            : "unknown API key or wrong secret";
}
