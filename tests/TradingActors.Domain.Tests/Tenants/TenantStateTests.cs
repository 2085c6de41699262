using TradingActors.Domain.Orders;
using TradingActors.Domain.Paper;
using TradingActors.Domain.Tenants;
using static TradingActors.Domain.Tests.Tenants.TenantHistory;

namespace TradingActors.Domain.Tests.Tenants;

/// <summary>TenantState.Apply for every event, and the questions the actor asks the state.</summary>
public sealed class TenantStateTests
{
    private static readonly DateTimeOffset Later = T0.AddMinutes(3);
    private static readonly OrderIntent ExternalBuy = Intent(4, OrderSide.Buy, 0.01m, ExternalAccountId);

    private sealed record Stray(DateTimeOffset At) : ITenantEvent;

    // ---- tenant and accounts

    [Fact]
    public void An_empty_state_is_no_tenant_and_holds_nothing()
    {
        var s = TenantState.Empty("t9");

        Assert.Equal("t9", s.TenantId);
        Assert.False(s.Exists);
        Assert.Equal("", s.DisplayName);
        Assert.Empty(s.Accounts);
        Assert.Empty(s.Subscriptions);
        Assert.Empty(s.Open);
        Assert.Empty(s.Recent);
        Assert.Empty(s.Skips);
        Assert.Equal(0, s.LastProcessed(Strategy));
        Assert.Equal((0, 0, 0, 0), (s.OrdersFilled, s.OrdersRejected, s.OrdersFailed, s.SignalsSkipped));
        Assert.False(s.HasActiveSubscriptions);
    }

    [Fact]
    public void Tenant_created_makes_it_exist_with_its_display_name()
    {
        var s = TenantState.Empty("t1").Apply(new TenantCreated("t1", "Tenant One", T0));

        Assert.True(s.Exists);
        Assert.Equal("Tenant One", s.DisplayName);
        Assert.Equal("t1", s.TenantId);
    }

    [Fact]
    public void Suspended_records_the_reason_and_since_when_and_resumed_clears_it_keeping_everything_else()
    {
        var following = Following();

        var suspended = following.Apply(new TenantSuspended("chargeback review", T0.AddMinutes(3)));
        var resumed = suspended.Apply(new TenantResumed(T0.AddMinutes(9)));

        Assert.Null(following.Suspension);
        Assert.Equal(new TenantSuspension("chargeback review", T0.AddMinutes(3)), suspended.Suspension);
        Assert.Null(resumed.Suspension);
        Assert.Equal(following.Subscriptions, resumed.Subscriptions);
        Assert.True(resumed.HasActiveSubscriptions);
    }

    [Fact]
    public void Paper_account_linked_opens_an_embedded_paper_account_with_its_cash()
    {
        var s = Created().Apply(new PaperAccountLinked("pa", 2_500m, T0));

        var account = s.Accounts["pa"];
        Assert.Equal("pa", account.AccountId);
        Assert.Equal(Venues.Paper, account.Venue);
        Assert.Equal("paper", account.Venue);
        Assert.Equal("pa", account.VenueAccountNumber);
        Assert.True(account.IsEmbeddedPaper);
        Assert.Equal(2_500m, account.Paper!.Cash);
        Assert.Empty(account.Paper.Positions);
    }

    [Fact]
    public void Broker_account_linked_records_the_venue_account_without_balances()
    {
        var s = Created().Apply(new BrokerAccountLinked("ext", "oanda", "101-004", T0));

        // The first account of its venue: primary; unverified until a check (label, mode and credentials: none).
        Assert.Equal(new LinkedAccount("ext", "oanda", "101-004", null, IsPrimary: true), s.Accounts["ext"]);
        Assert.False(s.Accounts["ext"].IsEmbeddedPaper);
    }

    // ---- subscriptions

    [Fact]
    public void Subscribed_adds_an_active_flat_subscription_from_its_instant()
    {
        var s = WithAccounts().Apply(new Subscribed(Strategy, ExternalAccountId, Symbol, 750m, Later, StartAfterSequence: 0));

        Assert.Equal(new Subscription(Strategy, ExternalAccountId, Symbol, 750m, SubscriptionStatus.Active, 0m, Later), s.Subscriptions[Strategy]);
        Assert.Equal(0, s.LastProcessed(Strategy));
    }

