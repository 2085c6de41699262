using TradingActors.Brokers.Paper;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Tests;

/// <summary>
/// What every in-process venue does alike (pricing, refusals, injected faults, cancellation), run by each
/// venue's own test class. Default costs: fee 0.1%, slippage 5 bps.
/// </summary>
public abstract class VenueContractTests
{
    protected static readonly DateTimeOffset Now = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
    protected static readonly BrokerAccount Alice = new("acc-alice", "PA-1");
    protected static readonly BrokerAccount Bob = new("acc-bob", "PA-2");

    /// <summary>Long enough to see that a call is stuck, short enough to keep the suite fast.</summary>
    protected static readonly TimeSpan HangProbe = TimeSpan.FromMilliseconds(50);

    protected readonly LatestPrices Prices = new();
    protected readonly ManualClock Clock = new(Now);

    protected abstract IBrokerClient Venue { get; }

    /// <summary>How the venue names itself in its injected failures ("paper", "simulated").</summary>
    protected abstract string Kind { get; }

    protected abstract void SetFault(string venueAccountNumber, VenueFault fault);
    protected abstract void ClearFault(string venueAccountNumber);

    protected static OrderIntent Intent(BrokerAccount account, long seq, string symbol = "BTCUSDT", OrderSide side = OrderSide.Buy,
        decimal qty = 0.1m, decimal reference = 40_000m) =>
        new(ClientOrderIds.Create("tenant-1", account.AccountId, "strategy:s1", seq, 0), account.AccountId, "strategy:s1", seq,
            symbol, side, qty, reference);

    protected Task<BrokerOrderResult> Place(BrokerAccount account, OrderIntent intent) =>
        Venue.PlaceOrderAsync(account, intent, CancellationToken.None);

    protected Task<BrokerOrderResult?> Find(BrokerAccount account, string clientOrderId) =>
        Venue.FindOrderAsync(account, new OrderLookup(clientOrderId, "BTCUSDT", OrderSide.Buy, 0.1m), CancellationToken.None);

    protected static async Task AssertHangsUntilCancelled<T>(Func<CancellationToken, Task<T>> call)
    {
        using var cts = new CancellationTokenSource();
        var pending = call(cts.Token);

        Assert.NotSame(pending, await Task.WhenAny(pending, Task.Delay(HangProbe)));
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
    }

    // ---- pricing

    [Fact]
    public async Task Buy_fills_at_the_latest_price_plus_slippage_with_fee()
    {
        Prices.Update("BTCUSDT", 50_000m);
        var intent = Intent(Alice, 1);

        var result = await Place(Alice, intent);

        Assert.Equal(BrokerOrderStatus.Filled, result.Status);
        Assert.Equal(intent.ClientOrderId, result.ClientOrderId);
        Assert.Null(result.RejectReason);
        Assert.NotNull(result.Fill);
        Assert.Equal(0.1m, result.Fill.Quantity);
        Assert.Equal(50_025.00m, result.Fill.Price);   // 50000 * (1 + 5/10000)
        Assert.Equal(5.0025m, result.Fill.Fee);        // 0.1 * 50025 * 0.001
        Assert.Equal(Now, result.Fill.Time);
        Assert.Equal(result.VenueOrderId, result.Fill.VenueOrderId);
        Assert.False(string.IsNullOrEmpty(result.VenueOrderId));
    }

    [Fact]
    public async Task Sell_fills_at_the_latest_price_minus_slippage_with_fee()
    {
        Prices.Update("BTCUSDT", 50_000m);

        var result = await Place(Alice, Intent(Alice, 1, side: OrderSide.Sell));

        Assert.Equal(BrokerOrderStatus.Filled, result.Status);
        Assert.Equal(49_975.00m, result.Fill!.Price);  // 50000 * (1 - 5/10000)
        Assert.Equal(4.9975m, result.Fill.Fee);
    }

    [Fact]
    public async Task Fill_price_is_rounded_to_the_instrument_tick()
    {
        Prices.Update("EUR_USD", 1.08123m);

        var result = await Place(Alice, Intent(Alice, 1, symbol: "EUR_USD", qty: 1000m));

        Assert.Equal(1.08177m, result.Fill!.Price);    // 1.081770615 down to a 0.00001 tick
        Assert.Equal(1.08177m, result.Fill.Fee);
    }

