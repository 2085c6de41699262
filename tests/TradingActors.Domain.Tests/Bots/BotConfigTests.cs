using TradingActors.Domain.Bots;
using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tenants;
using static TradingActors.Domain.Tests.Bots.BotHistory;
using static TradingActors.Domain.Tests.Tenants.TenantHistory;

namespace TradingActors.Domain.Tests.Bots;

/// <summary>BotConfig.Check, BotRisk.Check, BotPlan.Refusal and the config's strategy: one row per rule and boundary.</summary>
public sealed class BotConfigTests
{
    private const string Symbols = "BTCUSDT, ETHUSDT, EUR_USD, AAPL, 005930";
    private const string Kinds = "rsi, ema-cross, dca, grid";

    public sealed record ConfigRow(string Rule, BotConfig Config, string? Field, string? Message = null);

    private static readonly BotConfig Good = Config() with { Parameters = "{}" };

    public static TheoryData<ConfigRow> ConfigRows => new()
    {
        new("a good config", Good, null),
        new("an empty id", Good with { BotId = "" }, "id", "bot id is required"),
        new("an id with a space", Good with { BotId = "a b" }, "id", "bot id may contain only letters, digits, '-', '_' and '.'"),
        new("an id of 64 characters", Good with { BotId = new string('b', 64) }, null),
        new("an id of 65 characters", Good with { BotId = new string('b', 65) }, "id", "bot id must be at most 64 characters"),
        new("an unknown symbol", Good with { Symbol = "DOGEUSDT" }, "symbol", $"unknown symbol 'DOGEUSDT' (symbols: {Symbols})"),
        new("a blank symbol", Good with { Symbol = " " }, "symbol", $"unknown symbol ' ' (symbols: {Symbols})"),
        new("no symbol", Good with { Symbol = null! }, "symbol", $"unknown symbol '' (symbols: {Symbols})"),
        new("another known symbol", Good with { Symbol = "ETHUSDT" }, null),
        new("an unknown account", Good with { AccountId = "nope" }, "accountId", "unknown account 'nope'"),
        new("no account", Good with { AccountId = null! }, "accountId", "unknown account ''"),
        new("the external account", Good with { AccountId = ExternalAccountId }, null),
        new("a zero budget", Good with { Budget = 0m }, "budget", "budget must be positive"),
        new("a negative budget", Good with { Budget = -1m }, "budget", "budget must be positive"),
        new("the smallest budget", Good with { Budget = 0.0000001m }, null),
        new("bars of 0 s", Good with { BarSeconds = 0 }, "barSeconds", "barSeconds must be between 1 and 86400"),
        new("bars of 1 s", Good with { BarSeconds = 1 }, null),
        new("bars of a day", Good with { BarSeconds = 86_400 }, null),
        new("bars of a day and a second", Good with { BarSeconds = 86_401 }, "barSeconds", "barSeconds must be between 1 and 86400"),
        new("an unknown kind", Good with { Kind = "macd" }, "kind", $"unknown strategy kind 'macd' (kinds: {Kinds})"),
        new("no kind", Good with { Kind = null! }, "kind", $"unknown strategy kind '' (kinds: {Kinds})"),
        new("an order kind (bots run any kind)", Good with { Kind = "dca", Parameters = """{"base_order":10,"safety_order":10}""" }, null),
        new("a parameter out of range", Good with { Parameters = """{"period":1}""" }, "parameters.period", "period must be between 2 and 1000 (got 1)"),
        new("a cross-field rule", Good with { Parameters = """{"oversold":70,"overbought":30}""" }, "parameters.oversold", "oversold (70) must be below overbought (30)"),
        new("parameters that are no object", Good with { Parameters = "[1]" }, "parameters", "parameters must be a JSON object of names and values"),
        new("a negative maxPosition", Good with { Risk = new(MaxPosition: -0.01m) }, "risk.maxPosition", "maxPosition must not be negative (0: the budget)"),
        new("maxPosition 0 (the budget)", Good with { Risk = new(MaxPosition: 0m) }, null),
        new("a negative stop loss", Good with { Risk = new(StopLossPercent: -0.01m) }, "risk.stopLossPercent", "stopLossPercent must be at least 0 and below 100 (0: off)"),
        new("a stop loss of 0 (off)", Good with { Risk = new(StopLossPercent: 0m) }, null),
        new("a stop loss just below 100", Good with { Risk = new(StopLossPercent: 99.99m) }, null),
        new("a stop loss of 100", Good with { Risk = new(StopLossPercent: 100m) }, "risk.stopLossPercent", "stopLossPercent must be at least 0 and below 100 (0: off)"),
        new("a negative drawdown", Good with { Risk = new(MaxDrawdownPercent: -0.01m) }, "risk.maxDrawdownPercent", "maxDrawdownPercent must be at least 0 and below 100 (0: off)"),
        new("a drawdown of 0 (off)", Good with { Risk = new(MaxDrawdownPercent: 0m) }, null),
        new("a drawdown just below 100", Good with { Risk = new(MaxDrawdownPercent: 99.99m) }, null),
        new("a drawdown of 100", Good with { Risk = new(MaxDrawdownPercent: 100m) }, "risk.maxDrawdownPercent", "maxDrawdownPercent must be at least 0 and below 100 (0: off)"),
        new("no open orders allowed", Good with { Risk = new(MaxOpenOrders: 0) }, "risk.maxOpenOrders", "maxOpenOrders must be between 1 and 200"),
        new("one open order", Good with { Risk = new(MaxOpenOrders: 1) }, null),
        new("200 open orders", Good with { Risk = new(MaxOpenOrders: 200) }, null),
        new("201 open orders", Good with { Risk = new(MaxOpenOrders: 201) }, "risk.maxOpenOrders", "maxOpenOrders must be between 1 and 200"),
        new("no risk limits given", Good with { Risk = null! }, null),
    };

