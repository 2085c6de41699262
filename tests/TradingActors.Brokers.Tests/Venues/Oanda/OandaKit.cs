using System.Net;
using System.Net.Http.Headers;
using TradingActors.Brokers.Fakes;
using TradingActors.Brokers.Http;
using TradingActors.Brokers.Oanda;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Tests.Venues.Oanda;

/// <summary>What the OANDA tests share: a fake on an ephemeral port, a connector pointed at it, plain HTTP to it.</summary>
internal static class OandaKit
{
    public const string AccountId = "101-004-1234567-001";
    public const string Token = "0f1e2d3c4b5a69788796a5b4c3d2e1f0-00112233445566778899aabbccddeeff";

    public static OandaOptions Options(Uri baseUrl) => new()
    {
        LiveBaseUrl = baseUrl, TestBaseUrl = baseUrl, LiveStreamUrl = baseUrl, TestStreamUrl = baseUrl,
        HttpTimeout = TimeSpan.FromSeconds(5),
        StreamStallTimeout = TimeSpan.FromMilliseconds(300),
        StreamFirstReconnectDelay = TimeSpan.FromMilliseconds(20),
        StreamMaxReconnectDelay = TimeSpan.FromMilliseconds(200),
        StreamAuthRetryDelay = TimeSpan.FromMilliseconds(600),
    };

    public static VenueRetry Retry => new(new VenueRetryOptions { FirstDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(50), Deadline = TimeSpan.FromSeconds(8) }, TimeProvider.System);

    public static OandaBrokerClient Client(Uri baseUrl, OandaOptions? options = null, VenueRetry? retry = null) =>
        new(options ?? Options(baseUrl), new HttpClient(), TimeProvider.System, retry ?? Retry);

    public static async Task<OandaFake> StartAsync(OandaFakeOptions? options = null, decimal cash = 100_000m)
    {
        var fake = new OandaFake(new FakeExchange(TimeProvider.System), options);
        fake.SeedAccount(AccountId, Token, "unused", cash);
        fake.Exchange.SetPrice("EUR_USD", 1.085m);
        fake.Exchange.SetPrice("USD_JPY", 151.25m);
        await fake.StartAsync();
        return fake;
    }

    public static BrokerAccount Account(string? token = Token, string mode = "paper") => new("acct-1", AccountId, token, null) { Mode = mode };

    private static long _seq;

    public static OrderIntent Market(OrderSide side = OrderSide.Buy, decimal quantity = 1000m, string symbol = "EUR_USD")
    {
        var n = Interlocked.Increment(ref _seq);
        return new OrderIntent(ClientOrderIds.Create("tenant-1", "acct-1", "strategy:s1", n, 0), "acct-1", "strategy:s1", n, symbol, side, quantity, 1.085m);
    }

    public static OrderIntent Limit(decimal limit, OrderSide side = OrderSide.Buy, decimal quantity = 1000m) =>
        Market(side, quantity) with { Type = OrderType.Limit, LimitPrice = limit };

    public static CancellationToken Soon => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;

    /// <summary>A plain HTTP client for the fake, with OANDA's header when a token is given.</summary>
    public static HttpClient Http(Uri baseUrl, string? token = Token)
    {
        var http = new HttpClient { BaseAddress = baseUrl };
        if (token is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public static string Path(string rest) => $"v3/accounts/{AccountId}/{rest}";

    public static Task<HttpResponseMessage> PostOrderAsync(HttpClient http, string orderJson) =>
        http.PostAsync(Path("orders"), new StringContent($$"""{"order":{{orderJson}}}""", System.Text.Encoding.UTF8, "application/json"));

    public static async Task<(HttpStatusCode Status, OandaResponse Body)> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, OandaWire.Read<OandaResponse>(text) ?? throw new InvalidOperationException("not an OANDA body: " + text));
    }

    /// <summary>A connector whose HTTP is answered by <paramref name="answer"/>: shapes the fake never produces (a broken chain, odd ids).</summary>
    public static (OandaBrokerClient Client, List<string> Sent) Stubbed(Func<HttpRequestMessage, (int Status, string Body)> answer)
    {
        var handler = new StubHandler(answer);
        var uri = new Uri("http://oanda.stub/");
        return (new OandaBrokerClient(Options(uri), new HttpClient(handler), TimeProvider.System, VenueRetry.None), handler.Sent);
    }

    private sealed class StubHandler(Func<HttpRequestMessage, (int Status, string Body)> answer) : HttpMessageHandler
    {
        public List<string> Sent { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Sent.Add($"{request.Method} {request.RequestUri!.PathAndQuery}");
            var (status, body) = answer(request);
            return Task.FromResult(new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") });
        }
    }

    public static VenueResponse Answer(int status, string body, string? retryAfterSeconds = null)
    {
        using var message = new HttpResponseMessage((HttpStatusCode)status);
        if (retryAfterSeconds is not null) message.Headers.TryAddWithoutValidation("Retry-After", retryAfterSeconds);
        return new VenueResponse((HttpStatusCode)status, body, message.Headers, "oanda POST /v3/accounts/101-004-1234567-001/orders");
    }
}
