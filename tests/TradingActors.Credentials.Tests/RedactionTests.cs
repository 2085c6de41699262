using System.Text;
using static TradingActors.Credentials.Tests.TestKeys;

namespace TradingActors.Credentials.Tests;

/// <summary>Nothing that holds a secret prints it: logs and exception messages show ids and the last 4 characters of key ids.</summary>
public sealed class RedactionTests
{
    /// <summary>A message that carries credentials, as the API will send them to the tenant: its printing uses theirs.</summary>
    private sealed record LinkBrokerAccount(string AccountId, BrokerCredentials Credentials);

    [Fact]
    public void Broker_credentials_print_the_key_id_hint_and_no_secret()
    {
        Assert.Equal("BrokerCredentials { ApiKey = …WXYZ, Secret = ***, AccountNumber = …4567, Passphrase = *** }", Alpaca.ToString());
        Assert.Equal("BrokerCredentials { ApiKey = …WXYZ, Secret = ***, AccountNumber = …4567, Passphrase = (none) }", new BrokerCredentials(Alpaca.ApiKey, Alpaca.Secret, Alpaca.AccountNumber).ToString());
    }

    [Fact]
    public void A_record_holding_credentials_prints_them_redacted()
    {
        var printed = $"{new LinkBrokerAccount("alpaca-1", Alpaca)}";

        Assert.Contains("…WXYZ", printed);
        AssertQuotesNone(printed, [Alpaca.ApiKey, Alpaca.Secret!, Alpaca.Passphrase!, Alpaca.AccountNumber]);
    }

    [Fact]
    public void Keys_print_their_ids_only()
    {
        var ring = Ring(Old, New);

        Assert.Equal("MasterKey { Id = 2025-01 }", Old.ToString());
        Assert.Equal("MasterKeyRing { Active = 2025-07, Ids = [2025-01, 2025-07] }", ring.ToString());
        Assert.Equal("DataKey { *** }", DataKey.Generate().ToString());
    }

    [Fact]
    public void Options_print_key_ids_and_no_key()
    {
        var options = new CredentialKeyOptions
        {
            MasterKeys = new() { ["2025-07"] = Base64(New), ["2025-01"] = Base64(Old), [Base64(Old)] = Base64(New) },
            ActiveMasterKey = "2025-07",
        };

        Assert.Equal("CredentialKeyOptions { KeyFile = (none), MasterKeys = ['2025-01', '2025-07', (not a valid id)], ActiveMasterKey = '2025-07' }", options.ToString());
        Assert.Equal("CredentialKeyOptions { KeyFile = /etc/keys, MasterKeys = [], ActiveMasterKey = (not a valid id) }", new CredentialKeyOptions { KeyFile = "/etc/keys" }.ToString());
    }

    public static TheoryData<string?, string> KeyIds => new()
    {
        { "AKIA0000SECRETKEYWXYZ", "…WXYZ" },
        { "ABCDEFGH", "…EFGH" },
        { "ABCDEFG", "…" },
        { "ABCD", "…" },
        { "", "…" },
        { null, "…" },
    };

    [Theory]
    [MemberData(nameof(KeyIds))]
    public void A_key_id_shows_its_last_four_characters_and_never_more_than_half(string? keyId, string shown) =>
        Assert.Equal(shown, KeyIdDisplay.LastFour(keyId));

    [Fact]
    public void Broker_credentials_hint_at_their_api_key()
    {
        Assert.Equal("…WXYZ", Alpaca.KeyIdHint);
        Assert.Equal("…", new BrokerCredentials("SHORT", "s", "n").KeyIdHint);
    }

    [Fact]
    public void Exception_messages_of_a_failed_open_quote_no_plaintext()
    {
        var key = DataKey.Generate();
        var plaintext = Encoding.UTF8.GetBytes("super-secret-document");
        var sealedCredentials = SealedCredentials.Seal(plaintext, key, "tenant-a", "acct-1");

        var ex = Assert.Throws<CredentialIntegrityException>(() => sealedCredentials.Open(DataKey.Generate(), "tenant-a", "acct-1"));

        AssertQuotesNone(ex.Message, ["super-secret-document", Convert.ToBase64String(key.Material)]);
    }
}
