using TradingActors.Brokers.Fakes;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Tests.Venues;

/// <summary>
/// The contract every HTTP venue connector keeps, run against its own local fake over real HTTP on 127.0.0.1
/// (one derived class per venue, in Venues/&lt;Venue&gt;/). What a venue does differently — its duplicate answer, its
/// rate-limit answer, a venue without client order ids — is said by the hooks, and each venue's own suite adds the
/// cases only it has (signatures, tokens, error codes).
/// </summary>
public abstract class HttpVenueContractTests : IAsyncLifetime
{
    protected const string AccountNumber = "ACC-1";
    protected const string ApiKey = "test-key-0123456789";
    protected const string ApiSecret = "test-secret-abcdefghijklmnop";

    protected FakeVenueServer Fake { get; private set; } = null!;
    protected IBrokerClient Client { get; private set; } = null!;
    protected BrokerAccount Account { get; private set; } = null!;

    /// <summary>A symbol the venue lists, its price at the fake, and an order quantity the venue's rules accept.</summary>
    protected abstract string Symbol { get; }
    protected abstract decimal Price { get; }
    protected abstract decimal Quantity { get; }

    /// <summary>Whether the venue carries our client order id (all but KIS).</summary>
    protected virtual bool HasClientOrderIds => true;

    /// <summary>
    /// Whether the placement's answer already says the market order filled (OANDA's fill transaction). Venues that
    /// answer "accepted" (Alpaca, Bybit, KIS) are followed by lookups until the order ends.
    /// </summary>
    protected virtual bool AnswersFillsAtOnce => false;

    protected abstract FakeVenueServer CreateFake();

    /// <summary>The connector pointed at the fake, with retries short enough for a test.</summary>
    protected abstract IBrokerClient CreateClient(Uri baseUrl);

    /// <summary>The account as its BrokerSession hands it to the connector (credentials opened, token if the venue uses one).</summary>
    protected virtual Task<BrokerAccount> OpenAccountAsync(BrokerAccount account) => Task.FromResult(account);

    public async Task InitializeAsync()
    {
        Fake = CreateFake();
        Fake.SeedAccount(AccountNumber, ApiKey, ApiSecret);
        Fake.Exchange.SetPrice(Symbol, Price);
        await Fake.StartAsync();
        Client = CreateClient(Fake.BaseUrl);
        Account = await OpenAccountAsync(new BrokerAccount("acct-1", AccountNumber, ApiKey, ApiSecret));
    }

    public async Task DisposeAsync() => await Fake.DisposeAsync();

    private long _seq;

    protected OrderIntent Market(OrderSide side = OrderSide.Buy, decimal? qty = null) =>
        new(ClientOrderIds.Create("tenant-1", "acct-1", "strategy:s1", ++_seq, 0), "acct-1", "strategy:s1", _seq, Symbol, side, qty ?? Quantity, Price);

    protected OrderIntent Limit(decimal limit, OrderSide side = OrderSide.Buy, decimal? qty = null) =>
        Market(side, qty) with { Type = OrderType.Limit, LimitPrice = limit };

    protected static CancellationToken Soon => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;

    /// <summary>How the engine looks an order up after it sent it: by client order id, and for a venue without one, by what it sent and when.</summary>
    protected OrderLookup LookupOf(OrderIntent intent, DateTimeOffset sentAfter, string? venueOrderId = null) =>
        OrderLookup.Of(intent) with { SentAfter = sentAfter, VenueOrderId = venueOrderId };

    protected Task<BrokerOrderResult?> FindAsync(OrderIntent intent, DateTimeOffset sentAfter, string? venueOrderId = null) =>
        Client.FindOrderAsync(Account, LookupOf(intent, sentAfter, venueOrderId), Soon);

    protected DateTimeOffset Now => Fake.Exchange.Time.GetUtcNow();

    // ---- orders

    [Fact]
    public async Task A_market_order_fills_at_the_venues_price_and_is_found_again()
    {
        var sent = Now;
        var intent = Market();

        var placed = await Client.PlaceOrderAsync(Account, intent, Soon);

        Assert.Equal(AnswersFillsAtOnce ? BrokerOrderStatus.Filled : BrokerOrderStatus.Accepted, placed.Status);
        Assert.Equal(intent.ClientOrderId, placed.ClientOrderId);
        if (AnswersFillsAtOnce)
        {
            Assert.Equal(Quantity, placed.Fill!.Quantity);
            Assert.Equal(Price, placed.Fill.Price);
        }
        Assert.False(string.IsNullOrEmpty(placed.VenueOrderId));
        var order = Assert.Single(Fake.Exchange.Orders(AccountNumber));
        Assert.Equal(placed.VenueOrderId, order.VenueOrderId);
        if (HasClientOrderIds) Assert.Equal(intent.ClientOrderId, order.ClientOrderId);

        var found = await FindAsync(intent, sent);
        Assert.NotNull(found);
        Assert.Equal(BrokerOrderStatus.Filled, found.Status);
        Assert.Equal(placed.VenueOrderId, found.VenueOrderId);
        Assert.Equal(Quantity, found.Fill!.Quantity);
        Assert.Equal(Price, found.Fill.Price);
        Assert.Equal(intent.ClientOrderId, found.ClientOrderId);
    }

