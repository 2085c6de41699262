using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TradingActors.Brokers.Fakes;

/// <summary>
/// The base of every venue's local fake: an ASP.NET Core server on 127.0.0.1 answering the venue's paths, headers
/// and bodies, over one <see cref="FakeExchange"/>. The venue's fake maps its routes, checks auth the venue's way,
/// returns the venue's error payloads and enforces its limits; this base adds what every fake can be told to do
/// (<see cref="Faults"/>: fail, hang, or take an order and drop the answer) and counts what it saw.
/// Runs in a test or standalone (`scripts/fakes.sh`), on a chosen port or an ephemeral one (0).
/// </summary>
public abstract class FakeVenueServer : IAsyncDisposable
{
    private WebApplication? _app;
    private long _requests;
    private long _refusedForRate;

    protected FakeVenueServer(FakeExchange exchange) => Exchange = exchange;

    /// <summary>The venue's name, as the engine's connector names it ("bybit").</summary>
    public abstract string Venue { get; }

    public FakeExchange Exchange { get; }
    public FakeFaults Faults { get; } = new();
    public Uri BaseUrl { get; private set; } = new("http://127.0.0.1/");

    /// <summary>Requests answered (or refused) so far.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Requests refused for the venue's rate limits (429, a ban, a retCode 10006...).</summary>
    public long RefusedForRate => Interlocked.Read(ref _refusedForRate);

    /// <summary>Seeds an account with the given credentials the fake will accept (venue specific: key/secret, token...).</summary>
    public abstract void SeedAccount(string accountNumber, string apiKey, string apiSecret, decimal cash = 100_000m);

    public async Task StartAsync(int port = 0, CancellationToken ct = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
        builder.Services.AddRouting();
        var app = builder.Build();
        app.Use(async (ctx, next) =>
        {
            Interlocked.Increment(ref _requests);
            await Faults.PlayAsync(ctx, next, WriteFailureAsync);
        });
        MapRoutes(app);
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = new Uri(address.EndsWith('/') ? address : address + "/");
        _app = app;
    }

    /// <summary>The venue's routes, each checking auth and limits the venue's way.</summary>
    protected abstract void MapRoutes(WebApplication app);

    /// <summary>What the venue answers when it fails internally (told to by <see cref="FakeFaultKind.Fail"/>): its 5xx and error payload.</summary>
    protected abstract Task WriteFailureAsync(HttpContext ctx);

    /// <summary>Counts a request the venue's limits refused.</summary>
    protected void CountRefusedForRate() => Interlocked.Increment(ref _refusedForRate);

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }
}

public enum FakeFaultKind
{
    None = 0,
    /// <summary>The venue answers its own internal error (5xx) without doing anything.</summary>
    Fail,
    /// <summary>The venue never answers (until the client gives up); nothing is done.</summary>
    Hang,
    /// <summary>The venue does the request (takes the order), then the connection drops before the answer.</summary>
    DropAfterAccept,
}

/// <summary>What a fake is told to do to its next requests: a fault for requests whose path contains a text, a number of times or until cleared.</summary>
public sealed class FakeFaults
{
    private readonly Lock _gate = new();
    private FakeFaultKind _kind;
    private string? _pathContains;
    private int _times;

    public void Set(FakeFaultKind kind, string? pathContains = null, int times = int.MaxValue)
    {
        lock (_gate) (_kind, _pathContains, _times) = (kind, pathContains, times);
    }

    public void Clear() => Set(FakeFaultKind.None);

    private FakeFaultKind Take(HttpRequest request)
    {
        lock (_gate)
        {
            if (_kind == FakeFaultKind.None || _times <= 0) return FakeFaultKind.None;
            if (_pathContains is not null && !(request.Path.Value ?? "").Contains(_pathContains, StringComparison.Ordinal)) return FakeFaultKind.None;
            _times--;
            return _kind;
        }
    }

    internal async Task PlayAsync(HttpContext ctx, RequestDelegate next, Func<HttpContext, Task> writeFailure)
    {
        switch (Take(ctx.Request))
        {
            case FakeFaultKind.Fail:
                await writeFailure(ctx);
                return;
            case FakeFaultKind.Hang:
                try { await Task.Delay(Timeout.Infinite, ctx.RequestAborted); }
                catch (OperationCanceledException) { }
                return;
            case FakeFaultKind.DropAfterAccept:
                // Let the venue act, keep its answer, and cut the connection instead of sending it.
                var body = ctx.Response.Body;
                ctx.Response.Body = new MemoryStream();
                await next(ctx);
                ctx.Response.Body = body;
                ctx.Abort();
                return;
            default:
                await next(ctx);
                return;
        }
    }
}

/// <summary>A fixed-window request counter per key (an API key, an IP): how venues count their limits.</summary>
public sealed class FakeRateWindow(int limit, TimeSpan window, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (DateTimeOffset Start, int Count)> _windows = new(StringComparer.Ordinal);

    public int Limit => limit;

    /// <summary>Counts one request; false when the key is over its limit in the current window. Remaining and Reset describe the window after this request.</summary>
    public bool TryTake(string key, out int remaining, out DateTimeOffset reset)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            var (start, count) = _windows.GetValueOrDefault(key);
            if (now - start >= window) (start, count) = (now, 0);
            reset = start + window;
            if (count >= limit)
            {
                remaining = 0;
                _windows[key] = (start, count);
                return false;
            }
            _windows[key] = (start, ++count);
            remaining = limit - count;
            return true;
        }
    }
}
