using TradingActors.Domain.Billing;

namespace TradingActors.Billing.Fakes;

/// <summary>A recurring price the fake sells: its id, the plan it stands for, the product name shown, cents per period.</summary>
public sealed record StripeFakePrice(string Id, string PlanId, string ProductName, long UnitAmount, BillingPeriod Period, string Currency = Plan.Currency)
{
    /// <summary>Stripe's recurring interval: month or year.</summary>
    public string Interval => Period == BillingPeriod.Monthly ? "month" : "year";

    /// <summary>The end of the <paramref name="periods"/>-th period from <paramref name="anchor"/> (whole months or years from it).</summary>
    public DateTimeOffset PeriodEndFrom(DateTimeOffset anchor, int periods = 1) =>
        Period == BillingPeriod.Monthly ? anchor.AddMonths(periods) : anchor.AddYears(periods);
}

/// <summary>What the local Stripe fake accepts and sells, and how it delivers its webhooks.</summary>
public sealed class StripeFakeOptions
{
    /// <summary>The only API key accepted (Authorization: Bearer).</summary>
    public string SecretKey { get; set; } = "";

    /// <summary>The endpoint secret deliveries are signed with.</summary>
    public string WebhookSecret { get; set; } = "";

    /// <summary>Where events are delivered (changeable later on <see cref="StripeFake.Webhooks"/>); null: stored only.</summary>
    public Uri? WebhookUrl { get; set; }

    public List<StripeFakePrice> Prices { get; set; } = [];

    /// <summary>Failed payments in a row (a renewal and its retries) after which the subscription is canceled.</summary>
    public int MaxPaymentFailures { get; set; } = 3;

    /// <summary>Attempts per webhook delivery, the first included.</summary>
    public int DeliveryAttempts { get; set; } = 3;

    /// <summary>Delay before a delivery's first retry (doubling after).</summary>
    public TimeSpan DeliveryRetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A fake selling what <paramref name="billing"/> configures, at the plans' prices (the seeded catalog by default): the
    /// same price ids the API is configured with, so the API works against it unchanged.
    /// </summary>
    /// <exception cref="ArgumentException">A configured price names a plan not in <paramref name="plans"/>.</exception>
    public static StripeFakeOptions For(StripeBillingOptions billing, IEnumerable<Plan>? plans = null, Uri? webhookUrl = null)
    {
        ArgumentNullException.ThrowIfNull(billing);
        var catalog = (plans ?? PlanCatalog.Seeds).ToDictionary(p => p.Id, StringComparer.Ordinal);
        var prices = new List<StripeFakePrice>();
        foreach (var price in billing.AllPrices())
        {
            if (!catalog.TryGetValue(price.PlanId, out var plan))
                throw new ArgumentException($"price '{price.PriceId}' is configured for plan '{price.PlanId}', which the catalog lacks", nameof(billing));
            var amount = price.Period == BillingPeriod.Monthly ? plan.MonthlyPrice : plan.YearlyPrice;
            prices.Add(new StripeFakePrice(price.PriceId, plan.Id, plan.Name, (long)decimal.Round(amount * 100m), price.Period));
        }
        return new StripeFakeOptions { SecretKey = billing.SecretKey, WebhookSecret = billing.WebhookSecret, WebhookUrl = webhookUrl, Prices = prices };
    }

    public override string ToString() => $"StripeFakeOptions(Prices={Prices.Count}, WebhookUrl={WebhookUrl?.ToString() ?? "none"})";
}
