using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using TradingActors.Engine;
using TradingActors.Engine.Strategies;

namespace TradingActors.Node.Ops;

/// <summary>
/// A strategy's signals as it publishes them (tradectl signals tail): an actor subscribed to the strategy's topic for
/// the length of one request writes them to a channel the request reads. Observers only: the signals' delivery to
/// subscribers goes through the fan-out, not this topic.
/// </summary>
public static class SignalEvents
{
    public sealed record Event(string StrategyId, long Sequence, string Side, string Symbol, decimal Price, DateTimeOffset Time, string Reason);

    public static async IAsyncEnumerable<Event> FollowAsync(ActorSystem system, string strategyId,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var channel = Channel.CreateBounded<Event>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest });
        var listener = system.ActorOf(Props.Create(() => new Listener(channel.Writer, strategyId)));
        try
        {
            await foreach (var e in channel.Reader.ReadAllAsync(ct)) yield return e;
        }
        finally
        {
            system.Stop(listener);
        }
    }

    private sealed class Listener : ReceiveActor
    {
        private readonly IActorRef _mediator = DistributedPubSub.Get(Context.System).Mediator;
        private readonly string _topic;

        public Listener(ChannelWriter<Event> events, string strategyId)
        {
            _topic = Names.SignalTopic(strategyId);
            Receive<SignalPublished>(p => events.TryWrite(new Event(p.Signal.StrategyId, p.Signal.Sequence, p.Signal.Side.ToString(), p.Signal.Symbol,
                p.Signal.Price, p.Signal.Time, p.Signal.Reason)));
            Receive<SubscribeAck>(_ => { });
            Receive<UnsubscribeAck>(_ => { });
        }

        protected override void PreStart() => _mediator.Tell(new Subscribe(_topic, Self));

        protected override void PostStop() => _mediator.Tell(new Unsubscribe(_topic, Self));
    }
}
