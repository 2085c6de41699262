using System.ComponentModel;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Cli;

namespace TradingActors.Cli;

/// <summary>Options every command takes.</summary>
public class NodeSettings : CommandSettings
{
    [CommandOption("--node <URL>")]
    [Description("The node's HTTP address (default: TRADECTL_NODE, else http://127.0.0.1:5080)")]
    public string? Node { get; init; }

    [CommandOption("--token <TOKEN>")]
    [Description("The operator token (default: TRADECTL_TOKEN)")]
    public string? Token { get; init; }

    [CommandOption("--json")]
    [Description("Print the node's answer as JSON")]
    public bool Json { get; init; }

    public override ValidationResult Validate()
    {
        if (!Uri.TryCreate(NodeUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return ValidationResult.Error($"--node '{NodeUrl}' is not an http(s) URL");
        return string.IsNullOrEmpty(TokenValue) ? ValidationResult.Error("no operator token: pass --token or set TRADECTL_TOKEN") : ValidationResult.Success();
    }

    public string NodeUrl => Node ?? Environment.GetEnvironmentVariable("TRADECTL_NODE") ?? "http://127.0.0.1:5080";
    public string TokenValue => Token ?? Environment.GetEnvironmentVariable("TRADECTL_TOKEN") ?? "";
}

public sealed class AddressSettings : NodeSettings
{
    [CommandArgument(0, "<ADDR>")]
    [Description("A member's address, e.g. akka.tcp://trading@10.0.0.7:4053")]
    public string Address { get; init; } = "";
}

public sealed class RegionSettings : NodeSettings
{
    [CommandArgument(0, "<TYPE>")]
    [Description("tenant or fanout")]
    public string Type { get; init; } = "";
}

public class IdSettings : NodeSettings
{
    [CommandArgument(0, "<ID>")]
    public string Id { get; init; } = "";
}

/// <summary>Where commands write and how they reach the node: Spectre makes the commands, a run sets these.</summary>
public static class CommandEnvironment
{
    public static IAnsiConsole Console { get; set; } = AnsiConsole.Console;

    /// <summary>Null: a real socket handler.</summary>
    public static HttpMessageHandler? Handler { get; set; }
}

/// <summary>One request to the node's /ops routes, then a table (or the JSON).</summary>
public abstract class OpsCommand<TSettings> : AsyncCommand<TSettings> where TSettings : NodeSettings
{
    protected abstract Task<JsonElement> Call(OpsClient ops, TSettings settings, CancellationToken ct);

    protected abstract void Render(IAnsiConsole console, JsonElement answer, TSettings settings);

    public override async Task<int> ExecuteAsync(CommandContext context, TSettings settings, CancellationToken ct)
    {
        var console = CommandEnvironment.Console;
        var answer = await Call(new OpsClient(new Uri(settings.NodeUrl.TrimEnd('/') + "/"), settings.TokenValue, CommandEnvironment.Handler), settings, ct);
        if (settings.Json) Output.Json(console, answer);
        else Render(console, answer, settings);
        return 0;
    }
}

public sealed class ClusterShow : OpsCommand<NodeSettings>
{
    protected override Task<JsonElement> Call(OpsClient ops, NodeSettings s, CancellationToken ct) => ops.GetAsync("cluster", ct);
    protected override void Render(IAnsiConsole console, JsonElement a, NodeSettings s)
    {
        Output.Fields(console, a, "self", "leader", "oldest");
        Output.Table(console, a.GetProperty("members"), "address", "status", "roles", "reachable");
    }
}

public sealed class ClusterStatus : OpsCommand<NodeSettings>
{
    protected override Task<JsonElement> Call(OpsClient ops, NodeSettings s, CancellationToken ct) => ops.GetAsync("cluster", ct);
    protected override void Render(IAnsiConsole console, JsonElement a, NodeSettings s)
    {
        var self = a.GetProperty("self").GetString();
        var me = a.GetProperty("members").EnumerateArray().FirstOrDefault(m => m.GetProperty("address").GetString() == self);
        console.WriteLine($"{self}: {(me.ValueKind == JsonValueKind.Object ? Output.Cell(me, "status") : "not a member")}");
        var members = a.GetProperty("members").EnumerateArray().ToList();
        console.WriteLine($"members: {members.Count} ({string.Join(", ", members.GroupBy(m => Output.Cell(m, "status")).Select(g => $"{g.Count()} {g.Key}"))}), " +
                          $"unreachable: {members.Count(m => !m.GetProperty("reachable").GetBoolean())}");
    }
}

public sealed class ClusterLeader : OpsCommand<NodeSettings>
{
    protected override Task<JsonElement> Call(OpsClient ops, NodeSettings s, CancellationToken ct) => ops.GetAsync("cluster", ct);
    protected override void Render(IAnsiConsole console, JsonElement a, NodeSettings s) => console.WriteLine(Output.Cell(a, "leader"));
}

public sealed class ClusterLeave : OpsCommand<AddressSettings>
{
    protected override Task<JsonElement> Call(OpsClient ops, AddressSettings s, CancellationToken ct) => ops.PostAsync("cluster/leave", new { address = s.Address }, ct);
    protected override void Render(IAnsiConsole console, JsonElement a, AddressSettings s) => console.WriteLine($"{s.Address} asked to leave");
}

public sealed class ClusterDown : OpsCommand<AddressSettings>
{
    protected override Task<JsonElement> Call(OpsClient ops, AddressSettings s, CancellationToken ct) => ops.PostAsync("cluster/down", new { address = s.Address }, ct);
    protected override void Render(IAnsiConsole console, JsonElement a, AddressSettings s) => console.WriteLine($"{s.Address} marked down");
}

public sealed class ClusterJoin : OpsCommand<AddressSettings>
{
    protected override Task<JsonElement> Call(OpsClient ops, AddressSettings s, CancellationToken ct) => ops.PostAsync("cluster/join", new { address = s.Address }, ct);
    protected override void Render(IAnsiConsole console, JsonElement a, AddressSettings s) => console.WriteLine($"joining {s.Address}");
}

public sealed class ClusterDownUnreachable : OpsCommand<NodeSettings>
{
    protected override Task<JsonElement> Call(OpsClient ops, NodeSettings s, CancellationToken ct) => ops.PostAsync("cluster/down-unreachable", null, ct);
    protected override void Render(IAnsiConsole console, JsonElement a, NodeSettings s)
    {
        var downed = a.GetProperty("downed").EnumerateArray().Select(d => d.GetString()).ToList();
        console.WriteLine(downed.Count == 0 ? "no unreachable member" : "marked down: " + string.Join(", ", downed));
    }
}

public sealed class ShardingRegions : OpsCommand<NodeSettings>
{
    protected override Task<JsonElement> Call(OpsClient ops, NodeSettings s, CancellationToken ct) => ops.GetAsync("sharding/regions", ct);
    protected override void Render(IAnsiConsole console, JsonElement a, NodeSettings s) => Output.Table(console, a, "type", "shards", "entities", "hosts");
}

public sealed class ShardingRegionStats : OpsCommand<RegionSettings>
{
    protected override Task<JsonElement> Call(OpsClient ops, RegionSettings s, CancellationToken ct) => ops.GetAsync($"sharding/{Uri.EscapeDataString(s.Type)}/stats", ct);
    protected override void Render(IAnsiConsole console, JsonElement a, RegionSettings s) => Output.Table(console, a, "node", "shards", "entities");
}

public sealed class ShardingShardStats : OpsCommand<RegionSettings>
{
    protected override Task<JsonElement> Call(OpsClient ops, RegionSettings s, CancellationToken ct) => ops.GetAsync($"sharding/{Uri.EscapeDataString(s.Type)}/shards", ct);
    protected override void Render(IAnsiConsole console, JsonElement a, RegionSettings s) => Output.Table(console, a, "shard", "node", "entities");
}

public sealed class ShardingLocate : OpsCommand<IdSettings>
{
    protected override Task<JsonElement> Call(OpsClient ops, IdSettings s, CancellationToken ct) => ops.GetAsync($"sharding/locate/{Uri.EscapeDataString(s.Id)}", ct);
    protected override void Render(IAnsiConsole console, JsonElement a, IdSettings s) =>
        console.WriteLine($"tenant {s.Id}: shard {Output.Cell(a, "shard")} on {(a.GetProperty("node").ValueKind == JsonValueKind.Null ? "no node (not allocated: the tenant is asleep)" : Output.Cell(a, "node"))}");
}

public sealed class SingletonWhere : OpsCommand<IdSettings>
{
    protected override Task<JsonElement> Call(OpsClient ops, IdSettings s, CancellationToken ct) => ops.GetAsync($"singletons/{Uri.EscapeDataString(s.Id)}", ct);
    protected override void Render(IAnsiConsole console, JsonElement a, IdSettings s) =>
        console.WriteLine($"{s.Id} (role {Output.Cell(a, "role")}): {(a.GetProperty("node").ValueKind == JsonValueKind.Null ? "no Up node with the role" : Output.Cell(a, "node"))}");
}

public sealed class PubSubTopics : OpsCommand<NodeSettings>
{
    protected override Task<JsonElement> Call(OpsClient ops, NodeSettings s, CancellationToken ct) => ops.GetAsync("pubsub/topics", ct);
    protected override void Render(IAnsiConsole console, JsonElement a, NodeSettings s)
    {
        foreach (var topic in a.EnumerateArray()) console.WriteLine(topic.GetString()!);
    }
}

public sealed class TenantsShow : OpsCommand<IdSettings>
{
    protected override Task<JsonElement> Call(OpsClient ops, IdSettings s, CancellationToken ct) => ops.GetAsync($"tenants/{Uri.EscapeDataString(s.Id)}", ct);
    protected override void Render(IAnsiConsole console, JsonElement a, IdSettings s)
    {
        Output.Fields(console, a, "tenantId", "displayName", "plan", "planStatus", "periodEnd", "graceUntil", "tradesToday", "suspended", "suspendedSince", "accounts",
            "openOrders", "ordersFilled", "ordersRejected", "ordersFailed", "signalsSkipped");
        Output.Table(console, a.GetProperty("subscriptions"), "id", "strategy", "account", "status", "budget", "held");
    }
}

public sealed class SuspendSettings : NodeSettings
{
    [CommandArgument(0, "<ID>")]
    public string Id { get; init; } = "";

    [CommandOption("--reason <TEXT>")]
    [Description("Why, for the operators (never shown to the trader; default \"suspended by an operator\")")]
    public string? Reason { get; init; }
}

public sealed class TenantsSuspend : OpsCommand<SuspendSettings>
{
    protected override Task<JsonElement> Call(OpsClient ops, SuspendSettings s, CancellationToken ct) =>
        ops.PostAsync($"tenants/{Uri.EscapeDataString(s.Id)}/suspend", new { reason = s.Reason }, ct);
    protected override void Render(IAnsiConsole console, JsonElement a, SuspendSettings s) =>
        console.WriteLine($"tenant {s.Id} suspended: {Output.Cell(a, "suspended")} (its signals settle without orders; manual orders are refused)");
}

public sealed class TenantsResume : OpsCommand<IdSettings>
{
    protected override Task<JsonElement> Call(OpsClient ops, IdSettings s, CancellationToken ct) => ops.PostAsync($"tenants/{Uri.EscapeDataString(s.Id)}/resume", null, ct);
    protected override void Render(IAnsiConsole console, JsonElement a, IdSettings s) => console.WriteLine($"tenant {s.Id} trades again from its next signal");
}

public sealed class StrategiesList : OpsCommand<NodeSettings>
{
    protected override Task<JsonElement> Call(OpsClient ops, NodeSettings s, CancellationToken ct) => ops.GetAsync("strategies", ct);
    protected override void Render(IAnsiConsole console, JsonElement a, NodeSettings s) =>
        Output.Table(console, a, "id", "kind", "symbol", "state", "lastSequence", "rsi", "pricesSeen", "node");
}

public sealed class CreateStrategySettings : IdSettings
{
    [CommandOption("--kind <KIND>")]
    [Description("The strategy kind: rsi or ema-cross (kinds that place their own orders, dca and grid, run as bots)")]
    public string Kind { get; init; } = "";

    [CommandOption("--symbol <SYMBOL>")]
    [Description("The symbol whose prices it reads, e.g. BTCUSDT")]
    public string Symbol { get; init; } = "";

    [CommandOption("--params <JSON>")]
    [Description("Its parameters as a JSON object, or @FILE to read them from a file, e.g. '{\"period\":14,\"oversold\":25}' (omitted ones take their defaults)")]
    public string? Params { get; init; }

    [CommandOption("--max-signal-age <SECONDS>")]
    [Description("A signal older than this when it reaches a subscriber is skipped as stale (default 60)")]
    public int? MaxSignalAge { get; init; }

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Kind)) return ValidationResult.Error("--kind is required (rsi or ema-cross)");
        if (string.IsNullOrWhiteSpace(Symbol)) return ValidationResult.Error("--symbol is required");
        if (Params is not null && ParametersJson(out var error) is null) return ValidationResult.Error(error!);
        return base.Validate();
    }

    /// <summary>The --params JSON object (read from the file for @FILE), or null with why.</summary>
    public JsonElement? ParametersJson(out string? error)
    {
        error = null;
        if (Params is null) return null;
        string text;
        try
        {
            text = Params.StartsWith('@') ? File.ReadAllText(Params[1..]) : Params;
        }
        catch (IOException e)
        {
            error = $"--params: cannot read {Params[1..]}: {e.Message}";
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Object) return document.RootElement.Clone();
            error = "--params must be a JSON object of names and values";
        }
        catch (JsonException e)
        {
            error = $"--params is not valid JSON: {e.Message}";
        }
        return null;
    }
}

