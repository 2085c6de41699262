using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Spectre.Console;
using TradingActors.Cli;
using TradingActors.IntegrationTests.Infrastructure;

namespace TradingActors.IntegrationTests;

/// <summary>
/// tradectl against a real two-node cluster (node processes): membership, sharding, singletons, tenants, a strategy's
/// signals tailed, a tenant suspended and resumed (counted in the journal), a strategy paused and resumed, the errors
/// an operator meets (unknown id, wrong token, unreachable node, bad usage), and a member asked to leave that does.
/// </summary>
public sealed class TradectlTests
{
    private const string Token = "operator-token-for-the-tradectl-tests";
    private const int DemoTenants = 12;

    [Fact]
    public async Task An_operator_inspects_and_changes_a_two_node_cluster_and_gets_clear_errors()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var first = NodeProcess.Start("tradectl-1", db.ConnectionString, null, Settings(DemoTenants));
        await Eventually.TrueAsync(async () => await first.Get("/readyz") == HttpStatusCode.OK, TimeSpan.FromSeconds(90), "the first node ready");
        await using var second = NodeProcess.Start("tradectl-2", db.ConnectionString, first.AkkaAddress, Settings(0));
        await Eventually.TrueAsync(async () => await second.Get("/readyz") == HttpStatusCode.OK, TimeSpan.FromSeconds(90), "the second node ready");
        var node = first.BaseUri.ToString();

        // Membership: both Up, the first the oldest; readable table and JSON.
        await Eventually.TrueAsync(async () => (await Run("cluster", "show", "--json", "--node", node)).Json?.GetProperty("members").EnumerateArray()
            .Count(m => m.GetProperty("status").GetString() == "Up") == 2, TimeSpan.FromSeconds(60), "two Up members");
        var show = await Run("cluster", "show", "--node", node);
        Assert.Equal(0, show.Code);
        Assert.Contains(first.AkkaAddress, show.Text);
        Assert.Contains(second.AkkaAddress, show.Text);
        Assert.Contains("api,engine,feed", show.Text);
        // The leader is the lowest address among the members (not necessarily the oldest).
        var leader = (await Run("cluster", "leader", "--node", node)).Text.Trim();
        Assert.Contains(leader, new[] { first.AkkaAddress, second.AkkaAddress });
        Assert.Equal(leader, (await Run("cluster", "show", "--json", "--node", second.BaseUri.ToString())).Json!.Value.GetProperty("leader").GetString());
        var where = await Run("singleton", "where", "strategy-catalog", "--json", "--node", node);
        Assert.Equal(first.AkkaAddress, where.Json!.Value.GetProperty("node").GetString());

        // Sharding: every demo tenant resident somewhere, and locate names the node that has its shard.
        await Eventually.TrueAsync(async () => (await Run("sharding", "region-stats", "tenant", "--json", "--node", node)).Json?.EnumerateArray()
            .Sum(r => r.GetProperty("entities").GetInt32()) == DemoTenants, TimeSpan.FromSeconds(60), "the demo tenants resident");
        var located = await Run("sharding", "locate", "demo-0001", "--json", "--node", node);
        var shards = await Run("sharding", "shard-stats", "tenant", "--json", "--node", node);
        Assert.Contains(shards.Json!.Value.EnumerateArray(), s => s.GetProperty("shard").GetString() == located.Json!.Value.GetProperty("shard").GetString()
            && s.GetProperty("node").GetString() == located.Json!.Value.GetProperty("node").GetString());
        var tenant = await Run("tenants", "show", "demo-0001", "--node", node);
        Assert.Equal(0, tenant.Code);
        Assert.Contains("rsi-btc", tenant.Text);
        // Plans (decision 034): the seeded demo tenant is on the legacy plan; an operator moves it, a bad plan or date changes nothing.
        var plans = await Run("plans", "list", "--json", "--node", node);
        Assert.Equal(["free", "starter", "pro", "enterprise"], plans.Json!.Value.EnumerateArray().Select(p => p.GetProperty("id").GetString()));
        Assert.Equal(-1, plans.Json!.Value.EnumerateArray().Last().GetProperty("tradesPerDay").GetInt32());
        Assert.Equal("legacy", (await Run("tenants", "show", "demo-0001", "--json", "--node", node)).Json!.Value.GetProperty("plan").GetString());
        var badPlan = await Run("tenants", "plan", "demo-0001", "gold", "--node", node);
        Assert.NotEqual(0, badPlan.Code);
        Assert.Contains("unknown plan 'gold'", badPlan.Text);
        Assert.Equal(2, (await Run("tenants", "plan", "demo-0001", "pro", "--until", "soon", "--node", node)).Code);
        var moved = await Run("tenants", "plan", "demo-0001", "pro", "--until", "2027-01-31T00:00:00Z", "--node", node);
        Assert.Equal(0, moved.Code);
        Assert.Contains("tenant demo-0001 is on plan pro (Active, until", moved.Text);
        Assert.Equal("pro", (await Run("tenants", "show", "demo-0001", "--json", "--node", node)).Json!.Value.GetProperty("plan").GetString());
        Assert.Contains("prices.BTCUSDT", (await Run("pubsub", "topics", "--node", second.BaseUri.ToString())).Text.Split('\n'));
        var strategies = await Run("strategies", "list", "--json", "--node", second.BaseUri.ToString());
        var rsi = Assert.Single(strategies.Json!.Value.EnumerateArray());
        Assert.Equal(("rsi-btc", "running", "rsi"), (rsi.GetProperty("id").GetString(), rsi.GetProperty("state").GetString(), rsi.GetProperty("kind").GetString()));
        Assert.Contains(rsi.GetProperty("node").GetString(), new[] { first.AkkaAddress, second.AkkaAddress });

