using System.Net;
using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Hosting;
using Serilog.Core;
using Serilog.Events;
using TradingActors.Engine;
using TradingActors.Engine.Fanout;
using TradingActors.Engine.Hosting;
using TradingActors.Engine.Observability;
using TradingActors.Domain.Strategies;
using TradingActors.Engine.Strategies;
using TradingActors.Engine.Tenants;
using TradingActors.Domain.Orders;

namespace TradingActors.Node.Ops;

/// <summary>Trading:Ops: the operators' surface for tradectl (decision 017).</summary>
public sealed class OpsOptions
{
    public const string Section = "Trading:Ops";

    /// <summary>The operator token tradectl sends as a bearer token. Empty: no /ops routes on this node.</summary>
    public string Token { get; set; } = "";

    /// <summary>Off: only callers on this host (loopback) may use /ops, whatever their token.</summary>
    public bool AllowRemote { get; set; }

    public override string ToString() => $"OpsOptions {{ Token = {(Token.Length > 0 ? "set" : "none")}, AllowRemote = {AllowRemote} }}";

    public void Validate()
    {
        if (Token.Length is > 0 and < 24) throw new ArgumentException("Trading:Ops:Token must be at least 24 characters");
    }
}

/// <summary>
/// /ops on every node (any role): cluster membership and actions, sharding, singletons, pub-sub, tenants and
/// strategies, as JSON for tradectl. Guarded by the operator token and, unless allowed, to loopback callers; not in
/// the trader API's OpenAPI document.
/// </summary>
public static class OpsRoutes
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);
    private static readonly string[] ShardedTypes = ["tenant", "fanout", "strategy"];
    private static readonly System.Text.Json.JsonSerializerOptions JsonWeb = new(System.Text.Json.JsonSerializerDefaults.Web);

    public static WebApplication MapOpsRoutes(this WebApplication app, OpsOptions options, TradingEngineOptions engine, DemoOptions? demo = null)
    {
        options.Validate();
        if (options.Token.Length == 0) return app;
        var directory = app.Services.GetRequiredService<StrategyCatalogView>();
        var ops = app.MapGroup("/ops").AllowAnonymous().ExcludeFromDescription()
            .AddEndpointFilter((context, next) => Guard(context.HttpContext, options) ?? next(context));

        ops.MapGet("/cluster", (ActorSystem system) => ClusterOf(Cluster.Get(system)));
        // Server-sent events, one membership or reachability change each, until the caller hangs up.
        ops.MapGet("/cluster/events", async (ActorSystem system, HttpContext http, CancellationToken ct) =>
        {
            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            await http.Response.WriteAsync(": following\n\n", ct);
            await http.Response.Body.FlushAsync(ct);
            try
            {
                await foreach (var e in MembershipEvents.FollowAsync(system, TimeProvider.System, ct))
                {
                    await http.Response.WriteAsync($"data: {System.Text.Json.JsonSerializer.Serialize(e, JsonWeb)}\n\n", ct);
                    await http.Response.Body.FlushAsync(ct);
                }
            }
            catch (OperationCanceledException) { } // the caller hung up
        });
        ops.MapPost("/cluster/leave", (ActorSystem system, AddressBody body) => WithMember(system, body, (cluster, address) => cluster.Leave(address)));
        ops.MapPost("/cluster/down", (ActorSystem system, AddressBody body) => WithMember(system, body, (cluster, address) => cluster.Down(address)));
        ops.MapPost("/cluster/down-unreachable", (ActorSystem system) =>
        {
            var cluster = Cluster.Get(system);
            var unreachable = cluster.State.Unreachable.Select(m => m.Address).ToArray();
            foreach (var address in unreachable) cluster.Down(address);
            return Results.Ok(new OpsDowned(unreachable.Select(a => a.ToString()).ToArray()));
        });
        ops.MapPost("/cluster/join", (ActorSystem system, AddressBody body) =>
        {
            if (Parse(body.Address) is not { } address) return BadAddress(body.Address);
            Cluster.Get(system).Join(address);
            return Results.Accepted(value: new OpsAction("join", address.ToString()));
        });

        ops.MapGet("/sharding/regions", async (ActorSystem system) =>
        {
            var regions = new List<OpsRegion>();
            foreach (var type in ShardedTypes)
            {
                var state = await ClusterSharding.Get(system).ShardRegion(type).Ask<CurrentShardRegionState>(GetShardRegionState.Instance, AskTimeout);
                regions.Add(new OpsRegion(type, state.Shards.Count, state.Shards.Sum(s => s.EntityIds.Count), engine.Cluster.Has(NodeRoles.Engine)));
            }
            return Results.Ok(regions);
        });
        ops.MapGet("/sharding/{type}/stats", async (ActorSystem system, string type) =>
            await StatsOf(system, type) is { } stats
                ? Results.Ok(stats.Regions.Select(r => new OpsRegionStats(r.Key.ToString(), r.Value.Stats.Count, r.Value.Stats.Values.Sum()))
                    .OrderBy(r => r.Node, StringComparer.Ordinal).ToArray())
                : UnknownType(type));
        ops.MapGet("/sharding/{type}/shards", async (ActorSystem system, string type) =>
            await StatsOf(system, type) is { } stats
                ? Results.Ok(stats.Regions.SelectMany(r => r.Value.Stats.Select(s => new OpsShard(s.Key, r.Key.ToString(), s.Value)))
                    .OrderBy(s => s.Shard, StringComparer.Ordinal).ToArray())
                : UnknownType(type));
        ops.MapGet("/sharding/locate/{tenantId}", async (ActorSystem system, string tenantId) =>
        {
            var shard = new EngineMessageExtractor(engine.TenantShards).ShardId(new GetPortfolio(tenantId));
            var stats = (await StatsOf(system, "tenant"))!;
            var node = stats.Regions.FirstOrDefault(r => r.Value.Stats.ContainsKey(shard)).Key;
            return Results.Ok(new OpsLocation(tenantId, shard, node?.ToString()));
        });

        ops.MapGet("/singletons/{name}", (ActorSystem system, string name) =>
        {
            var role = name switch
            {
                "feed" => NodeRoles.Feed,
                "read-model-projection" => NodeRoles.Api,
                "strategy-catalog" or "request-budgets" => NodeRoles.Engine,
                _ => null,
            };
            if (role is null)
                return Results.Problem(statusCode: 404, title: "Unknown singleton",
                    detail: $"'{name}' is not a singleton here; they are feed, read-model-projection, strategy-catalog and request-budgets (strategies are sharded: tradectl strategies list shows their nodes)",
                    type: "unknown-singleton");
            // A singleton runs on the oldest Up member with its role.
            var host = Cluster.Get(system).State.Members.Where(m => m.Status == MemberStatus.Up && m.HasRole(role))
                .OrderBy(m => m, Member.AgeOrdering).FirstOrDefault();
            return Results.Ok(new OpsSingleton(name, role, host?.Address.ToString()));
        });

        ops.MapGet("/pubsub/topics", async (ActorSystem system) =>
        {
            var topics = await DistributedPubSub.Get(system).Mediator.Ask<CurrentTopics>(GetTopics.Instance, AskTimeout);
            return Results.Ok(topics.Topics.Order(StringComparer.Ordinal).ToArray());
        });

        ops.MapGet("/tenants/{tenantId}", async (IRequiredActor<TenantRegion> tenants, string tenantId, CancellationToken ct) =>
        {
            var state = await TenantStateOf(await tenants.GetAsync(ct), tenantId, ct);
            return state.Exists ? Results.Ok(TenantView(state, engine.Time.GetUtcNow())) : UnknownTenant(tenantId);
        });
        ops.MapPost("/tenants/{tenantId}/suspend", async (IRequiredActor<TenantRegion> tenants, string tenantId, SuspendBody? body, CancellationToken ct) =>
            await TenantCommand(await tenants.GetAsync(ct), tenantId, new SuspendTenant(tenantId, body?.Reason ?? "suspended by an operator"), engine.Time, ct));
        ops.MapPost("/tenants/{tenantId}/resume", async (IRequiredActor<TenantRegion> tenants, string tenantId, CancellationToken ct) =>
            await TenantCommand(await tenants.GetAsync(ct), tenantId, new ResumeTenant(tenantId), engine.Time, ct));
        // Plans (decision 034): what is on sale, and an operator's move of a tenant to one (support, a grant).
        ops.MapGet("/plans", (Engine.Billing.PlanCatalogView plans) => Results.Ok(plans.Current.Plans.Select(p =>
            new OpsPlan(p.Id, p.Name, p.MaxBots, p.MaxPairs, Unlimited(p.MaxSubscriptions), Unlimited(p.TradesPerDay), Unlimited(p.OpenPositions), p.LiveTrading,
                p.ApiRateTier, p.MonthlyPrice, p.YearlyPrice)).ToArray()));
        ops.MapPost("/tenants/{tenantId}/plan", async (IRequiredActor<TenantRegion> tenants, string tenantId, OpsPlanBody body, CancellationToken ct) =>
            string.IsNullOrWhiteSpace(body.PlanId)
                ? Results.Problem(statusCode: 400, title: "Plan required", detail: "give the plan's id", type: "plan-required")
                : await TenantCommand(await tenants.GetAsync(ct), tenantId, new ChangeTenantPlan(tenantId, body.PlanId.Trim(), body.PeriodEnd), engine.Time, ct));
        // A tenant's bots (decision 028), and an operator's stop of one (its open orders cancelled; close: its position sold).
        ops.MapGet("/tenants/{tenantId}/bots", async (IRequiredActor<TenantRegion> tenants, string tenantId, CancellationToken ct) =>
        {
            var state = await TenantStateOf(await tenants.GetAsync(ct), tenantId, ct);
            return state.Exists ? Results.Ok(state.BotsById.Values.OrderBy(b => b.Config.BotId, StringComparer.Ordinal).Select(BotView).ToArray()) : UnknownTenant(tenantId);
        });
        ops.MapPost("/tenants/{tenantId}/bots/{botId}/stop", async (IRequiredActor<TenantRegion> tenants, string tenantId, string botId, bool? close, CancellationToken ct) =>
        {
            var region = await tenants.GetAsync(ct);
            var state = await TenantStateOf(region, tenantId, ct);
            if (!state.Exists) return UnknownTenant(tenantId);
            if (!state.BotsById.ContainsKey(botId))
                return Results.Problem(statusCode: 404, title: "Unknown bot", detail: $"tenant '{tenantId}' has no bot '{botId}'", type: "unknown-bot");
            if (await region.Ask<ITradingMessage>(new StopBot(tenantId, botId, close ?? false), AskTimeout, ct) is CommandRejected rejected)
                return Results.Problem(statusCode: 409, title: "Refused", detail: rejected.Reason, type: "refused");
            return Results.Ok(BotView((await TenantStateOf(region, tenantId, ct)).BotsById[botId]));
        });

        ops.MapGet("/log", (RecentLogEvents recent, string? level, int? count) =>
        {
            if (ParseLevel(level ?? "Information") is not { } minimum) return BadLevel(level);
            if (count is < 1 or > 500) return Results.Problem(statusCode: 400, title: "Bad count", detail: "count must be in 1..500", type: "bad-count");
            return Results.Ok(recent.Peek(minimum, count ?? 50));
        });
        ops.MapGet("/log/level", (LoggingLevelSwitch level) => Results.Ok(new OpsLogLevel(level.MinimumLevel.ToString())));
        ops.MapPost("/log/level", (ActorSystem system, LoggingLevelSwitch level, OpsLogLevel body) =>
        {
            if (ParseLevel(body.Level) is not { } minimum) return BadLevel(body.Level);
            level.MinimumLevel = minimum;
            // Akka filters its own events before they reach Serilog: its bus follows (Verbose and Debug are both DEBUG).
            system.EventStream.SetLogLevel(minimum switch
            {
                LogEventLevel.Verbose or LogEventLevel.Debug => Akka.Event.LogLevel.DebugLevel,
                LogEventLevel.Information => Akka.Event.LogLevel.InfoLevel,
                LogEventLevel.Warning => Akka.Event.LogLevel.WarningLevel,
                _ => Akka.Event.LogLevel.ErrorLevel,
            });
            return Results.Ok(new OpsLogLevel(minimum.ToString()));
        });

        ops.MapGet("/actors", async (ActorSystem system, string? path, int? depth) =>
        {
            var root = string.IsNullOrWhiteSpace(path) ? "/user" : path.TrimEnd('/');
            if (!root.StartsWith('/') || root.Contains("..", StringComparison.Ordinal))
                return Results.Problem(statusCode: 400, title: "Bad path", detail: "path is an actor path under this node, like /user or /system/sharding", type: "bad-path");
            if (depth is < 1 or > 6) return Results.Problem(statusCode: 400, title: "Bad depth", detail: "depth must be in 1..6", type: "bad-depth");
            return Results.Ok(await ActorTree.ListAsync(system, root, depth ?? 2));
        });

        ops.MapGet("/strategies", async (IRequiredActor<StrategyRouterKey> router, CancellationToken ct) =>
        {
            var strategies = await router.GetAsync(ct);
            var result = new List<OpsStrategy>();
            foreach (var s in directory.Current.Strategies)
            {
                StrategyStatus? status = null;
                try { status = await strategies.Ask<StrategyStatus>(new GetStrategyStatus(s.Id), AskTimeout, ct); }
                catch (AskTimeoutException) { } // moving between nodes: shown without its state
                result.Add(StrategyView(s, status));
            }
            return Results.Ok(result);
        });
        // Strategies are data (decision 026): created and retired at run time through the catalog, no restart.
        ops.MapPost("/strategies", async (IRequiredActor<StrategyCatalogKey> catalog, OpsCreateStrategy body, CancellationToken ct) =>
        {
            var definition = new StrategyDefinition(body.Id ?? "", body.Symbol ?? "", body.Kind ?? "", body.Parameters is { } p ? p.GetRawText() : "{}",
                body.MaxSignalAgeSeconds ?? 60);
            return await CatalogCommand(await catalog.GetAsync(ct), directory, new CreateStrategy(definition, "operator"), definition.Id, ct) is { } refused
                ? refused
                : Results.Created($"/ops/strategies/{definition.Id}", StrategyView(directory.Current.Strategies.First(s => s.Id == definition.Id), null));
        });
        ops.MapPost("/strategies/{id}/retire", async (IRequiredActor<StrategyCatalogKey> catalog, string id, CancellationToken ct) =>
            await CatalogCommand(await catalog.GetAsync(ct), directory, new RetireStrategy(id, "operator"), id, ct)
            ?? Results.Ok(new OpsStrategy(id, "", "", "retired", null, null, null, null)));
        ops.MapPost("/strategies/{id}/pause", async (IRequiredActor<StrategyRouterKey> router, string id, CancellationToken ct) =>
            await StrategyCommand(await router.GetAsync(ct), directory, id, new PauseStrategy(id), ct));
        ops.MapPost("/strategies/{id}/resume", async (IRequiredActor<StrategyRouterKey> router, string id, CancellationToken ct) =>
            await StrategyCommand(await router.GetAsync(ct), directory, id, new ResumeStrategy(id), ct));
        // Server-sent events, one signal each as the strategy publishes it, until the caller hangs up.
        ops.MapGet("/strategies/{id}/signals", async (ActorSystem system, HttpContext http, string id, CancellationToken ct) =>
        {
            if (!directory.Current.TryGet(id, out _))
            {
                await UnknownStrategy(directory, id).ExecuteAsync(http);
                return;
            }
            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            await http.Response.WriteAsync(": following\n\n", ct);
            await http.Response.Body.FlushAsync(ct);
            try
            {
                await foreach (var e in SignalEvents.FollowAsync(system, id, ct))
                {
                    await http.Response.WriteAsync($"data: {System.Text.Json.JsonSerializer.Serialize(e, JsonWeb)}\n\n", ct);
                    await http.Response.Body.FlushAsync(ct);
                }
            }
            catch (OperationCanceledException) { } // the caller hung up
        });

        // An operator-injected signal (drills, benchmarks): persisted and delivered to every subscriber like a computed one.
        ops.MapPost("/strategies/{id}/signal", async (IRequiredActor<StrategyRouterKey> router, string id, OpsManualSignal body, CancellationToken ct) =>
        {
            if (!directory.Current.TryGet(id, out _)) return UnknownStrategy(directory, id);
            if (!Enum.TryParse<OrderSide>(body.Side, ignoreCase: true, out var side) || !Enum.IsDefined(side) || int.TryParse(body.Side, out _))
                return Results.Problem(statusCode: 400, title: "Bad side", detail: $"'{body.Side}' is not a side: buy or sell", type: "bad-side");
            if (body.Price <= 0) return Results.Problem(statusCode: 400, title: "Bad price", detail: "price must be positive", type: "bad-price");
            var strategies = await router.GetAsync(ct);
            try
            {
                var signal = (await strategies.Ask<SignalPublished>(new EmitManualSignal(id, side, body.Price), TimeSpan.FromSeconds(10), ct)).Signal;
                return Results.Ok(new OpsSignal(signal.StrategyId, signal.Sequence, signal.Symbol, signal.Side.ToString(), signal.Price, signal.Time));
            }
            catch (AskTimeoutException)
            {
                return Results.Problem(statusCode: 503, title: "Strategy unreachable", detail: $"strategy '{id}' did not answer within 10 s (moving or restarting?)",
                    type: "strategy-unreachable");
            }
            catch (InvalidOperationException e) // paused by an operator
            {
                return Results.Problem(statusCode: 409, title: "Refused", detail: e.Message, type: "refused");
            }
        });

        // Every fan-out bucket of a strategy: its subscribers and those behind the latest signal (all 0: every subscriber settled it).
        ops.MapGet("/fanout/{strategyId}", async (IRequiredActor<FanoutRegion> fanout, string strategyId, CancellationToken ct) =>
        {
            if (!directory.Current.TryGet(strategyId, out _)) return UnknownStrategy(directory, strategyId);
            var region = await fanout.GetAsync(ct);
            var buckets = await Task.WhenAll(Enumerable.Range(0, engine.FanoutBuckets).Select(async b =>
            {
                try
                {
                    var s = await region.Ask<FanoutStatus>(new GetFanoutStatus(strategyId, b), AskTimeout, ct);
                    return new OpsFanoutBucket(b, true, s.Subscribers, s.LatestSequence, s.Lagging);
                }
                catch (AskTimeoutException)
                {
                    return new OpsFanoutBucket(b, false, 0, 0, 0); // moving or starting
                }
            }));
            return Results.Ok(new OpsFanout(strategyId, buckets.Count(b => b.Answered), buckets.Sum(b => b.Subscribers), buckets.Sum(b => b.Lagging), buckets));
        });

        // Server-sent events, one per order outcome a tenant on this node persists, until the caller hangs up.
        ops.MapGet("/orders/events", async (ActorSystem system, HttpContext http, CancellationToken ct) =>
        {
            using var outcomes = OrderOutcomeEvents.Follow(system);
            // The serializer builds its metadata on first use: done now, not when the first thousand outcomes arrive at once.
            _ = System.Text.Json.JsonSerializer.Serialize(new OrderOutcomeEvents.Event("", "", "", DateTimeOffset.UnixEpoch), JsonWeb);
            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            await http.Response.WriteAsync(": following\n\n", ct);
            await http.Response.Body.FlushAsync(ct);
            var reported = 0L;
            try
            {
                // Whatever has arrived is written, then flushed once: a signal settles thousands of orders at once.
                while (await outcomes.Reader.WaitToReadAsync(ct))
                {
                    while (outcomes.Reader.TryRead(out var e))
                        await http.Response.WriteAsync($"data: {System.Text.Json.JsonSerializer.Serialize(e, JsonWeb)}\n\n", ct);
                    if (outcomes.Dropped > reported)
                    {
                        reported = outcomes.Dropped;
                        await http.Response.WriteAsync($"event: dropped\ndata: {{\"dropped\":{reported}}}\n\n", ct);
                    }
                    await http.Response.Body.FlushAsync(ct);
                }
            }
            catch (OperationCanceledException) { } // the caller hung up
        });

        // Demo tenants on demand (drills, benchmarks): the start-up seeder's tenants demo-0001…, created through the
        // tenant region; answers when all are subscribed. Idempotent, like the seeder.
        ops.MapPost("/demo/tenants", async (IRequiredActor<TenantRegion> tenants, OpsDemoTenants body, CancellationToken ct) =>
        {
            if (body.Tenants is < 1 or > 1_000_000)
                return Results.Problem(statusCode: 400, title: "Bad count", detail: "tenants must be in 1..1000000", type: "bad-count");
            var parallelism = body.Parallelism ?? DemoSeeder.DefaultParallelism;
            if (parallelism is < 1 or > 1_000)
                return Results.Problem(statusCode: 400, title: "Bad parallelism", detail: "parallelism must be in 1..1000", type: "bad-parallelism");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var seeded = await DemoTenants.SeedAsync(await tenants.GetAsync(ct), engine.Strategies[0].Id, demo ?? new DemoOptions(), body.Tenants, parallelism, ct);
            return Results.Ok(new OpsDemoSeeded(seeded.Strategy, seeded.Tenants, seeded.Created, seeded.Rejected, seeded.FirstRejection, clock.ElapsedMilliseconds));
        });
        return app;
    }


    private static async Task<Domain.Tenants.TenantState> TenantStateOf(IActorRef region, string tenantId, CancellationToken ct) =>
        (await region.Ask<Portfolio>(new GetPortfolio(tenantId), AskTimeout, ct)).State;

    private static int Unlimited(int count) => count == Domain.Billing.Plan.Unlimited ? -1 : count;

    /// <summary>The tenant as operators see it; <paramref name="now"/> on the engine's clock, the one its day's trades are counted on.</summary>
    private static OpsTenant TenantView(Domain.Tenants.TenantState state, DateTimeOffset now) =>
        new(state.TenantId, state.DisplayName, state.Accounts.Count,
            state.Subscriptions.Values.Select(s => new OpsSubscription(s.SubscriptionId ?? s.StrategyId, s.StrategyId, s.AccountId, s.Status.ToString(), s.Budget, s.Held))
                .OrderBy(s => s.Id, StringComparer.Ordinal).ToArray(),
            state.Open.Count, state.OrdersFilled, state.OrdersRejected, state.OrdersFailed, state.SignalsSkipped,
            state.Suspension?.Reason, state.Suspension?.Since, state.CurrentPlan().Limits.Id, state.CurrentPlan().Status.ToString(), state.CurrentPlan().PeriodEnd,
            state.CurrentPlan().GraceUntil, Domain.Billing.PlanDecisions.TradesToday(state, now));

    private static IResult UnknownTenant(string tenantId) =>
        Results.Problem(statusCode: 404, title: "Unknown tenant", detail: $"no tenant '{tenantId}'", type: "unknown-tenant");

    /// <summary>An operator's command to a tenant: 404 for no such tenant, 409 with the tenant's reason when refused, else the tenant as it is now.</summary>
    private static async Task<IResult> TenantCommand(IActorRef region, string tenantId, ITenantCommand command, TimeProvider clock, CancellationToken ct)
    {
        if (!(await TenantStateOf(region, tenantId, ct)).Exists) return UnknownTenant(tenantId);
        var answer = await region.Ask<ITradingMessage>(command, AskTimeout, ct);
        if (answer is CommandRejected rejected)
            return Results.Problem(statusCode: 409, title: "Refused", detail: rejected.Reason, type: "refused");
        return Results.Ok(TenantView(await TenantStateOf(region, tenantId, ct), clock.GetUtcNow()));
    }

    private static OpsBot BotView(Domain.Bots.BotRecord b) =>
        new(b.Config.BotId, b.Config.Kind, b.Config.Symbol, b.Config.AccountId, Domain.Bots.BotDecisions.Name(b.Status), b.StopReason, b.Sequence,
            b.Ledger.Position, Math.Round(b.Ledger.Realised, 8), b.Ledger.RoundTrips);

    private static OpsStrategy StrategyView(StrategyDefinition definition, StrategyStatus? status) =>
        new(definition.Id, definition.Symbol, definition.Kind,
            status is null ? "unreachable" : status.Waiting ? "starting" : status.Paused ? "paused" : "running",
            status?.LastSequence, status?.Rsi, status?.PricesSeen, status?.Node, definition.Parameters);

    private static IResult UnknownStrategy(IStrategyDirectory directory, string id) =>
        directory.Current.IsRetired(id)
            ? Results.Problem(statusCode: 409, title: "Retired strategy", detail: $"strategy '{id}' is retired", type: "retired-strategy")
            : Results.Problem(statusCode: 404, title: "Unknown strategy",
                detail: $"no strategy '{id}'; they are {string.Join(", ", directory.Current.Strategies.Select(s => s.Id))}", type: "unknown-strategy");

    /// <summary>A create or retire through the catalog: null when done (this node's view already has it), else the problem.</summary>
    private static async Task<IResult?> CatalogCommand(IActorRef catalog, StrategyCatalogView directory, ITradingMessage command, string id, CancellationToken ct)
    {
        StrategyCatalogAnswer answer;
        try
        {
            answer = await directory.SendAsync(catalog, command, AskTimeout, ct);
        }
        catch (AskTimeoutException)
        {
            return Results.Problem(statusCode: 503, title: "Catalog unreachable", detail: "the strategy catalog did not answer within 5 s (moving or starting?)",
                type: "catalog-unreachable");
        }
        if (answer.Accepted) return null;
        var detail = string.Join("; ", answer.Errors);
        return command switch
        {
            RetireStrategy when !answer.Catalog.TryGet(id, out _) && !answer.Catalog.IsRetired(id) => Results.Problem(statusCode: 404, title: "Unknown strategy", detail: detail, type: "unknown-strategy"),
            RetireStrategy => Results.Problem(statusCode: 409, title: "Refused", detail: detail, type: "refused"),
            _ when answer.Catalog.TryGet(id, out _) || answer.Catalog.IsRetired(id) => Results.Problem(statusCode: 409, title: "Strategy exists", detail: detail, type: "strategy-exists"),
            _ => Results.Problem(statusCode: 400, title: "Bad strategy", detail: detail, type: "bad-strategy"),
        };
    }

    /// <summary>A pause or resume: answered once the strategy has stored it; 409 when it already is so or the store refused it.</summary>
    private static async Task<IResult> StrategyCommand(IActorRef router, IStrategyDirectory directory, string id, IWithStrategyId command, CancellationToken ct)
    {
        if (!directory.Current.TryGet(id, out var definition)) return UnknownStrategy(directory, id);
        try
        {
            var status = await router.Ask<StrategyStatus>(command, AskTimeout, ct);
            return Results.Ok(StrategyView(definition, status));
        }
        catch (InvalidOperationException e)
        {
            return Results.Problem(statusCode: 409, title: "Refused", detail: e.Message, type: "refused");
        }
    }

    private static LogEventLevel? ParseLevel(string? text) =>
        Enum.TryParse<LogEventLevel>(text, ignoreCase: true, out var level) && Enum.IsDefined(level) && !int.TryParse(text, out _) ? level : null;

    private static IResult BadLevel(string? text) =>
        Results.Problem(statusCode: 400, title: "Bad level", detail: $"'{text}' is not a level: Verbose, Debug, Information, Warning, Error, Fatal",
            type: "bad-level");

    /// <summary>Null when the caller may go on; else the answer (404 off loopback, 401 without the token).</summary>
    private static ValueTask<object?>? Guard(HttpContext http, OpsOptions options)
    {
        var remote = http.Connection.RemoteIpAddress;
        if (!options.AllowRemote && remote is not null && !IPAddress.IsLoopback(remote))
            return ValueTask.FromResult<object?>(Results.NotFound());
        var header = http.Request.Headers.Authorization.ToString();
        var given = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : "";
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(options.Token)))
            return ValueTask.FromResult<object?>(Results.Problem(statusCode: 401, title: "Operator token refused",
                detail: "send the node's Trading:Ops:Token as a bearer token", type: "operator-token-refused"));
        return null;
    }

    private static OpsCluster ClusterOf(Cluster cluster)
    {
        var state = cluster.State;
        var members = state.Members.OrderBy(m => m, Member.AgeOrdering).Select(m => new OpsMember(m.Address.ToString(), m.Status.ToString(),
            m.Roles.Order(StringComparer.Ordinal).ToArray(), !state.Unreachable.Contains(m))).ToArray();
        var oldest = state.Members.Where(m => m.Status == MemberStatus.Up).OrderBy(m => m, Member.AgeOrdering).FirstOrDefault();
        return new OpsCluster(cluster.SelfAddress.ToString(), state.Leader?.ToString(), oldest?.Address.ToString(), members);
    }

    private static IResult WithMember(ActorSystem system, AddressBody body, Action<Cluster, Address> act)
    {
        if (Parse(body.Address) is not { } address) return BadAddress(body.Address);
        var cluster = Cluster.Get(system);
        if (!cluster.State.Members.Any(m => m.Address == address))
            return Results.Problem(statusCode: 404, title: "Not a member", detail: $"{address} is not a member of this cluster", type: "unknown-member");
        act(cluster, address);
        return Results.Accepted(value: new OpsAction("done", address.ToString()));
    }

    private static Address? Parse(string? text)
    {
        try { return string.IsNullOrWhiteSpace(text) ? null : Address.Parse(text); }
        catch (UriFormatException) { return null; }
        catch (ArgumentException) { return null; }
    }

    private static IResult BadAddress(string? text) =>
        Results.Problem(statusCode: 400, title: "Not an address", detail: $"'{text}' is not a cluster address like akka.tcp://trading@host:4053",
            type: "bad-address");

    private static IResult UnknownType(string type) =>
        Results.Problem(statusCode: 404, title: "Unknown shard region", detail: $"'{type}' is not a region; they are {string.Join(", ", ShardedTypes)}",
            type: "unknown-region");

    private static async Task<ClusterShardingStats?> StatsOf(ActorSystem system, string type) =>
        ShardedTypes.Contains(type)
            ? await ClusterSharding.Get(system).ShardRegion(type).Ask<ClusterShardingStats>(new GetClusterShardingStats(AskTimeout), AskTimeout + TimeSpan.FromSeconds(1))
            : null;
}