    [Fact]
    public void Subscribed_starts_after_the_strategy_s_latest_sequence()
    {
        var s = WithAccounts().Apply(new Subscribed(Strategy, PaperAccountId, Symbol, 1m, T0, StartAfterSequence: 42));

        Assert.Equal(42, s.LastProcessed(Strategy));
        Assert.Equal(0, s.LastProcessed("other"));
    }

    [Fact]
    public void Subscribed_never_moves_the_last_processed_sequence_backwards()
    {
        var s = Following(startAfter: 10).Then(
            new Unsubscribed(Strategy, T0),
            new Subscribed(Strategy, PaperAccountId, Symbol, 1m, Later, StartAfterSequence: 3));

        Assert.Equal(10, s.LastProcessed(Strategy));
    }

    [Fact]
    public void Unsubscribed_removes_the_subscription_but_remembers_its_sequence()
    {
        var s = Following(startAfter: 10).Apply(new Unsubscribed(Strategy, Later));

        Assert.False(s.Subscriptions.ContainsKey(Strategy));
        Assert.Equal(10, s.LastProcessed(Strategy));
    }

    [Fact]
    public void Subscribing_again_after_unsubscribing_starts_flat()
    {
        var s = Following().Then(
            new OrderFilled(Intent(1), FillOf(Intent(1)), T0),
            new Unsubscribed(Strategy, T0),
            new Subscribed(Strategy, PaperAccountId, Symbol, 1m, Later));

        Assert.Equal(0m, s.Subscriptions[Strategy].Held);
    }

    [Fact]
    public void Subscription_paused_changes_only_the_status()
    {
        var before = Following();

        var s = before.Apply(new SubscriptionPaused(Strategy, Later));

        Assert.Equal(before.Subscriptions[Strategy] with { Status = SubscriptionStatus.Paused }, s.Subscriptions[Strategy]);
    }

    [Fact]
    public void Pausing_a_strategy_not_subscribed_changes_nothing()
    {
        var before = Following();

        Assert.Same(before, before.Apply(new SubscriptionPaused("macd", Later)));
    }

    [Fact]
    public void Subscription_resumed_is_active_again_from_the_resume_instant_and_after_its_sequence()
    {
        var s = Following(startAfter: 5).Then(
            new SubscriptionPaused(Strategy, T0.AddMinutes(1)),
            new SubscriptionResumed(Strategy, Later, StartAfterSequence: 12));

        var sub = s.Subscriptions[Strategy];
        Assert.Equal(SubscriptionStatus.Active, sub.Status);
        Assert.Equal(Later, sub.ActiveSince);
        Assert.Equal(12, s.LastProcessed(Strategy));
    }

    [Fact]
    public void Subscription_resumed_never_moves_the_last_processed_sequence_backwards()
    {
        var s = Following(startAfter: 20).Then(
            new SubscriptionPaused(Strategy, T0),
            new SubscriptionResumed(Strategy, Later, StartAfterSequence: 7));

        Assert.Equal(20, s.LastProcessed(Strategy));
    }

    // ---- open orders

    [Fact]
    public void Order_submitted_opens_the_order_from_its_instant_and_advances_the_sequence()
    {
        var s = Following(ExternalAccountId).Apply(new OrderSubmitted(ExternalBuy, Later));

        Assert.Equal(new OrderRecord(ExternalBuy, OrderStatus.Submitted, null, null, Later, Later), s.Open[ExternalBuy.ClientOrderId]);
        Assert.Equal(4, s.LastProcessed(Strategy));
        Assert.Empty(s.Recent);
    }

    [Fact]
    public void An_order_of_a_bot_does_not_advance_any_strategy_sequence()
    {
        var bot = Intent(9, account: ExternalAccountId, source: "bot:b1");

        var s = Following(ExternalAccountId).Apply(new OrderSubmitted(bot, Later));

        Assert.Single(s.Open);
        Assert.Equal(0, s.LastProcessed(Strategy));
        Assert.Empty(s.LastSignal);
    }

