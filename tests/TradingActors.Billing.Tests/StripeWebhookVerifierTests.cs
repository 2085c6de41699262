using System.Text;
using Microsoft.Extensions.Time.Testing;
using TradingActors.Billing.Fakes;

namespace TradingActors.Billing.Tests;

public sealed class StripeWebhookVerifierTests
{
    private const string Secret = "whsec_VerifierTestSecret0123456789";
    private const string OtherSecret = "whsec_SomeoneElsesSecret987654321";
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 9, 30, 0, TimeSpan.Zero);
    private static readonly long T = Now.ToUnixTimeSeconds();

    private const string Checkout = """
        {"id":"evt_checkout","object":"event","api_version":"2019-01-01","created":1772357400,"livemode":false,"pending_webhooks":1,
         "request":{"id":null,"idempotency_key":null},"type":"checkout.session.completed",
         "data":{"object":{"id":"cs_test_1","object":"checkout.session","mode":"subscription","status":"complete",
           "client_reference_id":"user-9","customer":"cus_9","subscription":"sub_9","invoice":"in_9","metadata":{"user_id":"user-9"}}}}
        """;

    private static StripeWebhookVerifier Verifier(long tolerance = 300) => new(Secret, new FakeTimeProvider(Now), tolerance);

    private static string Sign(string body, long t, string secret = Secret) => StripeWebhookSender.Sign(body, secret, t);

    public static TheoryData<string, string?, WebhookRefusal?> Deliveries() => new()
    {
        { "valid", Sign(Checkout, T), null },
        { "forged body", Sign(Checkout.Replace("user-9", "user-1"), T), WebhookRefusal.SignatureMismatch },
        { "wrong secret", Sign(Checkout, T, OtherSecret), WebhookRefusal.SignatureMismatch },
        { "301 s old", Sign(Checkout, T - 301), WebhookRefusal.TimestampOutsideTolerance },
        { "301 s ahead", Sign(Checkout, T + 301), WebhookRefusal.TimestampOutsideTolerance },
        { "299 s old", Sign(Checkout, T - 299), null },
        { "299 s ahead", Sign(Checkout, T + 299), null },
        { "300 s old", Sign(Checkout, T - 300), null },
        { "old and wrong secret", Sign(Checkout, T - 3600, OtherSecret), WebhookRefusal.SignatureMismatch },
        { "missing", null, WebhookRefusal.MissingSignature },
        { "empty", "  ", WebhookRefusal.MissingSignature },
        { "garbled", "garbage", WebhookRefusal.MalformedSignature },
        { "no v1", $"t={T}", WebhookRefusal.MalformedSignature },
        { "no t", Sign(Checkout, T).Split(',')[1], WebhookRefusal.MalformedSignature },
        { "t not a number", "t=soon," + Sign(Checkout, T).Split(',')[1], WebhookRefusal.MalformedSignature },
        { "two timestamps", $"t={T}," + Sign(Checkout, T), WebhookRefusal.MalformedSignature },
        { "empty v1", $"t={T},v1=", WebhookRefusal.MalformedSignature },
        { "only v0", $"t={T},v0=abc", WebhookRefusal.MalformedSignature },
        { "several v1, one valid", $"t={T},v1={new string('0', 64)},{Sign(Checkout, T).Split(',')[1]},v1=ff", null },
        { "several v1, none valid", $"t={T},v1={new string('0', 64)},v1=ff", WebhookRefusal.SignatureMismatch },
        { "a v0 beside the valid v1", Sign(Checkout, T) + ",v0=deadbeef", null },
    };

    [Theory]
    [MemberData(nameof(Deliveries))]
    public void A_delivery_is_accepted_only_when_signed_with_our_secret_within_the_tolerance(string name, string? header, WebhookRefusal? refusal)
    {
        var result = Verifier().Verify(Checkout, header);

        Assert.True(refusal == result.Refusal, $"{name}: expected {refusal?.ToString() ?? "accepted"}, got {result.Refusal?.ToString() ?? "accepted"}");
        Assert.Equal(refusal is null, result.Accepted);
        Assert.Equal(refusal is null, result.Reason is null);
        if (result.Reason is { } reason)
        {
            Assert.Equal(Reasons[result.Refusal!.Value], reason);
            Assert.DoesNotContain(Secret, reason);
            Assert.DoesNotContain("whsec", reason);
        }
    }

    private static readonly Dictionary<WebhookRefusal, string> Reasons = new()
    {
        [WebhookRefusal.MissingSignature] = "no Stripe-Signature header",
        [WebhookRefusal.MalformedSignature] = "the Stripe-Signature header has no unix timestamp t= or no v1= signature",
        [WebhookRefusal.SignatureMismatch] = "no v1 signature of the Stripe-Signature header matches the body",
        [WebhookRefusal.TimestampOutsideTolerance] = "the signature's timestamp is more than 300 s away from now",
    };

    [Fact]
    public void Arguments_are_checked()
    {
        Assert.ThrowsAny<ArgumentException>(() => new StripeWebhookVerifier(""));
        Assert.ThrowsAny<ArgumentException>(() => new StripeWebhookVerifier(Secret, toleranceSeconds: 0));
        Assert.Throws<ArgumentNullException>(() => Verifier().Verify((string)null!, "t=1,v1=a"));
    }

    [Fact]
    public void An_accepted_checkout_names_its_subscription_customer_user_and_invoice()
    {
        var result = Verifier().Verify(Encoding.UTF8.GetBytes(Checkout), Sign(Checkout, T));

        Assert.Equal(new StripeWebhookEvent("evt_checkout", "checkout.session.completed", DateTimeOffset.FromUnixTimeSeconds(1772357400),
            "checkout.session", "sub_9", "cus_9", "user-9", "in_9", "cs_test_1"), result.Event);
    }

    [Theory]
    // Stripe's current shape: the subscription under parent.subscription_details.
    [InlineData("""{"id":"in_1","object":"invoice","customer":"cus_1","parent":{"type":"subscription_details","subscription_details":{"subscription":"sub_1","metadata":{"user_id":"u1"}}}}""", "sub_1", "u1")]
    // An endpoint on an older API version: the subscription at the top.
    [InlineData("""{"id":"in_1","object":"invoice","customer":"cus_1","subscription":"sub_1"}""", "sub_1", null)]
    // An expanded subscription object.
    [InlineData("""{"id":"in_1","object":"invoice","customer":{"id":"cus_1","object":"customer"},"subscription":{"id":"sub_1","object":"subscription"}}""", "sub_1", null)]
    [InlineData("""{"id":"in_1","object":"invoice","customer":"cus_1","parent":null,"metadata":{"user_id":"u2"}}""", null, "u2")]
    [InlineData("""{"id":"in_1","object":"invoice","customer":"cus_1","parent":null}""", null, null)]
    [InlineData("""{"id":"in_1","object":"invoice","customer":"cus_1","parent":{"subscription_details":null}}""", null, null)]
    // The invoice's own metadata first, then the subscription's as the invoice copied it.
    [InlineData("""{"id":"in_1","object":"invoice","customer":"cus_1","metadata":{"user_id":"own"},"parent":{"subscription_details":{"subscription":"sub_1","metadata":{"user_id":"sub"}}}}""", "sub_1", "own")]
    public void An_invoice_event_names_its_subscription_whatever_the_api_version(string invoice, string? subscription, string? user)
    {
        var body = Event("invoice.paid", invoice);

        var e = Verifier().Verify(body, Sign(body, T)).Event!;

        Assert.Equal(("invoice", subscription, "cus_1", user, "in_1", (string?)null), (e.ObjectType, e.SubscriptionId, e.CustomerId, e.UserId, e.InvoiceId, e.CheckoutSessionId));
    }

    [Fact]
    public void A_subscription_event_names_itself_and_its_user()
    {
        var body = Event("customer.subscription.deleted",
            """{"id":"sub_2","object":"subscription","customer":"cus_2","status":"canceled","latest_invoice":"in_2","metadata":{"user_id":"u2"}}""");

        var e = Verifier().Verify(body, Sign(body, T)).Event!;

        Assert.Equal(new StripeWebhookEvent("evt_x", "customer.subscription.deleted", DateTimeOffset.FromUnixTimeSeconds(T), "subscription",
            "sub_2", "cus_2", "u2", "in_2", null), e);
    }

    [Fact]
    public void Another_object_names_no_subscription()
    {
        var body = Event("payment_intent.succeeded", """{"id":"pi_3","object":"payment_intent","customer":"cus_3","metadata":{"user_id":"u3"}}""");

        var e = Verifier().Verify(body, Sign(body, T)).Event!;

        Assert.Equal(("payment_intent", null, "cus_3", "u3", null, null), (e.ObjectType, e.SubscriptionId, e.CustomerId, e.UserId, e.InvoiceId, e.CheckoutSessionId));
    }

    [Fact]
    public void An_object_without_its_type_is_read_as_no_type()
    {
        var body = Event("x.y", """{"id":"x_1"}""");

        Assert.Equal("", Verifier().Verify(body, Sign(body, T)).Event!.ObjectType);
    }

    [Theory]
    [InlineData("""{"id":"cs_1","object":"checkout.session","client_reference_id":"ref","metadata":{"user_id":"meta"}}""", "ref")]
    [InlineData("""{"id":"cs_1","object":"checkout.session","metadata":{"user_id":"meta"}}""", "meta")]
    [InlineData("""{"id":"cs_1","object":"checkout.session","client_reference_id":""}""", null)]
    public void A_checkout_names_its_user_by_reference_then_metadata(string session, string? user)
    {
        var body = Event("checkout.session.completed", session);

        Assert.Equal(user, Verifier().Verify(body, Sign(body, T)).Event!.UserId);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"id":"evt_1","object":"event","type":"invoice.paid","created":1}""")]
    [InlineData("""{"id":"evt_1","object":"event","type":"invoice.paid","created":1,"data":{"object":"in_1"}}""")]
    [InlineData("""{"object":"event","type":"invoice.paid","created":1,"data":{"object":{"id":"in_1","object":"invoice"}}}""")]
    [InlineData("""{"id":"evt_1","object":"event","type":"invoice.paid","created":1,"data":"in_1"}""")]
    [InlineData("""{"id":"evt_1","object":"event","created":1,"data":{"object":{"id":"in_1","object":"invoice"}}}""")]
    public void A_signed_body_that_is_not_an_event_is_refused(string body)
    {
        var result = Verifier().Verify(body, Sign(body, T));

        Assert.Equal(WebhookRefusal.MalformedPayload, result.Refusal);
        Assert.StartsWith("the body is not a Stripe event", result.Reason);
    }

    [Fact]
    public void A_body_that_is_not_utf8_is_refused()
    {
        var result = Verifier().Verify([0x7b, 0xff, 0xfe, 0x7d], Sign("{}", T));

        Assert.Equal((WebhookRefusal.MalformedPayload, "the body is not UTF-8"), (result.Refusal, result.Reason));
    }

    [Fact]
    public void The_tolerance_comes_from_the_options()
    {
        var options = new StripeBillingOptions { WebhookSecret = Secret, WebhookToleranceSeconds = 10 };
        var verifier = new StripeWebhookVerifier(options, new FakeTimeProvider(Now));

        Assert.True(verifier.Verify(Checkout, Sign(Checkout, T - 10)).Accepted);
        Assert.Equal(WebhookRefusal.TimestampOutsideTolerance, verifier.Verify(Checkout, Sign(Checkout, T - 11)).Refusal);
    }

    [Fact]
    public void The_clock_is_read_at_each_verification()
    {
        var time = new FakeTimeProvider(Now);
        var verifier = new StripeWebhookVerifier(Secret, time);
        var header = Sign(Checkout, T);

        Assert.True(verifier.Verify(Checkout, header).Accepted);
        time.Advance(TimeSpan.FromSeconds(301));
        Assert.Equal(WebhookRefusal.TimestampOutsideTolerance, verifier.Verify(Checkout, header).Refusal);
    }

    private static string Event(string type, string obj) =>
        $$$"""{"id":"evt_x","object":"event","api_version":"2026-10-28.endive","created":{{{T}}},"livemode":false,"type":"{{{type}}}","data":{"object":{{{obj}}}}}""";
}
