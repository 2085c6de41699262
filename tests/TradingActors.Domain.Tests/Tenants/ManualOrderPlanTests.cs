using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Paper;
using TradingActors.Domain.Tenants;
using static TradingActors.Domain.Tests.Tenants.TenantHistory;

namespace TradingActors.Domain.Tests.Tenants;

/// <summary>TenantDecisions.PlanManualOrder: a trader's own market order. One row per rule and boundary.</summary>
public sealed class ManualOrderPlanTests
{
    private static readonly PaperVenueCosts Costs = new(); // cost factor 1.0015005
    private const string Key = "req-1";
    private const decimal Price = 50_000m;

    private sealed record Request(string Key = Key, string? Account = PaperAccountId, string? Symbol = Symbol, OrderSide Side = OrderSide.Buy,
        decimal? Quantity = 0.01m, decimal? Notional = null, decimal? Price = Price, OrderType Type = OrderType.Market, decimal? LimitPrice = null);

    private sealed record Case(TenantState State, Request Request, ManualOrderPlan Expected, InstrumentRules? Rules = null);

    // A venue that trades BTCUSDT in steps of 0.001 at a tick of 0.5, with a 100 USDT minimum notional.
    private static readonly Instrument VenueBtc = new(Symbol, 0.001m, 0.5m, 0.001m, 100m);
    private static InstrumentRules Venue(InstrumentRule rule) => (account, _) => account.IsEmbeddedPaper ? InstrumentRule.FromEngineTable(Symbol) : rule;

    private static OrderIntent Manual(decimal quantity, OrderSide side = OrderSide.Buy, string account = PaperAccountId, string key = Key) =>
        new(ClientOrderIds.Create(Tenant, account, "manual:" + key, 0, 0), account, "manual:" + key, 0, Symbol, side, quantity, Price);

    private static OrderIntent Limit(decimal quantity, decimal limit, OrderSide side = OrderSide.Buy, string account = ExternalAccountId) =>
        Manual(quantity, side, account) with { Type = OrderType.Limit, LimitPrice = limit };

    private static OrderFilled Bought(decimal quantity, string key = "earlier") =>
        new(Manual(quantity, key: key), new Fill(quantity, Price, 0m, "V-1", T0), T0);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        // ---- refused, nothing persisted
        ["no tenant"] = new(TenantState.Empty(Tenant), new(), new ManualOrderPlan.Invalid("tenant 't1' does not exist")),
        ["an empty key"] = new(WithAccounts(), new(Key: ""), new ManualOrderPlan.Invalid("idempotency key is required")),
        ["a key with a space"] = new(WithAccounts(), new(Key: "a b"), new ManualOrderPlan.Invalid("idempotency key may contain only letters, digits, '-', '_' and '.'")),
        ["an unknown account"] = new(WithAccounts(), new(Account: "nope"), new ManualOrderPlan.Invalid("unknown account 'nope'")),
        ["an unknown symbol"] = new(WithAccounts(), new(Symbol: "DOGEUSDT"), new ManualOrderPlan.Invalid("unknown symbol 'DOGEUSDT'")),
        ["no account"] = new(WithAccounts(), new(Account: null), new ManualOrderPlan.Invalid("unknown account ''")),
        ["no symbol"] = new(WithAccounts(), new(Symbol: null), new ManualOrderPlan.Invalid("unknown symbol ''")),
        ["a zero notional"] = new(WithAccounts(), new(Quantity: null, Notional: 0m), new ManualOrderPlan.Invalid("quantity and notional must be positive")),
        ["neither quantity nor notional"] = new(WithAccounts(), new(Quantity: null), new ManualOrderPlan.Invalid("give either a quantity or a notional")),
        ["both quantity and notional"] = new(WithAccounts(), new(Notional: 100m), new ManualOrderPlan.Invalid("give either a quantity or a notional")),
        ["a zero quantity"] = new(WithAccounts(), new(Quantity: 0m), new ManualOrderPlan.Invalid("quantity and notional must be positive")),
        ["a negative notional"] = new(WithAccounts(), new(Quantity: null, Notional: -1m), new ManualOrderPlan.Invalid("quantity and notional must be positive")),
        ["no market price"] = new(WithAccounts(), new(Price: null), new ManualOrderPlan.Invalid("no market price for BTCUSDT yet")),
        ["a zero price"] = new(WithAccounts(), new(Price: 0m), new ManualOrderPlan.Invalid("no market price for BTCUSDT yet")),
        ["below one quantity step"] = new(WithAccounts(), new(Quantity: 0.0000009m), new ManualOrderPlan.Invalid("the order is below BTCUSDT's minimum quantity 0.000001")),
        ["a notional below one step"] = new(WithAccounts(), new(Quantity: null, Notional: 0.04m), new ManualOrderPlan.Invalid("the order is below BTCUSDT's minimum quantity 0.000001")),

