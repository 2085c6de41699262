namespace TradingActors.Credentials;

/// <summary>
/// The master keys a node knows, by id, with one active: new wraps use the active key, unwraps use
/// whichever key the wrapped data key names. Old keys stay until every data key is rewrapped
/// (<see cref="KeyRotation"/>); then they can be removed. Prints ids only.
/// </summary>
public sealed record MasterKeyRing
{
    private readonly Dictionary<string, MasterKey> _keys;

    public MasterKey Active { get; }

    /// <summary>Every id, in ordinal order.</summary>
    public IReadOnlyList<string> Ids { get; }

    private MasterKeyRing(Dictionary<string, MasterKey> keys, MasterKey active)
    {
        _keys = keys;
        Active = active;
        Ids = [.. keys.Keys.Order(StringComparer.Ordinal)];
    }

    public static MasterKeyRing Of(IEnumerable<MasterKey> keys, string? activeId)
    {
        var byId = new Dictionary<string, MasterKey>(StringComparer.Ordinal);
        foreach (var key in keys)
            if (!byId.TryAdd(key.Id, key)) throw new KeyRingException($"master key id '{key.Id}' appears twice");
        if (byId.Count == 0) throw new KeyRingException("no master keys");
        if (string.IsNullOrWhiteSpace(activeId)) throw new KeyRingException("no active master key is named");
        if (!byId.TryGetValue(activeId, out var active))
            throw new KeyRingException($"the active master key {MasterKey.Shown(activeId)} is not among the master keys ({string.Join(", ", byId.Keys.Order(StringComparer.Ordinal))})");
        return new MasterKeyRing(byId, active);
    }

    /// <summary>Keys from configuration: id → standard base64 of 32 bytes, and the active id.</summary>
    public static MasterKeyRing FromBase64(IEnumerable<KeyValuePair<string, string>> base64ById, string? activeId) =>
        Of(base64ById.Select(k => MasterKey.FromBase64(k.Key, k.Value)), activeId);

    public bool Contains(string id) => _keys.ContainsKey(id);

    public MasterKey Find(string id) =>
        _keys.TryGetValue(id, out var key)
            ? key
            : throw new UnknownMasterKeyException(id, $"master key {MasterKey.Shown(id)} is not in the key ring (it holds {string.Join(", ", Ids)})");

    /// <summary>Rotation's first step: the new key joins the ring and becomes the active one.</summary>
    public MasterKeyRing WithActive(MasterKey key) => Of([.. _keys.Values, key], key.Id);

    /// <summary>Rotation's last step, once no data key is wrapped under the old key any more.</summary>
    public MasterKeyRing Without(string id)
    {
        if (id == Active.Id) throw new KeyRingException($"master key '{id}' is the active one and cannot be removed");
        var rest = _keys.Values.Where(k => k.Id != id).ToList();
        if (rest.Count == _keys.Count) throw new KeyRingException($"master key {MasterKey.Shown(id)} is not in the key ring");
        return Of(rest, Active.Id);
    }

    public override string ToString() => $"MasterKeyRing {{ Active = {Active.Id}, Ids = [{string.Join(", ", Ids)}] }}";
}
