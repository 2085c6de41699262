using Akka.Actor;
using Akka.Hosting;
using TradingActors.Engine;
using TradingActors.Engine.Hosting;
using TradingActors.Engine.Tenants;

namespace TradingActors.Node;

public sealed class DemoOptions
{
    public int Tenants { get; set; }
    public decimal StartingCash { get; set; } = 10_000m;
    public decimal Budget { get; set; } = 1_000m;
}

/// <summary>
/// Seeds paper tenants subscribed to the first strategy, so a new user sees orders flowing.
/// Idempotent: an existing tenant, account or subscription is left as it is.
/// </summary>
public sealed class DemoSeeder(IRequiredActor<TenantRegion> tenants, TradingEngineOptions engine, DemoOptions demo, ILogger<DemoSeeder> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (demo.Tenants <= 0) return;
        var region = await tenants.GetAsync(stoppingToken);
        var strategy = engine.Strategies[0].Id;
        var created = 0;
        for (var i = 1; i <= demo.Tenants && !stoppingToken.IsCancellationRequested; i++)
        {
            var id = $"demo-{i:D4}";
            var steps = new ITenantCommand[]
            {
                new CreateTenant(id, $"Demo trader {i}"),
                new LinkPaperAccount(id, "paper-1", demo.StartingCash),
                new SubscribeToStrategy(id, strategy, "paper-1", demo.Budget),
            };
            foreach (var step in steps)
            {
                var reply = await Ask(region, step, stoppingToken);
                if (reply is CommandAccepted && step is CreateTenant) created++;
            }
        }
        log.LogInformation("demo: {Total} paper tenants subscribed to {Strategy} ({Created} new)", demo.Tenants, strategy, created);
    }

    private static async Task<object> Ask(IActorRef region, ITenantCommand command, CancellationToken ct)
    {
        // The cluster may still be forming: retry until the region answers.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await region.Ask<object>(command, TimeSpan.FromSeconds(10), ct);
            }
            catch (AskTimeoutException) when (attempt < 30 && !ct.IsCancellationRequested)
            {
            }
        }
    }
}
