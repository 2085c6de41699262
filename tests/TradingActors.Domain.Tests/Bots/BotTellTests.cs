using System.Collections.Immutable;
using TradingActors.Domain.Bots;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using static TradingActors.Domain.Tests.Bots.BotHistory;
using static TradingActors.Domain.Tests.Tenants.TenantHistory;

namespace TradingActors.Domain.Tests.Bots;

/// <summary>
/// What a bot's strategy has not been told of its orders (BotDecisions.Untold, as the ledger has them) and what telling it
/// gives (BotDecisions.Tell): cumulative, so the same progress twice tells nothing twice. The order: a paper limit buy of
/// 0.01 at 49 000 (ref 2, sequence 1).
/// </summary>
public sealed class BotTellTests
{
    private static readonly OrderIntent Buy = Order(1, 0, OrderSide.Buy, 0.01m, 49_000m);

    private static TenantState Decided() => Running().Then(Placed(1, (2, Buy)));

    private static TenantState Resting() => Decided().Then(Working(Buy));

    private static TenantState Told(TenantState s, BotFed fed) => s.Then(new BotCheckpointed(BotId, State, NoFed.SetItem(2, fed), Price, T0));

    private static BotOrderProgress Progress(decimal quantity, decimal notional, decimal fee, bool ended, long orderRef = 2, OrderSide side = OrderSide.Buy) =>
        new(orderRef, side, quantity, notional, fee, ended);

    public sealed record UntoldRow(string Rule, Func<TenantState> State, BotOrderProgress[] Untold);

    public static readonly Dictionary<string, UntoldRow> UntoldRows = new[]
    {
        new UntoldRow("nothing decided", () => Running(), []),
        new UntoldRow("decided, not placed yet: nothing to tell", Decided, []),
        new UntoldRow("resting without a fill: nothing to tell", Resting, []),
        new UntoldRow("submitted to a venue without a fill: nothing to tell", () => Running(Config(ExternalAccountId)).Then(
            Placed(1, (2, Order(1, 0, OrderSide.Buy, 0.01m, 49_000m, ExternalAccountId))), new OrderSubmitted(Order(1, 0, OrderSide.Buy, 0.01m, 49_000m, ExternalAccountId), T0)), []),
        // 0.004 at 49 000: notional 196
        new UntoldRow("a part filled", () => Resting().Then(Working(Buy, 0.004m, 0.2m)), [Progress(0.004m, 196m, 0.2m, false)]),
        new UntoldRow("a part filled, already told", () => Told(Resting().Then(Working(Buy, 0.004m, 0.2m)), new BotFed(0.004m, 196m, 0.2m, false)), []),
        new UntoldRow("more filled than told", () => Told(Resting().Then(Working(Buy, 0.004m, 0.2m)), new BotFed(0.003m, 147m, 0.15m, false)), [Progress(0.004m, 196m, 0.2m, false)]),
        new UntoldRow("filled", () => Resting().Then(Filled(Buy)), [Progress(0.01m, 490m, 0.5m, true)]),
        new UntoldRow("filled, told the fill but not the end", () => Told(Resting().Then(Filled(Buy)), new BotFed(0.01m, 490m, 0.5m, false)), [Progress(0.01m, 490m, 0.5m, true)]),
        new UntoldRow("cancelled after a part filled", () => Resting().Then(Working(Buy, 0.004m, 0.2m), new OrderCancelled(Buy, "by the bot", T0)), [Progress(0.004m, 196m, 0.2m, true)]),
        new UntoldRow("cancelled with nothing filled", () => Resting().Then(new OrderCancelled(Buy, "by the bot", T0)), [Progress(0m, 0m, 0m, true)]),
        new UntoldRow("rejected", () => Decided().Then(new OrderRejected(Buy, "insufficient funds", T0)), [Progress(0m, 0m, 0m, true)]),
        new UntoldRow("a sell filled", () => Holding().Then(Placed(2, (3, Order(2, 0, OrderSide.Sell, 0.01m))), Filled(Order(2, 0, OrderSide.Sell, 0.01m), price: 51_000m)),
            [Progress(0.01m, 500m, 0.5m, true, orderRef: 1), Progress(0.01m, 510m, 0.5m, true, orderRef: 3, side: OrderSide.Sell)]),
        // Twenty later orders pushed it out of the recent orders: it ended, with what the strategy was told of it.
        new UntoldRow("gone from the recent orders", () => Enumerable.Range(0, TenantState.RecentOrdersKept).Aggregate(
                Told(Resting().Then(Working(Buy, 0.004m, 0.2m)), new BotFed(0.004m, 196m, 0.2m, false)).Then(new OrderCancelled(Buy, "by the bot", T0)),
                (s, i) => s.Then(new OrderRejected(Intent(100 + i), "no", T0))),
            [Progress(0.004m, 196m, 0.2m, true)]),
        new UntoldRow("refused legs end at once", () => Running().Then(new BotStepped(BotId, 1, State, NoFed, [new BotLeg(5, Refused: "no"), new BotLeg(-1, Refused: "no")], Price, T0)),
            [Progress(0m, 0m, 0m, true, orderRef: -1), Progress(0m, 0m, 0m, true, orderRef: 5)]),
        new UntoldRow("a refused leg told it ended is not told again", () => Running().Then(
                new BotStepped(BotId, 1, State, NoFed.SetItem(5, new BotFed(0m, 0m, 0m, true)), [new BotLeg(5, Refused: "no"), new BotLeg(6, Refused: "no")], Price, T0)),
            [Progress(0m, 0m, 0m, true, orderRef: 6)]),
        // Orders by their refs' size (own refs are negative), then the refused ones.
        new UntoldRow("oldest first", () => Running().Then(new BotStepped(BotId, 1, State, NoFed, [
                new BotLeg(3, Place: Order(1, 0, OrderSide.Buy, 0.001m)), new BotLeg(-2, Place: Order(1, 1, OrderSide.Buy, 0.001m)), new BotLeg(1, Refused: "no"),
                new BotLeg(-1, Place: Order(1, 2, OrderSide.Buy, 0.001m))], Price, T0),
                new OrderRejected(Order(1, 0, OrderSide.Buy, 0.001m), "no", T0), new OrderRejected(Order(1, 1, OrderSide.Buy, 0.001m), "no", T0),
                new OrderRejected(Order(1, 2, OrderSide.Buy, 0.001m), "no", T0)),
            [Progress(0m, 0m, 0m, true, orderRef: -1), Progress(0m, 0m, 0m, true, orderRef: -2), Progress(0m, 0m, 0m, true, orderRef: 3), Progress(0m, 0m, 0m, true, orderRef: 1)]),
    }.ToDictionary(r => r.Rule);

