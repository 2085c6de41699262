using System.Text.Json.Serialization;
using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;

namespace TradingActors.Domain.Strategies;

/// <summary>
/// Long-only spot grid. <c>levels</c> lines from <c>lower</c> to <c>upper</c> (equal differences, or equal ratios when
/// geometric), numbered 0 (lower) to levels - 1 (upper), cut the range into levels - 1 cells; cell i lies between
/// line i and line i + 1 and always either holds quote (a Limit Buy of level_quote rests at line i) or holds the base
/// it bought (a Limit Sell of that quantity rests at line i + 1). A buy that ended filled (in whole or in part) sells
/// what it got one line up; a sell that ended with everything sold buys again one line down, and the difference is
/// the grid's profit. So each line holds at most one order, and a buy at the top line or a sell at the bottom one
/// never happens.
/// On the first bar (close p) the line nearest p is left empty (ties: the lower one): with initial_buy the cells
/// above it are bought at market (level_quote each) and sold one line up, the cells below it buy; without
/// initial_buy every cell buys at its line if that line is more than <see cref="NearFraction"/> below p.
/// An order that ended with nothing (more) filled leaves its cell without an order; each bar re-arms such cells: a
/// buy when its line is below the close, a sell of what the cell holds when its line is above the close, and only
/// when the other cell using that line has no order there. Places its own orders, so it runs as a personal bot.
/// </summary>
public sealed class GridStrategy : ITradingStrategy
{
    public static readonly StrategyKind Kind = new(
        "grid",
        "Spot grid, long only: a buy on each line below the price, a sell of what it bought one line up, again and again",
        emitsSignals: false,
        [
            ParameterSpec.Number("lower", 1e-12, 1e12, null, "price of the lowest grid line"),
            ParameterSpec.Number("upper", 1e-12, 1e12, null, "price of the highest grid line"),
            ParameterSpec.Integer("levels", 2, 200, 10, "number of grid lines, lower and upper included"),
            ParameterSpec.Number("level_quote", 1e-12, 1e12, null, "quote amount each line's buy spends"),
            ParameterSpec.Boolean("geometric", false, "lines equally spaced by ratio instead of by difference"),
            ParameterSpec.Boolean("initial_buy", true, "on the first bar, buy at market what the lines above the price will sell"),
        ],
        p => p["lower"] < p["upper"]
            ? []
            : [new ParameterError("lower", $"lower ({ParameterSpec.Format(p["lower"])}) must be below upper ({ParameterSpec.Format(p["upper"])})")],
        (p, resume) => new GridStrategy(p, resume as GridState));

    /// <summary>Without initial_buy, a line less than this fraction of the first close below it gets no buy on the first bar (0.1%).</summary>
    public const double NearFraction = 0.001;

    private const double Dust = 1e-9;

    private readonly double _levelQuote;
    private readonly bool _initialBuy;
    private readonly double[] _lines;
    // Per cell (between line i and line i + 1):
    private readonly double[] _held;   // base held
    private readonly double[] _basis;  // quote paid for it, buy fees included
    private readonly long[] _ref;      // its order, 0 for none
    private readonly bool[] _selling;  // whether that order is the sell
    private readonly double[] _amount; // that order's amount: quote for the buy, base for the sell
    private bool _started;
    private long _lastRef;
    private long _initialRef;
    private int _initialFrom;
    private double _initialFilled;
    private double _initialCost;
    private double _profit;
    private double _fees;
    private int _pairs;

    public GridStrategy(StrategyParameters parameters, GridState? resume = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _levelQuote = parameters["level_quote"];
        _initialBuy = parameters.Bool("initial_buy");
        if (resume is not null)
        {
            // A running grid keeps the lines its orders rest on; new bounds take effect for a new grid.
            _lines = [.. resume.Lines];
            if (resume.Cells.Count != _lines.Length - 1) throw new ArgumentException("inconsistent grid checkpoint: one cell between each two lines", nameof(resume));
        }
        else _lines = LinesFor(parameters["lower"], parameters["upper"], parameters.Int("levels"), parameters.Bool("geometric"));
        var cells = _lines.Length - 1;
        _held = new double[cells];
        _basis = new double[cells];
        _ref = new long[cells];
        _selling = new bool[cells];
        _amount = new double[cells];
        if (resume is null) return;

        _started = resume.Started;
        _lastRef = resume.LastOrderRef;
        _initialRef = resume.InitialOrderRef;
        _initialFrom = resume.InitialFromCell;
        _initialFilled = resume.InitialFilled;
        _initialCost = resume.InitialCost;
        _profit = resume.Profit;
        _fees = resume.Fees;
        _pairs = resume.CompletedPairs;
        for (var i = 0; i < cells; i++)
        {
            var c = resume.Cells[i];
            (_held[i], _basis[i], _ref[i], _selling[i], _amount[i]) = (c.Held, c.Basis, c.OrderRef, c.Selling, c.Amount);
        }
    }

