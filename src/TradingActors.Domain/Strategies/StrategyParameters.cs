using System.Globalization;
using System.Text;
using System.Text.Json;

namespace TradingActors.Domain.Strategies;

public enum ParameterType
{
    /// <summary>A whole number.</summary>
    Integer = 1,
    /// <summary>Any finite number.</summary>
    Number = 2,
    /// <summary>true or false (held as 1 or 0).</summary>
    Boolean = 3,
}

/// <summary>
/// One named parameter of a strategy kind: its type, inclusive range and default (null: required). The names are a
/// contract (API, CLI files, journal, sweeps): renaming one is a new kind version, never a silent change.
/// </summary>
public sealed record ParameterSpec(string Name, ParameterType Type, double Min, double Max, double? Default, string Description)
{
    public static ParameterSpec Integer(string name, int min, int max, int? @default, string description) =>
        new(name, ParameterType.Integer, min, max, @default, description);

    public static ParameterSpec Number(string name, double min, double max, double? @default, string description) =>
        new(name, ParameterType.Number, min, max, @default, description);

    public static ParameterSpec Boolean(string name, bool @default, string description) =>
        new(name, ParameterType.Boolean, 0, 1, @default ? 1 : 0, description);

    /// <summary>Null when <paramref name="value"/> fits this parameter, else what is wrong with it.</summary>
    public string? Check(double value)
    {
        if (!double.IsFinite(value)) return $"{Name} must be a finite number";
        if (Type == ParameterType.Boolean && value is not (0 or 1)) return $"{Name} must be true or false";
        // Stryker disable once Math : a whole number is its own floor and its own ceiling, any other number neither
        if (Type == ParameterType.Integer && value != Math.Floor(value)) return $"{Name} must be a whole number (got {Format(value)})";
        if (value < Min || value > Max) return $"{Name} must be between {Format(Min)} and {Format(Max)} (got {Format(value)})";
        return null;
    }

    // Stryker disable once String : "R" and the default format both give the shortest text that reads back as the same double
    internal static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>A parameter that was refused, and why (names the parameter; never echoes more than the number given).</summary>
public sealed record ParameterError(string Parameter, string Message);

/// <summary>
/// A strategy kind's parameters, checked: every value in range, defaults filled in, cross-field rules of the kind met.
/// Values are in the order of the kind's specs; <see cref="ToJson"/> is the canonical text (specs' order, round-trip
/// numbers), so the same parameters always store and compare as the same string.
/// </summary>
public sealed class StrategyParameters
{
    private readonly double[] _values;

    private StrategyParameters(StrategyKind kind, double[] values)
    {
        Kind = kind;
        _values = values;
    }

    public StrategyKind Kind { get; }

    /// <summary>The value of the parameter named <paramref name="name"/>; throws when the kind has no such parameter.</summary>
    public double this[string name]
    {
        get
        {
            var index = Kind.IndexOf(name);
            return index >= 0 ? _values[index] : throw new KeyNotFoundException($"{Kind.Name} has no parameter '{name}'");
        }
    }

    public int Int(string name) => (int)this[name];

    public bool Bool(string name) => this[name] != 0;

    /// <summary>Each parameter's name and value in the kind's order.</summary>
    public IEnumerable<KeyValuePair<string, double>> Values => Kind.Parameters.Select((p, i) => KeyValuePair.Create(p.Name, _values[i]));

    /// <summary>
    /// Checks <paramref name="given"/> against <paramref name="kind"/>: unknown names, missing required values, values
    /// out of range and the kind's cross-field rules are all reported at once (so a form shows every error).
    /// </summary>
    public static StrategyParameters Parse(StrategyKind kind, IReadOnlyDictionary<string, double> given, out IReadOnlyList<ParameterError> errors)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(given);
        var problems = new List<ParameterError>();
        foreach (var name in given.Keys.Where(n => kind.IndexOf(n) < 0).Order(StringComparer.Ordinal))
            problems.Add(new ParameterError(name, $"{kind.Name} has no parameter '{name}' (it has: {string.Join(", ", kind.Parameters.Select(p => p.Name))})"));

        var values = new double[kind.Parameters.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var spec = kind.Parameters[i];
            if (given.TryGetValue(spec.Name, out var value))
            {
                if (spec.Check(value) is { } message) problems.Add(new ParameterError(spec.Name, message));
                values[i] = value;
            }
            else if (spec.Default is { } d) values[i] = d;
            else problems.Add(new ParameterError(spec.Name, $"{spec.Name} is required ({spec.Description})"));
        }

        var parameters = new StrategyParameters(kind, values);
        // Cross-field rules only make sense once each value is valid on its own.
        if (problems.Count == 0) problems.AddRange(kind.Validate(parameters));
        errors = problems;
        return problems.Count == 0 ? parameters : null!;
    }

    /// <summary>Parses a JSON object of numbers and booleans (an API body, a --params file, a stored configuration).</summary>
    public static StrategyParameters FromJson(StrategyKind kind, string json, out IReadOnlyList<ParameterError> errors)
    {
        ArgumentNullException.ThrowIfNull(kind);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json);
        }
        catch (JsonException e)
        {
            errors = [new ParameterError("", $"parameters are not valid JSON: {e.Message}")];
            return null!;
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                errors = [new ParameterError("", "parameters must be a JSON object of names and values")];
                return null!;
            }
            var given = new Dictionary<string, double>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var problems = new List<ParameterError>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                // JSON leaves a repeated name to the reader: refused rather than letting the last one silently win.
                if (!seen.Add(property.Name))
                {
                    problems.Add(new ParameterError(property.Name, $"{property.Name} is given more than once"));
                    continue;
                }
                switch (property.Value.ValueKind)
                {
                    case JsonValueKind.Number when property.Value.TryGetDouble(out var number): given[property.Name] = number; break;
                    case JsonValueKind.True: given[property.Name] = 1; break;
                    case JsonValueKind.False: given[property.Name] = 0; break;
                    default: problems.Add(new ParameterError(property.Name, $"{property.Name} must be a number or a boolean")); break;
                }
            }
            var parameters = Parse(kind, given, out var parseErrors);
            problems.AddRange(parseErrors);
            errors = problems;
            return problems.Count == 0 ? parameters : null!;
        }
    }

    /// <summary>With one value changed (a sweep's point); checked like any other parameters.</summary>
    public StrategyParameters With(string name, double value, out IReadOnlyList<ParameterError> errors)
    {
        var given = Values.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
        given[name] = value;
        return Parse(Kind, given, out errors);
    }

    /// <summary>The canonical JSON: every parameter in the kind's order, booleans as true/false, numbers round-trip.</summary>
    public string ToJson()
    {
        var text = new StringBuilder("{");
        for (var i = 0; i < _values.Length; i++)
        {
            var spec = Kind.Parameters[i];
            if (i > 0) text.Append(',');
            text.Append('"').Append(spec.Name).Append("\":");
            text.Append(spec.Type == ParameterType.Boolean ? (_values[i] != 0 ? "true" : "false") : ParameterSpec.Format(_values[i]));
        }
        return text.Append('}').ToString();
    }

    public override string ToString() => $"{Kind.Name} {ToJson()}";
}
