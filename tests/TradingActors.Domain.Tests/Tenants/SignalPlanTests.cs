using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Paper;
using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tenants;
using static TradingActors.Domain.Tests.Tenants.TenantHistory;

namespace TradingActors.Domain.Tests.Tenants;

/// <summary>
/// TenantDecisions.PlanSignal: what a tenant does with one strategy signal. One row per rule and
/// per boundary; rows that break a tie between two rules say which one wins.
/// </summary>
public sealed class SignalPlanTests
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(60);
    private static readonly PaperVenueCosts Costs = new(); // fee 0.1%, slippage 5 bps: cost factor 1.0015005
    private static readonly DateTimeOffset SignalTime = T0.AddSeconds(10);
    private const string Unresolved = "an earlier order of this subscription is unresolved";

    // Budget 1000 at 50 000: paper 1000 / (50 000 * 1.0015005) = 0.0199700.. -> 0.019970 (BTC step 0.000001);
    // external 1000 / (50 000 * 1.002) = 0.0199600.. -> 0.019960.
    private const decimal PaperBuyQuantity = 0.019970m;
    private const decimal ExternalBuyQuantity = 0.019960m;

    private static Signal Sig(long sequence, OrderSide side = OrderSide.Buy, DateTimeOffset? at = null, string symbol = Symbol, string strategy = Strategy) =>
        new(strategy, sequence, symbol, side, 50_000m, at ?? SignalTime, "rsi crossed");

    private sealed record Case(TenantState State, Signal Signal, SignalPlan Expected, DateTimeOffset? Now = null, InstrumentRules? Rules = null);

    // A venue that trades BTCUSDT in steps of 0.001 with a 0.001 minimum and a 100 USDT minimum notional.
    private static readonly Instrument VenueBtc = new(Symbol, 0.001m, 0.1m, 0.001m, 100m);
    private static InstrumentRules Venue(InstrumentRule rule) => (account, _) => account.IsEmbeddedPaper ? InstrumentRule.FromEngineTable(Symbol) : rule;

    private static OrderFilled Filled(long sequence, OrderSide side, decimal quantity, string account = PaperAccountId, string? source = null)
    {
        var intent = Intent(sequence, side, quantity, account, source);
        return new OrderFilled(intent, FillOf(intent, fee: 0m), T0);
    }

    private static readonly Dictionary<string, Case> Cases = new()
    {
        // ---- Ignore: not this tenant's business
        ["no tenant: ignored"] = new(TenantState.Empty(Tenant), Sig(1), new SignalPlan.Ignore("no such tenant")),
        ["not subscribed: ignored"] = new(WithAccounts(), Sig(1), new SignalPlan.Ignore("not subscribed")),
        ["another strategy's signal: ignored as not subscribed"] = new(Following(), Sig(1, strategy: "macd"), new SignalPlan.Ignore("not subscribed")),
        ["the last processed sequence again: ignored as already processed"] = new(Following(startAfter: 5), Sig(5), new SignalPlan.Ignore("already processed")),
        ["an older sequence: ignored as already processed"] = new(Following(startAfter: 5), Sig(4), new SignalPlan.Ignore("already processed")),
        ["paused subscription: ignored"] = new(Following().Then(new SubscriptionPaused(Strategy, T0)), Sig(1), new SignalPlan.Ignore("subscription paused")),
        ["paused subscription with a gap: ignored, not waiting"] = new(Following().Then(new SubscriptionPaused(Strategy, T0)), Sig(3), new SignalPlan.Ignore("subscription paused")),
        ["paused and already processed: already processed wins"] = new(Following(startAfter: 5).Then(new SubscriptionPaused(Strategy, T0)), Sig(5), new SignalPlan.Ignore("already processed")),

        // ---- Wait: strictly in sequence
        ["one signal missing: waits for LastProcessed + 1"] = new(Following(), Sig(2), new SignalPlan.Wait(1)),
        ["a gap after the start: waits for the first missing one"] = new(Following(startAfter: 5), Sig(9), new SignalPlan.Wait(6)),
        ["a gap before a signal that predates the subscription and is stale: waits"] = new(Following(), Sig(3, at: T0.AddHours(-1)), new SignalPlan.Wait(1)),

        // ---- Skip: the tenant is suspended (settled in sequence, even with an order open; paused and gaps come first)
        ["a suspended tenant: skipped"] = new(Following().Then(new TenantSuspended("review", T0)), Sig(1), new SignalPlan.Skip("tenant suspended")),
        ["a suspended tenant with a gap: waits"] = new(Following().Then(new TenantSuspended("review", T0)), Sig(3), new SignalPlan.Wait(1)),
        ["a suspended tenant's paused subscription: ignored"] = new(Following().Then(new TenantSuspended("review", T0), new SubscriptionPaused(Strategy, T0)), Sig(1),
            new SignalPlan.Ignore("subscription paused")),
        ["a suspended tenant with an open order: skipped, not deferred"] = new(
            Following(ExternalAccountId).Then(new OrderSubmitted(Intent(1, account: ExternalAccountId), T0), new TenantSuspended("review", T0)), Sig(2),
            new SignalPlan.Skip("tenant suspended")),
        ["a stale signal to a suspended tenant: skipped as suspended"] = new(Following().Then(new TenantSuspended("review", T0)), Sig(1), new SignalPlan.Skip("tenant suspended"),
            Now: SignalTime + MaxAge + TimeSpan.FromTicks(1)),
        ["suspended, then resumed: traded"] = new(Following().Then(new TenantSuspended("review", T0), new TenantResumed(T0)), Sig(1),
            new SignalPlan.Place(Intent(1, quantity: PaperBuyQuantity), true)),

        // ---- Skip: predates the subscription
        ["a tick before the subscription: skipped as predating it"] = new(Following(), Sig(1, at: T0.AddTicks(-1)), new SignalPlan.Skip("predates the subscription"), Now: T0),
        ["at the subscription instant: traded"] = new(Following(), Sig(1, at: T0), new SignalPlan.Place(Intent(1, quantity: PaperBuyQuantity), true), Now: T0),
        ["published while paused, before the resume: skipped as predating it"] = new(
            Following().Then(new SubscriptionPaused(Strategy, T0.AddMinutes(1)), new SubscriptionResumed(Strategy, T0.AddHours(1))),
            Sig(1, at: T0.AddMinutes(30)), new SignalPlan.Skip("predates the subscription"), Now: T0.AddHours(1)),
        ["older than the subscription and stale: predates wins"] = new(Following(), Sig(1, at: T0.AddHours(-1)), new SignalPlan.Skip("predates the subscription"), Now: T0),

        // ---- Skip: stale
        ["one tick older than the max age: skipped as stale"] = new(Following(), Sig(1), new SignalPlan.Skip("stale"), Now: SignalTime + MaxAge + TimeSpan.FromTicks(1)),
        ["exactly the max age: not stale, traded"] = new(Following(), Sig(1), new SignalPlan.Place(Intent(1, quantity: PaperBuyQuantity), true), Now: SignalTime + MaxAge),
        ["stale while an order is open: skipped as stale, not deferred"] = new(
            Following(ExternalAccountId).Then(new OrderSubmitted(Intent(1, account: ExternalAccountId), T0)),
            Sig(2), new SignalPlan.Skip("stale"), Now: SignalTime + MaxAge + TimeSpan.FromSeconds(1)),

        // ---- Defer: one open order per subscription
        ["a submitted order of the subscription: deferred"] = new(
            Following(ExternalAccountId).Then(new OrderSubmitted(Intent(1, account: ExternalAccountId), T0)), Sig(2), new SignalPlan.Defer(Unresolved)),
        ["an unknown order of the subscription: deferred"] = new(
            Following(ExternalAccountId).Then(new OrderSubmitted(Intent(1, account: ExternalAccountId), T0), new OrderMarkedUnknown(Intent(1, account: ExternalAccountId), "timeout", T0)),
            Sig(2), new SignalPlan.Defer(Unresolved)),
        ["an order needing attention: deferred"] = new(
            Following(ExternalAccountId).Then(new OrderSubmitted(Intent(1, account: ExternalAccountId), T0), new OrderNeedsAttention(Intent(1, account: ExternalAccountId), "slow", T0)),
            Sig(2), new SignalPlan.Defer(Unresolved)),
        ["an open order of another strategy: not deferred"] = new(
            Following(ExternalAccountId).Then(new OrderSubmitted(Intent(1, account: ExternalAccountId, source: "strategy:macd"), T0)),
            Sig(1), new SignalPlan.Place(Intent(1, quantity: ExternalBuyQuantity, account: ExternalAccountId), false)),
        ["an open bot order on the same account: not deferred"] = new(
            Following(ExternalAccountId).Then(new OrderSubmitted(Intent(1, account: ExternalAccountId, source: "bot:b1"), T0)),
            Sig(1), new SignalPlan.Place(Intent(1, quantity: ExternalBuyQuantity, account: ExternalAccountId), false)),
        ["an open order and the account gone: deferred first"] = new(
            Created().Then(new Subscribed(Strategy, "gone", Symbol, 1_000m, T0), new OrderSubmitted(Intent(1, account: "gone"), T0)),
            Sig(2), new SignalPlan.Defer(Unresolved)),

        // ---- Skip: nothing to trade with
        ["the subscription's account is not linked: skipped"] = new(
            Created().Then(new Subscribed(Strategy, "gone", Symbol, 1_000m, T0)), Sig(1), new SignalPlan.Skip("account no longer linked")),
        ["account gone and an unknown instrument: the account wins"] = new(
            Created().Then(new Subscribed(Strategy, "gone", Symbol, 1_000m, T0)), Sig(1, symbol: "DOGEUSDT"), new SignalPlan.Skip("account no longer linked")),
        ["an instrument the engine does not know: skipped naming it"] = new(Following(), Sig(1, symbol: "DOGEUSDT"), new SignalPlan.Skip("unknown symbol 'DOGEUSDT'")),

        // ---- Buy
        ["a buy while holding: skipped"] = new(Following().Then(Filled(1, OrderSide.Buy, 0.01m)), Sig(2), new SignalPlan.Skip("already holding")),
        ["a buy while holding, with a budget too small anyway: already holding wins"] = new(
            Following(budget: 0.04m).Then(Filled(1, OrderSide.Buy, 0.01m)), Sig(2), new SignalPlan.Skip("already holding")),
        ["a budget below one quantity step: skipped"] = new(Following(budget: 0.04m), Sig(1), new SignalPlan.Skip("budget below the minimum quantity")),
        ["a budget for exactly one quantity step: buys the minimum"] = new(Following(budget: 0.0501m), Sig(1), new SignalPlan.Place(Intent(1, quantity: 0.000001m), true)),
        ["bought and sold back to flat: buys again"] = new(
            Following().Then(Filled(1, OrderSide.Buy, 0.01m), Filled(2, OrderSide.Sell, 0.01m)), Sig(3),
            new SignalPlan.Place(Intent(3, quantity: PaperBuyQuantity), true)),

        // ---- Sell
        ["a sell with nothing held: skipped as flat"] = new(Following(), Sig(1, OrderSide.Sell), new SignalPlan.Skip("flat")),
        ["a sell holding less than one quantity step: skipped as flat"] = new(
            Following().Then(Filled(1, OrderSide.Buy, 0.0000005m)), Sig(2, OrderSide.Sell), new SignalPlan.Skip("flat")),
        ["a sell closes the holding"] = new(
            Following().Then(Filled(1, OrderSide.Buy, 0.01m)), Sig(2, OrderSide.Sell), new SignalPlan.Place(Intent(2, OrderSide.Sell, 0.01m), true)),
        ["a sell rounds the holding down to the quantity step"] = new(
            Following().Then(Filled(1, OrderSide.Buy, 0.0100005m)), Sig(2, OrderSide.Sell), new SignalPlan.Place(Intent(2, OrderSide.Sell, 0.01m), true)),
        ["a sell on an external account closes the holding"] = new(
            Following(ExternalAccountId).Then(Filled(1, OrderSide.Buy, 0.01m, ExternalAccountId)), Sig(2, OrderSide.Sell),
            new SignalPlan.Place(Intent(2, OrderSide.Sell, 0.01m, ExternalAccountId), false)),

        // ---- Paper funds
        ["paper cash short of the buy with costs: rejected for insufficient funds"] = new(
            Following(paperCash: 999m), Sig(1), new SignalPlan.Reject(Intent(1, quantity: PaperBuyQuantity), "insufficient funds")),
        ["paper cash exactly covering the buy with costs: placed"] = new(
            Following(paperCash: 999.99824925m), Sig(1), new SignalPlan.Place(Intent(1, quantity: PaperBuyQuantity), true)),
        ["a sell of more than the paper account holds: rejected for insufficient funds"] = new(
            // The subscription bought 0.02; a bot sold 0.01 of it on the same account.
            Following().Then(Filled(1, OrderSide.Buy, 0.02m), Filled(1, OrderSide.Sell, 0.01m, source: "bot:b1")), Sig(2, OrderSide.Sell),
            new SignalPlan.Reject(Intent(2, OrderSide.Sell, 0.02m), "insufficient funds")),
        ["an external account is never refused for funds"] = new(
            Following(ExternalAccountId, budget: 1_000_000m, paperCash: 0m), Sig(1),
            new SignalPlan.Place(Intent(1, quantity: 19.960079m, account: ExternalAccountId), false)),

        // ---- Place
        ["a paper buy is placed on the embedded paper venue, sized with the paper costs"] = new(Following(), Sig(1), new SignalPlan.Place(Intent(1, quantity: PaperBuyQuantity), true)),
        ["an external buy is placed with the intent first, sized with the external margin"] = new(
            Following(ExternalAccountId), Sig(1), new SignalPlan.Place(Intent(1, quantity: ExternalBuyQuantity, account: ExternalAccountId), false)),
        ["the next signal after the start sequence is placed"] = new(Following(startAfter: 5), Sig(6), new SignalPlan.Place(Intent(6, quantity: PaperBuyQuantity), true)),

        // ---- The venue's instrument rules (decision 025)
        ["an external buy is sized to its venue's step, not the engine's"] = new(
            Following(ExternalAccountId), Sig(1), new SignalPlan.Place(Intent(1, quantity: 0.019m, account: ExternalAccountId), false), Rules: Venue(new InstrumentRule.Known(VenueBtc))),
        ["a venue whose rules are not learnt yet: asked first"] = new(
            Following(ExternalAccountId), Sig(1), new SignalPlan.LearnInstrument(ExternalAccountId, Symbol), Rules: Venue(new InstrumentRule.Unlearnt())),
        ["a symbol the venue does not trade: skipped with its reason"] = new(
            Following(ExternalAccountId), Sig(1), new SignalPlan.Skip("bybit does not list BTCUSDT"), Rules: Venue(new InstrumentRule.NotTraded("bybit does not list BTCUSDT"))),
        ["unlearnt rules with an open order: deferred first"] = new(
            Following(ExternalAccountId).Then(new OrderSubmitted(Intent(1, account: ExternalAccountId), T0)), Sig(2), new SignalPlan.Defer(Unresolved),
            Rules: Venue(new InstrumentRule.Unlearnt())),
        ["a stale signal with unlearnt rules: stale wins, nothing is asked"] = new(
            Following(ExternalAccountId), Sig(1), new SignalPlan.Skip("stale"), Now: SignalTime.AddMinutes(5), Rules: Venue(new InstrumentRule.Unlearnt())),
        ["a budget below the venue's minimum notional: skipped naming it"] = new(
            Following(ExternalAccountId, budget: 99m), Sig(1), new SignalPlan.Skip("notional 50 is below BTCUSDT's minimum 100 at the venue"), Rules: Venue(new InstrumentRule.Known(VenueBtc))),
        ["a budget at the venue's minimum notional with the margin: placed"] = new(
            Following(ExternalAccountId, budget: 100.2m), Sig(1), new SignalPlan.Place(Intent(1, quantity: 0.002m, account: ExternalAccountId), false), Rules: Venue(new InstrumentRule.Known(VenueBtc))),
        ["a holding whose notional is below the venue's minimum: the sell is skipped"] = new(
            Following(ExternalAccountId).Then(Filled(1, OrderSide.Buy, 0.0019m, ExternalAccountId)), Sig(2, OrderSide.Sell),
            new SignalPlan.Skip("notional 50 is below BTCUSDT's minimum 100 at the venue"), Rules: Venue(new InstrumentRule.Known(VenueBtc))),
        ["the paper account keeps the engine's table whatever the venues say"] = new(Following(), Sig(1), new SignalPlan.Place(Intent(1, quantity: PaperBuyQuantity), true),
            Rules: Venue(new InstrumentRule.Unlearnt())),
    };

    public static TheoryData<string> Rules => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(Rules))]
    public void Plan_signal(string rule)
    {
        var c = Cases[rule];

        var plan = TenantDecisions.PlanSignal(c.State, c.Signal, Costs, MaxAge, c.Now ?? c.Signal.Time.AddSeconds(5), c.Rules);

        Assert.Equal(c.Expected, plan);
    }

    [Fact]
    public void The_intent_is_fixed_by_the_signal_before_any_venue_is_called()
    {
        var signal = new Signal(Strategy, 7, "ETHUSDT", OrderSide.Buy, 2_000m, SignalTime, "rsi crossed");
        var state = WithAccounts().Then(new Subscribed(Strategy, ExternalAccountId, "ETHUSDT", 500m, T0, StartAfterSequence: 6));

        var place = Assert.IsType<SignalPlan.Place>(TenantDecisions.PlanSignal(state, signal, Costs, MaxAge, SignalTime));

        Assert.Equal(ClientOrderIds.Create("t1", "ext", "strategy:rsi", 7, 0), place.Intent.ClientOrderId);
        Assert.Equal("ext", place.Intent.AccountId);
        Assert.Equal("strategy:rsi", place.Intent.Source);
        Assert.Equal(7, place.Intent.SourceSequence);
        Assert.Equal("ETHUSDT", place.Intent.Symbol);
        Assert.Equal(OrderSide.Buy, place.Intent.Side);
        Assert.Equal(0.2495m, place.Intent.Quantity); // 500 / (2000 * 1.002) = 0.24950.. -> ETH step 0.0001
        Assert.Equal(2_000m, place.Intent.ReferencePrice);
        Assert.False(place.EmbeddedPaper);
    }

    [Fact]
    public void Planning_the_same_signal_twice_gives_the_same_client_order_id()
    {
        var state = Following(ExternalAccountId);

        var first = Assert.IsType<SignalPlan.Place>(TenantDecisions.PlanSignal(state, Sig(1), Costs, MaxAge, SignalTime));
        var again = Assert.IsType<SignalPlan.Place>(TenantDecisions.PlanSignal(state, Sig(1), Costs, MaxAge, SignalTime.AddSeconds(30)));

        Assert.Equal(first.Intent, again.Intent);
    }

    [Fact]
    public void The_paper_costs_passed_in_size_a_paper_buy()
    {
        // Without fee or slippage the whole budget buys: 1000 / 50 000 = 0.02 exactly.
        var plan = TenantDecisions.PlanSignal(Following(), Sig(1), new PaperVenueCosts(FeeRate: 0m, SlippageBps: 0m), MaxAge, SignalTime);

        Assert.Equal(new SignalPlan.Place(Intent(1, quantity: 0.02m), true), plan);
    }

    [Fact]
    public void The_max_age_passed_in_decides_staleness()
    {
        var now = SignalTime.AddSeconds(10);

        Assert.Equal(new SignalPlan.Skip(TenantDecisions.StaleReason), TenantDecisions.PlanSignal(Following(), Sig(1), Costs, TimeSpan.FromSeconds(9), now));
        Assert.IsType<SignalPlan.Place>(TenantDecisions.PlanSignal(Following(), Sig(1), Costs, TimeSpan.FromSeconds(10), now));
    }
}
