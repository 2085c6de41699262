namespace TradingActors.Engine;

/// <summary>
/// A catalog (the strategies, the plans) as this node sees it, read without a message: it starts as the seeds, so a node
/// serves them before the catalog's singleton first speaks, and follows each version published after that — taking a
/// version only when it is newer than the one held, as publications may arrive out of order. Thread-safe: one reference
/// swapped.
/// </summary>
public abstract class CatalogView<TCatalog>(TCatalog seeds) where TCatalog : class
{
    private volatile Versioned _current = new(-1, seeds);

    private sealed record Versioned(long Version, TCatalog Catalog);

    public TCatalog Current => _current.Catalog;

    public long Version => _current.Version;

    /// <summary>Takes <paramref name="catalog"/> unless the view already holds this version or a later one.</summary>
    public bool Update(long version, TCatalog catalog)
    {
        while (true)
        {
            var seen = _current;
            if (version <= seen.Version) return false;
            if (Interlocked.CompareExchange(ref _current, new Versioned(version, catalog), seen) == seen) return true;
        }
    }
}