    [Fact]
    public async Task A_sell_is_sent_as_a_sell()
    {
        await Client.PlaceOrderAsync(Account, Market(OrderSide.Sell), Soon);

        Assert.Equal(OrderSide.Sell, Assert.Single(Fake.Exchange.Orders(AccountNumber)).Side);
        Assert.Equal(-Quantity, Fake.Exchange.Holdings(AccountNumber).Positions[Symbol].Quantity);
    }

    [Fact]
    public async Task A_limit_order_rests_and_fills_when_the_price_crosses_it()
    {
        var sent = Now;
        var limit = Price * 0.9m;
        var intent = Limit(limit);

        var placed = await Client.PlaceOrderAsync(Account, intent, Soon);
        Assert.Equal(BrokerOrderStatus.Accepted, placed.Status);
        Assert.Null(placed.Fill);
        var open = await FindAsync(intent, sent, placed.VenueOrderId);
        Assert.Equal(BrokerOrderStatus.Accepted, open!.Status);

        Fake.Exchange.SetPrice(Symbol, limit);

        var filled = await FindAsync(intent, sent, placed.VenueOrderId);
        Assert.Equal(BrokerOrderStatus.Filled, filled!.Status);
        Assert.Equal(Quantity, filled.Fill!.Quantity);
        Assert.Equal(limit, filled.Fill.Price);
    }

    [Fact]
    public async Task A_partial_fill_is_reported_cumulatively_until_the_order_is_filled()
    {
        var sent = Now;
        var limit = Price * 0.9m;
        var intent = Limit(limit, qty: Quantity * 2);
        var placed = await Client.PlaceOrderAsync(Account, intent, Soon);

        Fake.Exchange.SetPrice(Symbol, limit, liquidity: Quantity);
        var part = await FindAsync(intent, sent, placed.VenueOrderId);
        Assert.Equal(BrokerOrderStatus.PartiallyFilled, part!.Status);
        Assert.Equal(Quantity, part.Fill!.Quantity);
        Assert.False(part.IsFinal);

        Fake.Exchange.SetPrice(Symbol, limit, liquidity: Quantity);
        var whole = await FindAsync(intent, sent, placed.VenueOrderId);
        Assert.Equal(BrokerOrderStatus.Filled, whole!.Status);
        Assert.Equal(Quantity * 2, whole.Fill!.Quantity);
    }

    [Fact]
    public async Task An_open_order_is_cancelled_and_stays_cancelled()
    {
        var sent = Now;
        var intent = Limit(Price * 0.9m);
        var placed = await Client.PlaceOrderAsync(Account, intent, Soon);

        var cancelled = await Client.CancelOrderAsync(Account, LookupOf(intent, sent, placed.VenueOrderId), Soon);

        Assert.Equal(BrokerOrderStatus.Cancelled, cancelled!.Status);
        Assert.Equal(FakeOrderState.Cancelled, Assert.Single(Fake.Exchange.Orders(AccountNumber)).State);
        Fake.Exchange.SetPrice(Symbol, Price * 0.8m); // would have crossed
        Assert.Equal(BrokerOrderStatus.Cancelled, (await FindAsync(intent, sent, placed.VenueOrderId))!.Status);
    }

    [Fact]
    public async Task An_order_the_venue_never_had_is_not_found()
    {
        await Client.PlaceOrderAsync(Account, Market(), Soon);

        Assert.Null(await FindAsync(Market(qty: Quantity * 3), Now));
    }

    // ---- the outcome vocabulary

    [Fact]
    public async Task Wrong_credentials_are_not_placed_and_fail_the_check_without_naming_the_secret()
    {
        var wrong = Account with { ApiSecret = "wrong-secret-zzzzzzzzzzzzzz", Token = null };
        wrong = await OpenWrongAsync(wrong);

        var e = await Assert.ThrowsAsync<OrderNotPlacedException>(() => Client.PlaceOrderAsync(wrong, Market(), Soon));
        var check = await Client.CheckConnectivityAsync(wrong, Soon);

        Assert.False(check.Passed);
        Assert.Empty(Fake.Exchange.Orders(AccountNumber));
        foreach (var text in new[] { e.ToString(), check.Reason! })
        {
            Assert.DoesNotContain(ApiSecret, text);
            Assert.DoesNotContain("wrong-secret", text);
        }
        Assert.True((await Client.CheckConnectivityAsync(Account, Soon)).Passed);
    }

