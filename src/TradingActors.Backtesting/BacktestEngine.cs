using System.Runtime.CompilerServices;
using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Performance;
using TradingActors.Domain.Strategies;

namespace TradingActors.Backtesting;

/// <summary>
/// One run's state and its replay loop (rules: <see cref="BacktestRules.Fills"/>). Everything a bar touches is
/// preallocated or grows only with the number of orders open at once, so a bar allocates nothing: no LINQ, closures,
/// boxing or strings in the loop. Only recorded trades and round trips grow with the run (and not when off).
/// </summary>
internal sealed class BacktestEngine
{
    /// <summary>Relative tolerance for floating-point dust in cash and position checks.</summary>
    internal const double Dust = 1e-9;

    private readonly SymbolBook[] _books;
    private readonly string _strategyName;
    private readonly string _parametersJson;
    private readonly BacktestSettings _settings;
    private readonly IProgress<BacktestProgress>? _progress;
    private readonly int _checkEvery;
    private readonly long _totalBars;
    private readonly long _intervalTicks;
    private readonly double _slipUp;
    private readonly double _slipDown;
    private readonly double _takerFee;
    private readonly double _makerFee;
    private readonly double _signalBudget;
    private readonly EquityStatistics _stats = new();
    private readonly EquityPoint[]? _curve;
    private int _curveCount;

    private double _cash;
    private double _reservedCash;
    private int _reservingOrders;
    private double _fees;
    private double _funding;
    private long _placed, _filled, _rejected, _cancelled;
    private long _roundTrips, _wins, _losses;
    private double _grossProfit, _grossLoss;

    private Candidate[] _candidates = new Candidate[8];
    private Queued[] _queue = new Queued[16];
    private int _queueHead, _queueTail;

    private BacktestTrade[] _trades = [];
    private int _tradeCount;
    private RoundTrip[] _trips = [];
    private int _tripCount;

    public BacktestEngine(
        string strategyName,
        string parametersJson,
        BacktestSettings settings,
        SymbolBook[] books,
        long intervalTicks,
        IProgress<BacktestProgress>? progress,
        int checkEvery)
    {
        _strategyName = strategyName;
        _parametersJson = parametersJson;
        _settings = settings;
        _books = books;
        _intervalTicks = intervalTicks;
        _progress = progress;
        _checkEvery = checkEvery;
        _cash = settings.InitialCash;
        _slipUp = 1 + settings.SlippageBps / 10_000;
        _slipDown = 1 - settings.SlippageBps / 10_000;
        _takerFee = settings.TakerFeeRate;
        _makerFee = settings.MakerFeeRate;
        _signalBudget = settings.SignalBudget;
        long total = 0;
        foreach (var book in books) total += book.Bars.Length;
        _totalBars = total;
        if (settings.EquityCurve == EquityCurveRecording.Full) _curve = new EquityPoint[total];
        if (settings.RecordTrades)
        {
            _trades = new BacktestTrade[16];
            _trips = new RoundTrip[8];
        }
        // Stryker disable once Statement : without it the first (always flat) bar walks funding times from 1970 instead
        foreach (var book in books) book.StartFunding();
    }

