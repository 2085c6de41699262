using Microsoft.EntityFrameworkCore;
using TradingActors.Api.Identity;

namespace TradingActors.Api.Tokens;

/// <summary>
/// Single-use expiring tokens sent by mail (email verification, password reset). Stored as SHA-256 in
/// email_tokens, so they work on every node (Identity's data-protection token providers would need a
/// shared key ring) and are spent by one conditional UPDATE. A new token of a purpose voids the older ones.
/// </summary>
public sealed class MailedTokens(TraderDbContext db, TimeProvider time)
{
    public async Task<string> IssueAsync(Guid userId, string purpose, TimeSpan lifetime, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await db.EmailTokens.Where(t => t.UserId == userId && t.Purpose == purpose && t.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), ct);
        var token = OpaqueTokens.New();
        db.EmailTokens.Add(new EmailToken
        {
            Id = Guid.NewGuid(), UserId = userId, Purpose = purpose, TokenHash = OpaqueTokens.Hash(token),
            CreatedAt = now, ExpiresAt = now + lifetime,
        });
        await db.SaveChangesAsync(ct);
        return token;
    }

    /// <summary>The token's row if it is valid now (unused, unexpired, of this purpose), without spending it.</summary>
    public async Task<EmailToken?> FindValidAsync(string token, string purpose, CancellationToken ct)
    {
        var hash = OpaqueTokens.Hash(token);
        var now = time.GetUtcNow();
        return await db.EmailTokens.AsNoTracking()
            .SingleOrDefaultAsync(t => t.TokenHash == hash && t.Purpose == purpose && t.UsedAt == null && t.ExpiresAt > now, ct);
    }

    /// <summary>Spends a valid token; false when it was spent meanwhile or has expired.</summary>
    public async Task<bool> SpendAsync(EmailToken row, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        return await db.EmailTokens.Where(t => t.Id == row.Id && t.UsedAt == null && t.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), ct) == 1;
    }
}
