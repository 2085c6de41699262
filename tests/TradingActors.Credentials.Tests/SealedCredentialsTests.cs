using System.Buffers.Text;
using System.Text;
using static TradingActors.Credentials.Tests.TestKeys;

namespace TradingActors.Credentials.Tests;

/// <summary>SealedCredentials: credentials under a tenant's data key, bound to the tenant and the broker account.</summary>
public sealed class SealedCredentialsTests
{
    private const string Tenant = "tenant-a";
    private const string Account = "alpaca-1";
    private static readonly DataKey Key = DataKey.Generate();

    public static TheoryData<int> PlaintextLengths => new() { 0, 1, 15, 16, 17, 200, 4096 };

    [Theory]
    [MemberData(nameof(PlaintextLengths))]
    public void Bytes_open_to_what_was_sealed(int length)
    {
        var plaintext = Bytes(9, length);

        var sealedCredentials = SealedCredentials.Seal(plaintext, Key, Tenant, Account);

        Assert.Equal(plaintext, SealedCredentials.Parse(sealedCredentials.Encode()).Open(Key, Tenant, Account));
    }

    [Fact]
    public void Broker_credentials_open_to_what_was_sealed()
    {
        var sealedCredentials = SealedCredentials.Seal(Alpaca, Key, Tenant, Account);

        Assert.Equal(Alpaca, sealedCredentials.OpenBrokerCredentials(Key, Tenant, Account));
        Assert.Equal(Alpaca.ToJson(), sealedCredentials.Open(Key, Tenant, Account));
    }

    [Fact]
    public void The_encoding_is_versioned_and_holds_no_plaintext()
    {
        var text = SealedCredentials.Seal(Alpaca, Key, Tenant, Account).Encode();

        Assert.StartsWith("v1.", text);
        Assert.Equal(2, text.Split('.').Length);
        AssertQuotesNone(text, [Alpaca.Secret!, Alpaca.ApiKey, Alpaca.Passphrase!, Convert.ToBase64String(Alpaca.ToJson())]);
    }

    [Fact]
    public void Two_seals_of_the_same_plaintext_differ()
    {
        var a = SealedCredentials.Seal(Alpaca, Key, Tenant, Account);
        var b = SealedCredentials.Seal(Alpaca, Key, Tenant, Account);

        Assert.NotEqual(a.Encode(), b.Encode());
        Assert.NotEqual(Base64Url.DecodeFromChars(a.Encode().AsSpan(3))[..12], Base64Url.DecodeFromChars(b.Encode().AsSpan(3))[..12]);
        Assert.Equal(Alpaca, b.OpenBrokerCredentials(Key, Tenant, Account));
    }

    [Fact]
    public void Parsing_gives_an_equal_value_that_prints_as_its_encoding()
    {
        var sealedCredentials = SealedCredentials.Seal(Alpaca, Key, Tenant, Account);

        var parsed = SealedCredentials.Parse(sealedCredentials.Encode());

        Assert.Equal(sealedCredentials, parsed);
        Assert.Equal(sealedCredentials.Encode(), parsed.ToString());
    }

    [Fact]
    public void Padded_base64url_parses_to_the_canonical_text()
    {
        // 4 + 28 bytes: base64url needs one '=' of padding, which the encoding leaves out.
        var sealedCredentials = SealedCredentials.Seal(Bytes(1, 4), Key, Tenant, Account);

        var padded = SealedCredentials.Parse(sealedCredentials.Encode() + "=");

        Assert.Equal(sealedCredentials.Encode(), padded.Encode());
        Assert.Equal(Bytes(1, 4), padded.Open(Key, Tenant, Account));
    }

    [Fact]
    public void White_space_in_the_payload_parses_to_the_canonical_text()
    {
        var text = SealedCredentials.Seal(Alpaca, Key, Tenant, Account).Encode();

        var spaced = SealedCredentials.Parse($"{text[..10]} \n{text[10..]}");

        Assert.Equal(text, spaced.Encode());
    }

    private static readonly Dictionary<string, (string TenantId, string AccountId)> WrongBindings = new()
    {
        ["another tenant"] = ("tenant-b", Account),
        ["another account"] = (Tenant, "alpaca-2"),
        ["tenant and account swapped"] = (Account, Tenant),
        ["the boundary between tenant and account moved"] = ("tenant-aa", "lpaca-1"),
        ["the boundary moved the other way"] = ("tenant-", "aalpaca-1"),
        ["a tenant id differing in case"] = ("Tenant-a", Account),
    };

    public static TheoryData<string> WrongBinding => new(WrongBindings.Keys);