    [Theory]
    [MemberData(nameof(ConfigRows))]
    public void A_config_is_checked_field_by_field(ConfigRow row)
    {
        var errors = row.Config.Check(WithAccounts(), out var canonical);
        if (row.Field is null)
        {
            Assert.Empty(errors);
            Assert.Equal(row.Config.Risk ?? new BotRisk(), canonical.Risk);
            Assert.Equal(row.Config with { Parameters = canonical.Parameters, Risk = canonical.Risk }, canonical);
            return;
        }
        Assert.Equal(new ParameterError(row.Field, row.Message!), Assert.Single(errors));
        Assert.Same(row.Config, canonical); // nothing canonicalised from a bad config
    }

    [Fact]
    public void A_good_config_has_canonical_parameters_with_defaults_filled_in_and_default_risk_limits()
    {
        Assert.Empty((Good with { Risk = null! }).Check(WithAccounts(), out var canonical));
        Assert.Equal(Config(), canonical);
        Assert.Equal(RsiParameters, canonical.Parameters);
        Assert.Equal(new BotRisk(0m, 0m, 0m, 10, true), canonical.Risk);
        // Reordered and spaced, the same parameters canonicalise alike.
        Assert.Empty((Good with { Parameters = """{ "overbought": 70, "period": 14 }""" }).Check(WithAccounts(), out var reordered));
        Assert.Equal(canonical, reordered);
    }

    [Fact]
    public void Every_problem_is_reported_at_once_in_field_order_and_an_unknown_kind_leaves_the_parameters_unread()
    {
        var bad = new BotConfig("", "nope", "DOGEUSDT", "x", "not json", 0m, 0, new BotRisk(-1m, -1m, -1m, 0));
        var errors = bad.Check(WithAccounts(), out var canonical);
        Assert.Equal(["id", "symbol", "accountId", "budget", "barSeconds", "risk.maxPosition", "risk.stopLossPercent", "risk.maxDrawdownPercent", "risk.maxOpenOrders", "kind"],
            errors.Select(e => e.Parameter));
        Assert.Same(bad, canonical);
        // With a known kind, the parameters are read too, after the other fields.
        var errors2 = (bad with { Kind = "rsi" }).Check(WithAccounts(), out _);
        Assert.Equal("parameters", errors2[^1].Parameter);
        Assert.StartsWith("parameters are not valid JSON", errors2[^1].Message);
        Assert.Equal(10, errors2.Count);
    }

