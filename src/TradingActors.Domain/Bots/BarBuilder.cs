using TradingActors.Domain.Market;

namespace TradingActors.Domain.Bots;

/// <summary>
/// Folds prices into bars of a fixed length aligned to the Unix epoch (a 60 s bar opens at each whole minute, a 7 s bar
/// every 7 s from 1970-01-01T00:00:00Z), as a backtest's bars (a venue's klines) are: a bar closes when the first price of
/// a later bar arrives, and is then handed to the strategy. A bar with no price is not made (a quiet minute is no bar).
/// Prices older than the open bar's start are ignored.
/// </summary>
public sealed class BarBuilder(TimeSpan length)
{
    private readonly long _ticks = length > TimeSpan.Zero ? length.Ticks : throw new ArgumentOutOfRangeException(nameof(length), length, "a bar has a positive length");
    private bool _started;
    private long _start;
    private double _open, _high, _low, _close;

    /// <summary>True when <paramref name="price"/> closed the bar before it (<paramref name="closed"/>); the price starts or extends the next one.</summary>
    public bool Add(DateTimeOffset time, double price, out Candle closed)
    {
        closed = default;
        // The bar's start: the price's time less its offset into a bar counted from the Unix epoch (not from DateTime's
        // year 1, which a length that does not divide the 719 162 days between them would put off the venues' bars).
        var offset = (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) % _ticks;
        if (offset < 0) offset += _ticks;
        var start = time.UtcTicks - offset;
        if (_started && start < _start) return false;
        var done = _started && start > _start;
        if (done) closed = new Candle(new DateTimeOffset(_start, TimeSpan.Zero), _open, _high, _low, _close, 0);
        if (!_started || done)
        {
            _started = true;
            _start = start;
            _open = _high = _low = _close = price;
        }
        else
        {
            // Stryker disable once Equality : an equal price set as the high leaves it as it was
            if (price > _high) _high = price;
            // Stryker disable once Equality : an equal price set as the low leaves it as it was
            if (price < _low) _low = price;
            _close = price;
        }
        return done;
    }
}
