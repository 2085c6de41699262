using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Pattern;
using Akka.Persistence;
using TradingActors.Brokers;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Fanout;

namespace TradingActors.Engine.Tenants;

/// <summary>
/// One user: a sharded persistent entity owning its accounts, subscriptions, paper balances and
/// order ledger. It decides through <see cref="TenantDecisions"/>, persists, then replies.
/// Venue calls go through one BrokerSession child per external account, one call at a time per
/// tenant (other messages wait in the stash, bounded by the call timeout). The embedded paper venue
/// is called directly: it answers synchronously, so a paper order and its fill are one step.
/// </summary>
public sealed class TenantActor : UntypedPersistentActor, IWithTimers
{
    private readonly string _tenantId;
    private readonly TenantDependencies _deps;
    private TenantState _state;
    private InFlight? _inFlight;
    // Strategies whose registration is not yet confirmed; null when none (most tenants, most of the time).
    private HashSet<string>? _unregisteredStrategies;

    /// <summary>A venue call in progress, with who to acknowledge the signal to when it settles.</summary>
    private sealed record InFlight(OrderIntent Intent, bool IsLookup, IActorRef? AckTo);

    private sealed record ResolveOpenOrders;
    private sealed record RetryRegistrations;
    private sealed record VenueDeadline(string ClientOrderId);

    // Behaviours are switch statements, not per-instance handler tables: thousands of tenants
    // live on a node, and each registered handler is memory every one of them carries.
    public TenantActor(string tenantId, TenantDependencies deps)
    {
        _tenantId = tenantId;
        _deps = deps;
        _state = TenantState.Empty(tenantId);
        PersistenceId = Names.TenantPersistenceId(tenantId);
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string tenantId, TenantDependencies deps) =>
        // Not an expression tree (one Props per tenant stays alive), and the compact mailbox.
        Akka.Actor.Props.Create(typeof(TenantActor), tenantId, deps).WithMailbox(CompactDequeMailbox.Id);

