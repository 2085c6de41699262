using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;

namespace TradingActors.Backtesting.Tests;

/// <summary>Bars by hand: hourly from 2024-01-01T00:00Z unless told otherwise.</summary>
internal static class B
{
    public static readonly DateTimeOffset T0 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static Candle Bar(int hour, double open, double high, double low, double close) =>
        new(T0.AddHours(hour), open, high, low, close, 1);

    /// <summary>A bar of one price.</summary>
    public static Candle Flat(int hour, double price) => Bar(hour, price, price, price, price);

    public static Candle[] Flats(int count, double price = 100)
    {
        var bars = new Candle[count];
        for (var i = 0; i < count; i++) bars[i] = Flat(i, price);
        return bars;
    }

    /// <summary>No fees, no slippage, curve and trades recorded.</summary>
    public static BacktestSettings Free(double cash = 10_000) => new()
    {
        InitialCash = cash,
        TakerFeeRate = 0,
        MakerFeeRate = 0,
        SlippageBps = 0,
    };
}

/// <summary>
/// A test-only strategy driven by callbacks, logging every call ("bar 3", "fill 2 buy 1.5@100 fee 0.1", "ended 2").
/// </summary>
internal sealed class Scripted : ITradingStrategy
{
    private int _bar = -1;

    public Scripted(List<string>? log = null, string? name = null)
    {
        Log = log ?? [];
        Name = name;
    }

    public List<string> Log { get; }

    public string? Name { get; }

    /// <summary>Called with the bar's index (0-based, per symbol) and the bar.</summary>
    public Action<int, Candle, IntentBuffer>? Bar { get; set; }

    public Action<StrategyFill, IntentBuffer>? Fill { get; set; }

    public Action<long, IntentBuffer>? Ended { get; set; }

    public List<StrategyFill> Fills { get; } = [];

    public List<long> EndedRefs { get; } = [];

    public string Kind => "scripted";

    public void OnBar(in Candle bar, IntentBuffer intents)
    {
        _bar++;
        Log.Add(Name is null ? $"bar {_bar}" : $"{Name} bar {_bar}");
        Bar?.Invoke(_bar, bar, intents);
    }

    public void OnFill(in StrategyFill fill, IntentBuffer intents)
    {
        Fills.Add(fill);
        Log.Add($"fill {fill.OrderRef} {(fill.Side == OrderSide.Buy ? "buy" : "sell")} {fill.Quantity:R}@{fill.Price:R} fee {fill.Fee:R}");
        Fill?.Invoke(fill, intents);
    }

    public void OnOrderEnded(long orderRef, IntentBuffer intents)
    {
        EndedRefs.Add(orderRef);
        Log.Add($"ended {orderRef}");
        Ended?.Invoke(orderRef, intents);
    }

    public StrategyState Save() => throw new NotSupportedException();

    /// <summary>A kind whose every instance comes from <paramref name="make"/> (called once per symbol, in ordinal symbol order).</summary>
    public static StrategyKind KindOf(Func<Scripted> make) =>
        new("scripted", "test-only scripted strategy", emitsSignals: false, [], _ => [], (_, _) => make());

    /// <summary>Runs <paramref name="strategy"/> on one symbol's bars.</summary>
    public static BacktestReport Run(Scripted strategy, Candle[] bars, BacktestSettings? settings = null, FundingSchedule? funding = null, BacktestRunOptions? options = null) =>
        Backtester.Run(
            new BacktestRequest { Strategy = "scripted", Symbols = [new BacktestSymbol("TEST", bars, funding)], Settings = settings ?? B.Free() },
            new BacktestRunOptions
            {
                ResolveKind = _ => KindOf(() => strategy),
                Progress = options?.Progress,
                CheckEvery = options?.CheckEvery ?? BacktestRunOptions.DefaultCheckEvery,
            });

    public static StrategyIntent MarketBuy(long orderRef, double quantity) => StrategyIntent.Market(orderRef, OrderSide.Buy, IntentSizing.Base, quantity, IntentReason.None);

    public static StrategyIntent MarketSell(long orderRef, double quantity) => StrategyIntent.Market(orderRef, OrderSide.Sell, IntentSizing.Base, quantity, IntentReason.None);

    public static StrategyIntent LimitBuy(long orderRef, double quantity, double price) => StrategyIntent.Limit(orderRef, OrderSide.Buy, IntentSizing.Base, quantity, price, IntentReason.GridLevel);

    public static StrategyIntent LimitSell(long orderRef, double quantity, double price) => StrategyIntent.Limit(orderRef, OrderSide.Sell, IntentSizing.Base, quantity, price, IntentReason.GridLevel);
}

/// <summary>Where the repository is (golden files and datasets are read from the source tree, not copied).</summary>
internal static class Repo
{
    public static string Root { get; } = Find();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "TradingActors.sln"))) return dir.FullName;
        throw new InvalidOperationException("TradingActors.sln not found above " + AppContext.BaseDirectory);
    }

    public static Candle[] Dataset(string file)
    {
        using var stream = File.OpenRead(Path("data", "bars", file));
        return CandleCsv.Read(stream);
    }
}

/// <summary>A fact that runs only when the environment variable BACKTEST_PERF=1 (timings, never asserted).</summary>
internal sealed class PerfFactAttribute : FactAttribute
{
    public PerfFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("BACKTEST_PERF") != "1") Skip = "timing run: set BACKTEST_PERF=1";
    }
}
