using System.Collections.Immutable;
using TradingActors.Domain.Bots;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tenants;
using static TradingActors.Domain.Tests.Bots.BotHistory;
using static TradingActors.Domain.Tests.Tenants.TenantHistory;

namespace TradingActors.Domain.Tests.Bots;

/// <summary>
/// How the tenant's state takes a bot's steps and checkpoints (BotState.Apply), books its orders' fills into its ledger and
/// follows its pending and cancelling orders (TenantState.Apply), and that the same events always make the same state.
/// </summary>
public sealed class BotStateTests
{
    private static readonly OrderIntent TakeProfit = Order(2, 0, OrderSide.Sell, 0.01m, 51_000m);
    private static readonly OrderIntent Safety = Order(2, 1, OrderSide.Buy, 0.01m, 49_000m);

    private static BotStepped Stepped(long sequence, decimal price = Price, ImmutableDictionary<long, BotFed>? fed = null, StrategyState? state = null, params BotLeg[] legs) =>
        new(BotId, sequence, state ?? State, fed ?? NoFed, [.. legs], price, T1);

    [Fact]
    public void A_step_records_its_orders_as_pending_its_cancels_its_refusals_and_its_checkpoint()
    {
        var s = Holding().Then(Placed(2, (2, TakeProfit)), Working(TakeProfit));
        var checkpoint = Config().CreateStrategy(State).Save() with { };
        var step = Stepped(3, state: checkpoint, legs:
        [
            new BotLeg(2, Cancel: TakeProfit.ClientOrderId),
            new BotLeg(4, Place: Order(3, 0, OrderSide.Sell, 0.01m, 50_500m)),
            new BotLeg(5, Refused: "over the budget"),
            new BotLeg(6, Place: Order(3, 1, OrderSide.Buy, 0.001m, 48_000m)),
        ]);
        var bot = s.Then(step).Bot();
        Assert.Equal(3, bot.Sequence);
        Assert.Same(checkpoint, bot.Strategy);
        Assert.Equal([Order(3, 0, OrderSide.Sell, 0.01m, 50_500m), Order(3, 1, OrderSide.Buy, 0.001m, 48_000m)], bot.Pending);
        Assert.Equal([TakeProfit.ClientOrderId], bot.Cancelling);
        Assert.Equal([5L], bot.Refused);
        Assert.Equal([KeyValuePair.Create(1L, FirstBuy.ClientOrderId), KeyValuePair.Create(2L, TakeProfit.ClientOrderId), KeyValuePair.Create(4L, Id(3, 0)), KeyValuePair.Create(6L, Id(3, 1))],
            bot.Orders.OrderBy(o => o.Key));
        Assert.Equal(-1, bot.NextOwnRef);
        Assert.Equal(T1, bot.UpdatedAt);
    }

    [Fact]
    public void A_step_never_lowers_the_sequence_and_own_refs_only_go_down()
    {
        var s = Running().Then(Stepped(5, legs: [new BotLeg(-3, Refused: "x")]));
        Assert.Equal((5L, -4L), (s.Bot().Sequence, s.Bot().NextOwnRef));
        s = s.Then(Stepped(4, legs: [new BotLeg(-1, Refused: "x"), new BotLeg(7, Refused: "x")]));
        Assert.Equal((5L, -4L), (s.Bot().Sequence, s.Bot().NextOwnRef));
        s = s.Then(Stepped(6, legs: [new BotLeg(-4, Place: Order(6, 0, OrderSide.Buy, 0.001m)), new BotLeg(-6, Cancel: "x")]));
        Assert.Equal((6L, -7L), (s.Bot().Sequence, s.Bot().NextOwnRef));
        Assert.Equal([-3L, -1L, 7L], s.Bot().Refused.Order());
    }

    [Fact]
    public void Orders_the_strategy_was_told_ended_are_forgotten_refs_and_all()
    {
        // Orders 1 (filled) and 2 (resting), refused 5 and 6; the strategy was told 1 and 5 ended, and a part of 2.
        var s = Holding().Then(Placed(2, (2, TakeProfit)), Working(TakeProfit), Stepped(3, legs: [new BotLeg(5, Refused: "x"), new BotLeg(6, Refused: "x")]));
        var fed = NoFed.SetItem(1, new BotFed(0.01m, 500m, 0.5m, true)).SetItem(2, new BotFed(0.004m, 204m, 0.2m, false)).SetItem(5, new BotFed(0m, 0m, 0m, true));
        foreach (var e in new ITenantEvent[] { Stepped(3, fed: fed), new BotCheckpointed(BotId, State, fed, Price, T1) })
        {
            var bot = s.Then(e).Bot();
            Assert.Equal([KeyValuePair.Create(2L, new BotFed(0.004m, 204m, 0.2m, false))], bot.Fed);
            Assert.Equal([2L], bot.Orders.Keys);
            Assert.Equal([6L], bot.Refused);
        }
    }

