using TradingActors.Domain.Billing;
using TradingActors.Domain.Bots;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using static TradingActors.Domain.Tests.Billing.PlanHistory;
using static TradingActors.Domain.Tests.Tenants.TenantHistory;

namespace TradingActors.Domain.Tests.Billing;

/// <summary>
/// The trades-per-day count (decision 032): which events place an automated order (once per order, when it reached a
/// venue), and the tenant's local day — midnight in its IANA zone, across daylight saving changes, a zone change never
/// giving a day twice, a plan change keeping the day's count.
/// </summary>
public sealed class TradesTodayTests
{
    private static readonly OrderIntent External = Intent(1, account: ExternalAccountId);
    private static readonly OrderIntent Paper = Intent(2);
    private static readonly OrderIntent PaperLimit = Intent(3) with { Type = OrderType.Limit, LimitPrice = 49_000m };
    private static readonly OrderIntent Manual = Intent(0, source: Sources.Manual("req-1"));
    private static readonly OrderIntent BotBuy = Intent(1, source: Sources.Bot("b1"));

    public sealed record CountRow(string Rule, Func<TenantState> Before, ITenantEvent[] Events, int Counted);

    public static readonly Dictionary<string, CountRow> CountRows = new[]
    {
        new CountRow("an external order counts when its intent is persisted", () => WithAccounts(), [new OrderSubmitted(External, T0)], 1),
        new CountRow("and only then: working, filled", () => WithAccounts(),
            [new OrderSubmitted(External, T0), new OrderWorking(External, null, "V-1", T0), new OrderFilled(External, FillOf(External), T0)], 1),
        new CountRow("an external order the venue rejected was placed all the same", () => WithAccounts(),
            [new OrderSubmitted(External, T0), new OrderRejected(External, "price band", T0)], 1),
        new CountRow("an external order the venue lost was placed all the same", () => WithAccounts(),
            [new OrderSubmitted(External, T0), new OrderMarkedUnknown(External, "timeout", T0), new OrderFailed(External, "not found", T0)], 1),
        new CountRow("a paper order counts at its fill", () => WithAccounts(), [new OrderFilled(Paper, FillOf(Paper), T0)], 1),
        new CountRow("a paper limit order counts when it rests, not again at its fill", () => WithAccounts(),
            [new OrderWorking(PaperLimit, null, "P-3", T0), new OrderFilled(PaperLimit, FillOf(PaperLimit, 49_000m), T0)], 1),
        new CountRow("a resting paper order cancelled counts once", () => WithAccounts(),
            [new OrderWorking(PaperLimit, null, "P-3", T0), new OrderCancelled(PaperLimit, "cancelled", T0)], 1),
        new CountRow("an order refused before a venue saw it counts nothing", () => WithAccounts(), [new OrderRejected(Paper, "insufficient funds", T0)], 0),
        new CountRow("a paper order the paper venue failed counts nothing", () => WithAccounts(), [new OrderFailed(Paper, "no answer", T0)], 0),
        new CountRow("a report of an order the ledger does not follow counts nothing", () => WithAccounts(), [new OrderWorking(External, null, "V-1", T0)], 0),
        new CountRow("a trader's own order counts nothing", () => WithAccounts(), [new OrderFilled(Manual, FillOf(Manual), T0)], 0),
        new CountRow("a bot's order counts", () => WithAccounts().Then(new BotCreated(Bot("b1"), T0)), [new OrderFilled(BotBuy, FillOf(BotBuy), T0)], 1),
        new CountRow("a sell counts like a buy", () => WithAccounts(), [new OrderSubmitted(Intent(9, OrderSide.Sell, account: ExternalAccountId), T0)], 1),
        new CountRow("two orders count two", () => WithAccounts(), [PaperFill(7, T0), PaperFill(8, T0)], 2),
        new CountRow("the same fill applied twice counts once", () => WithAccounts(), [PaperFill(7, T0), PaperFill(7, T0)], 1),
        new CountRow("plan and zone events count nothing", () => WithAccounts(), [new TenantPlanChanged(PlanCatalog.Pro, null, T0), new TenantTimeZoneSet("Europe/Paris", T0)], 0),
    }.ToDictionary(r => r.Rule);

    public static TheoryData<string> CountRules => new(CountRows.Keys);

