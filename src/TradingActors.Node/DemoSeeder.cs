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
    public const int DefaultParallelism = 16;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (demo.Tenants <= 0) return;
        var region = await tenants.GetAsync(stoppingToken);
        var seeded = await DemoTenants.SeedAsync(region, engine.Strategies[0].Id, demo, demo.Tenants, DefaultParallelism, stoppingToken);
        log.LogInformation("demo: {Total} paper tenants subscribed to {Strategy} ({Created} new)", demo.Tenants, seeded.Strategy, seeded.Created);
    }
}

/// <summary>
/// The demo tenants demo-0001…demo-N: a paper account and a subscription to <c>strategy</c> each, through the tenant
/// region like any command. Used at start (<see cref="DemoSeeder"/>) and on demand by operators (POST /ops/demo/tenants).
/// </summary>
public static class DemoTenants
{
    public sealed record Seeded(string Strategy, int Tenants, int Created, int Rejected, string? FirstRejection);

    public static async Task<Seeded> SeedAsync(IActorRef region, string strategy, DemoOptions demo, int count, int parallelism, CancellationToken ct)
    {
        var created = 0;
        var rejected = 0;
        string? firstRejection = null;
        // Tenants are independent: seeding several at once keeps each tenant's own steps in order while
        // the journal's write latency overlaps (one at a time took minutes for a few hundred on a busy machine).
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct };
        await Parallel.ForEachAsync(Enumerable.Range(1, count), parallel, async (i, token) =>
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
                var reply = await Ask(region, step, token);
                if (reply is CommandAccepted && step is CreateTenant) Interlocked.Increment(ref created);
                // A tenant seeded before answers "already exists"; counted, so a caller can tell it from a failure.
                if (reply is CommandRejected r && Interlocked.Increment(ref rejected) == 1) firstRejection = $"{id} {r.Command}: {r.Reason}";
            }
        });
        return new Seeded(strategy, count, created, rejected, firstRejection);
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
