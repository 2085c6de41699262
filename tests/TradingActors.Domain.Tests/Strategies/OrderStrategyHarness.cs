using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;

namespace TradingActors.Domain.Tests;

/// <summary>
/// A tiny executor for strategies that place their own orders, as a backtester would run them: on each bar the
/// resting limit orders placed before it fill whole at their limit when the bar reaches them (a buy when its low is at
/// or below the limit, a sell when its high is at or above), in the order they were placed; then the strategy sees the
/// bar. Market orders fill whole at the current bar's close. Intents are handled one at a time in the order the
/// strategy wrote them (a cancel of a resting order ends it at once). Tests drive partial fills, rejections and
/// duplicates by hand with <see cref="Fill"/> and <see cref="End"/>; <see cref="AutoFill"/> off keeps limits resting.
/// </summary>
internal sealed class OrderStrategyHarness
{
    private readonly IntentBuffer _buffer = new();
    private readonly Queue<StrategyIntent> _queue = new();
    private readonly List<StrategyIntent> _sent = [];
    private int _taken;
    private int _barIndex;
    private double _close;

    public OrderStrategyHarness(ITradingStrategy strategy) => Strategy = strategy;

    public ITradingStrategy Strategy { get; set; }

    /// <summary>Resting orders by ref, in the order placed.</summary>
    public SortedDictionary<long, Working> Book { get; } = [];

    /// <summary>Every intent the strategy wrote, in order.</summary>
    public IReadOnlyList<StrategyIntent> Sent => _sent;

    /// <summary>Fills delivered, in order (what the "venue" did).</summary>
    public List<StrategyFill> Fills { get; } = [];

    /// <summary>Orders the venue refuses when they arrive (they end at once, unfilled).</summary>
    public Func<StrategyIntent, bool> Reject { get; set; } = _ => false;

    /// <summary>Fee per fill as a fraction of its notional (in quote).</summary>
    public double FeeRate { get; set; }

    /// <summary>Whether bars fill resting limit orders.</summary>
    public bool AutoFill { get; set; } = true;

    /// <summary>Whether market orders fill at once (else they rest in the book, unfilled, for the test to fill).</summary>
    public bool FillMarkets { get; set; } = true;

    /// <summary>Whether a cancel of a resting order ends it at once (else the test ends it, maybe after a late fill).</summary>
    public bool HonourCancels { get; set; } = true;

    /// <summary>When set, the bytes the strategy allocated are counted: in OnBar, and in OnFill and OnOrderEnded.</summary>
    public bool Measure { get; set; }

    public long OnBarBytes { get; private set; }

    public long OnFillOrEndBytes { get; private set; }

    /// <summary>
    /// Warms up on bars 0..999 of <paramref name="bars"/>, then measures three windows of 100k bars and returns the least any
    /// allocated (the runtime may allocate once on this thread while it recompiles a hot loop).
    /// </summary>
    public long LeastBytesPerWindow(Func<int, (double Close, double Low, double High)> bars)
    {
        for (var t = 0; t < 1_000; t++) Run(t);
        Measure = true;
        var least = long.MaxValue;
        for (var window = 0; window < 3; window++)
        {
            OnBarBytes = OnFillOrEndBytes = 0;
            for (var t = 1_000 + window * 100_000; t < 101_000 + window * 100_000; t++) Run(t);
            least = Math.Min(least, OnBarBytes + OnFillOrEndBytes);
        }
        return least;

        void Run(int t)
        {
            var (close, low, high) = bars(t);
            Bar(close, low, high);
        }
    }

    public sealed class Working(StrategyIntent intent, double quantity, int placedAtBar)
    {
        public StrategyIntent Intent { get; } = intent;
        public double Quantity { get; } = quantity;
        public int PlacedAtBar { get; } = placedAtBar;
        public double Filled { get; set; }
        public double Remaining => Quantity - Filled;
    }

