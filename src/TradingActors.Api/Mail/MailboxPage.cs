using System.Text;
using System.Text.Encodings.Web;

namespace TradingActors.Api.Mail;

/// <summary>GET /mailbox (only where the node hosts the sink): the mails the sink received, newest first, links clickable.</summary>
public static class MailboxPage
{
    public static string Render(IReadOnlyList<ReceivedMail> mails)
    {
        var html = HtmlEncoder.Default;
        var page = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>TradingActors mailbox (development)</title></head><body>");
        page.Append("<h1>Mailbox</h1><p>Mails the local SMTP sink received (development only).</p>");
        if (mails.Count == 0) page.Append("<p>No mail yet.</p>");
        foreach (var mail in mails.Reverse())
        {
            page.Append("<hr><p><b>").Append(html.Encode(mail.Subject)).Append("</b><br>to ").Append(html.Encode(mail.To))
                .Append(" at ").Append(html.Encode(mail.ReceivedAt.ToString("u"))).Append("</p>");
            foreach (var link in mail.Links)
                page.Append("<p><a href=\"").Append(html.Encode(link)).Append("\">").Append(html.Encode(link)).Append("</a></p>");
            page.Append("<pre>").Append(html.Encode(mail.Text)).Append("</pre>");
        }
        return page.Append("</body></html>").ToString();
    }
}
