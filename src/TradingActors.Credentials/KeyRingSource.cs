namespace TradingActors.Credentials;

/// <summary>
/// The node's current master key ring, shared by whoever seals or opens (the API, broker sessions, the rotation
/// command). Replacing it is how a node takes a new active key without losing the old ones' wraps (rotation step 1).
/// </summary>
public sealed class KeyRingSource(MasterKeyRing ring)
{
    private volatile MasterKeyRing _current = ring ?? throw new ArgumentNullException(nameof(ring));

    public MasterKeyRing Current => _current;

    public void Replace(MasterKeyRing ring) => _current = ring ?? throw new ArgumentNullException(nameof(ring));

    public override string ToString() => $"KeyRingSource {{ {_current} }}";
}
