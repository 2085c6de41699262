using Akka.Actor;
using TradingActors.Brokers;
using TradingActors.Domain.Paper;
using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tenants;

namespace TradingActors.Engine.Tenants;

/// <summary>What every tenant on a node shares: read-only configuration and the venues' shared clients.</summary>
public sealed record TenantDependencies(
    StrategyCatalog Strategies,
    VenueRegistry Venues,
    PaperVenueCosts PaperCosts,
    TimeProvider Time,
    IActorRef FanoutRegion,
    int FanoutBuckets,
    int SnapshotEvery,
    BrokerSession.Settings Session,
    TimeSpan VisibilityWindow,
    TimeSpan IdlePassivation);

/// <summary>Venue name → the shared connector (one per venue, not per tenant).</summary>
public sealed class VenueRegistry(IReadOnlyDictionary<string, IBrokerClient> clients)
{
    public IBrokerClient this[string venue] => clients[venue];

    /// <summary>Venues a tenant may link an external account at (the embedded paper venue is linked separately).</summary>
    public IReadOnlySet<string> External { get; } = clients.Keys.Where(v => v != Domain.Tenants.Venues.Paper).ToHashSet();

    public bool Contains(string venue) => clients.ContainsKey(venue);
}
