using TradingActors.Domain.Market;

namespace TradingActors.Domain.Bots;

/// <summary>
/// Folds prices into bars of a fixed length aligned to the epoch (a 60 s bar opens at each whole minute), as a backtest's
/// bars are: a bar closes when the first price of a later bar arrives, and is then handed to the strategy. A bar with no
/// price is not made (a quiet minute is no bar). Prices older than the open bar's start are ignored.
/// </summary>
public sealed class BarBuilder(TimeSpan length)
{
    private readonly long _ticks = length > TimeSpan.Zero ? length.Ticks : throw new ArgumentOutOfRangeException(nameof(length), length, "a bar has a positive length");
    private long _start = -1;
    private double _open, _high, _low, _close;

    /// <summary>True when <paramref name="price"/> closed the bar before it (<paramref name="closed"/>); the price starts or extends the next one.</summary>
    public bool Add(DateTimeOffset time, double price, out Candle closed)
    {
        closed = default;
        var start = time.UtcTicks - time.UtcTicks % _ticks;
        if (_start >= 0 && start < _start) return false;
        var done = _start >= 0 && start > _start;
        if (done) closed = new Candle(new DateTimeOffset(_start, TimeSpan.Zero), _open, _high, _low, _close, 0);
        if (_start < 0 || done)
        {
            _start = start;
            _open = _high = _low = _close = price;
        }
        else
        {
            if (price > _high) _high = price;
            if (price < _low) _low = price;
            _close = price;
        }
        return done;
    }
}