    [Fact]
    public void A_checkpoint_takes_the_strategy_state_and_what_it_was_told()
    {
        var s = Holding();
        var checkpoint = new RsiThresholdState(new TradingActors.Domain.Indicators.WilderRsi.State(14, 100, 3, 1, 2), 55);
        var fed = NoFed.SetItem(1, new BotFed(0.005m, 250m, 0.25m, false));
        var bot = s.Then(new BotCheckpointed(BotId, checkpoint, fed, Price, T1)).Bot();
        Assert.Equal(checkpoint, bot.Strategy);
        Assert.Equal(fed, bot.Fed);
        Assert.Equal(s.Bot().Orders, bot.Orders);
        Assert.Equal(s.Bot().Sequence, bot.Sequence);
        Assert.Equal(T1, bot.UpdatedAt);
    }

    public sealed record PeakRow(string Rule, decimal Price, decimal Peak);

    // Holding 0.01 for 500.5 of a budget of 1 000: equity at p is 499.5 + 0.01 p, the peak 1 000 to begin with.
    public static TheoryData<PeakRow> PeakRows => new()
    {
        new("a price that lifts the equity lifts the peak", 60_000m, 1_099.5m),
        new("a price just above the peak's", 50_050.01m, 1_000.0001m),
        new("the price of the peak leaves it", 50_050m, 1_000m),
        new("a lower price leaves it", 40_000m, 1_000m),
        new("no price leaves it", 0m, 1_000m),
        new("a negative price leaves it", -1m, 1_000m),
    };

    [Theory]
    [MemberData(nameof(PeakRows))]
    public void Peak_equity_only_rises(PeakRow row)
    {
        foreach (var e in new ITenantEvent[] { Stepped(2, row.Price), new BotCheckpointed(BotId, State, NoFed, row.Price, T1) })
        {
            var ledger = Holding().Then(e).Bot().Ledger;
            Assert.Equal(row.Peak, ledger.PeakEquity);
            Assert.Equal(Holding().Bot().Ledger with { PeakEquity = row.Peak }, ledger);
        }
        // Once lifted it stays up.
        Assert.Equal(1_099.5m, Holding().Then(Stepped(2, 60_000m), Stepped(3, row.Price)).Bot().Ledger.PeakEquity);
    }

    // ---- the tenant's ledger and the bot's

    [Fact]
    public void A_bot_orders_fills_are_booked_into_its_ledger_part_by_part_as_well_as_into_the_paper_account()
    {
        var s = Holding().Then(Placed(2, (2, TakeProfit)), Working(TakeProfit));
        Assert.Equal(new BotLedger(0.01m, 500.5m, 0m, 0.5m, 1_000m, 0, 0, 0m), s.Bot().Ledger);
        // 0.004 of the take profit at 51 000 (fee 0.2): cost out 200.2, realised 204 - 0.2 - 200.2 = 3.6
        var part = s.Then(Working(TakeProfit, 0.004m, 0.2m));
        Assert.Equal(new BotLedger(0.006m, 300.3m, 3.6m, 0.7m, 1_000m, 0, 0, 0m), part.Bot().Ledger);
        Assert.Equal(0.006m, part.Accounts[PaperAccountId].Paper!.Held(Symbol));
        // The same report again books nothing.
        Assert.Equal(part.Bot().Ledger, part.Then(Working(TakeProfit, 0.004m, 0.2m)).Bot().Ledger);
        // The rest (0.006 for 306, fee 0.51 - 0.2 = 0.31): 306 - 0.31 - 300.3 = 5.39; 8.99 in all, a winning round trip.
        var done = part.Then(Filled(TakeProfit, fee: 0.51m));
        Assert.Equal(new BotLedger(0m, 0m, 8.99m, 1.01m, 1_000m, 1, 1, 0m), done.Bot().Ledger);
        Assert.Equal(0m, done.Accounts[PaperAccountId].Paper!.Held(Symbol));
    }

    [Fact]
    public void Fills_of_other_sources_and_of_unknown_bots_leave_the_bots_alone()
    {
        var s = Holding();
        var manual = s.Then(new OrderFilled(Intent(7, source: "manual:k"), FillOf(Intent(7, source: "manual:k")), T0));
        Assert.Same(s.Bots, manual.Bots);
        var other = Order(1, 0, OrderSide.Buy, 0.01m) with { ClientOrderId = "x", Source = "bot:b9" };
        var unknown = s.Then(new OrderFilled(other, FillOf(other), T0));
        Assert.Same(s.Bots, unknown.Bots);
        Assert.Equal(0.02m, unknown.Accounts[PaperAccountId].Paper!.Held(Symbol)); // the paper account still books it
    }

