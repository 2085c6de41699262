using System.Text.Json;
using System.Text.Json.Serialization;

namespace TradingActors.Credentials;

/// <summary>
/// What a broker session needs to log in. Prints redacted (the API key id's last 4 characters,
/// the account number's last 4, *** for the rest), so logging it leaks nothing.
/// </summary>
public sealed record BrokerCredentials
{
    public string ApiKey { get; }
    /// <summary>Null for a venue whose one API token is the key (OANDA); never empty.</summary>
    public string? Secret { get; }
    public string AccountNumber { get; }
    public string? Passphrase { get; }

    [JsonConstructor]
    public BrokerCredentials(string apiKey, string? secret, string accountNumber, string? passphrase = null)
    {
        ApiKey = Required(apiKey, "apiKey");
        Secret = secret is null ? null : Required(secret, "secret");
        AccountNumber = Required(accountNumber, "accountNumber");
        Passphrase = passphrase;
    }

    /// <summary>What responses show of the API key: "…WXYZ".</summary>
    [JsonIgnore]
    public string KeyIdHint => KeyIdDisplay.LastFour(ApiKey);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The sealed form's plaintext: {"apiKey","secret","accountNumber","passphrase"?} in UTF-8.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public static BrokerCredentials FromJson(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize<BrokerCredentials>(json, Json)
                ?? throw new CredentialFormatException("broker credentials: the document is null");
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            // Neither message is passed on: both could quote the document, and the document is the secret.
            throw new CredentialFormatException("broker credentials: not a document with apiKey, secret and accountNumber");
        }
    }

    public override string ToString() =>
        $"BrokerCredentials {{ ApiKey = {KeyIdHint}, Secret = ***, AccountNumber = {KeyIdDisplay.LastFour(AccountNumber)}, Passphrase = {(Passphrase is null ? "(none)" : "***")} }}";

    private static string Required(string value, string name) =>
        string.IsNullOrEmpty(value) ? throw new ArgumentException($"{name} is required", name) : value;
}
