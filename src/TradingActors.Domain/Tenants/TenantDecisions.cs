using System.Collections.Immutable;
using System.Globalization;
using TradingActors.Domain.Billing;
using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Paper;
using TradingActors.Domain.Strategies;

namespace TradingActors.Domain.Tenants;

/// <summary>Events to persist, or a rejection reason that changes nothing; OverPlan when the tenant's plan refused it (decision 032).</summary>
public sealed record Decision(ImmutableArray<ITenantEvent> Events, string? Rejection, PlanRefusal? OverPlan = null)
{
    public bool Accepted => Rejection is null;
    public static Decision Accept(params ITenantEvent[] events) => new([.. events], null);
    public static Decision Reject(string reason) => new([], reason);

    /// <summary>Refused by the plan: the reason names the limit and the plan that lifts it.</summary>
    public static Decision Reject(PlanRefusal refusal) => new([], refusal.Reason, refusal);
}

/// <summary>What a tenant does with one strategy signal.</summary>
public abstract record SignalPlan
{
    /// <summary>Not this tenant's business (no tenant, not subscribed, paused, already processed): nothing to remember.</summary>
    public sealed record Ignore(string Reason) : SignalPlan;

    /// <summary>An earlier signal of this strategy is still missing: wait until it is fetched and executed first.</summary>
    public sealed record Wait(long Missing) : SignalPlan;

    /// <summary>Not now (an earlier order of this subscription is unresolved): keep it pending, unacknowledged.</summary>
    public sealed record Defer(string Reason) : SignalPlan;

    /// <summary>Settled without an order (stale, already holding, flat...): persisted as a skipped execution.</summary>
    public sealed record Skip(string Reason) : SignalPlan;

    /// <summary>Refused before reaching the venue (e.g. insufficient paper funds): persisted as a rejection.</summary>
    public sealed record Reject(OrderIntent Intent, string Reason) : SignalPlan;

    /// <summary>The account's venue has not said its rules for the symbol yet: keep the signal pending, ask, then plan it again.</summary>
    public sealed record LearnInstrument(string AccountId, string Symbol) : SignalPlan;

    /// <summary>Place this order. Embedded paper orders persist one event after the fill; external ones persist the intent first.</summary>
    public sealed record Place(OrderIntent Intent, bool EmbeddedPaper) : SignalPlan;
}

/// <summary>What a tenant does with a trader's manual order (market or limit).</summary>
public abstract record ManualOrderPlan
{
    /// <summary>Refused before anything is decided (bad request, unknown account, no price): nothing persisted.</summary>
    public sealed record Invalid(string Reason) : ManualOrderPlan;

    /// <summary>The same request was placed before (a retry): its order, not a second one.</summary>
    public sealed record AlreadyPlaced(string ClientOrderId) : ManualOrderPlan;

    /// <summary>Refused before reaching the venue (paper funds or holdings): persisted as a rejected order.</summary>
    public sealed record Reject(OrderIntent Intent, string Reason) : ManualOrderPlan;

    public sealed record Place(OrderIntent Intent, bool EmbeddedPaper) : ManualOrderPlan;

    /// <summary>The account's venue has not said its rules for the symbol yet: ask, then plan the request again.</summary>
    public sealed record LearnInstrument(string AccountId, string Symbol) : ManualOrderPlan;
}

/// <summary>Why a cancel was refused: the tenant has no such order, or it has ended already.</summary>
public enum CancelRefusal
{
    UnknownOrder = 1,
    Ended = 2,
}

/// <summary>What a tenant does with a trader's cancel of one of its orders.</summary>
public abstract record CancelPlan
{
    /// <summary>Nothing to cancel: nothing is sent or persisted.</summary>
    public sealed record Refuse(CancelRefusal Kind, string Reason) : CancelPlan;

    /// <summary>The order is open: its venue is asked to cancel it, and the answer is persisted like a lookup's.</summary>
    public sealed record AtVenue(OrderRecord Order) : CancelPlan;
}

/// <summary>The tenant's rules: pure functions from state and command to events or a rejection.</summary>
public static class TenantDecisions
{
    public const int MaxIdLength = 64;

    public static string? ValidateId(string? id, string what) =>
        string.IsNullOrWhiteSpace(id) ? $"{what} is required"
        : id.Length > MaxIdLength ? $"{what} must be at most {MaxIdLength} characters"
        : !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') ? $"{what} may contain only letters, digits, '-', '_' and '.'"
        : null;

