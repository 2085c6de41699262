using TradingActors.Brokers.Fakes;
using TradingActors.Brokers.Oanda;

namespace TradingActors.Brokers.Tests.Venues.Oanda;

/// <summary>
/// The venue contract against the OANDA fake. OANDA answers a placement with its fill transaction, so a market
/// order is Filled at once. The fake aims the contract's injected faults at the order request: the connector looks
/// each client id up before placing, and the suite's faults mean the request that takes the order.
/// </summary>
public sealed class OandaContractTests : HttpVenueContractTests
{
    protected override string Symbol => "EUR_USD";
    protected override decimal Price => 1.085m;
    protected override decimal Quantity => 1000m;
    protected override bool AnswersFillsAtOnce => true;

    protected override FakeVenueServer CreateFake() =>
        new OandaFake(new FakeExchange(TimeProvider.System), new OandaFakeOptions { AimFaultsAtOrders = true });

    protected override IBrokerClient CreateClient(Uri baseUrl) => OandaKit.Client(baseUrl);

    /// <summary>OANDA's one credential is the token (ApiKey): a wrong one goes there.</summary>
    protected override Task<BrokerAccount> OpenWrongAsync(BrokerAccount wrong) => Task.FromResult(wrong with { ApiKey = wrong.ApiSecret });
}
