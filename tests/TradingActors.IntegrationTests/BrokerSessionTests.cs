using Akka.Actor;
using TradingActors.Brokers;
using TradingActors.Brokers.Simulated;
using TradingActors.Domain.Orders;
using TradingActors.Engine.Tenants;
using TradingActors.IntegrationTests.Infrastructure;

namespace TradingActors.IntegrationTests;

/// <summary>
/// The BrokerSession path (isolation, invariant 1): the circuit breaker stops calling a venue that
/// keeps failing and lets one trial call through after the reset, and a crashed session is started
/// again by its backoff supervisor. No database: the session persists nothing.
/// </summary>
public sealed class BrokerSessionTests() : Akka.TestKit.Xunit2.TestKit(VenueDispatchers.Hocon(["sim"], 2))
{
    private static readonly BrokerSession.Settings Settings = new(TimeSpan.FromSeconds(2), BreakerMaxFailures: 3, BreakerReset: TimeSpan.FromSeconds(30), IdleStop: TimeSpan.FromMinutes(5));
    private static readonly BrokerAccount Account = new("ext-1", "SIM-1");
    private readonly ManualClock _clock = new(DateTimeOffset.Parse("2026-12-01T12:00:00Z"));
    private readonly CountingBroker<SimulatedVenue> _venue = new(new SimulatedVenue("sim", new TradingActors.Brokers.Paper.LatestPrices(), TimeProvider.System));

    private static OrderIntent Intent(long sequence) =>
        new(ClientOrderIds.Create("t", Account.AccountId, "strategy:s", sequence, 0), Account.AccountId, "strategy:s", sequence, "BTCUSDT", OrderSide.Buy, 0.01m, 50_000m);

    [Fact]
    public void After_repeated_failures_the_breaker_answers_not_placed_without_calling_the_venue_until_the_reset()
    {
        var session = Sys.ActorOf(BrokerSession.Props(_venue, Account, Settings, _clock));
        _venue.Exchange.SetFault(Account.VenueAccountNumber, VenueFault.NotPlaced);
        for (var i = 1; i <= 3; i++)
        {
            session.Tell(new PlaceOrderAtVenue(Intent(i)));
            Assert.Equal(VenueAnswerKind.NotPlaced, ExpectMsg<VenueAnswer>().Kind);
        }
        Assert.Equal(3, _venue.TotalPlacements);

        _venue.Exchange.ClearFault(Account.VenueAccountNumber); // the venue is fine again, but the breaker is open
        session.Tell(new PlaceOrderAtVenue(Intent(4)));
        var refused = ExpectMsg<VenueAnswer>();
        Assert.Equal((VenueAnswerKind.NotPlaced, BrokerSession.CircuitOpenReason), (refused.Kind, refused.Reason));
        session.Tell(new FindOrderAtVenue(Intent(1), OrderLookup.Of(Intent(1))));
        Assert.Equal(VenueAnswerKind.NotPlaced, ExpectMsg<VenueAnswer>().Kind);
        Assert.Equal(3, _venue.TotalPlacements);
        Assert.Equal(0, _venue.Lookups);

        _clock.Set(_clock.GetUtcNow() + Settings.BreakerReset);
        session.Tell(new PlaceOrderAtVenue(Intent(5)));
        Assert.Equal(VenueAnswerKind.Filled, ExpectMsg<VenueAnswer>().Kind);
        Assert.Equal(4, _venue.TotalPlacements);
    }

    [Fact]
    public void A_success_between_failures_keeps_the_breaker_closed()
    {
        var session = Sys.ActorOf(BrokerSession.Props(_venue, Account, Settings, _clock));
        foreach (var fault in new[] { VenueFault.NotPlaced, VenueFault.NotPlaced, VenueFault.None, VenueFault.NotPlaced, VenueFault.NotPlaced, VenueFault.None })
        {
            _venue.Exchange.SetFault(Account.VenueAccountNumber, fault);
            session.Tell(new PlaceOrderAtVenue(Intent(_venue.TotalPlacements + 1)));
            Assert.Equal(fault == VenueFault.None ? VenueAnswerKind.Filled : VenueAnswerKind.NotPlaced, ExpectMsg<VenueAnswer>().Kind);
        }
        Assert.Equal(6, _venue.TotalPlacements); // every call reached the venue
    }

