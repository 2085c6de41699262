using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TradingActors.Api.Auth;
using TradingActors.Api.Identity;
using Akka.Actor;
using Akka.Hosting;
using TradingActors.Api.Tenancy;
using TradingActors.Api.Trading;
using TradingActors.Domain.Bots;
using TradingActors.Engine.Hosting;
using TradingActors.Engine.Tenants;

namespace TradingActors.Api.Demo;

/// <summary>
/// Seeds the verified demo user of Trading:Api:Demo (run.sh prints its login), with its tenant and paper
/// account. Idempotent: an existing demo user gets the configured password again and stays verified.
/// Tries again on failure (the engine still forming, another node seeding at the same moment); it never
/// throws, since a background service that throws stops the host.
/// </summary>
public sealed class DemoTrader(IServiceScopeFactory scopes, IOptions<TraderApiOptions> options, ILogger<DemoTrader> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var demo = options.Value.Demo;
        if (string.IsNullOrWhiteSpace(demo.Email)) return;
        for (var attempt = 1; attempt <= 30 && !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                if (await SeedAsync(demo, stoppingToken)) return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning("demo: seeding {Email} failed ({Error}); trying again", demo.Email, e.GetType().Name);
            }
            try { await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>True when the user is ready; false when the attempt should be repeated.</summary>
    private async Task<bool> SeedAsync(DemoTraderSettings demo, CancellationToken ct)
    {
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
                return created.Errors.Any(e => e.Code is "DuplicateEmail" or "DuplicateUserName") ? false : true;
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

        if (!await scope.ServiceProvider.GetRequiredService<TenantProvisioning>().EnsureAsync(user, users, ct)) return false;
        if (!await TradeAsync(demo, scope.ServiceProvider.GetRequiredService<IActorRegistry>().Get<TenantRegion>(), user.TenantId!, ct)) return false;
        log.LogInformation("demo: user {Email} is ready (tenant {Tenant} with its paper account)", demo.Email, user.TenantId);
        return true;
    }

    /// <summary>
    /// The demo's own trading, idempotent: the shared strategy followed on the paper account and a personal DCA bot beside it
    /// (decision 028), started. What is already so is left as it is.
    /// </summary>
    private async Task<bool> TradeAsync(DemoTraderSettings demo, IActorRef tenants, string tenant, CancellationToken ct)
    {
        var state = await TenantCommands.StateOfAsync(tenants, tenant, ct);
        if (demo.FollowStrategy.Length > 0 && !state.Subscriptions.Values.Any(s => s.StrategyId == demo.FollowStrategy)
            && await TenantCommands.AskOrNull(tenants, new SubscribeToStrategy(tenant, demo.FollowStrategy, TenantProvisioning.PaperAccountId, 1_000m), ct) is not CommandAccepted)
            return false;
        if (demo.DemoBotBarSeconds <= 0) return true;
        if (!state.BotsById.ContainsKey(DemoBot))
        {
            var symbol = state.Subscriptions.Values.FirstOrDefault(s => s.StrategyId == demo.FollowStrategy)?.Symbol ?? "BTCUSDT";
            var config = new BotConfig(DemoBot, "dca", symbol, TenantProvisioning.PaperAccountId,
                """{"base_order":200,"safety_order":200,"max_safety_orders":3,"price_deviation":0.3,"volume_scale":1.5,"take_profit":0.3,"ema_filter":0}""",
                Budget: 2_000m, BarSeconds: demo.DemoBotBarSeconds, new BotRisk(MaxDrawdownPercent: 25m));
            if (await TenantCommands.AskOrNull(tenants, new CreateBot(tenant, config), ct) is not CommandAccepted) return false;
            if (await TenantCommands.AskOrNull(tenants, new StartBot(tenant, DemoBot), ct) is not CommandAccepted) return false;
            log.LogInformation("demo: DCA bot {Bot} on {Symbol} started beside the shared strategy {Strategy}", DemoBot, symbol, demo.FollowStrategy);
        }
        return true;
    }

    public const string DemoBot = "demo-dca";
}
