using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TradingActors.Api.Identity;

namespace TradingActors.Api.Auth;

/// <summary>
/// Lockout as a sliding window: LockoutFailures failed logins within LockoutWindow lock the account for
/// LockoutDuration. Failures are the login_failed rows of the audit trail, counted since the latest of:
/// the window's start, the last successful login, the end of the last lock. Identity's own counter
/// (AccessFailedCount) counts consecutive failures with no time window, so it is not used.
/// </summary>
public sealed class LoginLockout(TraderDbContext db, TraderUserManager users, AuditTrail audit, IOptions<TraderApiOptions> options, TimeProvider time)
{
    /// <summary>Records a failed login; returns how long the account is now locked, or null.</summary>
    public async Task<TimeSpan?> RecordFailureAsync(TraderUser user, string? ip, CancellationToken ct)
    {
        var o = options.Value;
        var now = time.GetUtcNow();
        await audit.RecordAsync(user.Id, AuditKinds.LoginFailed, ip, null, ct);

        var from = now - o.LockoutWindow;
        var lastSuccess = await db.Audit.Where(a => a.UserId == user.Id && a.Kind == AuditKinds.LoginSucceeded)
            .MaxAsync(a => (DateTimeOffset?)a.OccurredAt, ct);
        if (lastSuccess > from) from = lastSuccess.Value;
        if (user.LockoutEnd is { } lockEnd && lockEnd <= now && lockEnd > from) from = lockEnd;
        var failures = await db.Audit.CountAsync(a => a.UserId == user.Id && a.Kind == AuditKinds.LoginFailed && a.OccurredAt > from && a.OccurredAt <= now, ct);
        if (failures < o.LockoutFailures) return null;

        await users.SetLockoutEndDateAsync(user, now + o.LockoutDuration);
        await audit.RecordAsync(user.Id, AuditKinds.AccountLocked, ip, $"{failures} failed logins within {o.LockoutWindow}", ct);
        return o.LockoutDuration;
    }
}
