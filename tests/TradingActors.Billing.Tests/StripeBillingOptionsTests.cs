using TradingActors.Domain.Billing;

namespace TradingActors.Billing.Tests;

public sealed class StripeBillingOptionsTests
{
    private static StripeBillingOptions Valid() => BillingTestbed.OptionsFor("http://127.0.0.1:12111");

    [Fact]
    public void The_conventional_prices_sell_every_paid_plan_both_ways()
    {
        var options = Valid();

        Assert.Empty(options.Check());
        Assert.Equal(["enterprise", "pro", "starter"], options.Prices.Keys.Order());
        Assert.Equal("price_pro_monthly", options.PriceIdFor("pro", BillingPeriod.Monthly));
        Assert.Equal("price_starter_yearly", options.PriceIdFor("starter", BillingPeriod.Yearly));
        Assert.Null(options.PriceIdFor("free", BillingPeriod.Monthly));
        Assert.Null(options.PriceIdFor("legacy", BillingPeriod.Yearly));
        Assert.Equal(6, options.AllPrices().Count());
    }

    [Fact]
    public void A_price_id_resolves_to_its_plan_and_period()
    {
        var options = Valid();

        Assert.Equal(new PlanPrice("enterprise", BillingPeriod.Yearly, "price_enterprise_yearly"), options.PlanFor("price_enterprise_yearly"));
        Assert.Equal(new PlanPrice("starter", BillingPeriod.Monthly, "price_starter_monthly"), options.PlanFor("price_starter_monthly"));
        Assert.Null(options.PlanFor("price_unknown"));
        Assert.Null(options.PlanFor(null));
        Assert.Null(options.PlanFor(""));
    }

    [Fact]
    public void A_period_without_a_price_is_not_sold()
    {
        var options = Valid();
        options.Prices["pro"] = new StripePlanPrices { Monthly = "price_pro_monthly" };

        Assert.Null(options.PriceIdFor("pro", BillingPeriod.Yearly));
        Assert.Empty(options.Check());
    }

    [Fact]
    public void Every_problem_is_named_without_a_secret()
    {
        var options = new StripeBillingOptions
        {
            SecretKey = "pk_test_publishable",
            WebhookSecret = "secret",
            ApiBase = "ftp://stripe",
            SuccessUrl = "/relative",
            CancelUrl = "",
            PortalReturnUrl = "nope",
            WebhookToleranceSeconds = 0,
            MaxNetworkRetries = 11,
            Prices = new()
            {
                ["free"] = new() { Monthly = "price_free" },
                ["pro"] = new() { Monthly = "price_shared", Yearly = "price_shared" },
                ["starter"] = new(),
                ["enterprise"] = new() { Monthly = " ", Yearly = "" },
            },
        };

        var errors = options.Check();

        Assert.Equal(
        [
            "SecretKey must be a Stripe secret key (sk_… or a restricted rk_…)",
            "WebhookSecret must be a webhook signing secret (whsec_…)",
            "ApiBase must be an absolute http(s) URL",
            "SuccessUrl must be an absolute http(s) URL",
            "CancelUrl must be an absolute http(s) URL",
            "PortalReturnUrl must be an absolute http(s) URL",
            "WebhookToleranceSeconds must be in 1..3600",
            "MaxNetworkRetries must be in 0..10",
            "Prices: plan 'free' is never bought; it has no price",
            "Prices:starter has neither a Monthly nor a Yearly price id",
            "Prices:enterprise has neither a Monthly nor a Yearly price id",
            "Prices: price id 'price_shared' is configured for more than one plan or period (pro monthly, pro yearly)",
        ], errors);
        var thrown = Assert.Throws<ArgumentException>(options.Validate);
        Assert.DoesNotContain("pk_test_publishable", thrown.Message);
        Assert.StartsWith("invalid Trading:Billing:Stripe options: SecretKey must be a Stripe secret key (sk_… or a restricted rk_…); WebhookSecret", thrown.Message);
    }

    [Theory]
    [InlineData("sk_live_abc", true)]
    [InlineData("rk_test_abc", true)]
    [InlineData("", false)]
    public void A_secret_or_restricted_key_is_accepted(string key, bool valid)
    {
        var options = Valid();
        options.SecretKey = key;
        Assert.Equal(valid, options.Check().Count == 0);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(3600, true)]
    [InlineData(3601, false)]
    public void The_tolerance_is_bounded(long seconds, bool valid)
    {
        var options = Valid();
        options.WebhookToleranceSeconds = seconds;
        Assert.Equal(valid, options.Check().Count == 0);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(10, true)]
    [InlineData(-1, false)]
    public void The_retries_are_bounded(int retries, bool valid)
    {
        var options = Valid();
        options.MaxNetworkRetries = retries;
        Assert.Equal(valid, options.Check().Count == 0);
    }

    [Fact]
    public void Valid_options_validate()
    {
        Valid().Validate();
        Assert.Equal("https://api.stripe.com", new StripeBillingOptions().ApiBase);
        var defaults = new StripeBillingOptions();
        Assert.Equal(300, defaults.WebhookToleranceSeconds);
        Assert.Equal(2, defaults.MaxNetworkRetries);
        defaults.SecretKey = BillingTestbed.SecretKey;
        defaults.WebhookSecret = BillingTestbed.WebhookSecret;
        Assert.Empty(defaults.Check());
    }

    [Fact]
    public void Every_price_is_listed_in_plan_then_period_order()
    {
        Assert.Equal(
            ["price_enterprise_monthly", "price_enterprise_yearly", "price_pro_monthly", "price_pro_yearly", "price_starter_monthly", "price_starter_yearly"],
            Valid().AllPrices().Select(p => p.PriceId));
    }

    [Fact]
    public void ToString_names_no_secret()
    {
        var text = Valid().ToString();

        Assert.DoesNotContain(BillingTestbed.SecretKey, text);
        Assert.DoesNotContain(BillingTestbed.WebhookSecret, text);
        Assert.Equal("StripeBillingOptions(ApiBase=http://127.0.0.1:12111, SecretKey=set, WebhookSecret=set, Prices=6)", text);
        Assert.Contains("SecretKey=missing, WebhookSecret=missing", new StripeBillingOptions().ToString());
    }

    [Theory]
    [InlineData("monthly", BillingPeriod.Monthly)]
    [InlineData("Yearly", BillingPeriod.Yearly)]
    public void A_period_parses_from_its_wire_name(string text, BillingPeriod period)
    {
        Assert.True(BillingPeriods.TryParse(text, out var parsed));
        Assert.Equal(period, parsed);
        Assert.Equal(text.ToLowerInvariant(), parsed.ToWire());
    }

    [Theory]
    [InlineData("1")]
    [InlineData("weekly")]
    [InlineData("")]
    [InlineData(null)]
    public void Anything_else_is_no_period(string? text)
    {
        Assert.False(BillingPeriods.TryParse(text, out var parsed));
        Assert.Equal(default, parsed);
    }

    [Fact]
    public void An_unknown_period_has_no_wire_name() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ((BillingPeriod)7).ToWire());

    [Fact]
    public void The_conventional_prices_leave_out_free_plans() =>
        Assert.Equal(["starter"], StripeBillingOptions.ConventionalPrices([PlanCatalog.Free, PlanCatalog.Starter]).Keys);
}
