using System.Text.Json;
using TradingActors.Brokers.Http;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Kis;

/// <summary>What a KIS answer means for the call that got it.</summary>
public enum KisOutcome
{
    /// <summary>rt_cd "0" on a 2xx: the venue did it.</summary>
    Ok,
    /// <summary>The session token was refused (expired, invalid): issue a new one and call again. Not placed.</summary>
    TokenRefused,
    /// <summary>Too many requests (or token issuances): nothing was taken, come back later.</summary>
    RateLimited,
    /// <summary>Refused before the order system saw it (credentials, permissions, a malformed request). Not placed.</summary>
    Refused,
    /// <summary>The order system refused the order itself (funds, market hours, tick, symbol). Not placed, with its reason.</summary>
    Rejected,
    /// <summary>No usable answer, or a code whose meaning is not known: the call may have been done.</summary>
    Unknown,
}

/// <summary>
/// A classified answer. <see cref="Answered"/> says the order system gave a definite business answer (a 2xx with
/// rt_cd not "0"), even when its code is not in the tables: a cancel so refused is resolved by looking the order up.
/// </summary>
public sealed record KisVerdict(KisOutcome Outcome, string Reason, TimeSpan? RetryAfter = null, bool Answered = false)
{
    /// <summary>The venue's msg_cd (or error_code), when it sent one.</summary>
    public string? Code { get; init; }
}