    [Theory]
    [MemberData(nameof(CountRules))]
    public void An_automated_order_counts_once_when_it_reached_a_venue(string rule)
    {
        var row = CountRows[rule];
        var s = row.Before().Then(row.Events);
        Assert.Equal(row.Counted, PlanDecisions.TradesToday(s, T0));
        Assert.Equal(row.Counted == 0 ? null : new QuotaCounters(DateOnly.FromDateTime(T0.UtcDateTime), row.Counted), s.Quota);
    }

    [Fact]
    public void A_tenant_without_a_zone_counts_the_utc_day()
    {
        var day = new DateTimeOffset(2026, 1, 2, 0, 0, 0, TimeSpan.Zero);
        var s = WithAccounts().PlacedAt(day.AddTicks(-1), day, day.AddHours(23).AddMinutes(59));
        Assert.Equal(2, PlanDecisions.TradesToday(s, day.AddDays(1).AddTicks(-1)));
        Assert.Equal(0, PlanDecisions.TradesToday(s, day.AddDays(1)));
        Assert.Equal(new QuotaCounters(new DateOnly(2026, 1, 2), 2), s.Quota);
    }

    // Paris: UTC+1 in winter, UTC+2 from 2026-03-29 01:00Z to 2026-10-25 01:00Z.
    public sealed record MidnightRow(string Rule, string Zone, DateTimeOffset Midnight, DateOnly NewDay);

    public static readonly Dictionary<string, MidnightRow> MidnightRows = new[]
    {
        new MidnightRow("Paris in winter: 23:00Z", "Europe/Paris", new(2026, 1, 2, 23, 0, 0, TimeSpan.Zero), new(2026, 1, 3)),
        new MidnightRow("Paris on the night the clocks go forward: still 23:00Z", "Europe/Paris", new(2026, 3, 28, 23, 0, 0, TimeSpan.Zero), new(2026, 3, 29)),
        new MidnightRow("Paris the night after, a 23-hour day later: 22:00Z", "Europe/Paris", new(2026, 3, 29, 22, 0, 0, TimeSpan.Zero), new(2026, 3, 30)),
        new MidnightRow("Paris on the night the clocks go back: still 22:00Z", "Europe/Paris", new(2026, 10, 24, 22, 0, 0, TimeSpan.Zero), new(2026, 10, 25)),
        new MidnightRow("Paris the night after, a 25-hour day later: 23:00Z", "Europe/Paris", new(2026, 10, 25, 23, 0, 0, TimeSpan.Zero), new(2026, 10, 26)),
        new MidnightRow("New York in winter: 05:00Z", "America/New_York", new(2026, 1, 3, 5, 0, 0, TimeSpan.Zero), new(2026, 1, 3)),
        new MidnightRow("Tokyo: 15:00Z the day before", "Asia/Tokyo", new(2026, 1, 1, 15, 0, 0, TimeSpan.Zero), new(2026, 1, 2)),
        new MidnightRow("UTC by name", "UTC", new(2026, 1, 3, 0, 0, 0, TimeSpan.Zero), new(2026, 1, 3)),
    }.ToDictionary(r => r.Rule);

    public static TheoryData<string> MidnightRules => new(MidnightRows.Keys);

    [Theory]
    [MemberData(nameof(MidnightRules))]
    public void The_count_starts_again_at_local_midnight(string rule)
    {
        var row = MidnightRows[rule];
        var s = WithAccounts().InZone(row.Zone).PlacedAt(row.Midnight.AddHours(-1), row.Midnight.AddTicks(-1));
        // The last instant before midnight is still the day of both orders; midnight is a new day with nothing counted.
        Assert.Equal(2, PlanDecisions.TradesToday(s, row.Midnight.AddTicks(-1)));
        Assert.Equal(0, PlanDecisions.TradesToday(s, row.Midnight));
        // An order at midnight starts the new day's count at one.
        var next = s.PlacedAt(row.Midnight);
        Assert.Equal(1, PlanDecisions.TradesToday(next, row.Midnight));
        Assert.Equal(new QuotaCounters(row.NewDay, 1), next.Quota);
        Assert.Equal(row.NewDay.AddDays(-1), s.Quota!.Day);
    }

