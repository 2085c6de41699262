using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using TradingActors.Brokers.Fakes;
using TradingActors.Brokers.Oanda;
using TradingActors.Domain.Market;

namespace TradingActors.Brokers.Tests.Venues.Oanda;

/// <summary>
/// The price feed against the fake's stream: prices arrive as mids; a dropped, silent or refused stream is noticed,
/// reported and reopened with backoff; the token is never logged; cancellation ends it.
/// </summary>
public sealed class OandaMarketDataTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private OandaFake _fake = null!;

    public async Task InitializeAsync() =>
        _fake = await OandaKit.StartAsync(new OandaFakeOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(50), HalfSpread = 0.0001m, PricePollInterval = TimeSpan.FromMilliseconds(10) });

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    private Probe Start(string token = OandaKit.Token, Func<double>? jitter = null, OandaOptions? options = null, string[]? instruments = null) =>
        new(new OandaMarketData(options ?? OandaKit.Options(_fake.BaseUrl), new HttpClient { Timeout = Timeout.InfiniteTimeSpan }, TimeProvider.System, new CapturingLog(), jitter ?? (() => 0.5)),
            OandaKit.Account(token), instruments ?? ["EUR_USD", "USD_JPY"]);

    [Fact]
    public async Task Prices_arrive_as_mids_on_connect_and_when_the_price_moves()
    {
        await using var feed = Start();

        var first = await feed.PricesAsync(2);
        _fake.Exchange.SetPrice("EUR_USD", 1.09m);
        var moved = await feed.PriceAsync(p => p.Price == 1.09m);

        Assert.Equal(["EUR_USD", "USD_JPY"], first.Select(p => p.Symbol).Order());
        Assert.Equal(1.085m, first.Single(p => p.Symbol == "EUR_USD").Price); // (1.0849 + 1.0851) / 2
        Assert.Equal(151.25m, first.Single(p => p.Symbol == "USD_JPY").Price);
        Assert.Equal("EUR_USD", moved.Symbol);
        Assert.True(Math.Abs((DateTimeOffset.UtcNow - moved.Time).TotalSeconds) < 5);
        Assert.Equal(OandaFeedState.Connected, (await feed.EventAsync(OandaFeedState.Connected)).State);
        Assert.Equal(1, _fake.StreamsOpened);
    }

    [Fact]
    public async Task A_dropped_stream_is_reopened_and_prices_continue()
    {
        await using var feed = Start(jitter: () => 0);
        await feed.PricesAsync(2);

        _fake.DropStreams();
        var dropped = await feed.EventAsync(OandaFeedState.Disconnected);
        _fake.Exchange.SetPrice("EUR_USD", 1.1m);
        var after = await feed.PriceAsync(p => p.Price == 1.1m);

        Assert.Equal(TimeSpan.FromMilliseconds(10), dropped.ReconnectIn); // half the first delay (jitter 0): the connection had been healthy
        Assert.StartsWith("the stream broke", dropped.Reason);
        Assert.Equal("EUR_USD", after.Symbol);
        Assert.Equal(2, _fake.StreamsOpened);
    }

    [Fact]
    public async Task A_stream_the_venue_ends_is_reopened()
    {
        await using var feed = Start();
        await feed.PricesAsync(2);

        _fake.EndStreams();
        var ended = await feed.EventAsync(OandaFeedState.Disconnected);
        var again = await feed.PricesAsync(2);

        Assert.Equal("the stream ended", ended.Reason);
        Assert.Equal(2, again.Count);
        Assert.Equal(2, _fake.StreamsOpened);
    }

    [Fact]
    public async Task A_slow_consumer_is_not_taken_for_a_silent_venue()
    {
        var feed = new OandaMarketData(OandaKit.Options(_fake.BaseUrl), new HttpClient { Timeout = Timeout.InfiniteTimeSpan }, TimeProvider.System);
        using var cts = new CancellationTokenSource(Wait);
        var events = new ConcurrentQueue<OandaFeedEvent>();
        var seen = 0;
        await foreach (var _ in feed.StreamAsync(OandaKit.Account(), ["EUR_USD"], events.Enqueue, cts.Token))
        {
            if (++seen == 1)
            {
                await Task.Delay(700); // longer than the stall timeout, with heartbeats waiting to be read
                _fake.Exchange.SetPrice("EUR_USD", 1.2m);
            }
            else break;
        }

        Assert.Equal(1, _fake.StreamsOpened);
        Assert.DoesNotContain(events, e => e.State == OandaFeedState.Stalled);
    }

    [Fact]
    public async Task Leaving_the_feed_closes_the_stream_at_the_venue()
    {
        var feed = new OandaMarketData(OandaKit.Options(_fake.BaseUrl), new HttpClient { Timeout = Timeout.InfiniteTimeSpan }, TimeProvider.System);
        await foreach (var _ in feed.StreamAsync(OandaKit.Account(), ["EUR_USD"], ct: OandaKit.Soon)) break;

        var watch = Stopwatch.StartNew();
        while (_fake.ActiveStreams > 0 && watch.Elapsed < Wait) await Task.Delay(20);

        Assert.Equal(0, _fake.ActiveStreams);
        Assert.Equal(1, _fake.StreamsOpened);
    }

    [Fact]
    public async Task A_healthy_connection_starts_the_backoff_over()
    {
        await using var feed = Start(jitter: () => 0);
        await feed.PricesAsync(2);

        _fake.DropStreams();
        await feed.EventAsync(OandaFeedState.Disconnected);
        await feed.PricesAsync(2); // the new connection's snapshot
        _fake.DropStreams();
        var second = await feed.EventAsync(OandaFeedState.Disconnected, skip: 1);

        Assert.Equal(TimeSpan.FromMilliseconds(10), second.ReconnectIn);
    }

    [Fact]
    public async Task A_silent_stream_is_taken_for_stalled_within_the_timeout_and_reopened()
    {
        await using var feed = Start();
        await feed.PricesAsync(2);

        var silenced = Stopwatch.StartNew();
        _fake.SilenceStreams();
        var stalled = await feed.EventAsync(OandaFeedState.Stalled);
        var noticedAfter = silenced.Elapsed;
        _fake.SilenceStreams(false);
        _fake.Exchange.SetPrice("USD_JPY", 152m);
        var after = await feed.PriceAsync(p => p.Price == 152m);

        Assert.InRange(noticedAfter, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(2000)); // stall timeout 300 ms
        Assert.Contains("no heartbeat or price within 0.3 s", stalled.Reason);
        Assert.Equal("USD_JPY", after.Symbol);
        Assert.True(_fake.StreamsOpened >= 2);
    }

    [Fact]
    public async Task Heartbeats_alone_keep_a_quiet_stream_alive()
    {
        await using var feed = Start(options: OandaKit.Options(_fake.BaseUrl) with { StreamStallTimeout = TimeSpan.FromMilliseconds(600) });
        await feed.PricesAsync(2);

        await Task.Delay(1500); // more than two stall timeouts without a price; heartbeats every 50 ms

        Assert.Equal(1, _fake.StreamsOpened);
        Assert.DoesNotContain(feed.Events, e => e.State == OandaFeedState.Stalled);
    }

    [Fact]
    public async Task A_stream_that_does_not_answer_is_stalled_and_opened_again()
    {
        _fake.Faults.Set(FakeFaultKind.Hang, pathContains: "/pricing/stream", times: 1);
        await using var feed = Start();

        var stalled = await feed.EventAsync(OandaFeedState.Stalled);
        var prices = await feed.PricesAsync(2);

        Assert.Contains("no answer within 0.3 s", stalled.Reason);
        Assert.Equal(2, prices.Count);
    }

    [Fact]
    public async Task A_refused_token_is_reported_and_retried_only_after_the_auth_wait()
    {
        const string wrong = "wrong-token-0123456789abcdef";
        var log = new CapturingLog();
        var feed = new OandaMarketData(OandaKit.Options(_fake.BaseUrl), new HttpClient(), TimeProvider.System, log, () => 0.99);
        var probe = new Probe(feed, OandaKit.Account(wrong), ["EUR_USD"]);

        var first = await probe.EventAsync(OandaFeedState.AuthRefused);
        var second = await probe.EventAsync(OandaFeedState.AuthRefused, skip: 1);
        await probe.DisposeAsync();

        var wait = OandaMarketData.Jittered(TimeSpan.FromMilliseconds(600), 0.99);
        Assert.Equal(wait, first.ReconnectIn);
        Assert.True(probe.SeenAt(second) - probe.SeenAt(first) >= wait - TimeSpan.FromMilliseconds(50), "it does not spin");
        var refusals = probe.Events.Count(e => e.State == OandaFeedState.AuthRefused);
        Assert.InRange(_fake.Requests, refusals, refusals + 1); // one request per attempt, nothing in between
        Assert.Contains("401", first.Reason);
        Assert.Contains("Insufficient authorization", first.Reason);
        Assert.All(probe.Events, e => Assert.DoesNotContain(wrong, e.Reason));
        Assert.NotEmpty(log.Lines);
        Assert.All(log.Lines, l => Assert.DoesNotContain(wrong, l));
        Assert.DoesNotContain(probe.Events, e => e.State == OandaFeedState.Connected);
    }

    [Fact]
    public async Task A_stream_refused_for_another_reason_backs_off_exponentially()
    {
        await using var feed = Start(jitter: () => 0, instruments: ["EUR_GBP"]); // the fake does not list it: 400

        // Every failed attempt in a row counts, whatever it was: on a loaded host an attempt may time out (disconnected)
        // between two refusals, and the backoff doubles for it too.
        var failures = new List<OandaFeedEvent>();
        for (var i = 0; i < 5; i++) failures.Add(await feed.EventAsync(e => e.State != OandaFeedState.Connected, skip: i));

        Assert.Equal([10, 20, 40, 80, 100], failures.Select(e => (int)e.ReconnectIn!.Value.TotalMilliseconds));
        Assert.Equal(OandaFeedState.Refused, failures[0].State);
        Assert.Contains("400", failures[0].Reason);
    }

    [Fact]
    public async Task A_host_that_cannot_be_reached_is_a_disconnection_retried_with_backoff()
    {
        var options = OandaKit.Options(_fake.BaseUrl) with { TestStreamUrl = new Uri("http://127.0.0.1:9/") };
        await using var feed = Start(jitter: () => 0, options: options);

        var first = await feed.EventAsync(OandaFeedState.Disconnected);
        var second = await feed.EventAsync(OandaFeedState.Disconnected, skip: 1);

        Assert.Contains("could not connect", first.Reason);
        Assert.Equal(TimeSpan.FromMilliseconds(10), first.ReconnectIn);
        Assert.Equal(TimeSpan.FromMilliseconds(20), second.ReconnectIn);
    }

    [Fact]
    public async Task The_live_account_streams_from_the_live_host()
    {
        var options = OandaKit.Options(_fake.BaseUrl) with { TestStreamUrl = new Uri("http://127.0.0.1:9/") };
        var feed = new OandaMarketData(options, new HttpClient(), TimeProvider.System);
        using var cts = new CancellationTokenSource(Wait);

        await using var e = feed.StreamAsync(OandaKit.Account(mode: "live"), ["EUR_USD"], ct: cts.Token).GetAsyncEnumerator(cts.Token);

        Assert.True(await e.MoveNextAsync());
        Assert.Equal("EUR_USD", e.Current.Symbol);
    }

    [Fact]
    public async Task Cancelling_ends_the_feed_promptly()
    {
        var feed = new OandaMarketData(OandaKit.Options(_fake.BaseUrl), new HttpClient { Timeout = Timeout.InfiniteTimeSpan }, TimeProvider.System);
        using var cts = new CancellationTokenSource();
        var seen = new List<PriceUpdate>();
        var run = feed.RunAsync(OandaKit.Account(), ["EUR_USD"], p =>
        {
            seen.Add(p);
            cts.CancelAfter(TimeSpan.FromMilliseconds(100));
            return ValueTask.CompletedTask;
        }, null, cts.Token);

        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        Assert.True(watch.Elapsed < Wait);
        Assert.Equal(1.085m, Assert.Single(seen).Price);
    }

    [Fact]
    public async Task The_token_is_never_logged()
    {
        var log = new CapturingLog();
        var feed = new OandaMarketData(OandaKit.Options(_fake.BaseUrl), new HttpClient { Timeout = Timeout.InfiniteTimeSpan }, TimeProvider.System, log);
        using var cts = new CancellationTokenSource(Wait);
        var count = 0;
        await foreach (var _ in feed.StreamAsync(OandaKit.Account(), ["EUR_USD"], ct: cts.Token))
        {
            if (++count == 1) _fake.DropStreams();
            else break;
        }

        Assert.Contains(log.Lines, l => l.Contains("Disconnected", StringComparison.Ordinal));
        Assert.Contains(log.Lines, l => l.Contains("streaming EUR_USD", StringComparison.Ordinal));
        Assert.All(log.Lines, l => Assert.DoesNotContain(OandaKit.Token, l));
    }

    [Fact]
    public async Task A_feed_needs_instruments_and_a_token()
    {
        var feed = new OandaMarketData(OandaKit.Options(_fake.BaseUrl), new HttpClient(), TimeProvider.System);

        var none = await Assert.ThrowsAsync<ArgumentException>(async () => { await foreach (var _ in feed.StreamAsync(OandaKit.Account(), [])) { } });
        var tokenless = await Assert.ThrowsAsync<ArgumentException>(async () => { await foreach (var _ in feed.StreamAsync(OandaKit.Account(token: null), ["EUR_USD"])) { } });

        Assert.StartsWith("at least one instrument", none.Message);
        Assert.StartsWith("account 101-004-1234567-001 has no OANDA API token", tokenless.Message);
        await Assert.ThrowsAsync<ArgumentNullException>(() => feed.RunAsync(OandaKit.Account(), ["EUR_USD"], null!, null, CancellationToken.None));
        Assert.Equal(0, _fake.Requests);
    }

    // ---- the pure parts

    [Theory]
    [InlineData("""{"type":"PRICE","time":"2026-03-02T12:00:00.123456789Z","instrument":"EUR_USD","bids":[{"price":"1.08490","liquidity":1000000},{"price":"1.08480","liquidity":5000000}],"asks":[{"price":"1.08510","liquidity":1000000}],"closeoutBid":"1.0800","closeoutAsk":"1.0900"}""", "1.085")]
    [InlineData("""{"type":"PRICE","time":"2026-03-02T12:00:00.123456789Z","instrument":"EUR_USD","bids":[],"asks":[{"price":"1.0860"}],"closeoutBid":"1.0840","closeoutAsk":"1.0900"}""", "1.085")]
    [InlineData("""{"type":"PRICE","time":"2026-03-02T12:00:00.123456789Z","instrument":"EUR_USD","bids":[{"price":"1.0840"}],"closeoutBid":"1.0000","closeoutAsk":"1.0860"}""", "1.085")]
    public void A_price_line_is_its_mid(string line, string mid)
    {
        var (isLine, price) = OandaMarketData.ParseLine(line);

        Assert.True(isLine);
        Assert.Equal(new PriceUpdate("EUR_USD", decimal.Parse(mid, System.Globalization.CultureInfo.InvariantCulture),
            new DateTimeOffset(2026, 3, 2, 12, 0, 0, TimeSpan.Zero).AddTicks(1234567)), price);
    }

    [Theory]
    [InlineData("""{"type":"HEARTBEAT","time":"2026-03-02T12:00:05.000000000Z"}""", true)]
    [InlineData("""{"type":"SOMETHING_NEW"}""", true)]
    [InlineData("""{"type":"PRICE","time":"2026-03-02T12:00:00Z","instrument":"EUR_USD","bids":[{"price":"1.1"}]}""", true)] // no ask at all
    [InlineData("""{"type":"PRICE","time":"2026-03-02T12:00:00Z","instrument":"EUR_USD","asks":[{"price":"1.1"}]}""", true)] // no bid at all
    [InlineData("""{"type":"PRICE","instrument":"EUR_USD","bids":[{"price":"1.1"}],"asks":[{"price":"1.2"}]}""", true)] // no time
    [InlineData("""{"type":"PRICE","time":"2026-03-02T12:00:00Z","bids":[{"price":"1.1"}],"asks":[{"price":"1.2"}]}""", true)] // no instrument
    [InlineData("""{"type":"PRICE","time":"2026-03-02T12:00:00Z","instrument":"","bids":[{"price":"1.1"}],"asks":[{"price":"1.2"}]}""", true)]
    [InlineData("""{"type":"PRICE","time":"2026-03-02T12:00:00Z","instrument":"EUR_USD","bids":[{"price":"x"}],"asks":[{"price":"1.2"}]}""", true)]
    [InlineData("""{"type":"PRICE","time":"later","instrument":"EUR_USD","bids":[{"price":"1.1"}],"asks":[{"price":"1.2"}]}""", true)]
    [InlineData("""{"time":"2026-03-02T12:00:00Z"}""", false)]
    [InlineData("not json", false)]
    [InlineData("{", false)]
    public void Other_lines_carry_no_price(string line, bool isLine)
    {
        var (parsedAsLine, price) = OandaMarketData.ParseLine(line);

        Assert.Equal(isLine, parsedAsLine);
        Assert.Null(price);
    }

    [Theory]
    [InlineData(0, 0.0, 500)]
    [InlineData(0, 0.5, 750)]
    [InlineData(1, 0.0, 1000)]
    [InlineData(2, 0.0, 2000)]
    [InlineData(4, 0.0, 8000)]
    [InlineData(5, 0.0, 15000)] // capped at 30 s
    [InlineData(5, 0.999, 29985)]
    [InlineData(1000, 0.0, 15000)]
    public void The_reconnect_delay_doubles_jittered_up_to_the_cap(int failures, double jitter, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), OandaMarketData.ReconnectDelay(failures, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), jitter));

    [Fact]
    public void Delays_take_only_sensible_arguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => OandaMarketData.ReconnectDelay(-1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => OandaMarketData.Jittered(TimeSpan.FromSeconds(1), -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => OandaMarketData.Jittered(TimeSpan.FromSeconds(1), 1.0));
        Assert.Equal(TimeSpan.FromMilliseconds(500), OandaMarketData.Jittered(TimeSpan.FromSeconds(1), 0));
    }

    /// <summary>A feed running in the background, its prices and events collected for the test to wait on.</summary>
    private sealed class Probe : IAsyncDisposable
    {
        private readonly CancellationTokenSource _cts = new();
        private readonly Channel<PriceUpdate> _prices = Channel.CreateUnbounded<PriceUpdate>();
        private readonly ConcurrentQueue<OandaFeedEvent> _events = new();
        private readonly ConcurrentDictionary<OandaFeedEvent, TimeSpan> _seen = new(ReferenceEqualityComparer.Instance);
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly Task _run;

        public Probe(OandaMarketData feed, BrokerAccount account, string[] instruments) =>
            _run = Task.Run(async () =>
            {
                await foreach (var p in feed.StreamAsync(account, instruments, Seen, _cts.Token)) await _prices.Writer.WriteAsync(p);
            });

        public IReadOnlyCollection<OandaFeedEvent> Events => _events;

        public TimeSpan SeenAt(OandaFeedEvent e) => _seen[e];

        private void Seen(OandaFeedEvent e)
        {
            _seen[e] = _clock.Elapsed;
            _events.Enqueue(e);
        }

        public async Task<List<PriceUpdate>> PricesAsync(int count)
        {
            using var cts = new CancellationTokenSource(Wait);
            var list = new List<PriceUpdate>();
            while (list.Count < count) list.Add(await _prices.Reader.ReadAsync(cts.Token));
            return list;
        }

        public async Task<PriceUpdate> PriceAsync(Func<PriceUpdate, bool> match)
        {
            using var cts = new CancellationTokenSource(Wait);
            while (true)
            {
                var p = await _prices.Reader.ReadAsync(cts.Token);
                if (match(p)) return p;
            }
        }

        public Task<OandaFeedEvent> EventAsync(OandaFeedState state, int skip = 0) => EventAsync(e => e.State == state, skip, state.ToString());

        public async Task<OandaFeedEvent> EventAsync(Func<OandaFeedEvent, bool> match, int skip = 0, string what = "matching")
        {
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < Wait)
            {
                var found = _events.Where(match).Skip(skip).FirstOrDefault();
                if (found is not null) return found;
                await Task.Delay(10);
            }
            throw new TimeoutException($"no {what} event #{skip + 1}; saw {string.Join(", ", _events.Select(e => e.State))}");
        }

        public async ValueTask DisposeAsync()
        {
            if (_cts.IsCancellationRequested) return;
            await _cts.CancelAsync();
            try
            {
                await _run;
            }
            catch (OperationCanceledException)
            {
            }
            _cts.Dispose();
        }
    }

    private sealed class CapturingLog : ILogger
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Enqueue($"{logLevel} {formatter(state, exception)} {exception}");
    }
}
