using Npgsql;
using NpgsqlTypes;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;

namespace TradingActors.Engine.ReadModels;

/// <summary>One tenant event read from the journal: its place in the journal (Ordering) and in the tenant's history.</summary>
public sealed record ProjectedEvent(long Ordering, string TenantId, long SequenceNr, ITenantEvent Event);

/// <summary>
/// Writes a batch of tenant events into the read models in ONE transaction together with the
/// projection's offset. The offset row is locked first and events at or below it are dropped, so a
/// batch replayed after a crash (or by a second instance during a singleton hand-over) is applied once.
/// </summary>
public sealed class ReadModelWriter(NpgsqlDataSource database, string projection)
{
    /// <summary>Test seam: called before each event's statements; an exception aborts the whole batch.</summary>
    public Action<ProjectedEvent>? BeforeEvent { get; set; }

    public async Task<long> ReadOffsetAsync(CancellationToken ct = default)
    {
        await using var command = database.CreateCommand("SELECT ordering FROM projection_offsets WHERE projection = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = projection });
        return await command.ExecuteScalarAsync(ct) is long offset ? offset : 0L;
    }

    /// <summary>Applies the events above the stored offset; returns how many were applied.</summary>
    public async Task<int> WriteAsync(IReadOnlyList<ProjectedEvent> events, DateTimeOffset now, CancellationToken ct = default)
    {
        if (events.Count == 0) return 0;
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var ensure = new NpgsqlCommand(
            "INSERT INTO projection_offsets (projection, ordering, updated_at) VALUES ($1, 0, $2) ON CONFLICT (projection) DO NOTHING", connection, tx))
        {
            ensure.Parameters.Add(new NpgsqlParameter { Value = projection });
            ensure.Parameters.Add(new NpgsqlParameter { Value = now });
            await ensure.ExecuteNonQueryAsync(ct);
        }
        long offset;
        await using (var lockOffset = new NpgsqlCommand("SELECT ordering FROM projection_offsets WHERE projection = $1 FOR UPDATE", connection, tx))
        {
            lockOffset.Parameters.Add(new NpgsqlParameter { Value = projection });
            offset = (long)(await lockOffset.ExecuteScalarAsync(ct))!;
        }

        var batch = new NpgsqlBatch(connection, tx);
        var progress = new Dictionary<string, long>(StringComparer.Ordinal);
        var highest = offset;
        var applied = 0;
        foreach (var e in events)
        {
            if (e.Ordering <= offset) continue;
            BeforeEvent?.Invoke(e);
            ReadModelStatements.Add(batch, e);
            TenantFeedStatements.Add(batch, e);
            progress[e.TenantId] = Math.Max(progress.GetValueOrDefault(e.TenantId), e.SequenceNr);
            highest = Math.Max(highest, e.Ordering);
            applied++;
        }
        if (applied == 0) return 0;

        batch.BatchCommands.Add(Command("""
            INSERT INTO tenant_progress (tenant_id, sequence_nr)
            SELECT * FROM unnest($1::text[], $2::bigint[])
            ON CONFLICT (tenant_id) DO UPDATE SET sequence_nr = GREATEST(tenant_progress.sequence_nr, EXCLUDED.sequence_nr)
            """, progress.Keys.ToArray(), progress.Values.ToArray()));
        batch.BatchCommands.Add(Command("UPDATE projection_offsets SET ordering = $2, updated_at = $3 WHERE projection = $1", projection, highest, now));
        // Delivered at commit: the API's open streams (and read-your-writes waits) of these tenants look again.
        batch.BatchCommands.Add(Command("SELECT pg_notify($1, $2)", TenantFeedStatements.Channel, TenantFeedStatements.NotifyPayload(progress.Keys)));
        await batch.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return applied;
    }

    internal static NpgsqlBatchCommand Command(string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        return command;
    }
}

