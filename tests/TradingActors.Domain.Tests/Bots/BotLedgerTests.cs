using TradingActors.Domain.Bots;
using TradingActors.Domain.Orders;

namespace TradingActors.Domain.Tests.Bots;

/// <summary>
/// BotLedger.Book: a buy adds to the position and its cost (fee included); a sell takes the average cost out and realises
/// proceeds - fee - cost out; a round trip counts when the position is back to 0, a win when it made money over TripBase.
/// </summary>
public sealed class BotLedgerTests
{
    private static readonly BotLedger Start = BotLedger.Start(1_000m);

    private static BotLedger Book(BotLedger ledger, params (OrderSide Side, decimal Quantity, decimal Price, decimal Fee)[] fills) =>
        fills.Aggregate(ledger, (l, f) => l.Book(f.Side, f.Quantity, f.Price, f.Fee));

    private const OrderSide Buy = OrderSide.Buy;
    private const OrderSide Sell = OrderSide.Sell;

    public sealed record Row(string Rule, (OrderSide Side, decimal Quantity, decimal Price, decimal Fee)[] Fills, BotLedger Expected);

    public static readonly Dictionary<string, Row> Rows = new[]
    {
        new Row("nothing booked", [], new BotLedger(0m, 0m, 0m, 0m, 1_000m, 0, 0, 0m)),
        // 0.01 * 50 000 + 0.5
        new Row("a buy", [(Buy, 0.01m, 50_000m, 0.5m)], new BotLedger(0.01m, 500.5m, 0m, 0.5m, 1_000m, 0, 0, 0m)),
        new Row("two buys add up", [(Buy, 0.01m, 50_000m, 0.5m), (Buy, 0.01m, 48_000m, 0.48m)], new BotLedger(0.02m, 980.98m, 0m, 0.98m, 1_000m, 0, 0, 0m)),
        new Row("a zero quantity books nothing", [(Buy, 0m, 50_000m, 0.5m), (Sell, 0m, 50_000m, 0.5m)], new BotLedger(0m, 0m, 0m, 0m, 1_000m, 0, 0, 0m)),
        new Row("a negative quantity books nothing", [(Buy, -0.01m, 50_000m, 0.5m)], new BotLedger(0m, 0m, 0m, 0m, 1_000m, 0, 0, 0m)),
        // Half sold at 52 000: cost out 500.5 / 2 = 250.25, realised 260 - 0.26 - 250.25 = 9.49
        new Row("a part sold takes its average cost out", [(Buy, 0.01m, 50_000m, 0.5m), (Sell, 0.005m, 52_000m, 0.26m)],
            new BotLedger(0.005m, 250.25m, 9.49m, 0.76m, 1_000m, 0, 0, 0m)),
        // The rest at 48 000: 240 - 0.24 - 250.25 = -10.49; in all -1: a round trip that lost
        new Row("sold out at a loss: a round trip, no win", [(Buy, 0.01m, 50_000m, 0.5m), (Sell, 0.005m, 52_000m, 0.26m), (Sell, 0.005m, 48_000m, 0.24m)],
            new BotLedger(0m, 0m, -1m, 1m, 1_000m, 1, 0, 0m)),
        // 510 - 0.51 - 500.5 = 8.99
        new Row("sold out at a profit: a round trip and a win", [(Buy, 0.01m, 50_000m, 0.5m), (Sell, 0.01m, 51_000m, 0.51m)],
            new BotLedger(0m, 0m, 8.99m, 1.01m, 1_000m, 1, 1, 0m)),
        // at 50 100: 501 - 0.5 - 500.5 = 0: made nothing, no win
        new Row("sold out at exactly its cost: no win", [(Buy, 0.01m, 50_000m, 0.5m), (Sell, 0.01m, 50_100m, 0.5m)], new BotLedger(0m, 0m, 0m, 1m, 1_000m, 1, 0, 0m)),
        // First trip -1 (TripBase 0); the second starts at -1 and ends at -1 + (505 - 0.5 - 500.5) = 3: a win over -1
        new Row("the second trip's win counts from where it began", [(Buy, 0.01m, 50_000m, 0.5m), (Sell, 0.01m, 50_000m, 0.5m), (Buy, 0.01m, 50_000m, 0.5m), (Sell, 0.01m, 50_500m, 0.5m)],
            new BotLedger(0m, 0m, 3m, 2m, 1_000m, 2, 1, -1m)),
        // First trip +8.99; the second starts at 8.99 and loses 0.5 (still above 0 in all): a trip that lost
        new Row("a losing trip after a winning one is no win", [(Buy, 0.01m, 50_000m, 0.5m), (Sell, 0.01m, 51_000m, 0.51m), (Buy, 0.01m, 50_000m, 0.5m), (Sell, 0.01m, 50_050m, 0.5m)],
            new BotLedger(0m, 0m, 8.49m, 2.01m, 1_000m, 2, 1, 8.99m)),
        // A buy while in a trip keeps its TripBase: -1 after trip one, then buy, part sell, buy more
        new Row("a buy during a trip keeps where the trip began", [(Buy, 0.01m, 50_000m, 0.5m), (Sell, 0.01m, 50_000m, 0.5m), (Buy, 0.01m, 50_000m, 0.5m),
                (Sell, 0.005m, 50_000m, 0m), (Buy, 0.005m, 50_000m, 0m)],
            // cost 500.5 → 250.25 out (realised -1 + 250 - 250.25 = -1.25) → + 250
            new BotLedger(0.01m, 500.25m, -1.25m, 1.5m, 1_000m, 1, 0, -1m)),
        // Only the 0.01 held is sold: 500 - 1 - 500.5 = -1.5 (the whole fee is paid)
        new Row("a sell of more than held sells what is held", [(Buy, 0.01m, 50_000m, 0.5m), (Sell, 0.02m, 50_000m, 1m)], new BotLedger(0m, 0m, -1.5m, 1.5m, 1_000m, 1, 0, 0m)),
        new Row("a sell with nothing held only pays its fee", [(Sell, 0.01m, 50_000m, 0.5m)], new BotLedger(0m, 0m, -0.5m, 0.5m, 1_000m, 0, 0, 0m)),
        // Thirds of 30.01 do not add up in 28 digits; sold out, nothing of the cost is left over
        new Row("sold out in thirds leaves no cost behind", [(Buy, 0.003m, 10_000m, 0.01m), (Sell, 0.001m, 10_000m, 0m), (Sell, 0.001m, 10_000m, 0m), (Sell, 0.001m, 10_000m, 0m)],
            new BotLedger(0m, 0m, -0.01m, 0.01m, 1_000m, 1, 0, 0m)),
    }.ToDictionary(r => r.Rule);

