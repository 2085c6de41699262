using TradingActors.Domain.Orders;
using TradingActors.Domain.Strategies;
using static TradingActors.Backtesting.Formatting;

namespace TradingActors.Backtesting;

/// <summary>
/// The report as JSON and CSV. Byte-stable: fixed property and column order, invariant culture, fixed number formats
/// (<see cref="Formatting"/>), '\n' line ends on every platform. The same report always writes the same bytes.
/// </summary>
public static class ReportWriter
{
    public const string EquityCsvHeader = "time,equity,cash,position_value,drawdown_pct";
    public const string TradesCsvHeader = "time,symbol,order_ref,kind,side,quantity,price,notional,fee,cash_after,position_after,reason";

    /// <summary>The whole report: run, settings, metrics, orders, rules, trades and round trips (not the equity curve: see <see cref="WriteEquityCsv"/>).</summary>
    public static void WriteJson(BacktestReport report, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(writer);
        var json = new JsonText(writer);
        json.Begin('{');
        json.String("strategy", report.Strategy);
        json.Raw("parameters", report.ParametersJson);
        json.Begin('[', "symbols");
        foreach (var symbol in report.Symbols)
        {
            json.Begin('{', compact: true)
                .String("symbol", symbol.Symbol)
                .Raw("bars", Integer(symbol.Bars))
                .String("first", Time(symbol.First))
                .String("last", Time(symbol.Last))
                .Number("position", Price(symbol.Position))
                .Number("lastClose", Price(symbol.LastClose));
            if (symbol.Funding is { } funding)
                json.Begin('{', "funding").Number("rate", Price(funding.Rate)).Number("intervalSeconds", Seconds(funding.Interval)).End('}');
            else json.Raw("funding", "null");
            json.End('}');
        }
        json.End(']');

        var settings = report.Settings;
        json.Begin('{', "settings")
            .Number("initialCash", Money(settings.InitialCash))
            .Number("takerFeeRate", Price(settings.TakerFeeRate))
            .Number("makerFeeRate", Price(settings.MakerFeeRate))
            .Number("slippageBps", Price(settings.SlippageBps))
            .Number("signalBudget", Price(settings.SignalBudget))
            .String("equityCurve", settings.EquityCurve == EquityCurveRecording.Full ? "full" : "none")
            .Bool("recordTrades", settings.RecordTrades)
            .End('}');

        json.Begin('{', "period")
            .String("start", Time(report.Start))
            .String("end", Time(report.End))
            .Number("barIntervalSeconds", Seconds(report.BarInterval))
            .End('}');

        var m = report.Metrics;
        json.Begin('{', "metrics")
            .Number("initialCash", Money(m.InitialCash))
            .Number("finalEquity", Money(m.FinalEquity))
            .Number("totalReturnPct", Ratio(m.TotalReturnPct))
            .Number("cagrPct", Ratio(m.CagrPct))
            .Number("maxDrawdownPct", Ratio(m.MaxDrawdownPct))
            .Number("maxDrawdownDurationSeconds", Seconds(m.MaxDrawdownDuration))
            .Bool("maxDrawdownRecovered", m.MaxDrawdownRecovered)
            .Number("sharpe", Ratio(m.Sharpe))
            .Number("sortino", Ratio(m.Sortino))
            .Raw("equityPoints", Integer(m.EquityPoints))
            .Number("exposurePct", Ratio(m.ExposurePct))
            .Raw("trades", Integer(m.Trades))
            .Raw("roundTrips", Integer(m.RoundTrips))
            .Raw("wins", Integer(m.Wins))
            .Raw("losses", Integer(m.Losses))
            .Number("winRatePct", Ratio(m.WinRatePct))
            .Number("grossProfit", Money(m.GrossProfit))
            .Number("grossLoss", Money(m.GrossLoss))
            .Number("profitFactor", Ratio(m.ProfitFactor))
            .Number("feesPaid", Money(m.FeesPaid))
            .Number("fundingPaid", Money(m.FundingPaid))
            .End('}');

        var o = report.Orders;
        json.Begin('{', "orders")
            .Raw("placed", Integer(o.Placed))
            .Raw("filled", Integer(o.Filled))
            .Raw("rejected", Integer(o.Rejected))
            .Raw("cancelled", Integer(o.Cancelled))
            .Raw("openAtEnd", Integer(o.OpenAtEnd))
            .End('}');
        json.Begin('[', "openAtEnd");
        foreach (var open in report.OpenAtEnd)
        {
            json.Begin('{', compact: true)
                .String("symbol", open.Symbol)
                .Raw("orderRef", Integer(open.OrderRef))
                .String("kind", Name(open.Kind))
                .String("side", Name(open.Side))
                .String("sizing", open.Sizing == IntentSizing.Quote ? "quote" : "base")
                .Number("amount", Price(open.Amount))
                .Number("limitPrice", open.Kind == IntentKind.Limit ? Price(open.LimitPrice) : "")
                .End('}');
        }
        json.End(']');

        json.Begin('{', "rules");
        json.Begin('[', "fills");
        foreach (var rule in BacktestRules.Fills) json.String(null, rule);
        json.End(']');
        json.Begin('[', "metrics");
        foreach (var rule in BacktestRules.Metrics) json.String(null, rule);
        json.End(']');
        json.End('}');

        if (report.Trades is { } trades) WriteTradeArray(json, "trades", trades);
        else json.Raw("trades", "null");
        if (report.RoundTrips is { } trips)
        {
            json.Begin('[', "roundTrips");
            foreach (var trip in trips)
            {
                json.Begin('{', compact: true)
                    .String("symbol", trip.Symbol)
                    .String("opened", Time(trip.Opened))
                    .String("closed", Time(trip.Closed))
                    .Raw("fills", Integer(trip.Fills))
                    .Number("buyCost", Money(trip.BuyCost))
                    .Number("pnl", Money(trip.Pnl))
                    .Number("returnPct", Ratio(trip.ReturnPct))
                    .End('}');
            }
            json.End(']');
        }
        else json.Raw("roundTrips", "null");
        json.End('}');
    }