    [Fact]
    public void A_fill_on_the_external_account_is_booked_into_the_bot_only()
    {
        var buy = Order(1, 0, OrderSide.Buy, 0.01m, account: ExternalAccountId);
        var s = Running(Config(ExternalAccountId)).Then(Placed(1, (1, buy)), new OrderSubmitted(buy, T0), Filled(buy));
        Assert.Equal(new BotLedger(0.01m, 500.5m, 0m, 0.5m, 1_000m, 0, 0, 0m), s.Bot().Ledger);
        Assert.Null(s.Accounts[ExternalAccountId].Paper);
    }

    [Fact]
    public void An_order_is_pending_until_the_ledger_has_it_and_cancelling_until_it_ended()
    {
        var external = Order(2, 0, OrderSide.Sell, 0.01m, 51_000m, ExternalAccountId);
        var s = Running(Config(ExternalAccountId)).Then(Placed(2, (2, external)));
        Assert.Equal([external], s.Bot().Pending);
        // Submitted (before the venue call): no longer pending.
        s = s.Then(new OrderSubmitted(external, T0));
        Assert.Empty(s.Bot().Pending);
        s = s.Then(Stepped(3, legs: [new BotLeg(2, Cancel: external.ClientOrderId)]));
        Assert.Equal([external.ClientOrderId], s.Bot().Cancelling);
        // Still open (a working report, a need for attention): still cancelling.
        s = s.Then(new OrderWorking(external, null, "V-1", T0), new OrderNeedsAttention(external, "slow", T0));
        Assert.Equal([external.ClientOrderId], s.Bot().Cancelling);
        // Ended: no longer.
        Assert.Empty(s.Then(new OrderCancelled(external, "by the bot", T0)).Bot().Cancelling);
        Assert.Empty(s.Then(Filled(external)).Bot().Cancelling);
        Assert.Empty(s.Then(new OrderRejected(external, "no", T0)).Bot().Cancelling);
    }

    [Fact]
    public void A_paper_order_leaves_pending_when_it_rests_fills_or_is_rejected()
    {
        foreach (var e in new ITenantEvent[] { Working(Safety), Filled(Safety), new OrderRejected(Safety, "insufficient funds", T0), new OrderFailed(Safety, "down", T0) })
        {
            var s = Running().Then(Placed(2, (2, TakeProfit), (3, Safety)), e);
            Assert.Equal([TakeProfit], s.Bot().Pending);
        }
    }

    [Fact]
    public void An_order_event_that_changes_nothing_of_the_bot_leaves_its_record()
    {
        var buy = Order(1, 0, OrderSide.Buy, 0.01m, 49_000m, ExternalAccountId);
        var s = Running(Config(ExternalAccountId)).Then(Placed(1, (1, buy)), new OrderSubmitted(buy, T0));
        var again = s.Then(new OrderWorking(buy, null, "V-1", T0));
        Assert.Same(s.Bot(), again.Bot());
        // An order of a bot that is gone.
        var gone = WithBot().Then(new BotDeleted(BotId, T0));
        Assert.Same(gone.Bots, gone.Then(new OrderSubmitted(buy, T0)).Bots);
    }

    // ---- replay

    /// <summary>A bot's life as the engine journals it: decided by the decisions, each event applied as it is made.</summary>
    private static List<ITenantEvent> Life()
    {
        var events = new List<ITenantEvent>();
        var s = WithAccounts();
        void Take(params ITenantEvent[] es)
        {
            foreach (var e in es)
            {
                events.Add(e);
                s = s.Apply(e);
            }
        }
        ImmutableDictionary<long, BotFed> Told(ImmutableDictionary<long, BotFed> fed) =>
            BotDecisions.Untold(s, s.Bot()).Aggregate(fed, (f, progress) => BotDecisions.Tell(f, progress).Fed);

        Take([.. BotDecisions.Create(s, Config() with { Parameters = "{}" }, T0).Events]);
        Take([.. BotDecisions.Start(s, BotId, T0).Events]);
        // A market buy of 500 (0.009985) and a sell of nothing yet (refused).
        var first = BotDecisions.Step(s, BotId, [QuoteBuy(1, 500), LimitSell(2, 0.001, 55_000)], State, NoFed, Price, Costs, T0)!;
        Take(first);
        Take(Filled(first.Legs[0].Place!, price: 50_025m, fee: 0.5m));
        var fed = Told(NoFed);
        Take(new BotCheckpointed(BotId, State, fed, 50_100m, T0));
        // A take profit of half, a safety buy below, and a buy signal while long (nothing).
        var second = BotDecisions.Step(s, BotId, [LimitSell(3, 0.005, 52_000), LimitBuy(4, 100, 48_000), Signal(OrderSide.Buy)], State, fed, 50_200m, Costs, T0)!;
        Take(second);
        Take(Working(second.Legs[0].Place!), Working(second.Legs[1].Place!), Working(second.Legs[0].Place!, 0.002m, 0.1m));
        fed = Told(fed);
        Take(new BotCheckpointed(BotId, State, fed, 50_250m, T0));
        // Both cancelled, and the position sold on a signal.
        var third = BotDecisions.Step(s, BotId, [StrategyIntent.Cancel(4), StrategyIntent.Cancel(3), Signal(OrderSide.Sell)], State, fed, 50_300m, Costs, T0)!;
        Take(third);
        Take(new OrderCancelled(second.Legs[1].Place!, "by the bot", T0), new OrderCancelled(second.Legs[0].Place!, "by the bot", T0));
        Take([.. BotDecisions.Stop(s, BotId, true, 49_000m, T0, "by the trader").Events]);
        return events;
    }

