using System.Collections.Immutable;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Paper;

namespace TradingActors.Domain.Tenants;

public enum SubscriptionStatus
{
    Active = 1,
    Paused = 2,
}

/// <summary>A strategy the tenant follows on one of its accounts; Held is what this subscription bought and still holds.</summary>
/// <remarks>
/// ActiveSince is when it was created or last resumed: older signals (caught up after a restart) never trade.
/// PauseReason says why the tenant paused it (its plan no longer allowing it, decision 032); null when its trader did.
/// SubscriptionId is its own id; null for a strategy's default subscription (every subscription made before
/// subscriptions had ids, and an engine-level subscribe without an id), whose id is the strategy id and whose
/// orders' source stays "strategy:{id}" so old journals replay into the same client order ids.
/// A tenant has several subscriptions per strategy, at most one per (strategy, account).
/// </remarks>
public sealed record Subscription(string StrategyId, string AccountId, string Symbol, decimal Budget, SubscriptionStatus Status, decimal Held, DateTimeOffset ActiveSince,
    string? SubscriptionId = null, string? PauseReason = null)
{
    /// <summary>Its key in <see cref="TenantState.Subscriptions"/> and <see cref="TenantState.LastSignal"/> (methods: not part of the snapshot's shape).</summary>
    public string Key() => SubscriptionId ?? StrategyId;

    /// <summary>The source of its orders: part of their client order ids, unique per subscription.</summary>
    public string Source() => SubscriptionId is null ? Sources.Strategy(StrategyId) : Sources.Subscription(SubscriptionId);
}

/// <summary>paper: the embedded paper venue; testnet: a venue's practice environment; live: real money.</summary>
public enum AccountMode
{
    Paper = 1,
    Testnet = 2,
    Live = 3,
}

/// <summary>Unverified until a connectivity check passes or fails; the embedded paper venue is always verified.</summary>
public enum AccountStatus
{
    Unverified = 1,
    Verified = 2,
    Failed = 3,
}

/// <summary>
/// A linked broker account. Paper is set for the embedded paper venue (its balances are ours).
/// SealedCredentials: the user's keys sealed under the tenant's data key (only the account's BrokerSession opens
/// them); null for the embedded paper venue and for accounts linked by the engine without keys.
/// Mode null: an account linked before modes existed (an external one counts as live).
/// SealedVenueToken: the venue session token its broker session was last issued (sealed like the credentials),
/// valid until VenueTokenExpiresAt; null at venues without tokens and before the first one.
/// </summary>
public sealed record LinkedAccount(string AccountId, string Venue, string VenueAccountNumber, PaperAccount? Paper,
    string? Label = null, AccountMode? Mode = null, string? KeyIdHint = null, string? SealedCredentials = null,
    bool IsPrimary = false, AccountStatus Status = AccountStatus.Unverified, string? StatusReason = null,
    string? SealedVenueToken = null, DateTimeOffset? VenueTokenExpiresAt = null)
{
    public bool IsEmbeddedPaper => Paper is not null;

    /// <summary>What the account trades with: paper for the embedded venue, live when an external account never said.</summary>
    public AccountMode EffectiveMode => IsEmbeddedPaper ? AccountMode.Paper : Mode ?? AccountMode.Live;

    /// <summary>The label shown to the user: its own, or the venue and mode.</summary>
    public string DisplayLabel => Label ?? (IsEmbeddedPaper ? "Paper" : $"{Venue} {EffectiveMode.ToString().ToLowerInvariant()}");

    /// <summary>The embedded paper venue needs no check: it is always reachable.</summary>
    public AccountStatus EffectiveStatus => IsEmbeddedPaper ? AccountStatus.Verified : Status;
}

public enum OrderStatus
{
    Submitted = 1,
    Filled = 2,
    Rejected = 3,
    Failed = 4,
    Unknown = 5,
    /// <summary>Still open after the resolution limit: the venue never settled it; an operator or the user must look.</summary>
    NeedsAttention = 6,
    /// <summary>Held by the venue and not ended (resting or partly filled): followed by lookups until it ends.</summary>
    Working = 7,
    /// <summary>Ended at the venue with nothing filled.</summary>
    Cancelled = 8,
}

