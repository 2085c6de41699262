using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using MimeKit;
using SmtpServer;
using SmtpServer.ComponentModel;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace TradingActors.Api.Mail;

/// <summary>A mail the sink received, with the links and tokens found in its text.</summary>
public sealed record ReceivedMail(string To, string Subject, string Text, IReadOnlyList<string> Links, IReadOnlyList<string> Tokens, DateTimeOffset ReceivedAt);

/// <summary>
/// A local SMTP server (the SmtpServer library) that keeps what it receives in memory: tests read the
/// mails from it over real SMTP, and run.sh's node hosts one so a new user can read their
/// verification mail (GET /mailbox, and its log prints each mail's links). Development only.
/// </summary>
public sealed partial class MailSink : IAsyncDisposable
{
    private const int Kept = 200;
    private readonly ConcurrentQueue<ReceivedMail> _received = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger? _log;
    private Task _running = Task.CompletedTask;
    private event Action<ReceivedMail>? Arrived;

    private MailSink(ILogger? log) => _log = log;

    public int Port { get; private set; }

    public IReadOnlyList<ReceivedMail> Received => _received.ToArray();

    /// <summary>Starts listening on host:port (0 picks a free port; see <see cref="Port"/>).</summary>
    public static async Task<MailSink> StartAsync(string host, int port, ILogger? log = null)
    {
        var sink = new MailSink(log);
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var listeners = new EndpointListenerFactory();
        listeners.EndpointStarted += (_, e) => listening.TrySetResult(((IPEndPoint)e.LocalEndPoint).Port);
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(listeners);
        services.Add(new Store(sink));
        var options = new SmtpServerOptionsBuilder()
            .ServerName("tradingactors-mail-sink")
            .Endpoint(b => b.Endpoint(new IPEndPoint(IPAddress.Parse(host), port)))
            .Build();
        var server = new SmtpServer.SmtpServer(options, services);
        sink._running = server.StartAsync(sink._stop.Token);
        var first = await Task.WhenAny(listening.Task, sink._running, Task.Delay(TimeSpan.FromSeconds(10)));
        if (first != listening.Task)
        {
            await sink.DisposeAsync();
            throw new InvalidOperationException($"the mail sink could not listen on {host}:{port}");
        }
        sink.Port = await listening.Task;
        log?.LogInformation("mail sink: listening on {Host}:{Port}", host, sink.Port);
        return sink;
    }

    /// <summary>The first mail (already received or arriving within the timeout) that matches.</summary>
    public async Task<ReceivedMail> WaitForAsync(Func<ReceivedMail, bool> match, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<ReceivedMail>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnArrived(ReceivedMail m) { if (match(m)) found.TrySetResult(m); }
        Arrived += OnArrived;
        try
        {
            if (_received.FirstOrDefault(match) is { } already) return already;
            return await found.Task.WaitAsync(timeout);
        }
        finally { Arrived -= OnArrived; }
    }

    private void Keep(MimeMessage message)
    {
        var text = message.TextBody ?? "";
        var mail = new ReceivedMail(
            string.Join(", ", message.To.Mailboxes.Select(m => m.Address)),
            message.Subject ?? "",
            text,
            LinkPattern().Matches(text).Select(m => m.Value).ToList(),
            TokenPattern().Matches(text).Select(m => m.Groups[1].Value).ToList(),
            DateTimeOffset.UtcNow);
        _received.Enqueue(mail);
        while (_received.Count > Kept) _received.TryDequeue(out _);
        // By design (development only): the links are what a user needs to go on.
        _log?.LogInformation("mail sink: to {To}: {Subject} {Links}", mail.To, mail.Subject, string.Join(" ", mail.Links.Concat(mail.Tokens.Select(t => "token=" + t))));
        Arrived?.Invoke(mail);
    }

    [GeneratedRegex(@"https?://[^\s<>""]+")]
    private static partial Regex LinkPattern();

    [GeneratedRegex(@"(?m)^Token: (\S+)$")]
    private static partial Regex TokenPattern();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _running; }
        catch (OperationCanceledException) { }
        _stop.Dispose();
    }

    private sealed class Store(MailSink sink) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            await using var stream = new MemoryStream(buffer.ToArray());
            sink.Keep(await MimeMessage.LoadAsync(stream, cancellationToken));
            return SmtpResponse.Ok;
        }
    }
}