/// <summary>The statements each tenant event becomes. Every one is written so the row it leaves is the same however the event's predecessors were batched.</summary>
internal static class ReadModelStatements
{
    public static void Add(NpgsqlBatch batch, ProjectedEvent p)
    {
        var t = p.TenantId;
        var commands = batch.BatchCommands;
        switch (p.Event)
        {
            case TenantCreated:
                break;
            // The first account of a venue is its primary one (as in TenantState).
            case PaperAccountLinked a:
                commands.Add(C($"""
                    INSERT INTO accounts (tenant_id, account_id, venue, starting_cash, cash, linked_at, mode, status, is_primary)
                    VALUES ($1, $2, $3, $4, $4, $5, 'paper', 'verified', {NoPrimaryYet})
                    ON CONFLICT (tenant_id, account_id) DO NOTHING
                    """, t, a.AccountId, Venues.Paper, a.StartingCash, a.At));
                break;
            case BrokerAccountLinked b:
                commands.Add(C($"""
                    INSERT INTO accounts (tenant_id, account_id, venue, starting_cash, cash, linked_at, label, mode, key_id_hint, status, is_primary)
                    VALUES ($1, $2, $3, NULL, NULL, $4, $5, $6, $7, 'unverified', {NoPrimaryYet})
                    ON CONFLICT (tenant_id, account_id) DO NOTHING
                    """, t, b.AccountId, b.Venue, b.At, b.Label, BrokerAccountRules.Wire(b.Mode ?? AccountMode.Live), b.KeyIdHint));
                break;
            case BrokerAccountRenamed r:
                commands.Add(C("UPDATE accounts SET label = $3 WHERE tenant_id = $1 AND account_id = $2", t, r.AccountId, r.Label));
                break;
            case PrimaryAccountChosen pc:
                commands.Add(C("""
                    UPDATE accounts SET is_primary = (account_id = $2)
                    WHERE tenant_id = $1 AND venue = (SELECT venue FROM accounts WHERE tenant_id = $1 AND account_id = $2)
                    """, t, pc.AccountId));
                break;
            case BrokerAccountVerified v:
                commands.Add(C("UPDATE accounts SET status = $3, status_reason = $4, verified_at = $5 WHERE tenant_id = $1 AND account_id = $2",
                    t, v.AccountId, BrokerAccountRules.Wire(v.Passed ? AccountStatus.Verified : AccountStatus.Failed), v.Reason, v.At));
                break;
            case BrokerAccountUnlinked u:
                // The heir of an unlinked primary: the first remaining account of its venue by id (ordinal, as in TenantState).
                commands.Add(C("""
                    WITH gone AS (DELETE FROM accounts WHERE tenant_id = $1 AND account_id = $2 RETURNING venue, is_primary)
                    UPDATE accounts a SET is_primary = true FROM gone
                    WHERE gone.is_primary AND a.tenant_id = $1 AND a.venue = gone.venue
                      AND a.account_id = (SELECT min(b.account_id COLLATE "C") FROM accounts b WHERE b.tenant_id = $1 AND b.venue = gone.venue AND b.account_id <> $2)
                    """, t, u.AccountId));
                break;
            case CredentialKeyIssued k:
                commands.Add(UpsertCredentialKey(t, k.WrappedDataKey, k.At));
                break;
            case CredentialKeyRewrapped k:
                commands.Add(UpsertCredentialKey(t, k.WrappedDataKey, k.At));
                break;
            case VenueTokenStored:
                break; // a venue session token is the tenant's own business: no read model shows it
            case Subscribed s:
                commands.Add(C("""
                    INSERT INTO subscriptions (tenant_id, subscription_id, strategy_id, account_id, symbol, budget, status, created_at, updated_at)
                    VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $7)
                    ON CONFLICT (tenant_id, subscription_id) DO UPDATE SET strategy_id = EXCLUDED.strategy_id, account_id = EXCLUDED.account_id,
                        symbol = EXCLUDED.symbol, budget = EXCLUDED.budget, status = 'active', pause_reason = NULL, created_at = EXCLUDED.created_at,
                        updated_at = EXCLUDED.updated_at
                    """, t, s.Key(), s.StrategyId, s.AccountId, s.Symbol, s.Budget, s.At));
                break;
            case Unsubscribed u:
                commands.Add(C("DELETE FROM subscriptions WHERE tenant_id = $1 AND subscription_id = $2", t, u.Key()));
                break;
            case SubscriptionPaused sp:
                commands.Add(C("UPDATE subscriptions SET status = 'paused', pause_reason = $4, updated_at = $3 WHERE tenant_id = $1 AND subscription_id = $2",
                    t, sp.Key(), sp.At, sp.Reason));
                break;
            case SubscriptionResumed sr:
                commands.Add(C("UPDATE subscriptions SET status = 'active', pause_reason = NULL, updated_at = $3 WHERE tenant_id = $1 AND subscription_id = $2",
                    t, sr.Key(), sr.At));
                break;
            case SubscriptionBudgetChanged sb:
                commands.Add(C("UPDATE subscriptions SET budget = $3, updated_at = $4 WHERE tenant_id = $1 AND subscription_id = $2", t, sb.Key(), sb.Budget, sb.At));
                break;
            case OrderSubmitted o:
                commands.Add(UpsertOrder(t, o.Intent, OrderStatus.Submitted, null, null, o.At));
                break;
            case OrderMarkedUnknown u:
                commands.Add(UpsertOrder(t, u.Intent, OrderStatus.Unknown, u.Reason, null, u.At));
                commands.Add(Execution(p, "unknown", u.Intent, null, u.Reason, u.At));
                break;
            case OrderNeedsAttention n:
                commands.Add(UpsertOrder(t, n.Intent, OrderStatus.NeedsAttention, n.Reason, null, n.At));
                commands.Add(Execution(p, "needs_attention", n.Intent, null, n.Reason, n.At));
                break;
            case OrderRejected r:
                commands.Add(UpsertOrder(t, r.Intent, OrderStatus.Rejected, r.Reason, null, r.At));
                commands.Add(Execution(p, "rejected", r.Intent, null, r.Reason, r.At));
                break;
            case OrderFailed f:
                commands.Add(UpsertOrder(t, f.Intent, OrderStatus.Failed, f.Reason, null, f.At));
                commands.Add(Execution(p, "failed", f.Intent, null, f.Reason, f.At));
                break;
            case OrderFilled f:
                // The fill's growth first: it is what the order's row has not booked yet (a working order's parts were).
                AddFill(commands, t, f.Intent, f.Fill, f.At);
                commands.Add(UpsertOrder(t, f.Intent, OrderStatus.Filled, null, f.Fill, f.At));
                commands.Add(Execution(p, "filled", f.Intent, f.Fill, null, f.At));
                break;
            case OrderWorking w:
                if (w.FilledSoFar is { } soFar) AddFill(commands, t, w.Intent, soFar, w.At);
                commands.Add(UpsertOrder(t, w.Intent, OrderStatus.Working, null, w.FilledSoFar, w.At, w.VenueOrderId));
                commands.Add(Execution(p, "working", w.Intent, w.FilledSoFar, null, w.At));
                break;
            case OrderCancelled c:
                commands.Add(UpsertOrder(t, c.Intent, OrderStatus.Cancelled, c.Reason, null, c.At));
                commands.Add(Execution(p, "cancelled", c.Intent, null, c.Reason, c.At));
                break;
            case SignalsSkipped k:
                commands.Add(C("""
                    INSERT INTO executions (tenant_id, execution_id, kind, strategy_id, subscription_id, reason, from_sequence, to_sequence, occurred_at)
                    VALUES ($1, $2, 'skipped', $3, $8, $4, $5, $6, $7) ON CONFLICT DO NOTHING
                    """, t, p.Ordering, k.StrategyId, k.Reason, k.FromSequence, k.ToSequence, k.At, k.Key()));
                break;
            case Domain.Bots.IBotEvent:
                // Bots are read from their tenant (decision 028); their orders are projected like any other.
                break;
            case Domain.Bots.TenantRiskLimitsSet:
                // The tenant's risk limits are read from the tenant too (decision 031), as its bots are.
                break;
            // The plan's row (decision 032): what the API's rate limit follows. Limits and usage are read from the tenant;
            // a plan's pauses are projected as pauses.
            case Domain.Billing.TenantPlanChanged c:
                commands.Add(C("""
                    INSERT INTO tenant_plans (tenant_id, plan_id, plan_name, status, rate_tier, period_end, grace_until, lapsed_from, updated_at)
                    VALUES ($1, $2, $3, 'active', $4, $5, NULL, NULL, $6)
                    ON CONFLICT (tenant_id) DO UPDATE SET plan_id = EXCLUDED.plan_id, plan_name = EXCLUDED.plan_name, status = 'active',
                        rate_tier = EXCLUDED.rate_tier, period_end = EXCLUDED.period_end, grace_until = NULL, lapsed_from = NULL, updated_at = EXCLUDED.updated_at
                    """, t, c.Plan.Id, c.Plan.Name, c.Plan.ApiRateTier, c.PeriodEnd, c.At));
                break;
            case Domain.Billing.TenantPlanPastDue d:
                commands.Add(C("UPDATE tenant_plans SET status = 'past_due', grace_until = $2, updated_at = $3 WHERE tenant_id = $1", t, d.GraceUntil, d.At));
                break;
            case Domain.Billing.TenantPlanLapsed l:
                // SET reads the row as it was: lapsed_from takes the plan that lapsed.
                commands.Add(C("""
                    UPDATE tenant_plans SET lapsed_from = plan_id, plan_id = $2, plan_name = $3, status = 'lapsed', rate_tier = $4, period_end = NULL,
                        grace_until = NULL, updated_at = $5
                    WHERE tenant_id = $1
                    """, t, l.Fallback.Id, l.Fallback.Name, l.Fallback.ApiRateTier, l.At));
                break;
            case Domain.Billing.TenantTimeZoneSet:
                break; // read from the tenant with its usage
            default:
                throw new ArgumentOutOfRangeException(nameof(p), p.Event.GetType().Name, "no read model statement for this tenant event");
        }
    }

