using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using TradingActors.Api.Auth;
using Microsoft.Extensions.Options;
using Npgsql;
using TradingActors.Api.Trading;
using TradingActors.Domain.Billing;

namespace TradingActors.Api.Billing;

/// <summary>
/// Each user's API rate tier, from their plan (decision 032): read from the tenant_plans read model through the caller's own
/// row-level-secured read and kept for <see cref="TraderApiOptions.RateTierCacheLifetime"/>, so a plan change reaches the
/// limit within it and a request costs no read most of the time. A tenant without a row is on the legacy plan (standard).
/// </summary>
public sealed class PlanRateTiers(TenantReads reads, IOptions<TraderApiOptions> options, TimeProvider time)
{
    public const string ItemKey = "tradingactors.rate-tier";

    private readonly ConcurrentDictionary<string, (string Tier, DateTimeOffset Until)> _known = new(StringComparer.Ordinal);

    public async ValueTask<ApiRateTier> TierOfAsync(string tenantId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (!_known.TryGetValue(tenantId, out var known) || known.Until <= now)
        {
            var tier = await reads.ReadAsync(tenantId, async (connection, tx) =>
            {
                await using var command = new NpgsqlCommand("SELECT rate_tier FROM tenant_plans", connection, tx);
                return await command.ExecuteScalarAsync(ct) as string;
            }, ct) ?? Plan.Legacy.ApiRateTier;
            known = (tier, now + options.Value.RateTierCacheLifetime);
            _known[tenantId] = known;
        }
        return options.Value.Tier(known.Tier);
    }

    /// <summary>Forgets the user's tier (their plan just changed through this node): the next request reads it again.</summary>
    public void Forget(string tenantId) => _known.TryRemove(tenantId, out _);

    /// <summary>
    /// Before the rate limiter: the signed-in caller's tier, for the per-user policy to partition by (the limiter's policy
    /// cannot wait for a read itself).
    /// </summary>
    public static async Task Resolve(HttpContext http, Func<Task> next)
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName == TraderPolicies.UserRateLimit
            && ReadRoutes.TenantOf(http.User) is { } tenant)
            http.Items[ItemKey] = await http.RequestServices.GetRequiredService<PlanRateTiers>().TierOfAsync(tenant, http.RequestAborted);
        await next();
    }
}