    /// <summary>Intents written since the last call.</summary>
    public List<StrategyIntent> Take()
    {
        var taken = _sent.Skip(_taken).ToList();
        _taken = _sent.Count;
        return taken;
    }

    /// <summary>One bar: resting limits it reaches fill, then the strategy sees it. Low and high default to the close.</summary>
    public void Bar(double close, double? low = null, double? high = null)
    {
        _barIndex++;
        _close = close;
        double l = low ?? close, h = high ?? close;
        if (AutoFill)
        {
            foreach (var working in Book.Values.Where(w => w.PlacedAtBar < _barIndex).ToList())
            {
                if (!Book.ContainsKey(working.Intent.OrderRef)) continue; // cancelled by an earlier fill's reaction
                if (working.Intent.Kind != IntentKind.Limit) continue;
                var price = working.Intent.LimitPrice;
                var reached = working.Intent.Side == OrderSide.Buy ? l <= price : h >= price;
                if (reached) Fill(working.Intent.OrderRef, working.Remaining, price, ended: true);
            }
        }
        var bar = new Candle(DateTimeOffset.UnixEpoch.AddMinutes(_barIndex), close, Math.Max(h, close), Math.Min(l, close), close, 1);
        _buffer.Clear();
        if (Measure)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            Strategy.OnBar(bar, _buffer);
            OnBarBytes += GC.GetAllocatedBytesForCurrentThread() - before;
        }
        else Strategy.OnBar(bar, _buffer);
        Drain();
    }

    /// <summary>Delivers a fill of <paramref name="quantity"/> of a resting order (ended: it leaves the book).</summary>
    public void Fill(long orderRef, double quantity, double price, bool ended, double? fee = null)
    {
        var side = OrderSide.Buy;
        if (Book.TryGetValue(orderRef, out var working))
        {
            side = working.Intent.Side;
            working.Filled += quantity;
            if (ended) Book.Remove(orderRef);
        }
        var fill = new StrategyFill(orderRef, side, quantity, price, fee ?? quantity * price * FeeRate, ended);
        Fills.Add(fill);
        _buffer.Clear();
        var before = GC.GetAllocatedBytesForCurrentThread();
        Strategy.OnFill(fill, _buffer);
        if (Measure) OnFillOrEndBytes += GC.GetAllocatedBytesForCurrentThread() - before;
        Drain();
    }

    /// <summary>The order ends with nothing more to fill (cancelled, expired, rejected).</summary>
    public void End(long orderRef)
    {
        Book.Remove(orderRef);
        _buffer.Clear();
        var before = GC.GetAllocatedBytesForCurrentThread();
        Strategy.OnOrderEnded(orderRef, _buffer);
        if (Measure) OnFillOrEndBytes += GC.GetAllocatedBytesForCurrentThread() - before;
        Drain();
    }

    private void Drain()
    {
        foreach (var intent in _buffer.AsSpan())
        {
            _sent.Add(intent);
            _queue.Enqueue(intent);
        }
        _buffer.Clear();
        while (_queue.TryDequeue(out var intent))
        {
            switch (intent.Kind)
            {
                case IntentKind.Market when Reject(intent):
                case IntentKind.Limit when Reject(intent):
                    End(intent.OrderRef);
                    break;
                case IntentKind.Market:
                    var quantity = intent.Sizing == IntentSizing.Quote ? intent.Amount / _close : intent.Amount;
                    Book[intent.OrderRef] = new Working(intent, quantity, _barIndex);
                    if (FillMarkets) Fill(intent.OrderRef, quantity, _close, ended: true);
                    break;
                case IntentKind.Limit:
                    var limitQuantity = intent.Sizing == IntentSizing.Quote ? intent.Amount / intent.LimitPrice : intent.Amount;
                    Book[intent.OrderRef] = new Working(intent, limitQuantity, _barIndex);
                    break;
                case IntentKind.Cancel:
                    if (HonourCancels && Book.ContainsKey(intent.OrderRef)) End(intent.OrderRef);
                    break;
            }
        }
    }
}
