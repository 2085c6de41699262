namespace TradingActors.Credentials;

/// <summary>
/// The master key file: one key per line as <c>id:base64</c> (32 bytes in standard base64), the active
/// key marked with a leading <c>*</c>, blank lines and lines starting with <c>#</c> ignored; spaces
/// around the parts are ignored too. For example:
/// <code>
/// # TradingActors master keys. Keep old keys until every data key is rewrapped.
/// 2025-01:7Yh…base64…=
/// *2025-07:q0Z…base64…=
/// </code>
/// Errors name the line number and the id, never the line's text: a line may be a key.
/// </summary>
public static class MasterKeyFile
{
    public const char ActiveMark = '*';
    public const char CommentMark = '#';
    public const char Separator = ':';

    public static MasterKeyRing Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeyRingException($"key file '{path}' cannot be read: {e.GetType().Name}");
        }
        return Parse(text, $"key file '{path}'");
    }

    /// <param name="source">How errors name the text, e.g. the file's path.</param>
    public static MasterKeyRing Parse(string text, string source = "key file")
    {
        var keys = new List<MasterKey>();
        var lineOf = new Dictionary<string, int>(StringComparer.Ordinal);
        string? activeId = null;
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var number = i + 1;
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] == CommentMark) continue;

            var active = line[0] == ActiveMark;
            if (active) line = line[1..];
            var separator = line.IndexOf(Separator);
            if (separator < 0) throw Error(source, number, $"a key line is 'id{Separator}base64', with '{ActiveMark}' before the active key's id");
            var id = line[..separator].Trim();

            MasterKey key;
            try
            {
                key = MasterKey.FromBase64(id, line[(separator + 1)..]);
            }
            catch (KeyRingException e)
            {
                throw Error(source, number, e.Message);
            }
            if (lineOf.TryGetValue(id, out var first)) throw Error(source, number, $"master key id '{id}' is already on line {first}");
            lineOf[id] = number;
            keys.Add(key);

            if (active && activeId is not null) throw Error(source, number, $"a second active key: line {lineOf[activeId]} is marked '{ActiveMark}' already");
            if (active) activeId = id;
        }
        if (keys.Count == 0) throw new KeyRingException($"{source}: no master keys");
        if (activeId is null) throw new KeyRingException($"{source}: no active master key; mark one line with '{ActiveMark}'");
        return MasterKeyRing.Of(keys, activeId);
    }

    /// <summary>A key file line for <paramref name="key"/>, for scripts and the rotation command.</summary>
    public static string Line(MasterKey key, bool active) => $"{(active ? ActiveMark.ToString() : "")}{key.Id}{Separator}{key.ToBase64()}";

    /// <summary>
    /// Rotation in the file: the current active key loses its mark, <paramref name="newKey"/> is appended
    /// as the active one; every other line (comments included) stays as it was. The text must parse.
    /// </summary>
    public static string WithNewActiveKey(string text, MasterKey newKey, string source = "key file")
    {
        var ring = Parse(text, source);
        if (ring.Contains(newKey.Id)) throw new KeyRingException($"{source}: master key id '{newKey.Id}' is already in the file");
        var lines = text.Split('\n').Select(Unmarked).ToList();
        if (lines[^1].Trim().Length == 0) lines.RemoveAt(lines.Count - 1);
        lines.Add(Line(newKey, active: true));
        return string.Join('\n', lines) + "\n";
    }

    // Only the mark goes; indentation and the rest of the line are kept.
    private static string Unmarked(string line)
    {
        var start = line.Length - line.TrimStart().Length;
        return line.Length > start && line[start] == ActiveMark ? line.Remove(start, 1) : line;
    }

    private static KeyRingException Error(string source, int line, string problem) => new($"{source} line {line}: {problem}");
}