public sealed class TenantBotSettings : NodeSettings
{
    [CommandArgument(0, "<TENANT>")]
    public string Tenant { get; init; } = "";

    [CommandArgument(1, "[BOT]")]
    public string? Bot { get; init; }

    [CommandOption("--close")]
    [Description("Stopping: also sell the bot's position at market")]
    public bool Close { get; init; }
}

/// <summary>The plans on sale (decision 034): limits (-1: none), live trading, API rate tier, prices in USD.</summary>
public sealed class PlansList : OpsCommand<NodeSettings>
{
    protected override Task<JsonElement> Call(OpsClient ops, NodeSettings s, CancellationToken ct) => ops.GetAsync("plans", ct);
    protected override void Render(IAnsiConsole console, JsonElement a, NodeSettings s) =>
        Output.Table(console, a, "id", "name", "maxBots", "maxPairs", "maxSubscriptions", "tradesPerDay", "openPositions", "liveTrading", "apiRateTier", "monthlyPrice", "yearlyPrice");
}

public sealed class TenantPlanSettings : NodeSettings
{
    [CommandArgument(0, "<TENANT>")]
    public string Tenant { get; init; } = "";

    [CommandArgument(1, "<PLAN>")]
    public string Plan { get; init; } = "";

    [CommandOption("--until <DATE>")]
    [Description("The end of what the plan grants (ISO 8601, e.g. 2027-01-31T00:00:00Z); none: open-ended")]
    public string? Until { get; init; }

