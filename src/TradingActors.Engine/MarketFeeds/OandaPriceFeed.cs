using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using TradingActors.Brokers;
using TradingActors.Brokers.Oanda;
using TradingActors.Domain.Market;

namespace TradingActors.Engine.MarketFeeds;

/// <summary>
/// OANDA's price stream as the cluster's feed (the "feed" singleton, Trading:Feed:Kind=oanda): every price goes out
/// on its symbol's topic, as <see cref="MarketFeedActor"/> does. The stream keeps itself up (reconnection with
/// backoff, stalls found by missing heartbeats, a refused token retried late: <see cref="OandaMarketData"/>); this
/// actor only owns its lifetime and tells the log what happened, never the token.
/// </summary>
public sealed class OandaPriceFeed : ReceiveActor
{
    /// <summary>The stream ended with an error of its own (not a connection's: those it survives).</summary>
    private sealed record StreamFailed(Exception Cause);

    private readonly OandaMarketData _stream;
    private readonly BrokerAccount _account;
    private readonly IReadOnlyList<string> _instruments;
    private readonly CancellationTokenSource _stop = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public OandaPriceFeed(OandaMarketData stream, BrokerAccount account, IReadOnlyList<string> instruments)
    {
        _stream = stream;
        _account = account;
        _instruments = instruments;
        var mediator = DistributedPubSub.Get(Context.System).Mediator;
        Receive<PriceUpdate>(price => mediator.Tell(new Publish(Names.PriceTopic(price.Symbol), price)));
        Receive<OandaFeedEvent>(Log);
        // Thrown so the singleton's supervisor starts the feed again, with a new stream.
        Receive<StreamFailed>(failed => throw new InvalidOperationException("the OANDA price stream failed", failed.Cause));
    }

    protected override void PreStart()
    {
        // The stream runs on the thread pool: it only tells this actor, which publishes and logs from its own turn.
        var self = Self;
        var stop = _stop.Token;
        _ = _stream.RunAsync(_account, _instruments, price =>
            {
                self.Tell(price);
                return ValueTask.CompletedTask;
            }, e => self.Tell(e), stop)
            .ContinueWith(run =>
            {
                if (run.IsFaulted && !stop.IsCancellationRequested) self.Tell(new StreamFailed(run.Exception!.GetBaseException()));
            }, TaskScheduler.Default);
    }

    protected override void PostStop()
    {
        // Closes the connection at OANDA too: a singleton handed over leaves no stream behind.
        // Not disposed: the stream may still be unwinding on the token.
        _stop.Cancel();
    }

    private void Log(OandaFeedEvent e)
    {
        if (e.State == OandaFeedState.Connected)
            _log.Info("oanda price feed connected for account {0} ({1}): {2}", _account.VenueAccountNumber, _account.Mode, e.Reason);
        else if (e.State == OandaFeedState.AuthRefused)
            _log.Error("oanda price feed: account {0}'s token was refused ({1}); trying again in {2}", _account.VenueAccountNumber, e.Reason, e.ReconnectIn);
        else
            _log.Warning("oanda price feed {0}: {1}; reconnecting in {2}", e.State, e.Reason, e.ReconnectIn);
    }

    /// <summary>
    /// The feed for <paramref name="account"/>'s stream of <paramref name="instruments"/>. The HttpClient should have no
    /// timeout of its own: the stream's stall timeout bounds every wait.
    /// </summary>
    public static Props Props(OandaOptions options, BrokerAccount account, IReadOnlyList<string> instruments, HttpClient http, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (instruments.Count == 0) throw new ArgumentException("at least one instrument", nameof(instruments));
        var stream = new OandaMarketData(options, http, time);
        return Akka.Actor.Props.Create(() => new OandaPriceFeed(stream, account, instruments));
    }
}