    public static TheoryData<string> Rules => new(Rows.Keys);

    [Theory]
    [MemberData(nameof(Rules))]
    public void Book_fills(string rule)
    {
        var row = Rows[rule];
        var ledger = Book(Start, row.Fills);
        Assert.Equal(row.Expected with { Realised = ledger.Realised }, ledger);
        Assert.Equal(row.Expected.Realised, decimal.Round(ledger.Realised, 20));
    }

    [Fact]
    public void A_zero_quantity_returns_the_same_ledger() => Assert.Same(Start, Start.Book(OrderSide.Buy, 0m, 1m, 1m));

    [Fact]
    public void Average_cost_unrealised_and_equity()
    {
        Assert.Equal(0m, Start.AverageCost);
        Assert.Equal(0m, Start.Unrealised(50_000m));
        Assert.Equal(1_000m, Start.Equity(1_000m, 50_000m));
        var held = Start.Book(OrderSide.Buy, 0.01m, 50_000m, 0.5m);
        Assert.Equal(50_050m, held.AverageCost); // 500.5 / 0.01
        Assert.Equal(-10.5m, held.Unrealised(49_000m)); // 490 - 500.5
        Assert.Equal(19.5m, held.Unrealised(52_000m));
        Assert.Equal(989.5m, held.Equity(1_000m, 49_000m));
        var traded = held.Book(OrderSide.Sell, 0.005m, 52_000m, 0.26m); // realised 9.49, 0.005 left costing 250.25
        Assert.Equal(1_000m + 9.49m + 260m - 250.25m, traded.Equity(1_000m, 52_000m));
        Assert.Equal(2_000m + 9.49m + 9.75m, traded.Equity(2_000m, 52_000m));
    }
}
