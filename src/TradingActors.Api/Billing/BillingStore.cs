using Npgsql;
using TradingActors.Api.Trading;
using TradingActors.Billing;

namespace TradingActors.Api.Billing;

/// <summary>A user's Stripe customer and the subscription that decides its plan (the newest one that was active).</summary>
public sealed record BillingCustomer(Guid UserId, string CustomerId, string? SubscriptionId);

/// <summary>An invoice as GET /api/v1/billing/invoices shows it: amounts in the currency's smallest unit (cents).</summary>
public sealed record InvoiceResponse(string Id, string? Number, string? Status, long AmountDue, long AmountPaid, string Currency, DateTimeOffset? PeriodStart,
    DateTimeOffset? PeriodEnd, DateTimeOffset Created, string? HostedInvoiceUrl);

/// <summary>
/// The API's billing tables (migration 0005): customers, the webhook events handled, the mirrored invoices. Written as the
/// owner; a user's invoices are read through <see cref="TenantReads"/> (row level security).
/// </summary>
public sealed class BillingStore(ApiDataSources sources, TenantReads reads, TimeProvider time)
{
    private NpgsqlDataSource Owner => sources.Owner;

    public async Task<BillingCustomer?> CustomerOfAsync(Guid userId, CancellationToken ct)
    {
        await using var command = Owner.CreateCommand("SELECT stripe_customer_id, stripe_subscription_id FROM billing_customers WHERE user_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new BillingCustomer(userId, reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1)) : null;
    }

    public async Task<Guid?> UserOfCustomerAsync(string customerId, CancellationToken ct)
    {
        await using var command = Owner.CreateCommand("SELECT user_id FROM billing_customers WHERE stripe_customer_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = customerId });
        return await command.ExecuteScalarAsync(ct) is Guid id ? id : null;
    }

    /// <summary>Records the user's customer, and its subscription when one is given (the one a plan was activated from).</summary>
    public async Task SaveCustomerAsync(Guid userId, string customerId, string? subscriptionId, CancellationToken ct)
    {
        await using var command = Owner.CreateCommand("""
            INSERT INTO billing_customers (user_id, stripe_customer_id, stripe_subscription_id, updated_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (user_id) DO UPDATE SET stripe_customer_id = EXCLUDED.stripe_customer_id,
                stripe_subscription_id = COALESCE(EXCLUDED.stripe_subscription_id, billing_customers.stripe_subscription_id), updated_at = EXCLUDED.updated_at
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = customerId });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)subscriptionId ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = time.GetUtcNow() });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The outcome an event was handled with, or null when it was not handled yet.</summary>
    public async Task<string?> HandledAsync(string eventId, CancellationToken ct)
    {
        await using var command = Owner.CreateCommand("SELECT outcome FROM stripe_events WHERE event_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = eventId });
        return await command.ExecuteScalarAsync(ct) as string;
    }

    /// <summary>Marks the event handled (after its effects: a failure before this leaves it to Stripe's retry). The first outcome stays.</summary>
    public async Task RecordHandledAsync(string eventId, string type, string outcome, CancellationToken ct)
    {
        await using var command = Owner.CreateCommand(
            "INSERT INTO stripe_events (event_id, type, outcome, handled_at) VALUES ($1, $2, $3, $4) ON CONFLICT (event_id) DO NOTHING");
        command.Parameters.Add(new NpgsqlParameter { Value = eventId });
        command.Parameters.Add(new NpgsqlParameter { Value = type });
        command.Parameters.Add(new NpgsqlParameter { Value = outcome });
        command.Parameters.Add(new NpgsqlParameter { Value = time.GetUtcNow() });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The invoice as Stripe has it now (a later event about it overwrites what an earlier one wrote).</summary>
    public async Task SaveInvoiceAsync(Guid userId, StripeInvoice invoice, CancellationToken ct)
    {
        await using var command = Owner.CreateCommand("""
            INSERT INTO invoices (invoice_id, user_id, number, status, amount_due, amount_paid, currency, period_start, period_end, created_at,
                                  hosted_invoice_url, subscription_id, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            ON CONFLICT (invoice_id) DO UPDATE SET number = EXCLUDED.number, status = EXCLUDED.status, amount_due = EXCLUDED.amount_due,
                amount_paid = EXCLUDED.amount_paid, currency = EXCLUDED.currency, period_start = EXCLUDED.period_start, period_end = EXCLUDED.period_end,
                hosted_invoice_url = EXCLUDED.hosted_invoice_url, subscription_id = EXCLUDED.subscription_id, updated_at = EXCLUDED.updated_at
            """);
        object?[] values =
        [
            invoice.Id, userId, invoice.Number, invoice.Status, invoice.AmountDue, invoice.AmountPaid, invoice.Currency, invoice.PeriodStart, invoice.PeriodEnd,
            invoice.Created, invoice.HostedInvoiceUrl, invoice.SubscriptionId, time.GetUtcNow(),
        ];
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The user's invoices, newest first, as the user's own read (row level security).</summary>
    public Task<IReadOnlyList<InvoiceResponse>> InvoicesAsync(string tenantId, int limit, CancellationToken ct) =>
        reads.ReadAsync<IReadOnlyList<InvoiceResponse>>(tenantId, async (connection, tx) =>
        {
            await using var command = new NpgsqlCommand("""
                SELECT invoice_id, number, status, amount_due, amount_paid, currency, period_start, period_end, created_at, hosted_invoice_url
                FROM invoices ORDER BY created_at DESC, invoice_id DESC LIMIT $1
                """, connection, tx);
            command.Parameters.Add(new NpgsqlParameter { Value = limit });
            var rows = new List<InvoiceResponse>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                rows.Add(new InvoiceResponse(reader.GetString(0), Text(reader, 1), Text(reader, 2), reader.GetInt64(3), reader.GetInt64(4), reader.GetString(5),
                    At(reader, 6), At(reader, 7), reader.GetFieldValue<DateTimeOffset>(8), Text(reader, 9)));
            return rows;
        }, ct);

    private static string? Text(NpgsqlDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);

    private static DateTimeOffset? At(NpgsqlDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetFieldValue<DateTimeOffset>(i);
}
