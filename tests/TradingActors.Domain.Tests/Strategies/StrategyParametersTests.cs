using TradingActors.Domain.Strategies;

namespace TradingActors.Domain.Tests.Strategies;

public sealed class StrategyParametersTests
{
    private static readonly StrategyKind Rsi = RsiThresholdStrategy.Kind;
    private static readonly StrategyKind Ema = EmaCrossStrategy.Kind;

    /// <summary>A kind with each type of parameter, a required one and no cross-field rule.</summary>
    private static readonly StrategyKind Mixed = new(
        "mixed",
        "one parameter of each type",
        emitsSignals: false,
        [
            ParameterSpec.Integer("count", 1, 10, null, "how many"),
            ParameterSpec.Number("ratio", -1, 1, 0.5, "a ratio"),
            ParameterSpec.Boolean("flag", true, "a switch that is on"),
            ParameterSpec.Boolean("off", false, "a switch that is off"),
        ],
        _ => [],
        (_, _) => throw new NotSupportedException());

    private static StrategyParameters Parse(StrategyKind kind, params (string Name, double Value)[] given) =>
        StrategyParameters.Parse(kind, given.ToDictionary(g => g.Name, g => g.Value), out _);

    private static IReadOnlyList<ParameterError> Errors(StrategyKind kind, params (string Name, double Value)[] given)
    {
        var parameters = StrategyParameters.Parse(kind, given.ToDictionary(g => g.Name, g => g.Value), out var errors);
        Assert.Null(parameters);
        return errors;
    }

    private static IReadOnlyList<ParameterError> JsonErrors(StrategyKind kind, string json)
    {
        var parameters = StrategyParameters.FromJson(kind, json, out var errors);
        Assert.Null(parameters);
        return errors;
    }

    // ---- Parse

    [Fact]
    public void Missing_parameters_take_their_defaults()
    {
        var parameters = StrategyParameters.Parse(Rsi, new Dictionary<string, double> { ["oversold"] = 25 }, out var errors);

        Assert.Empty(errors);
        Assert.Same(Rsi, parameters.Kind);
        Assert.Equal(14, parameters.Int("period"));
        Assert.Equal(25, parameters["oversold"]);
        Assert.Equal(70, parameters["overbought"]);
        Assert.Equal([KeyValuePair.Create("period", 14.0), KeyValuePair.Create("oversold", 25.0), KeyValuePair.Create("overbought", 70.0)], parameters.Values);
    }

    [Fact]
    public void Booleans_are_held_as_one_and_zero()
    {
        var parameters = Parse(Mixed, ("count", 3), ("off", 1));

        Assert.True(parameters.Bool("flag"));
        Assert.True(parameters.Bool("off"));
        Assert.Equal(1, parameters["flag"]);
        Assert.False(Parse(Mixed, ("count", 3), ("flag", 0)).Bool("flag"));
        Assert.False(Parse(Mixed, ("count", 3)).Bool("off"));
    }

    [Theory]
    // Each range is inclusive at both ends.
    [InlineData("period", 2)]
    [InlineData("period", 1000)]
    [InlineData("oversold", 1)]
    [InlineData("overbought", 99)]
    public void Values_at_the_ends_of_a_range_are_accepted(string name, double value)
    {
        var given = new Dictionary<string, double> { [name] = value };
        if (name == "oversold") given["overbought"] = 2;
        if (name == "overbought") given["oversold"] = 98;

        StrategyParameters.Parse(Rsi, given, out var errors);

        Assert.Empty(errors);
    }

