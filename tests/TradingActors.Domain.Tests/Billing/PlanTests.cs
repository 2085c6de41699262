using TradingActors.Domain.Billing;

namespace TradingActors.Domain.Tests.Billing;

/// <summary>Plan.Check field by field (one row per rule and boundary), the seeded plans and the legacy plan, and what each plan allows.</summary>
public sealed class PlanTests
{
    private static readonly Plan Good = PlanCatalog.Starter;

    public sealed record CheckRow(string Rule, Plan Plan, string[] Fields);

    public static readonly Dictionary<string, CheckRow> CheckRows = new[]
    {
        new CheckRow("a good plan", Good, []),
        new CheckRow("an id that is no id", Good with { Id = "bad id!" }, ["id"]),
        new CheckRow("no id", Good with { Id = "" }, ["id"]),
        new CheckRow("no name", Good with { Name = "" }, ["name"]),
        new CheckRow("a name of spaces", Good with { Name = "   " }, ["name"]),
        new CheckRow("a name of 40 characters", Good with { Name = new string('n', 40) }, []),
        new CheckRow("a name of 41 characters", Good with { Name = new string('n', 41) }, ["name"]),
        new CheckRow("a name of 40 characters between spaces", Good with { Name = " " + new string('n', 40) + " " }, []),
        new CheckRow("negative bots", Good with { MaxBots = -1 }, ["maxBots"]),
        new CheckRow("no bots and no pairs", Good with { MaxBots = 0, MaxPairs = 0 }, []),
        new CheckRow("no bots but a pair", Good with { MaxBots = 0, MaxPairs = 1 }, ["maxPairs"]),
        new CheckRow("the most bots", Good with { MaxBots = 1_000, MaxPairs = 1_000 }, []),
        new CheckRow("one bot over the most", Good with { MaxBots = 1_001, MaxPairs = 5 }, ["maxBots"]),
        new CheckRow("bots without a pair", Good with { MaxPairs = 0 }, ["maxPairs"]),
        new CheckRow("one pair for five bots", Good with { MaxPairs = 1 }, []),
        new CheckRow("a pair per bot", Good with { MaxPairs = 5 }, []),
        new CheckRow("more pairs than bots", Good with { MaxPairs = 6 }, ["maxPairs"]),
        new CheckRow("negative subscriptions", Good with { MaxSubscriptions = -1 }, ["maxSubscriptions"]),
        new CheckRow("no subscriptions", Good with { MaxSubscriptions = 0 }, []),
        new CheckRow("negative trades per day", Good with { TradesPerDay = -1 }, ["tradesPerDay"]),
        new CheckRow("no trades per day", Good with { TradesPerDay = 0 }, []),
        new CheckRow("negative open positions", Good with { OpenPositions = -1 }, ["openPositions"]),
        new CheckRow("no open positions", Good with { OpenPositions = 0 }, []),
        new CheckRow("unlimited everything countable", Good with { MaxSubscriptions = Plan.Unlimited, TradesPerDay = Plan.Unlimited, OpenPositions = Plan.Unlimited }, []),
        new CheckRow("an unknown rate tier", Good with { ApiRateTier = "gold" }, ["apiRateTier"]),
        new CheckRow("a rate tier in capitals", Good with { ApiRateTier = "Basic" }, ["apiRateTier"]),
        new CheckRow("a negative monthly price", Good with { MonthlyPrice = -0.01m }, ["monthlyPrice"]),
        new CheckRow("a monthly price in fractions of a cent", Good with { MonthlyPrice = 18.999m }, ["monthlyPrice"]),
        new CheckRow("the dearest monthly price", Good with { MonthlyPrice = 1_000_000m, YearlyPrice = 1_000_000m }, []),
        new CheckRow("a monthly price a cent over the dearest", Good with { MonthlyPrice = 1_000_000.01m, YearlyPrice = 1_000_000m }, ["monthlyPrice"]),
        new CheckRow("a negative yearly price", Good with { YearlyPrice = -1m }, ["yearlyPrice"]),
        new CheckRow("a yearly price a cent over the dearest", Good with { YearlyPrice = 1_000_000.01m }, ["yearlyPrice"]),
        new CheckRow("a yearly price in fractions of a cent", Good with { YearlyPrice = 190.001m }, ["yearlyPrice"]),
        new CheckRow("a paid month and a free year", Good with { YearlyPrice = 0m }, ["yearlyPrice"]),
        new CheckRow("a free month and a paid year", Good with { MonthlyPrice = 0m }, ["yearlyPrice"]),
        new CheckRow("free both ways", Good with { MonthlyPrice = 0m, YearlyPrice = 0m }, []),
        new CheckRow("a year at twelve months", Good with { YearlyPrice = 228m }, []),
        new CheckRow("a year a cent dearer than twelve months", Good with { YearlyPrice = 228.01m }, ["yearlyPrice"]),
        new CheckRow("a bad price is not also compared", Good with { MonthlyPrice = -1m, YearlyPrice = 0m }, ["monthlyPrice"]),
        new CheckRow("every problem at once", new Plan("", "", -1, 0, -1, -1, -1, true, "", -1m, -1m),
            ["id", "name", "maxBots", "maxSubscriptions", "tradesPerDay", "openPositions", "apiRateTier", "monthlyPrice", "yearlyPrice"]),
    }.ToDictionary(r => r.Rule);

    public static TheoryData<string> CheckRules => new(CheckRows.Keys);

    [Theory]
    [MemberData(nameof(CheckRules))]
    public void A_plan_is_checked_field_by_field(string rule)
    {
        var row = CheckRows[rule];
        Assert.Equal(row.Fields, row.Plan.Check().Select(e => e.Parameter));
    }

