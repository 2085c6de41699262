using System.Net;
using TradingActors.Brokers.Alpaca;
using TradingActors.Brokers.Http;

namespace TradingActors.Brokers.Tests.Venues.Alpaca;

/// <summary>Every Alpaca answer, table by table, into the one outcome vocabulary.</summary>
public sealed class AlpacaErrorsTests
{
    private const string Cid = "cid-0123456789abcdefghijklmnopqr";
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);

    internal static VenueResponse Answer(int status, string body, params (string Name, string Value)[] headers)
    {
        var message = new HttpResponseMessage((HttpStatusCode)status);
        foreach (var (name, value) in headers) message.Headers.TryAddWithoutValidation(name, value);
        return new VenueResponse((HttpStatusCode)status, body, message.Headers, "alpaca POST /v2/orders");
    }

    private static string Error(long code, string message) => $$"""{"code":{{code}},"message":"{{message}}"}""";

    // ---- placement

    [Theory]
    [InlineData(403, """{"buying_power":"0","code":40310000,"message":"insufficient buying power"}""", "insufficient buying power")]
    [InlineData(403, """{"code":40310000,"message":"insufficient qty available for order (requested: 10, available: 0)"}""", "insufficient qty available for order (requested: 10, available: 0)")]
    [InlineData(403, """{"code":40310000,"message":"trade denied due to pattern day trading protection"}""", "trade denied due to pattern day trading protection")]
    [InlineData(422, """{"code":42210000,"message":"invalid limit_price 11.055. sub-penny increment does not fulfill minimum pricing criteria"}""", "invalid limit_price 11.055. sub-penny increment does not fulfill minimum pricing criteria")]
    [InlineData(422, """{"code":42210000,"message":"fractional orders must be DAY orders"}""", "fractional orders must be DAY orders")]
    [InlineData(422, """{"code":40010001,"message":"qty must be integer"}""", "qty must be integer")]
    [InlineData(422, """{"code":40010001,"message":"could not find asset 'NOSUCH'"}""", "could not find asset 'NOSUCH'")]
    [InlineData(422, """{"code":40010001}""", "alpaca refused the order (422)")]
    [InlineData(422, """{"message":"  "}""", "alpaca refused the order (422)")]
    public void An_order_the_venue_judged_and_refused_is_rejected_with_its_message(int status, string body, string reason)
    {
        var result = AlpacaErrors.PlacementRefusal(Answer(status, body), Cid, Now);

        Assert.Equal(BrokerOrderStatus.Rejected, result.Status);
        Assert.Equal(reason, result.RejectReason);
        Assert.Equal(Cid, result.ClientOrderId);
        Assert.Null(result.Fill);
    }

    [Theory]
    [InlineData("""{"code":40010001,"message":"client_order_id must be unique"}""")]
    [InlineData("""{"code":40010001,"message":"Client_Order_ID must be unique"}""")]
    [InlineData("""{"message":"client_order_id must be unique"}""")]
    public void A_reused_client_order_id_is_a_duplicate_to_look_up(string body)
    {
        var e = Assert.Throws<DuplicateClientOrderIdException>(() => AlpacaErrors.PlacementRefusal(Answer(422, body), Cid, Now));

        Assert.Equal(Cid, e.ClientOrderId);
    }

    [Theory]
    [InlineData(401, """{"message":"unauthorized."}""", "unauthorized.")]
    [InlineData(401, """{"code":40110000,"message":"request is not authorized"}""", "request is not authorized (code 40110000)")]
    [InlineData(401, "<html>401</html>", "<html>401</html>")]
    [InlineData(403, """{"message":"forbidden."}""", "forbidden.")]
    [InlineData(403, """{"code":40110000,"message":"token is not authorized for this scope"}""", "token is not authorized for this scope")]
    public void Refused_credentials_are_not_placed_and_not_retried(int status, string body, string named)
    {
        var e = Assert.Throws<OrderNotPlacedException>(() => AlpacaErrors.PlacementRefusal(Answer(status, body), Cid, Now));

        Assert.Contains(named, e.Message);
        Assert.Contains("credentials were refused", e.Message);
        Assert.Contains("alpaca POST /v2/orders", e.Message);
        Assert.False(e.Data.Contains(VenueRefusal.Transient));
    }

    [Theory]
    [InlineData(400, """{"code":40010000,"message":"request body format is invalid"}""", "request body format is invalid (code 40010000)")]
    [InlineData(404, """{"code":40410000,"message":"account not found for 662d0fac"}""", "account not found for 662d0fac")]
    [InlineData(404, "404 page not found", "404 page not found")]
    public void A_request_refused_for_its_shape_or_route_is_not_placed(int status, string body, string named)
    {
        var e = Assert.Throws<OrderNotPlacedException>(() => AlpacaErrors.PlacementRefusal(Answer(status, body), Cid, Now));

        Assert.Contains(named, e.Message);
        Assert.DoesNotContain("credentials", e.Message);
        Assert.False(e.Data.Contains(VenueRefusal.Transient));
    }

    [Fact]
    public void A_rate_limited_order_is_retryable_and_comes_back_at_the_reset()
    {
        var reset = Now.AddSeconds(12).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

        var e = Assert.Throws<OrderNotPlacedException>(() => AlpacaErrors.PlacementRefusal(
            Answer(429, Error(42910000, "rate limit exceeded"), ("X-RateLimit-Reset", reset)), Cid, Now));

        Assert.True(e.Data.Contains(VenueRefusal.Transient));
        Assert.Equal(TimeSpan.FromSeconds(12), e.RetryAfter);
        Assert.Contains("rate limit exceeded", e.Message);
    }

    [Theory]
    [InlineData(500, """{"code":50010000,"message":"internal server error occurred"}""")]
    [InlineData(502, "<html>bad gateway</html>")]
    [InlineData(503, "")]
    [InlineData(504, "")]
    [InlineData(409, "{}")]
    [InlineData(302, "")]
    [InlineData(422, "not json")]
    [InlineData(422, "{}")]
    [InlineData(422, "")]
    public void Anything_else_after_sending_is_unknown(int status, string body)
    {
        var e = Assert.Throws<VenueOutcomeUnknownException>(() => AlpacaErrors.PlacementRefusal(Answer(status, body), Cid, Now));

        Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
        Assert.Contains("alpaca POST /v2/orders", e.Message);
    }

    // ---- cancel

    [Theory]
    [InlineData(204, "", AlpacaCancelAnswer.Requested)]
    [InlineData(200, "", AlpacaCancelAnswer.Requested)]
    [InlineData(422, """{"code":42210000,"message":"order is already in \"filled\" state"}""", AlpacaCancelAnswer.NotCancelable)]
    [InlineData(422, "", AlpacaCancelAnswer.NotCancelable)]
    [InlineData(404, """{"code":40410000,"message":"order not found"}""", AlpacaCancelAnswer.NotFound)]
    public void A_cancel_answer_says_what_became_of_the_order(int status, string body, AlpacaCancelAnswer expected) =>
        Assert.Equal(expected, AlpacaErrors.CancelAnswer(Answer(status, body), Now));

    [Theory]
    [InlineData(401, """{"message":"unauthorized."}""")]
    [InlineData(403, """{"message":"forbidden."}""")]
    [InlineData(400, """{"code":40010000,"message":"request body format is invalid"}""")]
    [InlineData(404, "<html>not here</html>")]
    public void A_refused_cancel_was_not_taken(int status, string body)
    {
        var e = Assert.Throws<OrderNotPlacedException>(() => AlpacaErrors.CancelAnswer(Answer(status, body), Now));

        Assert.Contains("the cancel was not taken", e.Message);
        Assert.False(e.Data.Contains(VenueRefusal.Transient));
    }

    [Fact]
    public void A_rate_limited_cancel_is_retryable()
    {
        var e = Assert.Throws<OrderNotPlacedException>(() => AlpacaErrors.CancelAnswer(Answer(429, Error(42910000, "rate limit exceeded"), ("Retry-After", "3")), Now));

        Assert.True(e.Data.Contains(VenueRefusal.Transient));
        Assert.Equal(TimeSpan.FromSeconds(3), e.RetryAfter);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(409)]
    public void A_cancel_that_failed_after_sending_is_unknown(int status) =>
        Assert.Throws<VenueOutcomeUnknownException>(() => AlpacaErrors.CancelAnswer(Answer(status, ""), Now));

    // ---- reads

    [Theory]
    [InlineData(200)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(422)]
    [InlineData(499)]
    public void A_read_answered_definitely_is_not_repeated(int status) =>
        AlpacaErrors.ThrowIfRetryable(Answer(status, "{}"), Now);

    [Fact]
    public void A_rate_limited_read_is_repeated_after_the_reset()
    {
        var e = Assert.Throws<OrderNotPlacedException>(() => AlpacaErrors.ThrowIfRetryable(Answer(429, Error(42910000, "rate limit exceeded"), ("Retry-After", "2")), Now));

        Assert.True(e.Data.Contains(VenueRefusal.Transient));
        Assert.Equal(TimeSpan.FromSeconds(2), e.RetryAfter);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(599)]
    public void A_failed_read_is_repeated(int status) =>
        Assert.Throws<VenueOutcomeUnknownException>(() => AlpacaErrors.ThrowIfRetryable(Answer(status, ""), Now));

    [Fact]
    public void A_refused_read_fails_without_claiming_anything_about_an_order()
    {
        var e = AlpacaErrors.ReadFailure(Answer(401, """{"message":"unauthorized."}"""));

        Assert.IsType<HttpRequestException>(e);
        Assert.Equal(HttpStatusCode.Unauthorized, e.StatusCode);
        Assert.Equal("alpaca POST /v2/orders: 401 Unauthorized: unauthorized.", e.Message);
    }

    [Theory]
    [InlineData(404, """{"code":40410000,"message":"order not found"}""", true)]
    [InlineData(404, """{"code":40410000,"message":"something else"}""", true)]
    [InlineData(404, """{"message":"asset not found for NOSUCH"}""", true)]
    [InlineData(404, """{"message":"Not Found"}""", true)]
    [InlineData(404, """{"code":40010001,"message":"order not found"}""", false)]
    [InlineData(404, """{"message":"gone"}""", false)]
    [InlineData(404, "404 page not found", false)]
    [InlineData(404, "", false)]
    [InlineData(422, """{"code":40410000,"message":"order not found"}""", false)]
    [InlineData(200, """{"code":40410000,"message":"order not found"}""", false)]
    public void Only_alpacas_own_not_found_means_absent(int status, string body, bool absent) =>
        Assert.Equal(absent, AlpacaErrors.IsNotFound(Answer(status, body)));

    [Theory]
    [InlineData(401, """{"message":"unauthorized."}""", true)]
    [InlineData(401, "", true)]
    [InlineData(403, """{"message":"forbidden."}""", true)]
    [InlineData(403, "", true)]
    [InlineData(403, """{"code":40310000,"message":"insufficient buying power"}""", false)]
    [InlineData(404, "", false)]
    [InlineData(500, "", false)]
    [InlineData(200, "", false)]
    public void Refused_credentials_are_told_apart(int status, string body, bool refused) =>
        Assert.Equal(refused, AlpacaErrors.IsAuthRefusal(Answer(status, body)));

    [Theory]
    [InlineData("ACTIVE", false, false, false, null)]
    [InlineData("ACCOUNT_CLOSED", false, false, false, "alpaca account status is ACCOUNT_CLOSED")]
    [InlineData("active", false, false, false, "alpaca account status is active")]
    [InlineData("ACTIVE", true, false, false, "alpaca account is blocked")]
    [InlineData("ACTIVE", false, true, false, "alpaca account has trading blocked")]
    [InlineData("ACTIVE", false, false, true, "alpaca account has trading suspended by its owner")]
    public void An_account_that_cannot_trade_fails_the_check(string status, bool blocked, bool tradingBlocked, bool suspended, string? reason) =>
        Assert.Equal(reason, AlpacaErrors.AccountRefusal(new AlpacaAccount
        {
            Status = status, AccountBlocked = blocked, TradingBlocked = tradingBlocked, TradeSuspendedByUser = suspended,
        }));

    // ---- rate-limit headers

    [Fact]
    public void Retry_after_in_seconds_wins_over_the_reset()
    {
        var r = Answer(429, "", ("Retry-After", "7"), ("X-RateLimit-Reset", Now.AddSeconds(30).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Equal(TimeSpan.FromSeconds(7), AlpacaErrors.RetryAfter(r, Now));
    }

    [Fact]
    public void Retry_after_as_a_date_counts_from_now()
    {
        var r = Answer(429, "", ("Retry-After", Now.AddSeconds(5).ToString("R", System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Equal(TimeSpan.FromSeconds(5), AlpacaErrors.RetryAfter(r, Now));
    }

    [Theory]
    [InlineData(30, 30)]
    [InlineData(1, 1)]
    [InlineData(0, 0)]
    [InlineData(-5, 0)]
    public void The_reset_in_unix_seconds_says_how_long_to_wait_never_negatively(int inSeconds, int wait)
    {
        var r = Answer(429, "", ("X-RateLimit-Reset", Now.AddSeconds(inSeconds).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Equal(TimeSpan.FromSeconds(wait), AlpacaErrors.RetryAfter(r, Now));
        Assert.Equal(Now.AddSeconds(inSeconds), AlpacaErrors.ResetAt(r));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("soon")]
    [InlineData("-5")]
    [InlineData("1.5")]
    public void Without_a_usable_reset_there_is_no_wait(string? reset)
    {
        var r = reset is null ? Answer(429, "") : Answer(429, "", ("X-RateLimit-Reset", reset));

        Assert.Null(AlpacaErrors.RetryAfter(r, Now));
        Assert.Null(AlpacaErrors.ResetAt(r));
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("199", 199)]
    [InlineData(null, null)]
    [InlineData("many", null)]
    [InlineData("-1", null)]
    public void Remaining_is_read_from_its_header(string? header, int? remaining)
    {
        var r = header is null ? Answer(200, "") : Answer(200, "", ("X-RateLimit-Remaining", header));

        Assert.Equal(remaining, AlpacaErrors.Remaining(r));
    }

    // ---- no answer at all

    public static TheoryData<string, Action> WithoutAnAnswer => new()
    {
        { "response", () => AlpacaErrors.PlacementRefusal(null!, Cid, Now) },
        { "response", () => AlpacaErrors.CancelAnswer(null!, Now) },
        { "response", () => AlpacaErrors.ThrowIfRetryable(null!, Now) },
        { "response", () => AlpacaErrors.ReadFailure(null!) },
        { "response", () => AlpacaErrors.IsNotFound(null!) },
        { "response", () => AlpacaErrors.IsAuthRefusal(null!) },
        { "account", () => AlpacaErrors.AccountRefusal(null!) },
        { "response", () => AlpacaErrors.RetryAfter(null!, Now) },
        { "response", () => AlpacaErrors.ResetAt(null!) },
        { "response", () => AlpacaErrors.Remaining(null!) },
    };

    [Theory]
    [MemberData(nameof(WithoutAnAnswer))]
    public void A_missing_answer_is_named_as_the_callers_mistake_not_read_as_an_outcome(string parameter, Action read) =>
        // An ArgumentNullException names the connector's bug; a NullReferenceException from inside the mapping would not.
        Assert.Equal(parameter, Assert.Throws<ArgumentNullException>(read).ParamName);
}

