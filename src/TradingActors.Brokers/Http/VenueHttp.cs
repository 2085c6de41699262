using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace TradingActors.Brokers.Http;

/// <summary>
/// Sends one request to a venue and turns transport failures into the outcome vocabulary of
/// <see cref="IBrokerClient"/>: a request that never left (connection refused, host not found, TLS refused)
/// is <see cref="OrderNotPlacedException"/>; one that may have reached the venue (reset, timeout, broken
/// answer) is <see cref="VenueOutcomeUnknownException"/>; the caller's own cancellation stays an
/// <see cref="OperationCanceledException"/> (the engine's call timeout: unknown as well).
/// Messages name the venue and path, never headers or bodies (they carry keys, signatures, tokens).
/// </summary>
public static class VenueHttp
{
    public static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    public static async Task<VenueResponse> SendAsync(HttpClient http, HttpRequestMessage request, string venue, CancellationToken ct)
    {
        var what = $"{venue} {request.Method} {request.RequestUri?.AbsolutePath}";
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (HttpRequestException e) when (NeverSent(e))
        {
            throw VenueRefusal.Retryable($"{what}: the venue could not be reached ({e.HttpRequestError})", inner: e);
        }
        catch (HttpRequestException e)
        {
            throw new VenueOutcomeUnknownException($"{what}: the connection failed after sending ({e.HttpRequestError})", e);
        }
        catch (TaskCanceledException e)
        {
            // HttpClient.Timeout, not the caller: the request may have been taken.
            throw new VenueOutcomeUnknownException($"{what}: no answer within the client's timeout", e);
        }
        using (response)
        {
            string body;
            try
            {
                body = await response.Content.ReadAsStringAsync(ct);
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                throw new VenueOutcomeUnknownException($"{what}: the answer broke off ({(int)response.StatusCode})", e);
            }
            return new VenueResponse(response.StatusCode, body, response.Headers, what);
        }
    }

    /// <summary>The request provably did not reach the venue: no connection was made.</summary>
    private static bool NeverSent(HttpRequestException e) =>
        e.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError
        || e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.NetworkUnreachable or SocketError.HostUnreachable };

    public static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");
}

/// <summary>A venue's answer, read whole. Description is "venue METHOD path" for messages.</summary>
public sealed record VenueResponse(HttpStatusCode Status, string Body, HttpResponseHeaders Headers, string Description)
{
    public int Code => (int)Status;
    public bool IsSuccess => Code is >= 200 and < 300;

    // Stryker disable once Linq : TryGetValues answers true only with at least one value (an empty header reads as ""), so First and FirstOrDefault agree
    public string? Header(string name) => Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    /// <summary>Retry-After in seconds or as a date, when the venue sent one.</summary>
    public TimeSpan? RetryAfter(DateTimeOffset now)
    {
        if (Headers.RetryAfter?.Delta is { } delta) return delta;
        // Stryker disable once Equality : at the date itself both sides are a zero wait
        if (Headers.RetryAfter?.Date is { } date) return date > now ? date - now : TimeSpan.Zero;
        return null;
    }

    /// <summary>A short, secret-free excerpt of the body for an error message (venue error payloads name codes, not keys).</summary>
    public string Excerpt => Body.Length <= 300 ? Body : Body[..300] + "…";
}
