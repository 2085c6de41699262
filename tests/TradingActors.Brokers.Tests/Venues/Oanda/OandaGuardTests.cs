using TradingActors.Brokers.Http;
using TradingActors.Brokers.Oanda;

namespace TradingActors.Brokers.Tests.Venues.Oanda;

/// <summary>Every public entry point refuses a missing argument at once instead of failing somewhere inside.</summary>
public sealed class OandaGuardTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch;
    private static readonly VenueResponse Ok = OandaKit.Answer(200, "{}");
    private static readonly BrokerAccount Account = OandaKit.Account();
    private static readonly OandaBrokerClient Client = OandaKit.Client(new Uri("http://127.0.0.1:9/"));

    public static TheoryData<string, Action> Pure => new()
    {
        { "PlaceAnswer answer", () => OandaErrors.PlaceAnswer(null!, OandaKit.Market(), Now) },
        { "PlaceAnswer intent", () => OandaErrors.PlaceAnswer(Ok, null!, Now) },
        { "Placed", () => OandaErrors.Placed(null!, "c") },
        { "FromOrders", () => OandaErrors.FromOrders(null!, [], "c") },
        { "FillOf", () => OandaErrors.FillOf(null!, "1") },
        { "FillParts", () => OandaErrors.FillParts(null!) },
        { "OrderAnswer", () => OandaErrors.OrderAnswer(null!, Now) },
        { "ExistingOrder", () => OandaErrors.ExistingOrder(null!, Now) },
        { "LookupFailed", () => OandaErrors.LookupFailed(null!) },
        { "Answer", () => OandaErrors.Answer(null!, Now) },
        { "TransactionAnswer", () => OandaErrors.TransactionAnswer(null!, Now) },
        { "CancelAnswer", () => OandaErrors.CancelAnswer(null!, Now) },
        { "InstrumentsAnswer", () => OandaErrors.InstrumentsAnswer(null!, Now) },
        { "Connectivity", () => OandaErrors.Connectivity(null!, Now) },
        { "AccountState summary", () => OandaErrors.AccountState(null!, new OandaResponse(), []) },
        { "AccountState positions", () => OandaErrors.AccountState(new OandaResponse(), null!, []) },
        { "AccountState orders", () => OandaErrors.AccountState(new OandaResponse(), new OandaResponse(), null!) },
        { "PendingOrders", () => OandaErrors.PendingOrders(null!) },
        { "Failure", () => OandaErrors.Failure(null!, null, Now) },
        { "Detail", () => OandaErrors.Detail(null!, null) },
        { "ToInstrument", () => OandaInstruments.ToInstrument(null!) },
        { "TokenOf", () => OandaAuth.TokenOf(null!) },
        { "Authorize", () => OandaAuth.Authorize(null!, "t") },
        { "Request", () => OandaBrokerClient.Request(null!) },
        { "client options", () => _ = new OandaBrokerClient(null!, new HttpClient(), TimeProvider.System) },
        { "client http", () => _ = new OandaBrokerClient(new OandaOptions(), null!, TimeProvider.System) },
        { "client time", () => _ = new OandaBrokerClient(new OandaOptions(), new HttpClient(), null!) },
        { "feed options", () => _ = new OandaMarketData(null!, new HttpClient(), TimeProvider.System) },
        { "feed http", () => _ = new OandaMarketData(new OandaOptions(), null!, TimeProvider.System) },
        { "feed time", () => _ = new OandaMarketData(new OandaOptions(), new HttpClient(), null!) },
    };

    [Theory]
    [MemberData(nameof(Pure))]
    public void A_missing_argument_is_refused(string what, Action call)
    {
        var e = Record.Exception(call);

        Assert.True(e is ArgumentNullException, $"{what}: {e?.GetType().Name}");
    }

    public static TheoryData<string, Func<Task>> Calls => new()
    {
        { "place account", () => Client.PlaceOrderAsync(null!, OandaKit.Market(), default) },
        { "place intent", () => Client.PlaceOrderAsync(Account, null!, default) },
        { "find account", () => Client.FindOrderAsync(null!, OrderLookup.Of(OandaKit.Market()), default) },
        { "find lookup", () => Client.FindOrderAsync(Account, null!, default) },
        { "cancel account", () => Client.CancelOrderAsync(null!, OrderLookup.Of(OandaKit.Market()), default) },
        { "cancel lookup", () => Client.CancelOrderAsync(Account, null!, default) },
        { "account", () => Client.GetAccountAsync(null!, default) },
        { "instrument account", () => Client.GetInstrumentAsync(null!, "EUR_USD", default) },
        { "instrument symbol", () => Client.GetInstrumentAsync(Account, null!, default) },
        { "check", () => Client.CheckConnectivityAsync(null!, default) },
        { "stream account", async () => { await foreach (var _ in new OandaMarketData(new OandaOptions(), new HttpClient(), TimeProvider.System).StreamAsync(null!, ["EUR_USD"])) { } } },
        { "stream instruments", async () => { await foreach (var _ in new OandaMarketData(new OandaOptions(), new HttpClient(), TimeProvider.System).StreamAsync(Account, null!)) { } } },
    };

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task A_call_without_its_argument_is_refused(string what, Func<Task> call)
    {
        var e = await Record.ExceptionAsync(call);

        Assert.True(e is ArgumentNullException, $"{what}: {e?.GetType().Name}");
    }

    [Fact]
    public async Task A_blank_symbol_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Client.GetInstrumentAsync(Account, " ", default));
    }
}