    /// <summary>The grid's lines from <paramref name="lower"/> to <paramref name="upper"/> (both exact).</summary>
    public static double[] LinesFor(double lower, double upper, int levels, bool geometric)
    {
        var lines = new double[levels];
        var last = levels - 1;
        lines[last] = upper; // exactly: the formulas can miss it by a rounding
        for (var i = 0; i < last; i++)
            lines[i] = geometric ? lower * Math.Pow(upper / lower, (double)i / last) : lower + (upper - lower) * i / last;
        return lines;
    }

    string ITradingStrategy.Kind => Kind.Name;

    /// <summary>The grid's lines, lowest first.</summary>
    public ReadOnlySpan<double> Lines => _lines;

    /// <summary>Whether the first bar has laid the grid out.</summary>
    public bool Started => _started;

    /// <summary>Realised profit of the buy→sell pairs, in quote: each sell's proceeds less the cost of what it sold, fees of both sides included.</summary>
    public double GridProfit => _profit;

    /// <summary>Cells whose sell sold everything they bought.</summary>
    public int CompletedPairs => _pairs;

    /// <summary>Fees paid, in quote.</summary>
    public double Fees => _fees;

    /// <summary>Base the grid holds (bought and not yet sold).</summary>
    public double Inventory
    {
        get
        {
            double total = 0;
            for (var i = 0; i < _held.Length; i++) total += _held[i];
            return total;
        }
    }

    public void OnBar(in Candle bar, IntentBuffer intents)
    {
        var close = bar.Close;
        if (!_started)
        {
            Start(close, intents);
            return;
        }
        for (var i = 0; i < _ref.Length; i++)
        {
            if (_ref[i] != 0 || (_initialRef != 0 && i >= _initialFrom)) continue;
            if (_held[i] > 0)
            {
                if (_lines[i + 1] > close) TrySell(i, intents);
            }
            else if (_lines[i] < close) TryBuy(i, intents);
        }
    }

    private void Start(double price, IntentBuffer intents)
    {
        _started = true;
        var nearest = 0;
        for (var j = 1; j < _lines.Length; j++)
            if (Math.Abs(_lines[j] - price) < Math.Abs(_lines[nearest] - price)) nearest = j;
        if (!_initialBuy)
        {
            for (var i = _ref.Length - 1; i >= 0; i--)
                if (_lines[i] < price * (1 - NearFraction)) PlaceBuy(i, intents);
            return;
        }
        var above = _ref.Length - nearest; // cells nearest..last: the lines above the nearest one sell what the market buy got
        if (above > 0)
        {
            _initialFrom = nearest;
            _initialRef = ++_lastRef;
            intents.Add(StrategyIntent.Market(_initialRef, OrderSide.Buy, IntentSizing.Quote, _levelQuote * above, IntentReason.GridInitialBuy, price, above));
        }
        for (var i = nearest - 1; i >= 0; i--) PlaceBuy(i, intents);
    }

    public void OnFill(in StrategyFill fill, IntentBuffer intents)
    {
        if (fill.OrderRef <= 0) return;
        double quantity = fill.Quantity, price = fill.Price;
        if (fill.OrderRef == _initialRef)
        {
            _fees += fill.Fee;
            _initialFilled += quantity;
            _initialCost += quantity * price + fill.Fee;
            if (fill.OrderEnded) InitialEnded(intents);
            return;
        }
        var i = CellOf(fill.OrderRef);
        if (i < 0) return;
        _fees += fill.Fee;
        if (_selling[i])
        {
            var part = _basis[i] * quantity / _held[i];
            _profit += quantity * price - fill.Fee - part;
            _basis[i] -= part;
            _held[i] -= quantity;
        }
        else
        {
            _held[i] += quantity;
            _basis[i] += quantity * price + fill.Fee;
        }
        if (fill.OrderEnded) Ended(i, intents);
    }