    [Fact]
    public async Task The_fill_time_is_the_venue_clock_at_the_placement()
    {
        Prices.Update("BTCUSDT", 50_000m);
        Clock.Advance(TimeSpan.FromMinutes(7));

        var result = await Place(Alice, Intent(Alice, 1));

        Assert.Equal(Now.AddMinutes(7), result.Fill!.Time);
    }

    [Fact]
    public async Task The_latest_price_wins_over_the_reference_price()
    {
        Prices.Update("BTCUSDT", 50_000m);

        var result = await Place(Alice, Intent(Alice, 1, reference: 40_000m));

        Assert.Equal(50_025.00m, result.Fill!.Price);
    }

    [Fact]
    public async Task Without_a_latest_price_fills_at_the_reference_price()
    {
        var result = await Place(Alice, Intent(Alice, 1, symbol: "ETHUSDT", qty: 1m, reference: 2_000m));

        Assert.Equal(BrokerOrderStatus.Filled, result.Status);
        Assert.Equal(2_001.00m, result.Fill!.Price);
        Assert.Equal(2.001m, result.Fill.Fee);
    }

    [Fact]
    public async Task A_price_of_another_symbol_is_not_used()
    {
        Prices.Update("BTCUSDT", 50_000m);

        var result = await Place(Alice, Intent(Alice, 1, symbol: "ETHUSDT", qty: 1m, reference: 2_000m));

        Assert.Equal(2_001.00m, result.Fill!.Price);
    }

    // ---- limit orders: no book to rest in, so a limit fills now at its limit or better, or is refused

    private static OrderIntent LimitIntent(BrokerAccount account, long seq, OrderSide side, decimal? limit) =>
        Intent(account, seq, side: side) with { Type = OrderType.Limit, LimitPrice = limit };

    [Theory]
    [InlineData(OrderSide.Buy, 60_000, 50_025)]   // the market price with slippage is below the limit
    [InlineData(OrderSide.Buy, 50_010, 50_010)]   // slippage would cross the limit: capped at it
    [InlineData(OrderSide.Buy, 50_000, 50_000)]   // a limit at the market price is marketable
    [InlineData(OrderSide.Sell, 40_000, 49_975)]
    [InlineData(OrderSide.Sell, 49_990, 49_990)]
    [InlineData(OrderSide.Sell, 50_000, 50_000)]
    public async Task A_marketable_limit_order_fills_at_its_limit_or_better(OrderSide side, int limit, int price)
    {
        Prices.Update("BTCUSDT", 50_000m);

        var result = await Place(Alice, LimitIntent(Alice, 1, side, limit));

        Assert.Equal(BrokerOrderStatus.Filled, result.Status);
        Assert.Equal(price, result.Fill!.Price);
        Assert.Equal(0.1m * price * 0.001m, result.Fill.Fee);
    }

