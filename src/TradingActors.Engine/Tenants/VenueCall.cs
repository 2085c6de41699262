using TradingActors.Brokers;
using TradingActors.Brokers.Http;
using TradingActors.Domain.Orders;

namespace TradingActors.Engine.Tenants;

/// <summary>
/// One venue call with a timeout, every outcome mapped to a <see cref="VenueAnswer"/> in the one
/// vocabulary of <see cref="IBrokerClient"/> (never thrown). Shared by <see cref="BrokerSession"/>
/// (external accounts) and the tenant's direct calls to the embedded paper venue.
/// </summary>
public static class VenueCall
{
    public static async Task<VenueAnswer> RunAsync(IBrokerClient client, BrokerAccount account, OrderIntent intent, bool isLookup, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            // No ConfigureAwait(false): in a BrokerSession the continuations stay on the venue's own
            // dispatcher threads, so a connector that blocks after an await still blocks only its venue.
            if (isLookup)
            {
                var found = await client.FindOrderAsync(account, OrderLookup.Of(intent), cts.Token);
                return found is null ? VenueAnswer.NotFound(intent) : VenueAnswer.Of(intent, found);
            }
            return VenueAnswer.Of(intent, await client.PlaceOrderAsync(account, intent, cts.Token));
        }
        catch (OrderNotPlacedException e)
        {
            return VenueAnswer.NotPlaced(intent, e.Message) with { TokenRefused = VenueRefusal.IsTokenRefusal(e) };
        }
        catch (DuplicateClientOrderIdException) when (!isLookup)
        {
            return VenueAnswer.Duplicate(intent);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            return VenueAnswer.Unknown(intent, $"no answer from {client.Venue} within {timeout.TotalSeconds:0.###} s");
        }
        catch (Exception e)
        {
            // Anything else may have happened after the venue took the order: unknown, resolved by lookup.
            return VenueAnswer.Unknown(intent, $"{(isLookup ? "lookup" : "placement")} failed: {e.GetType().Name}: {e.Message}");
        }
    }
}
