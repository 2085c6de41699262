using System.Net.Http.Headers;

namespace TradingActors.Brokers.Oanda;

/// <summary>
/// How OANDA v20 authenticates a request: <c>Authorization: Bearer &lt;personal access token&gt;</c>, nothing signed.
/// The token is the account's <see cref="BrokerAccount.ApiKey"/>; OANDA has no secret, so
/// <see cref="BrokerAccount.ApiSecret"/> is not used (it may be null). One token reaches every account of its user;
/// the account id (<see cref="BrokerAccount.VenueAccountNumber"/>, e.g. 101-004-1234567-001) is in the path.
/// The token is never put in a message, a log or a ToString.
/// </summary>
public static class OandaAuth
{
    public const string Scheme = "Bearer";

    /// <summary>The header that makes OANDA answer times as RFC 3339 (its default; sent so a changed default cannot break parsing).</summary>
    public const string DatetimeFormatHeader = "Accept-Datetime-Format";

    public const string DatetimeFormat = "RFC3339";

    /// <summary>The account's token, or a refusal before anything is sent when it has none.</summary>
    public static string TokenOf(BrokerAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        return string.IsNullOrWhiteSpace(account.ApiKey)
            ? throw new OrderNotPlacedException($"{OandaOptions.VenueName}: account {account.VenueAccountNumber} has no API token")
            : account.ApiKey;
    }

    /// <summary>Adds OANDA's authentication and date-format headers to a request.</summary>
    public static void Authorize(HttpRequestMessage request, string token)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        request.Headers.Authorization = new AuthenticationHeaderValue(Scheme, token);
        request.Headers.Remove(DatetimeFormatHeader);
        request.Headers.Add(DatetimeFormatHeader, DatetimeFormat);
    }

    /// <summary>The token of an Authorization header value ("Bearer abc" → "abc"); null when it is not a bearer token.</summary>
    public static string? TokenFrom(string? authorization)
    {
        if (authorization?.Split(' ', 2) is not [var scheme, var rest] || !scheme.Equals(Scheme, StringComparison.OrdinalIgnoreCase)) return null;
        var token = rest.Trim();
        return token.Length == 0 ? null : token;
    }
}
