using Akka.Actor;
using TradingActors.Brokers;
using TradingActors.Domain.Orders;

namespace TradingActors.Engine.Tenants;

/// <summary>
/// One per linked external account, child of its tenant: the only place the account's credentials
/// are used. (The embedded paper venue has no credentials and answers in-process: the tenant calls
/// it directly through <see cref="VenueCall"/>, with the same timeout and failure mapping.) Every
/// venue call runs with a timeout and behind a circuit breaker, and every outcome, failures
/// included, is reported to the tenant as a <see cref="VenueAnswer"/> — never thrown.
/// Stops itself when idle; the tenant creates it again on the next call.
/// </summary>
public sealed class BrokerSession : ReceiveActor
{
    public sealed record Settings(TimeSpan CallTimeout, int BreakerMaxFailures, TimeSpan BreakerReset, TimeSpan IdleStop);

    private readonly IBrokerClient _client;
    private readonly BrokerAccount _account;
    private readonly Settings _settings;
    private readonly TimeProvider _time;
    private int _consecutiveFailures;
    private DateTimeOffset _openUntil = DateTimeOffset.MinValue;

    public BrokerSession(IBrokerClient client, BrokerAccount account, Settings settings, TimeProvider time)
    {
        _client = client;
        _account = account;
        _settings = settings;
        _time = time;
        Receive<PlaceOrderAtVenue>(m => Call(m.Intent, isLookup: false));
        Receive<FindOrderAtVenue>(m => Call(m.Intent, isLookup: true));
        Receive<VenueAnswer>(Report);
        Receive<ReceiveTimeout>(_ => Context.Stop(Self));
        SetReceiveTimeout(settings.IdleStop);
    }

    public static Props Props(IBrokerClient client, BrokerAccount account, Settings settings, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new BrokerSession(client, account, settings, time));

    private void Call(OrderIntent intent, bool isLookup)
    {
        var replyTo = Sender;
        if (_time.GetUtcNow() < _openUntil)
        {
            // An open breaker means we did not call: for a placement that is "definitely not placed".
            replyTo.Tell(isLookup
                ? VenueAnswer.Unknown(intent, "circuit open")
                : VenueAnswer.Unavailable(intent, "circuit open after repeated venue failures"));
            return;
        }

        var client = _client;
        var account = _account;
        var timeout = _settings.CallTimeout;
        // Off the actor's thread: a connector that blocks before its first await must not stall the session.
        Task.Run(() => VenueCall.RunAsync(client, account, intent, isLookup, timeout)).PipeTo(Self, replyTo);
    }

    private void Report(VenueAnswer answer)
    {
        if (answer.Kind is VenueAnswerKind.Unknown or VenueAnswerKind.Unavailable or VenueAnswerKind.Failed)
        {
            if (++_consecutiveFailures >= _settings.BreakerMaxFailures)
                _openUntil = _time.GetUtcNow() + _settings.BreakerReset;
        }
        else
        {
            _consecutiveFailures = 0;
        }
        Sender.Tell(answer);
    }
}

/// <summary>Local messages between a tenant and its broker session (never leave the node).</summary>
public sealed record PlaceOrderAtVenue(OrderIntent Intent);
public sealed record FindOrderAtVenue(OrderIntent Intent);

public sealed record VenueAnswer(OrderIntent Intent, VenueAnswerKind Kind, Fill? Fill, string? Reason)
{
    public static VenueAnswer Of(OrderIntent intent, BrokerOrderResult r) => r.Status switch
    {
        BrokerOrderStatus.Filled when r.Fill is not null => new(intent, VenueAnswerKind.Filled, r.Fill, null),
        BrokerOrderStatus.Rejected => new(intent, VenueAnswerKind.Rejected, null, r.RejectReason ?? "rejected"),
        _ => new(intent, VenueAnswerKind.Accepted, null, null),
    };

    public static VenueAnswer NotFound(OrderIntent i) => new(i, VenueAnswerKind.NotFound, null, null);
    public static VenueAnswer Unavailable(OrderIntent i, string reason) => new(i, VenueAnswerKind.Unavailable, null, reason);
    public static VenueAnswer Failed(OrderIntent i, string reason) => new(i, VenueAnswerKind.Failed, null, reason);
    public static VenueAnswer Unknown(OrderIntent i, string reason) => new(i, VenueAnswerKind.Unknown, null, reason);
}