    public BacktestReport Run(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var books = _books;
        long done = 0;
        long nextCheck = _checkEvery;
        long groupTicks = 0;
        var started = false;
        if (books.Length == 1)
        {
            // One symbol: every bar is its own time, no merge.
            var book = books[0];
            var bars = book.Bars;
            for (var i = 0; i < bars.Length; i++)
            {
                ProcessBar(book, i, bars);
                var ticks = bars[i].Time.UtcTicks;
                MarkEquity(ticks);
                if (++done == nextCheck)
                {
                    nextCheck += _checkEvery;
                    cancellationToken.ThrowIfCancellationRequested();
                    _progress?.Report(new BacktestProgress(done, _totalBars));
                }
            }
        }
        else
        {
            while (true)
            {
                // The next bar: earliest open time, then lowest symbol (the books are in ordinal name order).
                SymbolBook? next = null;
                var ticks = long.MaxValue;
                for (var s = 0; s < books.Length; s++)
                {
                    var candidate = books[s];
                    if (candidate.Next >= candidate.Bars.Length) continue;
                    var t = candidate.Bars[candidate.Next].Time.UtcTicks;
                    if (t < ticks)
                    {
                        ticks = t;
                        next = candidate;
                    }
                }
                if (next is null) break;
                if (started && ticks != groupTicks) MarkEquity(groupTicks);
                groupTicks = ticks;
                started = true;
                ProcessBar(next, next.Next++, next.Bars);
                if (++done == nextCheck)
                {
                    nextCheck += _checkEvery;
                    cancellationToken.ThrowIfCancellationRequested();
                    _progress?.Report(new BacktestProgress(done, _totalBars));
                }
            }
            if (started) MarkEquity(groupTicks);
        }
        _progress?.Report(new BacktestProgress(done, _totalBars));
        return BuildReport();
    }

    private void ProcessBar(SymbolBook book, int index, Candle[] bars)
    {
        ref readonly var bar = ref bars[index];
        if (book.HasFunding) ApplyFunding(book, index, in bar);
        // Stryker disable once Equality : a shortcut only, FillOrders finds nothing to fill either way
        if (book.OrderCount > 0) FillOrders(book, index, in bar);
        book.LastClose = bar.Close;
        var buffer = book.Buffer;
        buffer.Clear();
        book.Strategy.OnBar(in bar, buffer);
        // Stryker disable once Equality : a shortcut only, an empty buffer enqueues nothing
        if (buffer.Count > 0)
        {
            Enqueue(book, buffer);
            Drain();
        }
    }

    // ---------------------------------------------------------------- funding

    private void ApplyFunding(SymbolBook book, int index, in Candle bar)
    {
        var bars = book.Bars;
        var end = index + 1 < bars.Length ? bars[index + 1].Time.UtcTicks : bar.Time.UtcTicks + _intervalTicks;
        var times = 0;
        while (book.NextFunding < end)
        {
            times++;
            book.NextFunding += book.FundingInterval;
        }
        // Stryker disable once all : a flat position pays rate * 0 either way
        if (times == 0 || book.Position <= 0) return;
        var payment = book.FundingRate * times * book.Position * bar.Close;
        _cash -= payment;
        _funding += payment;
        book.TripPnl -= payment;
    }

    // ---------------------------------------------------------------- fills

    private void FillOrders(SymbolBook book, int index, in Candle bar)
    {
        var bullish = bar.Close >= bar.Open;
        var count = 0;
        var orders = book.Orders;
        // Every open order is eligible: the candidates are taken before any callback of this bar can place one, and
        // OnBar (the other place orders come from) runs after the fills. So an order placed on bar t meets bar t+1 first.
        for (var o = 0; o < book.OrderCount; o++)
        {
            ref readonly var order = ref orders[o];
            double price, key;
            if (order.Kind == IntentKind.Market)
            {
                price = order.Side == OrderSide.Buy ? bar.Open * _slipUp : bar.Open * _slipDown;
                key = 0;
            }
            else if (order.Side == OrderSide.Buy)
            {
                if (bar.Low > order.Limit) continue;
                if (order.Limit >= bar.Open)
                {
                    price = bar.Open;
                    key = 0;
                }
                else
                {
                    price = order.Limit;
                    // Distance travelled along the path when it reaches the limit on its way down.
                    key = bullish ? bar.Open - order.Limit : (bar.High - bar.Open) + (bar.High - order.Limit);
                }
            }
            else
            {
                if (bar.High < order.Limit) continue;
                if (order.Limit <= bar.Open)
                {
                    price = bar.Open;
                    key = 0;
                }
                else
                {
                    price = order.Limit;
                    key = bullish ? (bar.Open - bar.Low) + (order.Limit - bar.Low) : order.Limit - bar.Open;
                }
            }
            if (count == _candidates.Length) Array.Resize(ref _candidates, count * 2);
            _candidates[count++] = new Candidate(key, order.Ref, price);
        }
        // Stryker disable once all : shortcuts only, sorting one or no candidate changes nothing
        if (count > 1) SortCandidates(_candidates, count);
        for (var c = 0; c < count; c++)
        {
            // A fill's callback may have cancelled a later candidate: only orders still open fill.
            var candidate = _candidates[c];
            var at = book.Find(candidate.Ref);
            if (at < 0) continue;
            Execute(book, at, candidate.Price, in bar);
            Drain();
        }
    }