    /// <summary>The wrong account as its session would hand it over (a token venue would fail to get a token: override).</summary>
    protected virtual Task<BrokerAccount> OpenWrongAsync(BrokerAccount wrong) => Task.FromResult(wrong);

    [Fact]
    public async Task An_order_beyond_the_accounts_funds_is_rejected_with_the_venues_reason()
    {
        var result = await Client.PlaceOrderAsync(Account, Market(qty: Quantity * 1_000_000), Soon);

        Assert.Equal(BrokerOrderStatus.Rejected, result.Status);
        Assert.False(string.IsNullOrWhiteSpace(result.RejectReason));
        Assert.DoesNotContain(Fake.Exchange.Orders(AccountNumber), o => o.FilledQuantity > 0);
    }

    [Fact]
    public async Task A_venue_failure_after_sending_is_unknown_not_a_failure()
    {
        Fake.Faults.Set(FakeFaultKind.Fail, times: 1);

        var e = await Assert.ThrowsAnyAsync<Exception>(() => Client.PlaceOrderAsync(Account, Market(), Soon));

        Assert.IsNotType<OrderNotPlacedException>(e);
        Assert.IsNotType<DuplicateClientOrderIdException>(e);
    }

    [Fact]
    public async Task An_answer_lost_after_the_venue_took_the_order_is_unknown_and_the_lookup_finds_the_one_order()
    {
        var sent = Now;
        var intent = Market();
        Fake.Faults.Set(FakeFaultKind.DropAfterAccept, times: 1);

        var e = await Assert.ThrowsAnyAsync<Exception>(() => Client.PlaceOrderAsync(Account, intent, Soon));
        Assert.IsNotType<OrderNotPlacedException>(e);

        var found = await FindAsync(intent, sent);
        Assert.NotNull(found);
        Assert.Equal(BrokerOrderStatus.Filled, found.Status);
        Assert.Single(Fake.Exchange.Orders(AccountNumber));
    }

    [Fact]
    public async Task A_venue_that_hangs_is_given_up_by_the_callers_token_and_places_nothing()
    {
        Fake.Faults.Set(FakeFaultKind.Hang);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Client.PlaceOrderAsync(Account, Market(), cts.Token));

        Assert.Empty(Fake.Exchange.Orders(AccountNumber));
    }

    [Fact]
    public async Task A_venue_that_cannot_be_reached_did_not_place_the_order()
    {
        var closed = CreateClient(new Uri("http://127.0.0.1:9/")); // discard port: nothing listens

        await Assert.ThrowsAsync<OrderNotPlacedException>(() => closed.PlaceOrderAsync(Account, Market(), Soon));
    }

    [Fact]
    public async Task Placing_the_same_client_order_id_again_never_makes_a_second_order()
    {
        if (!HasClientOrderIds) return; // a venue without client order ids is reconciled by inquiry instead (its own suite)
        var intent = Limit(Price * 0.9m);
        var first = await Client.PlaceOrderAsync(Account, intent, Soon);

        try
        {
            var again = await Client.PlaceOrderAsync(Account, intent, Soon);
            Assert.Equal(first.VenueOrderId, again.VenueOrderId); // the venue answered with the existing order
        }
        catch (DuplicateClientOrderIdException e)
        {
            Assert.Equal(intent.ClientOrderId, e.ClientOrderId);
        }

        Assert.Single(Fake.Exchange.Orders(AccountNumber));
    }

    // ---- account and rules

    [Fact]
    public async Task The_account_shows_cash_positions_and_open_orders()
    {
        await Client.PlaceOrderAsync(Account, Market(), Soon);
        var resting = await Client.PlaceOrderAsync(Account, Limit(Price * 0.9m), Soon);

        var state = await Client.GetAccountAsync(Account, Soon);

        var position = Assert.Single(state.Positions);
        Assert.Equal(Symbol, position.Symbol);
        Assert.Equal(Quantity, position.Quantity);
        Assert.Equal(Price, position.AveragePrice);
        var open = Assert.Single(state.OpenOrders);
        Assert.Equal(resting.VenueOrderId, open.VenueOrderId);
        Assert.Equal(Fake.Exchange.Holdings(AccountNumber).Cash, state.Cash);
    }

    [Fact]
    public async Task The_instrument_rules_come_from_the_venue()
    {
        var rules = await Client.GetInstrumentAsync(Account, Symbol, Soon);

        Assert.NotNull(rules);
        Assert.Equal(Symbol, rules.Symbol);
        Assert.True(rules.QuantityStep > 0 && rules.PriceTick > 0);
        Assert.Null(rules.Refusal(Quantity, Price));
        Assert.Null(await Client.GetInstrumentAsync(Account, "NOSUCH", Soon));
    }
}