/// <summary>
/// One order of the ledger. SubmittedAt is when its intent became durable (for external venues,
/// before the venue was called): the original call can be in flight for at most the call timeout after it.
/// Fill is the cumulative fill booked so far (a working order's part, a filled order's all); VenueOrderId the
/// venue's own id once known (lookups at venues without client order ids use it).
/// </summary>
public sealed record OrderRecord(OrderIntent Intent, OrderStatus Status, Fill? Fill, string? Reason, DateTimeOffset At, DateTimeOffset SubmittedAt = default,
    string? VenueOrderId = null)
{
    public bool IsOpen => Status is OrderStatus.Submitted or OrderStatus.Unknown or OrderStatus.NeedsAttention or OrderStatus.Working;
}

/// <summary>Since when and why an operator suspended the tenant's trading.</summary>
public sealed record TenantSuspension(string Reason, DateTimeOffset Since);

/// <summary>A run of a strategy's signals settled without an order, and why.</summary>
public sealed record SkipRecord(string StrategyId, long FromSequence, long ToSequence, string Reason, DateTimeOffset At, string? SubscriptionId = null);

/// <summary>
/// Everything a tenant owns, rebuilt from its events. Subscriptions and LastSignal (each subscription's
/// last processed signal sequence) are keyed by <see cref="Subscription.Key"/>. Orders that have not ended
/// (submitted, unknown, needs attention, working) are kept in Open; ended ones and skipped signals in
/// bounded Recent lists (the full history belongs to the read models). Risk is the trader's limits across all its bots
/// (decision 031; null: every one off) and BotsPeakEquity the highest combined equity of its bots, kept as each bot's peak is
/// (at every step and checkpoint) so the tenant's kill switch measures from it after a restart.
/// Plan is the tenant's plan (decision 032; null: it never had one and is on the legacy plan, see <see cref="CurrentPlan"/>),
/// Quota its automated orders counted today, TimeZoneId its IANA time zone (null: UTC), where its day starts.
/// </summary>
public sealed record TenantState(
    string TenantId,
    bool Exists,
    string DisplayName,
    ImmutableDictionary<string, LinkedAccount> Accounts,
    ImmutableDictionary<string, Subscription> Subscriptions,
    ImmutableDictionary<string, long> LastSignal,
    ImmutableDictionary<string, OrderRecord> Open,
    ImmutableList<OrderRecord> Recent,
    long OrdersFilled,
    long OrdersRejected,
    long OrdersFailed,
    ImmutableList<SkipRecord>? RecentSkips = null,
    long SignalsSkipped = 0,
    ImmutableDictionary<string, DateTimeOffset>? ManualOrders = null,
    string? CredentialKey = null,
    TenantSuspension? Suspension = null,
    long OrdersCancelled = 0,
    ImmutableDictionary<string, Bots.BotRecord>? Bots = null,
    Bots.TenantRisk? Risk = null,
    decimal BotsPeakEquity = 0m,
    Billing.TenantPlan? Plan = null,
    Billing.QuotaCounters? Quota = null,
    string? TimeZoneId = null)
{
    /// <summary>
    /// The tenant's plan (a method: not part of the snapshot's shape). A tenant that never had a plan event — every tenant
    /// before plans, and every snapshot written before them — is on the legacy plan, whose limits are what it had then.
    /// </summary>
    public Billing.TenantPlan CurrentPlan() => Plan ?? Billing.TenantPlan.Legacy;

    /// <summary>The tenant's bots by id (never null, also for snapshots written before bots existed).</summary>
    public ImmutableDictionary<string, Bots.BotRecord> BotsById => Bots ?? ImmutableDictionary<string, Bots.BotRecord>.Empty;

    /// <summary>The tenant's risk limits across its bots (never null: every one off until its trader sets them, and for snapshots written before).</summary>
    public Bots.TenantRisk RiskLimits => Risk ?? TradingActors.Domain.Bots.TenantRisk.Off;

    public const int RecentOrdersKept = 20;
    public const int RecentSkipsKept = 20;

    /// <summary>How long a manual order's client order id is remembered (a retried request within it places nothing new); the API keeps Idempotency-Keys as long.</summary>
    public static readonly TimeSpan ManualOrdersKept = TimeSpan.FromHours(24);

    public static TenantState Empty(string tenantId) => new(
        tenantId, false, "",
        ImmutableDictionary<string, LinkedAccount>.Empty,
        ImmutableDictionary<string, Subscription>.Empty,
        ImmutableDictionary<string, long>.Empty,
        ImmutableDictionary<string, OrderRecord>.Empty,
        ImmutableList<OrderRecord>.Empty,
        0, 0, 0,
        ImmutableList<SkipRecord>.Empty,
        0);

    /// <summary>Skipped runs, newest last (never null, also for snapshots written before skips existed).</summary>
    public ImmutableList<SkipRecord> Skips => RecentSkips ?? ImmutableList<SkipRecord>.Empty;

    /// <summary>Tenants with an active subscription must stay resident to act on signals.</summary>
    public bool HasActiveSubscriptions => Subscriptions.Values.Any(s => s.Status == SubscriptionStatus.Active);

    /// <summary>The last signal sequence the subscription (by key; a default subscription's key is its strategy id) has processed.</summary>
    public long LastProcessed(string subscriptionKey) => LastSignal.GetValueOrDefault(subscriptionKey);

    /// <summary>The active subscriptions of a strategy, in key order (the order the tenant executes them in).</summary>
    public IEnumerable<Subscription> ActiveSubscriptionsOf(string strategyId) =>
        Subscriptions.Values.Where(s => s.StrategyId == strategyId && s.Status == SubscriptionStatus.Active).OrderBy(s => s.Key(), StringComparer.Ordinal);

    /// <summary>
    /// How far the tenant has settled a strategy's signals: the lowest last processed sequence of its active
    /// subscriptions (a signal is acknowledged once every one of them has processed it); null without one.
    /// </summary>
    public long? SettledThrough(string strategyId)
    {
        long? lowest = null;
        foreach (var sub in ActiveSubscriptionsOf(strategyId))
        {
            var last = LastProcessed(sub.Key());
            if (lowest is not { } l || last < l) lowest = last;
        }
        return lowest;
    }

    /// <summary>Whether this client order id is an order the tenant already has: open, recent, or a manual order within <see cref="ManualOrdersKept"/>.</summary>
    public bool Knows(string clientOrderId) =>
        Open.ContainsKey(clientOrderId)
        || ManualOrders?.ContainsKey(clientOrderId) == true
        || Recent.Any(r => r.Intent.ClientOrderId == clientOrderId);

    /// <summary>The order's status if the tenant still holds it (open or recent); null when only its id is remembered.</summary>
    public OrderRecord? Find(string clientOrderId) =>
        Open.TryGetValue(clientOrderId, out var open) ? open : Recent.LastOrDefault(r => r.Intent.ClientOrderId == clientOrderId);

    /// <summary>The open order a subscription (by key) is waiting on, if any (one at a time per subscription).</summary>
    public OrderRecord? OpenOrderOf(string subscriptionKey)
    {
        var source = Subscriptions.TryGetValue(subscriptionKey, out var sub) ? sub.Source() : Sources.Strategy(subscriptionKey);
        foreach (var order in Open.Values)
            if (order.Intent.Source == source) return order;
        return null;
    }

    public TenantState Apply(ITenantEvent e)
    {
        var next = ApplyOne(e);
        if (e is not IOrderEvent o) return next;
        // An automated order that reached a venue counts toward the tenant's trades today (decision 032).
        if (Billing.PlanState.Places(this, next, o)) next = Billing.PlanState.CountTrade(next, o.At);
        // A bot's order: no longer pending once the ledger has it, no longer cancelling once it ended.
        return Sources.BotIdOf(o.Intent.Source) is { } botId ? next.AfterBotOrder(botId, o) : next;
    }

    private TenantState ApplyOne(ITenantEvent e) => e switch
    {
        TradingActors.Domain.Bots.IBotEvent b => TradingActors.Domain.Bots.BotState.Apply(this, b),
        Billing.TenantPlanChanged or Billing.TenantPlanPastDue or Billing.TenantPlanLapsed or Billing.TenantTimeZoneSet => Billing.PlanState.Apply(this, e),
        TradingActors.Domain.Bots.TenantRiskLimitsSet r => this with { Risk = r.Limits },
        TenantCreated c => this with { Exists = true, DisplayName = c.DisplayName },
        TenantSuspended x => this with { Suspension = new TenantSuspension(x.Reason, x.At) },
        TenantResumed => this with { Suspension = null },
        PaperAccountLinked p => WithLinked(new LinkedAccount(p.AccountId, Venues.Paper, p.AccountId, PaperAccount.Open(p.StartingCash))),
        BrokerAccountLinked b => WithLinked(new LinkedAccount(b.AccountId, b.Venue, b.VenueAccountNumber, null, b.Label, b.Mode, b.KeyIdHint, b.SealedCredentials)),
        CredentialKeyIssued k => this with { CredentialKey = k.WrappedDataKey },
        CredentialKeyRewrapped k => this with { CredentialKey = k.WrappedDataKey },
        BrokerAccountRenamed r => WithAccount(r.AccountId, a => a with { Label = r.Label }),
        PrimaryAccountChosen p => Accounts.TryGetValue(p.AccountId, out var chosen) ? WithPrimary(chosen.Venue, p.AccountId) : this,
        BrokerAccountVerified v => WithAccount(v.AccountId, a => a with { Status = v.Passed ? AccountStatus.Verified : AccountStatus.Failed, StatusReason = v.Passed ? null : v.Reason }),
        VenueTokenStored t => WithAccount(t.AccountId, a => a with { SealedVenueToken = t.SealedToken, VenueTokenExpiresAt = t.ExpiresAt }),
        BrokerAccountUnlinked u => Unlink(u.AccountId),
        Subscribed s => AdvanceTo(s.Key(), s.StartAfterSequence) with
        {
            Subscriptions = Subscriptions.SetItem(s.Key(), new Subscription(s.StrategyId, s.AccountId, s.Symbol, s.Budget, SubscriptionStatus.Active, 0m, s.At, s.SubscriptionId)),
        },
        // A subscription with its own id takes its progress with it (ids are not reused); a default one keeps the
        // strategy's progress, as before subscriptions had ids.
        Unsubscribed u => this with
        {
            Subscriptions = Subscriptions.Remove(u.Key()),
            LastSignal = u.SubscriptionId is null ? LastSignal : LastSignal.Remove(u.Key()),
        },
        SubscriptionPaused p => WithSubscription(p.Key(), s => s with { Status = SubscriptionStatus.Paused, PauseReason = p.Reason }),
        SubscriptionResumed r => AdvanceTo(r.Key(), r.StartAfterSequence).WithSubscription(r.Key(), s => s with { Status = SubscriptionStatus.Active, ActiveSince = r.At, PauseReason = null }),
        SubscriptionBudgetChanged b => WithSubscription(b.Key(), s => s with { Budget = b.Budget }),
        OrderSubmitted o => Advance(o.Intent, o.At) with { Open = Open.SetItem(o.Intent.ClientOrderId, new OrderRecord(o.Intent, OrderStatus.Submitted, null, null, o.At, o.At)) },
        OrderMarkedUnknown u => Advance(u.Intent, u.At) with { Open = Open.SetItem(u.Intent.ClientOrderId, new OrderRecord(u.Intent, OrderStatus.Unknown, null, u.Reason, u.At, SubmittedAt(u.Intent, u.At))) },
        OrderNeedsAttention n => Open.ContainsKey(n.Intent.ClientOrderId)
            ? this with { Open = Open.SetItem(n.Intent.ClientOrderId, Open[n.Intent.ClientOrderId] with { Status = OrderStatus.NeedsAttention, Reason = n.Reason, At = n.At }) }
            : this,
        OrderFilled f => ApplyFill(f),
        OrderWorking w => ApplyWorking(w),
        OrderCancelled c => Settle(c.Intent, new OrderRecord(c.Intent, OrderStatus.Cancelled, BookedFill(c.Intent), c.Reason, c.At, SubmittedAt(c.Intent, c.At), VenueOrderIdOf(c.Intent)), c.At)
            with { OrdersCancelled = OrdersCancelled + 1 },
        OrderRejected r => Settle(r.Intent, new OrderRecord(r.Intent, OrderStatus.Rejected, null, r.Reason, r.At, SubmittedAt(r.Intent, r.At)), r.At) with { OrdersRejected = OrdersRejected + 1 },
        OrderFailed x => Settle(x.Intent, new OrderRecord(x.Intent, OrderStatus.Failed, null, x.Reason, x.At, SubmittedAt(x.Intent, x.At)), x.At) with { OrdersFailed = OrdersFailed + 1 },
        SignalsSkipped k => ApplySkip(k),
        _ => throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name, "unknown tenant event"),
    };

    private TenantState AfterBotOrder(string botId, IOrderEvent e)
    {
        if (!BotsById.TryGetValue(botId, out var bot)) return this;
        var id = e.Intent.ClientOrderId;
        var next = bot with
        {
            Pending = bot.Pending.RemoveAll(p => p.ClientOrderId == id),
            Cancelling = Open.ContainsKey(id) ? bot.Cancelling : bot.Cancelling.Remove(id),
        };
        return next == bot ? this : this with { Bots = BotsById.SetItem(botId, next) };
    }

    private DateTimeOffset SubmittedAt(OrderIntent intent, DateTimeOffset otherwise) =>
        Open.TryGetValue(intent.ClientOrderId, out var open) && open.SubmittedAt != default ? open.SubmittedAt : otherwise;

    private string? VenueOrderIdOf(OrderIntent intent) => Open.GetValueOrDefault(intent.ClientOrderId)?.VenueOrderId;

    /// <summary>The final fill: books only what the order's working reports have not booked already.</summary>
    private TenantState ApplyFill(OrderFilled f)
    {
        var growth = f.Fill.GrowthSince(BookedFill(f.Intent));
        return (Settle(f.Intent, new OrderRecord(f.Intent, OrderStatus.Filled, f.Fill, null, f.At, SubmittedAt(f.Intent, f.At), f.Fill.VenueOrderId), f.At)
            with { OrdersFilled = OrdersFilled + 1 }).Book(f.Intent, growth);
    }

    /// <summary>The fill booked so far for the order: a working order's part (null when it is not open).</summary>
    public Fill? BookedFill(OrderIntent intent) => Open.GetValueOrDefault(intent.ClientOrderId)?.Fill;

    /// <summary>A report of an open order the venue holds: its status, its venue id once known, and the growth of its fill booked.</summary>
    private TenantState ApplyWorking(OrderWorking w)
    {
        // A paper limit order taken to rest (decision 027) opens here: the paper venue is called before anything is persisted.
        if (!Open.ContainsKey(w.Intent.ClientOrderId) && w.FilledSoFar is null && !Knows(w.Intent.ClientOrderId)
            && Accounts.TryGetValue(w.Intent.AccountId, out var account) && account.IsEmbeddedPaper)
            return Advance(w.Intent, w.At) with
            {
                Open = Open.SetItem(w.Intent.ClientOrderId, new OrderRecord(w.Intent, OrderStatus.Working, null, null, w.At, w.At, w.VenueOrderId)),
            };
        // Only an open order is followed (a late report of one that ended changes nothing).
        if (!Open.TryGetValue(w.Intent.ClientOrderId, out var open)) return this;
        var growth = w.FilledSoFar?.GrowthSince(open.Fill);
        var record = open with
        {
            Status = OrderStatus.Working,
            Reason = null,
            At = w.At,
            Fill = growth is null ? open.Fill : w.FilledSoFar,
            VenueOrderId = w.VenueOrderId ?? open.VenueOrderId,
        };
        return (this with { Open = Open.SetItem(w.Intent.ClientOrderId, record) }).Book(w.Intent, growth);
    }

    /// <summary>Books a part of an order that filled: the paper account's cash and position, the subscription's holding.</summary>
    private TenantState Book(OrderIntent intent, Fill? part)
    {
        if (part is null) return this;
        var next = this;
        if (Sources.BotIdOf(intent.Source) is { } botId && BotsById.TryGetValue(botId, out var bot))
            next = next with { Bots = BotsById.SetItem(botId, bot with { Ledger = bot.Ledger.Book(intent.Side, part.Quantity, part.Price, part.Fee) }) };
        if (next.Accounts.TryGetValue(intent.AccountId, out var account) && account.Paper is { } paper)
            next = next with { Accounts = next.Accounts.SetItem(account.AccountId, account with { Paper = paper.Apply(intent.Side, part, intent.Symbol) }) };
        var key = Sources.SubscriptionKeyOf(intent.Source);
        if (key is not null && next.Subscriptions.TryGetValue(key, out var sub) && sub.Source() == intent.Source)
        {
            var held = intent.Side == OrderSide.Buy ? sub.Held + part.Quantity : Math.Max(0m, sub.Held - part.Quantity);
            next = next with { Subscriptions = next.Subscriptions.SetItem(key, sub with { Held = held }) };
        }
        return next;
    }

    private TenantState ApplySkip(SignalsSkipped k)
    {
        var skips = Skips.Add(new SkipRecord(k.StrategyId, k.FromSequence, k.ToSequence, k.Reason, k.At, k.SubscriptionId));
        // Stryker disable once Equality : at the limit it removes nothing
        if (skips.Count > RecentSkipsKept) skips = skips.RemoveRange(0, skips.Count - RecentSkipsKept);
        return AdvanceSubscription(k.Key(), k.SubscriptionId is not null, k.ToSequence) with
        {
            RecentSkips = skips,
            SignalsSkipped = SignalsSkipped + (k.ToSequence - k.FromSequence + 1),
        };
    }

    /// <summary>
    /// Every outcome of a signal advances that subscription's last processed sequence (dedupe on redelivery);
    /// a manual order's id is remembered for <see cref="ManualOrdersKept"/> (dedupe of a retried request).
    /// </summary>
    private TenantState Advance(OrderIntent intent, DateTimeOffset at)
    {
        if (Sources.IsManual(intent.Source)) return RememberManual(intent.ClientOrderId, at);
        var key = Sources.SubscriptionKeyOf(intent.Source);
        return key is null ? this : AdvanceSubscription(key, Sources.SubscriptionIdOf(intent.Source) is not null, intent.SourceSequence);
    }

    /// <summary>A subscription with its own id that is gone keeps no progress (its id is not used again); a default one always does.</summary>
    private TenantState AdvanceSubscription(string key, bool ownId, long sequence) =>
        ownId && !Subscriptions.ContainsKey(key) ? this : AdvanceTo(key, sequence);

    private TenantState RememberManual(string clientOrderId, DateTimeOffset at)
    {
        var kept = ManualOrders ?? ImmutableDictionary<string, DateTimeOffset>.Empty;
        var horizon = at - ManualOrdersKept;
        foreach (var (id, placed) in kept)
            if (placed < horizon) kept = kept.Remove(id);
        return this with { ManualOrders = kept.ContainsKey(clientOrderId) ? kept : kept.SetItem(clientOrderId, at) };
    }

    private TenantState AdvanceTo(string key, long sequence) =>
        LastProcessed(key) >= sequence ? this : this with { LastSignal = LastSignal.SetItem(key, sequence) };

    private TenantState Settle(OrderIntent intent, OrderRecord record, DateTimeOffset at)
    {
        var recent = Recent.Add(record);
        // Stryker disable once Equality : at the limit it removes nothing
        if (recent.Count > RecentOrdersKept) recent = recent.RemoveRange(0, recent.Count - RecentOrdersKept);
        return Advance(intent, at) with { Open = Open.Remove(intent.ClientOrderId), Recent = recent };
    }

    /// <summary>
    /// Every venue with accounts has one primary account. A snapshot written before primaries existed (t.snapshot.v2)
    /// has none: the ordinal-first account of each such venue becomes it, as migration 0004 does for the read model.
    /// </summary>
    public TenantState WithPrimaryPerVenue()
    {
        var next = this;
        foreach (var venue in Accounts.Values.GroupBy(a => a.Venue))
            if (!venue.Any(a => a.IsPrimary))
                // Stryker disable once Linq : a group is never empty, so First and FirstOrDefault agree
                next = next.WithPrimary(venue.Key, venue.Select(a => a.AccountId).Order(StringComparer.Ordinal).First());
        return next;
    }

    /// <summary>The first account of a venue is its primary one.</summary>
    private TenantState WithLinked(LinkedAccount account) => this with
    {
        Accounts = Accounts.SetItem(account.AccountId, account with { IsPrimary = !Accounts.Values.Any(a => a.Venue == account.Venue && a.IsPrimary) }),
    };

    private TenantState WithAccount(string accountId, Func<LinkedAccount, LinkedAccount> change) =>
        Accounts.TryGetValue(accountId, out var a) ? this with { Accounts = Accounts.SetItem(accountId, change(a)) } : this;

    private TenantState WithPrimary(string venue, string accountId)
    {
        var accounts = Accounts;
        foreach (var a in Accounts.Values)
            if (a.Venue == venue && a.IsPrimary != (a.AccountId == accountId)) accounts = accounts.SetItem(a.AccountId, a with { IsPrimary = a.AccountId == accountId });
        return this with { Accounts = accounts };
    }

    /// <summary>Unlinking a venue's primary account makes the first remaining one of that venue (by id) primary.</summary>
    private TenantState Unlink(string accountId)
    {
        if (!Accounts.TryGetValue(accountId, out var gone)) return this;
        var next = this with { Accounts = Accounts.Remove(accountId) };
        var heir = next.Accounts.Values.Where(a => a.Venue == gone.Venue).OrderBy(a => a.AccountId, StringComparer.Ordinal).FirstOrDefault();
        return gone.IsPrimary && heir is not null ? next.WithPrimary(gone.Venue, heir.AccountId) : next;
    }

    private TenantState WithSubscription(string key, Func<Subscription, Subscription> change) =>
        Subscriptions.TryGetValue(key, out var s) ? this with { Subscriptions = Subscriptions.SetItem(key, change(s)) } : this;
}