    [Theory]
    [MemberData(nameof(WrongBinding))]
    public void Credentials_do_not_open_for_another_tenant_or_account(string binding)
    {
        var (tenantId, accountId) = WrongBindings[binding];
        var sealedCredentials = SealedCredentials.Seal(Alpaca, Key, Tenant, Account);

        var ex = Assert.Throws<CredentialIntegrityException>(() => sealedCredentials.Open(Key, tenantId, accountId));

        Assert.Equal($"the credentials of tenant '{tenantId}' account '{accountId}' do not open: sealed for another tenant or account, under another data key, or altered", ex.Message);
        AssertQuotesNone(ex.Message, [Alpaca.Secret!, Alpaca.ApiKey]);
    }

    [Fact]
    public void Credentials_do_not_open_under_another_data_key() =>
        Assert.Throws<CredentialIntegrityException>(() => SealedCredentials.Seal(Alpaca, Key, Tenant, Account).Open(DataKey.Generate(), Tenant, Account));

    [Theory]
    [InlineData(0)]   // nonce
    [InlineData(11)]
    [InlineData(12)]  // ciphertext
    [InlineData(40)]
    [InlineData(-16)] // tag, counted from the end
    [InlineData(-1)]
    public void Any_altered_byte_fails_to_open(int index)
    {
        var payload = Base64Url.DecodeFromChars(SealedCredentials.Seal(Alpaca, Key, Tenant, Account).Encode().AsSpan(3));
        payload[index < 0 ? payload.Length + index : index] ^= 0x80;

        var altered = SealedCredentials.Parse("v1." + Base64Url.EncodeToString(payload));

        var ex = Assert.Throws<CredentialIntegrityException>(() => altered.Open(Key, Tenant, Account));
        AssertQuotesNone(ex.Message, [Alpaca.Secret!, Alpaca.ApiKey, Alpaca.Passphrase!]);
    }

    [Fact]
    public void A_truncated_or_extended_ciphertext_fails_to_open()
    {
        var payload = Base64Url.DecodeFromChars(SealedCredentials.Seal(Alpaca, Key, Tenant, Account).Encode().AsSpan(3));

        var shorter = SealedCredentials.Parse("v1." + Base64Url.EncodeToString(payload[..^1]));
        var longer = SealedCredentials.Parse("v1." + Base64Url.EncodeToString([.. payload, 0]));

        Assert.Throws<CredentialIntegrityException>(() => shorter.Open(Key, Tenant, Account));
        Assert.Throws<CredentialIntegrityException>(() => longer.Open(Key, Tenant, Account));
    }

    [Fact]
    public void Nonce_and_tag_alone_parse_but_do_not_open_as_anything_else()
    {
        var empty = SealedCredentials.Parse("v1." + Base64Url.EncodeToString(Bytes(5, 28)));

        Assert.Throws<CredentialIntegrityException>(() => empty.Open(Key, Tenant, Account));
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { "", "not sealed credentials: expected 'v1.<base64url>'" },
        { "v1", "not sealed credentials: expected 'v1.<base64url>'" },
        { $"v2.{Base64Url.EncodeToString(Bytes(1, 40))}", "not sealed credentials: expected 'v1.<base64url>'" },
        { $"v1.{Base64Url.EncodeToString(Bytes(1, 40))}.x", "not sealed credentials: expected 'v1.<base64url>'" },
        { "v1.not*base64url", "sealed credentials: the payload is not base64url" },
        { $"v1.{Base64Url.EncodeToString(Bytes(1, 27))}", "sealed credentials: the payload is 27 bytes, shorter than nonce and tag (28)" },
        { "v1.", "sealed credentials: the payload is 0 bytes, shorter than nonce and tag (28)" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Text_that_is_not_v1_sealed_credentials_is_a_format_error(string text, string message) =>
        Assert.Equal(message, Assert.Throws<CredentialFormatException>(() => SealedCredentials.Parse(text)).Message);

    [Fact]
    public void Opened_bytes_that_are_not_broker_credentials_are_a_format_error_without_their_content()
    {
        var sealedCredentials = SealedCredentials.Seal(Encoding.UTF8.GetBytes("""{"apiKey":"AKIAxxxx","secret":"hunter2-hunter2"}"""), Key, Tenant, Account);

        var ex = Assert.Throws<CredentialFormatException>(() => sealedCredentials.OpenBrokerCredentials(Key, Tenant, Account));

        AssertQuotesNone(ex.Message, ["hunter2-hunter2", "AKIAxxxx"]);
    }

    [Theory]
    [InlineData("", Account)]
    [InlineData(null, Account)]
    [InlineData(Tenant, "")]
    [InlineData(Tenant, null)]
    public void Tenant_and_account_ids_are_required(string? tenantId, string? accountId)
    {
        var sealedCredentials = SealedCredentials.Seal(Alpaca, Key, Tenant, Account);

        Assert.ThrowsAny<ArgumentException>(() => SealedCredentials.Seal(Alpaca, Key, tenantId!, accountId!));
        Assert.ThrowsAny<ArgumentException>(() => sealedCredentials.Open(Key, tenantId!, accountId!));
    }
}
