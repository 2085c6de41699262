using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Akka.TestKit;
using TradingActors.Brokers;
using TradingActors.Brokers.Fakes;
using TradingActors.Brokers.Oanda;
using TradingActors.Domain.Market;
using TradingActors.Engine.MarketFeeds;
using TradingActors.Engine.Tests.Infrastructure;
using TradingActors.Engine.Tests.Strategies;
using Xunit.Abstractions;

namespace TradingActors.Engine.Tests.MarketFeeds;

/// <summary>
/// The OANDA feed against the fake's price stream over real HTTP: its prices reach the price topic, and after the
/// venue drops the stream or goes silent (no heartbeats) they flow again; the token never reaches the log.
/// </summary>
public sealed class OandaPriceFeedTests(ITestOutputHelper output) : EngineTestKit(output, StrategyFaultTests.ClusterProvider), IAsyncLifetime
{
    private static readonly FakeVenueCatalog.DemoAccount Demo = FakeVenueCatalog.DemoAccountOf("oanda");
    private OandaFake _fake = null!;
    private TestProbe _log = null!;

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        _fake = new OandaFake(new FakeExchange(TimeProvider.System),
            new OandaFakeOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(50), PricePollInterval = TimeSpan.FromMilliseconds(10), HalfSpread = 0.0001m });
        _fake.SeedAccount(Demo.AccountNumber, Demo.ApiKey, "unused");
        _fake.Exchange.SetPrice("EUR_USD", 1.085m);
        _fake.Exchange.SetPrice("USD_JPY", 151.2m);
        await _fake.StartAsync();
        _log = CreateTestProbe("log");
        Sys.EventStream.Subscribe(_log.Ref, typeof(LogEvent));
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await _fake.DisposeAsync();
        await DisposeAsync();
    }

    private IActorRef StartFeed(string token) =>
        Sys.ActorOf(OandaPriceFeed.Props(new OandaOptions
        {
            TestStreamUrl = _fake.BaseUrl, LiveStreamUrl = _fake.BaseUrl, TestBaseUrl = _fake.BaseUrl, LiveBaseUrl = _fake.BaseUrl,
            // Well above the fake's 50 ms heartbeats; a cold first connection on a loaded machine may still take one retry.
            StreamStallTimeout = TimeSpan.FromSeconds(1),
            StreamFirstReconnectDelay = TimeSpan.FromMilliseconds(20),
            StreamMaxReconnectDelay = TimeSpan.FromMilliseconds(200),
            StreamAuthRetryDelay = TimeSpan.FromMilliseconds(400),
        }, new BrokerAccount("oanda-feed", Demo.AccountNumber, token) { Mode = Demo.Mode }, ["EUR_USD", "USD_JPY"],
            new HttpClient { Timeout = Timeout.InfiniteTimeSpan }, TimeProvider.System));

    private TestProbe PriceTopic(string symbol)
    {
        var topic = CreateTestProbe("prices-" + symbol);
        DistributedPubSub.Get(Sys).Mediator.Tell(new Subscribe(Names.PriceTopic(symbol), topic.Ref), topic.Ref);
        topic.ExpectMsg<SubscribeAck>();
        return topic;
    }

    private static PriceUpdate Price(TestProbe topic, decimal price) => topic.FishForMessage<PriceUpdate>(p => p.Price == price);

    private void AssertTheTokenWasNeverLogged(string token) =>
        Assert.DoesNotContain(Drain(_log).OfType<LogEvent>(), e => (e.Message?.ToString() ?? "").Contains(token, StringComparison.Ordinal));

    [Fact]
    public void Prices_of_the_stream_reach_their_topic_and_keep_coming_as_the_price_moves()
    {
        var eurUsd = PriceTopic("EUR_USD");
        var usdJpy = PriceTopic("USD_JPY");

        StartFeed(Demo.ApiKey);
        var first = Price(eurUsd, 1.085m);
        _fake.Exchange.SetPrice("EUR_USD", 1.09m);
        var moved = Price(eurUsd, 1.09m);

        Assert.Equal("EUR_USD", first.Symbol);
        Assert.Equal("EUR_USD", moved.Symbol);
        Assert.Equal(151.2m, usdJpy.FishForMessage<PriceUpdate>(_ => true).Price);
    }

    [Fact]
    public void After_the_venue_drops_the_stream_prices_flow_again()
    {
        var eurUsd = PriceTopic("EUR_USD");
        StartFeed(Demo.ApiKey);
        Price(eurUsd, 1.085m);

        _fake.DropStreams();
        _log.FishForMessage<Warning>(w => w.Message.ToString()!.Contains("Disconnected"));
        _fake.Exchange.SetPrice("EUR_USD", 1.1m);

        Assert.Equal("EUR_USD", Price(eurUsd, 1.1m).Symbol);
        Assert.True(_fake.StreamsOpened >= 2);
        AssertTheTokenWasNeverLogged(Demo.ApiKey);
    }

    [Fact]
    public void A_stream_without_heartbeats_is_taken_for_stalled_and_prices_flow_again_once_the_venue_speaks()
    {
        var eurUsd = PriceTopic("EUR_USD");
        StartFeed(Demo.ApiKey);
        Price(eurUsd, 1.085m);

        _fake.SilenceStreams();
        _log.FishForMessage<Warning>(w => w.Message.ToString()!.Contains("Stalled"));
        _fake.Exchange.SetPrice("EUR_USD", 1.2m);
        _fake.SilenceStreams(false);

        Assert.Equal("EUR_USD", Price(eurUsd, 1.2m).Symbol);
        Assert.True(_fake.StreamsOpened >= 2);
        AssertTheTokenWasNeverLogged(Demo.ApiKey);
    }

    [Fact]
    public void A_refused_token_is_logged_as_an_error_without_the_token_and_no_price_goes_out()
    {
        const string wrong = "not-the-demo-token-0000000000000099";
        var eurUsd = PriceTopic("EUR_USD");

        StartFeed(wrong);
        var refused = _log.FishForMessage<Error>(e => e.Message.ToString()!.Contains("refused"));

        Assert.Contains(Demo.AccountNumber, refused.Message.ToString());
        Assert.DoesNotContain(wrong, refused.Message.ToString());
        eurUsd.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        AssertTheTokenWasNeverLogged(wrong);
    }

    [Fact]
    public void A_stopped_feed_closes_its_stream_at_the_venue()
    {
        var eurUsd = PriceTopic("EUR_USD");
        var feed = StartFeed(Demo.ApiKey);
        Price(eurUsd, 1.085m);

        Kill(feed);

        AwaitCondition(() => _fake.ActiveStreams == 0, TimeSpan.FromSeconds(5));
        var opened = _fake.StreamsOpened;
        ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // longer than any reconnection wait: nothing opens another
        Assert.Equal(opened, _fake.StreamsOpened);
    }
}
