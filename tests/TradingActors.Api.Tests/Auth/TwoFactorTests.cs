using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OtpNet;
using TradingActors.Api.Identity;
using TradingActors.Api.Tests.Infrastructure;

namespace TradingActors.Api.Tests.Auth;

[Collection(ApiCollection.Name)]
public sealed class TwoFactorTests(ApiFixture api)
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    /// <summary>The code an authenticator app shows for this secret at the fake clock's time.</summary>
    private string Code(string secret) => new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(api.Time.GetUtcNow().UtcDateTime);

    private static string Wrong(string code) => ((int.Parse(code) + 1) % 1_000_000).ToString("D6");

    [Fact]
    public async Task A_user_enables_2FA_logs_in_with_a_code_once_with_a_recovery_code_once_and_disables_it()
    {
        var trader = Trader.New(api, "totp");
        await trader.RegisterAndVerify();
        var session = await trader.LoggedIn();
        var seen = new List<string>(); // every response body after setup/enable, scanned for secrets at the end

        // Setup: a key and its otpauth URI; 2FA is not on yet, so login needs no code.
        var setupResponse = await trader.Post("/api/v1/auth/2fa/setup", session.AccessToken);
        Assert.Equal(HttpStatusCode.OK, setupResponse.StatusCode);
        var setup = await setupResponse.Content.ReadFromJsonAsync<JsonElement>();
        var secret = setup.GetProperty("sharedKey").GetString()!;
        Assert.Equal(20, Base32Encoding.ToBytes(secret).Length); // Identity's 160-bit authenticator key
        var uri = new Uri(setup.GetProperty("otpAuthUri").GetString()!);
        Assert.Equal("otpauth", uri.Scheme);
        Assert.Contains($"secret={secret}", uri.Query);
        Assert.Contains("issuer=TradingActors", uri.Query);
        Assert.Equal(HttpStatusCode.OK, (await trader.Login()).StatusCode);

        // Enable refuses a wrong code, then proves the key with the app's code and returns ten recovery codes.
        seen.Add(await ProblemResponse(trader.Post("/api/v1/auth/2fa/enable", session.AccessToken, new { code = Wrong(Code(secret)) }), HttpStatusCode.BadRequest, "invalid-2fa-code"));
        var enableCode = Code(secret);
        var enableResponse = await trader.Post("/api/v1/auth/2fa/enable", session.AccessToken, new { code = enableCode });
        Assert.Equal(HttpStatusCode.OK, enableResponse.StatusCode);
        var recoveryCodes = (await enableResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("recoveryCodes").EnumerateArray().Select(c => c.GetString()!).ToArray();
        Assert.Equal(10, recoveryCodes.Distinct().Count());

        // Stored: recovery codes only as hashes, none in clear.
        var stored = await Text(
            $"SELECT value FROM user_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = '{trader.Email}' AND t.name = 'RecoveryCodes'");
        Assert.Equal(10, stored.Split(';').Length);
        Assert.All(stored.Split(';'), h => Assert.Matches("^[0-9A-F]{64}$", h));
        foreach (var code in recoveryCodes) Assert.DoesNotContain(code, stored, StringComparison.OrdinalIgnoreCase);

        // The code that enabled 2FA is spent: enabling saved the user (Identity's UpdateAsync) without undoing that.
        seen.Add(await ProblemResponse(trader.Login(totpCode: enableCode), HttpStatusCode.Unauthorized, "invalid-2fa-code"));

        // Without a code: 2FA code required. A wrong code: invalid code, and it counts as a failed login.
        seen.Add(await ProblemResponse(trader.Login(), HttpStatusCode.Unauthorized, "2fa-code-required", "2FA code required"));
        var failuresBefore = await Failures(trader);
        api.Time.Advance(Step);
        seen.Add(await ProblemResponse(trader.Login(totpCode: Wrong(Code(secret))), HttpStatusCode.Unauthorized, "invalid-2fa-code", "Invalid code"));
        Assert.Equal(failuresBefore + 1, await Failures(trader));

        // The right code at this time logs in; the same code again (same step) is a replay and refused.
        var code1 = Code(secret);
        var withCode = await trader.Login(totpCode: code1);
        Assert.Equal(HttpStatusCode.OK, withCode.StatusCode);
        seen.Add(await withCode.Content.ReadAsStringAsync());
        seen.Add(await ProblemResponse(trader.Login(totpCode: code1), HttpStatusCode.Unauthorized, "invalid-2fa-code"));
        // A step later that code is still inside the ±1 step window, but not newer than the last one used: refused.
        api.Time.Advance(Step);
        seen.Add(await ProblemResponse(trader.Login(totpCode: code1), HttpStatusCode.Unauthorized, "invalid-2fa-code"));
        Assert.Equal(HttpStatusCode.OK, (await trader.Login(totpCode: Code(secret))).StatusCode);

        // A recovery code stands in for a TOTP code once.
        var recovered = await trader.Login(totpCode: recoveryCodes[3]);
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
        seen.Add(await recovered.Content.ReadAsStringAsync());
        seen.Add(await ProblemResponse(trader.Login(totpCode: recoveryCodes[3]), HttpStatusCode.Unauthorized, "invalid-2fa-code"));
        // Spending one removes exactly its hash; the other nine are stored as they were.
        var left = (await Text(
            $"SELECT value FROM user_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = '{trader.Email}' AND t.name = 'RecoveryCodes'")).Split(';');
        Assert.Equal(9, left.Length);
        Assert.Subset(stored.Split(';').ToHashSet(), left.ToHashSet());

        // Setup while on would replace the key the app holds: refused.
        seen.Add(await ProblemResponse(trader.Post("/api/v1/auth/2fa/setup", session.AccessToken), HttpStatusCode.Conflict, "2fa-already-enabled"));

        // Disable with a wrong code is refused; with a recovery code it works, and login needs no code again.
        seen.Add(await ProblemResponse(trader.Post("/api/v1/auth/2fa/disable", session.AccessToken, new { code = recoveryCodes[3] }), HttpStatusCode.BadRequest, "invalid-2fa-code"));
        Assert.Equal(HttpStatusCode.NoContent, (await trader.Post("/api/v1/auth/2fa/disable", session.AccessToken, new { code = recoveryCodes[5] })).StatusCode);
        var plain = await trader.Login();
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        seen.Add(await plain.Content.ReadAsStringAsync());
        Assert.Equal(0, await api.Database.ScalarAsync(
            $"SELECT count(*) FROM user_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = '{trader.Email}'"));

        // Disabled with a TOTP code as well: set up and enable again, then disable with the app's code.
        var again = (await (await trader.Post("/api/v1/auth/2fa/setup", session.AccessToken)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sharedKey").GetString()!;
        Assert.NotEqual(secret, again);
        api.Time.Advance(Step);
        Assert.Equal(HttpStatusCode.OK, (await trader.Post("/api/v1/auth/2fa/enable", session.AccessToken, new { code = Code(again) })).StatusCode);
        api.Time.Advance(Step);
        Assert.Equal(HttpStatusCode.NoContent, (await trader.Post("/api/v1/auth/2fa/disable", session.AccessToken, new { code = Code(again) })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await trader.Login()).StatusCode);

        var audit = await trader.Get("/api/v1/audit?limit=200", session.AccessToken);
        var auditBody = await audit.Content.ReadAsStringAsync();
        seen.Add(auditBody);
        var kinds = JsonDocument.Parse(auditBody).RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("kind").GetString()).ToList();
        Assert.Equal(2, kinds.Count(k => k == AuditKinds.TwoFactorEnabled));
        Assert.Equal(2, kinds.Count(k => k == AuditKinds.TwoFactorDisabled));
        Assert.Equal(2, kinds.Count(k => k == AuditKinds.RecoveryCodeUsed));

        // The secrets appear in the setup and enable responses only: in no other response and no log line.
        var secrets = recoveryCodes.Append(secret).Append(again).ToArray();
        var logs = api.Logs.Lines;
        Assert.Contains(logs, line => line.Contains("/api/v1/auth/2fa/enable", StringComparison.Ordinal));
        foreach (var s in secrets)
        {
            Assert.DoesNotContain(logs, line => line.Contains(s, StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(seen, body => body.Contains(s, StringComparison.OrdinalIgnoreCase));
        }
    }

    [Fact]
    public async Task A_2FA_code_is_refused_once_its_step_is_outside_the_window()
    {
        var trader = Trader.New(api, "totp-late");
        await trader.RegisterAndVerify();
        var session = await trader.LoggedIn();
        var secret = (await (await trader.Post("/api/v1/auth/2fa/setup", session.AccessToken)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sharedKey").GetString()!;
        var code = Code(secret);
        // Two steps later the code has expired (the window is one step either side).
        api.Time.Advance(Step * 2);
        await ProblemResponse(trader.Post("/api/v1/auth/2fa/enable", session.AccessToken, new { code }), HttpStatusCode.BadRequest, "invalid-2fa-code");
        Assert.Equal(HttpStatusCode.OK, (await trader.Post("/api/v1/auth/2fa/enable", session.AccessToken, new { code = Code(secret) })).StatusCode);
    }

    private async Task<string> Text(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(api.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private async Task<long> Failures(Trader trader) =>
        await api.Database.ScalarAsync($"SELECT count(*) FROM audit a JOIN users u ON u.id = a.user_id WHERE u.email = '{trader.Email}' AND a.kind = 'login_failed'");

    private static async Task<string> ProblemResponse(Task<HttpResponseMessage> sent, HttpStatusCode status, string type, string? title = null)
    {
        var response = await sent;
        var problem = await ProblemAssert.Is(response, status, type);
        if (title is not null) Assert.Equal(title, problem.GetProperty("title").GetString());
        return problem.GetRawText();
    }
}
