using System.Collections.Concurrent;
using Akka.Actor;
using TradingActors.Brokers;
using TradingActors.Brokers.Http;
using TradingActors.Brokers.Paper;
using TradingActors.Brokers.Simulated;
using TradingActors.Credentials;
using TradingActors.Domain.Orders;
using TradingActors.Engine.Tenants;
using TradingActors.IntegrationTests.Infrastructure;

namespace TradingActors.IntegrationTests;

/// <summary>
/// A token venue (KIS) through its BrokerSession (decision 022): the session asks for a token only when it holds none
/// that is usable — once however many orders arrive together —, reports it sealed to the tenant, reuses the one the
/// tenant kept, and renews it once when the venue refuses it. No database: the session persists nothing itself.
/// </summary>
public sealed class BrokerSessionTokenTests : Akka.TestKit.Xunit2.TestKit
{
    private const string Tenant = "t-1";
    private static readonly BrokerSession.Settings Settings = new(TimeSpan.FromSeconds(2), BreakerMaxFailures: 3, BreakerReset: TimeSpan.FromSeconds(30), IdleStop: TimeSpan.FromMinutes(5));
    private static readonly BrokerAccount Account = new("kis-1", "");
    private const string OpenedAccountNumber = "12345678-01"; // travels sealed with the credentials
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-12-01T12:00:00Z");
    private readonly ManualClock _clock = new(Start);
    private readonly KeyRingSource _keys = new(MasterKeyRing.Of([MasterKey.Generate("mk-1")], "mk-1"));
    private readonly DataKey _dataKey = DataKey.Generate();
    private readonly TokenVenue _venue;

    public BrokerSessionTokenTests() : base(VenueDispatchers.Hocon(["sim"], 2)) => _venue = new TokenVenue(_clock);

    private static OrderIntent Intent(long sequence) =>
        new(ClientOrderIds.Create(Tenant, Account.AccountId, "strategy:s", sequence, 0), Account.AccountId, "strategy:s", sequence, "BTCUSDT", OrderSide.Buy, 0.01m, 50_000m);

    private BrokerSession.SealedAccess Access(string? sealedToken = null, DateTimeOffset? expiresAt = null) => new(
        Tenant, WrappedDataKey.Wrap(_dataKey, Tenant, _keys.Current).Encode(),
        SealedCredentials.Seal(new BrokerCredentials("app-key-1234", "app-secret-5678", OpenedAccountNumber), _dataKey, Tenant, Account.AccountId).Encode(),
        _keys, sealedToken, expiresAt);

    /// <summary>The session as a child of the test's parent, so what it reports to its parent (the tenant) reaches the test too.</summary>
    private IActorRef SessionUnderTest(BrokerSession.SealedAccess access) => ChildActorOf(BrokerSession.Props(_venue, Account, Settings, _clock, access));

    [Fact]
    public void Fifty_orders_at_once_get_one_token_and_the_tenant_is_given_it_sealed()
    {
        var session = SessionUnderTest(Access());

        for (var i = 1; i <= 50; i++) session.Tell(new PlaceOrderAtVenue(Intent(i)));

        var messages = ReceiveN(51, TimeSpan.FromSeconds(10));
        Assert.Equal(50, messages.OfType<VenueAnswer>().Count(a => a.Kind == VenueAnswerKind.Filled));
        var issued = Assert.Single(messages.OfType<VenueTokenIssued>());
        Assert.Equal(1, _venue.Issued);
        Assert.Equal(Account.AccountId, issued.AccountId);
        Assert.Equal(Start + TokenVenue.Lifetime, issued.ExpiresAt);
        Assert.DoesNotContain(_venue.LastToken!, issued.SealedToken);
        Assert.Equal(_venue.LastToken, SealedVenueToken.Open(issued.SealedToken, _dataKey, Tenant, Account.AccountId));
        Assert.All(_venue.TokensUsed, t => Assert.Equal(_venue.LastToken, t));
    }

    [Fact]
    public void A_new_session_reuses_the_token_the_tenant_kept()
    {
        var first = SessionUnderTest(Access());
        first.Tell(new PlaceOrderAtVenue(Intent(1)));
        var issued = ReceiveN(2).OfType<VenueTokenIssued>().Single();
        Sys.Stop(first);

        // After a restart or a shard move the tenant recovers the sealed token and hands it to its new session.
        _clock.Set(Start + TimeSpan.FromHours(20));
        var second = SessionUnderTest(Access(issued.SealedToken, issued.ExpiresAt));
        second.Tell(new PlaceOrderAtVenue(Intent(2)));

        Assert.Equal(VenueAnswerKind.Filled, ExpectMsg<VenueAnswer>().Kind);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal(1, _venue.Issued);
    }

