using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using Npgsql;
using OpenTelemetry.Metrics;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using TradingActors.Api;
using TradingActors.Api.Auth;
using TradingActors.Api.Http;
using TradingActors.Credentials;
using TradingActors.Engine.Hosting;
using TradingActors.Engine.Observability;
using TradingActors.Engine.ReadModels;
using TradingActors.Node;
using TradingActors.Node.Ops;

var builder = WebApplication.CreateBuilder(args);
var engine = builder.Configuration.GetSection(TradingEngineOptions.Section).Get<TradingEngineOptions>() ?? new TradingEngineOptions();
// Serilog writes the console (text or JSON) and an optional rolling JSON file, every event with this node's address;
// providers registered in DI (none by default, a test's log capture) get every event too.
var logging = builder.Configuration.GetSection(NodeLoggingOptions.Section).Get<NodeLoggingOptions>() ?? new NodeLoggingOptions();
builder.Logging.ClearProviders();
var logLevel = new LoggingLevelSwitch(builder.Configuration.GetValue("Serilog:MinimumLevel:Default", LogEventLevel.Information));
var recentLogs = new RecentLogEvents();
builder.Services.AddSingleton(logLevel);
builder.Services.AddSingleton(recentLogs);
builder.Host.UseSerilog((context, logger) => NodeLogging.Configure(logger.ReadFrom.Configuration(context.Configuration), logging,
        $"{engine.Cluster.Hostname}:{engine.Cluster.Port}", logLevel, recentLogs),
    writeToProviders: true);

// The master keys that wrap the tenants' data keys (decision 008): refused at start when missing or malformed.
var credentialKeys = new KeyRingSource((builder.Configuration.GetSection(CredentialKeyOptions.Section).Get<CredentialKeyOptions>() ?? new CredentialKeyOptions()).LoadKeyRing());
engine.CredentialKeys = credentialKeys;
builder.Services.AddSingleton(credentialKeys);
var demo = builder.Configuration.GetSection("Trading:Demo").Get<DemoOptions>() ?? new DemoOptions();
builder.Services.AddTradingEngine(engine);
// The trader API (its schema, identity, routes) and the demo only where the node has the api role (decision 015).
var servesApi = engine.Cluster.Has(NodeRoles.Api);
builder.Services.AddSingleton(demo);
if (servesApi)
{
    builder.Services.AddHostedService<DemoSeeder>();
    builder.Services.AddTraderApi(builder.Configuration);
}
// Prometheus /metrics: the engine's instruments (docs/operations.md, Metrics), the read models' lag, and what
// ASP.NET Core, Kestrel and the runtime publish themselves.
builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
    .AddMeter(EngineInstruments.MeterName, ProjectionStatus.MeterName,
        "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Runtime")
    .AddPrometheusExporter());

// Stopping: readiness turns false first and stays so for Trading:ShutdownDrain, then the node leaves (NodeDrain).
var drain = new NodeDrain(builder.Configuration.GetValue("Trading:ShutdownDrain", TimeSpan.FromSeconds(5)));
builder.Services.AddHostedService(_ => drain);

var app = builder.Build();

app.MapGet("/healthz", () => Results.Ok(new Liveness("alive"))).AllowAnonymous()
    .WithTags("node").WithSummary("Liveness: the process answers").Returns<Liveness>();

// Ready = this node is an Up cluster member, the journal's database answers, and its duties can be done: an api node
// needs an Up engine node to send tenants' commands to. The read models' lag is detail: a lagging projection makes
// reads wait (minVersion), it does not make the node unready.
var roles = engine.Cluster.RoleList.ToArray();
app.MapGet("/readyz", async (ActorSystem system, CancellationToken ct) =>
{
    var cluster = Cluster.Get(system);
    var member = cluster.SelfMember;
    var state = cluster.State;
    var engines = state.Members.Count(m => m.Status == MemberStatus.Up && m.HasRole(NodeRoles.Engine) && !state.Unreachable.Contains(m));
    if (drain.Stopping)
        return Results.Json(new Readiness("stopping", member.Status.ToString(), roles, engines, "not checked", null), statusCode: StatusCodes.Status503ServiceUnavailable);
    var up = member.Status == MemberStatus.Up;
    var dutiesPossible = !servesApi || engines > 0;
    var journal = await DatabaseReachable(engine.ConnectionString, ct);
    var lag = journal ? await ReadModelLagOf(engine.ConnectionString, ct) : null;
    var ready = up && dutiesPossible && journal;
    var body = new Readiness(ready ? "ready" : "not ready", member.Status.ToString(), roles, engines, journal ? "reachable" : "unreachable",
        lag is null ? null : new ReadModelReadiness(lag.EventsBehind, lag.ProjectedThrough, lag.UpdatedAt));
    return ready ? Results.Ok(body) : Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
}).AllowAnonymous()
    .WithTags("node").WithSummary("Readiness: an Up cluster member whose journal database answers and, on an api node, with an engine node Up")
    .Returns<Readiness>().Returns<Readiness>(503);

// The operators' scrape, not the trader API (not in the OpenAPI document); no tenant's data in it.
app.MapPrometheusScrapingEndpoint("/metrics").WithMetadata(new HttpMethodMetadata(["GET"])).AllowAnonymous().ExcludeFromDescription();

// The operators' surface for tradectl, on every node (decision 017).
app.MapOpsRoutes(builder.Configuration.GetSection(OpsOptions.Section).Get<OpsOptions>() ?? new OpsOptions(), engine, demo);

if (servesApi)
{
    app.MapGet("/summary", async (IRequiredActor<EngineMetricsKey> metrics, CancellationToken ct) =>
        Results.Ok(await (await metrics.GetAsync(ct)).Ask<EngineSummary>(new GetEngineSummary(), TimeSpan.FromSeconds(5), ct)))
        .RequireAuthorization(TraderPolicies.Admin)
        .WithTags("node").WithSummary("The engine's counters and strategies (admin)").Returns<EngineSummary>();
    app.MapTraderApi();
}
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