    [Fact]
    public void Risk_limits_report_each_field()
    {
        Assert.Empty(new BotRisk().Check());
        Assert.Equal(["risk.maxPosition", "risk.stopLossPercent", "risk.maxDrawdownPercent", "risk.maxOpenOrders"],
            new BotRisk(-1m, 100m, 100m, 201).Check().Select(e => e.Parameter));
    }

    [Fact]
    public void The_strategy_is_the_kind_with_its_parameters_new_or_resumed()
    {
        var strategy = Config().CreateStrategy(null);
        Assert.Equal("rsi", strategy.Kind);
        Assert.Equal(State, strategy.Save());
        // Resumed from a checkpoint after 20 bars it carries on where it was, not from scratch.
        var running = Config().CreateStrategy(null);
        var intents = new IntentBuffer();
        for (var i = 0; i < 20; i++) running.OnBar(Market.Candle.OfPrice(T0.AddMinutes(i), 100 + i % 3), intents);
        var checkpoint = running.Save();
        Assert.NotEqual(State, checkpoint);
        Assert.Equal(checkpoint, Config().CreateStrategy(checkpoint).Save());

        var dca = (Config() with { Kind = "dca", Parameters = """{"base_order":10,"safety_order":10}""" }).CreateStrategy(null);
        Assert.Equal("dca", dca.Kind);
        var bad = Assert.Throws<ArgumentException>(() => (Config() with { Parameters = """{"period":1}""" }).CreateStrategy(null));
        Assert.Equal("bot 'b1': period must be between 2 and 1000 (got 1)", bad.Message);
        Assert.Equal("bot 'b1': period must be between 2 and 1000 (got 1); oversold must be between 1 and 99 (got 0)",
            Assert.Throws<ArgumentException>(() => (Config() with { Parameters = """{"period":1,"oversold":0}""" }).CreateStrategy(null)).Message);
        Assert.Throws<ArgumentException>(() => (Config() with { Kind = "macd" }).CreateStrategy(null));
    }

    [Fact]
    public void The_source_of_a_bots_orders_is_bot_and_its_id()
    {
        Assert.Equal("bot:b1", Config().Source);
        Assert.Equal("b1", Sources.BotIdOf(Config().Source));
        Assert.Null(Sources.BotIdOf("strategy:b1"));
        Assert.Null(Sources.BotIdOf("manual:bot:b1"));
        Assert.Equal("", Sources.BotIdOf("bot:"));
    }

    // ---- the plan's bot limits (checked by PlanDecisions: tests/Billing)

    [Fact]
    public void The_default_bot_limits_are_the_legacy_plans_five_bots_on_three_pairs()
    {
        Assert.Equal(new BotPlan(5, 3), BotPlan.Default);
        Assert.Equal(BotPlan.Default, new BotPlan());
        Assert.Equal(BotPlan.Default, BotPlan.Of(Domain.Billing.Plan.Legacy));
        Assert.Equal(new BotPlan(20, 20), BotPlan.Of(Domain.Billing.PlanCatalog.Pro));
    }

    [Fact]
    public void A_new_record_is_stopped_with_an_empty_ledger_at_its_budget()
    {
        var record = BotRecord.New(Config(budget: 250m), T0);
        Assert.Equal((BotStatus.Stopped, 0L, (StrategyState?)null, T0, T0, (string?)null, -1L), (record.Status, record.Sequence, record.Strategy, record.CreatedAt, record.UpdatedAt, record.StopReason, record.NextOwnRef));
        Assert.Empty(record.Fed);
        Assert.Empty(record.Orders);
        Assert.Empty(record.Pending);
        Assert.Empty(record.Cancelling);
        Assert.Empty(record.Refused);
        Assert.Equal(new BotLedger(0m, 0m, 0m, 0m, 250m, 0, 0, 0m), record.Ledger);
        Assert.Equal(BotFed.None, new BotFed(0m, 0m, 0m, false));
    }

    [Fact]
    public void A_records_order_ref_is_found_by_its_client_order_id()
    {
        var s = Running().Then(Placed(1, (7, FirstBuy), (-1, Order(1, 1, Domain.Orders.OrderSide.Buy, 0.02m))));
        Assert.Equal(7L, s.Bot().RefOf(FirstBuy.ClientOrderId));
        Assert.Equal(-1L, s.Bot().RefOf(Id(1, 1)));
        Assert.Null(s.Bot().RefOf(Id(2)));
    }
}