    [Theory]
    [InlineData(OrderSide.Buy, 49_999)]
    [InlineData(OrderSide.Sell, 50_001)]
    public async Task A_limit_order_the_market_has_not_reached_rests_at_paper_and_is_refused_where_no_book_is_kept(OrderSide side, int limit)
    {
        Prices.Update("BTCUSDT", 50_000m);

        var result = await Place(Alice, LimitIntent(Alice, 1, side, limit));

        Assert.Null(result.Fill);
        if (Kind == "paper")
        {
            // Working: it rests in the tenant's ledger, which fills it when a price crosses it (decision 027).
            Assert.Equal((BrokerOrderStatus.Accepted, "P-" + result.ClientOrderId, null), (result.Status, result.VenueOrderId, result.RejectReason));
        }
        else
        {
            Assert.Equal(BrokerOrderStatus.Rejected, result.Status);
            Assert.Equal($"limit {limit} is not marketable at 50000; the {Venue.Venue} venue keeps no book for resting orders", result.RejectReason);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task A_limit_order_without_a_positive_limit_is_rejected(int? limit)
    {
        Prices.Update("BTCUSDT", 50_000m);

        var result = await Place(Alice, LimitIntent(Alice, 1, OrderSide.Sell, limit));

        Assert.Equal(BrokerOrderStatus.Rejected, result.Status);
        Assert.Equal("a limit order needs a positive limit price", result.RejectReason);
    }

    // ---- refusals: rejected, never placed

    public static TheoryData<string, string, decimal, decimal, string> Refusals => new()
    {
        // client order id override ("" = keep), symbol, quantity, reference price, reason
        { "", "BTCUSDT", 0m, 40_000m, "quantity must be positive" },
        { "", "BTCUSDT", -1m, 40_000m, "quantity must be positive" },
        { "has space", "BTCUSDT", 0.1m, 40_000m, "invalid client order id" },
        { new string('a', 33), "BTCUSDT", 0.1m, 40_000m, "invalid client order id" },
        { "has space", "BTCUSDT", 0m, 40_000m, "quantity must be positive" },
        { "", "DOGEUSDT", 0.1m, 40_000m, "unknown instrument DOGEUSDT" },
        { "has space", "DOGEUSDT", 0.1m, 40_000m, "invalid client order id" },
        { "", "DOGEUSDT", 0.1m, 0m, "unknown instrument DOGEUSDT" },
        { "", "ETHUSDT", 0.1m, 0m, "no price for ETHUSDT" },
        { "", "ETHUSDT", 0.1m, -5m, "no price for ETHUSDT" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task An_order_the_venue_cannot_fill_is_rejected_with_its_reason_and_not_placed(string clientOrderId, string symbol, decimal qty, decimal reference, string reason)
    {
        var intent = Intent(Alice, 1, symbol: symbol, qty: qty, reference: reference);
        if (clientOrderId != "") intent = intent with { ClientOrderId = clientOrderId };

        var result = await Place(Alice, intent);

        Assert.Equal(BrokerOrderStatus.Rejected, result.Status);
        Assert.Equal(reason, result.RejectReason);
        Assert.Equal(intent.ClientOrderId, result.ClientOrderId);
        Assert.Null(result.Fill);
        Assert.Null(result.VenueOrderId);
        Assert.Null(await Find(Alice, intent.ClientOrderId));
    }

    [Fact]
    public async Task An_empty_client_order_id_is_rejected()
    {
        var result = await Place(Alice, Intent(Alice, 1) with { ClientOrderId = "" });

        Assert.Equal(BrokerOrderStatus.Rejected, result.Status);
        Assert.Equal("invalid client order id", result.RejectReason);
    }

    [Fact]
    public async Task A_missing_client_order_id_is_rejected()
    {
        var result = await Place(Alice, Intent(Alice, 1) with { ClientOrderId = null! });

        Assert.Equal(BrokerOrderStatus.Rejected, result.Status);
        Assert.Equal("invalid client order id", result.RejectReason);
        Assert.Equal("", result.ClientOrderId);
    }

    [Fact]
    public async Task A_client_order_id_of_exactly_32_characters_is_accepted()
    {
        var result = await Place(Alice, Intent(Alice, 1) with { ClientOrderId = new string('a', 32) });

        Assert.Equal(BrokerOrderStatus.Filled, result.Status);
    }

    // ---- injected faults

    [Fact]
    public async Task Throw_fault_throws_an_unknown_outcome_and_places_nothing()
    {
        SetFault(Alice.VenueAccountNumber, VenueFault.Throw);
        var intent = Intent(Alice, 1);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => Place(Alice, intent));

        Assert.Equal($"{Kind} venue failure (injected)", ex.Message);
        ClearFault(Alice.VenueAccountNumber);
        Assert.Null(await Find(Alice, intent.ClientOrderId));
    }

    [Fact]
    public async Task Not_placed_fault_throws_order_not_placed_and_places_nothing()
    {
        SetFault(Alice.VenueAccountNumber, VenueFault.NotPlaced);
        var intent = Intent(Alice, 1);

        var ex = await Assert.ThrowsAsync<OrderNotPlacedException>(() => Place(Alice, intent));

        Assert.Equal($"{Kind} venue refused the call (injected)", ex.Message);
        ClearFault(Alice.VenueAccountNumber);
        Assert.Null(await Find(Alice, intent.ClientOrderId));
    }

    [Fact]
    public async Task Reject_fault_rejects_and_places_nothing()
    {
        Prices.Update("BTCUSDT", 50_000m);
        SetFault(Alice.VenueAccountNumber, VenueFault.Reject);
        var intent = Intent(Alice, 1);

        var result = await Place(Alice, intent);

        Assert.Equal(BrokerOrderStatus.Rejected, result.Status);
        Assert.Equal($"rejected by {Kind} venue (injected)", result.RejectReason);
        Assert.Equal(intent.ClientOrderId, result.ClientOrderId);
        ClearFault(Alice.VenueAccountNumber);
        Assert.Null(await Find(Alice, intent.ClientOrderId));
    }

    [Fact]
    public async Task Hang_fault_holds_the_placement_until_cancelled_and_places_nothing()
    {
        Prices.Update("BTCUSDT", 50_000m);
        SetFault(Alice.VenueAccountNumber, VenueFault.Hang);
        var intent = Intent(Alice, 1);

        await AssertHangsUntilCancelled(ct => Venue.PlaceOrderAsync(Alice, intent, ct));

        ClearFault(Alice.VenueAccountNumber);
        Assert.Null(await Find(Alice, intent.ClientOrderId));
    }

    [Fact]
    public async Task Faults_are_per_account()
    {
        Prices.Update("BTCUSDT", 50_000m);
        SetFault(Alice.VenueAccountNumber, VenueFault.Throw);

        var bobs = await Place(Bob, Intent(Bob, 1));

        Assert.Equal(BrokerOrderStatus.Filled, bobs.Status);
        await Assert.ThrowsAsync<InvalidOperationException>(() => Place(Alice, Intent(Alice, 1)));
    }

    [Fact]
    public async Task Clearing_a_fault_restores_normal_fills()
    {
        Prices.Update("BTCUSDT", 50_000m);
        SetFault(Alice.VenueAccountNumber, VenueFault.Reject);
        ClearFault(Alice.VenueAccountNumber);

        Assert.Equal(BrokerOrderStatus.Filled, (await Place(Alice, Intent(Alice, 1))).Status);
    }

    [Fact]
    public async Task Setting_no_fault_clears_the_fault()
    {
        Prices.Update("BTCUSDT", 50_000m);
        SetFault(Alice.VenueAccountNumber, VenueFault.Reject);
        SetFault(Alice.VenueAccountNumber, VenueFault.None);

        Assert.Equal(BrokerOrderStatus.Filled, (await Place(Alice, Intent(Alice, 1))).Status);
    }

    [Fact]
    public async Task A_later_fault_replaces_the_earlier_one()
    {
        SetFault(Alice.VenueAccountNumber, VenueFault.Reject);
        SetFault(Alice.VenueAccountNumber, VenueFault.NotPlaced);

        await Assert.ThrowsAsync<OrderNotPlacedException>(() => Place(Alice, Intent(Alice, 1)));
    }

    // ---- cancellation and arguments

    [Fact]
    public async Task A_call_cancelled_before_it_starts_is_never_sent()
    {
        Prices.Update("BTCUSDT", 50_000m);
        var intent = Intent(Alice, 1);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Venue.PlaceOrderAsync(Alice, intent, cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Venue.FindOrderAsync(Alice, OrderLookup.Of(intent), cancelled.Token));
        Assert.Null(await Find(Alice, intent.ClientOrderId));
    }

    [Fact]
    public async Task Missing_arguments_are_refused()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(() => Venue.PlaceOrderAsync(null!, Intent(Alice, 1), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentNullException>(() => Venue.PlaceOrderAsync(Alice, null!, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentNullException>(() => Venue.FindOrderAsync(null!, OrderLookup.Of(Intent(Alice, 1)), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentNullException>(() => Venue.FindOrderAsync(Alice, null!, CancellationToken.None));
    }
}
