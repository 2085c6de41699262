namespace TradingActors.Credentials;

/// <summary>
/// Credentials encrypted under a tenant's data key, as stored: <c>v1.PAYLOAD</c> with
/// PAYLOAD = base64url(nonce 12 | ciphertext | tag 16). AES-256-GCM with a fresh nonce per seal and
/// associated data <see cref="Purpose"/> + tenant id + broker account id, so a ciphertext moved to
/// another tenant or account does not open. Holds no secret: it prints as its encoding.
/// </summary>
public sealed record SealedCredentials
{
    public const string Version = "v1";
    public const string Purpose = "TradingActors/broker-credentials/v1";

    // base64url of nonce | ciphertext | tag: a string, so record equality compares the content.
    private readonly string _payload;

    private SealedCredentials(string payload) => _payload = payload;

    /// <summary>Seals any bytes; the library does not read them (see <see cref="BrokerCredentials.ToJson"/>).</summary>
    public static SealedCredentials Seal(ReadOnlySpan<byte> plaintext, DataKey key, string tenantId, string accountId) =>
        new(Aead.ToText(Aead.Seal(key.Material, plaintext, AssociatedData(tenantId, accountId))));

    public static SealedCredentials Seal(BrokerCredentials credentials, DataKey key, string tenantId, string accountId) =>
        Seal(credentials.ToJson(), key, tenantId, accountId);

    /// <exception cref="CredentialIntegrityException">Altered, another tenant's or account's, or sealed under another data key.</exception>
    public byte[] Open(DataKey key, string tenantId, string accountId) =>
        Aead.Open(key.Material, Aead.FromText(_payload)!, AssociatedData(tenantId, accountId))
        ?? throw new CredentialIntegrityException(
            $"the credentials of tenant '{tenantId}' account '{accountId}' do not open: sealed for another tenant or account, under another data key, or altered");

    public BrokerCredentials OpenBrokerCredentials(DataKey key, string tenantId, string accountId) =>
        BrokerCredentials.FromJson(Open(key, tenantId, accountId));

    public string Encode() => $"{Version}.{_payload}";

    public static SealedCredentials Parse(string text)
    {
        var parts = text.Split('.');
        if (parts.Length != 2 || parts[0] != Version)
            throw new CredentialFormatException($"not sealed credentials: expected '{Version}.<base64url>'");
        var payload = Aead.FromText(parts[1]) ?? throw new CredentialFormatException("sealed credentials: the payload is not base64url");
        if (payload.Length < Aead.Overhead)
            throw new CredentialFormatException($"sealed credentials: the payload is {payload.Length} bytes, shorter than nonce and tag ({Aead.Overhead})");
        // Re-encoded: one text per seal, whatever the decoder tolerated (padding, white space).
        return new(Aead.ToText(payload));
    }

    public override string ToString() => Encode();

    private static byte[] AssociatedData(string tenantId, string accountId)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        return Aead.AssociatedData(Purpose, tenantId, accountId);
    }
}
