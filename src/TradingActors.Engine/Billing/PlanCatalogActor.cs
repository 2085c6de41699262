using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Akka.Persistence;
using TradingActors.Domain.Billing;
using TradingActors.Domain.Strategies;

namespace TradingActors.Engine.Billing;

/// <summary>The plans on sale as this node sees them, read without a message (tenants, the API).</summary>
public interface IPlanDirectory
{
    PlanCatalog Current { get; }
}

/// <summary>The plans as this node sees them: the seeded ones until the plan catalog publishes (decision 034).</summary>
public sealed class PlanCatalogView(PlanCatalog seeds) : CatalogView<PlanCatalog>(seeds), IPlanDirectory
{
    /// <summary>A view of the seeded plans (tests, tools without a cluster).</summary>
    public static PlanCatalogView Seeded() => new(PlanCatalog.Seeded);

    /// <summary>Sends a create, update or retire to the catalog and takes its answer at once, so this node serves the change before the publication arrives.</summary>
    public async Task<PlanCatalogAnswer> SendAsync(IActorRef catalog, ITradingMessage command, TimeSpan timeout, CancellationToken ct)
    {
        var answer = await catalog.Ask<PlanCatalogAnswer>(command, timeout, ct);
        Update(answer.Version, answer.Catalog);
        return answer;
    }
}

/// <summary>Put a plan on sale (an admin). Answered with <see cref="PlanCatalogAnswer"/>.</summary>
public sealed record CreatePlan(Plan Plan, string By) : ITradingMessage;

/// <summary>Change a plan's limits or prices (an admin): tenants on it keep what they bought until their next change or renewal.</summary>
public sealed record UpdatePlan(Plan Plan, string By) : ITradingMessage;

/// <summary>Take a plan off sale for good; tenants on it keep it until they change. Answered with <see cref="PlanCatalogAnswer"/>.</summary>
public sealed record RetirePlan(string PlanId, string By) : ITradingMessage;

public sealed record GetPlanCatalog : ITradingMessage
{
    public static readonly GetPlanCatalog Instance = new();
}

/// <summary>The catalog after a command, or every problem with it (Errors non-empty: nothing changed), each naming its field.</summary>
public sealed record PlanCatalogAnswer(IReadOnlyList<ParameterError> Errors, long Version, PlanCatalog Catalog) : ITradingMessage
{
    public bool Accepted => Errors.Count == 0;
}

/// <summary>Published on the plan catalog's topic at each change and at start: every node's view follows it.</summary>
public sealed record PlanCatalogPublished(long Version, PlanCatalog Catalog) : ITradingMessage;

/// <summary>The plan catalog's snapshot.</summary>
public sealed record PlanCatalogSnapshot(PlanCatalogState State) : ITradingMessage;

/// <summary>
/// The plans as data (decision 032): a persistent cluster singleton seeded with Free, Starter, Pro and Enterprise the first
/// time it starts, then the truth. It persists each admin's create, update or retire before answering and publishes every
/// version to all nodes (and again periodically, for a node that joined after the last change). A tenant takes a plan's
/// limits from its node's view when the plan is applied; losing the singleton delays admins' edits, never a tenant.
/// </summary>
public sealed class PlanCatalogActor : ReceivePersistentActor, IWithTimers
{
    public const string Topic = "plan-catalog";
    public const string PersistenceIdValue = "plan-catalog";

    private readonly IReadOnlyList<Plan> _seeds;
    private readonly TimeSpan _publishInterval;
    private readonly TimeProvider _time;
    private readonly IActorRef _mediator;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private PlanCatalogState _state = PlanCatalogState.Empty;

    private sealed record PublishAgain;

    public PlanCatalogActor(IReadOnlyList<Plan> seeds, TimeSpan publishInterval, TimeProvider time)
    {
        _seeds = seeds;
        _publishInterval = publishInterval;
        _time = time;
        _mediator = DistributedPubSub.Get(Context.System).Mediator;

        Recover<SnapshotOffer>(o =>
        {
            if (o.Snapshot is PlanCatalogSnapshot s) _state = s.State;
        });
        Recover<IPlanCatalogEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ => OnRecovered());

        Command<CreatePlan>(c => Change(c.By, PlanCatalogDecisions.Create(_state, c.Plan, Now, c.By)));
        Command<UpdatePlan>(c => Change(c.By, PlanCatalogDecisions.Update(_state, c.Plan, Now, c.By)));
        Command<RetirePlan>(c =>
        {
            var (retired, error) = PlanCatalogDecisions.Retire(_state, c.PlanId, Now, c.By);
            Change(c.By, (retired, error is null ? [] : [new ParameterError("id", error)]));
        });
        Command<GetPlanCatalog>(_ => Sender.Tell(Answer([])));
        Command<PublishAgain>(_ => Publish());
        Command<SaveSnapshotSuccess>(_ => { });
        Command<SaveSnapshotFailure>(f => _log.Warning("plan catalog: snapshot failed: {0}", f.Cause.Message));
    }

    public override string PersistenceId => PersistenceIdValue;

    public ITimerScheduler Timers { get; set; } = null!;

    private DateTimeOffset Now => _time.GetUtcNow();

    public static Props Props(IReadOnlyList<Plan> seeds, TimeSpan publishInterval, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new PlanCatalogActor(seeds, publishInterval, time));

    private void OnRecovered()
    {
        var seeded = PlanCatalogDecisions.Seed(_state, _seeds, Now);
        if (seeded.Count == 0)
        {
            Started();
            return;
        }
        PersistAll(seeded, e =>
        {
            _state = _state.Apply(e);
            _log.Info("plan catalog: seeded {0}", e.Plan.Id);
            if (ReferenceEquals(e, seeded[^1])) Started();
        });
    }

    private void Started()
    {
        Publish();
        Timers.StartPeriodicTimer("publish", new PublishAgain(), _publishInterval);
        _log.Info("plan catalog ready: {0} on sale, {1} retired (version {2})", _state.Plans.Count, _state.Retired.Count, _state.Version);
    }

    /// <summary>Persists the decision's event before answering; a refusal or a repeat (no event, no error) is answered with the catalog as it is.</summary>
    private void Change<TEvent>(string by, (TEvent? Event, IReadOnlyList<ParameterError> Errors) decision) where TEvent : class, IPlanCatalogEvent
    {
        if (decision.Event is not { } change)
        {
            Sender.Tell(Answer(decision.Errors));
            return;
        }
        var replyTo = Sender;
        Persist(change, e =>
        {
            _state = _state.Apply(e);
            _log.Info("plan catalog: {0} by {1}", e, by);
            Publish();
            if (_state.Version % 100 == 0) SaveSnapshot(new PlanCatalogSnapshot(_state));
            replyTo.Tell(Answer([]));
        });
    }

    private void Publish() => _mediator.Tell(new Publish(Topic, new PlanCatalogPublished(_state.Version, _state.ToCatalog())));

    private PlanCatalogAnswer Answer(IReadOnlyList<ParameterError> errors) => new(errors, _state.Version, _state.ToCatalog());
}

/// <summary>One per node: keeps the node's <see cref="PlanCatalogView"/> at the catalog's latest published version.</summary>
public sealed class PlanDirectoryActor : ReceiveActor
{
    public PlanDirectoryActor(PlanCatalogView view)
    {
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(PlanCatalogActor.Topic, Self));
        Receive<SubscribeAck>(_ => { });
        Receive<PlanCatalogPublished>(p => { view.Update(p.Version, p.Catalog); });
    }

    public static Props Props(PlanCatalogView view) => Akka.Actor.Props.Create(() => new PlanDirectoryActor(view));
}
