using TradingActors.Brokers.Bybit;
using TradingActors.Brokers.Fakes;
using TradingActors.Brokers.Http;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Tests.Venues.Bybit;

/// <summary>
/// Signing with the venue's clock: the connector keeps a venue-wide offset read from /v5/market/time, so a host whose
/// clock is seconds off still places orders; without it the venue answers 10002 (and took nothing). A 10002 reads the
/// clock again and sends that request once more; a burst of them costs one reading.
/// </summary>
public sealed class BybitClockTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private readonly List<BybitFake> _fakes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var fake in _fakes) await fake.DisposeAsync();
    }

    private async Task<BybitFake> FakeAsync(TimeSpan skew, TimeProvider? time = null)
    {
        var fake = await BybitTestKit.StartAsync(new BybitFakeOptions { ClockSkew = skew }, time);
        _fakes.Add(fake);
        return fake;
    }

    private static OrderIntent Intent(long seq) =>
        new(ClientOrderIds.Create("t", "acct-1", "strategy:s", seq, 0), "acct-1", "strategy:s", seq, "BTCUSDT", OrderSide.Buy, 0.01m, 50_000m);

    private static CancellationToken Soon => BybitTestKit.Soon;
    private const string TimePath = "/v5/market/time";

    // A 2.5 s window makes a host 3 s behind the venue late as well as one 3 s ahead early.
    private static readonly BybitOptions Narrow = new() { RecvWindowMs = 2500 };

    [Theory]
    [InlineData(3)]
    [InlineData(-3)]
    public async Task Orders_pass_when_the_venues_clock_is_three_seconds_off(int skewSeconds)
    {
        var fake = await FakeAsync(TimeSpan.FromSeconds(skewSeconds));
        var client = BybitTestKit.Client(fake.BaseUrl, Narrow);

        var placed = await client.PlaceOrderAsync(BybitTestKit.Account(), Intent(1), Soon);

        Assert.Equal(BrokerOrderStatus.Accepted, placed.Status);
        Assert.Equal(0, fake.StaleTimestamps);
        Assert.Equal(1, fake.RequestsTo(TimePath));
        Assert.InRange(client.ServerTimeOffset(live: false)!.Value.TotalSeconds, skewSeconds - 1, skewSeconds + 1);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-3)]
    public async Task Without_the_venues_clock_the_same_order_is_refused_with_10002_and_not_placed(int skewSeconds)
    {
        var fake = await FakeAsync(TimeSpan.FromSeconds(skewSeconds));
        var client = BybitTestKit.Client(fake.BaseUrl, Narrow with { SyncServerTime = false }, retries: new VenueRetryOptions { MaxAttempts = 1 });

        var e = await Assert.ThrowsAsync<OrderNotPlacedException>(() => client.PlaceOrderAsync(BybitTestKit.Account(), Intent(1), Soon));

        Assert.True(e.Data.Contains(VenueRefusal.Transient));
        Assert.Contains("10002", e.Message);
        Assert.Equal(1, fake.StaleTimestamps);
        Assert.Equal(0, fake.RequestsTo(TimePath));
        Assert.Empty(fake.Exchange.Orders(BybitTestKit.AccountNumber));
        Assert.Null(client.ServerTimeOffset(live: false));
    }

    [Fact]
    public async Task The_offset_is_the_venues_reading_against_the_middle_of_the_round_trip()
    {
        var client = new ManualClock(Start);
        var fake = await FakeAsync(TimeSpan.FromSeconds(10), new ManualClock(Start));
        var connector = BybitTestKit.Client(fake.BaseUrl, time: client, handler: new RoundTripHandler(client, TimeSpan.FromSeconds(2)));

        var offset = await connector.SyncServerTimeAsync(live: false, Soon);

        // The venue read Start + 10 s; our clock read Start before and Start + 2 s after: the middle is Start + 1 s.
        Assert.Equal(TimeSpan.FromSeconds(9), offset);
        Assert.Equal(offset, connector.ServerTimeOffset(live: false));
    }

    [Fact]
    public async Task A_10002_reads_the_clock_again_and_sends_the_order_once_more()
    {
        var fake = await FakeAsync(TimeSpan.Zero);
        var client = BybitTestKit.Client(fake.BaseUrl, retries: new VenueRetryOptions { MaxAttempts = 1 });
        await client.SyncServerTimeAsync(live: false, Soon);
        fake.ClockSkew = TimeSpan.FromSeconds(-3); // the host's clock jumped

        var placed = await client.PlaceOrderAsync(BybitTestKit.Account(), Intent(1), Soon);

        Assert.Equal(BrokerOrderStatus.Accepted, placed.Status);
        Assert.Equal(1, fake.StaleTimestamps);
        Assert.Equal(2, fake.RequestsTo(TimePath));
        Assert.Equal(2, fake.RequestsTo("/v5/order/create"));
        Assert.Single(fake.Exchange.Orders(BybitTestKit.AccountNumber));
        Assert.InRange(client.ServerTimeOffset(live: false)!.Value.TotalSeconds, -4, -2);
    }

    [Fact]
    public async Task A_10002_on_a_read_is_handled_the_same_way()
    {
        var fake = await FakeAsync(TimeSpan.Zero);
        var client = BybitTestKit.Client(fake.BaseUrl, retries: new VenueRetryOptions { MaxAttempts = 1 });
        await client.SyncServerTimeAsync(live: false, Soon);
        fake.ClockSkew = TimeSpan.FromSeconds(-3);

        Assert.True((await client.CheckConnectivityAsync(BybitTestKit.Account(), Soon)).Passed);
        Assert.Equal(1, fake.StaleTimestamps);
    }

    [Fact]
    public async Task A_10002_again_after_reading_the_clock_is_a_retryable_refusal_sent_only_twice()
    {
        var fake = await FakeAsync(TimeSpan.Zero);
        // A negative window no timestamp can satisfy: the venue answers 10002 whatever the clock.
        var client = BybitTestKit.Client(fake.BaseUrl, new BybitOptions { RecvWindowMs = -2000 }, retries: new VenueRetryOptions { MaxAttempts = 1 });

        var e = await Assert.ThrowsAsync<OrderNotPlacedException>(() => client.PlaceOrderAsync(BybitTestKit.Account(), Intent(1), Soon));

        Assert.True(e.Data.Contains(VenueRefusal.Transient));
        Assert.Equal(2, fake.StaleTimestamps);
        Assert.Equal(2, fake.RequestsTo(TimePath));
        Assert.Empty(fake.Exchange.Orders(BybitTestKit.AccountNumber));
    }

    [Fact]
    public async Task A_burst_of_10002_reads_the_clock_once()
    {
        var fake = await FakeAsync(TimeSpan.Zero);
        var client = BybitTestKit.Client(fake.BaseUrl, retries: new VenueRetryOptions { MaxAttempts = 1 });
        await client.SyncServerTimeAsync(live: false, Soon);
        fake.ClockSkew = TimeSpan.FromSeconds(-3);

        var placed = await Task.WhenAll(Enumerable.Range(1, 8).Select(i => client.PlaceOrderAsync(BybitTestKit.Account(), Intent(i), Soon)));

        Assert.All(placed, p => Assert.Equal(BrokerOrderStatus.Accepted, p.Status));
        Assert.Equal(2, fake.RequestsTo(TimePath));
        Assert.InRange(fake.StaleTimestamps, 1, 8);
        Assert.Equal(8, fake.Exchange.Orders(BybitTestKit.AccountNumber).Count);
    }

    [Fact]
    public async Task The_first_call_reads_the_clock_and_later_ones_reuse_it_until_it_is_old()
    {
        var clock = new ManualClock(Start);
        var fake = await FakeAsync(TimeSpan.FromSeconds(3), clock);
        var client = BybitTestKit.Client(fake.BaseUrl, new BybitOptions { ServerTimeRefresh = TimeSpan.FromMinutes(1) }, clock);
        var account = BybitTestKit.Account();

        await client.GetAccountAsync(account, Soon);
        clock.Advance(TimeSpan.FromSeconds(59));
        await client.GetAccountAsync(account, Soon);
        Assert.Equal(1, fake.RequestsTo(TimePath));

        clock.Advance(TimeSpan.FromSeconds(1));
        await client.GetAccountAsync(account, Soon);
        Assert.Equal(2, fake.RequestsTo(TimePath));
        Assert.Equal(TimeSpan.FromSeconds(3), client.ServerTimeOffset(live: false));
    }

    [Fact]
    public async Task When_the_time_endpoint_fails_later_the_old_offset_is_kept_for_another_interval()
    {
        var clock = new ManualClock(Start);
        var fake = await FakeAsync(TimeSpan.FromSeconds(-3), clock);
        var client = BybitTestKit.Client(fake.BaseUrl, new BybitOptions { ServerTimeRefresh = TimeSpan.FromMinutes(1) }, clock, new VenueRetryOptions { MaxAttempts = 1 });
        await client.SyncServerTimeAsync(live: false, Soon);
        clock.Advance(TimeSpan.FromMinutes(2));
        fake.Faults.Set(FakeFaultKind.Fail, TimePath);
        var before = fake.Requests;

        var placed = await client.PlaceOrderAsync(BybitTestKit.Account(), Intent(1), Soon);
        await client.PlaceOrderAsync(BybitTestKit.Account(), Intent(2), Soon);

        Assert.Equal(BrokerOrderStatus.Accepted, placed.Status);
        Assert.Equal(3, fake.Requests - before); // one failed reading, two orders
        Assert.Equal(0, fake.StaleTimestamps);
        Assert.Equal(TimeSpan.FromSeconds(-3), client.ServerTimeOffset(live: false));

        clock.Advance(TimeSpan.FromMinutes(1));
        fake.Faults.Clear();
        await client.PlaceOrderAsync(BybitTestKit.Account(), Intent(3), Soon);
        Assert.Equal(2, fake.RequestsTo(TimePath)); // the first reading and the one after another interval
    }

    [Fact]
    public async Task When_the_clock_cannot_be_read_at_first_nothing_is_sent()
    {
        var fake = await FakeAsync(TimeSpan.Zero);
        fake.Faults.Set(FakeFaultKind.Fail, TimePath);
        var client = BybitTestKit.Client(fake.BaseUrl, retries: new VenueRetryOptions { MaxAttempts = 1 });

        var e = await Assert.ThrowsAsync<OrderNotPlacedException>(() => client.PlaceOrderAsync(BybitTestKit.Account(), Intent(1), Soon));

        Assert.True(e.Data.Contains(VenueRefusal.Transient));
        Assert.IsType<VenueOutcomeUnknownException>(e.InnerException);
        Assert.Equal(0, fake.RequestsTo("/v5/order/create"));
        await Assert.ThrowsAsync<VenueOutcomeUnknownException>(() => client.SyncServerTimeAsync(live: false, Soon));
    }

    [Fact]
    public async Task A_clock_that_hangs_is_given_up_by_the_callers_token()
    {
        var fake = await FakeAsync(TimeSpan.Zero);
        fake.Faults.Set(FakeFaultKind.Hang, TimePath);
        var client = BybitTestKit.Client(fake.BaseUrl);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.PlaceOrderAsync(BybitTestKit.Account(), Intent(1), cts.Token));

        Assert.Equal(0, fake.RequestsTo("/v5/order/create"));
    }

    [Fact]
    public async Task A_clock_that_does_not_answer_in_time_means_nothing_was_sent()
    {
        var fake = await FakeAsync(TimeSpan.Zero);
        fake.Faults.Set(FakeFaultKind.Hang, TimePath);
        var client = BybitTestKit.Client(fake.BaseUrl, new BybitOptions { Timeout = TimeSpan.FromMilliseconds(200) }, retries: new VenueRetryOptions { MaxAttempts = 1 });

        var e = await Assert.ThrowsAsync<OrderNotPlacedException>(() => client.PlaceOrderAsync(BybitTestKit.Account(), Intent(1), Soon));

        Assert.Contains("nothing was sent", e.Message);
        Assert.Equal(0, fake.RequestsTo("/v5/order/create"));
    }

    [Fact]
    public async Task Mainnet_and_testnet_have_their_own_clocks_and_an_account_reaches_only_its_own()
    {
        var live = await FakeAsync(TimeSpan.FromSeconds(3));
        var test = await FakeAsync(TimeSpan.FromSeconds(-3));
        var client = new BybitBrokerClient(new BybitOptions { LiveBaseUrl = live.BaseUrl, TestBaseUrl = test.BaseUrl }, new HttpClient(), TimeProvider.System,
            new VenueRetry(BybitTestKit.FastRetries, TimeProvider.System));

        await client.PlaceOrderAsync(BybitTestKit.Account() with { Mode = "live" }, Intent(1), Soon);
        await client.PlaceOrderAsync(BybitTestKit.Account() with { Mode = "testnet" }, Intent(2), Soon);
        await client.PlaceOrderAsync(BybitTestKit.Account() with { Mode = "paper" }, Intent(3), Soon);

        Assert.Equal([1L], live.Exchange.Orders(BybitTestKit.AccountNumber).Select(o => long.Parse(o.VenueOrderId)));
        Assert.Equal(2, test.Exchange.Orders(BybitTestKit.AccountNumber).Count);
        Assert.InRange(client.ServerTimeOffset(live: true)!.Value.TotalSeconds, 2, 4);
        Assert.InRange(client.ServerTimeOffset(live: false)!.Value.TotalSeconds, -4, -2);
        Assert.Equal(1, live.RequestsTo(TimePath));
        Assert.Equal(1, test.RequestsTo(TimePath));
    }

    [Fact]
    public async Task Syncing_again_reads_the_clock_again()
    {
        var fake = await FakeAsync(TimeSpan.Zero);
        var client = BybitTestKit.Client(fake.BaseUrl);

        Assert.Null(client.ServerTimeOffset(live: false));
        await client.SyncServerTimeAsync(live: false, Soon);
        fake.ClockSkew = TimeSpan.FromSeconds(5);
        var offset = await client.SyncServerTimeAsync(live: false, Soon);

        Assert.InRange(offset.TotalSeconds, 4, 6);
        Assert.Equal(2, fake.RequestsTo(TimePath));
    }
}
