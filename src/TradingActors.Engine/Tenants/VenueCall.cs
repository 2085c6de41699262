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
    /// <param name="lookup">What identifies the order at the venue for a lookup or a cancel (built from the tenant's ledger); unused for a placement.</param>
    public static async Task<VenueAnswer> RunAsync(IBrokerClient client, BrokerAccount account, OrderIntent intent, VenueCallKind kind, OrderLookup? lookup, TimeSpan timeout)
    {
        var isLookup = kind != VenueCallKind.Place;
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            // No ConfigureAwait(false): in a BrokerSession the continuations stay on the venue's own
            // dispatcher threads, so a connector that blocks after an await still blocks only its venue.
            if (isLookup)
            {
                var key = lookup ?? OrderLookup.Of(intent);
                var found = kind == VenueCallKind.Cancel
                    ? await client.CancelOrderAsync(account, key, cts.Token)
                    : await client.FindOrderAsync(account, key, cts.Token);
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
            return VenueAnswer.Unknown(intent, $"{Name(kind)} failed: {e.GetType().Name}: {e.Message}");
        }
    }

    private static string Name(VenueCallKind kind) => kind switch
    {
        VenueCallKind.Find => "lookup",
        VenueCallKind.Cancel => "cancel",
        _ => "placement",
    };
}