    [Fact]
    public void An_order_never_moves_the_sequence_backwards()
    {
        var s = Following(ExternalAccountId, startAfter: 9).Apply(new OrderSubmitted(ExternalBuy, Later));

        Assert.Equal(9, s.LastProcessed(Strategy));
    }

    [Fact]
    public void Order_marked_unknown_keeps_the_instant_the_order_was_submitted()
    {
        var s = Following(ExternalAccountId).Then(
            new OrderSubmitted(ExternalBuy, T0),
            new OrderMarkedUnknown(ExternalBuy, "timeout", Later));

        Assert.Equal(new OrderRecord(ExternalBuy, OrderStatus.Unknown, null, "timeout", Later, T0), s.Open[ExternalBuy.ClientOrderId]);
    }

    [Fact]
    public void Order_marked_unknown_twice_still_keeps_the_first_submission_instant()
    {
        var s = Following(ExternalAccountId).Then(
            new OrderSubmitted(ExternalBuy, T0),
            new OrderMarkedUnknown(ExternalBuy, "timeout", T0.AddMinutes(1)),
            new OrderMarkedUnknown(ExternalBuy, "timeout again", Later));

        Assert.Equal(T0, s.Open[ExternalBuy.ClientOrderId].SubmittedAt);
        Assert.Equal("timeout again", s.Open[ExternalBuy.ClientOrderId].Reason);
    }

    [Fact]
    public void Order_marked_unknown_without_a_submission_is_open_from_its_own_instant()
    {
        var s = Following(ExternalAccountId).Apply(new OrderMarkedUnknown(ExternalBuy, "timeout", Later));

        Assert.Equal(new OrderRecord(ExternalBuy, OrderStatus.Unknown, null, "timeout", Later, Later), s.Open[ExternalBuy.ClientOrderId]);
        Assert.Equal(4, s.LastProcessed(Strategy));
    }

    [Fact]
    public void Order_needs_attention_flags_the_open_order_and_keeps_it_open()
    {
        var s = Following(ExternalAccountId).Then(
            new OrderSubmitted(ExternalBuy, T0),
            new OrderMarkedUnknown(ExternalBuy, "timeout", T0.AddMinutes(1)),
            new OrderNeedsAttention(ExternalBuy, "not settled after 5 lookups", Later));

        var order = s.Open[ExternalBuy.ClientOrderId];
        Assert.Equal(new OrderRecord(ExternalBuy, OrderStatus.NeedsAttention, null, "not settled after 5 lookups", Later, T0), order);
        Assert.True(order.IsOpen);
        Assert.Same(order, s.OpenOrderOf(Strategy));
    }

    [Fact]
    public void Order_needs_attention_for_an_order_no_longer_open_changes_nothing()
    {
        var settled = Following(ExternalAccountId).Then(
            new OrderSubmitted(ExternalBuy, T0),
            new OrderFilled(ExternalBuy, FillOf(ExternalBuy), T0));

        Assert.Same(settled, settled.Apply(new OrderNeedsAttention(ExternalBuy, "late", Later)));
        Assert.Empty(settled.Open);
    }

    [Fact]
    public void Order_needs_attention_for_an_order_never_submitted_changes_nothing()
    {
        var none = Following(ExternalAccountId);

        Assert.Same(none, none.Apply(new OrderNeedsAttention(ExternalBuy, "never seen", Later)));
    }

    // ---- settled orders

    [Fact]
    public void A_paper_buy_fill_debits_cash_raises_the_position_and_the_subscription_holding()
    {
        var buy = Intent(1, OrderSide.Buy, 0.01m);
        var fill = new Fill(0.01m, 50_000m, 0.5m, "P-1", Later);

        var s = Following(paperCash: 1_000m).Apply(new OrderFilled(buy, fill, Later));

        var paper = s.Accounts[PaperAccountId].Paper!;
        Assert.Equal(499.5m, paper.Cash);          // 1000 - 500 - 0.5
        Assert.Equal(new PaperPosition(0.01m, 50_000m), paper.Positions[Symbol]);
        Assert.Equal(0.5m, paper.FeesPaid);
        Assert.Equal(0.01m, s.Subscriptions[Strategy].Held);
        Assert.Equal(1, s.OrdersFilled);
        Assert.Equal(1, s.LastProcessed(Strategy));
        Assert.Equal(new OrderRecord(buy, OrderStatus.Filled, fill, null, Later, Later, fill.VenueOrderId), Assert.Single(s.Recent));
        Assert.Empty(s.Open);
    }