    [Fact]
    public void Unknown_outcomes_count_as_failures_for_the_breaker()
    {
        var session = Sys.ActorOf(BrokerSession.Props(_venue, Account, Settings with { CallTimeout = TimeSpan.FromMilliseconds(200) }, _clock));
        _venue.Exchange.SetFault(Account.VenueAccountNumber, VenueFault.Hang);
        for (var i = 1; i <= 3; i++)
        {
            session.Tell(new PlaceOrderAtVenue(Intent(i)));
            Assert.Equal(VenueAnswerKind.Unknown, ExpectMsg<VenueAnswer>(TimeSpan.FromSeconds(3)).Kind);
        }
        session.Tell(new PlaceOrderAtVenue(Intent(4)));
        Assert.Equal(BrokerSession.CircuitOpenReason, ExpectMsg<VenueAnswer>().Reason);
        Assert.Equal(3, _venue.TotalPlacements);
    }

    [Fact]
    public void A_crashed_session_is_started_again_by_its_backoff_supervisor_and_answers()
    {
        var supervised = Sys.ActorOf(BrokerSession.Supervised(_venue, Account, Settings, _clock), "broker-ext-1");
        supervised.Tell(new PlaceOrderAtVenue(Intent(1)));
        Assert.Equal(VenueAnswerKind.Filled, ExpectMsg<VenueAnswer>().Kind);

        var session = Sys.ActorSelection(supervised.Path / "session").ResolveOne(TimeSpan.FromSeconds(3)).Result;
        Watch(supervised);
        session.Tell(Kill.Instance); // crashes (ActorKilledException)

        AwaitAssert(() =>
        {
            supervised.Tell(new PlaceOrderAtVenue(Intent(2)));
            Assert.Equal(VenueAnswerKind.Filled, ExpectMsg<VenueAnswer>(TimeSpan.FromMilliseconds(500)).Kind);
        }, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(200));
        // The supervisor itself never stopped. Asks repeated while the session restarted may still be
        // answered late (each one is the same order, filled): anything but Terminated may arrive.
        var late = ReceiveWhile<object>(TimeSpan.FromMilliseconds(300), m => m);
        Assert.DoesNotContain(late, m => m is Terminated);
        Assert.All(late, m => Assert.Equal(VenueAnswerKind.Filled, Assert.IsType<VenueAnswer>(m).Kind));
    }

    [Fact]
    public void The_session_runs_its_calls_on_its_venues_own_threads()
    {
        var venue = new ThreadRecorder(_venue);
        var session = Sys.ActorOf(BrokerSession.Props(venue, Account, Settings, _clock));
        session.Tell(new PlaceOrderAtVenue(Intent(1)));
        ExpectMsg<VenueAnswer>();
        Assert.StartsWith(VenueDispatchers.IdOf("sim"), venue.ThreadName);
    }

    private sealed class ThreadRecorder(IBrokerClient inner) : DelegatingBrokerClient(inner)
    {
        public string? ThreadName { get; private set; }

        public override Task<BrokerOrderResult> PlaceOrderAsync(BrokerAccount account, OrderIntent intent, CancellationToken ct)
        {
            ThreadName = Thread.CurrentThread.Name;
            return inner.PlaceOrderAsync(account, intent, ct);
        }

        public override Task<BrokerOrderResult?> FindOrderAsync(BrokerAccount account, OrderLookup lookup, CancellationToken ct) => inner.FindOrderAsync(account, lookup, ct);

        public override Task<ConnectivityCheck> CheckConnectivityAsync(BrokerAccount account, CancellationToken ct) => inner.CheckConnectivityAsync(account, ct);
    }
}
