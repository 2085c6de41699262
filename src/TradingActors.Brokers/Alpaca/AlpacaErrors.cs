using System.Globalization;
using System.Net;
using TradingActors.Brokers.Http;

namespace TradingActors.Brokers.Alpaca;

/// <summary>What Alpaca's answer to a cancel means, when it is not a failure.</summary>
public enum AlpacaCancelAnswer
{
    /// <summary>204: the cancel was taken (the order may show pending_cancel for a moment).</summary>
    Requested,
    /// <summary>422: the order can no longer be cancelled (already filled or ended): its state answers the cancel.</summary>
    NotCancelable,
    /// <summary>404 with Alpaca's "not found": the venue has no such order.</summary>
    NotFound,
}

/// <summary>
/// Every Alpaca answer mapped into the one outcome vocabulary of <see cref="IBrokerClient"/>. Pure and static.
/// Alpaca reuses its numeric codes (40010001 covers a duplicate client order id, "qty must be integer" and more;
/// 42210000 covers sub-penny prices and "order is already in filled state"), so the message decides where the code
/// does not. The line drawn for an order call:
/// <list type="bullet">
/// <item>422 (a rule about the order itself: quantity, price increment, symbol, fractional rules) and 403 with
/// 40310000 (insufficient buying power or qty, day-trading protection) → a Rejected result with Alpaca's message: the
/// venue judged this order and refused it;</item>
/// <item>422 "client_order_id must be unique" → <see cref="DuplicateClientOrderIdException"/>;</item>
/// <item>401, any other 403 (credentials or permissions), 400 (the request's shape) and 404 (no such account or
/// route) → <see cref="OrderNotPlacedException"/>: refused before any order was considered, which sending the same
/// order with fixed credentials or code could pass;</item>
/// <item>429 → retryable not placed, coming back at Retry-After or X-RateLimit-Reset;</item>
/// <item>5xx, a 422 whose body is not Alpaca's (a duplicate cannot be told from a refusal) and anything else →
/// <see cref="VenueOutcomeUnknownException"/>: resolved by lookup.</item>
/// </list>
/// Messages carry the method, path, status and Alpaca's message, never a header.
/// </summary>
public static class AlpacaErrors
{
    public const long ValidationCode = 40010001;
    public const long MalformedCode = 40010000;
    public const long UnauthorizedCode = 40110000;
    public const long ForbiddenCode = 40310000;
    public const long NotFoundCode = 40410000;
    public const long UnprocessableCode = 42210000;
    public const long RateLimitCode = 42910000;
    public const long InternalCode = 50010000;

    public const string DuplicateMessage = "client_order_id must be unique";
    public const string RateLimitResetHeader = "X-RateLimit-Reset";
    public const string RateLimitRemainingHeader = "X-RateLimit-Remaining";
    public const string RateLimitLimitHeader = "X-RateLimit-Limit";

    /// <summary>
    /// The outcome of a POST /v2/orders that did not succeed: a Rejected result, or one of the exceptions of the
    /// vocabulary thrown (see the type's summary).
    /// </summary>
    public static BrokerOrderResult PlacementRefusal(VenueResponse response, string clientOrderId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(response);
        var error = AlpacaWire.TryParseError(response.Body);
        switch (response.Code)
        {
            case 422 when error is null:
                throw new VenueOutcomeUnknownException($"{response.Description}: 422 without Alpaca's error payload: {response.Excerpt}");
            case 422 when IsDuplicate(error):
                throw new DuplicateClientOrderIdException(clientOrderId);
            case 422:
            case 403 when error?.Code == ForbiddenCode:
                return BrokerOrderResult.Rejected(clientOrderId, Reason(response, error));
            case 429:
                throw RateLimited(response, error, now);
            case 401 or 403:
                throw new OrderNotPlacedException($"{Describe(response, error)} (the credentials were refused)");
            case 400 or 404:
                throw new OrderNotPlacedException(Describe(response, error));
            default:
                throw Unknown(response, error);
        }
    }

