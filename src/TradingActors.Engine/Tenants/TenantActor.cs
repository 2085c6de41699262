using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using TradingActors.Brokers;
using TradingActors.Credentials;
using TradingActors.Domain.Billing;
using TradingActors.Domain.Bots;
using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Fanout;
using TradingActors.Engine.Observability;
using TradingActors.Engine.Bots;
using TradingActors.Engine.Strategies;

namespace TradingActors.Engine.Tenants;

/// <summary>
/// One user: a sharded persistent entity owning its accounts, subscriptions, paper balances and
/// order ledger. It decides through <see cref="TenantDecisions"/>, persists, then replies.
/// Each subscription executes its strategy's signals strictly in sequence (gaps are fetched from the
/// strategy's journal through the node's <see cref="SignalHistory"/>), one subscription after the other;
/// the tenant is one member of the strategy's fan-out and acknowledges a signal to its bucket once every
/// active subscription of that strategy has persisted its outcome. Venue calls go through one BrokerSession child per external
/// account, one call at a time per tenant (other messages wait in the stash, bounded by the call
/// timeout); the embedded paper venue is called directly: a paper order and its fill are one step.
/// Every open order is resolved by client order id with its own backoff; a working one (resting or partly filled at its
/// venue) is followed the same way until it ends, each growth of its fill persisted and booked once. A trader's cancel
/// goes to the venue through the same one-call-at-a-time path, and its answer is persisted like a lookup's.
/// </summary>
public sealed class TenantActor : UntypedPersistentActor, IWithTimers
{
    private static readonly TimeSpan FetchRetry = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan RegistrationRetry = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan LatestSequenceTimeout = TimeSpan.FromSeconds(10);

    private readonly string _tenantId;
    private readonly TenantDependencies _deps;
    private TenantState _state;
    private InFlight? _inFlight;
    private PendingStart? _pendingStart;
    // All null for most tenants most of the time: thousands live on a node.
    private HashSet<string>? _unregisteredStrategies;
    // Keyed by subscription key; _fetching by strategy (one fetch serves every subscription of it).
    private Dictionary<string, SignalBacklog>? _backlogs;
    private HashSet<string>? _fetching;
    private Dictionary<string, int>? _lookups;
    private Dictionary<string, IActorRef>? _manualReplies;
    private Dictionary<string, IActorRef>? _cancelReplies;
    // Venue rules asked of a session (account and symbol), and the manual orders planned again once they are known.
    private HashSet<(string AccountId, string Symbol)>? _learning;
    private List<(PlaceManualOrder Command, IActorRef ReplyTo)>? _awaitingRules;
    // Strategies with work that was woken while a write or call was under way: drained once it settles.
    private HashSet<string>? _woken;
    private int _sessionGeneration;

    /// <summary>A venue call in progress.</summary>
    private sealed record InFlight(OrderIntent Intent, VenueCallKind Kind)
    {
        public bool IsLookup => Kind != VenueCallKind.Place;
    }

    /// <summary>A subscribe or resume waiting for the strategy's latest sequence (its starting point).</summary>
    private sealed record PendingStart(string StrategyId, ITenantCommand Command, IActorRef ReplyTo, Func<long, Decision> Decide);

    private sealed record ResolveOrder(string ClientOrderId);

    // Resting paper limit orders (decision 027): the symbols whose prices this tenant follows, and the price range seen
    // on each since its orders were last checked (a tick that arrives while the tenant is busy still counts).
    private HashSet<string>? _watching;
    private Dictionary<string, (decimal Low, decimal High)>? _unchecked;
    private sealed record ConnectivityChecked(VerifyBrokerAccount Command, IActorRef ReplyTo, ConnectivityAnswer Answer);
    private sealed record RetryRegistrations;
    private sealed record RetryFetch(string StrategyId);
    private sealed record VenueDeadline(string ClientOrderId);
    private sealed record LatestSequenceTimedOut(string StrategyId);
    private sealed record LearningTimedOut(string AccountId, string Symbol);
    private sealed record CheckPlanGrace;

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

    private PlanCatalog Plans => _deps.Plans.Current;