/// <summary>
/// Every KIS answer mapped into the outcome vocabulary of <see cref="IBrokerClient"/>. KIS answers in two layers:
/// the API gateway (EGW..., OPSQ...: credentials, token, rate, malformed requests — the request never reached the
/// order system) and the order system (APBK..., 40xxxxxx on the mock server: the order itself was refused). Codes
/// are read from the body whatever the HTTP status, because the gateway sends some of its refusals (expired token,
/// rate overrun) as HTTP 500 with an rt_cd body and others as HTTP 200. Codes come from the official sample
/// repository and, where it is silent, from other clients' logs (noted per code).
/// </summary>
public static class KisErrors
{
    /// <summary>An expired or invalid session token: the session issues a new token.</summary>
    public static readonly IReadOnlyDictionary<string, string> TokenCodes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["EGW00121"] = "invalid token (유효하지 않은 token)",
        ["EGW00123"] = "expired token (기간이 만료된 token)",
    };

    /// <summary>Calls per second per app key exceeded (초당 거래건수를 초과하였습니다).</summary>
    public const string RateLimitCode = "EGW00201";

    /// <summary>Token issuance asked again within a minute (접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)), HTTP 403.</summary>
    public const string TokenThrottledCode = "EGW00133";

    public static readonly TimeSpan RateLimitWindow = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan TokenIssueInterval = TimeSpan.FromMinutes(1);

    /// <summary>Gateway refusals: the request was refused before the order system (not placed, sending it again as is will not help).</summary>
    public static readonly IReadOnlyDictionary<string, string> NotPlacedCodes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["EGW00101"] = "invalid request",
        ["EGW00102"] = "app key missing",
        ["EGW00103"] = "invalid app key",
        ["EGW00104"] = "app secret missing",
        ["EGW00105"] = "invalid app secret",
        ["EGW00112"] = "invalid grant",
        ["EGW00115"] = "grant_type missing",
        ["EGW00130"] = "invalid user",
        ["EGW00131"] = "invalid hashkey",
        ["EGW00132"] = "wrong Content-Type",
        ["EGW00205"] = "wrong credentials type",
        ["EGW00206"] = "no permission for this API",
        ["EGW00207"] = "IP address not allowed",
        ["EGW00208"] = "wrong custtype",
        ["EGW00213"] = "tr_id not for this server (real T... vs mock V...)",
        ["EGW02004"] = "real server called with a mock app key (3rd party)",
        ["OPSQ2000"] = "invalid account number",
        ["OPSQ2001"] = "invalid market code",
        ["OPSQ2002"] = "invalid field length",
        ["OPSQ9995"] = "JSON body missing",
        ["OPSQ9996"] = "JSON header missing",
        ["OPSQ9997"] = "JSON does not parse",
        ["OPSQ9999"] = "tr_id missing",
    };

    /// <summary>The order system refused the order itself: a result Rejected with its reason.</summary>
    public static readonly IReadOnlyDictionary<string, string> RejectCodes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["APBK0952"] = "order amount exceeds the orderable amount (주문가능금액을 초과 했습니다; real server, rt_cd 7)",
        ["40250000"] = "orderable amount insufficient (모의투자 주문가능금액이 부족합니다; mock server, 3rd party)",
        ["APBK0918"] = "not within market hours (장운영시간이 아닙니다; 3rd party)",
        ["KIOK0320"] = "not within market hours (장운영시간이 아닙니다; 3rd party)",
        ["APBK0919"] = "trading date differs from the order date (장운영일자가 주문일과 상이합니다; 3rd party)",
        ["40030000"] = "price not on the tick grid (호가단위 오류; mock server, 3rd party)",
        ["40070000"] = "the stock cannot be traded (매매불가 종목; 3rd party)",
        [NoSuchStockCode] = "no such stock (해당 종목 정보가 없습니다; 3rd party)",
    };

    /// <summary>The order system knows no stock by this code (an order for it is rejected; a quotation of it is "not listed").</summary>
    public const string NoSuchStockCode = "APBK0656";

    /// <summary>What each code of the tables means (building it fails if a code were in two tables).</summary>
    private static readonly Dictionary<string, string> Meanings =
        TokenCodes.Concat(NotPlacedCodes).Concat(RejectCodes).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);

    /// <summary>Classifies an answer of a trading or quotation call.</summary>
    public static KisVerdict Classify(VenueResponse response, DateTimeOffset now)
    {
        var (rtCd, code, message) = Envelope(response.Body);
        if (rtCd == "0" && response.IsSuccess) return new KisVerdict(KisOutcome.Ok, "");
        if (!string.IsNullOrEmpty(code))
        {
            var meaning = Meanings.GetValueOrDefault(code);
            var reason = $"{response.Description}: {code} {message}".TrimEnd() + (meaning is null ? "" : $" ({meaning})");
            var verdict = TokenCodes.ContainsKey(code) ? new KisVerdict(KisOutcome.TokenRefused, reason)
                : code == RateLimitCode ? new KisVerdict(KisOutcome.RateLimited, reason, RateLimitWindow)
                : code == TokenThrottledCode ? new KisVerdict(KisOutcome.RateLimited, reason, TokenIssueInterval)
                : NotPlacedCodes.ContainsKey(code) ? new KisVerdict(KisOutcome.Refused, reason)
                : RejectCodes.ContainsKey(code) ? new KisVerdict(KisOutcome.Rejected, reason, Answered: true)
                : new KisVerdict(KisOutcome.Unknown, reason, Answered: rtCd is not null && response.IsSuccess);
            return verdict with { Code = code };
        }
        var status = $"{response.Description}: HTTP {response.Code}";
        return response.Code switch
        {
            401 or 403 => new KisVerdict(KisOutcome.Refused, status),
            429 => new KisVerdict(KisOutcome.RateLimited, status, response.RetryAfter(now) ?? RateLimitWindow),
            >= 400 and < 500 => new KisVerdict(KisOutcome.Refused, status),
            _ => new KisVerdict(KisOutcome.Unknown, response.IsSuccess ? $"{status} without a usable rt_cd" : status),
        };
    }

    /// <summary>The exception a failed verdict throws (a Rejected one only where the call has no result to carry it: reads, issuance).</summary>
    public static Exception ToException(KisVerdict verdict) => verdict.Outcome switch
    {
        KisOutcome.TokenRefused => VenueRefusal.TokenRefused(verdict.Reason),
        KisOutcome.RateLimited => VenueRefusal.Retryable(verdict.Reason, verdict.RetryAfter),
        KisOutcome.Refused or KisOutcome.Rejected => new OrderNotPlacedException(verdict.Reason),
        _ => new VenueOutcomeUnknownException(verdict.Reason),
    };

    /// <summary>
    /// A placement's answer: Accepted with the order number (ODNO) as the venue order id, Rejected with the venue's
    /// reason, or an exception (not placed / unknown).
    /// </summary>
    public static BrokerOrderResult PlaceResult(VenueResponse response, OrderIntent intent, DateTimeOffset now)
    {
        var verdict = Classify(response, now);
        switch (verdict.Outcome)
        {
            case KisOutcome.Ok:
                var number = Deserialize<KisOrderAnswer>(response).Output?.OrderNumber;
                if (string.IsNullOrWhiteSpace(number)) throw new VenueOutcomeUnknownException($"{response.Description}: accepted without an order number");
                return Describe(new BrokerOrderResult(BrokerOrderStatus.Accepted, intent.ClientOrderId, null, number, null), intent);
            case KisOutcome.Rejected:
                return Describe(BrokerOrderResult.Rejected(intent.ClientOrderId, verdict.Reason), intent);
            default:
                throw ToException(verdict);
        }
    }

    /// <summary>
    /// A cancel's answer. Taken, or refused by the order system (already filled, nothing left to cancel): the
    /// caller looks the order up and answers its state. Refused before the order system, or no usable answer: throws.
    /// </summary>
    public static void CheckCancel(VenueResponse response, DateTimeOffset now)
    {
        var verdict = Classify(response, now);
        if (verdict.Outcome == KisOutcome.Ok || verdict.Answered) return;
        throw ToException(verdict);
    }

    /// <summary>A read's answer, or the exception its failure means (a failed read told nothing).</summary>
    public static T Read<T>(VenueResponse response, DateTimeOffset now) where T : KisAnswer
    {
        var verdict = Classify(response, now);
        if (verdict.Outcome != KisOutcome.Ok) throw ToException(verdict);
        return Deserialize<T>(response);
    }

    /// <summary>
    /// A token issuance's answer. Refusals are never an order's outcome, so all are not placed: throttled (EGW00133)
    /// and venue failures are retryable (a minute later), bad credentials are not.
    /// </summary>
    public static VenueToken Token(VenueResponse response, DateTimeOffset now)
    {
        if (response.IsSuccess) return KisAuth.ParseToken(response.Body, now);
        var verdict = Classify(response, now);
        return verdict.Outcome switch
        {
            KisOutcome.RateLimited or KisOutcome.Unknown => throw VenueRefusal.Retryable(verdict.Reason, verdict.RetryAfter ?? TokenIssueInterval),
            _ => throw new OrderNotPlacedException(verdict.Reason),
        };
    }

    private static BrokerOrderResult Describe(BrokerOrderResult result, OrderIntent intent) =>
        result with { Symbol = intent.Symbol, Side = intent.Side, Quantity = intent.Quantity, LimitPrice = intent.LimitPrice };

    /// <summary>An answer already classified Ok (a JSON object), read into its shape.</summary>
    private static T Deserialize<T>(VenueResponse response)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(response.Body, KisWire.Json)!;
        }
        catch (JsonException e)
        {
            throw new VenueOutcomeUnknownException($"{response.Description}: the answer does not parse", e);
        }
    }

    /// <summary>rt_cd, msg_cd and msg1 of a body, or the OAuth endpoints' error_code and error_description.</summary>
    private static (string? RtCd, string? Code, string? Message) Envelope(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, null, null);
            return (Text(root, "rt_cd"), Text(root, "msg_cd") ?? Text(root, "error_code"), Text(root, "msg1") ?? Text(root, "error_description"));
        }
        // Stryker disable once Block : without this block the method returns default, which is this (null, null, null)
        catch (JsonException)
        {
            return (null, null, null);
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