        // Strategies are data (decision 026): created through one node at run time, running in the cluster, retired for good.
        var badParams = await Run("strategies", "create", "ema-eth", "--kind", "ema-cross", "--symbol", "ETHUSDT", "--params", """{"fast":30,"slow":8}""", "--node", node);
        Assert.Equal(1, badParams.Code);
        Assert.Contains("fast (30) must be shorter than slow (8)", badParams.Text);
        var bot = await Run("strategies", "create", "dca-eth", "--kind", "dca", "--symbol", "ETHUSDT", "--params", """{"base_order":100,"safety_order":100}""", "--node", node);
        Assert.Equal(1, bot.Code);
        Assert.Contains("runs as a personal bot", bot.Text);
        var unknownKind = await Run("strategies", "create", "x-eth", "--kind", "martingale", "--symbol", "ETHUSDT", "--node", node);
        Assert.Equal(1, unknownKind.Code);
        Assert.Contains("unknown strategy kind 'martingale'", unknownKind.Text);
        Assert.Equal(2, (await Run("strategies", "create", "ema-eth", "--kind", "ema-cross", "--symbol", "ETHUSDT", "--params", "{not json", "--node", node)).Code);
        var created = await Run("strategies", "create", "ema-eth", "--kind", "ema-cross", "--symbol", "ETHUSDT", "--params", """{"fast":3,"slow":8}""", "--node", node);
        Assert.Equal(0, created.Code);
        Assert.Contains("strategy ema-eth created: ema-cross on ETHUSDT", created.Text);
        var clash = await Run("strategies", "create", "ema-eth", "--kind", "ema-cross", "--symbol", "ETHUSDT", "--params", """{"fast":4,"slow":8}""", "--node", node);
        Assert.Equal(1, clash.Code);
        Assert.Contains("already exists with a different definition", clash.Text);
        await Eventually.TrueAsync(async () => (await Run("strategies", "list", "--json", "--node", second.BaseUri.ToString())).Json?.EnumerateArray()
            .Any(s => s.GetProperty("id").GetString() == "ema-eth" && s.GetProperty("state").GetString() == "running" && s.GetProperty("pricesSeen").GetInt64() > 0) == true,
            TimeSpan.FromSeconds(30), "the new strategy runs and reads ETHUSDT prices");
        Assert.Equal(0, (await Run("strategies", "retire", "ema-eth", "--node", second.BaseUri.ToString())).Code);
        var retiredAgain = await Run("strategies", "retire", "ema-eth", "--node", node);
        Assert.Equal(1, retiredAgain.Code);
        Assert.Contains("already retired", retiredAgain.Text);
        var reused = await Run("strategies", "create", "ema-eth", "--kind", "ema-cross", "--symbol", "ETHUSDT", "--node", node);
        Assert.Contains("ids are not reused", reused.Text);
        await Eventually.TrueAsync(async () => (await Run("strategies", "list", "--json", "--node", node)).Json?.EnumerateArray().Count() == 1
            && (await Run("sharding", "region-stats", "strategy", "--json", "--node", node)).Json?.EnumerateArray().Sum(r => r.GetProperty("entities").GetInt32()) == 1,
            TimeSpan.FromSeconds(30), "the retired strategy stopped");

        // The node's actors and its log.
        var actors = await Run("actor", "hierarchy", "--path", "/user", "--depth", "2", "--json", "--node", node);
        Assert.Contains(actors.Json!.Value.EnumerateArray(), a => a.GetProperty("path").GetString() == "/user/strategy-catalog/singleton");
        var peek = await Run("log", "peek", "--level", "Information", "--count", "5", "--json", "--node", node);
        Assert.InRange(peek.Json!.Value.GetArrayLength(), 1, 5);
        Assert.Equal("log level: Warning", (await Run("log", "level", "warning", "--node", node)).Text.Trim());
        Assert.Equal("Warning", (await Run("log", "level", "--json", "--node", node)).Json!.Value.GetProperty("level").GetString());
        var badLevel = await Run("log", "level", "Loud", "--node", node);
        Assert.Equal(1, badLevel.Code);
        Assert.Contains("Bad level", badLevel.Text);
        Assert.Equal("Warning", (await Run("log", "level", "--json", "--node", node)).Json!.Value.GetProperty("level").GetString());

