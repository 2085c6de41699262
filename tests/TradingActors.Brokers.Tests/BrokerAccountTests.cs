namespace TradingActors.Brokers.Tests;

public sealed class BrokerAccountTests
{
    [Fact]
    public void ToString_does_not_reveal_credentials()
    {
        var account = new BrokerAccount("acc-1", "VA-1", ApiKey: "key-123", ApiSecret: "s3cr3t-value");

        var text = account.ToString();

        Assert.DoesNotContain("s3cr3t-value", text);
        Assert.DoesNotContain("key-123", text);
        Assert.Contains("acc-1", text);
    }
}
