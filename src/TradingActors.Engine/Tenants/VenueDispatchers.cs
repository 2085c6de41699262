using System.Text;

namespace TradingActors.Engine.Tenants;

/// <summary>
/// A dispatcher per external venue, with its own dedicated threads (a bulkhead): BrokerSessions run
/// on their venue's dispatcher, so venue I/O that blocks (a synchronous token refresh, a slow DNS
/// lookup) can take at most that venue's threads, never the default dispatcher the tenants and
/// everything else run on. The HOCON is generated from the venue registry at start-up.
/// </summary>
public static class VenueDispatchers
{
    public static string IdOf(string venue) => "trading.venue-dispatchers." + venue;

    public static string Hocon(IEnumerable<string> venues, int threadsPerVenue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threadsPerVenue, 1);
        var hocon = new StringBuilder();
        foreach (var venue in venues)
        {
            hocon.Append(IdOf(venue)).Append(" {\n")
                .Append("  type = ForkJoinDispatcher\n")
                .Append("  throughput = 10\n")
                .Append("  dedicated-thread-pool { thread-count = ").Append(threadsPerVenue).Append(", threadtype = background }\n")
                .Append("}\n");
        }
        return hocon.ToString();
    }
}
