using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TradingActors.Brokers;
using TradingActors.Engine.Tenants;

namespace TradingActors.Engine.Hosting;

/// <summary>
/// At node start, lets each connector that has venue-wide state read it (<see cref="IVenueWarmUp"/>), in the
/// background: the node does not wait for a venue, and a venue that does not answer is read again on demand.
/// </summary>
public sealed class VenueWarmUp(VenueRegistry venues, ILogger<VenueWarmUp> log) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => RunAsync(venues.Clients, log, stoppingToken);

    public static async Task RunAsync(IEnumerable<IBrokerClient> clients, ILogger log, CancellationToken ct)
    {
        foreach (var client in clients.OfType<IVenueWarmUp>())
        {
            try
            {
                await client.WarmUpAsync(ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                log.LogInformation("venue {Venue}: warm-up failed ({Reason}); read on demand instead", ((IBrokerClient)client).Venue, e.Message);
            }
        }
    }
}
