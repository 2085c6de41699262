using System.Globalization;

namespace TradingActors.Billing.Fakes;

/// <summary>
/// A form-encoded Stripe request (body or query string) in Stripe's bracket notation, as a tree:
/// line_items[0][price]=p&amp;subscription_data[metadata][user_id]=u gives line_items → 0 → price and
/// subscription_data → metadata → user_id; "name[]" appends to a list. Values are URL-decoded ('+' is a space).
/// </summary>
public sealed class StripeForm
{
    private StripeForm(StripeFormNode root, IReadOnlyList<KeyValuePair<string, string>> pairs)
    {
        Root = root;
        Pairs = pairs;
    }

    public StripeFormNode Root { get; }

    /// <summary>The decoded key/value pairs in the order sent.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Pairs { get; }

    /// <summary>The value at a bracket path ("line_items[0][price]"), or null when absent or not a value.</summary>
    public string? this[string path] => Root.Find(Segments(path))?.Value;

    /// <summary>The node at a bracket path ("metadata"), or null.</summary>
    public StripeFormNode? Node(string path) => Root.Find(Segments(path));

    /// <summary>The parameters in a canonical order: two requests with the same parameters have the same text (idempotency).</summary>
    public string Canonical() =>
        string.Join("&", Pairs.OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));

    /// <exception cref="FormatException">Unbalanced brackets, or a key that is both a value and a parent.</exception>
    public static StripeForm Parse(string? encoded)
    {
        var root = new StripeFormNode();
        var pairs = new List<KeyValuePair<string, string>>();
        if (string.IsNullOrEmpty(encoded)) return new StripeForm(root, pairs);
        foreach (var part in encoded.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            var key = Decode(eq < 0 ? part : part[..eq]);
            var value = eq < 0 ? "" : Decode(part[(eq + 1)..]);
            pairs.Add(new(key, value));
            root.Set(Segments(key), value);
        }
        return new StripeForm(root, pairs);
    }

    private static string Decode(string s) => Uri.UnescapeDataString(s.Replace('+', ' '));

    /// <summary>"a[b][0]" → a, b, 0; "a[]" → a, "" (append).</summary>
    internal static List<string> Segments(string key)
    {
        var open = key.IndexOf('[');
        if (open == 0) throw new FormatException($"invalid parameter name '{key}'");
        var segments = new List<string> { open < 0 ? key : key[..open] };
        if (open < 0)
        {
            if (key.Contains(']')) throw new FormatException($"invalid parameter name '{key}'");
            return segments;
        }
        var i = open;
        while (i < key.Length)
        {
            if (key[i] != '[') throw new FormatException($"invalid parameter name '{key}'");
            var close = key.IndexOf(']', i);
            if (close < 0) throw new FormatException($"invalid parameter name '{key}': unbalanced brackets");
            var inner = key[(i + 1)..close];
            if (inner.Contains('[')) throw new FormatException($"invalid parameter name '{key}': unbalanced brackets");
            segments.Add(inner);
            i = close + 1;
        }
        return segments;
    }
}

/// <summary>One node of a <see cref="StripeForm"/>: a value, or children by name (a list's children are named 0, 1, …).</summary>
public sealed class StripeFormNode
{
    private readonly List<KeyValuePair<string, StripeFormNode>> _children = [];

    public string? Value { get; private set; }

    public IReadOnlyList<KeyValuePair<string, StripeFormNode>> Children => _children;

    public StripeFormNode? this[string name] => _children.FirstOrDefault(c => c.Key == name).Value;

    /// <summary>A list's items in index order (children named by whole numbers).</summary>
    public IReadOnlyList<StripeFormNode> Items =>
        _children.Where(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .OrderBy(c => int.Parse(c.Key, CultureInfo.InvariantCulture))
            .Select(c => c.Value)
            .ToList();

    /// <summary>The children that are values, by name (metadata[k]=v).</summary>
    public Dictionary<string, string> ToStringMap() =>
        _children.Where(c => c.Value.Value is not null).ToDictionary(c => c.Key, c => c.Value.Value!, StringComparer.Ordinal);

    internal StripeFormNode? Find(IReadOnlyList<string> segments)
    {
        var node = this;
        foreach (var segment in segments)
        {
            node = node[segment];
            if (node is null) return null;
        }
        return node;
    }

    internal void Set(IReadOnlyList<string> segments, string value)
    {
        var node = this;
        for (var i = 0; i < segments.Count; i++)
        {
            if (node.Value is not null) throw new FormatException($"parameter '{segments[i - 1]}' is both a value and an object");
            var name = segments[i] == "" ? node._children.Count.ToString(CultureInfo.InvariantCulture) : segments[i];
            var child = node[name];
            if (child is null)
            {
                child = new StripeFormNode();
                node._children.Add(new(name, child));
            }
            node = child;
        }
        if (node._children.Count > 0) throw new FormatException($"parameter '{segments[^1]}' is both a value and an object");
        // A repeated key keeps its last value, as Stripe does.
        node.Value = value;
    }
}
