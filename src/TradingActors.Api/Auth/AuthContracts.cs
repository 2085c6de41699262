namespace TradingActors.Api.Auth;

// Request and response bodies of /api/v1/auth: DTOs of their own (nullable, so a missing field is a
// field-level validation error rather than a serializer failure). Unknown fields are refused.

public sealed record RegisterRequest(string? Email, string? Password, bool? AcceptTerms, bool? AcceptRiskDisclosure);

public sealed record VerifyEmailRequest(string? Token);

/// <summary>Device is an optional label of the session (e.g. "laptop"); TotpCode is required once 2FA is on.</summary>
public sealed record LoginRequest(string? Email, string? Password, string? TotpCode, string? Device);

public sealed record RefreshRequest(string? RefreshToken);

/// <summary>Without a refresh token, logout ends the session of the access token used.</summary>
public sealed record LogoutRequest(string? RefreshToken);

public sealed record ForgotPasswordRequest(string? Email);

public sealed record ResetPasswordRequest(string? Token, string? NewPassword);

public sealed record AcceptedResponse(string Status, string Message);

public sealed record EmailVerifiedResponse(string Status);

public sealed record TokensResponse(
    string TokenType,
    string AccessToken,
    DateTimeOffset AccessTokenExpiresAt,
    string RefreshToken,
    DateTimeOffset RefreshTokenExpiresAt);

/// <summary>An empty body (or none): setup takes no input.</summary>
public sealed record TwoFactorSetupRequest;

/// <summary>A TOTP code from the authenticator app; disable also takes a recovery code.</summary>
public sealed record TwoFactorCodeRequest(string? Code);

/// <summary>The new authenticator key (base32) and the otpauth:// URI an app scans; 2FA stays off until enabled.</summary>
public sealed record TwoFactorSetupResponse(string SharedKey, string OtpAuthUri);

/// <summary>Single-use recovery codes: shown this once, stored only hashed.</summary>
public sealed record TwoFactorEnabledResponse(string[] RecoveryCodes);

/// <summary>One login's session: a refresh-token family. Id is the family id (the access token's sid).</summary>
public sealed record SessionResponse(Guid Id, string? Device, string? IpAddress, string? UserAgent, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, bool Current);

public sealed record AuditEntryResponse(long Id, string Kind, DateTimeOffset OccurredAt, string? IpAddress, string? Detail);

/// <summary>A page of the audit trail, newest first; pass NextCursor as ?before= for the next page (null: no more).</summary>
public sealed record AuditPageResponse(AuditEntryResponse[] Items, string? NextCursor);