    public static TheoryData<string> UntoldRules => new(UntoldRows.Keys);

    [Theory]
    [MemberData(nameof(UntoldRules))]
    public void Untold(string rule)
    {
        var row = UntoldRows[rule];
        var s = row.State();
        Assert.Equal(row.Untold, BotDecisions.Untold(s, s.Bot()));
    }

    [Fact]
    public void Once_told_that_an_order_ended_it_is_forgotten_and_never_told_again()
    {
        var s = Resting().Then(Filled(Buy));
        var fed = NoFed;
        foreach (var progress in BotDecisions.Untold(s, s.Bot())) fed = BotDecisions.Tell(fed, progress).Fed;
        Assert.Equal(new BotFed(0.01m, 490m, 0.5m, true), fed[2]);
        var told = s.Then(new BotCheckpointed(BotId, State, fed, Price, T0));
        Assert.Empty(BotDecisions.Untold(told, told.Bot()));
        Assert.Empty(told.Bot().Orders);
        Assert.Empty(told.Bot().Fed);
    }

    public sealed record TellRow(string Rule, BotFed? Was, BotOrderProgress Progress, BotOrderNews? News, BotFed? Told);

    public static readonly Dictionary<string, TellRow> TellRows = new[]
    {
        new TellRow("a first part", null, Progress(0.004m, 196m, 0.2m, false), new(2, OrderSide.Buy, 0.004m, 49_000m, 0.2m, false), new(0.004m, 196m, 0.2m, false)),
        // 0.01 for 495 in all, 0.004 for 196 told: 0.006 for 299, at 299 / 0.006 = 49 833.33…, fee 0.5 - 0.2 = 0.3
        new TellRow("the growth beyond what was told at its own average price", new(0.004m, 196m, 0.2m, false), Progress(0.01m, 495m, 0.5m, false),
            new(2, OrderSide.Buy, 0.006m, 299m / 0.006m, 0.3m, false), new(0.01m, 495m, 0.5m, false)),
        new TellRow("the same progress twice tells nothing", new(0.004m, 196m, 0.2m, false), Progress(0.004m, 196m, 0.2m, false), null, null),
        new TellRow("less than told tells nothing", new(0.004m, 196m, 0.2m, false), Progress(0.003m, 147m, 0.1m, false), null, null),
        new TellRow("nothing filled and not ended tells nothing", null, Progress(0m, 0m, 0m, false), null, null),
        new TellRow("ended with nothing filled", null, Progress(0m, 0m, 0m, true), new(2, OrderSide.Buy, 0m, 0m, 0m, true), new(0m, 0m, 0m, true)),
        new TellRow("ended after the part told", new(0.004m, 196m, 0.2m, false), Progress(0.004m, 196m, 0.2m, true), new(2, OrderSide.Buy, 0m, 0m, 0m, true), new(0.004m, 196m, 0.2m, true)),
        new TellRow("filled and ended at once", new(0.004m, 196m, 0.2m, false), Progress(0.01m, 490m, 0.5m, true),
            new(2, OrderSide.Buy, 0.006m, 49_000m, 0.3m, true), new(0.01m, 490m, 0.5m, true)),
        // A report smaller than what was told (never from the ledger, whose fills only grow) tells the end and nothing of a fill.
        new TellRow("ended with less than was told", new(0.004m, 196m, 0.2m, false), Progress(0.003m, 147m, 0.3m, true), new(2, OrderSide.Buy, 0m, 0m, 0m, true),
            new(0.004m, 196m, 0.2m, true)),
        new TellRow("the end told twice tells nothing", new(0.01m, 490m, 0.5m, true), Progress(0.01m, 490m, 0.5m, true), null, null),
        new TellRow("a fee reported lower tells no negative fee", new(0.004m, 196m, 0.2m, false), Progress(0.01m, 490m, 0.1m, false),
            new(2, OrderSide.Buy, 0.006m, 49_000m, 0m, false), new(0.01m, 490m, 0.1m, false)),
        new TellRow("a sell", null, Progress(0.01m, 510m, 0.51m, true, side: OrderSide.Sell), new(2, OrderSide.Sell, 0.01m, 51_000m, 0.51m, true), new(0.01m, 510m, 0.51m, true)),
    }.ToDictionary(r => r.Rule);