    [Fact]
    public void A_paper_sell_fill_credits_cash_and_lowers_the_holding()
    {
        var s = Following(paperCash: 1_000m).Then(
            new OrderFilled(Intent(1, OrderSide.Buy, 0.01m), new Fill(0.01m, 50_000m, 0m, "P-1", T0), T0),
            new OrderFilled(Intent(2, OrderSide.Sell, 0.004m), new Fill(0.004m, 60_000m, 0.24m, "P-2", Later), Later));

        var paper = s.Accounts[PaperAccountId].Paper!;
        Assert.Equal(739.76m, paper.Cash);         // 1000 - 500 + 240 - 0.24
        Assert.Equal(0.006m, paper.Held(Symbol));
        Assert.Equal(0.006m, s.Subscriptions[Strategy].Held);
        Assert.Equal(2, s.OrdersFilled);
        Assert.Equal(2, s.LastProcessed(Strategy));
    }

    [Fact]
    public void An_external_fill_changes_no_balances_and_settles_the_submitted_order()
    {
        var before = Following(ExternalAccountId).Apply(new OrderSubmitted(ExternalBuy, T0));
        var fill = FillOf(ExternalBuy);

        var s = before.Apply(new OrderFilled(ExternalBuy, fill, Later));

        Assert.Same(before.Accounts, s.Accounts);
        Assert.Empty(s.Open);
        Assert.Equal(new OrderRecord(ExternalBuy, OrderStatus.Filled, fill, null, Later, T0, "V-4"), Assert.Single(s.Recent));
        Assert.Equal(0.01m, s.Subscriptions[Strategy].Held);
    }

    [Fact]
    public void A_sell_fill_beyond_the_subscription_holding_leaves_it_flat_not_negative()
    {
        var s = Following(ExternalAccountId).Then(
            new OrderFilled(Intent(1, OrderSide.Buy, 0.01m, ExternalAccountId), FillOf(Intent(1, OrderSide.Buy, 0.01m, ExternalAccountId)), T0),
            new OrderFilled(Intent(2, OrderSide.Sell, 0.03m, ExternalAccountId), FillOf(Intent(2, OrderSide.Sell, 0.03m, ExternalAccountId)), Later));

        Assert.Equal(0m, s.Subscriptions[Strategy].Held);
    }

    [Fact]
    public void A_partial_sell_keeps_the_rest_of_the_subscription_holding()
    {
        var s = Following(ExternalAccountId).Then(
            new OrderFilled(Intent(1, OrderSide.Buy, 0.03m, ExternalAccountId), FillOf(Intent(1, OrderSide.Buy, 0.03m, ExternalAccountId)), T0),
            new OrderFilled(Intent(2, OrderSide.Sell, 0.01m, ExternalAccountId), FillOf(Intent(2, OrderSide.Sell, 0.01m, ExternalAccountId)), Later));

        Assert.Equal(0.02m, s.Subscriptions[Strategy].Held);
    }

    [Fact]
    public void A_fill_of_a_bot_changes_no_subscription_holding_but_books_the_paper_account()
    {
        var bot = Intent(1, OrderSide.Buy, 0.01m, source: "bot:b1");

        var s = Following(paperCash: 1_000m).Apply(new OrderFilled(bot, new Fill(0.01m, 50_000m, 0m, "P-1", T0), T0));

        Assert.Equal(0m, s.Subscriptions[Strategy].Held);
        Assert.Equal(0.01m, s.Accounts[PaperAccountId].Paper!.Held(Symbol));
        Assert.Equal(1, s.OrdersFilled);
    }

    [Fact]
    public void A_fill_for_a_strategy_no_longer_subscribed_is_still_booked()
    {
        var s = WithAccounts(1_000m).Apply(new OrderFilled(Intent(3), new Fill(0.01m, 50_000m, 0m, "P-3", T0), T0));

        Assert.Empty(s.Subscriptions);
        Assert.Equal(0.01m, s.Accounts[PaperAccountId].Paper!.Held(Symbol));
        Assert.Equal(3, s.LastProcessed(Strategy));
    }

