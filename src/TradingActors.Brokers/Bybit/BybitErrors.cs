using System.Globalization;
using System.Text.Json;
using TradingActors.Brokers.Http;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Bybit;

/// <summary>What a Bybit answer means for the call that got it.</summary>
public enum BybitOutcome
{
    Ok,
    /// <summary>The venue refused the order itself (funds, the market's rules, a parameter): not placed, with its reason.</summary>
    Rejected,
    /// <summary>Refused before the venue took it (credentials, permissions, bans): not placed, and sending again will not help.</summary>
    NotPlaced,
    /// <summary>Refused for now (the account's or the IP's rate limit): nothing taken, safe to send again after a while.</summary>
    Retry,
    /// <summary>10002: the timestamp fell outside the receive window: nothing taken; read the venue's clock again and resend.</summary>
    StaleTimestamp,
    /// <summary>The venue already holds this orderLinkId: placed before, look it up.</summary>
    Duplicate,
    /// <summary>The venue has no such order (a cancel).</summary>
    NoSuchOrder,
    /// <summary>The order has already ended (a cancel of a filled or cancelled order).</summary>
    AlreadyEnded,
    /// <summary>No usable answer after sending (5xx, internal error, a code this connector does not know, an answer that does not parse).</summary>
    Unknown,
}

/// <summary>One Bybit answer, read: HTTP status, retCode and retMsg (with any credential cut out), the result, and when to come back.</summary>
public sealed record BybitAnswer(int HttpStatus, int? RetCode, string Message, JsonElement? Result, TimeSpan? RetryAfter, string Description)
{
    public BybitOutcome Outcome => BybitErrors.Classify(HttpStatus, RetCode);

    /// <summary>The venue's own words: "110007 ab not enough for new order", or the HTTP status when there was no envelope.</summary>
    public string Reason => RetCode is { } code ? $"{code} {Message}".TrimEnd() : $"HTTP {HttpStatus} {Message}".TrimEnd();
}

/// <summary>
/// Every Bybit v5 answer mapped into the outcome vocabulary of <see cref="IBrokerClient"/>. The venue answers HTTP 200
/// for most errors and puts the error in retCode, so retCode decides for a 2xx; the HTTP status decides otherwise
/// (403 is the IP ban "access too frequent", 401 a refused key, 5xx unknown). Pure.
/// </summary>
public static class BybitErrors
{
    public const int Ok = 0;
    public const int ParamError = 10001;
    public const int TimestampOutsideWindow = 10002;
    public const int InvalidApiKey = 10003;
    public const int InvalidSignature = 10004;
    public const int PermissionDenied = 10005;
    public const int TooManyVisits = 10006;
    public const int InternalError = 10016;
    public const int OrderNotExists = 110001;
    public const int InsufficientAvailableBalance = 110007;
    public const int OrderFinishedOrCancelled = 110008;
    public const int OrderAlreadyCancelled = 110010;
    public const int DuplicateOrderLinkId = 110072;
    public const int BelowMinimumOrderValue = 110094;
    public const int SpotInvalidSymbol = 170121;
    public const int SpotInsufficientBalance = 170131;
    public const int SpotQuantityTooLow = 170136;
    public const int SpotQuantityDecimalsTooLong = 170137;
    public const int SpotOrderValueTooLow = 170140;
    public const int SpotDuplicateClientOrderId = 170141;
    public const int SpotOrderNotExists = 170213;

