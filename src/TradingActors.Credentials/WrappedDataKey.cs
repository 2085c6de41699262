namespace TradingActors.Credentials;

/// <summary>
/// A tenant's data key encrypted under a master key, as stored: <c>v1.MASTERKEYID.PAYLOAD</c> with
/// PAYLOAD = base64url(nonce 12 | encrypted key 32 | tag 16). AES-256-GCM with associated data
/// <see cref="Purpose"/> + tenant id, so a wrap copied to another tenant does not open there.
/// Holds no secret: it prints as its encoding.
/// </summary>
public sealed record WrappedDataKey
{
    public const string Version = "v1";
    public const string Purpose = "TradingActors/data-key/v1";
    private const int PayloadSize = Aead.Overhead + DataKey.Size;

    public string MasterKeyId { get; }

    // base64url of nonce | ciphertext | tag: a string, so record equality compares the content.
    private readonly string _payload;

    private WrappedDataKey(string masterKeyId, string payload)
    {
        MasterKeyId = masterKeyId;
        _payload = payload;
    }

    /// <summary>Wraps under the ring's active master key.</summary>
    public static WrappedDataKey Wrap(DataKey key, string tenantId, MasterKeyRing ring)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        var master = ring.Active;
        return new(master.Id, Aead.ToText(Aead.Seal(master.Material, key.Material, AssociatedData(tenantId))));
    }

    /// <summary>The data key, if this wrap belongs to <paramref name="tenantId"/> and the ring holds its master key.</summary>
    /// <exception cref="UnknownMasterKeyException">The ring does not hold <see cref="MasterKeyId"/>.</exception>
    /// <exception cref="CredentialIntegrityException">Another tenant's wrap, a different key under this id, or altered.</exception>
    public DataKey Unwrap(string tenantId, MasterKeyRing ring)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        var master = ring.Find(MasterKeyId);
        var material = Aead.Open(master.Material, Aead.FromText(_payload)!, AssociatedData(tenantId))
            ?? throw new CredentialIntegrityException(
                $"the data key of tenant '{tenantId}' does not open under master key '{MasterKeyId}': wrapped for another tenant, under another key with that id, or altered");
        return DataKey.Of(material);
    }

    public string Encode() => $"{Version}.{MasterKeyId}.{_payload}";

    public static WrappedDataKey Parse(string text)
    {
        var parts = text.Split('.');
        if (parts.Length != 3 || parts[0] != Version)
            throw new CredentialFormatException($"not a wrapped data key: expected '{Version}.<master key id>.<base64url>'");
        if (!MasterKey.IsValidId(parts[1])) throw new CredentialFormatException($"wrapped data key: {MasterKey.InvalidIdMessage}");
        var payload = Aead.FromText(parts[2]) ?? throw new CredentialFormatException("wrapped data key: the payload is not base64url");
        if (payload.Length != PayloadSize)
            throw new CredentialFormatException($"wrapped data key: the payload is {payload.Length} bytes, a {Version} wrap is {PayloadSize}");
        // Re-encoded: one text per wrap, whatever the decoder tolerated (white space).
        return new(parts[1], Aead.ToText(payload));
    }

    public override string ToString() => Encode();

    private static byte[] AssociatedData(string tenantId) => Aead.AssociatedData(Purpose, tenantId);
}
