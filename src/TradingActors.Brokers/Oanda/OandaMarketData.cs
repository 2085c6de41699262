using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TradingActors.Domain.Market;

namespace TradingActors.Brokers.Oanda;

/// <summary>
/// OANDA's price stream (GET {stream host}/v3/accounts/{id}/pricing/stream?instruments=...) as mid prices: one
/// JSON object per line, PRICE (bids, asks, closeout prices) or HEARTBEAT (every 5 s). The feed keeps itself up:
/// <list type="bullet">
/// <item>a stream that ends, breaks or cannot be opened is reopened after an exponential, jittered, capped wait
/// (the wait starts over once a connection delivered a line);</item>
/// <item>no line at all for <see cref="OandaOptions.StreamStallTimeout"/> (OANDA's heartbeats stopped) is a stall:
/// the connection is dropped and reopened;</item>
/// <item>a refused token (401/403) is reported and retried only after <see cref="OandaOptions.StreamAuthRetryDelay"/>;</item>
/// <item>the caller's token ends it.</item>
/// </list>
/// What happens is told to the caller (<see cref="OandaFeedEvent"/>) and logged — without the token, which is only
/// ever in the Authorization header. The HttpClient should have no timeout of its own (a stream is long): the stall
/// timeout bounds every wait.
/// </summary>
public sealed class OandaMarketData
{
    private readonly OandaOptions _options;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Func<double> _jitter;

    /// <param name="jitter">A source of numbers in [0, 1) for the reconnection jitter (tests pin it); Random.Shared by default.</param>
    public OandaMarketData(OandaOptions options, HttpClient http, TimeProvider time, ILogger? log = null, Func<double>? jitter = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        _http = http;
        _time = time;
        _log = log ?? NullLogger.Instance;
        _jitter = jitter ?? Random.Shared.NextDouble;
    }

    /// <summary>Calls <paramref name="onPrice"/> for every price until <paramref name="ct"/> is cancelled (then throws <see cref="OperationCanceledException"/>).</summary>
    public async Task RunAsync(BrokerAccount account, IReadOnlyCollection<string> instruments, Func<PriceUpdate, ValueTask> onPrice, Action<OandaFeedEvent>? onEvent, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(onPrice);
        await foreach (var price in StreamAsync(account, instruments, onEvent, ct)) await onPrice(price);
    }

    /// <summary>
    /// The mid prices of <paramref name="instruments"/> for the account (its token, its mode's stream host), until
    /// <paramref name="ct"/> is cancelled (then the enumeration throws <see cref="OperationCanceledException"/>).
    /// </summary>
    public async IAsyncEnumerable<PriceUpdate> StreamAsync(BrokerAccount account, IReadOnlyCollection<string> instruments, Action<OandaFeedEvent>? onEvent = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(instruments);
        if (instruments.Count == 0) throw new ArgumentException("at least one instrument", nameof(instruments));
        if (string.IsNullOrWhiteSpace(account.ApiKey)) throw new ArgumentException($"account {account.VenueAccountNumber} has no OANDA API token", nameof(account));
        var url = new Uri(_options.StreamUrl(account), OandaWire.Paths.PricingStream(account.VenueAccountNumber, instruments));
        var failures = 0;
        while (true)
        {
            var connection = await OpenAsync(url, account.ApiKey, ct); // a cancelled token ends it here or in the wait below
            var ending = connection.Ending;
            if (connection.Stream is { } stream)
            {
                Tell(onEvent, new OandaFeedEvent(OandaFeedState.Connected, $"streaming {string.Join(',', instruments)}", null));
                await using (stream)
                {
                    while (true)
                    {
                        var line = await stream.NextAsync(ct);
                        if (line.Ending is { } ended)
                        {
                            ending = ended;
                            break;
                        }
                        failures = 0; // a line came: the connection was healthy, the next reconnection starts from the first delay
                        if (line.Price is { } price) yield return price;
                    }
                }
            }
            var wait = ending!.State == OandaFeedState.AuthRefused
                ? Jittered(_options.StreamAuthRetryDelay, _jitter())
                : ReconnectDelay(failures++, _options.StreamFirstReconnectDelay, _options.StreamMaxReconnectDelay, _jitter());
            Tell(onEvent, ending with { ReconnectIn = wait });
            await Task.Delay(wait, _time, ct);
        }
    }

