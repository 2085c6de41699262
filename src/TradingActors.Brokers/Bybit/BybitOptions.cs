namespace TradingActors.Brokers.Bybit;

/// <summary>
/// How the Bybit v5 connector reaches the venue: base URLs per mode (mainnet for live accounts, testnet for the
/// rest; both configurable so a local fake can stand in), the product category it trades, the receive window its
/// signatures carry, how it keeps its clock in step with the venue's, and the venue's published limits.
/// </summary>
public sealed record BybitOptions
{
    /// <summary>The venue's name as the engine knows it.</summary>
    public const string VenueName = "bybit";

    public Uri LiveBaseUrl { get; init; } = new("https://api.bybit.com/");
    public Uri TestBaseUrl { get; init; } = new("https://api-testnet.bybit.com/");

    /// <summary>The product traded: "linear" (USDT perpetuals, the default) or "spot".</summary>
    public string Category { get; init; } = "linear";

    /// <summary>The coin positions settle in and cash is counted in.</summary>
    public string SettleCoin { get; init; } = "USDT";

    /// <summary>The wallet read for cash and equity (a unified trading account).</summary>
    public string AccountType { get; init; } = "UNIFIED";

    /// <summary>X-BAPI-RECV-WINDOW: how long after its timestamp the venue still takes a request (ms).</summary>
    public int RecvWindowMs { get; init; } = 5000;

    /// <summary>
    /// Signs with the venue's clock (local clock plus the offset read from /v5/market/time) instead of the local one,
    /// so a skewed host never hits 10002. Off only to show what happens without it.
    /// </summary>
    public bool SyncServerTime { get; init; } = true;

    /// <summary>How long a clock offset is trusted before it is read again (a 10002 reads it again at once).</summary>
    public TimeSpan ServerTimeRefresh { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>The longest wait for one answer; after sending, no answer in time is an unknown outcome.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Rows asked for per page of open orders (the venue allows 1..50).</summary>
    public int OrdersPageLimit { get; init; } = 50;

    /// <summary>Rows asked for per page of positions (the venue allows 1..200).</summary>
    public int PositionsPageLimit { get; init; } = 200;

    /// <summary>Published limit per account (UID): order creates per second (10 linear, 20 spot).</summary>
    public int OrderCreatesPerSecond { get; init; } = 10;

    /// <summary>Published limit per IP: requests per 5 s, beyond which the IP is banned (HTTP 403) for 10 minutes or more.</summary>
    public int IpRequestsPerFiveSeconds { get; init; } = 600;

    /// <summary>Mainnet for a live account, testnet for any other mode.</summary>
    public Uri BaseUrl(bool live) => live ? LiveBaseUrl : TestBaseUrl;

    /// <summary>Spot orders and holdings differ from derivatives (quantity unit, no position list, their own error codes).</summary>
    public bool IsSpot => string.Equals(Category, "spot", StringComparison.Ordinal);
}
