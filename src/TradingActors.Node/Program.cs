using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using Npgsql;
using Serilog;
using TradingActors.Api;
using TradingActors.Api.Auth;
using TradingActors.Engine.Hosting;
using TradingActors.Engine.Observability;
using TradingActors.Engine.ReadModels;
using TradingActors.Node;

var builder = WebApplication.CreateBuilder(args);
// Serilog writes the console; providers registered in DI (none by default, a test's log capture) get every event too.
builder.Logging.ClearProviders();
builder.Host.UseSerilog((context, logger) => logger
    .ReadFrom.Configuration(context.Configuration)
    .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}"),
    writeToProviders: true);

var engine = builder.Configuration.GetSection(TradingEngineOptions.Section).Get<TradingEngineOptions>() ?? new TradingEngineOptions();
var demo = builder.Configuration.GetSection("Trading:Demo").Get<DemoOptions>() ?? new DemoOptions();
builder.Services.AddTradingEngine(engine);
builder.Services.AddSingleton(demo);
builder.Services.AddHostedService<DemoSeeder>();
builder.Services.AddTraderApi(builder.Configuration);

var app = builder.Build();

app.MapGet("/healthz", () => Results.Ok(new { status = "alive" })).AllowAnonymous();

// Ready = this node is an Up cluster member and the journal's database answers. The read models' lag is detail:
// a lagging projection makes reads wait (minVersion), it does not make the node unready.
app.MapGet("/readyz", async (ActorSystem system, CancellationToken ct) =>
{
    var member = Cluster.Get(system).SelfMember;
    var up = member.Status == MemberStatus.Up;
    var journal = await DatabaseReachable(engine.ConnectionString, ct);
    var readModels = journal ? await ReadModelLagOf(engine.ConnectionString, ct) : null;
    var body = new
    {
        status = up && journal ? "ready" : "not ready",
        member = member.Status.ToString(),
        journal = journal ? "reachable" : "unreachable",
        readModels = readModels is null ? null : new { eventsBehind = readModels.EventsBehind, projectedThrough = readModels.ProjectedThrough, updatedAt = readModels.UpdatedAt },
    };
    return up && journal ? Results.Ok(body) : Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
}).AllowAnonymous();

app.MapGet("/summary", async (IRequiredActor<EngineMetricsKey> metrics, CancellationToken ct) =>
    Results.Ok(await (await metrics.GetAsync(ct)).Ask<EngineSummary>(new GetEngineSummary(), TimeSpan.FromSeconds(5), ct)))
    .RequireAuthorization(TraderPolicies.Admin);

app.MapTraderApi();
app.Run();

static async Task<bool> DatabaseReachable(string connectionString, CancellationToken ct)
{
    try
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(timeout.Token);
        await using var command = new NpgsqlCommand("SELECT 1 FROM journal LIMIT 1", connection);
        await command.ExecuteScalarAsync(timeout.Token);
        return true;
    }
    catch (Exception)
    {
        return false;
    }
}

static async Task<ReadModelLag.Lag?> ReadModelLagOf(string connectionString, CancellationToken ct)
{
    try
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(timeout.Token);
        return await ReadModelLag.QueryAsync(connection, timeout.Token);
    }
    catch (Exception)
    {
        return null; // not migrated yet, or the query timed out: no detail rather than no answer
    }
}

/// <summary>The node's entry point; public so WebApplicationFactory can host it in tests.</summary>
public partial class Program;
