using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using TradingActors.Api.Http;
using TradingActors.Api.Identity;

namespace TradingActors.Api.Auth;

/// <summary>/api/v1/auth/2fa: setup (a new authenticator key), enable (proves the key, returns recovery codes), disable.</summary>
public static class TwoFactorRoutes
{
    public const int RecoveryCodeCount = 10;

    public static RouteGroupBuilder MapTwoFactorRoutes(this RouteGroupBuilder auth)
    {
        auth.MapPost("/2fa/setup", Setup).RequireAuthorization(TraderPolicies.User)
            .WithSummary("Start 2FA setup: a new authenticator key").AcceptsJson<TwoFactorSetupRequest>(optional: true).Returns<TwoFactorSetupResponse>().ProducesProblems(409);
        auth.MapPost("/2fa/enable", Enable).RequireAuthorization(TraderPolicies.User)
            .WithSummary("Enable 2FA with a code: recovery codes").AcceptsJson<TwoFactorCodeRequest>().Returns<TwoFactorEnabledResponse>().ProducesProblems(409);
        auth.MapPost("/2fa/disable", Disable).RequireAuthorization(TraderPolicies.User)
            .WithSummary("Disable 2FA with a code or a recovery code").AcceptsJson<TwoFactorCodeRequest>().Returns(204).ProducesProblems(409);
        return auth;
    }

    private static async Task<IResult> Setup(HttpContext http, ClaimsPrincipal principal, CancellationToken ct)
    {
        var s = http.RequestServices;
        var read = await s.GetRequiredService<RequestBodies>().ReadAsync<TwoFactorSetupRequest>(http.Request, optional: true);
        if (read.Problem is { } problem) return problem;
        var users = s.GetRequiredService<TraderUserManager>();
        if (await CallerAsync(users, principal) is not { } user) return TypedResults.Unauthorized();
        // A new key while 2FA is on would silently replace the one the user's app holds.
        if (user.TwoFactorEnabled) return AlreadyEnabled();
        var reset = await users.ResetAuthenticatorKeyAsync(user);
        if (!reset.Succeeded) throw new InvalidOperationException("resetting the authenticator key failed: " + string.Join("; ", reset.Errors.Select(e => e.Code)));
        var key = (await users.GetAuthenticatorKeyAsync(user))!;
        return TypedResults.Ok(new TwoFactorSetupResponse(key, Authenticator.OtpAuthUri(key, user.Email!)));
    }

    private static async Task<IResult> Enable(HttpContext http, ClaimsPrincipal principal, CancellationToken ct)
    {
        var s = http.RequestServices;
        var read = await ReadCode(http);
        if (read.Problem is { } problem) return problem;
        var users = s.GetRequiredService<TraderUserManager>();
        if (await CallerAsync(users, principal) is not { } user) return TypedResults.Unauthorized();
        if (user.TwoFactorEnabled) return AlreadyEnabled();
        if (string.IsNullOrEmpty(await users.GetAuthenticatorKeyAsync(user)))
            return Problems.Status(StatusCodes.Status409Conflict, "2fa-not-set-up", "2FA not set up", "Call /api/v1/auth/2fa/setup first.");
        if (!await s.GetRequiredService<Authenticator>().VerifyAsync(user, read.Body!.Code, ct)) return InvalidCode(StatusCodes.Status400BadRequest);

        var enabled = await users.SetTwoFactorEnabledAsync(user, true);
        if (!enabled.Succeeded) throw new InvalidOperationException("enabling 2FA failed: " + string.Join("; ", enabled.Errors.Select(e => e.Code)));
        var codes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount))!.ToArray();
        await s.GetRequiredService<AuditTrail>().RecordAsync(user.Id, AuditKinds.TwoFactorEnabled, AuthRoutes.ClientIp(http), null, ct);
        return TypedResults.Ok(new TwoFactorEnabledResponse(codes));
    }

    private static async Task<IResult> Disable(HttpContext http, ClaimsPrincipal principal, CancellationToken ct)
    {
        var s = http.RequestServices;
        var read = await ReadCode(http);
        if (read.Problem is { } problem) return problem;
        var users = s.GetRequiredService<TraderUserManager>();
        if (await CallerAsync(users, principal) is not { } user) return TypedResults.Unauthorized();
        if (!user.TwoFactorEnabled)
            return Problems.Status(StatusCodes.Status409Conflict, "2fa-not-enabled", "2FA not enabled", "Two-factor authentication is off for this account.");
        var authenticator = s.GetRequiredService<Authenticator>();
        var audit = s.GetRequiredService<AuditTrail>();
        var ip = AuthRoutes.ClientIp(http);
        if (!await authenticator.VerifyAsync(user, read.Body!.Code, ct))
        {
            if (!await authenticator.RedeemRecoveryCodeAsync(user, read.Body.Code)) return InvalidCode(StatusCodes.Status400BadRequest);
            await audit.RecordAsync(user.Id, AuditKinds.RecoveryCodeUsed, ip, "to disable 2FA", ct);
        }

        var disabled = await users.SetTwoFactorEnabledAsync(user, false);
        if (!disabled.Succeeded) throw new InvalidOperationException("disabling 2FA failed: " + string.Join("; ", disabled.Errors.Select(e => e.Code)));
        // Nothing of the old factor stays usable: the key and the remaining recovery codes go.
        await users.RemoveAuthenticationTokenAsync(user, StoreLoginProvider, AuthenticatorKeyTokenName);
        await users.RemoveAuthenticationTokenAsync(user, StoreLoginProvider, RecoveryCodesTokenName);
        await audit.RecordAsync(user.Id, AuditKinds.TwoFactorDisabled, ip, null, ct);
        return TypedResults.NoContent();
    }

    // Where Identity's UserStore keeps the authenticator key and the recovery codes (user_tokens).
    private const string StoreLoginProvider = "[AspNetUserStore]";
    private const string AuthenticatorKeyTokenName = "AuthenticatorKey";
    private const string RecoveryCodesTokenName = "RecoveryCodes";

    private static async Task<RequestBodies.Read<TwoFactorCodeRequest>> ReadCode(HttpContext http)
    {
        var read = await http.RequestServices.GetRequiredService<RequestBodies>().ReadAsync<TwoFactorCodeRequest>(http.Request);
        if (read.Problem is null && string.IsNullOrWhiteSpace(read.Body!.Code))
            return new(null, Problems.Validation(new Dictionary<string, string[]> { ["code"] = ["The code is required."] }));
        return read;
    }

    internal static async Task<TraderUser?> CallerAsync(TraderUserManager users, ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(JwtRegisteredClaimNames.Sub), out var id) ? await users.FindByIdAsync(id.ToString()) : null;

    internal static IResult InvalidCode(int status) =>
        Problems.Status(status, "invalid-2fa-code", "Invalid code", "The two-factor code is not valid (or was already used).");

    private static IResult AlreadyEnabled() =>
        Problems.Status(StatusCodes.Status409Conflict, "2fa-already-enabled", "2FA already enabled", "Disable two-factor authentication before setting up a new key.");
}
