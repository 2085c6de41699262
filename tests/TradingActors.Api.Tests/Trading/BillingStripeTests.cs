using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Npgsql;
using TradingActors.Api.Tests.Infrastructure;
using TradingActors.Billing.Fakes;
using TradingActors.Domain.Billing;
using TradingActors.Domain.Bots;
using static TradingActors.Api.Tests.Infrastructure.ApiCalls;

namespace TradingActors.Api.Tests.Trading;

/// <summary>
/// Paying through Stripe (decisions 033, 034), against the local Stripe fake over real HTTP, its signed webhooks delivered
/// to the API: checkout → webhook → plan active → quota raised; a replayed webhook has no second effect; forged, expired
/// and wrong-secret signatures are 400 and change nothing; a deletion delivered before the update still ends on Free; a
/// failed payment starts the grace, then the plan lapses and what Free does not allow is paused.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class BillingStripeTests(ApiFixture api) : IDisposable
{
    private StripeFake Stripe => api.Stripe;

    public void Dispose() => Stripe.Webhooks.Settings = WebhookDeliverySettings.Normal;

    private static object Bot(string id, string symbol) => new
    {
        id, kind = "rsi", symbol, brokerAccountId = "paper-1", budget = 500m, barSeconds = 60, parameters = new { period = 14, oversold = 30, overbought = 70 },
    };

    private async Task<HttpResponseMessage> Checkout(SignedInTrader s, string planId, string period, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/billing/checkout") { Content = System.Net.Http.Json.JsonContent.Create(new { planId, period }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", s.Token);
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        return await api.Client.SendAsync(request);
    }

    /// <summary>The user pays for the plan on Stripe's page: returns the subscription.</summary>
    private async Task<string> Pay(SignedInTrader s, string planId, string period = "monthly")
    {
        var checkout = await Json(await Checkout(s, planId, period));
        return await Stripe.CompleteCheckoutAsync(checkout.GetProperty("sessionId").GetString()!);
    }

    private async Task<JsonElement> Billing(SignedInTrader s) => await Json(await s.Trader.Get("/api/v1/billing", s.Token));

    private async Task<long> HandledEvents()
    {
        await using var connection = new NpgsqlConnection(api.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM stripe_events", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The tenant's journal length: what a repeat must not move.</summary>
    private async Task<long> JournalLength(SignedInTrader s)
    {
        await using var connection = new NpgsqlConnection(api.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT coalesce(max(sequence_number), 0) FROM journal WHERE persistence_id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Engine.Names.TenantPersistenceId(s.TenantId) });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<HttpResponseMessage> Deliver(string body, string signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/billing/webhook") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", signature);
        return await api.Client.SendAsync(request);
    }

    [Fact]
    public async Task Checkout_then_the_webhook_makes_the_plan_active_and_raises_the_quota_and_a_replayed_webhook_does_nothing_twice()
    {
        var s = await api.SignIn("stripe-pays", plan: null);
        await Json(await s.Trader.Post("/api/v1/bots", s.Token, Bot("one", "BTCUSDT")), HttpStatusCode.Created);
        await ProblemAssert.Is(await s.Trader.Post("/api/v1/bots", s.Token, Bot("two", "ETHUSDT")), HttpStatusCode.PaymentRequired, "plan-limit");
        await ProblemAssert.Is(await s.Trader.Post("/api/v1/billing/portal", s.Token), HttpStatusCode.Conflict, "no-billing-account");

        // Bad requests change nothing; the same Idempotency-Key is the same page.
        var bad = await ProblemAssert.Is(await Checkout(s, "free", "weekly"), HttpStatusCode.BadRequest, "validation");
        Assert.Single(ProblemAssert.FieldErrors(bad, "planId"));
        Assert.Single(ProblemAssert.FieldErrors(bad, "period"));
        var first = await Json(await Checkout(s, "pro", "monthly", "pay-pro-1"));
        var again = await Json(await Checkout(s, "pro", "monthly", "pay-pro-1"));
        Assert.Equal(first.GetProperty("sessionId").GetString(), again.GetProperty("sessionId").GetString());
        Assert.StartsWith(Stripe.BaseUrl.ToString(), first.GetProperty("url").GetString());

        // Paid: the webhooks (checkout.session.completed, customer.subscription.created, invoice.paid) make Pro active.
        var subscription = await Stripe.CompleteCheckoutAsync(first.GetProperty("sessionId").GetString()!);
        var billing = await Billing(s);
        Assert.Equal(("pro", "active"), (billing.GetProperty("plan").GetProperty("id").GetString(), billing.GetProperty("status").GetString()));
        Assert.True(billing.GetProperty("periodEnd").GetDateTimeOffset() > api.Time.GetUtcNow().AddDays(27));
        await Json(await s.Trader.Post("/api/v1/bots", s.Token, Bot("two", "ETHUSDT")), HttpStatusCode.Created);
        Assert.All(Stripe.Webhooks.Attempts.Where(a => Stripe.Events.Any(e => e.Id == a.EventId)), a => Assert.True(a.Succeeded, $"{a.EventType}: {a.StatusCode} {a.ResponseBody}"));

        // The paid invoice is mirrored; the portal opens; a second checkout is refused (the portal changes plans).
        var invoice = Assert.Single((await Json(await s.Trader.Get("/api/v1/billing/invoices", s.Token))).EnumerateArray());
        Assert.Equal(("paid", 4_900L, "usd"), (invoice.GetProperty("status").GetString(), invoice.GetProperty("amountPaid").GetInt64(), invoice.GetProperty("currency").GetString()));
        Assert.StartsWith(Stripe.BaseUrl.ToString(), (await Json(await s.Trader.Post("/api/v1/billing/portal", s.Token))).GetProperty("url").GetString());
        await ProblemAssert.Is(await Checkout(s, "enterprise", "yearly"), HttpStatusCode.Conflict, "subscription-exists");

        // Every event delivered again: answered as seen before, and the tenant's journal does not move.
        var version = await JournalLength(s);
        var handled = await HandledEvents();
        var mine = Stripe.Events.Where(e => e.Json.Contains(subscription, StringComparison.Ordinal)).ToList();
        Assert.True(mine.Count >= 3, string.Join(", ", mine.Select(e => e.Type)));
        Stripe.Webhooks.ClearAttempts();
        foreach (var e in mine) await Stripe.ResendAsync(e.Id);
        Assert.All(Stripe.Webhooks.Attempts, a => Assert.Contains("\"duplicate\":true", a.ResponseBody));
        Assert.Equal(version, await JournalLength(s));
        Assert.Equal(handled, await HandledEvents());
    }

    [Fact]
    public async Task Forged_expired_and_wrong_secret_signatures_are_refused_with_400_and_change_nothing()
    {
        var s = await api.SignIn("stripe-forged", plan: null);
        Stripe.Webhooks.Settings = new WebhookDeliverySettings(Hold: true);
        await Pay(s, "starter");
        var held = Stripe.Webhooks.Held;
        var completed = held.First(e => e.Type == "checkout.session.completed");
        var now = api.Time.GetUtcNow().ToUnixTimeSeconds();
        var version = await JournalLength(s);
        var handled = await HandledEvents();

        var forged = completed.Json.Replace("\"livemode\":false", "\"livemode\":true", StringComparison.Ordinal);
        Assert.NotEqual(completed.Json, forged);
        var attempts = new (string Body, string Signature)[]
        {
            (forged, StripeWebhookSender.Sign(completed.Json, ApiFixture.StripeWebhookSecret, now)),             // body changed after signing
            (completed.Json, StripeWebhookSender.Sign(completed.Json, "whsec_someone_else", now)),            // another endpoint's secret
            (completed.Json, StripeWebhookSender.Sign(completed.Json, ApiFixture.StripeWebhookSecret, now - 301)), // too old
            (completed.Json, StripeWebhookSender.Sign(completed.Json, ApiFixture.StripeWebhookSecret, now + 301)), // from the future
            (completed.Json, ""),                                                                                 // unsigned
        };
        foreach (var (body, signature) in attempts)
        {
            var refused = await ProblemAssert.Is(await Deliver(body, signature), HttpStatusCode.BadRequest, "webhook-signature");
            Assert.DoesNotContain("whsec_", refused.GetRawText());
        }
        Assert.Equal("free", (await Billing(s)).GetProperty("plan").GetProperty("id").GetString());
        Assert.Equal(version, await JournalLength(s));
        Assert.Equal(handled, await HandledEvents());

        // Signed within the tolerance (299 s old), it is taken.
        var taken = await Json(await Deliver(completed.Json, StripeWebhookSender.Sign(completed.Json, ApiFixture.StripeWebhookSecret, now - 299)));
        Assert.False(taken.GetProperty("duplicate").GetBoolean());
        Assert.Equal("starter", (await Billing(s)).GetProperty("plan").GetProperty("id").GetString());
        await Stripe.Webhooks.ReleaseAsync(); // the rest, as Stripe would: the first again is a duplicate
        Assert.Equal("starter", (await Billing(s)).GetProperty("plan").GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_deletion_delivered_before_the_update_and_the_checkout_still_ends_on_free_and_repeats_change_nothing()
    {
        var s = await api.SignIn("stripe-order", plan: null);
        // Everything this subscription ever emits is held, then delivered newest first, each twice.
        Stripe.Webhooks.Settings = new WebhookDeliverySettings(Hold: true, Repeat: 2);
        var subscription = await Pay(s, "pro");
        await Stripe.ChangePriceAsync(subscription, "price_starter_monthly");
        await Stripe.CancelAsync(subscription);
        Assert.Equal("canceled", Stripe.StatusOf(subscription));
        Assert.Equal("free", (await Billing(s)).GetProperty("plan").GetProperty("id").GetString());

        var types = Stripe.Webhooks.Held.Select(e => e.Type).ToList();
        Assert.Equal("customer.subscription.deleted", types[^1]);
        await Stripe.Webhooks.ReleaseAsync(order: WebhookOrder.Reverse);

        // Every delivery asked Stripe for the subscription as it is now (canceled): nothing ever made Pro or Starter active.
        var billing = await Billing(s);
        Assert.Equal(("free", "active"), (billing.GetProperty("plan").GetProperty("id").GetString(), billing.GetProperty("status").GetString()));
        var state = await api.Tenant(s.TenantId);
        Assert.Null(state.Plan?.LapsedFrom);
        Assert.Equal(PlanCatalog.Free, state.CurrentPlan().Limits);
        Assert.All(Stripe.Webhooks.Attempts, a => Assert.True(a.Succeeded, $"{a.EventType}: {a.StatusCode} {a.ResponseBody}"));
    }

    [Fact]
    public async Task A_failed_payment_keeps_the_plan_through_its_grace_then_it_lapses_to_free_and_what_free_does_not_allow_is_paused()
    {
        var admin = await api.Admin("stripe-fails-admin");
        await Json(await admin.Trader.Post("/api/v1/admin/strategies", admin.Token, new { id = "ema-lapse", kind = "ema-cross", symbol = "ETHUSDT" }), HttpStatusCode.Created);
        var s = await api.SignIn("stripe-fails", plan: null);
        var subscription = await Pay(s, "pro");
        await Json(await s.Trader.Post("/api/v1/subscriptions", s.Token, new { strategyId = "rsi-btc", brokerAccountId = "paper-1", budget = 500m }), HttpStatusCode.Created);
        await Json(await s.Trader.Post("/api/v1/subscriptions", s.Token, new { strategyId = "ema-lapse", brokerAccountId = "paper-1", budget = 500m }), HttpStatusCode.Created);
        await Json(await s.Trader.Post("/api/v1/bots", s.Token, Bot("first", "BTCUSDT")), HttpStatusCode.Created);
        await Json(await s.Trader.Post("/api/v1/bots", s.Token, Bot("second", "ETHUSDT")), HttpStatusCode.Created);
        await Json(await s.Trader.Post("/api/v1/bots/first/start", s.Token));
        await Json(await s.Trader.Post("/api/v1/bots/second/start", s.Token));

        // The renewal's payment fails: invoice.payment_failed, the subscription past due — the plan holds through its grace.
        await Stripe.RenewAsync(subscription, paymentSucceeds: false);
        var pastDue = await Billing(s);
        Assert.Equal(("pro", "past_due"), (pastDue.GetProperty("plan").GetProperty("id").GetString(), pastDue.GetProperty("status").GetString()));
        Assert.True(pastDue.TryGetProperty("graceUntil", out _));
        Assert.Contains((await Json(await s.Trader.Get("/api/v1/billing/invoices", s.Token))).EnumerateArray(), i => i.GetProperty("status").GetString() == "open");

        // The grace (3 s in this fixture) runs out: Free, the second bot paused with the reason, nothing deleted or closed.
        await Eventually(async () => (await Billing(s)).GetProperty("status").GetString() == "lapsed", "the plan lapsed after its grace", seconds: 20);
        var state = await api.Tenant(s.TenantId);
        Assert.Equal(("free", "pro"), (state.CurrentPlan().Limits.Id, state.CurrentPlan().LapsedFrom));
        Assert.Equal(BotStatus.Running, state.BotsById["first"].Status);
        Assert.Equal(BotStatus.Paused, state.BotsById["second"].Status);
        Assert.StartsWith("plan Pro lapsed; running bots: 1 of 1 on plan Free", state.BotsById["second"].StopReason);
        await ProblemAssert.Is(await s.Trader.Post("/api/v1/bots/second/start", s.Token), HttpStatusCode.PaymentRequired, "plan-limit");
        // The longest active subscription keeps running; the other is paused, and the trader sees why.
        JsonElement[] subscriptions = [];
        await Eventually(async () =>
        {
            subscriptions = [.. (await Json(await s.Trader.Get("/api/v1/subscriptions", s.Token))).EnumerateArray()];
            return subscriptions.Any(x => x.GetProperty("status").GetString() == "paused");
        }, "the second subscription paused in the read models");
        Assert.Equal("active", subscriptions.Single(x => x.GetProperty("strategyId").GetString() == "rsi-btc").GetProperty("status").GetString());
        var paused = subscriptions.Single(x => x.GetProperty("strategyId").GetString() == "ema-lapse");
        Assert.StartsWith("plan Pro lapsed; active subscriptions: 1 of 1 on plan Free", paused.GetProperty("pauseReason").GetString());
        Assert.False(subscriptions.Single(x => x.GetProperty("strategyId").GetString() == "rsi-btc").TryGetProperty("pauseReason", out _));

        // Stripe gives up later and deletes the subscription: already lapsed, nothing changes.
        var version = await JournalLength(s);
        await Stripe.CancelAsync(subscription);
        Assert.Equal(version, await JournalLength(s));
    }
}