    /// <summary>
    /// A new tenant; on <paramref name="plan"/> from the start when one is given (the API's sign-ups: Free), otherwise on the
    /// legacy plan (the engine's own tenants: drills, benchmarks, the seeded demo tenants), decision 032.
    /// </summary>
    public static Decision Create(TenantState s, string displayName, DateTimeOffset now, Billing.Plan? plan = null)
    {
        if (ValidateId(s.TenantId, "tenant id") is { } bad) return Decision.Reject(bad);
        if (s.Exists) return Decision.Reject($"tenant '{s.TenantId}' already exists");
        var name = displayName.Trim();
        if (name.Length > 200) return Decision.Reject("display name must be at most 200 characters");
        var created = new TenantCreated(s.TenantId, name, now);
        return plan is null ? Decision.Accept(created) : Decision.Accept(created, new Billing.TenantPlanChanged(plan, null, now));
    }

    public static Decision LinkPaperAccount(TenantState s, string accountId, decimal startingCash, DateTimeOffset now)
    {
        if (RequireTenant(s) is { } missing) return missing;
        if (ValidateId(accountId, "account id") is { } bad) return Decision.Reject(bad);
        if (s.Accounts.ContainsKey(accountId)) return Decision.Reject($"account '{accountId}' is already linked");
        if (startingCash < 0) return Decision.Reject("starting cash must not be negative");
        if (startingCash > 1_000_000_000m) return Decision.Reject("starting cash must be at most 1,000,000,000");
        return Decision.Accept(new PaperAccountLinked(accountId, startingCash, now));
    }

    /// <summary>A label given to the embedded paper account when it is linked (the link and the label, one decision).</summary>
    public static Decision LinkPaperAccount(TenantState s, string accountId, decimal startingCash, string? label, DateTimeOffset now)
    {
        var link = LinkPaperAccount(s, accountId, startingCash, now);
        if (!link.Accepted || label is null) return link;
        if (BrokerAccountRules.ValidateLabel(label) is { } badLabel) return Decision.Reject(badLabel);
        return Decision.Accept([.. link.Events, new BrokerAccountRenamed(accountId, label.Trim(), now)]);
    }

    public const string CredentialKeyChanged = "the tenant's credential key changed meanwhile; seal the credentials again";

    /// <summary>
    /// An external account. With <paramref name="sealedCredentials"/> (the API's link: the user's keys sealed under the
    /// tenant's data key) the venue account number is inside them and <paramref name="venueAccountNumber"/> is empty;
    /// the first sealed account also brings the tenant's wrapped data key (<paramref name="newCredentialKey"/>), and a
    /// key that arrives when the tenant already has one is refused (<see cref="CredentialKeyChanged"/>: two links raced;
    /// the loser seals again under the winner's key). The same account linked again with the same key id is a retry.
    /// </summary>
    public static Decision LinkBrokerAccount(TenantState s, string accountId, string venue, string venueAccountNumber, IReadOnlySet<string> externalVenues, DateTimeOffset now,
        string? label = null, AccountMode? mode = null, string? keyIdHint = null, string? sealedCredentials = null, string? newCredentialKey = null)
    {
        if (RequireTenant(s) is { } missing) return missing;
        if (ValidateId(accountId, "account id") is { } bad) return Decision.Reject(bad);
        if (s.Accounts.TryGetValue(accountId, out var existing))
            return sealedCredentials is not null && existing.Venue == venue && existing.KeyIdHint == keyIdHint && existing.SealedCredentials is not null
                ? Decision.Accept()
                : Decision.Reject($"account '{accountId}' is already linked");
        if (!externalVenues.Contains(venue)) return Decision.Reject($"unknown venue '{venue}'");
        // Paper is the embedded venue's mode, and the practice mode of a venue that calls its own so (Alpaca paper).
        if (mode == AccountMode.Paper && !(BrokerAccountRules.Venues.TryGetValue(venue, out var rule) && rule.Modes.Contains(AccountMode.Paper)))
            return Decision.Reject($"an account at '{venue}' is testnet or live; paper is the embedded paper venue");
        if (label is not null && BrokerAccountRules.ValidateLabel(label) is { } badLabel) return Decision.Reject(badLabel);
        if (sealedCredentials is null)
        {
            if (ValidateId(venueAccountNumber, "venue account number") is { } badNumber) return Decision.Reject(badNumber);
            return Decision.Accept(new BrokerAccountLinked(accountId, venue, venueAccountNumber, now, label?.Trim(), mode, keyIdHint));
        }
        if (venueAccountNumber.Length > 0) return Decision.Reject("the venue account number travels sealed with the credentials");
        if (s.CredentialKey is null && newCredentialKey is null) return Decision.Reject("the tenant has no credential key yet: the first sealed credentials bring it");
        if (s.CredentialKey is not null && newCredentialKey is not null) return Decision.Reject(CredentialKeyChanged);
        var linked = new BrokerAccountLinked(accountId, venue, "", now, label?.Trim(), mode, keyIdHint, sealedCredentials);
        return newCredentialKey is null ? Decision.Accept(linked) : Decision.Accept(new CredentialKeyIssued(newCredentialKey, now), linked);
    }