    public static TheoryData<string> TellRules => new(TellRows.Keys);

    [Theory]
    [MemberData(nameof(TellRules))]
    public void Tell(string rule)
    {
        var row = TellRows[rule];
        var other = new BotFed(1m, 2m, 3m, false);
        var fed = NoFed.SetItem(9, other);
        if (row.Was is { } was) fed = fed.SetItem(2, was);
        var (news, told) = BotDecisions.Tell(fed, row.Progress);
        Assert.Equal(row.News, news);
        if (row.Told is null)
        {
            Assert.Same(fed, told);
            return;
        }
        Assert.Equal(row.Told, told[2]);
        Assert.Equal(other, told[9]);
        Assert.Equal(2, told.Count);
    }

    [Fact]
    public void Told_twice_from_the_same_ledger_the_strategy_hears_each_part_once()
    {
        // Three reports of a resting buy: 0.004, 0.004 again, then all 0.01 filled; told after each.
        var s = Resting();
        var fed = NoFed;
        var heard = new List<BotOrderNews>();
        foreach (var e in new ITenantEvent[] { Working(Buy, 0.004m, 0.2m), Working(Buy, 0.004m, 0.2m), Filled(Buy) })
        {
            s = s.Then(e);
            for (var twice = 0; twice < 2; twice++)
                foreach (var progress in BotDecisions.Untold(s, s.Bot()))
                    if (BotDecisions.Tell(fed, progress) is ({ } news, var next))
                    {
                        heard.Add(news);
                        fed = next;
                    }
        }
        Assert.Equal([new BotOrderNews(2, OrderSide.Buy, 0.004m, 49_000m, 0.2m, false), new BotOrderNews(2, OrderSide.Buy, 0.006m, 49_000m, 0.3m, true)], heard);
        Assert.Equal(0.01m, heard.Sum(n => n.Quantity));
    }

    [Fact]
    public void Orders_and_refusals_the_strategy_was_told_ended_are_not_told_again()
    {
        // Told prunes them as it records what was told; a record holding both (a snapshot from before pruning) tells them no more.
        var s = Resting().Then(Filled(Buy), new BotStepped(BotId, 2, State, NoFed, [new BotLeg(5, Refused: "no"), new BotLeg(6, Refused: "no")], Price, T0));
        var ended = new BotFed(0m, 0m, 0m, true);
        var bot = s.Bot() with { Fed = NoFed.SetItem(2, new BotFed(0.01m, 490m, 0.5m, true)).SetItem(5, ended) };
        Assert.Equal([Progress(0m, 0m, 0m, true, orderRef: 6)], BotDecisions.Untold(s, bot));
        Assert.Equal(3, BotDecisions.Untold(s, s.Bot()).Count);
    }
}