    public override ValidationResult Validate() =>
        Until is not null && !DateTimeOffset.TryParse(Until, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out _)
            ? ValidationResult.Error($"--until '{Until}' is not a date (ISO 8601, e.g. 2027-01-31T00:00:00Z)")
            : base.Validate();
}

/// <summary>An operator moves a tenant to a plan (support, a grant): what the plan does not allow is paused with the reason.</summary>
public sealed class TenantsPlan : OpsCommand<TenantPlanSettings>
{
    protected override Task<JsonElement> Call(OpsClient ops, TenantPlanSettings s, CancellationToken ct) =>
        ops.PostAsync($"tenants/{Uri.EscapeDataString(s.Tenant)}/plan", new
        {
            planId = s.Plan,
            periodEnd = s.Until is null ? (DateTimeOffset?)null
                : DateTimeOffset.Parse(s.Until, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal),
        }, ct);
    protected override void Render(IAnsiConsole console, JsonElement a, TenantPlanSettings s) =>
        console.WriteLine($"tenant {s.Tenant} is on plan {Output.Cell(a, "plan")} ({Output.Cell(a, "planStatus")}{(s.Until is null ? "" : ", until " + Output.Cell(a, "periodEnd"))})");
}

/// <summary>A tenant's bots: status (and why a risk limit stopped one), decisions, position, realised PnL, round trips.</summary>
public sealed class BotsList : OpsCommand<TenantBotSettings>
{
    protected override Task<JsonElement> Call(OpsClient ops, TenantBotSettings s, CancellationToken ct) => ops.GetAsync($"tenants/{Uri.EscapeDataString(s.Tenant)}/bots", ct);
    protected override void Render(IAnsiConsole console, JsonElement a, TenantBotSettings s) =>
        Output.Table(console, a, "id", "kind", "symbol", "account", "status", "stopReason", "decisions", "position", "realised", "roundTrips");
}

