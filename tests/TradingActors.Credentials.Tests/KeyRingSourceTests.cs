namespace TradingActors.Credentials.Tests;

/// <summary>The node's current ring: what seals and opens now, replaced for a rotation, never null, printed without keys.</summary>
public sealed class KeyRingSourceTests
{
    [Fact]
    public void It_serves_its_ring_until_replaced_and_then_the_new_one()
    {
        var first = TestKeys.Ring(TestKeys.Old);
        var source = new KeyRingSource(first);
        Assert.Same(first, source.Current);

        var rotated = TestKeys.Ring(TestKeys.Old, TestKeys.New);
        source.Replace(rotated);

        Assert.Same(rotated, source.Current);
        Assert.Equal(TestKeys.New.Id, source.Current.Active.Id);
    }

    [Fact]
    public void A_missing_ring_is_refused_at_construction_and_on_replace_and_the_current_one_stays()
    {
        Assert.Equal("ring", Assert.Throws<ArgumentNullException>(() => new KeyRingSource(null!)).ParamName);
        var ring = TestKeys.Ring(TestKeys.Old);
        var source = new KeyRingSource(ring);
        Assert.Equal("ring", Assert.Throws<ArgumentNullException>(() => source.Replace(null!)).ParamName);
        Assert.Same(ring, source.Current);
    }

    [Fact]
    public void It_prints_ids_only()
    {
        var source = new KeyRingSource(TestKeys.Ring(TestKeys.Old, TestKeys.New));
        Assert.Equal("KeyRingSource { MasterKeyRing { Active = 2025-07, Ids = [2025-01, 2025-07] } }", source.ToString());
        Assert.DoesNotContain(TestKeys.Base64(TestKeys.New), source.ToString(), StringComparison.Ordinal);
    }
}