    [Fact]
    public void Order_rejected_settles_the_order_with_its_reason_and_counts_it()
    {
        var s = Following(ExternalAccountId).Then(
            new OrderSubmitted(ExternalBuy, T0),
            new OrderRejected(ExternalBuy, "margin", Later));

        Assert.Empty(s.Open);
        Assert.Equal(new OrderRecord(ExternalBuy, OrderStatus.Rejected, null, "margin", Later, T0), Assert.Single(s.Recent));
        Assert.Equal((0, 1, 0), (s.OrdersFilled, s.OrdersRejected, s.OrdersFailed));
    }

    [Fact]
    public void A_paper_rejection_without_a_submission_advances_the_sequence()
    {
        var s = Following().Apply(new OrderRejected(Intent(1), "insufficient funds", Later));

        Assert.Equal(1, s.LastProcessed(Strategy));
        Assert.Equal(new OrderRecord(Intent(1), OrderStatus.Rejected, null, "insufficient funds", Later, Later), Assert.Single(s.Recent));
    }

    [Fact]
    public void Order_failed_settles_the_order_with_its_reason_and_counts_it()
    {
        var s = Following(ExternalAccountId).Then(
            new OrderSubmitted(ExternalBuy, T0),
            new OrderMarkedUnknown(ExternalBuy, "timeout", T0.AddMinutes(1)),
            new OrderFailed(ExternalBuy, "not found", Later));

        Assert.Empty(s.Open);
        Assert.Equal(new OrderRecord(ExternalBuy, OrderStatus.Failed, null, "not found", Later, T0), Assert.Single(s.Recent));
        Assert.Equal((0, 0, 1), (s.OrdersFilled, s.OrdersRejected, s.OrdersFailed));
        Assert.Equal(4, s.LastProcessed(Strategy));
    }

    [Theory]
    [InlineData(19, 19, 1)]
    [InlineData(20, 20, 1)]
    [InlineData(21, 20, 2)]
    [InlineData(45, 20, 26)]
    public void Recent_orders_keep_the_newest_twenty(int settled, int kept, long oldestKept)
    {
        var s = Following(ExternalAccountId);
        for (var i = 1; i <= settled; i++)
            s = s.Apply(new OrderRejected(Intent(i, account: ExternalAccountId), "r", T0));

        Assert.Equal(kept, s.Recent.Count);
        Assert.Equal(oldestKept, s.Recent[0].Intent.SourceSequence);
        Assert.Equal(settled, s.Recent[^1].Intent.SourceSequence);
        Assert.Equal(settled, s.OrdersRejected);
    }

    // ---- skipped signals

    [Fact]
    public void Signals_skipped_advance_the_sequence_and_count_the_whole_range()
    {
        var s = Following().Apply(new SignalsSkipped(Strategy, 1, 5, "stale", Later));

        Assert.Equal(5, s.LastProcessed(Strategy));
        Assert.Equal(5, s.SignalsSkipped);
        Assert.Equal(new SkipRecord(Strategy, 1, 5, "stale", Later), Assert.Single(s.Skips));
    }

    [Fact]
    public void One_skipped_signal_counts_one()
    {
        var s = Following().Then(
            new SignalsSkipped(Strategy, 1, 1, "flat", T0),
            new SignalsSkipped(Strategy, 2, 4, "stale", Later));

        Assert.Equal(4, s.SignalsSkipped);
        Assert.Equal(4, s.LastProcessed(Strategy));
        Assert.Equal(["flat", "stale"], s.Skips.Select(k => k.Reason));
    }

    [Fact]
    public void Signals_skipped_never_move_the_sequence_backwards()
    {
        var s = Following(startAfter: 10).Apply(new SignalsSkipped(Strategy, 3, 4, "stale", Later));

        Assert.Equal(10, s.LastProcessed(Strategy));
    }

