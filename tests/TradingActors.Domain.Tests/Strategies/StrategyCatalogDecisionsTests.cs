using TradingActors.Domain.Strategies;

namespace TradingActors.Domain.Tests.Strategies;

/// <summary>The catalog's decisions (decision 026): create, retire, seed, and what a definition must be to run as a shared strategy.</summary>
public sealed class StrategyCatalogDecisionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
    private static readonly StrategyDefinition Rsi = new("rsi-btc", "BTCUSDT");
    private static readonly StrategyDefinition Ema = new("ema-eth", "ETHUSDT", "ema-cross", """{ "slow": 9, "fast": 3 }""");

    private static StrategyCatalogState With(params IStrategyCatalogEvent[] events) => events.Aggregate(StrategyCatalogState.Empty, (s, e) => s.Apply(e));

    [Theory]
    [InlineData("bad id!", "BTCUSDT", "rsi", "{}", 60, "id")]
    [InlineData("s", "DOGEUSDT", "rsi", "{}", 60, "symbol")]
    [InlineData("s", "", "rsi", "{}", 60, "symbol")]
    [InlineData("s", "BTCUSDT", "rsi", "{}", 0, "maxSignalAgeSeconds")]
    [InlineData("s", "BTCUSDT", "rsi", "{}", 86_401, "maxSignalAgeSeconds")]
    [InlineData("s", "BTCUSDT", "macd", "{}", 60, "kind")]
    [InlineData("s", "BTCUSDT", "rsi", """{"period":1}""", 60, "parameters.period")]
    [InlineData("s", "BTCUSDT", "rsi", """{"oversold":70,"overbought":30}""", 60, "parameters.oversold")]
    [InlineData("s", "BTCUSDT", "rsi", "[1]", 60, "parameters")]
    public void A_definition_that_cannot_run_names_the_field_that_is_wrong(string id, string symbol, string kind, string parameters, int age, string field)
    {
        var errors = new StrategyDefinition(id, symbol, kind, parameters, age).Check(out var canonical);
        Assert.Equal(field, Assert.Single(errors).Parameter);
        Assert.Equal(parameters, canonical.Parameters); // nothing canonicalised from bad input
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(86_400, true)]
    public void The_signal_age_limits_are_inclusive(int age, bool ok) =>
        Assert.Equal(ok, new StrategyDefinition("s", "BTCUSDT", MaxSignalAgeSeconds: age).Check(out _).Count == 0);

    [Fact]
    public void A_good_definition_has_its_parameters_in_canonical_form_with_defaults_filled_in()
    {
        Assert.Empty(Ema.Check(out var canonical));
        Assert.Equal("""{"fast":3,"slow":9}""", canonical.Parameters);
        Assert.Equal(Ema with { Parameters = """{"fast":3,"slow":9}""" }, canonical);
        Assert.Empty(Rsi.Check(out var rsi));
        Assert.Equal("""{"period":14,"oversold":30,"overbought":70}""", rsi.Parameters);
        Assert.Equal(new Dictionary<string, double> { ["fast"] = 3, ["slow"] = 9 }, Ema.ParameterValues());
        Assert.Empty(new StrategyDefinition("s", "BTCUSDT", "nope").ParameterValues());
    }

    [Fact]
    public void Descriptions_say_what_each_kind_does_with_its_numbers()
    {
        Assert.Equal("RSI(14) crossing on BTCUSDT: buys when RSI crosses up through 30, sells when it crosses down through 70.", Rsi.Describe());
        Assert.Equal("EMA(3)/EMA(9) cross on ETHUSDT: buys when the fast EMA crosses above the slow one, sells when it crosses below.", Ema.Describe());
    }

    [Fact]
    public void Create_persists_the_canonical_definition_and_a_retried_create_adds_nothing()
    {
        var (created, errors) = StrategyCatalogDecisions.Create(StrategyCatalogState.Empty, Ema, Now, "admin:1");
        Assert.Empty(errors);
        Assert.Equal(new StrategyCreated(Ema with { Parameters = """{"fast":3,"slow":9}""" }, Now, "admin:1"), created);
        var state = With(created!);
        Assert.Equal(1, state.Version);
        Assert.True(state.IsRunning("ema-eth"));

        // The same strategy written differently (a retried request): accepted, no event.
        var (again, againErrors) = StrategyCatalogDecisions.Create(state, Ema with { Parameters = """{"fast":3.0,"slow":9}""" }, Now, "admin:2");
        Assert.Null(again);
        Assert.Empty(againErrors);
        // Defaults count: fast 3 alone is slow 26, another strategy.
        Assert.Contains("different definition", Assert.Single(StrategyCatalogDecisions.Create(state, Ema with { Parameters = """{"fast":3}""" }, Now, "a").Errors));
    }

    [Fact]
    public void Create_refuses_a_bad_definition_a_clashing_one_and_a_retired_id()
    {
        var state = With(new StrategyCreated(Rsi.Check(out var rsi).Count == 0 ? rsi : Rsi, Now, "seed"));
        Assert.Contains("unknown symbol", Assert.Single(StrategyCatalogDecisions.Create(state, Rsi with { Id = "x", Symbol = "NOPE" }, Now, "a").Errors));
        Assert.Equal(["strategy 'rsi-btc' already exists with a different definition"],
            StrategyCatalogDecisions.Create(state, Rsi with { Parameters = """{"period":9}""" }, Now, "a").Errors);
        var (same, sameErrors) = StrategyCatalogDecisions.Create(state, Rsi, Now, "a");
        Assert.Null(same);
        Assert.Empty(sameErrors);

        var retired = state.Apply(new StrategyRetired("rsi-btc", Now, "a"));
        Assert.Equal(["strategy 'rsi-btc' was retired; ids are not reused (its signals stay in its journal)"],
            StrategyCatalogDecisions.Create(retired, Rsi, Now, "a").Errors);
    }

    [Fact]
    public void Retire_moves_a_running_strategy_to_retired_once()
    {
        var state = With(new StrategyCreated(Rsi, Now, "seed"), new StrategyCreated(Ema, Now, "seed"));
        Assert.Equal((null, "unknown strategy 'x'"), StrategyCatalogDecisions.Retire(state, "x", Now, "a"));
        var (retired, error) = StrategyCatalogDecisions.Retire(state, "rsi-btc", Now, "admin:1");
        Assert.Null(error);
        Assert.Equal(new StrategyRetired("rsi-btc", Now, "admin:1"), retired);
        var after = state.Apply(retired!);
        Assert.Equal(["ema-eth"], after.Running.Select(s => s.Id));
        Assert.Equal(["rsi-btc"], after.Retired);
        Assert.Equal(3, after.Version);
        Assert.Equal((null, "strategy 'rsi-btc' is already retired"), StrategyCatalogDecisions.Retire(after, "rsi-btc", Now, "a"));
        var catalog = after.ToCatalog();
        Assert.False(catalog.TryGet("rsi-btc", out _));
        Assert.True(catalog.IsRetired("rsi-btc"));
        Assert.False(catalog.IsRetired("ema-eth"));
        Assert.Equal(TimeSpan.FromMinutes(1), catalog.MaxSignalAge("rsi-btc"));
    }

    [Fact]
    public void Events_that_change_nothing_still_count_as_versions_so_every_node_sees_one_order()
    {
        var state = With(new StrategyCreated(Rsi, Now, "seed"));
        var twice = state.Apply(new StrategyCreated(Rsi, Now, "seed"));
        Assert.Single(twice.Running);
        Assert.Equal(2, twice.Version);
        var unknownRetire = twice.Apply(new StrategyRetired("x", Now, "a"));
        Assert.Empty(unknownRetire.Retired);
        Assert.Equal(3, unknownRetire.Version);
    }

    [Fact]
    public void Seeds_create_only_ids_the_catalog_has_never_seen_and_skip_bad_and_repeated_ones()
    {
        var state = With(new StrategyCreated(Rsi, Now, "seed"), new StrategyCreated(Ema, Now, "seed"), new StrategyRetired("ema-eth", Now, "a"));
        var fresh = new StrategyDefinition("ema-btc", "BTCUSDT", "ema-cross");
        var seeded = StrategyCatalogDecisions.Seed(state,
            [Rsi with { Parameters = """{"period":5}""" }, Ema, fresh, fresh with { Symbol = "ETHUSDT" }, new StrategyDefinition("broken", "NOPE")], Now);
        var only = Assert.Single(seeded);
        Assert.Equal(("ema-btc", "seed", Now), (only.Definition.Id, only.By, only.At));
        Assert.Equal("""{"fast":12,"slow":26}""", only.Definition.Parameters);
        Assert.Empty(StrategyCatalogDecisions.Seed(state.Apply(only), [fresh], Now));
    }

    [Fact]
    public void Create_needs_a_definition() =>
        Assert.Equal("definition", Assert.Throws<ArgumentNullException>(() => StrategyCatalogDecisions.Create(StrategyCatalogState.Empty, null!, Now, "a")).ParamName);
}