    private ResolutionPolicy Resolution => _deps.Resolution;

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer o: _state = ((TenantSnapshot)o.Snapshot).State.WithPrimaryPerVenue(); break;
            case ITenantEvent e: _state = _state.Apply(e); break;
            case RecoveryCompleted: OnRecovered(); break;
        }
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case CreateTenant c: CreateOnPlan(c); break;
            case ChangeTenantPlan c: DecidePlan(c, PlanDecisions.ChangePlan(_state, Plans, c.PlanId, c.PeriodEnd, Now)); break;
            case MarkTenantPlanPastDue c: DecidePlan(c, PlanDecisions.MarkPastDue(_state, c.GraceUntil ?? Now + _deps.PlanGracePeriod, Now)); break;
            case LapseTenantPlan c: DecidePlan(c, PlanDecisions.Lapse(_state, Plans, Now)); break;
            case SetTenantTimeZone c: Decide(c, PlanDecisions.SetTimeZone(_state, c.TimeZoneId, Now)); break;
            case CheckPlanGrace: CheckGrace(); break;
            case LinkPaperAccount c: Decide(c, TenantDecisions.LinkPaperAccount(_state, c.AccountId, c.StartingCash, c.Label, Now)); break;
            case LinkBrokerAccount c:
                Decide(c, TenantDecisions.LinkBrokerAccount(_state, c.AccountId, c.Venue, c.VenueAccountNumber, _deps.Venues.External, Now,
                    c.Label, c.Mode, c.KeyIdHint, c.SealedCredentials, c.NewCredentialKey));
                break;
            case SuspendTenant c: Decide(c, TenantDecisions.Suspend(_state, c.Reason, Now)); break;
            case ResumeTenant c: Decide(c, TenantDecisions.ResumeTrading(_state, Now)); break;
            case RenameBrokerAccount c: Decide(c, TenantDecisions.RenameAccount(_state, c.AccountId, c.Label, Now)); break;
            case ChoosePrimaryAccount c: Decide(c, TenantDecisions.ChoosePrimary(_state, c.AccountId, Now)); break;
            case UnlinkBrokerAccount c: Decide(c, TenantDecisions.UnlinkAccount(_state, c.AccountId, Now), StopSessions); break;
            case VerifyBrokerAccount c: Verify(c); break;
            case ConnectivityChecked c: RecordCheck(c); break;
            case VenueTokenIssued t: KeepToken(t); break;
            case RewrapCredentialKey c: Rewrap(c); break;
            case SubscribeToStrategy c:
                StartAfterLatest(c.StrategyId, c, after => TenantDecisions.Subscribe(_state, _deps.Strategies.Current, c.StrategyId, c.AccountId, c.Budget, Now, after, c.SubscriptionId, Plans));
                break;
            case ResumeSubscription c:
                StartAfterLatest(StrategyOf(c.SubscriptionId), c, after => TenantDecisions.Resume(_state, c.SubscriptionId, Now, after, Plans));
                break;
            case UnsubscribeFromStrategy c:
                var leaving = StrategyOf(c.SubscriptionId);
                Decide(c, TenantDecisions.Unsubscribe(_state, c.SubscriptionId, Now), () => Deactivated(c.SubscriptionId, leaving));
                break;
            case PauseSubscription c:
                var pausing = StrategyOf(c.SubscriptionId);
                Decide(c, TenantDecisions.Pause(_state, c.SubscriptionId, Now), () => Deactivated(c.SubscriptionId, pausing));
                break;
            case ChangeSubscriptionBudget c: Decide(c, TenantDecisions.ChangeBudget(_state, c.SubscriptionId, c.Budget, Now)); break;
            case PlaceManualOrder c: PlaceManual(c); break;
            case CancelOrder c: Cancel(c); break;
            case ExecuteSignal c:
                EngineInstruments.SignalDelivery.Record(Math.Max(0, (Now - c.Signal.Time).TotalSeconds));
                EngineInstruments.CountIfFromOtherNode(Sender, "execute-signal");
                OnSignals(c.Signal.StrategyId, c.Signal, c.Signal.Sequence);
                break;
            case CatchUpSignals c:
                EngineInstruments.CountIfFromOtherNode(Sender, "catch-up-signals");
                OnSignals(c.StrategyId, null, c.Through);
                break;
            case SignalsFetched f: OnFetched(f); break;
            case RetryFetch r:
                _fetching?.Remove(r.StrategyId);
                DrainStrategy(r.StrategyId);
                break;
            case SubscriberRegistered r: OnRegistered(r); break;
            case RetryRegistrations:
                foreach (var strategyId in _unregisteredStrategies?.ToList() ?? []) Register(strategyId);
                break;
            case ResolveOrder r: Resolve(r.ClientOrderId); break;
            case InstrumentLearnt l: Learnt(l.AccountId, l.Symbol); break;
            case LearningTimedOut t: Learnt(t.AccountId, t.Symbol); break;
            case PriceUpdate p:
                Remember(p);
                CrossPaperOrders();
                break;
            case CreateBot c: Decide(c, BotDecisions.Create(_state, c.Config, Now, Plans)); break;
            case StartBot c: Decide(c, BotDecisions.Start(_state, c.BotId, Now, Latest, Plans), RunBots); break;
            case PauseBot c: Decide(c, BotDecisions.Pause(_state, c.BotId, Now), RunBots); break;
            case StopBot c:
                Decide(c, BotDecisions.Stop(_state, c.BotId, c.ClosePosition, LatestPrice(c.BotId), Now), () =>
                {
                    RunBots();
                    DrainBots();
                });
                break;
            case DeleteBot c: Decide(c, BotDecisions.Delete(_state, c.BotId, Now)); break;
            case SetTenantRisk c: Decide(c, TenantRiskDecisions.Set(_state, c.Limits, Now), () => StopBots(TenantRiskDecisions.KillSwitch(_state, Latest, Now))); break;
            case BotDecided d: OnBotDecided(d); break;
            case BotChecked k: OnBotChecked(k); break;
            case SubscribeAck or UnsubscribeAck: break;
            case VenueAnswer a: Log.Info("tenant {0}: late venue answer for {1} ignored ({2})", _tenantId, a.Intent.ClientOrderId, a.Kind); break;
            case VenueDeadline or VenueCallAdmitted or LatestSequence or LatestSequenceTimedOut: break;
            default: CommonCommand(message); break;
        }
    }

    /// <summary>While a venue call is in flight: only its answer (or deadline) and read-only queries are handled.</summary>
    private void AwaitingVenue(object message)
    {
        switch (message)
        {
            case VenueAnswer a: OnVenueAnswer(a); break;
            case VenueCallAdmitted a when _inFlight is { } admitted && admitted.Intent.ClientOrderId == a.ClientOrderId:
                Timers.StartSingleTimer("venue-deadline", new VenueDeadline(a.ClientOrderId), _deps.Session.CallTimeout + TimeSpan.FromSeconds(2));
                break;
            case VenueDeadline d:
                if (_inFlight is { } f && f.Intent.ClientOrderId == d.ClientOrderId)
                    OnVenueAnswer(VenueAnswer.Unknown(f.Intent, "the venue call did not answer"));
                break;
            default: WhileWaiting(message); break;
        }
    }

    /// <summary>While a subscribe or resume waits for the strategy's latest sequence.</summary>
    private void AwaitingLatestSequence(object message)
    {
        switch (message)
        {
            case LatestSequence l when _pendingStart is { } p && l.StrategyId == p.StrategyId:
                FinishStart(p, l.Sequence);
                break;
            case LatestSequenceTimedOut t when _pendingStart is { } p && t.StrategyId == p.StrategyId:
                FinishStart(p, null);
                p.ReplyTo.Tell(new CommandRejected(_tenantId, p.Command.GetType().Name, "the strategy's signal history is not reachable right now; try again"));
                break;
            default: WhileWaiting(message); break;
        }
    }

    /// <summary>While waiting for an answer: read-only queries and snapshot bookkeeping are handled, the rest waits in the stash.</summary>
    private void WhileWaiting(object message)
    {
        if (message is GetPortfolio or GetCredentialKey or SaveSnapshotSuccess or SaveSnapshotFailure or DeleteSnapshotsSuccess or DeleteSnapshotsFailure or ReceiveTimeout)
            CommonCommand(message);
        else if (message is VenueTokenIssued t)
            KeepToken(t); // issued for the very call being awaited: kept at once, so a crash before the answer still reuses it
        else if (message is PriceUpdate p)
            Remember(p); // not stashed: only its range matters, checked at the next price once the tenant is free
        else if (message is SubscribeAck or UnsubscribeAck) { }
        else
            Stash.Stash();
    }

    private void CommonCommand(object message)
    {
        switch (message)
        {
            case GetPortfolio: Sender.Tell(new Portfolio(_tenantId, _state)); break;
            case GetCredentialKey: Sender.Tell(new CredentialKeyOf(_tenantId, _state.CredentialKey)); break;
            case SaveSnapshotSuccess s: DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)); break;
            case SaveSnapshotFailure f: Log.Warning("tenant {0}: snapshot failed: {1}", _tenantId, f.Cause.Message); break;
            case DeleteSnapshotsSuccess or DeleteSnapshotsFailure: break;
            case ReceiveTimeout:
                if (!MustStayResident && _inFlight is null && _pendingStart is null)
                    Context.Parent.Tell(new Passivate(PoisonPill.Instance));
                break;
            default: Unhandled(message); break;
        }
    }

    /// <summary>
    /// A write the journal refused is handled like a failed one: the tenant stops and its shard starts it
    /// again from the journal. Going on (Akka's default) would leave memory and journal apart: an order
    /// whose outcome or attention flag was refused would stay open with no lookup scheduled, blocking its
    /// subscription until some later restart.
    /// </summary>
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        base.OnPersistRejected(cause, @event, sequenceNr);
        Context.Stop(Self);
    }

    private void OnRecovered()
    {
        EngineInstruments.Recoveries.Add(1, new KeyValuePair<string, object?>("kind", "tenant"));
        RegisterAll();
        // Every open order is looked up at once, except resting paper orders: the tenant is their book and watches prices.
        foreach (var open in _state.Open.Values)
            if (!PaperLimitOrders.IsResting(_state, open)) ScheduleLookup(open.Intent.ClientOrderId, TimeSpan.Zero);
        WatchPrices();
        RunBots();
        DrainBots();
        UpdateResidency();
        // A tenant that slept through its grace lapses as it wakes.
        WatchGrace();
    }

    // ---- the tenant's plan (decision 032)

    /// <summary>A sign-up names its plan (the API's: Free); an unknown one is refused, nothing created.</summary>
    private void CreateOnPlan(CreateTenant c)
    {
        Plan? plan = null;
        if (c.PlanId is { } id && !Plans.TryGet(id, out plan))
        {
            Sender.Tell(new CommandRejected(_tenantId, nameof(CreateTenant), $"unknown plan '{id}'"));
            return;
        }
        Decide(c, TenantDecisions.Create(_state, c.DisplayName, Now, plan));
    }

    /// <summary>A plan decision; once persisted, what it paused stops (bots, subscriptions' registrations) and a grace is watched.</summary>
    private void DecidePlan(ITenantCommand command, Decision decision, IActorRef? replyTo = null) =>
        Decide(command, decision, () =>
        {
            foreach (var paused in decision.Events.OfType<SubscriptionPaused>()) Deactivated(paused.Key(), paused.StrategyId);
            RunBots();
            WatchGrace();
        }, replyTo);

    /// <summary>
    /// While the plan is past due, checks again at the grace's end or every PlanGraceCheck, whichever comes first (Akka's
    /// timers run on the wall clock; the grace is on the injected one, so it is compared, not waited for).
    /// </summary>
    private void WatchGrace()
    {
        if (_state.CurrentPlan() is not { Status: PlanStatus.PastDue, GraceUntil: { } until })
        {
            Timers.Cancel("plan-grace");
            return;
        }
        var wait = until - Now;
        if (wait <= TimeSpan.Zero) CheckGrace();
        else Timers.StartSingleTimer("plan-grace", new CheckPlanGrace(), wait < _deps.PlanGraceCheck ? wait : _deps.PlanGraceCheck);
    }

    private void CheckGrace()
    {
        if (!PlanDecisions.GraceOver(_state, Now))
        {
            WatchGrace();
            return;
        }
        Log.Info("tenant {0}: the grace of plan {1} is over: it lapses", _tenantId, _state.CurrentPlan().Limits.Id);
        DecidePlan(new LapseTenantPlan(_tenantId), PlanDecisions.Lapse(_state, Plans, Now), ActorRefs.Nobody);
    }

    // ---- commands that only change the tenant's own state

    /// <summary><paramref name="reply"/>: the acceptance to send (default <see cref="CommandAccepted"/>), given the version after the events.</summary>
    private void Decide(ITenantCommand command, Decision decision, Action? afterPersist = null, IActorRef? replyTo = null, Func<long, ITradingMessage>? reply = null)
    {
        var name = command.GetType().Name;
        replyTo ??= Sender;
        reply ??= version => new CommandAccepted(_tenantId, name, version);
        if (!decision.Accepted)
        {
            replyTo.Tell(new CommandRejected(_tenantId, name, decision.Rejection!, decision.OverPlan));
            return;
        }
        if (decision.Events.IsEmpty)
        {
            // Accepted with nothing to persist (a retried subscribe, the same budget again): already so.
            replyTo.Tell(reply(LastSequenceNr));
            return;
        }
        var remaining = decision.Events.Length;
        PersistAll(decision.Events, e =>
        {
            Apply(e);
            if (--remaining > 0) return;
            // Its effects are sent before the reply: whoever sees the acknowledgment finds them already on their way.
            afterPersist?.Invoke();
            replyTo.Tell(reply(LastSequenceNr));
            UpdateResidency();
        });
    }

    // ---- broker accounts

    /// <summary>The embedded paper venue always passes; an external account is checked by its own session, off the tenant's thread.</summary>
    private void Verify(VerifyBrokerAccount c)
    {
        if (!_state.Accounts.TryGetValue(c.AccountId, out var account))
        {
            Decide(c, TenantDecisions.RecordVerification(_state, c.AccountId, true, null, Now));
            return;
        }
        if (account.IsEmbeddedPaper)
        {
            RecordCheck(new ConnectivityChecked(c, Sender, new ConnectivityAnswer(true, null)));
            return;
        }
        var replyTo = Sender;
        var timeout = _deps.Session.CallTimeout + TimeSpan.FromSeconds(2);
        Session(account).Ask<ConnectivityAnswer>(new CheckVenueConnectivity(), timeout).PipeTo(Self,
            success: a => new ConnectivityChecked(c, replyTo, a),
            failure: _ => new ConnectivityChecked(c, replyTo, new ConnectivityAnswer(false, $"the broker session did not answer within {timeout.TotalSeconds:0} s")));
    }

    /// <summary>A token the account's session was issued, kept sealed (decision 022); nobody waits for it.</summary>
    private void KeepToken(VenueTokenIssued t)
    {
        var decision = TenantDecisions.StoreVenueToken(_state, t.AccountId, t.SealedToken, t.ExpiresAt, Now);
        PersistAll(decision.Events, e => Apply(e));
    }

    private void RecordCheck(ConnectivityChecked c) =>
        Decide(c.Command, TenantDecisions.RecordVerification(_state, c.Command.AccountId, c.Answer.Passed, c.Answer.Reason, Now), replyTo: c.ReplyTo,
            reply: version => _state.Accounts.TryGetValue(c.Command.AccountId, out var a)
                ? new BrokerAccountChecked(_tenantId, a.AccountId, a.EffectiveStatus == AccountStatus.Verified, a.StatusReason, version)
                : new BrokerAccountChecked(_tenantId, c.Command.AccountId, false, "the account is gone", version));

    /// <summary>Rotation step 2. Sessions started under the old wrap are stopped so the next call opens with the new one.</summary>
    private void Rewrap(RewrapCredentialKey c)
    {
        if (_state.CredentialKey is not { } current || _deps.Credentials is not { } keys)
        {
            Decide(c, _state.CredentialKey is null ? TenantDecisions.RewrapCredentialKey(_state, "", Now) : Decision.Reject("this node has no master keys configured"));
            return;
        }
        string rewrapped;
        try
        {
            rewrapped = KeyRotation.Rewrap(WrappedDataKey.Parse(current), _tenantId, keys.Current).Encode();
        }
        catch (CredentialProtectionException e)
        {
            Decide(c, Decision.Reject("the data key cannot be rewrapped: " + e.Message));
            return;
        }
        Decide(c, TenantDecisions.RewrapCredentialKey(_state, rewrapped, Now), StopSessions);
    }

    /// <summary>
    /// Subscribe and resume start after the strategy's latest signal: validate first (a rejection
    /// needs no round trip), then ask the node's signal history and decide again with the answer.
    /// </summary>
    private void StartAfterLatest(string strategyId, ITenantCommand command, Func<long, Decision> decide)
    {
        var check = decide(0);
        if (!check.Accepted || check.Events.IsEmpty)
        {
            Decide(command, check);
            return;
        }
        _pendingStart = new PendingStart(strategyId, command, Sender, decide);
        _deps.SignalHistory.Tell(new GetLatestSequence(strategyId));
        Timers.StartSingleTimer("latest-sequence", new LatestSequenceTimedOut(strategyId), LatestSequenceTimeout);
        Become(AwaitingLatestSequence);
    }

    private void FinishStart(PendingStart pending, long? latest)
    {
        _pendingStart = null;
        Timers.Cancel("latest-sequence");
        Become(OnCommand);
        Stash.UnstashAll();
        if (latest is { } after) Decide(pending.Command, pending.Decide(after), () => Register(pending.StrategyId), pending.ReplyTo);
    }

    /// <summary>The strategy a subscription follows ("" when there is no such subscription: the decision rejects it).</summary>
    private string StrategyOf(string subscriptionKey) =>
        _state.Subscriptions.TryGetValue(subscriptionKey, out var sub) ? sub.StrategyId : "";

    /// <summary>A subscription paused or ended: its pending signals go; the tenant leaves the strategy's bucket once none of its subscriptions is active.</summary>
    private void Deactivated(string subscriptionKey, string strategyId)
    {
        _backlogs?.Remove(subscriptionKey);
        if (_state.SettledThrough(strategyId) is null) Unregister(strategyId);
        else DrainStrategy(strategyId); // what the others settled may now be acknowledged
    }

    private void Apply(ITenantEvent e)
    {
        _state = _state.Apply(e);
        if (LastSequenceNr % _deps.SnapshotEvery == 0) SaveSnapshot(new TenantSnapshot(_state));
    }

    /// <summary>Tenants that must act on signals, or resolve an order, stay resident; others passivate when idle.</summary>
    private bool MustStayResident => _state.HasActiveSubscriptions || !_state.Open.IsEmpty || _state.BotsById.Values.Any(b => b.Status == BotStatus.Running || !b.Pending.IsEmpty);

    private void UpdateResidency() => SetReceiveTimeout(MustStayResident ? null : _deps.IdlePassivation);

    // ---- signals: each subscription strictly in sequence, each outcome persisted before it is acknowledged

    private void OnSignals(string strategyId, Signal? signal, long through)
    {
        var active = _state.ActiveSubscriptionsOf(strategyId).ToList();
        if (active.Count == 0)
        {
            // Not ours to trade: acknowledge so the bucket stops delivering, and leave the bucket
            // again in case an earlier unregistration was lost.
            Ack(strategyId, through);
            if (_state.Exists) Unregister(strategyId);
            return;
        }
        if (active.Count == 1 && _backlogs?.ContainsKey(active[0].Key()) != true)
        {
            // The live path of a strategy followed once: the very next signal and nothing pending. No backlog is allocated.
            var key = active[0].Key();
            var last = _state.LastProcessed(key);
            if (signal is not null && signal.Sequence == last + 1 && through == signal.Sequence)
            {
                if (Step(key, signal) == Progress.Idle) AckStrategy(strategyId);
                return;
            }
            if (through <= last)
            {
                Ack(strategyId, last);
                return;
            }
        }
        foreach (var sub in active)
        {
            var backlog = Backlog(sub.Key());
            if (signal is not null) backlog.Offer(signal, _state.LastProcessed(sub.Key()));
            else backlog.Announce(through);
        }
        DrainStrategy(strategyId);
    }

    /// <summary>
    /// Moves the strategy's active subscriptions on, one at a time: stops at the first that started a write or a
    /// venue call (its callback drains again), and acknowledges what all of them have settled once none has work.
    /// </summary>
    /// <returns>True when a write or venue call started (its callback drains again), or one is in flight.</returns>
    private bool DrainStrategy(string strategyId)
    {
        if (_inFlight is not null)
        {
            // The call's outcome drains its own strategy; another one (woken while the call was made) is drained then too.
            (_woken ??= []).Add(strategyId);
            return true;
        }
        var waiting = false;
        foreach (var sub in _state.ActiveSubscriptionsOf(strategyId))
        {
            switch (Drain(sub.Key(), strategyId))
            {
                case Progress.Busy: return true;
                case Progress.Waiting: waiting = true; break;
            }
        }
        if (!waiting) AckStrategy(strategyId);
        return false;
    }

    /// <summary>
    /// Drains the strategies woken while the tenant was busy, one after the other until one starts a write or a call:
    /// two at once would start two venue calls, and the tenant follows one.
    /// </summary>
    private void DrainWoken()
    {
        while (_inFlight is null && _woken is { } woken)
        {
            var strategyId = woken.First();
            woken.Remove(strategyId);
            if (woken.Count == 0) _woken = null;
            if (DrainStrategy(strategyId)) return;
        }
        DrainBots();
    }

    /// <summary>What draining a subscription did: nothing to do, waiting (a fetch, or a deferred signal: no acknowledgement), or a write or venue call started.</summary>
    private enum Progress
    {
        Idle,
        Waiting,
        Busy,
    }

    /// <summary>Executes the subscription's next signal if it is here, or fetches what is missing.</summary>
    private Progress Drain(string subscriptionKey, string strategyId)
    {
        if (_backlogs?.GetValueOrDefault(subscriptionKey) is not { } backlog) return Progress.Idle;
        var last = _state.LastProcessed(subscriptionKey);
        if (backlog.Next(last) is { } next) return Step(subscriptionKey, next);
        if (backlog.Missing(last, SignalHistory.PageSize) is { } missing)
        {
            Fetch(strategyId, missing.From, missing.To);
            return Progress.Waiting;
        }
        if (backlog.IsCaughtUp(last))
        {
            _backlogs.Remove(subscriptionKey);
            if (_backlogs.Count == 0) _backlogs = null;
        }
        return Progress.Idle;
    }

    /// <summary>Plans one signal for one subscription.</summary>
    private Progress Step(string subscriptionKey, Signal signal)
    {
        var strategyId = signal.StrategyId;
        switch (TenantDecisions.PlanSignal(_state, subscriptionKey, signal, _deps.PaperCosts, _deps.Strategies.Current.MaxSignalAge(strategyId), Now, VenueRules))
        {
            case SignalPlan.Ignore:
                // Paused or gone since it was queued: nothing to execute for this subscription.
                _backlogs?.Remove(subscriptionKey);
                return Progress.Idle;
            case SignalPlan.Wait:
                Backlog(subscriptionKey).Offer(signal, _state.LastProcessed(subscriptionKey));
                return Drain(subscriptionKey, strategyId);
            case SignalPlan.Defer:
                // Kept, unacknowledged: executed once the open order of this subscription settles.
                Backlog(subscriptionKey).Offer(signal, _state.LastProcessed(subscriptionKey));
                return Progress.Waiting;
            case SignalPlan.LearnInstrument learn:
                // Kept, unacknowledged, like a deferred one: planned again once the venue's rules are in the node's book.
                Backlog(subscriptionKey).Offer(signal, _state.LastProcessed(subscriptionKey));
                Learn(learn.AccountId, learn.Symbol);
                return Progress.Waiting;
            case SignalPlan.Skip skip:
                PersistSkips(subscriptionKey, signal, skip.Reason);
                return Progress.Busy;
            case SignalPlan.Reject reject:
                PersistOutcome(new OrderRejected(reject.Intent, reject.Reason, Now));
                return Progress.Busy;
            case SignalPlan.Place { EmbeddedPaper: true } place:
                // The paper account is ours: no intent to persist; the order and its fill become one event.
                CallVenue(new InFlight(place.Intent, VenueCallKind.Place));
                return Progress.Busy;
            case SignalPlan.Place place:
                Persist(new OrderSubmitted(place.Intent, Now), e =>
                {
                    Apply(e);
                    CallVenue(new InFlight(place.Intent, VenueCallKind.Place));
                });
                return Progress.Busy;
            default:
                return Progress.Idle;
        }
    }

    /// <summary>One event for a run of consecutive signals skipped for the same reason (a long absence of stale signals is a few events).</summary>
    private void PersistSkips(string subscriptionKey, Signal first, string reason)
    {
        var strategyId = first.StrategyId;
        var subscriptionId = _state.Subscriptions[subscriptionKey].SubscriptionId;
        var to = first.Sequence;
        if (_backlogs?.GetValueOrDefault(subscriptionKey) is { } backlog)
        {
            var ahead = _state.Apply(new SignalsSkipped(strategyId, to, to, reason, Now, subscriptionId));
            while (backlog.Next(to) is { } next
                   && TenantDecisions.PlanSignal(ahead, subscriptionKey, next, _deps.PaperCosts, _deps.Strategies.Current.MaxSignalAge(strategyId), Now, VenueRules) is SignalPlan.Skip { Reason: var r }
                   && r == reason)
            {
                to = next.Sequence;
                ahead = ahead.Apply(new SignalsSkipped(strategyId, to, to, reason, Now, subscriptionId));
            }
        }
        Persist(new SignalsSkipped(strategyId, first.Sequence, to, reason, Now, subscriptionId), e =>
        {
            Apply(e);
            Context.System.EventStream.Publish(new SignalsSkipPersisted(_tenantId, e.StrategyId, e.FromSequence, e.ToSequence, e.Reason));
            if (!DrainStrategy(strategyId)) DrainWoken();
        });
    }

    private void Fetch(string strategyId, long from, long to)
    {
        if (!(_fetching ??= []).Add(strategyId)) return; // one fetch at a time per strategy
        _deps.SignalHistory.Tell(new FetchSignals(strategyId, from, to));
        Timers.StartSingleTimer("fetch:" + strategyId, new RetryFetch(strategyId), FetchRetry);
    }

    /// <summary>A page of a strategy's signals: offered to every subscription of it that is waiting (each keeps what it has not processed).</summary>
    private void OnFetched(SignalsFetched fetched)
    {
        var strategyId = fetched.StrategyId;
        var waiting = _state.ActiveSubscriptionsOf(strategyId)
            .Select(sub => (Key: sub.Key(), Backlog: _backlogs?.GetValueOrDefault(sub.Key())))
            .Where(w => w.Backlog is not null)
            .ToList();
        if (waiting.Count == 0) return;
        if (fetched.Signals.IsEmpty) return; // nothing there yet: the retry timer asks again
        Timers.Cancel("fetch:" + strategyId);
        _fetching?.Remove(strategyId);
        foreach (var (key, backlog) in waiting)
        {
            var last = _state.LastProcessed(key);
            foreach (var signal in fetched.Signals) backlog!.Offer(signal, last);
            backlog!.Announce(fetched.LatestSequence);
        }
        DrainStrategy(strategyId);
    }

    private SignalBacklog Backlog(string subscriptionKey)
    {
        _backlogs ??= [];
        if (!_backlogs.TryGetValue(subscriptionKey, out var backlog)) _backlogs[subscriptionKey] = backlog = new SignalBacklog();
        return backlog;
    }

    /// <summary>Acknowledges what every active subscription of the strategy has settled (nothing without one: the bucket is left instead).</summary>
    private void AckStrategy(string strategyId)
    {
        if (_state.SettledThrough(strategyId) is { } through) Ack(strategyId, through);
    }

    private void Ack(string strategyId, long through) =>
        _deps.FanoutRegion.Tell(new SignalAcknowledged(strategyId, Names.FanoutBucketOf(_tenantId, _deps.FanoutBuckets), _tenantId, through));

    // ---- manual orders: the same exactly-once path as a signal's order, answered once its first event is persisted

    private void PlaceManual(PlaceManualOrder c)
    {
        decimal? price = _deps.Prices is { } prices && prices.TryGetLatest(c.Symbol ?? "", out var latest) ? latest : null;
        switch (TenantDecisions.PlanManualOrder(_state, c.RequestKey, c.AccountId, c.Symbol!, c.Side, c.Quantity, c.Notional, price, _deps.PaperCosts, c.Type, c.LimitPrice, VenueRules))
        {
            case ManualOrderPlan.LearnInstrument learn:
                (_awaitingRules ??= []).Add((c, Sender));
                Learn(learn.AccountId, learn.Symbol);
                break;
            case ManualOrderPlan.Invalid invalid:
                Sender.Tell(new CommandRejected(_tenantId, nameof(PlaceManualOrder), invalid.Reason));
                break;
            case ManualOrderPlan.AlreadyPlaced placed:
                var known = _state.Find(placed.ClientOrderId);
                Sender.Tell(new ManualOrderPlaced(_tenantId, placed.ClientOrderId, known?.Status, known?.Reason, LastSequenceNr));
                break;
            case ManualOrderPlan.Reject reject:
                (_manualReplies ??= [])[reject.Intent.ClientOrderId] = Sender;
                PersistOutcome(new OrderRejected(reject.Intent, reject.Reason, Now));
                break;
            case ManualOrderPlan.Place { EmbeddedPaper: true } place:
                (_manualReplies ??= [])[place.Intent.ClientOrderId] = Sender;
                CallVenue(new InFlight(place.Intent, VenueCallKind.Place));
                break;
            case ManualOrderPlan.Place place:
                (_manualReplies ??= [])[place.Intent.ClientOrderId] = Sender;
                Persist(new OrderSubmitted(place.Intent, Now), e =>
                {
                    Apply(e);
                    ReplyManual(e.Intent.ClientOrderId);
                    CallVenue(new InFlight(place.Intent, VenueCallKind.Place));
                });
                break;
        }
    }

    // ---- the venue's instrument rules (decision 025): learnt into the node's book by a session, then planned with

    private InstrumentRule VenueRules(LinkedAccount account, string symbol) => _deps.Venues.Instruments.Find(account, symbol, Now);

    private void Learn(string accountId, string symbol)
    {
        if (!(_learning ??= []).Add((accountId, symbol))) return; // asked already: its answer plans everything waiting
        var account = _state.Accounts[accountId];
        Session(account).Tell(new LearnInstrumentAtVenue(symbol, account.EffectiveMode, _deps.Venues.Instruments));
        // A session that stops or crashes before answering must not leave the signal waiting for ever: plan again then
        // (the book still lacking the rules, that asks again).
        Timers.StartSingleTimer($"learn:{accountId}:{symbol}", new LearningTimedOut(accountId, symbol), SessionDeadline(account));
    }

    /// <summary>The book has the answer (or the ask is given up): every signal and manual order waiting for it is planned again.</summary>
    private void Learnt(string accountId, string symbol)
    {
        if (_learning is null || !_learning.Remove((accountId, symbol))) return;
        Timers.Cancel($"learn:{accountId}:{symbol}");
        if (_learning.Count == 0) _learning = null;
        if (_awaitingRules is { } waiting)
        {
            _awaitingRules = null;
            foreach (var (command, replyTo) in waiting) Self.Tell(command, replyTo);
        }
        foreach (var strategyId in _backlogs?.Keys.Select(StrategyOfKey).OfType<string>() ?? []) (_woken ??= []).Add(strategyId);
        DrainWoken();
    }

    private string? StrategyOfKey(string subscriptionKey) => _state.Subscriptions.GetValueOrDefault(subscriptionKey)?.StrategyId;

    // ---- cancels: asked of the venue like a lookup; the trader is told the order's status once its answer is persisted

    private void Cancel(CancelOrder c)
    {
        switch (TenantDecisions.PlanCancel(_state, c.ClientOrderId))
        {
            case CancelPlan.Refuse refuse:
                Sender.Tell(new OrderCancelRefused(_tenantId, c.ClientOrderId, refuse.Kind, refuse.Reason));
                break;
            case CancelPlan.AtVenue venue:
                // One venue call at a time: a second cancel waits in the stash until this one is answered.
                (_cancelReplies ??= [])[c.ClientOrderId] = Sender;
                CallVenue(new InFlight(venue.Order.Intent, VenueCallKind.Cancel));
                break;
        }
    }

    /// <summary>Answers the cancel waiting for this order, if one is, with the order's status now.</summary>
    private void ReplyCancel(string clientOrderId)
    {
        if (_cancelReplies is null || !_cancelReplies.Remove(clientOrderId, out var replyTo)) return;
        if (_cancelReplies.Count == 0) _cancelReplies = null;
        // The order was open when the cancel was sent: it is still open, or it ended with the answer just persisted.
        var order = _state.Find(clientOrderId)!;
        replyTo.Tell(new OrderCancelAnswered(_tenantId, clientOrderId, order.Status, order.Reason, LastSequenceNr));
    }

    /// <summary>Answers the manual order request waiting for this order, if one is (after its event is persisted).</summary>
    private void ReplyManual(string clientOrderId)
    {
        if (_manualReplies is null || !_manualReplies.Remove(clientOrderId, out var replyTo)) return;
        if (_manualReplies.Count == 0) _manualReplies = null;
        var order = _state.Find(clientOrderId);
        replyTo.Tell(new ManualOrderPlaced(_tenantId, clientOrderId, order?.Status, order?.Reason, LastSequenceNr));
    }

    // ---- venue calls

    private void CallVenue(InFlight call)
    {
        var account = _state.Accounts[call.Intent.AccountId];
        var lookup = call.IsLookup ? LookupOf(call.Intent) : null;
        if (account.IsEmbeddedPaper)
        {
            var paper = new BrokerAccount(account.AccountId, PaperAccountNumber(_tenantId, account.AccountId));
            var answer = VenueCall.RunAsync(_deps.Venues[account.Venue], paper, call.Intent, call.Kind, lookup, _deps.Session.CallTimeout);
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
            Session(account).Tell(call.Kind switch
            {
                VenueCallKind.Find => new FindOrderAtVenue(call.Intent, lookup!),
                VenueCallKind.Cancel => new CancelOrderAtVenue(call.Intent, lookup!),
                _ => (object)new PlaceOrderAtVenue(call.Intent),
            });
        }
        _inFlight = call;
        // The tenant's own guard: a session stuck in a connector that ignores its timeout still frees the tenant. A call
        // that first waits for its venue's request budget gets that wait too; once admitted, the call's own timeout.
        Timers.StartSingleTimer("venue-deadline", new VenueDeadline(call.Intent.ClientOrderId), SessionDeadline(account));
        Become(AwaitingVenue);
    }

    /// <summary>How long a session may take to answer for this account: its venue's budget wait, if any, then the call's timeout.</summary>
    private TimeSpan SessionDeadline(LinkedAccount account) =>
        (_deps.Venues.BudgetOf(account.Venue) is null ? TimeSpan.Zero : _deps.Session.EffectiveAdmissionTimeout) + _deps.Session.CallTimeout + TimeSpan.FromSeconds(2);

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

    /// <summary>What the tenant's ledger tells the venue to find an open order by (its venue id, when it was sent, the ids to pass over).</summary>
    private OrderLookup LookupOf(OrderIntent intent)
    {
        if (!_state.Open.TryGetValue(intent.ClientOrderId, out var order)) return OrderLookup.Of(intent);
        var l = VenueLookup.Of(_state, order, Resolution.ClockSkew);
        return new OrderLookup(l.ClientOrderId, l.Symbol, l.Side, l.Quantity) { VenueOrderId = l.VenueOrderId, SentAfter = l.SentAfter, KnownVenueOrderIds = l.KnownVenueOrderIds };
    }

    private void Settle(InFlight call, VenueAnswer answer)
    {
        var intent = call.Intent;
        var id = intent.ClientOrderId;
        // Every lookup of an open order counts toward its backoff (and its attention flag), whatever it found.
        if (call.Kind == VenueCallKind.Find && _state.Open.ContainsKey(id))
            (_lookups ??= [])[id] = _lookups.GetValueOrDefault(id) + 1;
        var outcome = call.Kind == VenueCallKind.Cancel
            ? TenantDecisions.CancelOutcomeOf(_state, intent, answer.Kind, answer.Fill, answer.Reason, answer.VenueOrderId, Resolution, Now)
            : TenantDecisions.OutcomeOf(_state, intent, answer.Kind, answer.Fill, answer.Reason, call.IsLookup, Now, answer.VenueOrderId);
        if (outcome is IOrderEvent e)
        {
            PersistOutcome(e);
            return;
        }
        if (!_state.Open.TryGetValue(id, out var open))
        {
            DrainSource(intent);
            return;
        }
        if (call.Kind == VenueCallKind.Cancel)
        {
            // Nothing new (not answered, or still working as booked): the order's own lookups go on as scheduled.
            ReplyCancel(id);
            DrainWoken();
            return;
        }
        if (!call.IsLookup)
        {
            // Taken but not filled, a duplicate (already placed), or unknown again: look it up.
            ScheduleLookup(intent.ClientOrderId, answer.Kind == VenueAnswerKind.Duplicate ? TimeSpan.Zero : Resolution.Backoff(0));
            DrainSource(intent);
            return;
        }

        var lookups = _lookups![id];
        var step = Resolution.AfterLookup(open, answer.Kind, _deps.Venues[_state.Accounts[intent.AccountId].Venue].DeduplicatesClientOrderIds, lookups, Now);
        if (Resolution.RaisesAttention(open, lookups))
        {
            Persist(new OrderNeedsAttention(intent, ResolutionPolicy.AttentionReason(lookups), Now), e =>
            {
                Apply(e);
                Log.Warning("tenant {0}: order {1} needs attention: {2}", _tenantId, intent.ClientOrderId, e.Reason);
                Context.System.EventStream.Publish(new OrderOutcomePersisted(_tenantId, intent.ClientOrderId, OrderStatus.NeedsAttention, System.Diagnostics.Stopwatch.GetTimestamp()));
                Continue(step, intent);
            });
        }
        else
        {
            Continue(step, intent);
        }
    }

    private void Continue(ResolutionStep step, OrderIntent intent)
    {
        switch (step)
        {
            case ResolutionStep.LookUpAgain again:
                ScheduleLookup(intent.ClientOrderId, again.After);
                DrainWoken();
                break;
            case ResolutionStep.Replace:
                // The original call can no longer be in flight and the venue deduplicates: same id again.
                CallVenue(new InFlight(intent, VenueCallKind.Place));
                break;
            case ResolutionStep.ConcludeNotPlaced notPlaced: PersistOutcome(new OrderFailed(intent, notPlaced.Reason, Now)); break;
        }
    }

    private void PersistOutcome(IOrderEvent outcome)
    {
        Persist(outcome, e =>
        {
            Apply(e);
            var intent = e.Intent;
            var id = intent.ClientOrderId;
            var record = _state.Open.TryGetValue(id, out var open) ? open : _state.Recent[^1];
            var status = record.Status;
            // The decision-to-outcome latency; a working order's reports are not its outcome.
            if (record.SubmittedAt != default && status != OrderStatus.Working)
                EngineInstruments.OrderLatency.Record(Math.Max(0, (record.At - record.SubmittedAt).TotalSeconds));
            Context.System.EventStream.Publish(new OrderOutcomePersisted(_tenantId, id, status, System.Diagnostics.Stopwatch.GetTimestamp()));
            ReplyManual(id);
            ReplyCancel(id);
            if (open is null)
            {
                _lookups?.Remove(id);
                Timers.Cancel("resolve:" + id);
            }
            else if (status == OrderStatus.Unknown)
            {
                ScheduleLookup(id, Resolution.Backoff(0));
            }
            else if (status == OrderStatus.Working && !PaperLimitOrders.IsResting(_state, open))
            {
                // Followed until it ends, at the pace its lookups have reached.
                ScheduleLookup(id, Resolution.Backoff(_lookups?.GetValueOrDefault(id) ?? 0));
            }
            WatchPrices();
            if (Sources.BotIdOf(intent.Source) is { } botId) TellBot(botId);
            DrainSource(intent);
            UpdateResidency();
        });
    }

    // ---- resting paper limit orders (decision 027): the tenant's ledger is the paper book; prices cross its orders

    /// <summary>Follows the prices of exactly the symbols with a resting paper order.</summary>
    private void WatchPrices()
    {
        var wanted = PaperLimitOrders.WatchedSymbols(_state);
        if (_watching is null && wanted.Count == 0) return;
        var mediator = DistributedPubSub.Get(Context.System).Mediator;
        foreach (var symbol in wanted)
            if ((_watching ??= []).Add(symbol)) mediator.Tell(new Subscribe(Names.PriceTopic(symbol), Self));
        foreach (var symbol in _watching!.Where(w => !wanted.Contains(w)).ToList())
        {
            _watching.Remove(symbol);
            _unchecked?.Remove(symbol);
            mediator.Tell(new Unsubscribe(Names.PriceTopic(symbol), Self));
        }
        if (_watching.Count == 0) _watching = null;
    }

    private void Remember(PriceUpdate p)
    {
        if (_watching?.Contains(p.Symbol) != true || p.Price <= 0) return;
        _unchecked ??= [];
        _unchecked[p.Symbol] = _unchecked.TryGetValue(p.Symbol, out var seen) ? (Math.Min(seen.Low, p.Price), Math.Max(seen.High, p.Price)) : (p.Price, p.Price);
    }

    /// <summary>Fills (or cancels, when no longer affordable) every resting paper order the prices seen have crossed.</summary>
    private void CrossPaperOrders()
    {
        if (_unchecked is null) return;
        var seen = _unchecked;
        _unchecked = null;
        foreach (var (symbol, (low, high)) in seen)
            foreach (var e in PaperLimitOrders.Crossed(_state, symbol, low, high, _deps.PaperCosts, Now))
                PersistOutcome(e);
    }

    // ---- bots (decision 028): children that decide; the tenant checks, persists and places, one venue call at a time

    private readonly Dictionary<string, int> _barsSinceCheckpoint = new(StringComparer.Ordinal);
    private HashSet<string>? _cancelsSent; // bots' cancels sent by this incarnation (a restart sends each again once)

    /// <summary>A child for each running bot (told at once what its orders did since its checkpoint); none for the others.</summary>
    private void RunBots()
    {
        foreach (var bot in _state.BotsById.Values)
        {
            var name = BotActor.NameOf(bot.Config.BotId);
            var child = Context.Child(name);
            if (bot.Status == BotStatus.Running && child.IsNobody())
            {
                child = Context.ActorOf(BotActor.Props(bot), name);
                TellBot(bot.Config.BotId);
            }
            else if (bot.Status != BotStatus.Running && !child.IsNobody())
            {
                Context.Stop(child);
            }
        }
        UpdateResidency();
    }

    private void TellBot(string botId)
    {
        if (!_state.BotsById.TryGetValue(botId, out var bot)) return;
        var child = Context.Child(BotActor.NameOf(botId));
        if (child.IsNobody()) return;
        var untold = BotDecisions.Untold(_state, bot);
        if (untold.Count > 0) child.Tell(new BotProgress(untold));
    }

    private bool FromCurrentBot(string botId) =>
        _state.BotsById.TryGetValue(botId, out var bot) && bot.Status == BotStatus.Running && Sender.Equals(Context.Child(BotActor.NameOf(botId)));

    private decimal? LatestPrice(string botId) =>
        _state.BotsById.TryGetValue(botId, out var bot) ? Latest(bot.Config.Symbol) : null;

    /// <summary>The node's latest price of a symbol (the tenant's kill switch values every bot at it).</summary>
    private decimal? Latest(string symbol) => _deps.Prices is { } prices && prices.TryGetLatest(symbol, out var p) ? p : null;

    private void OnBotDecided(BotDecided d)
    {
        if (!FromCurrentBot(d.BotId)) return; // a stopped bot's last words, or a child from before a restart
        var step = BotDecisions.Step(_state, d.BotId, d.Intents, d.State, d.Fed, d.Price, _deps.PaperCosts, Now, VenueRules);
        if (step is null) return;
        _barsSinceCheckpoint[d.BotId] = 0;
        Persist(step, e =>
        {
            Apply(e);
            foreach (var refused in e.Legs.Where(l => l.Refused is not null))
                Log.Info("tenant {0}: bot {1} intent {2} refused: {3}", _tenantId, e.BotId, refused.OrderRef, refused.Refused);
            TellBot(e.BotId); // refused legs end at once
            CheckRisk(e.BotId, e.Price);
            DrainBots();
        });
    }

    private void OnBotChecked(BotChecked k)
    {
        if (!FromCurrentBot(k.BotId)) return;
        var bars = _barsSinceCheckpoint.GetValueOrDefault(k.BotId) + 1;
        _barsSinceCheckpoint[k.BotId] = bars;
        // What the strategy was told is persisted at once (a restart must not tell it twice); bars alone every few.
        if (k.Told || bars >= BarsPerCheckpoint)
        {
            _barsSinceCheckpoint[k.BotId] = 0;
            Persist(new BotCheckpointed(k.BotId, k.State, k.Fed, k.Price, Now), e =>
            {
                Apply(e);
                CheckRisk(e.BotId, e.Price);
            });
        }
        else CheckRisk(k.BotId, k.Price);
    }

    private const int BarsPerCheckpoint = 10;

    /// <summary>
    /// A risk limit reached at this price stops the bot, which says why (and sells its position when so configured); the
    /// tenant's kill switch (decision 031) stops every running bot the same way.
    /// </summary>
    private void CheckRisk(string botId, decimal price) => StopBots(TenantRiskDecisions.RiskStops(_state, botId, price, Latest, Now));

    private void StopBots(IReadOnlyList<BotStopped> stops)
    {
        if (stops.Count == 0) return;
        var remaining = stops.Count;
        PersistAll(stops, e =>
        {
            Apply(e);
            Log.Warning("tenant {0}: bot {1} stopped: {2}", _tenantId, e.BotId, e.Reason);
            if (--remaining > 0) return;
            RunBots();
            DrainBots();
        });
    }

    /// <summary>
    /// Carries out the bots' decided legs, one at a time, when the tenant is free: cancels of open orders first, then the
    /// orders decided but not placed (each submitted before its venue call, as a signal's; a paper order is placed at once).
    /// </summary>
    private void DrainBots()
    {
        if (_inFlight is not null || _state.Bots is null) return;
        foreach (var bot in _state.BotsById.Values.OrderBy(b => b.Config.BotId, StringComparer.Ordinal))
        {
            foreach (var id in bot.Cancelling)
            {
                if (!_state.Open.TryGetValue(id, out var open) || !(_cancelsSent ??= []).Add(id)) continue;
                CallVenue(new InFlight(open.Intent, VenueCallKind.Cancel));
                return;
            }
            if (bot.Pending.IsEmpty) continue;
            var intent = bot.Pending[0];
            if (!_state.Accounts.TryGetValue(intent.AccountId, out var account))
            {
                PersistOutcome(new OrderRejected(intent, $"unknown account '{intent.AccountId}'", Now));
                return;
            }
            if (account.IsEmbeddedPaper)
            {
                CallVenue(new InFlight(intent, VenueCallKind.Place));
                return;
            }
            Persist(new OrderSubmitted(intent, Now), e =>
            {
                Apply(e);
                CallVenue(new InFlight(e.Intent, VenueCallKind.Place));
            });
            return;
        }
    }

    /// <summary>After an order's outcome: continue its strategy's subscriptions (and acknowledge).</summary>
    private void DrainSource(OrderIntent intent)
    {
        var strategyId = Sources.SubscriptionKeyOf(intent.Source) is { } key
            ? _state.Subscriptions.TryGetValue(key, out var sub) ? sub.StrategyId : Sources.StrategyIdOf(intent.Source)
            : null;
        if (strategyId is null || !DrainStrategy(strategyId)) DrainWoken();
    }

    // ---- resolving open orders (invariant 2): every one, each with its own backoff

    private void ScheduleLookup(string clientOrderId, TimeSpan delay) =>
        Timers.StartSingleTimer("resolve:" + clientOrderId, new ResolveOrder(clientOrderId), delay);

    private void Resolve(string clientOrderId)
    {
        if (!_state.Open.TryGetValue(clientOrderId, out var open)) return;
        CallVenue(new InFlight(open.Intent, VenueCallKind.Find));
    }

    private IActorRef Session(LinkedAccount account)
    {
        // The generation in the name: a stopped session's name stays taken until it has terminated.
        var name = $"broker-{account.AccountId}.{_sessionGeneration}";
        var existing = Context.Child(name);
        if (!existing.IsNobody()) return existing;
        var access = account.SealedCredentials is { } sealedText && _state.CredentialKey is { } wrap
            ? new BrokerSession.SealedAccess(_tenantId, wrap, sealedText, _deps.Credentials, account.SealedVenueToken, account.VenueTokenExpiresAt)
            : null;
        var broker = new BrokerAccount(account.AccountId, account.VenueAccountNumber) { Mode = account.EffectiveMode.ToString().ToLowerInvariant() };
        return Context.ActorOf(BrokerSession.Supervised(_deps.Venues[account.Venue], broker, _deps.Session, _deps.Time, access, _deps.Venues.BudgetOf(account.Venue)), name);
    }

    private void StopSessions()
    {
        foreach (var child in Context.GetChildren())
            if (child.Path.Name.StartsWith("broker-", StringComparison.Ordinal)) Context.Stop(child);
        _sessionGeneration++;
    }

    /// <summary>Paper account numbers are ours to choose: scoped by tenant so two tenants' "paper-1" never share a book.</summary>
    public static string PaperAccountNumber(string tenantId, string accountId) => tenantId + "/" + accountId;

    // ---- fan-out registration

    private void RegisterAll()
    {
        foreach (var strategyId in _state.Subscriptions.Values.Where(s => s.Status == SubscriptionStatus.Active).Select(s => s.StrategyId).Distinct())
            Register(strategyId);
    }

    private void Register(string strategyId)
    {
        (_unregisteredStrategies ??= []).Add(strategyId);
        _deps.FanoutRegion.Tell(new RegisterSubscriber(strategyId, Names.FanoutBucketOf(_tenantId, _deps.FanoutBuckets), _tenantId, _state.SettledThrough(strategyId) ?? 0));
        if (!Timers.IsTimerActive("register")) Timers.StartPeriodicTimer("register", new RetryRegistrations(), RegistrationRetry);
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
    }
}
