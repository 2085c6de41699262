using TradingActors.Brokers.Bybit;
using TradingActors.Brokers.Fakes;
using TradingActors.Brokers.Http;

namespace TradingActors.Brokers.Tests.Venues.Bybit;

/// <summary>The venue contract, Bybit v5 (linear) against its local fake: BTCUSDT at 50,000, 0.01 a time.</summary>
public sealed class BybitContractTests : HttpVenueContractTests
{
    protected override string Symbol => "BTCUSDT";
    protected override decimal Price => 50_000m;
    protected override decimal Quantity => 0.01m;

    protected override FakeVenueServer CreateFake() => new BybitFake(new FakeExchange(TimeProvider.System));

    protected override IBrokerClient CreateClient(Uri baseUrl) => BybitTestKit.Client(baseUrl);

    /// <summary>The host reads the venue's clock at start, so the first order does not (and a fault meant for it does not hit the clock).</summary>
    protected override async Task<BrokerAccount> OpenAccountAsync(BrokerAccount account)
    {
        await ((BybitBrokerClient)Client).SyncServerTimeAsync(account.IsLive, Soon);
        return account;
    }
}

/// <summary>What the Bybit tests share: a connector pointed at a fake with retries short enough for a test, and the fake's account.</summary>
internal static class BybitTestKit
{
    public const string AccountNumber = "UID-1";
    public const string ApiKey = "bybit-key-0123456789";
    public const string ApiSecret = "bybit-secret-abcdefghijklmnop";

    public static VenueRetryOptions FastRetries { get; } = new() { MaxAttempts = 3, FirstDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(50), Deadline = TimeSpan.FromSeconds(5) };

    public static BybitBrokerClient Client(Uri baseUrl, BybitOptions? options = null, TimeProvider? time = null, VenueRetryOptions? retries = null, HttpMessageHandler? handler = null)
    {
        var t = time ?? TimeProvider.System;
        return new BybitBrokerClient((options ?? new BybitOptions()) with { LiveBaseUrl = baseUrl, TestBaseUrl = baseUrl },
            handler is null ? new HttpClient() : new HttpClient(handler), t, new VenueRetry(retries ?? FastRetries, t));
    }

    public static BrokerAccount Account(string? secret = null) => new("acct-1", AccountNumber, ApiKey, secret ?? ApiSecret);

    public static async Task<BybitFake> StartAsync(BybitFakeOptions? options = null, TimeProvider? time = null, decimal cash = 100_000m, decimal? btc = 50_000m)
    {
        var fake = new BybitFake(new FakeExchange(time ?? TimeProvider.System), options);
        fake.SeedAccount(AccountNumber, ApiKey, ApiSecret, cash);
        if (btc is { } price) fake.Exchange.SetPrice("BTCUSDT", price);
        await fake.StartAsync();
        return fake;
    }

    public static CancellationToken Soon => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;
}

/// <summary>Answers chosen requests itself (a venue answer the fake would not give) and passes the rest to the fake.</summary>
internal sealed class StubHandler(Func<HttpRequestMessage, HttpResponseMessage?> answer) : DelegatingHandler(new HttpClientHandler())
{
    public static HttpResponseMessage Json(string body, System.Net.HttpStatusCode status = System.Net.HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        answer(request) ?? await base.SendAsync(request, cancellationToken);
}

/// <summary>A network whose round trip takes a set time on the client's clock.</summary>
internal sealed class RoundTripHandler(ManualClock clock, TimeSpan roundTrip) : DelegatingHandler(new HttpClientHandler())
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        clock.Advance(roundTrip);
        return response;
    }
}