    [Theory]
    [InlineData(20, 20, 1)]
    [InlineData(21, 20, 2)]
    [InlineData(30, 20, 11)]
    public void Recent_skips_keep_the_newest_twenty(int runs, int kept, long oldestKept)
    {
        var s = Following();
        for (var i = 1; i <= runs; i++)
            s = s.Apply(new SignalsSkipped(Strategy, i, i, "stale", T0));

        Assert.Equal(kept, s.Skips.Count);
        Assert.Equal(oldestKept, s.Skips[0].FromSequence);
        Assert.Equal(runs, s.Skips[^1].FromSequence);
        Assert.Equal(runs, s.SignalsSkipped);
    }

    [Fact]
    public void A_state_from_before_skips_existed_reads_as_no_skips_and_takes_new_ones()
    {
        var old = Following() with { RecentSkips = null };

        Assert.Empty(old.Skips);
        Assert.Single(old.Apply(new SignalsSkipped(Strategy, 1, 1, "stale", T0)).Skips);
    }

    [Fact]
    public void An_unknown_event_type_throws()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Following().Apply(new Stray(T0)));

        Assert.StartsWith("unknown tenant event", ex.Message);
        Assert.Equal(nameof(Stray), ex.ActualValue);
    }

    // ---- queries

    [Fact]
    public void Open_order_of_a_strategy_is_its_unsettled_order()
    {
        var open = Following(ExternalAccountId).Apply(new OrderSubmitted(ExternalBuy, T0));

        Assert.Equal(ExternalBuy, open.OpenOrderOf(Strategy)!.Intent);
        Assert.Null(open.Apply(new OrderFilled(ExternalBuy, FillOf(ExternalBuy), Later)).OpenOrderOf(Strategy));
    }

    [Fact]
    public void Open_order_of_ignores_other_strategies_and_bots()
    {
        var s = Following(ExternalAccountId).Then(
            new OrderSubmitted(Intent(1, account: ExternalAccountId, source: "strategy:rsi2"), T0),
            new OrderSubmitted(Intent(2, account: ExternalAccountId, source: "bot:rsi"), T0));

        Assert.Null(s.OpenOrderOf(Strategy));
        Assert.NotNull(s.OpenOrderOf("rsi2"));
    }

    [Theory]
    [InlineData(new[] { SubscriptionStatus.Active }, true)]
    [InlineData(new[] { SubscriptionStatus.Paused }, false)]
    [InlineData(new[] { SubscriptionStatus.Paused, SubscriptionStatus.Active }, true)]
    [InlineData(new[] { SubscriptionStatus.Paused, SubscriptionStatus.Paused }, false)]
    [InlineData(new SubscriptionStatus[0], false)]
    public void Has_active_subscriptions_when_any_subscription_is_active(SubscriptionStatus[] statuses, bool expected)
    {
        var s = WithAccounts();
        for (var i = 0; i < statuses.Length; i++)
        {
            s = s.Apply(new Subscribed("s" + i, PaperAccountId, Symbol, 1m, T0));
            if (statuses[i] == SubscriptionStatus.Paused) s = s.Apply(new SubscriptionPaused("s" + i, T0));
        }

        Assert.Equal(expected, s.HasActiveSubscriptions);
    }

    [Theory]
    [InlineData(OrderStatus.Submitted, true)]
    [InlineData(OrderStatus.Unknown, true)]
    [InlineData(OrderStatus.NeedsAttention, true)]
    [InlineData(OrderStatus.Working, true)]
    [InlineData(OrderStatus.Filled, false)]
    [InlineData(OrderStatus.Rejected, false)]
    [InlineData(OrderStatus.Failed, false)]
    [InlineData(OrderStatus.Cancelled, false)]
    public void An_order_is_open_until_the_venue_settles_it(OrderStatus status, bool open) =>
        Assert.Equal(open, new OrderRecord(ExternalBuy, status, null, null, T0).IsOpen);

    [Theory]
    [InlineData("strategy:rsi", "rsi")]
    [InlineData("strategy:", "")]
    [InlineData("bot:rsi", null)]
    [InlineData("Strategy:rsi", null)]
    [InlineData("rsi", null)]
    public void The_strategy_of_an_order_source(string source, string? strategyId) =>
        Assert.Equal(strategyId, Sources.StrategyIdOf(source));

    [Fact]
    public void A_strategy_source_names_the_strategy() => Assert.Equal("strategy:rsi", Sources.Strategy("rsi"));
}
