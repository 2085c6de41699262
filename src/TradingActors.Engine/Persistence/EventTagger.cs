using System.Collections.Immutable;
using Akka.Persistence.Journal;
using TradingActors.Domain.Tenants;

namespace TradingActors.Engine.Persistence;

/// <summary>
/// Tags every tenant event with one tag, <see cref="Tenant"/>: the read-model projection reads that
/// one stream in journal order, so each tenant's events arrive in their own order and one offset says
/// how far the projection is. (Several tags per kind of event would split a tenant's history into
/// streams with no order between them — an order's fill could be projected before its account.)
/// </summary>
public sealed class EventTagger : IWriteEventAdapter
{
    public const string Tenant = "tenant";

    private static readonly ImmutableHashSet<string> TenantTags = [Tenant];

    public string Manifest(object evt) => string.Empty;

    public object ToJournal(object evt) => evt is ITenantEvent ? new Tagged(evt, TenantTags) : evt;
}
