namespace TradingActors.Api.Identity;

/// <summary>Writes the audit trail. Callers pass kinds and short details — never a password, token or secret.</summary>
public sealed class AuditTrail(TraderDbContext db, TimeProvider time)
{
    public async Task RecordAsync(Guid? userId, string kind, string? ipAddress, string? detail, CancellationToken ct)
    {
        db.Audit.Add(new AuditEntry { UserId = userId, Kind = kind, OccurredAt = time.GetUtcNow(), IpAddress = ipAddress, Detail = detail });
        await db.SaveChangesAsync(ct);
    }
}
