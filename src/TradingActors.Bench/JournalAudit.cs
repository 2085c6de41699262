using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Persistence;

namespace TradingActors.Bench;

/// <summary>What the journal holds: fills per client order id, read back through Akka.Persistence.Query.</summary>
public static class JournalAudit
{
    public sealed record Result(int FilledEvents, int Orders, int Duplicates, int OtherExecutionEvents);

    public static async Task<Result> ReadFillsAsync(ActorSystem system)
    {
        var journal = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
        var fillsById = new Dictionary<string, int>(StringComparer.Ordinal);
        var filledEvents = 0;
        var other = 0;
        await journal.CurrentEventsByTag(EventTagger.Tenant, Offset.NoOffset())
            .RunForeach(envelope =>
            {
                if (envelope.Event is OrderFilled filled)
                {
                    filledEvents++;
                    fillsById[filled.Intent.ClientOrderId] = fillsById.GetValueOrDefault(filled.Intent.ClientOrderId) + 1;
                }
                else if (envelope.Event is OrderRejected or OrderFailed or OrderMarkedUnknown or SignalsSkipped)
                {
                    other++;
                }
            }, system.Materializer());
        return new Result(filledEvents, fillsById.Count, fillsById.Count(kv => kv.Value > 1), other);
    }
}