    private const string NoPrimaryYet = "NOT EXISTS (SELECT 1 FROM accounts p WHERE p.tenant_id = $1 AND p.venue = $3 AND p.is_primary)";

    /// <summary>Only the master key's id leaves the event: the wrap itself stays in the journal.</summary>
    private static NpgsqlBatchCommand UpsertCredentialKey(string tenantId, string wrapped, DateTimeOffset at) => C("""
        INSERT INTO credential_keys (tenant_id, master_key_id, updated_at) VALUES ($1, $2, $3)
        ON CONFLICT (tenant_id) DO UPDATE SET master_key_id = EXCLUDED.master_key_id, updated_at = EXCLUDED.updated_at
        """, tenantId, Credentials.WrappedDataKey.Parse(wrapped).MasterKeyId, at);

    /// <summary>
    /// A subscription with its own id names only itself in its orders' source: its strategy comes from its row (the
    /// order's first event always follows its Subscribed in the tenant's journal, so the row is there).
    /// </summary>
    private const string StrategyOfOrder = "COALESCE($5, (SELECT s.strategy_id FROM subscriptions s WHERE s.tenant_id = $1 AND s.subscription_id = $18))";

    /// <summary>
    /// The order's row: its latest status, and its fill so far (filled quantity, average price, fees) and venue order id,
    /// which an event without them (a cancel, a flag) leaves as they were.
    /// </summary>
    private static NpgsqlBatchCommand UpsertOrder(string tenantId, OrderIntent i, OrderStatus status, string? reason, Fill? fill, DateTimeOffset at, string? venueOrderId = null) => C($"""
        INSERT INTO orders (tenant_id, client_order_id, account_id, source, strategy_id, source_sequence, symbol, side, quantity, reference_price,
                            status, reason, filled_quantity, fill_price, fee, venue_order_id, submitted_at, updated_at, subscription_id, order_type, limit_price)
        VALUES ($1, $2, $3, $4, {StrategyOfOrder}, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, $18, $19, $20)
        ON CONFLICT (tenant_id, client_order_id) DO UPDATE SET status = EXCLUDED.status, reason = EXCLUDED.reason,
            filled_quantity = COALESCE(EXCLUDED.filled_quantity, orders.filled_quantity), fill_price = COALESCE(EXCLUDED.fill_price, orders.fill_price),
            fee = COALESCE(EXCLUDED.fee, orders.fee), venue_order_id = COALESCE(EXCLUDED.venue_order_id, orders.venue_order_id), updated_at = EXCLUDED.updated_at
        """,
        tenantId, i.ClientOrderId, i.AccountId, i.Source, Sources.StrategyIdOf(i.Source), i.SourceSequence, i.Symbol, ReadModelNames.Side(i.Side), i.Quantity, i.ReferencePrice,
        ReadModelNames.Status(status), reason, fill?.Quantity, fill?.Price, fill?.Fee, venueOrderId ?? fill?.VenueOrderId, at, Sources.SubscriptionKeyOf(i.Source),
        ReadModelNames.Type(i.Type), i.LimitPrice);

