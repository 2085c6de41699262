using Akka.Actor;
using TradingActors.Brokers.Fakes;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Tenants;
using TradingActors.Engine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TradingActors.Engine.Tests.Tenants;

/// <summary>
/// Orders a venue holds before they end (decision 024), at the book venue: a limit order rests and is followed, fills in
/// parts, each part persisted and booked once (counted in the journal) across lookups and restarts; a cancel ends it
/// (cancelled, or filled with what filled); a working order is never flagged; lookups carry what the ledger knows.
/// </summary>
public sealed class TenantWorkingOrderTests(ITestOutputHelper output) : EngineTestKit(output)
{
    private const decimal Market = 60_000m;

    private static string Pid(TenantRig rig) => Names.TenantPersistenceId(rig.TenantId);

    private static FakeExchange Exchange(TenantRig rig) => rig.Venues.Book.Exchange;

    /// <summary>The venue's price and the engine's (the tenant checks and references manual orders with the latter).</summary>
    private static void Price(TenantRig rig, decimal price, decimal? liquidity = null)
    {
        rig.Venues.Prices.Update(TenantRig.Symbol, price);
        Exchange(rig).SetPrice(TenantRig.Symbol, price, liquidity);
    }

    private static FakeOrder AtVenue(TenantRig rig, string clientOrderId) =>
        Exchange(rig).OrderByClientId(TenantRig.BookAccountNumber, clientOrderId)!;

    private OrderRecord Order(TenantRig rig, IActorRef tenant, string clientOrderId) => rig.State(tenant).Find(clientOrderId)!;

    private List<T> Journaled<T>(TenantRig rig) => Events(Pid(rig)).OfType<T>().ToList();

    /// <summary>Waits until the tenant holds the order as working with <paramref name="filled"/> booked (null: nothing yet).</summary>
    private void AwaitWorking(TenantRig rig, IActorRef tenant, string clientOrderId, decimal? filled) =>
        AwaitAssert(() =>
        {
            var order = Order(rig, tenant, clientOrderId);
            Assert.Equal(OrderStatus.Working, order.Status);
            Assert.Equal(filled, order.Fill?.Quantity);
        }, TimeSpan.FromSeconds(10));

