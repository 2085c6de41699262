using System.Net;
using System.Net.Http.Headers;
using TradingActors.Brokers.Http;
using TradingActors.Brokers.Kis;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Tests.Venues.Kis;

/// <summary>Every KIS answer mapped into the outcome vocabulary: result, not placed (token, rate, refused), rejected, unknown.</summary>
public sealed class KisErrorsTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 4, 1, 2, 3, TimeSpan.Zero);
    private const string What = "kis POST /uapi/domestic-stock/v1/trading/order-cash";

    internal static VenueResponse Answer(int status, string body, TimeSpan? retryAfter = null)
    {
        using var message = new HttpResponseMessage((HttpStatusCode)status);
        if (retryAfter is { } after) message.Headers.RetryAfter = new RetryConditionHeaderValue(after);
        return new VenueResponse((HttpStatusCode)status, body, message.Headers, What);
    }

    private static string Body(string rtCd, string code, string message = "msg") => $$"""{"rt_cd":"{{rtCd}}","msg_cd":"{{code}}","msg1":"{{message}}"}""";

    private static OrderIntent Intent(OrderType type = OrderType.Market, decimal? limit = null) =>
        new("cid-1", "acct-1", "strategy:s1", 1, "005930", OrderSide.Sell, 3m, 70_000m, type, limit);

    public static TheoryData<string> TokenCodes => [.. KisErrors.TokenCodes.Keys];
    public static TheoryData<string> NotPlacedCodes => [.. KisErrors.NotPlacedCodes.Keys];
    public static TheoryData<string> RejectCodes => [.. KisErrors.RejectCodes.Keys];

    // ---- classification

    [Theory]
    [InlineData(200)]
    [InlineData(201)]
    public void Rt_cd_zero_on_a_2xx_is_ok(int status)
    {
        var verdict = KisErrors.Classify(Answer(status, Body("0", "APBK0013")), Now);

        Assert.Equal((KisOutcome.Ok, "", null, false), (verdict.Outcome, verdict.Reason, verdict.RetryAfter, verdict.Answered));
    }

    [Theory]
    [MemberData(nameof(TokenCodes))]
    public void An_expired_or_invalid_token_is_a_token_refusal_whatever_the_status(string code)
    {
        foreach (var status in new[] { 200, 500 })
        {
            var verdict = KisErrors.Classify(Answer(status, Body("1", code)), Now);
            Assert.Equal(KisOutcome.TokenRefused, verdict.Outcome);
            Assert.Equal(code, verdict.Code);
            Assert.False(string.IsNullOrWhiteSpace(KisErrors.TokenCodes[code]));
            Assert.Equal($"{What}: {code} msg ({KisErrors.TokenCodes[code]})", verdict.Reason);
        }
    }

    [Theory]
    [InlineData(200)]
    [InlineData(500)]
    public void The_rate_overrun_is_rate_limited_for_a_second(int status)
    {
        var verdict = KisErrors.Classify(Answer(status, Body("1", "EGW00201", "초당 거래건수를 초과하였습니다.")), Now);

        Assert.Equal(KisOutcome.RateLimited, verdict.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(1), verdict.RetryAfter);
        Assert.False(verdict.Answered);
    }

    [Fact]
    public void A_token_issuance_asked_again_within_a_minute_is_rate_limited_for_a_minute()
    {
        var verdict = KisErrors.Classify(Answer(403, """{"error_code":"EGW00133","error_description":"접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)"}"""), Now);

        Assert.Equal(KisOutcome.RateLimited, verdict.Outcome);
        Assert.Equal(TimeSpan.FromMinutes(1), verdict.RetryAfter);
        Assert.Equal("EGW00133", verdict.Code);
        Assert.Contains("1분당 1회", verdict.Reason);
    }

    [Theory]
    [MemberData(nameof(NotPlacedCodes))]
    public void A_gateway_refusal_is_refused_before_the_order_system(string code)
    {
        foreach (var status in new[] { 200, 403, 500 })
        {
            var verdict = KisErrors.Classify(Answer(status, Body("1", code)), Now);
            Assert.Equal(KisOutcome.Refused, verdict.Outcome);
            Assert.False(verdict.Answered);
            Assert.False(string.IsNullOrWhiteSpace(KisErrors.NotPlacedCodes[code]));
            Assert.Equal($"{What}: {code} msg ({KisErrors.NotPlacedCodes[code]})", verdict.Reason);
        }
    }

    [Theory]
    [MemberData(nameof(RejectCodes))]
    public void An_order_system_refusal_is_rejected_with_the_venues_reason(string code)
    {
        var verdict = KisErrors.Classify(Answer(200, Body("7", code, "주문가능금액을 초과 했습니다")), Now);

        Assert.Equal(KisOutcome.Rejected, verdict.Outcome);
        Assert.True(verdict.Answered);
        Assert.False(string.IsNullOrWhiteSpace(KisErrors.RejectCodes[code]));
        Assert.Equal($"{What}: {code} 주문가능금액을 초과 했습니다 ({KisErrors.RejectCodes[code]})", verdict.Reason);
    }

    [Fact]
    public void An_unknown_code_answered_by_the_order_system_is_unknown_but_answered()
    {
        var verdict = KisErrors.Classify(Answer(200, Body("1", "KFAK0002", "정정취소할 수량이 없습니다.")), Now);

        Assert.Equal(KisOutcome.Unknown, verdict.Outcome);
        Assert.True(verdict.Answered);
        Assert.Equal("KFAK0002", verdict.Code);
        Assert.Equal($"{What}: KFAK0002 정정취소할 수량이 없습니다.", verdict.Reason);
    }

    [Fact]
    public void The_trading_envelope_wins_over_the_oauth_one()
    {
        var body = """{"rt_cd":"1","msg_cd":"EGW00201","msg1":"초당","error_code":"EGW00103","error_description":"AppKey"}""";

        var verdict = KisErrors.Classify(Answer(500, body), Now);

        Assert.Equal((KisOutcome.RateLimited, "EGW00201"), (verdict.Outcome, verdict.Code));
        Assert.Equal($"{What}: EGW00201 초당", verdict.Reason);
    }

    [Theory]
    [InlineData(500, """{"rt_cd":"1","msg_cd":"EGW00002","msg1":"서버 에러"}""")]
    [InlineData(200, """{"error_code":"EGW00999","error_description":"?"}""")]
    [InlineData(500, """{"rt_cd":"0","msg_cd":"MCA00000","msg1":"ok"}""")]
    public void An_unknown_code_not_answered_as_a_business_refusal_is_unknown_and_not_answered(int status, string body)
    {
        var verdict = KisErrors.Classify(Answer(status, body), Now);

        Assert.Equal(KisOutcome.Unknown, verdict.Outcome);
        Assert.False(verdict.Answered);
    }

    [Theory]
    [InlineData(401, "", KisOutcome.Refused)]
    [InlineData(403, "forbidden", KisOutcome.Refused)]
    [InlineData(400, "{}", KisOutcome.Refused)]
    [InlineData(404, "", KisOutcome.Refused)]
    [InlineData(499, "", KisOutcome.Refused)]
    [InlineData(500, "", KisOutcome.Unknown)]
    [InlineData(502, "<html>", KisOutcome.Unknown)]
    [InlineData(503, "{\"rt_cd\":\"1\"}", KisOutcome.Unknown)]
    [InlineData(200, "not json", KisOutcome.Unknown)]
    [InlineData(200, "[]", KisOutcome.Unknown)]
    [InlineData(200, "{\"rt_cd\":\"1\"}", KisOutcome.Unknown)]
    [InlineData(200, "{\"rt_cd\":0}", KisOutcome.Unknown)]
    [InlineData(302, "", KisOutcome.Unknown)]
    public void Without_a_code_the_status_decides(int status, string body, KisOutcome expected)
    {
        var verdict = KisErrors.Classify(Answer(status, body), Now);

        Assert.Equal(expected, verdict.Outcome);
        Assert.Null(verdict.Code);
        Assert.Contains($"{What}: HTTP {status}", verdict.Reason);
    }

    [Fact]
    public void A_2xx_without_a_usable_rt_cd_says_so()
    {
        Assert.Equal($"{What}: HTTP 200 without a usable rt_cd", KisErrors.Classify(Answer(200, "{}"), Now).Reason);
        Assert.Equal($"{What}: HTTP 500", KisErrors.Classify(Answer(500, "{}"), Now).Reason);
    }

    [Fact]
    public void A_429_is_rate_limited_for_its_retry_after_or_a_second()
    {
        Assert.Equal(TimeSpan.FromSeconds(7), KisErrors.Classify(Answer(429, "", TimeSpan.FromSeconds(7)), Now).RetryAfter);
        var bare = KisErrors.Classify(Answer(429, ""), Now);
        Assert.Equal(KisOutcome.RateLimited, bare.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(1), bare.RetryAfter);
    }

    [Fact]
    public void A_code_without_a_message_keeps_a_clean_reason() =>
        Assert.Equal($"{What}: EGW00201", KisErrors.Classify(Answer(500, """{"rt_cd":"1","msg_cd":"EGW00201"}"""), Now).Reason);

    // ---- exceptions

    [Fact]
    public void A_token_refusal_throws_the_token_refusal_marker()
    {
        var e = KisErrors.ToException(new KisVerdict(KisOutcome.TokenRefused, "r"));

        Assert.True(VenueRefusal.IsTokenRefusal(e));
        Assert.False(e.Data.Contains(VenueRefusal.Transient));
        Assert.Equal("r", e.Message);
    }

    [Fact]
    public void A_rate_limit_throws_a_retryable_refusal_with_its_retry_after()
    {
        var e = Assert.IsType<OrderNotPlacedException>(KisErrors.ToException(new KisVerdict(KisOutcome.RateLimited, "r", TimeSpan.FromSeconds(1))));

        Assert.True(e.Data.Contains(VenueRefusal.Transient));
        Assert.Equal(TimeSpan.FromSeconds(1), e.RetryAfter);
        Assert.False(VenueRefusal.IsTokenRefusal(e));
    }

    [Theory]
    [InlineData(KisOutcome.Refused)]
    [InlineData(KisOutcome.Rejected)]
    public void A_refusal_throws_not_placed_that_sending_again_cannot_cure(KisOutcome outcome)
    {
        var e = Assert.IsType<OrderNotPlacedException>(KisErrors.ToException(new KisVerdict(outcome, "r")));

        Assert.False(e.Data.Contains(VenueRefusal.Transient));
        Assert.False(VenueRefusal.IsTokenRefusal(e));
        Assert.Equal("r", e.Message);
    }

    [Theory]
    [InlineData(KisOutcome.Unknown)]
    [InlineData(KisOutcome.Ok)]
    public void Anything_else_throws_unknown(KisOutcome outcome) =>
        Assert.Equal("r", Assert.IsType<VenueOutcomeUnknownException>(KisErrors.ToException(new KisVerdict(outcome, "r"))).Message);

    // ---- placement

    [Fact]
    public void An_accepted_order_carries_its_order_number_and_what_was_asked()
    {
        var body = """{"rt_cd":"0","msg_cd":"APBK0013","msg1":"주문 전송 완료 되었습니다.","output":{"KRX_FWDG_ORD_ORGNO":"06010","ODNO":"0001569157","ORD_TMD":"155211"}}""";

        var result = KisErrors.PlaceResult(Answer(200, body), Intent(OrderType.Limit, 69_900m), Now);

        Assert.Equal(BrokerOrderStatus.Accepted, result.Status);
        Assert.Equal("0001569157", result.VenueOrderId);
        Assert.Equal("cid-1", result.ClientOrderId);
        Assert.Null(result.Fill);
        Assert.Null(result.RejectReason);
        Assert.Equal("005930", result.Symbol);
        Assert.Equal(OrderSide.Sell, result.Side);
        Assert.Equal(3m, result.Quantity);
        Assert.Equal(69_900m, result.LimitPrice);
    }

    [Theory]
    [InlineData("""{"rt_cd":"0","msg_cd":"APBK0013","msg1":"ok"}""")]
    [InlineData("""{"rt_cd":"0","output":{"KRX_FWDG_ORD_ORGNO":"06010","ODNO":" "}}""")]
    [InlineData("""{"rt_cd":"0","output":{"KRX_FWDG_ORD_ORGNO":"06010"}}""")]
    [InlineData("""{"rt_cd":"0","output":"0001569157"}""")]
    public void An_acceptance_without_an_order_number_is_unknown(string body)
    {
        var e = Assert.Throws<VenueOutcomeUnknownException>(() => KisErrors.PlaceResult(Answer(200, body), Intent(), Now));

        Assert.StartsWith(What + ": ", e.Message);
        Assert.True(e.Message.EndsWith("accepted without an order number", StringComparison.Ordinal) || e.Message.EndsWith("the answer does not parse", StringComparison.Ordinal), e.Message);
    }

    [Fact]
    public void An_acceptance_that_does_not_parse_says_so() =>
        Assert.Equal($"{What}: the answer does not parse",
            Assert.Throws<VenueOutcomeUnknownException>(() => KisErrors.PlaceResult(Answer(200, """{"rt_cd":"0","output":"x"}"""), Intent(), Now)).Message);

    [Fact]
    public void An_acceptance_without_a_number_says_so() =>
        Assert.Equal($"{What}: accepted without an order number",
            Assert.Throws<VenueOutcomeUnknownException>(() => KisErrors.PlaceResult(Answer(200, """{"rt_cd":"0"}"""), Intent(), Now)).Message);

    [Fact]
    public void Insufficient_funds_is_rejected_with_the_venues_reason_and_the_intent()
    {
        var result = KisErrors.PlaceResult(Answer(200, Body("7", "APBK0952", "주문가능금액을 초과 했습니다")), Intent(), Now);

        Assert.Equal(BrokerOrderStatus.Rejected, result.Status);
        Assert.Equal("cid-1", result.ClientOrderId);
        Assert.Contains("APBK0952 주문가능금액을 초과 했습니다", result.RejectReason);
        Assert.Null(result.VenueOrderId);
        Assert.Equal("005930", result.Symbol);
        Assert.Equal(3m, result.Quantity);
    }

    [Fact]
    public void A_placement_refused_by_the_gateway_throws_not_placed()
    {
        Assert.True(VenueRefusal.IsTokenRefusal(Assert.ThrowsAny<OrderNotPlacedException>(() => KisErrors.PlaceResult(Answer(500, Body("1", "EGW00123")), Intent(), Now))));
        Assert.True(Assert.ThrowsAny<OrderNotPlacedException>(() => KisErrors.PlaceResult(Answer(500, Body("1", "EGW00201")), Intent(), Now)).Data.Contains(VenueRefusal.Transient));
        Assert.False(Assert.ThrowsAny<OrderNotPlacedException>(() => KisErrors.PlaceResult(Answer(403, Body("1", "EGW00105")), Intent(), Now)).Data.Contains(VenueRefusal.Transient));
    }

    [Theory]
    [InlineData(500, """{"rt_cd":"1","msg_cd":"EGW00002","msg1":"서버 에러"}""")]
    [InlineData(200, """{"rt_cd":"1","msg_cd":"ZZZZ0001","msg1":"?"}""")]
    [InlineData(200, "garbage")]
    public void A_placement_without_a_known_answer_is_unknown(int status, string body) =>
        Assert.Throws<VenueOutcomeUnknownException>(() => KisErrors.PlaceResult(Answer(status, body), Intent(), Now));

    // ---- cancel

    [Theory]
    [InlineData(200, """{"rt_cd":"0","msg_cd":"APBK0013","msg1":"ok","output":{"ODNO":"9000000001"}}""")]
    [InlineData(200, """{"rt_cd":"1","msg_cd":"KFAK0002","msg1":"정정취소할 수량이 없습니다."}""")]
    [InlineData(200, """{"rt_cd":"7","msg_cd":"APBK0918","msg1":"장운영시간이 아닙니다."}""")]
    public void A_cancel_taken_or_answered_by_the_order_system_goes_on_to_the_lookup(int status, string body) =>
        KisErrors.CheckCancel(Answer(status, body), Now);

    [Fact]
    public void A_cancel_refused_by_the_gateway_or_without_an_answer_throws()
    {
        Assert.True(VenueRefusal.IsTokenRefusal(Assert.ThrowsAny<OrderNotPlacedException>(() => KisErrors.CheckCancel(Answer(500, Body("1", "EGW00121")), Now))));
        Assert.IsType<OrderNotPlacedException>(Assert.ThrowsAny<OrderNotPlacedException>(() => KisErrors.CheckCancel(Answer(403, Body("1", "EGW00103")), Now)));
        Assert.Throws<VenueOutcomeUnknownException>(() => KisErrors.CheckCancel(Answer(500, Body("1", "EGW00002")), Now));
        Assert.Throws<VenueOutcomeUnknownException>(() => KisErrors.CheckCancel(Answer(200, "garbage"), Now));
    }

    // ---- reads

    [Fact]
    public void A_read_answer_is_read_into_its_shape()
    {
        var body = """{"rt_cd":"0","msg_cd":"MCA00000","msg1":"ok","output":{"stck_prpr":"70000","aspr_unit":"100"}}""";

        var answer = KisErrors.Read<KisPriceAnswer>(Answer(200, body), Now);

        Assert.Equal("70000", answer.Output!.Price);
        Assert.Equal("100", answer.Output.Tick);
        Assert.Equal("MCA00000", answer.MsgCd);
    }

    [Fact]
    public void A_failed_read_throws_what_its_failure_means()
    {
        Assert.True(VenueRefusal.IsTokenRefusal(Assert.ThrowsAny<OrderNotPlacedException>(() => KisErrors.Read<KisAnswer>(Answer(500, Body("1", "EGW00123")), Now))));
        Assert.IsType<OrderNotPlacedException>(Assert.ThrowsAny<Exception>(() => KisErrors.Read<KisAnswer>(Answer(200, Body("1", "APBK0656")), Now)));
        Assert.Throws<VenueOutcomeUnknownException>(() => KisErrors.Read<KisAnswer>(Answer(500, ""), Now));
        Assert.Throws<VenueOutcomeUnknownException>(() => KisErrors.Read<KisDailyOrdersAnswer>(Answer(200, """{"rt_cd":"0","output1":"x"}"""), Now));
    }

    // ---- token issuance

    [Fact]
    public void An_issued_token_expires_when_the_venue_says_in_korean_time()
    {
        var body = """{"access_token":"eyJabc","token_type":"Bearer","expires_in":86400,"access_token_token_expired":"2025-03-05 10:02:03"}""";

        var token = KisErrors.Token(Answer(200, body), Now);

        Assert.Equal("eyJabc", token.Value);
        Assert.Equal(new DateTimeOffset(2025, 3, 5, 1, 2, 3, TimeSpan.Zero), token.ExpiresAt);
    }

    [Fact]
    public void An_issuance_throttled_by_the_venue_is_retryable_a_minute_later()
    {
        var e = Assert.IsType<OrderNotPlacedException>(Assert.ThrowsAny<OrderNotPlacedException>(() =>
            KisErrors.Token(Answer(403, """{"error_code":"EGW00133","error_description":"접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)"}"""), Now)));

        Assert.True(e.Data.Contains(VenueRefusal.Transient));
        Assert.Equal(TimeSpan.FromMinutes(1), e.RetryAfter);
        Assert.Contains("EGW00133", e.Message);
    }

    [Theory]
    [InlineData("EGW00103")]
    [InlineData("EGW00105")]
    [InlineData("EGW00112")]
    public void An_issuance_refused_for_its_credentials_is_not_placed_and_not_retryable(string code)
    {
        var e = Assert.IsType<OrderNotPlacedException>(Assert.ThrowsAny<OrderNotPlacedException>(() =>
            KisErrors.Token(Answer(403, $$"""{"error_code":"{{code}}","error_description":"유효하지 않은 AppKey입니다."}"""), Now)));

        Assert.False(e.Data.Contains(VenueRefusal.Transient));
        Assert.Contains(code, e.Message);
    }

    [Theory]
    [InlineData(500, "")]
    [InlineData(500, """{"rt_cd":"1","msg_cd":"EGW00002","msg1":"서버 에러"}""")]
    public void An_issuance_the_venue_failed_is_retryable_a_minute_later(int status, string body)
    {
        var e = Assert.ThrowsAny<OrderNotPlacedException>(() => KisErrors.Token(Answer(status, body), Now));

        Assert.True(e.Data.Contains(VenueRefusal.Transient));
        Assert.Equal(TimeSpan.FromMinutes(1), e.RetryAfter);
    }

    [Fact]
    public void An_issuance_refused_for_the_rate_is_retryable_after_the_rates_window()
    {
        var e = Assert.ThrowsAny<OrderNotPlacedException>(() => KisErrors.Token(Answer(500, Body("1", "EGW00201")), Now));

        Assert.True(e.Data.Contains(VenueRefusal.Transient));
        Assert.Equal(TimeSpan.FromSeconds(1), e.RetryAfter);
    }

    [Fact]
    public void An_issuance_refused_with_a_4xx_and_no_code_is_not_placed() =>
        Assert.False(Assert.ThrowsAny<OrderNotPlacedException>(() => KisErrors.Token(Answer(401, ""), Now)).Data.Contains(VenueRefusal.Transient));

    [Fact]
    public void The_code_tables_do_not_overlap()
    {
        var all = KisErrors.TokenCodes.Keys.Concat(KisErrors.NotPlacedCodes.Keys).Concat(KisErrors.RejectCodes.Keys)
            .Append(KisErrors.RateLimitCode).Append(KisErrors.TokenThrottledCode).ToList();

        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Contains("APBK0952", KisErrors.RejectCodes.Keys);
        Assert.Equal("APBK0656", KisErrors.NoSuchStockCode);
    }
}