    [Fact]
    public void Each_problem_says_what_is_allowed()
    {
        Assert.Equal(
        [
            "name is required, at most 40 characters",
            "maxPairs must be between 1 and maxBots (each bot trades one pair), 0 when the plan has no bots",
            "unknown API rate tier 'gold' (tiers: basic, standard, high)",
            "yearlyPrice must be at most 12 × monthlyPrice (228.00)",
        ], (Good with { Name = "", MaxPairs = 6, ApiRateTier = "gold", YearlyPrice = 500m }).Check().Select(e => e.Message));
        Assert.Equal(
        [
            "plan id is required",
            "name is required, at most 40 characters",
            "maxBots must be between 0 and 1000",
            "maxSubscriptions must not be negative",
            "tradesPerDay must not be negative",
            "openPositions must not be negative",
            "unknown API rate tier '' (tiers: basic, standard, high)",
            "monthlyPrice must be between 0 and 1000000 USD, in whole cents",
            "yearlyPrice must be between 0 and 1000000 USD, in whole cents",
        ], new Plan("", "", -1, 0, -1, -1, -1, true, "", -1m, -1m).Check().Select(e => e.Message));
        Assert.Equal(["monthlyPrice must be between 0 and 1000000 USD, in whole cents"], (Good with { MonthlyPrice = -1m }).Check().Select(e => e.Message));
        Assert.Equal(["a plan free of charge is free both ways: monthlyPrice and yearlyPrice are both 0 or both positive"],
            (Good with { MonthlyPrice = 0m }).Check().Select(e => e.Message));
    }

    [Fact]
    public void The_seeded_plans_and_the_legacy_plan_are_good_plans()
    {
        Assert.All(PlanCatalog.Seeds.Append(Plan.Legacy), p => Assert.Empty(p.Check()));
        Assert.Equal(["free", "starter", "pro", "enterprise"], PlanCatalog.Seeds.Select(p => p.Id));
    }

    [Fact]
    public void Free_runs_the_demo_on_paper_one_bot_on_one_pair_and_one_subscription()
    {
        var free = PlanCatalog.Free;
        Assert.Equal((1, 1, 1, false, 0m, 0m), (free.MaxBots, free.MaxPairs, free.MaxSubscriptions, free.LiveTrading, free.MonthlyPrice, free.YearlyPrice));
        // The demo's DCA bot places about 500 orders a day on 10 s bars (decision 032): a day of it fits, beside its RSI subscription.
        Assert.Equal(1_000, free.TradesPerDay);
        // A bot and a subscription hold at most one position each.
        Assert.Equal(2, free.OpenPositions);
        Assert.True(free.IsFree());
    }

    [Fact]
    public void Each_paid_plan_allows_more_of_everything_than_the_one_below_it_and_costs_more()
    {
        var plans = PlanCatalog.Seeds;
        foreach (var (lower, higher) in plans.Zip(plans.Skip(1)))
        {
            foreach (var limit in Enum.GetValues<PlanLimit>())
                Assert.True(higher.Allows(limit) >= lower.Allows(limit), $"{higher.Id} allows less {limit} than {lower.Id}");
            Assert.True(higher.MonthlyPrice > lower.MonthlyPrice && higher.YearlyPrice > lower.YearlyPrice);
        }
        Assert.All(plans.Skip(1), p => Assert.True(p.LiveTrading && !p.IsFree()));
    }

    [Fact]
    public void The_legacy_plan_is_what_every_tenant_had_before_plans()
    {
        var legacy = Plan.Legacy;
        // Bots.BotPlan.Default's 5 bots on 3 pairs, every other count unlimited, live trading, the API's rate as it was.
        Assert.Equal(("legacy", 5, 3, Plan.Unlimited, Plan.Unlimited, Plan.Unlimited, true, "standard"),
            (legacy.Id, legacy.MaxBots, legacy.MaxPairs, legacy.MaxSubscriptions, legacy.TradesPerDay, legacy.OpenPositions, legacy.LiveTrading, legacy.ApiRateTier));
        Assert.True(legacy.IsFree());
        Assert.DoesNotContain(PlanCatalog.Seeds, p => p.Id == legacy.Id);
    }

    [Theory]
    [InlineData(PlanLimit.Bots, 5)]
    [InlineData(PlanLimit.Pairs, 4)]
    [InlineData(PlanLimit.Subscriptions, 3)]
    [InlineData(PlanLimit.TradesPerDay, 2)]
    [InlineData(PlanLimit.OpenPositions, 1)]
    [InlineData(PlanLimit.LiveTrading, 1)]
    public void A_plan_says_what_it_allows_for_each_limit(PlanLimit limit, int allowed)
    {
        var plan = new Plan("p", "P", 5, 4, 3, 2, 1, true, "basic", 1m, 10m);
        Assert.Equal(allowed, plan.Allows(limit));
        Assert.Equal(0, (plan with { LiveTrading = false }).Allows(PlanLimit.LiveTrading));
        Assert.Throws<ArgumentOutOfRangeException>(() => plan.Allows((PlanLimit)99));
    }

    [Fact]
    public void The_rate_tiers_are_basic_standard_and_high_and_standard_is_what_the_api_had()
    {
        Assert.Equal([("basic", 5, 10), ("standard", 20, 40), ("high", 100, 200)], ApiRateTiers.All.Select(t => (t.Name, t.RequestsPerSecond, t.Burst)));
        Assert.True(ApiRateTiers.TryGet("high", out var high));
        Assert.Same(ApiRateTiers.High, high);
        Assert.False(ApiRateTiers.TryGet(null, out _));
        Assert.False(ApiRateTiers.TryGet("HIGH", out _));
    }
}