    private static void SortCandidates(Candidate[] items, int count)
    {
        // Insertion sort by (path position, order ref): a bar fills few orders, and it allocates nothing.
        for (var i = 1; i < count; i++)
        {
            var item = items[i];
            var j = i - 1;
            while (j >= 0 && (items[j].Key > item.Key || (items[j].Key == item.Key && items[j].Ref > item.Ref)))
            {
                items[j + 1] = items[j];
                j--;
            }
            items[j + 1] = item;
        }
    }

    private void Execute(SymbolBook book, int at, double price, in Candle bar)
    {
        var order = book.Orders[at];
        book.RemoveAt(at);
        Release(in order);
        var quantity = order.Kind == IntentKind.Market && order.Sizing == IntentSizing.Quote ? order.Amount / price : order.Quantity;
        var feeRate = order.Kind == IntentKind.Market ? _takerFee : _makerFee;
        var notional = quantity * price;
        var fee = notional * feeRate;
        if (order.Side == OrderSide.Buy)
        {
            var cost = notional + fee;
            if (cost > _cash + _cash * Dust)
            {
                Reject(book, order.Ref);
                return;
            }
            _cash -= cost;
            if (_cash < 0) _cash = 0; // dust within the tolerance
            if (book.Position == 0) book.OpenTrip(bar.Time);
            book.Position += quantity;
            if (book.Position > book.TripPeak) book.TripPeak = book.Position;
            book.TripPnl -= cost;
            book.TripCost += cost;
        }
        else
        {
            if (quantity > book.Position + book.Position * Dust)
            {
                Reject(book, order.Ref);
                return;
            }
            if (quantity > book.Position)
            {
                quantity = book.Position;
                notional = quantity * price;
                fee = notional * feeRate;
            }
            _cash += notional - fee;
            book.Position -= quantity;
            if (book.Position <= book.TripPeak * Dust) book.Position = 0;
            book.TripPnl += notional - fee;
        }
        book.TripFills++;
        _fees += fee;
        _filled++;
        if (_settings.RecordTrades)
        {
            if (_tradeCount == _trades.Length) Array.Resize(ref _trades, _tradeCount * 2);
            _trades[_tradeCount++] = new BacktestTrade(
                Utc(bar.Time.UtcTicks), book.Symbol, order.Ref, order.Kind, order.Side, quantity, price, fee, _cash, book.Position, order.Reason);
        }
        if (order.Side == OrderSide.Sell && book.Position == 0) CloseTrip(book, bar.Time);

        var buffer = book.Buffer;
        buffer.Clear();
        book.Strategy.OnFill(new StrategyFill(order.Ref, order.Side, quantity, price, fee, OrderEnded: true), buffer);
        // Stryker disable once Equality : a shortcut only, an empty buffer enqueues nothing
        if (buffer.Count > 0) Enqueue(book, buffer);
    }

