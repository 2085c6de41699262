using Microsoft.EntityFrameworkCore;
using OtpNet;
using TradingActors.Api.Identity;

namespace TradingActors.Api.Auth;

/// <summary>
/// TOTP codes (RFC 6238: 30 s steps, 6 digits, SHA-1 — what authenticator apps use) against the user's
/// Identity authenticator key, checked with Otp.NET at the injected clock's time. Identity's own
/// AuthenticatorTokenProvider reads the system clock and accepts a code again within its window, so it
/// is not used: here a code is accepted only for a time step later than the last accepted one,
/// claimed by one conditional UPDATE (of two concurrent uses of one code only one wins).
/// </summary>
public sealed class Authenticator(TraderDbContext db, TraderUserManager users, TimeProvider time)
{
    public const string Issuer = "TradingActors";

    // One step either side: a phone clock a little off, or a code typed as it rolled over.
    private static readonly VerificationWindow Window = new(previous: 1, future: 1);

    public static string OtpAuthUri(string key, string email) =>
        new OtpUri(OtpType.Totp, key, email, Issuer).ToString();

    /// <summary>True when the code is valid now for the user's key and was not accepted before.</summary>
    public async Task<bool> VerifyAsync(TraderUser user, string? code, CancellationToken ct)
    {
        code = code?.Replace(" ", "", StringComparison.Ordinal);
        if (code is not { Length: 6 } || !code.All(char.IsAsciiDigit)) return false;
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key)) return false;
        var totp = new Totp(Base32Encoding.ToBytes(key));
        if (!totp.VerifyTotp(time.GetUtcNow().UtcDateTime, code, out var step, Window)) return false;
        var claimed = await db.Users
            .Where(u => u.Id == user.Id && (u.AuthenticatorLastTimeStep == null || u.AuthenticatorLastTimeStep < step))
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.AuthenticatorLastTimeStep, step), ct);
        return claimed == 1;
    }

    /// <summary>A recovery code, spent if valid (stored hashed, see <see cref="TraderUserStore"/>).</summary>
    public async Task<bool> RedeemRecoveryCodeAsync(TraderUser user, string? code)
    {
        if (string.IsNullOrWhiteSpace(code)) return false;
        return (await users.RedeemTwoFactorRecoveryCodeAsync(user, code.Trim())).Succeeded;
    }
}
