namespace TradingActors.Api;

/// <summary>The trader API's settings ("Trading:Api"), validated at start.</summary>
public sealed class TraderApiOptions
{
    public const string Section = "Trading:Api";

    /// <summary>The base URL users reach the API at: the links in mails point there.</summary>
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:5080";

    public JwtSettings Jwt { get; set; } = new();

    /// <summary>Versions of the texts a user accepts at registration (recorded with each acceptance).</summary>
    public string TermsVersion { get; set; } = "2026-12-01";
    public string RiskDisclosureVersion { get; set; } = "2026-12-01";

    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(7);
    public TimeSpan EmailVerificationLifetime { get; set; } = TimeSpan.FromHours(24);
    public TimeSpan PasswordResetLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>This many failed logins within the window lock the account for the lockout duration.</summary>
    public int LockoutFailures { get; set; } = 5;
    public TimeSpan LockoutWindow { get; set; } = TimeSpan.FromMinutes(15);
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Login attempts per client IP per minute (all accounts together), before 429.</summary>
    public int LoginAttemptsPerIpPerMinute { get; set; } = 30;

    /// <summary>
    /// The per-user token bucket on the trading routes follows the user's plan's API rate tier (decision 032). An operator
    /// may change a tier's figures here ("Trading:Api:RateTiers:basic:RequestsPerSecond"); unset ones are the tier's own
    /// (basic 5 a second, bursts of 10; standard 20 and 40; high 100 and 200).
    /// </summary>
    public Dictionary<string, RateTierSettings> RateTiers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How long the API keeps a user's rate tier before reading it again (a plan change reaches the limit within it).</summary>
    public TimeSpan RateTierCacheLifetime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The plan a new user's tenant starts on (decision 032).</summary>
    public string SignUpPlan { get; set; } = Domain.Billing.PlanCatalog.FreeId;

    /// <summary>The tier's figures as this API applies them: the tier's own unless configured.</summary>
    public Domain.Billing.ApiRateTier Tier(string name)
    {
        var tier = Domain.Billing.ApiRateTiers.TryGet(name, out var known) ? known : Domain.Billing.ApiRateTiers.Standard;
        return RateTiers.TryGetValue(tier.Name, out var set)
            ? tier with { RequestsPerSecond = set.RequestsPerSecond ?? tier.RequestsPerSecond, Burst = set.Burst ?? tier.Burst }
            : tier;
    }

    /// <summary>bcrypt work factor (2^N rounds); at least 12.</summary>
    public int BcryptWorkFactor { get; set; } = 12;
    public int MinPasswordLength { get; set; } = 12;

    /// <summary>Request bodies of the API's routes larger than this are refused (413).</summary>
    public int MaxBodyBytes { get; set; } = 16 * 1024;

    /// <summary>Cash of the paper account every new user's tenant starts with.</summary>
    public decimal PaperStartingCash { get; set; } = 10_000m;

    public DemoTraderSettings Demo { get; set; } = new();

    public void Validate()
    {
        var errors = new List<string>();
        if (!Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out _)) errors.Add("Trading:Api:PublicBaseUrl must be an absolute URL");
        if (Jwt.AccessTokenLifetime <= TimeSpan.Zero) errors.Add("Trading:Api:Jwt:AccessTokenLifetime must be positive");
        if (!string.IsNullOrEmpty(Jwt.SigningKey) && Jwt.SigningKeyBytes() is not { Length: >= 32 })
            errors.Add("Trading:Api:Jwt:SigningKey must be base64 of at least 32 bytes");
        if (RefreshTokenLifetime <= TimeSpan.Zero) errors.Add("Trading:Api:RefreshTokenLifetime must be positive");
        if (EmailVerificationLifetime <= TimeSpan.Zero || PasswordResetLifetime <= TimeSpan.Zero) errors.Add("mailed token lifetimes must be positive");
        if (LockoutFailures < 1 || LockoutWindow <= TimeSpan.Zero || LockoutDuration <= TimeSpan.Zero) errors.Add("Trading:Api lockout settings must be positive");
        if (LoginAttemptsPerIpPerMinute < 1) errors.Add("Trading:Api:LoginAttemptsPerIpPerMinute must be at least 1");
        foreach (var (name, set) in RateTiers)
        {
            if (!Domain.Billing.ApiRateTiers.TryGet(name, out var tier))
                errors.Add($"Trading:Api:RateTiers:{name} is not a tier ({string.Join(", ", Domain.Billing.ApiRateTiers.All.Select(t => t.Name))})");
            else if (Tier(tier.Name) is { } applied && (applied.RequestsPerSecond < 1 || applied.Burst < applied.RequestsPerSecond))
                errors.Add($"Trading:Api:RateTiers:{name}: RequestsPerSecond must be at least 1 and Burst at least RequestsPerSecond");
        }
        if (RateTierCacheLifetime < TimeSpan.Zero) errors.Add("Trading:Api:RateTierCacheLifetime must not be negative");
        if (string.IsNullOrWhiteSpace(SignUpPlan)) errors.Add("Trading:Api:SignUpPlan is required");
        if (BcryptWorkFactor is < 12 or > 20) errors.Add("Trading:Api:BcryptWorkFactor must be in 12..20");
        if (MinPasswordLength < 12) errors.Add("Trading:Api:MinPasswordLength must be at least 12");
        if (MaxBodyBytes is < 1024 or > 1024 * 1024) errors.Add("Trading:Api:MaxBodyBytes must be in 1 KiB..1 MiB");
        if (PaperStartingCash is < 0 or > 1_000_000_000m) errors.Add("Trading:Api:PaperStartingCash must be in 0..1,000,000,000");
        if (string.IsNullOrWhiteSpace(TermsVersion) || string.IsNullOrWhiteSpace(RiskDisclosureVersion)) errors.Add("terms versions are required");
        if (errors.Count > 0) throw new ArgumentException("invalid API options: " + string.Join("; ", errors));
    }
}

/// <summary>A rate tier's figures as an operator sets them (unset: the tier's own).</summary>
public sealed class RateTierSettings
{
    public int? RequestsPerSecond { get; set; }
    public int? Burst { get; set; }
}

public sealed class JwtSettings
{
    public string Issuer { get; set; } = "tradingactors";
    public string Audience { get; set; } = "tradingactors-api";

    /// <summary>
    /// Base64 HMAC-SHA256 key shared by every API node. Empty: a random key for this process only
    /// (tokens die with the process and are refused by other nodes; a warning says so).
    /// </summary>
    public string SigningKey { get; set; } = "";

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    internal byte[]? SigningKeyBytes()
    {
        try { return Convert.FromBase64String(SigningKey); }
        catch (FormatException) { return null; }
    }
}

/// <summary>A verified demo user seeded at start (scripts/run.sh), so the product can be tried at once. Off unless Email is set.</summary>
public sealed class DemoTraderSettings
{
    public string Email { get; set; } = "";
    public string Password { get; set; } = "";

    /// <summary>Comma-separated roles besides "user" (run.sh: admin, so /summary can be seen).</summary>
    public string Roles { get; set; } = "";

    /// <summary>
    /// The demo user's own trading (run.sh): a subscription to this shared strategy (empty: none) beside a personal DCA bot
    /// on the same symbol deciding on bars of DemoBotBarSeconds (0: no bot), both on its paper account.
    /// </summary>
    public string FollowStrategy { get; set; } = "";

    public int DemoBotBarSeconds { get; set; }
}
