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
