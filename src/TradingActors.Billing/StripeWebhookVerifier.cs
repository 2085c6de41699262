using System.Globalization;
using System.Text;
using System.Text.Json;
using Stripe;

namespace TradingActors.Billing;

/// <summary>
/// A webhook event Stripe signed (decision 033): its id (the dedupe key), type and creation time, and the ids it names,
/// read from its object whatever the endpoint's API version: the subscription (checkout.session's subscription, an
/// invoice's parent.subscription_details.subscription or older top-level subscription, a subscription's own id), the
/// customer, the user (checkout's client_reference_id, else metadata user_id), the invoice and the checkout session.
/// </summary>
public sealed record StripeWebhookEvent(
    string Id,
    string Type,
    DateTimeOffset Created,
    string ObjectType,
    string? SubscriptionId,
    string? CustomerId,
    string? UserId,
    string? InvoiceId,
    string? CheckoutSessionId);

/// <summary>Why a webhook delivery was refused (answer 400; Stripe retries it later).</summary>
public enum WebhookRefusal
{
    /// <summary>No Stripe-Signature header.</summary>
    MissingSignature = 1,
    /// <summary>A Stripe-Signature header without a unix timestamp t= or any v1= signature.</summary>
    MalformedSignature = 2,
    /// <summary>No v1 signature matches the body under our endpoint secret: forged, altered, or signed with another secret.</summary>
    SignatureMismatch = 3,
    /// <summary>Signed, but the timestamp is further from now than the tolerance: a replay of an old delivery.</summary>
    TimestampOutsideTolerance = 4,
    /// <summary>Signed, but the body is not a Stripe event (not UTF-8 or not the event JSON).</summary>
    MalformedPayload = 5,
}

/// <summary>The verifier's answer: the event, or why it was refused (a reason naming no secret).</summary>
public sealed record StripeWebhookVerification(StripeWebhookEvent? Event, WebhookRefusal? Refusal, string? Reason)
{
    public bool Accepted => Event is not null;

    internal static StripeWebhookVerification Refuse(WebhookRefusal refusal, string reason) => new(null, refusal, reason);
}

