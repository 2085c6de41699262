using System.Net;
using System.Text.Json;
using TradingActors.Brokers.Bybit;
using TradingActors.Brokers.Http;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Tests.Venues.Bybit;

/// <summary>Every Bybit answer mapped into the outcome vocabulary: by retCode on a 2xx, by HTTP status otherwise.</summary>
public sealed class BybitErrorsTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
    private const string What = "bybit POST /v5/order/create";

    private static VenueResponse Response(int status, string body, params (string Name, string Value)[] headers)
    {
        var message = new HttpResponseMessage((HttpStatusCode)status);
        foreach (var (name, value) in headers) message.Headers.TryAddWithoutValidation(name, value);
        return new VenueResponse((HttpStatusCode)status, body, message.Headers, What);
    }

    private static string Envelope(int code, string message, string result = "{}") =>
        $$"""{"retCode":{{code}},"retMsg":"{{message}}","result":{{result}},"retExtInfo":{},"time":1700000000000}""";

    private static BybitAnswer Answer(int status, int? code, string message = "m", string result = "{}", params (string, string)[] headers) =>
        BybitErrors.Read(Response(status, code is { } c ? Envelope(c, message, result) : message, headers), Now, null);

    private static readonly OrderIntent Intent = new("cid-0123456789abcdef0123456789ab", "acct-1", "strategy:s1", 1, "BTCUSDT", OrderSide.Buy, 0.01m, 50_000m, OrderType.Limit, 45_000m);

    // ---- the table

    [Theory]
    [InlineData(200, 0, BybitOutcome.Ok)]
    [InlineData(200, 10001, BybitOutcome.Rejected)]
    [InlineData(200, 10002, BybitOutcome.StaleTimestamp)]
    [InlineData(200, 10003, BybitOutcome.NotPlaced)]
    [InlineData(200, 10004, BybitOutcome.NotPlaced)]
    [InlineData(200, 10005, BybitOutcome.NotPlaced)]
    [InlineData(200, 10006, BybitOutcome.Retry)]
    [InlineData(200, 10007, BybitOutcome.NotPlaced)]
    [InlineData(200, 10008, BybitOutcome.NotPlaced)]
    [InlineData(200, 10009, BybitOutcome.NotPlaced)]
    [InlineData(200, 10010, BybitOutcome.NotPlaced)]
    [InlineData(200, 10014, BybitOutcome.Unknown)]
    [InlineData(200, 10016, BybitOutcome.Unknown)]
    [InlineData(200, 10018, BybitOutcome.Retry)]
    [InlineData(200, 10027, BybitOutcome.NotPlaced)]
    [InlineData(200, 10028, BybitOutcome.NotPlaced)]
    [InlineData(200, 10029, BybitOutcome.NotPlaced)]
    [InlineData(200, 110001, BybitOutcome.NoSuchOrder)]
    [InlineData(200, 110003, BybitOutcome.Rejected)]
    [InlineData(200, 110004, BybitOutcome.Rejected)]
    [InlineData(200, 110007, BybitOutcome.Rejected)]
    [InlineData(200, 110008, BybitOutcome.AlreadyEnded)]
    [InlineData(200, 110010, BybitOutcome.AlreadyEnded)]
    [InlineData(200, 110012, BybitOutcome.Rejected)]
    [InlineData(200, 110016, BybitOutcome.Rejected)]
    [InlineData(200, 110017, BybitOutcome.Rejected)]
    [InlineData(200, 110020, BybitOutcome.Rejected)]
    [InlineData(200, 110021, BybitOutcome.Rejected)]
    [InlineData(200, 110040, BybitOutcome.Rejected)]
    [InlineData(200, 110044, BybitOutcome.Rejected)]
    [InlineData(200, 110045, BybitOutcome.Rejected)]
    [InlineData(200, 110072, BybitOutcome.Duplicate)]
    [InlineData(200, 110094, BybitOutcome.Rejected)]
    [InlineData(200, 170005, BybitOutcome.Retry)]
    [InlineData(200, 170121, BybitOutcome.Rejected)]
    [InlineData(200, 170124, BybitOutcome.Rejected)]
    [InlineData(200, 170131, BybitOutcome.Rejected)]
    [InlineData(200, 170132, BybitOutcome.Rejected)]
    [InlineData(200, 170133, BybitOutcome.Rejected)]
    [InlineData(200, 170136, BybitOutcome.Rejected)]
    [InlineData(200, 170137, BybitOutcome.Rejected)]
    [InlineData(200, 170140, BybitOutcome.Rejected)]
    [InlineData(200, 170141, BybitOutcome.Duplicate)]
    [InlineData(200, 170213, BybitOutcome.NoSuchOrder)]
    [InlineData(200, 999999, BybitOutcome.Unknown)]
    [InlineData(201, 0, BybitOutcome.Ok)]
    [InlineData(299, 110007, BybitOutcome.Rejected)]
    [InlineData(200, null, BybitOutcome.Unknown)]
    [InlineData(199, 0, BybitOutcome.Unknown)]
    [InlineData(300, 0, BybitOutcome.Unknown)]
    [InlineData(400, null, BybitOutcome.NotPlaced)]
    [InlineData(401, 10003, BybitOutcome.NotPlaced)]
    [InlineData(401, null, BybitOutcome.NotPlaced)]
    [InlineData(403, null, BybitOutcome.Retry)]
    [InlineData(404, null, BybitOutcome.NotPlaced)]
    [InlineData(405, null, BybitOutcome.NotPlaced)]
    [InlineData(408, null, BybitOutcome.Unknown)]
    [InlineData(429, null, BybitOutcome.Retry)]
    [InlineData(500, 10016, BybitOutcome.Unknown)]
    [InlineData(502, null, BybitOutcome.Unknown)]
    [InlineData(503, 0, BybitOutcome.Unknown)]
    public void Every_answer_has_its_outcome(int status, int? retCode, BybitOutcome outcome)
    {
        Assert.Equal(outcome, BybitErrors.Classify(status, retCode));
        Assert.Equal(outcome, Answer(status, retCode).Outcome);
    }

    // ---- placement: every outcome into a result or the exception the vocabulary prescribes

    [Fact]
    public void An_accepted_order_carries_the_venues_id_and_what_was_asked()
    {
        var result = BybitErrors.Placement(Answer(200, 0, "OK", """{"orderId":"1321003749386327552","orderLinkId":"cid"}"""), Intent);

        Assert.Equal(BrokerOrderStatus.Accepted, result.Status);
        Assert.Equal("1321003749386327552", result.VenueOrderId);
        Assert.Equal(Intent.ClientOrderId, result.ClientOrderId);
        Assert.Null(result.Fill);
        Assert.Null(result.RejectReason);
        Assert.Equal("BTCUSDT", result.Symbol);
        Assert.Equal(OrderSide.Buy, result.Side);
        Assert.Equal(0.01m, result.Quantity);
        Assert.Equal(45_000m, result.LimitPrice);
    }

    [Theory]
    [InlineData("""{"orderLinkId":"cid"}""")]
    [InlineData("""{"orderId":"","orderLinkId":"cid"}""")]
    public void An_ok_without_an_order_id_is_unknown(string result) =>
        Assert.Equal($"{What}: the venue answered OK without an order id",
            Assert.Throws<VenueOutcomeUnknownException>(() => BybitErrors.Placement(Answer(200, 0, "OK", result), Intent)).Message);

    [Theory]
    [InlineData(110007, "ab not enough for new order")]
    [InlineData(10001, "The number of contracts exceeds minimum limit allowed")]
    [InlineData(110094, "Order does not meet minimum order value 5USDT")]
    [InlineData(170131, "Insufficient balance.")]
    public void A_refusal_of_the_order_itself_is_rejected_with_the_venues_code_and_words(int code, string message)
    {
        var result = BybitErrors.Placement(Answer(200, code, message), Intent);

        Assert.Equal(BrokerOrderStatus.Rejected, result.Status);
        Assert.Equal($"{code} {message}", result.RejectReason);
        Assert.Equal(Intent.ClientOrderId, result.ClientOrderId);
        Assert.Null(result.VenueOrderId);
        Assert.Equal("BTCUSDT", result.Symbol);
        Assert.Equal(OrderSide.Buy, result.Side);
        Assert.Equal(0.01m, result.Quantity);
        Assert.Equal(45_000m, result.LimitPrice);
    }

    [Theory]
    [InlineData(110072)]
    [InlineData(170141)]
    public void The_duplicate_answer_says_the_order_is_already_there(int code)
    {
        var e = Assert.Throws<DuplicateClientOrderIdException>(() => BybitErrors.Placement(Answer(200, code, "OrderLinkedID is duplicate"), Intent));

        Assert.Equal(Intent.ClientOrderId, e.ClientOrderId);
    }

    [Theory]
    [InlineData(200, 10003)]
    [InlineData(200, 10004)]
    [InlineData(200, 10005)]
    [InlineData(200, 10010)]
    [InlineData(401, null)]
    [InlineData(404, null)]
    public void A_refused_key_or_request_is_not_placed_and_not_worth_sending_again(int status, int? code)
    {
        var e = Assert.Throws<OrderNotPlacedException>(() => BybitErrors.Placement(Answer(status, code, "API key is invalid."), Intent));

        Assert.False(e.Data.Contains(VenueRefusal.Transient));
        Assert.StartsWith(What + ": ", e.Message);
    }

    [Fact]
    public void The_accounts_rate_limit_is_retryable_after_the_venues_reset()
    {
        var answer = Answer(200, 10006, "Too many visits!", "{}", ("X-Bapi-Limit", "10"), ("X-Bapi-Limit-Status", "0"),
            ("X-Bapi-Limit-Reset-Timestamp", (Now.ToUnixTimeMilliseconds() + 750).ToString()));

        var e = Assert.Throws<OrderNotPlacedException>(() => BybitErrors.Placement(answer, Intent));

        Assert.True(e.Data.Contains(VenueRefusal.Transient));
        Assert.Equal(TimeSpan.FromMilliseconds(750), e.RetryAfter);
        Assert.Equal($"{What}: 10006 Too many visits!", e.Message);
    }

    [Theory]
    [InlineData(-300, 750)] // our estimate runs 300 ms behind the venue: counted from it the wait would be 1,050 ms
    [InlineData(400, 750)]  // ahead: 350 ms, and the retry would arrive before the reset
    public void The_reset_counts_from_the_time_the_venue_answered_not_from_our_estimate_of_its_clock(int estimateErrorMs, int waitMs)
    {
        var body = """{"retCode":10006,"retMsg":"Too many visits!","result":{},"retExtInfo":{},"time":1700000000000}""";
        var response = Response(200, body, ("X-Bapi-Limit-Reset-Timestamp", (Now.ToUnixTimeMilliseconds() + 750).ToString()));

        var answer = BybitErrors.Read(response, Now.AddMilliseconds(estimateErrorMs), null);

        Assert.Equal(TimeSpan.FromMilliseconds(waitMs), answer.RetryAfter);
    }

    [Fact]
    public void Without_the_venues_time_the_reset_counts_from_our_estimate_of_its_clock()
    {
        var body = """{"retCode":10006,"retMsg":"Too many visits!","result":{}}""";
        var response = Response(200, body, ("X-Bapi-Limit-Reset-Timestamp", (Now.ToUnixTimeMilliseconds() + 750).ToString()));

        Assert.Equal(TimeSpan.FromMilliseconds(450), BybitErrors.Read(response, Now.AddMilliseconds(300), null).RetryAfter);
        Assert.Equal(TimeSpan.FromMilliseconds(450), BybitErrors.Read(Response(200, body.Replace("}}", "},\"time\":\"late\"}"),
            ("X-Bapi-Limit-Reset-Timestamp", (Now.ToUnixTimeMilliseconds() + 750).ToString())), Now.AddMilliseconds(300), null).RetryAfter);
    }

    [Fact]
    public void The_ip_ban_is_retryable_and_named_by_the_venues_words()
    {
        var e = Assert.Throws<OrderNotPlacedException>(() => BybitErrors.Placement(Answer(403, null, "access too frequent"), Intent));

        Assert.True(e.Data.Contains(VenueRefusal.Transient));
        Assert.Null(e.RetryAfter);
        Assert.Equal($"{What}: HTTP 403 access too frequent", e.Message);
    }

    [Fact]
    public void A_stale_timestamp_is_retryable_not_placed()
    {
        var e = Assert.Throws<OrderNotPlacedException>(() => BybitErrors.Placement(Answer(200, 10002, "invalid request, please check your server timestamp"), Intent));

        Assert.True(e.Data.Contains(VenueRefusal.Transient));
    }

    [Theory]
    [InlineData(200, 10016, "Internal System Error.")]
    [InlineData(200, 424242, "something new")]
    [InlineData(500, 10016, "Internal System Error.")]
    [InlineData(502, null, "<html>Bad Gateway</html>")]
    [InlineData(200, null, "not json at all")]
    [InlineData(200, 110001, "order not exists")]
    [InlineData(200, 110008, "order finished")]
    public void Anything_else_after_sending_is_unknown(int status, int? code, string message)
    {
        var e = Assert.Throws<VenueOutcomeUnknownException>(() => BybitErrors.Placement(Answer(status, code, message), Intent));

        Assert.StartsWith(What + ": ", e.Message);
    }

    [Fact]
    public void Placement_needs_an_answer_and_an_intent()
    {
        Assert.Throws<ArgumentNullException>(() => BybitErrors.Placement(null!, Intent));
        Assert.Throws<ArgumentNullException>(() => BybitErrors.Placement(Answer(200, 0), null!));
        Assert.Throws<ArgumentNullException>(() => BybitErrors.Failure(null!, ""));
        Assert.Throws<ArgumentNullException>(() => BybitErrors.Read(null!, Now, null));
        Assert.Throws<ArgumentNullException>(() => BybitErrors.Result<OrderIdResult>(null!));
        Assert.Throws<ArgumentNullException>(() => BybitErrors.RetryAfter(null!, Now));
        Assert.Throws<ArgumentNullException>(() => BybitErrors.Redact(null!, null));
    }

    [Fact]
    public void An_ok_answer_is_no_failure_but_if_asked_it_is_unknown() =>
        Assert.IsType<VenueOutcomeUnknownException>(BybitErrors.Failure(Answer(200, 0), "cid"));

    [Fact]
    public void A_rejected_answer_outside_a_placement_is_a_refusal() =>
        Assert.IsType<OrderNotPlacedException>(BybitErrors.Failure(Answer(200, 10001, "params error"), "cid"));

    // ---- reading an answer

    [Fact]
    public void An_envelope_is_read_into_code_message_and_result()
    {
        var answer = Answer(200, 0, "OK", """{"orderId":"7"}""");

        Assert.Equal(200, answer.HttpStatus);
        Assert.Equal(0, answer.RetCode);
        Assert.Equal("OK", answer.Message);
        Assert.Equal("7", answer.Result!.Value.GetProperty("orderId").GetString());
        Assert.Equal(What, answer.Description);
        Assert.Equal("0 OK", answer.Reason);
    }

    [Fact]
    public void A_body_that_is_not_an_envelope_has_no_code_and_its_first_words_are_the_message()
    {
        var answer = BybitErrors.Read(Response(403, "  access too frequent  "), Now, null);
        var long_ = BybitErrors.Read(Response(502, "<html>" + new string('x', 200) + "</html>"), Now, null);

        Assert.Null(answer.RetCode);
        Assert.Equal("access too frequent", answer.Message);
        Assert.Equal("HTTP 403 access too frequent", answer.Reason);
        Assert.Null(answer.Result);
        Assert.Equal(80, long_.Message.Length);
        Assert.Equal(new string('y', 80), BybitErrors.Read(Response(502, new string('y', 80)), Now, null).Message);
        Assert.Equal(new string('y', 79), BybitErrors.Read(Response(502, new string('y', 79) + " "), Now, null).Message);
        Assert.StartsWith("<html>xxx", long_.Message);
    }

    [Theory]
    [InlineData("""{"retMsg":"OK"}""")]
    [InlineData("""{"retCode":"0","retMsg":"OK"}""")]
    [InlineData("""{"retCode":1.5}""")]
    [InlineData("""[1,2]""")]
    [InlineData("""42""")]
    public void Json_that_is_not_an_envelope_has_no_code(string body)
    {
        var answer = BybitErrors.Read(Response(200, body), Now, null);

        Assert.Null(answer.RetCode);
        Assert.Equal("", answer.Message);
        Assert.Equal(BybitOutcome.Unknown, answer.Outcome);
    }

    [Fact]
    public void An_envelope_without_message_or_result_reads_as_empty()
    {
        var answer = BybitErrors.Read(Response(200, """{"retCode":10016,"retMsg":null}"""), Now, null);

        Assert.Equal(10016, answer.RetCode);
        Assert.Equal("", answer.Message);
        Assert.Null(answer.Result);
        Assert.Equal("10016", answer.Reason);
    }

    [Fact]
    public void An_empty_body_reads_as_the_http_status() =>
        Assert.Equal("HTTP 500", BybitErrors.Read(Response(500, ""), Now, null).Reason);

    // ---- no credential in a message

    [Fact]
    public void The_signed_text_the_venue_echoes_on_a_bad_signature_is_cut_off()
    {
        var answer = BybitErrors.Read(Response(200, Envelope(10004, "error sign! origin_string[1700000000000my-api-key5000category=linear]")), Now, "my-api-key");

        Assert.Equal("error sign!", answer.Message);
        Assert.DoesNotContain("my-api-key", answer.Reason);
    }

    [Theory]
    [InlineData("error sign! ORIGIN_STRING[k]", "k", "error sign!")]
    [InlineData("key my-api-key is invalid", "my-api-key", "key *** is invalid")]
    [InlineData("key my-api-key is invalid", null, "key my-api-key is invalid")]
    [InlineData("key my-api-key is invalid", "", "key my-api-key is invalid")]
    [InlineData("origin_string[abc]", null, "")]
    public void A_message_is_redacted(string message, string? key, string expected) =>
        Assert.Equal(expected, BybitErrors.Redact(message, key));

    // ---- when to come back

    [Fact]
    public void The_reset_timestamp_counts_from_the_venues_now()
    {
        var r = Response(200, "", ("X-Bapi-Limit-Reset-Timestamp", (Now.ToUnixTimeMilliseconds() + 1200).ToString()));

        Assert.Equal(TimeSpan.FromMilliseconds(1200), BybitErrors.RetryAfter(r, Now));
        Assert.Equal(TimeSpan.FromMilliseconds(200), BybitErrors.RetryAfter(r, Now.AddSeconds(1)));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-5000L)]
    public void A_reset_that_has_passed_leaves_the_wait_to_the_backoff(long fromNowMs) =>
        Assert.Null(BybitErrors.RetryAfter(Response(200, "", ("X-Bapi-Limit-Reset-Timestamp", (Now.ToUnixTimeMilliseconds() + fromNowMs).ToString())), Now));

    [Fact]
    public void Without_a_reset_a_standard_retry_after_is_honoured()
    {
        Assert.Equal(TimeSpan.FromSeconds(3), BybitErrors.RetryAfter(Response(429, "", ("Retry-After", "3")), Now));
        Assert.Equal(TimeSpan.FromSeconds(3), BybitErrors.RetryAfter(Response(429, "", ("X-Bapi-Limit-Reset-Timestamp", "soon"), ("Retry-After", "3")), Now));
        Assert.Null(BybitErrors.RetryAfter(Response(429, ""), Now));
    }

    // ---- results

    [Fact]
    public void A_result_is_read_in_the_venues_field_names()
    {
        var time = BybitErrors.Result<ServerTimeResult>(Answer(200, 0, "OK", """{"timeSecond":"1688639403","timeNano":"1688639403423213947"}"""));

        Assert.Equal("1688639403", time.TimeSecond);
        Assert.Equal("1688639403423213947", time.TimeNano);
    }

    [Fact]
    public void A_failed_answer_has_no_result_but_its_failure()
    {
        Assert.Throws<OrderNotPlacedException>(() => BybitErrors.Result<ServerTimeResult>(Answer(200, 10003)));
        Assert.Throws<VenueOutcomeUnknownException>(() => BybitErrors.Result<ServerTimeResult>(Answer(500, 10016)));
    }

    [Fact]
    public void A_duplicate_answered_to_a_read_names_no_order_of_ours()
    {
        // A read sent no client order id: naming one would send the engine looking up an order that is not in question.
        var e = Assert.Throws<DuplicateClientOrderIdException>(() => BybitErrors.Result<ServerTimeResult>(Answer(200, 110072, "OrderLinkedID is duplicate")));

        Assert.Equal("", e.ClientOrderId);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("\"x\"")]
    public void An_ok_without_a_result_object_is_unknown(string result) =>
        Assert.Equal($"{What}: the answer has no result", Assert.Throws<VenueOutcomeUnknownException>(() => BybitErrors.Result<ServerTimeResult>(Answer(200, 0, "OK", result))).Message);

    [Fact]
    public void An_ok_without_result_field_is_unknown() =>
        Assert.Throws<VenueOutcomeUnknownException>(() => BybitErrors.Result<ServerTimeResult>(BybitErrors.Read(Response(200, """{"retCode":0,"retMsg":"OK"}"""), Now, null)));

    [Fact]
    public void A_result_of_the_wrong_shape_is_unknown()
    {
        var e = Assert.Throws<VenueOutcomeUnknownException>(() => BybitErrors.Result<ServerTimeResult>(Answer(200, 0, "OK", """{"timeSecond":12}""")));

        Assert.IsAssignableFrom<JsonException>(e.InnerException);
        Assert.StartsWith($"{What}: the result does not read (", e.Message);
    }
}
