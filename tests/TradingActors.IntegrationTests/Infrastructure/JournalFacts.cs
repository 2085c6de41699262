using Akka;
using Akka.Actor;
using Akka.Persistence;
using Npgsql;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;
using TradingActors.Engine;
using TradingActors.Engine.Strategies;

namespace TradingActors.IntegrationTests.Infrastructure;

/// <summary>One settled signal of one tenant, as its journal records it.</summary>
public sealed record Outcome(string TenantId, long Sequence, string Kind, string? ClientOrderId, string? Reason, DateTimeOffset At);

/// <summary>One persisted decision of a bot: its sequence, the orders it placed (client order id, source sequence), its cancels and refusals.</summary>
public sealed record BotStep(long Sequence, IReadOnlyList<(string ClientOrderId, long SourceSequence)> Placed, IReadOnlyList<string> Cancelled, IReadOnlyList<string> Refused);

/// <summary>
/// What the journal says, read with SQL (independent of the engine's own reading): the strategy's
/// signals and every tenant's outcomes, so a test counts orders where they are durable.
/// </summary>
public static class JournalFacts
{
    public static async Task<long[]> StrategySequencesAsync(string connectionString, string strategyId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT sequence_number FROM journal WHERE persistence_id = $1 ORDER BY sequence_number", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Names.StrategyPersistenceId(strategyId) });
        var sequences = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) sequences.Add(reader.GetInt64(0));
        return [.. sequences];
    }

    /// <summary>A strategy's signals as persisted: sequence and emission time.</summary>
    public static async Task<IReadOnlyList<(long Sequence, DateTimeOffset Time)>> SignalsAsync(string connectionString, string strategyId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT sequence_number, convert_from(message, 'UTF8')::jsonb -> 'signal' ->> 'time' FROM journal WHERE persistence_id = $1 ORDER BY sequence_number", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Names.StrategyPersistenceId(strategyId) });
        var signals = new List<(long, DateTimeOffset)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) signals.Add((reader.GetInt64(0), DateTimeOffset.Parse(reader.GetString(1), System.Globalization.CultureInfo.InvariantCulture)));
        return signals;
    }

    /// <summary>Each subscriber of a strategy and the sequence its subscription started after.</summary>
    /// <summary>The strategy's latest persisted signal sequence, asked again and again on one connection (to act the moment a signal is persisted).</summary>
    public sealed class LatestSignalWatch : IAsyncDisposable
    {
        private readonly NpgsqlConnection _connection;
        private readonly NpgsqlCommand _query;

        private LatestSignalWatch(NpgsqlConnection connection, string strategyId)
        {
            _connection = connection;
            _query = new NpgsqlCommand("SELECT coalesce(max(sequence_number), 0) FROM journal WHERE persistence_id = $1", connection);
            _query.Parameters.Add(new NpgsqlParameter { Value = Names.StrategyPersistenceId(strategyId) });
        }

        public static async Task<LatestSignalWatch> OpenAsync(string connectionString, string strategyId)
        {
            var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            return new LatestSignalWatch(connection, strategyId);
        }

        public async Task<long> SequenceAsync() => (long)(await _query.ExecuteScalarAsync())!;

        public async ValueTask DisposeAsync()
        {
            await _query.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }

    public static async Task<IReadOnlyDictionary<string, long>> SubscriptionStartsAsync(string connectionString, string strategyId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT substr(persistence_id, 8), coalesce((convert_from(message, 'UTF8')::jsonb ->> 'startAfterSequence')::bigint, 0) " +
            "FROM journal WHERE persistence_id LIKE 'tenant-%' AND manifest IN ('t.subscribed.v1', 't.subscribed.v2') AND convert_from(message, 'UTF8')::jsonb ->> 'strategyId' = $1",
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = strategyId });
        var starts = new Dictionary<string, long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) starts[reader.GetString(0)] = reader.GetInt64(1);
        return starts;
    }

    /// <summary>
    /// Every tenant's signal outcomes for a strategy, in journal order: orders (filled, rejected,
    /// failed, submitted, unknown) by their source sequence, skips expanded to one row per sequence.
    /// </summary>
    public static async Task<IReadOnlyList<Outcome>> OutcomesAsync(string connectionString, string strategyId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT substr(persistence_id, 8), manifest, convert_from(message, 'UTF8')::jsonb
            FROM journal WHERE persistence_id LIKE 'tenant-%' AND manifest IN
              ('t.order-filled.v1', 't.order-rejected.v1', 't.order-failed.v1', 't.order-submitted.v1', 't.order-unknown.v1', 't.signals-skipped.v1', 't.signals-skipped.v2')
            ORDER BY ordering
            """, connection);
        var outcomes = new List<Outcome>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var tenant = reader.GetString(0);
            var manifest = reader.GetString(1);
            var kind = manifest["t.".Length..manifest.LastIndexOf(".v", StringComparison.Ordinal)];
            using var json = System.Text.Json.JsonDocument.Parse(reader.GetString(2));
            var root = json.RootElement;
            if (kind == "signals-skipped")
            {
                if (root.GetProperty("strategyId").GetString() != strategyId) continue;
                // Only the strategy's default subscriptions: a subscription with its own id has its own outcomes.
                if (root.TryGetProperty("subscriptionId", out var sub) && sub.ValueKind == System.Text.Json.JsonValueKind.String) continue;
                var reason = root.GetProperty("reason").GetString();
                var skippedAt = root.GetProperty("at").GetDateTimeOffset();
                for (var s = root.GetProperty("fromSequence").GetInt64(); s <= root.GetProperty("toSequence").GetInt64(); s++)
                    outcomes.Add(new Outcome(tenant, s, kind, null, reason, skippedAt));
                continue;
            }
            var intent = root.GetProperty("intent");
            if (intent.GetProperty("source").GetString() != "strategy:" + strategyId) continue;
            outcomes.Add(new Outcome(tenant, intent.GetProperty("sourceSequence").GetInt64(), kind, intent.GetProperty("clientOrderId").GetString(),
                root.TryGetProperty("reason", out var r) ? r.GetString() : null, root.GetProperty("at").GetDateTimeOffset()));
        }
        return outcomes;
    }

    /// <summary>A tenant's order events (any outcome, the intent included) by manifest kind and source: client order id, source and kind per row.</summary>
    public static async Task<IReadOnlyList<(string ClientOrderId, string Source, string Kind)>> OrderEventsAsync(string connectionString, string tenantId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT manifest, convert_from(message, 'UTF8')::jsonb -> 'intent' ->> 'clientOrderId', convert_from(message, 'UTF8')::jsonb -> 'intent' ->> 'source'
            FROM journal WHERE persistence_id = $1 AND manifest LIKE 't.order-%' ORDER BY sequence_number
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Names.TenantPersistenceId(tenantId) });
        var rows = new List<(string, string, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add((reader.GetString(1), reader.GetString(2), reader.GetString(0)));
        return rows;
    }

    /// <summary>Why a tenant refused a bot's legs (decision 028), oldest first: the refused legs of its persisted steps.</summary>
    public static async Task<IReadOnlyList<string>> BotRefusalsAsync(string connectionString, string tenantId, string botId) =>
        (await BotStepsAsync(connectionString, tenantId, botId)).SelectMany(s => s.Refused).ToList();

    /// <summary>
    /// A bot's persisted decisions (BotStepped), in journal order: the decision's sequence and its legs — the orders placed
    /// (client order id and the source sequence their intent carries), the cancels and the refusals.
    /// </summary>
    public static async Task<IReadOnlyList<BotStep>> BotStepsAsync(string connectionString, string tenantId, string botId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT convert_from(message, 'UTF8') FROM journal
            WHERE persistence_id = $1 AND manifest = 't.bot-stepped.v1' AND convert_from(message, 'UTF8')::jsonb ->> 'botId' = $2
            ORDER BY sequence_number
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Names.TenantPersistenceId(tenantId) });
        command.Parameters.Add(new NpgsqlParameter { Value = botId });
        var steps = new List<BotStep>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            using var json = System.Text.Json.JsonDocument.Parse(reader.GetString(0));
            var root = json.RootElement;
            var placed = new List<(string, long)>();
            var cancelled = new List<string>();
            var refused = new List<string>();
            foreach (var leg in root.GetProperty("legs").EnumerateArray())
            {
                if (leg.TryGetProperty("place", out var place) && place.ValueKind == System.Text.Json.JsonValueKind.Object)
                    placed.Add((place.GetProperty("clientOrderId").GetString()!, place.GetProperty("sourceSequence").GetInt64()));
                else if (leg.TryGetProperty("cancel", out var cancel) && cancel.ValueKind == System.Text.Json.JsonValueKind.String)
                    cancelled.Add(cancel.GetString()!);
                else if (leg.TryGetProperty("refused", out var why) && why.ValueKind == System.Text.Json.JsonValueKind.String)
                    refused.Add(why.GetString()!);
            }
            steps.Add(new BotStep(root.GetProperty("sequence").GetInt64(), placed, cancelled, refused));
        }
        return steps;
    }

    /// <summary>Persists events under a persistence id from outside the engine (a writer the engine does not know of).</summary>
    public static async Task WriteAsync(ActorSystem system, string persistenceId, params object[] events)
    {
        var writer = system.ActorOf(Props.Create(() => new JournalWriter(persistenceId, events)));
        await writer.Ask<Done>("write", TimeSpan.FromSeconds(30));
        await writer.GracefulStop(TimeSpan.FromSeconds(5));
    }

    /// <summary>Signals as a strategy persists them, sequence after sequence, starting at <paramref name="first"/>.</summary>
    public static object[] Signals(string strategyId, long first, IEnumerable<(OrderSide Side, decimal Price, DateTimeOffset Time)> signals) =>
        [.. signals.Select((s, i) => (object)new SignalEmitted(new Signal(strategyId, first + i, "BTCUSDT", s.Side, s.Price, s.Time, "written by the test")))];

    private sealed class JournalWriter : ReceivePersistentActor
    {
        public JournalWriter(string persistenceId, object[] events)
        {
            PersistenceId = persistenceId;
            Recover<object>(_ => { });
            Command<string>(_ =>
            {
                var replyTo = Sender;
                var remaining = events.Length;
                PersistAll(events, _ => { if (--remaining == 0) replyTo.Tell(Done.Instance); });
            });
        }

        public override string PersistenceId { get; }
    }
}
