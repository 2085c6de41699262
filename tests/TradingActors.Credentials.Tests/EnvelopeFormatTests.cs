using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using static TradingActors.Credentials.Tests.TestKeys;

namespace TradingActors.Credentials.Tests;

/// <summary>
/// The stored formats, checked against AES-GCM used directly: what the library writes opens by the
/// documented recipe, and text written by the recipe opens in the library. Stored ciphertext must keep
/// opening after any refactoring, so these pin the v1 encodings and associated data.
/// </summary>
public sealed class EnvelopeFormatTests
{
    private const string Tenant = "tenant-a";
    private const string Account = "alpaca-1";

    [Fact]
    public void A_wrap_is_v1_id_and_base64url_of_nonce_encrypted_key_and_tag_with_purpose_and_tenant_bound()
    {
        var dataKey = DataKey.Generate();
        var parts = WrappedDataKey.Wrap(dataKey, Tenant, Ring(Old)).Encode().Split('.');

        Assert.Equal(["v1", "2025-01"], parts[..2]);
        Assert.DoesNotContain('=', parts[2]);
        var payload = Base64Url.DecodeFromChars(parts[2]);
        Assert.Equal(12 + 32 + 16, payload.Length);
        var opened = new byte[32];
        using var aes = new AesGcm(Old.Material, 16);
        aes.Decrypt(payload[..12], payload[12..44], payload[44..], opened, AssociatedData("TradingActors/data-key/v1", Tenant));
        Assert.Equal(dataKey.Material, opened);
    }

    [Fact]
    public void Sealed_credentials_are_v1_and_base64url_of_nonce_ciphertext_and_tag_with_purpose_tenant_and_account_bound()
    {
        var dataKey = DataKey.Generate();
        var text = SealedCredentials.Seal(Alpaca, dataKey, Tenant, Account).Encode();

        Assert.StartsWith("v1.", text);
        var payload = Base64Url.DecodeFromChars(text.AsSpan(3));
        var opened = new byte[payload.Length - 28];
        using var aes = new AesGcm(dataKey.Material, 16);
        aes.Decrypt(payload[..12], payload[12..^16], payload[^16..], opened, AssociatedData("TradingActors/broker-credentials/v1", Tenant, Account));
        Assert.Equal(Alpaca.ToJson(), opened);
    }

    [Fact]
    public void Text_written_by_the_recipe_opens_in_the_library()
    {
        var dataKeyBytes = Bytes(77);
        var nonce = Bytes(5, 12);
        var wrapped = new byte[32];
        var tag = new byte[16];
        using (var aes = new AesGcm(Old.Material, 16))
            aes.Encrypt(nonce, dataKeyBytes, wrapped, tag, AssociatedData("TradingActors/data-key/v1", Tenant));
        var wrapText = $"v1.2025-01.{Base64Url.EncodeToString([.. nonce, .. wrapped, .. tag])}";

        var plaintext = Encoding.UTF8.GetBytes("""{"apiKey":"K","secret":"S","accountNumber":"N"}""");
        var ciphertext = new byte[plaintext.Length];
        using (var aes = new AesGcm(dataKeyBytes, 16))
            aes.Encrypt(nonce, plaintext, ciphertext, tag, AssociatedData("TradingActors/broker-credentials/v1", Tenant, Account));
        var sealedText = $"v1.{Base64Url.EncodeToString([.. nonce, .. ciphertext, .. tag])}";

        var dataKey = WrappedDataKey.Parse(wrapText).Unwrap(Tenant, Ring(Old));

        Assert.Equal(dataKeyBytes, dataKey.Material);
        Assert.Equal(new BrokerCredentials("K", "S", "N"), SealedCredentials.Parse(sealedText).OpenBrokerCredentials(dataKey, Tenant, Account));
    }

    [Fact]
    public void Associated_data_frames_each_part_with_its_utf8_length()
    {
        Assert.Equal([0, 0, 0, 2, (byte)'a', (byte)'b', 0, 0, 0, 0, 0, 0, 0, 2, 0xC3, 0xA9], Aead.AssociatedData("ab", "", "é"));
        Assert.Equal(AssociatedData("TradingActors/data-key/v1", "t"), Aead.AssociatedData(WrappedDataKey.Purpose, "t"));
        Assert.Equal(AssociatedData("TradingActors/broker-credentials/v1", "t", "a"), Aead.AssociatedData(SealedCredentials.Purpose, "t", "a"));
    }
}
