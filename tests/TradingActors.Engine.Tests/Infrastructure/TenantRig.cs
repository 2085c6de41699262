using System.Collections.Immutable;
using Akka.Actor;
using Akka.TestKit;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Paper;
using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Fanout;
using TradingActors.Engine.Strategies;
using TradingActors.Engine.Tenants;

namespace TradingActors.Engine.Tests.Infrastructure;

/// <summary>
/// A tenant created directly (not through sharding), with probes for the fan-out region and the
/// node's signal history. The history probe answers from <see cref="Published"/> (the strategy's
/// journal as far as the tenant can tell); the region probe answers registrations. Both still
/// receive every message, so a test can tell exactly what left the tenant.
/// </summary>
public sealed class TenantRig
{
    public const string StrategyId = "rsi-btc";
    public const string Symbol = "BTCUSDT";
    public const string PaperAccount = "paper-1";
    public const string ExternalAccount = "ext-1";

    private readonly TestKitBase _kit;
    private readonly List<Signal> _published = [];

    /// <param name="venues">Shared with other rigs to stand for tenants on one node (one registry, one instrument book).</param>
    public TenantRig(TestKitBase kit, string tenantId = "t1", int snapshotEvery = 1_000, ResolutionPolicy? resolution = null, TimeSpan? callTimeout = null,
        TestVenues? venues = null)
    {
        _kit = kit;
        TenantId = tenantId;
        Venues = venues ?? new TestVenues(TimeProvider.System);
        Fanout = kit.CreateTestProbe($"fanout-region-{tenantId}");
        History = kit.CreateTestProbe($"signal-history-{tenantId}");
        Fanout.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            if (message is RegisterSubscriber r) sender.Tell(new SubscriberRegistered(r.StrategyId, r.TenantId));
            return AutoPilot.KeepRunning;
        }));
        History.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            lock (_published)
            {
                switch (message)
                {
                    case GetLatestSequence g: sender.Tell(new LatestSequence(g.StrategyId, _published.Count)); break;
                    case FetchSignals f:
                        var page = _published.Where(s => s.Sequence >= f.From && s.Sequence <= f.To).ToImmutableArray();
                        sender.Tell(new SignalsFetched(f.StrategyId, page, _published.Count));
                        break;
                }
            }
            return AutoPilot.KeepRunning;
        }));
        Deps = new TenantDependencies(
            new Engine.Strategies.StrategyCatalogView(new StrategyCatalog([new StrategyDefinition(StrategyId, Symbol)])),
            Venues.Registry,
            new PaperVenueCosts(0.001m, 5m),
            TimeProvider.System,
            Fanout,
            History,
            FanoutBuckets: 4,
            SnapshotEvery: snapshotEvery,
            new BrokerSession.Settings(callTimeout ?? TimeSpan.FromSeconds(2), BreakerMaxFailures: 5, BreakerReset: TimeSpan.FromSeconds(30), IdleStop: TimeSpan.FromMinutes(1)),
            resolution ?? Resolution(),
            IdlePassivation: TimeSpan.FromHours(1),
            Prices: Venues.Prices);
    }

    /// <summary>Open orders are looked up quickly; an absent one is never placed again unless a test says so.</summary>
    public static ResolutionPolicy Resolution(TimeSpan? callTimeout = null, int attemptsBeforeAttention = 1_000) =>
        new(callTimeout ?? TimeSpan.FromHours(1), VisibilityWindow: TimeSpan.Zero, ClockSkew: TimeSpan.Zero,
            FirstRetry: TimeSpan.FromMilliseconds(20), MaxRetry: TimeSpan.FromMilliseconds(100), attemptsBeforeAttention);

    public string TenantId { get; }
    public TestVenues Venues { get; }
    public TestProbe Fanout { get; }
    public TestProbe History { get; }
    public TenantDependencies Deps { get; }

    public int Bucket => Names.FanoutBucketOf(TenantId, Deps.FanoutBuckets);

    /// <summary>A tenant entity with this rig's id: a new incarnation recovers what the previous one persisted (as a shard would restart it).</summary>
    public IActorRef Start()
    {
        var tenant = _kit.Sys.ActorOf(TenantActor.Props(TenantId, Deps));
        _kit.Watch(tenant);
        return tenant;
    }

    /// <summary>The strategy persisted its next signal (the history answers with it from now on).</summary>
    public Signal Publish(OrderSide side, decimal price, DateTimeOffset? time = null)
    {
        lock (_published)
        {
            var signal = new Signal(StrategyId, _published.Count + 1, Symbol, side, price, time ?? DateTimeOffset.UtcNow, "test signal");
            _published.Add(signal);
            return signal;
        }
    }

    public ExecuteSignal Execute(Signal signal) => new(TenantId, signal);

    public CatchUpSignals CatchUp(long through) => new(TenantId, StrategyId, through);

    public string ClientOrderId(string accountId, long sequence) => ClientOrderIds.Create(TenantId, accountId, Sources.Strategy(StrategyId), sequence, 0);

    public void Accept(IActorRef tenant, ITenantCommand command)
    {
        tenant.Tell(command, _kit.TestActor);
        _kit.ExpectMsg<CommandAccepted>(a => a.Command == command.GetType().Name);
    }

    public TenantState State(IActorRef tenant)
    {
        tenant.Tell(new GetPortfolio(TenantId), _kit.TestActor);
        return _kit.ExpectMsg<Portfolio>().State;
    }

    /// <summary>A tenant with a paper account, subscribed (the region probe has seen its registration).</summary>
    public IActorRef PaperSubscriber(decimal cash = 10_000m, decimal budget = 1_000m)
    {
        var tenant = Start();
        Accept(tenant, new CreateTenant(TenantId, TenantId));
        Accept(tenant, new LinkPaperAccount(TenantId, PaperAccount, cash));
        Accept(tenant, new SubscribeToStrategy(TenantId, StrategyId, PaperAccount, budget));
        ExpectRegistration();
        return tenant;
    }

    /// <summary>A tenant with an account at the simulated external venue, subscribed.</summary>
    public IActorRef ExternalSubscriber(decimal budget = 1_000m)
    {
        var tenant = Start();
        Accept(tenant, new CreateTenant(TenantId, TenantId));
        Accept(tenant, new LinkBrokerAccount(TenantId, ExternalAccount, TestVenues.Sim, VenueAccountNumber));
        Accept(tenant, new SubscribeToStrategy(TenantId, StrategyId, ExternalAccount, budget));
        ExpectRegistration();
        return tenant;
    }

    public const string VenueAccountNumber = "sim-acct-1";

    public const string BookAccount = "book-1";
    public const string BookAccountNumber = "book-acct-1";

    /// <summary>A tenant with an account at the book venue (<see cref="BookVenue"/>), without subscriptions.</summary>
    public IActorRef BookTrader()
    {
        var tenant = Start();
        Accept(tenant, new CreateTenant(TenantId, TenantId));
        Accept(tenant, new LinkBrokerAccount(TenantId, BookAccount, BookVenue.Name, BookAccountNumber));
        return tenant;
    }

    /// <summary>A tenant with an account at the book venue, subscribed on it.</summary>
    public IActorRef BookSubscriber(decimal budget = 1_000m)
    {
        var tenant = BookTrader();
        Accept(tenant, new SubscribeToStrategy(TenantId, StrategyId, BookAccount, budget));
        ExpectRegistration();
        return tenant;
    }

    /// <summary>A manual limit order on the book account; its first event is persisted when this returns.</summary>
    public ManualOrderPlaced PlaceLimit(IActorRef tenant, string requestKey, OrderSide side, decimal quantity, decimal limitPrice)
    {
        tenant.Tell(new PlaceManualOrder(TenantId, requestKey, BookAccount, Symbol, side, quantity, null, OrderType.Limit, limitPrice), _kit.TestActor);
        return _kit.ExpectMsg<ManualOrderPlaced>();
    }

    public RegisterSubscriber ExpectRegistration() => Fanout.ExpectMsg<RegisterSubscriber>(r => r.TenantId == TenantId && r.StrategyId == StrategyId);

    /// <summary>The tenant acknowledged to its bucket that everything through <paramref name="through"/> is settled (other region traffic is passed over).</summary>
    public SignalAcknowledged ExpectAck(long through)
    {
        var ack = Fanout.FishForMessage<SignalAcknowledged>(a => a.Through >= through, TimeSpan.FromSeconds(5));
        Assert.Equal(through, ack.Through);
        return ack;
    }
}
