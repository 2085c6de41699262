using System.Text.Json.Nodes;

namespace TradingActors.Billing.Fakes;

// The fake's objects, mutable under the fake's lock, each rendered in Stripe's JSON shape (livemode false, unix times,
// expandable fields as ids). Only what Stripe.net reads for the gateway and what the pages show is kept.

internal static class StripeJson
{
    public static long Unix(DateTimeOffset at) => at.ToUnixTimeSeconds();

    public static JsonObject Map(IReadOnlyDictionary<string, string> values)
    {
        var o = new JsonObject();
        foreach (var (k, v) in values) o[k] = v;
        return o;
    }

    public static JsonObject List(string url, IEnumerable<JsonNode> data, bool hasMore = false) => new()
    {
        ["object"] = "list",
        ["data"] = new JsonArray([.. data]),
        ["has_more"] = hasMore,
        ["url"] = url,
    };

    public static JsonObject Price(StripeFakePrice p, DateTimeOffset created) => new()
    {
        ["id"] = p.Id,
        ["object"] = "price",
        ["active"] = true,
        ["billing_scheme"] = "per_unit",
        ["created"] = Unix(created),
        ["currency"] = p.Currency,
        ["livemode"] = false,
        ["lookup_key"] = null,
        ["metadata"] = new JsonObject { ["plan_id"] = p.PlanId },
        ["nickname"] = $"{p.ProductName} {p.Period.ToWire()}",
        ["product"] = $"prod_{p.PlanId}",
        ["recurring"] = new JsonObject { ["interval"] = p.Interval, ["interval_count"] = 1, ["usage_type"] = "licensed" },
        ["tax_behavior"] = "unspecified",
        ["type"] = "recurring",
        ["unit_amount"] = p.UnitAmount,
        ["unit_amount_decimal"] = p.UnitAmount.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

internal sealed class FakeCustomer
{
    public required string Id { get; init; }
    public string? Email { get; set; }
    public required DateTimeOffset Created { get; init; }
    public Dictionary<string, string> Metadata { get; init; } = [];
    public int Invoices { get; set; }

    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["object"] = "customer",
        ["created"] = StripeJson.Unix(Created),
        ["email"] = Email,
        ["livemode"] = false,
        ["metadata"] = StripeJson.Map(Metadata),
    };
}

internal sealed class FakeCheckoutSession
{
    public required string Id { get; init; }
    public required StripeFakePrice Price { get; init; }
    public long Quantity { get; init; } = 1;
    public required string SuccessUrl { get; init; }
    public string? CancelUrl { get; init; }
    public string? ClientReferenceId { get; init; }
    public string? CustomerId { get; set; }
    public string? CustomerEmail { get; init; }
    public Dictionary<string, string> Metadata { get; init; } = [];
    public Dictionary<string, string> SubscriptionMetadata { get; init; } = [];
    public string Status { get; set; } = "open";
    public string PaymentStatus { get; set; } = "unpaid";
    public string? SubscriptionId { get; set; }
    public string? InvoiceId { get; set; }
    public required DateTimeOffset Created { get; init; }
    public required string Url { get; init; }

    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["object"] = "checkout.session",
        ["amount_subtotal"] = Price.UnitAmount * Quantity,
        ["amount_total"] = Price.UnitAmount * Quantity,
        ["cancel_url"] = CancelUrl,
        ["client_reference_id"] = ClientReferenceId,
        ["created"] = StripeJson.Unix(Created),
        ["currency"] = Price.Currency,
        ["customer"] = CustomerId,
        ["customer_email"] = CustomerEmail,
        ["expires_at"] = StripeJson.Unix(Created.AddHours(24)),
        ["invoice"] = InvoiceId,
        ["livemode"] = false,
        ["metadata"] = StripeJson.Map(Metadata),
        ["mode"] = "subscription",
        ["payment_status"] = PaymentStatus,
        ["status"] = Status,
        ["subscription"] = SubscriptionId,
        ["success_url"] = SuccessUrl,
        ["ui_mode"] = "hosted",
        // Stripe drops the URL once the session is over.
        ["url"] = Status == "open" ? Url : null,
    };
}

internal sealed class FakeSubscription
{
    public required string Id { get; init; }
    public required string ItemId { get; init; }
    public required string CustomerId { get; init; }
    public required StripeFakePrice Price { get; set; }
    public string Status { get; set; } = "active";
    public required DateTimeOffset Created { get; init; }

    /// <summary>Where the billing cycle is anchored: periods are whole months (years) from it, so a 31st renews on the last day of shorter months.</summary>
    public required DateTimeOffset Anchor { get; set; }

    /// <summary>Periods elapsed since the anchor.</summary>
    public int Cycle { get; set; }

    public DateTimeOffset PeriodStart => Price.PeriodEndFrom(Anchor, Cycle);
    public DateTimeOffset PeriodEnd => Price.PeriodEndFrom(Anchor, Cycle + 1);
    public bool CancelAtPeriodEnd { get; set; }
    public DateTimeOffset? CanceledAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public Dictionary<string, string> Metadata { get; init; } = [];
    public string? LatestInvoiceId { get; set; }

