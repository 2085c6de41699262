namespace TradingActors.Credentials;

/// <summary>
/// Master key rotation: add the new key to the ring as the active one, rewrap every tenant's data key,
/// then remove the old key. Sealed credentials are never read or rewritten: their data key does not change.
/// </summary>
public static class KeyRotation
{
    public static bool NeedsRewrap(WrappedDataKey wrapped, MasterKeyRing ring) => wrapped.MasterKeyId != ring.Active.Id;

    /// <summary>
    /// The same data key wrapped under the ring's active master key; <paramref name="wrapped"/> itself when it
    /// already is (not opened, so a rotation run twice costs nothing).
    /// </summary>
    public static WrappedDataKey Rewrap(WrappedDataKey wrapped, string tenantId, MasterKeyRing ring) =>
        NeedsRewrap(wrapped, ring) ? WrappedDataKey.Wrap(wrapped.Unwrap(tenantId, ring), tenantId, ring) : wrapped;
}
