using System.Buffers.Text;
using static TradingActors.Credentials.Tests.TestKeys;

namespace TradingActors.Credentials.Tests;

/// <summary>WrappedDataKey: a tenant's data key under a master key, bound to the tenant.</summary>
public sealed class WrappedDataKeyTests
{
    private const string Tenant = "tenant-a";

    [Fact]
    public void An_unwrapped_key_is_the_wrapped_one()
    {
        var dataKey = DataKey.Generate();

        var wrapped = WrappedDataKey.Wrap(dataKey, Tenant, Ring(Old));

        Assert.Equal("2025-01", wrapped.MasterKeyId);
        Assert.Equal(dataKey.Material, wrapped.Unwrap(Tenant, Ring(Old)).Material);
    }

    [Fact]
    public void Wraps_use_the_active_master_key()
    {
        var ring = Ring(Old, New);

        var wrapped = WrappedDataKey.Wrap(DataKey.Generate(), Tenant, ring);

        Assert.Equal("2025-07", wrapped.MasterKeyId);
        Assert.StartsWith("v1.2025-07.", wrapped.Encode());
    }

    [Fact]
    public void Data_keys_are_32_random_bytes()
    {
        var a = DataKey.Generate();

        Assert.Equal(32, a.Material.Length);
        Assert.NotEqual(a.Material, DataKey.Generate().Material);
    }

    [Fact]
    public void Two_wraps_of_one_key_differ_and_both_unwrap()
    {
        var dataKey = DataKey.Generate();

        var a = WrappedDataKey.Wrap(dataKey, Tenant, Ring(Old));
        var b = WrappedDataKey.Wrap(dataKey, Tenant, Ring(Old));

        Assert.NotEqual(a.Encode(), b.Encode());
        Assert.NotEqual(a, b);
        Assert.Equal(dataKey.Material, b.Unwrap(Tenant, Ring(Old)).Material);
    }

    [Fact]
    public void The_encoding_parses_back_to_an_equal_wrap()
    {
        var wrapped = WrappedDataKey.Wrap(DataKey.Generate(), Tenant, Ring(Old));

        var parsed = WrappedDataKey.Parse(wrapped.Encode());

        Assert.Equal(wrapped, parsed);
        Assert.Equal(wrapped.Encode(), parsed.Encode());
        Assert.Equal(wrapped.Encode(), parsed.ToString());
    }

    [Fact]
    public void White_space_in_the_payload_parses_to_the_canonical_text()
    {
        var text = WrappedDataKey.Wrap(DataKey.Generate(), Tenant, Ring(Old)).Encode();

        var spaced = WrappedDataKey.Parse($"{text[..20]} {text[20..]}");

        Assert.Equal(text, spaced.Encode());
    }

    [Fact]
    public void A_wrap_for_one_tenant_does_not_open_as_another()
    {
        var wrapped = WrappedDataKey.Wrap(DataKey.Generate(), Tenant, Ring(Old));

        var ex = Assert.Throws<CredentialIntegrityException>(() => wrapped.Unwrap("tenant-b", Ring(Old)));

        Assert.Equal("the data key of tenant 'tenant-b' does not open under master key '2025-01': wrapped for another tenant, under another key with that id, or altered", ex.Message);
    }

    [Fact]
    public void A_different_key_under_the_same_id_does_not_open_it()
    {
        var wrapped = WrappedDataKey.Wrap(DataKey.Generate(), Tenant, Ring(Old));
        var impostor = Ring(new MasterKey("2025-01", Bytes(200)));

        Assert.Throws<CredentialIntegrityException>(() => wrapped.Unwrap(Tenant, impostor));
    }

    [Fact]
    public void A_wrap_under_a_master_key_the_ring_lacks_names_that_key()
    {
        var wrapped = WrappedDataKey.Wrap(DataKey.Generate(), Tenant, Ring(Old));

        var ex = Assert.Throws<UnknownMasterKeyException>(() => wrapped.Unwrap(Tenant, Ring(New)));

        Assert.Equal("2025-01", ex.MasterKeyId);
        Assert.Equal("master key '2025-01' is not in the key ring (it holds 2025-07)", ex.Message);
    }

    [Theory]
    [InlineData(0)]  // nonce
    [InlineData(11)]
    [InlineData(12)] // encrypted key
    [InlineData(43)]
    [InlineData(44)] // tag
    [InlineData(59)]
    public void Any_altered_byte_fails_to_unwrap(int index)
    {
        var wrapped = WrappedDataKey.Wrap(DataKey.Generate(), Tenant, Ring(Old)).Encode().Split('.');
        var payload = Base64Url.DecodeFromChars(wrapped[2]);
        payload[index] ^= 0x01;

        var altered = WrappedDataKey.Parse($"v1.2025-01.{Base64Url.EncodeToString(payload)}");

        Assert.Throws<CredentialIntegrityException>(() => altered.Unwrap(Tenant, Ring(Old)));
    }

    [Fact]
    public void A_wrap_moved_under_another_master_key_id_fails()
    {
        var payload = WrappedDataKey.Wrap(DataKey.Generate(), Tenant, Ring(Old)).Encode().Split('.')[2];

        var moved = WrappedDataKey.Parse($"v1.2025-07.{payload}");

        Assert.Throws<CredentialIntegrityException>(() => moved.Unwrap(Tenant, Ring(Old, New)));
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { "", "not a wrapped data key: expected 'v1.<master key id>.<base64url>'" },
        { "v1", "not a wrapped data key: expected 'v1.<master key id>.<base64url>'" },
        { "v1.2025-01", "not a wrapped data key: expected 'v1.<master key id>.<base64url>'" },
        { $"v2.2025-01.{Payload(60)}", "not a wrapped data key: expected 'v1.<master key id>.<base64url>'" },
        { $"V1.2025-01.{Payload(60)}", "not a wrapped data key: expected 'v1.<master key id>.<base64url>'" },
        { $"v1.2025-01.{Payload(60)}.x", "not a wrapped data key: expected 'v1.<master key id>.<base64url>'" },
        { $"v1..{Payload(60)}", "wrapped data key: a master key id is 1 to 32 letters, digits, '-' or '_'" },
        { $"v1.key one.{Payload(60)}", "wrapped data key: a master key id is 1 to 32 letters, digits, '-' or '_'" },
        { "v1.2025-01.not*base64url", "wrapped data key: the payload is not base64url" },
        { $"v1.2025-01.{Payload(59)}", "wrapped data key: the payload is 59 bytes, a v1 wrap is 60" },
        { $"v1.2025-01.{Payload(61)}", "wrapped data key: the payload is 61 bytes, a v1 wrap is 60" },
        { "v1.2025-01.", "wrapped data key: the payload is 0 bytes, a v1 wrap is 60" },
    };

    private static string Payload(int length) => Base64Url.EncodeToString(Bytes(3, length));

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Text_that_is_not_a_v1_wrap_is_a_format_error(string text, string message) =>
        Assert.Equal(message, Assert.Throws<CredentialFormatException>(() => WrappedDataKey.Parse(text)).Message);

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void A_tenant_id_is_required(string? tenantId)
    {
        var wrapped = WrappedDataKey.Wrap(DataKey.Generate(), Tenant, Ring(Old));

        Assert.ThrowsAny<ArgumentException>(() => WrappedDataKey.Wrap(DataKey.Generate(), tenantId!, Ring(Old)));
        Assert.ThrowsAny<ArgumentException>(() => wrapped.Unwrap(tenantId!, Ring(Old)));
    }
}
