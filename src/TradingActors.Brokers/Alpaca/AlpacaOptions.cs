namespace TradingActors.Brokers.Alpaca;

/// <summary>
/// Where the Alpaca connector sends its calls and what the venue allows. The base URLs are configurable so that a
/// local <see cref="AlpacaFake"/> (or any stand-in) can take the venue's place; live and paper keys are separate at
/// Alpaca, so an account's mode decides which one it reaches.
/// </summary>
public sealed record AlpacaOptions
{
    /// <summary>The venue's name in the engine.</summary>
    public const string VenueName = "alpaca";

    /// <summary>Live trading (<see cref="BrokerAccount.IsLive"/>).</summary>
    public Uri LiveBaseUrl { get; init; } = new("https://api.alpaca.markets/");

    /// <summary>Paper trading: every account whose mode is not "live".</summary>
    public Uri TestBaseUrl { get; init; } = new("https://paper-api.alpaca.markets/");

    /// <summary>Alpaca's published limit per API key (the connector follows the X-RateLimit headers; this is for hosts that budget calls).</summary>
    public int RequestsPerMinute { get; init; } = 200;

    /// <summary>Timeout for the HttpClient the host builds for this connector (the engine's call timeout ends a call sooner).</summary>
    public TimeSpan HttpTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A key whose rate window is used up and resets within this time waits before sending; a longer wait refuses the
    /// call as retryable, not sent (the caller comes back at the reset rather than holding its call open for a minute).
    /// </summary>
    public TimeSpan RateLimitWaitInPlace { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Open orders read for the account state; Alpaca answers at most 500 per request.</summary>
    public int OpenOrdersLimit { get; init; } = 500;

    /// <summary>The base URL for an account: live accounts only ever reach live, all others only paper.</summary>
    public Uri BaseUrlFor(BrokerAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        return account.IsLive ? LiveBaseUrl : TestBaseUrl;
    }
}
