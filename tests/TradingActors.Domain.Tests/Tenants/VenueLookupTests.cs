using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using static TradingActors.Domain.Tests.Tenants.TenantHistory;

namespace TradingActors.Domain.Tests.Tenants;

/// <summary>VenueLookup.Of: what a lookup or a cancel carries for a venue without client order ids (KIS).</summary>
public sealed class VenueLookupTests
{
    private static readonly TimeSpan Skew = TimeSpan.FromSeconds(2);

    private static OrderIntent Order(string id, string account = ExternalAccountId, string symbol = Symbol, OrderSide side = OrderSide.Buy, decimal quantity = 0.01m) =>
        new(id, account, Sources.Manual("k-" + id), 0, symbol, side, quantity, 50_000m);

    private static Fill FillOf(string venueOrderId) => new(0.01m, 50_000m, 0.5m, venueOrderId, T0);

    /// <summary>
    /// On ext and BTCUSDT: the looked-up order A (working as V-A), B working as V-B, C unknown (no venue id yet), D filled as V-D,
    /// E cancelled as V-E, F working as V-B too (one id listed once). Elsewhere: G on ext2 (V-G), H on ETHUSDT (V-H).
    /// </summary>
    private static TenantState Ledger() => WithAccounts().Then(
        new BrokerAccountLinked("ext2", "sim", "ACC-2", T0),
        new OrderSubmitted(Order("A", quantity: 0.02m, side: OrderSide.Sell), T0.AddMinutes(5)),
        new OrderWorking(Order("A", quantity: 0.02m, side: OrderSide.Sell), null, "V-A", T0.AddMinutes(6)),
        new OrderSubmitted(Order("B"), T0), new OrderWorking(Order("B"), null, "V-B", T0),
        new OrderSubmitted(Order("C"), T0), new OrderMarkedUnknown(Order("C"), "timeout", T0),
        new OrderSubmitted(Order("D"), T0), new OrderFilled(Order("D"), FillOf("V-D"), T0),
        new OrderSubmitted(Order("E"), T0), new OrderWorking(Order("E"), null, "V-E", T0), new OrderCancelled(Order("E"), "cancelled", T0),
        new OrderSubmitted(Order("F"), T0), new OrderWorking(Order("F"), null, "V-B", T0),
        new OrderSubmitted(Order("G", account: "ext2"), T0), new OrderWorking(Order("G", account: "ext2"), null, "V-G", T0),
        new OrderSubmitted(Order("H", symbol: "ETHUSDT"), T0), new OrderWorking(Order("H", symbol: "ETHUSDT"), null, "V-H", T0));

    [Fact]
    public void A_lookup_carries_the_order_its_venue_id_when_it_was_sent_and_the_venue_ids_of_the_other_orders_there()
    {
        var s = Ledger();

        var lookup = VenueLookup.Of(s, s.Open["A"], Skew);

        Assert.Equal(("A", Symbol, OrderSide.Sell, 0.02m), (lookup.ClientOrderId, lookup.Symbol, lookup.Side, lookup.Quantity));
        Assert.Equal("V-A", lookup.VenueOrderId);
        Assert.Equal(T0.AddMinutes(5) - Skew, lookup.SentAfter);
        Assert.Equal(["V-B", "V-D", "V-E"], lookup.KnownVenueOrderIds);
    }

    [Fact]
    public void An_order_without_a_venue_id_yet_is_looked_up_by_its_fields_among_the_others()
    {
        var s = Ledger();

        var lookup = VenueLookup.Of(s, s.Open["C"], Skew);

        Assert.Null(lookup.VenueOrderId);
        Assert.Equal(T0 - Skew, lookup.SentAfter);
        Assert.Equal(["V-A", "V-B", "V-D", "V-E"], lookup.KnownVenueOrderIds);
    }

    [Fact]
    public void A_record_from_before_submissions_were_timed_has_no_lower_bound_and_one_from_before_venue_ids_were_kept_gives_its_fills()
    {
        // As a snapshot written before SubmittedAt and VenueOrderId existed reads: neither is set.
        var old = new OrderRecord(Order("X"), OrderStatus.Filled, FillOf("V-X"), null, T0);
        var open = new OrderRecord(Order("Y"), OrderStatus.Unknown, null, "timeout", T0);
        var s = WithAccounts() with { Recent = [old], Open = WithAccounts().Open.Add("Y", open) };

        var lookup = VenueLookup.Of(s, open, Skew);

        Assert.Null(lookup.SentAfter);
        Assert.Equal(["V-X"], lookup.KnownVenueOrderIds);
    }

    [Fact]
    public void A_record_with_its_own_venue_order_id_gives_that_one_rather_than_its_fills()
    {
        var amended = new OrderRecord(Order("X"), OrderStatus.Filled, FillOf("V-fill"), null, T0, T0, "V-own");
        var open = new OrderRecord(Order("Y"), OrderStatus.Unknown, null, "timeout", T0, T0);
        var s = WithAccounts() with { Recent = [amended], Open = WithAccounts().Open.Add("Y", open) };

        Assert.Equal(["V-own"], VenueLookup.Of(s, open, Skew).KnownVenueOrderIds);
    }

    [Fact]
    public void Without_other_orders_nothing_is_known()
    {
        var s = WithAccounts().Then(new OrderSubmitted(Order("A"), T0));

        Assert.Empty(VenueLookup.Of(s, s.Open["A"], TimeSpan.Zero).KnownVenueOrderIds);
        Assert.Equal(T0, VenueLookup.Of(s, s.Open["A"], TimeSpan.Zero).SentAfter);
    }
}
