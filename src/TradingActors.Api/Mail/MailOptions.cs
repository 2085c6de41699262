namespace TradingActors.Api.Mail;

/// <summary>Outgoing mail ("Trading:Mail"): an SMTP server, and optionally the local sink hosted by this node.</summary>
public sealed class MailOptions
{
    public const string Section = "Trading:Mail";

    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 2525;

    /// <summary>STARTTLS when the server offers it; off for the local sink.</summary>
    public bool UseStartTls { get; set; }
    public string UserName { get; set; } = "";
    public string Password { get; set; } = "";
    public string From { get; set; } = "TradingActors <no-reply@tradingactors.local>";

    /// <summary>
    /// Development and demo only: host the local SMTP sink (MailSink) in this node on Host:Port,
    /// and serve what it received at GET /mailbox. Never in production: the mailbox shows every mail's links.
    /// </summary>
    public bool HostSink { get; set; }

    public void Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Host)) errors.Add("Trading:Mail:Host is required");
        if (Port is < 1 or > 65535) errors.Add("Trading:Mail:Port must be in 1..65535");
        try { _ = MimeKit.MailboxAddress.Parse(From); }
        catch (MimeKit.ParseException) { errors.Add("Trading:Mail:From must be a mail address"); }
        if (HostSink && !System.Net.IPAddress.TryParse(Host, out _)) errors.Add("Trading:Mail:Host must be an IP address when the node hosts the sink (HostSink)");
        if (errors.Count > 0) throw new ArgumentException("invalid mail options: " + string.Join("; ", errors));
    }
}