    public static Decision RenameAccount(TenantState s, string accountId, string label, DateTimeOffset now)
    {
        if (RequireAccount(s, accountId) is { } missing) return missing;
        if (BrokerAccountRules.ValidateLabel(label) is { } bad) return Decision.Reject(bad);
        return s.Accounts[accountId].Label == label.Trim() ? Decision.Accept() : Decision.Accept(new BrokerAccountRenamed(accountId, label.Trim(), now));
    }

    /// <summary>One primary account per venue: choosing one unsets the venue's previous primary.</summary>
    public static Decision ChoosePrimary(TenantState s, string accountId, DateTimeOffset now) =>
        RequireAccount(s, accountId)
        ?? (s.Accounts[accountId].IsPrimary ? Decision.Accept() : Decision.Accept(new PrimaryAccountChosen(accountId, now)));

    /// <summary>Refused while a subscription (active or paused) trades on the account or one of its orders is still open at the venue.</summary>
    public static Decision UnlinkAccount(TenantState s, string accountId, DateTimeOffset now)
    {
        if (RequireAccount(s, accountId) is { } missing) return missing;
        var subscriptions = s.Subscriptions.Values.Where(x => x.AccountId == accountId).Select(x => x.Key()).Order(StringComparer.Ordinal).ToList();
        if (subscriptions.Count > 0)
            return Decision.Reject($"account '{accountId}' is used by subscription {string.Join(", ", subscriptions)}: delete the subscription first");
        var open = s.Open.Values.Where(o => o.Intent.AccountId == accountId).Select(o => o.Intent.ClientOrderId).Order(StringComparer.Ordinal).ToList();
        if (open.Count > 0)
            return Decision.Reject($"account '{accountId}' has open order {string.Join(", ", open)}: it is unlinked once the venue settles it");
        return Decision.Accept(new BrokerAccountUnlinked(accountId, now));
    }

    /// <summary>A check's outcome is persisted when it changes what the account shows (status or reason).</summary>
    public static Decision RecordVerification(TenantState s, string accountId, bool passed, string? reason, DateTimeOffset now)
    {
        if (RequireAccount(s, accountId) is { } missing) return missing;
        var a = s.Accounts[accountId];
        var status = passed ? AccountStatus.Verified : AccountStatus.Failed;
        var shown = passed ? null : reason ?? "the check failed";
        return a.Status == status && a.StatusReason == shown ? Decision.Accept() : Decision.Accept(new BrokerAccountVerified(accountId, passed, shown, now));
    }

    /// <summary>
    /// A token the account's session was issued is kept when it outlives the one kept (a late report of an older
    /// token never replaces a newer one); an account that is gone keeps nothing.
    /// </summary>
    public static Decision StoreVenueToken(TenantState s, string accountId, string sealedToken, DateTimeOffset expiresAt, DateTimeOffset now)
    {
        if (!s.Accounts.TryGetValue(accountId, out var a)) return Decision.Accept();
        return a.VenueTokenExpiresAt is { } kept && kept >= expiresAt ? Decision.Accept() : Decision.Accept(new VenueTokenStored(accountId, sealedToken, expiresAt, now));
    }

    /// <summary><paramref name="rewrapped"/>: the tenant's data key under the active master key (the same text when it already is).</summary>
    public static Decision RewrapCredentialKey(TenantState s, string rewrapped, DateTimeOffset now) =>
        s.CredentialKey is null || s.CredentialKey == rewrapped ? Decision.Accept() : Decision.Accept(new CredentialKeyRewrapped(rewrapped, now));

    public const decimal MaxBudget = 1_000_000_000m;

