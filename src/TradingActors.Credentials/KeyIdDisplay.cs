namespace TradingActors.Credentials;

/// <summary>How responses and logs show a key id: its last 4 characters, never the rest.</summary>
public static class KeyIdDisplay
{
    public const string Ellipsis = "…";

    /// <summary>
    /// "…WXYZ"; an id shorter than 8 characters shows only "…", so the hint never reveals more than half of it.
    /// </summary>
    public static string LastFour(string? keyId) => keyId is { Length: >= 8 } ? Ellipsis + keyId[^4..] : Ellipsis;
}
