using System.Collections.Immutable;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Paper;
using TradingActors.Domain.Tenants;
using static TradingActors.Domain.Tests.Tenants.TenantHistory;

namespace TradingActors.Domain.Tests.Tenants;

/// <summary>
/// Broker accounts: BrokerAccountRules (labels, link requests, mode and status spellings), the account decisions
/// (link with label, mode and sealed credentials, rename, primary, unlink, verification, key rewrap) with their exact
/// reasons and events, and how TenantState applies the account events (one primary per venue, its heir, status).
/// </summary>
public sealed class BrokerAccountTests
{
    private static readonly DateTimeOffset Now = T0.AddMinutes(5);
    private static readonly IReadOnlySet<string> External = new HashSet<string>(StringComparer.Ordinal) { "sim", "oanda" };
    private static readonly IReadOnlySet<string> AlpacaOnly = new HashSet<string>(StringComparer.Ordinal) { "alpaca" };

    private const string Sealed = "sealed:v1:Zm9vYmFy";
    private const string Key1 = "wrapped-data-key-1";
    private const string Key2 = "wrapped-data-key-2";
    private const string KidHint = "kid-1";

    private const string ChangedKey = "the tenant's credential key changed meanwhile; seal the credentials again";
    private const string NoKeyYet = "the tenant has no credential key yet: the first sealed credentials bring it";
    private const string NumberSealed = "the venue account number travels sealed with the credentials";
    private const string PaperAtSim = "an account at 'sim' is testnet or live; paper is the embedded paper venue";
    private const string LabelRequired = "a label is required";
    private const string LabelTooLong = "a label is at most 64 characters";
    private const string LabelControl = "a label must not contain control characters";

    private static readonly string Label64 = new('l', 64);
    private static readonly string Label65 = new('l', 65);

    /// <summary>pa (paper) and ext (sim, engine-linked, no credentials), each its venue's primary, then the tenant's key and a sealed account live-1 at sim.</summary>
    private static TenantState Keyed() => WithAccounts().Then(
        new CredentialKeyIssued(Key1, T0),
        new BrokerAccountLinked("live-1", "sim", "", T0, "Main", AccountMode.Live, KidHint, Sealed));

    /// <summary>A second account at sim (not primary).</summary>
    private static TenantState TwoAtSim() => WithAccounts().Then(new BrokerAccountLinked("ext2", "sim", "ACC-2", T0));

    private static TenantState Checked(bool passed, string? reason) => WithAccounts().Then(new BrokerAccountVerified(ExternalAccountId, passed, reason, T0));

    private static OrderIntent Order(string clientOrderId, string account = ExternalAccountId) =>
        new(clientOrderId, account, Sources.Manual("k-" + clientOrderId), 0, Symbol, OrderSide.Buy, 0.01m, 50_000m);

    /// <summary>
    /// ext holds open orders B-2 (submitted), C-3 (unknown) and a-1 (needs attention) and a settled one (D-4);
    /// ext2 holds an open order of its own (0-0).
    /// </summary>
    private static TenantState WithOpenOrders() => TwoAtSim().Then(
        new OrderSubmitted(Order("B-2"), T0),
        new OrderMarkedUnknown(Order("C-3"), "timeout", T0),
        new OrderSubmitted(Order("a-1"), T0),
        new OrderNeedsAttention(Order("a-1"), "no answer", T0),
        new OrderSubmitted(Order("D-4"), T0),
        new OrderFilled(Order("D-4"), new Fill(0.01m, 50_000m, 0.5m, "V-4", T0), T0),
        new OrderSubmitted(Order("0-0", "ext2"), T0));

    /// <summary>ext is followed by the default subscription rsi, a paused subscription Z-sub and a subscription a-sub; pa by B-pa.</summary>
    private static TenantState WithSubscriptions() => WithAccounts().Then(
        new Subscribed(Strategy, ExternalAccountId, Symbol, 100m, T0),
        new Subscribed("eth-rsi", ExternalAccountId, "ETHUSDT", 100m, T0, 0, "Z-sub"),
        new SubscriptionPaused("eth-rsi", T0, "Z-sub"),
        new Subscribed("sol-rsi", ExternalAccountId, "SOLUSDT", 100m, T0, 0, "a-sub"),
        new Subscribed(Strategy, PaperAccountId, Symbol, 100m, T0, 0, "B-pa"));