    private void CloseTrip(SymbolBook book, DateTimeOffset time)
    {
        var pnl = book.TripPnl;
        _roundTrips++;
        if (pnl > 0)
        {
            _wins++;
            _grossProfit += pnl;
        }
        else if (pnl < 0)
        {
            _losses++;
            _grossLoss -= pnl;
        }
        if (_settings.RecordTrades)
        {
            if (_tripCount == _trips.Length) Array.Resize(ref _trips, _tripCount * 2);
            _trips[_tripCount++] = new RoundTrip(book.Symbol, Utc(book.TripOpened.UtcTicks), Utc(time.UtcTicks), book.TripFills, book.TripCost, pnl);
        }
        book.TripPnl = 0;
    }

    private void Reject(SymbolBook book, long orderRef)
    {
        _rejected++;
        var buffer = book.Buffer;
        buffer.Clear();
        book.Strategy.OnOrderEnded(orderRef, buffer);
        // Stryker disable once Equality : a shortcut only, an empty buffer enqueues nothing
        if (buffer.Count > 0) Enqueue(book, buffer);
    }

    // ---------------------------------------------------------------- intents

    private void Enqueue(SymbolBook book, IntentBuffer buffer)
    {
        var intents = buffer.AsSpan();
        // Stryker disable once all : growth policy only
        if (_queueTail + intents.Length > _queue.Length)
            Array.Resize(ref _queue, Math.Max(_queue.Length * 2, _queueTail + intents.Length));
        for (var i = 0; i < intents.Length; i++) _queue[_queueTail++] = new Queued(book, intents[i]);
    }

    private void Drain()
    {
        while (_queueHead < _queueTail)
        {
            var item = _queue[_queueHead];
            // Stryker disable once Statement : only drops a reference for the GC
            _queue[_queueHead++] = default;
            Handle(item.Book, in item.Intent);
        }
        _queueHead = _queueTail = 0;
    }

    private void Handle(SymbolBook book, in StrategyIntent intent)
    {
        switch (intent.Kind)
        {
            case IntentKind.Signal:
                var available = _cash - _reservedCash;
                // Stryker disable once Equality,Conditional : SignalOrders.For asks for nothing with a budget <= 0 either way
                var budget = available > 0 ? _signalBudget * available / (1 + _takerFee) : 0;
                if (SignalOrders.For(in intent, book.Position, budget, book.NextExecutorRef) is { } order)
                {
                    book.NextExecutorRef--;
                    Place(book, in order);
                }
                break;
            case IntentKind.Market:
            case IntentKind.Limit:
                Place(book, in intent);
                break;
            case IntentKind.Cancel:
                var at = book.Find(intent.OrderRef);
                if (at < 0) break;
                var cancelled = book.Orders[at];
                book.RemoveAt(at);
                Release(in cancelled);
                _cancelled++;
                var buffer = book.Buffer;
                buffer.Clear();
                book.Strategy.OnOrderEnded(cancelled.Ref, buffer);
                // Stryker disable once Equality : a shortcut only, an empty buffer enqueues nothing
                if (buffer.Count > 0) Enqueue(book, buffer);
                break;
            default:
                throw new InvalidOperationException($"{book.Symbol}: strategy {_strategyName} asked for an unknown intent kind {(int)intent.Kind}");
        }
    }

    private void Place(SymbolBook book, in StrategyIntent intent)
    {
        if (book.Find(intent.OrderRef) >= 0)
            throw new InvalidOperationException($"{book.Symbol}: strategy {_strategyName} placed order ref {intent.OrderRef} while an order with that ref is still open");
        _placed++;
        var isLimit = intent.Kind == IntentKind.Limit;
        if (!(intent.Amount > 0 && double.IsFinite(intent.Amount)) || (isLimit && !(intent.LimitPrice > 0 && double.IsFinite(intent.LimitPrice))))
        {
            Reject(book, intent.OrderRef);
            return;
        }
        // A quote-sized market order's quantity is only known at its fill price (Execute).
        var quantity = intent.Sizing == IntentSizing.Base ? intent.Amount : intent.Amount / intent.LimitPrice;
        var reserved = 0.0;
        if (intent.Side == OrderSide.Buy)
        {
            reserved = isLimit
                ? quantity * intent.LimitPrice * (1 + _makerFee)
                : intent.Sizing == IntentSizing.Quote
                    ? intent.Amount * (1 + _takerFee)
                    : intent.Amount * book.LastClose * _slipUp * (1 + _takerFee);
            _reservedCash += reserved;
            // Stryker disable once all : the count only resets rounding residue to an exact zero
            _reservingOrders++;
        }
        book.Add(new OpenOrder(intent.OrderRef, intent.Kind, intent.Side, intent.Sizing, intent.Amount, quantity, intent.LimitPrice, intent.Reason, reserved));
    }

