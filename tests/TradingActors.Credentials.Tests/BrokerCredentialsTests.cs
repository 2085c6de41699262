using System.Text;
using static TradingActors.Credentials.Tests.TestKeys;

namespace TradingActors.Credentials.Tests;

/// <summary>BrokerCredentials: required fields and the JSON document that is sealed.</summary>
public sealed class BrokerCredentialsTests
{
    [Fact]
    public void The_document_is_camel_case_json_without_an_absent_passphrase()
    {
        Assert.Equal("""{"apiKey":"K","secret":"S","accountNumber":"N"}""", Encoding.UTF8.GetString(new BrokerCredentials("K", "S", "N").ToJson()));
        Assert.Equal("""{"apiKey":"K","secret":"S","accountNumber":"N","passphrase":"P"}""", Encoding.UTF8.GetString(new BrokerCredentials("K", "S", "N", "P").ToJson()));
    }

    [Fact]
    public void The_document_reads_back_to_equal_credentials()
    {
        Assert.Equal(Alpaca, BrokerCredentials.FromJson(Alpaca.ToJson()));
        var withoutPassphrase = new BrokerCredentials("K", "S", "N");
        Assert.Equal(withoutPassphrase, BrokerCredentials.FromJson(withoutPassphrase.ToJson()));
    }

    [Theory]
    [InlineData("not json at all: hunter2-secret")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("""{"apiKey":"AKIA-1234","passphrase":"hunter2-secret"}""")]
    [InlineData("""{"apiKey":"AKIA-1234","secret":"hunter2-secret"}""")]
    [InlineData("""{"secret":"hunter2-secret","accountNumber":"N"}""")]
    [InlineData("""{"apiKey":"AKIA-1234","secret":"","accountNumber":"N"}""")]
    [InlineData("""{"apiKey":"AKIA-1234","secret":7,"accountNumber":"N"}""")]
    public void A_document_that_is_not_credentials_is_a_format_error_quoting_nothing(string json)
    {
        var ex = Assert.Throws<CredentialFormatException>(() => BrokerCredentials.FromJson(Encoding.UTF8.GetBytes(json)));

        Assert.StartsWith("broker credentials: ", ex.Message);
        AssertQuotesNone(ex.Message, ["hunter2-secret", "AKIA-1234"]);
    }

    public static TheoryData<string?, string?, string?, string> Missing => new()
    {
        { null, "S", "N", "apiKey" },
        { "", "S", "N", "apiKey" },
        { "K", "", "N", "secret" },
        { "K", "S", null, "accountNumber" },
        { "K", "S", "", "accountNumber" },
    };

    [Theory]
    [MemberData(nameof(Missing))]
    public void Api_key_secret_and_account_number_are_required(string? apiKey, string? secret, string? accountNumber, string parameter)
    {
        var ex = Assert.Throws<ArgumentException>(() => new BrokerCredentials(apiKey!, secret!, accountNumber!));

        Assert.Equal(parameter, ex.ParamName);
        Assert.StartsWith($"{parameter} is required", ex.Message);
    }

    [Fact]
    public void The_passphrase_is_optional() => Assert.Null(new BrokerCredentials("K", "S", "N").Passphrase);

    [Fact]
    public void A_token_only_venues_credentials_have_no_secret_and_round_trip_without_one()
    {
        var token = new BrokerCredentials("oanda-token-1234", null, "101-004-1234567-001");

        Assert.Null(token.Secret);
        Assert.Equal("""{"apiKey":"oanda-token-1234","accountNumber":"101-004-1234567-001"}""", Encoding.UTF8.GetString(token.ToJson()));
        Assert.Equal(token, BrokerCredentials.FromJson(token.ToJson()));
    }
}
