using TradingActors.Brokers.Paper;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Tests;

public sealed class PaperExchangeTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static readonly BrokerAccount Alice = new("acc-alice", "PA-1");
    private static readonly BrokerAccount Bob = new("acc-bob", "PA-2");

    // Long enough to be sure a call is stuck, short enough to keep the suite fast.
    private static readonly TimeSpan HangProbe = TimeSpan.FromMilliseconds(200);

    private readonly LatestPrices _prices = new();
    private readonly PaperExchange _exchange;

    public PaperExchangeTests() => _exchange = new PaperExchange(new PaperVenueOptions(), _prices, new FixedTime(Now));

    private static OrderIntent Intent(BrokerAccount account, long seq, string symbol = "BTCUSDT", OrderSide side = OrderSide.Buy,
        decimal qty = 0.1m, decimal reference = 40_000m) =>
        new(ClientOrderIds.Create("tenant-1", account.AccountId, "strategy:s1", seq, 0), account.AccountId, "strategy:s1", seq,
            symbol, side, qty, reference);

    [Fact]
    public async Task Buy_fills_at_latest_price_plus_slippage_with_fee()
    {
        _prices.Update("BTCUSDT", 50_000m);

        var result = await _exchange.PlaceOrderAsync(Alice, Intent(Alice, 1), CancellationToken.None);

        Assert.Equal(BrokerOrderStatus.Filled, result.Status);
        Assert.NotNull(result.Fill);
        Assert.Equal(0.1m, result.Fill.Quantity);
        Assert.Equal(50_025.00m, result.Fill.Price);   // 50000 * (1 + 5/10000)
        Assert.Equal(5.0025m, result.Fill.Fee);        // 0.1 * 50025 * 0.001
        Assert.Equal(Now, result.Fill.Time);
        Assert.Equal("P-1", result.VenueOrderId);
        Assert.Equal(result.VenueOrderId, result.Fill.VenueOrderId);
    }

    [Fact]
    public async Task Sell_fills_at_latest_price_minus_slippage_with_fee()
    {
        _prices.Update("BTCUSDT", 50_000m);

        var result = await _exchange.PlaceOrderAsync(Alice, Intent(Alice, 1, side: OrderSide.Sell), CancellationToken.None);

        Assert.Equal(BrokerOrderStatus.Filled, result.Status);
        Assert.Equal(49_975.00m, result.Fill!.Price);  // 50000 * (1 - 5/10000)
        Assert.Equal(4.9975m, result.Fill.Fee);
    }

    [Fact]
    public async Task Fill_price_is_rounded_to_the_instrument_tick()
    {
        _prices.Update("EUR_USD", 1.08123m);

        var result = await _exchange.PlaceOrderAsync(Alice, Intent(Alice, 1, symbol: "EUR_USD", qty: 1000m), CancellationToken.None);

        Assert.Equal(1.08177m, result.Fill!.Price);    // 1.081770615 to a 0.00001 tick
        Assert.Equal(1.08177m, result.Fill.Fee);
    }

    [Fact]
    public async Task Unknown_symbol_is_rejected_and_not_recorded()
    {
        _prices.Update("XYZ", 1.23456789m);

        var result = await _exchange.PlaceOrderAsync(Alice, Intent(Alice, 1, symbol: "XYZ", qty: 1m), CancellationToken.None);

        Assert.Equal(BrokerOrderStatus.Rejected, result.Status);
        Assert.Contains("unknown instrument", result.RejectReason);
        Assert.Equal(0, _exchange.OrderCount(Alice.VenueAccountNumber));
    }

    [Fact]
    public async Task Without_a_latest_price_fills_at_the_reference_price()
    {
        var result = await _exchange.PlaceOrderAsync(Alice, Intent(Alice, 1, symbol: "ETHUSDT", qty: 1m, reference: 2_000m), CancellationToken.None);

        Assert.Equal(BrokerOrderStatus.Filled, result.Status);
        Assert.Equal(2_001.00m, result.Fill!.Price);
        Assert.Equal(2.001m, result.Fill.Fee);
    }

    [Fact]
    public async Task Without_any_price_the_order_is_rejected_and_not_recorded()
    {
        var result = await _exchange.PlaceOrderAsync(Alice, Intent(Alice, 1, symbol: "ETHUSDT", reference: 0m), CancellationToken.None);

        Assert.Equal(BrokerOrderStatus.Rejected, result.Status);
        Assert.Equal(0, _exchange.OrderCount(Alice.VenueAccountNumber));
    }

    [Fact]
    public async Task Same_client_order_id_twice_returns_the_first_result_and_one_order()
    {
        _prices.Update("BTCUSDT", 50_000m);
        var intent = Intent(Alice, 1);

        var first = await _exchange.PlaceOrderAsync(Alice, intent, CancellationToken.None);
        _prices.Update("BTCUSDT", 60_000m); // a second fill would show the new price
        var second = await _exchange.PlaceOrderAsync(Alice, intent, CancellationToken.None);

        Assert.Equal(first, second);
        Assert.Equal(1, _exchange.OrderCount(Alice.VenueAccountNumber));
        Assert.Equal([intent.ClientOrderId], _exchange.ClientOrderIds(Alice.VenueAccountNumber));
    }

    [Fact]
    public async Task Different_client_order_ids_get_distinct_venue_order_ids()
    {
        _prices.Update("BTCUSDT", 50_000m);

        var a = await _exchange.PlaceOrderAsync(Alice, Intent(Alice, 1), CancellationToken.None);
        var b = await _exchange.PlaceOrderAsync(Alice, Intent(Alice, 2), CancellationToken.None);

        Assert.Equal("P-1", a.VenueOrderId);
        Assert.Equal("P-2", b.VenueOrderId);
        Assert.Equal(2, _exchange.OrderCount(Alice.VenueAccountNumber));
    }

    [Fact]
    public async Task Same_client_order_id_in_two_accounts_is_two_orders()
    {
        _prices.Update("BTCUSDT", 50_000m);
        var intent = Intent(Alice, 1);

        await _exchange.PlaceOrderAsync(Alice, intent, CancellationToken.None);
        await _exchange.PlaceOrderAsync(Bob, intent, CancellationToken.None);

        Assert.Equal(1, _exchange.OrderCount(Alice.VenueAccountNumber));
        Assert.Equal(1, _exchange.OrderCount(Bob.VenueAccountNumber));
        Assert.Equal(2, _exchange.TotalOrders);
    }

    [Fact]
    public async Task Fifty_concurrent_placements_of_the_same_id_make_one_order()
    {
        _prices.Update("BTCUSDT", 50_000m);
        var intent = Intent(Alice, 1);

        var results = await Task.WhenAll(Enumerable.Range(0, 50)
            .Select(_ => Task.Run(() => _exchange.PlaceOrderAsync(Alice, intent, CancellationToken.None))));

        Assert.Equal(1, _exchange.OrderCount(Alice.VenueAccountNumber));
        Assert.Equal(1, _exchange.TotalOrders);
        Assert.Single(results.Distinct());
        Assert.All(results, r => Assert.Equal("P-1", r.VenueOrderId));
    }

    [Fact]
    public async Task Concurrent_distinct_placements_across_accounts_are_all_recorded()
    {
        _prices.Update("BTCUSDT", 50_000m);

        var results = await Task.WhenAll(Enumerable.Range(1, 100).Select(i => Task.Run(() =>
        {
            var account = i % 2 == 0 ? Alice : Bob;
            return _exchange.PlaceOrderAsync(account, Intent(account, i), CancellationToken.None);
        })));

        Assert.Equal(100, _exchange.TotalOrders);
        Assert.Equal(100, results.Select(r => r.VenueOrderId).Distinct().Count());
    }

    [Fact]
    public async Task Non_positive_quantity_is_rejected_and_not_recorded()
    {
        var result = await _exchange.PlaceOrderAsync(Alice, Intent(Alice, 1, qty: 0m), CancellationToken.None);

        Assert.Equal(BrokerOrderStatus.Rejected, result.Status);
        Assert.Equal("quantity must be positive", result.RejectReason);
        Assert.Equal(0, _exchange.OrderCount(Alice.VenueAccountNumber));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("this-client-order-id-is-longer-than-32")]
    public async Task Invalid_client_order_id_is_rejected(string clientOrderId)
    {
        var intent = Intent(Alice, 1) with { ClientOrderId = clientOrderId };

        var result = await _exchange.PlaceOrderAsync(Alice, intent, CancellationToken.None);

        Assert.Equal(BrokerOrderStatus.Rejected, result.Status);
        Assert.Equal(0, _exchange.TotalOrders);
    }

    [Fact]
    public async Task Find_returns_the_recorded_result_or_null()
    {
        _prices.Update("BTCUSDT", 50_000m);
        var intent = Intent(Alice, 1);
        var placed = await _exchange.PlaceOrderAsync(Alice, intent, CancellationToken.None);

        Assert.Equal(placed, await _exchange.FindOrderAsync(Alice, intent.ClientOrderId, CancellationToken.None));
        Assert.Null(await _exchange.FindOrderAsync(Alice, Intent(Alice, 2).ClientOrderId, CancellationToken.None));
        Assert.Null(await _exchange.FindOrderAsync(Bob, intent.ClientOrderId, CancellationToken.None));
    }

    [Fact]
    public async Task Throw_fault_throws_without_recording()
    {
        _exchange.SetFault(Alice.VenueAccountNumber, PaperFault.Throw);
        var intent = Intent(Alice, 1);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => _exchange.PlaceOrderAsync(Alice, intent, CancellationToken.None));

        Assert.Equal("paper venue failure (injected)", ex.Message);
        Assert.Equal(0, _exchange.OrderCount(Alice.VenueAccountNumber));
        Assert.Null(await _exchange.FindOrderAsync(Alice, intent.ClientOrderId, CancellationToken.None));
    }

    [Fact]
    public async Task Unavailable_fault_throws_broker_unavailable_without_recording()
    {
        _exchange.SetFault(Alice.VenueAccountNumber, PaperFault.Unavailable);

        await Assert.ThrowsAsync<BrokerUnavailableException>(() => _exchange.PlaceOrderAsync(Alice, Intent(Alice, 1), CancellationToken.None));

        Assert.Equal(0, _exchange.OrderCount(Alice.VenueAccountNumber));
    }

    [Fact]
    public async Task Reject_fault_returns_rejected_without_recording()
    {
        _exchange.SetFault(Alice.VenueAccountNumber, PaperFault.Reject);

        var result = await _exchange.PlaceOrderAsync(Alice, Intent(Alice, 1), CancellationToken.None);

        Assert.Equal(BrokerOrderStatus.Rejected, result.Status);
        Assert.Equal("rejected by paper venue (injected)", result.RejectReason);
        Assert.Equal(0, _exchange.OrderCount(Alice.VenueAccountNumber));
    }

    [Fact]
    public async Task Hang_fault_place_honours_cancellation_and_records_nothing()
    {
        _exchange.SetFault(Alice.VenueAccountNumber, PaperFault.Hang);
        using var cts = new CancellationTokenSource(HangProbe);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _exchange.PlaceOrderAsync(Alice, Intent(Alice, 1), cts.Token));

        Assert.Equal(0, _exchange.OrderCount(Alice.VenueAccountNumber));
    }

    [Fact]
    public async Task Hang_fault_find_hangs_until_cancelled()
    {
        _prices.Update("BTCUSDT", 50_000m);
        var intent = Intent(Alice, 1);
        await _exchange.PlaceOrderAsync(Alice, intent, CancellationToken.None);
        _exchange.SetFault(Alice.VenueAccountNumber, PaperFault.Hang);
        using var cts = new CancellationTokenSource(HangProbe);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _exchange.FindOrderAsync(Alice, intent.ClientOrderId, cts.Token));
    }

    [Fact]
    public async Task Fill_then_lose_answer_keeps_the_order_but_never_answers()
    {
        _prices.Update("BTCUSDT", 50_000m);
        _exchange.SetFault(Alice.VenueAccountNumber, PaperFault.FillThenLoseAnswer);
        var intent = Intent(Alice, 1);
        using var cts = new CancellationTokenSource();

        var lost = _exchange.PlaceOrderAsync(Alice, intent, cts.Token);
        await Task.Delay(HangProbe);
        Assert.False(lost.IsCompleted);

        // The venue has the order: lookup works despite the fault.
        var found = await _exchange.FindOrderAsync(Alice, intent.ClientOrderId, CancellationToken.None);
        Assert.NotNull(found);
        Assert.Equal(BrokerOrderStatus.Filled, found.Status);

        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => lost);

        // A retry with the same id after recovery gets the same fill, not a second one.
        _exchange.ClearFault(Alice.VenueAccountNumber);
        var retried = await _exchange.PlaceOrderAsync(Alice, intent, CancellationToken.None);
        Assert.Equal(found, retried);
        Assert.Equal(1, _exchange.OrderCount(Alice.VenueAccountNumber));
    }

    [Fact]
    public async Task Faults_are_per_account()
    {
        _prices.Update("BTCUSDT", 50_000m);
        _exchange.SetFault(Alice.VenueAccountNumber, PaperFault.Hang);
        using var cts = new CancellationTokenSource();

        var hanging = _exchange.PlaceOrderAsync(Alice, Intent(Alice, 1), cts.Token);
        var bobs = await _exchange.PlaceOrderAsync(Bob, Intent(Bob, 1), CancellationToken.None);

        Assert.Equal(BrokerOrderStatus.Filled, bobs.Status);
        Assert.Equal(1, _exchange.OrderCount(Bob.VenueAccountNumber));
        Assert.False(hanging.IsCompleted);

        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => hanging);
        Assert.Equal(0, _exchange.OrderCount(Alice.VenueAccountNumber));
    }

    [Fact]
    public async Task Clear_fault_restores_normal_fills()
    {
        _prices.Update("BTCUSDT", 50_000m);
        _exchange.SetFault(Alice.VenueAccountNumber, PaperFault.Reject);
        _exchange.ClearFault(Alice.VenueAccountNumber);

        var result = await _exchange.PlaceOrderAsync(Alice, Intent(Alice, 1), CancellationToken.None);

        Assert.Equal(BrokerOrderStatus.Filled, result.Status);
    }

    [Fact]
    public void Venue_name_comes_from_options()
    {
        var exchange = new PaperExchange(new PaperVenueOptions { Venue = "paper-eu" }, _prices, TimeProvider.System);

        Assert.Equal("paper-eu", exchange.Venue);
    }

    [Fact]
    public void Constructor_rejects_invalid_options()
    {
        Assert.Throws<ArgumentException>(() => new PaperExchange(new PaperVenueOptions { FeeRate = 1m }, _prices, TimeProvider.System));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