    private static readonly Dictionary<string, (Func<Decision> Decide, Decision Expected)> Cases = new()
    {
        // ---- LinkPaperAccount with a label
        ["paper+label: without a label it is the plain paper link"] = (() => TenantDecisions.LinkPaperAccount(Created(), "pa", 5_000m, null, Now),
            Decision.Accept(new PaperAccountLinked("pa", 5_000m, Now))),
        ["paper+label: a label is persisted trimmed, after the link"] = (() => TenantDecisions.LinkPaperAccount(Created(), "pa", 5_000m, "  My paper ", Now),
            Decision.Accept(new PaperAccountLinked("pa", 5_000m, Now), new BrokerAccountRenamed("pa", "My paper", Now))),
        ["paper+label: a label of 64 characters is accepted"] = (() => TenantDecisions.LinkPaperAccount(Created(), "pa", 1m, Label64, Now),
            Decision.Accept(new PaperAccountLinked("pa", 1m, Now), new BrokerAccountRenamed("pa", Label64, Now))),
        ["paper+label: a blank label is rejected"] = (() => TenantDecisions.LinkPaperAccount(Created(), "pa", 1m, "   ", Now), Decision.Reject(LabelRequired)),
        ["paper+label: a label of 65 characters is rejected"] = (() => TenantDecisions.LinkPaperAccount(Created(), "pa", 1m, Label65, Now), Decision.Reject(LabelTooLong)),
        ["paper+label: a label with a control character is rejected"] = (() => TenantDecisions.LinkPaperAccount(Created(), "pa", 1m, "a\u0007b", Now), Decision.Reject(LabelControl)),
        ["paper+label: an id already linked wins over a bad label"] = (() => TenantDecisions.LinkPaperAccount(WithAccounts(), "pa", 1m, "", Now),
            Decision.Reject("account 'pa' is already linked")),
        ["paper+label: negative cash wins over a bad label"] = (() => TenantDecisions.LinkPaperAccount(Created(), "pa", -1m, "", Now),
            Decision.Reject("starting cash must not be negative")),
        ["paper+label: no tenant wins over a bad label"] = (() => TenantDecisions.LinkPaperAccount(TenantState.Empty("t1"), "pa", 1m, "", Now),
            Decision.Reject("tenant 't1' does not exist")),

        // ---- LinkBrokerAccount without sealed credentials (the engine's link), with label, mode and key hint
        ["broker: label trimmed, mode and key hint kept"] = (() => TenantDecisions.LinkBrokerAccount(Created(), "acc", "oanda", "101-4", External, Now, "  Practice ", AccountMode.Testnet, "kid-9"),
            Decision.Accept(new BrokerAccountLinked("acc", "oanda", "101-4", Now, "Practice", AccountMode.Testnet, "kid-9"))),
        ["broker: mode live is accepted"] = (() => TenantDecisions.LinkBrokerAccount(Created(), "acc", "sim", "N-1", External, Now, mode: AccountMode.Live),
            Decision.Accept(new BrokerAccountLinked("acc", "sim", "N-1", Now, null, AccountMode.Live))),
        ["broker: a label of 64 characters is accepted"] = (() => TenantDecisions.LinkBrokerAccount(Created(), "acc", "sim", "N-1", External, Now, Label64),
            Decision.Accept(new BrokerAccountLinked("acc", "sim", "N-1", Now, Label64))),
        ["broker: mode paper at an external venue is rejected"] = (() => TenantDecisions.LinkBrokerAccount(Created(), "acc", "sim", "N-1", External, Now, mode: AccountMode.Paper),
            Decision.Reject(PaperAtSim)),
        ["broker: mode paper with sealed credentials is rejected"] = (() => TenantDecisions.LinkBrokerAccount(Created(), "acc", "sim", "", External, Now, "Main", AccountMode.Paper, KidHint, Sealed, Key1),
            Decision.Reject(PaperAtSim)),
        ["broker: mode paper at a venue whose practice environment is paper (alpaca) is accepted"] = (() => TenantDecisions.LinkBrokerAccount(Created(), "acc", "alpaca", "PA3ABCDEFGH1", AlpacaOnly, Now, mode: AccountMode.Paper),
            Decision.Accept(new BrokerAccountLinked("acc", "alpaca", "PA3ABCDEFGH1", Now, null, AccountMode.Paper))),
        ["broker: mode paper with sealed credentials at alpaca is accepted"] = (() => TenantDecisions.LinkBrokerAccount(Created(), "acc", "alpaca", "", AlpacaOnly, Now, "Main", AccountMode.Paper, KidHint, Sealed, Key1),
            Decision.Accept(new CredentialKeyIssued(Key1, Now), new BrokerAccountLinked("acc", "alpaca", "", Now, "Main", AccountMode.Paper, KidHint, Sealed))),
        ["broker: an unknown venue wins over mode paper"] = (() => TenantDecisions.LinkBrokerAccount(Created(), "acc", "bybit", "N-1", External, Now, mode: AccountMode.Paper),
            Decision.Reject("unknown venue 'bybit'")),
        ["broker: mode paper wins over a bad label"] = (() => TenantDecisions.LinkBrokerAccount(Created(), "acc", "sim", "N-1", External, Now, "", AccountMode.Paper),
            Decision.Reject(PaperAtSim)),
        ["broker: a blank label is rejected"] = (() => TenantDecisions.LinkBrokerAccount(Created(), "acc", "sim", "N-1", External, Now, "  "), Decision.Reject(LabelRequired)),
        ["broker: a label of 65 characters is rejected"] = (() => TenantDecisions.LinkBrokerAccount(Created(), "acc", "sim", "N-1", External, Now, Label65), Decision.Reject(LabelTooLong)),
        ["broker: a label with a control character is rejected"] = (() => TenantDecisions.LinkBrokerAccount(Created(), "acc", "sim", "N-1", External, Now, "a\nb"), Decision.Reject(LabelControl)),
        ["broker: a bad label wins over a missing venue account number"] = (() => TenantDecisions.LinkBrokerAccount(Created(), "acc", "sim", "", External, Now, ""), Decision.Reject(LabelRequired)),
        ["broker: a bad label wins over a sealed link's venue account number"] = (() => TenantDecisions.LinkBrokerAccount(Created(), "acc", "sim", "N-1", External, Now, "", sealedCredentials: Sealed, newCredentialKey: Key1),
            Decision.Reject(LabelRequired)),

        // ---- LinkBrokerAccount with sealed credentials (the API's link)
        ["sealed: the first sealed link issues the tenant's key, then links with an empty number and the trimmed label"] = (() =>
            TenantDecisions.LinkBrokerAccount(WithAccounts(), "acc", "sim", "", External, Now, "  Main  ", AccountMode.Testnet, KidHint, Sealed, Key1),
            Decision.Accept(new CredentialKeyIssued(Key1, Now), new BrokerAccountLinked("acc", "sim", "", Now, "Main", AccountMode.Testnet, KidHint, Sealed))),
        ["sealed: without a label or mode the link says none"] = (() => TenantDecisions.LinkBrokerAccount(Created(), "acc", "sim", "", External, Now, sealedCredentials: Sealed, newCredentialKey: Key1),
            Decision.Accept(new CredentialKeyIssued(Key1, Now), new BrokerAccountLinked("acc", "sim", "", Now, null, null, null, Sealed))),
        ["sealed: with the tenant's key and no new one, only the link"] = (() => TenantDecisions.LinkBrokerAccount(Keyed(), "acc", "oanda", "", External, Now, "Second", AccountMode.Live, "kid-2", "sealed-2"),
            Decision.Accept(new BrokerAccountLinked("acc", "oanda", "", Now, "Second", AccountMode.Live, "kid-2", "sealed-2"))),
        ["sealed: a new key while the tenant has one is refused: the links raced"] = (() => TenantDecisions.LinkBrokerAccount(Keyed(), "acc", "sim", "", External, Now, "Second", AccountMode.Live, "kid-2", "sealed-2", Key2),
            Decision.Reject(ChangedKey)),
        ["sealed: the same key again is refused too (only a missing key is brought)"] = (() => TenantDecisions.LinkBrokerAccount(Keyed(), "acc", "sim", "", External, Now, sealedCredentials: "sealed-2", newCredentialKey: Key1),
            Decision.Reject(ChangedKey)),
        ["sealed: without any key it is refused"] = (() => TenantDecisions.LinkBrokerAccount(WithAccounts(), "acc", "sim", "", External, Now, "Main", AccountMode.Live, KidHint, Sealed),
            Decision.Reject(NoKeyYet)),
        ["sealed: a venue account number beside sealed credentials is refused"] = (() => TenantDecisions.LinkBrokerAccount(WithAccounts(), "acc", "sim", "N-1", External, Now, "Main", AccountMode.Live, KidHint, Sealed, Key1),
            Decision.Reject(NumberSealed)),
        ["sealed: a one-character venue account number is refused"] = (() => TenantDecisions.LinkBrokerAccount(Keyed(), "acc", "sim", " ", External, Now, sealedCredentials: Sealed),
            Decision.Reject(NumberSealed)),
        ["sealed: a venue account number wins over a missing key"] = (() => TenantDecisions.LinkBrokerAccount(WithAccounts(), "acc", "sim", "N-1", External, Now, sealedCredentials: Sealed),
            Decision.Reject(NumberSealed)),
        ["sealed: the same link again (same venue and key id) is a retry: accepted, nothing persisted"] = (() =>
            TenantDecisions.LinkBrokerAccount(Keyed(), "live-1", "sim", "", External, Now, "Main", AccountMode.Live, KidHint, Sealed, Key1),
            Decision.Accept()),
        ["sealed: a retry is recognised by venue and key id, not by the sealed text or label"] = (() =>
            TenantDecisions.LinkBrokerAccount(Keyed(), "live-1", "sim", "", External, Now, "Other", AccountMode.Testnet, KidHint, "sealed-again"),
            Decision.Accept()),
        ["sealed: a retry of an account sealed without key id"] = (() =>
            TenantDecisions.LinkBrokerAccount(Created().Then(new CredentialKeyIssued(Key1, T0), new BrokerAccountLinked("n", "sim", "", T0, SealedCredentials: Sealed)),
                "n", "sim", "", External, Now, sealedCredentials: Sealed),
            Decision.Accept()),
        ["sealed: the same id with another key id is already linked"] = (() => TenantDecisions.LinkBrokerAccount(Keyed(), "live-1", "sim", "", External, Now, "Main", AccountMode.Live, "kid-2", Sealed),
            Decision.Reject("account 'live-1' is already linked")),
        ["sealed: the same id without key id is already linked"] = (() => TenantDecisions.LinkBrokerAccount(Keyed(), "live-1", "sim", "", External, Now, "Main", AccountMode.Live, null, Sealed),
            Decision.Reject("account 'live-1' is already linked")),
        ["sealed: the same id at another venue is already linked"] = (() => TenantDecisions.LinkBrokerAccount(Keyed(), "live-1", "oanda", "", External, Now, "Main", AccountMode.Live, KidHint, Sealed),
            Decision.Reject("account 'live-1' is already linked")),
        ["sealed: the same id without sealed credentials is already linked"] = (() => TenantDecisions.LinkBrokerAccount(Keyed(), "live-1", "sim", "", External, Now, "Main", AccountMode.Live, KidHint),
            Decision.Reject("account 'live-1' is already linked")),
        ["sealed: sealed credentials for an engine-linked account (none sealed) is already linked"] = (() => TenantDecisions.LinkBrokerAccount(Keyed(), ExternalAccountId, "sim", "", External, Now, sealedCredentials: Sealed),
            Decision.Reject("account 'ext' is already linked")),
        ["sealed: sealed credentials for the paper account is already linked"] = (() => TenantDecisions.LinkBrokerAccount(Keyed(), PaperAccountId, "paper", "", External, Now, sealedCredentials: Sealed),
            Decision.Reject("account 'pa' is already linked")),
        ["sealed: no tenant is rejected"] = (() => TenantDecisions.LinkBrokerAccount(TenantState.Empty("t1"), "acc", "sim", "", External, Now, sealedCredentials: Sealed, newCredentialKey: Key1),
            Decision.Reject("tenant 't1' does not exist")),
        ["sealed: a bad account id is rejected"] = (() => TenantDecisions.LinkBrokerAccount(Created(), "a b", "sim", "", External, Now, sealedCredentials: Sealed, newCredentialKey: Key1),
            Decision.Reject("account id may contain only letters, digits, '-', '_' and '.'")),
        ["sealed: an unknown venue is rejected"] = (() => TenantDecisions.LinkBrokerAccount(Created(), "acc", "paper", "", External, Now, sealedCredentials: Sealed, newCredentialKey: Key1),
            Decision.Reject("unknown venue 'paper'")),

        // ---- RenameAccount
        ["rename: an external account takes the trimmed label"] = (() => TenantDecisions.RenameAccount(WithAccounts(), ExternalAccountId, "  Trading ", Now),
            Decision.Accept(new BrokerAccountRenamed(ExternalAccountId, "Trading", Now))),
        ["rename: the paper account can be renamed"] = (() => TenantDecisions.RenameAccount(WithAccounts(), PaperAccountId, "Sandbox", Now),
            Decision.Accept(new BrokerAccountRenamed(PaperAccountId, "Sandbox", Now))),
        ["rename: the label it already has (after trimming) persists nothing"] = (() => TenantDecisions.RenameAccount(Keyed(), "live-1", " Main ", Now), Decision.Accept()),
        ["rename: a label differing only in case is a rename"] = (() => TenantDecisions.RenameAccount(Keyed(), "live-1", "main", Now),
            Decision.Accept(new BrokerAccountRenamed("live-1", "main", Now))),
        ["rename: a label of 64 characters is accepted"] = (() => TenantDecisions.RenameAccount(WithAccounts(), ExternalAccountId, Label64, Now),
            Decision.Accept(new BrokerAccountRenamed(ExternalAccountId, Label64, Now))),
        ["rename: a blank label is rejected"] = (() => TenantDecisions.RenameAccount(WithAccounts(), ExternalAccountId, " ", Now), Decision.Reject(LabelRequired)),
        ["rename: a label of 65 characters is rejected"] = (() => TenantDecisions.RenameAccount(WithAccounts(), ExternalAccountId, Label65, Now), Decision.Reject(LabelTooLong)),
        ["rename: a label with a control character is rejected"] = (() => TenantDecisions.RenameAccount(WithAccounts(), ExternalAccountId, "x\u0000", Now), Decision.Reject(LabelControl)),
        ["rename: an unknown account is rejected"] = (() => TenantDecisions.RenameAccount(WithAccounts(), "nope", "Label", Now), Decision.Reject("unknown account 'nope'")),
        ["rename: an unknown account wins over a bad label"] = (() => TenantDecisions.RenameAccount(WithAccounts(), "nope", "", Now), Decision.Reject("unknown account 'nope'")),
        ["rename: no tenant is rejected"] = (() => TenantDecisions.RenameAccount(TenantState.Empty("t1"), "pa", "Label", Now), Decision.Reject("tenant 't1' does not exist")),

        // ---- ChoosePrimary
        ["primary: a venue's second account becomes its primary"] = (() => TenantDecisions.ChoosePrimary(TwoAtSim(), "ext2", Now),
            Decision.Accept(new PrimaryAccountChosen("ext2", Now))),
        ["primary: the account already primary persists nothing"] = (() => TenantDecisions.ChoosePrimary(TwoAtSim(), ExternalAccountId, Now), Decision.Accept()),
        ["primary: the paper account already primary persists nothing"] = (() => TenantDecisions.ChoosePrimary(TwoAtSim(), PaperAccountId, Now), Decision.Accept()),
        ["primary: an unknown account is rejected"] = (() => TenantDecisions.ChoosePrimary(TwoAtSim(), "nope", Now), Decision.Reject("unknown account 'nope'")),
        ["primary: no tenant is rejected"] = (() => TenantDecisions.ChoosePrimary(TenantState.Empty("t1"), "pa", Now), Decision.Reject("tenant 't1' does not exist")),

        // ---- UnlinkAccount
        ["unlink: an account nothing uses is unlinked"] = (() => TenantDecisions.UnlinkAccount(WithAccounts(), ExternalAccountId, Now),
            Decision.Accept(new BrokerAccountUnlinked(ExternalAccountId, Now))),
        ["unlink: the paper account can be unlinked"] = (() => TenantDecisions.UnlinkAccount(WithAccounts(), PaperAccountId, Now),
            Decision.Accept(new BrokerAccountUnlinked(PaperAccountId, Now))),
        ["unlink: another account's subscription does not hold it"] = (() => TenantDecisions.UnlinkAccount(Following(PaperAccountId), ExternalAccountId, Now),
            Decision.Accept(new BrokerAccountUnlinked(ExternalAccountId, Now))),
        ["unlink: a subscription on it refuses"] = (() => TenantDecisions.UnlinkAccount(Following(ExternalAccountId), ExternalAccountId, Now),
            Decision.Reject("account 'ext' is used by subscription rsi: delete the subscription first")),
        ["unlink: a paused subscription on it refuses too"] = (() => TenantDecisions.UnlinkAccount(Following(ExternalAccountId).Then(new SubscriptionPaused(Strategy, T0)), ExternalAccountId, Now),
            Decision.Reject("account 'ext' is used by subscription rsi: delete the subscription first")),
        ["unlink: every subscription on it is listed, by key in ordinal order"] = (() => TenantDecisions.UnlinkAccount(WithSubscriptions(), ExternalAccountId, Now),
            Decision.Reject("account 'ext' is used by subscription Z-sub, a-sub, rsi: delete the subscription first")),
        ["unlink: the paper account's own subscription refuses it"] = (() => TenantDecisions.UnlinkAccount(WithSubscriptions(), PaperAccountId, Now),
            Decision.Reject("account 'pa' is used by subscription B-pa: delete the subscription first")),
        ["unlink: open orders refuse, listed by client order id in ordinal order (submitted, unknown, needs attention)"] = (() => TenantDecisions.UnlinkAccount(WithOpenOrders(), ExternalAccountId, Now),
            Decision.Reject("account 'ext' has open order B-2, C-3, a-1: it is unlinked once the venue settles it")),
        ["unlink: another account's open order does not hold it"] = (() => TenantDecisions.UnlinkAccount(WithOpenOrders(), PaperAccountId, Now),
            Decision.Accept(new BrokerAccountUnlinked(PaperAccountId, Now))),
        ["unlink: one open order is listed alone"] = (() => TenantDecisions.UnlinkAccount(WithOpenOrders(), "ext2", Now),
            Decision.Reject("account 'ext2' has open order 0-0: it is unlinked once the venue settles it")),
        ["unlink: settled orders do not hold it"] = (() => TenantDecisions.UnlinkAccount(TwoAtSim().Then(new OrderSubmitted(Order("D-4"), T0),
                new OrderFilled(Order("D-4"), new Fill(0.01m, 50_000m, 0.5m, "V-4", T0), T0)), ExternalAccountId, Now),
            Decision.Accept(new BrokerAccountUnlinked(ExternalAccountId, Now))),
        ["unlink: a subscription wins over open orders"] = (() => TenantDecisions.UnlinkAccount(WithOpenOrders().Then(new Subscribed(Strategy, ExternalAccountId, Symbol, 1m, T0)), ExternalAccountId, Now),
            Decision.Reject("account 'ext' is used by subscription rsi: delete the subscription first")),
        ["unlink: an unknown account is rejected"] = (() => TenantDecisions.UnlinkAccount(WithAccounts(), "nope", Now), Decision.Reject("unknown account 'nope'")),
        ["unlink: no tenant is rejected"] = (() => TenantDecisions.UnlinkAccount(TenantState.Empty("t1"), "pa", Now), Decision.Reject("tenant 't1' does not exist")),

        // ---- RecordVerification
        ["verify: an unverified account that passes is verified, without reason"] = (() => TenantDecisions.RecordVerification(WithAccounts(), ExternalAccountId, true, null, Now),
            Decision.Accept(new BrokerAccountVerified(ExternalAccountId, true, null, Now))),
        ["verify: a pass drops the reason it was given"] = (() => TenantDecisions.RecordVerification(WithAccounts(), ExternalAccountId, true, "ignored", Now),
            Decision.Accept(new BrokerAccountVerified(ExternalAccountId, true, null, Now))),
        ["verify: a verified account that passes again persists nothing"] = (() => TenantDecisions.RecordVerification(Checked(true, null), ExternalAccountId, true, null, Now), Decision.Accept()),
        ["verify: a verified account that passes again with a reason persists nothing"] = (() => TenantDecisions.RecordVerification(Checked(true, null), ExternalAccountId, true, "x", Now), Decision.Accept()),
        ["verify: an unverified account that fails without reason gets the default one"] = (() => TenantDecisions.RecordVerification(WithAccounts(), ExternalAccountId, false, null, Now),
            Decision.Accept(new BrokerAccountVerified(ExternalAccountId, false, "the check failed", Now))),
        ["verify: a failure with its reason"] = (() => TenantDecisions.RecordVerification(WithAccounts(), ExternalAccountId, false, "401 unauthorized: bad key", Now),
            Decision.Accept(new BrokerAccountVerified(ExternalAccountId, false, "401 unauthorized: bad key", Now))),
        ["verify: the same failure again persists nothing"] = (() => TenantDecisions.RecordVerification(Checked(false, "timeout"), ExternalAccountId, false, "timeout", Now), Decision.Accept()),
        ["verify: the default failure again persists nothing"] = (() => TenantDecisions.RecordVerification(Checked(false, "the check failed"), ExternalAccountId, false, null, Now), Decision.Accept()),
        ["verify: a failure for another reason is persisted"] = (() => TenantDecisions.RecordVerification(Checked(false, "timeout"), ExternalAccountId, false, "401 unauthorized", Now),
            Decision.Accept(new BrokerAccountVerified(ExternalAccountId, false, "401 unauthorized", Now))),
        ["verify: a failed account that passes is verified"] = (() => TenantDecisions.RecordVerification(Checked(false, "timeout"), ExternalAccountId, true, "timeout", Now),
            Decision.Accept(new BrokerAccountVerified(ExternalAccountId, true, null, Now))),
        ["verify: a verified account that fails is failed"] = (() => TenantDecisions.RecordVerification(Checked(true, null), ExternalAccountId, false, "timeout", Now),
            Decision.Accept(new BrokerAccountVerified(ExternalAccountId, false, "timeout", Now))),
        ["verify: an unknown account is rejected"] = (() => TenantDecisions.RecordVerification(WithAccounts(), "nope", true, null, Now), Decision.Reject("unknown account 'nope'")),
        ["verify: no tenant is rejected"] = (() => TenantDecisions.RecordVerification(TenantState.Empty("t1"), "pa", true, null, Now), Decision.Reject("tenant 't1' does not exist")),

        // ---- RewrapCredentialKey
        ["rewrap: a tenant without a key persists nothing"] = (() => TenantDecisions.RewrapCredentialKey(WithAccounts(), Key2, Now), Decision.Accept()),
        ["rewrap: the key already wrapped so persists nothing"] = (() => TenantDecisions.RewrapCredentialKey(Keyed(), Key1, Now), Decision.Accept()),
        ["rewrap: another wrap of the key is persisted"] = (() => TenantDecisions.RewrapCredentialKey(Keyed(), Key2, Now), Decision.Accept(new CredentialKeyRewrapped(Key2, Now))),

        // ---- StoreVenueToken
        ["token: the first token of an account is kept"] = (() => TenantDecisions.StoreVenueToken(Keyed(), "live-1", "tok-1", Now.AddDays(1), Now),
            Decision.Accept(new VenueTokenStored("live-1", "tok-1", Now.AddDays(1), Now))),
        ["token: a token that outlives the kept one replaces it"] = (() => TenantDecisions.StoreVenueToken(WithToken(Now.AddHours(1)), "live-1", "tok-2", Now.AddDays(1), Now),
            Decision.Accept(new VenueTokenStored("live-1", "tok-2", Now.AddDays(1), Now))),
        ["token: a late report of an older token keeps the newer one"] = (() => TenantDecisions.StoreVenueToken(WithToken(Now.AddDays(1)), "live-1", "tok-0", Now.AddHours(1), Now), Decision.Accept()),
        ["token: the same expiry again persists nothing"] = (() => TenantDecisions.StoreVenueToken(WithToken(Now.AddDays(1)), "live-1", "tok-x", Now.AddDays(1), Now), Decision.Accept()),
        ["token: an account that is gone keeps nothing"] = (() => TenantDecisions.StoreVenueToken(Keyed(), "gone", "tok-1", Now.AddDays(1), Now), Decision.Accept()),
    };