    /// <summary>Waits for <paramref name="more"/> lookups of the order beyond those made so far.</summary>
    private void AwaitLookups(TenantRig rig, string clientOrderId, int more)
    {
        var before = rig.Venues.Book.Lookups.Count(l => l.ClientOrderId == clientOrderId);
        AwaitCondition(() => rig.Venues.Book.Lookups.Count(l => l.ClientOrderId == clientOrderId) >= before + more, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void A_resting_limit_order_is_followed_and_fills_in_two_parts_each_persisted_once_and_booked_as_the_venue_filled_it()
    {
        var rig = new TenantRig(this);
        Price(rig, Market);
        var tenant = rig.BookTrader();

        var placed = rig.PlaceLimit(tenant, "limit-1", OrderSide.Buy, 0.01m, 59_000m);
        var id = placed.ClientOrderId;
        Assert.Equal(OrderStatus.Submitted, placed.Status);
        AwaitWorking(rig, tenant, id, null);
        AwaitLookups(rig, id, 5); // resting: looked up again and again, nothing new persisted
        Assert.Equal((FakeOrderState.Open, OrderType.Limit, 59_000m), (AtVenue(rig, id).State, AtVenue(rig, id).Type, AtVenue(rig, id).LimitPrice));

        Price(rig, 58_900m, liquidity: 0.004m);
        AwaitWorking(rig, tenant, id, 0.004m);
        AwaitLookups(rig, id, 5); // the same part, found again: booked once
        Price(rig, 58_800m);
        AwaitAssert(() => Assert.Equal(OrderStatus.Filled, Order(rig, tenant, id).Status), TimeSpan.FromSeconds(10));

        var venue = AtVenue(rig, id);
        var order = Order(rig, tenant, id);
        Assert.Equal((venue.FilledQuantity, venue.AveragePrice, venue.Fees, venue.VenueOrderId), (order.Fill!.Quantity, order.Fill.Price, order.Fill.Fee, order.VenueOrderId));
        Assert.Single(Journaled<OrderSubmitted>(rig));
        var working = Journaled<OrderWorking>(rig);
        Assert.Equal([null, 0.004m], working.Select(w => w.FilledSoFar?.Quantity));
        Assert.All(working, w => Assert.Equal(venue.VenueOrderId, w.VenueOrderId));
        Assert.Equal(0.01m, Assert.Single(Journaled<OrderFilled>(rig)).Fill.Quantity);
        Assert.Equal(1, rig.Venues.Book.Placements);
        var state = rig.State(tenant);
        Assert.Equal((1L, 0L), (state.OrdersFilled, state.OrdersCancelled));
        Assert.Empty(state.Open);
    }

    [Fact]
    public void A_subscriptions_order_filled_in_parts_holds_each_part_once_and_its_next_signal_waits_until_it_ends()
    {
        var rig = new TenantRig(this);
        rig.Venues.Book.WorkMarketOrders = true;
        Exchange(rig).SetPrice(TenantRig.Symbol, 60_100m); // above the buy's price: it rests
        var tenant = rig.BookSubscriber(budget: 1_000m);

        tenant.Tell(rig.Execute(rig.Publish(OrderSide.Buy, Market)));
        var id = rig.ClientOrderId(TenantRig.BookAccount, 1);
        rig.ExpectAck(1); // working is an outcome of the signal: it is settled, the order followed
        AwaitWorking(rig, tenant, id, null);
        var sell = rig.Publish(OrderSide.Sell, Market);
        tenant.Tell(rig.Execute(sell)); // deferred: the buy has not ended

        Exchange(rig).SetPrice(TenantRig.Symbol, Market, liquidity: 0.01m);
        AwaitWorking(rig, tenant, id, 0.01m);
        Assert.Equal(0.01m, rig.State(tenant).Subscriptions[TenantRig.StrategyId].Held);
        AwaitLookups(rig, id, 5);
        Assert.Equal(0.01m, rig.State(tenant).Subscriptions[TenantRig.StrategyId].Held);
        Assert.Equal(0, rig.Venues.Book.Placements - 1); // the sell waits

        // 1 000 / (60 000 * 1.002) rounded down to the step: 0.016633 in all.
        Exchange(rig).SetPrice(TenantRig.Symbol, 59_900m);
        rig.ExpectAck(2); // the buy ended: the sell of what it bought went out (and rests above the market)
        Exchange(rig).SetPrice(TenantRig.Symbol, Market);
        AwaitAssert(() => Assert.Empty(rig.State(tenant).Open), TimeSpan.FromSeconds(10));
        var state = rig.State(tenant);
        var buy = state.Recent.Single(o => o.Intent.ClientOrderId == id);
        Assert.Equal((OrderStatus.Filled, 0.016633m), (buy.Status, buy.Fill!.Quantity));
        var sold = state.Recent.Single(o => o.Intent.Side == OrderSide.Sell);
        Assert.Equal(0.016633m, sold.Intent.Quantity); // it sold exactly what the parts added up to
        Assert.Equal(0m, state.Subscriptions[TenantRig.StrategyId].Held);
        Assert.Equal([null, 0.01m], Journaled<OrderWorking>(rig).Where(w => w.Intent.ClientOrderId == id).Select(w => w.FilledSoFar?.Quantity));
        Assert.Equal(2, Journaled<OrderFilled>(rig).Count);
    }

    [Fact]
    public void A_tenant_restarted_between_the_parts_books_nothing_twice_and_the_rest_once()
    {
        var rig = new TenantRig(this);
        rig.Venues.Book.WorkMarketOrders = true;
        Exchange(rig).SetPrice(TenantRig.Symbol, 60_100m);
        var tenant = rig.BookSubscriber(budget: 1_000m);
        tenant.Tell(rig.Execute(rig.Publish(OrderSide.Buy, Market)));
        var id = rig.ClientOrderId(TenantRig.BookAccount, 1);
        rig.ExpectAck(1);
        Exchange(rig).SetPrice(TenantRig.Symbol, Market, liquidity: 0.01m);
        AwaitWorking(rig, tenant, id, 0.01m);
        Kill(tenant);
        Drain(rig.Fanout);

        var restarted = rig.Start();
        Assert.Equal(1, rig.ExpectRegistration().LastProcessed);
        AwaitLookups(rig, id, 5); // the recovered order is followed: the same part again, nothing persisted
        Assert.Equal(0.01m, rig.State(restarted).Subscriptions[TenantRig.StrategyId].Held);
        Assert.Equal(2, Journaled<OrderWorking>(rig).Count);
        Exchange(rig).SetPrice(TenantRig.Symbol, 59_900m);

        AwaitAssert(() => Assert.Empty(rig.State(restarted).Open), TimeSpan.FromSeconds(10));
        var state = rig.State(restarted);
        Assert.Equal(0.016633m, state.Subscriptions[TenantRig.StrategyId].Held);
        Assert.Equal(0.016633m, Assert.Single(Journaled<OrderFilled>(rig)).Fill.Quantity);
        Assert.Equal([null, 0.01m], Journaled<OrderWorking>(rig).Select(w => w.FilledSoFar?.Quantity));
        Assert.Equal(1, rig.Venues.Book.Placements);

        // Replayed once more from the journal: the same holding, nothing booked twice.
        Kill(restarted);
        Drain(rig.Fanout);
        var again = rig.Start();
        rig.ExpectRegistration();
        Assert.Equal(0.016633m, rig.State(again).Subscriptions[TenantRig.StrategyId].Held);
    }

    [Fact]
    public void A_cancel_ends_a_resting_order_and_a_second_cancel_is_refused_as_ended()
    {
        var rig = new TenantRig(this);
        Price(rig, Market);
        var tenant = rig.BookTrader();
        var id = rig.PlaceLimit(tenant, "limit-1", OrderSide.Buy, 0.01m, 59_000m).ClientOrderId;
        AwaitWorking(rig, tenant, id, null);

        tenant.Tell(new CancelOrder(rig.TenantId, id));

        var answered = ExpectMsg<OrderCancelAnswered>();
        Assert.Equal((id, OrderStatus.Cancelled, "cancelled by the client"), (answered.ClientOrderId, answered.Status, answered.Reason));
        Assert.Equal(FakeOrderState.Cancelled, AtVenue(rig, id).State);
        Assert.Equal(Events(Pid(rig)).Count, answered.Version);
        Assert.IsType<OrderCancelled>(Events(Pid(rig))[^1]);
        Assert.Single(Journaled<OrderCancelled>(rig));
        Assert.Empty(Journaled<OrderFilled>(rig));
        Assert.Equal(1, rig.State(tenant).OrdersCancelled);
        var cancel = Assert.Single(rig.Venues.Book.Cancels);
        Assert.Equal(AtVenue(rig, id).VenueOrderId, cancel.VenueOrderId);

        tenant.Tell(new CancelOrder(rig.TenantId, id));
        Assert.Equal(new OrderCancelRefused(rig.TenantId, id, CancelRefusal.Ended, "the order has already ended (cancelled)"), ExpectMsg<OrderCancelRefused>());
        tenant.Tell(new CancelOrder(rig.TenantId, "no-such-order"));
        Assert.Equal(new OrderCancelRefused(rig.TenantId, "no-such-order", CancelRefusal.UnknownOrder, "unknown order"), ExpectMsg<OrderCancelRefused>());
        Assert.Single(rig.Venues.Book.Cancels);
        Assert.Single(Journaled<OrderCancelled>(rig));
    }

    [Fact]
    public void A_cancel_of_a_partly_filled_order_ends_it_filled_with_the_part_that_filled_booked_once()
    {
        var rig = new TenantRig(this);
        Price(rig, Market);
        var tenant = rig.BookTrader();
        var id = rig.PlaceLimit(tenant, "limit-1", OrderSide.Buy, 0.01m, 59_000m).ClientOrderId;
        AwaitWorking(rig, tenant, id, null);
        Price(rig, 58_900m, liquidity: 0.004m);
        AwaitWorking(rig, tenant, id, 0.004m);

        tenant.Tell(new CancelOrder(rig.TenantId, id));

        var answered = ExpectMsg<OrderCancelAnswered>();
        Assert.Equal(OrderStatus.Filled, answered.Status);
        var order = Order(rig, tenant, id);
        Assert.Equal((0.004m, 59_000m), (order.Fill!.Quantity, order.Fill.Price));
        Assert.Equal((FakeOrderState.Cancelled, 0.004m), (AtVenue(rig, id).State, AtVenue(rig, id).FilledQuantity));
        Assert.Equal(0.004m, Assert.Single(Journaled<OrderFilled>(rig)).Fill.Quantity);
        Assert.Empty(Journaled<OrderCancelled>(rig));
        Assert.Equal([null, 0.004m], Journaled<OrderWorking>(rig).Select(w => w.FilledSoFar?.Quantity));

        tenant.Tell(new CancelOrder(rig.TenantId, id));
        Assert.Equal("the order has already ended (filled)", ExpectMsg<OrderCancelRefused>().Reason);
    }

    [Fact]
    public void A_cancel_of_an_order_that_filled_first_answers_filled_and_the_venue_order_stays_filled()
    {
        var rig = new TenantRig(this, resolution: TenantRig.Resolution() with { FirstRetry = TimeSpan.FromMinutes(5), MaxRetry = TimeSpan.FromMinutes(5) });
        Price(rig, Market);
        var tenant = rig.BookTrader();
        var id = rig.PlaceLimit(tenant, "limit-1", OrderSide.Buy, 0.01m, 59_000m).ClientOrderId;
        AwaitWorking(rig, tenant, id, null);
        Price(rig, 58_000m); // fills at the venue; the tenant's next lookup is minutes away

        tenant.Tell(new CancelOrder(rig.TenantId, id));

        Assert.Equal(OrderStatus.Filled, ExpectMsg<OrderCancelAnswered>().Status);
        Assert.Equal(0.01m, Assert.Single(Journaled<OrderFilled>(rig)).Fill.Quantity);
        Assert.Equal(FakeOrderState.Filled, AtVenue(rig, id).State);
    }

    [Fact]
    public void A_working_order_is_never_flagged_as_needing_attention_however_often_it_is_looked_up()
    {
        var rig = new TenantRig(this, resolution: TenantRig.Resolution(attemptsBeforeAttention: 3));
        Price(rig, Market);
        var tenant = rig.BookTrader();
        var id = rig.PlaceLimit(tenant, "limit-1", OrderSide.Buy, 0.01m, 59_000m).ClientOrderId;

        AwaitLookups(rig, id, 12);

        Assert.Empty(Journaled<OrderNeedsAttention>(rig));
        Assert.Equal(OrderStatus.Working, Order(rig, tenant, id).Status);
        Assert.Single(Journaled<OrderWorking>(rig));
        Assert.Equal(1, rig.Venues.Book.Placements);
    }

    [Fact]
    public void Lookups_and_cancels_carry_the_venue_order_id_when_it_was_sent_and_the_venue_ids_of_the_other_orders_there()
    {
        var skew = TimeSpan.FromSeconds(1);
        var rig = new TenantRig(this, resolution: TenantRig.Resolution() with { ClockSkew = skew });
        Price(rig, Market);
        var tenant = rig.BookTrader();
        var first = rig.PlaceLimit(tenant, "limit-1", OrderSide.Buy, 0.01m, 59_000m).ClientOrderId;
        AwaitWorking(rig, tenant, first, null);
        var second = rig.PlaceLimit(tenant, "limit-2", OrderSide.Sell, 0.02m, 61_000m).ClientOrderId;
        AwaitWorking(rig, tenant, second, null);
        AwaitLookups(rig, second, 2);

        var record = Order(rig, tenant, second);
        var lookup = rig.Venues.Book.Lookups.Last(l => l.ClientOrderId == second);
        Assert.Equal((TenantRig.Symbol, OrderSide.Sell, 0.02m), (lookup.Symbol, lookup.Side, lookup.Quantity));
        Assert.Equal(AtVenue(rig, second).VenueOrderId, lookup.VenueOrderId);
        Assert.Equal(record.SubmittedAt - skew, lookup.SentAfter);
        Assert.Equal([AtVenue(rig, first).VenueOrderId], lookup.KnownVenueOrderIds);

        tenant.Tell(new CancelOrder(rig.TenantId, second));
        Assert.Equal(OrderStatus.Cancelled, ExpectMsg<OrderCancelAnswered>().Status);
        var cancel = Assert.Single(rig.Venues.Book.Cancels);
        Assert.Equal((second, AtVenue(rig, second).VenueOrderId, record.SubmittedAt - skew), (cancel.ClientOrderId, cancel.VenueOrderId, cancel.SentAfter));
        Assert.Equal([AtVenue(rig, first).VenueOrderId], cancel.KnownVenueOrderIds);

        // The first order's lookups now know the cancelled one's id too (a recent order on the same account and symbol).
        AwaitLookups(rig, first, 2);
        Assert.Equal([AtVenue(rig, second).VenueOrderId], rig.Venues.Book.Lookups.Last(l => l.ClientOrderId == first).KnownVenueOrderIds);
    }

    // ---- persist faults of PersistOutcome's new events: the tenant stops, and its next incarnation books each part once

    /// <summary>A resting limit order, its first working report persisted; then writes of <typeparamref name="T"/> fail or are rejected.</summary>
    private async Task<(TenantRig Rig, IActorRef Tenant, string Id)> RestingThenFaulty<T>(bool reject)
    {
        var rig = new TenantRig(this);
        Price(rig, Market);
        var tenant = rig.BookTrader();
        var id = rig.PlaceLimit(tenant, "limit-1", OrderSide.Buy, 0.01m, 59_000m).ClientOrderId;
        AwaitWorking(rig, tenant, id, null);
        if (reject) await Journal.RejectWritesOf<T>();
        else await Journal.FailWritesOf<T>();
        return (rig, tenant, id);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_partial_fill_whose_write_fails_or_is_rejected_stops_the_tenant_and_is_booked_once_after_the_restart(bool reject)
    {
        var (rig, tenant, id) = await RestingThenFaulty<OrderWorking>(reject);

        Price(rig, 58_900m, liquidity: 0.004m);

        ExpectTerminated(tenant, hint: "a tenant that goes on after a refused report has booked a part its journal does not hold");
        await Journal.Heal();
        var restarted = rig.Start();
        AwaitWorking(rig, restarted, id, 0.004m);
        AwaitLookups(rig, id, 3);
        Assert.Equal([null, 0.004m], Journaled<OrderWorking>(rig).Select(w => w.FilledSoFar?.Quantity));
        Price(rig, 58_800m);
        AwaitAssert(() => Assert.Equal(OrderStatus.Filled, Order(rig, restarted, id).Status), TimeSpan.FromSeconds(10));
        Assert.Equal(0.01m, Assert.Single(Journaled<OrderFilled>(rig)).Fill.Quantity);
        Assert.Equal(1, rig.Venues.Book.Placements);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_cancel_whose_write_fails_or_is_rejected_is_not_answered_and_the_restarted_tenant_finds_the_order_cancelled_once(bool reject)
    {
        var (rig, tenant, id) = await RestingThenFaulty<OrderCancelled>(reject);

        tenant.Tell(new CancelOrder(rig.TenantId, id));

        ExpectTerminated(tenant);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // never told "cancelled": the journal does not hold it
        Assert.Equal(FakeOrderState.Cancelled, AtVenue(rig, id).State);
        await Journal.Heal();
        var restarted = rig.Start();
        AwaitAssert(() => Assert.Equal(OrderStatus.Cancelled, Order(rig, restarted, id).Status), TimeSpan.FromSeconds(10));
        Assert.Single(Journaled<OrderCancelled>(rig));
        Assert.Equal(1, rig.State(restarted).OrdersCancelled);
    }
}