/// <summary>An operator stops a tenant's bot: its open orders are cancelled (--close: its position sold at market).</summary>
public sealed class BotsStop : OpsCommand<TenantBotSettings>
{
    public override ValidationResult Validate(CommandContext context, TenantBotSettings settings) =>
        string.IsNullOrWhiteSpace(settings.Bot) ? ValidationResult.Error("give the bot to stop: tradectl bots stop TENANT BOT [--close]") : base.Validate(context, settings);

    protected override Task<JsonElement> Call(OpsClient ops, TenantBotSettings s, CancellationToken ct) =>
        ops.PostAsync($"tenants/{Uri.EscapeDataString(s.Tenant)}/bots/{Uri.EscapeDataString(s.Bot!)}/stop?close={(s.Close ? "true" : "false")}", null, ct);
    protected override void Render(IAnsiConsole console, JsonElement a, TenantBotSettings s) =>
        console.WriteLine($"bot {s.Bot} of {s.Tenant} stopped{(s.Close ? ", its position being closed" : "")} (its open orders are cancelled)");
}

/// <summary>A shared strategy created at run time (decision 026): the catalog persists it and the cluster starts it, no restart.</summary>
public sealed class StrategiesCreate : OpsCommand<CreateStrategySettings>
{
    protected override Task<JsonElement> Call(OpsClient ops, CreateStrategySettings s, CancellationToken ct) =>
        ops.PostAsync("strategies", new { id = s.Id, kind = s.Kind, symbol = s.Symbol, parameters = s.ParametersJson(out _), maxSignalAgeSeconds = s.MaxSignalAge }, ct);
    protected override void Render(IAnsiConsole console, JsonElement a, CreateStrategySettings s) =>
        console.WriteLine($"strategy {s.Id} created: {Output.Cell(a, "kind")} on {Output.Cell(a, "symbol")} {Output.Cell(a, "parameters")}");
}