    public static TheoryData<string, double, string> BadValues => new()
    {
        { "period", 1, "period must be between 2 and 1000 (got 1)" },
        { "period", 1001, "period must be between 2 and 1000 (got 1001)" },
        { "period", 14.5, "period must be a whole number (got 14.5)" },
        { "period", -0.25, "period must be a whole number (got -0.25)" },
        { "period", double.NaN, "period must be a finite number" },
        { "period", double.PositiveInfinity, "period must be a finite number" },
        { "oversold", 0.5, "oversold must be between 1 and 99 (got 0.5)" },
        { "overbought", 99.000000000000014, "overbought must be between 1 and 99 (got 99.00000000000001)" },
        { "oversold", double.NegativeInfinity, "oversold must be a finite number" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void A_value_out_of_its_range_or_type_is_refused_naming_the_parameter(string name, double value, string message)
    {
        Assert.Equal([new ParameterError(name, message)], Errors(Rsi, (name, value)));
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(2)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    public void A_boolean_is_one_or_zero(double value)
    {
        var expected = double.IsNaN(value) ? "flag must be a finite number" : "flag must be true or false";

        Assert.Equal([new ParameterError("flag", expected)], Errors(Mixed, ("count", 1), ("flag", value)));
    }

    [Fact]
    public void An_integer_parameter_takes_a_whole_number_given_as_a_double()
    {
        Assert.Equal(7, Parse(Mixed, ("count", 7.0)).Int("count"));
        Assert.Equal(-0.75, Parse(Mixed, ("count", 1), ("ratio", -0.75))["ratio"]);
    }

    [Fact]
    public void An_unknown_name_is_refused_listing_the_names_there_are()
    {
        Assert.Equal(
            [new ParameterError("lenght", "rsi has no parameter 'lenght' (it has: period, oversold, overbought)")],
            Errors(Rsi, ("lenght", 14)));
    }

    [Fact]
    public void Names_are_case_sensitive()
    {
        Assert.Equal("Period", Assert.Single(Errors(Rsi, ("Period", 14))).Parameter);
    }

    [Fact]
    public void A_missing_required_parameter_is_refused_with_its_description()
    {
        Assert.Equal([new ParameterError("count", "count is required (how many)")], Errors(Mixed));
    }

    [Theory]
    [InlineData(70, 30)]
    [InlineData(50, 50)]
    public void Rsi_oversold_must_be_below_overbought(double oversold, double overbought)
    {
        Assert.Equal(
            [new ParameterError("oversold", $"oversold ({oversold}) must be below overbought ({overbought})")],
            Errors(Rsi, ("oversold", oversold), ("overbought", overbought)));
    }

    [Theory]
    [InlineData(26, 12)]
    [InlineData(20, 20)]
    public void Ema_fast_must_be_shorter_than_slow(int fast, int slow)
    {
        Assert.Equal(
            [new ParameterError("fast", $"fast ({fast}) must be shorter than slow ({slow})")],
            Errors(Ema, ("fast", fast), ("slow", slow)));
    }

    [Fact]
    public void Cross_field_rules_accept_the_closest_valid_values()
    {
        Assert.NotNull(Parse(Rsi, ("oversold", 49.99), ("overbought", 50)));
        Assert.NotNull(Parse(Ema, ("fast", 19), ("slow", 20)));
        // Defaults alone meet the rules.
        Assert.NotNull(Parse(Rsi));
        Assert.NotNull(Parse(Ema));
    }

    [Fact]
    public void Every_error_is_reported_at_once_unknown_names_first_in_order()
    {
        var errors = Errors(Mixed, ("zeta", 1), ("ratio", 2), ("alpha", 1), ("flag", 3));

        Assert.Equal(
            [
                new ParameterError("alpha", "mixed has no parameter 'alpha' (it has: count, ratio, flag, off)"),
                new ParameterError("zeta", "mixed has no parameter 'zeta' (it has: count, ratio, flag, off)"),
                new ParameterError("count", "count is required (how many)"),
                new ParameterError("ratio", "ratio must be between -1 and 1 (got 2)"),
                new ParameterError("flag", "flag must be true or false"),
            ],
            errors);
    }

    [Fact]
    public void Cross_field_rules_wait_until_each_value_is_valid_on_its_own()
    {
        // overbought 150 is out of range; oversold 80 > 150 is not also reported.
        Assert.Equal(
            [new ParameterError("overbought", "overbought must be between 1 and 99 (got 150)")],
            Errors(Rsi, ("oversold", 80), ("overbought", 150)));
    }

    [Fact]
    public void Parse_needs_a_kind_and_values()
    {
        Assert.Throws<ArgumentNullException>(() => StrategyParameters.Parse(null!, new Dictionary<string, double>(), out _));
        Assert.Throws<ArgumentNullException>(() => StrategyParameters.Parse(Rsi, null!, out _));
    }

    [Fact]
    public void Reading_a_parameter_the_kind_does_not_have_throws_naming_it()
    {
        var parameters = Parse(Rsi);

        var e = Assert.Throws<KeyNotFoundException>(() => parameters["fast"]);
        Assert.Equal("rsi has no parameter 'fast'", e.Message);
        Assert.Throws<KeyNotFoundException>(() => parameters.Int("Period"));
        Assert.Throws<KeyNotFoundException>(() => parameters.Bool("flag"));
    }

    // ---- FromJson

    [Fact]
    public void From_json_reads_numbers_and_booleans()
    {
        var parameters = StrategyParameters.FromJson(Mixed, """{ "count": 4, "ratio": -0.125, "flag": false, "off": true }""", out var errors);

        Assert.Empty(errors);
        Assert.Equal([4.0, -0.125, 0, 1], parameters.Values.Select(v => v.Value));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{}")]
    public void From_json_of_nothing_gives_the_defaults(string? json)
    {
        var parameters = StrategyParameters.FromJson(Rsi, json!, out var errors);

        Assert.Empty(errors);
        Assert.Equal("""{"period":14,"oversold":30,"overbought":70}""", parameters.ToJson());
    }

    [Theory]
    [InlineData("{")]
    [InlineData("{\"period\": 14,}")]
    [InlineData("period=14")]
    public void From_json_refuses_text_that_is_not_json(string json)
    {
        var error = Assert.Single(JsonErrors(Rsi, json));

        Assert.Equal("", error.Parameter);
        Assert.StartsWith("parameters are not valid JSON: ", error.Message);
    }

    [Theory]
    [InlineData("[14, 30, 70]")]
    [InlineData("14")]
    [InlineData("\"period\"")]
    [InlineData("null")]
    public void From_json_refuses_anything_but_an_object(string json)
    {
        Assert.Equal([new ParameterError("", "parameters must be a JSON object of names and values")], JsonErrors(Rsi, json));
    }

    [Theory]
    [InlineData("\"14\"")]
    [InlineData("null")]
    [InlineData("{}")]
    [InlineData("[14]")]
    public void From_json_refuses_a_value_that_is_not_a_number_or_a_boolean(string value)
    {
        Assert.Equal(
            [new ParameterError("period", "period must be a number or a boolean")],
            JsonErrors(Rsi, $$"""{"period": {{value}}}"""));
    }

    [Fact]
    public void From_json_reports_type_errors_then_value_errors_together()
    {
        Assert.Equal(
            [
                new ParameterError("oversold", "oversold must be a number or a boolean"),
                new ParameterError("period", "period must be between 2 and 1000 (got 1)"),
                new ParameterError("overbought", "overbought must be between 1 and 99 (got 0)"),
            ],
            JsonErrors(Rsi, """{"oversold": "30", "period": true, "overbought": false}"""));
    }

    [Fact]
    public void From_json_refuses_a_number_too_large_for_a_double()
    {
        Assert.Equal([new ParameterError("period", "period must be a finite number")], JsonErrors(Rsi, """{"period": 1e400}"""));
    }

    [Fact]
    public void From_json_refuses_a_name_given_twice()
    {
        Assert.Equal(
            [new ParameterError("period", "period is given more than once")],
            JsonErrors(Rsi, """{"period": 14, "oversold": 25, "period": 50}"""));
    }

    [Fact]
    public void From_json_needs_a_kind()
    {
        Assert.Throws<ArgumentNullException>(() => StrategyParameters.FromJson(null!, "{}", out _));
    }

    // ---- ToJson, ToString, With

    [Fact]
    public void To_json_is_canonical_every_parameter_in_the_kind_s_order()
    {
        var parameters = StrategyParameters.FromJson(Rsi, """{"overbought": 75.5, "period": 7}""", out _);

        Assert.Equal("""{"period":7,"oversold":30,"overbought":75.5}""", parameters.ToJson());
        Assert.Equal("""rsi {"period":7,"oversold":30,"overbought":75.5}""", parameters.ToString());
    }

    [Fact]
    public void To_json_writes_booleans_as_true_and_false()
    {
        Assert.Equal("""{"count":1,"ratio":0.5,"flag":true,"off":false}""", Parse(Mixed, ("count", 1)).ToJson());
        Assert.Equal("""{"count":10,"ratio":-1,"flag":false,"off":true}""", Parse(Mixed, ("count", 10), ("ratio", -1), ("flag", 0), ("off", 1)).ToJson());
    }

    public static TheoryData<double> Ratios => new() { 0.1, 1.0 / 3, -0.30000000000000004, 1e-7, 5e-324, -0.0, 0.999999999999999 };

    [Theory]
    [MemberData(nameof(Ratios))]
    public void To_json_numbers_read_back_as_the_same_double(double ratio)
    {
        var parameters = Parse(Mixed, ("count", 2), ("ratio", ratio));

        var back = StrategyParameters.FromJson(Mixed, parameters.ToJson(), out var errors);

        Assert.Empty(errors);
        Assert.Equal(BitConverter.DoubleToInt64Bits(ratio), BitConverter.DoubleToInt64Bits(back["ratio"]));
        Assert.Equal(parameters.ToJson(), back.ToJson());
    }

    public static TheoryData<StrategyKind, string> Configurations => new()
    {
        { Rsi, "{}" },
        { Rsi, """{"overbought": 80.25, "oversold": 19.75, "period": 21}""" },
        { Ema, """{"slow": 50}""" },
        { Mixed, """{"off": true, "count": 9, "ratio": 0.1}""" },
    };

    [Theory]
    [MemberData(nameof(Configurations))]
    public void To_json_is_stable_through_from_json(StrategyKind kind, string json)
    {
        var text = StrategyParameters.FromJson(kind, json, out _).ToJson();

        Assert.Equal(text, StrategyParameters.FromJson(kind, text, out _).ToJson());
    }

    [Fact]
    public void With_changes_one_value_and_keeps_the_rest()
    {
        var parameters = Parse(Rsi, ("oversold", 25));

        var changed = parameters.With("period", 21, out var errors);

        Assert.Empty(errors);
        Assert.Equal("""{"period":21,"oversold":25,"overbought":70}""", changed.ToJson());
        Assert.Equal("""{"period":14,"oversold":25,"overbought":70}""", parameters.ToJson());
        Assert.Same(Rsi, changed.Kind);
    }

    [Fact]
    public void With_checks_the_new_value_like_any_other()
    {
        var parameters = Parse(Rsi);

        Assert.Null(parameters.With("period", 1, out var range));
        Assert.Equal([new ParameterError("period", "period must be between 2 and 1000 (got 1)")], range);
        Assert.Null(parameters.With("oversold", 80, out var cross));
        Assert.Equal([new ParameterError("oversold", "oversold (80) must be below overbought (70)")], cross);
        Assert.Null(parameters.With("length", 3, out var unknown));
        Assert.Equal("length", Assert.Single(unknown).Parameter);
    }

    // ---- ParameterSpec

    [Fact]
    public void Specs_say_their_type_range_and_default()
    {
        Assert.Equal(new ParameterSpec("n", ParameterType.Integer, 2, 9, 3, "d"), ParameterSpec.Integer("n", 2, 9, 3, "d"));
        Assert.Equal(new ParameterSpec("n", ParameterType.Integer, 2, 9, null, "d"), ParameterSpec.Integer("n", 2, 9, null, "d"));
        Assert.Equal(new ParameterSpec("x", ParameterType.Number, -0.5, 0.5, null, "d"), ParameterSpec.Number("x", -0.5, 0.5, null, "d"));
        Assert.Equal(new ParameterSpec("b", ParameterType.Boolean, 0, 1, 1, "d"), ParameterSpec.Boolean("b", true, "d"));
        Assert.Equal(new ParameterSpec("b", ParameterType.Boolean, 0, 1, 0, "d"), ParameterSpec.Boolean("b", false, "d"));
    }

    [Theory]
    [InlineData(ParameterType.Number, 0.25, null)]
    [InlineData(ParameterType.Number, 1e300, "x must be between -1000000 and 1000000 (got 1E+300)")]
    [InlineData(ParameterType.Integer, -3, null)]
    [InlineData(ParameterType.Integer, 3.000001, "x must be a whole number (got 3.000001)")]
    [InlineData(ParameterType.Boolean, 1, null)]
    [InlineData(ParameterType.Boolean, -0.0, null)]
    public void Spec_check_by_type(ParameterType type, double value, string? message)
    {
        var spec = new ParameterSpec("x", type, type == ParameterType.Boolean ? 0 : -1e6, type == ParameterType.Boolean ? 1 : 1e6, null, "");

        Assert.Equal(message, spec.Check(value));
    }
}