        // Errors: a message and a distinct exit code, nothing changed.
        var unknown = await Run("tenants", "show", "nobody-here", "--node", node);
        Assert.Equal(1, unknown.Code);
        Assert.Contains("Unknown tenant", unknown.Text);
        var badToken = await Run("cluster", "show", "--node", node, "--token", "not-the-operator-token-at-all");
        Assert.Equal(4, badToken.Code);
        Assert.Contains("refused the operator token", badToken.Text);
        Assert.DoesNotContain("not-the-operator-token-at-all", badToken.Text);
        var unreachable = await Run("cluster", "show", "--node", $"http://127.0.0.1:{ClosedPort()}");
        Assert.Equal(3, unreachable.Code);
        Assert.Contains("cannot reach the node", unreachable.Text);
        var badAddress = await Run("cluster", "leave", "not-an-address", "--node", node);
        Assert.Equal(1, badAddress.Code);
        Assert.Contains("Not an address", badAddress.Text);
        Assert.Equal(2, (await Run("cluster", "explode", "--node", node)).Code);
        Assert.Equal(2, (await Run("cluster", "show", "--node", "ftp://somewhere")).Code);

        // Signals, tailed through the second node while the strategy runs on the first.
        using (var signals = TradectlProcess(second.BaseUri.ToString(), "signals", "tail", "rsi-btc", "--count", "1"))
        {
            Assert.StartsWith("tradectl: following the signals of rsi-btc", await signals.StandardError.ReadLineAsync());
            using (var signalled = new CancellationTokenSource(TimeSpan.FromSeconds(90))) await signals.WaitForExitAsync(signalled.Token);
            Assert.Equal(0, signals.ExitCode);
            Assert.Matches(@"^\d\d:\d\d:\d\d rsi-btc #\d+ (Buy|Sell) BTCUSDT @ [0-9.]+: ", await signals.StandardOutput.ReadLineAsync());
        }
        var noSuchStrategy = await Run("signals", "tail", "rsi-eth", "--node", node);
        Assert.Equal(1, noSuchStrategy.Code);
        Assert.Contains("Unknown strategy", noSuchStrategy.Text);

        // Suspend a tenant: the next signal settles for it without an order, its neighbours trade; then it trades again.
        var suspend = await Run("tenants", "suspend", "demo-0002", "--reason", "chargeback review", "--node", second.BaseUri.ToString());
        Assert.Equal(0, suspend.Code);
        Assert.Contains("tenant demo-0002 suspended: chargeback review", suspend.Text);
        var suspendedAt = (await Run("tenants", "show", "demo-0002", "--json", "--node", node)).Json!.Value;
        Assert.Equal("chargeback review", suspendedAt.GetProperty("suspended").GetString());
        var again = await Run("tenants", "suspend", "demo-0002", "--node", node);
        Assert.Equal((1, true), (again.Code, again.Text.Contains("Refused: tenant 'demo-0002' is already suspended")));
        Assert.Contains("Unknown tenant", (await Run("tenants", "suspend", "nobody-here", "--node", node)).Text);
        var since = suspendedAt.GetProperty("suspendedSince").GetDateTimeOffset();
        IReadOnlyList<Outcome> outcomes = [];
        long probe = 0;
        await Eventually.TrueAsync(async () =>
        {
            outcomes = await JournalFacts.OutcomesAsync(db.ConnectionString, "rsi-btc");
            var after = (await JournalFacts.SignalsAsync(db.ConnectionString, "rsi-btc")).Where(x => x.Time > since).Select(x => x.Sequence).ToList();
            probe = after.Count > 0 ? after[0] : 0;
            return probe > 0 && outcomes.Any(o => o.TenantId == "demo-0002" && o.Sequence == probe) && outcomes.Any(o => o.TenantId == "demo-0001" && o.Sequence == probe && o.Kind != "order-submitted");
        }, TimeSpan.FromSeconds(90), "a signal after the suspension settled by demo-0002 and demo-0001");
        var suspendedOutcome = Assert.Single(outcomes, o => o.TenantId == "demo-0002" && o.Sequence == probe);
        Assert.Equal(("signals-skipped", "tenant suspended"), (suspendedOutcome.Kind, suspendedOutcome.Reason));
        Assert.NotEqual("tenant suspended", outcomes.Single(o => o.TenantId == "demo-0001" && o.Sequence == probe && o.Kind != "order-submitted").Reason);
        var resume = await Run("tenants", "resume", "demo-0002", "--node", node);
        Assert.Equal((0, "tenant demo-0002 trades again from its next signal"), (resume.Code, resume.Text.Trim()));
        var resumed = (await Run("tenants", "show", "demo-0002", "--json", "--node", node)).Json!.Value;
        Assert.True(!resumed.TryGetProperty("suspended", out var reason) || reason.ValueKind == JsonValueKind.Null, "no suspension after the resume");
        Assert.Contains("is not suspended", (await Run("tenants", "resume", "demo-0002", "--node", node)).Text);