        // ---- a suspended tenant: refused without the operator's reason; a retry still finds its order
        ["a suspended tenant"] = new(WithAccounts().Then(new TenantSuspended("fraud review", T0)), new(),
            new ManualOrderPlan.Invalid("trading on this account is suspended by an operator")),
        ["a suspended tenant's retry of an earlier request: already placed"] = new(WithAccounts().Then(Bought(0.01m, key: Key), new TenantSuspended("fraud review", T0)), new(),
            new ManualOrderPlan.AlreadyPlaced(Manual(0.01m).ClientOrderId)),
        ["a resumed tenant: a new order"] = new(WithAccounts().Then(new TenantSuspended("fraud review", T0), new TenantResumed(T0)), new(),
            new ManualOrderPlan.Place(Manual(0.01m), true)),

        // ---- the same request again
        ["the same key on the same account: already placed"] = new(WithAccounts().Then(Bought(0.01m, key: Key)), new(),
            new ManualOrderPlan.AlreadyPlaced(Manual(0.01m).ClientOrderId)),
        ["the same key, even without a price now: already placed"] = new(WithAccounts().Then(Bought(0.01m, key: Key)), new(Price: null),
            new ManualOrderPlan.AlreadyPlaced(Manual(0.01m).ClientOrderId)),
        ["the same key on an open external order: already placed"] = new(
            WithAccounts().Then(new OrderSubmitted(Manual(0.01m, account: ExternalAccountId), T0)), new(Account: ExternalAccountId),
            new ManualOrderPlan.AlreadyPlaced(Manual(0.01m, account: ExternalAccountId).ClientOrderId)),
        ["another key: a new order"] = new(WithAccounts().Then(Bought(0.01m, key: Key)), new(Key: "req-2"),
            new ManualOrderPlan.Place(Manual(0.01m, key: "req-2"), true)),

        // ---- sizing
        ["a quantity rounded down to the step"] = new(WithAccounts(), new(Quantity: 0.0100009m), new ManualOrderPlan.Place(Manual(0.01m), true)),
        ["a notional buy sized with the paper costs"] = new(WithAccounts(), new(Quantity: null, Notional: 1_000m), new ManualOrderPlan.Place(Manual(0.019970m), true)),
        ["a notional buy on an external account sized with its margin"] = new(WithAccounts(), new(Account: ExternalAccountId, Quantity: null, Notional: 1_000m),
            new ManualOrderPlan.Place(Manual(0.019960m, account: ExternalAccountId), false)),
        ["a notional sell is notional / price"] = new(WithAccounts().Then(Bought(0.05m)), new(Side: OrderSide.Sell, Quantity: null, Notional: 1_000m),
            new ManualOrderPlan.Place(Manual(0.02m, OrderSide.Sell), true)),

        // ---- paper funds and holdings: persisted rejections
        ["paper cash short of the buy with costs"] = new(WithAccounts(paperCash: 500m), new(), new ManualOrderPlan.Reject(Manual(0.01m), "insufficient funds")),
        ["paper cash exactly covering it"] = new(WithAccounts(paperCash: 500.75025m), new(), new ManualOrderPlan.Place(Manual(0.01m), true)),
        ["a paper sell of more than held"] = new(WithAccounts().Then(Bought(0.005m)), new(Side: OrderSide.Sell),
            new ManualOrderPlan.Reject(Manual(0.01m, OrderSide.Sell), "insufficient holdings")),
        ["a paper sell of exactly what is held"] = new(WithAccounts().Then(Bought(0.01m)), new(Side: OrderSide.Sell),
            new ManualOrderPlan.Place(Manual(0.01m, OrderSide.Sell), true)),
        ["an external sell is never refused for holdings"] = new(WithAccounts(), new(Account: ExternalAccountId, Side: OrderSide.Sell),
            new ManualOrderPlan.Place(Manual(0.01m, OrderSide.Sell, ExternalAccountId), false)),

