using System.Security.Cryptography;

namespace TradingActors.Credentials;

/// <summary>
/// A key-encryption key (AES-256): it only wraps tenants' data keys, so replacing it re-wraps
/// those keys and never touches a sealed credential. Prints its id only.
/// </summary>
public sealed record MasterKey
{
    public const int Size = Aead.KeySize;

    /// <summary>
    /// Ids travel inside every wrapped data key ("v1.ID.…") and in error messages, so they are short
    /// and plain: 1 to 32 letters, digits, '-' or '_'. At most 32 characters means no 32-byte key in
    /// base64 (44) or base64url (43) can pass for an id and be echoed by an error.
    /// </summary>
    public const int MaxIdLength = 32;

    public string Id { get; }

    internal byte[] Material { get; }

    public MasterKey(string id, ReadOnlySpan<byte> material)
    {
        if (!IsValidId(id)) throw new KeyRingException(InvalidIdMessage);
        if (material.Length != Size) throw new KeyRingException($"master key '{id}' is {material.Length} bytes; an AES-256 master key is {Size}");
        Id = id;
        Material = material.ToArray();
    }

    /// <summary>A new random key, e.g. for the next line of a key file (<see cref="MasterKeyFile.Line"/>).</summary>
    public static MasterKey Generate(string id) => new(id, RandomNumberGenerator.GetBytes(Size));

    /// <summary>A key given as standard base64 (configuration, key file); white space in it is ignored.</summary>
    public static MasterKey FromBase64(string id, string base64)
    {
        if (!IsValidId(id)) throw new KeyRingException(InvalidIdMessage);
        byte[] material;
        try
        {
            material = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            // FormatException's own message never quotes its input; ours does not either.
            throw new KeyRingException($"master key '{id}' is not valid base64");
        }
        return new MasterKey(id, material);
    }

    public static bool IsValidId(string? id) =>
        id is { Length: > 0 and <= MaxIdLength } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    internal const string InvalidIdMessage = "a master key id is 1 to 32 letters, digits, '-' or '_'";

    /// <summary>An id for an error message: quoted when valid, never echoed otherwise (it could be a pasted key).</summary>
    internal static string Shown(string? id) => IsValidId(id) ? $"'{id}'" : "(not a valid id)";

    internal string ToBase64() => Convert.ToBase64String(Material);

    public override string ToString() => $"MasterKey {{ Id = {Id} }}";
}
