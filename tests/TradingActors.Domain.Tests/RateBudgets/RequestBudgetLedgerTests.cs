using TradingActors.Domain.RateBudgets;

namespace TradingActors.Domain.Tests.RateBudgets;

/// <summary>The cluster-wide request budget's arithmetic: a sliding window that never grants more than the limit in any span of the window.</summary>
public sealed class RequestBudgetLedgerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan W = TimeSpan.FromSeconds(5);

    private static RequestBudgetLedger Open(int limit = 10) => new(limit, W, T0);

    [Fact]
    public void Grants_up_to_the_limit_then_nothing_until_the_first_grant_leaves_the_window()
    {
        var ledger = Open();

        Assert.Equal(4, ledger.Grant(T0, 4));
        Assert.Equal(6, ledger.Grant(T0.AddSeconds(1), 8));
        Assert.Equal(0, ledger.Grant(T0.AddSeconds(2), 1));
        Assert.Equal(TimeSpan.FromSeconds(3), ledger.WaitFor(T0.AddSeconds(2)));

        Assert.Equal(0, ledger.Grant(T0 + W - TimeSpan.FromTicks(1), 1));
        Assert.Equal(4, ledger.Grant(T0 + W, 5)); // the first 4 left; the 6 granted at 1 s still count
        Assert.Equal(0, ledger.Available(T0 + W));
        Assert.Equal(TimeSpan.FromSeconds(1), ledger.WaitFor(T0 + W));
        Assert.Equal(6, ledger.Available(T0.AddSeconds(6)));
    }

    [Fact]
    public void No_span_of_the_window_ever_holds_more_than_the_limit()
    {
        var ledger = Open(limit: 7);
        var granted = new List<DateTimeOffset>();
        var random = new Random(42);
        for (var ms = 0; ms < 60_000; ms += random.Next(1, 200))
        {
            var at = T0.AddMilliseconds(ms);
            for (var n = ledger.Grant(at, random.Next(0, 5)); n > 0; n--) granted.Add(at);
        }

        Assert.True(granted.Count > 60_000 / 5_000 * 7 * 0.9, $"the budget was used: {granted.Count}");
        foreach (var start in granted)
            Assert.True(granted.Count(t => t >= start && t < start + W) <= 7, $"more than 7 grants in the window from {start:O}");
    }

    [Fact]
    public void A_keeper_that_starts_grants_nothing_for_one_window()
    {
        var ledger = RequestBudgetLedger.Starting(10, W, T0);

        Assert.Equal(0, ledger.Grant(T0, 1));
        Assert.Equal(0, ledger.Available(T0.AddSeconds(4)));
        Assert.Equal(W, ledger.WaitFor(T0));
        Assert.Equal(TimeSpan.FromSeconds(1), ledger.WaitFor(T0.AddSeconds(4)));
        Assert.Equal(10, ledger.Grant(T0 + W, 12));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Nothing_wanted_is_nothing_granted(int wanted)
    {
        var ledger = Open();

        Assert.Equal(0, ledger.Grant(T0, wanted));
        Assert.Equal(10, ledger.Available(T0));
        Assert.Equal(TimeSpan.Zero, ledger.WaitFor(T0));
    }

    [Fact]
    public void A_budget_needs_a_positive_limit_and_window()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RequestBudgetLedger(0, W, T0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RequestBudgetLedger(1, TimeSpan.Zero, T0));
        Assert.Equal((3, W), (new RequestBudgetLedger(3, W, T0).Limit, new RequestBudgetLedger(3, W, T0).Window));
    }
}
