using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace TradingActors.Billing.Fakes;

/// <summary>An event the fake emitted: its id, type, creation time and the exact JSON delivered (Stripe's event envelope).</summary>
public sealed record StripeFakeEvent(string Id, string Type, DateTimeOffset Created, string Json);

/// <summary>The order a batch of events (what one operation emitted) is delivered in.</summary>
public enum WebhookOrder
{
    /// <summary>As emitted.</summary>
    InOrder = 0,
    /// <summary>Last emitted first.</summary>
    Reverse = 1,
    /// <summary>Shuffled with a seeded random, so a test can repeat an order.</summary>
    Shuffle = 2,
}

/// <summary>
/// How the fake delivers its webhooks, settable at any time: the order within a batch, how many times each event is
/// delivered (Stripe delivers at least once), and whether deliveries are held until released.
/// </summary>
public sealed record WebhookDeliverySettings(WebhookOrder Order = WebhookOrder.InOrder, int Repeat = 1, int Seed = 0, bool Hold = false)
{
    public static readonly WebhookDeliverySettings Normal = new();
}

/// <summary>One HTTP attempt at delivering an event: the receiver's status and body, or the failure (null status).</summary>
public sealed record WebhookAttempt(string EventId, string EventType, int Attempt, int? StatusCode, string? ResponseBody, string? Error, DateTimeOffset At)
{
    public bool Succeeded => StatusCode is >= 200 and < 300;
}

/// <summary>
/// Delivers the fake's events to the configured endpoint as Stripe does: POST application/json, signed
/// "Stripe-Signature: t={unix},v1={hex HMAC-SHA256 of "{t}.{body}" under the endpoint secret}", a non-2xx or failed
/// attempt retried with a doubling delay up to <see cref="MaxAttempts"/>. Delivery is awaited by the operation that
/// emitted the events, so a test sees them handled when the call returns.
/// </summary>
public sealed class StripeWebhookSender : IDisposable
{
    private readonly Lock _gate = new();
    private readonly string _secret;
    private readonly TimeProvider _time;
    private HttpClient _http;
    private readonly TimeSpan _timeout;
    private readonly List<WebhookAttempt> _attempts = [];
    private readonly List<StripeFakeEvent> _held = [];
    private WebhookDeliverySettings _settings = WebhookDeliverySettings.Normal;
    private Uri? _endpoint;
    private Random? _shuffle;

    internal StripeWebhookSender(string secret, Uri? endpoint, TimeProvider time, int maxAttempts, TimeSpan retryDelay, TimeSpan timeout)
    {
        _secret = secret;
        _endpoint = endpoint;
        _time = time;
        MaxAttempts = maxAttempts;
        RetryDelay = retryDelay;
        _timeout = timeout;
        _http = new HttpClient { Timeout = timeout };
    }

    /// <summary>
    /// Delivers through <paramref name="handler"/> from now on instead of the network: a test host without a socket (an
    /// ASP.NET TestServer's handler). The handler is not disposed with the sender.
    /// </summary>
    public void SendThrough(HttpMessageHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var previous = _http;
        _http = new HttpClient(handler, disposeHandler: false) { Timeout = _timeout };
        previous.Dispose();
    }

    /// <summary>Where events are delivered; null: they are only stored (GET /v1/events).</summary>
    public Uri? EndpointUrl
    {
        get { lock (_gate) return _endpoint; }
        set { lock (_gate) _endpoint = value; }
    }

