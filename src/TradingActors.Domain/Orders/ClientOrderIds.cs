using System.Security.Cryptography;
using System.Text;

namespace TradingActors.Domain.Orders;

/// <summary>
/// Deterministic client order ids (invariant 2): the same decision always yields the same id,
/// so a retry after a crash is deduplicated by the venue instead of becoming a second order.
/// 24 bytes of SHA-256 in base64url = exactly 32 chars of [A-Za-z0-9_-], which fits every venue
/// (Bybit orderLinkId 36, Alpaca 128, OANDA client extensions).
/// </summary>
public static class ClientOrderIds
{
    public const int Length = 32;

    public static string Create(string tenantId, string accountId, string source, long sourceSequence, int leg)
    {
        // Length-prefixed fields: ("ab","c") and ("a","bc") must not collide.
        var text = new StringBuilder()
            .Append(tenantId.Length).Append(':').Append(tenantId).Append('|')
            .Append(accountId.Length).Append(':').Append(accountId).Append('|')
            .Append(source.Length).Append(':').Append(source).Append('|')
            .Append(sourceSequence).Append('|').Append(leg)
            .ToString();
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return Convert.ToBase64String(hash[..24]).Replace('+', '-').Replace('/', '_');
    }

    public static bool IsValid(string id) =>
        id.Length is > 0 and <= Length && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
