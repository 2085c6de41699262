using Microsoft.AspNetCore.Identity;

namespace TradingActors.Api.Identity;

/// <summary>A person who trades through the API: an Identity user, and one tenant in the engine.</summary>
public sealed class TraderUser : IdentityUser<Guid>
{
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the engine confirmed the tenant and its paper account; null until then (provisioning is retried).</summary>
    public DateTimeOffset? TenantProvisionedAt { get; set; }

    /// <summary>The TOTP time step of the last accepted authenticator code (replay guard); written only by <see cref="Auth.Authenticator"/>.</summary>
    public long? AuthenticatorLastTimeStep { get; set; }

    /// <summary>The engine's tenant id: the user id without dashes (letters and digits only, as tenant ids require).</summary>
    public string TenantId => Id.ToString("N");
}

public sealed class TraderRole : IdentityRole<Guid>;

/// <summary>A refresh token, stored as the SHA-256 of its value. Tokens rotated from one login share a family.</summary>
public sealed class RefreshToken
{
    public Guid Id { get; set; }
    public Guid FamilyId { get; set; }
    public Guid UserId { get; set; }
    public byte[] TokenHash { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public string? RevokedReason { get; set; }
    public string? Device { get; set; }
    public string? IpAddress { get; set; }
    public string? UserAgent { get; set; }
}

/// <summary>A single-use token mailed to the user (email verification, password reset), stored as its SHA-256.</summary>
public sealed class EmailToken
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public string Purpose { get; set; } = "";
    public byte[] TokenHash { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
}

public static class EmailTokenPurposes
{
    public const string VerifyEmail = "verify_email";
    public const string ResetPassword = "reset_password";
}

/// <summary>A text the user accepted at registration: which one, which version of it was shown, when.</summary>
public sealed class TermsAcceptance
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public string Document { get; set; } = "";
    public string Version { get; set; } = "";
    public DateTimeOffset AcceptedAt { get; set; }
    public string? IpAddress { get; set; }
}

public static class TermsDocuments
{
    public const string Terms = "terms";
    public const string RiskDisclosure = "risk_disclosure";
}

/// <summary>One line of a user's audit trail. Detail never holds a password, token or secret.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public Guid? UserId { get; set; }
    public string Kind { get; set; } = "";
    public DateTimeOffset OccurredAt { get; set; }
    public string? IpAddress { get; set; }
    public string? Detail { get; set; }
}

public static class AuditKinds
{
    public const string Registered = "registered";
    public const string EmailVerified = "email_verified";
    public const string LoginSucceeded = "login_succeeded";
    public const string LoginFailed = "login_failed";
    public const string LoginRefusedLocked = "login_refused_locked";
    public const string LoginRefusedUnverified = "login_refused_unverified";
    public const string AccountLocked = "account_locked";
    public const string RefreshTokenReused = "refresh_token_reused";
    public const string LoggedOut = "logged_out";
    public const string PasswordResetRequested = "password_reset_requested";
    public const string PasswordReset = "password_reset";
    public const string TwoFactorEnabled = "two_factor_enabled";
    public const string TwoFactorDisabled = "two_factor_disabled";
    public const string RecoveryCodeUsed = "recovery_code_used";
    public const string SessionRevoked = "session_revoked";
    public const string ManualOrderPlaced = "manual_order_placed";
    public const string OrderCancelRequested = "order_cancel_requested";
    public const string BrokerAccountLinked = "broker_account_linked";
    public const string BrokerAccountChanged = "broker_account_changed";
    public const string BrokerAccountVerified = "broker_account_verified";
    public const string BrokerAccountUnlinked = "broker_account_unlinked";
    public const string SubscriptionCreated = "subscription_created";
    public const string SubscriptionChanged = "subscription_changed";
    public const string SubscriptionDeleted = "subscription_deleted";
    public const string CredentialKeysRewrapped = "credential_keys_rewrapped";
    public const string BotCreated = "bot_created";
    public const string BotChanged = "bot_changed";
    public const string RiskLimitsSet = "risk_limits_set";
    public const string TimeZoneSet = "time_zone_set";
    public const string PlanChanged = "plan_changed";
    public const string PlanCatalogChanged = "plan_catalog_changed";
    public const string CheckoutStarted = "checkout_started";
    public const string BillingPortalOpened = "billing_portal_opened";
    public const string StrategyCreated = "strategy_created";
    public const string StrategyPaused = "strategy_paused";
    public const string StrategyResumed = "strategy_resumed";
    public const string StrategyRetired = "strategy_retired";
}
