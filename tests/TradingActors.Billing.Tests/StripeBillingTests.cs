using System.Net;
using Stripe;
using Stripe.Checkout;

namespace TradingActors.Billing.Tests;

/// <summary>The gateway over Stripe.net against the fake, over real HTTP on 127.0.0.1.</summary>
public sealed class StripeBillingTests : IAsyncLifetime
{
    private BillingTestbed _bed = null!;

    public async Task InitializeAsync() => _bed = await BillingTestbed.StartAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task Checkout_session_carries_mode_price_reference_and_metadata()
    {
        var checkout = await _bed.Billing.CreateCheckoutAsync("user-1", "u1@example.com", null, "pro", BillingPeriod.Yearly, "key-1");

        Assert.StartsWith("cs_test_", checkout.SessionId);
        Assert.Equal(new Uri(_bed.Fake.BaseUrl, $"checkout/{checkout.SessionId}").ToString(), checkout.Url);
        var session = _bed.Fake.Session(checkout.SessionId)!;
        Assert.Equal("price_pro_yearly", session.Price.Id);
        Assert.Equal("user-1", session.ClientReferenceId);
        Assert.Equal("u1@example.com", session.CustomerEmail);
        Assert.Equal("user-1", session.SubscriptionMetadata["user_id"]);
        Assert.Equal("pro", session.SubscriptionMetadata["plan_id"]);
        Assert.Equal(_bed.Options.SuccessUrl, session.SuccessUrl);
        Assert.Equal(_bed.Options.CancelUrl, session.CancelUrl);

        // And as Stripe.net reads it back.
        var client = new StripeClient(new StripeClientOptions { ApiKey = BillingTestbed.SecretKey, ApiBase = _bed.Fake.BaseUrl.ToString().TrimEnd('/') });
        var read = await client.V1.Checkout.Sessions.GetAsync(checkout.SessionId);
        Assert.Equal("subscription", read.Mode);
        Assert.Equal("open", read.Status);
        Assert.Equal("user-1", read.ClientReferenceId);
        Assert.Equal("user-1", read.Metadata["user_id"]);
        Assert.False(read.Livemode);
    }

