using System.Collections.Concurrent;

namespace TradingActors.Brokers.Paper;

/// <summary>Where the paper venue reads the price it fills at.</summary>
public interface IPriceSource
{
    bool TryGetLatest(string symbol, out decimal price);
}

/// <summary>
/// Last seen price per symbol, written by the node's market-data listener and read by the
/// paper venue from any tenant's thread. One instance per node (not static) so tests and
/// multiple nodes in one process stay isolated.
/// </summary>
public sealed class LatestPrices : IPriceSource
{
    private readonly ConcurrentDictionary<string, decimal> _prices = new(StringComparer.Ordinal);

    public void Update(string symbol, decimal price)
    {
        ArgumentException.ThrowIfNullOrEmpty(symbol);
        // A non-positive price would fill orders for free; refuse it at the door.
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(price);
        _prices[symbol] = price;
    }

    public bool TryGetLatest(string symbol, out decimal price) => _prices.TryGetValue(symbol, out price);
}
