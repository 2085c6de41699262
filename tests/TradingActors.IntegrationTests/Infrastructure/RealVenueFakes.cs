using Npgsql;
using TradingActors.Brokers.Alpaca;
using TradingActors.Brokers.Bybit;
using TradingActors.Brokers.Fakes;
using TradingActors.Brokers.Kis;
using TradingActors.Brokers.Oanda;
using TradingActors.Credentials;
using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Hosting;
using TradingActors.Engine.Tenants;

namespace TradingActors.IntegrationTests.Infrastructure;

/// <summary>A venue account a fake was seeded with: what a user would paste into the link form.</summary>
public sealed record VenueLogin(string Venue, string AccountNumber, string ApiKey, string? Secret, AccountMode Mode)
{
    public override string ToString() => $"VenueLogin {{ Venue = {Venue}, AccountNumber = {AccountNumber} }}";
}

/// <summary>
/// The four real venues' local fakes (OANDA, Alpaca, Bybit, KIS), each on its own exchange and its own Kestrel
/// server at 127.0.0.1, and engine options that point the node's real connectors at them (no connector is replaced:
/// the engine speaks each venue's HTTP). Accounts are linked with credentials sealed as the API seals them, so only
/// the BrokerSession opens them. Like a real venue, the fakes outlive node restarts.
/// </summary>
public sealed class RealVenueFakes : IAsyncDisposable
{
    /// <summary>One strategy per market: a signal carries one symbol, and no venue lists another venue's market.</summary>
    public static readonly StrategyDefinition Btc = new(EngineNode.Strategy, "BTCUSDT");
    public static readonly StrategyDefinition EurUsd = new("rsi-eurusd", "EUR_USD");
    public static readonly StrategyDefinition Aapl = new("rsi-aapl", "AAPL");
    public static readonly StrategyDefinition Samsung = new("rsi-samsung", "005930");
    public static readonly IReadOnlyList<StrategyDefinition> Strategies = [Btc, EurUsd, Aapl, Samsung];

    private readonly Dictionary<string, DataKey> _dataKeys = new(StringComparer.Ordinal);

    private RealVenueFakes()
    {
        Oanda = new OandaFake(new FakeExchange(TimeProvider.System));
        Alpaca = new AlpacaFake(new FakeExchange(TimeProvider.System, feeRate: 0m));
        Bybit = new BybitFake(new FakeExchange(TimeProvider.System));
        // The real server's limits (20 requests/s per app key, not the mock's 2): a burst of one account's orders is
        // then paced by the venue's rate, not by minutes of waiting. KRW amounts dwarf the default cash.
        Kis = new KisFake(new FakeExchange(TimeProvider.System), new KisFakeOptions { Live = true, SeededCash = 1_000_000_000m });
        foreach (var fake in All)
            foreach (var (symbol, price) in FakeVenueCatalog.StartPrices(fake.Venue))
                if (fake.Exchange.Price(symbol) is null) fake.Exchange.SetPrice(symbol, price);
    }

    public OandaFake Oanda { get; }
    public AlpacaFake Alpaca { get; }
    public BybitFake Bybit { get; }
    public KisFake Kis { get; }

    public IReadOnlyList<FakeVenueServer> All => [Oanda, Alpaca, Bybit, Kis];

    public FakeVenueServer this[string venue] => All.Single(f => f.Venue == venue);

    /// <summary>The master keys of every node in the test (one cluster, one key ring).</summary>
    public KeyRingSource Keys { get; } = new(MasterKeyRing.Of([MasterKey.Generate("mk-test")], "mk-test"));

    /// <summary>The market each venue's tenants follow, at the fake's own price (the signal's reference price).</summary>
    public static StrategyDefinition StrategyOf(string venue) => venue switch
    {
        "oanda" => EurUsd,
        "alpaca" => Aapl,
        "kis" => Samsung,
        _ => Btc, // bybit and the embedded paper venue
    };

    public static decimal PriceOf(StrategyDefinition strategy) => strategy.Symbol switch
    {
        "EUR_USD" => FakeVenueCatalog.StartPrices("oanda")["EUR_USD"],
        "AAPL" => FakeVenueCatalog.StartPrices("alpaca")["AAPL"],
        "005930" => FakeVenueCatalog.StartPrices("kis")["005930"],
        _ => FakeVenueCatalog.StartPrices("bybit")["BTCUSDT"],
    };

    /// <summary>A budget that buys a few units at every venue, in the venue's currency.</summary>
    public static decimal BudgetOf(string venue) => venue switch
    {
        "kis" => 1_000_000m,
        "paper" => 1_000m,
        _ => 2_000m,
    };

    public static async Task<RealVenueFakes> StartAsync()
    {
        var fakes = new RealVenueFakes();
        foreach (var fake in fakes.All) await fake.StartAsync();
        return fakes;
    }

    /// <summary>A node whose OANDA, Alpaca, Bybit and KIS connectors (and the embedded paper venue) are the real ones, sent to the fakes.</summary>
    public TradingEngineOptions EngineOptions(string connectionString) => new()
    {
        ConnectionString = connectionString,
        ActorSystemName = "trading",
        Cluster = new ClusterSettings { Port = 0 },
        Strategies = [.. Strategies],
        Feed = new FeedSettings { Kind = "none" },
        FanoutBuckets = 8,
        TenantShards = 20,
        BrokerCallTimeout = TimeSpan.FromSeconds(5),
        VenueVisibilityWindow = TimeSpan.FromMilliseconds(300),
        SummaryInterval = TimeSpan.FromMinutes(10),
        Venues = null,
        RealVenues = new RealVenueSettings { Oanda = Endpoints(Oanda), Alpaca = Endpoints(Alpaca), Bybit = Endpoints(Bybit), Kis = Endpoints(Kis) },
        CredentialKeys = Keys,
    };

