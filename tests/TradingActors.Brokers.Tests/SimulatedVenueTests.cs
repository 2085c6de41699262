using TradingActors.Brokers.Simulated;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Tests;

/// <summary>
/// The simulated external venue: the venue contract, plus its own book per (venue account, client order id),
/// its duplicate handling, its retention of old orders, and the faults only an external venue shows.
/// </summary>
public sealed class SimulatedVenueTests : VenueContractTests
{
    private readonly SimulatedVenue _venue;

    public SimulatedVenueTests() => _venue = Make();

    protected override IBrokerClient Venue => _venue;
    protected override string Kind => "simulated";
    protected override void SetFault(string venueAccountNumber, VenueFault fault) => _venue.SetFault(venueAccountNumber, fault);
    protected override void ClearFault(string venueAccountNumber) => _venue.ClearFault(venueAccountNumber);

    private SimulatedVenue Make(DuplicateHandling duplicates = DuplicateHandling.ReturnExisting, TimeSpan? retention = null) =>
        new("sim", Prices, Clock, duplicates, retention);

    [Fact]
    public void The_venue_is_named_as_configured() => Assert.Equal("sim-eu", new SimulatedVenue("sim-eu", Prices, Clock).Venue);

    [Theory]
    [InlineData(DuplicateHandling.ReturnExisting, true)]
    [InlineData(DuplicateHandling.Refuse, true)]
    [InlineData(DuplicateHandling.None, false)]
    public void It_deduplicates_client_order_ids_unless_told_not_to(DuplicateHandling duplicates, bool deduplicates) =>
        Assert.Equal(deduplicates, Make(duplicates).DeduplicatesClientOrderIds);

    [Fact]
    public void By_default_it_answers_a_known_id_with_the_existing_order() =>
        Assert.True(new SimulatedVenue("sim", Prices, Clock).DeduplicatesClientOrderIds);

    // ---- the book

    [Fact]
    public async Task Orders_are_numbered_by_the_venue_in_placement_order()
    {
        Prices.Update("BTCUSDT", 50_000m);

        var first = await Place(Alice, Intent(Alice, 1));
        var second = await Place(Bob, Intent(Bob, 1));

        Assert.Equal("S-1", first.VenueOrderId);
        Assert.Equal("S-1", first.Fill!.VenueOrderId);
        Assert.Equal("S-2", second.VenueOrderId);
        Assert.Equal("S-2", second.Fill!.VenueOrderId);
    }

    [Fact]
    public async Task A_placed_order_is_found_by_its_client_order_id_in_its_account_only()
    {
        Prices.Update("BTCUSDT", 50_000m);
        var intent = Intent(Alice, 1);

        var placed = await Place(Alice, intent);

        Assert.Equal(placed, await Find(Alice, intent.ClientOrderId));
        Assert.Null(await Find(Alice, Intent(Alice, 2).ClientOrderId));
        Assert.Null(await Find(Bob, intent.ClientOrderId));
    }

    [Fact]
    public async Task The_same_client_order_id_in_two_accounts_is_two_orders()
    {
        Prices.Update("BTCUSDT", 50_000m);
        var intent = Intent(Alice, 1);

        var alices = await Place(Alice, intent);
        var bobs = await Place(Bob, intent);

        Assert.NotEqual(alices.VenueOrderId, bobs.VenueOrderId);
        Assert.Equal(1, _venue.OrderCount(Alice.VenueAccountNumber));
        Assert.Equal(1, _venue.OrderCount(Bob.VenueAccountNumber));
        Assert.Equal(2, _venue.TotalOrders);
    }

    [Fact]
    public async Task A_rejected_order_is_not_recorded_and_takes_no_number()
    {
        var unknown = Intent(Alice, 1, symbol: "DOGEUSDT");

        var rejected = await Place(Alice, unknown);
        var filled = await Place(Alice, Intent(Alice, 2, symbol: "ETHUSDT", qty: 1m, reference: 2_000m));

        Assert.Equal(BrokerOrderStatus.Rejected, rejected.Status);
        Assert.Null(await Find(Alice, unknown.ClientOrderId));
        Assert.Equal("S-1", filled.VenueOrderId);
        Assert.Equal(1, _venue.OrderCount(Alice.VenueAccountNumber));
        Assert.Equal(1, _venue.TotalOrders);
    }

