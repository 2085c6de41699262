using static TradingActors.Credentials.Tests.TestKeys;

namespace TradingActors.Credentials.Tests;

/// <summary>MasterKey and MasterKeyRing: keys from configuration values, the active key, lookups, rotation steps.</summary>
public sealed class MasterKeyRingTests
{
    private static readonly string OldBase64 = Base64(Old);
    private static readonly string NewBase64 = Base64(New);
    private static readonly string ShortBase64 = Convert.ToBase64String(Bytes(5, 16));
    private static readonly string PastedKeyAsId = Convert.ToBase64String(Bytes(9)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed record Case(KeyValuePair<string, string>[] Keys, string? ActiveId, string Message);

    private static KeyValuePair<string, string> K(string id, string base64) => new(id, base64);

    private static readonly Dictionary<string, Case> Errors = new()
    {
        ["no keys at all"] = new([], "2025-01", "no master keys"),
        ["an id twice"] = new([K("2025-01", OldBase64), K("2025-01", NewBase64)], "2025-01", "master key id '2025-01' appears twice"),
        ["a key of 16 bytes"] = new([K("2025-01", ShortBase64)], "2025-01", "master key '2025-01' is 16 bytes; an AES-256 master key is 32"),
        ["a key of 33 bytes"] = new([K("2025-01", Convert.ToBase64String(Bytes(3, 33)))], "2025-01", "master key '2025-01' is 33 bytes; an AES-256 master key is 32"),
        ["a key that is not base64"] = new([K("2025-01", "not*base64*at*all")], "2025-01", "master key '2025-01' is not valid base64"),
        ["an empty id"] = new([K("", OldBase64)], "", "a master key id is 1 to 32 letters, digits, '-' or '_'"),
        ["an id with a dot"] = new([K("2025.01", OldBase64)], "2025.01", "a master key id is 1 to 32 letters, digits, '-' or '_'"),
        ["an id with a space"] = new([K("key one", OldBase64)], "key one", "a master key id is 1 to 32 letters, digits, '-' or '_'"),
        ["an id of 33 characters"] = new([K(new string('k', 33), OldBase64)], "k", "a master key id is 1 to 32 letters, digits, '-' or '_'"),
        ["a key pasted as the id"] = new([K(PastedKeyAsId, OldBase64)], "k", "a master key id is 1 to 32 letters, digits, '-' or '_'"),
        ["an invalid id with a key that is not base64"] = new([K("key one", "not*base64")], "key one", "a master key id is 1 to 32 letters, digits, '-' or '_'"),
        ["no active id"] = new([K("2025-01", OldBase64)], null, "no active master key is named"),
        ["an empty active id"] = new([K("2025-01", OldBase64)], "", "no active master key is named"),
        ["a blank active id"] = new([K("2025-01", OldBase64)], "  ", "no active master key is named"),
        ["an unknown active id"] = new([K("2025-07", NewBase64), K("2025-01", OldBase64)], "2024-12", "the active master key '2024-12' is not among the master keys (2025-01, 2025-07)"),
        ["a key pasted as the active id"] = new([K("2025-01", OldBase64)], OldBase64, "the active master key (not a valid id) is not among the master keys (2025-01)"),
    };

    public static TheoryData<string> ErrorCases => new(Errors.Keys);

    [Theory]
    [MemberData(nameof(ErrorCases))]
    public void Configuration_errors_say_what_is_wrong_and_quote_no_key(string name)
    {
        var c = Errors[name];

        var ex = Assert.Throws<KeyRingException>(() => MasterKeyRing.FromBase64(c.Keys, c.ActiveId));

        Assert.Equal(c.Message, ex.Message);
        AssertQuotesNone(ex.Message, c.Keys.Select(k => k.Value).Append(PastedKeyAsId).Append(OldBase64));
    }

    [Fact]
    public void Configuration_keys_make_a_ring_with_the_named_key_active()
    {
        var ring = MasterKeyRing.FromBase64([K("2025-07", " " + NewBase64 + "\n"), K("2025-01", OldBase64)], "2025-01");

        Assert.Equal("2025-01", ring.Active.Id);
        Assert.Equal(Old.Material, ring.Active.Material);
        Assert.Equal(New.Material, ring.Find("2025-07").Material);
        Assert.Equal(["2025-01", "2025-07"], ring.Ids);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("Z")]
    [InlineData("0")]
    [InlineData("key_2025-07")]
    [InlineData("abcdefghijklmnopqrstuvwxyz012345")]
    public void Ids_of_letters_digits_dash_and_underscore_up_to_32_are_valid(string id)
    {
        Assert.True(MasterKey.IsValidId(id));
        Assert.Equal(id, new MasterKey(id, Bytes(1)).Id);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456")]
    [InlineData("a.b")]
    [InlineData("a:b")]
    [InlineData("a+b")]
    [InlineData("a/b")]
    [InlineData("a=")]
    [InlineData("é")]
    public void Other_ids_are_invalid(string? id) => Assert.False(MasterKey.IsValidId(id));

    [Fact]
    public void A_key_copies_its_bytes()
    {
        var bytes = Bytes(1);
        var key = new MasterKey("k", bytes);
        bytes[0] ^= 0xFF;

        Assert.Equal(Bytes(1), key.Material);
    }

    [Fact]
    public void Generated_keys_are_32_random_bytes()
    {
        var a = MasterKey.Generate("a");
        var b = MasterKey.Generate("a");

        Assert.Equal("a", a.Id);
        Assert.Equal(32, a.Material.Length);
        Assert.NotEqual(a.Material, b.Material);
    }

    [Fact]
    public void A_generated_key_with_an_invalid_id_is_refused() =>
        Assert.Equal("a master key id is 1 to 32 letters, digits, '-' or '_'", Assert.Throws<KeyRingException>(() => MasterKey.Generate("a.b")).Message);

    [Fact]
    public void Keys_compare_ids_ordinally()
    {
        var ring = MasterKeyRing.Of([new MasterKey("k", Bytes(1)), new MasterKey("K", Bytes(2))], "K");

        Assert.Equal(Bytes(2), ring.Active.Material);
        Assert.Equal(["K", "k"], ring.Ids);
        Assert.True(ring.Contains("k"));
        Assert.False(ring.Contains("k2"));
    }

    [Fact]
    public void Finding_an_unknown_id_names_it_and_the_ids_held()
    {
        var ring = Ring(New, Old);

        var ex = Assert.Throws<UnknownMasterKeyException>(() => ring.Find("2024-12"));

        Assert.Equal("2024-12", ex.MasterKeyId);
        Assert.Equal("master key '2024-12' is not in the key ring (it holds 2025-01, 2025-07)", ex.Message);
    }

    [Fact]
    public void A_new_active_key_joins_the_ring_and_the_old_one_stays()
    {
        var ring = Ring(Old).WithActive(New);

        Assert.Same(New, ring.Active);
        Assert.Same(Old, ring.Find("2025-01"));
        Assert.Equal(["2025-01", "2025-07"], ring.Ids);
    }

    [Fact]
    public void A_new_active_key_with_an_id_in_use_is_refused() =>
        Assert.Equal("master key id '2025-01' appears twice",
            Assert.Throws<KeyRingException>(() => Ring(Old).WithActive(new MasterKey("2025-01", Bytes(50)))).Message);

    [Fact]
    public void An_old_key_can_be_removed()
    {
        var ring = Ring(Old, New).Without("2025-01");

        Assert.Same(New, ring.Active);
        Assert.Equal(["2025-07"], ring.Ids);
        Assert.False(ring.Contains("2025-01"));
    }

    [Fact]
    public void The_active_key_cannot_be_removed() =>
        Assert.Equal("master key '2025-07' is the active one and cannot be removed",
            Assert.Throws<KeyRingException>(() => Ring(Old, New).Without("2025-07")).Message);

    [Fact]
    public void Removing_a_key_not_held_is_refused() =>
        Assert.Equal("master key '2024-12' is not in the key ring",
            Assert.Throws<KeyRingException>(() => Ring(Old, New).Without("2024-12")).Message);
}
