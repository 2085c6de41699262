using static TradingActors.Credentials.Tests.TestKeys;

namespace TradingActors.Credentials.Tests;

/// <summary>KeyRotation: a new master key re-wraps data keys; sealed credentials are never touched and keep opening.</summary>
public sealed class KeyRotationTests
{
    private sealed record Tenant(string Id, WrappedDataKey Wrapped, Dictionary<string, (SealedCredentials Sealed, BrokerCredentials Plain)> Accounts);

    private static List<Tenant> TenantsUnder(MasterKeyRing ring) =>
        [.. Enumerable.Range(1, 3).Select(t =>
        {
            var tenantId = $"tenant-{t}";
            var dataKey = DataKey.Generate();
            var accounts = Enumerable.Range(1, 2).ToDictionary(a => $"broker-{a}", a =>
            {
                var plain = new BrokerCredentials($"KEY{t}{a}-ABCDWXYZ", $"secret-{t}-{a}", $"U{t}00{a}", a == 1 ? null : "phrase");
                return (SealedCredentials.Seal(plain, dataKey, tenantId, $"broker-{a}"), plain);
            });
            return new Tenant(tenantId, WrappedDataKey.Wrap(dataKey, tenantId, ring), accounts);
        })];

    [Fact]
    public void Rotation_rewraps_every_data_key_and_every_sealed_credential_still_opens()
    {
        var tenants = TenantsUnder(Ring(Old));
        var rotating = Ring(Old).WithActive(New);

        var rewrapped = tenants.Select(t => t with { Wrapped = KeyRotation.Rewrap(t.Wrapped, t.Id, rotating) }).ToList();
        var afterRotation = rotating.Without(Old.Id);

        foreach (var (before, after) in tenants.Zip(rewrapped))
        {
            Assert.Equal("2025-01", before.Wrapped.MasterKeyId);
            Assert.Equal("2025-07", after.Wrapped.MasterKeyId);
            var dataKey = after.Wrapped.Unwrap(after.Id, afterRotation);
            Assert.Equal(before.Wrapped.Unwrap(before.Id, Ring(Old)).Material, dataKey.Material);
            foreach (var (accountId, (sealedCredentials, plain)) in after.Accounts)
                Assert.Equal(plain, sealedCredentials.OpenBrokerCredentials(dataKey, after.Id, accountId));
        }
    }

    [Fact]
    public void A_ring_keeping_the_old_key_opens_wraps_made_before_the_rotation()
    {
        var tenant = TenantsUnder(Ring(Old))[0];
        var rotated = Ring(Old).WithActive(New);

        var dataKey = tenant.Wrapped.Unwrap(tenant.Id, rotated);

        var (sealedCredentials, plain) = tenant.Accounts["broker-1"];
        Assert.Equal(plain, sealedCredentials.OpenBrokerCredentials(dataKey, tenant.Id, "broker-1"));
    }

    [Fact]
    public void A_wrap_not_rewrapped_before_the_old_key_is_removed_names_the_missing_key()
    {
        var tenant = TenantsUnder(Ring(Old))[0];

        var ex = Assert.Throws<UnknownMasterKeyException>(() => tenant.Wrapped.Unwrap(tenant.Id, Ring(Old, New).Without(Old.Id)));

        Assert.Equal("2025-01", ex.MasterKeyId);
    }

    [Fact]
    public void A_wrap_already_under_the_active_key_is_returned_as_it_is()
    {
        var wrapped = WrappedDataKey.Wrap(DataKey.Generate(), "tenant-1", Ring(Old, New));

        Assert.False(KeyRotation.NeedsRewrap(wrapped, Ring(Old, New)));
        Assert.Same(wrapped, KeyRotation.Rewrap(wrapped, "tenant-1", Ring(Old, New)));
    }

    [Fact]
    public void A_wrap_under_an_older_key_needs_rewrapping() =>
        Assert.True(KeyRotation.NeedsRewrap(WrappedDataKey.Wrap(DataKey.Generate(), "tenant-1", Ring(Old)), Ring(Old, New)));

    [Fact]
    public void Rewrapping_checks_the_tenant()
    {
        var wrapped = WrappedDataKey.Wrap(DataKey.Generate(), "tenant-1", Ring(Old));

        Assert.Throws<CredentialIntegrityException>(() => KeyRotation.Rewrap(wrapped, "tenant-2", Ring(Old, New)));
    }

    [Fact]
    public void A_rewrapped_key_is_bound_to_its_tenant()
    {
        var rewrapped = KeyRotation.Rewrap(WrappedDataKey.Wrap(DataKey.Generate(), "tenant-1", Ring(Old)), "tenant-1", Ring(Old, New));

        Assert.Throws<CredentialIntegrityException>(() => rewrapped.Unwrap("tenant-2", Ring(New)));
    }
}
