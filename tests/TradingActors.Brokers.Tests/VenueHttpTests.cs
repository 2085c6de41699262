using System.Net;
using System.Net.Sockets;
using TradingActors.Brokers.Http;

namespace TradingActors.Brokers.Tests;

/// <summary>
/// How a transport failure becomes the outcome vocabulary: a request that never left is not placed (and may be sent
/// again), one that may have reached the venue is unknown (resolved by lookup), the caller's cancellation stays a
/// cancellation. Messages name the venue, method and path — never the keys in the headers or the order in the body.
/// </summary>
public sealed class VenueHttpTests
{
    private const string Secret = "PKSECRET0123456789";
    private const string What = "alpaca POST /v2/orders";

    /// <summary>A venue that answers, or fails, as told, without a network.</summary>
    private sealed class StubVenue(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            answer(request, cancellationToken);
    }

    /// <summary>A body whose connection breaks off while it is read.</summary>
    private sealed class BrokenOffBody : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            Task.FromException(new IOException("connection reset by peer while reading the body"));

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    private static HttpClient Client(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer) => new(new StubVenue(answer));

    private static HttpClient Failing(Exception e) => Client((_, _) => Task.FromException<HttpResponseMessage>(e));

    /// <summary>An order as the connector sends it: the key in a header, the order in the body.</summary>
    private static HttpRequestMessage PlaceOrder(HttpMethod? method = null)
    {
        var request = new HttpRequestMessage(method ?? HttpMethod.Post, "https://paper-api.alpaca.markets/v2/orders?client_order_id=cid-1")
        {
            Content = VenueHttp.JsonBody($$"""{"symbol":"AAPL","qty":"3","note":"{{Secret}}-body"}"""),
        };
        request.Headers.TryAddWithoutValidation("APCA-API-SECRET-KEY", Secret);
        return request;
    }

    private static Task<VenueResponse> Send(HttpClient http, HttpMethod? method = null, CancellationToken ct = default) =>
        VenueHttp.SendAsync(http, PlaceOrder(method), "alpaca", ct);

    private static void NamesTheCallNotItsSecrets(Exception e)
    {
        Assert.StartsWith($"{What}: ", e.Message);
        Assert.DoesNotContain(Secret, e.Message);
        Assert.DoesNotContain("AAPL", e.Message);
        Assert.DoesNotContain("client_order_id", e.Message);
    }