    /// <summary>Failed payments in a row; a successful one resets it.</summary>
    public int Failures { get; set; }

    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["object"] = "subscription",
        ["billing_cycle_anchor"] = StripeJson.Unix(Anchor),
        ["cancel_at"] = CancelAtPeriodEnd ? StripeJson.Unix(PeriodEnd) : null,
        ["cancel_at_period_end"] = CancelAtPeriodEnd,
        ["canceled_at"] = CanceledAt is { } c ? StripeJson.Unix(c) : null,
        ["collection_method"] = "charge_automatically",
        ["created"] = StripeJson.Unix(Created),
        ["currency"] = Price.Currency,
        ["customer"] = CustomerId,
        ["ended_at"] = EndedAt is { } e ? StripeJson.Unix(e) : null,
        ["items"] = StripeJson.List($"/v1/subscription_items?subscription={Id}", [new JsonObject
        {
            ["id"] = ItemId,
            ["object"] = "subscription_item",
            ["created"] = StripeJson.Unix(Created),
            ["current_period_end"] = StripeJson.Unix(PeriodEnd),
            ["current_period_start"] = StripeJson.Unix(PeriodStart),
            ["metadata"] = new JsonObject(),
            ["price"] = StripeJson.Price(Price, Created),
            ["quantity"] = 1,
            ["subscription"] = Id,
        }]),
        ["latest_invoice"] = LatestInvoiceId,
        ["livemode"] = false,
        ["metadata"] = StripeJson.Map(Metadata),
        ["start_date"] = StripeJson.Unix(Created),
        ["status"] = Status,
    };
}

internal sealed class FakeInvoice
{
    public required string Id { get; init; }
    public required long Sequence { get; init; }
    public required string Number { get; init; }
    public required string CustomerId { get; init; }
    public required string SubscriptionId { get; init; }
    public required StripeFakePrice Price { get; init; }
    public Dictionary<string, string> SubscriptionMetadata { get; init; } = [];
    public string Status { get; set; } = "open";
    public required DateTimeOffset Created { get; init; }
    public required DateTimeOffset LineStart { get; init; }
    public required DateTimeOffset LineEnd { get; init; }
    public required string BillingReason { get; init; }
    public int AttemptCount { get; set; }
    public DateTimeOffset? PaidAt { get; set; }
    public required string HostedUrl { get; init; }

    public long AmountDue => Price.UnitAmount;
    public long AmountPaid => Status == "paid" ? Price.UnitAmount : 0;

    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["object"] = "invoice",
        ["amount_due"] = AmountDue,
        ["amount_paid"] = AmountPaid,
        ["amount_remaining"] = AmountDue - AmountPaid,
        ["attempt_count"] = AttemptCount,
        ["attempted"] = AttemptCount > 0,
        ["auto_advance"] = Status == "open",
        ["billing_reason"] = BillingReason,
        ["collection_method"] = "charge_automatically",
        ["created"] = StripeJson.Unix(Created),
        ["currency"] = Price.Currency,
        ["customer"] = CustomerId,
        ["hosted_invoice_url"] = HostedUrl,
        ["invoice_pdf"] = null,
        ["lines"] = StripeJson.List($"/v1/invoices/{Id}/lines", [new JsonObject
        {
            ["id"] = "il_" + Id[3..],
            ["object"] = "line_item",
            ["amount"] = Price.UnitAmount,
            ["currency"] = Price.Currency,
            ["description"] = $"1 × {Price.ProductName} (at {Price.UnitAmount / 100m:0.00} / {Price.Interval})",
            ["invoice"] = Id,
            ["livemode"] = false,
            ["metadata"] = new JsonObject(),
            ["period"] = new JsonObject { ["start"] = StripeJson.Unix(LineStart), ["end"] = StripeJson.Unix(LineEnd) },
            ["pricing"] = new JsonObject
            {
                ["type"] = "price_details",
                ["price_details"] = new JsonObject { ["price"] = Price.Id, ["product"] = $"prod_{Price.PlanId}" },
                ["unit_amount_decimal"] = Price.UnitAmount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            ["quantity"] = 1,
        }]),
        ["livemode"] = false,
        ["metadata"] = new JsonObject(),
        ["number"] = Number,
        ["parent"] = new JsonObject
        {
            ["type"] = "subscription_details",
            ["quote_details"] = null,
            ["subscription_details"] = new JsonObject
            {
                ["metadata"] = StripeJson.Map(SubscriptionMetadata),
                ["subscription"] = SubscriptionId,
            },
        },
        // Stripe's invoice period is the usage period before it; for a subscription's invoice it is its creation time.
        ["period_end"] = StripeJson.Unix(Created),
        ["period_start"] = StripeJson.Unix(Created),
        ["status"] = Status,
        ["status_transitions"] = new JsonObject
        {
            ["finalized_at"] = StripeJson.Unix(Created),
            ["paid_at"] = PaidAt is { } p ? StripeJson.Unix(p) : null,
        },
        ["subtotal"] = AmountDue,
        ["total"] = AmountDue,
    };
}

internal sealed class FakePortalSession
{
    public required string Id { get; init; }
    public required string CustomerId { get; init; }
    public string? ReturnUrl { get; init; }
    public required DateTimeOffset Created { get; init; }
    public required string Url { get; init; }

    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["object"] = "billing_portal.session",
        ["configuration"] = "bpc_fake",
        ["created"] = StripeJson.Unix(Created),
        ["customer"] = CustomerId,
        ["livemode"] = false,
        ["locale"] = null,
        ["on_behalf_of"] = null,
        ["return_url"] = ReturnUrl,
        ["url"] = Url,
    };
}
