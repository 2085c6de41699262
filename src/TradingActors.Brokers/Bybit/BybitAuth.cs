using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace TradingActors.Brokers.Bybit;

/// <summary>
/// Bybit v5 request authentication (HMAC keys): four headers, X-BAPI-API-KEY, X-BAPI-TIMESTAMP (ms),
/// X-BAPI-RECV-WINDOW and X-BAPI-SIGN, where the signature is the lowercase hex HMAC-SHA256, keyed with the
/// secret, of timestamp + apiKey + recvWindow + payload; the payload is the query string exactly as sent (GET) or
/// the JSON body exactly as sent (POST). The venue takes a request while
/// server_time - recvWindow &lt;= timestamp &lt; server_time + 1000. Pure; shared by the connector and its fake.
/// </summary>
public static class BybitAuth
{
    public const string ApiKeyHeader = "X-BAPI-API-KEY";
    public const string TimestampHeader = "X-BAPI-TIMESTAMP";
    public const string SignHeader = "X-BAPI-SIGN";
    public const string RecvWindowHeader = "X-BAPI-RECV-WINDOW";

    /// <summary>How far ahead of the venue's clock a timestamp may be (ms).</summary>
    public const long AheadToleranceMs = 1000;

    /// <summary>The text that is signed: timestamp + apiKey + recvWindow + payload.</summary>
    public static string SignedText(long timestampMs, string apiKey, int recvWindowMs, string payload) =>
        timestampMs.ToString(CultureInfo.InvariantCulture) + apiKey + recvWindowMs.ToString(CultureInfo.InvariantCulture) + payload;

    /// <summary>X-BAPI-SIGN: lowercase hex HMAC-SHA256 of <see cref="SignedText"/> with the secret.</summary>
    public static string Sign(string secret, long timestampMs, string apiKey, int recvWindowMs, string payload) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(SignedText(timestampMs, apiKey, recvWindowMs, payload))));

    /// <summary>Puts the four authentication headers on a request whose payload (query or body) is final.</summary>
    public static void Authenticate(HttpRequestMessage request, string apiKey, string secret, long timestampMs, int recvWindowMs, string payload)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Headers.Add(ApiKeyHeader, apiKey);
        request.Headers.Add(TimestampHeader, timestampMs.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(RecvWindowHeader, recvWindowMs.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(SignHeader, Sign(secret, timestampMs, apiKey, recvWindowMs, payload));
    }

    /// <summary>Whether the venue takes a request stamped <paramref name="timestampMs"/> when its own clock reads <paramref name="serverTimeMs"/>.</summary>
    public static bool WithinWindow(long timestampMs, long serverTimeMs, int recvWindowMs) =>
        serverTimeMs - recvWindowMs <= timestampMs && timestampMs < serverTimeMs + AheadToleranceMs;

    /// <summary>Whether a presented signature is the right one (constant time, so a wrong one tells nothing).</summary>
    public static bool Verify(string secret, long timestampMs, string apiKey, int recvWindowMs, string payload, string presented) =>
        CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(Sign(secret, timestampMs, apiKey, recvWindowMs, payload)), Encoding.ASCII.GetBytes(presented));

    /// <summary>A query string in the given order, values escaped; this exact text is sent and signed.</summary>
    public static string Query(params (string Name, string? Value)[] parameters) =>
        string.Join('&', parameters.Where(p => p.Value is not null).Select(p => p.Name + "=" + Uri.EscapeDataString(p.Value!)));
}
