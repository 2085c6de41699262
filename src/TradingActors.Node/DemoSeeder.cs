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
    private const int SeedingParallelism = 16;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (demo.Tenants <= 0) return;
        var region = await tenants.GetAsync(stoppingToken);
        var strategy = engine.Strategies[0].Id;
        var created = 0;
        // Tenants are independent: seeding several at once keeps each tenant's own steps in order while
        // the journal's write latency overlaps (one at a time took minutes for a few hundred on a busy machine).
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = SeedingParallelism, CancellationToken = stoppingToken };
        await Parallel.ForEachAsync(Enumerable.Range(1, demo.Tenants), parallel, async (i, ct) =>
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
                var reply = await Ask(region, step, ct);
                if (reply is CommandAccepted && step is CreateTenant) Interlocked.Increment(ref created);
            }
        });
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