    public void OnOrderEnded(long orderRef, IntentBuffer intents)
    {
        if (orderRef <= 0) return;
        if (orderRef == _initialRef)
        {
            InitialEnded(intents);
            return;
        }
        var i = CellOf(orderRef);
        if (i >= 0) Ended(i, intents);
    }

    /// <summary>The market buy ended: what it got is shared equally by the cells above the empty line, each selling its share one line up.</summary>
    private void InitialEnded(IntentBuffer intents)
    {
        _initialRef = 0;
        if (!(_initialFilled > 0)) return; // nothing bought: those cells hold quote and buy once their lines are below a close
        var cells = _ref.Length - _initialFrom;
        for (var i = _initialFrom; i < _ref.Length; i++)
        {
            _held[i] = _initialFilled / cells;
            _basis[i] = _initialCost / cells;
            TrySell(i, intents);
        }
    }

    private void Ended(int i, IntentBuffer intents)
    {
        _ref[i] = 0;
        if (!_selling[i])
        {
            if (_held[i] > 0) TrySell(i, intents); // nothing bought: the buy is re-armed by a later bar
        }
        else if (_held[i] <= _amount[i] * Dust)
        {
            _held[i] = 0;
            _basis[i] = 0;
            _pairs++;
            TryBuy(i, intents);
        }
        // else the sell ended with base left: a later bar sells the rest
    }

    /// <summary>Sells what cell <paramref name="i"/> holds at line i + 1, unless the cell above has its buy resting there.</summary>
    private void TrySell(int i, IntentBuffer intents)
    {
        if (i + 1 < _ref.Length && _ref[i + 1] != 0 && !_selling[i + 1]) return;
        var line = i + 1;
        var orderRef = ++_lastRef;
        (_ref[i], _selling[i], _amount[i]) = (orderRef, true, _held[i]);
        intents.Add(StrategyIntent.Limit(orderRef, OrderSide.Sell, IntentSizing.Base, _held[i], _lines[line], IntentReason.GridLevel, _lines[line], line));
    }

    /// <summary>Buys at line <paramref name="i"/> for cell i, unless the cell below has its sell resting there.</summary>
    private void TryBuy(int i, IntentBuffer intents)
    {
        if (i > 0 && _ref[i - 1] != 0 && _selling[i - 1]) return;
        PlaceBuy(i, intents);
    }

    private void PlaceBuy(int i, IntentBuffer intents)
    {
        var orderRef = ++_lastRef;
        (_ref[i], _selling[i], _amount[i]) = (orderRef, false, _levelQuote);
        intents.Add(StrategyIntent.Limit(orderRef, OrderSide.Buy, IntentSizing.Quote, _levelQuote, _lines[i], IntentReason.GridLevel, _lines[i], i));
    }

    private int CellOf(long orderRef)
    {
        for (var i = 0; i < _ref.Length; i++)
            if (_ref[i] == orderRef) return i;
        return -1;
    }

    public StrategyState Save()
    {
        var cells = new List<GridCellState>(_ref.Length);
        for (var i = 0; i < _ref.Length; i++) cells.Add(new GridCellState(_held[i], _basis[i], _ref[i], _selling[i], _amount[i]));
        return new GridState([.. _lines], _started, _lastRef, _initialRef, _initialFrom, _initialFilled, _initialCost, _profit, _fees, _pairs, cells);
    }
}

/// <summary>One grid cell: the base it holds, what that cost, and its order (0: none; the sell when Selling, else the buy).</summary>
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record GridCellState(double Held, double Basis, long OrderRef, bool Selling, double Amount);

/// <summary>A grid's checkpoint: its lines, its cells and the initial market buy while that works.</summary>
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record GridState(
    IReadOnlyList<double> Lines,
    bool Started,
    long LastOrderRef,
    long InitialOrderRef,
    int InitialFromCell,
    double InitialFilled,
    double InitialCost,
    double Profit,
    double Fees,
    int CompletedPairs,
    IReadOnlyList<GridCellState> Cells) : StrategyState;
