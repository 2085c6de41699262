using System.Net;
using Stripe;
using Stripe.Checkout;

namespace TradingActors.Billing;

/// <summary>
/// Stripe as the billing side sees it (decision 033): Checkout Sessions for a plan, the customer portal, a subscription's
/// current state and a customer's invoices, over Stripe.net's <see cref="StripeClient"/> (pointed at the local fake by
/// <see cref="StripeBillingOptions.ApiBase"/>). Stripe's errors surface as Stripe.net's <see cref="StripeException"/>,
/// whose messages are Stripe's and carry no key.
/// </summary>
public sealed class StripeBilling
{
    /// <summary>The metadata key (on the session and the subscription) holding our user id.</summary>
    public const string UserIdMetadata = "user_id";

    /// <summary>The metadata key (on the session and the subscription) holding the plan id bought.</summary>
    public const string PlanIdMetadata = "plan_id";

    private readonly StripeBillingOptions _options;
    private readonly StripeClient _client;

    /// <param name="options">Validated options (<see cref="StripeBillingOptions.Validate"/>).</param>
    /// <param name="httpClient">The HttpClient Stripe.net sends with (a factory's); null: Stripe.net's shared one.</param>
    public StripeBilling(StripeBillingOptions options, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _client = new StripeClient(new StripeClientOptions
        {
            ApiKey = options.SecretKey,
            ApiBase = options.ApiBase.TrimEnd('/'),
            HttpClient = new SystemNetHttpClient(httpClient, options.MaxNetworkRetries, appInfo: null, enableTelemetry: false),
        });
    }

    public StripeBillingOptions Options => _options;

    /// <summary>
    /// A Checkout Session selling <paramref name="planId"/> for <paramref name="period"/> to the user: mode subscription, the
    /// plan's price, client_reference_id and metadata user_id (on the session and on the subscription it creates, so every
    /// later subscription event names the user), the existing customer when the user has one, else their email. The same
    /// <paramref name="idempotencyKey"/> gives the same session back (Stripe replays it).
    /// </summary>
    /// <exception cref="ArgumentException">The plan is not sold for that period (no price configured).</exception>
    public async Task<StripeCheckout> CreateCheckoutAsync(
        string userId, string? email, string? customerId, string planId, BillingPeriod period, string idempotencyKey, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        var priceId = _options.PriceIdFor(planId, period)
            ?? throw new ArgumentException($"plan '{planId}' is not sold {period.ToWire()} (no Stripe price configured)", nameof(planId));
        var metadata = new Dictionary<string, string> { [UserIdMetadata] = userId, [PlanIdMetadata] = planId };
        var create = new SessionCreateOptions
        {
            Mode = "subscription",
            LineItems = [new SessionLineItemOptions { Price = priceId, Quantity = 1 }],
            SuccessUrl = _options.SuccessUrl,
            CancelUrl = _options.CancelUrl,
            ClientReferenceId = userId,
            // Stripe refuses both: a known customer keeps its payment methods and invoices together.
            Customer = string.IsNullOrEmpty(customerId) ? null : customerId,
            CustomerEmail = string.IsNullOrEmpty(customerId) && !string.IsNullOrEmpty(email) ? email : null,
            Metadata = metadata,
            SubscriptionData = new SessionSubscriptionDataOptions { Metadata = new Dictionary<string, string>(metadata) },
        };
        var session = await _client.V1.Checkout.Sessions.CreateAsync(create, new RequestOptions { IdempotencyKey = idempotencyKey }, ct);
        return new StripeCheckout(session.Id, session.Url);
    }

    /// <summary>A customer portal session for <paramref name="customerId"/>: its URL, returning to the configured page.</summary>
    public async Task<string> CreatePortalAsync(string customerId, string? idempotencyKey = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(customerId);
        var portal = await _client.V1.BillingPortal.Sessions.CreateAsync(
            new Stripe.BillingPortal.SessionCreateOptions { Customer = customerId, ReturnUrl = _options.PortalReturnUrl },
            new RequestOptions { IdempotencyKey = idempotencyKey }, ct);
        return portal.Url;
    }

