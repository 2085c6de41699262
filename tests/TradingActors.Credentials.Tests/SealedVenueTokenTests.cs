using System.Text;

namespace TradingActors.Credentials.Tests;

/// <summary>SealedVenueToken: a venue session token under the tenant's data key, bound to tenant, account and its own purpose.</summary>
public sealed class SealedVenueTokenTests
{
    private const string Tenant = "tenant-a";
    private const string Account = "kis-1";
    private const string Token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzUxMiJ9.kis-access-token";
    private static readonly DataKey Key = DataKey.Generate();

    [Fact]
    public void A_sealed_token_opens_to_the_token_and_shows_none_of_it()
    {
        var text = SealedVenueToken.Seal(Token, Key, Tenant, Account);

        Assert.StartsWith("v1.", text);
        Assert.DoesNotContain("kis-access-token", text);
        Assert.Equal(Token, SealedVenueToken.Open(text, Key, Tenant, Account));
        Assert.NotEqual(text, SealedVenueToken.Seal(Token, Key, Tenant, Account)); // a fresh nonce each time
    }

    [Theory]
    [InlineData("other-tenant", Account)]
    [InlineData(Tenant, "other-account")]
    public void A_token_moved_to_another_tenant_or_account_does_not_open(string tenant, string account)
    {
        var text = SealedVenueToken.Seal(Token, Key, Tenant, Account);

        var e = Assert.Throws<CredentialIntegrityException>(() => SealedVenueToken.Open(text, Key, tenant, account));
        Assert.DoesNotContain(Token, e.Message);
    }

    [Fact]
    public void A_token_under_another_data_key_does_not_open() =>
        Assert.Throws<CredentialIntegrityException>(() => SealedVenueToken.Open(SealedVenueToken.Seal(Token, Key, Tenant, Account), DataKey.Generate(), Tenant, Account));

    [Fact]
    public void Sealed_credentials_do_not_open_as_a_token_nor_a_token_as_credentials()
    {
        var credentials = SealedCredentials.Seal(Encoding.UTF8.GetBytes(Token), Key, Tenant, Account).Encode();
        var token = SealedVenueToken.Seal(Token, Key, Tenant, Account);

        Assert.Throws<CredentialIntegrityException>(() => SealedVenueToken.Open(credentials, Key, Tenant, Account));
        Assert.Throws<CredentialIntegrityException>(() => SealedCredentials.Parse(token).Open(Key, Tenant, Account));
    }

    [Theory]
    [InlineData("")]
    [InlineData("v1")]
    [InlineData("v2.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("v1.AAAA")]
    [InlineData("v1.not base64!")]
    [InlineData("v1.a.b")]
    public void Text_that_is_not_a_sealed_token_is_refused_as_such(string text) =>
        Assert.Throws<CredentialFormatException>(() => SealedVenueToken.Open(text, Key, Tenant, Account));

    [Fact]
    public void An_empty_token_tenant_or_account_is_refused()
    {
        Assert.ThrowsAny<ArgumentException>(() => SealedVenueToken.Seal("", Key, Tenant, Account));
        Assert.ThrowsAny<ArgumentException>(() => SealedVenueToken.Seal(Token, Key, "", Account));
        Assert.ThrowsAny<ArgumentException>(() => SealedVenueToken.Seal(Token, Key, Tenant, ""));
        Assert.ThrowsAny<ArgumentException>(() => SealedVenueToken.Open(null!, Key, Tenant, Account));
    }
}
