using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TradingActors.Api.Auth;
using TradingActors.Api.Identity;
using TradingActors.Api.Tenancy;

namespace TradingActors.Api.Demo;

/// <summary>
/// Seeds the verified demo user of Trading:Api:Demo (run.sh prints its login), with its tenant and paper
/// account. Idempotent: an existing demo user gets the configured password again and stays verified.
/// </summary>
public sealed class DemoTrader(IServiceScopeFactory scopes, IOptions<TraderApiOptions> options, ILogger<DemoTrader> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var demo = options.Value.Demo;
        if (string.IsNullOrWhiteSpace(demo.Email)) return;
        using var scope = scopes.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<TraderUserManager>();
        var time = scope.ServiceProvider.GetRequiredService<TimeProvider>();
        var user = await users.FindByEmailAsync(demo.Email);
        if (user is null)
        {
            var now = time.GetUtcNow();
            user = new TraderUser { Id = Guid.CreateVersion7(now), Email = demo.Email, UserName = demo.Email, CreatedAt = now, EmailConfirmed = true, LockoutEnabled = true };
            var created = await users.CreateAsync(user, demo.Password);
            if (!created.Succeeded)
            {
                log.LogError("demo user not created: {Errors}", string.Join("; ", created.Errors.Select(e => e.Description)));
                return;
            }
        }
        else
        {
            user.PasswordHash = users.PasswordHasher.HashPassword(user, demo.Password);
            user.EmailConfirmed = true;
            user.LockoutEnd = null;
            await users.UpdateSecurityStampAsync(user);
        }
        var roles = demo.Roles.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Append(TraderPolicies.User).Distinct()
            .Where(r => TraderPolicies.Roles.Contains(r));
        foreach (var role in roles)
            if (!await users.IsInRoleAsync(user, role)) await users.AddToRoleAsync(user, role);

        var tenants = scope.ServiceProvider.GetRequiredService<TenantProvisioning>();
        // The engine may still be forming its cluster: try until it answers.
        for (var attempt = 0; attempt < 30 && !stoppingToken.IsCancellationRequested; attempt++)
        {
            if (await tenants.EnsureAsync(user, users, stoppingToken))
            {
                log.LogInformation("demo: user {Email} is ready (tenant {Tenant} with its paper account)", demo.Email, user.TenantId);
                return;
            }
            await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
        }
    }
}
