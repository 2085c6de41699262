using System.Text.Json;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;

namespace TradingActors.Domain.Tests;

public class DcaStrategyTests
{
    private static StrategyParameters Params(params (string Name, double Value)[] given)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal) { ["base_order"] = 100, ["safety_order"] = 10 };
        foreach (var (name, value) in given) values[name] = value;
        var parameters = StrategyParameters.Parse(DcaStrategy.Kind, values, out var errors);
        Assert.Empty(errors);
        return parameters;
    }

    private static DcaStrategy Dca(params (string Name, double Value)[] given) => (DcaStrategy)DcaStrategy.Kind.Create(Params(given));

    private static IReadOnlyList<ParameterError> Errors(params (string Name, double Value)[] given)
    {
        StrategyParameters.Parse(DcaStrategy.Kind, given.ToDictionary(g => g.Name, g => g.Value), out var errors);
        return errors;
    }

    private static void AssertMarket(StrategyIntent intent, long orderRef, OrderSide side, IntentSizing sizing, double amount, IntentReason reason)
    {
        Assert.Equal(IntentKind.Market, intent.Kind);
        Assert.Equal(orderRef, intent.OrderRef);
        Assert.Equal(side, intent.Side);
        Assert.Equal(sizing, intent.Sizing);
        Assert.Equal(amount, intent.Amount, 9);
        Assert.Equal(reason, intent.Reason);
    }

    private static void AssertLimit(StrategyIntent intent, long orderRef, OrderSide side, IntentSizing sizing, double amount, double price, IntentReason reason)
    {
        Assert.Equal(IntentKind.Limit, intent.Kind);
        Assert.Equal(orderRef, intent.OrderRef);
        Assert.Equal(side, intent.Side);
        Assert.Equal(sizing, intent.Sizing);
        Assert.Equal(amount, intent.Amount, 9);
        Assert.Equal(price, intent.LimitPrice, 9);
        Assert.Equal(reason, intent.Reason);
    }

    private static void AssertCancel(StrategyIntent intent, long orderRef, IntentReason reason)
    {
        Assert.Equal(IntentKind.Cancel, intent.Kind);
        Assert.Equal(orderRef, intent.OrderRef);
        Assert.Equal(reason, intent.Reason);
    }

    // ---- the kind, its parameters and their rules ----

    [Fact]
    public void Dca_is_registered_as_a_kind_that_places_its_own_orders()
    {
        Assert.Same(DcaStrategy.Kind, StrategyKinds.Get("dca"));
        Assert.Contains(DcaStrategy.Kind, StrategyKinds.All);
        Assert.False(DcaStrategy.Kind.EmitsSignals);
        Assert.False(string.IsNullOrWhiteSpace(DcaStrategy.Kind.Description));
        Assert.Equal("dca", ((ITradingStrategy)Dca()).Kind);
    }

    [Fact]
    public void Dca_parameters_are_the_stored_contract_with_their_ranges_and_defaults()
    {
        (string, ParameterType, double, double, double?)[] expected =
        [
            ("base_order", ParameterType.Number, 1e-12, 1e12, null),
            ("safety_order", ParameterType.Number, 0, 1e12, null),
            ("max_safety_orders", ParameterType.Integer, 0, 50, 5),
            ("price_deviation", ParameterType.Number, 0.01, 99, 1),
            ("step_scale", ParameterType.Number, 0.1, 10, 1),
            ("volume_scale", ParameterType.Number, 0.1, 10, 1.5),
            ("take_profit", ParameterType.Number, 0.01, 1000, 1.5),
            ("stop_loss", ParameterType.Number, 0, 99, 0),
            ("ema_filter", ParameterType.Integer, 0, 1000, 0),
            ("atr_period", ParameterType.Integer, 1, 1000, 14),
            ("atr_limit", ParameterType.Number, 0, 100, 0),
            ("volatility_period", ParameterType.Integer, 2, 1000, 20),
            ("volatility_limit", ParameterType.Number, 0, 100, 0),
            ("cooldown_bars", ParameterType.Integer, 0, 100_000, 0),
        ];
        Assert.Equal(expected, DcaStrategy.Kind.Parameters.Select(p => (p.Name, p.Type, p.Min, p.Max, p.Default)).ToArray());
        Assert.All(DcaStrategy.Kind.Parameters, p => Assert.True(p.Description.Length > 20, p.Name));
    }

    [Fact]
    public void Dca_requires_the_two_order_amounts_and_names_each_missing_one()
    {
        var errors = Errors();

        Assert.Equal(["base_order", "safety_order"], errors.Select(e => e.Parameter));
        Assert.Equal("base_order is required (quote amount the market base order spends to open a deal)", errors[0].Message);
    }

    [Fact]
    public void Dca_refuses_values_out_of_their_ranges()
    {
        var errors = Errors(("base_order", 0), ("safety_order", 10), ("max_safety_orders", 51), ("step_scale", 0.05));

        Assert.Equal(
            [
                "base_order must be between 1E-12 and 1000000000000 (got 0)",
                "max_safety_orders must be between 0 and 50 (got 51)",
                "step_scale must be between 0.1 and 10 (got 0.05)",
            ],
            errors.Select(e => e.Message));
    }

    [Fact]
    public void Dca_needs_a_safety_order_amount_only_when_it_may_place_safety_orders()
    {
        var errors = Errors(("base_order", 100), ("safety_order", 0));

        var error = Assert.Single(errors);
        Assert.Equal("safety_order", error.Parameter);
        Assert.Equal("safety_order must be above 0 when max_safety_orders is 5", error.Message);
        Assert.Empty(Errors(("base_order", 100), ("safety_order", 0), ("max_safety_orders", 0)));
    }

    [Fact]
    public void Dca_refuses_safety_orders_that_would_rest_at_or_below_zero()
    {
        // price_deviation 10, step_scale 2, 4 orders: 10 + 20 + 40 + 80 = 150% below the first entry.
        var errors = Errors(("base_order", 100), ("safety_order", 10), ("price_deviation", 10), ("step_scale", 2), ("max_safety_orders", 4));

        var error = Assert.Single(errors);
        Assert.Equal("price_deviation", error.Parameter);
        Assert.Equal(
            "safety order 4 would rest 150% below the first entry: price_deviation, step_scale and max_safety_orders must keep every safety order under 100%",
            error.Message);
        // 25% * 4 = exactly 100%: a price of 0 is refused too; 3 orders (75%) are fine.
        Assert.Equal("price_deviation", Assert.Single(Errors(("base_order", 100), ("safety_order", 10), ("price_deviation", 25), ("max_safety_orders", 4))).Parameter);
        Assert.Empty(Errors(("base_order", 100), ("safety_order", 10), ("price_deviation", 25), ("max_safety_orders", 3)));
    }

    [Fact]
    public void Safety_order_deviation_adds_each_step_scaled_from_the_previous()
    {
        Assert.Equal(0, DcaStrategy.SafetyOrderDeviation(1, 2, 0));
        Assert.Equal(3, DcaStrategy.SafetyOrderDeviation(1, 1, 3));     // 1 + 1 + 1
        Assert.Equal(15, DcaStrategy.SafetyOrderDeviation(1, 2, 4));    // 1 + 2 + 4 + 8
        Assert.Equal(3.5, DcaStrategy.SafetyOrderDeviation(2, 0.5, 3)); // 2 + 1 + 0.5
    }

    // ---- a deal ----

    [Fact]
    public void Step_scale_1_rests_safety_orders_1_2_3_percent_below_the_first_entry_sized_by_volume_scale_until_the_last()
    {
        // First entry 100; price_deviation 1, step_scale 1: SO1 at 100 * 0.99 = 99, SO2 at 100 * 0.98 = 98, SO3 at 97.
        // safety_order 10, volume_scale 1.5: SO1 spends 10, SO2 15, SO3 22.5; max_safety_orders 3: no SO4.
        var dca = Dca(("max_safety_orders", 3));
        var h = new OrderStrategyHarness(dca);

        h.Bar(100);
        var opened = h.Take();
        Assert.Equal(3, opened.Count);
        AssertMarket(opened[0], 1, OrderSide.Buy, IntentSizing.Quote, 100, IntentReason.DcaBaseOrder);
        Assert.Equal(100, opened[0].ReasonValue);
        AssertLimit(opened[1], 2, OrderSide.Sell, IntentSizing.Base, 1, 101.5, IntentReason.DcaTakeProfit); // 100 * 1.015
        AssertLimit(opened[2], 3, OrderSide.Buy, IntentSizing.Quote, 10, 99, IntentReason.DcaSafetyOrder);
        Assert.Equal(1, opened[2].ReasonLevel);
        Assert.Equal(DcaDealState.Active, dca.State);
        Assert.Equal(100, dca.FirstEntry);

        h.Bar(99);
        var afterFirst = h.Take();
        Assert.Equal(3, afterFirst.Count);
        AssertCancel(afterFirst[0], 2, IntentReason.Replaced);
        // 1 + 10/99 = 1.101010 held for 110: average 99.908257, take profit at 101.406881
        AssertLimit(afterFirst[1], 4, OrderSide.Sell, IntentSizing.Base, 1.101010101, 101.406880734, IntentReason.DcaTakeProfit);
        AssertLimit(afterFirst[2], 5, OrderSide.Buy, IntentSizing.Quote, 15, 98, IntentReason.DcaSafetyOrder);
        Assert.Equal(2, afterFirst[2].ReasonLevel);

        h.Bar(98);
        var afterSecond = h.Take();
        AssertCancel(afterSecond[0], 4, IntentReason.Replaced);
        AssertLimit(afterSecond[2], 7, OrderSide.Buy, IntentSizing.Quote, 22.5, 97, IntentReason.DcaSafetyOrder);
        Assert.Equal(3, afterSecond[2].ReasonLevel);

        h.Bar(97);
        var afterThird = h.Take();
        Assert.Equal(2, afterThird.Count); // no safety order 4
        AssertCancel(afterThird[0], 6, IntentReason.Replaced);
        // held 1 + 10/99 + 15/98 + 22.5/97 = 1.486030 for 147.5: average 99.257748, take profit at 100.746614
        AssertLimit(afterThird[1], 8, OrderSide.Sell, IntentSizing.Base, 1.486030088, 100.746614197, IntentReason.DcaTakeProfit);
        Assert.Equal(3, dca.SafetyOrdersFilled);
        Assert.Equal(1.486030088, dca.Position, 9);
        Assert.Equal(99.257747977, dca.AverageEntry, 9);
        Assert.Equal(100.746614197, dca.TakeProfitPrice, 9);

        h.Bar(90, low: 80);
        Assert.Empty(h.Take()); // max_safety_orders reached: the deal only waits for its take profit
        Assert.Equal(1, dca.OpenOrders); // the take profit alone rests
    }

    [Fact]
    public void Step_scale_2_doubles_each_step_and_volume_scale_2_doubles_each_size()
    {
        // price_deviation 1, step_scale 2: steps 1, 2, 4, 8 -> cumulative 1, 3, 7, 15 % below 100 = 99, 97, 93, 85.
        // safety_order 10, volume_scale 2: 10, 20, 40, 80.
        var h = new OrderStrategyHarness(Dca(("max_safety_orders", 4), ("step_scale", 2), ("volume_scale", 2)));

        foreach (var close in new double[] { 100, 99, 97, 93, 85, 80 }) h.Bar(close);

        var safety = h.Sent.Where(i => i.Reason == IntentReason.DcaSafetyOrder).ToList();
        Assert.Equal([99.0, 97, 93, 85], safety.Select(i => Math.Round(i.LimitPrice, 9)));
        Assert.Equal([10.0, 20, 40, 80], safety.Select(i => i.Amount));
        Assert.Equal([1.0, 2, 3, 4], safety.Select(i => i.ReasonLevel));
        Assert.Equal("DCA safety order 3 at 93", safety[2].Describe());
    }

    [Fact]
    public void Safety_fills_move_the_take_profit_to_the_new_average_and_the_take_profit_closes_the_deal_then_the_cooldown_runs()
    {
        // base 100 at 100 -> 1 held. price_deviation 10: SO1 at 90, SO2 at 80, SO3 at 70; safety_order 90, volume_scale 2.
        //   SO1: 90 at 90 = 1     -> 2 held for 190: average 95, take profit 2% above = 96.9
        //   SO2: 180 at 80 = 2.25 -> 4.25 held for 370: average 87.058824, take profit 88.8
        //   take profit sells 4.25 at 88.8 = 377.4: profit 7.4
        var dca = Dca(("safety_order", 90), ("price_deviation", 10), ("volume_scale", 2), ("take_profit", 2), ("max_safety_orders", 3), ("cooldown_bars", 2));
        var h = new OrderStrategyHarness(dca);

        h.Bar(100);
        Assert.Equal(102, dca.TakeProfitPrice, 9);
        h.Bar(91, low: 89.9);
        Assert.Equal(2, dca.Position, 9);
        Assert.Equal(95, dca.AverageEntry, 9);
        Assert.Equal(96.9, dca.TakeProfitPrice, 9);
        Assert.Equal(1, dca.SafetyOrdersFilled);
        h.Bar(81, low: 79.9);
        Assert.Equal(4.25, dca.Position, 9);
        Assert.Equal(87.058823529, dca.AverageEntry, 9);
        Assert.Equal(88.8, dca.TakeProfitPrice, 9);
        var last = h.Take().Last();
        AssertLimit(last, 7, OrderSide.Buy, IntentSizing.Quote, 360, 70, IntentReason.DcaSafetyOrder);
        Assert.Equal(100, dca.FirstEntry); // levels are measured from the first entry, not the average

        h.Bar(88, high: 89);
        var closed = h.Take();
        AssertCancel(Assert.Single(closed), 7, IntentReason.ClosePosition);
        Assert.Equal(DcaDealState.Idle, dca.State);
        Assert.Equal(0, dca.Position);
        Assert.Equal(0, dca.AverageEntry);
        Assert.Equal(7.4, dca.RealisedProfit, 9);
        Assert.Equal(1, dca.DealsClosed);
        Assert.Equal(0, dca.SafetyOrdersFilled);
        Assert.Equal(0, dca.FirstEntry);
        Assert.Equal(0, dca.OpenOrders);
        Assert.True(double.IsNaN(dca.TakeProfitPrice));
        var idle = (DcaState)dca.Save();
        Assert.Equal((0.0, 0.0, 1, 1), (idle.Bought, idle.Cost, idle.NextSafetyOrder, idle.Cooldown));

        // cooldown_bars 2: the bar the deal closed in was the first, this one the second; the next opens a deal.
        h.Bar(88);
        Assert.Empty(h.Take());
        Assert.Equal(DcaDealState.Idle, dca.State);
        h.Bar(88);
        var next = h.Take();
        Assert.Equal(3, next.Count);
        AssertMarket(next[0], 8, OrderSide.Buy, IntentSizing.Quote, 100, IntentReason.DcaBaseOrder);
        AssertLimit(next[2], 10, OrderSide.Buy, IntentSizing.Quote, 90, 79.2, IntentReason.DcaSafetyOrder); // level 1 again: 88 * 0.9
        Assert.Equal(DcaDealState.Active, dca.State);
        Assert.Equal(88, dca.FirstEntry);
    }

    [Fact]
    public void Stop_loss_cancels_the_deal_s_orders_and_sells_the_position_at_market_on_a_close_at_the_stop()
    {
        // base 100 at 100 = 1, SO1 99 at 99 = 1: 2 held at 99.5. stop_loss 5: a close at or below 99.5 * 0.95 = 94.525.
        var dca = Dca(("safety_order", 99), ("volume_scale", 1), ("max_safety_orders", 2), ("stop_loss", 5));
        var h = new OrderStrategyHarness(dca);
        h.Bar(100);
        h.Bar(99);
        Assert.Equal(99.5, dca.AverageEntry, 12);
        h.Take();
        h.AutoFill = false;
        var stop = 99.5 * (1 - 5.0 / 100);

        h.Bar(stop + 0.001);
        Assert.Empty(h.Take());
        h.Bar(stop);
        var stopped = h.Take();
        Assert.Equal(3, stopped.Count);
        AssertCancel(stopped[0], 4, IntentReason.ClosePosition); // the take profit
        AssertCancel(stopped[1], 5, IntentReason.ClosePosition); // SO2 at 98
        AssertMarket(stopped[2], 6, OrderSide.Sell, IntentSizing.Base, 2, IntentReason.DcaStopLoss);
        Assert.Equal("DCA stop loss at 94.525 (average entry 99.5)", stopped[2].Describe());
        Assert.Equal(DcaDealState.Idle, dca.State);
        Assert.Equal(2 * (stop - 99.5), dca.RealisedProfit, 9); // -9.95
        Assert.Equal(1, dca.DealsClosed);

        h.Bar(90);
        AssertMarket(h.Take()[0], 7, OrderSide.Buy, IntentSizing.Quote, 100, IntentReason.DcaBaseOrder); // no cooldown
    }

    [Fact]
    public void Stop_loss_sells_what_is_left_on_the_next_bar_while_its_market_order_did_not_sell_everything()
    {
        var dca = Dca(("max_safety_orders", 0), ("stop_loss", 10));
        var h = new OrderStrategyHarness(dca);
        h.Bar(100);
        h.FillMarkets = false;
        h.Bar(90); // 100 * 0.9: the stop
        AssertMarket(h.Take().Last(), 3, OrderSide.Sell, IntentSizing.Base, 1, IntentReason.DcaStopLoss);
        Assert.Equal(DcaDealState.StoppingOut, dca.State);

        h.Bar(85);
        Assert.Empty(h.Take()); // the stop's market order still works
        h.Fill(3, 0.75, 89, ended: true);
        Assert.Equal(0.25, dca.Position, 12);
        Assert.Equal(DcaDealState.StoppingOut, dca.State);
        h.Bar(85);
        AssertMarket(Assert.Single(h.Take()), 4, OrderSide.Sell, IntentSizing.Base, 0.25, IntentReason.DcaStopLoss);
        h.Fill(4, 0.25, 85, ended: true);
        Assert.Equal(DcaDealState.Idle, dca.State);
        Assert.Equal(0.75 * -11 + 0.25 * -15, dca.RealisedProfit, 9);
    }

    [Fact]
    public void Ema_filter_opens_a_deal_only_on_a_close_above_a_ready_ema()
    {
        // EMA(3), k = 0.5: 100 100 -> warming up; 100 -> 100 (close = EMA: no); 99 -> 99.5 (below: no);
        // 101 -> 100.25 (above: base order).
        var dca = Dca(("ema_filter", 3));
        var h = new OrderStrategyHarness(dca);

        foreach (var close in new double[] { 100, 100, 100, 99 }) h.Bar(close);
        Assert.Empty(h.Take());
        Assert.Equal(DcaDealState.Idle, dca.State);
        h.Bar(101);
        AssertMarket(h.Take()[0], 1, OrderSide.Buy, IntentSizing.Quote, 100, IntentReason.DcaBaseOrder);
    }

    [Fact]
    public void Atr_guard_cancels_the_resting_safety_order_and_places_it_again_at_its_level_after_calm()
    {
        // atr_period 1: ATR = the last bar's true range; atr_limit 2: a range over 2% of the close pauses safety orders.
        var dca = Dca(("atr_period", 1), ("atr_limit", 2), ("take_profit", 10));
        var h = new OrderStrategyHarness(dca);
        h.Bar(100);
        h.Take(); // base, take profit at 110, SO1 (ref 3) at 99

        h.Bar(100, low: 99.5, high: 101.5); // range 2 = exactly 2%: not above the limit
        Assert.False(dca.GuardOn);
        Assert.Empty(h.Take());
        h.Bar(100, low: 99.5, high: 103); // range 3.5: guard on
        Assert.True(dca.GuardOn);
        AssertCancel(Assert.Single(h.Take()), 3, IntentReason.Replaced);
        Assert.False(h.Book.ContainsKey(3));
        h.Bar(100, low: 99.5, high: 102.5);
        Assert.True(dca.GuardOn);
        Assert.Empty(h.Take()); // still on: nothing placed

        h.Bar(100);
        Assert.False(dca.GuardOn);
        var again = Assert.Single(h.Take());
        AssertLimit(again, 4, OrderSide.Buy, IntentSizing.Quote, 10, 99, IntentReason.DcaSafetyOrder);
        Assert.Equal(1, again.ReasonLevel);
        Assert.Equal(0, dca.SafetyOrdersFilled);
    }

    [Fact]
    public void A_deal_opened_while_the_guard_is_on_waits_for_calm_before_its_first_safety_order()
    {
        var dca = Dca(("atr_period", 1), ("atr_limit", 2));
        var h = new OrderStrategyHarness(dca);

        h.Bar(100, low: 97); // range 3%
        var opened = h.Take();
        Assert.Equal([IntentReason.DcaBaseOrder, IntentReason.DcaTakeProfit], opened.Select(i => i.Reason));
        h.Bar(100);
        AssertLimit(Assert.Single(h.Take()), 3, OrderSide.Buy, IntentSizing.Quote, 10, 99, IntentReason.DcaSafetyOrder);
    }

    [Fact]
    public void Volatility_guard_cancels_the_resting_safety_order_and_places_it_again_after_calm()
    {
        // volatility_period 2, volatility_limit 5 (%): sample deviation of the last two log returns.
        //   100 100 105: returns 0, ln 1.05 = 0.04879 -> 0.04879 / sqrt 2 = 3.45%        calm
        //   100: returns 0.04879, -0.04879 -> 0.09758 / sqrt 2 = 6.90%                     guard on
        //   100: returns -0.04879, 0 -> 3.45%                                              calm
        var dca = Dca(("volatility_period", 2), ("volatility_limit", 5), ("take_profit", 10));
        var h = new OrderStrategyHarness(dca);
        h.Bar(100);
        h.Bar(100);
        h.Bar(105);
        Assert.False(dca.GuardOn);
        h.Take();

        h.Bar(100);
        Assert.True(dca.GuardOn);
        AssertCancel(Assert.Single(h.Take()), 3, IntentReason.Replaced);
        h.Bar(100);
        Assert.False(dca.GuardOn);
        AssertLimit(Assert.Single(h.Take()), 4, OrderSide.Buy, IntentSizing.Quote, 10, 99, IntentReason.DcaSafetyOrder);
    }

    [Fact]
    public void Volatility_exactly_at_its_limit_does_not_pause_safety_orders()
    {
        var volatility = new TradingActors.Domain.Indicators.RollingVolatility(2);
        foreach (var close in new double[] { 100, 100, 105, 100 }) volatility.Update(close);
        var dca = Dca(("volatility_period", 2), ("volatility_limit", volatility.Value * 100), ("take_profit", 10));
        var h = new OrderStrategyHarness(dca);

        foreach (var close in new double[] { 100, 100, 105, 100 }) h.Bar(close);

        Assert.False(dca.GuardOn);
        Assert.DoesNotContain(h.Sent, i => i.Kind == IntentKind.Cancel);
    }

    [Fact]
    public void Guards_with_no_limit_never_pause_safety_orders_however_wild_the_bars()
    {
        var dca = Dca(("atr_period", 2), ("volatility_period", 2), ("take_profit", 50));
        var h = new OrderStrategyHarness(dca);

        for (var t = 0; t < 40; t++) h.Bar(t % 2 == 0 ? 100 : 120, low: 99.5, high: 130);

        Assert.False(dca.GuardOn);
        Assert.DoesNotContain(h.Sent, i => i.Kind == IntentKind.Cancel);
        Assert.Equal(2, dca.OpenOrders); // the take profit and SO1 rest
    }

    // ---- partial fills, ends without fills, duplicates ----

    [Fact]
    public void Partial_base_fills_average_into_the_first_entry_and_the_take_profit_waits_for_the_base_order_to_end()
    {
        // Base fills 0.4 at 100 then 0.6 at 102: first entry (40 + 61.2) / 1 = 101.2; take profit 102.718; SO1 at 100.188.
        var dca = Dca();
        var h = new OrderStrategyHarness(dca) { FillMarkets = false, AutoFill = false };
        h.Bar(100);
        h.Take();

        h.Fill(1, 0.4, 100, ended: false);
        Assert.Empty(h.Take());
        Assert.Equal(DcaDealState.Opening, dca.State);
        Assert.Equal(0.4, dca.Position, 12);
        h.Fill(1, 0.6, 102, ended: true, fee: 0.06);
        var placed = h.Take();
        AssertLimit(placed[0], 2, OrderSide.Sell, IntentSizing.Base, 1, 102.718, IntentReason.DcaTakeProfit);
        AssertLimit(placed[1], 3, OrderSide.Buy, IntentSizing.Quote, 10, 100.188, IntentReason.DcaSafetyOrder);
        Assert.Equal(101.2, dca.FirstEntry, 9);
        Assert.Equal(101.2, dca.AverageEntry, 9);
        Assert.Equal(0.06, dca.Fees, 12);

        // The take profit fills 0.1, 0.2, 0.3 and the rest: partial sells keep the average; the 5.6e-17 that rounding
        // leaves (1 - 0.1 - 0.2 - 0.3 - (1 - 0.6000000000000001)) counts as flat.
        h.Fill(2, 0.1, 102.718, ended: false);
        h.Fill(2, 0.2, 102.718, ended: false);
        h.Fill(2, 0.3, 102.718, ended: false);
        Assert.Equal(0.4, dca.Position, 12);
        Assert.Equal(101.2, dca.AverageEntry, 9);
        h.Bar(101);
        Assert.Empty(h.Take()); // the take profit still rests: nothing to place
        h.Fill(2, h.Book[2].Remaining, 102.718, ended: true);
        AssertCancel(Assert.Single(h.Take()), 3, IntentReason.ClosePosition);
        Assert.Equal(0, dca.Position);
        Assert.Equal(0, ((DcaState)dca.Save()).Cost);
        Assert.Equal(DcaDealState.Idle, dca.State);
        Assert.Equal(1.518 - 0.06, dca.RealisedProfit, 9); // 1 * (102.718 - 101.2) - fee
    }

    [Fact]
    public void A_safety_order_that_ended_part_filled_counts_moves_the_take_profit_and_places_the_next_level()
    {
        var dca = Dca(("safety_order", 99), ("volume_scale", 1));
        var h = new OrderStrategyHarness(dca) { AutoFill = false };
        h.Bar(100);
        h.Take();

        h.Fill(3, 0.5, 99, ended: false);
        Assert.Empty(h.Take());
        Assert.Equal(0, dca.SafetyOrdersFilled);
        h.End(3); // cancelled or expired with half filled
        var moved = h.Take();
        // 1.5 held for 149.5: average 99.666667, take profit 101.161667; SO2 at 98.
        AssertCancel(moved[0], 2, IntentReason.Replaced);
        AssertLimit(moved[1], 4, OrderSide.Sell, IntentSizing.Base, 1.5, 101.161666667, IntentReason.DcaTakeProfit);
        AssertLimit(moved[2], 5, OrderSide.Buy, IntentSizing.Quote, 99, 98, IntentReason.DcaSafetyOrder);
        Assert.Equal(2, moved[2].ReasonLevel);
        Assert.Equal(1, dca.SafetyOrdersFilled);
    }

    [Fact]
    public void Fills_and_ends_of_unknown_or_already_ended_orders_are_ignored()
    {
        var dca = Dca();
        var h = new OrderStrategyHarness(dca) { AutoFill = false };
        h.Bar(100);
        h.Take();
        var before = JsonSerializer.Serialize(dca.Save());

        h.Fill(1, 1, 100, ended: true); // the base order again
        h.Fill(42, 1, 100, ended: true);
        h.Fill(42, 1, 100, ended: false);
        h.End(1);
        h.End(42);

        Assert.Empty(h.Take());
        Assert.Equal(before, JsonSerializer.Serialize(dca.Save()));
        Assert.Equal(1, dca.Position);
    }

    [Fact]
    public void A_fill_of_a_cancelled_safety_order_after_its_deal_closed_is_ignored()
    {
        var dca = Dca();
        var h = new OrderStrategyHarness(dca);
        h.Bar(100);
        h.Bar(101.5); // the take profit fills, SO1 (ref 3) is cancelled and ends, the next deal opens at 101.5
        h.AutoFill = false;
        h.Take();
        var before = JsonSerializer.Serialize(dca.Save());

        h.Fill(3, 0.1, 99, ended: true);

        Assert.Equal(before, JsonSerializer.Serialize(dca.Save()));
        Assert.Empty(h.Take());
    }

    [Fact]
    public void The_order_table_grows_when_cancels_are_slow_to_be_confirmed()
    {
        // Ten safety orders fill while no cancel is ever confirmed: ten replaced take profits wait for their ends.
        var dca = Dca(("max_safety_orders", 10), ("price_deviation", 1), ("volume_scale", 1));
        var h = new OrderStrategyHarness(dca) { HonourCancels = false };
        for (var close = 100; close >= 90; close--) h.Bar(close);
        Assert.Equal(10, dca.SafetyOrdersFilled);
        Assert.Equal(11, dca.OpenOrders); // 10 replaced take profits and the current one

        foreach (var i in h.Sent.Where(i => i.Kind == IntentKind.Cancel)) h.End(i.OrderRef);

        Assert.Equal(1, dca.OpenOrders);
        Assert.Equal(dca.Position, h.Book.Values.Single().Intent.Amount, 12);
        Assert.Equal(IntentReason.DcaTakeProfit, h.Book.Values.Single().Intent.Reason);
        Assert.Equal(dca.TakeProfitPrice, h.Book.Values.Single().Intent.LimitPrice);
    }

    [Fact]
    public void A_refused_base_order_leaves_the_strategy_idle_and_the_next_bar_tries_again()
    {
        var dca = Dca();
        var h = new OrderStrategyHarness(dca) { Reject = i => i.OrderRef == 1 };

        h.Bar(100);
        Assert.Single(h.Take());
        Assert.Equal(DcaDealState.Idle, dca.State);
        Assert.Equal(0, dca.DealsClosed);
        h.Bar(100);
        Assert.Equal([2L, 3, 4], h.Take().Select(i => i.OrderRef));
        Assert.Equal(DcaDealState.Active, dca.State);
    }

    [Fact]
    public void A_refused_safety_order_ends_safety_orders_for_the_deal_but_not_for_the_next()
    {
        var dca = Dca(("max_safety_orders", 3));
        var h = new OrderStrategyHarness(dca) { Reject = i => i.OrderRef == 3 };

        h.Bar(100);
        Assert.Equal(3, h.Take().Count);
        h.Bar(98);
        h.Bar(97);
        Assert.Empty(h.Take());
        Assert.Equal(0, dca.SafetyOrdersFilled);

        h.Bar(101.5); // the take profit fills, the deal closes, and this bar's close opens the next deal
        Assert.Equal(1, dca.DealsClosed);
        Assert.Equal(
            [IntentReason.DcaBaseOrder, IntentReason.DcaTakeProfit, IntentReason.DcaSafetyOrder],
            h.Take().Select(i => i.Reason));
    }

    [Fact]
    public void A_refused_take_profit_is_placed_again_on_the_next_bar()
    {
        var dca = Dca();
        var h = new OrderStrategyHarness(dca) { Reject = i => i.OrderRef == 2 };

        h.Bar(100);
        Assert.Equal(3, h.Take().Count);
        Assert.True(double.IsNaN(dca.TakeProfitPrice));
        h.Bar(100);
        AssertLimit(Assert.Single(h.Take()), 4, OrderSide.Sell, IntentSizing.Base, 1, 101.5, IntentReason.DcaTakeProfit);
        Assert.Equal(101.5, dca.TakeProfitPrice, 9);
        Assert.Equal(DcaDealState.Active, dca.State);
    }

    [Fact]
    public void A_take_profit_that_sold_some_before_its_replacement_took_has_the_resting_one_resized()
    {
        // base 1 at 100; SO1 99 at 99 = 1 -> 2 at 99.5, take profit 100.9925. The old take profit (ref 2) sold 0.3
        // at 101.5 before its cancel took: 1.7 left, so the new one (ref 4) is replaced by one for 1.7 (ref 6).
        var dca = Dca(("safety_order", 99), ("volume_scale", 1));
        var h = new OrderStrategyHarness(dca) { AutoFill = false, HonourCancels = false };
        h.Bar(100);
        h.Take();
        h.Fill(3, 1, 99, ended: true);
        var replaced = h.Take();
        AssertCancel(replaced[0], 2, IntentReason.Replaced);
        AssertLimit(replaced[1], 4, OrderSide.Sell, IntentSizing.Base, 2, 100.9925, IntentReason.DcaTakeProfit);

        h.Fill(2, 0.3, 101.5, ended: false);
        Assert.Empty(h.Take());
        h.End(2);
        var resized = h.Take();
        Assert.Equal(2, resized.Count);
        AssertCancel(resized[0], 4, IntentReason.Replaced);
        AssertLimit(resized[1], 6, OrderSide.Sell, IntentSizing.Base, 1.7, 100.9925, IntentReason.DcaTakeProfit);
        Assert.Equal(0.6, dca.RealisedProfit, 9); // 0.3 * (101.5 - 99.5)
        Assert.Equal(99.5, dca.AverageEntry, 9);
    }

    [Fact]
    public void A_take_profit_that_sold_some_before_the_safety_fill_is_not_replaced_twice()
    {
        // The take profit sells 0.3 of 1 (0.7 left, cost 70), then SO1 fills 1 at 99: 1.7 for 169, average 99.411765,
        // new take profit for 1.7 at 100.902941. The old one's end finds the new one already right.
        var dca = Dca(("safety_order", 99), ("volume_scale", 1));
        var h = new OrderStrategyHarness(dca) { AutoFill = false, HonourCancels = false };
        h.Bar(100);
        h.Take();
        h.Fill(2, 0.3, 101.5, ended: false);
        h.Fill(3, 1, 99, ended: true);
        AssertLimit(h.Take()[1], 4, OrderSide.Sell, IntentSizing.Base, 1.7, 100.902941176, IntentReason.DcaTakeProfit);
        h.Fill(4, 0.2, 100.902941176, ended: false); // the new one sells 0.2: 1.5 left, and 1.5 of it still rests

        h.End(2);

        Assert.Empty(h.Take());
        Assert.Equal(100.902941176, dca.TakeProfitPrice, 9);
        Assert.Equal(1.5, dca.Position, 12);
    }

    [Fact]
    public void An_old_take_profit_that_sold_everything_before_its_cancel_took_closes_the_deal()
    {
        var dca = Dca(("safety_order", 99), ("volume_scale", 1));
        var h = new OrderStrategyHarness(dca) { AutoFill = false, HonourCancels = false };
        h.Bar(100);
        h.Fill(3, 1, 99, ended: false); // SO1 fills (its end comes later)
        h.Fill(2, 1, 101.5, ended: false); // meanwhile the first take profit sells the base order's 1
        h.Fill(3, 0, 99, ended: true);
        h.Take();
        h.Fill(4, 1, 100.9925, ended: false); // the new take profit (for the 1 left) sells it
        Assert.Equal(0, dca.Position);
        h.End(2); // the old one ends: nothing left
        var closing = h.Take();
        Assert.Equal([4L, 5], closing.Select(i => i.OrderRef)); // cancel the new take profit and SO2
        Assert.All(closing, i => AssertCancel(i, i.OrderRef, IntentReason.ClosePosition));
        Assert.Equal(DcaDealState.Closing, dca.State);
        h.End(4);
        Assert.Equal(DcaDealState.Closing, dca.State);
        h.End(5);
        Assert.Equal(DcaDealState.Idle, dca.State);
    }

    [Fact]
    public void A_safety_order_filled_after_the_take_profit_closed_the_deal_reopens_it()
    {
        var dca = Dca(("safety_order", 99), ("volume_scale", 1));
        var h = new OrderStrategyHarness(dca) { AutoFill = false, HonourCancels = false };
        h.Bar(100);
        h.Take();
        h.Fill(2, 1, 101.5, ended: true);
        AssertCancel(Assert.Single(h.Take()), 3, IntentReason.ClosePosition);
        Assert.Equal(DcaDealState.Closing, dca.State);
        h.Bar(100);
        Assert.Empty(h.Take()); // waiting for SO1 to end

        h.Fill(3, 0.5, 99, ended: true); // it filled half before the cancel took
        var reopened = h.Take();
        Assert.Equal(2, reopened.Count);
        AssertLimit(reopened[0], 4, OrderSide.Sell, IntentSizing.Base, 0.5, 100.485, IntentReason.DcaTakeProfit);
        AssertLimit(reopened[1], 5, OrderSide.Buy, IntentSizing.Quote, 99, 98, IntentReason.DcaSafetyOrder);
        Assert.Equal(DcaDealState.Active, dca.State);
        Assert.Equal(1, dca.SafetyOrdersFilled);
        Assert.Equal(0, dca.DealsClosed);
    }

    [Fact]
    public void A_position_sold_in_parts_leaves_no_cost_behind_for_a_late_safety_fill()
    {
        // 1 bought at 101.2 and sold in 0.1, 0.2, 0.3 and the rest: rounding leaves 5.6e-17 held and 7.1e-15 of
        // cost, both dropped as flat. SO1 then fills 0.5 at 100.188 after all: the average is exactly that price.
        var dca = Dca();
        var h = new OrderStrategyHarness(dca) { FillMarkets = false, AutoFill = false, HonourCancels = false };
        h.Bar(101.2);
        h.Fill(1, 1, 101.2, ended: true);
        var takeProfit = dca.TakeProfitPrice;
        foreach (var part in new[] { 0.1, 0.2, 0.3 }) h.Fill(2, part, takeProfit, ended: false);
        h.Fill(2, h.Book[2].Remaining, takeProfit, ended: true);
        Assert.Equal(DcaDealState.Closing, dca.State);

        h.Fill(3, 0.5, 100.188, ended: true);

        Assert.Equal(DcaDealState.Active, dca.State);
        Assert.Equal(0.5, dca.Position);
        Assert.Equal(100.188, dca.AverageEntry);
    }

    [Fact]
    public void A_deal_closes_only_once_every_one_of_its_orders_ended()
    {
        var dca = Dca();
        var h = new OrderStrategyHarness(dca) { AutoFill = false, HonourCancels = false };
        h.Bar(100);
        h.Fill(2, 1, 101.5, ended: true);
        Assert.Equal(DcaDealState.Closing, dca.State);
        Assert.Equal(1, dca.OpenOrders);

        h.End(3);

        Assert.Equal(DcaDealState.Idle, dca.State);
        Assert.Equal(1, dca.DealsClosed);
        Assert.Equal(1.5, dca.RealisedProfit, 9);
    }

    [Fact]
    public void Safety_orders_filled_during_a_stop_out_are_sold_too()
    {
        var dca = Dca(("safety_order", 99), ("volume_scale", 1), ("stop_loss", 5));
        var h = new OrderStrategyHarness(dca) { AutoFill = false, HonourCancels = false };
        h.Bar(100);
        h.Take();
        h.FillMarkets = false;
        h.Bar(94.9); // stop at 95: cancel the take profit (2) and SO1 (3), sell 1 at market (4)
        Assert.Equal([(IntentKind.Cancel, 2L), (IntentKind.Cancel, 3), (IntentKind.Market, 4)], h.Take().Select(i => (i.Kind, i.OrderRef)));
        h.Fill(4, 1, 94.9, ended: true);
        Assert.Equal(0, dca.Position);
        Assert.Equal(DcaDealState.StoppingOut, dca.State); // the take profit and SO1 have not ended yet
        h.Bar(94);
        Assert.Empty(h.Take()); // flat: nothing to sell

        h.Fill(3, 1, 99, ended: true); // SO1 filled before its cancel took
        Assert.Equal(DcaDealState.StoppingOut, dca.State);
        Assert.Equal(1, dca.SafetyOrdersFilled);
        Assert.Empty(h.Take()); // no take profit, no next safety order while stopping out
        h.End(2);
        Assert.Equal(DcaDealState.StoppingOut, dca.State);
        h.Bar(93);
        AssertMarket(Assert.Single(h.Take()), 5, OrderSide.Sell, IntentSizing.Base, 1, IntentReason.DcaStopLoss);
        h.Fill(5, 1, 93, ended: true);
        Assert.Equal(DcaDealState.Idle, dca.State);
        Assert.Equal(94.9 - 100 + 93 - 99, dca.RealisedProfit, 9);
    }

    // ---- checkpoints ----

    private static (double Close, double Low, double High) PathBar(int t)
    {
        var close = 100 * Math.Exp(0.06 * Math.Sin(t / 9.0) + 0.025 * Math.Sin(t / 2.3) + 0.01 * Math.Sin(t * 1.7));
        var wiggle = 0.002 + 0.004 * (1 + Math.Sin(t / 13.0));
        return (close, close * (1 - wiggle), close * (1 + wiggle));
    }

    private static readonly (string, double)[] BusyParameters =
    [
        ("base_order", 100), ("safety_order", 50), ("max_safety_orders", 4), ("price_deviation", 1.2), ("step_scale", 1.3),
        ("volume_scale", 1.6), ("take_profit", 1.1), ("stop_loss", 9), ("ema_filter", 5), ("atr_period", 7), ("atr_limit", 1.5),
        ("volatility_period", 6), ("volatility_limit", 2.5), ("cooldown_bars", 3),
    ];

    [Fact]
    public void A_checkpoint_taken_mid_deal_resumes_through_json_and_continues_identically()
    {
        var parameters = Params(BusyParameters);
        var straight = new OrderStrategyHarness(DcaStrategy.Kind.Create(parameters)) { FeeRate = 0.001 };
        var resumed = new OrderStrategyHarness(DcaStrategy.Kind.Create(parameters)) { FeeRate = 0.001 };
        string? json = null;
        var guards = 0;
        for (var t = 0; t < 600; t++)
        {
            var (close, low, high) = PathBar(t);
            straight.Bar(close, low, high);
            resumed.Bar(close, low, high);
            var current = (DcaStrategy)resumed.Strategy;
            if (current.GuardOn) guards++;
            if (json is null && t > 150 && current.State == DcaDealState.Active && current.SafetyOrdersFilled >= 2 && current.OpenOrders == 2)
            {
                json = JsonSerializer.Serialize(current.Save());
                var state = JsonSerializer.Deserialize<StrategyState>(json);
                var copy = (DcaStrategy)DcaStrategy.Kind.Create(parameters, Assert.IsType<DcaState>(state));
                Assert.Equal(json, JsonSerializer.Serialize(copy.Save()));
                resumed.Strategy = copy;
            }
        }

        Assert.NotNull(json);
        Assert.Contains("\"$kind\":\"dca.v1\"", json);
        Assert.Contains("\"Deal\":\"Active\"", json);
        Assert.True(guards > 0, "the path should turn the guard on");
        var a = (DcaStrategy)straight.Strategy;
        Assert.True(a.DealsClosed >= 3, $"the path should close deals ({a.DealsClosed})");
        Assert.Equal(straight.Sent, resumed.Sent);
        Assert.Equal(JsonSerializer.Serialize(a.Save()), JsonSerializer.Serialize(resumed.Strategy.Save()));
    }

    [Fact]
    public void Every_bar_s_checkpoint_round_trips_through_json_with_refused_orders_and_stop_losses()
    {
        var parameters = Params(BusyParameters);
        var h = new OrderStrategyHarness(DcaStrategy.Kind.Create(parameters))
        {
            FeeRate = 0.001,
            Reject = i => i.Reason == IntentReason.DcaSafetyOrder && i.OrderRef % 5 == 0,
        };
        var seen = new HashSet<string>();
        for (var t = 0; t < 600; t++)
        {
            var (close, low, high) = PathBar(t);
            h.Bar(close, t % 97 == 0 ? low * 0.85 : low, high); // now and then a wick through the stop loss
            var json = JsonSerializer.Serialize(h.Strategy.Save());
            var copy = DcaStrategy.Kind.Create(parameters, JsonSerializer.Deserialize<StrategyState>(json));
            Assert.Equal(json, JsonSerializer.Serialize(copy.Save()));
            var state = (DcaState)h.Strategy.Save();
            if (state.Cooldown > 0) seen.Add("cooldown");
            if (state.Guard) seen.Add("guard");
            if (state.SafetyOrdersStopped) seen.Add("stopped");
            seen.Add(state.Deal.ToString());
        }

        Assert.Equal(["Active", "Idle", "cooldown", "guard", "stopped"], seen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_checkpoint_with_an_order_part_filled_and_being_cancelled_resumes_identically()
    {
        var parameters = Params(("safety_order", 99), ("volume_scale", 1));
        var h = new OrderStrategyHarness(DcaStrategy.Kind.Create(parameters)) { AutoFill = false, HonourCancels = false };
        h.Bar(100);
        h.Fill(3, 1, 99, ended: true, fee: 0.1); // the take profit (2) is being replaced by 4
        h.Fill(2, 0.3, 101.5, ended: false);
        h.Fill(4, 0.2, 100.9925, ended: false);
        h.Take();
        var json = JsonSerializer.Serialize(h.Strategy.Save());
        Assert.Contains("\"Cancelling\":true", json);

        var copy = DcaStrategy.Kind.Create(parameters, JsonSerializer.Deserialize<StrategyState>(json));
        Assert.Equal(json, JsonSerializer.Serialize(copy.Save()));
        h.Strategy = copy;
        h.End(2);

        // 2 - 0.3 - 0.2 = 1.5 held; the resting one has 1.8 left: replaced by one for 1.5.
        var resized = h.Take();
        AssertCancel(resized[0], 4, IntentReason.Replaced);
        AssertLimit(resized[1], 6, OrderSide.Sell, IntentSizing.Base, 1.5, 100.9925, IntentReason.DcaTakeProfit);
        Assert.Equal(0.3 * 2 + 0.2 * 1.4925 - 0.1, ((DcaStrategy)copy).RealisedProfit, 9);
    }

    [Fact]
    public void A_checkpoint_keeps_an_indicator_only_when_its_period_is_unchanged()
    {
        var dca = Dca(("ema_filter", 3), ("atr_period", 2), ("volatility_period", 2));
        var h = new OrderStrategyHarness(dca);
        foreach (var close in new double[] { 100, 99, 98, 97, 96 }) h.Bar(close);
        var saved = (DcaState)dca.Save();

        var same = (DcaState)DcaStrategy.Kind.Create(Params(("ema_filter", 3), ("atr_period", 2), ("volatility_period", 2)), saved).Save();
        Assert.Equal(5, same.Ema!.Count);
        Assert.Equal(5, same.Atr.Count);
        Assert.Equal(4, same.Volatility.Returns.Count);

        var changed = (DcaState)DcaStrategy.Kind.Create(Params(("ema_filter", 4), ("atr_period", 3), ("volatility_period", 3)), saved).Save();
        Assert.Equal((4, 0L), (changed.Ema!.Period, changed.Ema.Count));
        Assert.Equal((3, 0L), (changed.Atr.Period, changed.Atr.Count));
        Assert.Equal((3, 0L), (changed.Volatility.Returns.Period, changed.Volatility.Returns.Count));
        Assert.Null(((DcaState)DcaStrategy.Kind.Create(Params(), saved).Save()).Ema); // filter off: no EMA

        var unfiltered = (DcaState)Dca().Save();
        Assert.Equal(3, ((DcaState)DcaStrategy.Kind.Create(Params(("ema_filter", 3)), unfiltered).Save()).Ema!.Period);
    }

    [Fact]
    public void On_bar_allocates_nothing_over_100k_bars()
    {
        var h = new OrderStrategyHarness(DcaStrategy.Kind.Create(Params(BusyParameters)));
        var least = h.LeastBytesPerWindow(PathBar);

        Assert.True(((DcaStrategy)h.Strategy).DealsClosed > 100);
        Assert.Equal(0, least);
    }

    [Fact]
    public void Intents_describe_themselves_for_logs()
    {
        var h = new OrderStrategyHarness(Dca());
        h.Bar(100);

        Assert.Equal(
            ["DCA base order at 100", "DCA take profit at 101.5 (average entry 100)", "DCA safety order 1 at 99"],
            h.Take().Select(i => i.Describe()));
    }
}
