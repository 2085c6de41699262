using TradingActors.Brokers.Http;
using TradingActors.Brokers.Kis;

namespace TradingActors.Brokers.Tests.Venues.Kis;

/// <summary>Clients pointed at a fake, with retries short enough for a test.</summary>
internal static class KisTestKit
{
    public static readonly VenueRetryOptions FastRetries = new()
    {
        MaxAttempts = 4,
        FirstDelay = TimeSpan.FromMilliseconds(20),
        MaxDelay = TimeSpan.FromMilliseconds(200),
        Deadline = TimeSpan.FromSeconds(10),
    };

    public static KisOptions Options(Uri baseUrl) => new() { LiveBaseUrl = baseUrl, TestBaseUrl = baseUrl };

    public static KisBrokerClient Client(Uri baseUrl, TimeProvider? time = null, VenueRetry? retry = null) =>
        new(Options(baseUrl), new HttpClient { Timeout = TimeSpan.FromSeconds(10) }, time ?? TimeProvider.System,
            retry ?? new VenueRetry(FastRetries, TimeProvider.System));
}
