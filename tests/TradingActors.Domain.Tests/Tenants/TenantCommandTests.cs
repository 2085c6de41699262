using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tenants;
using static TradingActors.Domain.Tests.Tenants.TenantHistory;

namespace TradingActors.Domain.Tests.Tenants;

/// <summary>TenantDecisions' commands: each rejection with its exact reason, and the event an accepted command persists.</summary>
public sealed class TenantCommandTests
{
    private static readonly DateTimeOffset Now = T0.AddMinutes(5);
    private static readonly StrategyCatalog Catalog = new([new StrategyDefinition(Strategy, Symbol), new StrategyDefinition("eth-rsi", "ETHUSDT")]);
    private static readonly IReadOnlySet<string> ExternalVenues = new HashSet<string>(StringComparer.Ordinal) { "sim", "oanda" };
    private const string OnlyAllowed = "may contain only letters, digits, '-', '_' and '.'";

    private static readonly string Id64 = new('a', 64);
    private static readonly string Id65 = new('a', 65);

    private static TenantState Paused() => Following().Then(new SubscriptionPaused(Strategy, T0));
    private static TenantState Suspended() => Following().Then(new TenantSuspended("review", T0));

    private static readonly Dictionary<string, (Func<Decision> Decide, Decision Expected)> Cases = new()
    {
        // ---- Create
        ["create: a new tenant is created with its trimmed display name"] = (() => TenantDecisions.Create(TenantState.Empty("t1"), "  Tenant One ", Now),
            Decision.Accept(new TenantCreated("t1", "Tenant One", Now))),
        ["create: a display name of 200 characters is accepted"] = (() => TenantDecisions.Create(TenantState.Empty("t1"), new string('n', 200), Now),
            Decision.Accept(new TenantCreated("t1", new string('n', 200), Now))),
        ["create: a display name of 200 characters with spaces around it is accepted, trimmed"] = (() => TenantDecisions.Create(TenantState.Empty("t1"), "  " + new string('n', 200) + " ", Now),
            Decision.Accept(new TenantCreated("t1", new string('n', 200), Now))),
        ["create: a display name of 201 characters is rejected"] = (() => TenantDecisions.Create(TenantState.Empty("t1"), new string('n', 201), Now),
            Decision.Reject("display name must be at most 200 characters")),
        ["create: a sign-up names its plan: the tenant starts on it in the same persist (decision 034)"] = (
            () => TenantDecisions.Create(TenantState.Empty("t1"), "Tenant One", Now, Domain.Billing.PlanCatalog.Free),
            Decision.Accept(new TenantCreated("t1", "Tenant One", Now), new Domain.Billing.TenantPlanChanged(Domain.Billing.PlanCatalog.Free, null, Now))),
        ["create: an existing tenant is rejected, plan or not"] = (() => TenantDecisions.Create(Created(), "again", Now, Domain.Billing.PlanCatalog.Pro),
            Decision.Reject("tenant 't1' already exists")),
        ["create: an existing tenant is rejected"] = (() => TenantDecisions.Create(Created(), "again", Now), Decision.Reject("tenant 't1' already exists")),
        ["create: an empty tenant id is rejected"] = (() => TenantDecisions.Create(TenantState.Empty(""), "x", Now), Decision.Reject("tenant id is required")),
        ["create: a tenant id with a slash is rejected"] = (() => TenantDecisions.Create(TenantState.Empty("a/b"), "x", Now), Decision.Reject("tenant id " + OnlyAllowed)),
        ["create: a tenant id of 65 characters is rejected"] = (() => TenantDecisions.Create(TenantState.Empty(Id65), "x", Now), Decision.Reject("tenant id must be at most 64 characters")),

        // ---- LinkPaperAccount
        ["paper: a paper account is linked with its starting cash"] = (() => TenantDecisions.LinkPaperAccount(Created(), "pa", 5_000m, Now),
            Decision.Accept(new PaperAccountLinked("pa", 5_000m, Now))),
        ["paper: no starting cash is allowed"] = (() => TenantDecisions.LinkPaperAccount(Created(), "pa", 0m, Now), Decision.Accept(new PaperAccountLinked("pa", 0m, Now))),
        ["paper: a billion is the most starting cash"] = (() => TenantDecisions.LinkPaperAccount(Created(), "pa", 1_000_000_000m, Now),
            Decision.Accept(new PaperAccountLinked("pa", 1_000_000_000m, Now))),
        ["paper: a cent above a billion is rejected"] = (() => TenantDecisions.LinkPaperAccount(Created(), "pa", 1_000_000_000.01m, Now),
            Decision.Reject("starting cash must be at most 1,000,000,000")),
        ["paper: negative starting cash is rejected"] = (() => TenantDecisions.LinkPaperAccount(Created(), "pa", -0.01m, Now), Decision.Reject("starting cash must not be negative")),
        ["paper: no tenant is rejected"] = (() => TenantDecisions.LinkPaperAccount(TenantState.Empty("t1"), "pa", 1m, Now), Decision.Reject("tenant 't1' does not exist")),
        ["paper: no tenant and a bad account id: the tenant wins"] = (() => TenantDecisions.LinkPaperAccount(TenantState.Empty("t1"), "a b", -1m, Now),
            Decision.Reject("tenant 't1' does not exist")),
        ["paper: a blank account id is rejected"] = (() => TenantDecisions.LinkPaperAccount(Created(), " ", 1m, Now), Decision.Reject("account id is required")),
        ["paper: a bad account id and negative cash: the id wins"] = (() => TenantDecisions.LinkPaperAccount(Created(), "a b", -1m, Now), Decision.Reject("account id " + OnlyAllowed)),
        ["paper: an id already linked as paper is rejected"] = (() => TenantDecisions.LinkPaperAccount(WithAccounts(), "pa", 1m, Now), Decision.Reject("account 'pa' is already linked")),
        ["paper: an id already linked at a broker is rejected"] = (() => TenantDecisions.LinkPaperAccount(WithAccounts(), "ext", 1m, Now), Decision.Reject("account 'ext' is already linked")),

        // ---- LinkBrokerAccount
        ["broker: an account at a known venue is linked"] = (() => TenantDecisions.LinkBrokerAccount(Created(), "acc", "oanda", "101-004", ExternalVenues, Now),
            Decision.Accept(new BrokerAccountLinked("acc", "oanda", "101-004", Now))),
        ["broker: no tenant is rejected"] = (() => TenantDecisions.LinkBrokerAccount(TenantState.Empty("t1"), "acc", "sim", "1", ExternalVenues, Now),
            Decision.Reject("tenant 't1' does not exist")),
        ["broker: a bad account id is rejected"] = (() => TenantDecisions.LinkBrokerAccount(Created(), "acc!", "sim", "1", ExternalVenues, Now), Decision.Reject("account id " + OnlyAllowed)),
        ["broker: an id already linked is rejected"] = (() => TenantDecisions.LinkBrokerAccount(WithAccounts(), "pa", "sim", "1", ExternalVenues, Now),
            Decision.Reject("account 'pa' is already linked")),
        ["broker: an unknown venue is rejected"] = (() => TenantDecisions.LinkBrokerAccount(Created(), "acc", "bybit", "1", ExternalVenues, Now), Decision.Reject("unknown venue 'bybit'")),
        ["broker: the embedded paper venue is not an external venue"] = (() => TenantDecisions.LinkBrokerAccount(Created(), "acc", "paper", "1", ExternalVenues, Now),
            Decision.Reject("unknown venue 'paper'")),
        ["broker: an unknown venue and a bad number: the venue wins"] = (() => TenantDecisions.LinkBrokerAccount(Created(), "acc", "bybit", "", ExternalVenues, Now),
            Decision.Reject("unknown venue 'bybit'")),
        ["broker: a missing venue account number is rejected"] = (() => TenantDecisions.LinkBrokerAccount(Created(), "acc", "sim", "", ExternalVenues, Now),
            Decision.Reject("venue account number is required")),
        ["broker: a venue account number with a space is rejected"] = (() => TenantDecisions.LinkBrokerAccount(Created(), "acc", "sim", "1 2", ExternalVenues, Now),
            Decision.Reject("venue account number " + OnlyAllowed)),

        // ---- Subscribe
        ["subscribe: a subscription takes the strategy's symbol and its start sequence"] = (() => TenantDecisions.Subscribe(WithAccounts(), Catalog, "eth-rsi", "ext", 250m, Now, startAfter: 42),
            Decision.Accept(new Subscribed("eth-rsi", "ext", "ETHUSDT", 250m, Now, 42))),
        ["subscribe: without a start sequence it starts after 0"] = (() => TenantDecisions.Subscribe(WithAccounts(), Catalog, Strategy, "pa", 1m, Now),
            Decision.Accept(new Subscribed(Strategy, "pa", Symbol, 1m, Now, 0))),
        ["subscribe: a billion is the largest budget"] = (() => TenantDecisions.Subscribe(WithAccounts(), Catalog, Strategy, "pa", 1_000_000_000m, Now),
            Decision.Accept(new Subscribed(Strategy, "pa", Symbol, 1_000_000_000m, Now, 0))),
        ["subscribe: a cent above a billion is rejected"] = (() => TenantDecisions.Subscribe(WithAccounts(), Catalog, Strategy, "pa", 1_000_000_000.01m, Now),
            Decision.Reject("budget must be at most 1,000,000,000")),
        ["subscribe: a zero budget is rejected"] = (() => TenantDecisions.Subscribe(WithAccounts(), Catalog, Strategy, "pa", 0m, Now), Decision.Reject("budget must be positive")),
        ["subscribe: a negative budget is rejected"] = (() => TenantDecisions.Subscribe(WithAccounts(), Catalog, Strategy, "pa", -1m, Now), Decision.Reject("budget must be positive")),
        ["subscribe: no tenant is rejected"] = (() => TenantDecisions.Subscribe(TenantState.Empty("t1"), Catalog, Strategy, "pa", 1m, Now), Decision.Reject("tenant 't1' does not exist")),
        ["subscribe: an unknown strategy is rejected"] = (() => TenantDecisions.Subscribe(WithAccounts(), Catalog, "macd", "pa", 1m, Now), Decision.Reject("unknown strategy 'macd'")),
        ["subscribe: an unknown strategy and account: the strategy wins"] = (() => TenantDecisions.Subscribe(WithAccounts(), Catalog, "macd", "nope", 0m, Now),
            Decision.Reject("unknown strategy 'macd'")),
        ["subscribe: an unknown account is rejected"] = (() => TenantDecisions.Subscribe(WithAccounts(), Catalog, Strategy, "nope", 1m, Now), Decision.Reject("unknown account 'nope'")),
        ["subscribe: an unknown account and a zero budget: the account wins"] = (() => TenantDecisions.Subscribe(WithAccounts(), Catalog, Strategy, "nope", 0m, Now),
            Decision.Reject("unknown account 'nope'")),
        ["subscribe: twice to one strategy is rejected"] = (() => TenantDecisions.Subscribe(Following(), Catalog, Strategy, "ext", 1m, Now), Decision.Reject("already subscribed to 'rsi'")),
        ["subscribe: twice, with a zero budget: already subscribed wins"] = (() => TenantDecisions.Subscribe(Following(), Catalog, Strategy, "pa", 0m, Now), Decision.Reject("already subscribed to 'rsi'")),
        ["subscribe: twice while paused is rejected"] = (() => TenantDecisions.Subscribe(Paused(), Catalog, Strategy, "pa", 1m, Now), Decision.Reject("already subscribed to 'rsi'")),

        // ---- Unsubscribe
        ["unsubscribe: an active subscription ends"] = (() => TenantDecisions.Unsubscribe(Following(), Strategy, Now), Decision.Accept(new Unsubscribed(Strategy, Now))),
        ["unsubscribe: a paused subscription ends"] = (() => TenantDecisions.Unsubscribe(Paused(), Strategy, Now), Decision.Accept(new Unsubscribed(Strategy, Now))),
        ["unsubscribe: not subscribed is rejected"] = (() => TenantDecisions.Unsubscribe(WithAccounts(), Strategy, Now), Decision.Reject("not subscribed to 'rsi'")),
        ["unsubscribe: no tenant is rejected"] = (() => TenantDecisions.Unsubscribe(TenantState.Empty("t1"), Strategy, Now), Decision.Reject("tenant 't1' does not exist")),

        // ---- Pause
        ["pause: an active subscription pauses"] = (() => TenantDecisions.Pause(Following(), Strategy, Now), Decision.Accept(new SubscriptionPaused(Strategy, Now))),
        ["pause: a paused subscription is rejected"] = (() => TenantDecisions.Pause(Paused(), Strategy, Now), Decision.Reject("subscription 'rsi' is already paused")),
        ["pause: not subscribed is rejected"] = (() => TenantDecisions.Pause(WithAccounts(), Strategy, Now), Decision.Reject("not subscribed to 'rsi'")),
        ["pause: no tenant is rejected"] = (() => TenantDecisions.Pause(TenantState.Empty("t1"), Strategy, Now), Decision.Reject("tenant 't1' does not exist")),

        // ---- Resume
        ["resume: a paused subscription resumes after the given sequence"] = (() => TenantDecisions.Resume(Paused(), Strategy, Now, startAfter: 17),
            Decision.Accept(new SubscriptionResumed(Strategy, Now, 17))),
        ["resume: without a start sequence it resumes after 0"] = (() => TenantDecisions.Resume(Paused(), Strategy, Now), Decision.Accept(new SubscriptionResumed(Strategy, Now, 0))),
        ["resume: an active subscription is rejected"] = (() => TenantDecisions.Resume(Following(), Strategy, Now), Decision.Reject("subscription 'rsi' is already active")),
        ["resume: not subscribed is rejected"] = (() => TenantDecisions.Resume(WithAccounts(), Strategy, Now), Decision.Reject("not subscribed to 'rsi'")),
        ["resume: no tenant is rejected"] = (() => TenantDecisions.Resume(TenantState.Empty("t1"), Strategy, Now), Decision.Reject("tenant 't1' does not exist")),

        // ---- Suspend (an operator)
        ["suspend: a tenant is suspended with its trimmed reason"] = (() => TenantDecisions.Suspend(Following(), "  chargeback review ", Now),
            Decision.Accept(new TenantSuspended("chargeback review", Now))),
        ["suspend: a reason of 200 characters is accepted"] = (() => TenantDecisions.Suspend(Created(), new string('r', 200), Now),
            Decision.Accept(new TenantSuspended(new string('r', 200), Now))),
        ["suspend: a reason of 201 characters is rejected"] = (() => TenantDecisions.Suspend(Created(), new string('r', 201), Now),
            Decision.Reject("the reason must be at most 200 characters")),
        ["suspend: a blank reason is rejected"] = (() => TenantDecisions.Suspend(Created(), " ", Now), Decision.Reject("a reason is required")),
        ["suspend: a suspended tenant is rejected"] = (() => TenantDecisions.Suspend(Suspended(), "again", Now), Decision.Reject("tenant 't1' is already suspended")),
        ["suspend: no tenant is rejected, whatever the reason"] = (() => TenantDecisions.Suspend(TenantState.Empty("t1"), "", Now), Decision.Reject("tenant 't1' does not exist")),

        // ---- ResumeTrading (an operator)
        ["resume trading: a suspended tenant trades again"] = (() => TenantDecisions.ResumeTrading(Suspended(), Now), Decision.Accept(new TenantResumed(Now))),
        ["resume trading: a tenant that is not suspended is rejected"] = (() => TenantDecisions.ResumeTrading(Following(), Now), Decision.Reject("tenant 't1' is not suspended")),
        ["resume trading: no tenant is rejected"] = (() => TenantDecisions.ResumeTrading(TenantState.Empty("t1"), Now), Decision.Reject("tenant 't1' does not exist")),
    };