        // ---- limit orders
        ["a limit order without a limit price"] = new(WithAccounts(), new(Account: ExternalAccountId, Type: OrderType.Limit),
            new ManualOrderPlan.Invalid("a limit order needs a positive limit price")),
        ["a limit order with a zero limit price"] = new(WithAccounts(), new(Account: ExternalAccountId, Type: OrderType.Limit, LimitPrice: 0m),
            new ManualOrderPlan.Invalid("a limit order needs a positive limit price")),
        ["a limit order with a negative limit price"] = new(WithAccounts(), new(Account: ExternalAccountId, Type: OrderType.Limit, LimitPrice: -1m),
            new ManualOrderPlan.Invalid("a limit order needs a positive limit price")),
        ["a limit price that rounds to nothing at the tick"] = new(WithAccounts(), new(Account: ExternalAccountId, Type: OrderType.Limit, LimitPrice: 0.0049m),
            new ManualOrderPlan.Invalid("the limit price is below BTCUSDT's tick 0.01")),
        ["a limit price of half a tick rounds up to one"] = new(WithAccounts(), new(Account: ExternalAccountId, Type: OrderType.Limit, LimitPrice: 0.005m),
            new ManualOrderPlan.Place(Limit(0.01m, 0.01m), false)),
        ["a market order with a limit price"] = new(WithAccounts(), new(Account: ExternalAccountId, LimitPrice: 49_000m),
            new ManualOrderPlan.Invalid("a market order takes no limit price")),
        ["an external limit buy below the market rests: placed, its price rounded to the tick"] = new(WithAccounts(),
            new(Account: ExternalAccountId, Type: OrderType.Limit, LimitPrice: 49_000.123m), new ManualOrderPlan.Place(Limit(0.01m, 49_000.12m), false)),
        ["an external limit sell above the market: placed"] = new(WithAccounts(), new(Account: ExternalAccountId, Side: OrderSide.Sell, Type: OrderType.Limit, LimitPrice: 51_000m),
            new ManualOrderPlan.Place(Limit(0.01m, 51_000m, OrderSide.Sell), false)),
        // 1 000 / (40 000 * 1.002) = 0.024950…: the limit price sizes it, not the market's 50 000 (0.019960).
        ["a notional limit buy is sized at its limit price"] = new(WithAccounts(), new(Account: ExternalAccountId, Quantity: null, Notional: 1_000m, Type: OrderType.Limit, LimitPrice: 40_000m),
            new ManualOrderPlan.Place(Limit(0.024950m, 40_000m), false)),
        ["a notional limit sell is notional / limit price"] = new(WithAccounts(), new(Account: ExternalAccountId, Side: OrderSide.Sell, Quantity: null, Notional: 1_000m,
            Type: OrderType.Limit, LimitPrice: 62_500m), new ManualOrderPlan.Place(Limit(0.016m, 62_500m, OrderSide.Sell), false)),
        ["a paper limit buy below the market rests in the paper book (decision 027)"] = new(WithAccounts(), new(Type: OrderType.Limit, LimitPrice: 49_999.99m),
            new ManualOrderPlan.Place(Limit(0.01m, 49_999.99m, account: PaperAccountId), true)),
        // 0.01 * 45 000 * 1.0015 = 450.68: affordable at its limit, though not at the market's 50 000 (500.75).
        ["a resting paper buy is paid for at its limit"] = new(WithAccounts(paperCash: 480m), new(Type: OrderType.Limit, LimitPrice: 45_000m),
            new ManualOrderPlan.Place(Limit(0.01m, 45_000m, account: PaperAccountId), true)),
        ["a paper limit buy at the market is placed"] = new(WithAccounts(), new(Type: OrderType.Limit, LimitPrice: 50_000m),
            new ManualOrderPlan.Place(Limit(0.01m, 50_000m, account: PaperAccountId), true)),
        ["a paper limit buy above the market is placed"] = new(WithAccounts(), new(Type: OrderType.Limit, LimitPrice: 50_100m),
            new ManualOrderPlan.Place(Limit(0.01m, 50_100m, account: PaperAccountId), true)),
        ["a paper limit sell above the market rests in the paper book"] = new(WithAccounts().Then(Bought(0.01m)), new(Side: OrderSide.Sell, Type: OrderType.Limit, LimitPrice: 50_000.01m),
            new ManualOrderPlan.Place(Limit(0.01m, 50_000.01m, OrderSide.Sell, PaperAccountId), true)),
        ["a paper limit sell at the market is placed"] = new(WithAccounts().Then(Bought(0.01m)), new(Side: OrderSide.Sell, Type: OrderType.Limit, LimitPrice: 50_000m),
            new ManualOrderPlan.Place(Limit(0.01m, 50_000m, OrderSide.Sell, PaperAccountId), true)),
        ["a paper limit buy beyond the cash is a rejected order"] = new(WithAccounts(paperCash: 500m), new(Type: OrderType.Limit, LimitPrice: 50_100m),
            new ManualOrderPlan.Reject(Limit(0.01m, 50_100m, account: PaperAccountId), "insufficient funds")),
        // ---- the venue's instrument rules (decision 025)
        ["an external quantity rounded down to its venue's step"] = new(WithAccounts(), new(Account: ExternalAccountId, Quantity: 0.0109m),
            new ManualOrderPlan.Place(Manual(0.01m, account: ExternalAccountId), false), Venue(new InstrumentRule.Known(VenueBtc))),
        ["an external limit price rounded to its venue's tick"] = new(WithAccounts(), new(Account: ExternalAccountId, Type: OrderType.Limit, LimitPrice: 49_000.3m),
            new ManualOrderPlan.Place(Limit(0.01m, 49_000.5m), false), Venue(new InstrumentRule.Known(VenueBtc))),
        ["a venue whose rules are not learnt yet: asked first"] = new(WithAccounts(), new(Account: ExternalAccountId),
            new ManualOrderPlan.LearnInstrument(ExternalAccountId, Symbol), Venue(new InstrumentRule.Unlearnt())),
        ["a symbol the venue does not trade: refused with its reason"] = new(WithAccounts(), new(Account: ExternalAccountId),
            new ManualOrderPlan.Invalid("alpaca does not list BTCUSDT"), Venue(new InstrumentRule.NotTraded("alpaca does not list BTCUSDT"))),
        ["below the venue's minimum notional: refused naming it"] = new(WithAccounts(), new(Account: ExternalAccountId, Quantity: 0.0019m),
            new ManualOrderPlan.Invalid("notional 50 is below BTCUSDT's minimum 100 at the venue"), Venue(new InstrumentRule.Known(VenueBtc))),
        ["a limit order's notional counts at its limit price"] = new(WithAccounts(), new(Account: ExternalAccountId, Quantity: 0.002m, Type: OrderType.Limit, LimitPrice: 49_999.5m),
            new ManualOrderPlan.Invalid("notional 99.999 is below BTCUSDT's minimum 100 at the venue"), Venue(new InstrumentRule.Known(VenueBtc))),
        ["an unknown account is refused before anything is asked of a venue"] = new(WithAccounts(), new(Account: "nope"),
            new ManualOrderPlan.Invalid("unknown account 'nope'"), Venue(new InstrumentRule.Unlearnt())),
        ["the paper account keeps the engine's table"] = new(WithAccounts(), new(Quantity: 0.0100009m),
            new ManualOrderPlan.Place(Manual(0.01m), true), Venue(new InstrumentRule.Unlearnt())),
        ["the same key again as a limit order: already placed"] = new(WithAccounts().Then(Bought(0.01m, key: Key)), new(Type: OrderType.Limit, LimitPrice: 1m),
            new ManualOrderPlan.AlreadyPlaced(Manual(0.01m).ClientOrderId)),
    };

    public static TheoryData<string> Rules => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(Rules))]
    public void Plan_manual_order(string rule)
    {
        var c = Cases[rule];
        var r = c.Request;
        Assert.Equal(c.Expected, TenantDecisions.PlanManualOrder(c.State, r.Key, r.Account!, r.Symbol!, r.Side, r.Quantity, r.Notional, r.Price, Costs, r.Type, r.LimitPrice, c.Rules));
    }

    [Fact]
    public void A_manual_order_id_is_remembered_for_a_day_after_it_left_the_recent_orders()
    {
        var state = WithAccounts(paperCash: 1_000_000m).Then(Bought(0.01m, key: Key));
        // Twenty more orders push it out of Recent; its id is still known.
        for (var i = 0; i < TenantState.RecentOrdersKept; i++)
            state = state.Then(new OrderFilled(Manual(0.01m, key: "k" + i), new Fill(0.01m, Price, 0m, "V", T0.AddMinutes(i)), T0.AddMinutes(i)));
        var id = Manual(0.01m).ClientOrderId;
        Assert.DoesNotContain(state.Recent, o => o.Intent.ClientOrderId == id);
        Assert.Null(state.Find(id));
        Assert.True(state.Knows(id));
        Assert.IsType<ManualOrderPlan.AlreadyPlaced>(TenantDecisions.PlanManualOrder(state, Key, PaperAccountId, Symbol, OrderSide.Buy, 0.01m, null, Price, Costs));

        // Exactly 24 hours later it is still remembered; a tick after, the next manual order forgets it.
        var atLimit = state.Then(new OrderFilled(Manual(0.01m, key: "late"), new Fill(0.01m, Price, 0m, "V", T0 + TenantState.ManualOrdersKept), T0 + TenantState.ManualOrdersKept));
        Assert.True(atLimit.Knows(id));
        var past = state.Then(new OrderFilled(Manual(0.01m, key: "later"), new Fill(0.01m, Price, 0m, "V", T0 + TenantState.ManualOrdersKept + TimeSpan.FromTicks(1)),
            T0 + TenantState.ManualOrdersKept + TimeSpan.FromTicks(1)));
        Assert.False(past.Knows(id));
        Assert.True(past.Knows(Manual(0.01m, key: "later").ClientOrderId));
    }

    [Fact]
    public void A_manual_order_is_remembered_from_its_first_event_not_its_last()
    {
        // Submitted at T0, filled 23 hours later: a day after T0 it is forgotten, although its fill is only an hour old.
        var order = Manual(0.01m, account: ExternalAccountId);
        var state = WithAccounts().Then(
            new OrderSubmitted(order, T0),
            new OrderFilled(order, new Fill(0.01m, Price, 0m, "V", T0.AddHours(23)), T0.AddHours(23)));
        var later = T0 + TenantState.ManualOrdersKept + TimeSpan.FromTicks(1);
        Assert.Equal(T0, state.ManualOrders![order.ClientOrderId]);
        state = state.Then(new OrderFilled(Manual(0.01m, key: "next"), new Fill(0.01m, Price, 0m, "V", later), later));
        Assert.False(state.ManualOrders!.ContainsKey(order.ClientOrderId));
    }

    [Fact]
    public void Strategy_orders_are_not_remembered_as_manual_and_manual_orders_do_not_advance_a_strategy()
    {
        var state = Following().Then(new OrderFilled(Intent(1), FillOf(Intent(1)), T0), Bought(0.01m, key: Key));
        Assert.Equal([Manual(0.01m).ClientOrderId], state.ManualOrders!.Keys);
        Assert.Equal(1, state.LastProcessed(Strategy));
    }

    [Fact]
    public void An_open_order_is_found_with_its_status_and_a_settled_one_in_the_recent_orders()
    {
        var open = Manual(0.01m, account: ExternalAccountId);
        var state = WithAccounts().Then(new OrderSubmitted(open, T0));
        Assert.Equal(OrderStatus.Submitted, state.Find(open.ClientOrderId)!.Status);
        state = state.Then(new OrderRejected(open, "no", T0));
        Assert.Equal(OrderStatus.Rejected, state.Find(open.ClientOrderId)!.Status);
        Assert.Null(state.Find("other"));
        Assert.False(state.Knows("other"));
    }
}