public sealed record AddressBody(string? Address);
public sealed record OpsAction(string Action, string Address);
public sealed record OpsDowned(string[] Downed);
public sealed record OpsMember(string Address, string Status, string[] Roles, bool Reachable);
public sealed record OpsCluster(string Self, string? Leader, string? Oldest, OpsMember[] Members);
public sealed record OpsRegion(string Type, int Shards, int Entities, bool Hosts);
public sealed record OpsRegionStats(string Node, int Shards, int Entities);
public sealed record OpsShard(string Shard, string Node, int Entities);
public sealed record OpsLocation(string TenantId, string Shard, string? Node);
public sealed record OpsSingleton(string Name, string Role, string? Node);
public sealed record OpsSubscription(string Id, string Strategy, string Account, string Status, decimal Budget, decimal Held);
public sealed record OpsTenant(string TenantId, string DisplayName, int Accounts, OpsSubscription[] Subscriptions, int OpenOrders,
    long OrdersFilled, long OrdersRejected, long OrdersFailed, long SignalsSkipped, string? Suspended, DateTimeOffset? SuspendedSince,
    string Plan = "", string PlanStatus = "", DateTimeOffset? PeriodEnd = null, DateTimeOffset? GraceUntil = null, int TradesToday = 0);
/// <summary>An operator's move of a tenant to a plan (periodEnd: the end of what it grants; none: open-ended).</summary>
public sealed record OpsPlanBody(string? PlanId, DateTimeOffset? PeriodEnd);
/// <summary>A plan on sale as tradectl lists it (a count of -1: no limit).</summary>
public sealed record OpsPlan(string Id, string Name, int MaxBots, int MaxPairs, int MaxSubscriptions, int TradesPerDay, int OpenPositions, bool LiveTrading,
    string ApiRateTier, decimal MonthlyPrice, decimal YearlyPrice);