    /// <summary>
    /// Codes by outcome. Refusals of the order itself (funds, size, price, the market's rules, and 10001 — the
    /// venue's validation of what was asked, which the tenant must see and sending again cannot fix) are Rejected.
    /// </summary>
    private static readonly Dictionary<int, BybitOutcome> Codes = new()
    {
        [Ok] = BybitOutcome.Ok,
        [TimestampOutsideWindow] = BybitOutcome.StaleTimestamp,
        // Rate limits: the account's (10006), the IP's (10018), spot's order rate (170005).
        [TooManyVisits] = BybitOutcome.Retry,
        [10018] = BybitOutcome.Retry,
        [170005] = BybitOutcome.Retry,
        // Credentials, permissions and bans.
        [InvalidApiKey] = BybitOutcome.NotPlaced,
        [InvalidSignature] = BybitOutcome.NotPlaced,
        [PermissionDenied] = BybitOutcome.NotPlaced,
        [10007] = BybitOutcome.NotPlaced, // user not logged in
        [10008] = BybitOutcome.NotPlaced, // user banned
        [10009] = BybitOutcome.NotPlaced, // IP banned
        [10010] = BybitOutcome.NotPlaced, // unmatched IP
        [10027] = BybitOutcome.NotPlaced, // transactions banned
        [10028] = BybitOutcome.NotPlaced, // unified accounts only
        [10029] = BybitOutcome.NotPlaced, // symbol not allowed for this key
        [DuplicateOrderLinkId] = BybitOutcome.Duplicate,
        [SpotDuplicateClientOrderId] = BybitOutcome.Duplicate,
        [OrderNotExists] = BybitOutcome.NoSuchOrder,
        [SpotOrderNotExists] = BybitOutcome.NoSuchOrder,
        [OrderFinishedOrCancelled] = BybitOutcome.AlreadyEnded,
        [OrderAlreadyCancelled] = BybitOutcome.AlreadyEnded,
        [ParamError] = BybitOutcome.Rejected,
        [110003] = BybitOutcome.Rejected, // price out of permissible range
        [110004] = BybitOutcome.Rejected, // insufficient wallet balance
        [InsufficientAvailableBalance] = BybitOutcome.Rejected,
        [110012] = BybitOutcome.Rejected, // insufficient available balance
        [110016] = BybitOutcome.Rejected, // quantity exceeds the risk limit
        [110017] = BybitOutcome.Rejected, // reduce-only rule not satisfied
        [110020] = BybitOutcome.Rejected, // more than 500 active orders
        [110021] = BybitOutcome.Rejected, // open interest exceeded
        [110040] = BybitOutcome.Rejected, // would trigger liquidation
        [110044] = BybitOutcome.Rejected, // insufficient available margin
        [110045] = BybitOutcome.Rejected, // insufficient wallet balance
        [BelowMinimumOrderValue] = BybitOutcome.Rejected,
        [SpotInvalidSymbol] = BybitOutcome.Rejected,
        [170124] = BybitOutcome.Rejected, // order amount too large
        [SpotInsufficientBalance] = BybitOutcome.Rejected,
        [170132] = BybitOutcome.Rejected, // price too high
        [170133] = BybitOutcome.Rejected, // price too low
        [SpotQuantityTooLow] = BybitOutcome.Rejected,
        [SpotQuantityDecimalsTooLong] = BybitOutcome.Rejected,
        [SpotOrderValueTooLow] = BybitOutcome.Rejected,
    };

    public const string LimitHeader = "X-Bapi-Limit";
    public const string LimitStatusHeader = "X-Bapi-Limit-Status";
    public const string LimitResetHeader = "X-Bapi-Limit-Reset-Timestamp";

    /// <summary>The outcome of an answer: by HTTP status unless 2xx, then by retCode (none: the answer did not parse).</summary>
    public static BybitOutcome Classify(int httpStatus, int? retCode) => httpStatus switch
    {
        >= 200 and < 300 => retCode is { } code ? Codes.GetValueOrDefault(code, BybitOutcome.Unknown) : BybitOutcome.Unknown,
        401 => BybitOutcome.NotPlaced,
        // The IP limit's overrun ("access too frequent") and a plain 429: refused at the door.
        403 or 429 => BybitOutcome.Retry,
        // A request the gateway could not route or read never reached the matching engine.
        400 or 404 or 405 => BybitOutcome.NotPlaced,
        _ => BybitOutcome.Unknown,
    };

    /// <summary>
    /// Reads an answer. Its reset timestamp counts from the envelope's "time" (the venue's clock when it answered, so
    /// the wait can only come out long by the answer's transit), else from <paramref name="serverNow"/>, our estimate
    /// of the venue's clock, which may be off by half a round trip either way.
    /// </summary>
    public static BybitAnswer Read(VenueResponse response, DateTimeOffset serverNow, string? apiKey)
    {
        ArgumentNullException.ThrowIfNull(response);
        int? code = null;
        var message = "";
        JsonElement? result = null;
        try
        {
            using var doc = JsonDocument.Parse(response.Body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("retCode", out var rc)
                && rc.ValueKind == JsonValueKind.Number && rc.TryGetInt32(out var c))
            {
                code = c;
                message = doc.RootElement.TryGetProperty("retMsg", out var rm) && rm.ValueKind == JsonValueKind.String ? rm.GetString()! : "";
                if (doc.RootElement.TryGetProperty("time", out var t) && t.ValueKind == JsonValueKind.Number && t.TryGetInt64(out var answeredMs))
                    serverNow = DateTimeOffset.FromUnixTimeMilliseconds(answeredMs);
                result = doc.RootElement.TryGetProperty("result", out var r) ? r.Clone() : null;
            }
        }
        catch (JsonException)
        {
            // Not an envelope (a gateway's HTML or text, "access too frequent"): its first words serve as the message.
            message = response.Body[..Math.Min(response.Body.Length, 80)].Trim();
        }
        return new BybitAnswer(response.Code, code, Redact(message, apiKey), result, RetryAfter(response, serverNow), response.Description);
    }

