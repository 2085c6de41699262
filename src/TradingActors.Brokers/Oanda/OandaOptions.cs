namespace TradingActors.Brokers.Oanda;

/// <summary>
/// Where OANDA v20 is and how the connector and the price feed talk to it. Both modes are configurable so a local
/// fake can stand in: an account whose Mode is "live" uses the fxTrade URLs, any other mode the fxPractice ones.
/// </summary>
public sealed record OandaOptions
{
    /// <summary>The venue's name in the engine.</summary>
    public const string VenueName = "oanda";

    /// <summary>REST host of live (fxTrade) accounts.</summary>
    public Uri LiveBaseUrl { get; init; } = new("https://api-fxtrade.oanda.com/");

    /// <summary>REST host of practice (fxPractice) accounts.</summary>
    public Uri TestBaseUrl { get; init; } = new("https://api-fxpractice.oanda.com/");

    /// <summary>Streaming host of live accounts (the price stream lives on its own host).</summary>
    public Uri LiveStreamUrl { get; init; } = new("https://stream-fxtrade.oanda.com/");

    /// <summary>Streaming host of practice accounts.</summary>
    public Uri TestStreamUrl { get; init; } = new("https://stream-fxpractice.oanda.com/");

    /// <summary>OANDA's published limit per token (about 120 requests/s; 429 beyond). The fake enforces its own copy.</summary>
    public int RequestsPerSecond { get; init; } = 120;

    /// <summary>One REST request's longest wait for an answer; past it the outcome is unknown.</summary>
    public TimeSpan HttpTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The longest chain of orders followed when OANDA reissued an order's remaining units after a partial fill
    /// (each link is one more order read); a longer chain fails the read instead of looping.
    /// </summary>
    public int MaxOrderChain { get; init; } = 20;

    /// <summary>OANDA sends a heartbeat every 5 s; this long without any line (heartbeat or price) is a stalled stream.</summary>
    public TimeSpan StreamStallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The first wait before reconnecting a broken stream; doubles per failure, jittered.</summary>
    public TimeSpan StreamFirstReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between reconnections.</summary>
    public TimeSpan StreamMaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The wait after OANDA refused the token (401/403): retrying sooner cannot help and only spends the venue's patience.</summary>
    public TimeSpan StreamAuthRetryDelay { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The REST host for the account's mode.</summary>
    public Uri BaseUrl(BrokerAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        return account.IsLive ? LiveBaseUrl : TestBaseUrl;
    }

    /// <summary>The streaming host for the account's mode.</summary>
    public Uri StreamUrl(BrokerAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        return account.IsLive ? LiveStreamUrl : TestStreamUrl;
    }
}
