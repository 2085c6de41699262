using System.Globalization;
using System.Security.Claims;
using Npgsql;
using TradingActors.Api.Trading;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using TradingActors.Api.Http;
using TradingActors.Api.Identity;
using TradingActors.Api.Tokens;

namespace TradingActors.Api.Auth;

/// <summary>
/// /api/v1/auth/sessions: the caller's active sessions (one per refresh-token family) and revoking one;
/// /api/v1/audit: the caller's audit trail. Every query is by the caller's user id: another user's
/// session id is simply not found.
/// </summary>
public static class SessionRoutes
{
    public const int DefaultAuditPage = 50;
    public const int MaxAuditPage = 200;

    public static RouteGroupBuilder MapSessionRoutes(this RouteGroupBuilder auth)
    {
        auth.MapGet("/sessions", Sessions).RequireAuthorization(TraderPolicies.User)
            .WithSummary("The caller's active sessions").Returns<SessionResponse[]>();
        auth.MapDelete("/sessions/{id}", Revoke).RequireAuthorization(TraderPolicies.User)
            .WithSummary("Revoke one of the caller's sessions").Returns(204).ProducesProblems(404);
        return auth;
    }

    public static IEndpointRouteBuilder MapAuditRoutes(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/audit", Audit).WithTags("audit").RequireAuthorization(TraderPolicies.User)
            .WithSummary("The caller's audit trail, newest first (pages by ?before=)").Returns<AuditPageResponse>().ProducesProblems(400);
        return routes;
    }

    private static async Task<IResult> Sessions(HttpContext http, ClaimsPrincipal principal, CancellationToken ct)
    {
        if (UserId(principal) is not { } userId) return TypedResults.Unauthorized();
        var s = http.RequestServices;
        var now = s.GetRequiredService<TimeProvider>().GetUtcNow();
        var db = s.GetRequiredService<TraderDbContext>();
        // A family is active while none of its tokens is revoked and its newest token has not expired;
        // each rotation issues a token, so the newest one says when and from where it was last used.
        var tokens = await db.RefreshTokens.AsNoTracking().Where(t => t.UserId == userId).ToListAsync(ct);
        Guid? current = Guid.TryParse(principal.FindFirstValue(AccessTokens.SessionClaim), out var sid) ? sid : null;
        var sessions = tokens.GroupBy(t => t.FamilyId)
            .Where(f => f.All(t => t.RevokedAt == null) && f.Max(t => t.ExpiresAt) > now)
            .Select(f =>
            {
                var first = f.MinBy(t => t.CreatedAt)!;
                var last = f.MaxBy(t => t.CreatedAt)!;
                return new SessionResponse(f.Key, last.Device ?? first.Device, last.IpAddress, last.UserAgent, first.CreatedAt, last.CreatedAt, f.Key == current);
            })
            .OrderByDescending(x => x.LastSeenAt)
            .ToArray();
        return TypedResults.Ok(sessions);
    }

    private static async Task<IResult> Revoke(string id, HttpContext http, ClaimsPrincipal principal, CancellationToken ct)
    {
        if (UserId(principal) is not { } userId) return TypedResults.Unauthorized();
        var s = http.RequestServices;
        var db = s.GetRequiredService<TraderDbContext>();
        // Only the caller's own, still active family: anything else is the same 404 (no probing).
        if (!Guid.TryParse(id, out var familyId)
            || !await db.RefreshTokens.AnyAsync(t => t.FamilyId == familyId && t.UserId == userId, ct)
            || await db.RefreshTokens.AnyAsync(t => t.FamilyId == familyId && t.RevokedAt != null, ct))
            return SessionNotFound();
        await s.GetRequiredService<RefreshTokens>().RevokeFamilyAsync(familyId, "session revoked", ct);
        await s.GetRequiredService<AuditTrail>().RecordAsync(userId, AuditKinds.SessionRevoked, AuthRoutes.ClientIp(http), $"session {familyId}", ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> Audit(HttpContext http, ClaimsPrincipal principal, int? limit, string? before, CancellationToken ct)
    {
        if (UserId(principal) is not { } userId) return TypedResults.Unauthorized();
        var errors = new Dictionary<string, string[]>();
        if (limit is < 1 or > MaxAuditPage) errors["limit"] = [$"The limit is between 1 and {MaxAuditPage}."];
        long? cursor = null;
        if (before is not null)
        {
            if (long.TryParse(before, NumberStyles.None, CultureInfo.InvariantCulture, out var b)) cursor = b;
            else errors["before"] = ["The cursor is the nextCursor of a previous page."];
        }
        if (errors.Count > 0) return Problems.Validation(errors);

        var take = limit ?? DefaultAuditPage;
        // No user filter: row level security limits the reader to the caller's trail (the tenant set by TenantReads).
        var rows = await http.RequestServices.GetRequiredService<TenantReads>().ReadAsync(userId.ToString("N"), async (connection, tx) =>
        {
            await using var command = new NpgsqlCommand(
                "SELECT id, kind, occurred_at, ip_address, detail FROM audit WHERE ($1::bigint IS NULL OR id < $1) ORDER BY id DESC LIMIT $2", connection, tx);
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)cursor ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
            // One more than the page: whether a next page exists, without a count.
            command.Parameters.Add(new NpgsqlParameter { Value = take + 1 });
            var list = new List<AuditEntryResponse>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                list.Add(new AuditEntryResponse(reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
            return list;
        }, ct);
        var page = rows.Take(take).ToArray();
        var next = rows.Count > take ? page[^1].Id.ToString(CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new AuditPageResponse(page, next));
    }

    private static Guid? UserId(ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(JwtRegisteredClaimNames.Sub), out var id) ? id : null;

    private static IResult SessionNotFound() =>
        Problems.Status(StatusCodes.Status404NotFound, "session-not-found", "Session not found", "No active session of yours has this id.");
}
