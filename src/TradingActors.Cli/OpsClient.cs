using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace TradingActors.Cli;

/// <summary>Why a command failed, with the process exit code it ends with.</summary>
public sealed class OpsFailure(string message, int exitCode) : Exception(message)
{
    public const int NodeError = 1;
    /// <summary>The input was refused (tradectl backtest: an unknown kind, bad parameters, an unreadable or bad CSV).</summary>
    public const int Refused = 1;
    public const int Usage = 2;
    public const int Unreachable = 3;
    public const int TokenRefused = 4;
    /// <summary>Ctrl-C (128 + SIGINT, as a shell reports it).</summary>
    public const int Cancelled = 130;

    public int ExitCode { get; } = exitCode;
}

/// <summary>The node's /ops routes over HTTP, with the operator token as a bearer token.</summary>
public sealed class OpsClient(Uri node, string token, HttpMessageHandler? handler = null)
{
    private readonly HttpClient _http = new(handler ?? new SocketsHttpHandler()) { BaseAddress = node, Timeout = TimeSpan.FromSeconds(15) };

    public Task<JsonElement> GetAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Get, path, null, ct);

    public Task<JsonElement> PostAsync(string path, object? body, CancellationToken ct) => SendAsync(HttpMethod.Post, path, body, ct);

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, "ops/" + path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            throw new OpsFailure($"cannot reach the node at {node}: {e.Message}", OpsFailure.Unreachable);
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
                throw new OpsFailure($"the node at {node} refused the operator token (set --token or TRADECTL_TOKEN to its Trading:Ops:Token)",
                    OpsFailure.TokenRefused);
            if (response.StatusCode == HttpStatusCode.NotFound && text.Length == 0)
                throw new OpsFailure($"the node at {node} has no operator routes (Trading:Ops:Token unset, or this host is not allowed)",
                    OpsFailure.NodeError);
            if (!response.IsSuccessStatusCode) throw new OpsFailure(Problem(text, response.StatusCode), OpsFailure.NodeError);
            return JsonDocument.Parse(text).RootElement.Clone();
        }
    }

    /// <summary>A server-sent event stream's data lines as JSON, until the node closes it or the caller cancels.</summary>
    /// <param name="connected">called once the node has accepted the stream, before any event</param>
    public async IAsyncEnumerable<JsonElement> StreamAsync(string path, Action connected,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "ops/" + path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        HttpResponseMessage response;
        try
        {
            _http.Timeout = Timeout.InfiniteTimeSpan;
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException e)
        {
            throw new OpsFailure($"cannot reach the node at {node}: {e.Message}", OpsFailure.Unreachable);
        }
        using (response)
        {
            if (response.StatusCode == HttpStatusCode.Unauthorized)
                throw new OpsFailure($"the node at {node} refused the operator token (set --token or TRADECTL_TOKEN to its Trading:Ops:Token)",
                    OpsFailure.TokenRefused);
            if (!response.IsSuccessStatusCode) throw new OpsFailure(Problem(await response.Content.ReadAsStringAsync(ct), response.StatusCode), OpsFailure.NodeError);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
            connected();
            while (await reader.ReadLineAsync(ct) is { } line)
                if (line.StartsWith("data: ", StringComparison.Ordinal))
                    yield return JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone();
        }
    }

    /// <summary>A problem+json answer as "title: detail", else the status.</summary>
    private static string Problem(string text, HttpStatusCode status)
    {
        try
        {
            var problem = JsonDocument.Parse(text).RootElement;
            var title = problem.TryGetProperty("title", out var t) ? t.GetString() : null;
            var detail = problem.TryGetProperty("detail", out var d) ? d.GetString() : null;
            if (title is not null) return detail is null ? title : $"{title}: {detail}";
        }
        catch (JsonException) { }
        return $"the node answered {(int)status} {status}";
    }
}