    private DateTimeOffset Now => _deps.Time.GetUtcNow();

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer o: _state = ((TenantSnapshot)o.Snapshot).State; break;
            case ITenantEvent e: _state = _state.Apply(e); break;
            case RecoveryCompleted: OnRecovered(); break;
        }
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case CreateTenant c: Decide(c, TenantDecisions.Create(_state, c.DisplayName, Now)); break;
            case LinkPaperAccount c: Decide(c, TenantDecisions.LinkPaperAccount(_state, c.AccountId, c.StartingCash, Now)); break;
            case LinkBrokerAccount c: Decide(c, TenantDecisions.LinkBrokerAccount(_state, c.AccountId, c.Venue, c.VenueAccountNumber, _deps.Venues.External, Now)); break;
            case SubscribeToStrategy c: Decide(c, TenantDecisions.Subscribe(_state, _deps.Strategies, c.StrategyId, c.AccountId, c.Budget, Now), () => Register(c.StrategyId)); break;
            case ResumeSubscription c: Decide(c, TenantDecisions.Resume(_state, c.StrategyId, Now), () => Register(c.StrategyId)); break;
            case UnsubscribeFromStrategy c: Decide(c, TenantDecisions.Unsubscribe(_state, c.StrategyId, Now), () => Unregister(c.StrategyId)); break;
            case PauseSubscription c: Decide(c, TenantDecisions.Pause(_state, c.StrategyId, Now), () => Unregister(c.StrategyId)); break;
            case ExecuteSignal c: Execute(c); break;
            case SubscriberRegistered r: OnRegistered(r); break;
            case RetryRegistrations:
                foreach (var strategyId in _unregisteredStrategies?.ToList() ?? []) Register(strategyId);
                break;
            case ResolveOpenOrders: ResolveNextOpenOrder(); break;
            case WakeTenant: break;
            case VenueAnswer a: Log.Info("tenant {0}: late venue answer for {1} ignored ({2})", _tenantId, a.Intent.ClientOrderId, a.Kind); break;
            case VenueDeadline: break;
            default: CommonCommand(message); break;
        }
    }

    /// <summary>While a venue call is in flight: only its answer (or deadline) and read-only queries are handled.</summary>
    private void AwaitingVenue(object message)
    {
        switch (message)
        {
            case VenueAnswer a: OnVenueAnswer(a); break;
            case VenueDeadline d:
                if (_inFlight is { } f && f.Intent.ClientOrderId == d.ClientOrderId)
                    OnVenueAnswer(VenueAnswer.Unknown(f.Intent, "broker session did not answer"));
                break;
            case GetPortfolio or SaveSnapshotSuccess or SaveSnapshotFailure or DeleteSnapshotsSuccess or DeleteSnapshotsFailure or ReceiveTimeout:
                CommonCommand(message);
                break;
            default: Stash.Stash(); break;
        }
    }

    private void CommonCommand(object message)
    {
        switch (message)
        {
            case GetPortfolio: Sender.Tell(new Portfolio(_tenantId, _state)); break;
            case SaveSnapshotSuccess s: DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)); break;
            case SaveSnapshotFailure f: Log.Warning("tenant {0}: snapshot failed: {1}", _tenantId, f.Cause.Message); break;
            case DeleteSnapshotsSuccess or DeleteSnapshotsFailure: break;
            case ReceiveTimeout:
                if (!_state.HasActiveSubscriptions && _state.Open.IsEmpty && _inFlight is null)
                    Context.Parent.Tell(new Passivate(PoisonPill.Instance));
                break;
            default: Unhandled(message); break;
        }
    }

    private void OnRecovered()
    {
        RegisterAll();
        if (!_state.Open.IsEmpty) ScheduleResolution(TimeSpan.Zero);
        UpdateResidency();
    }

    // ---- commands that only change the tenant's own state

    private void Decide(ITenantCommand command, Decision decision, Action? afterPersist = null)
    {
        var name = command.GetType().Name;
        if (!decision.Accepted)
        {
            Sender.Tell(new CommandRejected(_tenantId, name, decision.Rejection!));
            return;
        }
        var replyTo = Sender;
        var remaining = decision.Events.Length;
        PersistAll(decision.Events, e =>
        {
            Apply(e);
            if (--remaining > 0) return;
            replyTo.Tell(new CommandAccepted(_tenantId, name));
            afterPersist?.Invoke();
            UpdateResidency();
        });
    }

    private void Apply(ITenantEvent e)
    {
        _state = _state.Apply(e);
        if (LastSequenceNr % _deps.SnapshotEvery == 0) SaveSnapshot(new TenantSnapshot(_state));
    }

    /// <summary>Tenants that must act on signals stay resident; others passivate when idle.</summary>
    private void UpdateResidency() =>
        SetReceiveTimeout(_state.HasActiveSubscriptions || !_state.Open.IsEmpty ? null : _deps.IdlePassivation);

    // ---- signals

    private void Execute(ExecuteSignal command)
    {
        var signal = command.Signal;
        var plan = TenantDecisions.PlanSignal(_state, signal, _deps.PaperCosts);
        var ackTo = Sender;
        switch (plan)
        {
            case SignalPlan.Ignore ignore:
                Ack(ackTo, signal.StrategyId, signal.Sequence, ignore.Reason);
                break;
            case SignalPlan.Defer:
                break; // unacknowledged: the fan-out bucket delivers it again
            case SignalPlan.Reject reject:
                PersistOutcome(new OrderRejected(reject.Intent, reject.Reason, Now), ackTo);
                break;
            case SignalPlan.Place { EmbeddedPaper: true } place:
                // The paper account is ours: no intent to persist; the order and its fill become one event.
                CallVenue(new InFlight(place.Intent, IsLookup: false, ackTo));
                break;
            case SignalPlan.Place place:
                Persist(new OrderSubmitted(place.Intent, Now), e =>
                {
                    Apply(e);
                    CallVenue(new InFlight(place.Intent, IsLookup: false, ackTo));
                });
                break;
        }
    }

    private void CallVenue(InFlight call)
    {
        var account = _state.Accounts[call.Intent.AccountId];
        if (account.IsEmbeddedPaper)
        {
            var paper = new BrokerAccount(account.AccountId, PaperAccountNumber(_tenantId, account.AccountId));
            var answer = VenueCall.RunAsync(_deps.Venues[account.Venue], paper, call.Intent, call.IsLookup, _deps.Session.CallTimeout);
            if (answer.IsCompleted)
            {
                // The usual case: settled in this same message, no hop, no timer, no behaviour switch.
                Settle(call, answer.Result);
                return;
            }
            answer.PipeTo(Self); // a paper fault (hang) answers later, through the same path as a session
        }
        else
        {
            var session = Session(account);
            session.Tell(call.IsLookup ? new FindOrderAtVenue(call.Intent) : new PlaceOrderAtVenue(call.Intent));
        }
        _inFlight = call;
        Timers.StartSingleTimer("venue-deadline", new VenueDeadline(call.Intent.ClientOrderId), _deps.Session.CallTimeout + TimeSpan.FromSeconds(2));
        Become(AwaitingVenue);
    }

    private void OnVenueAnswer(VenueAnswer answer)
    {
        if (_inFlight is not { } call || call.Intent.ClientOrderId != answer.Intent.ClientOrderId)
        {
            Log.Info("tenant {0}: stale venue answer for {1} ignored", _tenantId, answer.Intent.ClientOrderId);
            return;
        }
        _inFlight = null;
        Timers.Cancel("venue-deadline");
        Become(OnCommand);
        Stash.UnstashAll();
        Settle(call, answer);
    }

    private void Settle(InFlight call, VenueAnswer answer)
    {
        var intent = call.Intent;
        var outcome = TenantDecisions.OutcomeOf(_state, intent, answer.Kind, answer.Fill, answer.Reason, call.IsLookup, Now);
        if (outcome is not null)
        {
            PersistOutcome(outcome, call.AckTo);
        }
        else
        {
            if (call.AckTo is not null && _state.Open.ContainsKey(intent.ClientOrderId))
                Ack(call.AckTo, Sources.StrategyIdOf(intent.Source) ?? "", intent.SourceSequence, "order unresolved");
            if (answer.Kind == VenueAnswerKind.NotFound && call.IsLookup)
                ReplaceIfInvisible(intent);
            else
                ScheduleResolution(_deps.VisibilityWindow);
        }
    }

    private void PersistOutcome(ITenantEvent outcome, IActorRef? ackTo)
    {
        Persist(outcome, e =>
        {
            Apply(e);
            var intent = ((ISignalOutcome)e).Intent;
            var status = _state.Open.TryGetValue(intent.ClientOrderId, out var open) ? open.Status : _state.Recent[^1].Status;
            Context.System.EventStream.Publish(new OrderOutcomePersisted(_tenantId, intent.ClientOrderId, status, System.Diagnostics.Stopwatch.GetTimestamp()));
            if (ackTo is not null) Ack(ackTo, Sources.StrategyIdOf(intent.Source) ?? "", intent.SourceSequence, status.ToString());
            if (status == OrderStatus.Unknown) ScheduleResolution(_deps.VisibilityWindow);
            UpdateResidency();
        });
    }

    private void Ack(IActorRef to, string strategyId, long sequence, string outcome)
    {
        if (!to.IsNobody()) to.Tell(new SignalAcknowledged(_tenantId, strategyId, sequence, outcome));
    }

    // ---- resolving orders whose outcome is unknown (invariant 2)

    private void ScheduleResolution(TimeSpan delay) =>
        Timers.StartSingleTimer("resolve", new ResolveOpenOrders(), delay);

    private void ResolveNextOpenOrder()
    {
        var open = _state.Open.Values.OrderBy(o => o.At).FirstOrDefault();
        if (open is null) return;
        // Look the client order id up first; place again only once the venue should show it.
        CallVenue(new InFlight(open.Intent, IsLookup: true, AckTo: null));
    }

    private void ReplaceIfInvisible(OrderIntent intent)
    {
        var open = _state.Open[intent.ClientOrderId];
        if (Now - open.At < _deps.VisibilityWindow)
        {
            ScheduleResolution(_deps.VisibilityWindow - (Now - open.At));
            return;
        }
        // Absent after the visibility window: place again with the same id (the venue dedupes it).
        CallVenue(new InFlight(intent, IsLookup: false, AckTo: null));
    }

    private IActorRef Session(LinkedAccount account)
    {
        var name = "broker-" + account.AccountId;
        var existing = Context.Child(name);
        if (!existing.IsNobody()) return existing;
        var sessionProps = BrokerSession.Props(_deps.Venues[account.Venue], new BrokerAccount(account.AccountId, account.VenueAccountNumber), _deps.Session, _deps.Time);
        // A crashing session restarts with backoff and never takes the tenant down with it.
        return Context.ActorOf(BackoffSupervisor.Props(
            Backoff.OnFailure(sessionProps, "session", TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), 0.2, maxNrOfRetries: -1)
                .WithSupervisorStrategy(new OneForOneStrategy(_ => Directive.Restart))), name);
    }

    /// <summary>Paper account numbers are ours to choose: scoped by tenant so two tenants' "paper-1" never share a book.</summary>
    public static string PaperAccountNumber(string tenantId, string accountId) => tenantId + "/" + accountId;

    // ---- fan-out registration

    private void RegisterAll()
    {
        foreach (var sub in _state.Subscriptions.Values.Where(s => s.Status == SubscriptionStatus.Active))
            Register(sub.StrategyId);
    }

    private void Register(string strategyId)
    {
        (_unregisteredStrategies ??= []).Add(strategyId);
        _deps.FanoutRegion.Tell(new RegisterSubscriber(strategyId, Names.FanoutBucketOf(_tenantId, _deps.FanoutBuckets), _tenantId, _state.LastProcessed(strategyId)));
        if (!Timers.IsTimerActive("register")) Timers.StartPeriodicTimer("register", new RetryRegistrations(), TimeSpan.FromSeconds(5));
    }

    private void Unregister(string strategyId)
    {
        _unregisteredStrategies?.Remove(strategyId);
        _deps.FanoutRegion.Tell(new UnregisterSubscriber(strategyId, Names.FanoutBucketOf(_tenantId, _deps.FanoutBuckets), _tenantId));
    }

    private void OnRegistered(SubscriberRegistered registered)
    {
        _unregisteredStrategies?.Remove(registered.StrategyId);
        if (_unregisteredStrategies is not { Count: > 0 })
        {
            _unregisteredStrategies = null;
            Timers.Cancel("register");
        }
        // Catch up on what was missed while away, in order; each is deduplicated by sequence.
        foreach (var signal in registered.Missed.OrderBy(s => s.Sequence))
            Self.Tell(new ExecuteSignal(_tenantId, signal), Sender);
    }

}