/// <summary>Retires a shared strategy for good: it stops, takes no new subscribers, and its id is never reused.</summary>
public sealed class StrategiesRetire : OpsCommand<IdSettings>
{
    protected override Task<JsonElement> Call(OpsClient ops, IdSettings s, CancellationToken ct) => ops.PostAsync($"strategies/{Uri.EscapeDataString(s.Id)}/retire", null, ct);
    protected override void Render(IAnsiConsole console, JsonElement a, IdSettings s) => console.WriteLine($"strategy {s.Id} retired");
}

public sealed class StrategiesPause : OpsCommand<IdSettings>
{
    protected override Task<JsonElement> Call(OpsClient ops, IdSettings s, CancellationToken ct) => ops.PostAsync($"strategies/{Uri.EscapeDataString(s.Id)}/pause", null, ct);
    protected override void Render(IAnsiConsole console, JsonElement a, IdSettings s) =>
        console.WriteLine($"strategy {s.Id} paused at sequence {Output.Cell(a, "lastSequence")} (it reads prices, emits nothing)");
}

public sealed class StrategiesResume : OpsCommand<IdSettings>
{
    protected override Task<JsonElement> Call(OpsClient ops, IdSettings s, CancellationToken ct) => ops.PostAsync($"strategies/{Uri.EscapeDataString(s.Id)}/resume", null, ct);
    protected override void Render(IAnsiConsole console, JsonElement a, IdSettings s) =>
        console.WriteLine($"strategy {s.Id} running from sequence {Output.Cell(a, "lastSequence")}");
}

public sealed class HierarchySettings : NodeSettings
{
    [CommandOption("--path <PATH>")]
    [Description("Where to start (default /user; e.g. /system/sharding/tenant)")]
    public string? Path { get; init; }

    [CommandOption("--depth <N>")]
    [Description("Levels below the path, 1..6 (default 2)")]
    public int? Depth { get; init; }
}

public sealed class ActorHierarchy : OpsCommand<HierarchySettings>
{
    protected override Task<JsonElement> Call(OpsClient ops, HierarchySettings s, CancellationToken ct) =>
        ops.GetAsync($"actors?path={Uri.EscapeDataString(s.Path ?? "/user")}&depth={s.Depth ?? 2}", ct);

    protected override void Render(IAnsiConsole console, JsonElement a, HierarchySettings s)
    {
        foreach (var node in a.EnumerateArray())
            console.WriteLine(new string(' ', 2 * (node.GetProperty("depth").GetInt32() - 1)) + node.GetProperty("path").GetString());
    }
}

public sealed class LogPeekSettings : NodeSettings
{
    [CommandOption("--level <LEVEL>")]
    [Description("The lowest level shown: Verbose, Debug, Information (default), Warning, Error, Fatal")]
    public string? Level { get; init; }

    [CommandOption("--count <N>")]
    [Description("How many of the newest events, 1..500 (default 50)")]
    public int? Count { get; init; }
}