    /// <summary>
    /// <paramref name="startAfter"/>: the strategy's latest sequence now; the subscription trades only later signals.
    /// <paramref name="subscriptionId"/>: the subscription's own id (the API's); null makes the strategy's default
    /// subscription (id = strategy id, orders' source "strategy:{id}"). Subscribing again with an id that exists for
    /// the same strategy and account is a retry: accepted with nothing to persist. At most one subscription per
    /// (strategy, account): following a strategy on several accounts takes one subscription per account. The tenant's plan
    /// must allow one more subscription, and live trading on a live account (decision 032; <paramref name="plans"/> names
    /// the plan that lifts a limit).
    /// </summary>
    public static Decision Subscribe(TenantState s, StrategyCatalog catalog, string strategyId, string accountId, decimal budget, DateTimeOffset now,
        long startAfter = 0, string? subscriptionId = null, PlanCatalog? plans = null)
    {
        if (RequireTenant(s) is { } missing) return missing;
        if (subscriptionId is not null)
        {
            if (ValidateId(subscriptionId, "subscription id") is { } bad) return Decision.Reject(bad);
            if (s.Subscriptions.TryGetValue(subscriptionId, out var existing))
                return existing.SubscriptionId == subscriptionId && existing.StrategyId == strategyId && existing.AccountId == accountId
                    ? Decision.Accept()
                    : Decision.Reject($"subscription '{subscriptionId}' already exists");
        }
        if (!catalog.TryGet(strategyId, out var strategy))
            return Decision.Reject(catalog.IsRetired(strategyId) ? $"strategy '{strategyId}' is retired" : $"unknown strategy '{strategyId}'");
        if (!s.Accounts.ContainsKey(accountId)) return Decision.Reject($"unknown account '{accountId}'");
        if (subscriptionId is null && s.Subscriptions.ContainsKey(strategyId)) return Decision.Reject($"already subscribed to '{strategyId}'");
        foreach (var other in s.Subscriptions.Values)
            if (other.StrategyId == strategyId && other.AccountId == accountId)
                return Decision.Reject($"already subscribed to '{strategyId}' on account '{accountId}' (subscription '{other.Key()}')");
        if (CheckBudget(budget) is { } badBudget) return badBudget;
        if (PlanDecisions.Subscribe(s, accountId, plans) is { } over) return Decision.Reject(over);
        return Decision.Accept(new Subscribed(strategyId, accountId, strategy.Symbol, budget, now, startAfter, subscriptionId));
    }

    /// <summary><paramref name="subscriptionKey"/>: the subscription's id (a default subscription's is its strategy id).</summary>
    public static Decision Unsubscribe(TenantState s, string subscriptionKey, DateTimeOffset now) =>
        RequireSubscription(s, subscriptionKey)
        ?? Decision.Accept(new Unsubscribed(s.Subscriptions[subscriptionKey].StrategyId, now, s.Subscriptions[subscriptionKey].SubscriptionId));

    public static Decision Pause(TenantState s, string subscriptionKey, DateTimeOffset now) =>
        RequireSubscription(s, subscriptionKey)
        ?? (s.Subscriptions[subscriptionKey] is { Status: SubscriptionStatus.Paused }
            ? Decision.Reject($"subscription '{subscriptionKey}' is already paused")
            : Decision.Accept(new SubscriptionPaused(s.Subscriptions[subscriptionKey].StrategyId, now, s.Subscriptions[subscriptionKey].SubscriptionId)));

    /// <summary>
    /// <paramref name="startAfter"/>: the strategy's latest sequence now; signals published while paused are passed over. The
    /// tenant's plan must allow one more active subscription, and live trading on a live account (decision 032).
    /// </summary>
    public static Decision Resume(TenantState s, string subscriptionKey, DateTimeOffset now, long startAfter = 0, PlanCatalog? plans = null)
    {
        if (RequireSubscription(s, subscriptionKey) is { } missing) return missing;
        var sub = s.Subscriptions[subscriptionKey];
        if (sub.Status == SubscriptionStatus.Active) return Decision.Reject($"subscription '{subscriptionKey}' is already active");
        if (PlanDecisions.ResumeSubscription(s, sub, plans) is { } over) return Decision.Reject(over);
        return Decision.Accept(new SubscriptionResumed(sub.StrategyId, now, startAfter, sub.SubscriptionId));
    }

    /// <summary>A new budget for the next buy (what the subscription holds stays); the same budget again changes nothing.</summary>
    public static Decision ChangeBudget(TenantState s, string subscriptionKey, decimal budget, DateTimeOffset now)
    {
        if (RequireSubscription(s, subscriptionKey) is { } missing) return missing;
        if (CheckBudget(budget) is { } bad) return bad;
        var sub = s.Subscriptions[subscriptionKey];
        return sub.Budget == budget ? Decision.Accept() : Decision.Accept(new SubscriptionBudgetChanged(sub.StrategyId, budget, now, sub.SubscriptionId));
    }

    private static Decision? CheckBudget(decimal budget) =>
        budget <= 0 ? Decision.Reject("budget must be positive")
        : budget > MaxBudget ? Decision.Reject("budget must be at most 1,000,000,000")
        : null;

    public const int MaxSuspensionReasonLength = 200;

    /// <summary>Why a suspended tenant's signals settle without an order.</summary>
    public const string SuspendedReason = "tenant suspended";

