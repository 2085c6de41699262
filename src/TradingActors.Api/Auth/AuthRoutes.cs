using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using TradingActors.Api.Http;
using TradingActors.Api.Identity;
using TradingActors.Api.Mail;
using TradingActors.Api.Tenancy;
using TradingActors.Api.Tokens;

namespace TradingActors.Api.Auth;

/// <summary>/api/v1/auth: register, verify-email, login, refresh, logout, forgot-password, reset-password.</summary>
public static class AuthRoutes
{
    private static readonly AcceptedResponse RegistrationAccepted = new("accepted", "Check your mailbox: we sent a link to verify your email address.");
    private static readonly AcceptedResponse ResetAccepted = new("accepted", "If an account has this email address, a password reset mail is on its way.");

    public static RouteGroupBuilder MapAuthRoutes(this IEndpointRouteBuilder routes)
    {
        var auth = routes.MapGroup("/api/v1/auth").WithTags("auth");
        auth.MapPost("/register", Register).AllowAnonymous().RequireRateLimiting(TraderPolicies.LoginRateLimit)
            .WithSummary("Register (a verification link is mailed)").AcceptsJson<RegisterRequest>().Returns<AcceptedResponse>(202);
        auth.MapGet("/verify-email", (string? token, HttpContext http, CancellationToken ct) => VerifyEmail(token, http, ct)).AllowAnonymous()
            .WithSummary("Verify an email address (the mailed link)").Returns<EmailVerifiedResponse>().ProducesProblems(400);
        auth.MapPost("/verify-email", VerifyEmailPosted).AllowAnonymous()
            .WithSummary("Verify an email address").AcceptsJson<VerifyEmailRequest>().Returns<EmailVerifiedResponse>();
        auth.MapPost("/login", Login).AllowAnonymous().RequireRateLimiting(TraderPolicies.LoginRateLimit)
            .WithSummary("Log in: access and refresh tokens").AcceptsJson<LoginRequest>().Returns<TokensResponse>().ProducesProblems(401, 403);
        auth.MapPost("/refresh", Refresh).AllowAnonymous()
            .WithSummary("Rotate a refresh token: new tokens").AcceptsJson<RefreshRequest>().Returns<TokensResponse>().ProducesProblems(401, 429);
        auth.MapPost("/logout", Logout).RequireAuthorization(TraderPolicies.User)
            .WithSummary("Log out: end a session").AcceptsJson<LogoutRequest>(optional: true).Returns(204);
        auth.MapPost("/forgot-password", ForgotPassword).AllowAnonymous().RequireRateLimiting(TraderPolicies.LoginRateLimit)
            .WithSummary("Request a password reset mail").AcceptsJson<ForgotPasswordRequest>().Returns<AcceptedResponse>(202);
        auth.MapPost("/reset-password", ResetPassword).AllowAnonymous()
            .WithSummary("Reset the password with the mailed token").AcceptsJson<ResetPasswordRequest>().Returns(204);
        auth.MapTwoFactorRoutes();
        auth.MapSessionRoutes();
        return auth;
    }

