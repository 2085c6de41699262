using System.Text.Json;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;

namespace TradingActors.Domain.Tests;

public class GridStrategyTests
{
    // The usual grid: lines 90 95 100 105 110 (cells 0..3 between them), 100 quote per buy.
    private static StrategyParameters Params(params (string Name, double Value)[] given)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal) { ["lower"] = 90, ["upper"] = 110, ["levels"] = 5, ["level_quote"] = 100 };
        foreach (var (name, value) in given) values[name] = value;
        var parameters = StrategyParameters.Parse(GridStrategy.Kind, values, out var errors);
        Assert.Empty(errors);
        return parameters;
    }

    private static GridStrategy Grid(params (string Name, double Value)[] given) => (GridStrategy)GridStrategy.Kind.Create(Params(given));

    private static void AssertOrder(StrategyIntent intent, long orderRef, OrderSide side, double amount, double price, int line)
    {
        Assert.Equal(IntentKind.Limit, intent.Kind);
        Assert.Equal(orderRef, intent.OrderRef);
        Assert.Equal(side, intent.Side);
        Assert.Equal(side == OrderSide.Buy ? IntentSizing.Quote : IntentSizing.Base, intent.Sizing);
        Assert.Equal(amount, intent.Amount, 9);
        Assert.Equal(price, intent.LimitPrice, 9);
        Assert.Equal(IntentReason.GridLevel, intent.Reason);
        Assert.Equal(price, intent.ReasonValue, 9);
        Assert.Equal(line, intent.ReasonLevel);
    }

    private static void AssertBuy(StrategyIntent intent, long orderRef, double price, int line) => AssertOrder(intent, orderRef, OrderSide.Buy, 100, price, line);

    // ---- the kind and its parameters ----

    [Fact]
    public void Grid_is_registered_as_a_kind_that_places_its_own_orders()
    {
        Assert.Same(GridStrategy.Kind, StrategyKinds.Get("grid"));
        Assert.Contains(GridStrategy.Kind, StrategyKinds.All);
        Assert.False(GridStrategy.Kind.EmitsSignals);
        Assert.False(string.IsNullOrWhiteSpace(GridStrategy.Kind.Description));
        Assert.Equal("grid", ((ITradingStrategy)Grid()).Kind);
    }

    [Fact]
    public void Grid_parameters_are_the_stored_contract_with_their_ranges_and_defaults()
    {
        (string, ParameterType, double, double, double?)[] expected =
        [
            ("lower", ParameterType.Number, 1e-12, 1e12, null),
            ("upper", ParameterType.Number, 1e-12, 1e12, null),
            ("levels", ParameterType.Integer, 2, 200, 10),
            ("level_quote", ParameterType.Number, 1e-12, 1e12, null),
            ("geometric", ParameterType.Boolean, 0, 1, 0),
            ("initial_buy", ParameterType.Boolean, 0, 1, 1),
        ];
        Assert.Equal(expected, GridStrategy.Kind.Parameters.Select(p => (p.Name, p.Type, p.Min, p.Max, p.Default)).ToArray());
        Assert.All(GridStrategy.Kind.Parameters, p => Assert.True(p.Description.Length > 20, p.Name));
    }

    [Fact]
    public void Grid_needs_its_bounds_and_amount_and_a_lower_bound_below_the_upper_one()
    {
        StrategyParameters.Parse(GridStrategy.Kind, new Dictionary<string, double>(), out var missing);
        Assert.Equal(["lower", "upper", "level_quote"], missing.Select(e => e.Parameter));
        Assert.Equal("lower is required (price of the lowest grid line)", missing[0].Message);

        StrategyParameters.Parse(GridStrategy.Kind, new Dictionary<string, double> { ["lower"] = 110, ["upper"] = 90, ["level_quote"] = 10 }, out var inverted);
        var error = Assert.Single(inverted);
        Assert.Equal("lower", error.Parameter);
        Assert.Equal("lower (110) must be below upper (90)", error.Message);

        StrategyParameters.Parse(GridStrategy.Kind, new Dictionary<string, double> { ["lower"] = 100, ["upper"] = 100, ["level_quote"] = 10 }, out var equal);
        Assert.Equal("lower (100) must be below upper (100)", Assert.Single(equal).Message);

        StrategyParameters.Parse(GridStrategy.Kind, new Dictionary<string, double> { ["lower"] = 1, ["upper"] = 2, ["level_quote"] = 10, ["levels"] = 201 }, out var levels);
        Assert.Equal("levels must be between 2 and 200 (got 201)", Assert.Single(levels).Message);
    }

    // ---- lines ----

    [Fact]
    public void Arithmetic_lines_are_equally_spaced_from_lower_to_upper()
    {
        Assert.Equal([90.0, 95, 100, 105, 110], Grid().Lines.ToArray());
        Assert.Equal([1.0, 1.5, 2], GridStrategy.LinesFor(1, 2, 3, geometric: false));
        Assert.Equal([1.0, 2], GridStrategy.LinesFor(1, 2, 2, geometric: false));
    }

    [Fact]
    public void Geometric_lines_are_equally_spaced_by_ratio()
    {
        // 100 to 400 in 4 steps: ratio 4^(1/4) = 1.414214 -> 100, 141.421356, 200, 282.842712, 400.
        var lines = Grid(("lower", 100), ("upper", 400), ("geometric", 1)).Lines.ToArray();

        Assert.Equal([100.0, 141.421356237, 200, 282.842712475, 400], lines.Select(l => Math.Round(l, 9)));
        // The formula gives 0.3 * (0.7 / 0.3) = 0.7000000000000001 for the last line: it is set to upper exactly.
        Assert.Equal(0.7, GridStrategy.LinesFor(0.3, 0.7, 3, geometric: true)[2]);
    }

    // ---- the first bar ----

    [Fact]
    public void A_first_close_inside_the_range_buys_at_market_for_the_lines_above_and_rests_buys_below_leaving_the_nearest_line_empty()
    {
        // Close 101: the nearest line is 100 (left empty). Lines above: 105 and 110 -> market buy 2 * 100 = 200 quote;
        // buys at 95 and 90. The market buy gets 200 / 101 = 1.980198, 0.990099 for each of 105 and 110.
        var grid = Grid();
        var h = new OrderStrategyHarness(grid);
        Assert.False(grid.Started);

        h.Bar(101);

        var sent = h.Take();
        Assert.True(grid.Started);
        Assert.Equal(5, sent.Count);
        Assert.Equal((IntentKind.Market, OrderSide.Buy, IntentSizing.Quote, 200.0, 1L), (sent[0].Kind, sent[0].Side, sent[0].Sizing, sent[0].Amount, sent[0].OrderRef));
        Assert.Equal("grid initial buy for 2 levels at 101", sent[0].Describe());
        AssertBuy(sent[1], 2, 95, 1);
        AssertBuy(sent[2], 3, 90, 0);
        AssertOrder(sent[3], 4, OrderSide.Sell, 0.990099010, 105, 3);
        AssertOrder(sent[4], 5, OrderSide.Sell, 0.990099010, 110, 4);
        Assert.Equal("grid level 3 at 105", sent[3].Describe());
        Assert.Equal(1.980198020, grid.Inventory, 9);
    }

    [Fact]
    public void A_first_close_nearer_the_line_above_leaves_that_line_empty()
    {
        // Close 103: nearest 105 -> only 110 sells (market buy 100), buys at 100, 95, 90.
        var h = new OrderStrategyHarness(Grid());

        h.Bar(103);

        Assert.Equal(
            [(IntentKind.Market, 100.0), (IntentKind.Limit, 100), (IntentKind.Limit, 95), (IntentKind.Limit, 90), (IntentKind.Limit, 110)],
            h.Take().Select(i => (i.Kind, i.Kind == IntentKind.Market ? i.Amount : i.LimitPrice)));
    }

    [Fact]
    public void A_first_close_half_way_between_two_lines_leaves_the_lower_one_empty()
    {
        var h = new OrderStrategyHarness(Grid());

        h.Bar(102.5);

        Assert.Equal([200.0, 95, 90, 105, 110], h.Take().Select(i => i.Kind == IntentKind.Market ? i.Amount : i.LimitPrice));
    }

    [Fact]
    public void A_first_close_below_the_range_buys_for_every_line_but_the_lowest_and_rests_no_buy()
    {
        // Close 80: nearest line 90 stays empty; 95 100 105 110 sell 400 / 80 / 4 = 1.25 each.
        var grid = Grid();
        var h = new OrderStrategyHarness(grid);

        h.Bar(80);

        var sent = h.Take();
        Assert.Equal(400, sent[0].Amount);
        Assert.Equal([95.0, 100, 105, 110], sent.Skip(1).Select(i => i.LimitPrice));
        Assert.All(sent.Skip(1), i => Assert.Equal((OrderSide.Sell, 1.25), (i.Side, i.Amount)));
        Assert.Equal(5, grid.Inventory, 12);
    }

    [Fact]
    public void A_first_close_above_the_range_buys_nothing_at_market_and_rests_buys_below_the_top_line()
    {
        var grid = Grid();
        var h = new OrderStrategyHarness(grid);

        h.Bar(120);

        var sent = h.Take();
        Assert.Equal([105.0, 100, 95, 90], sent.Select(i => i.LimitPrice));
        Assert.All(sent, i => Assert.Equal((IntentKind.Limit, OrderSide.Buy), (i.Kind, i.Side)));
        Assert.Equal(0, grid.Inventory);
    }

    [Fact]
    public void Without_an_initial_buy_only_buys_rest_at_lines_more_than_a_tenth_of_a_percent_below_the_first_close()
    {
        var below = new OrderStrategyHarness(Grid(("initial_buy", 0)));
        below.Bar(101);
        Assert.Equal([100.0, 95, 90], below.Take().Select(i => i.LimitPrice));

        var near = new OrderStrategyHarness(Grid(("initial_buy", 0)));
        near.Bar(100.05); // 100 is 0.05% below: no buy there
        Assert.Equal([95.0, 90], near.Take().Select(i => i.LimitPrice));

        // A line exactly 0.1% below the close (99.9 under 100) gets none either; a hair more and it does.
        var exact = new OrderStrategyHarness(Grid(("initial_buy", 0), ("lower", 99.9), ("upper", 109.9), ("levels", 2)));
        exact.Bar(100);
        Assert.Empty(exact.Take());
        var beyond = new OrderStrategyHarness(Grid(("initial_buy", 0), ("lower", 99.9), ("upper", 109.9), ("levels", 2)));
        beyond.Bar(100.001);
        Assert.Equal([99.9], beyond.Take().Select(i => i.LimitPrice));
    }

    // ---- fills ----

    [Fact]
    public void A_filled_buy_sells_its_quantity_one_line_up_and_that_sale_is_the_grid_s_profit_then_the_line_buys_again()
    {
        // Buy at 95 for 100: 1.052632. Sold at 100: 105.263158, profit 5.263158. Then 95 buys again.
        var grid = Grid();
        var h = new OrderStrategyHarness(grid);
        h.Bar(101);
        h.Take();

        h.Bar(96, low: 95);
        AssertOrder(Assert.Single(h.Take()), 6, OrderSide.Sell, 1.052631579, 100, 2);
        Assert.Equal(0, grid.GridProfit);

        h.Bar(99.5, high: 100);
        AssertBuy(Assert.Single(h.Take()), 7, 95, 1);
        Assert.Equal(5.263157895, grid.GridProfit, 9);
        Assert.Equal(1, grid.CompletedPairs);
        Assert.Equal(1.980198020, grid.Inventory, 9); // what the market buy got is still for sale
    }

    [Fact]
    public void A_filled_sell_buys_one_line_down()
    {
        // The market buy's 0.990099 at 101 (cost 100) sold at 105: profit 3.960396; line 100 buys.
        var grid = Grid();
        var h = new OrderStrategyHarness(grid);
        h.Bar(101);
        h.Take();

        h.Bar(104, high: 105);

        AssertBuy(Assert.Single(h.Take()), 6, 100, 2);
        Assert.Equal(3.960396040, grid.GridProfit, 9);
        Assert.Equal(0.990099010, grid.Inventory, 9);
    }

    [Fact]
    public void A_bar_through_several_buy_lines_fills_them_all_the_lowest_one_included()
    {
        // After 105 sold (100 buys, ref 6) a bar down to 90 fills the buys at 95 (ref 2), 90 (ref 3) and 100 (ref 6),
        // in that order: 95's sell waits for 100's buy to leave line 100; 90 sells at 95; 100 sells at 105; the close
        // (94) finds line 100 free for 95's sell.
        var grid = Grid();
        var h = new OrderStrategyHarness(grid);
        h.Bar(101);
        h.Bar(104, high: 105);
        h.Take();

        h.Bar(94, low: 90);

        var sells = h.Take();
        Assert.Equal(3, sells.Count);
        AssertOrder(sells[0], 7, OrderSide.Sell, 100.0 / 90, 95, 1);
        AssertOrder(sells[1], 8, OrderSide.Sell, 1, 105, 3);
        AssertOrder(sells[2], 9, OrderSide.Sell, 100.0 / 95, 100, 2);
        Assert.Equal(200.0 / 101 / 2 + 100.0 / 90 + 1 + 100.0 / 95, grid.Inventory, 9);
    }

    [Fact]
    public void Fees_of_both_sides_come_out_of_the_profit()
    {
        // fee 0.1%: the market buy (200 + 0.2 fee) gets 1.980198; each half cost 100.1. Sold at 105: 103.960396
        // less 0.103960 fee. Profit 103.960396 - 0.103960 - 100.1 = 3.756436.
        var grid = Grid();
        var h = new OrderStrategyHarness(grid) { FeeRate = 0.001 };
        h.Bar(101);

        h.Bar(104, high: 105);

        Assert.Equal(200.0 / 101 / 2 * 105 * 0.999 - 100.1, grid.GridProfit, 9);
        Assert.Equal(0.2 + 200.0 / 101 / 2 * 105 * 0.001, grid.Fees, 9);

        // A buy at 100 (100 + 0.1 fee for 1) sold at 105 (105 - 0.105): 4.795.
        h.Bar(101, low: 100);
        h.Bar(104, high: 105);
        Assert.Equal(200.0 / 101 / 2 * 105 * 0.999 - 100.1 + 4.795, grid.GridProfit, 9);
    }

    [Fact]
    public void Partial_fills_accumulate_a_buy_ended_part_filled_sells_what_it_got_and_a_sell_ended_part_filled_sells_the_rest_later()
    {
        var grid = Grid();
        var h = new OrderStrategyHarness(grid) { AutoFill = false };
        h.Bar(101);
        h.Take();

        h.Fill(2, 0.6, 95, ended: false);
        h.Fill(2, 0.4, 95, ended: false);
        Assert.Empty(h.Take());
        h.End(2); // 1 bought for 95, the rest of the 100 never spent
        AssertOrder(Assert.Single(h.Take()), 6, OrderSide.Sell, 1, 100, 2);

        h.Fill(6, 0.1, 100, ended: false);
        h.Fill(6, 0.2, 100, ended: false);
        Assert.Equal(1.5, grid.GridProfit, 9); // 0.3 sold at 100 for what cost 28.5
        h.End(6); // expired with 0.7 left
        Assert.Empty(h.Take());
        Assert.Equal(0, grid.CompletedPairs);
        h.Bar(101);
        Assert.Empty(h.Take()); // 100 is below the close: the rest waits
        h.Bar(100);
        Assert.Empty(h.Take()); // at the close: still waits
        h.Bar(99);
        AssertOrder(Assert.Single(h.Take()), 7, OrderSide.Sell, 0.7, 100, 2);

        h.Fill(7, 0.1, 100, ended: false);
        h.Fill(7, 0.2, 100, ended: false);
        h.Fill(7, 0.3, 100, ended: false);
        h.Fill(7, h.Book[7].Remaining, 100, ended: true); // 1e-16 left over by rounding counts as sold
        AssertBuy(Assert.Single(h.Take()), 8, 95, 1);
        Assert.Equal(5, grid.GridProfit, 9);
        Assert.Equal(1, grid.CompletedPairs);
        Assert.Equal(1.980198020, grid.Inventory, 9);
        var cell = ((GridState)grid.Save()).Cells[1];
        Assert.Equal((0.0, 0.0), (cell.Held, cell.Basis));
    }

    [Fact]
    public void A_counter_order_whose_line_is_taken_waits_for_a_bar_that_finds_it_free()
    {
        var grid = Grid();
        var h = new OrderStrategyHarness(grid);
        h.Bar(101);
        h.Bar(104, high: 105); // the sell at 105 fills: 100 buys (ref 6)
        h.Take();

        // A bar down to 94 fills the buys at 95 (ref 2) and 100 (ref 6), in that order. 95's sell belongs at 100,
        // where 100's buy still rests: it waits; 100's sell goes to 105. The bar's close (97) finds 100 free.
        h.Bar(97, low: 94);
        var down = h.Take();
        Assert.Equal(2, down.Count);
        AssertOrder(down[0], 7, OrderSide.Sell, 1, 105, 3);
        AssertOrder(down[1], 8, OrderSide.Sell, 100.0 / 95, 100, 2);

        // A bar up to 106 fills the sells at 105 (ref 7) and 100 (ref 8), in that order. 105's buy belongs at 100,
        // where 100's sell still rests: it waits; 100's buy goes to 95. The close (99) is below 100: it still waits.
        h.Bar(99, high: 106);
        AssertBuy(Assert.Single(h.Take()), 9, 95, 1);
        h.Bar(100);
        Assert.Empty(h.Take());
        h.Bar(100.5);
        AssertBuy(Assert.Single(h.Take()), 10, 100, 2);
    }

    [Fact]
    public void Orders_that_ended_unfilled_are_placed_again_by_a_bar_on_the_right_side_of_their_line()
    {
        var grid = Grid();
        var h = new OrderStrategyHarness(grid) { Reject = i => i.OrderRef is 2 or 3 or 4 }; // buys at 95 and 90, the sell at 105
        h.Bar(101);
        h.Take();
        Assert.Single(h.Book); // the sell at 110

        h.Bar(105);
        var buys = h.Take();
        Assert.Equal(2, buys.Count); // the sell's line is not above the close of 105: it waits
        AssertBuy(buys[0], 6, 90, 0);
        AssertBuy(buys[1], 7, 95, 1);
        h.Bar(104);
        AssertOrder(Assert.Single(h.Take()), 8, OrderSide.Sell, 0.990099010, 105, 3);

        var other = new OrderStrategyHarness(Grid()) { Reject = i => i.OrderRef == 2 };
        other.Bar(101);
        other.Take();
        other.Bar(95);
        Assert.Empty(other.Take()); // 95 is not below the close of 95
        other.Bar(96);
        AssertBuy(Assert.Single(other.Take()), 6, 95, 1);
    }

    [Fact]
    public void A_refused_market_buy_leaves_its_lines_buying_once_the_price_is_above_them()
    {
        var grid = Grid();
        var h = new OrderStrategyHarness(grid) { Reject = i => i.Kind == IntentKind.Market };

        h.Bar(101);
        Assert.Equal(3, h.Take().Count); // the refused market buy and the two buys
        Assert.Equal(0, grid.Inventory);
        h.Bar(101);
        AssertBuy(Assert.Single(h.Take()), 4, 100, 2);
        h.Bar(106);
        AssertBuy(Assert.Single(h.Take()), 5, 105, 3);
    }

    [Fact]
    public void The_market_buy_s_partial_fills_are_shared_by_its_lines_when_it_ends_and_its_lines_wait_meanwhile()
    {
        // 0.5 at 101 and 0.5 at 103: 1 for 102; 0.5 for 51 each at 105 and 110. Sold at 105: 52.5 - 51 = 1.5.
        var grid = Grid();
        var h = new OrderStrategyHarness(grid) { FillMarkets = false };
        h.Bar(101);
        h.Take();

        h.Fill(1, 0.5, 101, ended: false);
        h.Bar(101);
        Assert.Empty(h.Take()); // lines 100..110 wait for the market buy
        h.Fill(1, 0.5, 103, ended: true);
        var sells = h.Take();
        AssertOrder(sells[0], 4, OrderSide.Sell, 0.5, 105, 3);
        AssertOrder(sells[1], 5, OrderSide.Sell, 0.5, 110, 4);

        h.Bar(104, high: 105);
        Assert.Equal(1.5, grid.GridProfit, 9);
    }

    [Fact]
    public void Fills_and_ends_of_unknown_or_ended_orders_and_of_order_zero_are_ignored()
    {
        var grid = Grid();
        var h = new OrderStrategyHarness(grid) { AutoFill = false };
        h.Bar(101);
        h.Take();
        var before = JsonSerializer.Serialize(grid.Save());

        h.Fill(0, 1, 100, ended: true);
        h.End(0);
        h.Fill(1, 1, 101, ended: true); // the market buy, ended
        h.End(1);
        h.Fill(99, 1, 100, ended: true);
        h.End(99);

        Assert.Empty(h.Take());
        Assert.Equal(before, JsonSerializer.Serialize(grid.Save()));
    }

    // ---- checkpoints and allocation ----

    private static (double Close, double Low, double High) PathBar(int t)
    {
        var close = 100 + 12 * Math.Sin(t / 5.0) + 3 * Math.Sin(t * 1.3);
        return (close, close - 1.5, close + 1.5);
    }

    private static readonly (string, double)[] BusyParameters = [("lower", 88), ("upper", 112), ("levels", 13), ("level_quote", 50), ("geometric", 1)];

    [Fact]
    public void A_checkpoint_resumes_through_json_and_continues_identically()
    {
        var parameters = Params(BusyParameters);
        var straight = new OrderStrategyHarness(GridStrategy.Kind.Create(parameters)) { FeeRate = 0.001 };
        var resumed = new OrderStrategyHarness(GridStrategy.Kind.Create(parameters)) { FeeRate = 0.001 };
        for (var t = 0; t < 400; t++)
        {
            var (close, low, high) = PathBar(t);
            straight.Bar(close, low, high);
            resumed.Bar(close, low, high);
            var json = JsonSerializer.Serialize(resumed.Strategy.Save());
            var copy = GridStrategy.Kind.Create(parameters, JsonSerializer.Deserialize<StrategyState>(json));
            Assert.Equal(json, JsonSerializer.Serialize(copy.Save()));
            if (t == 200)
            {
                Assert.Contains("\"$kind\":\"grid.v1\"", json);
                resumed.Strategy = copy;
            }
        }

        var grid = (GridStrategy)straight.Strategy;
        Assert.True(grid.CompletedPairs > 20, $"the path should complete pairs ({grid.CompletedPairs})");
        Assert.NotSame(straight.Strategy, resumed.Strategy);
        Assert.Equal(straight.Sent, resumed.Sent);
        Assert.Equal(JsonSerializer.Serialize(grid.Save()), JsonSerializer.Serialize(resumed.Strategy.Save()));
    }

    [Fact]
    public void A_checkpoint_taken_while_the_market_buy_works_resumes_identically()
    {
        var parameters = Params();
        var h = new OrderStrategyHarness(GridStrategy.Kind.Create(parameters)) { FillMarkets = false };
        h.Bar(101);
        h.Fill(1, 0.5, 101, ended: false, fee: 0.05);
        h.Take();
        var json = JsonSerializer.Serialize(h.Strategy.Save());

        var copy = GridStrategy.Kind.Create(parameters, JsonSerializer.Deserialize<StrategyState>(json));
        Assert.Equal(json, JsonSerializer.Serialize(copy.Save()));
        h.Strategy = copy;
        h.Bar(101);
        Assert.Empty(h.Take());
        h.Fill(1, 0.5, 103, ended: true);

        // 1 for 102.05 with the fee: 0.5 each at 105 and 110.
        Assert.Equal([105.0, 110], h.Take().Select(i => i.LimitPrice));
        Assert.Equal(0.05, ((GridStrategy)copy).Fees, 12);
        h.Bar(104, high: 105);
        Assert.Equal(52.5 - 102.05 / 2, ((GridStrategy)copy).GridProfit, 9);
    }

    [Fact]
    public void A_running_grid_keeps_its_lines_when_resumed_with_other_bounds()
    {
        var grid = Grid();
        new OrderStrategyHarness(grid).Bar(101);

        var resumed = (GridStrategy)GridStrategy.Kind.Create(Params(("lower", 80), ("levels", 3)), grid.Save());

        Assert.Equal([90.0, 95, 100, 105, 110], resumed.Lines.ToArray());
        Assert.True(resumed.Started);
    }

    [Fact]
    public void A_checkpoint_whose_cells_do_not_fit_its_lines_is_refused()
    {
        var state = (GridState)Grid().Save();

        var error = Assert.Throws<ArgumentException>(() => GridStrategy.Kind.Create(Params(), state with { Cells = state.Cells.Skip(1).ToList() }));

        Assert.StartsWith("inconsistent grid checkpoint: one cell between each two lines", error.Message);
    }

    [Fact]
    public void On_bar_allocates_nothing_over_100k_bars()
    {
        var h = new OrderStrategyHarness(GridStrategy.Kind.Create(Params(BusyParameters)));
        var least = h.LeastBytesPerWindow(PathBar);

        Assert.True(((GridStrategy)h.Strategy).CompletedPairs > 10_000);
        Assert.Equal(0, least);
    }
}
