using TradingActors.Domain.Strategies;

namespace TradingActors.Domain.Tests.Strategies;

public sealed class StrategyKindsTests
{
    private static readonly IReadOnlyList<ParameterSpec> OneParameter = [ParameterSpec.Integer("n", 1, 5, 1, "a number")];

    private static StrategyKind Kind(string name, IReadOnlyList<ParameterSpec>? parameters = null) =>
        new(name, "a kind for tests", emitsSignals: false, parameters ?? OneParameter, _ => [], (_, _) => throw new NotSupportedException());

    [Fact]
    public void The_product_runs_rsi_ema_cross_dca_and_grid()
    {
        Assert.Equal(["rsi", "ema-cross", "dca", "grid"], StrategyKinds.All.Select(k => k.Name));
        Assert.Same(DcaStrategy.Kind, StrategyKinds.Get("dca"));
        Assert.Same(GridStrategy.Kind, StrategyKinds.Get("grid"));
        Assert.Same(RsiThresholdStrategy.Kind, StrategyKinds.Get("rsi"));
        Assert.Same(EmaCrossStrategy.Kind, StrategyKinds.Get("ema-cross"));
    }

    [Fact]
    public void Kinds_are_found_by_exact_name()
    {
        Assert.True(StrategyKinds.TryGet("ema-cross", out var kind));
        Assert.Same(EmaCrossStrategy.Kind, kind);
        Assert.False(StrategyKinds.TryGet("RSI", out _));
        Assert.False(StrategyKinds.TryGet("rsi ", out _));
        Assert.False(StrategyKinds.TryGet(null, out var none));
        Assert.Null(none);
    }

    [Theory]
    [InlineData("macd", "unknown strategy kind 'macd' (kinds: rsi, ema-cross, dca, grid)")]
    [InlineData(null, "unknown strategy kind '' (kinds: rsi, ema-cross, dca, grid)")]
    public void Getting_an_unknown_kind_lists_the_kinds_there_are(string? name, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => StrategyKinds.Get(name));

        Assert.Equal("name", e.ParamName);
        Assert.StartsWith(message, e.Message);
    }

    [Fact]
    public void Signal_kinds_can_be_shared_and_order_kinds_cannot_and_each_describes_itself()
    {
        Assert.Equal(["rsi", "ema-cross"], StrategyKinds.All.Where(k => k.EmitsSignals).Select(k => k.Name));
        Assert.All(StrategyKinds.All, k =>
        {
            Assert.False(string.IsNullOrWhiteSpace(k.Description));
            Assert.Equal(k.Name, k.ToString());
        });
        Assert.Equal(["period", "oversold", "overbought"], RsiThresholdStrategy.Kind.Parameters.Select(p => p.Name));
        Assert.Equal(["fast", "slow"], EmaCrossStrategy.Kind.Parameters.Select(p => p.Name));
    }

    [Fact]
    public void A_kind_says_where_a_parameter_is()
    {
        Assert.Equal(0, RsiThresholdStrategy.Kind.IndexOf("period"));
        Assert.Equal(2, RsiThresholdStrategy.Kind.IndexOf("overbought"));
        Assert.Equal(-1, RsiThresholdStrategy.Kind.IndexOf("Overbought"));
        Assert.Equal(-1, RsiThresholdStrategy.Kind.IndexOf("fast"));
    }

    [Fact]
    public void A_kind_creates_its_strategy_from_its_own_parameters()
    {
        var parameters = StrategyTestKit.Rsi(7);

        var strategy = RsiThresholdStrategy.Kind.Create(parameters);

        Assert.IsType<RsiThresholdStrategy>(strategy);
        Assert.Equal("rsi", strategy.Kind);
        Assert.IsType<EmaCrossStrategy>(EmaCrossStrategy.Kind.Create(StrategyTestKit.Ema(3, 8)));
    }

    [Fact]
    public void A_kind_refuses_another_kind_s_parameters()
    {
        var e = Assert.Throws<ArgumentException>(() => RsiThresholdStrategy.Kind.Create(StrategyTestKit.Ema(3, 8)));

        Assert.Equal("parameters", e.ParamName);
        Assert.StartsWith("parameters are for ema-cross, not rsi", e.Message);
        Assert.Throws<ArgumentNullException>(() => RsiThresholdStrategy.Kind.Create(null!));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void A_kind_needs_a_name(string name)
    {
        Assert.Throws<ArgumentException>(() => Kind(name));
        Assert.Throws<ArgumentNullException>(() => Kind(null!));
    }

    [Fact]
    public void A_kind_needs_parameters_validation_and_creation()
    {
        Assert.Equal("parameters", Assert.Throws<ArgumentNullException>(() => new StrategyKind("k", "", false, null!, _ => [], (_, _) => null!)).ParamName);
        Assert.Equal("validate", Assert.Throws<ArgumentNullException>(() => new StrategyKind("k", "", false, OneParameter, null!, (_, _) => null!)).ParamName);
        Assert.Equal("create", Assert.Throws<ArgumentNullException>(() => new StrategyKind("k", "", false, OneParameter, _ => [], null!)).ParamName);
    }

    [Fact]
    public void A_kind_s_parameter_names_are_unique()
    {
        var e = Assert.Throws<ArgumentException>(() => Kind("twice", [ParameterSpec.Integer("n", 1, 5, 1, ""), ParameterSpec.Number("n", 0, 1, 0, "")]));

        Assert.Equal("parameters", e.ParamName);
        Assert.StartsWith("twice: parameter names must be unique", e.Message);
        // Names differing only in case are different names.
        Assert.Equal(2, Kind("cased", [ParameterSpec.Integer("n", 1, 5, 1, ""), ParameterSpec.Number("N", 0, 1, 0, "")]).Parameters.Count);
    }
}