    private static async Task<IResult> Register(HttpContext http, CancellationToken ct)
    {
        var s = http.RequestServices;
        var read = await s.GetRequiredService<RequestBodies>().ReadAsync<RegisterRequest>(http.Request);
        if (read.Problem is { } problem) return problem;
        var body = read.Body!;
        var users = s.GetRequiredService<TraderUserManager>();
        var options = s.GetRequiredService<IOptions<TraderApiOptions>>().Value;
        var time = s.GetRequiredService<TimeProvider>();

        var email = body.Email?.Trim() ?? "";
        var errors = new Dictionary<string, string[]>();
        if (!IsEmail(email)) errors["email"] = ["A valid email address is required."];
        if (string.IsNullOrEmpty(body.Password)) errors["password"] = ["A password is required."];
        if (body.AcceptTerms != true) errors["acceptTerms"] = ["The terms of service must be accepted."];
        if (body.AcceptRiskDisclosure != true) errors["acceptRiskDisclosure"] = ["The risk disclosure must be accepted."];
        var candidate = new TraderUser { Email = email, UserName = email };
        if (!string.IsNullOrEmpty(body.Password) && await PasswordErrors(users, candidate, body.Password) is { Length: > 0 } weak)
            errors["password"] = weak;
        if (errors.Count > 0) return Problems.Validation(errors);

        var mails = s.GetRequiredService<TraderMails>();
        var outbox = s.GetRequiredService<MailOutbox>();
        var mailed = s.GetRequiredService<MailedTokens>();
        var existing = await users.FindByEmailAsync(email);
        if (existing is not null)
        {
            // Same answer as a new registration (no account enumeration); the mail tells the owner.
            users.PasswordHasher.HashPassword(candidate, body.Password!); // the same work as a registration
            outbox.Enqueue(existing.EmailConfirmed
                ? mails.AlreadyRegistered(email)
                : mails.Verification(email, await mailed.IssueAsync(existing.Id, EmailTokenPurposes.VerifyEmail, options.EmailVerificationLifetime, ct)));
            return TypedResults.Accepted((string?)null, RegistrationAccepted);
        }

        var now = time.GetUtcNow();
        var user = new TraderUser { Id = Guid.CreateVersion7(now), Email = email, UserName = email, CreatedAt = now, LockoutEnabled = true };
        var db = s.GetRequiredService<TraderDbContext>();
        var ip = ClientIp(http);
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var created = await users.CreateAsync(user, body.Password!);
            // A registration of the same email that won a race since the lookup: the same answer as above.
            if (created.Errors.Any(e => e.Code is "DuplicateEmail" or "DuplicateUserName")) return TypedResults.Accepted((string?)null, RegistrationAccepted);
            if (!created.Succeeded) return Problems.Validation(FieldErrors(created));
            var role = await users.AddToRoleAsync(user, TraderPolicies.User);
            if (!role.Succeeded) throw new InvalidOperationException("the user role is missing: " + string.Join("; ", role.Errors.Select(e => e.Code)));
            db.TermsAcceptances.AddRange(
                new TermsAcceptance { Id = Guid.NewGuid(), UserId = user.Id, Document = TermsDocuments.Terms, Version = options.TermsVersion, AcceptedAt = now, IpAddress = ip },
                new TermsAcceptance { Id = Guid.NewGuid(), UserId = user.Id, Document = TermsDocuments.RiskDisclosure, Version = options.RiskDisclosureVersion, AcceptedAt = now, IpAddress = ip });
            db.Audit.Add(new AuditEntry { UserId = user.Id, Kind = AuditKinds.Registered, OccurredAt = now, IpAddress = ip, Detail = $"terms {options.TermsVersion}, risk disclosure {options.RiskDisclosureVersion}" });
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateException)
        {
            // A concurrent registration of the same email won the unique index: the same answer as above.
            return TypedResults.Accepted((string?)null, RegistrationAccepted);
        }