    public WebhookDeliverySettings Settings
    {
        get { lock (_gate) return _settings; }
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            ArgumentOutOfRangeException.ThrowIfLessThan(value.Repeat, 1);
            lock (_gate)
            {
                _settings = value;
                _shuffle = new Random(value.Seed);
            }
        }
    }

    /// <summary>Attempts per delivery (the first included) before it is given up.</summary>
    public int MaxAttempts { get; set; }

    /// <summary>Delay before the first retry; each next one doubles it.</summary>
    public TimeSpan RetryDelay { get; set; }

    /// <summary>Every attempt so far, in the order made.</summary>
    public IReadOnlyList<WebhookAttempt> Attempts
    {
        get { lock (_gate) return [.. _attempts]; }
    }

    /// <summary>The ids of the events delivered (a 2xx), once per delivery, in delivery order.</summary>
    public IReadOnlyList<string> Delivered
    {
        get { lock (_gate) return _attempts.Where(a => a.Succeeded).Select(a => a.EventId).ToList(); }
    }

    /// <summary>The events held (while <see cref="WebhookDeliverySettings.Hold"/>), in emission order.</summary>
    public IReadOnlyList<StripeFakeEvent> Held
    {
        get { lock (_gate) return [.. _held]; }
    }

    /// <summary>Forgets the attempts made so far (held events stay held).</summary>
    public void ClearAttempts()
    {
        lock (_gate) _attempts.Clear();
    }

    /// <summary>The Stripe-Signature header for <paramref name="payload"/> at <paramref name="timestamp"/>.</summary>
    public static string Sign(string payload, string secret, long timestamp)
    {
        var t = timestamp.ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{payload}"));
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }

    /// <summary>Delivers the held events: those named, in that order (the rest stay held), or all of them in <paramref name="order"/>.</summary>
    public async Task ReleaseAsync(IReadOnlyList<string>? eventIds = null, WebhookOrder order = WebhookOrder.InOrder, CancellationToken ct = default)
    {
        List<StripeFakeEvent> batch;
        int repeat;
        lock (_gate)
        {
            repeat = _settings.Repeat;
            if (eventIds is null)
            {
                batch = Ordered(_held, order);
                _held.Clear();
            }
            else
            {
                batch = [];
                foreach (var id in eventIds)
                {
                    var e = _held.FirstOrDefault(h => h.Id == id) ?? throw new ArgumentException($"event '{id}' is not held", nameof(eventIds));
                    _held.Remove(e);
                    batch.Add(e);
                }
            }
        }
        await SendAllAsync(batch, repeat, ct);
    }

    /// <summary>Delivers one event again, now (Stripe's "resend"), whatever the settings.</summary>
    public Task RedeliverAsync(StripeFakeEvent e, CancellationToken ct = default) => DeliverAsync(e, ct);

    /// <summary>What one operation emitted: ordered, repeated or held by the current settings.</summary>
    internal async Task EmitAsync(IReadOnlyList<StripeFakeEvent> batch, CancellationToken ct)
    {
        if (batch.Count == 0) return;
        List<StripeFakeEvent> ordered;
        int repeat;
        lock (_gate)
        {
            if (_settings.Hold)
            {
                _held.AddRange(batch);
                return;
            }
            ordered = Ordered(batch, _settings.Order);
            repeat = _settings.Repeat;
        }
        await SendAllAsync(ordered, repeat, ct);
    }

    private async Task SendAllAsync(IReadOnlyList<StripeFakeEvent> batch, int repeat, CancellationToken ct)
    {
        foreach (var e in batch)
        {
            for (var i = 0; i < repeat; i++) await DeliverAsync(e, ct);
        }
    }

    /// <summary>Must hold the gate (the shuffle's random is shared, so a seed gives the same orders in sequence).</summary>
    private List<StripeFakeEvent> Ordered(IReadOnlyList<StripeFakeEvent> batch, WebhookOrder order)
    {
        var list = batch.ToList();
        switch (order)
        {
            case WebhookOrder.Reverse:
                list.Reverse();
                break;
            case WebhookOrder.Shuffle:
                _shuffle ??= new Random(_settings.Seed);
                _shuffle.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list));
                break;
        }
        return list;
    }

    private async Task DeliverAsync(StripeFakeEvent e, CancellationToken ct)
    {
        var endpoint = EndpointUrl;
        if (endpoint is null) return;
        var delay = RetryDelay;
        for (var attempt = 1; attempt <= Math.Max(1, MaxAttempts); attempt++)
        {
            if (attempt > 1)
            {
                await Task.Delay(delay, ct);
                delay *= 2;
            }
            var result = await AttemptAsync(endpoint, e, attempt, ct);
            lock (_gate) _attempts.Add(result);
            if (result.Succeeded) return;
        }
    }

    private async Task<WebhookAttempt> AttemptAsync(Uri endpoint, StripeFakeEvent e, int attempt, CancellationToken ct)
    {
        // Each attempt is signed anew, at its own time, as Stripe does.
        var now = _time.GetUtcNow();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new StringContent(e.Json, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", Sign(e.Json, _secret, now.ToUnixTimeSeconds()));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Stripe", "1.0"));
        try
        {
            using var response = await _http.SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            return new WebhookAttempt(e.Id, e.Type, attempt, (int)response.StatusCode, body.Length > 2000 ? body[..2000] : body, null, now);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return new WebhookAttempt(e.Id, e.Type, attempt, null, null, ex.GetType().Name + ": " + ex.Message, now);
        }
    }

    public void Dispose() => _http.Dispose();
}
