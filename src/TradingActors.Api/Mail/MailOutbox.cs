using System.Threading.Channels;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace TradingActors.Api.Mail;

/// <summary>
/// Mails leave the request: a route queues its mail and answers at once, so an answer's timing does
/// not tell whether a mail was sent (forgot-password must not reveal whether an email exists).
/// </summary>
public sealed class MailOutbox
{
    private readonly Channel<MimeMessage> _queue = Channel.CreateBounded<MimeMessage>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });

    public void Enqueue(MimeMessage message) => _queue.Writer.TryWrite(message);

    internal ChannelReader<MimeMessage> Reader => _queue.Reader;
}

/// <summary>Sends queued mails with MailKit to the configured SMTP server, retrying a few times.</summary>
public sealed class MailSender(MailOutbox outbox, IOptions<MailOptions> options, ILogger<MailSender> log) : BackgroundService
{
    private static readonly TimeSpan[] Retries = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30)];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var message in outbox.Reader.ReadAllAsync(stoppingToken))
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await SendAsync(message, stoppingToken);
                    log.LogInformation("mail sent: {Subject}", message.Subject);
                    break;
                }
                catch (Exception e) when (e is not OperationCanceledException && attempt < Retries.Length)
                {
                    log.LogWarning("mail not sent ({Error}); retrying in {Delay}", e.GetType().Name, Retries[attempt]);
                    await Task.Delay(Retries[attempt], stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log.LogError("mail dropped after {Attempts} attempts: {Subject} ({Error})", attempt + 1, message.Subject, e.GetType().Name);
                    break;
                }
            }
        }
    }

    private async Task SendAsync(MimeMessage message, CancellationToken ct)
    {
        var o = options.Value;
        using var client = new SmtpClient();
        await client.ConnectAsync(o.Host, o.Port, o.UseStartTls ? SecureSocketOptions.StartTls : SecureSocketOptions.None, ct);
        if (!string.IsNullOrEmpty(o.UserName)) await client.AuthenticateAsync(o.UserName, o.Password, ct);
        await client.SendAsync(message, ct);
        await client.DisconnectAsync(true, ct);
    }
}

/// <summary>Hosts the local mail sink in this node when Trading:Mail:HostSink is on (run.sh).</summary>
public sealed class HostedMailSink(IOptions<MailOptions> options, ILogger<MailSink> log) : IHostedService
{
    public MailSink? Sink { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.HostSink) return;
        Sink = await MailSink.StartAsync(options.Value.Host, options.Value.Port, log);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Sink is { } sink) await sink.DisposeAsync();
    }
}
