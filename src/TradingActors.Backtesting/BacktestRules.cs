namespace TradingActors.Backtesting;

/// <summary>
/// The simulated venue's fill rules and the report's formulas, word for word as the report's <c>rules</c> field
/// states them. Changing what the engine does means changing this text (and the golden files) with it.
/// </summary>
public static class BacktestRules
{
    /// <summary>How orders are placed, filled, rejected and cancelled, and how funding is charged.</summary>
    public static IReadOnlyList<string> Fills { get; } =
    [
        "merge: bars of all symbols are processed by open time, then by symbol name (ordinal); each symbol has its own strategy instance; all share one cash account",
        "bar: (1) funding if a funding time falls in the bar, (2) eligible orders fill along the bar's price path, each fill or rejection told to the strategy at once, (3) equity is marked at the close (after every bar of that time), (4) strategy OnBar and its intents",
        "eligible: an order placed while bar t of its symbol is processed (from OnBar, OnFill or OnOrderEnded) can fill from bar t+1 on",
        "market: fills whole at the next bar's open moved against the trader by the slippage (buy open*(1+bps/10000), sell open*(1-bps/10000)); taker fee = takerFeeRate * notional; a market order with no later bar never fills (open at end)",
        "sizing: a quote-sized market order's amount is its notional (quantity = amount / fill price); a limit order's quantity is fixed when placed (quote amount / limit price)",
        "limit: rests from the next bar; a buy fills when low <= limit at min(open, limit), a sell when high >= limit at max(open, limit) (a gap through the limit fills at the open); whole quantity, maker fee = makerFeeRate * notional, no slippage",
        "path: within a bar the price goes open->low->high->close when close >= open, else open->high->low->close; orders fill in the order the path reaches their price, market orders and limits already crossed at the open first; ties by order ref ascending",
        "cash: spot, long only; a buy is rejected when notional + fee exceeds the cash held when it would fill, a sell when its quantity exceeds the symbol's position then (relative tolerance 1e-9 for floating-point dust; a sell within it sells the whole position); a rejection ends the order (OnOrderEnded)",
        "invalid: an order whose amount or limit price is not a positive finite number is rejected when placed (OnOrderEnded)",
        "cancel: takes effect at once, also between two fills of the same bar, followed by OnOrderEnded; a cancel of an order that is not open is ignored",
        "signal: becomes a market order through SignalOrders.For with the symbol's position and budget = signalBudget * (cash - cash reserved by open buys) / (1 + takerFeeRate); orders the backtester places for signals have negative refs (-1, -2, ...)",
        "reserve: an open buy reserves, for signal budgets only, limit: quantity*limit*(1+makerFeeRate), quote market: amount*(1+takerFeeRate), base market: amount*close*(1+bps/10000)*(1+takerFeeRate)",
        "funding: perpetual symbols only; funding times are every interval counted from 1970-01-01T00:00Z (8h: 00:00, 08:00, 16:00 UTC); bar t covers [its open, the next bar's open), the last bar one bar interval; for each funding time in the bar the long position held at the bar's open (before its fills) pays rate * position * bar close (a negative rate receives)",
        "end: orders still open after the last bar are neither filled nor told ended; they are listed as open at end",
    ];

    /// <summary>How each metric is computed.</summary>
    public static IReadOnlyList<string> Metrics { get; } =
    [
        "equity: cash + sum(position * last close) after every bar of a time; one equity point per distinct bar time, timed by the bars' open time",
        "bar interval: the median gap between consecutive distinct bar times (the lower middle one for an even count)",
        "total return: final equity / initial cash - 1",
        "cagr: (final equity / initial cash)^(1/years) - 1, years = (last bar open + bar interval - first bar open) / 365.25 days",
        "drawdown: (peak - equity) / peak against the running peak of the equity points; duration: the longest time from a peak's point to the first point back at or above it, or to the last point when never recovered",
        "returns: r_k = E_k / E_(k-1) - 1 between consecutive equity points (n = points - 1); bars per year P = 365.25 days / bar interval",
        "sharpe: mean(r) / sample stdev(r) (n-1) * sqrt(P), risk-free rate 0; null when the stdev is 0 or n < 2",
        "sortino: mean(r) / sqrt(sum(min(r,0)^2) / n) * sqrt(P), every return counted in n (non-negative ones as 0); null when no return is negative",
        "round trip: per symbol from flat to a position and back to flat; pnl = sell notional - buy notional - fees - funding paid while open; a win has pnl > 0; trips still open at the end are not counted",
        "win rate: wins / closed round trips; null without a closed round trip",
        "profit factor: gross profit / gross loss over closed round trips; null when there is no losing round trip",
        "exposure: % of equity points where some position is held at the close",
        "trades: fills; fees and funding are totals in the quote currency (funding paid is net: negative when received)",
    ];
}