public sealed class LogPeek : OpsCommand<LogPeekSettings>
{
    protected override Task<JsonElement> Call(OpsClient ops, LogPeekSettings s, CancellationToken ct) =>
        ops.GetAsync($"log?level={Uri.EscapeDataString(s.Level ?? "Information")}&count={s.Count ?? 50}", ct);

    protected override void Render(IAnsiConsole console, JsonElement a, LogPeekSettings s)
    {
        foreach (var e in a.EnumerateArray())
            console.WriteLine($"{e.GetProperty("time").GetDateTimeOffset():HH:mm:ss.fff} {Output.Cell(e, "level")[..3].ToUpperInvariant()} {Output.Cell(e, "source")}: {Output.Cell(e, "message")}");
    }
}

public sealed class LogLevelSettings : NodeSettings
{
    [CommandArgument(0, "[LEVEL]")]
    [Description("Set the node's minimum level; without it, show it")]
    public string? Level { get; init; }
}

public sealed class LogLevel : OpsCommand<LogLevelSettings>
{
    protected override Task<JsonElement> Call(OpsClient ops, LogLevelSettings s, CancellationToken ct) =>
        s.Level is null ? ops.GetAsync("log/level", ct) : ops.PostAsync("log/level", new { level = s.Level }, ct);

    protected override void Render(IAnsiConsole console, JsonElement a, LogLevelSettings s) =>
        console.WriteLine($"log level: {Output.Cell(a, "level")}");
}

public class TailSettings : NodeSettings
{
    [CommandOption("--count <N>")]
    [Description("Stop after N events (default: follow until Ctrl-C)")]
    public int? Count { get; init; }
}

/// <summary>A stream of the node's events, one line each (JSON lines with --json), until --count of them or Ctrl-C.</summary>
public abstract class TailCommand<TSettings> : AsyncCommand<TSettings> where TSettings : TailSettings
{
    protected abstract string Path(TSettings s);

    /// <summary>What is followed, for the line on stderr.</summary>
    protected abstract string What(TSettings s);

    protected abstract string Line(JsonElement e);

    public override async Task<int> ExecuteAsync(CommandContext context, TSettings settings, CancellationToken ct)
    {
        var console = CommandEnvironment.Console;
        var ops = new OpsClient(new Uri(settings.NodeUrl.TrimEnd('/') + "/"), settings.TokenValue, CommandEnvironment.Handler);
        var seen = 0;
        // On stderr, so stdout stays the events: scripts (and tests) know from it that nothing from now on is missed.
        void Following() => System.Console.Error.WriteLine($"tradectl: following {What(settings)} at {settings.NodeUrl}");
        await foreach (var e in ops.StreamAsync(Path(settings), Following, ct))
        {
            // One line per event, never wrapped to the terminal's width: it is read by people and by grep alike.
            var writer = console.Profile.Out.Writer;
            writer.WriteLine(settings.Json ? e.GetRawText() : Line(e));
            writer.Flush();
            if (settings.Count is { } count && ++seen >= count) break;
        }
        return 0;
    }
}

/// <summary>Membership and reachability changes as the node sees them.</summary>
public sealed class ClusterTail : TailCommand<TailSettings>
{
    protected override string Path(TailSettings s) => "cluster/events";
    protected override string What(TailSettings s) => "membership changes";
    protected override string Line(JsonElement e) =>
        $"{e.GetProperty("time").GetDateTimeOffset():HH:mm:ss} {Output.Cell(e, "kind"),-14} {Output.Cell(e, "address")} {Output.Cell(e, "status")} {Output.Cell(e, "roles")}";
}

public sealed class SignalTailSettings : TailSettings
{
    [CommandArgument(0, "<STRATEGY>")]
    public string Strategy { get; init; } = "";
}

/// <summary>A strategy's signals as it publishes them, wherever in the cluster it runs.</summary>
public sealed class SignalsTail : TailCommand<SignalTailSettings>
{
    protected override string Path(SignalTailSettings s) => $"strategies/{Uri.EscapeDataString(s.Strategy)}/signals";
    protected override string What(SignalTailSettings s) => $"the signals of {s.Strategy}";
    protected override string Line(JsonElement e) =>
        $"{e.GetProperty("time").GetDateTimeOffset():HH:mm:ss} {Output.Cell(e, "strategyId")} #{Output.Cell(e, "sequence")} {Output.Cell(e, "side")} " +
        $"{Output.Cell(e, "symbol")} @ {Output.Cell(e, "price")}: {Output.Cell(e, "reason")}";
}
