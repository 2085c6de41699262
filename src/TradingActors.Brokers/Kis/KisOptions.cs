namespace TradingActors.Brokers.Kis;

/// <summary>
/// Where the KIS Open API (Korea Investment &amp; Securities, domestic stocks) is and how the connector paces its
/// lookups. Live accounts use the real server, every other mode the mock one (모의투자); both are configurable so a
/// local fake can stand in.
/// </summary>
public sealed record KisOptions
{
    public const string VenueName = "kis";

    /// <summary>Real trading (실전투자).</summary>
    public Uri LiveBaseUrl { get; init; } = new("https://openapi.koreainvestment.com:9443");

    /// <summary>Mock trading (모의투자).</summary>
    public Uri TestBaseUrl { get; init; } = new("https://openapivts.koreainvestment.com:29443");

    /// <summary>The venue's published limit per app key on the real server (requests per second).</summary>
    public int LiveRequestsPerSecond { get; init; } = 20;

    /// <summary>The venue's published limit per app key on the mock server (requests per second).</summary>
    public int MockRequestsPerSecond { get; init; } = 2;

    /// <summary>The exchange orders are routed to (EXCG_ID_DVSN_CD): KRX, not the alternative NXT or SOR.</summary>
    public string Exchange { get; init; } = "KRX";

    /// <summary>
    /// How far before the engine's send time an order time still matches in a lookup without a venue order id.
    /// KIS stamps orders to the second with its own clock; missing our order (and placing again) is worse than
    /// widening the window, and orders already known are excluded anyway.
    /// </summary>
    public TimeSpan LookupClockTolerance { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Days of orders searched when a lookup gives no send time (KRX orders live one trading day).</summary>
    public int LookupDaysWithoutSendTime { get; init; } = 7;

    /// <summary>The most pages one inquiry follows before it gives up (a venue that never says "last page").</summary>
    public int MaxPages { get; init; } = 50;

    public Uri BaseUrlFor(BrokerAccount account) => account.IsLive ? LiveBaseUrl : TestBaseUrl;
}
