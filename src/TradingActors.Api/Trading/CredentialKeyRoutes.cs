using System.Collections.Concurrent;
using System.Security.Claims;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Npgsql;
using TradingActors.Api.Auth;
using TradingActors.Api.Http;
using TradingActors.Api.Identity;
using TradingActors.Credentials;
using TradingActors.Engine.Hosting;
using TradingActors.Engine.Tenants;
using static TradingActors.Api.Trading.TenantCommands;

namespace TradingActors.Api.Trading;

/// <summary>Tenants whose data key was still wrapped by another master key, and what became of each rewrap.</summary>
public sealed record RewrapResponse(string ActiveMasterKey, int Tenants, int Rewrapped, IReadOnlyList<RewrapFailure> Failed);

public sealed record RewrapFailure(string TenantId, string Reason);

/// <summary>
/// Master key rotation, step 2 (decision 008, docs/operations.md): after the nodes run with the new key active, an admin
/// rewraps every tenant's data key still wrapped by another one. Credentials are never opened or rewritten. Which
/// tenants: the credential_keys read model; running it again rewraps what is left (and costs nothing for the rest).
/// </summary>
public static class CredentialKeyRoutes
{
    private const int Parallelism = 8;

    public static IEndpointRouteBuilder MapCredentialKeyRoutes(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/v1/admin/credential-keys/rewrap", Rewrap).WithTags("admin").RequireAuthorization(TraderPolicies.Admin)
            .WithSummary("Rewrap every tenant's data key under the active master key (rotation step 2; admin)").Returns<RewrapResponse>().ProducesProblems(503);
        return routes;
    }

    private static async Task<IResult> Rewrap(HttpContext http, ClaimsPrincipal principal, ApiDataSources data, KeyRingSource keys, IRequiredActor<TenantRegion> tenants,
        AuditTrail audit, CancellationToken ct)
    {
        var active = keys.Current.Active.Id;
        var stale = new List<string>();
        await using (var command = data.Owner.CreateCommand("SELECT tenant_id FROM credential_keys WHERE master_key_id <> $1 ORDER BY tenant_id"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = active });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) stale.Add(reader.GetString(0));
        }
        var region = await tenants.GetAsync(ct);
        var rewrapped = 0;
        var failed = new ConcurrentBag<RewrapFailure>();
        await Parallel.ForEachAsync(stale, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct }, async (tenant, token) =>
        {
            switch (await AskOrNull(region, new RewrapCredentialKey(tenant), token))
            {
                case CommandAccepted: Interlocked.Increment(ref rewrapped); break;
                case CommandRejected rejected: failed.Add(new RewrapFailure(tenant, rejected.Reason)); break;
                default: failed.Add(new RewrapFailure(tenant, "the tenant did not answer in time; run the rewrap again")); break;
            }
        });
        if (UserId(principal) is { } admin)
            await audit.RecordAsync(admin, AuditKinds.CredentialKeysRewrapped, AuthRoutes.ClientIp(http), $"{rewrapped} of {stale.Count} under {active}", ct);
        return TypedResults.Ok(new RewrapResponse(active, stale.Count, rewrapped, [.. failed.OrderBy(f => f.TenantId, StringComparer.Ordinal)]));
    }
}
