using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;
using TradingActors.Domain.Strategies;
using TradingActors.Engine.Fanout;
using TradingActors.Engine.Hosting;
using TradingActors.Engine.Strategies;

namespace TradingActors.Bench;

/// <summary>The engine in this process: a generic Host with AddTradingEngine, as a node would run it.</summary>
public sealed class EngineHost : IAsyncDisposable
{
    public const string Strategy = "rsi-btc";

    private readonly IHost _host;
    private bool _stopped;

    private EngineHost(IHost host, TradingEngineOptions options)
    {
        _host = host;
        Options = options;
        (System, Tenants, Fanout, Strategies) = EngineEntryPoints.From(host.Services);
    }

    public ActorSystem System { get; }
    public TradingEngineOptions Options { get; }
    public IActorRef Tenants { get; }
    public IActorRef Fanout { get; }
    public IActorRef Strategies { get; }

    public static TradingEngineOptions BenchOptions(string connectionString, int? buckets)
    {
        var options = new TradingEngineOptions
        {
            ConnectionString = connectionString,
            Cluster = new TradingActors.Engine.Hosting.ClusterSettings { Port = 0 },
            Strategies = [new StrategyDefinition(Strategy, "BTCUSDT")],
            Feed = new FeedSettings { Kind = "none" }, // no random signals: only the one we emit
            SummaryInterval = TimeSpan.FromHours(1),
        };
        if (buckets is { } b) options.FanoutBuckets = b;
        // Measuring a setting without a rebuild: BENCH_HOCON overrides cluster-config/.
        options.ExtraHocon = Environment.GetEnvironmentVariable("BENCH_HOCON") ?? "";
        return options;
    }

    /// <summary>Starts the host; returns once the node is Up and the strategy singleton answers (nothing else is awaited).</summary>
    public static async Task<EngineHost> StartAsync(TradingEngineOptions options, LogEventLevel logLevel = LogEventLevel.Warning)
    {
        var builder = Host.CreateApplicationBuilder([]);
        builder.Logging.ClearProviders();
        // Warnings and errors by default, on stderr: stdout is reserved for the bench's result line.
        builder.Services.AddSerilog(logger => logger
            .MinimumLevel.Is(logLevel)
            .WriteTo.Console(
                outputTemplate: "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}",
                standardErrorFromLevel: LogEventLevel.Verbose));
        builder.Services.AddTradingEngine(options);
        var host = builder.Build();
        await host.StartAsync();
        var engine = new EngineHost(host, options);

        await Wait.Until(() => Task.FromResult(Cluster.Get(engine.System).SelfMember.Status == MemberStatus.Up),
            TimeSpan.FromSeconds(60), "node Up", TimeSpan.FromMilliseconds(10));
        await Wait.Until(async () =>
        {
            try
            {
                await engine.Strategies.Ask<StrategyStatus>(new GetStrategyStatus(Strategy), TimeSpan.FromSeconds(1));
                return true;
            }
            catch (AskTimeoutException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "strategy singleton answers", TimeSpan.FromMilliseconds(10));
        return engine;
    }

    /// <summary>Registered subscribers and members behind the latest signal, summed over the strategy's fan-out buckets.</summary>
    public async Task<(int Subscribers, int Lagging)> FanoutTotals()
    {
        var statuses = await Task.WhenAll(Enumerable.Range(0, Options.FanoutBuckets).Select(bucket =>
            Fanout.Ask<FanoutStatus>(new GetFanoutStatus(Strategy, bucket), TimeSpan.FromSeconds(30))));
        return (statuses.Sum(s => s.Subscribers), statuses.Sum(s => s.Lagging));
    }

    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        await _host.StopAsync();
        _host.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}

public static class Wait
{
    public static async Task Until(Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan? poll = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await condition()) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out after {timeout.TotalSeconds:0} s waiting for: {what}");
            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(100));
        }
    }
}
