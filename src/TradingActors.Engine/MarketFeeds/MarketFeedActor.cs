using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using TradingActors.Brokers.Paper;
using TradingActors.Domain.Market;
using TradingActors.MarketData;

namespace TradingActors.Engine.MarketFeeds;

/// <summary>
/// A market feed, run once in the cluster (singleton): market data is fetched once and every
/// price goes out on its symbol's topic, for strategies and for each node's price board.
/// </summary>
public sealed class MarketFeedActor : ReceiveActor, IWithTimers
{
    private sealed record Tick;

    public MarketFeedActor(Func<DateTimeOffset, IReadOnlyList<PriceUpdate>> next, TimeSpan interval, TimeProvider time)
    {
        var mediator = DistributedPubSub.Get(Context.System).Mediator;
        Receive<Tick>(_ =>
        {
            foreach (var price in next(time.GetUtcNow()))
                mediator.Tell(new Publish(Names.PriceTopic(price.Symbol), price));
        });
        Timers!.StartPeriodicTimer("tick", new Tick(), interval);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Simulated(SimulatedFeedOptions options, TimeProvider time)
    {
        options.Validate();
        return Props.Create(() => new MarketFeedActor(new SimulatedFeed(options).Tick, options.Interval, time));
    }

    /// <summary>Replays shipped bars, one bar per interval, looping so a demo never runs dry.</summary>
    public static Props Replay(string csvPath, string symbol, TimeSpan interval, TimeProvider time)
    {
        var feed = new ReplayFeed(CsvBars.ReadFile(csvPath, symbol), loop: true);
        Func<DateTimeOffset, IReadOnlyList<PriceUpdate>> next = _ => feed.TryNext(out var p) ? [p] : [];
        return Props.Create(() => new MarketFeedActor(next, interval, time));
    }
}

/// <summary>One per node: keeps the latest price of every instrument for the paper venue's fills.</summary>
public sealed class PriceBoard : ReceiveActor
{
    public PriceBoard(LatestPrices prices, IEnumerable<string> symbols)
    {
        var mediator = DistributedPubSub.Get(Context.System).Mediator;
        foreach (var symbol in symbols) mediator.Tell(new Subscribe(Names.PriceTopic(symbol), Self));
        Receive<PriceUpdate>(p => { if (p.Price > 0) prices.Update(p.Symbol, p.Price); });
        Receive<SubscribeAck>(_ => { });
    }
}
