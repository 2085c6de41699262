using TradingActors.Domain.Orders;

namespace TradingActors.Domain.Tests.Orders;

/// <summary>Fill.GrowthSince: the part of a cumulative fill that is not booked yet (what a working order's next report adds).</summary>
public sealed class FillGrowthTests
{
    private static readonly DateTimeOffset T = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static Fill F(decimal quantity, decimal price, decimal fee) => new(quantity, price, fee, "V-1", T);

    public static TheoryData<string, Fill, Fill?, Fill?> Cases => new()
    {
        { "nothing booked: all of it", F(0.01m, 60_000m, 0.6m), null, F(0.01m, 60_000m, 0.6m) },
        { "nothing booked, nothing filled: nothing", F(0m, 60_000m, 0m), null, null },
        { "a booked part of nothing counts as nothing booked", F(0.01m, 60_000m, 0.6m), F(0m, 0m, 0m), F(0.01m, 60_000m, 0.6m) },
        // 0.004 at 60 000 booked; 0.01 at 60 006 in all: 0.006 for 600.06 - 240 = 360.06, i.e. at 60 010, fee 0.6 - 0.24.
        { "the rest at its own average price and fee", F(0.01m, 60_006m, 0.6m), F(0.004m, 60_000m, 0.24m), F(0.006m, 60_010m, 0.36m) },
        { "the same quantity again: nothing", F(0.004m, 60_000m, 0.3m), F(0.004m, 60_000m, 0.24m), null },
        { "less than booked: nothing", F(0.003m, 60_000m, 0.2m), F(0.004m, 60_000m, 0.24m), null },
        { "a fee reported lower than booked books no fee", F(0.01m, 60_000m, 0.2m), F(0.004m, 60_000m, 0.24m), F(0.006m, 60_000m, 0m) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Growth_since_what_is_booked(string rule, Fill cumulative, Fill? booked, Fill? expected)
    {
        Assert.True(Equals(expected, cumulative.GrowthSince(booked)), rule);
    }

    [Fact]
    public void The_parts_add_up_to_the_cumulative_fill()
    {
        var first = F(0.0037m, 61_234.57m, 0.2265679m);
        var all = F(0.0125m, 61_250.31m, 0.76562888m);

        var rest = all.GrowthSince(first)!;

        Assert.Equal(all.Quantity, first.Quantity + rest.Quantity);
        Assert.Equal(all.Fee, first.Fee + rest.Fee);
        Assert.Equal((all.VenueOrderId, all.Time), (rest.VenueOrderId, rest.Time));
        // The rest's average here has no finite decimal (539.060966 / 0.0088): its notional is off by decimal's last digit at most.
        Assert.InRange(Math.Abs(all.Quantity * all.Price - (first.Quantity * first.Price + rest.Quantity * rest.Price)), 0m, 1e-20m);
    }
}
