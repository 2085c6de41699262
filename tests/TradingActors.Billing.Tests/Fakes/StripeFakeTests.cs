using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using TradingActors.Billing.Fakes;

namespace TradingActors.Billing.Tests.Fakes;

/// <summary>The fake's own behaviour over plain HttpClient: auth, errors, idempotency, pages, and webhook deliveries.</summary>
public sealed class StripeFakeTests : IAsyncLifetime
{
    private BillingTestbed _bed = null!;

    public async Task InitializeAsync() => _bed = await BillingTestbed.StartAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    private async Task<(int Status, JsonObject Body, HttpResponseMessage Response)> PostAsync(string path, string form, string? key = null, string? apiKey = BillingTestbed.SecretKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_bed.Fake.BaseUrl, path))
        {
            Content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        if (apiKey is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        var response = await _bed.Http.SendAsync(request);
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject(), response);
    }

    private async Task<(int Status, JsonObject Body)> GetAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_bed.Fake.BaseUrl, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", BillingTestbed.SecretKey);
        using var response = await _bed.Http.SendAsync(request);
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    private const string ProCheckout = "mode=subscription&line_items[0][price]=price_pro_monthly&line_items[0][quantity]=1&success_url=http%3A%2F%2F127.0.0.1%2Fok"
        + "&client_reference_id=user-1&subscription_data[metadata][user_id]=user-1";

    [Theory]
    [InlineData(null, "You did not provide an API key.")]
    [InlineData("sk_test_NotTheKey12345", "Invalid API Key provided: sk_test_****")]
    [InlineData("sk_live_NotTheKey12345", "Invalid API Key provided: sk_live_****")]
    [InlineData("whatever12345", "Invalid API Key provided: ****")]
    public async Task A_request_without_the_secret_key_is_401_in_stripes_words(string? apiKey, string message)
    {
        var (status, body, _) = await PostAsync("v1/checkout/sessions", ProCheckout, apiKey: apiKey);

        Assert.Equal(401, status);
        Assert.Equal("invalid_request_error", body["error"]!["type"]!.GetValue<string>());
        var text = body["error"]!["message"]!.GetValue<string>();
        Assert.StartsWith(message, text);
        Assert.DoesNotContain("12345", text);
    }

    [Fact]
    public async Task Basic_auth_with_the_key_as_user_name_is_accepted()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_bed.Fake.BaseUrl, "v1/invoices"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(BillingTestbed.SecretKey + ":")));
        using var response = await _bed.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("line_items[0][price]=price_pro_monthly&success_url=http%3A%2F%2Fx", 400, "parameter_missing", "mode")]
    [InlineData("mode=payment&line_items[0][price]=price_pro_monthly&success_url=http%3A%2F%2Fx", 400, null, "mode")]
    [InlineData("mode=subscription&success_url=http%3A%2F%2Fx", 400, "parameter_missing", "line_items")]
    [InlineData("mode=subscription&line_items[0][price]=price_nope&success_url=http%3A%2F%2Fx", 400, "resource_missing", "line_items[0][price]")]
    [InlineData("mode=subscription&line_items[0][price]=price_pro_monthly", 400, "parameter_missing", "success_url")]
    [InlineData("mode=subscription&line_items[0][price]=price_pro_monthly&line_items[0][quantity]=2&success_url=x", 400, null, "line_items[0][quantity]")]
    [InlineData("mode=subscription&line_items[0][price]=price_pro_monthly&line_items[1][price]=price_pro_yearly&success_url=x", 400, null, "line_items")]
    [InlineData("mode=subscription&line_items[0][price]=price_pro_monthly&success_url=x&customer=cus_x&customer_email=a%40b", 400, null, "customer")]
    [InlineData("mode=subscription&line_items[0][price]=price_pro_monthly&success_url=x&customer=cus_x", 400, "resource_missing", "customer")]
    public async Task A_checkout_stripe_would_refuse_is_refused_with_its_parameter(string form, int status, string? code, string param)
    {
        var (actual, body, _) = await PostAsync("v1/checkout/sessions", form);

        Assert.Equal(status, actual);
        var error = body["error"]!;
        Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
        Assert.Equal(code, error["code"]?.GetValue<string>());
        Assert.Equal(param, error["param"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_route_and_an_unknown_object_are_404()
    {
        var (status, body) = await GetAsync("v1/subscriptions/sub_missing");
        Assert.Equal(404, status);
        Assert.Equal("resource_missing", body["error"]!["code"]!.GetValue<string>());
        Assert.Equal("No such subscription: 'sub_missing'", body["error"]!["message"]!.GetValue<string>());

        var (routeStatus, route) = await GetAsync("v1/charges");
        Assert.Equal(404, routeStatus);
        Assert.StartsWith("Unrecognized request URL (GET: /v1/charges)", route["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_idempotent_post_replays_its_first_answer_and_refuses_other_parameters()
    {
        var (status, first, firstResponse) = await PostAsync("v1/checkout/sessions", ProCheckout, key: "same");
        var (againStatus, again, againResponse) = await PostAsync("v1/checkout/sessions", ProCheckout, key: "same");
        var (otherStatus, other, _) = await PostAsync("v1/checkout/sessions", ProCheckout + "&metadata[x]=1", key: "same");
        var (elsewhereStatus, _, _) = await PostAsync("v1/customers", "email=a%40example.com", key: "same");

        Assert.Equal((200, 200), (status, againStatus));
        Assert.Equal(first.ToJsonString(), again.ToJsonString());
        Assert.False(firstResponse.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal("true", againResponse.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(firstResponse.Headers.GetValues("Request-Id").Single(), againResponse.Headers.GetValues("Original-Request").Single());
        Assert.Equal(400, otherStatus);
        Assert.Equal("idempotency_error", other["error"]!["type"]!.GetValue<string>());
        Assert.Equal(400, elsewhereStatus);
    }

    [Fact]
    public async Task A_refused_request_is_not_remembered_under_its_key()
    {
        var (refused, _, _) = await PostAsync("v1/checkout/sessions", "mode=subscription", key: "retry-me");
        var (fixedStatus, _, response) = await PostAsync("v1/checkout/sessions", ProCheckout, key: "retry-me");

        Assert.Equal((400, 200), (refused, fixedStatus));
        Assert.False(response.Headers.Contains("Idempotent-Replayed"));
    }

    [Fact]
    public async Task A_key_longer_than_255_characters_is_refused()
    {
        var (status, body, _) = await PostAsync("v1/checkout/sessions", ProCheckout, key: new string('k', 256));
        Assert.Equal(400, status);
        Assert.Contains("255", body["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Paying_on_the_checkout_page_delivers_signed_events_and_redirects()
    {
        var (_, session, _) = await PostAsync("v1/checkout/sessions", ProCheckout + "&customer_email=buyer%40example.com");
        var url = session["url"]!.GetValue<string>();
        var page = await _bed.Http.GetStringAsync(url);
        Assert.Contains("Subscribe to Pro", page);
        Assert.Contains("$49.00 per month", page);
        Assert.Contains("buyer@example.com", page);

        using var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var pay = await noRedirect.PostAsync(url + "/pay", new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.SeeOther, pay.StatusCode);
        Assert.Equal("http://127.0.0.1/ok", pay.Headers.Location!.ToString());
        Assert.Equal(["customer.created", "customer.subscription.created", "invoice.paid", "checkout.session.completed"], _bed.Fake.Events.Select(e => e.Type));
        Assert.Equal(_bed.Fake.Events.Select(e => e.Id), _bed.Fake.Webhooks.Delivered);
        var received = _bed.Receiver.Received;
        Assert.Equal(4, received.Count);
        foreach (var delivery in received)
        {
            var verified = _bed.Verifier.Verify(delivery.Body, delivery.Signature);
            Assert.True(verified.Accepted, verified.Reason);
        }
        var completed = _bed.Verifier.Verify(received[3].Body, received[3].Signature).Event!;
        Assert.Equal("user-1", completed.UserId);
        Assert.Equal(_bed.Fake.SubscriptionOf(session["id"]!.GetValue<string>()), completed.SubscriptionId);

        // The session is over: Stripe drops its URL, and paying again changes nothing.
        var (_, read) = await GetAsync($"v1/checkout/sessions/{session["id"]}");
        Assert.Equal(("complete", "paid"), (read["status"]!.GetValue<string>(), read["payment_status"]!.GetValue<string>()));
        Assert.Null(read["url"]);
        await _bed.Fake.CompleteCheckoutAsync(session["id"]!.GetValue<string>());
        Assert.Equal(4, _bed.Fake.Events.Count);
        Assert.Contains("This checkout is complete", await _bed.Http.GetStringAsync(url));
    }

    [Fact]
    public async Task Each_event_has_stripes_envelope_and_can_be_fetched()
    {
        await _bed.SubscribeAsync("user-1");
        var e = _bed.Fake.Events.Single(x => x.Type == "invoice.paid");
        var json = JsonNode.Parse(e.Json)!;

        Assert.Equal(e.Id, json["id"]!.GetValue<string>());
        Assert.StartsWith("evt_", e.Id);
        Assert.Equal("event", json["object"]!.GetValue<string>());
        Assert.Equal(Stripe.StripeConfiguration.ApiVersion, json["api_version"]!.GetValue<string>());
        Assert.Equal(BillingTestbed.Start.ToUnixTimeSeconds(), json["created"]!.GetValue<long>());
        Assert.False(json["livemode"]!.GetValue<bool>());
        Assert.Equal("invoice", json["data"]!["object"]!["object"]!.GetValue<string>());
        var (status, fetched) = await GetAsync($"v1/events/{e.Id}");
        Assert.Equal(200, status);
        Assert.Equal(e.Json, fetched.ToJsonString());
        var (_, list) = await GetAsync("v1/events?limit=2");
        Assert.Equal(_bed.Fake.Events.Reverse().Take(2).Select(x => x.Id), list["data"]!.AsArray().Select(x => x!["id"]!.GetValue<string>()));
        Assert.True(list["has_more"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Repeat_mode_delivers_each_event_n_times()
    {
        _bed.Fake.Webhooks.Settings = new WebhookDeliverySettings(Repeat: 3);
        var subscriptionId = await _bed.SubscribeAsync("user-1");
        _bed.Fake.Webhooks.ClearAttempts();

        await _bed.Fake.CancelAsync(subscriptionId);

        var deleted = _bed.Fake.Events[^1];
        Assert.Equal("customer.subscription.deleted", deleted.Type);
        Assert.Equal([deleted.Id, deleted.Id, deleted.Id], _bed.Fake.Webhooks.Delivered);
    }

    [Fact]
    public async Task Reverse_mode_delivers_a_batch_last_first()
    {
        _bed.Fake.Webhooks.Settings = new WebhookDeliverySettings(WebhookOrder.Reverse);

        await _bed.SubscribeAsync("user-1");

        Assert.Equal(_bed.Fake.Events.Select(e => e.Id).Reverse(), _bed.Fake.Webhooks.Delivered);
    }

    [Fact]
    public async Task Shuffle_mode_is_a_seeded_permutation()
    {
        _bed.Fake.Webhooks.Settings = new WebhookDeliverySettings(WebhookOrder.Shuffle, Seed: 7);
        await _bed.SubscribeAsync("user-1");
        var emitted = _bed.Fake.Events.Select(e => e.Id).ToList();
        var delivered = _bed.Fake.Webhooks.Delivered;

        Assert.Equal(emitted.Order(), delivered.Order());
        var expected = emitted.ToArray();
        new Random(7).Shuffle(expected);
        Assert.Equal(expected, delivered);
    }

    [Fact]
    public async Task Held_deliveries_are_released_in_the_chosen_order()
    {
        _bed.Fake.Webhooks.Settings = new WebhookDeliverySettings(Hold: true);
        await _bed.SubscribeAsync("user-1");
        var events = _bed.Fake.Events.Select(e => e.Id).ToList();
        Assert.Empty(_bed.Receiver.Received);
        Assert.Equal(events, _bed.Fake.Webhooks.Held.Select(e => e.Id));

        await _bed.Fake.Webhooks.ReleaseAsync([events[3], events[1]]);
        Assert.Equal([events[3], events[1]], _bed.Fake.Webhooks.Delivered);
        Assert.Equal([events[0], events[2]], _bed.Fake.Webhooks.Held.Select(e => e.Id));

        await _bed.Fake.Webhooks.ReleaseAsync(order: WebhookOrder.Reverse);
        Assert.Equal([events[3], events[1], events[2], events[0]], _bed.Fake.Webhooks.Delivered);
        Assert.Empty(_bed.Fake.Webhooks.Held);
        await Assert.ThrowsAsync<ArgumentException>(() => _bed.Fake.Webhooks.ReleaseAsync(["evt_not_held"]));
    }

    [Fact]
    public async Task A_failing_receiver_is_retried_then_given_up()
    {
        _bed.Receiver.Status = 500;
        var subscriptionId = await _bed.SubscribeAsync("user-1");
        _bed.Fake.Webhooks.ClearAttempts();

        await _bed.Fake.CancelAsync(subscriptionId);

        var attempts = _bed.Fake.Webhooks.Attempts;
        Assert.Equal([1, 2, 3], attempts.Select(a => a.Attempt));
        Assert.All(attempts, a => Assert.Equal((500, false), (a.StatusCode, a.Succeeded)));
        Assert.Empty(_bed.Fake.Webhooks.Delivered);
    }

    [Fact]
    public async Task A_receiver_that_recovers_gets_the_event_on_a_retry()
    {
        var calls = 0;
        _bed.Receiver.Handler = _ => Task.FromResult(Interlocked.Increment(ref calls) == 1 ? 503 : 200);
        _bed.Fake.Webhooks.Settings = new WebhookDeliverySettings(Hold: true);
        await _bed.SubscribeAsync("user-1");
        var first = _bed.Fake.Webhooks.Held[0];

        await _bed.Fake.Webhooks.ReleaseAsync([first.Id]);

        Assert.Equal([(1, 503), (2, 200)], _bed.Fake.Webhooks.Attempts.Select(a => (a.Attempt, a.StatusCode ?? 0)));
        Assert.Equal([first.Id], _bed.Fake.Webhooks.Delivered);
        // Each attempt is signed anew and verifies.
        Assert.All(_bed.Receiver.Received, r => Assert.True(_bed.Verifier.Verify(r.Body, r.Signature).Accepted));
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_recorded_as_failed_attempts()
    {
        _bed.Fake.Webhooks.EndpointUrl = new Uri("http://127.0.0.1:1/webhook");
        await _bed.SubscribeAsync("user-1");

        var attempts = _bed.Fake.Webhooks.Attempts;
        Assert.Equal(4 * 3, attempts.Count);
        Assert.All(attempts, a => Assert.Null(a.StatusCode));
        Assert.All(attempts, a => Assert.StartsWith("HttpRequestException", a.Error));
    }

    [Fact]
    public async Task Without_an_endpoint_events_are_only_stored()
    {
        _bed.Fake.Webhooks.EndpointUrl = null;
        await _bed.SubscribeAsync("user-1");

        Assert.Equal(4, _bed.Fake.Events.Count);
        Assert.Empty(_bed.Fake.Webhooks.Attempts);
    }

    [Fact]
    public async Task A_failed_renewal_goes_past_due_then_cancels_at_the_limit()
    {
        var subscriptionId = await _bed.SubscribeAsync("user-1");
        var start = _bed.Fake.Events.Count;

        await _bed.Fake.RenewAsync(subscriptionId, paymentSucceeds: false);
        Assert.Equal("past_due", _bed.Fake.StatusOf(subscriptionId));
        await _bed.Fake.RenewAsync(subscriptionId, paymentSucceeds: false);
        Assert.Equal("past_due", _bed.Fake.StatusOf(subscriptionId));
        await _bed.Fake.RenewAsync(subscriptionId, paymentSucceeds: false);
        Assert.Equal("canceled", _bed.Fake.StatusOf(subscriptionId));

        Assert.Equal(["invoice.payment_failed", "customer.subscription.updated", "invoice.payment_failed", "customer.subscription.updated",
            "invoice.payment_failed", "customer.subscription.deleted"], _bed.Fake.Events.Skip(start).Select(e => e.Type));
        var state = await _bed.Billing.GetSubscriptionAsync(subscriptionId);
        Assert.Equal(new BillingInstruction.Lapse(subscriptionId, "canceled"), BillingReconciliation.Reconcile(subscriptionId, state));
        var invoices = await _bed.Billing.ListInvoicesAsync(state!.CustomerId!);
        Assert.Equal(("open", 0L), (invoices[0].Status, invoices[0].AmountPaid));
        var fault = await Assert.ThrowsAsync<StripeFakeException>(() => _bed.Fake.RenewAsync(subscriptionId, true));
        Assert.Equal(400, fault.Status);
    }

    [Fact]
    public async Task A_past_due_subscription_paid_on_retry_is_active_for_the_same_period()
    {
        var subscriptionId = await _bed.SubscribeAsync("user-1");
        await _bed.Fake.RenewAsync(subscriptionId, paymentSucceeds: false);
        var pastDue = await _bed.Billing.GetSubscriptionAsync(subscriptionId);
        Assert.Equal(new BillingInstruction.PastDue(subscriptionId, "pro", BillingPeriod.Monthly), BillingReconciliation.Reconcile(subscriptionId, pastDue));

        await _bed.Fake.RenewAsync(subscriptionId, paymentSucceeds: true);

        var active = (await _bed.Billing.GetSubscriptionAsync(subscriptionId))!;
        Assert.Equal("active", active.Status);
        Assert.Equal(pastDue!.CurrentPeriodEnd, active.CurrentPeriodEnd);
        Assert.Equal(BillingTestbed.Start.AddMonths(2), active.CurrentPeriodEnd);
    }

    [Fact]
    public async Task The_portal_switches_plan_and_cancels()
    {
        var subscriptionId = await _bed.SubscribeAsync("user-1");
        var customerId = (await _bed.Billing.GetSubscriptionAsync(subscriptionId))!.CustomerId!;
        var portal = await _bed.Billing.CreatePortalAsync(customerId);

        using var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var toYearly = await noRedirect.PostAsync(portal + "/switch",
            new FormUrlEncodedContent([new("subscription", subscriptionId), new("price", "price_starter_yearly")]));
        Assert.Equal(HttpStatusCode.SeeOther, toYearly.StatusCode);
        var switched = (await _bed.Billing.GetSubscriptionAsync(subscriptionId))!;
        Assert.Equal(new PlanPrice("starter", BillingPeriod.Yearly, "price_starter_yearly"), switched.Plan);
        Assert.Equal(BillingTestbed.Start.AddYears(1), switched.CurrentPeriodEnd);
        Assert.Equal(["invoice.paid", "customer.subscription.updated"], _bed.Fake.Events.TakeLast(2).Select(e => e.Type));

        using var cancel = await noRedirect.PostAsync(portal + "/cancel", new FormUrlEncodedContent([new("subscription", subscriptionId)]));
        Assert.Equal(HttpStatusCode.SeeOther, cancel.StatusCode);
        Assert.Equal("canceled", _bed.Fake.StatusOf(subscriptionId));
        Assert.Equal("customer.subscription.deleted", _bed.Fake.Events[^1].Type);
        Assert.DoesNotContain("Cancel now", await _bed.Http.GetStringAsync(portal));

        using var foreign = await noRedirect.PostAsync(portal + "/cancel", new FormUrlEncodedContent([new("subscription", "sub_someone_else")]));
        Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
    }

    [Fact]
    public async Task A_price_change_within_the_interval_keeps_the_period()
    {
        var subscriptionId = await _bed.SubscribeAsync("user-1", "starter");
        var before = _bed.Fake.Events.Count;

        await _bed.Fake.ChangePriceAsync(subscriptionId, "price_pro_monthly");
        await _bed.Fake.ChangePriceAsync(subscriptionId, "price_pro_monthly");

        var state = (await _bed.Billing.GetSubscriptionAsync(subscriptionId))!;
        Assert.Equal(("pro", BillingTestbed.Start.AddMonths(1)), (state.Plan!.PlanId, state.CurrentPeriodEnd!.Value));
        var updated = Assert.Single(_bed.Fake.Events.Skip(before));
        Assert.Equal("customer.subscription.updated", updated.Type);
        Assert.Equal("price_starter_monthly",
            JsonNode.Parse(updated.Json)!["data"]!["previous_attributes"]!["items"]!["data"]![0]!["price"]!["id"]!.GetValue<string>());
        await Assert.ThrowsAsync<StripeFakeException>(() => _bed.Fake.ChangePriceAsync(subscriptionId, "price_nope"));
    }

    [Fact]
    public async Task The_operator_routes_drive_the_fake_without_the_key()
    {
        var checkout = await _bed.Billing.CreateCheckoutAsync("user-1", "u@example.com", null, "pro", BillingPeriod.Monthly, "k");
        using var settings = await _bed.Http.PostAsync(new Uri(_bed.Fake.BaseUrl, "_fake/webhooks?order=reverse&repeat=2"), null);
        Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        Assert.Equal(new WebhookDeliverySettings(WebhookOrder.Reverse, 2), _bed.Fake.Webhooks.Settings);

        using var complete = await _bed.Http.PostAsync(new Uri(_bed.Fake.BaseUrl, $"_fake/checkout/sessions/{checkout.SessionId}/complete"), null);
        var subscriptionId = JsonNode.Parse(await complete.Content.ReadAsStringAsync())!["subscription"]!.GetValue<string>();
        Assert.Equal(_bed.Fake.SubscriptionOf(checkout.SessionId), subscriptionId);
        Assert.Equal(8, _bed.Fake.Webhooks.Delivered.Count);

        using var renew = await _bed.Http.PostAsync(new Uri(_bed.Fake.BaseUrl, $"_fake/subscriptions/{subscriptionId}/renew"),
            new FormUrlEncodedContent([new("payment", "failed")]));
        Assert.Equal("past_due", JsonNode.Parse(await renew.Content.ReadAsStringAsync())!["status"]!.GetValue<string>());
        using var price = await _bed.Http.PostAsync(new Uri(_bed.Fake.BaseUrl, $"_fake/subscriptions/{subscriptionId}/price?price=price_enterprise_monthly"), null);
        Assert.Equal(HttpStatusCode.OK, price.StatusCode);
        using var cancel = await _bed.Http.PostAsync(new Uri(_bed.Fake.BaseUrl, $"_fake/subscriptions/{subscriptionId}/cancel"), null);
        Assert.Equal("canceled", JsonNode.Parse(await cancel.Content.ReadAsStringAsync())!["status"]!.GetValue<string>());
        using var again = await _bed.Http.PostAsync(new Uri(_bed.Fake.BaseUrl, $"_fake/subscriptions/{subscriptionId}/cancel"), null);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Equal("invalid_request_error", JsonNode.Parse(await again.Content.ReadAsStringAsync())!["error"]!["type"]!.GetValue<string>());
        using var unknown = await _bed.Http.PostAsync(new Uri(_bed.Fake.BaseUrl, "_fake/subscriptions/sub_nope/cancel"), null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var badOrder = await _bed.Http.PostAsync(new Uri(_bed.Fake.BaseUrl, "_fake/webhooks?order=sideways"), null);
        Assert.Equal(HttpStatusCode.BadRequest, badOrder.StatusCode);
    }

    [Fact]
    public async Task The_operator_routes_hold_and_release_in_a_named_order()
    {
        using var hold = await _bed.Http.PostAsync(new Uri(_bed.Fake.BaseUrl, "_fake/webhooks"), new FormUrlEncodedContent([new("hold", "true")]));
        await _bed.SubscribeAsync("user-1");
        var held = _bed.Fake.Webhooks.Held.Select(e => e.Id).ToList();
        var state = JsonNode.Parse(await _bed.Http.GetStringAsync(new Uri(_bed.Fake.BaseUrl, "_fake/webhooks")))!;
        Assert.Equal(held, state["held"]!.AsArray().Select(x => x!.GetValue<string>()));
        Assert.DoesNotContain(BillingTestbed.WebhookSecret, state.ToJsonString());

        using var release = await _bed.Http.PostAsync(new Uri(_bed.Fake.BaseUrl, $"_fake/webhooks/release?events={held[2]},{held[0]}"), null);
        Assert.Equal(HttpStatusCode.OK, release.StatusCode);
        Assert.Equal([held[2], held[0]], _bed.Fake.Webhooks.Delivered);
        using var resend = await _bed.Http.PostAsync(new Uri(_bed.Fake.BaseUrl, $"_fake/events/{held[0]}/resend"), null);
        Assert.Equal([held[2], held[0], held[0]], _bed.Fake.Webhooks.Delivered);
        using var unknown = await _bed.Http.PostAsync(new Uri(_bed.Fake.BaseUrl, "_fake/webhooks/release?events=evt_nope"), null);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        var attempts = JsonNode.Parse(await _bed.Http.GetStringAsync(new Uri(_bed.Fake.BaseUrl, "_fake/webhooks/attempts")))!.AsArray();
        Assert.Equal(3, attempts.Count);
    }
}