    /// <summary>What a suspended tenant's trader is told: the operator's own reason stays with the operators.</summary>
    public const string SuspendedForTrader = "trading on this account is suspended by an operator";

    /// <summary>
    /// An operator stops the tenant's trading: its signals settle as skipped, manual orders are refused; orders already
    /// open still resolve, and accounts and subscriptions can still be changed.
    /// </summary>
    public static Decision Suspend(TenantState s, string reason, DateTimeOffset now) =>
        RequireTenant(s)
        ?? (string.IsNullOrWhiteSpace(reason) ? Decision.Reject("a reason is required")
            : reason.Length > MaxSuspensionReasonLength ? Decision.Reject($"the reason must be at most {MaxSuspensionReasonLength} characters")
            : s.Suspension is not null ? Decision.Reject($"tenant '{s.TenantId}' is already suspended")
            : Decision.Accept(new TenantSuspended(reason.Trim(), now)));

    /// <summary>Trading again from the next signal: those settled while suspended stay skipped.</summary>
    public static Decision ResumeTrading(TenantState s, DateTimeOffset now) =>
        RequireTenant(s)
        ?? (s.Suspension is null ? Decision.Reject($"tenant '{s.TenantId}' is not suspended") : Decision.Accept(new TenantResumed(now)));

    /// <summary>External venues' fees are theirs to charge; sizing leaves this margin so a buy stays within budget.</summary>
    public const decimal ExternalCostFactor = 1.002m;

    public const string StaleReason = "stale";

    /// <summary>
    /// What the tenant does with a strategy's signal, executed strictly in sequence order: the next
    /// one is LastProcessed + 1, a later one waits for the gap to be filled. A signal older than the
    /// strategy's maximum age is never traded at today's price (skipped as "stale"). A buy spends at
    /// most the subscription's budget (quantity = budget / price, rounded down to the instrument
    /// step, costs included) and only when the subscription is flat; a sell closes what it holds.
    /// Each subscription of a strategy executes its signals on its own: its own sequence, open order, budget and holding.
    /// Sizes follow the account's venue's rules for the symbol (<paramref name="rules"/>; the engine's table when not
    /// given): step and minimum quantity, and a notional below the venue's minimum is skipped, not sent to be refused.
    /// A buy the tenant's plan does not admit (trades per day, open positions, live trading: decision 032) is skipped with
    /// the reason; <paramref name="plans"/> names the plan that lifts the limit.
    /// </summary>
    public static SignalPlan PlanSignal(TenantState s, string subscriptionKey, Signal signal, PaperVenueCosts paperCosts, TimeSpan maxAge, DateTimeOffset now,
        InstrumentRules? rules = null, PlanCatalog? plans = null)
    {
        if (!s.Exists) return new SignalPlan.Ignore("no such tenant");
        if (!s.Subscriptions.TryGetValue(subscriptionKey, out var sub) || sub.StrategyId != signal.StrategyId) return new SignalPlan.Ignore("not subscribed");
        var last = s.LastProcessed(subscriptionKey);
        if (signal.Sequence <= last) return new SignalPlan.Ignore("already processed");
        if (sub.Status != SubscriptionStatus.Active) return new SignalPlan.Ignore("subscription paused");
        if (signal.Sequence > last + 1) return new SignalPlan.Wait(last + 1);
        if (s.Suspension is not null) return new SignalPlan.Skip(SuspendedReason);
        if (signal.Time < sub.ActiveSince) return new SignalPlan.Skip("predates the subscription");
        if (now - signal.Time > maxAge) return new SignalPlan.Skip(StaleReason);
        if (s.OpenOrderOf(subscriptionKey) is not null)
            return new SignalPlan.Defer("an earlier order of this subscription is unresolved");
        if (!s.Accounts.TryGetValue(sub.AccountId, out var account)) return new SignalPlan.Skip("account no longer linked");
        Instrument instrument;
        switch ((rules ?? InstrumentRule.EngineTable)(account, signal.Symbol))
        {
            case InstrumentRule.Known known: instrument = known.Instrument; break;
            case InstrumentRule.NotTraded no: return new SignalPlan.Skip(no.Reason);
            default: return new SignalPlan.LearnInstrument(account.AccountId, signal.Symbol);
        }

        var costFactor = account.IsEmbeddedPaper ? paperCosts.CostFactor : ExternalCostFactor;
        decimal quantity;
        if (signal.Side == OrderSide.Buy)
        {
            if (sub.Held > 0) return new SignalPlan.Skip("already holding");
            quantity = OrderSizing.BuyQuantity(sub.Budget, signal.Price, instrument, costFactor);
            if (quantity <= 0) return new SignalPlan.Skip("budget below the minimum quantity");
        }
        else
        {
            quantity = OrderSizing.SellQuantity(sub.Held, instrument);
            if (quantity <= 0) return new SignalPlan.Skip("flat");
        }
        if (BelowMinNotional(quantity, signal.Price, instrument) is { } small) return new SignalPlan.Skip(small);
        // A subscription buys only while flat with no order open, so its buy always opens a position.
        if (PlanDecisions.AdmitOrder(s, account, signal.Side, opensPosition: true, now, plans) is { } over) return new SignalPlan.Skip(over.Reason);

        var source = sub.Source();
        var intent = new OrderIntent(
            ClientOrderIds.Create(s.TenantId, account.AccountId, source, signal.Sequence, leg: 0),
            account.AccountId, source, signal.Sequence, signal.Symbol, signal.Side, quantity, signal.Price);

        if (account.Paper is { } paper && !paper.CanAfford(signal.Side, signal.Symbol, quantity, signal.Price, costFactor))
            return new SignalPlan.Reject(intent, "insufficient funds");
        return new SignalPlan.Place(intent, account.IsEmbeddedPaper);
    }

