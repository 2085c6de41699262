using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TradingActors.Api.Identity;
using TradingActors.Engine.Hosting;
using TradingActors.Engine.Tenants;

using static TradingActors.Api.Trading.TenantCommands;

namespace TradingActors.Api.Tenancy;

/// <summary>
/// A user is a tenant: makes sure the engine has the user's tenant and its paper account. Idempotent —
/// it asks the tenant what exists and sends only what is missing, so a retry (after a timeout, a crash,
/// a second registration attempt) never fails on what an earlier attempt already did.
/// </summary>
public sealed class TenantProvisioning(IRequiredActor<TenantRegion> tenants, IOptions<TraderApiOptions> options, TimeProvider time, ILogger<TenantProvisioning> log)
{
    public const string PaperAccountId = "paper-1";

    /// <summary>True when the tenant and its paper account exist (the user row is then marked provisioned).</summary>
    public async Task<bool> EnsureAsync(TraderUser user, TraderUserManager users, CancellationToken ct)
    {
        if (user.TenantProvisionedAt is not null) return true;
        try
        {
            var region = await tenants.GetAsync(ct);
            var id = user.TenantId;
            var state = await StateOfAsync(region, id, ct);
            if (!state.Exists)
                await region.Ask<object>(new CreateTenant(id, "trader " + id[..8], options.Value.SignUpPlan), AskTimeout, ct);
            if (!state.Accounts.ContainsKey(PaperAccountId))
                await region.Ask<object>(new LinkPaperAccount(id, PaperAccountId, options.Value.PaperStartingCash), AskTimeout, ct);
            // Whatever the replies said (a racing attempt may have done it first), the tenant's state decides.
            state = await StateOfAsync(region, id, ct);
            if (!state.Exists || !state.Accounts.ContainsKey(PaperAccountId))
            {
                log.LogWarning("tenant {Tenant} is not provisioned yet; retried at the next verification or login", id);
                return false;
            }
            user.TenantProvisionedAt = time.GetUtcNow();
            await users.UpdateAsync(user);
            return true;
        }
        catch (AskTimeoutException)
        {
            log.LogWarning("tenant {Tenant}: the engine did not answer; provisioning is retried at the next verification or login", user.TenantId);
            return false;
        }
    }
}