    [Fact]
    public async Task The_same_idempotency_key_returns_the_same_session_and_the_fake_says_replayed()
    {
        var first = await _bed.Billing.CreateCheckoutAsync("user-1", "u1@example.com", null, "starter", BillingPeriod.Monthly, "checkout-42");
        var again = await _bed.Billing.CreateCheckoutAsync("user-1", "u1@example.com", null, "starter", BillingPeriod.Monthly, "checkout-42");
        Assert.Equal(first, again);

        var client = new StripeClient(new StripeClientOptions { ApiKey = BillingTestbed.SecretKey, ApiBase = _bed.Fake.BaseUrl.ToString().TrimEnd('/') });
        var create = new SessionCreateOptions
        {
            Mode = "subscription",
            LineItems = [new SessionLineItemOptions { Price = "price_pro_monthly", Quantity = 1 }],
            SuccessUrl = "http://127.0.0.1/ok",
        };
        var original = await client.V1.Checkout.Sessions.CreateAsync(create, new RequestOptions { IdempotencyKey = "raw-1" });
        var replay = await client.V1.Checkout.Sessions.CreateAsync(create, new RequestOptions { IdempotencyKey = "raw-1" });
        Assert.Equal(original.Id, replay.Id);
        Assert.False(original.StripeResponse.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal("true", replay.StripeResponse.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal("raw-1", replay.StripeResponse.IdempotencyKey);
    }

    [Fact]
    public async Task The_same_key_with_other_parameters_is_an_idempotency_error()
    {
        await _bed.Billing.CreateCheckoutAsync("user-1", "u1@example.com", null, "pro", BillingPeriod.Monthly, "checkout-7");

        var e = await Assert.ThrowsAsync<StripeException>(() =>
            _bed.Billing.CreateCheckoutAsync("user-1", "u1@example.com", null, "pro", BillingPeriod.Yearly, "checkout-7"));
        Assert.Equal(HttpStatusCode.BadRequest, e.HttpStatusCode);
        Assert.Equal("idempotency_error", e.StripeError.Type);
        Assert.Contains("same parameters", e.Message);
    }

    [Fact]
    public async Task A_wrong_secret_key_is_401_and_the_message_does_not_repeat_it()
    {
        const string wrongKey = "sk_test_51WrongKeyThatMustNeverBeEchoed9999";
        var billing = new StripeBilling(BillingTestbed.OptionsFor(_bed.Fake.BaseUrl.ToString(), wrongKey), _bed.Http);

        var e = await Assert.ThrowsAsync<StripeException>(() =>
            billing.CreateCheckoutAsync("user-1", "u1@example.com", null, "pro", BillingPeriod.Monthly, "k"));
        Assert.Equal(HttpStatusCode.Unauthorized, e.HttpStatusCode);
        Assert.Equal("invalid_request_error", e.StripeError.Type);
        Assert.StartsWith("Invalid API Key provided: sk_test_****", e.Message);
        Assert.DoesNotContain(wrongKey, e.Message);
        Assert.DoesNotContain("9999", e.Message);
        Assert.DoesNotContain(BillingTestbed.SecretKey, e.Message);
    }

    [Fact]
    public async Task A_plan_not_sold_for_the_period_is_refused_before_calling_stripe()
    {
        var before = _bed.Fake.Requests;
        var e = await Assert.ThrowsAsync<ArgumentException>(() =>
            _bed.Billing.CreateCheckoutAsync("user-1", null, null, "free", BillingPeriod.Monthly, "k"));
        Assert.Contains("'free' is not sold monthly", e.Message);
        Assert.Equal(before, _bed.Fake.Requests);
    }

    [Fact]
    public async Task A_price_the_fake_does_not_sell_is_resource_missing()
    {
        _bed.Options.Prices["pro"].Monthly = "price_unknown";
        var e = await Assert.ThrowsAsync<StripeException>(() =>
            _bed.Billing.CreateCheckoutAsync("user-1", null, null, "pro", BillingPeriod.Monthly, "k"));
        Assert.Equal(HttpStatusCode.BadRequest, e.HttpStatusCode);
        Assert.Equal("resource_missing", e.StripeError.Code);
        Assert.Equal("line_items[0][price]", e.StripeError.Param);
    }

    [Fact]
    public async Task A_returning_customer_checks_out_as_that_customer_and_gets_a_portal()
    {
        var subscriptionId = await _bed.SubscribeAsync("user-2");
        var state = (await _bed.Billing.GetSubscriptionAsync(subscriptionId))!;

        var checkout = await _bed.Billing.CreateCheckoutAsync("user-2", "ignored@example.com", state.CustomerId, "enterprise", BillingPeriod.Monthly, "k2");
        var session = _bed.Fake.Session(checkout.SessionId)!;
        Assert.Equal(state.CustomerId, session.CustomerId);
        Assert.Null(session.CustomerEmail);

        var portal = await _bed.Billing.CreatePortalAsync(state.CustomerId!);
        Assert.StartsWith(new Uri(_bed.Fake.BaseUrl, "portal/bps_test_").ToString(), portal);
        var page = await _bed.Http.GetStringAsync(portal);
        Assert.Contains("Cancel now", page);
        Assert.Contains("Switch to Enterprise monthly", page);
        Assert.DoesNotContain(BillingTestbed.SecretKey, page);
        Assert.DoesNotContain(BillingTestbed.WebhookSecret, page);
    }

    [Fact]
    public async Task A_portal_for_an_unknown_customer_is_resource_missing()
    {
        var e = await Assert.ThrowsAsync<StripeException>(() => _bed.Billing.CreatePortalAsync("cus_nobody"));
        Assert.Equal(HttpStatusCode.BadRequest, e.HttpStatusCode);
        Assert.Equal("customer", e.StripeError.Param);
        Assert.Equal("resource_missing", e.StripeError.Code);
    }

    [Theory]
    [InlineData(BillingPeriod.Monthly, "2026-02-28T12:00:00Z")]
    [InlineData(BillingPeriod.Yearly, "2027-01-31T12:00:00Z")]
    public async Task The_subscription_after_paying_maps_to_the_plan_period_and_period_end(BillingPeriod period, string end)
    {
        var subscriptionId = await _bed.SubscribeAsync("user-3", "starter", period);

        var state = await _bed.Billing.GetSubscriptionAsync(subscriptionId);

        Assert.NotNull(state);
        Assert.Equal(subscriptionId, state.Id);
        Assert.Equal("active", state.Status);
        Assert.Equal($"price_starter_{period.ToWire()}", state.PriceId);
        Assert.Equal(new PlanPrice("starter", period, state.PriceId!), state.Plan);
        Assert.Equal(DateTimeOffset.Parse(end, System.Globalization.CultureInfo.InvariantCulture), state.CurrentPeriodEnd);
        Assert.False(state.CancelAtPeriodEnd);
        Assert.Equal("user-3", state.UserId);
        Assert.StartsWith("cus_", state.CustomerId);
        Assert.Equal(new BillingInstruction.Activate(subscriptionId, "starter", period, state.CurrentPeriodEnd!.Value, false),
            BillingReconciliation.Reconcile(subscriptionId, state));
    }

    [Fact]
    public async Task An_unknown_subscription_is_null()
    {
        Assert.Null(await _bed.Billing.GetSubscriptionAsync("sub_nope"));
        Assert.Null(await _bed.Billing.GetInvoiceAsync("in_nope"));
    }

    [Fact]
    public async Task Invoices_are_listed_newest_first_with_their_amounts_and_periods()
    {
        var subscriptionId = await _bed.SubscribeAsync("user-4");
        // Renewals are collected a day before their period starts: the invoice's own period (its creation) is not the service's.
        _bed.Time.Advance(TimeSpan.FromDays(27));
        await _bed.Fake.RenewAsync(subscriptionId, paymentSucceeds: false);
        _bed.Time.Advance(TimeSpan.FromDays(1));
        await _bed.Fake.RenewAsync(subscriptionId, paymentSucceeds: true);
        _bed.Time.Advance(TimeSpan.FromDays(30));
        await _bed.Fake.RenewAsync(subscriptionId, paymentSucceeds: true);
        var customerId = (await _bed.Billing.GetSubscriptionAsync(subscriptionId))!.CustomerId!;

        var invoices = await _bed.Billing.ListInvoicesAsync(customerId);

        Assert.Equal(3, invoices.Count);
        Assert.True(invoices[0].Created > invoices[1].Created && invoices[1].Created > invoices[2].Created);
        Assert.All(invoices, i =>
        {
            Assert.Equal("paid", i.Status);
            Assert.Equal(4900, i.AmountDue);
            Assert.Equal(4900, i.AmountPaid);
            Assert.Equal("usd", i.Currency);
            Assert.Equal(subscriptionId, i.SubscriptionId);
            Assert.Equal(customerId, i.CustomerId);
            Assert.StartsWith(new Uri(_bed.Fake.BaseUrl, "invoices/in_").ToString(), i.HostedInvoiceUrl);
        });
        Assert.Equal([BillingTestbed.Start, BillingTestbed.Start.AddMonths(1), BillingTestbed.Start.AddMonths(2)],
            invoices.Reverse().Select(i => i.PeriodStart!.Value));
        Assert.Equal(BillingTestbed.Start.AddMonths(3), invoices[0].PeriodEnd);
        Assert.EndsWith("-0003", invoices[0].Number);
        Assert.Equal(invoices[1], await _bed.Billing.GetInvoiceAsync(invoices[1].Id));

        var two = await _bed.Billing.ListInvoicesAsync(customerId, limit: 2);
        Assert.Equal(invoices.Take(2), two);
    }

    [Fact]
    public async Task A_delivered_event_reconciles_to_the_subscription_as_it_is_now()
    {
        var subscriptionId = await _bed.SubscribeAsync("user-5");
        await _bed.Fake.CancelAsync(subscriptionId);
        // The checkout's completion, handled after the cancellation: the subscription's state wins, not the event's.
        var completed = _bed.Fake.Events.Single(e => e.Type == "checkout.session.completed");
        var verified = _bed.Verifier.Verify(completed.Json, StripeWebhookSenderSign(completed.Json));

        var result = await _bed.Billing.ReconcileAsync(verified.Event!);

        Assert.NotNull(result);
        Assert.Equal(new BillingInstruction.Lapse(subscriptionId, "canceled"), result.Value.Instruction);
        Assert.Equal("user-5", result.Value.Subscription!.UserId);
    }

    [Fact]
    public async Task An_event_without_a_subscription_reconciles_to_nothing()
    {
        var e = new StripeWebhookEvent("evt_1", "customer.created", BillingTestbed.Start, "customer", null, "cus_1", null, null, null);
        Assert.Null(await _bed.Billing.ReconcileAsync(e));
    }

    [Fact]
    public async Task Arguments_are_checked_before_calling_stripe()
    {
        var before = _bed.Fake.Requests;
        var b = _bed.Billing;
        await Assert.ThrowsAnyAsync<ArgumentException>(() => b.CreateCheckoutAsync("", null, null, "pro", BillingPeriod.Monthly, "k"));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => b.CreateCheckoutAsync("u", null, null, "pro", BillingPeriod.Monthly, ""));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => b.CreatePortalAsync(""));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => b.GetSubscriptionAsync(""));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => b.GetInvoiceAsync(""));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => b.ListInvoicesAsync(""));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => b.ListInvoicesAsync("cus_1", limit: 0));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => b.ListInvoicesAsync("cus_1", limit: 101));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => b.ReconcileAsync(null!));
        Assert.Throws<ArgumentNullException>(() => new StripeBilling(null!));
        Assert.Equal(before, _bed.Fake.Requests);
        Assert.Empty(await b.ListInvoicesAsync("cus_nobody", limit: 100));
        Assert.Empty(await b.ListInvoicesAsync("cus_nobody", limit: 1));
    }

    [Fact]
    public async Task An_empty_customer_id_checks_out_by_email()
    {
        var checkout = await _bed.Billing.CreateCheckoutAsync("user-6", "u6@example.com", "", "pro", BillingPeriod.Monthly, "k6");

        var session = _bed.Fake.Session(checkout.SessionId)!;
        Assert.Null(session.CustomerId);
        Assert.Equal("u6@example.com", session.CustomerEmail);
    }

    [Fact]
    public async Task A_portal_under_the_same_key_is_the_same_portal()
    {
        var subscriptionId = await _bed.SubscribeAsync("user-7");
        var customerId = (await _bed.Billing.GetSubscriptionAsync(subscriptionId))!.CustomerId!;

        Assert.Equal(await _bed.Billing.CreatePortalAsync(customerId, "portal-1"), await _bed.Billing.CreatePortalAsync(customerId, "portal-1"));
        Assert.NotEqual(await _bed.Billing.CreatePortalAsync(customerId), await _bed.Billing.CreatePortalAsync(customerId));
    }

    [Fact]
    public async Task A_404_that_is_not_stripes_resource_missing_is_an_error_not_a_deleted_subscription()
    {
        // A wrong ApiBase must never read as "every subscription deleted" (that would lapse every tenant).
        var lost = new StripeBilling(BillingTestbed.OptionsFor(new Uri(_bed.Fake.BaseUrl, "elsewhere").ToString()), _bed.Http);

        var e = await Assert.ThrowsAsync<StripeException>(() => lost.GetSubscriptionAsync("sub_1"));
        Assert.Equal(HttpStatusCode.NotFound, e.HttpStatusCode);
        await Assert.ThrowsAsync<StripeException>(() => lost.GetInvoiceAsync("in_1"));
    }

    [Fact]
    public void A_subscription_without_items_has_no_price_nor_period()
    {
        var state = StripeBilling.ToState(new Subscription { Id = "sub_1", Status = "active", Items = new StripeList<SubscriptionItem> { Data = [] } }, _bed.Options);

        Assert.Equal(new StripeSubscriptionState("sub_1", null, "active", null, null, null, false, null), state);
        var noEnd = StripeBilling.ToState(new Subscription
        {
            Id = "sub_2", Status = "active",
            Items = new StripeList<SubscriptionItem> { Data = [new SubscriptionItem { Price = new Price { Id = "price_pro_monthly" } }] },
        }, _bed.Options);
        Assert.Null(noEnd.CurrentPeriodEnd);
        Assert.IsType<BillingInstruction.Refused>(BillingReconciliation.Reconcile("sub_2", noEnd));
    }

    [Fact]
    public void An_invoice_without_lines_keeps_its_own_period()
    {
        var at = new DateTime(2026, 2, 1, 0, 0, 0, DateTimeKind.Utc);
        var invoice = StripeBilling.ToInvoice(new Invoice
        {
            Id = "in_1", Currency = "usd", Created = at, PeriodStart = at.AddDays(-30), PeriodEnd = at,
            Lines = new StripeList<InvoiceLineItem> { Data = [] },
        });

        Assert.Equal((new DateTimeOffset(at.AddDays(-30)), new DateTimeOffset(at), new DateTimeOffset(at)), (invoice.PeriodStart, invoice.PeriodEnd, invoice.Created));
        Assert.Null(invoice.SubscriptionId);
        // Stripe.net's default for an absent timestamp is the unix epoch: absent stays absent.
        var bare = StripeBilling.ToInvoice(new Invoice { Id = "in_2", Currency = "usd" });
        Assert.Equal((null, null, DateTimeOffset.UnixEpoch), (bare.PeriodStart, bare.PeriodEnd, bare.Created));
    }

    private string StripeWebhookSenderSign(string json) =>
        TradingActors.Billing.Fakes.StripeWebhookSender.Sign(json, BillingTestbed.WebhookSecret, _bed.Time.GetUtcNow().ToUnixTimeSeconds());
}
