using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace TradingActors.Cli;

/// <summary>Readable tables by default; with --json the node's answer as it came, for scripts.</summary>
public static class Output
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static void Json(IAnsiConsole console, JsonElement value) => console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(value, Indented));

    /// <summary>An array of objects as a table, one column per property (the first object's, in order).</summary>
    public static void Table(IAnsiConsole console, JsonElement rows, params string[] columns)
    {
        var items = rows.EnumerateArray().ToList();
        if (columns.Length == 0 && items.Count > 0) columns = items[0].EnumerateObject().Select(p => p.Name).ToArray();
        var table = new Table().Border(TableBorder.Simple);
        foreach (var column in columns) table.AddColumn(Header(column));
        foreach (var item in items) table.AddRow(columns.Select(c => Markup.Escape(Cell(item, c))).ToArray());
        console.Write(table);
        if (items.Count == 0) console.WriteLine("(none)");
    }

    /// <summary>An object's scalar properties as "name: value" lines.</summary>
    public static void Fields(IAnsiConsole console, JsonElement value, params string[] names)
    {
        foreach (var name in names.Length > 0 ? names : value.EnumerateObject().Select(p => p.Name).ToArray())
            console.WriteLine($"{Header(name)}: {Cell(value, name)}");
    }

    public static string Cell(JsonElement item, string name) =>
        item.TryGetProperty(name, out var v) ? Scalar(v) : "";

    private static string Scalar(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => "-",
        JsonValueKind.String => v.GetString()!,
        JsonValueKind.Number => v.GetDecimal().ToString(CultureInfo.InvariantCulture),
        JsonValueKind.True => "yes",
        JsonValueKind.False => "no",
        JsonValueKind.Array => string.Join(",", v.EnumerateArray().Select(Scalar)),
        _ => v.GetRawText(),
    };

    private static string Header(string name) => name.ToUpperInvariant();
}