    [Theory]
    [InlineData(VenueFault.Throw)]
    [InlineData(VenueFault.NotPlaced)]
    [InlineData(VenueFault.Reject)]
    public async Task A_refused_call_records_nothing(VenueFault fault)
    {
        Prices.Update("BTCUSDT", 50_000m);
        _venue.SetFault(Alice.VenueAccountNumber, fault);

        try { await Place(Alice, Intent(Alice, 1)); }
        catch (Exception ex) when (ex is InvalidOperationException or OrderNotPlacedException) { }

        Assert.Equal(0, _venue.OrderCount(Alice.VenueAccountNumber));
        Assert.Equal(0, _venue.TotalOrders);
    }

    // ---- duplicates

    [Fact]
    public async Task Return_existing_answers_a_known_id_with_the_first_order()
    {
        Prices.Update("BTCUSDT", 50_000m);
        var intent = Intent(Alice, 1);

        var first = await Place(Alice, intent);
        Prices.Update("BTCUSDT", 60_000m); // a second fill would show the new price
        var second = await Place(Alice, intent);

        Assert.Equal(first, second);
        Assert.Equal(1, _venue.OrderCount(Alice.VenueAccountNumber));
        Assert.Equal(1, _venue.TotalOrders);
    }

    [Fact]
    public async Task Refuse_answers_a_known_id_with_a_duplicate_error_and_keeps_the_first_order()
    {
        var venue = Make(DuplicateHandling.Refuse);
        Prices.Update("BTCUSDT", 50_000m);
        var intent = Intent(Alice, 1);
        var first = await venue.PlaceOrderAsync(Alice, intent, CancellationToken.None);

        var ex = await Assert.ThrowsAsync<DuplicateClientOrderIdException>(() => venue.PlaceOrderAsync(Alice, intent, CancellationToken.None));

        Assert.Equal(intent.ClientOrderId, ex.ClientOrderId);
        Assert.Equal($"the venue already holds client order id {intent.ClientOrderId}", ex.Message);
        Assert.Equal(1, venue.OrderCount(Alice.VenueAccountNumber));
        Assert.Equal(first, await venue.FindOrderAsync(Alice, OrderLookup.Of(intent), CancellationToken.None));
    }

    [Fact]
    public async Task Without_deduplication_a_known_id_is_a_second_order()
    {
        var venue = Make(DuplicateHandling.None);
        Prices.Update("BTCUSDT", 50_000m);
        var intent = Intent(Alice, 1);

        var first = await venue.PlaceOrderAsync(Alice, intent, CancellationToken.None);
        Prices.Update("BTCUSDT", 60_000m);
        var second = await venue.PlaceOrderAsync(Alice, intent, CancellationToken.None);

        Assert.Equal(("S-1", 50_025m), (first.VenueOrderId, first.Fill!.Price));
        Assert.Equal(("S-2", 60_030m), (second.VenueOrderId, second.Fill!.Price));
        Assert.Equal(2, venue.OrderCount(Alice.VenueAccountNumber));
        Assert.Equal(2, venue.TotalOrders);
        Assert.Equal(first, await venue.FindOrderAsync(Alice, OrderLookup.Of(intent), CancellationToken.None)); // a lookup finds the first
    }

    // ---- faults only an external venue shows

