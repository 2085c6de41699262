using Akka.Actor;
using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Tenants;
using TradingActors.Engine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TradingActors.Engine.Tests.Tenants;

/// <summary>
/// Orders sized by the venue's own instrument rules (decision 025), at the book venue: learnt through the account's
/// session into the node's book once, then used by every tenant of the node; a symbol the venue does not list is
/// skipped; a venue that cannot be asked leaves the engine's table in charge; a manual order waits for the rules.
/// </summary>
public sealed class TenantInstrumentRuleTests(ITestOutputHelper output) : EngineTestKit(output)
{
    private const decimal Market = 60_000m;

    // Steps of 0.001 where the engine's table says 0.000001: 1 000 / (60 000 * 1.002) = 0.016633.. is 0.016 at the venue.
    private static readonly Instrument VenueBtc = new(TenantRig.Symbol, 0.001m, 0.5m, 0.001m, 10m);

    private static void Price(TenantRig rig, decimal price)
    {
        rig.Venues.Prices.Update(TenantRig.Symbol, price);
        rig.Venues.Book.Exchange.SetPrice(TenantRig.Symbol, price);
    }

    private List<T> Journaled<T>(TenantRig rig) => Events(Names.TenantPersistenceId(rig.TenantId)).OfType<T>().ToList();

    private OrderSubmitted AwaitSubmitted(TenantRig rig)
    {
        OrderSubmitted? submitted = null;
        AwaitAssert(() => submitted = Assert.Single(Journaled<OrderSubmitted>(rig)), TimeSpan.FromSeconds(10));
        return submitted!;
    }

    [Fact]
    public void A_signal_is_sized_to_the_venues_step_and_the_rules_are_asked_once_for_the_next_signals()
    {
        var rig = new TenantRig(this);
        rig.Venues.Book.Rules[TenantRig.Symbol] = VenueBtc;
        Price(rig, Market);
        var tenant = rig.BookSubscriber();

        tenant.Tell(rig.Execute(rig.Publish(OrderSide.Buy, Market)));

        Assert.Equal(0.016m, AwaitSubmitted(rig).Intent.Quantity);
        rig.ExpectAck(1);
        Assert.Equal(0.016m, rig.Venues.Book.Exchange.OrderByClientId(TenantRig.BookAccountNumber, rig.ClientOrderId(TenantRig.BookAccount, 1))!.Quantity);

        tenant.Tell(rig.Execute(rig.Publish(OrderSide.Sell, Market)));
        rig.ExpectAck(2);
        Assert.Equal(2, rig.Venues.Book.Placements);
        Assert.Equal(1, rig.Venues.Book.InstrumentRequests);
    }

    [Fact]
    public void Tenants_of_one_node_learn_a_venues_rules_with_one_request_between_them()
    {
        var venues = new TestVenues(TimeProvider.System);
        venues.Book.Rules[TenantRig.Symbol] = VenueBtc;
        var rigs = Enumerable.Range(1, 20).Select(i => new TenantRig(this, $"t{i}", venues: venues)).ToList();
        Price(rigs[0], Market);
        var tenants = rigs.Select(r => (Rig: r, Tenant: r.BookSubscriber())).ToList();

        foreach (var (rig, tenant) in tenants) tenant.Tell(rig.Execute(rig.Publish(OrderSide.Buy, Market)));

        foreach (var (rig, _) in tenants) Assert.Equal(0.016m, AwaitSubmitted(rig).Intent.Quantity);
        Assert.Equal(1, venues.Book.InstrumentRequests);
    }

    [Fact]
    public void A_symbol_the_venue_does_not_list_is_skipped_naming_the_venue_and_nothing_is_sent()
    {
        var rig = new TenantRig(this);
        rig.Venues.Book.Rules[TenantRig.Symbol] = null;
        Price(rig, Market);
        var tenant = rig.BookSubscriber();

        tenant.Tell(rig.Execute(rig.Publish(OrderSide.Buy, Market)));

        rig.ExpectAck(1);
        var skipped = Assert.Single(Journaled<SignalsSkipped>(rig));
        Assert.Equal("book does not list BTCUSDT", skipped.Reason);
        Assert.Equal(0, rig.Venues.Book.Placements);
        Assert.Empty(Journaled<OrderSubmitted>(rig));
    }

    [Fact]
    public void A_venue_that_cannot_be_asked_for_its_rules_leaves_the_engines_table_in_charge_and_the_order_goes_out()
    {
        var rig = new TenantRig(this);
        rig.Venues.Book.InstrumentFault = new HttpRequestException("connection refused");
        Price(rig, Market);
        var tenant = rig.BookSubscriber();

        tenant.Tell(rig.Execute(rig.Publish(OrderSide.Buy, Market)));

        Assert.Equal(0.016633m, AwaitSubmitted(rig).Intent.Quantity); // the table's step 0.000001
        rig.ExpectAck(1);
        Assert.Equal(1, rig.Venues.Book.InstrumentRequests);
    }

    [Fact]
    public void A_venue_that_never_answers_for_its_rules_costs_one_call_timeout_then_the_engines_table_sizes_the_order()
    {
        var rig = new TenantRig(this, callTimeout: TimeSpan.FromMilliseconds(500));
        rig.Venues.Book.InstrumentHangs = true;
        Price(rig, Market);
        var tenant = rig.BookSubscriber();

        tenant.Tell(rig.Execute(rig.Publish(OrderSide.Buy, Market)));

        Assert.Equal(0.016633m, AwaitSubmitted(rig).Intent.Quantity);
        rig.ExpectAck(1);
        Assert.Equal(1, rig.Venues.Book.InstrumentRequests);
    }

    [Fact]
    public void A_manual_order_waits_for_the_venues_rules_and_one_below_its_minimum_quantity_is_refused()
    {
        var rig = new TenantRig(this);
        rig.Venues.Book.Rules[TenantRig.Symbol] = VenueBtc;
        Price(rig, Market);
        var tenant = rig.BookTrader();

        tenant.Tell(new PlaceManualOrder(rig.TenantId, "req-1", TenantRig.BookAccount, TenantRig.Symbol, OrderSide.Buy, 0.0109m, null), TestActor);
        var placed = ExpectMsg<ManualOrderPlaced>(TimeSpan.FromSeconds(10));
        tenant.Tell(new PlaceManualOrder(rig.TenantId, "req-2", TenantRig.BookAccount, TenantRig.Symbol, OrderSide.Buy, 0.0001m, null), TestActor);
        var refused = ExpectMsg<CommandRejected>(TimeSpan.FromSeconds(10));

        Assert.Equal(0.01m, Assert.Single(Journaled<OrderSubmitted>(rig), s => s.Intent.ClientOrderId == placed.ClientOrderId).Intent.Quantity);
        Assert.Equal("the order is below BTCUSDT's minimum quantity 0.001", refused.Reason);
        Assert.Equal(1, rig.Venues.Book.InstrumentRequests);
    }
}
