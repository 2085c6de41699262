using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Fakes;

/// <summary>
/// The in-memory venue behind every local fake server: accounts with cash and positions, and orders. Market
/// orders fill at the exchange's own price; limit orders rest until <see cref="SetPrice"/> crosses them and then
/// fill up to the liquidity offered at that price, so one crossing can leave an order partly filled. Each venue's
/// fake translates its HTTP contract onto this one book (and keeps its own rules: auth, duplicates, errors, limits).
/// Thread-safe; all amounts in the account's currency.
/// </summary>
public sealed class FakeExchange(TimeProvider time, decimal feeRate = 0.001m)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, FakeAccount> _accounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeOrder> _orders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, decimal> _prices = new(StringComparer.Ordinal);
    private long _nextOrder;
    private long _placed;

    public TimeProvider Time => time;

    /// <summary>Orders accepted so far across all accounts (rejected ones are not counted).</summary>
    public long OrdersPlaced => Interlocked.Read(ref _placed);

    public FakeAccount Account(string accountNumber, string currency = "USD", decimal cash = 100_000m)
    {
        lock (_gate)
        {
            if (!_accounts.TryGetValue(accountNumber, out var a))
                _accounts[accountNumber] = a = new FakeAccount(accountNumber, currency, cash);
            return a;
        }
    }

    public bool HasAccount(string accountNumber) { lock (_gate) return _accounts.ContainsKey(accountNumber); }

    public decimal? Price(string symbol) { lock (_gate) return _prices.TryGetValue(symbol, out var p) ? p : null; }

    /// <summary>Moves the price; resting limit orders it crosses fill (oldest first) up to <paramref name="liquidity"/> in all (null: unlimited).</summary>
    public void SetPrice(string symbol, decimal price, decimal? liquidity = null)
    {
        lock (_gate)
        {
            _prices[symbol] = price;
            var left = liquidity ?? decimal.MaxValue;
            foreach (var o in _orders.Values.Where(o => o.Symbol == symbol && o.IsOpen && o.Type == OrderType.Limit && Crosses(o, price)).OrderBy(o => o.Sequence))
            {
                if (left <= 0) break;
                var qty = Math.Min(o.Remaining, left);
                Execute(o, qty, o.LimitPrice!.Value);
                left -= qty;
            }
        }
    }

    /// <summary>Takes an order: a market order fills at once at the current price (cancelled when there is none); a limit order rests, filling at once when marketable.</summary>
    public FakeOrder Place(string accountNumber, string? clientOrderId, string symbol, OrderSide side, OrderType type, decimal quantity, decimal? limitPrice)
    {
        lock (_gate)
        {
            var account = _accounts[accountNumber];
            var order = new FakeOrder(
                (++_nextOrder).ToString(System.Globalization.CultureInfo.InvariantCulture), _nextOrder, accountNumber, clientOrderId, symbol, side, type, quantity, limitPrice, time.GetUtcNow());
            _orders[order.VenueOrderId] = order;
            account.OrderIds.Add(order.VenueOrderId);
            Interlocked.Increment(ref _placed);
            var price = _prices.GetValueOrDefault(symbol);
            if (type == OrderType.Market)
            {
                if (price > 0) Execute(order, quantity, price);
                else order.End(FakeOrderState.Cancelled, "no price", time.GetUtcNow());
            }
            else if (price > 0 && Crosses(order, price))
            {
                Execute(order, quantity, limitPrice!.Value);
            }
            return order.Copy();
        }
    }

    public FakeOrder? Cancel(string venueOrderId)
    {
        lock (_gate)
        {
            if (!_orders.TryGetValue(venueOrderId, out var o)) return null;
            if (o.IsOpen) o.End(FakeOrderState.Cancelled, "cancelled by the client", time.GetUtcNow());
            return o.Copy();
        }
    }

    public FakeOrder? Order(string venueOrderId) { lock (_gate) return _orders.TryGetValue(venueOrderId, out var o) ? o.Copy() : null; }

    /// <summary>An account's orders, oldest first (a copy).</summary>
    public IReadOnlyList<FakeOrder> Orders(string accountNumber)
    {
        lock (_gate)
            return _accounts.TryGetValue(accountNumber, out var a) ? a.OrderIds.Select(id => _orders[id].Copy()).ToList() : [];
    }

    public FakeOrder? OrderByClientId(string accountNumber, string clientOrderId)
    {
        lock (_gate)
            return _accounts.TryGetValue(accountNumber, out var a)
                ? a.OrderIds.Select(id => _orders[id]).LastOrDefault(o => o.ClientOrderId == clientOrderId)?.Copy()
                : null;
    }

    /// <summary>Cash and positions of an account (a copy).</summary>
    public (string Currency, decimal Cash, IReadOnlyDictionary<string, (decimal Quantity, decimal AveragePrice)> Positions) Holdings(string accountNumber)
    {
        lock (_gate)
        {
            var a = _accounts[accountNumber];
            return (a.Currency, a.Cash, a.Positions.Where(p => p.Value.Quantity != 0).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal));
        }
    }

    private static bool Crosses(FakeOrder o, decimal price) => o.Side == OrderSide.Buy ? price <= o.LimitPrice : price >= o.LimitPrice;

    private void Execute(FakeOrder o, decimal quantity, decimal price)
    {
        var fee = decimal.Round(quantity * price * feeRate, 8);
        o.AddFill(quantity, price, fee, time.GetUtcNow());
        var a = _accounts[o.AccountNumber];
        var signed = o.Side == OrderSide.Buy ? quantity : -quantity;
        a.Cash -= signed * price + fee;
        var (held, avg) = a.Positions.GetValueOrDefault(o.Symbol);
        var next = held + signed;
        // Average entry price moves only when the position grows (or flips); reducing keeps it.
        var newAvg = next == 0 ? 0 : Math.Sign(next) != Math.Sign(held) ? price : Math.Abs(next) > Math.Abs(held) ? (held * avg + signed * price) / next : avg;
        a.Positions[o.Symbol] = (next, newAvg);
    }
}