    [Fact]
    public void A_day_the_clocks_go_forward_lasts_23_hours_and_one_they_go_back_25()
    {
        var spring = WithAccounts().InZone("Europe/Paris").PlacedAt(new DateTimeOffset(2026, 3, 28, 23, 0, 0, TimeSpan.Zero));
        Assert.Equal(1, PlanDecisions.TradesToday(spring, new DateTimeOffset(2026, 3, 29, 21, 59, 59, TimeSpan.Zero)));
        Assert.Equal(0, PlanDecisions.TradesToday(spring, new DateTimeOffset(2026, 3, 29, 22, 0, 0, TimeSpan.Zero)));
        Assert.Equal(new DateOnly(2026, 3, 29), spring.Quota!.Day);

        var autumn = WithAccounts().InZone("Europe/Paris").PlacedAt(new DateTimeOffset(2026, 10, 24, 22, 0, 0, TimeSpan.Zero));
        Assert.Equal(1, PlanDecisions.TradesToday(autumn, new DateTimeOffset(2026, 10, 25, 22, 59, 59, TimeSpan.Zero)));
        Assert.Equal(0, PlanDecisions.TradesToday(autumn, new DateTimeOffset(2026, 10, 25, 23, 0, 0, TimeSpan.Zero)));
        Assert.Equal(new DateOnly(2026, 10, 25), autumn.Quota!.Day);
    }

    [Fact]
    public void A_zone_change_never_gives_a_day_twice()
    {
        // 2026-01-02 20:00Z: 21:00 on the 2nd in Paris, 10:00 on the 3rd at Kiritimati (UTC+14).
        var at = new DateTimeOffset(2026, 1, 2, 20, 0, 0, TimeSpan.Zero);
        var s = WithAccounts().InZone("Europe/Paris").PlacedAt(at, at);
        Assert.Equal(2, PlanDecisions.TradesToday(s, at));

        // East: it is already tomorrow there, a day of its own.
        var east = s.InZone("Pacific/Kiritimati");
        Assert.Equal(0, PlanDecisions.TradesToday(east, at));
        east = east.PlacedAt(at);
        Assert.Equal(new QuotaCounters(new DateOnly(2026, 1, 3), 1), east.Quota);

        // Back west: the 2nd again in Paris, but the 3rd is counted already — the 2nd does not come back.
        var west = east.InZone("Europe/Paris");
        Assert.Equal(1, PlanDecisions.TradesToday(west, at));
        west = west.PlacedAt(at);
        Assert.Equal(new QuotaCounters(new DateOnly(2026, 1, 3), 2), west.Quota);
        // From Paris's midnight of the 3rd on, the count of the 3rd goes on.
        Assert.Equal(2, PlanDecisions.TradesToday(west, new DateTimeOffset(2026, 1, 3, 22, 59, 59, TimeSpan.Zero)));
        Assert.Equal(0, PlanDecisions.TradesToday(west, new DateTimeOffset(2026, 1, 3, 23, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void A_plan_change_mid_day_keeps_the_days_count()
    {
        var s = WithAccounts().On(PlanCatalog.Free).PlacedAt(T0, T0, T0);
        var upgraded = s.On(PlanCatalog.Pro, at: T0.AddHours(1));
        Assert.Equal(3, PlanDecisions.TradesToday(upgraded, T0.AddHours(1)));
        Assert.Equal(s.Quota, upgraded.Quota);
        var lapsed = upgraded.Then(new TenantPlanLapsed(PlanCatalog.Free, T0.AddHours(2)));
        Assert.Equal(3, PlanDecisions.TradesToday(lapsed, T0.AddHours(2)));
    }

    [Fact]
    public void A_zone_this_node_does_not_know_reads_as_utc()
    {
        var late = new DateTimeOffset(2026, 1, 2, 23, 30, 0, TimeSpan.Zero);
        Assert.Equal(new DateOnly(2026, 1, 2), TradingDay.Of(late, "Mars/Olympus_Mons"));
        Assert.Equal(new DateOnly(2026, 1, 3), TradingDay.Of(late, "Europe/Paris"));
        Assert.Equal(new DateOnly(2026, 1, 2), TradingDay.Of(late, null));
        Assert.Null(TradingDay.Zone("UTC"));
        Assert.Null(TradingDay.Zone(null));
        Assert.Equal("UTC", TradingDay.Name(null));
        Assert.Equal("Asia/Tokyo", TradingDay.Name("Asia/Tokyo"));
    }
}