    /// <summary>The signal for the strategy's default subscription (the one whose key is the strategy id).</summary>
    public static SignalPlan PlanSignal(TenantState s, Signal signal, PaperVenueCosts paperCosts, TimeSpan maxAge, DateTimeOffset now, InstrumentRules? rules = null,
        PlanCatalog? plans = null) =>
        PlanSignal(s, signal.StrategyId, signal, paperCosts, maxAge, now, rules, plans);

    /// <summary>Why the venue would refuse an order this small (its minimum notional), or null.</summary>
    private static string? BelowMinNotional(decimal quantity, decimal price, Instrument instrument) =>
        quantity * price < instrument.MinNotional
            ? string.Create(CultureInfo.InvariantCulture, $"notional {quantity * price:G29} is below {instrument.Symbol}'s minimum {instrument.MinNotional:G29} at the venue")
            : null;

    /// <summary>
    /// Books a venue's final fill (what its working reports booked before is not booked again). An embedded paper fill
    /// that the account cannot absorb (the price moved between decision and fill) is rejected instead: persisted events
    /// must always apply.
    /// </summary>
    public static IOrderEvent SettleFill(TenantState s, OrderIntent intent, Fill fill, DateTimeOffset now)
    {
        if (s.Accounts.TryGetValue(intent.AccountId, out var account) && account.Paper is { } paper && fill.GrowthSince(s.BookedFill(intent)) is { } part)
        {
            var fits = intent.Side == OrderSide.Buy
                ? part.Quantity * part.Price + part.Fee <= paper.Cash
                : paper.Held(intent.Symbol) >= part.Quantity;
            if (!fits) return new OrderRejected(intent, "insufficient funds at the fill price", now);
        }
        return new OrderFilled(intent, fill, now);
    }

    /// <summary>
    /// The ledger event a venue's answer to a placement (or a lookup) becomes; null when nothing changes and
    /// the order stays open, resolved later by client order id (not found, a duplicate, a failed lookup, an
    /// unknown outcome the ledger already records as unknown, or a working order reported as it is booked).
    /// An open order the venue holds (Accepted, with its cumulative fill so far when partly filled) is
    /// working: persisted when it first is, when its fill grows and when its venue order id becomes known
    /// (<paramref name="venueOrderId"/>). An order that ended with nothing filled is cancelled, unless part of
    /// it was booked already (then it ended filled, with that part).
    /// The embedded paper venue is the tenant's own account: nothing is booked until the tenant
    /// persists a fill, so a paper call without an answer placed nothing (failed, never unknown).
    /// </summary>
    public static ITenantEvent? OutcomeOf(TenantState s, OrderIntent intent, VenueAnswerKind kind, Fill? fill, string? reason, bool isLookup, DateTimeOffset now,
        string? venueOrderId = null)
    {
        var embeddedPaper = s.Accounts.TryGetValue(intent.AccountId, out var account) && account.IsEmbeddedPaper;
        return kind switch
        {
            VenueAnswerKind.Filled => SettleFill(s, intent, fill ?? throw new ArgumentException("a fill answer carries its fill", nameof(fill)), now),
            VenueAnswerKind.Accepted => Working(s, intent, fill, venueOrderId, now),
            VenueAnswerKind.Cancelled => s.BookedFill(intent) is { } booked
                ? new OrderFilled(intent, booked, now)
                : new OrderCancelled(intent, reason ?? "cancelled", now),
            VenueAnswerKind.Rejected => new OrderRejected(intent, reason ?? "rejected", now),
            VenueAnswerKind.NotPlaced when !isLookup => new OrderFailed(intent, reason ?? "not placed", now),
            VenueAnswerKind.Unknown when !isLookup && embeddedPaper => new OrderFailed(intent, reason ?? "no answer from the paper venue", now),
            VenueAnswerKind.Unknown when !isLookup && (!s.Open.TryGetValue(intent.ClientOrderId, out var open) || open.Status == OrderStatus.Submitted)
                => new OrderMarkedUnknown(intent, reason ?? "no answer", now),
            _ => null,
        };
    }