    /// <summary>The subscription as Stripe holds it now; null when Stripe does not know it (404 resource_missing).</summary>
    public async Task<StripeSubscriptionState?> GetSubscriptionAsync(string subscriptionId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(subscriptionId);
        try
        {
            var subscription = await _client.V1.Subscriptions.GetAsync(subscriptionId, null, null, ct);
            return ToState(subscription, _options);
        }
        catch (StripeException e) when (e.HttpStatusCode == HttpStatusCode.NotFound && e.StripeError?.Code == "resource_missing")
        {
            return null;
        }
    }

    /// <summary>The customer's invoices, newest first (one page of at most <paramref name="limit"/>, 1..100).</summary>
    public async Task<IReadOnlyList<StripeInvoice>> ListInvoicesAsync(string customerId, int limit = 100, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(customerId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 100);
        var page = await _client.V1.Invoices.ListAsync(new InvoiceListOptions { Customer = customerId, Limit = limit }, null, ct);
        return page.Data.Select(ToInvoice).ToList();
    }

    /// <summary>One invoice (to mirror the one an invoice event names); null when Stripe does not know it.</summary>
    public async Task<StripeInvoice?> GetInvoiceAsync(string invoiceId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(invoiceId);
        try
        {
            return ToInvoice(await _client.V1.Invoices.GetAsync(invoiceId, null, null, ct));
        }
        catch (StripeException e) when (e.HttpStatusCode == HttpStatusCode.NotFound && e.StripeError?.Code == "resource_missing")
        {
            return null;
        }
    }

    /// <summary>
    /// What a verified webhook event means for the tenant: the subscription it concerns fetched now and reconciled
    /// (<see cref="BillingReconciliation"/>), with that state (the user id is in its metadata). Null for an event that
    /// names no subscription (a one-off payment's checkout, an invoice outside a subscription): nothing to do.
    /// </summary>
    public async Task<(BillingInstruction Instruction, StripeSubscriptionState? Subscription)?> ReconcileAsync(StripeWebhookEvent webhookEvent, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(webhookEvent);
        if (webhookEvent.SubscriptionId is not { Length: > 0 } subscriptionId) return null;
        var state = await GetSubscriptionAsync(subscriptionId, ct);
        return (BillingReconciliation.Reconcile(subscriptionId, state), state);
    }

    internal static StripeSubscriptionState ToState(Subscription s, StripeBillingOptions options)
    {
        // We sell one price per subscription; its item carries the period (Stripe.net 53 moved it off the subscription).
        var item = s.Items?.Data?.FirstOrDefault();
        var priceId = item?.Price?.Id;
        string? userId = null;
        s.Metadata?.TryGetValue(UserIdMetadata, out userId);
        return new StripeSubscriptionState(
            s.Id,
            s.CustomerId,
            s.Status,
            priceId,
            options.PlanFor(priceId),
            Instant(item?.CurrentPeriodEnd),
            s.CancelAtPeriodEnd,
            userId);
    }

    internal static StripeInvoice ToInvoice(Invoice i)
    {
        // The line's period is the service bought; the invoice's own period_start/end is the usage period before it.
        var line = i.Lines?.Data?.FirstOrDefault();
        return new StripeInvoice(
            i.Id,
            i.Number,
            i.Status,
            i.AmountDue,
            i.AmountPaid,
            i.Currency,
            Instant(line?.Period?.Start) ?? Instant(i.PeriodStart),
            Instant(line?.Period?.End) ?? Instant(i.PeriodEnd),
            Instant(i.Created) ?? DateTimeOffset.UnixEpoch,
            i.HostedInvoiceUrl,
            i.Parent?.SubscriptionDetails?.SubscriptionId,
            i.CustomerId);
    }

    /// <summary>Stripe.net reads unix timestamps as UTC DateTimes; an absent one reads as the unix epoch (its default), or default(DateTime).</summary>
    private static DateTimeOffset? Instant(DateTime? at) =>
        at is { } t && t != default && t != DateTime.UnixEpoch ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : null;
}