    /// <summary>
    /// A venue message fit for logs and exceptions: the venue echoes the signed text after "origin_string" on a bad
    /// signature, and that text holds the API key, so it is cut off, and the key is masked wherever else it appears.
    /// </summary>
    public static string Redact(string message, string? apiKey)
    {
        ArgumentNullException.ThrowIfNull(message);
        var cut = message.IndexOf("origin_string", StringComparison.OrdinalIgnoreCase);
        var text = cut >= 0 ? message[..cut].TrimEnd() : message;
        return string.IsNullOrEmpty(apiKey) ? text : text.Replace(apiKey, "***", StringComparison.Ordinal);
    }

    /// <summary>
    /// When a rate-limited request may be sent again: X-Bapi-Limit-Reset-Timestamp (ms, the venue's clock) less the
    /// venue's now, else a standard Retry-After; null when neither says (the retry's own backoff applies).
    /// </summary>
    public static TimeSpan? RetryAfter(VenueResponse response, DateTimeOffset serverNow)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (long.TryParse(response.Header(LimitResetHeader), NumberStyles.Integer, CultureInfo.InvariantCulture, out var resetMs))
        {
            var wait = DateTimeOffset.FromUnixTimeMilliseconds(resetMs) - serverNow;
            return wait > TimeSpan.Zero ? wait : null;
        }
        return response.RetryAfter(serverNow);
    }

    /// <summary>
    /// The outcome of POST /v5/order/create: Accepted with the venue's order id (the answer carries only ids; the
    /// fill is learnt by lookup), Rejected with the venue's reason, or thrown (<see cref="Failure"/>).
    /// </summary>
    public static BrokerOrderResult Placement(BybitAnswer answer, OrderIntent intent)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(intent);
        switch (answer.Outcome)
        {
            case BybitOutcome.Ok:
                var ids = Result<OrderIdResult>(answer);
                if (string.IsNullOrEmpty(ids.OrderId))
                    throw new VenueOutcomeUnknownException($"{answer.Description}: the venue answered OK without an order id");
                return new BrokerOrderResult(BrokerOrderStatus.Accepted, intent.ClientOrderId, null, ids.OrderId, null) { Symbol = intent.Symbol, Side = intent.Side, Quantity = intent.Quantity, LimitPrice = intent.LimitPrice };
            case BybitOutcome.Rejected:
                return BrokerOrderResult.Rejected(intent.ClientOrderId, answer.Reason) with { Symbol = intent.Symbol, Side = intent.Side, Quantity = intent.Quantity, LimitPrice = intent.LimitPrice };
            default:
                throw Failure(answer, intent.ClientOrderId);
        }
    }

    /// <summary>
    /// A failed answer as the exception the vocabulary prescribes: a refusal is <see cref="OrderNotPlacedException"/>
    /// (marked retryable, with the venue's reset, for rate limits and a stale timestamp), the duplicate answer is
    /// <see cref="DuplicateClientOrderIdException"/>, anything else is <see cref="VenueOutcomeUnknownException"/>.
    /// </summary>
    public static Exception Failure(BybitAnswer answer, string clientOrderId)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var reason = $"{answer.Description}: {answer.Reason}";
        return answer.Outcome switch
        {
            BybitOutcome.Rejected or BybitOutcome.NotPlaced => new OrderNotPlacedException(reason),
            BybitOutcome.Retry or BybitOutcome.StaleTimestamp => VenueRefusal.Retryable(reason, answer.RetryAfter),
            BybitOutcome.Duplicate => new DuplicateClientOrderIdException(clientOrderId),
            _ => new VenueOutcomeUnknownException(reason),
        };
    }

    /// <summary>The result of a successful answer, typed; a failed answer throws its <see cref="Failure"/>, a result that does not read is unknown.</summary>
    public static T Result<T>(BybitAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        if (answer.Outcome != BybitOutcome.Ok) throw Failure(answer, "");
        try
        {
            return (answer.Result is { ValueKind: JsonValueKind.Object } r ? r.Deserialize<T>(BybitWire.Json) : default)
                ?? throw new VenueOutcomeUnknownException($"{answer.Description}: the answer has no result");
        }
        catch (JsonException e)
        {
            throw new VenueOutcomeUnknownException($"{answer.Description}: the result does not read ({e.Message})", e);
        }
    }
}