    /// <summary>The open order's working report when it tells something new (status, fill growth, venue order id); null otherwise.</summary>
    private static OrderWorking? Working(TenantState s, OrderIntent intent, Fill? fill, string? venueOrderId, DateTimeOffset now)
    {
        // A paper limit order the paper venue took to rest opens working (decision 027); otherwise only an open order is
        // followed, and one that ended stays as it ended.
        if (!s.Open.TryGetValue(intent.ClientOrderId, out var open))
            return fill is null && !s.Knows(intent.ClientOrderId) && s.Accounts.TryGetValue(intent.AccountId, out var account) && account.IsEmbeddedPaper
                ? new OrderWorking(intent, null, venueOrderId, now)
                : null;
        var grew = fill?.GrowthSince(open.Fill) is not null;
        var newId = venueOrderId is not null && venueOrderId != open.VenueOrderId;
        if (open.Status == OrderStatus.Working && !grew && !newId) return null;
        return new OrderWorking(intent, grew ? fill : open.Fill, venueOrderId ?? open.VenueOrderId, now);
    }

    public const string CancelledBeforePlacedReason = "not at the venue after the visibility window: cancelled before it was placed";

    /// <summary>
    /// What a venue's answer to a cancel becomes: what a lookup's would (cancelled, filled, still working, nothing when
    /// the venue did not answer), except that an order the venue does not have once its placement can no longer land
    /// (<see cref="ResolutionPolicy.EarliestReplace"/>) ends cancelled: the trader wants it gone, so it is never placed again.
    /// </summary>
    public static ITenantEvent? CancelOutcomeOf(TenantState s, OrderIntent intent, VenueAnswerKind kind, Fill? fill, string? reason, string? venueOrderId,
        ResolutionPolicy policy, DateTimeOffset now) =>
        kind == VenueAnswerKind.NotFound && s.Open.TryGetValue(intent.ClientOrderId, out var open) && open.Status != OrderStatus.Working && now >= policy.EarliestReplace(open)
            ? new OrderCancelled(intent, CancelledBeforePlacedReason, now)
            : OutcomeOf(s, intent, kind, fill, reason, isLookup: true, now, venueOrderId);

    /// <summary>
    /// A trader's cancel: an open order is cancelled at its venue; an order that ended, or one the tenant does not know,
    /// is refused with the reason (the ended order's status when the tenant still holds it).
    /// </summary>
    public static CancelPlan PlanCancel(TenantState s, string clientOrderId)
    {
        if (s.Open.TryGetValue(clientOrderId, out var open)) return new CancelPlan.AtVenue(open);
        if (!s.Knows(clientOrderId)) return new CancelPlan.Refuse(CancelRefusal.UnknownOrder, "unknown order");
        return new CancelPlan.Refuse(CancelRefusal.Ended, s.Find(clientOrderId) is { } ended
            ? $"the order has already ended ({ended.Status.ToString().ToLowerInvariant()})"
            : "the order has already ended");
    }