/// <summary>
/// Verifies a webhook delivery on its raw body with Stripe.net's <see cref="EventUtility.ConstructEvent(string, string, string, long, long, bool)"/>:
/// the HMAC-SHA256 of "{t}.{body}" under the endpoint secret against every v1 (constant time), the timestamp within the
/// tolerance of the injected clock's now, and the API version not enforced (the event's ids are read version-independently).
/// </summary>
public sealed class StripeWebhookVerifier
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly string _secret;
    private readonly long _toleranceSeconds;
    private readonly TimeProvider _time;

    public StripeWebhookVerifier(string webhookSecret, TimeProvider? time = null, long toleranceSeconds = EventUtility.DefaultTimeTolerance)
    {
        ArgumentException.ThrowIfNullOrEmpty(webhookSecret);
        ArgumentOutOfRangeException.ThrowIfLessThan(toleranceSeconds, 1);
        _secret = webhookSecret;
        _time = time ?? TimeProvider.System;
        _toleranceSeconds = toleranceSeconds;
    }

    public StripeWebhookVerifier(StripeBillingOptions options, TimeProvider? time = null)
        : this(options.WebhookSecret, time, options.WebhookToleranceSeconds)
    {
    }

    /// <summary>Verifies the raw body bytes as received (they must be UTF-8, as Stripe sends them).</summary>
    public StripeWebhookVerification Verify(ReadOnlySpan<byte> body, string? signatureHeader)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return StripeWebhookVerification.Refuse(WebhookRefusal.MalformedPayload, "the body is not UTF-8");
        }
        return Verify(text, signatureHeader);
    }

    /// <summary>Verifies the raw body, exactly as received (never re-serialized: the signature covers its bytes).</summary>
    public StripeWebhookVerification Verify(string body, string? signatureHeader)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (string.IsNullOrWhiteSpace(signatureHeader))
            return StripeWebhookVerification.Refuse(WebhookRefusal.MissingSignature, "no Stripe-Signature header");
        if (!WellFormed(signatureHeader))
            return StripeWebhookVerification.Refuse(WebhookRefusal.MalformedSignature, "the Stripe-Signature header has no unix timestamp t= or no v1= signature");

        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        // The signature alone first (any timestamp), so a refusal says which check failed: the library checks both at once.
        try
        {
            EventUtility.ValidateSignature(body, signatureHeader, _secret, long.MaxValue, now);
        }
        catch (StripeException)
        {
            return StripeWebhookVerification.Refuse(WebhookRefusal.SignatureMismatch, "no v1 signature of the Stripe-Signature header matches the body");
        }

        Event stripeEvent;
        try
        {
            stripeEvent = EventUtility.ConstructEvent(body, signatureHeader, _secret, _toleranceSeconds, now, throwOnApiVersionMismatch: false);
        }
        catch (StripeException)
        {
            return StripeWebhookVerification.Refuse(WebhookRefusal.TimestampOutsideTolerance,
                $"the signature's timestamp is more than {_toleranceSeconds} s away from now");
        }
        catch (Exception e) when (e is JsonException or ArgumentException or FormatException or InvalidOperationException)
        {
            return StripeWebhookVerification.Refuse(WebhookRefusal.MalformedPayload, "the body is not a Stripe event");
        }

        return Read(body, stripeEvent) is { } read
            ? new StripeWebhookVerification(read, null, null)
            : StripeWebhookVerification.Refuse(WebhookRefusal.MalformedPayload, "the body is not a Stripe event (no id, type or data.object)");
    }

    /// <summary>t= a unix time and at least one v1=, each item key=value: what the library needs to check anything.</summary>
    private static bool WellFormed(string header)
    {
        var hasTime = false;
        var hasV1 = false;
        foreach (var item in header.Split(','))
        {
            var parts = item.Trim().Split('=', 2);
            if (parts.Length != 2) return false;
            if (parts[0] == "t")
            {
                // The library reads it as a 32-bit number once the signature matched: anything else must stop here.
                if (hasTime || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out _)) return false;
                hasTime = true;
            }
            else if (parts[0] == "v1" && parts[1].Length > 0) hasV1 = true;
        }
        return hasTime && hasV1;
    }

    /// <summary>The ids the handler needs, read from data.object's JSON so an endpoint's older API version reads alike.</summary>
    private static StripeWebhookEvent? Read(string body, Event stripeEvent)
    {
        if (string.IsNullOrEmpty(stripeEvent.Id) || string.IsNullOrEmpty(stripeEvent.Type)) return null;
        using var doc = JsonDocument.Parse(body);
        if (!doc.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object
            || !data.TryGetProperty("object", out var obj) || obj.ValueKind != JsonValueKind.Object)
            return null;
        var objectType = Text(obj, "object") ?? "";
        var id = Text(obj, "id");
        var metadataUser = obj.TryGetProperty("metadata", out var metadata) ? Text(metadata, StripeBilling.UserIdMetadata) : null;
        var created = new DateTimeOffset(DateTime.SpecifyKind(stripeEvent.Created, DateTimeKind.Utc));
        return objectType switch
        {
            "checkout.session" => new StripeWebhookEvent(stripeEvent.Id, stripeEvent.Type, created, objectType,
                Text(obj, "subscription"), Text(obj, "customer"), Text(obj, "client_reference_id") ?? metadataUser, Text(obj, "invoice"), id),
            "invoice" => new StripeWebhookEvent(stripeEvent.Id, stripeEvent.Type, created, objectType,
                InvoiceSubscription(obj), Text(obj, "customer"), metadataUser ?? InvoiceSubscriptionUser(obj), id, null),
            "subscription" => new StripeWebhookEvent(stripeEvent.Id, stripeEvent.Type, created, objectType,
                id, Text(obj, "customer"), metadataUser, Text(obj, "latest_invoice"), null),
            _ => new StripeWebhookEvent(stripeEvent.Id, stripeEvent.Type, created, objectType, null, Text(obj, "customer"), metadataUser, null, null),
        };
    }

    private static string? InvoiceSubscription(JsonElement invoice) =>
        invoice.TryGetProperty("parent", out var parent) && parent.ValueKind == JsonValueKind.Object
        && parent.TryGetProperty("subscription_details", out var details) && details.ValueKind == JsonValueKind.Object
        && Text(details, "subscription") is { } fromParent
            ? fromParent
            : Text(invoice, "subscription");

    private static string? InvoiceSubscriptionUser(JsonElement invoice) =>
        invoice.TryGetProperty("parent", out var parent) && parent.ValueKind == JsonValueKind.Object
        && parent.TryGetProperty("subscription_details", out var details) && details.ValueKind == JsonValueKind.Object
        && details.TryGetProperty("metadata", out var metadata)
            ? Text(metadata, StripeBilling.UserIdMetadata)
            : null;

    /// <summary>A string property, or an expanded object's id (an expandable field may come as either).</summary>
    private static string? Text(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value)) return null;
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() is { Length: > 0 } s ? s : null,
            JsonValueKind.Object => Text(value, "id"),
            _ => null,
        };
    }
}