    private void Release(in OpenOrder order)
    {
        if (order.Side != OrderSide.Buy) return;
        _reservedCash -= order.Reserved;
        // With no buy open nothing is reserved: reset so rounding cannot accumulate.
        // Stryker disable once all : resets rounding residue only
        if (--_reservingOrders == 0) _reservedCash = 0;
    }

    // ---------------------------------------------------------------- equity

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void MarkEquity(long ticks)
    {
        var positionValue = 0.0;
        var exposed = false;
        var books = _books;
        for (var s = 0; s < books.Length; s++)
        {
            var book = books[s];
            if (book.Position == 0) continue;
            positionValue += book.Position * book.LastClose;
            exposed = true;
        }
        var equity = _cash + positionValue;
        _stats.Add(ticks, equity, exposed);
        if (_curve is not null)
            _curve[_curveCount++] = new EquityPoint(Utc(ticks), equity, _cash, positionValue, _stats.CurrentDrawdown * 100);
    }

    private static DateTimeOffset Utc(long ticks) => new(ticks, TimeSpan.Zero);

    // ---------------------------------------------------------------- report

    private BacktestReport BuildReport()
    {
        long startTicks = long.MaxValue, lastTicks = long.MinValue;
        foreach (var book in _books)
        {
            startTicks = Math.Min(startTicks, book.Bars[0].Time.UtcTicks);
            lastTicks = Math.Max(lastTicks, book.Bars[^1].Time.UtcTicks);
        }
        var endTicks = lastTicks + _intervalTicks;
        var summary = _stats.Summarize(_settings.InitialCash, _intervalTicks, startTicks, endTicks);
        var metrics = new BacktestMetrics(
            _settings.InitialCash,
            summary.FinalEquity,
            summary.TotalReturnPct,
            summary.CagrPct,
            summary.MaxDrawdownPct,
            TimeSpan.FromTicks(summary.MaxUnderwaterTicks),
            summary.MaxUnderwaterRecovered,
            summary.Sharpe,
            summary.Sortino,
            _stats.Points,
            summary.ExposurePct,
            _filled,
            _roundTrips,
            _wins,
            _losses,
            _roundTrips == 0 ? null : _wins * 100.0 / _roundTrips,
            _grossProfit,
            _grossLoss,
            _grossLoss > 0 ? _grossProfit / _grossLoss : null,
            _fees,
            _funding);

        var symbols = new List<SymbolSummary>(_books.Length);
        var open = new List<OpenOrderAtEnd>();
        foreach (var book in _books)
        {
            symbols.Add(new SymbolSummary(book.Symbol, book.Bars.Length, Utc(book.Bars[0].Time.UtcTicks), Utc(book.Bars[^1].Time.UtcTicks),
                book.Position, book.LastClose, book.Funding));
            var first = open.Count;
            for (var o = 0; o < book.OrderCount; o++)
            {
                ref readonly var order = ref book.Orders[o];
                open.Add(new OpenOrderAtEnd(book.Symbol, order.Ref, order.Kind, order.Side, order.Sizing, order.Amount, order.Limit));
            }
            open.Sort(first, open.Count - first, OpenOrderComparer.Instance);
        }
        var orders = new OrderCounts(_placed, _filled, _rejected, _cancelled, open.Count);

        return new BacktestReport(
            _strategyName,
            _parametersJson,
            _settings,
            symbols,
            Utc(startTicks),
            Utc(endTicks),
            TimeSpan.FromTicks(_intervalTicks),
            metrics,
            orders,
            open,
            _settings.RecordTrades ? _trades.AsSpan(0, _tradeCount).ToArray() : null,
            _settings.RecordTrades ? _trips.AsSpan(0, _tripCount).ToArray() : null,
            _curve is null ? null : new EquityCurve(_curve, _curveCount));
    }