    /// <summary>
    /// A manual market order, sized by quantity or by notional (exactly one). Its client order id comes
    /// from the request key, so the same request placed twice is one order. A quantity is rounded down to
    /// the instrument's step; a notional buy is sized like a strategy's budget (costs included), a notional
    /// sell as notional / price. <paramref name="price"/> is the latest market price (the order's reference).
    /// A limit order (<paramref name="type"/>) needs a positive <paramref name="limitPrice"/>, rounded to the
    /// instrument's tick, and is sized by notional at that price; a market order takes none. At the embedded paper
    /// account a limit order that is not marketable rests until a price crosses it (<see cref="PaperLimitOrders"/>).
    /// The instrument's rules are the account's venue's (<paramref name="rules"/>; the engine's table when not given).
    /// A buy on a live account is refused when the tenant's plan has no live trading (a sell never is: decision 032).
    /// </summary>
    public static ManualOrderPlan PlanManualOrder(TenantState s, string requestKey, string accountId, string symbol, OrderSide side,
        decimal? quantity, decimal? notional, decimal? price, PaperVenueCosts paperCosts, OrderType type = OrderType.Market, decimal? limitPrice = null,
        InstrumentRules? rules = null, PlanCatalog? plans = null)
    {
        if (!s.Exists) return new ManualOrderPlan.Invalid($"tenant '{s.TenantId}' does not exist");
        if (ValidateId(requestKey, "idempotency key") is { } badKey) return new ManualOrderPlan.Invalid(badKey);
        // Stryker disable once String : a null id is looked up as some id no account has; any such string answers the same
        if (!s.Accounts.TryGetValue(accountId ?? "", out var account)) return new ManualOrderPlan.Invalid($"unknown account '{accountId}'");
        if (string.IsNullOrEmpty(symbol)) return new ManualOrderPlan.Invalid($"unknown symbol '{symbol}'");
        Instrument instrument;
        switch ((rules ?? InstrumentRule.EngineTable)(account, symbol))
        {
            case InstrumentRule.Known known: instrument = known.Instrument; break;
            case InstrumentRule.NotTraded no: return new ManualOrderPlan.Invalid(no.Reason);
            default: return new ManualOrderPlan.LearnInstrument(account.AccountId, symbol);
        }
        if (quantity is null == notional is null) return new ManualOrderPlan.Invalid("give either a quantity or a notional");
        if (quantity <= 0 || notional <= 0) return new ManualOrderPlan.Invalid("quantity and notional must be positive");
        if (type == OrderType.Market && limitPrice is not null) return new ManualOrderPlan.Invalid("a market order takes no limit price");
        decimal? limit = null;
        if (type == OrderType.Limit)
        {
            if (limitPrice is not > 0m) return new ManualOrderPlan.Invalid("a limit order needs a positive limit price");
            limit = instrument.RoundPrice(limitPrice.Value);
            if (limit <= 0) return new ManualOrderPlan.Invalid(string.Create(CultureInfo.InvariantCulture, $"the limit price is below {instrument.Symbol}'s tick {instrument.PriceTick}"));
        }

        var source = Sources.Manual(requestKey);
        var clientOrderId = ClientOrderIds.Create(s.TenantId, account.AccountId, source, 0, leg: 0);
        if (s.Knows(clientOrderId)) return new ManualOrderPlan.AlreadyPlaced(clientOrderId);
        if (s.Suspension is not null) return new ManualOrderPlan.Invalid(SuspendedForTrader);
        if (PlanDecisions.ManualOrder(s, account, side, plans) is { } over) return new ManualOrderPlan.Invalid(over.Reason);
        if (price is not { } p || p <= 0) return new ManualOrderPlan.Invalid($"no market price for {instrument.Symbol} yet");

        var costFactor = account.IsEmbeddedPaper ? paperCosts.CostFactor : ExternalCostFactor;
        // A limit order is sized at its limit: what a notional buys (or a sell brings) at the price it may fill at.
        var sizingPrice = limit ?? p;
        var size = quantity is { } q
            ? OrderSizing.RoundedQuantity(q, instrument)
            : side == OrderSide.Buy ? OrderSizing.BuyQuantity(notional!.Value, sizingPrice, instrument, costFactor) : OrderSizing.RoundedQuantity(notional!.Value / sizingPrice, instrument);
        if (size <= 0) return new ManualOrderPlan.Invalid($"the order is below {instrument.Symbol}'s minimum quantity {instrument.MinQuantity}");
        if (BelowMinNotional(size, sizingPrice, instrument) is { } small) return new ManualOrderPlan.Invalid(small);

        var intent = new OrderIntent(clientOrderId, account.AccountId, source, 0, instrument.Symbol, side, size, p, type, limit);
        // Affordable at the price it may fill at: the market's now, or a resting buy's limit.
        if (account.Paper is { } paper && !paper.CanAfford(side, instrument.Symbol, size, limit is { } l && l < p ? l : p, costFactor))
            return new ManualOrderPlan.Reject(intent, side == OrderSide.Buy ? "insufficient funds" : "insufficient holdings");
        return new ManualOrderPlan.Place(intent, account.IsEmbeddedPaper);
    }

    private static Decision? RequireTenant(TenantState s) =>
        s.Exists ? null : Decision.Reject($"tenant '{s.TenantId}' does not exist");

    private static Decision? RequireAccount(TenantState s, string accountId) =>
        RequireTenant(s) ?? (s.Accounts.ContainsKey(accountId) ? null : Decision.Reject($"unknown account '{accountId}'"));

    private static Decision? RequireSubscription(TenantState s, string subscriptionKey) =>
        RequireTenant(s) ?? (s.Subscriptions.ContainsKey(subscriptionKey) ? null : Decision.Reject($"not subscribed to '{subscriptionKey}'"));
}
