using System.Net;
using System.Text;

namespace TradingActors.Brokers.Tests.Venues.Kis;

/// <summary>A request as it left the connector: method, URI, headers and body.</summary>
internal sealed record Sent(HttpMethod Method, Uri Uri, Dictionary<string, string> Headers, string? ContentType, string Body)
{
    public string Path => Uri.AbsolutePath;
    public string Query(string name) =>
        Uri.Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2)).Where(p => p[0] == name).Select(p => Uri.UnescapeDataString(p[1])).Single();
}

/// <summary>Records every request the connector sends, then passes it on.</summary>
internal sealed class Recorder(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    public List<Sent> Requests { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(ct);
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        lock (Requests) Requests.Add(new Sent(request.Method, request.RequestUri!, headers, request.Content?.Headers.ContentType?.ToString(), body));
        return await base.SendAsync(request, ct);
    }
}

/// <summary>A venue scripted per request: answers in order, the last one repeated.</summary>
internal sealed class Scripted : HttpMessageHandler
{
    private readonly Queue<Func<HttpRequestMessage, HttpResponseMessage>> _answers = new();
    private Func<HttpRequestMessage, HttpResponseMessage>? _last;

    public List<HttpRequestMessage> Seen { get; } = [];

    /// <summary>The request bodies, read as they were sent ("" without one).</summary>
    public List<string> Bodies { get; } = [];

    public Scripted Then(int status, string body, string trCont = "")
    {
        _answers.Enqueue(_ =>
        {
            var response = new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            response.Headers.TryAddWithoutValidation("tr_cont", trCont);
            return response;
        });
        return this;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        Seen.Add(request);
        Bodies.Add(request.Content is null ? "" : await request.Content.ReadAsStringAsync(ct));
        if (_answers.Count > 0) _last = _answers.Dequeue();
        return _last!(request);
    }
}