    private static NpgsqlBatchCommand Execution(ProjectedEvent p, string kind, OrderIntent i, Fill? fill, string? reason, DateTimeOffset at) => C("""
        INSERT INTO executions (tenant_id, execution_id, kind, client_order_id, account_id, strategy_id, symbol, side, quantity, price, fee, reason, from_sequence, to_sequence, occurred_at, subscription_id)
        VALUES ($1, $2, $3, $4, $5, (SELECT o.strategy_id FROM orders o WHERE o.tenant_id = $1 AND o.client_order_id = $4), $6, $7, $8, $9, $10, $11, $12, $12, $13, $14)
        ON CONFLICT DO NOTHING
        """,
        p.TenantId, p.Ordering, kind, i.ClientOrderId, i.AccountId, i.Symbol, ReadModelNames.Side(i.Side),
        fill?.Quantity ?? i.Quantity, fill?.Price, fill?.Fee, reason, i.SourceSequence, at, Sources.SubscriptionKeyOf(i.Source));

    /// <summary>
    /// What a cumulative fill adds to what the order's row has booked so far (read before the row takes the fill), as
    /// TenantState books it (Fill.GrowthSince): the quantity and notional beyond, the fee beyond (never negative), one
    /// row; nothing is booked when the quantity did not grow. $1 tenant, $2 client order id, $3 quantity, $4 price, $5 fee.
    /// </summary>
    private const string Growth = """
        WITH growth AS (
            SELECT $3 - COALESCE(o.filled_quantity, 0) AS quantity,
                   $3 * $4 - COALESCE(o.filled_quantity * o.fill_price, 0) AS notional,
                   GREATEST($5 - COALESCE(o.fee, 0), 0) AS fee
            FROM (SELECT 1) AS one LEFT JOIN orders o ON o.tenant_id = $1 AND o.client_order_id = $2)
        """;

