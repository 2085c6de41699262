using Akka.Actor;
using TradingActors.Brokers;
using TradingActors.Brokers.Http;
using TradingActors.Credentials;
using TradingActors.Brokers.Paper;
using TradingActors.Domain.Paper;
using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tenants;

namespace TradingActors.Engine.Tenants;

/// <summary>
/// What every tenant on a node shares: read-only configuration, the venues' shared clients and node-local actors.
/// Credentials: the master key ring broker sessions open sealed credentials with (null: this node opens none, and an
/// account with sealed credentials cannot trade here).
/// </summary>
public sealed record TenantDependencies(
    Strategies.IStrategyDirectory Strategies,
    VenueRegistry Venues,
    PaperVenueCosts PaperCosts,
    TimeProvider Time,
    IActorRef FanoutRegion,
    IActorRef SignalHistory,
    int FanoutBuckets,
    int SnapshotEvery,
    BrokerSession.Settings Session,
    ResolutionPolicy Resolution,
    TimeSpan IdlePassivation,
    IPriceSource? Prices = null,
    KeyRingSource? Credentials = null)
{
    /// <summary>The plans on sale as this node sees them (decision 032): a plan change takes its limits from here.</summary>
    public Billing.IPlanDirectory Plans { get; init; } = Billing.PlanCatalogView.Seeded();

    /// <summary>How long a plan whose payment failed keeps its limits before it lapses.</summary>
    public TimeSpan PlanGracePeriod { get; init; } = Domain.Billing.PlanDecisions.GracePeriod;

    /// <summary>How often a resident tenant whose plan is past due checks whether its grace is over (a sleeping one checks when it wakes).</summary>
    public TimeSpan PlanGraceCheck { get; init; } = TimeSpan.FromMinutes(1);
}

/// <summary>Venue name → the shared connector (one per venue, not per tenant), and the request budget its calls wait for, if any.</summary>
public sealed class VenueRegistry
{
    private readonly IReadOnlyDictionary<string, IBrokerClient> _clients;
    private readonly IReadOnlyDictionary<string, IRequestBudget> _budgets;

    public VenueRegistry(IReadOnlyDictionary<string, IBrokerClient> clients, IReadOnlyDictionary<string, IRequestBudget>? budgets = null)
    {
        _budgets = budgets ?? new Dictionary<string, IRequestBudget>();
        foreach (var (name, client) in clients)
        {
            // Venue names become dispatcher ids and metric labels: keep them plain.
            if (name.Length == 0 || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
                throw new ArgumentException($"venue name '{name}' must be lower-case letters, digits and '-'");
            if (client.Venue != name) throw new ArgumentException($"venue '{name}' is registered with a connector for '{client.Venue}'");
        }
        _clients = clients;
        External = clients.Keys.Where(v => v != Domain.Tenants.Venues.Paper).ToHashSet();
    }

    public IBrokerClient this[string venue] => _clients[venue];

    /// <summary>Every registered connector.</summary>
    public IEnumerable<IBrokerClient> Clients => _clients.Values;

    /// <summary>Venues a tenant may link an external account at (the embedded paper venue is linked separately).</summary>
    public IReadOnlySet<string> External { get; }

    public bool Contains(string venue) => _clients.ContainsKey(venue);

    /// <summary>The venues' instrument rules as this node learnt them (decision 025), shared by all its tenants.</summary>
    public VenueInstrumentBook Instruments { get; } = new();

    /// <summary>The cluster-wide request budget a call to this venue is admitted by (decision 023); null when the venue has none.</summary>
    public IRequestBudget? BudgetOf(string venue) => _budgets.GetValueOrDefault(venue);
}
