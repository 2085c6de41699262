using TradingActors.Domain.Billing;

namespace TradingActors.Billing;

/// <summary>How often a plan is paid for: a Stripe price recurs monthly or yearly.</summary>
public enum BillingPeriod
{
    Monthly = 1,
    Yearly = 2,
}

/// <summary>The wire names of <see cref="BillingPeriod"/> ("monthly", "yearly"), as the API and the configuration spell them.</summary>
public static class BillingPeriods
{
    public static string ToWire(this BillingPeriod period) => period switch
    {
        BillingPeriod.Monthly => "monthly",
        BillingPeriod.Yearly => "yearly",
        _ => throw new ArgumentOutOfRangeException(nameof(period), period, "unknown billing period"),
    };

    /// <summary>"monthly" or "yearly" (any case); anything else, numbers included, is refused.</summary>
    public static bool TryParse(string? text, out BillingPeriod period)
    {
        period = default;
        if (string.Equals(text, "monthly", StringComparison.OrdinalIgnoreCase)) period = BillingPeriod.Monthly;
        else if (string.Equals(text, "yearly", StringComparison.OrdinalIgnoreCase)) period = BillingPeriod.Yearly;
        else return false;
        return true;
    }
}

/// <summary>The Stripe price ids of one plan: one per period it is sold for (a period without one is not sold).</summary>
public sealed class StripePlanPrices
{
    public string? Monthly { get; set; }
    public string? Yearly { get; set; }

    public string? For(BillingPeriod period) => period == BillingPeriod.Monthly ? Monthly : Yearly;
}

/// <summary>What a Stripe price id stands for: a plan sold for a period (decision 033).</summary>
public sealed record PlanPrice(string PlanId, BillingPeriod Period, string PriceId);

/// <summary>
/// The Stripe side of billing ("Trading:Billing:Stripe", decision 033): the API keys, where Stripe sends the user back,
/// and which Stripe price sells which plan for which period. Prices are configured by the operator (they are created in
/// Stripe's dashboard, each recurring monthly or yearly, in USD, at the plan's price): plan id → { Monthly, Yearly }.
/// A price id not in this map is never turned into a plan. ToString names no secret.
/// </summary>
public sealed class StripeBillingOptions
{
    public const string Section = "Trading:Billing:Stripe";

    public const string DefaultApiBase = "https://api.stripe.com";

    /// <summary>The secret API key (sk_live_… or sk_test_…).</summary>
    public string SecretKey { get; set; } = "";

    /// <summary>The webhook endpoint's signing secret (whsec_…).</summary>
    public string WebhookSecret { get; set; } = "";

    /// <summary>Stripe's API, or the local fake's base URL.</summary>
    public string ApiBase { get; set; } = DefaultApiBase;

    /// <summary>Where Checkout sends the user after paying; may hold Stripe's {CHECKOUT_SESSION_ID} placeholder.</summary>
    public string SuccessUrl { get; set; } = "http://127.0.0.1:5080/billing/success?session_id={CHECKOUT_SESSION_ID}";

    /// <summary>Where Checkout sends the user who gives up.</summary>
    public string CancelUrl { get; set; } = "http://127.0.0.1:5080/billing/cancelled";

    /// <summary>Where the customer portal's "return" link leads.</summary>
    public string PortalReturnUrl { get; set; } = "http://127.0.0.1:5080/billing";

    /// <summary>Plan id → its price ids. Each price id sells one plan for one period, so it appears once.</summary>
    public Dictionary<string, StripePlanPrices> Prices { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Seconds a webhook's signature timestamp may be away from now (Stripe's default, 300).</summary>
    public long WebhookToleranceSeconds { get; set; } = 300;

    /// <summary>Retries Stripe.net makes of a failed call (connection errors, 409, 5xx), each under the same idempotency key.</summary>
    public int MaxNetworkRetries { get; set; } = 2;

    /// <summary>The price id selling <paramref name="planId"/> for <paramref name="period"/>, or null when that is not sold.</summary>
    public string? PriceIdFor(string planId, BillingPeriod period) =>
        Prices.TryGetValue(planId, out var prices) && !string.IsNullOrWhiteSpace(prices.For(period)) ? prices.For(period) : null;