    [Fact]
    public void A_token_close_to_expiry_is_renewed_before_the_call()
    {
        var session = SessionUnderTest(Access());
        session.Tell(new PlaceOrderAtVenue(Intent(1)));
        ReceiveN(2);

        _clock.Set(Start + TokenVenue.Lifetime - VenueToken.RefreshAhead);
        session.Tell(new PlaceOrderAtVenue(Intent(2)));

        var messages = ReceiveN(2);
        Assert.Equal(Start + TokenVenue.Lifetime - VenueToken.RefreshAhead + TokenVenue.Lifetime, messages.OfType<VenueTokenIssued>().Single().ExpiresAt);
        Assert.Equal(VenueAnswerKind.Filled, messages.OfType<VenueAnswer>().Single().Kind);
        Assert.Equal(2, _venue.Issued);
    }

    [Fact]
    public void A_token_the_venue_refuses_is_renewed_once_and_the_order_placed_once()
    {
        var session = SessionUnderTest(Access());
        session.Tell(new PlaceOrderAtVenue(Intent(1)));
        ReceiveN(2);
        _venue.RevokeAll(); // e.g. revoked at the portal: the venue answers "token expired"

        session.Tell(new PlaceOrderAtVenue(Intent(2)));

        var messages = ReceiveN(2);
        Assert.Equal(VenueAnswerKind.Filled, messages.OfType<VenueAnswer>().Single().Kind);
        Assert.Single(messages.OfType<VenueTokenIssued>());
        Assert.Equal(2, _venue.Issued);
        Assert.Equal(2, _venue.Inner.OrderCount(OpenedAccountNumber));
    }

    [Fact]
    public void A_venue_that_issues_no_token_leaves_the_order_not_placed_with_the_reason()
    {
        _venue.RefuseIssuance = true;
        var session = SessionUnderTest(Access());

        session.Tell(new PlaceOrderAtVenue(Intent(1)));

        var answer = ExpectMsg<VenueAnswer>();
        Assert.Equal(VenueAnswerKind.NotPlaced, answer.Kind);
        Assert.Contains("issued no token", answer.Reason);
        Assert.DoesNotContain("app-secret", answer.Reason);
        Assert.Equal(0, _venue.Inner.OrderCount(OpenedAccountNumber));
    }

    [Fact]
    public void A_kept_token_that_does_not_open_is_issued_again()
    {
        var session = SessionUnderTest(Access("v1.bm90LWEtdG9rZW4tc2VhbGVkLWZvci10aGlzLWFjY291bnQ", Start.AddDays(1)));

        session.Tell(new PlaceOrderAtVenue(Intent(1)));

        var messages = ReceiveN(2);
        Assert.Equal(VenueAnswerKind.Filled, messages.OfType<VenueAnswer>().Single().Kind);
        Assert.Equal(1, _venue.Issued);
    }

    /// <summary>A simulated venue that trades only with a token it issued and has not revoked (KIS's contract, in-process).</summary>
    private sealed class TokenVenue(ManualClock clock) : DelegatingBrokerClient(new SimulatedVenue("sim", new LatestPrices(), clock)), ITokenVenue
    {
        public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);
        private readonly ConcurrentDictionary<string, DateTimeOffset> _valid = new();
        private int _issued;

        public SimulatedVenue Inner => (SimulatedVenue)InnerClient;
        public int Issued => _issued;
        public string? LastToken { get; private set; }
        public ConcurrentBag<string> TokensUsed { get; } = [];
        public bool RefuseIssuance { get; set; }

        public override ITokenVenue Tokens => this;

        public async Task<VenueToken> IssueTokenAsync(BrokerAccount account, CancellationToken ct)
        {
            await Task.Delay(20, ct); // a real round trip, so concurrent callers would overlap if the session let them
            if (RefuseIssuance) throw new OrderNotPlacedException("403 EGW00133: token issuance throttled");
            Interlocked.Increment(ref _issued);
            var value = "tok-" + Guid.NewGuid().ToString("N");
            _valid[value] = clock.GetUtcNow() + Lifetime;
            LastToken = value;
            return new VenueToken(value, clock.GetUtcNow() + Lifetime);
        }

        public void RevokeAll() => _valid.Clear();

        public override Task<BrokerOrderResult> PlaceOrderAsync(BrokerAccount account, OrderIntent intent, CancellationToken ct)
        {
            if (account.Token is not { } t || !_valid.TryGetValue(t.Value, out var until) || clock.GetUtcNow() >= until)
                throw VenueRefusal.TokenRefused("EGW00123: the token has expired");
            TokensUsed.Add(t.Value);
            return base.PlaceOrderAsync(account, intent, ct);
        }
    }
}