    private sealed class OpenOrderComparer : IComparer<OpenOrderAtEnd>
    {
        public static readonly OpenOrderComparer Instance = new();

        public int Compare(OpenOrderAtEnd? x, OpenOrderAtEnd? y) => x!.OrderRef.CompareTo(y!.OrderRef);
    }

    private readonly record struct Candidate(double Key, long Ref, double Price);

    private struct Queued(SymbolBook book, StrategyIntent intent)
    {
        public SymbolBook Book = book;
        public StrategyIntent Intent = intent;
    }
}

/// <summary>An order resting at the simulated venue.</summary>
internal readonly record struct OpenOrder(
    long Ref,
    IntentKind Kind,
    OrderSide Side,
    IntentSizing Sizing,
    double Amount,
    double Quantity,
    double Limit,
    IntentReason Reason,
    double Reserved);

/// <summary>One symbol's bars, strategy, position, open orders, funding clock and round trip in progress.</summary>
internal sealed class SymbolBook(string symbol, Candle[] bars, ITradingStrategy strategy, FundingSchedule? funding)
{
    public readonly string Symbol = symbol;
    public readonly Candle[] Bars = bars;
    public readonly ITradingStrategy Strategy = strategy;
    public readonly IntentBuffer Buffer = new();
    public readonly FundingSchedule? Funding = funding;
    public readonly bool HasFunding = funding is not null;
    public readonly double FundingRate = funding?.Rate ?? 0;
    public readonly long FundingInterval = funding?.Interval.Ticks ?? 0;

    public int Next;
    public double Position;
    public double LastClose;
    public long NextExecutorRef = -1;
    public long NextFunding;

    public OpenOrder[] Orders = new OpenOrder[4];
    public int OrderCount;

    public DateTimeOffset TripOpened;
    public double TripPnl;
    public double TripPeak;
    public double TripCost;
    public int TripFills;

    /// <summary>The first funding time at or after the first bar's open.</summary>
    // Stryker disable all : any start at or before the first bar's end gives the same charges, the first bar being always flat
    public void StartFunding()
    {
        if (!HasFunding) return;
        var sinceEpoch = Bars[0].Time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var periods = sinceEpoch / FundingInterval;
        if (periods * FundingInterval < sinceEpoch) periods++; // ceiling for times after the epoch
        NextFunding = DateTimeOffset.UnixEpoch.UtcTicks + periods * FundingInterval;
    }
    // Stryker restore all

    public void OpenTrip(DateTimeOffset time)
    {
        TripOpened = time;
        TripPnl = 0;
        TripPeak = 0;
        TripCost = 0;
        TripFills = 0;
    }

    public int Find(long orderRef)
    {
        var orders = Orders;
        for (var i = 0; i < OrderCount; i++)
            if (orders[i].Ref == orderRef) return i;
        return -1;
    }

    public void Add(in OpenOrder order)
    {
        if (OrderCount == Orders.Length) Array.Resize(ref Orders, OrderCount * 2);
        Orders[OrderCount++] = order;
    }

    public void RemoveAt(int index)
    {
        Orders[index] = Orders[--OrderCount];
        // Stryker disable once Statement : only clears the vacated slot
        Orders[OrderCount] = default;
    }
}