    public static string ToJson(BacktestReport report)
    {
        var text = new StringWriter();
        WriteJson(report, text);
        return text.ToString();
    }

    /// <summary>The equity curve, one row per point; throws when the run did not record it.</summary>
    public static void WriteEquityCsv(BacktestReport report, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(writer);
        var curve = report.EquityCurve ?? throw new InvalidOperationException("the equity curve was not recorded (settings.EquityCurve = None)");
        writer.Write(EquityCsvHeader);
        writer.Write('\n');
        foreach (var point in curve.AsSpan())
        {
            writer.Write(Time(point.Time));
            writer.Write(',');
            writer.Write(Money(point.Equity));
            writer.Write(',');
            writer.Write(Money(point.Cash));
            writer.Write(',');
            writer.Write(Money(point.PositionValue));
            writer.Write(',');
            writer.Write(Ratio(point.DrawdownPct));
            writer.Write('\n');
        }
    }

    /// <summary>Every fill, one row each; throws when the run did not record trades.</summary>
    public static void WriteTradesCsv(BacktestReport report, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(writer);
        var trades = report.Trades ?? throw new InvalidOperationException("trades were not recorded (settings.RecordTrades = false)");
        writer.Write(TradesCsvHeader);
        writer.Write('\n');
        foreach (var t in trades)
        {
            writer.Write(string.Join(',',
                Time(t.Time), Csv(t.Symbol), Integer(t.OrderRef), Name(t.OrderKind), Name(t.Side), Price(t.Quantity), Price(t.Price),
                Money(t.Notional), Money(t.Fee), Money(t.CashAfter), Price(t.PositionAfter), Name(t.Reason)));
            writer.Write('\n');
        }
    }

    /// <summary>Every fill as a JSON array; throws when the run did not record trades.</summary>
    public static void WriteTradesJson(BacktestReport report, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(writer);
        var trades = report.Trades ?? throw new InvalidOperationException("trades were not recorded (settings.RecordTrades = false)");
        var json = new JsonText(writer);
        json.Begin('{');
        WriteTradeArray(json, "trades", trades);
        json.End('}');
    }

    private static void WriteTradeArray(JsonText json, string name, IReadOnlyList<BacktestTrade> trades)
    {
        json.Begin('[', name);
        foreach (var t in trades)
        {
            json.Begin('{', compact: true)
                .String("time", Time(t.Time))
                .String("symbol", t.Symbol)
                .Raw("orderRef", Integer(t.OrderRef))
                .String("kind", Name(t.OrderKind))
                .String("side", Name(t.Side))
                .Number("quantity", Price(t.Quantity))
                .Number("price", Price(t.Price))
                .Number("notional", Money(t.Notional))
                .Number("fee", Money(t.Fee))
                .Number("cashAfter", Money(t.CashAfter))
                .Number("positionAfter", Price(t.PositionAfter))
                .String("reason", Name(t.Reason))
                .End('}');
        }
        json.End(']');
    }

    /// <summary>Orders the venue holds are market or limit orders (signals become market orders, cancels are not orders).</summary>
    internal static string Name(IntentKind kind) => kind == IntentKind.Limit ? "limit" : "market";

    internal static string Name(OrderSide side) => side == OrderSide.Buy ? "buy" : "sell";

    /// <summary>The reason as a stable code (the enum's name in kebab case: rsi-crossed-up).</summary>
    internal static string Name(IntentReason reason)
    {
        var name = reason.ToString();
        var text = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) text.Append('-');
            text.Append(char.ToLowerInvariant(name[i]));
        }
        return text.ToString();
    }
}
