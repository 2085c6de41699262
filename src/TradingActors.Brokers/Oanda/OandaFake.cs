using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TradingActors.Brokers.Fakes;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Oanda;

/// <summary>What the OANDA fake enforces and serves; tests shrink the limits and the stream's intervals.</summary>
public sealed record OandaFakeOptions
{
    /// <summary>Requests per token per <see cref="RateWindow"/> (OANDA: about 120 per second); 429 beyond.</summary>
    public int RequestsPerWindow { get; init; } = 120;

    public TimeSpan RateWindow { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the price stream sends a HEARTBEAT (OANDA: every 5 s).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the stream looks for a new price at the exchange (a PRICE line goes out when one changed).</summary>
    public TimeSpan PricePollInterval { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Half the spread quoted around the exchange's price on the stream (bid = price − this, ask = price + this).</summary>
    public decimal HalfSpread { get; init; }

    /// <summary>The instruments the fake lists and trades.</summary>
    public IReadOnlyList<OandaInstrument> Instruments { get; init; } = DefaultInstruments;

    /// <summary>
    /// For suites that inject a fault meaning "the order request": the connector looks every client id up before it
    /// places, so such a fault first meets that look-up. With this set, a Fail or DropAfterAccept that met the
    /// look-up (GET .../orders/@id) is also played on the order request for that id that follows it.
    /// </summary>
    public bool AimFaultsAtOrders { get; init; }

    public static readonly IReadOnlyList<OandaInstrument> DefaultInstruments =
    [
        new()
        {
            Name = "EUR_USD", Type = "CURRENCY", DisplayName = "EUR/USD", PipLocation = -4, DisplayPrecision = 5, TradeUnitsPrecision = 0,
            MinimumTradeSize = "1", MaximumOrderUnits = "100000000", MaximumPositionSize = "0", MarginRate = "0.0333",
        },
        new()
        {
            Name = "USD_JPY", Type = "CURRENCY", DisplayName = "USD/JPY", PipLocation = -2, DisplayPrecision = 3, TradeUnitsPrecision = 0,
            MinimumTradeSize = "1", MaximumOrderUnits = "100000000", MaximumPositionSize = "0", MarginRate = "0.04",
        },
    ];
}

/// <summary>
/// A local OANDA v20 over a <see cref="FakeExchange"/>: the v3 paths, bodies and errors the connector and OANDA's own
/// client libraries use.
/// <list type="bullet">
/// <item>Auth: <c>Authorization: Bearer &lt;token&gt;</c>; a token it does not know is a 401
/// {"errorMessage":"Insufficient authorization to perform request."}; an account of another token a 403, an
/// account that does not exist a 404.</item>
/// <item>Limits: <see cref="OandaFakeOptions.RequestsPerWindow"/> per token, then 429.</item>
/// <item>Client ids: a client id held by a PENDING order is refused (400, CLIENT_ORDER_ID_ALREADY_EXISTS); the id
/// of a filled or cancelled order is taken again, as OANDA does — placing twice blind makes two orders.</item>
/// <item>Orders: MARKET (FOK/IOC) fills at the exchange's price at once or is cancelled (no price: MARKET_HALTED);
/// LIMIT (GTC) rests. A partial fill ends the order FILLED for the units filled and reissues the rest as a new
/// pending order (replacesOrderID / replacedByOrderID, same client id). Fill transactions carry the price in
/// tradeOpened and the exchange's fee as commission.</item>
/// <item>Funds: the book is cash-funded (the exchange debits the notional), so an order that would grow a position
/// beyond the balance is refused with INSUFFICIENT_MARGIN.</item>
/// <item>Ids: an order's id is the exchange's; OANDA derives it from the creating transaction, so the order's
/// create transaction takes the same id; every other transaction is numbered from 1000000 so the two never meet.</item>
/// <item>Prices: the stream sends a PRICE line when the exchange's price of a subscribed instrument changed (on
/// connect too), HEARTBEATs on <see cref="OandaFakeOptions.HeartbeatInterval"/>; <see cref="SilenceStreams"/> and
/// <see cref="DropStreams"/> are the faults a feed must survive.</item>
/// </list>
/// Transactions and orders are projected from the exchange when asked (fills made by <see cref="FakeExchange.SetPrice"/>
/// appear at the next request).
/// </summary>
public sealed partial class OandaFake : FakeVenueServer
{
    public const string Unauthorized = "Insufficient authorization to perform request.";
    public const string Forbidden = "The provided request was forbidden.";
    private const long FirstTransactionId = 1_000_000;

    private readonly OandaFakeOptions _options;
    private readonly FakeRateWindow _rate;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, HashSet<string>> _accountsByToken = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Book> _books = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Account, string ClientId), FakeFaultKind> _aimed = [];
    private readonly Dictionary<string, OandaInstrument> _instruments;
    private long _nextTransaction = FirstTransactionId;
    private long _streams;
    private long _activeStreams;
    private int _dropGeneration;
    private int _endGeneration;
    private volatile bool _silent;

    public OandaFake(FakeExchange exchange, OandaFakeOptions? options = null) : base(exchange)
    {
        _options = options ?? new OandaFakeOptions();
        _rate = new FakeRateWindow(_options.RequestsPerWindow, _options.RateWindow, exchange.Time);
        _instruments = _options.Instruments.ToDictionary(i => i.Name!, StringComparer.Ordinal);
    }

    public override string Venue => OandaOptions.VenueName;

    /// <summary>Price streams opened so far.</summary>
    public long StreamsOpened => Interlocked.Read(ref _streams);

    /// <summary>Price streams open now (a client that went away closes its own).</summary>
    public long ActiveStreams => Interlocked.Read(ref _activeStreams);

    /// <summary>Registers an account reachable with <paramref name="apiKey"/> as its token. OANDA has no secret: <paramref name="apiSecret"/> is not used.</summary>
    public override void SeedAccount(string accountNumber, string apiKey, string apiSecret, decimal cash = 100_000m)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accountNumber);
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);
        lock (_gate)
        {
            if (!_accountsByToken.TryGetValue(apiKey, out var accounts)) _accountsByToken[apiKey] = accounts = new HashSet<string>(StringComparer.Ordinal);
            accounts.Add(accountNumber);
            if (!_books.ContainsKey(accountNumber)) _books[accountNumber] = new Book();
        }
        Exchange.Account(accountNumber, "USD", cash);
    }

    /// <summary>Streams send nothing (no prices, no heartbeats) while silenced, keeping their connections open.</summary>
    public void SilenceStreams(bool silent = true) => _silent = silent;

    /// <summary>Cuts every open price stream's connection.</summary>
    public void DropStreams() => Interlocked.Increment(ref _dropGeneration);

    /// <summary>Ends every open price stream the orderly way (the answer completes).</summary>
    public void EndStreams() => Interlocked.Increment(ref _endGeneration);

    protected override void MapRoutes(WebApplication app)
    {
        var stopping = app.Lifetime.ApplicationStopping;
        app.MapPost("/v3/accounts/{accountId}/orders", ctx => Admitted(ctx, PlaceAsync));
        app.MapGet("/v3/accounts/{accountId}/orders/{specifier}", ctx => Admitted(ctx, GetOrderAsync));
        app.MapPut("/v3/accounts/{accountId}/orders/{specifier}/cancel", ctx => Admitted(ctx, CancelAsync));
        app.MapGet("/v3/accounts/{accountId}/pendingOrders", ctx => Admitted(ctx, PendingOrdersAsync));
        app.MapGet("/v3/accounts/{accountId}/transactions/{transactionId}", ctx => Admitted(ctx, TransactionAsync));
        app.MapGet("/v3/accounts/{accountId}/summary", ctx => Admitted(ctx, SummaryAsync));
        app.MapGet("/v3/accounts/{accountId}/openPositions", ctx => Admitted(ctx, OpenPositionsAsync));
        app.MapGet("/v3/accounts/{accountId}/instruments", ctx => Admitted(ctx, InstrumentsAsync));
        // The stream host is apart from the REST host at OANDA: its connections are not counted against the request limit.
        app.MapGet("/v3/accounts/{accountId}/pricing/stream", ctx => Admitted(ctx, (c, a) => StreamAsync(c, a, stopping), counted: false));
        app.MapFallback(ctx => WriteAsync(ctx, 404, new OandaResponse { ErrorMessage = "The requested path does not exist." }));
    }

    protected override Task WriteFailureAsync(HttpContext ctx)
    {
        if (_options.AimFaultsAtOrders && LookupOf(ctx) is { } lookup)
            lock (_gate) _aimed[lookup] = FakeFaultKind.Fail;
        return WriteAsync(ctx, 500, new OandaResponse { ErrorMessage = "An internal server error occurred." });
    }

    // ---- the gate every request passes: token, limit, account

    private async Task Admitted(HttpContext ctx, Func<HttpContext, string, Task> handle, bool counted = true)
    {
        var accountId = (string)ctx.Request.RouteValues["accountId"]!;
        var token = OandaAuth.TokenFrom(ctx.Request.Headers.Authorization);
        bool known, owns, exists;
        lock (_gate)
        {
            known = token is not null && _accountsByToken.ContainsKey(token);
            owns = known && _accountsByToken[token!].Contains(accountId);
            exists = _books.ContainsKey(accountId);
        }
        if (!known)
        {
            await WriteAsync(ctx, 401, new OandaResponse { ErrorMessage = Unauthorized });
            return;
        }
        if (counted && !_rate.TryTake(token!, out _, out _))
        {
            CountRefusedForRate();
            await WriteAsync(ctx, 429, new OandaResponse { ErrorMessage = "Requests per second limit exceeded." });
            return;
        }
        if (!owns)
        {
            await WriteAsync(ctx, exists ? 403 : 404, new OandaResponse { ErrorMessage = exists ? Forbidden : "The specified Account does not exist." });
            return;
        }
        await handle(ctx, accountId);
    }

    // ---- orders

    private async Task PlaceAsync(HttpContext ctx, string accountId)
    {
        var order = OandaWire.Read<OandaOrderBody>(await new StreamReader(ctx.Request.Body, Encoding.UTF8).ReadToEndAsync(ctx.RequestAborted))?.Order;
        if (order?.Type is not (OandaWire.Market or OandaWire.Limit))
        {
            await WriteAsync(ctx, 400, new OandaResponse { ErrorMessage = "Invalid value specified for 'order'" });
            return;
        }
        var clientId = order.ClientExtensions?.Id;
        FakeFaultKind aimed = FakeFaultKind.None;
        int status;
        OandaResponse answer;
        lock (_gate)
        {
            var book = _books[accountId];
            Sync(accountId, book);
            if (clientId is not null) _aimed.Remove((accountId, clientId), out aimed);
            if (aimed == FakeFaultKind.Fail)
            {
                status = 500;
                answer = new OandaResponse { ErrorMessage = "An internal server error occurred." };
            }
            else if (Refusal(accountId, book, order) is { } reason)
            {
                var reject = Record(book, new OandaTransaction
                {
                    Id = NextId(), Time = Now, AccountID = accountId, UserID = 1, Type = order.Type + "_ORDER_REJECT", Reason = "CLIENT_ORDER",
                    Instrument = order.Instrument, Units = order.Units, Price = order.Price, TimeInForce = order.TimeInForce,
                    PositionFill = order.PositionFill ?? OandaWire.DefaultPositionFill, ClientExtensions = order.ClientExtensions, RejectReason = reason,
                });
                status = 400;
                answer = new OandaResponse
                {
                    OrderRejectTransaction = reject, RelatedTransactionIDs = [reject.Id!], LastTransactionID = book.LastTransactionId,
                    ErrorCode = reason, ErrorMessage = Describe(reason),
                };
            }
            else
            {
                (status, answer) = (201, Take(accountId, book, order));
            }
        }
        if (aimed == FakeFaultKind.DropAfterAccept)
        {
            ctx.Abort(); // taken, and the answer lost
            return;
        }
        await WriteAsync(ctx, status, answer);
    }

    private string? Refusal(string accountId, Book book, OandaOrderRequest order)
    {
        var market = order.Type == OandaWire.Market;
        if (order.Instrument is null) return "INSTRUMENT_MISSING";
        if (!_instruments.TryGetValue(order.Instrument, out var rules)) return "INSTRUMENT_UNKNOWN";
        if (order.Units is null) return "UNITS_MISSING";
        if (!decimal.TryParse(order.Units, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var units) || units == 0)
            return "UNITS_INVALID";
        if (OandaInstruments.Places(units) > (rules.TradeUnitsPrecision ?? 0)) return "UNITS_PRECISION_EXCEEDED";
        if (Math.Abs(units) < decimal.Parse(rules.MinimumTradeSize!, CultureInfo.InvariantCulture)) return "UNITS_MIMIMUM_NOT_MET";
        if (Math.Abs(units) > decimal.Parse(rules.MaximumOrderUnits!, CultureInfo.InvariantCulture)) return "UNITS_LIMIT_EXCEEDED";
        if (order.TimeInForce is { } tif && (market ? tif is not (OandaWire.FillOrKill or "IOC") : tif != OandaWire.GoodTillCancelled))
            return "TIME_IN_FORCE_INVALID";
        decimal? price = Exchange.Price(order.Instrument);
        if (!market)
        {
            if (order.Price is null) return "PRICE_MISSING";
            if (!decimal.TryParse(order.Price, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var limit) || limit <= 0) return "PRICE_INVALID";
            if (OandaInstruments.Places(limit) > rules.DisplayPrecision) return "PRICE_PRECISION_EXCEEDED";
            price = limit;
        }
        if (order.ClientExtensions?.Id is { } id)
        {
            if (id.Length == 0) return "CLIENT_ORDER_ID_INVALID";
            if (book.Orders.Any(o => o.ClientId == id && o.Links[^1].State == OandaWire.Pending)) return OandaErrors.ClientOrderIdAlreadyExists;
        }
        // Cash-funded: the part of the order that grows the position needs its notional in the balance.
        var (_, cash, positions) = Exchange.Holdings(accountId);
        var held = positions.TryGetValue(order.Instrument, out var p) ? p.Quantity : 0m;
        var growth = Math.Abs(held + units) - Math.Abs(held);
        if (price is { } at && growth > 0 && growth * at > cash) return "INSUFFICIENT_MARGIN";
        return null;
    }

    /// <summary>Places an order that passed the checks and answers it as OANDA does: create, then fill / cancel / reissue.</summary>
    private OandaResponse Take(string accountId, Book book, OandaOrderRequest order)
    {
        var units = decimal.Parse(order.Units!, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        var market = order.Type == OandaWire.Market;
        var limit = market ? (decimal?)null : decimal.Parse(order.Price!, CultureInfo.InvariantCulture);
        var placed = Exchange.Place(accountId, order.ClientExtensions?.Id, order.Instrument!, OandaInstruments.SideOf(units),
            market ? OrderType.Market : OrderType.Limit, Math.Abs(units), limit);
        var tracked = new Tracked(placed.VenueOrderId, order.ClientExtensions?.Id, order.Type!, order.Instrument!, limit,
            order.TimeInForce ?? (market ? OandaWire.FillOrKill : OandaWire.GoodTillCancelled), order.PositionFill ?? OandaWire.DefaultPositionFill);
        var first = new Link(placed.VenueOrderId, units, Now);
        tracked.Links.Add(first);
        book.Orders.Add(tracked);
        book.Links[first.Id] = (tracked, first);
        var create = Record(book, new OandaTransaction
        {
            Id = first.Id, Time = first.CreateTime, AccountID = accountId, UserID = 1, BatchID = first.Id, Type = order.Type + "_ORDER", Reason = "CLIENT_ORDER",
            Instrument = tracked.Instrument, Units = OandaWire.Number(units), Price = limit is { } l ? OandaWire.Number(l) : null,
            TimeInForce = tracked.TimeInForce, PositionFill = tracked.PositionFill, TriggerCondition = market ? null : "DEFAULT",
            ClientExtensions = order.ClientExtensions,
        });
        var made = Project(accountId, book, tracked, placed);
        var related = new List<string> { create.Id! };
        related.AddRange(made.Select(t => t.Id!));
        return new OandaResponse
        {
            OrderCreateTransaction = create,
            OrderFillTransaction = made.FirstOrDefault(t => t.Type == OandaWire.OrderFill),
            OrderCancelTransaction = made.FirstOrDefault(t => t.Type == OandaWire.OrderCancel),
            OrderReissueTransaction = made.FirstOrDefault(t => t.ReplacesOrderID is not null),
            RelatedTransactionIDs = related,
            LastTransactionID = book.LastTransactionId,
        };
    }

    private async Task GetOrderAsync(HttpContext ctx, string accountId)
    {
        var specifier = (string)ctx.Request.RouteValues["specifier"]!;
        // The base's DropAfterAccept has swapped the body for a buffer it will throw away: this look-up's answer is lost.
        if (_options.AimFaultsAtOrders && ctx.Response.Body is MemoryStream && LookupOf(ctx) is { } lookup)
            lock (_gate) _aimed[lookup] = FakeFaultKind.DropAfterAccept;
        OandaResponse answer;
        lock (_gate)
        {
            var book = _books[accountId];
            Sync(accountId, book);
            answer = Find(book, specifier) is { } found
                ? new OandaResponse { Order = View(found.Order, found.Link), LastTransactionID = book.LastTransactionId }
                : NoSuchOrder(book);
        }
        await WriteAsync(ctx, answer.Order is null ? 404 : 200, answer);
    }

    private async Task CancelAsync(HttpContext ctx, string accountId)
    {
        var specifier = (string)ctx.Request.RouteValues["specifier"]!;
        OandaResponse answer;
        lock (_gate)
        {
            var book = _books[accountId];
            Sync(accountId, book);
            var found = Find(book, specifier);
            if (found is { Link.State: OandaWire.Pending })
            {
                var (order, _) = found.Value;
                Exchange.Cancel(order.ExchangeId);
                var made = Project(accountId, book, order, Exchange.Order(order.ExchangeId)!);
                answer = new OandaResponse
                {
                    OrderCancelTransaction = made.First(t => t.Type == OandaWire.OrderCancel),
                    RelatedTransactionIDs = made.Select(t => t.Id!).ToList(),
                    LastTransactionID = book.LastTransactionId,
                };
            }
            else
            {
                var reject = Record(book, new OandaTransaction
                {
                    Id = NextId(), Time = Now, AccountID = accountId, UserID = 1, Type = OandaWire.OrderCancelReject,
                    OrderID = found?.Link.Id, ClientOrderID = found?.Order.ClientId, RejectReason = OandaErrors.OrderDoesntExist,
                });
                answer = NoSuchOrder(book) with { OrderCancelRejectTransaction = reject, RelatedTransactionIDs = [reject.Id!] };
            }
        }
        await WriteAsync(ctx, answer.OrderCancelTransaction is null ? 404 : 200, answer);
    }

    private async Task PendingOrdersAsync(HttpContext ctx, string accountId)
    {
        OandaResponse answer;
        lock (_gate)
        {
            var book = _books[accountId];
            Sync(accountId, book);
            var pending = book.Orders.SelectMany(o => o.Links.Where(l => l.State == OandaWire.Pending).Select(l => View(o, l))).Reverse().ToList();
            answer = new OandaResponse { Orders = pending, LastTransactionID = book.LastTransactionId };
        }
        await WriteAsync(ctx, 200, answer);
    }

    private async Task TransactionAsync(HttpContext ctx, string accountId)
    {
        var id = (string)ctx.Request.RouteValues["transactionId"]!;
        OandaResponse answer;
        lock (_gate)
        {
            var book = _books[accountId];
            Sync(accountId, book);
            answer = book.Transactions.TryGetValue(id, out var found)
                ? new OandaResponse { Transaction = found, LastTransactionID = book.LastTransactionId }
                : new OandaResponse { ErrorMessage = "The transaction ID specified does not exist." };
        }
        await WriteAsync(ctx, answer.Transaction is null ? 404 : 200, answer);
    }

    // ---- account

    private async Task SummaryAsync(HttpContext ctx, string accountId)
    {
        OandaResponse answer;
        lock (_gate)
        {
            var book = _books[accountId];
            Sync(accountId, book);
            var (currency, cash, positions) = Exchange.Holdings(accountId);
            decimal value = 0, unrealized = 0;
            foreach (var (symbol, (quantity, average)) in positions)
            {
                var price = Exchange.Price(symbol) ?? average;
                value += quantity * price;
                unrealized += quantity * (price - average);
            }
            answer = new OandaResponse
            {
                Account = new OandaAccountSummary
                {
                    Id = accountId, Currency = currency, Balance = OandaWire.Number(cash),
                    // The book is cash-funded: what the positions are worth is part of the account's value.
                    Nav = OandaWire.Number(cash + value), UnrealizedPL = OandaWire.Number(unrealized), Pl = "0", MarginUsed = "0",
                    MarginAvailable = OandaWire.Number(cash), PositionValue = OandaWire.Number(Math.Abs(value)),
                    OpenTradeCount = positions.Count, OpenPositionCount = positions.Count,
                    PendingOrderCount = book.Orders.Count(o => o.Links[^1].State == OandaWire.Pending), HedgingEnabled = false,
                    LastTransactionID = book.LastTransactionId,
                },
                LastTransactionID = book.LastTransactionId,
            };
        }
        await WriteAsync(ctx, 200, answer);
    }

    private async Task OpenPositionsAsync(HttpContext ctx, string accountId)
    {
        OandaResponse answer;
        lock (_gate)
        {
            var book = _books[accountId];
            Sync(accountId, book);
            var (_, _, positions) = Exchange.Holdings(accountId);
            var flat = new OandaPositionSide { Units = "0", Pl = "0", UnrealizedPL = "0" };
            answer = new OandaResponse
            {
                Positions = positions.Select(p =>
                {
                    var side = new OandaPositionSide
                    {
                        Units = OandaWire.Number(p.Value.Quantity), AveragePrice = OandaWire.Number(p.Value.AveragePrice),
                        TradeIDs = book.Orders.Where(o => o.Instrument == p.Key).SelectMany(o => o.Links).Where(l => l.TradeOpenedId is not null)
                            .Select(l => l.TradeOpenedId!).ToList(),
                        Pl = "0", UnrealizedPL = "0",
                    };
                    return new OandaPosition
                    {
                        Instrument = p.Key, Pl = "0", UnrealizedPL = "0", MarginUsed = "0", Commission = "0", Financing = "0",
                        Long = p.Value.Quantity > 0 ? side : flat,
                        Short = p.Value.Quantity < 0 ? side : flat,
                    };
                }).ToList(),
                LastTransactionID = book.LastTransactionId,
            };
        }
        await WriteAsync(ctx, 200, answer);
    }

    private async Task InstrumentsAsync(HttpContext ctx, string accountId)
    {
        var asked = ctx.Request.Query["instruments"].ToString();
        var names = asked.Length == 0 ? _instruments.Keys.ToList() : asked.Split(',').ToList();
        if (names.Any(n => !InstrumentName().IsMatch(n)))
        {
            await WriteAsync(ctx, 400, new OandaResponse { ErrorMessage = "Invalid value specified for 'instruments'" });
            return;
        }
        string last;
        lock (_gate) last = _books[accountId].LastTransactionId;
        await WriteAsync(ctx, 200, new OandaResponse
        {
            Instruments = names.Where(_instruments.ContainsKey).Select(n => _instruments[n]).ToList(),
            LastTransactionID = last,
        });
    }

    // ---- the price stream

    private async Task StreamAsync(HttpContext ctx, string accountId, CancellationToken stopping)
    {
        var names = ctx.Request.Query["instruments"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries);
        if (names.Length == 0 || names.Any(n => !_instruments.ContainsKey(n)))
        {
            await WriteAsync(ctx, 400, new OandaResponse { ErrorMessage = "Invalid value specified for 'instruments'" });
            return;
        }
        Interlocked.Increment(ref _streams);
        Interlocked.Increment(ref _activeStreams);
        var generation = Volatile.Read(ref _dropGeneration);
        var ending = Volatile.Read(ref _endGeneration);
        using var end = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, stopping);
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/octet-stream";
        await ctx.Response.StartAsync(end.Token);
        var sent = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var nextHeartbeat = Exchange.Time.GetUtcNow() + _options.HeartbeatInterval;
        try
        {
            while (true)
            {
                if (Volatile.Read(ref _dropGeneration) != generation)
                {
                    ctx.Abort();
                    return;
                }
                if (Volatile.Read(ref _endGeneration) != ending) return;
                var now = Exchange.Time.GetUtcNow();
                if (_silent)
                {
                    nextHeartbeat = now + _options.HeartbeatInterval;
                }
                else
                {
                    foreach (var name in names)
                    {
                        if (Exchange.Price(name) is not { } price || (sent.TryGetValue(name, out var was) && was == price)) continue;
                        sent[name] = price;
                        await LineAsync(ctx, PriceLine(name, price, now), end.Token);
                    }
                    if (now >= nextHeartbeat)
                    {
                        nextHeartbeat = now + _options.HeartbeatInterval;
                        await LineAsync(ctx, OandaWire.Write(new OandaStreamLine { Type = OandaWire.HeartbeatLine, Time = OandaWire.Time(now) }), end.Token);
                    }
                }
                await Task.Delay(_options.PricePollInterval, Exchange.Time, end.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The client left or the fake is stopping.
        }
        catch (IOException)
        {
            // The connection broke under a write.
        }
        finally
        {
            Interlocked.Decrement(ref _activeStreams);
        }
    }

    private string PriceLine(string instrument, decimal price, DateTimeOffset now)
    {
        var bid = OandaWire.Number(price - _options.HalfSpread);
        var ask = OandaWire.Number(price + _options.HalfSpread);
        return OandaWire.Write(new OandaStreamLine
        {
            Type = OandaWire.PriceLine, Time = OandaWire.Time(now), Instrument = instrument, Status = "tradeable", Tradeable = true,
            Bids = [new OandaPriceBucket(bid, 10_000_000)], Asks = [new OandaPriceBucket(ask, 10_000_000)],
            CloseoutBid = bid, CloseoutAsk = ask,
        });
    }

    private static async Task LineAsync(HttpContext ctx, string json, CancellationToken ct)
    {
        await ctx.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(json + "\n"), ct);
        await ctx.Response.Body.FlushAsync(ct);
    }

    // ---- the projection of the exchange's orders onto OANDA's orders and transactions

    /// <summary>Brings every order of the account up to date with the exchange (fills and cancels made since the last request).</summary>
    private void Sync(string accountId, Book book)
    {
        foreach (var order in book.Orders)
            if (Exchange.Order(order.ExchangeId) is { } current) Project(accountId, book, order, current);
    }

    /// <summary>Records what happened to one order since it was last seen: a fill (with a reissue of the rest), a cancel.</summary>
    private List<OandaTransaction> Project(string accountId, Book book, Tracked order, FakeOrder current)
    {
        var made = new List<OandaTransaction>();
        var link = order.Links[^1];
        if (current.FilledQuantity > order.Filled)
        {
            var units = current.FilledQuantity - order.Filled;
            var price = (current.AveragePrice * current.FilledQuantity - order.AveragePrice * order.Filled) / units;
            var signed = current.Side == OrderSide.Sell ? -units : units;
            var id = NextId();
            var at = OandaWire.Time(current.LastFillAt ?? Exchange.Time.GetUtcNow());
            var trade = new OandaTradeChange { TradeID = id, Units = OandaWire.Number(signed), Price = OandaWire.Number(price), GuaranteedExecutionFee = "0", HalfSpreadCost = "0" };
            made.Add(Record(book, new OandaTransaction
            {
                Id = id, Time = at, AccountID = accountId, UserID = 1, BatchID = id, Type = OandaWire.OrderFill, OrderID = link.Id, ClientOrderID = order.ClientId,
                Instrument = order.Instrument, Units = OandaWire.Number(signed), Price = OandaWire.Number(price), FullVWAP = OandaWire.Number(price),
                Reason = order.Type + "_ORDER", Pl = "0", Financing = "0", Commission = OandaWire.Number(current.Fees - order.Fees),
                GuaranteedExecutionFee = "0", HalfSpreadCost = "0", AccountBalance = OandaWire.Number(Exchange.Holdings(accountId).Cash), TradeOpened = trade,
            }));
            (link.State, link.FillTx, link.FilledTime, link.TradeOpenedId) = (OandaWire.Filled, id, at, id);
            (order.Filled, order.AveragePrice, order.Fees) = (current.FilledQuantity, current.AveragePrice, current.Fees);
            if (current.IsOpen)
            {
                // Partly filled: OANDA ends the order for the units filled and reissues the rest as a new pending order.
                var rest = current.Remaining * Math.Sign(link.Units);
                var next = new Link(NextId(), rest, at) { Replaces = link.Id };
                link.ReplacedBy = next.Id;
                made.Add(Record(book, new OandaTransaction
                {
                    Id = next.Id, Time = at, AccountID = accountId, UserID = 1, BatchID = id, Type = order.Type + "_ORDER", Reason = "REPLACEMENT",
                    Instrument = order.Instrument, Units = OandaWire.Number(rest), Price = order.LimitPrice is { } l ? OandaWire.Number(l) : null,
                    TimeInForce = order.TimeInForce, PositionFill = order.PositionFill, TriggerCondition = "DEFAULT",
                    ClientExtensions = order.ClientId is null ? null : new OandaClientExtensions(order.ClientId), ReplacesOrderID = link.Id,
                }));
                order.Links.Add(next);
                book.Links[next.Id] = (order, next);
                link = next;
            }
        }
        if (current.State == FakeOrderState.Cancelled && link.State == OandaWire.Pending)
        {
            var id = NextId();
            var at = OandaWire.Time(current.EndedAt ?? Exchange.Time.GetUtcNow());
            made.Add(Record(book, new OandaTransaction
            {
                Id = id, Time = at, AccountID = accountId, UserID = 1, BatchID = id, Type = OandaWire.OrderCancel, OrderID = link.Id, ClientOrderID = order.ClientId,
                Reason = current.EndReason == "no price" ? "MARKET_HALTED" : "CLIENT_REQUEST",
            }));
            (link.State, link.CancelTx, link.CancelledTime) = (OandaWire.Cancelled, id, at);
        }
        return made;
    }

    private static (Tracked Order, Link Link)? Find(Book book, string specifier)
    {
        if (specifier.StartsWith('@'))
        {
            var clientId = specifier[1..];
            var order = book.Orders.LastOrDefault(o => o.ClientId == clientId);
            return order is null ? null : (order, order.Links[^1]);
        }
        return book.Links.TryGetValue(specifier, out var found) ? found : null;
    }

    private static OandaOrder View(Tracked order, Link link) => new()
    {
        Id = link.Id, CreateTime = link.CreateTime, State = link.State,
        ClientExtensions = order.ClientId is null ? null : new OandaClientExtensions(order.ClientId),
        Type = order.Type, Instrument = order.Instrument, Units = OandaWire.Number(link.Units),
        Price = order.LimitPrice is { } l ? OandaWire.Number(l) : null, TimeInForce = order.TimeInForce, PositionFill = order.PositionFill,
        TriggerCondition = order.Type == OandaWire.Limit ? "DEFAULT" : null,
        FillingTransactionID = link.FillTx, FilledTime = link.FilledTime, TradeOpenedID = link.TradeOpenedId,
        CancellingTransactionID = link.CancelTx, CancelledTime = link.CancelledTime,
        ReplacesOrderID = link.Replaces, ReplacedByOrderID = link.ReplacedBy,
    };

    private static OandaResponse NoSuchOrder(Book book) =>
        new() { ErrorCode = OandaErrors.OrderDoesntExist, ErrorMessage = "The Order specified does not exist", LastTransactionID = book.LastTransactionId };

    private static OandaTransaction Record(Book book, OandaTransaction transaction)
    {
        book.Transactions[transaction.Id!] = transaction;
        book.LastTransactionId = transaction.Id!;
        return transaction;
    }

    private string NextId() => Interlocked.Increment(ref _nextTransaction).ToString(CultureInfo.InvariantCulture);

    private string Now => OandaWire.Time(Exchange.Time.GetUtcNow());

    private static (string Account, string ClientId)? LookupOf(HttpContext ctx)
    {
        var match = ClientIdLookup().Match(ctx.Request.Path.Value ?? "");
        return HttpMethods.IsGet(ctx.Request.Method) && match.Success ? (Uri.UnescapeDataString(match.Groups[1].Value), Uri.UnescapeDataString(match.Groups[2].Value)) : null;
    }

    private static string Describe(string reason) => reason switch
    {
        "INSUFFICIENT_MARGIN" => "Insufficient margin to perform the request.",
        OandaErrors.ClientOrderIdAlreadyExists => "The client order ID specified is already in use.",
        "INSTRUMENT_UNKNOWN" => "The instrument specified is unknown.",
        "PRICE_PRECISION_EXCEEDED" => "The price specifed contains more precision than is allowed by the instrument.",
        "UNITS_PRECISION_EXCEEDED" => "The units specified contain more precision than is allowed for the instrument.",
        _ => "The order request was rejected.",
    };

    private static async Task WriteAsync(HttpContext ctx, int status, OandaResponse body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        ctx.Response.Headers["RequestID"] = Guid.NewGuid().ToString("N");
        await ctx.Response.WriteAsync(OandaWire.Write(body));
    }

    [GeneratedRegex("^[A-Z0-9]+_[A-Z0-9]+$")]
    private static partial Regex InstrumentName();

    [GeneratedRegex("^/v3/accounts/([^/]+)/orders/@([^/]+)$")]
    private static partial Regex ClientIdLookup();

    private sealed class Book
    {
        public Dictionary<string, OandaTransaction> Transactions { get; } = new(StringComparer.Ordinal);
        public List<Tracked> Orders { get; } = [];
        public Dictionary<string, (Tracked Order, Link Link)> Links { get; } = new(StringComparer.Ordinal);
        public string LastTransactionId { get; set; } = "1";
    }

    /// <summary>One order placed through the fake: the exchange's order and the OANDA orders it is shown as.</summary>
    private sealed class Tracked(string exchangeId, string? clientId, string type, string instrument, decimal? limitPrice, string timeInForce, string positionFill)
    {
        public string ExchangeId { get; } = exchangeId;
        public string? ClientId { get; } = clientId;
        public string Type { get; } = type;
        public string Instrument { get; } = instrument;
        public decimal? LimitPrice { get; } = limitPrice;
        public string TimeInForce { get; } = timeInForce;
        public string PositionFill { get; } = positionFill;
        public List<Link> Links { get; } = [];
        public decimal Filled { get; set; }
        public decimal AveragePrice { get; set; }
        public decimal Fees { get; set; }
    }

    /// <summary>One OANDA order: the first placed, or a reissue of the rest after a partial fill.</summary>
    private sealed class Link(string id, decimal units, string createTime)
    {
        public string Id { get; } = id;
        public decimal Units { get; } = units;
        public string CreateTime { get; } = createTime;
        public string State { get; set; } = OandaWire.Pending;
        public string? FillTx { get; set; }
        public string? FilledTime { get; set; }
        public string? TradeOpenedId { get; set; }
        public string? CancelTx { get; set; }
        public string? CancelledTime { get; set; }
        public string? Replaces { get; init; }
        public string? ReplacedBy { get; set; }
    }
}
