namespace TradingActors.Brokers.Alpaca;

/// <summary>
/// Alpaca's Trading API authenticates every request with two headers: the key id and the secret key, sent as they
/// are (no signature, no token). The values go into request headers only, never into a message.
/// </summary>
public static class AlpacaAuth
{
    public const string KeyIdHeader = "APCA-API-KEY-ID";
    public const string SecretKeyHeader = "APCA-API-SECRET-KEY";

    /// <summary>Why the account cannot be sent at all (a key or secret missing), or null when it has both.</summary>
    public static string? MissingCredentials(BrokerAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (string.IsNullOrWhiteSpace(account.ApiKey)) return "alpaca: the account has no API key id";
        if (string.IsNullOrWhiteSpace(account.ApiSecret)) return "alpaca: the account has no API secret key";
        return null;
    }

    /// <summary>Adds the account's key id and secret key to a request. Throws <see cref="OrderNotPlacedException"/> (nothing sent) when either is missing.</summary>
    public static void Apply(HttpRequestMessage request, BrokerAccount account)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (MissingCredentials(account) is { } missing) throw new OrderNotPlacedException(missing);
        request.Headers.Add(KeyIdHeader, account.ApiKey);
        request.Headers.Add(SecretKeyHeader, account.ApiSecret);
    }
}
