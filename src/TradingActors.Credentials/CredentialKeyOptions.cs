namespace TradingActors.Credentials;

/// <summary>
/// Where master keys come from ("Trading:Credentials"): a key file (<see cref="MasterKeyFile"/>), or keys
/// in configuration (e.g. environment variables Trading__Credentials__MasterKeys__2025-07) with the
/// active id named. Exactly one of the two. Prints without key material.
/// </summary>
public sealed class CredentialKeyOptions
{
    public const string Section = "Trading:Credentials";

    public string? KeyFile { get; set; }

    /// <summary>Master key id → standard base64 of 32 bytes.</summary>
    public Dictionary<string, string> MasterKeys { get; set; } = [];

    /// <summary>The active id among <see cref="MasterKeys"/>; a key file marks its own.</summary>
    public string? ActiveMasterKey { get; set; }

    /// <summary>The key ring, or a <see cref="KeyRingException"/> saying what is wrong; call it at start.</summary>
    public MasterKeyRing LoadKeyRing()
    {
        var hasFile = !string.IsNullOrWhiteSpace(KeyFile);
        if (hasFile && MasterKeys.Count > 0) throw Invalid("KeyFile and MasterKeys are both set; use one");
        if (hasFile && !string.IsNullOrWhiteSpace(ActiveMasterKey)) throw Invalid("ActiveMasterKey is for MasterKeys; a key file marks its active key with '*'");
        if (hasFile) return MasterKeyFile.Load(KeyFile!);
        if (MasterKeys.Count == 0) throw Invalid("no master keys: set KeyFile or MasterKeys");
        try
        {
            return MasterKeyRing.FromBase64(MasterKeys, ActiveMasterKey);
        }
        catch (KeyRingException e)
        {
            throw Invalid(e.Message);
        }
    }

    public override string ToString() =>
        $"CredentialKeyOptions {{ KeyFile = {KeyFile ?? "(none)"}, MasterKeys = [{string.Join(", ", MasterKeys.Keys.Select(MasterKey.Shown).Order(StringComparer.Ordinal))}], ActiveMasterKey = {MasterKey.Shown(ActiveMasterKey)} }}";

    private static KeyRingException Invalid(string problem) => new($"{Section}: {problem}");
}
