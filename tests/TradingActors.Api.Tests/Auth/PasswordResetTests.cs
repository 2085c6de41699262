using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TradingActors.Api.Tests.Infrastructure;

namespace TradingActors.Api.Tests.Auth;

[Collection(ApiCollection.Name)]
public sealed class PasswordResetTests(ApiFixture api)
{
    [Fact]
    public async Task Forgot_password_answers_the_same_for_an_unknown_email_and_mails_only_a_known_one()
    {
        var known = Trader.New(api, "forgot");
        await known.RegisterAndVerify();
        var unknownEmail = $"nobody-{Guid.NewGuid():N}@example.test";

        var forUnknown = await api.Client.PostAsJsonAsync("/api/v1/auth/forgot-password", new { email = unknownEmail });
        var forKnown = await api.Client.PostAsJsonAsync("/api/v1/auth/forgot-password", new { email = known.Email });

        Assert.Equal(HttpStatusCode.Accepted, forUnknown.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, forKnown.StatusCode);
        Assert.Equal(await forKnown.Content.ReadAsStringAsync(), await forUnknown.Content.ReadAsStringAsync());
        await known.Mail("Reset"); // mails leave in order: once this one arrived, the other would have too
        Assert.DoesNotContain(api.Mail.Received, m => m.To == unknownEmail);
    }

    [Fact]
    public async Task Resetting_the_password_revokes_every_refresh_token_and_the_reset_link_works_once()
    {
        var trader = Trader.New(api, "reset");
        await trader.RegisterAndVerify();
        var session = await trader.LoggedIn();
        Assert.Equal(HttpStatusCode.Accepted, (await api.Client.PostAsJsonAsync("/api/v1/auth/forgot-password", new { email = trader.Email })).StatusCode);
        var token = (await trader.Mail("Reset")).Tokens.Single();

        // A refused password leaves the token usable.
        var weak = await ProblemAssert.Is(await api.Client.PostAsJsonAsync("/api/v1/auth/reset-password", new { token, newPassword = "qwerty123456" }), HttpStatusCode.BadRequest, "validation");
        Assert.Contains(ProblemAssert.FieldErrors(weak, "newPassword"), e => e.Contains("common"));

        var newPassword = "A new and long passphrase " + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(HttpStatusCode.NoContent, (await api.Client.PostAsJsonAsync("/api/v1/auth/reset-password", new { token, newPassword })).StatusCode);
        await ProblemAssert.Is(await api.Client.PostAsJsonAsync("/api/v1/auth/reset-password", new { token, newPassword = newPassword + "x" }), HttpStatusCode.BadRequest, "invalid-token");

        await ProblemAssert.Is(await trader.Refresh(session.RefreshToken), HttpStatusCode.Unauthorized);
        await ProblemAssert.Is(await trader.Login(), HttpStatusCode.Unauthorized, "invalid-credentials");
        Assert.Equal(HttpStatusCode.OK, (await trader.Login(newPassword)).StatusCode);

        // Neither the reset token nor either password reached a log line or a problem.
        foreach (var secret in new[] { token, trader.Password, newPassword })
            Assert.DoesNotContain(api.Logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
        Assert.DoesNotContain("qwerty123456", weak.ToString());
    }
}
