using Microsoft.Extensions.Logging.Abstractions;
using TradingActors.Brokers;
using TradingActors.Brokers.Paper;
using TradingActors.Brokers.Simulated;
using TradingActors.Engine.Hosting;

namespace TradingActors.Engine.Tests.Hosting;

/// <summary>The node's start-up warm-up: every connector with venue-wide state is asked, one that fails does not stop the others.</summary>
public sealed class VenueWarmUpTests
{
    private sealed class WarmingVenue(string name, Exception? failure = null) : DelegatingBrokerClient(new SimulatedVenue(name, new LatestPrices(), TimeProvider.System)), IVenueWarmUp
    {
        public int WarmUps;

        public Task WarmUpAsync(CancellationToken ct)
        {
            WarmUps++;
            return failure is null ? Task.CompletedTask : Task.FromException(failure);
        }
    }

    [Fact]
    public async Task Every_connector_that_warms_up_is_asked_once_and_a_failing_one_does_not_stop_the_next()
    {
        var failing = new WarmingVenue("first", new HttpRequestException("unreachable"));
        var next = new WarmingVenue("second");

        await VenueWarmUp.RunAsync([failing, new SimulatedVenue("cold", new LatestPrices(), TimeProvider.System), next], NullLogger.Instance, CancellationToken.None);

        Assert.Equal(1, failing.WarmUps);
        Assert.Equal(1, next.WarmUps);
    }
}