        outbox.Enqueue(mails.Verification(email, await mailed.IssueAsync(user.Id, EmailTokenPurposes.VerifyEmail, options.EmailVerificationLifetime, ct)));
        // Best effort now; retried at verification and login until the engine confirms.
        await s.GetRequiredService<TenantProvisioning>().EnsureAsync(user, users, ct);
        return TypedResults.Accepted((string?)null, RegistrationAccepted);
    }

    private static async Task<IResult> VerifyEmailPosted(HttpContext http, CancellationToken ct)
    {
        var read = await http.RequestServices.GetRequiredService<RequestBodies>().ReadAsync<VerifyEmailRequest>(http.Request);
        return read.Problem ?? await VerifyEmail(read.Body!.Token, http, ct);
    }

    private static async Task<IResult> VerifyEmail(string? token, HttpContext http, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(token)) return Problems.Validation(new Dictionary<string, string[]> { ["token"] = ["The token is required."] });
        var s = http.RequestServices;
        var mailed = s.GetRequiredService<MailedTokens>();
        var row = await mailed.FindValidAsync(token, EmailTokenPurposes.VerifyEmail, ct);
        if (row is null || !await mailed.SpendAsync(row, ct)) return InvalidMailedToken();
        var users = s.GetRequiredService<TraderUserManager>();
        var user = await users.FindByIdAsync(row.UserId.ToString());
        if (user is null) return InvalidMailedToken();
        user.EmailConfirmed = true;
        await users.UpdateAsync(user);
        await s.GetRequiredService<AuditTrail>().RecordAsync(user.Id, AuditKinds.EmailVerified, ClientIp(http), null, ct);
        await s.GetRequiredService<TenantProvisioning>().EnsureAsync(user, users, ct);
        return TypedResults.Ok(new EmailVerifiedResponse("verified"));
    }

    private static async Task<IResult> Login(HttpContext http, CancellationToken ct)
    {
        var s = http.RequestServices;
        var read = await s.GetRequiredService<RequestBodies>().ReadAsync<LoginRequest>(http.Request);
        if (read.Problem is { } problem) return problem;
        var body = read.Body!;
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(body.Email)) errors["email"] = ["The email is required."];
        if (string.IsNullOrEmpty(body.Password)) errors["password"] = ["The password is required."];
        if (errors.Count > 0) return Problems.Validation(errors);

        var users = s.GetRequiredService<TraderUserManager>();
        var audit = s.GetRequiredService<AuditTrail>();
        var ip = ClientIp(http);
        var user = await users.FindByEmailAsync(body.Email!.Trim());
        if (user is null)
        {
            users.PasswordHasher.HashPassword(new TraderUser(), body.Password!); // as slow as a wrong password
            return InvalidCredentials();
        }
        if (await users.IsLockedOutAsync(user))
        {
            await audit.RecordAsync(user.Id, AuditKinds.LoginRefusedLocked, ip, null, ct);
            return Locked(http, users.LockedFor(user));
        }
        if (!await users.CheckPasswordAsync(user, body.Password!))
            return await Failed(http, user, ip, ct) ?? InvalidCredentials();
        if (!user.EmailConfirmed)
        {
            await audit.RecordAsync(user.Id, AuditKinds.LoginRefusedUnverified, ip, null, ct);
            return Problems.Status(StatusCodes.Status403Forbidden, "email-not-verified", "Email not verified", "Verify your email address with the link we mailed before logging in.");
        }
        if (user.TwoFactorEnabled)
        {
            if (string.IsNullOrWhiteSpace(body.TotpCode))
                return Problems.Status(StatusCodes.Status401Unauthorized, "2fa-code-required", "2FA code required", "This account has two-factor authentication on: send totpCode.");
            var authenticator = s.GetRequiredService<Authenticator>();
            // A recovery code stands in for a TOTP code, once.
            if (!await authenticator.VerifyAsync(user, body.TotpCode, ct))
            {
                if (!await authenticator.RedeemRecoveryCodeAsync(user, body.TotpCode))
                    return await Failed(http, user, ip, ct) ?? TwoFactorRoutes.InvalidCode(StatusCodes.Status401Unauthorized);
                await audit.RecordAsync(user.Id, AuditKinds.RecoveryCodeUsed, ip, $"{await users.CountRecoveryCodesAsync(user)} left", ct);
            }
        }

        await audit.RecordAsync(user.Id, AuditKinds.LoginSucceeded, ip, null, ct);
        await s.GetRequiredService<TenantProvisioning>().EnsureAsync(user, users, ct);
        var refresh = await s.GetRequiredService<RefreshTokens>().IssueAsync(user.Id, null, Client(http, body.Device), ct);
        return TypedResults.Ok(await Tokens(s, users, user, refresh));
    }

    /// <summary>A failed login: 429 when it locked the account, else null (the caller says why it failed).</summary>
    internal static async Task<IResult?> Failed(HttpContext http, TraderUser user, string? ip, CancellationToken ct) =>
        await http.RequestServices.GetRequiredService<LoginLockout>().RecordFailureAsync(user, ip, ct) is { } lockedFor
            ? Locked(http, lockedFor)
            : null;

    private static async Task<IResult> Refresh(HttpContext http, CancellationToken ct)
    {
        var s = http.RequestServices;
        var read = await s.GetRequiredService<RequestBodies>().ReadAsync<RefreshRequest>(http.Request);
        if (read.Problem is { } problem) return problem;
        if (string.IsNullOrWhiteSpace(read.Body!.RefreshToken))
            return Problems.Validation(new Dictionary<string, string[]> { ["refreshToken"] = ["The refresh token is required."] });

        var outcome = await s.GetRequiredService<RefreshTokens>().RotateAsync(read.Body.RefreshToken, Client(http, null), ct);
        switch (outcome)
        {
            case RefreshOutcome.Reused reused:
                await s.GetRequiredService<AuditTrail>().RecordAsync(reused.UserId, AuditKinds.RefreshTokenReused, ClientIp(http), $"family {reused.FamilyId} revoked", ct);
                return Problems.Status(StatusCodes.Status401Unauthorized, "refresh-token-reused", "Refresh token reused",
                    "This refresh token was already used: every token of its session is revoked. Log in again.");
            case RefreshOutcome.Rotated rotated:
                var users = s.GetRequiredService<TraderUserManager>();
                var user = await users.FindByIdAsync(rotated.UserId.ToString());
                if (user is null) return InvalidRefreshToken();
                if (await users.IsLockedOutAsync(user)) return Locked(http, users.LockedFor(user));
                return TypedResults.Ok(await Tokens(s, users, user, rotated.Next));
            default:
                return InvalidRefreshToken();
        }
    }

    private static async Task<IResult> Logout(HttpContext http, ClaimsPrincipal principal, CancellationToken ct)
    {
        var s = http.RequestServices;
        var read = await s.GetRequiredService<RequestBodies>().ReadAsync<LogoutRequest>(http.Request, optional: true);
        if (read.Problem is { } problem) return problem;
        if (!Guid.TryParse(principal.FindFirstValue(JwtRegisteredClaimNames.Sub), out var userId)) return TypedResults.Unauthorized();
        var refresh = s.GetRequiredService<RefreshTokens>();
        Guid? family = read.Body?.RefreshToken is { Length: > 0 } token
            ? await refresh.FamilyOfAsync(token, userId, ct)
            : Guid.TryParse(principal.FindFirstValue(AccessTokens.SessionClaim), out var sid) ? sid : null;
        if (family is { } f) await refresh.RevokeFamilyAsync(f, "logout", ct);
        await s.GetRequiredService<AuditTrail>().RecordAsync(userId, AuditKinds.LoggedOut, ClientIp(http), null, ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> ForgotPassword(HttpContext http, CancellationToken ct)
    {
        var s = http.RequestServices;
        var read = await s.GetRequiredService<RequestBodies>().ReadAsync<ForgotPasswordRequest>(http.Request);
        if (read.Problem is { } problem) return problem;
        var email = read.Body!.Email?.Trim() ?? "";
        if (!IsEmail(email)) return Problems.Validation(new Dictionary<string, string[]> { ["email"] = ["A valid email address is required."] });

        var user = await s.GetRequiredService<TraderUserManager>().FindByEmailAsync(email);
        if (user is not null)
        {
            var options = s.GetRequiredService<IOptions<TraderApiOptions>>().Value;
            var token = await s.GetRequiredService<MailedTokens>().IssueAsync(user.Id, EmailTokenPurposes.ResetPassword, options.PasswordResetLifetime, ct);
            s.GetRequiredService<MailOutbox>().Enqueue(s.GetRequiredService<TraderMails>().PasswordReset(user.Email!, token));
            await s.GetRequiredService<AuditTrail>().RecordAsync(user.Id, AuditKinds.PasswordResetRequested, ClientIp(http), null, ct);
        }
        return TypedResults.Accepted((string?)null, ResetAccepted);
    }

    private static async Task<IResult> ResetPassword(HttpContext http, CancellationToken ct)
    {
        var s = http.RequestServices;
        var read = await s.GetRequiredService<RequestBodies>().ReadAsync<ResetPasswordRequest>(http.Request);
        if (read.Problem is { } problem) return problem;
        var body = read.Body!;
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(body.Token)) errors["token"] = ["The token is required."];
        if (string.IsNullOrEmpty(body.NewPassword)) errors["newPassword"] = ["The new password is required."];
        if (errors.Count > 0) return Problems.Validation(errors);

        var mailed = s.GetRequiredService<MailedTokens>();
        var row = await mailed.FindValidAsync(body.Token!, EmailTokenPurposes.ResetPassword, ct);
        var users = s.GetRequiredService<TraderUserManager>();
        var user = row is null ? null : await users.FindByIdAsync(row.UserId.ToString());
        if (row is null || user is null) return InvalidMailedToken();
        // Checked before the token is spent: a refused password leaves the link usable.
        if (await PasswordErrors(users, user, body.NewPassword!) is { Length: > 0 } weak)
            return Problems.Validation(new Dictionary<string, string[]> { ["newPassword"] = weak });
        if (!await mailed.SpendAsync(row, ct)) return InvalidMailedToken();

        user.PasswordHash = users.PasswordHasher.HashPassword(user, body.NewPassword!);
        user.LockoutEnd = null; // the mailbox owner proved who they are
        await users.UpdateSecurityStampAsync(user);
        await s.GetRequiredService<RefreshTokens>().RevokeAllAsync(user.Id, "password_reset", ct);
        await s.GetRequiredService<AuditTrail>().RecordAsync(user.Id, AuditKinds.PasswordReset, ClientIp(http), null, ct);
        return TypedResults.NoContent();
    }

    private static async Task<TokensResponse> Tokens(IServiceProvider s, TraderUserManager users, TraderUser user, IssuedRefreshToken refresh)
    {
        var access = s.GetRequiredService<AccessTokens>().Issue(user, await users.GetRolesAsync(user), refresh.FamilyId);
        return new TokensResponse("Bearer", access.Token, access.ExpiresAt, refresh.Token, refresh.ExpiresAt);
    }

    private static async Task<string[]> PasswordErrors(TraderUserManager users, TraderUser user, string password)
    {
        var errors = new List<string>();
        foreach (var validator in users.PasswordValidators)
        {
            var result = await validator.ValidateAsync(users, user, password);
            errors.AddRange(result.Errors.Select(e => e.Description));
        }
        return errors.ToArray();
    }

    private static Dictionary<string, string[]> FieldErrors(IdentityResult result) =>
        result.Errors
            .GroupBy(e => e.Code.StartsWith("Password", StringComparison.Ordinal) ? "password" : "email")
            .ToDictionary(g => g.Key, g => g.Select(e => e.Description).ToArray());

    // An address both Identity and the mailer accept as it is (MimeKit parses it to itself).
    private static bool IsEmail(string email) =>
        email.Length is > 3 and <= 256 && new EmailAddressAttribute().IsValid(email)
        && MimeKit.MailboxAddress.TryParse(email, out var parsed) && parsed.Address == email && !email.Any(char.IsWhiteSpace);

    internal static string? ClientIp(HttpContext http) => http.Connection.RemoteIpAddress?.ToString();

    internal static ClientInfo Client(HttpContext http, string? device) => new(ClientIp(http), http.Request.Headers.UserAgent.ToString(), device);

    internal static IResult Locked(HttpContext http, TimeSpan lockedFor)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(lockedFor.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Problems.Status(StatusCodes.Status429TooManyRequests, "account-locked", "Account locked",
            $"Too many failed logins: the account is locked for {seconds} seconds.");
    }

    private static IResult InvalidCredentials() =>
        Problems.Status(StatusCodes.Status401Unauthorized, "invalid-credentials", "Invalid credentials", "The email or the password is wrong.");

    private static IResult InvalidRefreshToken() =>
        Problems.Status(StatusCodes.Status401Unauthorized, "invalid-refresh-token", "Invalid refresh token", "The refresh token is unknown, expired or revoked. Log in again.");

    private static IResult InvalidMailedToken() =>
        Problems.Status(StatusCodes.Status400BadRequest, "invalid-token", "Invalid token", "The token is unknown, already used or expired.");
}