    private static VenueEndpoints Endpoints(FakeVenueServer fake) => new()
    {
        TestBaseUrl = fake.BaseUrl.ToString(),
        LiveBaseUrl = fake.BaseUrl.ToString(),
        TestStreamUrl = fake.BaseUrl.ToString(),
        LiveStreamUrl = fake.BaseUrl.ToString(),
    };

    /// <summary>Seeds account number <paramref name="n"/> at a venue's fake, in the form the venue gives its accounts.</summary>
    public VenueLogin Seed(string venue, int n)
    {
        var login = venue switch
        {
            "oanda" => new VenueLogin(venue, $"101-004-{n:D7}-001", $"oanda-token-{n:D8}-practice", null, AccountMode.Testnet),
            "alpaca" => new VenueLogin(venue, $"PA3{n:D9}", $"PKALPACA{n:D8}", $"alpaca-secret-{n:D8}", AccountMode.Paper),
            "bybit" => new VenueLogin(venue, (100_000_000 + n).ToString(System.Globalization.CultureInfo.InvariantCulture), $"BYBITKEY{n:D8}", $"bybit-secret-{n:D8}", AccountMode.Testnet),
            // Live: the fake plays KIS's real server (see the constructor); the base URLs of both modes are the fake's.
            "kis" => new VenueLogin(venue, $"{40_000_000 + n:D8}-01", $"KIS-APPKEY-{n:D8}", $"kis-appsecret-{n:D8}", AccountMode.Live),
            _ => throw new ArgumentException($"no fake for venue '{venue}'", nameof(venue)),
        };
        this[venue].SeedAccount(login.AccountNumber, login.ApiKey, login.Secret ?? "", 100_000m);
        return login;
    }

    /// <summary>
    /// Links the account to a tenant that has no sealed account yet, as the API does: a new data key for the tenant,
    /// wrapped by the master key, and the credentials sealed under it.
    /// </summary>
    public LinkBrokerAccount Link(string tenantId, string accountId, VenueLogin login)
    {
        var dataKey = DataKey.Generate();
        lock (_dataKeys) _dataKeys[tenantId] = dataKey;
        var credentials = new BrokerCredentials(login.ApiKey, login.Secret, login.AccountNumber);
        var sealedText = SealedCredentials.Seal(credentials, dataKey, tenantId, accountId).Encode();
        var wrapped = WrappedDataKey.Wrap(dataKey, tenantId, Keys.Current).Encode();
        return new LinkBrokerAccount(tenantId, accountId, login.Venue, "", null, login.Mode, credentials.KeyIdHint, sealedText, wrapped);
    }

    /// <summary>The data key a tenant's credentials (and so its venue tokens) were sealed under.</summary>
    public DataKey DataKeyOf(string tenantId) { lock (_dataKeys) return _dataKeys[tenantId]; }

    public async ValueTask DisposeAsync()
    {
        foreach (var fake in All) await fake.DisposeAsync();
    }
}

/// <summary>One order event of a tenant, read from the journal with SQL.</summary>
public sealed record OrderEventRow(string TenantId, string Kind, string ClientOrderId, string Source, long SourceSequence, string? VenueOrderId, string? Reason);

public static class TenantJournal
{
    /// <summary>
    /// Every order event of every tenant (kind: "order-submitted", "order-filled", "order-working", ...), in journal
    /// order: the ledger as it is durable, read apart from the engine.
    /// </summary>
    public static async Task<IReadOnlyList<OrderEventRow>> OrderEventsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT substr(persistence_id, 8), manifest, m -> 'intent' ->> 'clientOrderId', m -> 'intent' ->> 'source', (m -> 'intent' ->> 'sourceSequence')::bigint,
                   coalesce(m -> 'fill' ->> 'venueOrderId', m ->> 'venueOrderId'), m ->> 'reason'
            FROM (SELECT persistence_id, manifest, ordering, convert_from(message, 'UTF8')::jsonb AS m FROM journal
                  WHERE persistence_id LIKE 'tenant-%' AND manifest LIKE 't.order-%') AS e
            ORDER BY ordering
            """, connection);
        var rows = new List<OrderEventRow>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var manifest = reader.GetString(1);
            rows.Add(new OrderEventRow(reader.GetString(0), manifest["t.".Length..manifest.LastIndexOf(".v", StringComparison.Ordinal)],
                reader.GetString(2), reader.GetString(3), reader.GetInt64(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6)));
        }
        return rows;
    }

    /// <summary>The raw journal rows of one tenant (manifest and body as text): what is at rest in PostgreSQL.</summary>
    public static async Task<IReadOnlyList<(string Manifest, string Body)>> RowsAsync(string connectionString, string tenantId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT manifest, convert_from(message, 'UTF8') FROM journal WHERE persistence_id = $1 ORDER BY sequence_number", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Engine.Names.TenantPersistenceId(tenantId) });
        var rows = new List<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetString(1)));
        return rows;
    }
}