    /// <summary>
    /// The wait before reconnecting after <paramref name="failures"/> failed attempts in a row: first × 2^failures,
    /// capped at <paramref name="max"/>, of which half is fixed and half scaled by <paramref name="jitter"/> in [0, 1)
    /// (so many feeds that broke together do not come back together).
    /// </summary>
    public static TimeSpan ReconnectDelay(int failures, TimeSpan first, TimeSpan max, double jitter)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(failures);
        var ticks = Math.Min(first.Ticks * Math.Pow(2, Math.Min(failures, 30)), max.Ticks);
        return Jittered(TimeSpan.FromTicks((long)ticks), jitter);
    }

    /// <summary>Half of <paramref name="delay"/> fixed, half scaled by <paramref name="jitter"/> in [0, 1).</summary>
    public static TimeSpan Jittered(TimeSpan delay, double jitter)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(jitter);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(jitter, 1d);
        return TimeSpan.FromTicks(delay.Ticks / 2 + (long)(delay.Ticks / 2 * jitter));
    }

    /// <summary>
    /// One line of the stream. IsLine: it is a stream object (PRICE, HEARTBEAT, or a type added later). Price: a
    /// PRICE's mid, (best bid + best ask) / 2, the closeout price standing in for an empty side; null for any other
    /// object and for a PRICE without a usable bid, ask, time or instrument.
    /// </summary>
    public static (bool IsLine, PriceUpdate? Price) ParseLine(string line)
    {
        var parsed = OandaWire.Read<OandaStreamLine>(line);
        if (parsed?.Type is null) return (false, null);
        if (parsed.Type != OandaWire.PriceLine || string.IsNullOrEmpty(parsed.Instrument)) return (true, null);
        if (!OandaWire.TryDecimal(parsed.Bids is [var b, ..] ? b.Price : parsed.CloseoutBid, out var bid)
            || !OandaWire.TryDecimal(parsed.Asks is [var a, ..] ? a.Price : parsed.CloseoutAsk, out var ask))
            return (true, null);
        try
        {
            return OandaWire.Time(parsed.Time) is { } time ? (true, new PriceUpdate(parsed.Instrument, (bid + ask) / 2, time)) : (true, null);
        }
        catch (FormatException)
        {
            return (true, null);
        }
    }

    private void Tell(Action<OandaFeedEvent>? onEvent, OandaFeedEvent e)
    {
        if (e.State == OandaFeedState.Connected) _log.LogInformation("oanda price stream: {Reason}", e.Reason);
        else _log.LogWarning("oanda price stream {State}: {Reason}; reconnecting in {Wait}", e.State, e.Reason, e.ReconnectIn);
        onEvent?.Invoke(e);
    }

    /// <summary>Opens the stream; the stall timeout bounds the wait for OANDA's answer too.</summary>
    private async Task<(LineStream? Stream, OandaFeedEvent? Ending)> OpenAsync(Uri url, string token, CancellationToken ct)
    {
        // One source per connection: the caller's token, and cancelled by the stall timer.
        var stall = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stall.CancelAfter(_options.StreamStallTimeout);
        HttpResponseMessage? response = null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            OandaAuth.Authorize(request, token);
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stall.Token);
            var status = (int)response.StatusCode;
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                var body = OandaWire.Read<OandaResponse>(await response.Content.ReadAsStringAsync(stall.Token));
                return (null, Ended(OandaFeedState.AuthRefused, $"the API token was refused ({status} {body?.ErrorMessage})"));
            }
            if (!response.IsSuccessStatusCode) return (null, Ended(OandaFeedState.Refused, $"the stream was refused ({status})"));
            var stream = new LineStream(response, await response.Content.ReadAsStreamAsync(stall.Token), stall, _options.StreamStallTimeout);
            (response, stall) = (null, null!); // the stream owns them now
            return (stream, null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, Ended(OandaFeedState.Stalled, $"no answer within {_options.StreamStallTimeout.TotalSeconds:0.###} s"));
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return (null, Ended(OandaFeedState.Disconnected, $"could not connect ({e.GetType().Name}: {e.Message})"));
        }
        // Stryker disable all : releasing a refused answer's connection and the timer is not observable
        finally
        {
            response?.Dispose();
            stall?.Dispose();
        }
        // Stryker restore all
    }

    private static OandaFeedEvent Ended(OandaFeedState state, string reason) => new(state, reason, null);

    /// <summary>An open stream read line by line, each read bounded by the stall timeout.</summary>
    private sealed class LineStream(HttpResponseMessage response, Stream content, CancellationTokenSource stall, TimeSpan stallTimeout)
        : IAsyncDisposable
    {
        private readonly StreamReader _reader = new(content);

        public async Task<(PriceUpdate? Price, OandaFeedEvent? Ending)> NextAsync(CancellationToken ct)
        {
            while (true)
            {
                string? text;
                try
                {
                    stall.CancelAfter(stallTimeout);
                    text = await _reader.ReadLineAsync(stall.Token);
                    // Time spent by the consumer between lines is not the venue's silence.
                    stall.CancelAfter(Timeout.InfiniteTimeSpan);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    return (null, Ended(OandaFeedState.Stalled, $"no heartbeat or price within {stallTimeout.TotalSeconds:0.###} s"));
                }
                catch (Exception e) when (e is IOException or HttpRequestException)
                {
                    return (null, Ended(OandaFeedState.Disconnected, $"the stream broke ({e.GetType().Name}: {e.Message})"));
                }
                if (text is null) return (null, Ended(OandaFeedState.Disconnected, "the stream ended"));
                var (isLine, price) = ParseLine(text);
                // A line that is no stream object is skipped; any object (a heartbeat too) shows the stream is alive.
                if (isLine) return (price, null);
            }
        }

        public ValueTask DisposeAsync()
        {
            // The answer's disposal closes its content stream and so the connection: OANDA's side ends too.
            response.Dispose();
            // Stryker disable once Statement : releasing the timer is not observable
            stall.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>Where the price feed stands: connected, or why it is not (and when it tries again).</summary>
public enum OandaFeedState
{
    Connected = 1,
    /// <summary>The stream ended, broke, or could not be opened.</summary>
    Disconnected,
    /// <summary>Nothing arrived (not even a heartbeat) within the stall timeout.</summary>
    Stalled,
    /// <summary>OANDA refused the token (401/403): retried only after the longer auth wait.</summary>
    AuthRefused,
    /// <summary>OANDA answered the stream request with another error.</summary>
    Refused,
}

/// <summary>A change of the feed's state; ReconnectIn is the wait before the next attempt (null when connected).</summary>
public sealed record OandaFeedEvent(OandaFeedState State, string Reason, TimeSpan? ReconnectIn);
