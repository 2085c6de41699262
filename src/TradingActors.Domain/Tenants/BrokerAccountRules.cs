namespace TradingActors.Domain.Tenants;

/// <summary>The credentials a user gives for an account, as received (validated by <see cref="BrokerAccountRules"/> before anything is sealed).</summary>
public sealed record CredentialFields(string? ApiKey, string? Secret, string? AccountNumber, string? Passphrase)
{
    // Never print a secret through the record's generated ToString.
    public override string ToString() => "CredentialFields { *** }";
}

/// <summary>
/// What a venue accepts when an account is linked: the modes it offers and whether it takes credentials (an API key,
/// a secret unless <paramref name="TakesSecret"/> is false — OANDA's one API token goes in the key —, and an account
/// number, of the venue's own format when it has one; no venue offered today takes a passphrase, so one is refused).
/// A new venue adds one row to <see cref="BrokerAccountRules.Venues"/>.
/// </summary>
public sealed record VenueAccountRule(string Venue, IReadOnlySet<AccountMode> Modes, bool TakesCredentials, bool TakesSecret = true,
    string? AccountNumberFormat = null, string? AccountNumberExample = null)
{
    public bool AccountNumberFits(string number) =>
        AccountNumberFormat is null || System.Text.RegularExpressions.Regex.IsMatch(number, AccountNumberFormat, System.Text.RegularExpressions.RegexOptions.CultureInvariant);
}

/// <summary>Field-level validation of a link request and of labels: pure, so the API and the tenant agree.</summary>
public static class BrokerAccountRules
{
    public const int MaxLabelLength = 64;

    public static IReadOnlyDictionary<string, VenueAccountRule> Venues { get; } = new Dictionary<string, VenueAccountRule>
    {
        [Tenants.Venues.Paper] = new(Tenants.Venues.Paper, new HashSet<AccountMode> { AccountMode.Paper }, TakesCredentials: false),
        // The simulated external venue (drills and tests): keys like a real venue's, no passphrase.
        ["simulated"] = new("simulated", new HashSet<AccountMode> { AccountMode.Testnet, AccountMode.Live }, TakesCredentials: true),
        // Real venues (decision 022). Testnet is each venue's practice environment: OANDA fxpractice, Bybit testnet, KIS mock.
        ["oanda"] = new("oanda", new HashSet<AccountMode> { AccountMode.Testnet, AccountMode.Live }, TakesCredentials: true, TakesSecret: false,
            AccountNumberFormat: @"^\d{3}-\d{3}-\d{6,8}-\d{3}$", AccountNumberExample: "the form 101-004-1234567-001"),
        ["alpaca"] = new("alpaca", new HashSet<AccountMode> { AccountMode.Paper, AccountMode.Live }, TakesCredentials: true),
        ["bybit"] = new("bybit", new HashSet<AccountMode> { AccountMode.Testnet, AccountMode.Live }, TakesCredentials: true,
            AccountNumberFormat: @"^\d{1,20}$", AccountNumberExample: "the account's numeric UID, e.g. 100200300"),
        ["kis"] = new("kis", new HashSet<AccountMode> { AccountMode.Testnet, AccountMode.Live }, TakesCredentials: true,
            AccountNumberFormat: @"^\d{8}-\d{2}$", AccountNumberExample: "8 digits, '-' and the 2-digit product code, e.g. 12345678-01"),
    };

    public static string? ValidateLabel(string? label)
    {
        var trimmed = label?.Trim();
        return string.IsNullOrEmpty(trimmed) ? "a label is required"
            : trimmed.Length > MaxLabelLength ? $"a label is at most {MaxLabelLength} characters"
            : trimmed.Any(char.IsControl) ? "a label must not contain control characters"
            : null;
    }

    /// <summary>
    /// Field → messages for a link request at <paramref name="venue"/> (known to this node: <paramref name="offered"/>).
    /// Messages never repeat a value (it may be a secret).
    /// </summary>
    public static IReadOnlyDictionary<string, string[]> ValidateLink(string? venue, string? mode, string? label, CredentialFields? credentials, IReadOnlySet<string> offered)
    {
        var errors = new Dictionary<string, string[]>();
        if (label is not null && ValidateLabel(label) is { } badLabel) errors["label"] = [badLabel];
        if (string.IsNullOrWhiteSpace(venue)) errors["venue"] = ["a venue is required"];
        else if (!offered.Contains(venue) || !Venues.TryGetValue(venue, out var rule))
            errors["venue"] = [offered.Any(Venues.ContainsKey)
                ? $"this node offers {string.Join(", ", offered.Where(Venues.ContainsKey).Order(StringComparer.Ordinal))}"
                : "this node offers no venue to link"];
        else
        {
            if (ParseMode(mode) is not { } m) errors["mode"] = ["mode is paper, testnet or live"];
            else if (!rule.Modes.Contains(m)) errors["mode"] = [$"{venue} offers {string.Join(", ", rule.Modes.Order().Select(Wire))}"];
            if (!rule.TakesCredentials)
            {
                if (credentials is not null) errors["credentials"] = [$"{venue} takes no credentials"];
            }
            else if (credentials is null)
                errors["credentials"] = [rule.TakesSecret ? $"{venue} needs an API key, a secret and an account number" : $"{venue} needs an API token (as apiKey) and an account number"];
            else
            {
                Check(errors, "credentials.apiKey", credentials.ApiKey, 8, 128, IsKeyCharacter, "printable characters without spaces");
                if (rule.TakesSecret) Check(errors, "credentials.secret", credentials.Secret, 8, 256, IsKeyCharacter, "printable characters without spaces");
                else if (credentials.Secret is not null) errors["credentials.secret"] = [$"{venue} takes no secret: its API token goes in apiKey"];
                Check(errors, "credentials.accountNumber", credentials.AccountNumber, 1, 64, c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.', "letters, digits, '-', '_' and '.'");
                if (!errors.ContainsKey("credentials.accountNumber") && !rule.AccountNumberFits(credentials.AccountNumber!))
                    errors["credentials.accountNumber"] = [$"not a {venue} account number: expected {rule.AccountNumberExample}"];
                if (credentials.Passphrase is not null) errors["credentials.passphrase"] = [$"{venue} takes no passphrase"];
            }
        }
        return errors;
    }

    public static AccountMode? ParseMode(string? mode) => mode switch
    {
        "paper" => AccountMode.Paper,
        "testnet" => AccountMode.Testnet,
        "live" => AccountMode.Live,
        _ => null,
    };

    /// <summary>The wire and read-model spelling of a mode.</summary>
    public static string Wire(AccountMode mode) => mode switch
    {
        AccountMode.Paper => "paper",
        AccountMode.Testnet => "testnet",
        _ => "live",
    };

    /// <summary>The wire and read-model spelling of a status.</summary>
    public static string Wire(AccountStatus status) => status switch
    {
        AccountStatus.Verified => "verified",
        AccountStatus.Failed => "failed",
        _ => "unverified",
    };

    private static bool IsKeyCharacter(char c) => c is > ' ' and <= '~';

    private static void Check(Dictionary<string, string[]> errors, string field, string? value, int min, int max, Func<char, bool> allowed, string what)
    {
        if (string.IsNullOrEmpty(value)) errors[field] = ["required"];
        else if (value.Length < min || value.Length > max) errors[field] = [$"{min} to {max} characters"];
        else if (!value.All(allowed)) errors[field] = [$"only {what}"];
    }
}
