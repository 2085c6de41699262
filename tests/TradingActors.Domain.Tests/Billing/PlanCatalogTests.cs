using TradingActors.Domain.Billing;

namespace TradingActors.Domain.Tests.Billing;

/// <summary>The plan catalog's decisions (decision 032): create, update, retire, seed; the catalog as nodes see it; the plan that lifts a limit.</summary>
public sealed class PlanCatalogTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);

    private static PlanCatalogState With(params IPlanCatalogEvent[] events) => events.Aggregate(PlanCatalogState.Empty, (s, e) => s.Apply(e));

    private static PlanCatalogState Seeded() => With([.. PlanCatalogDecisions.Seed(PlanCatalogState.Empty, PlanCatalog.Seeds, Now)]);

    [Fact]
    public void Seeding_creates_each_plan_once_and_leaves_what_the_catalog_has()
    {
        var seeded = PlanCatalogDecisions.Seed(PlanCatalogState.Empty, [.. PlanCatalog.Seeds, PlanCatalog.Free with { Name = "Free again" }], Now);
        Assert.Equal(PlanCatalog.Seeds.Select(p => new PlanCreated(p, Now, "seed")), seeded);
        var state = With([.. seeded]);
        Assert.Equal(PlanCatalog.Seeds, state.Plans);
        Assert.Equal(4, state.Version);

        // Once seeded the catalog is the truth: an edited or retired seed is not seeded again.
        state = state.Apply(new PlanUpdated(PlanCatalog.Pro with { MonthlyPrice = 59m }, Now, "admin:1")).Apply(new PlanRetired("enterprise", Now, "admin:1"));
        Assert.Empty(PlanCatalogDecisions.Seed(state, PlanCatalog.Seeds, Now));
        // A seed never seen is created; a bad one is not.
        var team = PlanCatalog.Starter with { Id = "team", Name = "Team" };
        Assert.Equal([new PlanCreated(team, Now, "seed")], PlanCatalogDecisions.Seed(state, [team, team with { Id = "bad", MaxBots = -1 }], Now));
    }

    [Fact]
    public void Create_persists_the_plan_with_its_name_trimmed_and_a_retried_create_adds_nothing()
    {
        var team = PlanCatalog.Starter with { Id = "team", Name = "  Team " };
        var (created, errors) = PlanCatalogDecisions.Create(Seeded(), team, Now, "admin:1");
        Assert.Empty(errors);
        Assert.Equal(new PlanCreated(team with { Name = "Team" }, Now, "admin:1"), created);
        var state = Seeded().Apply(created!);
        Assert.True(state.IsOnSale("team"));
        Assert.Equal(5, state.Version);

        var (again, againErrors) = PlanCatalogDecisions.Create(state, team, Now, "admin:2");
        Assert.Null(again);
        Assert.Empty(againErrors);
    }

    [Fact]
    public void Create_refuses_a_bad_plan_field_by_field_an_existing_id_and_a_retired_id()
    {
        var state = Seeded().Apply(new PlanRetired("enterprise", Now, "admin:1"));
        Assert.Equal(["maxBots", "apiRateTier"],
            PlanCatalogDecisions.Create(state, PlanCatalog.Starter with { Id = "x", MaxBots = -1, ApiRateTier = "?" }, Now, "a").Errors.Select(e => e.Parameter));
        Assert.Equal([new Domain.Strategies.ParameterError("id", "plan 'pro' already exists; update it instead")],
            PlanCatalogDecisions.Create(state, PlanCatalog.Pro with { MonthlyPrice = 59m }, Now, "a").Errors);
        Assert.Equal([new Domain.Strategies.ParameterError("id", "plan 'enterprise' was retired; ids are not reused")],
            PlanCatalogDecisions.Create(state, PlanCatalog.Enterprise, Now, "a").Errors);
    }

    [Fact]
    public void No_plan_is_no_plan_to_create_or_update()
    {
        Assert.Throws<ArgumentNullException>(() => PlanCatalogDecisions.Create(PlanCatalogState.Empty, null!, Now, "a"));
        Assert.Throws<ArgumentNullException>(() => PlanCatalogDecisions.Update(Seeded(), null!, Now, "a"));
    }

    [Theory]
    [InlineData(true, 0, "liveTrading")]
    [InlineData(false, 5, "monthlyPrice")]
    public void Free_must_stay_what_a_lapse_falls_to_no_live_trading_and_free_of_charge(bool live, int monthly, string field)
    {
        var free = PlanCatalog.Free with { LiveTrading = live, MonthlyPrice = monthly, YearlyPrice = monthly * 10 };
        Assert.Equal([field], PlanCatalogDecisions.Create(PlanCatalogState.Empty, free, Now, "a").Errors.Select(e => e.Parameter));
        Assert.Equal([field], PlanCatalogDecisions.Update(Seeded(), free, Now, "a").Errors.Select(e => e.Parameter));
        // Another plan may be both.
        Assert.Empty(PlanCatalogDecisions.Create(PlanCatalogState.Empty, free with { Id = "hobby" }, Now, "a").Errors);
    }

    [Fact]
    public void Update_replaces_the_plan_in_place_and_the_same_plan_again_persists_nothing()
    {
        var dearer = PlanCatalog.Pro with { MonthlyPrice = 59m, YearlyPrice = 590m, Name = "Pro " };
        var (updated, errors) = PlanCatalogDecisions.Update(Seeded(), dearer, Now, "admin:1");
        Assert.Empty(errors);
        Assert.Equal(new PlanUpdated(dearer with { Name = "Pro" }, Now, "admin:1"), updated);
        var state = Seeded().Apply(updated!);
        Assert.Equal(["free", "starter", "pro", "enterprise"], state.Plans.Select(p => p.Id));
        Assert.Equal(59m, state.ToCatalog().Plans[2].MonthlyPrice);
        Assert.Equal(5, state.Version);
        Assert.Equal((null, []), PlanCatalogDecisions.Update(state, dearer, Now, "admin:2"));
    }

    [Fact]
    public void Update_refuses_a_bad_plan_an_unknown_one_and_a_retired_one()
    {
        var state = Seeded().Apply(new PlanRetired("enterprise", Now, "a"));
        Assert.Equal(["maxPairs"], PlanCatalogDecisions.Update(state, PlanCatalog.Pro with { MaxPairs = 21 }, Now, "a").Errors.Select(e => e.Parameter));
        Assert.Equal([new Domain.Strategies.ParameterError("id", "unknown plan 'team'")], PlanCatalogDecisions.Update(state, PlanCatalog.Pro with { Id = "team" }, Now, "a").Errors);
        Assert.Equal([new Domain.Strategies.ParameterError("id", "plan 'enterprise' is retired")], PlanCatalogDecisions.Update(state, PlanCatalog.Enterprise, Now, "a").Errors);
    }

    [Fact]
    public void Retire_takes_a_plan_off_sale_for_good_but_never_free()
    {
        var (retired, error) = PlanCatalogDecisions.Retire(Seeded(), "pro", Now, "admin:1");
        Assert.Null(error);
        Assert.Equal(new PlanRetired("pro", Now, "admin:1"), retired);
        var state = Seeded().Apply(retired!);
        Assert.False(state.IsOnSale("pro"));
        Assert.True(state.IsRetired("pro"));
        var catalog = state.ToCatalog();
        Assert.False(catalog.TryGet("pro", out _));
        Assert.True(catalog.IsRetired("pro"));
        Assert.False(catalog.IsRetired("starter"));

        Assert.Equal((null, "plan 'pro' is already retired"), PlanCatalogDecisions.Retire(state, "pro", Now, "a"));
        Assert.Equal((null, "unknown plan 'team'"), PlanCatalogDecisions.Retire(state, "team", Now, "a"));
        Assert.Equal((null, "plan 'free' is where lapsed plans fall to; it cannot be retired"), PlanCatalogDecisions.Retire(state, "free", Now, "a"));
    }

    [Fact]
    public void Events_that_change_nothing_still_count_as_versions()
    {
        var state = Seeded();
        var same = state.Apply(new PlanCreated(PlanCatalog.Pro with { Name = "Other" }, Now, "a"))
            .Apply(new PlanUpdated(PlanCatalog.Pro with { Id = "team" }, Now, "a"))
            .Apply(new PlanRetired("team", Now, "a"));
        Assert.Equal(state.Plans, same.Plans);
        Assert.Empty(same.Retired);
        Assert.Equal(state.Version + 3, same.Version);
    }

    [Fact]
    public void The_fallback_is_the_catalogs_free_or_the_seeded_one()
    {
        var cheaperFree = PlanCatalog.Free with { TradesPerDay = 10 };
        Assert.Same(cheaperFree, new PlanCatalog([cheaperFree, PlanCatalog.Pro]).Fallback());
        Assert.Same(PlanCatalog.Free, new PlanCatalog([PlanCatalog.Pro]).Fallback());
    }

    // ---- the plan that lifts a limit: the cheapest on sale that allows more than the current one

    public sealed record LiftRow(string Rule, PlanLimit Limit, Plan Current, string? Lifting, PlanCatalog? Catalog = null);

    private static readonly Plan Team = PlanCatalog.Starter with { Id = "team", Name = "Team", MaxBots = 8, MaxPairs = 8, MonthlyPrice = 29m, YearlyPrice = 290m };

    public static readonly Dictionary<string, LiftRow> LiftRows = new[]
    {
        new LiftRow("bots on Free: Starter", PlanLimit.Bots, PlanCatalog.Free, "starter"),
        new LiftRow("bots on Starter: Pro", PlanLimit.Bots, PlanCatalog.Starter, "pro"),
        new LiftRow("bots on Pro: Enterprise", PlanLimit.Bots, PlanCatalog.Pro, "enterprise"),
        new LiftRow("bots on Enterprise: none", PlanLimit.Bots, PlanCatalog.Enterprise, null),
        new LiftRow("bots on Legacy (5): not Starter's 5, Pro's 20", PlanLimit.Bots, Plan.Legacy, "pro"),
        new LiftRow("pairs on Legacy (3): Starter's 5", PlanLimit.Pairs, Plan.Legacy, "starter"),
        new LiftRow("subscriptions on Pro: Enterprise's unlimited", PlanLimit.Subscriptions, PlanCatalog.Pro, "enterprise"),
        new LiftRow("trades on Legacy (unlimited): none", PlanLimit.TradesPerDay, Plan.Legacy, null),
        new LiftRow("open positions on Free: Starter", PlanLimit.OpenPositions, PlanCatalog.Free, "starter"),
        new LiftRow("live trading on Free: Starter", PlanLimit.LiveTrading, PlanCatalog.Free, "starter"),
        new LiftRow("live trading on Starter: none allows more", PlanLimit.LiveTrading, PlanCatalog.Starter, null),
        new LiftRow("a cheaper plan between them lifts first", PlanLimit.Bots, PlanCatalog.Starter, "team", new PlanCatalog([.. PlanCatalog.Seeds, Team])),
        new LiftRow("the cheapest, not the first listed", PlanLimit.Bots, PlanCatalog.Free, "starter", new PlanCatalog([PlanCatalog.Pro, PlanCatalog.Starter])),
        new LiftRow("the same monthly price: the cheaper year", PlanLimit.Bots, PlanCatalog.Free, "b",
            new PlanCatalog([Team with { Id = "a", YearlyPrice = 290m }, Team with { Id = "b", YearlyPrice = 280m }])),
        new LiftRow("the same prices: by id", PlanLimit.Bots, PlanCatalog.Free, "a", new PlanCatalog([Team with { Id = "b" }, Team with { Id = "a" }])),
        new LiftRow("the current plan itself, edited to allow more, is not named", PlanLimit.Bots, PlanCatalog.Starter, null,
            new PlanCatalog([PlanCatalog.Starter with { MaxBots = 9 }])),
        new LiftRow("a plan allowing the same is no lift", PlanLimit.Bots, PlanCatalog.Starter, null, new PlanCatalog([Team with { MaxBots = 5, MaxPairs = 5 }])),
        new LiftRow("a retired plan is not on sale", PlanLimit.Bots, PlanCatalog.Starter, "enterprise", new PlanCatalog([PlanCatalog.Enterprise], ["pro"])),
    }.ToDictionary(r => r.Rule);

    public static TheoryData<string> LiftRules => new(LiftRows.Keys);

    [Theory]
    [MemberData(nameof(LiftRules))]
    public void The_lifting_plan_is_the_cheapest_on_sale_that_allows_more(string rule)
    {
        var row = LiftRows[rule];
        Assert.Equal(row.Lifting, (row.Catalog ?? PlanCatalog.Seeded).Lifting(row.Limit, row.Current)?.Id);
    }
}
