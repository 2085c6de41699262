namespace TradingActors.Brokers.Tests;

public sealed class InjectedFaultsTests
{
    [Fact]
    public void A_fault_is_set_for_one_account_and_cleared_by_setting_none()
    {
        var faults = new InjectedFaults("paper");

        faults.Set("VA-1", VenueFault.Reject);
        Assert.Equal(VenueFault.Reject, faults.For("VA-1"));
        Assert.Equal(VenueFault.None, faults.For("VA-2"));

        faults.Set("VA-1", VenueFault.None);
        Assert.Equal(VenueFault.None, faults.For("VA-1"));
    }

    [Theory]
    [InlineData(VenueFault.Reject)]
    [InlineData(VenueFault.None)]
    public void A_fault_without_an_account_is_refused_naming_the_account(VenueFault fault)
    {
        var e = Assert.Throws<ArgumentNullException>(() => new InjectedFaults("paper").Set(null!, fault));

        Assert.Equal("venueAccountNumber", e.ParamName);
    }
}
