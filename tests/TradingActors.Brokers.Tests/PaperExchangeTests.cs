using TradingActors.Brokers.Paper;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Tests;

/// <summary>
/// The embedded paper venue: the venue contract, plus what makes it stateless (no book: every placement
/// is priced anew, nothing to look up, no deduplication: the tenant's ledger is the book).
/// </summary>
public sealed class PaperExchangeTests : VenueContractTests
{
    private readonly PaperExchange _exchange;

    public PaperExchangeTests() => _exchange = new PaperExchange(new PaperVenueOptions(), Prices, Clock);

    protected override IBrokerClient Venue => _exchange;
    protected override string Kind => "paper";
    protected override void SetFault(string venueAccountNumber, VenueFault fault) => _exchange.SetFault(venueAccountNumber, fault);
    protected override void ClearFault(string venueAccountNumber) => _exchange.ClearFault(venueAccountNumber);

    [Fact]
    public async Task The_venue_order_id_is_the_client_order_id_with_a_P_prefix()
    {
        Prices.Update("BTCUSDT", 50_000m);
        var intent = Intent(Alice, 1);

        var result = await Place(Alice, intent);

        Assert.Equal("P-" + intent.ClientOrderId, result.VenueOrderId);
        Assert.Equal("P-" + intent.ClientOrderId, result.Fill!.VenueOrderId);
        Assert.Equal("P-", PaperExchange.VenueOrderIdPrefix);
    }

    [Fact]
    public async Task The_same_client_order_id_twice_is_priced_anew()
    {
        Prices.Update("BTCUSDT", 50_000m);
        var intent = Intent(Alice, 1);

        var first = await Place(Alice, intent);
        Prices.Update("BTCUSDT", 60_000m);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await Place(Alice, intent);

        Assert.Equal(50_025m, first.Fill!.Price);
        Assert.Equal(60_030m, second.Fill!.Price);
        Assert.Equal(Now.AddSeconds(1), second.Fill.Time);
        Assert.Equal(first.VenueOrderId, second.VenueOrderId); // derived from the id, not counted
    }

    [Fact]
    public async Task The_same_client_order_id_in_two_accounts_fills_alike()
    {
        Prices.Update("BTCUSDT", 50_000m);
        var intent = Intent(Alice, 1);

        var alices = await Place(Alice, intent);
        var bobs = await Place(Bob, intent);

        Assert.Equal(alices, bobs);
    }