    /// <summary>
    /// The growth of an order's fill, booked once: position at average cost (fees in the cost of a buy, out of the
    /// proceeds of a sell) and, for paper accounts, cash. $6 account, $7 symbol, $8 when.
    /// </summary>
    private static void AddFill(NpgsqlBatchCommandCollection commands, string t, OrderIntent i, Fill fill, DateTimeOffset at)
    {
        object?[] cash = [t, i.ClientOrderId, fill.Quantity, fill.Price, fill.Fee, i.AccountId];
        object?[] position = [.. cash, i.Symbol, at];
        if (i.Side == OrderSide.Buy)
        {
            commands.Add(C(Growth + """
                INSERT INTO positions (tenant_id, account_id, symbol, quantity, cost, realized_pnl, last_fill_price, updated_at)
                SELECT $1, $6, $7, g.quantity, g.notional + g.fee, 0, $4, $8 FROM growth g WHERE g.quantity > 0
                ON CONFLICT (tenant_id, account_id, symbol) DO UPDATE SET quantity = positions.quantity + EXCLUDED.quantity,
                    cost = positions.cost + EXCLUDED.cost, last_fill_price = EXCLUDED.last_fill_price, updated_at = EXCLUDED.updated_at
                """, position));
            commands.Add(C(Growth + """
                UPDATE accounts a SET cash = a.cash - (g.notional + g.fee) FROM growth g
                WHERE a.tenant_id = $1 AND a.account_id = $6 AND a.cash IS NOT NULL AND g.quantity > 0
                """, cash));
        }
        else
        {
            // Inserted as -quantity with the proceeds as realized: the right-hand sides all read the row before the update,
            // so the cost released is the old average times the quantity sold.
            commands.Add(C(Growth + """
                INSERT INTO positions (tenant_id, account_id, symbol, quantity, cost, realized_pnl, last_fill_price, updated_at)
                SELECT $1, $6, $7, -g.quantity, 0, g.notional - g.fee, $4, $8 FROM growth g WHERE g.quantity > 0
                ON CONFLICT (tenant_id, account_id, symbol) DO UPDATE SET
                    quantity = positions.quantity + EXCLUDED.quantity,
                    cost = CASE WHEN positions.quantity > 0 THEN positions.cost - positions.cost * LEAST(-EXCLUDED.quantity, positions.quantity) / positions.quantity ELSE positions.cost END,
                    realized_pnl = positions.realized_pnl + EXCLUDED.realized_pnl
                        - CASE WHEN positions.quantity > 0 THEN positions.cost * LEAST(-EXCLUDED.quantity, positions.quantity) / positions.quantity ELSE 0 END,
                    last_fill_price = EXCLUDED.last_fill_price, updated_at = EXCLUDED.updated_at
                """, position));
            commands.Add(C(Growth + """
                UPDATE accounts a SET cash = a.cash + (g.notional - g.fee) FROM growth g
                WHERE a.tenant_id = $1 AND a.account_id = $6 AND a.cash IS NOT NULL AND g.quantity > 0
                """, cash));
        }
    }

