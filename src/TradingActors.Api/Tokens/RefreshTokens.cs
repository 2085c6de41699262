using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TradingActors.Api.Identity;

namespace TradingActors.Api.Tokens;

/// <summary>Who presented a token: kept with each refresh token to describe the session.</summary>
public sealed record ClientInfo(string? IpAddress, string? UserAgent, string? Device);

public sealed record IssuedRefreshToken(string Token, Guid FamilyId, DateTimeOffset ExpiresAt);

public abstract record RefreshOutcome
{
    public sealed record Rotated(Guid UserId, IssuedRefreshToken Next) : RefreshOutcome;
    /// <summary>A spent token was presented again: its whole family is now revoked.</summary>
    public sealed record Reused(Guid UserId, Guid FamilyId) : RefreshOutcome;
    public sealed record Invalid : RefreshOutcome;
}

/// <summary>
/// Refresh tokens: 7 days, single use, rotated within a family (one family per login). Presenting a
/// token that was already used revokes the whole family — whoever holds a copy loses it.
/// </summary>
public sealed class RefreshTokens(TraderDbContext db, IOptions<TraderApiOptions> options, TimeProvider time)
{
    public async Task<IssuedRefreshToken> IssueAsync(Guid userId, Guid? familyId, ClientInfo client, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var token = OpaqueTokens.New();
        var row = new RefreshToken
        {
            Id = Guid.NewGuid(),
            FamilyId = familyId ?? Guid.NewGuid(),
            UserId = userId,
            TokenHash = OpaqueTokens.Hash(token),
            CreatedAt = now,
            ExpiresAt = now + options.Value.RefreshTokenLifetime,
            IpAddress = Truncate(client.IpAddress, 64),
            UserAgent = Truncate(client.UserAgent, 512),
            Device = Truncate(client.Device, 128),
        };
        db.RefreshTokens.Add(row);
        await db.SaveChangesAsync(ct);
        return new IssuedRefreshToken(token, row.FamilyId, row.ExpiresAt);
    }

    public async Task<RefreshOutcome> RotateAsync(string token, ClientInfo client, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var hash = OpaqueTokens.Hash(token);
        var row = await db.RefreshTokens.AsNoTracking().SingleOrDefaultAsync(t => t.TokenHash == hash, ct);
        if (row is null) return new RefreshOutcome.Invalid();
        // Revocation always covers a whole family (or all of a user's): nothing more to do.
        if (row.RevokedAt is not null) return new RefreshOutcome.Invalid();
        if (row.UsedAt is not null)
        {
            await RevokeFamilyAsync(row.FamilyId, "reused", ct);
            return new RefreshOutcome.Reused(row.UserId, row.FamilyId);
        }
        if (row.ExpiresAt <= now) return new RefreshOutcome.Invalid();
        // A family is revoked as a whole, so one revoked row means the family is dead — also for a token
        // issued while the revocation ran (its UPDATE did not see the new row).
        if (await FamilyRevokedAsync(row.FamilyId, ct))
        {
            await RevokeFamilyAsync(row.FamilyId, "family revoked", ct);
            return new RefreshOutcome.Invalid();
        }
        // Spend it atomically: of two concurrent presentations only one rotates; the other is a reuse.
        var spent = await db.RefreshTokens
            .Where(t => t.Id == row.Id && t.UsedAt == null && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), ct);
        if (spent == 0)
        {
            await RevokeFamilyAsync(row.FamilyId, "reused", ct);
            return new RefreshOutcome.Reused(row.UserId, row.FamilyId);
        }
        var next = await IssueAsync(row.UserId, row.FamilyId, client, ct);
        if (await FamilyRevokedAsync(row.FamilyId, ct))
        {
            await RevokeFamilyAsync(row.FamilyId, "family revoked", ct);
            return new RefreshOutcome.Invalid();
        }
        return new RefreshOutcome.Rotated(row.UserId, next);
    }

    private Task<bool> FamilyRevokedAsync(Guid familyId, CancellationToken ct) =>
        db.RefreshTokens.AnyAsync(t => t.FamilyId == familyId && t.RevokedAt != null, ct);

    /// <summary>The family of this token, if it is the user's (logout of one session).</summary>
    public async Task<Guid?> FamilyOfAsync(string token, Guid userId, CancellationToken ct)
    {
        var hash = OpaqueTokens.Hash(token);
        return await db.RefreshTokens.Where(t => t.TokenHash == hash && t.UserId == userId).Select(t => (Guid?)t.FamilyId).SingleOrDefaultAsync(ct);
    }

    public Task<int> RevokeFamilyAsync(Guid familyId, string reason, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        return db.RefreshTokens.Where(t => t.FamilyId == familyId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now).SetProperty(t => t.RevokedReason, reason), ct);
    }

    public Task<int> RevokeAllAsync(Guid userId, string reason, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        return db.RefreshTokens.Where(t => t.UserId == userId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now).SetProperty(t => t.RevokedReason, reason), ct);
    }

    private static string? Truncate(string? value, int max) => value is { Length: > 0 } v ? v.Length <= max ? v : v[..max] : null;
}
