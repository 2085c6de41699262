using Spectre.Console;
using Spectre.Console.Cli;

namespace TradingActors.Cli;

/// <summary>
/// tradectl: the operators' CLI (decision 017). Petabridge.Cmd's cluster, sharding, singleton and pub-sub commands,
/// and our domain commands, over the node's /ops routes; `backtest` runs locally. Exit codes: 0 done, 1 the node
/// answered an error (backtest: the input was refused), 2 usage, 3 the node is unreachable, 4 the operator token was
/// refused, 130 cancelled (Ctrl-C during a backtest).
/// </summary>
public static class Tradectl
{
    public static async Task<int> RunAsync(string[] args, IAnsiConsole? console = null, HttpMessageHandler? handler = null)
    {
        console ??= AnsiConsole.Console;
        CommandEnvironment.Console = console;
        CommandEnvironment.Handler = handler;
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("tradectl");
            config.ConfigureConsole(console);
            config.PropagateExceptions();
            config.AddBranch("cluster", c =>
            {
                c.SetDescription("membership: show, status, leader, leave, down, down-unreachable, join, tail");
                c.AddCommand<ClusterShow>("show").WithDescription("every member: address, status, roles, reachable");
                c.AddCommand<ClusterStatus>("status").WithDescription("this node's status and the members by status");
                c.AddCommand<ClusterLeader>("leader").WithDescription("the leader's address");
                c.AddCommand<ClusterLeave>("leave").WithDescription("ask a member to leave (it hands over and stops)");
                c.AddCommand<ClusterDown>("down").WithDescription("mark a member down (for one that is dead)");
                c.AddCommand<ClusterDownUnreachable>("down-unreachable").WithDescription("mark every unreachable member down");
                c.AddCommand<ClusterJoin>("join").WithDescription("make the node join the cluster at an address");
                c.AddCommand<ClusterTail>("tail").WithDescription("membership changes as they happen (--count N to stop)");
            });
            config.AddBranch("sharding", c =>
            {
                c.SetDescription("shard regions: regions, region-stats, shard-stats, locate");
                c.AddCommand<ShardingRegions>("regions").WithDescription("this node's regions: shards and entities it hosts");
                c.AddCommand<ShardingRegionStats>("region-stats").WithDescription("shards and entities per node of a region (tenant, fanout)");
                c.AddCommand<ShardingShardStats>("shard-stats").WithDescription("every shard of a region: its node and entities");
                c.AddCommand<ShardingLocate>("locate").WithDescription("the shard and node of a tenant");
            });
            config.AddBranch("singleton", c => c.AddCommand<SingletonWhere>("where").WithDescription("the node a singleton runs on"));
            config.AddBranch("pubsub", c => c.AddCommand<PubSubTopics>("topics").WithDescription("the topics this node knows"));
            config.AddBranch("tenants", c =>
            {
                c.SetDescription("tenants: show, suspend, resume");
                c.AddCommand<TenantsShow>("show").WithDescription("a tenant's accounts, subscriptions and orders");
                c.AddCommand<TenantsSuspend>("suspend").WithDescription("stop a tenant's trading: its signals settle without orders (--reason R)");
                c.AddCommand<TenantsResume>("resume").WithDescription("let a suspended tenant trade again, from its next signal");
                c.AddCommand<TenantsPlan>("plan").WithDescription("move a tenant to a plan: TENANT PLAN [--until DATE] (what it does not allow is paused)");
            });
            config.AddBranch("actor", c => c.AddCommand<ActorHierarchy>("hierarchy").WithDescription("the actors under a path on the node"));
            config.AddBranch("log", c =>
            {
                c.SetDescription("the node's log: peek, level");
                c.AddCommand<LogPeek>("peek").WithDescription("the node's newest log events");
                c.AddCommand<LogLevel>("level").WithDescription("show or set the node's minimum log level");
            });
            config.AddBranch("strategies", c =>
            {
                c.SetDescription("strategies: list, create, pause, resume, retire");
                c.AddCommand<StrategiesList>("list").WithDescription("each strategy: kind, state, sequence, RSI, prices seen, node");
                c.AddCommand<StrategiesCreate>("create").WithDescription("create a shared strategy at run time: <ID> --kind rsi --symbol BTCUSDT [--params JSON|@FILE]");
                c.AddCommand<StrategiesRetire>("retire").WithDescription("retire a strategy for good (its id is never reused)");
                c.AddCommand<StrategiesPause>("pause").WithDescription("stop a strategy's signals (it keeps reading prices)");
                c.AddCommand<StrategiesResume>("resume").WithDescription("let a paused strategy signal again");
            });
            config.AddCommand<BacktestCommand>("backtest")
                .WithDescription("run a backtest (or with --sweep a parameter grid) on this machine from CSV bars; no node")
                .WithExample("backtest", "--strategy", "dca", "--params", "{\"base_order\":100,\"safety_order\":100}", "--bars", "data/bars/ETHUSDT-1h.csv", "--out", "out/dca")
                .WithExample("backtest", "--strategy", "rsi", "--bars", "data/bars/BTCUSDT-1m.csv", "--sweep", "period=7,14,21", "--sweep", "oversold=20..30:5", "--rank", "sharpe");
            config.AddCommand<StripeFakeRun>("stripe-fake").WithDescription("run the local Stripe fake on 127.0.0.1 (checkout, portal, signed webhooks to the node) until Ctrl-C");
            config.AddCommand<FakesRun>("fakes").WithDescription("run the real venues' local fakes on 127.0.0.1, each with a demo account, until Ctrl-C");
            config.AddBranch("plans", c => c.AddCommand<PlansList>("list").WithDescription("the plans on sale: limits (-1: none), live trading, rate tier, prices"));
            config.AddBranch("bots", c =>
            {
                c.SetDescription("a tenant's bots: list, stop");
                c.AddCommand<BotsList>("list").WithDescription("a tenant's bots: status, decisions, position, realised PnL");
                c.AddCommand<BotsStop>("stop").WithDescription("stop a tenant's bot: TENANT BOT [--close]");
            });
            config.AddBranch("signals", c => c.AddCommand<SignalsTail>("tail").WithDescription("a strategy's signals as it publishes them (--count N to stop)"));
        });
        try
        {
            return await app.RunAsync(args);
        }
        catch (OpsFailure failure)
        {
            console.MarkupLineInterpolated($"[red]tradectl:[/] {failure.Message}");
            return failure.ExitCode;
        }
        catch (CommandAppException usage)
        {
            console.MarkupLineInterpolated($"[red]tradectl:[/] {usage.Message}");
            return OpsFailure.Usage;
        }
    }
}
