using System.Net;
using System.Text;
using TradingActors.Brokers.Alpaca;
using TradingActors.Brokers.Http;

namespace TradingActors.Brokers.Tests.Venues.Alpaca;

/// <summary>What the Alpaca suites share: a connector pointed at a fake, with retries short enough for a test.</summary>
internal static class AlpacaTestKit
{
    public const string Key = "PK-test-key-0123456789";
    public const string Secret = "test-secret-abcdefghijklmnop";
    public const string AccountNumber = "PA-1";

    public static VenueRetryOptions FastRetries { get; } = new()
    {
        MaxAttempts = 3,
        FirstDelay = TimeSpan.FromMilliseconds(10),
        MaxDelay = TimeSpan.FromMilliseconds(100),
        Deadline = TimeSpan.FromSeconds(5),
    };

    public static AlpacaBrokerClient Client(Uri baseUrl, TimeProvider? time = null, VenueRetry? retry = null, HttpClient? http = null)
    {
        var clock = time ?? TimeProvider.System;
        return new AlpacaBrokerClient(
            new AlpacaOptions { LiveBaseUrl = baseUrl, TestBaseUrl = baseUrl },
            http ?? new HttpClient { Timeout = TimeSpan.FromSeconds(10) },
            clock,
            retry ?? new VenueRetry(FastRetries, clock));
    }

    public static BrokerAccount Account(string key = Key, string secret = Secret) => new("acct-1", AccountNumber, key, secret) { Mode = "paper" };

    public static async Task<AlpacaFake> StartAsync(AlpacaFakeOptions? options = null, TimeProvider? time = null, decimal cash = 100_000m)
    {
        var fake = new AlpacaFake(options, time);
        fake.SeedAccount(AccountNumber, Key, Secret, cash);
        fake.Exchange.SetPrice("AAPL", 190m);
        await fake.StartAsync();
        return fake;
    }
}

/// <summary>An HTTP handler standing in for Alpaca: records each request (with its body) and answers what the test says.</summary>
internal sealed class StubHandler(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
{
    public List<(HttpMethod Method, Uri Uri, Dictionary<string, string> Headers, string? Body)> Requests { get; } = [];

    public static StubHandler Json(int status, string body, params (string Name, string Value)[] headers) => new(_ => Response(status, body, headers));

    public static HttpResponseMessage Response(int status, string body, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers) response.Headers.TryAddWithoutValidation(name, value);
        return response;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        lock (Requests)
            Requests.Add((request.Method, request.RequestUri!, request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value)), body));
        return answer(request);
    }
}

/// <summary>
/// A clock whose timers fire at once: jumping ahead by the timer's due time (a wait that passes instantly), or, stuck,
/// without moving (a wait after which the wall clock has still not reached its mark).
/// </summary>
internal sealed class InstantTimers(DateTimeOffset start, bool stuck = false) : TimeProvider
{
    private readonly Lock _gate = new();
    private DateTimeOffset _now = start;

    public int Waits { get; private set; }

    public override DateTimeOffset GetUtcNow() { lock (_gate) return _now; }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            lock (_gate)
            {
                Waits++;
                if (!stuck) _now += dueTime;
            }
            ThreadPool.QueueUserWorkItem(_ => callback(state));
        }
        return new Fired();
    }

    private sealed class Fired : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => false;
        public void Dispose() { }
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
