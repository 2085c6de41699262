using TradingActors.Brokers.Alpaca;
using TradingActors.Brokers.Fakes;

namespace TradingActors.Brokers.Tests.Venues.Alpaca;

/// <summary>The HTTP venue contract, run against <see cref="AlpacaFake"/>: Alpaca answers a placement "accepted" before it fills.</summary>
public sealed class AlpacaContractTests : HttpVenueContractTests
{
    protected override string Symbol => "AAPL";
    protected override decimal Price => 190m;
    protected override decimal Quantity => 1m;

    protected override FakeVenueServer CreateFake() => new AlpacaFake();

    protected override IBrokerClient CreateClient(Uri baseUrl) => AlpacaTestKit.Client(baseUrl);
}