    private static void AssertSameBot(BotRecord a, BotRecord b)
    {
        Assert.Equal(a with { Fed = b.Fed, Orders = b.Orders, Pending = b.Pending, Cancelling = b.Cancelling, Refused = b.Refused }, b);
        Assert.Equal(a.Fed.OrderBy(f => f.Key), b.Fed.OrderBy(f => f.Key));
        Assert.Equal(a.Orders.OrderBy(o => o.Key), b.Orders.OrderBy(o => o.Key));
        Assert.Equal(a.Pending, b.Pending);
        Assert.Equal(a.Cancelling.Order(StringComparer.Ordinal), b.Cancelling.Order(StringComparer.Ordinal));
        Assert.Equal(a.Refused.Order(), b.Refused.Order());
    }

    [Fact]
    public void The_same_events_make_the_same_state()
    {
        var events = Life();
        var once = events.Aggregate(WithAccounts(), (s, e) => s.Apply(e));
        var twice = events.Aggregate(WithAccounts(), (s, e) => s.Apply(e));
        AssertSameBot(once.Bot(), twice.Bot());
        Assert.Equal(once.Open.Keys.Order(), twice.Open.Keys.Order());
        Assert.Equal(once.Recent, twice.Recent);
        var (paper1, paper2) = (once.Accounts[PaperAccountId].Paper!, twice.Accounts[PaperAccountId].Paper!);
        Assert.Equal((paper1.Cash, paper1.FeesPaid, paper1.Held(Symbol)), (paper2.Cash, paper2.FeesPaid, paper2.Held(Symbol)));

        // What the life left: stopped by the trader with the position's close to place, the two resting orders ended.
        var bot = once.Bot();
        Assert.Equal((BotStatus.Stopped, "by the trader"), (bot.Status, bot.StopReason));
        Assert.Empty(bot.Cancelling);
        Assert.Empty(once.Open);
        var close = Assert.Single(bot.Pending);
        Assert.Equal((OrderSide.Sell, bot.Ledger.Position, bot.Sequence), (close.Side, close.Quantity, close.SourceSequence));
        Assert.True(bot.Ledger.Position > 0);
    }

    [Fact]
    public void Replayed_from_any_point_the_rest_of_the_events_make_the_same_state()
    {
        var events = Life();
        var whole = events.Aggregate(WithAccounts(), (s, e) => s.Apply(e));
        for (var cut = 0; cut <= events.Count; cut++)
        {
            var snapshot = events.Take(cut).Aggregate(WithAccounts(), (s, e) => s.Apply(e));
            var resumed = events.Skip(cut).Aggregate(snapshot, (s, e) => s.Apply(e));
            AssertSameBot(whole.Bot(), resumed.Bot());
        }
    }

    [Fact]
    public void Without_a_price_the_peak_is_left_even_when_realised_profit_alone_would_lift_it()
    {
        // Flat after a trip that made 8.99 (bought for 500.5, sold for 510 - 0.51): its equity is 1 008.99 at any price.
        var sell = Order(2, 0, OrderSide.Sell, 0.01m);
        var flat = Holding().Then(Placed(2, (2, sell)), Filled(sell, price: 51_000m, fee: 0.51m));
        Assert.Equal((0m, 8.99m, 1_000m), (flat.Bot().Ledger.Position, flat.Bot().Ledger.Realised, flat.Bot().Ledger.PeakEquity));
        Assert.Equal(1_000m, flat.Then(new BotCheckpointed(BotId, State, NoFed, 0m, T1)).Bot().Ledger.PeakEquity);
        Assert.Equal(1_008.99m, flat.Then(new BotCheckpointed(BotId, State, NoFed, 1m, T1)).Bot().Ledger.PeakEquity);
    }
}