    public static TheoryData<string, HttpRequestException> NeverSentCases => new()
    {
        { "NameResolutionError", new HttpRequestException(HttpRequestError.NameResolutionError, "no such host") },
        { "SecureConnectionError", new HttpRequestException(HttpRequestError.SecureConnectionError, "tls handshake refused") },
        { "ConnectionError", new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused)) },
        { "ConnectionError", new HttpRequestException(HttpRequestError.ConnectionError, "no host", new SocketException((int)SocketError.HostNotFound)) },
        { "ConnectionError", new HttpRequestException(HttpRequestError.ConnectionError, "no route", new SocketException((int)SocketError.NetworkUnreachable)) },
        { "ConnectionError", new HttpRequestException(HttpRequestError.ConnectionError, "no route", new SocketException((int)SocketError.HostUnreachable)) },
        // The socket's code decides, whatever category the handler gave it.
        { "Unknown", new HttpRequestException(HttpRequestError.Unknown, "refused", new SocketException((int)SocketError.ConnectionRefused)) },
    };

    [Theory]
    [MemberData(nameof(NeverSentCases))]
    public async Task A_request_that_never_reached_the_venue_is_not_placed_and_may_be_sent_again(string error, HttpRequestException failure)
    {
        var e = await Assert.ThrowsAsync<OrderNotPlacedException>(() => Send(Failing(failure)));

        Assert.Equal($"{What}: the venue could not be reached ({error})", e.Message);
        Assert.True(e.Data.Contains(VenueRefusal.Transient));
        Assert.Same(failure, e.InnerException);
        NamesTheCallNotItsSecrets(e);
    }

    public static TheoryData<string, HttpRequestException> MaybeSentCases => new()
    {
        { "ConnectionError", new HttpRequestException(HttpRequestError.ConnectionError, "reset", new SocketException((int)SocketError.ConnectionReset)) },
        { "ConnectionError", new HttpRequestException(HttpRequestError.ConnectionError, "aborted", new SocketException((int)SocketError.ConnectionAborted)) },
        { "ConnectionError", new HttpRequestException(HttpRequestError.ConnectionError, "no socket error") },
        { "ResponseEnded", new HttpRequestException(HttpRequestError.ResponseEnded, "the answer ended early") },
        { "InvalidResponse", new HttpRequestException(HttpRequestError.InvalidResponse, "not http", new IOException("garbage")) },
        { "Unknown", new HttpRequestException("reset after sending") },
    };

    [Theory]
    [MemberData(nameof(MaybeSentCases))]
    public async Task A_connection_that_failed_once_the_request_may_have_left_is_an_unknown_outcome(string error, HttpRequestException failure)
    {
        var e = await Assert.ThrowsAsync<VenueOutcomeUnknownException>(() => Send(Failing(failure)));

        Assert.Equal($"{What}: the connection failed after sending ({error})", e.Message);
        Assert.Same(failure, e.InnerException);
        NamesTheCallNotItsSecrets(e);
    }

    [Fact]
    public async Task No_answer_within_the_clients_timeout_is_an_unknown_outcome()
    {
        // The venue may have taken the order and be slow to say so.
        using var http = new HttpClient(new StubVenue(async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return new HttpResponseMessage(HttpStatusCode.OK);
        })) { Timeout = TimeSpan.FromMilliseconds(50) };

        var e = await Assert.ThrowsAsync<VenueOutcomeUnknownException>(() => Send(http));

        Assert.Equal($"{What}: no answer within the client's timeout", e.Message);
        Assert.IsType<TaskCanceledException>(e.InnerException);
        NamesTheCallNotItsSecrets(e);
    }

    [Fact]
    public async Task The_callers_own_cancellation_stays_a_cancellation()
    {
        // The engine's call timeout: it resolves the order itself and must see its own cancellation, not a venue failure.
        using var cts = new CancellationTokenSource();
        using var http = Client(async (_, ct) =>
        {
            await cts.CancelAsync();
            await Task.Delay(Timeout.Infinite, ct);
            return new HttpResponseMessage(HttpStatusCode.OK);
        });

        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Send(http, ct: cts.Token));

        Assert.Equal(cts.Token, e.CancellationToken);
    }

    [Fact]
    public async Task An_answer_that_breaks_off_while_buffered_is_an_unknown_outcome()
    {
        // HttpClient reads the whole answer inside SendAsync: the break surfaces as a failed connection after sending.
        using var http = Client((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new BrokenOffBody() }));

        var e = await Assert.ThrowsAsync<VenueOutcomeUnknownException>(() => Send(http));

        Assert.StartsWith($"{What}: the connection failed after sending", e.Message);
        NamesTheCallNotItsSecrets(e);
    }

    [Fact]
    public async Task An_answer_that_breaks_off_while_read_is_an_unknown_outcome()
    {
        // A HEAD's answer is not buffered by HttpClient: the break surfaces when the body is read.
        using var http = Client((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.Accepted) { Content = new BrokenOffBody() }));

        var e = await Assert.ThrowsAsync<VenueOutcomeUnknownException>(() => Send(http, HttpMethod.Head));

        Assert.Equal("alpaca HEAD /v2/orders: the answer broke off (202)", e.Message);
        Assert.True(e.InnerException is HttpRequestException or IOException);
        Assert.DoesNotContain(Secret, e.Message);
    }

    [Fact]
    public async Task An_answer_is_read_whole_with_its_status_headers_and_the_calls_description()
    {
        using var http = Client((_, _) =>
        {
            var answer = new HttpResponseMessage(HttpStatusCode.Forbidden) { Content = new StringContent("""{"code":40310000,"message":"insufficient buying power"}""") };
            answer.Headers.TryAddWithoutValidation("X-RateLimit-Remaining", "199");
            return Task.FromResult(answer);
        });

        var response = await Send(http);

        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
        Assert.Equal(403, response.Code);
        Assert.Equal("""{"code":40310000,"message":"insufficient buying power"}""", response.Body);
        Assert.Equal("199", response.Header("X-RateLimit-Remaining"));
        Assert.Equal(What, response.Description);
    }

    [Fact]
    public void A_json_body_is_sent_as_utf8_json()
    {
        Assert.Equal("application/json; charset=utf-8", VenueHttp.Json.ToString());
        Assert.Equal("application/json; charset=utf-8", VenueHttp.JsonBody("{}").Headers.ContentType!.ToString());
    }

    // ---- VenueResponse

    private static VenueResponse Answer(int status, string body = "", params (string Name, string Value)[] headers)
    {
        var message = new HttpResponseMessage((HttpStatusCode)status);
        foreach (var (name, value) in headers) message.Headers.TryAddWithoutValidation(name, value);
        return new VenueResponse((HttpStatusCode)status, body, message.Headers, What);
    }

    [Theory]
    [InlineData(199, false)]
    [InlineData(200, true)]
    [InlineData(204, true)]
    [InlineData(299, true)]
    [InlineData(300, false)]
    [InlineData(404, false)]
    public void Only_a_2xx_is_a_success(int status, bool success) => Assert.Equal(success, Answer(status).IsSuccess);

    [Fact]
    public void A_repeated_header_is_read_at_its_first_value()
    {
        var response = Answer(200, "", ("tr_cont", "M"), ("tr_cont", "D"));

        Assert.Equal("M", response.Header("tr_cont"));
        Assert.Null(response.Header("X-RateLimit-Reset"));
    }

    private static readonly DateTimeOffset Now = new(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(5, 5)]
    [InlineData(0, 0)]
    [InlineData(-30, 0)]
    public void Retry_after_as_a_date_counts_from_now_never_negatively(int inSeconds, int wait)
    {
        var response = Answer(429, "", ("Retry-After", Now.AddSeconds(inSeconds).ToString("R", System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Equal(TimeSpan.FromSeconds(wait), response.RetryAfter(Now));
    }

    [Fact]
    public void Retry_after_in_seconds_is_taken_as_said_and_its_absence_is_no_wait()
    {
        Assert.Equal(TimeSpan.FromSeconds(7), Answer(429, "", ("Retry-After", "7")).RetryAfter(Now));
        Assert.Null(Answer(429).RetryAfter(Now));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(299)]
    [InlineData(300)]
    public void A_short_body_is_quoted_whole(int length)
    {
        var body = new string('e', length);

        Assert.Equal(body, Answer(500, body).Excerpt);
    }

    [Theory]
    [InlineData(301)]
    [InlineData(5000)]
    public void A_long_body_is_cut_to_its_first_300_characters_and_marked_cut(int length)
    {
        var body = string.Concat(new string('e', 300), new string('x', length - 300));

        Assert.Equal(new string('e', 300) + "…", Answer(500, body).Excerpt);
    }
}