    public static TheoryData<string> Commands => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(Commands))]
    public void Command(string rule)
    {
        var (decide, expected) = Cases[rule];

        var decision = decide();

        // Decision holds an ImmutableArray (compared by reference): compare its parts.
        Assert.Equal(expected.Rejection, decision.Rejection);
        Assert.Equal(expected.Accepted, decision.Accepted);
        Assert.Equal(expected.Events.ToArray(), decision.Events.ToArray());
    }

    [Theory]
    [InlineData(null, "x is required")]
    [InlineData("", "x is required")]
    [InlineData("   ", "x is required")]
    [InlineData("\t", "x is required")]
    [InlineData("a b", "x " + OnlyAllowed)]
    [InlineData("a/b", "x " + OnlyAllowed)]
    [InlineData("a:b", "x " + OnlyAllowed)]
    [InlineData("é", "x " + OnlyAllowed)]
    [InlineData("٣", "x " + OnlyAllowed)] // a non-ASCII digit
    [InlineData("abc ", "x " + OnlyAllowed)]
    public void Invalid_ids_are_rejected_with_their_reason(string? id, string reason) =>
        Assert.Equal(reason, TenantDecisions.ValidateId(id, "x"));

    [Fact]
    public void Ids_longer_than_64_characters_are_rejected_whatever_they_contain()
    {
        Assert.Equal("x must be at most 64 characters", TenantDecisions.ValidateId(Id65, "x"));
        Assert.Equal("x must be at most 64 characters", TenantDecisions.ValidateId(new string('/', 65), "x"));
    }

    [Theory]
    [InlineData("a")]
    [InlineData("Tenant-01_eu.west")]
    [InlineData("0123456789")]
    [InlineData("ABCxyz")]
    [InlineData("-_.")]
    public void Valid_ids_are_accepted(string id) => Assert.Null(TenantDecisions.ValidateId(id, "x"));

    [Fact]
    public void An_id_of_exactly_64_characters_is_accepted() => Assert.Null(TenantDecisions.ValidateId(Id64, "x"));

    [Fact]
    public void A_rejected_decision_carries_no_events()
    {
        var decision = TenantDecisions.Pause(Paused(), Strategy, Now);

        Assert.False(decision.Accepted);
        Assert.Empty(decision.Events);
    }
}