public static class Venues
{
    /// <summary>The embedded paper venue: fills computed in-process, balances in the tenant's state.</summary>
    public const string Paper = "paper";
}

/// <summary>Order sources, the "source" part of a client order id.</summary>
public static class Sources
{
    private const string StrategyPrefix = "strategy:";
    private const string SubscriptionPrefix = "subscription:";
    private const string ManualPrefix = "manual:";

    /// <summary>A strategy's default subscription (the only kind before subscriptions had ids).</summary>
    public static string Strategy(string strategyId) => StrategyPrefix + strategyId;

    /// <summary>A subscription with its own id: two subscriptions of one strategy make different client order ids.</summary>
    public static string Subscription(string subscriptionId) => SubscriptionPrefix + subscriptionId;

    /// <summary>A trader's own order; the request key (the API's Idempotency-Key) makes its client order id.</summary>
    public static string Manual(string requestKey) => ManualPrefix + requestKey;

    public static bool IsManual(string source) => source.StartsWith(ManualPrefix, StringComparison.Ordinal);

    private const string BotPrefix = "bot:";

    /// <summary>A bot's orders (decision 028): with the bot's decision sequence and the leg they make the client order id.</summary>
    public static string Bot(string botId) => BotPrefix + botId;

    public static string? BotIdOf(string source) =>
        source.StartsWith(BotPrefix, StringComparison.Ordinal) ? source[BotPrefix.Length..] : null;

    /// <summary>The strategy of a default subscription's order; null for other sources (a subscription with its own id names only itself).</summary>
    public static string? StrategyIdOf(string source) =>
        source.StartsWith(StrategyPrefix, StringComparison.Ordinal) ? source[StrategyPrefix.Length..] : null;

    public static string? SubscriptionIdOf(string source) =>
        source.StartsWith(SubscriptionPrefix, StringComparison.Ordinal) ? source[SubscriptionPrefix.Length..] : null;

    /// <summary>The key of the subscription an order belongs to (a default subscription's is its strategy id); null for manual orders.</summary>
    public static string? SubscriptionKeyOf(string source) =>
        // Stryker disable once NullCoalescing : a source has one prefix, so at most one side is not null and the order does not matter
        StrategyIdOf(source) ?? SubscriptionIdOf(source);
}