    private static NpgsqlBatchCommand C(string sql, params object?[] values) => ReadModelWriter.Command(sql, values);
}

/// <summary>Status and side names on the read side: the API's lower-case words, not the engine's enums.</summary>
public static class ReadModelNames
{
    public static string Status(OrderStatus status) => status switch
    {
        OrderStatus.Submitted => "submitted",
        OrderStatus.Filled => "filled",
        OrderStatus.Rejected => "rejected",
        OrderStatus.Failed => "failed",
        OrderStatus.Unknown => "unknown",
        OrderStatus.NeedsAttention => "needs_attention",
        OrderStatus.Working => "working",
        OrderStatus.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static string Type(OrderType type) => type == OrderType.Limit ? "limit" : "market";

    public static string Side(OrderSide side) => side == OrderSide.Buy ? "buy" : "sell";
}

/// <summary>
/// The rows of the traders' live stream (tenant_feed): which order, execution or subscription changed, at
/// which event. The stream reads the current row of each from the read models when it sends it.
/// </summary>
public static class TenantFeedStatements
{
    public const string Channel = "tenant_feed";

    /// <summary>A notification carries at most ~8000 bytes: "*" (every tenant) when the changed tenants do not fit.</summary>
    public const int MaxPayloadLength = 7_000;

    public static string NotifyPayload(IEnumerable<string> tenants)
    {
        var joined = string.Join(',', tenants);
        return joined.Length <= MaxPayloadLength ? joined : "*";
    }

    internal static void Add(NpgsqlBatch batch, ProjectedEvent p)
    {
        var ordering = p.Ordering.ToString(System.Globalization.CultureInfo.InvariantCulture);
        switch (p.Event)
        {
            case OrderSubmitted o:
                Row(batch, p, 0, "order", o.Intent.ClientOrderId);
                break;
            case IOrderEvent o:
                Row(batch, p, 0, "order", o.Intent.ClientOrderId);
                Row(batch, p, 1, "execution", ordering);
                break;
            case SignalsSkipped:
                Row(batch, p, 1, "execution", ordering);
                break;
            case Subscribed s:
                Row(batch, p, 0, "subscription", s.Key());
                break;
            case Unsubscribed u:
                Row(batch, p, 0, "subscription", u.Key());
                break;
            case SubscriptionPaused sp:
                Row(batch, p, 0, "subscription", sp.Key());
                break;
            case SubscriptionResumed sr:
                Row(batch, p, 0, "subscription", sr.Key());
                break;
            case SubscriptionBudgetChanged sb:
                Row(batch, p, 0, "subscription", sb.Key());
                break;
        }
    }

    private static void Row(NpgsqlBatch batch, ProjectedEvent p, short part, string kind, string reference) =>
        batch.BatchCommands.Add(ReadModelWriter.Command(
            "INSERT INTO tenant_feed (tenant_id, event_id, part, kind, ref, occurred_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            p.TenantId, p.Ordering, part, kind, reference, p.Event.At));
}
