using System.Globalization;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;

namespace TradingActors.Domain.Tests.Strategies;

public sealed class StrategyIntentTests
{
    // ---- factories

    [Fact]
    public void A_signal_has_a_side_and_a_reason_but_no_size_nor_order()
    {
        Assert.Equal(
            new StrategyIntent(IntentKind.Signal, OrderSide.Sell, IntentSizing.Quote, 0, 0, 0, IntentReason.RsiCrossedDown, 68.2, 70),
            StrategyIntent.Signal(OrderSide.Sell, IntentReason.RsiCrossedDown, 68.2, 70));
    }

    [Fact]
    public void Market_limit_and_cancel_intents_carry_what_they_are_given()
    {
        Assert.Equal(
            new StrategyIntent(IntentKind.Market, OrderSide.Buy, IntentSizing.Quote, 100, 0, 3, IntentReason.DcaBaseOrder, 0, 0),
            StrategyIntent.Market(3, OrderSide.Buy, IntentSizing.Quote, 100, IntentReason.DcaBaseOrder));
        Assert.Equal(
            new StrategyIntent(IntentKind.Market, OrderSide.Sell, IntentSizing.Base, 0.5, 0, 4, IntentReason.DcaStopLoss, 57000, 60000),
            StrategyIntent.Market(4, OrderSide.Sell, IntentSizing.Base, 0.5, IntentReason.DcaStopLoss, 57000, 60000));
        Assert.Equal(
            new StrategyIntent(IntentKind.Limit, OrderSide.Buy, IntentSizing.Base, 0.01, 59500, 5, IntentReason.GridLevel, 0, 0),
            StrategyIntent.Limit(5, OrderSide.Buy, IntentSizing.Base, 0.01, 59500, IntentReason.GridLevel));
        Assert.Equal(
            new StrategyIntent(IntentKind.Limit, OrderSide.Sell, IntentSizing.Quote, 20, 61000, 6, IntentReason.DcaSafetyOrder, 61000, 2),
            StrategyIntent.Limit(6, OrderSide.Sell, IntentSizing.Quote, 20, 61000, IntentReason.DcaSafetyOrder, 61000, 2));
        Assert.Equal(
            new StrategyIntent(IntentKind.Cancel, OrderSide.Buy, IntentSizing.Base, 0, 0, 8, IntentReason.Replaced, 0, 0),
            StrategyIntent.Cancel(8));
        Assert.Equal(IntentReason.ClosePosition, StrategyIntent.Cancel(8, IntentReason.ClosePosition).Reason);
    }

    // ---- Describe

    public static TheoryData<IntentReason, double, double, string> Descriptions => new()
    {
        { IntentReason.RsiCrossedUp, 38.4615, 30, "RSI 38.5 crossed up through 30" },
        { IntentReason.RsiCrossedDown, 64.56, 70.5, "RSI 64.6 crossed down through 70.5" },
        { IntentReason.EmaCrossedUp, 60123.123456789, 60000.5, "fast EMA 60123.12345679 crossed above slow EMA 60000.5" },
        { IntentReason.EmaCrossedDown, 0.000123456789, 0.00012, "fast EMA 0.00012346 crossed below slow EMA 0.00012" },
        { IntentReason.DcaBaseOrder, 59000.25, 0, "DCA base order at 59000.25" },
        { IntentReason.DcaSafetyOrder, 58000, 2, "DCA safety order 2 at 58000" },
        { IntentReason.DcaTakeProfit, 61000, 59500.5, "DCA take profit at 61000 (average entry 59500.5)" },
        { IntentReason.DcaStopLoss, 55000.75, 59500.5, "DCA stop loss at 55000.75 (average entry 59500.5)" },
        { IntentReason.GridLevel, 60250.5, 3, "grid level 3 at 60250.5" },
        { IntentReason.Replaced, 1, 2, "replaced" },
        { IntentReason.ClosePosition, 1, 2, "closing the position" },
        { IntentReason.None, 1, 2, "" },
        { (IntentReason)99, 1, 2, "" },
    };

    [Theory]
    [MemberData(nameof(Descriptions))]
    public void Describe_reads_the_reason_in_the_invariant_culture(IntentReason reason, double value, double level, string expected)
    {
        var intent = new StrategyIntent(IntentKind.Signal, OrderSide.Buy, IntentSizing.Quote, 0, 0, 0, reason, value, level);
        var current = CultureInfo.CurrentCulture;
        // A culture writing "60.123,5": the description must not follow it.
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.NumberFormat.NumberDecimalSeparator = ",";
        culture.NumberFormat.NumberGroupSeparator = ".";
        try
        {
            CultureInfo.CurrentCulture = culture;
            Assert.Equal("1,5", 1.5.ToString(CultureInfo.CurrentCulture));
            Assert.Equal(expected, intent.Describe());
        }
        finally
        {
            CultureInfo.CurrentCulture = current;
        }
    }

    // ---- IntentBuffer

    private static StrategyIntent Numbered(int i) => StrategyIntent.Cancel(i);

    [Fact]
    public void A_buffer_grows_past_eight_and_keeps_the_order()
    {
        var buffer = new IntentBuffer();
        for (var i = 1; i <= 20; i++) buffer.Add(Numbered(i));

        Assert.Equal(20, buffer.Count);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), buffer.AsSpan().ToArray().Select(x => x.OrderRef));
        Assert.Equal(Numbered(9), buffer[8]);
        Assert.Equal(Numbered(20), buffer[19]);
    }

    [Fact]
    public void A_cleared_buffer_is_empty_and_is_written_from_the_start()
    {
        var buffer = new IntentBuffer();
        for (var i = 1; i <= 10; i++) buffer.Add(Numbered(i));

        buffer.Clear();

        Assert.Equal(0, buffer.Count);
        Assert.True(buffer.AsSpan().IsEmpty);
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer[0]);
        buffer.Add(Numbered(42));
        Assert.Equal(Numbered(42), Assert.Single(buffer.AsSpan().ToArray()));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(int.MinValue)]
    public void A_buffer_s_indexer_stops_at_its_count(int index)
    {
        var buffer = new IntentBuffer();
        for (var i = 1; i <= 3; i++) buffer.Add(Numbered(i));

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => buffer[index]);

        Assert.Equal("index", e.ParamName);
        Assert.Equal(Numbered(3), buffer[2]);
        Assert.Equal(Numbered(1), buffer[0]);
    }
}
