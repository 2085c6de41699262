using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace TradingActors.Api.Tokens;

/// <summary>
/// Random bearer tokens (refresh tokens, mailed tokens): 256 bits from the OS RNG, base64url. Only their
/// SHA-256 is stored — enough for a random 256-bit secret (no salt or slow hash needed), and a stolen
/// table holds nothing that can be presented.
/// </summary>
public static class OpaqueTokens
{
    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