public sealed class FakeAccount(string number, string currency, decimal cash)
{
    public string Number { get; } = number;
    public string Currency { get; } = currency;
    public decimal Cash { get; internal set; } = cash;
    internal Dictionary<string, (decimal Quantity, decimal AveragePrice)> Positions { get; } = new(StringComparer.Ordinal);
    internal List<string> OrderIds { get; } = [];
}

public enum FakeOrderState { Open, PartiallyFilled, Filled, Cancelled }

/// <summary>An order at a fake venue. Copies leave the exchange; only the exchange changes its own.</summary>
public sealed class FakeOrder(string venueOrderId, long sequence, string accountNumber, string? clientOrderId, string symbol, OrderSide side, OrderType type,
    decimal quantity, decimal? limitPrice, DateTimeOffset createdAt)
{
    public string VenueOrderId { get; } = venueOrderId;
    public long Sequence { get; } = sequence;
    public string AccountNumber { get; } = accountNumber;
    public string? ClientOrderId { get; } = clientOrderId;
    public string Symbol { get; } = symbol;
    public OrderSide Side { get; } = side;
    public OrderType Type { get; } = type;
    public decimal Quantity { get; } = quantity;
    public decimal? LimitPrice { get; } = limitPrice;
    public DateTimeOffset CreatedAt { get; } = createdAt;
    public FakeOrderState State { get; private set; } = FakeOrderState.Open;
    public decimal FilledQuantity { get; private set; }
    public decimal AveragePrice { get; private set; }
    public decimal Fees { get; private set; }
    public int FillCount { get; private set; }
    public DateTimeOffset? LastFillAt { get; private set; }
    public DateTimeOffset? EndedAt { get; private set; }
    public string? EndReason { get; private set; }

    public decimal Remaining => Quantity - FilledQuantity;
    public bool IsOpen => State is FakeOrderState.Open or FakeOrderState.PartiallyFilled;

    internal void AddFill(decimal qty, decimal price, decimal fee, DateTimeOffset at)
    {
        AveragePrice = (AveragePrice * FilledQuantity + price * qty) / (FilledQuantity + qty);
        FilledQuantity += qty;
        Fees += fee;
        FillCount++;
        LastFillAt = at;
        if (FilledQuantity >= Quantity) { State = FakeOrderState.Filled; EndedAt = at; }
        else State = FakeOrderState.PartiallyFilled;
    }

    internal void End(FakeOrderState state, string reason, DateTimeOffset at)
    {
        State = state;
        EndReason = reason;
        EndedAt = at;
    }

    internal FakeOrder Copy() => (FakeOrder)MemberwiseClone();
}