    private static TenantState WithToken(DateTimeOffset expiresAt) => Keyed().Then(new VenueTokenStored("live-1", "tok-kept", expiresAt, T0));

    [Fact]
    public void A_stored_token_is_the_accounts_until_the_account_is_unlinked()
    {
        var state = WithToken(Now.AddDays(1));

        Assert.Equal("tok-kept", state.Accounts["live-1"].SealedVenueToken);
        Assert.Equal(Now.AddDays(1), state.Accounts["live-1"].VenueTokenExpiresAt);
        Assert.Null(state.Accounts[ExternalAccountId].SealedVenueToken);
        Assert.False(state.Apply(new VenueTokenStored("gone", "tok", Now, Now)).Accounts.ContainsKey("gone"));
        Assert.Null(state.Then(new BrokerAccountUnlinked("live-1", Now)).Accounts.GetValueOrDefault("live-1"));
    }

    public static TheoryData<string> Commands => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(Commands))]
    public void Command(string rule)
    {
        var (decide, expected) = Cases[rule];

        var decision = decide();

        Assert.Equal(expected.Rejection, decision.Rejection);
        Assert.Equal(expected.Accepted, decision.Accepted);
        Assert.Equal(expected.Events.ToArray(), decision.Events.ToArray());
    }

    [Fact]
    public void The_key_changed_reason_is_the_published_constant() => Assert.Equal(ChangedKey, TenantDecisions.CredentialKeyChanged);

    // ---- labels

    [Theory]
    [InlineData(null, LabelRequired)]
    [InlineData("", LabelRequired)]
    [InlineData("   ", LabelRequired)]
    [InlineData("\t\r\n", LabelRequired)]
    [InlineData("a\u0001b", LabelControl)]
    [InlineData("a\tb", LabelControl)]
    [InlineData("line\nbreak", LabelControl)]
    [InlineData("del\u007f", LabelControl)]
    [InlineData("nel\u0085inside", LabelControl)]
    [InlineData("\u0000", LabelControl)]
    public void Bad_labels_are_rejected_with_their_reason(string? label, string reason) => Assert.Equal(reason, BrokerAccountRules.ValidateLabel(label));

    [Theory]
    [InlineData("Main")]
    [InlineData("Main account (testnet)")]
    [InlineData("  Main  ")]
    [InlineData("\tMain\n")]
    [InlineData("Ünïcødé 口座 ✓")]
    [InlineData("x")]
    public void Good_labels_are_accepted(string label) => Assert.Null(BrokerAccountRules.ValidateLabel(label));

    [Fact]
    public void A_label_is_measured_after_trimming()
    {
        Assert.Equal(64, BrokerAccountRules.MaxLabelLength);
        Assert.Null(BrokerAccountRules.ValidateLabel(Label64));
        Assert.Null(BrokerAccountRules.ValidateLabel("  " + Label64 + " \t"));
        Assert.Equal(LabelTooLong, BrokerAccountRules.ValidateLabel(Label65));
        Assert.Equal(LabelTooLong, BrokerAccountRules.ValidateLabel(" " + Label65 + " "));
        Assert.Equal(LabelTooLong, BrokerAccountRules.ValidateLabel(new string('\u0001', 65))); // length is checked before characters
        Assert.Equal(LabelControl, BrokerAccountRules.ValidateLabel(new string('\u0001', 64)));
    }

    // ---- ValidateLink

    private static readonly IReadOnlySet<string> Offered = new HashSet<string>(StringComparer.Ordinal) { "simulated", "paper", "ftx" };
    private static readonly IReadOnlySet<string> RealVenues = new HashSet<string>(StringComparer.Ordinal) { "paper", "oanda", "alpaca", "bybit", "kis" };
    private static readonly IReadOnlySet<string> OnlyPaper = new HashSet<string>(StringComparer.Ordinal) { "paper" };

    private const string KeyChars = "only printable characters without spaces";
    private const string NumberChars = "only letters, digits, '-', '_' and '.'";

    private static readonly CredentialFields Keys = new("api-key-12345", "secret-value-123", "ACC-1", null);

    private static string S(int length, char c = 'k') => new(c, length);

    private static Dictionary<string, string[]> Errors(params (string Field, string Message)[] errors) => errors.ToDictionary(e => e.Field, e => new[] { e.Message });

    private static readonly Dictionary<string, (string? Venue, string? Mode, string? Label, CredentialFields? Credentials, IReadOnlySet<string> Offered, Dictionary<string, string[]> Expected)> Links = new()
    {
        // accepted
        ["simulated testnet with keys"] = ("simulated", "testnet", null, Keys, Offered, Errors()),
        ["simulated live with keys and a label"] = ("simulated", "live", "  Main ", Keys, Offered, Errors()),
        ["paper in paper mode without credentials"] = ("paper", "paper", "Sandbox", null, Offered, Errors()),
        ["paper offered alone"] = ("paper", "paper", null, null, OnlyPaper, Errors()),
        ["a node offering no known venue says so"] = ("ftx", "live", null, Keys, new HashSet<string>(StringComparer.Ordinal) { "ftx" },
            Errors(("venue", "this node offers no venue to link"))),

        // label
        ["an empty label"] = ("simulated", "live", "", Keys, Offered, Errors(("label", LabelRequired))),
        ["a label of 65 characters"] = ("paper", "paper", Label65, null, Offered, Errors(("label", LabelTooLong))),
        ["a label with a control character"] = ("paper", "paper", "a\u0002", null, Offered, Errors(("label", LabelControl))),
        ["a bad label and no venue: both"] = (null, "live", "", Keys, Offered, Errors(("label", LabelRequired), ("venue", "a venue is required"))),

        // venue
        ["no venue: nothing else is checked"] = (null, "bogus", null, null, Offered, Errors(("venue", "a venue is required"))),
        ["an empty venue"] = ("", "live", null, Keys, Offered, Errors(("venue", "a venue is required"))),
        ["a blank venue"] = ("  ", "live", null, Keys, Offered, Errors(("venue", "a venue is required"))),
        ["an offered venue without rules: the known offered ones are listed in ordinal order"] = ("ftx", "live", null, Keys, Offered, Errors(("venue", "this node offers paper, simulated"))),
        ["a venue neither offered nor known"] = ("bybit", "bogus", null, null, Offered, Errors(("venue", "this node offers paper, simulated"))),
        ["a venue with rules that this node does not offer"] = ("simulated", "live", null, Keys, OnlyPaper, Errors(("venue", "this node offers paper"))),
        ["venues are spelt exactly"] = ("Simulated", "live", null, Keys, Offered, Errors(("venue", "this node offers paper, simulated"))),

        // mode
        ["no mode"] = ("simulated", null, null, Keys, Offered, Errors(("mode", "mode is paper, testnet or live"))),
        ["an empty mode"] = ("simulated", "", null, Keys, Offered, Errors(("mode", "mode is paper, testnet or live"))),
        ["a mode in capitals"] = ("simulated", "LIVE", null, Keys, Offered, Errors(("mode", "mode is paper, testnet or live"))),
        ["paper mode at the simulated venue: its modes are listed"] = ("simulated", "paper", null, Keys, Offered, Errors(("mode", "simulated offers testnet, live"))),
        ["live mode at the paper venue"] = ("paper", "live", null, null, Offered, Errors(("mode", "paper offers paper"))),
        ["testnet mode at the paper venue"] = ("paper", "testnet", null, null, Offered, Errors(("mode", "paper offers paper"))),
        ["a bad mode and missing credentials: both"] = ("simulated", "bogus", null, null, Offered,
            Errors(("mode", "mode is paper, testnet or live"), ("credentials", "simulated needs an API key, a secret and an account number"))),

        // credentials
        ["credentials at the paper venue"] = ("paper", "paper", null, Keys, Offered, Errors(("credentials", "paper takes no credentials"))),
        ["empty credentials at the paper venue"] = ("paper", "paper", null, new CredentialFields(null, null, null, null), Offered, Errors(("credentials", "paper takes no credentials"))),
        ["no credentials at the simulated venue"] = ("simulated", "live", null, null, Offered, Errors(("credentials", "simulated needs an API key, a secret and an account number"))),
        ["no credential fields at the simulated venue"] = ("simulated", "live", null, new CredentialFields(null, null, null, null), Offered,
            Errors(("credentials.apiKey", "required"), ("credentials.secret", "required"), ("credentials.accountNumber", "required"))),
        ["empty credential fields"] = ("simulated", "live", null, new CredentialFields("", "", "", null), Offered,
            Errors(("credentials.apiKey", "required"), ("credentials.secret", "required"), ("credentials.accountNumber", "required"))),

        ["api key of 7"] = ("simulated", "live", null, Keys with { ApiKey = S(7) }, Offered, Errors(("credentials.apiKey", "8 to 128 characters"))),
        ["api key of 8"] = ("simulated", "live", null, Keys with { ApiKey = S(8) }, Offered, Errors()),
        ["api key of 128"] = ("simulated", "live", null, Keys with { ApiKey = S(128) }, Offered, Errors()),
        ["api key of 129"] = ("simulated", "live", null, Keys with { ApiKey = S(129) }, Offered, Errors(("credentials.apiKey", "8 to 128 characters"))),
        ["api key with a space"] = ("simulated", "live", null, Keys with { ApiKey = "api key-123" }, Offered, Errors(("credentials.apiKey", KeyChars))),
        ["api key of spaces"] = ("simulated", "live", null, Keys with { ApiKey = S(8, ' ') }, Offered, Errors(("credentials.apiKey", KeyChars))),
        ["api key with a non-ASCII letter"] = ("simulated", "live", null, Keys with { ApiKey = "api-kéy-123" }, Offered, Errors(("credentials.apiKey", KeyChars))),
        ["api key with a tab"] = ("simulated", "live", null, Keys with { ApiKey = "api\tkey-123" }, Offered, Errors(("credentials.apiKey", KeyChars))),
        ["api key with DEL"] = ("simulated", "live", null, Keys with { ApiKey = "api-key-123\u007f" }, Offered, Errors(("credentials.apiKey", KeyChars))),
        ["api key of the printable ASCII edges '!' and '~'"] = ("simulated", "live", null, Keys with { ApiKey = "!!!!~~~~" }, Offered, Errors()),
        ["api key too short with a space: the length is said"] = ("simulated", "live", null, Keys with { ApiKey = "a b" }, Offered, Errors(("credentials.apiKey", "8 to 128 characters"))),

        ["secret of 7"] = ("simulated", "live", null, Keys with { Secret = S(7, 's') }, Offered, Errors(("credentials.secret", "8 to 256 characters"))),
        ["secret of 8"] = ("simulated", "live", null, Keys with { Secret = S(8, 's') }, Offered, Errors()),
        ["secret of 256"] = ("simulated", "live", null, Keys with { Secret = S(256, 's') }, Offered, Errors()),
        ["secret of 257"] = ("simulated", "live", null, Keys with { Secret = S(257, 's') }, Offered, Errors(("credentials.secret", "8 to 256 characters"))),
        ["secret with a space"] = ("simulated", "live", null, Keys with { Secret = "secret value" }, Offered, Errors(("credentials.secret", KeyChars))),
        ["secret with a non-ASCII character"] = ("simulated", "live", null, Keys with { Secret = "secret-välue" }, Offered, Errors(("credentials.secret", KeyChars))),
        ["secret of the printable ASCII edges"] = ("simulated", "live", null, Keys with { Secret = "~!~!~!~!" }, Offered, Errors()),

        ["account number of 1"] = ("simulated", "live", null, Keys with { AccountNumber = "7" }, Offered, Errors()),
        ["account number of 64"] = ("simulated", "live", null, Keys with { AccountNumber = S(64, 'A') }, Offered, Errors()),
        ["account number of 65"] = ("simulated", "live", null, Keys with { AccountNumber = S(65, 'A') }, Offered, Errors(("credentials.accountNumber", "1 to 64 characters"))),
        ["account number of letters, digits, '-', '_' and '.'"] = ("simulated", "live", null, Keys with { AccountNumber = "Ab-1_c.2" }, Offered, Errors()),
        ["account number '-'"] = ("simulated", "live", null, Keys with { AccountNumber = "-" }, Offered, Errors()),
        ["account number '_'"] = ("simulated", "live", null, Keys with { AccountNumber = "_" }, Offered, Errors()),
        ["account number '.'"] = ("simulated", "live", null, Keys with { AccountNumber = "." }, Offered, Errors()),
        ["account number with a space"] = ("simulated", "live", null, Keys with { AccountNumber = "ACC 1" }, Offered, Errors(("credentials.accountNumber", NumberChars))),
        ["account number with a slash"] = ("simulated", "live", null, Keys with { AccountNumber = "ACC/1" }, Offered, Errors(("credentials.accountNumber", NumberChars))),
        ["account number with a non-ASCII letter"] = ("simulated", "live", null, Keys with { AccountNumber = "ÄCC-1" }, Offered, Errors(("credentials.accountNumber", NumberChars))),
        ["account number with a non-ASCII digit"] = ("simulated", "live", null, Keys with { AccountNumber = "٣" }, Offered, Errors(("credentials.accountNumber", NumberChars))),

        ["a passphrase at a venue that takes none"] = ("simulated", "live", null, Keys with { Passphrase = "pass-phrase-1" }, Offered, Errors(("credentials.passphrase", "simulated takes no passphrase"))),
        ["an empty passphrase at a venue that takes none"] = ("simulated", "live", null, Keys with { Passphrase = "" }, Offered, Errors(("credentials.passphrase", "simulated takes no passphrase"))),

        // real venues (decision 022)
        ["oanda practice with its token and account"] = ("oanda", "testnet", null, new CredentialFields("0123456789abcdef-0123456789abcdef", null, "101-004-1234567-001", null), RealVenues, Errors()),
        ["oanda takes no secret"] = ("oanda", "live", null, new CredentialFields("0123456789abcdef", "a-secret-value", "101-004-1234567-001", null), RealVenues,
            Errors(("credentials.secret", "oanda takes no secret: its API token goes in apiKey"))),
        ["oanda without credentials names its token"] = ("oanda", "live", null, null, RealVenues, Errors(("credentials", "oanda needs an API token (as apiKey) and an account number"))),
        ["oanda account numbers have their form"] = ("oanda", "live", null, new CredentialFields("0123456789abcdef", null, "7654321", null), RealVenues,
            Errors(("credentials.accountNumber", "not a oanda account number: expected the form 101-004-1234567-001"))),
        ["oanda has no paper mode"] = ("oanda", "paper", null, new CredentialFields("0123456789abcdef", null, "101-004-1234567-001", null), RealVenues, Errors(("mode", "oanda offers testnet, live"))),
        ["alpaca paper with keys"] = ("alpaca", "paper", null, Keys with { AccountNumber = "PA3ABCDEFGH1" }, RealVenues, Errors()),
        ["alpaca has no testnet"] = ("alpaca", "testnet", null, Keys, RealVenues, Errors(("mode", "alpaca offers paper, live"))),
        ["bybit testnet with its numeric uid"] = ("bybit", "testnet", null, Keys with { AccountNumber = "100200300" }, RealVenues, Errors()),
        ["bybit uids are digits"] = ("bybit", "live", null, Keys with { AccountNumber = "UID-1" }, RealVenues,
            Errors(("credentials.accountNumber", "not a bybit account number: expected the account's numeric UID, e.g. 100200300"))),
        ["kis mock with its account and product code"] = ("kis", "testnet", null, Keys with { AccountNumber = "12345678-01" }, RealVenues, Errors()),
        ["kis account numbers are 8 digits and a product code"] = ("kis", "live", null, Keys with { AccountNumber = "1234567-01" }, RealVenues,
            Errors(("credentials.accountNumber", "not a kis account number: expected 8 digits, '-' and the 2-digit product code, e.g. 12345678-01"))),
        ["kis account numbers end in the product code"] = ("kis", "live", null, Keys with { AccountNumber = "12345678-012" }, RealVenues,
            Errors(("credentials.accountNumber", "not a kis account number: expected 8 digits, '-' and the 2-digit product code, e.g. 12345678-01"))),
        ["a badly formed account number is told once, by its characters"] = ("kis", "live", null, Keys with { AccountNumber = "1234 5678-01" }, RealVenues,
            Errors(("credentials.accountNumber", NumberChars))),

        ["every field wrong at once"] = ("simulated", "paper", "", new CredentialFields("short", S(300, 's'), "A C", "pp"), Offered, Errors(
            ("label", LabelRequired), ("mode", "simulated offers testnet, live"), ("credentials.apiKey", "8 to 128 characters"),
            ("credentials.secret", "8 to 256 characters"), ("credentials.accountNumber", NumberChars), ("credentials.passphrase", "simulated takes no passphrase"))),
    };

    public static TheoryData<string> LinkRequests => new(Links.Keys);

    private static string[] Flat(IReadOnlyDictionary<string, string[]> errors) =>
        [.. errors.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => e.Key + ": " + string.Join(" | ", e.Value))];

    [Theory]
    [MemberData(nameof(LinkRequests))]
    public void Link_request(string rule)
    {
        var (venue, mode, label, credentials, offered, expected) = Links[rule];

        var errors = BrokerAccountRules.ValidateLink(venue, mode, label, credentials, offered);

        Assert.Equal(Flat(expected), Flat(errors));
    }

    [Theory]
    [MemberData(nameof(LinkRequests))]
    public void No_message_repeats_a_submitted_credential(string rule)
    {
        var (venue, mode, label, credentials, offered, _) = Links[rule];
        var messages = BrokerAccountRules.ValidateLink(venue, mode, label, credentials, offered).Values.SelectMany(m => m).ToList();

        // Values of four characters or more (shorter ones are parts of ordinary words).
        foreach (var value in new[] { credentials?.ApiKey, credentials?.Secret, credentials?.AccountNumber, credentials?.Passphrase }.Where(v => v is { Length: >= 4 }))
            Assert.DoesNotContain(messages, m => m.Contains(value!, StringComparison.Ordinal));
    }

    [Fact]
    public void Secrets_that_fail_every_check_are_never_repeated()
    {
        const string secret = "TOP-SECRET-VALUE";
        CredentialFields[] attempts =
        [
            new(secret + " x", secret + " x", secret + "/x", secret),
            new(secret + new string('x', 200), secret + new string('x', 300), secret + new string('x', 60), secret + new string('x', 200)),
            new(secret + "é", secret + "é", secret + "é", secret + "é"),
        ];
        foreach (var venue in new[] { "simulated", "paper", "oanda" })
            foreach (var credentials in attempts)
            {
                var errors = BrokerAccountRules.ValidateLink(venue, "live", null, credentials, Offered);
                Assert.NotEmpty(errors);
                Assert.DoesNotContain(errors.Values.SelectMany(m => m), m => m.Contains(secret, StringComparison.Ordinal));
            }
    }

    [Fact]
    public void The_venue_rules_are_paper_simulated_and_the_four_real_venues()
    {
        var paper = BrokerAccountRules.Venues["paper"];
        Assert.Equal(("paper", false), (paper.Venue, paper.TakesCredentials));
        Assert.Equal([AccountMode.Paper], paper.Modes.Order());
        var simulated = BrokerAccountRules.Venues["simulated"];
        Assert.Equal(("simulated", true), (simulated.Venue, simulated.TakesCredentials));
        Assert.Equal([AccountMode.Testnet, AccountMode.Live], simulated.Modes.Order());
        Assert.Equal(["alpaca", "bybit", "kis", "oanda", "paper", "simulated"], BrokerAccountRules.Venues.Keys.Order(StringComparer.Ordinal));
        Assert.All(BrokerAccountRules.Venues.Values, r => Assert.Equal(r.Venue != "oanda", r.TakesSecret));
        Assert.True(BrokerAccountRules.Venues["alpaca"].AccountNumberFits("anything-goes"));
    }

    [Fact]
    public void Credential_fields_never_print_their_values() =>
        Assert.Equal("CredentialFields { *** }", new CredentialFields("api-key-12345", "secret-value-123", "ACC-1", "pass").ToString());

    // ---- spellings

    [Theory]
    [InlineData("paper", AccountMode.Paper)]
    [InlineData("testnet", AccountMode.Testnet)]
    [InlineData("live", AccountMode.Live)]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("Live", null)]
    [InlineData("PAPER", null)]
    [InlineData(" live", null)]
    [InlineData("mainnet", null)]
    public void Modes_parse_from_their_exact_wire_spelling(string? wire, AccountMode? mode) => Assert.Equal(mode, BrokerAccountRules.ParseMode(wire));

    [Theory]
    [InlineData(AccountMode.Paper, "paper")]
    [InlineData(AccountMode.Testnet, "testnet")]
    [InlineData(AccountMode.Live, "live")]
    [InlineData((AccountMode)0, "live")]
    public void Modes_are_spelt_on_the_wire(AccountMode mode, string wire)
    {
        Assert.Equal(wire, BrokerAccountRules.Wire(mode));
        if (Enum.IsDefined(mode)) Assert.Equal(mode, BrokerAccountRules.ParseMode(wire));
    }

    [Theory]
    [InlineData(AccountStatus.Unverified, "unverified")]
    [InlineData(AccountStatus.Verified, "verified")]
    [InlineData(AccountStatus.Failed, "failed")]
    [InlineData((AccountStatus)0, "unverified")]
    public void Statuses_are_spelt_on_the_wire(AccountStatus status, string wire) => Assert.Equal(wire, BrokerAccountRules.Wire(status));

    // ---- TenantState: primary accounts

    private static Dictionary<string, bool> Primaries(TenantState s) => s.Accounts.Values.ToDictionary(a => a.AccountId, a => a.IsPrimary);

    /// <summary>pa, pa2 at paper; ext, b2, a3, B1 at sim (linked in that order); o1 at oanda.</summary>
    private static TenantState Many() => WithAccounts().Then(
        new BrokerAccountLinked("b2", "sim", "N-b2", T0),
        new BrokerAccountLinked("a3", "sim", "N-a3", T0),
        new BrokerAccountLinked("B1", "sim", "N-B1", T0),
        new BrokerAccountLinked("o1", "oanda", "N-o1", T0),
        new PaperAccountLinked("pa2", 1m, T0));

    [Fact]
    public void The_first_account_of_each_venue_is_its_primary()
    {
        Assert.Equal(new Dictionary<string, bool>
        {
            ["pa"] = true, ["pa2"] = false,
            ["ext"] = true, ["b2"] = false, ["a3"] = false, ["B1"] = false,
            ["o1"] = true,
        }, Primaries(Many()));
    }

    [Fact]
    public void Choosing_a_primary_moves_it_within_its_venue_only()
    {
        var s = Many().Apply(new PrimaryAccountChosen("a3", Now));

        Assert.Equal(new Dictionary<string, bool>
        {
            ["pa"] = true, ["pa2"] = false,
            ["ext"] = false, ["b2"] = false, ["a3"] = true, ["B1"] = false,
            ["o1"] = true,
        }, Primaries(s));

        s = s.Apply(new PrimaryAccountChosen("pa2", Now));
        Assert.Equal(new Dictionary<string, bool>
        {
            ["pa"] = false, ["pa2"] = true,
            ["ext"] = false, ["b2"] = false, ["a3"] = true, ["B1"] = false,
            ["o1"] = true,
        }, Primaries(s));
    }

    [Fact]
    public void Choosing_the_primary_again_changes_nothing()
    {
        var s = Many();

        Assert.Equal(Primaries(s), Primaries(s.Apply(new PrimaryAccountChosen(ExternalAccountId, Now))));
        Assert.Equal(s.Accounts["ext"], s.Apply(new PrimaryAccountChosen(ExternalAccountId, Now)).Accounts["ext"]);
    }

    [Fact]
    public void Unlinking_a_primary_makes_the_ordinal_first_remaining_account_of_its_venue_primary()
    {
        var s = Many().Apply(new BrokerAccountUnlinked(ExternalAccountId, Now));

        // Ordinal: "B1" < "a3" < "b2" (by linking order b2 would come first, by descending order b2).
        Assert.Equal(new Dictionary<string, bool>
        {
            ["pa"] = true, ["pa2"] = false,
            ["b2"] = false, ["a3"] = false, ["B1"] = true,
            ["o1"] = true,
        }, Primaries(s));
    }

    [Fact]
    public void Unlinking_an_account_that_is_not_primary_promotes_nothing()
    {
        var s = Many().Apply(new BrokerAccountUnlinked("b2", Now));

        Assert.Equal(new Dictionary<string, bool>
        {
            ["pa"] = true, ["pa2"] = false,
            ["ext"] = true, ["a3"] = false, ["B1"] = false,
            ["o1"] = true,
        }, Primaries(s));
    }

    [Fact]
    public void Unlinking_a_venue_s_last_account_leaves_the_next_one_linked_there_primary()
    {
        var s = Many().Apply(new BrokerAccountUnlinked("o1", Now));

        Assert.False(s.Accounts.ContainsKey("o1"));
        Assert.DoesNotContain(s.Accounts.Values, a => a.Venue == "oanda");
        Assert.True(Primaries(s)["ext"]);
        Assert.True(s.Apply(new BrokerAccountLinked("o2", "oanda", "N-o2", Now)).Accounts["o2"].IsPrimary);
    }

    [Fact]
    public void Unlinking_removes_only_that_account_and_keeps_the_rest_of_the_state()
    {
        var before = Keyed();

        var s = before.Apply(new BrokerAccountUnlinked("live-1", Now));

        Assert.Equal(["ext", "pa"], s.Accounts.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(before.Accounts["ext"], s.Accounts["ext"]);
        Assert.Equal(before.Accounts["pa"], s.Accounts["pa"]);
        Assert.Equal(Key1, s.CredentialKey);
    }

    [Fact]
    public void A_paper_account_linked_next_to_a_broker_one_is_primary_at_its_own_venue()
    {
        var s = Created().Then(new BrokerAccountLinked("ext", "sim", "N-1", T0), new PaperAccountLinked("pa", 1m, T0));

        Assert.True(s.Accounts["ext"].IsPrimary);
        Assert.True(s.Accounts["pa"].IsPrimary);
    }

    [Fact]
    public void An_account_linked_where_no_account_of_its_venue_is_primary_becomes_primary()
    {
        // As a snapshot written before primaries existed restores: accounts at sim, none of them primary.
        var restored = Many();
        restored = restored with { Accounts = restored.Accounts.SetItem("ext", restored.Accounts["ext"] with { IsPrimary = false }) };
        Assert.DoesNotContain(restored.Accounts.Values, a => a.Venue == "sim" && a.IsPrimary);

        var s = restored.Apply(new BrokerAccountLinked("z9", "sim", "N-z9", Now));

        Assert.True(s.Accounts["z9"].IsPrimary);
        Assert.Equal(["z9"], s.Accounts.Values.Where(a => a.Venue == "sim" && a.IsPrimary).Select(a => a.AccountId));
    }

    [Fact]
    public void A_restored_state_without_primaries_gets_the_ordinal_first_account_of_each_venue_and_one_with_them_keeps_them()
    {
        var s = Created().Then(new BrokerAccountLinked("b2", "sim", "N-2", T0), new BrokerAccountLinked("a10", "sim", "N-1", T0),
            new BrokerAccountLinked("o1", "oanda", "O-1", T0), new PaperAccountLinked("pa", 1m, T0));
        var noPrimaries = s with { Accounts = s.Accounts.ToImmutableDictionary(a => a.Key, a => a.Value with { IsPrimary = false }) };

        var recovered = noPrimaries.WithPrimaryPerVenue();

        Assert.Equal(["a10", "o1", "pa"], recovered.Accounts.Values.Where(a => a.IsPrimary).Select(a => a.AccountId).Order(StringComparer.Ordinal));
        // Already primary somewhere: nothing moves (b2 was linked first, so it is sim's primary).
        Assert.Equal(["b2", "o1", "pa"], s.WithPrimaryPerVenue().Accounts.Values.Where(a => a.IsPrimary).Select(a => a.AccountId).Order(StringComparer.Ordinal));
        Assert.Same(s.Accounts, s.WithPrimaryPerVenue().Accounts);
    }

    // ---- TenantState: the other account events

    [Fact]
    public void A_sealed_link_records_label_mode_key_hint_and_credentials_primary_and_unverified()
    {
        var s = Created().Apply(new BrokerAccountLinked("live-1", "sim", "", T0, "Main", AccountMode.Testnet, KidHint, Sealed));

        Assert.Equal(new LinkedAccount("live-1", "sim", "", null, "Main", AccountMode.Testnet, KidHint, Sealed, IsPrimary: true, AccountStatus.Unverified, null), s.Accounts["live-1"]);
    }

    [Fact]
    public void The_credential_key_is_set_when_issued_and_replaced_when_rewrapped()
    {
        var before = WithAccounts();
        Assert.Null(before.CredentialKey);
        Assert.Null(TenantState.Empty("t").CredentialKey);

        var s = before.Apply(new CredentialKeyIssued(Key1, T0));
        Assert.Equal(Key1, s.CredentialKey);
        Assert.Same(before.Accounts, s.Accounts); // nothing else changes
        Assert.Equal(before with { CredentialKey = Key1 }, s);

        s = s.Apply(new CredentialKeyRewrapped(Key2, Now));
        Assert.Equal(Key2, s.CredentialKey);
    }

    [Fact]
    public void Renaming_changes_only_that_account_s_label()
    {
        var s = Keyed().Apply(new BrokerAccountRenamed(ExternalAccountId, "Trading", Now));

        Assert.Equal("Trading", s.Accounts["ext"].Label);
        Assert.Equal(Keyed().Accounts["ext"] with { Label = "Trading" }, s.Accounts["ext"]);
        Assert.Equal("Main", s.Accounts["live-1"].Label);
        Assert.Null(s.Accounts["pa"].Label);
    }

    [Fact]
    public void A_failed_check_records_its_reason_and_a_passed_one_clears_it()
    {
        var s = WithAccounts().Apply(new BrokerAccountVerified(ExternalAccountId, false, "401 unauthorized: bad key", Now));

        Assert.Equal((AccountStatus.Failed, "401 unauthorized: bad key"), (s.Accounts["ext"].Status, s.Accounts["ext"].StatusReason));
        Assert.Equal(AccountStatus.Failed, s.Accounts["ext"].EffectiveStatus);
        Assert.Equal(AccountStatus.Unverified, s.Accounts["pa"].Status);

        s = s.Apply(new BrokerAccountVerified(ExternalAccountId, true, "ignored", Now));

        Assert.Equal((AccountStatus.Verified, (string?)null), (s.Accounts["ext"].Status, s.Accounts["ext"].StatusReason));
        Assert.Equal(AccountStatus.Verified, s.Accounts["ext"].EffectiveStatus);
        Assert.True(s.Accounts["ext"].IsPrimary);
        Assert.Equal("ACC-1", s.Accounts["ext"].VenueAccountNumber);
    }

    [Fact]
    public void A_new_account_is_unverified_without_reason()
    {
        var a = WithAccounts().Accounts["ext"];

        Assert.Equal((AccountStatus.Unverified, (string?)null), (a.Status, a.StatusReason));
        Assert.Equal(AccountStatus.Unverified, new LinkedAccount("x", "sim", "N", null).Status);
        Assert.False(new LinkedAccount("x", "sim", "N", null).IsPrimary);
    }

    public static TheoryData<string, ITenantEvent> EventsForUnknownAccounts => new()
    {
        { "renamed", new BrokerAccountRenamed("nope", "Label", Now) },
        { "primary chosen", new PrimaryAccountChosen("nope", Now) },
        { "verified", new BrokerAccountVerified("nope", false, "x", Now) },
        { "unlinked", new BrokerAccountUnlinked("nope", Now) },
    };

    [Theory]
    [MemberData(nameof(EventsForUnknownAccounts))]
    public void An_event_for_an_account_the_tenant_does_not_have_changes_nothing(string what, ITenantEvent e)
    {
        var s = Many();

        var after = s.Apply(e);

        Assert.NotNull(what);
        Assert.Same(s, after);
    }

    // ---- what an account shows

    public static TheoryData<string, LinkedAccount, AccountMode, string, AccountStatus> Shown => new()
    {
        { "paper", new LinkedAccount("pa", "paper", "pa", PaperAccount.Open(1m)), AccountMode.Paper, "Paper", AccountStatus.Verified },
        { "paper with a label", new LinkedAccount("pa", "paper", "pa", PaperAccount.Open(1m), "Sandbox"), AccountMode.Paper, "Sandbox", AccountStatus.Verified },
        { "paper that failed a check (still verified)", new LinkedAccount("pa", "paper", "pa", PaperAccount.Open(1m), Status: AccountStatus.Failed, StatusReason: "x"),
            AccountMode.Paper, "Paper", AccountStatus.Verified },
        { "paper whatever its mode says", new LinkedAccount("pa", "paper", "pa", PaperAccount.Open(1m), Mode: AccountMode.Live), AccountMode.Paper, "Paper", AccountStatus.Verified },
        { "external testnet", new LinkedAccount("x", "sim", "N", null, Mode: AccountMode.Testnet), AccountMode.Testnet, "sim testnet", AccountStatus.Unverified },
        { "external live", new LinkedAccount("x", "oanda", "N", null, Mode: AccountMode.Live), AccountMode.Live, "oanda live", AccountStatus.Unverified },
        { "external without a mode (linked before modes): live", new LinkedAccount("x", "sim", "N", null), AccountMode.Live, "sim live", AccountStatus.Unverified },
        { "external with a label", new LinkedAccount("x", "sim", "N", null, "Main", AccountMode.Testnet), AccountMode.Testnet, "Main", AccountStatus.Unverified },
        { "external verified", new LinkedAccount("x", "sim", "N", null, Status: AccountStatus.Verified), AccountMode.Live, "sim live", AccountStatus.Verified },
        { "external failed", new LinkedAccount("x", "sim", "N", null, Status: AccountStatus.Failed), AccountMode.Live, "sim live", AccountStatus.Failed },
    };

    [Theory]
    [MemberData(nameof(Shown))]
    public void What_an_account_shows(string what, LinkedAccount account, AccountMode mode, string label, AccountStatus status)
    {
        Assert.Equal(mode, account.EffectiveMode);
        Assert.Equal(label, account.DisplayLabel);
        Assert.Equal(status, account.EffectiveStatus);
        Assert.NotNull(what);
    }
}
