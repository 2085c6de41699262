using System.Globalization;
using TradingActors.Domain.Strategies;

namespace TradingActors.Backtesting;

/// <summary>One varied parameter of a sweep and its values, in the order they are tried.</summary>
public sealed record ParameterAxis
{
    public ParameterAxis(string name, IReadOnlyList<double> values)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException($"sweep axis {name} has no values", nameof(values));
        Name = name;
        Values = values.ToArray();
    }

    public string Name { get; }

    public IReadOnlyList<double> Values { get; }

    public static ParameterAxis Of(string name, params double[] values) => new(name, values);

    /// <summary>
    /// from, from + step, ... up to and including <paramref name="to"/> (within a billionth of a step). The values are
    /// computed in decimal as from + i × step, so 0.1 steps give 0.3, not 0.30000000000000004.
    /// </summary>
    public static ParameterAxis Range(string name, double from, double to, double step, int maxValues = ParameterGrid.DefaultMaxPoints)
    {
        if (!double.IsFinite(from) || !double.IsFinite(to) || !double.IsFinite(step))
            throw new ArgumentException($"sweep axis {name}: from, to and step must be finite numbers");
        if (step <= 0) throw new ArgumentException($"sweep axis {name}: step must be positive (got {Text(step)})", nameof(step));
        if (to < from) throw new ArgumentException($"sweep axis {name}: to ({Text(to)}) is below from ({Text(from)})", nameof(to));
        var span = ((decimal)to - (decimal)from) / (decimal)step;
        if (span >= maxValues) throw new ArgumentException($"sweep axis {name}: {Text(from)} to {Text(to)} by {Text(step)} has more than {maxValues} values", nameof(step));
        var count = (int)decimal.Floor(span + 0.000000001m) + 1;
        var values = new double[count];
        for (var i = 0; i < count; i++) values[i] = (double)((decimal)from + i * (decimal)step);
        return new ParameterAxis(name, values);
    }

    internal static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>A point of a sweep that can run: its index in the full product and its checked parameters.</summary>
public sealed record GridPoint(int Index, StrategyParameters Parameters, IReadOnlyList<double> AxisValues);

/// <summary>A point of the product that the kind refuses (its cross-field or range rules), and why.</summary>
public sealed record SkippedPoint(int Index, IReadOnlyList<double> AxisValues, IReadOnlyList<ParameterError> Errors);

/// <summary>
/// The cartesian product of a few parameters' values over base parameters, enumerated deterministically: axes in the
/// order given, the last one varying fastest (like nested loops). A point is numbered by its place in the full
/// product, skipped ones included, so a point's index names it in every table. Points the kind refuses are skipped and
/// reported. A product larger than the cap is refused before anything is built.
/// </summary>
public sealed class ParameterGrid
{
    public const int DefaultMaxPoints = 10_000;

    private ParameterGrid(StrategyKind kind, IReadOnlyList<ParameterAxis> axes, int total, IReadOnlyList<GridPoint> points, IReadOnlyList<SkippedPoint> skipped)
    {
        Kind = kind;
        Axes = axes;
        Total = total;
        Points = points;
        Skipped = skipped;
    }

    public StrategyKind Kind { get; }

    public IReadOnlyList<ParameterAxis> Axes { get; }

    /// <summary>Size of the product: <see cref="Points"/> + <see cref="Skipped"/>.</summary>
    public int Total { get; }

    public IReadOnlyList<GridPoint> Points { get; }

    public IReadOnlyList<SkippedPoint> Skipped { get; }

    /// <summary>
    /// The grid of <paramref name="axes"/> over <paramref name="baseParameters"/> (the kind's defaults when null).
    /// Throws <see cref="ArgumentException"/> for an axis the kind has no parameter for, an axis given twice, base
    /// parameters of another kind, or a product of more than <paramref name="maxPoints"/> points.
    /// </summary>
    public static ParameterGrid Build(StrategyKind kind, StrategyParameters? baseParameters, IReadOnlyList<ParameterAxis> axes, int maxPoints = DefaultMaxPoints)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(axes);
        if (maxPoints < 1) throw new ArgumentOutOfRangeException(nameof(maxPoints), maxPoints, "the cap must be at least 1");
        if (baseParameters is not null && !ReferenceEquals(baseParameters.Kind, kind))
            throw new ArgumentException($"base parameters are for {baseParameters.Kind.Name}, not {kind.Name}", nameof(baseParameters));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var product = System.Numerics.BigInteger.One;
        foreach (var axis in axes)
        {
            if (axis is null) throw new ArgumentException("a sweep axis is null", nameof(axes));
            if (kind.IndexOf(axis.Name) < 0)
                throw new ArgumentException($"{kind.Name} has no parameter '{axis.Name}' (it has: {string.Join(", ", kind.Parameters.Select(p => p.Name))})", nameof(axes));
            if (!seen.Add(axis.Name)) throw new ArgumentException($"parameter {axis.Name} is swept twice", nameof(axes));
            product *= axis.Values.Count;
        }
        if (product > maxPoints)
            throw new ArgumentException($"the sweep has {product.ToString("N0", CultureInfo.InvariantCulture)} points, more than the cap of {maxPoints.ToString("N0", CultureInfo.InvariantCulture)}", nameof(axes));
        var total = (int)product;

        var given = new Dictionary<string, double>(StringComparer.Ordinal);
        if (baseParameters is not null)
            foreach (var (name, value) in baseParameters.Values) given[name] = value;

        var points = new List<GridPoint>();
        var skipped = new List<SkippedPoint>();
        var digits = new int[axes.Count];
        for (var index = 0; index < total; index++)
        {
            var values = new double[axes.Count];
            for (var a = 0; a < axes.Count; a++)
            {
                values[a] = axes[a].Values[digits[a]];
                given[axes[a].Name] = values[a];
            }
            var parameters = StrategyParameters.Parse(kind, given, out var errors);
            if (errors.Count == 0) points.Add(new GridPoint(index, parameters, values));
            else skipped.Add(new SkippedPoint(index, values, errors));
            // Odometer: the last axis turns fastest.
            for (var a = axes.Count - 1; a >= 0; a--)
            {
                if (++digits[a] < axes[a].Values.Count) break;
                digits[a] = 0;
            }
        }
        return new ParameterGrid(kind, axes.ToArray(), total, points, skipped);
    }
}
