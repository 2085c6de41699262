using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace TradingActors.Credentials;

/// <summary>AES-256-GCM as both envelopes use it: one buffer nonce | ciphertext | tag, a fresh random nonce each time.</summary>
internal static class Aead
{
    public const int KeySize = 32;
    public const int NonceSize = 12;
    public const int TagSize = 16;
    public const int Overhead = NonceSize + TagSize;

    public static byte[] Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var sealedBytes = new byte[Overhead + plaintext.Length];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        // Random 96-bit nonces: far below the 2^32 messages per key where collisions matter (one data key per tenant).
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceSize, plaintext.Length), sealedBytes.AsSpan(NonceSize + plaintext.Length), associatedData);
        return sealedBytes;
    }

    /// <summary>Null when authentication fails: the caller knows what it was opening and says so.</summary>
    public static byte[]? Open(ReadOnlySpan<byte> key, ReadOnlySpan<byte> sealedBytes, ReadOnlySpan<byte> associatedData)
    {
        var plaintext = new byte[sealedBytes.Length - Overhead];
        using var aes = new AesGcm(key, TagSize);
        try
        {
            aes.Decrypt(sealedBytes[..NonceSize], sealedBytes[NonceSize..^TagSize], sealedBytes[^TagSize..], plaintext, associatedData);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        return plaintext;
    }

    /// <summary>
    /// Each part as a 4-byte big-endian length and its UTF-8 bytes, so ("ab", "c") and ("a", "bc")
    /// bind differently. The first part names the purpose and version of the envelope.
    /// </summary>
    public static byte[] AssociatedData(params ReadOnlySpan<string> parts)
    {
        var buffer = new List<byte>();
        Span<byte> length = stackalloc byte[4];
        foreach (var part in parts)
        {
            var bytes = Encoding.UTF8.GetBytes(part);
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            buffer.AddRange(length);
            buffer.AddRange(bytes);
        }
        return [.. buffer];
    }

    /// <summary>base64url without padding: safe in text columns, URLs and our '.'-separated encodings.</summary>
    public static string ToText(byte[] bytes) => Base64Url.EncodeToString(bytes);

    /// <summary>Null when the text is not base64url.</summary>
    public static byte[]? FromText(string text) => Base64Url.IsValid(text) ? Base64Url.DecodeFromChars(text) : null;
}
