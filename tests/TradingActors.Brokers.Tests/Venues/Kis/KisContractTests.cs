using TradingActors.Brokers.Fakes;
using TradingActors.Brokers.Http;
using TradingActors.Brokers.Kis;

namespace TradingActors.Brokers.Tests.Venues.Kis;

/// <summary>
/// The shared venue contract, run against the KIS fake (mock server, 모의투자): no client order ids — orders are
/// found again by number or by inquiry — and a session token issued before the account's first call.
/// </summary>
public sealed class KisContractTests : HttpVenueContractTests
{
    /// <summary>The KIS account number the suite's account ("ACC-1") has at the fake.</summary>
    public const string KisAccount = "12345678-01";

    protected override string Symbol => "005930";
    protected override decimal Price => 70_000m;
    protected override decimal Quantity => 1m;
    protected override bool HasClientOrderIds => false;

    protected override FakeVenueServer CreateFake() =>
        new KisFake(new FakeExchange(TimeProvider.System), new KisFakeOptions
        {
            // The suite makes many calls a test; the mock server's 2/s is tested in KisFakeTests and KisBrokerClientTests.
            MockRequestsPerSecond = 1_000,
            PageSize = 2,
            SeededCash = 100_000_000m,
            AccountNumbers = new Dictionary<string, string> { [AccountNumber] = KisAccount },
        });

    protected override IBrokerClient CreateClient(Uri baseUrl) => KisTestKit.Client(baseUrl);

    /// <summary>The session issues the account's token once; the account number is KIS's own.</summary>
    protected override async Task<BrokerAccount> OpenAccountAsync(BrokerAccount account)
    {
        var opened = account with { VenueAccountNumber = KisAccount };
        var token = await ((ITokenVenue)Client).IssueTokenAsync(opened, Soon);
        return opened with { Token = token };
    }

    /// <summary>
    /// The wrong secret gets no token (the venue refuses the issuance, not placed); the session would then call with
    /// the token it holds, which the venue takes only with the right secret — so the order and the check fail on the secret.
    /// </summary>
    protected override async Task<BrokerAccount> OpenWrongAsync(BrokerAccount wrong)
    {
        var refused = await Assert.ThrowsAsync<OrderNotPlacedException>(() => ((ITokenVenue)Client).IssueTokenAsync(wrong, Soon));
        Assert.Contains("EGW00105", refused.Message);
        return wrong with { Token = Account.Token };
    }
}
