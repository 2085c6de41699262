using System.Buffers.Binary;
using System.Text;

namespace TradingActors.Credentials.Tests;

/// <summary>Fixed master keys (known bytes, so messages can be searched for them) and small builders.</summary>
internal static class TestKeys
{
    public static byte[] Bytes(int seed, int length = MasterKey.Size) => [.. Enumerable.Range(0, length).Select(i => (byte)(seed + 7 * i))];

    public static readonly MasterKey Old = new("2025-01", Bytes(1));
    public static readonly MasterKey New = new("2025-07", Bytes(101));

    /// <summary>A ring of the given keys; the last one is active.</summary>
    public static MasterKeyRing Ring(params MasterKey[] keys) => MasterKeyRing.Of(keys, keys[^1].Id);

    public static string Base64(MasterKey key) => Convert.ToBase64String(key.Material);

    public static readonly BrokerCredentials Alpaca = new("AKIA0000SECRETKEYWXYZ", "s3cr3t-do-not-log", "U1234567", "pass-phrase-9");

    /// <summary>The associated data of both envelopes, written independently of the library.</summary>
    public static byte[] AssociatedData(params string[] parts)
    {
        var bytes = new List<byte>();
        foreach (var part in parts)
        {
            var utf8 = Encoding.UTF8.GetBytes(part);
            var length = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(length, utf8.Length);
            bytes.AddRange(length);
            bytes.AddRange(utf8);
        }
        return [.. bytes];
    }

    /// <summary>Asserts that a message quotes none of the secrets (key base64, key lines, plaintext).</summary>
    public static void AssertQuotesNone(string message, IEnumerable<string> secrets)
    {
        foreach (var secret in secrets.Where(s => s.Length >= 6))
            Assert.DoesNotContain(secret, message);
    }
}