public sealed record SuspendBody(string? Reason);
public sealed record OpsLogLevel(string Level);
public sealed record OpsStrategy(string Id, string Symbol, string Kind, string State, long? LastSequence, decimal? Rsi, long? PricesSeen, string? Node,
    string? Parameters = null);
public sealed record OpsBot(string Id, string Kind, string Symbol, string Account, string Status, string? StopReason, long Decisions, decimal Position, decimal Realised,
    int RoundTrips);
public sealed record OpsCreateStrategy(string? Id, string? Kind, string? Symbol, System.Text.Json.JsonElement? Parameters, int? MaxSignalAgeSeconds);
public sealed record OpsManualSignal(string? Side, decimal Price);
public sealed record OpsSignal(string Strategy, long Sequence, string Symbol, string Side, decimal Price, DateTimeOffset Time);
public sealed record OpsFanoutBucket(int Bucket, bool Answered, int Subscribers, long LatestSequence, int Lagging);
public sealed record OpsFanout(string Strategy, int BucketsAnswered, int Subscribers, int Lagging, OpsFanoutBucket[] Buckets);
public sealed record OpsDemoTenants(int Tenants, int? Parallelism);
public sealed record OpsDemoSeeded(string Strategy, int Tenants, int Created, int Rejected, string? FirstRejection, long ElapsedMs);
