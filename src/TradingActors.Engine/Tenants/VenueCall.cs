using TradingActors.Brokers;
using TradingActors.Domain.Orders;

namespace TradingActors.Engine.Tenants;

/// <summary>
/// One venue call with a timeout, every outcome mapped to a <see cref="VenueAnswer"/> (never thrown).
/// Shared by <see cref="BrokerSession"/> (external accounts) and the tenant's direct calls to the
/// embedded paper venue, so both classify failures the same way.
/// </summary>
public static class VenueCall
{
    public static async Task<VenueAnswer> RunAsync(IBrokerClient client, BrokerAccount account, OrderIntent intent, bool isLookup, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            if (isLookup)
            {
                var found = await client.FindOrderAsync(account, intent.ClientOrderId, cts.Token).ConfigureAwait(false);
                return found is null ? VenueAnswer.NotFound(intent) : VenueAnswer.Of(intent, found);
            }
            return VenueAnswer.Of(intent, await client.PlaceOrderAsync(account, intent, cts.Token).ConfigureAwait(false));
        }
        catch (BrokerUnavailableException e)
        {
            return VenueAnswer.Unavailable(intent, e.Message);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            return VenueAnswer.Unknown(intent, $"no answer from {client.Venue} within {timeout.TotalSeconds:0.###} s");
        }
        catch (Exception e) when (isLookup)
        {
            return VenueAnswer.Unknown(intent, $"lookup failed: {e.GetType().Name}: {e.Message}");
        }
        catch (Exception e)
        {
            // The paper venue throws before taking the order; a real connector maps transport
            // errors that may have reached the venue to timeouts (unknown) itself.
            return VenueAnswer.Failed(intent, $"{e.GetType().Name}: {e.Message}");
        }
    }
}