    /// <summary>The outcome of a DELETE /v2/orders/{id}: the answers that say something about the order, or the exception to throw.</summary>
    public static AlpacaCancelAnswer CancelAnswer(VenueResponse response, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.IsSuccess) return AlpacaCancelAnswer.Requested;
        var error = AlpacaWire.TryParseError(response.Body);
        return response.Code switch
        {
            422 => AlpacaCancelAnswer.NotCancelable,
            404 when IsNotFound(response) => AlpacaCancelAnswer.NotFound,
            429 => throw RateLimited(response, error, now),
            400 or 401 or 403 or 404 => throw new OrderNotPlacedException($"{Describe(response, error)} (the cancel was not taken)"),
            _ => throw Unknown(response, error),
        };
    }

    /// <summary>
    /// For a read: the failures worth another attempt (rate limit, venue failure) thrown inside the retry; every
    /// other answer is returned to be read — a refusal is not repeated.
    /// </summary>
    public static void ThrowIfRetryable(VenueResponse response, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Code == 429) throw RateLimited(response, AlpacaWire.TryParseError(response.Body), now);
        if (response.Code >= 500) throw Unknown(response, AlpacaWire.TryParseError(response.Body));
    }

    /// <summary>
    /// A read that was answered with a refusal. Never an <see cref="OrderNotPlacedException"/>: a failed lookup tells
    /// nothing about whether an order was placed.
    /// </summary>
    public static HttpRequestException ReadFailure(VenueResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return new HttpRequestException(Describe(response, AlpacaWire.TryParseError(response.Body)), null, response.Status);
    }

    /// <summary>
    /// A 404 that is Alpaca saying "no such order / asset" (its 40410000 code or a "not found" message), not a proxy
    /// or a wrong base URL: only then does a lookup answer "absent" — an absent order may be placed again.
    /// </summary>
    public static bool IsNotFound(VenueResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Code != 404) return false;
        var error = AlpacaWire.TryParseError(response.Body);
        return error is not null
            && (error.Code == NotFoundCode || (error.Code is null && error.Message!.Contains("not found", StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>Credentials refused (401, or 403 other than an order refusal): the check's "refused", not "did not answer".</summary>
    public static bool IsAuthRefusal(VenueResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.Code == 401 || (response.Code == 403 && AlpacaWire.TryParseError(response.Body)?.Code != ForbiddenCode);
    }

    /// <summary>Why an account that answered cannot trade (Alpaca's status other than ACTIVE, or a block), or null when it can.</summary>
    public static string? AccountRefusal(AlpacaAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (!string.Equals(account.Status, "ACTIVE", StringComparison.Ordinal)) return $"alpaca account status is {account.Status}";
        if (account.AccountBlocked) return "alpaca account is blocked";
        if (account.TradingBlocked) return "alpaca account has trading blocked";
        if (account.TradeSuspendedByUser) return "alpaca account has trading suspended by its owner";
        return null;
    }

    /// <summary>
    /// When to come back after a 429 or a used-up window: Retry-After when sent, else X-RateLimit-Reset (unix seconds),
    /// never negative; null when the venue said neither.
    /// </summary>
    public static TimeSpan? RetryAfter(VenueResponse response, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.RetryAfter(now) is { } after) return after;
        if (ResetAt(response) is not { } reset) return null;
        // Stryker disable once Equality : at the reset itself both sides are a zero wait
        return reset > now ? reset - now : TimeSpan.Zero;
    }

    /// <summary>X-RateLimit-Reset as a time, or null when absent or not a number.</summary>
    public static DateTimeOffset? ResetAt(VenueResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return long.TryParse(response.Header(RateLimitResetHeader), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;
    }

    /// <summary>X-RateLimit-Remaining, or null when absent or not a number.</summary>
    public static int? Remaining(VenueResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return int.TryParse(response.Header(RateLimitRemainingHeader), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    private static bool IsDuplicate(AlpacaError error) =>
        error.Message?.Contains(DuplicateMessage, StringComparison.OrdinalIgnoreCase) == true;

    private static OrderNotPlacedException RateLimited(VenueResponse response, AlpacaError? error, DateTimeOffset now) =>
        VenueRefusal.Retryable($"{Describe(response, error)} (rate limit)", RetryAfter(response, now));

    private static VenueOutcomeUnknownException Unknown(VenueResponse response, AlpacaError? error) =>
        new($"{Describe(response, error)} (outcome unknown)");

    private static string Reason(VenueResponse response, AlpacaError? error) =>
        string.IsNullOrWhiteSpace(error?.Message) ? $"alpaca refused the order ({response.Code})" : error.Message;

    private static string Describe(VenueResponse response, AlpacaError? error)
    {
        var what = error is null ? response.Excerpt
            : error.Code is { } code ? $"{error.Message} (code {code.ToString(CultureInfo.InvariantCulture)})"
            : error.Message;
        return $"{response.Description}: {response.Code} {(HttpStatusCode)response.Code}: {what}";
    }
}