    [Fact]
    public async Task Fifty_concurrent_placements_of_one_id_each_fill_with_that_id()
    {
        Prices.Update("BTCUSDT", 50_000m);
        var intent = Intent(Alice, 1);

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => Place(Alice, intent))));

        Assert.All(results, r => Assert.Equal(BrokerOrderStatus.Filled, r.Status));
        Assert.Single(results.Distinct());
        Assert.Equal("P-" + intent.ClientOrderId, results[0].VenueOrderId);
    }

    [Fact]
    public async Task Nothing_is_ever_found_by_client_order_id()
    {
        Prices.Update("BTCUSDT", 50_000m);
        var intent = Intent(Alice, 1);
        await Place(Alice, intent);

        Assert.Null(await Find(Alice, intent.ClientOrderId));
        Assert.Null(await Find(Alice, "never-placed"));
    }

    [Fact]
    public void It_does_not_deduplicate_client_order_ids() => Assert.False(_exchange.DeduplicatesClientOrderIds);

    [Fact]
    public async Task Fill_then_lose_answer_is_a_hang_for_the_paper_venue_and_books_nothing()
    {
        Prices.Update("BTCUSDT", 50_000m);
        SetFault(Alice.VenueAccountNumber, VenueFault.FillThenLoseAnswer);
        var intent = Intent(Alice, 1);

        await AssertHangsUntilCancelled(ct => _exchange.PlaceOrderAsync(Alice, intent, ct));

        Assert.Null(await Find(Alice, intent.ClientOrderId));
    }

    [Fact]
    public void Fill_prices_an_intent_without_any_fault()
    {
        Prices.Update("BTCUSDT", 50_000m);
        SetFault(Alice.VenueAccountNumber, VenueFault.Throw);

        var result = _exchange.Fill(Intent(Alice, 1));

        Assert.Equal(BrokerOrderStatus.Filled, result.Status);
        Assert.Equal(50_025m, result.Fill!.Price);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_non_positive_latest_price_is_ignored_for_the_reference_price(int latest)
    {
        var exchange = new PaperExchange(new PaperVenueOptions(), new FixedPrice(latest), Clock);

        var result = exchange.Fill(Intent(Alice, 1, symbol: "ETHUSDT", qty: 1m, reference: 2_000m));

        Assert.Equal(BrokerOrderStatus.Filled, result.Status);
        Assert.Equal(2_001.00m, result.Fill!.Price);
    }

    private sealed class FixedPrice(decimal price) : IPriceSource
    {
        public bool TryGetLatest(string symbol, out decimal latest)
        {
            latest = price;
            return true;
        }
    }

    [Fact]
    public void Costs_come_from_the_options()
    {
        Prices.Update("BTCUSDT", 50_000m);
        var exchange = new PaperExchange(new PaperVenueOptions { FeeRate = 0.002m, SlippageBps = 10m }, Prices, Clock);

        var fill = exchange.Fill(Intent(Alice, 1)).Fill!;

        Assert.Equal(50_050m, fill.Price);   // 50000 * (1 + 10/10000)
        Assert.Equal(10.01m, fill.Fee);      // 0.1 * 50050 * 0.002
    }

    [Fact]
    public void Venue_name_comes_from_the_options() =>
        Assert.Equal("paper-eu", new PaperExchange(new PaperVenueOptions { Venue = "paper-eu" }, Prices, Clock).Venue);

    [Fact]
    public void Invalid_options_are_refused_at_construction() =>
        Assert.Throws<ArgumentException>(() => new PaperExchange(new PaperVenueOptions { FeeRate = 1m }, Prices, Clock));

    [Fact]
    public void Missing_dependencies_are_refused_at_construction()
    {
        Assert.Throws<ArgumentNullException>(() => new PaperExchange(null!, Prices, Clock));
        Assert.Throws<ArgumentNullException>(() => new PaperExchange(new PaperVenueOptions(), null!, Clock));
        Assert.Throws<ArgumentNullException>(() => new PaperExchange(new PaperVenueOptions(), Prices, null!));
    }

    [Fact]
    public void A_fault_needs_an_account() =>
        Assert.Throws<ArgumentNullException>(() => _exchange.SetFault(null!, VenueFault.Throw));

    [Fact]
    public async Task A_paper_account_is_read_from_its_tenant_not_from_the_venue()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => _exchange.GetAccountAsync(Alice, CancellationToken.None));

        Assert.Equal("a paper account is kept by its tenant, not by the paper venue: read the tenant's state", e.Message);
    }

    [Fact]
    public async Task Instrument_rules_are_the_engines_own_table()
    {
        Assert.Equal(Domain.Market.Instruments.EthUsdt, await _exchange.GetInstrumentAsync(Alice, "ETHUSDT", CancellationToken.None));
        Assert.Null(await _exchange.GetInstrumentAsync(Alice, "NOSUCH", CancellationToken.None));
    }

    [Fact]
    public async Task Instrument_rules_need_an_account_and_a_live_call()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAsync<ArgumentNullException>(() => _exchange.GetInstrumentAsync(null!, "ETHUSDT", CancellationToken.None));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _exchange.GetInstrumentAsync(Alice, "ETHUSDT", cts.Token));
    }

    [Theory]
    [InlineData(50_000, true)]
    [InlineData(0, false)]
    [InlineData(-1, false)]
    public void Only_a_positive_latest_price_is_a_price(int latest, bool known)
    {
        var exchange = new PaperExchange(new PaperVenueOptions(), new FixedPrice(latest), Clock);

        Assert.Equal(known, exchange.TryGetPrice("BTCUSDT", out var price));
        if (known) Assert.Equal(latest, price);
    }

    [Fact]
    public void A_symbol_without_a_price_has_none()
    {
        Prices.Update("BTCUSDT", 50_000m);

        Assert.False(_exchange.TryGetPrice("ETHUSDT", out _));
        Assert.True(_exchange.TryGetPrice("BTCUSDT", out var price));
        Assert.Equal(50_000m, price);
    }
}

/// <summary>Measures the managed heap: runs alone, after the parallel tests, so no other test allocates meanwhile.</summary>
[CollectionDefinition(nameof(HeapMeasurement), DisableParallelization = true)]
public sealed class HeapMeasurement;

[Collection(nameof(HeapMeasurement))]
public sealed class PaperExchangeMemoryTests
{
    [Fact]
    public async Task The_paper_venue_keeps_no_memory_per_order()
    {
        var prices = new LatestPrices();
        prices.Update("BTCUSDT", 50_000m);
        var exchange = new PaperExchange(new PaperVenueOptions(), prices, TimeProvider.System);
        var account = new BrokerAccount("acc-1", "PA-1");
        async Task PlaceDistinct(int from, int count)
        {
            for (var i = from; i < from + count; i++)
            {
                var intent = new OrderIntent(ClientOrderIds.Create("t1", "acc-1", "strategy:s1", i, 0), "acc-1", "strategy:s1", i, "BTCUSDT", OrderSide.Buy, 0.001m, 50_000m);
                var result = await exchange.PlaceOrderAsync(account, intent, CancellationToken.None);
                if (result.Status != BrokerOrderStatus.Filled) throw new InvalidOperationException(result.RejectReason);
            }
        }
        await PlaceDistinct(0, 1_000); // warm-up: first-call allocations are not per order

        var before = GC.GetTotalMemory(forceFullCollection: true);
        await PlaceDistinct(1_000, 50_000);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(exchange); // anything it kept per order is still reachable here

        // A book entry per order would be well over 100 bytes each: more than 5 MB for 50 000 orders.
        Assert.True(after - before < 1_000_000, $"the heap grew by {after - before:N0} bytes over 50 000 orders");
    }
}