    [Fact]
    public async Task Fill_then_lose_answer_takes_the_order_but_never_answers()
    {
        Prices.Update("BTCUSDT", 50_000m);
        _venue.SetFault(Alice.VenueAccountNumber, VenueFault.FillThenLoseAnswer);
        var intent = Intent(Alice, 1);
        using var cts = new CancellationTokenSource();

        var lost = _venue.PlaceOrderAsync(Alice, intent, cts.Token);

        Assert.NotSame(lost, await Task.WhenAny(lost, Task.Delay(HangProbe)));
        var found = await Find(Alice, intent.ClientOrderId); // the lookup works despite the fault
        Assert.NotNull(found);
        Assert.Equal(BrokerOrderStatus.Filled, found.Status);
        Assert.Equal("S-1", found.VenueOrderId);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => lost);
        Assert.Equal(1, _venue.OrderCount(Alice.VenueAccountNumber));
    }

    [Fact]
    public async Task Take_then_go_silent_takes_the_order_and_answers_neither_the_placement_nor_a_lookup()
    {
        Prices.Update("BTCUSDT", 50_000m);
        _venue.SetFault(Alice.VenueAccountNumber, VenueFault.TakeThenGoSilent);
        var intent = Intent(Alice, 1);
        using var cts = new CancellationTokenSource();

        var lost = _venue.PlaceOrderAsync(Alice, intent, cts.Token);
        var lookup = _venue.FindOrderAsync(Alice, OrderLookup.Of(intent), cts.Token);

        Assert.NotSame(lost, await Task.WhenAny(lost, Task.Delay(HangProbe)));
        Assert.NotSame(lookup, await Task.WhenAny(lookup, Task.Delay(HangProbe)));
        Assert.Equal(1, _venue.OrderCount(Alice.VenueAccountNumber)); // taken all the same
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => lost);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => lookup);
        _venue.ClearFault(Alice.VenueAccountNumber);
        Assert.Equal(BrokerOrderStatus.Filled, (await Find(Alice, intent.ClientOrderId))!.Status); // once answers flow again, it is there
    }

    [Fact]
    public async Task After_a_lost_answer_placing_again_returns_the_order_taken()
    {
        Prices.Update("BTCUSDT", 50_000m);
        var intent = Intent(Alice, 1);
        await LoseAnswer(_venue, intent);

        var retried = await Place(Alice, intent);

        Assert.Equal(await Find(Alice, intent.ClientOrderId), retried);
        Assert.Equal(1, _venue.OrderCount(Alice.VenueAccountNumber));
    }

    [Fact]
    public async Task After_a_lost_answer_placing_again_at_a_refusing_venue_is_a_duplicate()
    {
        var venue = Make(DuplicateHandling.Refuse);
        Prices.Update("BTCUSDT", 50_000m);
        var intent = Intent(Alice, 1);
        await LoseAnswer(venue, intent);

        await Assert.ThrowsAsync<DuplicateClientOrderIdException>(() => venue.PlaceOrderAsync(Alice, intent, CancellationToken.None));
        Assert.Equal(1, venue.OrderCount(Alice.VenueAccountNumber));
    }

    [Fact]
    public async Task After_a_lost_answer_placing_again_without_deduplication_makes_a_second_order()
    {
        var venue = Make(DuplicateHandling.None);
        Prices.Update("BTCUSDT", 50_000m);
        var intent = Intent(Alice, 1);
        await LoseAnswer(venue, intent);

        await venue.PlaceOrderAsync(Alice, intent, CancellationToken.None);

        Assert.Equal(2, venue.OrderCount(Alice.VenueAccountNumber));
    }

    [Fact]
    public async Task A_lost_answer_for_an_order_the_venue_cannot_fill_records_nothing()
    {
        _venue.SetFault(Alice.VenueAccountNumber, VenueFault.FillThenLoseAnswer);
        var unknown = Intent(Alice, 1, symbol: "DOGEUSDT");

        await AssertHangsUntilCancelled(ct => _venue.PlaceOrderAsync(Alice, unknown, ct));

        Assert.Equal(0, _venue.OrderCount(Alice.VenueAccountNumber));
        Assert.Equal(0, _venue.TotalOrders);
    }

    [Fact]
    public async Task Hang_fault_holds_lookups_until_cancelled()
    {
        Prices.Update("BTCUSDT", 50_000m);
        var intent = Intent(Alice, 1);
        await Place(Alice, intent);
        _venue.SetFault(Alice.VenueAccountNumber, VenueFault.Hang);

        await AssertHangsUntilCancelled(ct => _venue.FindOrderAsync(Alice, OrderLookup.Of(intent), ct));

        var bobs = Intent(Bob, 1);
        await Place(Bob, bobs);
        Assert.NotNull(await Find(Bob, bobs.ClientOrderId)); // other accounts still answer
    }

    [Fact]
    public async Task A_hung_placement_records_nothing()
    {
        Prices.Update("BTCUSDT", 50_000m);
        _venue.SetFault(Alice.VenueAccountNumber, VenueFault.Hang);

        await AssertHangsUntilCancelled(ct => _venue.PlaceOrderAsync(Alice, Intent(Alice, 1), ct));

        Assert.Equal(0, _venue.OrderCount(Alice.VenueAccountNumber));
    }

    private static async Task LoseAnswer(SimulatedVenue venue, OrderIntent intent)
    {
        venue.SetFault(Alice.VenueAccountNumber, VenueFault.FillThenLoseAnswer);
        using var cts = new CancellationTokenSource();
        var lost = venue.PlaceOrderAsync(Alice, intent, cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => lost);
        venue.ClearFault(Alice.VenueAccountNumber);
    }

    // ---- retention

    [Fact]
    public async Task An_order_is_kept_for_exactly_the_retention_and_forgotten_after_it()
    {
        var venue = Make(retention: TimeSpan.FromMinutes(10));
        Prices.Update("BTCUSDT", 50_000m);
        var old = Intent(Alice, 1);
        await venue.PlaceOrderAsync(Alice, old, CancellationToken.None);

        Clock.Advance(TimeSpan.FromMinutes(10));
        await venue.PlaceOrderAsync(Alice, Intent(Alice, 2), CancellationToken.None); // the venue tidies its book when it takes an order
        Assert.NotNull(await venue.FindOrderAsync(Alice, OrderLookup.Of(old), CancellationToken.None));

        Clock.Advance(TimeSpan.FromTicks(1));
        await venue.PlaceOrderAsync(Alice, Intent(Alice, 3), CancellationToken.None);
        Assert.Null(await venue.FindOrderAsync(Alice, OrderLookup.Of(old), CancellationToken.None));
        Assert.NotNull(await venue.FindOrderAsync(Alice, OrderLookup.Of(Intent(Alice, 2)), CancellationToken.None));
        Assert.Equal(2, venue.OrderCount(Alice.VenueAccountNumber));
        Assert.Equal(3, venue.TotalOrders); // every order ever taken
    }

    [Fact]
    public async Task Orders_are_kept_a_day_by_default()
    {
        Prices.Update("BTCUSDT", 50_000m);
        var old = Intent(Alice, 1);
        await Place(Alice, old);

        Clock.Advance(TimeSpan.FromHours(24));
        await Place(Alice, Intent(Alice, 2));
        Assert.NotNull(await Find(Alice, old.ClientOrderId));

        Clock.Advance(TimeSpan.FromTicks(1));
        await Place(Alice, Intent(Alice, 3));
        Assert.Null(await Find(Alice, old.ClientOrderId));
    }

    [Fact]
    public async Task A_forgotten_id_placed_again_is_a_new_order()
    {
        var venue = Make(retention: TimeSpan.FromMinutes(1));
        Prices.Update("BTCUSDT", 50_000m);
        var intent = Intent(Alice, 1);
        var first = await venue.PlaceOrderAsync(Alice, intent, CancellationToken.None);

        Clock.Advance(TimeSpan.FromMinutes(2));
        var again = await venue.PlaceOrderAsync(Alice, intent, CancellationToken.None);

        Assert.Equal("S-1", first.VenueOrderId);
        Assert.Equal("S-2", again.VenueOrderId);
        Assert.Equal(1, venue.OrderCount(Alice.VenueAccountNumber));
    }

    [Fact]
    public async Task At_a_venue_without_deduplication_an_expired_order_takes_only_itself_out_of_the_book()
    {
        var venue = Make(DuplicateHandling.None, retention: TimeSpan.FromMinutes(10));
        Prices.Update("BTCUSDT", 50_000m);
        var intent = Intent(Alice, 1);
        await venue.PlaceOrderAsync(Alice, intent, CancellationToken.None);          // S-1 at 0
        Clock.Advance(TimeSpan.FromMinutes(9));
        var second = await venue.PlaceOrderAsync(Alice, intent, CancellationToken.None); // S-2 at 9 min, same id

        Clock.Advance(TimeSpan.FromMinutes(2));                                       // S-1 expires, S-2 does not
        await venue.PlaceOrderAsync(Alice, Intent(Alice, 2), CancellationToken.None);

        Assert.Equal(2, venue.OrderCount(Alice.VenueAccountNumber));
        Assert.Equal(second, await venue.FindOrderAsync(Alice, OrderLookup.Of(intent), CancellationToken.None));
    }

    // ---- concurrency

    [Fact]
    public async Task Fifty_concurrent_placements_of_one_id_make_one_order_at_a_deduplicating_venue()
    {
        Prices.Update("BTCUSDT", 50_000m);
        var intent = Intent(Alice, 1);

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => Place(Alice, intent))));

        Assert.Equal(1, _venue.OrderCount(Alice.VenueAccountNumber));
        Assert.Equal(1, _venue.TotalOrders);
        Assert.Single(results.Distinct());
        Assert.All(results, r => Assert.Equal("S-1", r.VenueOrderId));
    }

    [Fact]
    public async Task Fifty_concurrent_placements_of_one_id_at_a_refusing_venue_are_one_order_and_49_duplicates()
    {
        var venue = Make(DuplicateHandling.Refuse);
        Prices.Update("BTCUSDT", 50_000m);
        var intent = Intent(Alice, 1);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(async () =>
        {
            try { return (await venue.PlaceOrderAsync(Alice, intent, CancellationToken.None)).VenueOrderId; }
            catch (DuplicateClientOrderIdException) { return "duplicate"; }
        })));

        Assert.Equal(1, outcomes.Count(o => o == "S-1"));
        Assert.Equal(49, outcomes.Count(o => o == "duplicate"));
        Assert.Equal(1, venue.OrderCount(Alice.VenueAccountNumber));
    }

    [Fact]
    public async Task Fifty_concurrent_placements_of_one_id_without_deduplication_are_fifty_orders()
    {
        var venue = Make(DuplicateHandling.None);
        Prices.Update("BTCUSDT", 50_000m);
        var intent = Intent(Alice, 1);

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => venue.PlaceOrderAsync(Alice, intent, CancellationToken.None))));

        Assert.Equal(50, venue.OrderCount(Alice.VenueAccountNumber));
        Assert.Equal(50, results.Select(r => r.VenueOrderId).Distinct().Count());
    }

    [Fact]
    public async Task Concurrent_distinct_placements_across_accounts_are_all_recorded()
    {
        Prices.Update("BTCUSDT", 50_000m);

        var results = await Task.WhenAll(Enumerable.Range(1, 100).Select(i => Task.Run(() =>
        {
            var account = i % 2 == 0 ? Alice : Bob;
            return Place(account, Intent(account, i));
        })));

        Assert.Equal(100, _venue.TotalOrders);
        Assert.Equal(50, _venue.OrderCount(Alice.VenueAccountNumber));
        Assert.Equal(50, _venue.OrderCount(Bob.VenueAccountNumber));
        Assert.Equal(100, results.Select(r => r.VenueOrderId).Distinct().Count());
        Assert.All(results, r => Assert.Equal(r.VenueOrderId, r.Fill!.VenueOrderId));
    }

    // ---- the account: what its fills add up to

    [Fact]
    public async Task The_account_is_its_fills_added_up_open_positions_by_symbol()
    {
        Prices.Update("ETHUSDT", 2_000m);
        Prices.Update("BTCUSDT", 50_000m);
        Prices.Update("AAPL", 200m);
        await Place(Alice, Intent(Alice, 1, symbol: "ETHUSDT", qty: 1m));                       // 2 001, fee 2.001
        await Place(Alice, Intent(Alice, 2, symbol: "BTCUSDT", qty: 0.1m));                     // 50 025, fee 5.0025
        await Place(Alice, Intent(Alice, 3, symbol: "ETHUSDT", side: OrderSide.Sell, qty: 0.5m)); // 1 999, fee 0.9995
        await Place(Alice, Intent(Alice, 4, symbol: "AAPL", qty: 2m));                          // 200.10, fee 0.4002
        await Place(Alice, Intent(Alice, 5, symbol: "AAPL", side: OrderSide.Sell, qty: 2m));    // 199.90, fee 0.3998: closed
        await Place(Bob, Intent(Bob, 1, symbol: "BTCUSDT", qty: 0.2m));                         // another account's
        Prices.Update("BTCUSDT", 51_000m);
        Prices.Update("ETHUSDT", 2_100m);

        var account = await _venue.GetAccountAsync(Alice, CancellationToken.None);

        // Cash: what the fills cost, fees included; positions at their average entry; equity at the latest prices.
        var cash = -(2_001m + 2.001m) - (5_002.5m + 5.0025m) + (999.5m - 0.9995m) - (400.2m + 0.4002m) + (399.8m - 0.3998m);
        Assert.Equal("USD", account.Currency);
        Assert.Equal(cash, account.Cash);
        Assert.Equal([new VenuePosition("BTCUSDT", 0.1m, 50_025m), new VenuePosition("ETHUSDT", 0.5m, 2_003m)], account.Positions);
        Assert.Equal(cash + 0.1m * 51_000m + 0.5m * 2_100m, account.Equity);
        Assert.Empty(account.OpenOrders);
    }

    [Fact]
    public async Task A_short_position_is_held_negative_and_credits_its_sale()
    {
        Prices.Update("BTCUSDT", 50_000m);
        await Place(Alice, Intent(Alice, 1, side: OrderSide.Sell, qty: 0.1m)); // 49 975, fee 4.9975

        var account = await _venue.GetAccountAsync(Alice, CancellationToken.None);

        Assert.Equal(4_997.5m - 4.9975m, account.Cash);
        Assert.Equal([new VenuePosition("BTCUSDT", -0.1m, 49_975m)], account.Positions);
        Assert.Equal(4_997.5m - 4.9975m - 0.1m * 50_000m, account.Equity);
    }

    [Fact]
    public async Task A_position_without_a_price_is_valued_at_its_entry()
    {
        // Filled at the intent's reference price: no market data for the symbol yet.
        await Place(Alice, Intent(Alice, 1, symbol: "ETHUSDT", qty: 1m, reference: 2_000m));

        var account = await _venue.GetAccountAsync(Alice, CancellationToken.None);

        Assert.Equal(-(2_001m + 2.001m) + 2_001m, account.Equity);
    }

    [Fact]
    public async Task An_account_without_fills_is_empty_whatever_other_accounts_hold()
    {
        Prices.Update("BTCUSDT", 50_000m);
        await Place(Bob, Intent(Bob, 1));

        var account = await _venue.GetAccountAsync(Alice, CancellationToken.None);

        Assert.Equal((0m, 0m), (account.Cash, account.Equity));
        Assert.Empty(account.Positions);
    }

    [Fact]
    public async Task Reading_the_account_needs_an_account_and_a_live_call()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAsync<ArgumentNullException>(() => _venue.GetAccountAsync(null!, CancellationToken.None));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _venue.GetAccountAsync(Alice, cts.Token));
    }

    [Fact]
    public async Task A_venue_that_does_not_answer_holds_the_account_read_until_cancelled()
    {
        _venue.SetFault(Alice.VenueAccountNumber, VenueFault.Hang);

        await AssertHangsUntilCancelled(ct => _venue.GetAccountAsync(Alice, ct));
    }
}
