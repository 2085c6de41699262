using System.Security.Cryptography;

namespace TradingActors.Credentials;

/// <summary>
/// A tenant's data key (AES-256): seals that tenant's broker credentials. It exists in clear only in
/// memory; it is stored as a <see cref="WrappedDataKey"/>. Its bytes are not public and it prints as ***.
/// </summary>
public sealed record DataKey
{
    public const int Size = Aead.KeySize;

    internal byte[] Material { get; }

    private DataKey(byte[] material) => Material = material;

    /// <summary>A new key for a tenant's first credentials; wrap it at once and store only the wrap.</summary>
    public static DataKey Generate() => new(RandomNumberGenerator.GetBytes(Size));

    internal static DataKey Of(byte[] material) => new(material);

    public override string ToString() => "DataKey { *** }";
}