    /// <summary>What <paramref name="priceId"/> sells, or null for a price this deployment does not sell.</summary>
    public PlanPrice? PlanFor(string? priceId)
    {
        if (string.IsNullOrEmpty(priceId)) return null;
        foreach (var (planId, prices) in Prices)
        {
            if (prices.Monthly == priceId) return new PlanPrice(planId, BillingPeriod.Monthly, priceId);
            if (prices.Yearly == priceId) return new PlanPrice(planId, BillingPeriod.Yearly, priceId);
        }
        return null;
    }

    /// <summary>Every configured price, in plan then period order.</summary>
    public IEnumerable<PlanPrice> AllPrices() =>
        from entry in Prices.OrderBy(p => p.Key, StringComparer.Ordinal)
        from period in new[] { BillingPeriod.Monthly, BillingPeriod.Yearly }
        let id = entry.Value.For(period)
        where !string.IsNullOrWhiteSpace(id)
        select new PlanPrice(entry.Key, period, id);

    /// <summary>
    /// The price ids a development deployment and the local fake share: price_{plan}_{period} for every plan that costs
    /// something (free is never bought).
    /// </summary>
    public static Dictionary<string, StripePlanPrices> ConventionalPrices(IEnumerable<Plan> plans) =>
        plans.Where(p => !p.IsFree()).ToDictionary(
            p => p.Id,
            p => new StripePlanPrices { Monthly = $"price_{p.Id}_monthly", Yearly = $"price_{p.Id}_yearly" },
            StringComparer.Ordinal);

    /// <summary>Every problem with the options, each naming its setting and never a secret's value.</summary>
    public IReadOnlyList<string> Check()
    {
        var errors = new List<string>();
        if (!SecretKey.StartsWith("sk_", StringComparison.Ordinal) && !SecretKey.StartsWith("rk_", StringComparison.Ordinal))
            errors.Add("SecretKey must be a Stripe secret key (sk_… or a restricted rk_…)");
        if (!WebhookSecret.StartsWith("whsec_", StringComparison.Ordinal)) errors.Add("WebhookSecret must be a webhook signing secret (whsec_…)");
        foreach (var (name, url) in new[] { ("ApiBase", ApiBase), ("SuccessUrl", SuccessUrl), ("CancelUrl", CancelUrl), ("PortalReturnUrl", PortalReturnUrl) })
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
                errors.Add($"{name} must be an absolute http(s) URL");
        }
        if (WebhookToleranceSeconds is < 1 or > 3600) errors.Add("WebhookToleranceSeconds must be in 1..3600");
        if (MaxNetworkRetries is < 0 or > 10) errors.Add("MaxNetworkRetries must be in 0..10");
        if (Prices.ContainsKey(PlanCatalog.FreeId)) errors.Add("Prices: plan 'free' is never bought; it has no price");
        foreach (var (planId, prices) in Prices)
        {
            if (string.IsNullOrWhiteSpace(prices.Monthly) && string.IsNullOrWhiteSpace(prices.Yearly))
                errors.Add($"Prices:{planId} has neither a Monthly nor a Yearly price id");
        }
        // One price, one meaning: a shared id would make a subscription's plan ambiguous.
        foreach (var shared in AllPrices().GroupBy(p => p.PriceId, StringComparer.Ordinal).Where(g => g.Count() > 1))
            errors.Add($"Prices: price id '{shared.Key}' is configured for more than one plan or period ({string.Join(", ", shared.Select(p => $"{p.PlanId} {p.Period.ToWire()}"))})");
        return errors;
    }

    /// <summary>Throws with every problem when the options are unusable (at start).</summary>
    public void Validate()
    {
        var errors = Check();
        if (errors.Count > 0) throw new ArgumentException($"invalid {Section} options: " + string.Join("; ", errors));
    }

    public override string ToString() =>
        $"StripeBillingOptions(ApiBase={ApiBase}, SecretKey={(SecretKey.Length > 0 ? "set" : "missing")}, WebhookSecret={(WebhookSecret.Length > 0 ? "set" : "missing")}, Prices={AllPrices().Count()})";
}
