using TradingActors.Brokers.Alpaca;
using TradingActors.Brokers.Bybit;
using TradingActors.Brokers.Kis;
using TradingActors.Brokers.Oanda;

namespace TradingActors.Brokers.Fakes;

/// <summary>
/// The four real venues' local fakes as one catalog: how each is made, the symbols it lists at their start prices, and
/// the demo account each is seeded with when it runs standalone (`tradectl fakes`, started by scripts/run.sh), so a
/// user can link a venue account in the demo. The demo credentials are fixed and public: they open only the fake.
/// </summary>
public static class FakeVenueCatalog
{
    public sealed record DemoAccount(string Venue, string Mode, string ApiKey, string? Secret, string AccountNumber)
    {
        public override string ToString() => $"DemoAccount {{ Venue = {Venue}, Mode = {Mode}, AccountNumber = {AccountNumber} }}";
    }

    public static IReadOnlyList<string> Venues { get; } = ["oanda", "alpaca", "bybit", "kis"];

    public static FakeVenueServer Create(string venue, FakeExchange exchange) => venue switch
    {
        "oanda" => new OandaFake(exchange),
        "alpaca" => new AlpacaFake(exchange),
        "bybit" => new BybitFake(exchange),
        "kis" => new KisFake(exchange),
        _ => throw new ArgumentException($"no fake for venue '{venue}'; the fakes are {string.Join(", ", Venues)}", nameof(venue)),
    };

    /// <summary>The symbols each fake lists, at a plausible start price in the venue's currency.</summary>
    public static IReadOnlyDictionary<string, decimal> StartPrices(string venue) => venue switch
    {
        "oanda" => new Dictionary<string, decimal> { ["EUR_USD"] = 1.085m, ["USD_JPY"] = 151.2m },
        "alpaca" => new Dictionary<string, decimal> { ["AAPL"] = 190m, ["MSFT"] = 410m },
        "bybit" => new Dictionary<string, decimal> { ["BTCUSDT"] = 60_000m, ["ETHUSDT"] = 3_000m },
        "kis" => new Dictionary<string, decimal> { ["005930"] = 70_000m, ["000660"] = 180_000m },
        _ => throw new ArgumentException($"no fake for venue '{venue}'", nameof(venue)),
    };

    /// <summary>The account a standalone fake is seeded with (the engine's practice mode: testnet, or paper at Alpaca).</summary>
    public static DemoAccount DemoAccountOf(string venue) => venue switch
    {
        "oanda" => new("oanda", "testnet", "demo-oanda-token-0000000000000001", null, "101-004-1234567-001"),
        "alpaca" => new("alpaca", "paper", "DEMOALPACAKEY0001", "demo-alpaca-secret-0001", "PA3DEMO00001"),
        "bybit" => new("bybit", "testnet", "DEMOBYBITKEY0001", "demo-bybit-secret-0001", "100200300"),
        "kis" => new("kis", "testnet", "DEMO-KIS-APPKEY-0001", "demo-kis-appsecret-0001", "12345678-01"),
        _ => throw new ArgumentException($"no fake for venue '{venue}'", nameof(venue)),
    };
}
