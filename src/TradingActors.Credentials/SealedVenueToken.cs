using System.Text;

namespace TradingActors.Credentials;

/// <summary>
/// A venue session token (KIS access token) sealed under the tenant's data key, as the tenant's journal keeps it:
/// <c>v1.PAYLOAD</c> like <see cref="SealedCredentials"/>, with its own purpose in the associated data, so a sealed
/// token cannot be passed off as sealed credentials (or the other way round), nor moved to another tenant or account.
/// </summary>
public static class SealedVenueToken
{
    public const string Version = "v1";
    public const string Purpose = "TradingActors/venue-token/v1";

    public static string Seal(string token, DataKey key, string tenantId, string accountId)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        return $"{Version}.{Aead.ToText(Aead.Seal(key.Material, Encoding.UTF8.GetBytes(token), AssociatedData(tenantId, accountId)))}";
    }

    /// <exception cref="CredentialFormatException">Not a sealed token.</exception>
    /// <exception cref="CredentialIntegrityException">Altered, another tenant's or account's, or sealed under another data key.</exception>
    public static string Open(string sealedText, DataKey key, string tenantId, string accountId)
    {
        ArgumentNullException.ThrowIfNull(sealedText);
        var parts = sealedText.Split('.');
        var payload = parts.Length == 2 && parts[0] == Version ? Aead.FromText(parts[1]) : null;
        if (payload is null || payload.Length < Aead.Overhead)
            throw new CredentialFormatException($"not a sealed venue token: expected '{Version}.<base64url>'");
        var plain = Aead.Open(key.Material, payload, AssociatedData(tenantId, accountId))
            ?? throw new CredentialIntegrityException($"the venue token of tenant '{tenantId}' account '{accountId}' does not open: another tenant's or account's, another data key, or altered");
        return Encoding.UTF8.GetString(plain);
    }

    private static byte[] AssociatedData(string tenantId, string accountId)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        return Aead.AssociatedData(Purpose, tenantId, accountId);
    }
}
