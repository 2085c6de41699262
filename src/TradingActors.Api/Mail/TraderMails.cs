using Microsoft.Extensions.Options;
using MimeKit;

namespace TradingActors.Api.Mail;

/// <summary>The mails the API sends. Tokens appear only in the mail body, on a line of their own.</summary>
public sealed class TraderMails(IOptions<MailOptions> mail, IOptions<TraderApiOptions> api)
{
    public MimeMessage Verification(string to, string token) => Text(to, "Verify your TradingActors email address",
        $$"""
        Welcome to TradingActors.

        Open this link to verify your email address (it works once and expires in {{api.Value.EmailVerificationLifetime.TotalHours:0}} hours):
        {{Base}}/api/v1/auth/verify-email?token={{token}}

        Or POST {{Base}}/api/v1/auth/verify-email with {"token": "..."} and this token:
        Token: {{token}}
        """);

    public MimeMessage AlreadyRegistered(string to) => Text(to, "Your TradingActors account",
        $$"""
        Someone (perhaps you) tried to register this email address again. It already has an account:
        log in, or if you forgot the password, ask for a reset at {{Base}}/api/v1/auth/forgot-password.
        """);

    public MimeMessage PasswordReset(string to, string token) => Text(to, "Reset your TradingActors password",
        $$"""
        A password reset was asked for this email address. If it was not you, ignore this mail.

        POST {{Base}}/api/v1/auth/reset-password with {"token": "...", "newPassword": "..."} and this token
        (it works once and expires in {{api.Value.PasswordResetLifetime.TotalMinutes:0}} minutes):
        Token: {{token}}

        Every session of this account is signed out when the password changes.
        """);

    private string Base => api.Value.PublicBaseUrl.TrimEnd('/');

    private MimeMessage Text(string to, string subject, string body)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(mail.Value.From));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = body };
        return message;
    }
}