        // Pause the strategy from the second node: stored, shown, refused twice; then running again.
        var pause = await Run("strategies", "pause", "rsi-btc", "--node", second.BaseUri.ToString());
        Assert.Equal(0, pause.Code);
        Assert.StartsWith("strategy rsi-btc paused at sequence", pause.Text);
        Assert.Equal("paused", Assert.Single((await Run("strategies", "list", "--json", "--node", node)).Json!.Value.EnumerateArray()).GetProperty("state").GetString());
        var pausedTwice = await Run("strategies", "pause", "rsi-btc", "--node", node);
        Assert.Equal((1, true), (pausedTwice.Code, pausedTwice.Text.Contains("already paused")));
        Assert.Contains("Unknown strategy", (await Run("strategies", "pause", "rsi-eth", "--node", node)).Text);
        Assert.Equal(0, (await Run("strategies", "resume", "rsi-btc", "--node", node)).Code);
        Assert.Equal("running", Assert.Single((await Run("strategies", "list", "--json", "--node", node)).Json!.Value.EnumerateArray()).GetProperty("state").GetString());

        // Leave: the second node hands over and exits; tradectl (the real executable) tails it; one member is left.
        using var tail = TradectlProcess(node, "cluster", "tail", "--count", "2");
        Assert.StartsWith("tradectl: following membership changes", await tail.StandardError.ReadLineAsync());
        var leave = await Run("cluster", "leave", second.AkkaAddress, "--node", node);
        Assert.Equal(0, leave.Code);
        Assert.True(await second.ExitedWithin(TimeSpan.FromSeconds(40)), "the node that was asked to leave exited");
        using (var tailDone = new CancellationTokenSource(TimeSpan.FromSeconds(30))) await tail.WaitForExitAsync(tailDone.Token);
        var tailed = (await tail.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(0, tail.ExitCode);
        Assert.Equal(2, tailed.Length);
        Assert.All(tailed, line => Assert.Contains(second.AkkaAddress, line));
        Assert.Contains("MemberLeft", tailed[0]); // the first change a leave makes
        await Eventually.TrueAsync(async () => (await Run("cluster", "show", "--json", "--node", node)).Json?.GetProperty("members").GetArrayLength() == 1,
            TimeSpan.FromSeconds(30), "one member left");
    }

    private static Dictionary<string, string> Settings(int demoTenants) => new()
    {
        ["Ops:Token"] = Token,
        ["Demo:Tenants"] = demoTenants.ToString(),
        ["Feed:IntervalMs"] = "50", // a fast feed: RSI crossings every few seconds, for the signal tail and the suspension
        ["Feed:Volatility"] = "0.004",
    };

    private sealed record CommandOutcome(int Code, string Text, JsonElement? Json);

    private static readonly SemaphoreSlim OneAtATime = new(1, 1); // tradectl's commands share a console setting

    private static async Task<CommandOutcome> Run(params string[] args)
    {
        await OneAtATime.WaitAsync();
        try
        {
            var output = new StringWriter();
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(output),
            });
            console.Profile.Width = 240;
            var withToken = args.Contains("--token") ? args : [.. args, "--token", Token];
            var code = await Tradectl.RunAsync(withToken, console);
            var text = output.ToString();
            JsonElement? json = null;
            if (code == 0 && args.Contains("--json")) json = JsonDocument.Parse(text).RootElement.Clone();
            return new CommandOutcome(code, text, json);
        }
        finally
        {
            OneAtATime.Release();
        }
    }

    /// <summary>tradectl as its own process (a tail follows a stream while other commands run).</summary>
    private static System.Diagnostics.Process TradectlProcess(string node, params string[] args)
    {
        var dll = Path.Combine(NodeProcess.RepositoryRoot(), "src", "TradingActors.Cli", "bin", "Release", "net10.0", "tradectl.dll");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet", [dll, .. args, "--node", node])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["TRADECTL_TOKEN"] = Token;
        return System.Diagnostics.Process.Start(start)!;
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port; // closed again when the listener is disposed
    }
}
