using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TradingActors.Api.Identity;
using TradingActors.Api.Tests.Infrastructure;

namespace TradingActors.Api.Tests.Auth;

[Collection(ApiCollection.Name)]
public sealed class JourneyTests(ApiFixture api)
{
    [Fact]
    public async Task A_new_user_registers_verifies_logs_in_refreshes_and_reusing_a_spent_refresh_token_revokes_the_whole_family()
    {
        var trader = Trader.New(api, "journey");
        var register = await trader.Register();
        Assert.Equal(HttpStatusCode.Accepted, register.StatusCode);

        var mail = await trader.Mail("Verify");
        var verificationToken = Assert.Single(mail.Tokens);
        Assert.Contains($"http://localhost/api/v1/auth/verify-email?token={verificationToken}", mail.Links);
        Assert.Equal(HttpStatusCode.OK, (await api.Client.PostAsJsonAsync("/api/v1/auth/verify-email", new { token = verificationToken })).StatusCode);

        var login = await trader.LoggedIn();
        Assert.Equal(api.Time.GetUtcNow().AddMinutes(15), login.AccessTokenExpiresAt);
        Assert.Equal(api.Time.GetUtcNow().AddDays(7), login.RefreshTokenExpiresAt);

        var refreshed = await trader.Refresh(login.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var rotated = await Trader.TokensOf(refreshed);
        Assert.NotEqual(login.RefreshToken, rotated.RefreshToken);
        Assert.NotEqual(login.AccessToken, rotated.AccessToken);

        // The first token was spent: presenting it again revokes the family, the rotated token included.
        await ProblemAssert.Is(await trader.Refresh(login.RefreshToken), HttpStatusCode.Unauthorized, "refresh-token-reused");
        await ProblemAssert.Is(await trader.Refresh(rotated.RefreshToken), HttpStatusCode.Unauthorized, "invalid-refresh-token");

        using var scope = api.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<TraderDbContext>();
        var user = await db.Users.SingleAsync(u => u.Email == trader.Email);
        var tokens = await db.RefreshTokens.Where(t => t.UserId == user.Id).ToListAsync();
        Assert.Equal(2, tokens.Count);
        Assert.Single(tokens.Select(t => t.FamilyId).Distinct());
        Assert.All(tokens, t => Assert.NotNull(t.RevokedAt));
        Assert.Contains(await db.Audit.Where(a => a.UserId == user.Id).Select(a => a.Kind).ToListAsync(), k => k == AuditKinds.RefreshTokenReused);

        // Stored: a bcrypt hash with work factor 12, the acceptances with the versions shown, no clear secret.
        Assert.Matches(@"^\$2[abxy]?\$12\$", user.PasswordHash!);
        var accepted = await db.TermsAcceptances.Where(t => t.UserId == user.Id).OrderBy(t => t.Document).ToListAsync();
        Assert.Equal(["risk_disclosure", "terms"], accepted.Select(a => a.Document));
        Assert.All(accepted, a => Assert.Equal("2026-12-01", a.Version));
        // Refresh tokens are kept only as their SHA-256.
        Assert.Equal(
            new[] { login.RefreshToken, rotated.RefreshToken }.Select(t => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(t)))).Order(),
            tokens.Select(t => Convert.ToHexString(t.TokenHash)).Order());

        // Nothing secret in any log line the node wrote during the journey.
        var secrets = new[] { trader.Password, verificationToken, login.AccessToken, login.RefreshToken, rotated.AccessToken, rotated.RefreshToken };
        var logs = api.Logs.Lines;
        // The capture sees request-level logs (Debug), so the scan below covers what an operator could turn on.
        Assert.Contains(logs, line => line.Contains("/api/v1/auth/refresh", StringComparison.Ordinal));
        foreach (var secret in secrets)
            Assert.DoesNotContain(logs, line => line.Contains(secret, StringComparison.Ordinal));
        // Nor in any table of the database: the journal, its snapshots, identity, read models, idempotency keys.
        Assert.Contains("users.email", await api.WhereInDatabase(trader.Email)); // the scan finds what is there
        foreach (var secret in secrets)
            Assert.Empty(await api.WhereInDatabase(secret));
    }

    [Fact]
    public async Task Of_two_concurrent_refreshes_with_one_token_one_rotates_and_the_other_revokes_the_family()
    {
        var trader = Trader.New(api, "race");
        await trader.RegisterAndVerify();
        var login = await trader.LoggedIn();

        var answers = await Task.WhenAll(trader.Refresh(login.RefreshToken), trader.Refresh(login.RefreshToken));
        var types = await Task.WhenAll(answers.Select(async a =>
            a.StatusCode == HttpStatusCode.OK ? "ok" : (await ProblemAssert.Is(a, HttpStatusCode.Unauthorized)).GetProperty("type").GetString()!.Split('/')[^1]));
        // One presentation spends the token, the other is a reuse; the winner's answer may already see the
        // family revoked (then 401 too), and whatever it got no longer refreshes.
        Assert.Contains("refresh-token-reused", types);
        Assert.True(types.Count(t => t == "ok") <= 1);
        if (answers.SingleOrDefault(a => a.StatusCode == HttpStatusCode.OK) is { } won)
            await ProblemAssert.Is(await trader.Refresh((await Trader.TokensOf(won)).RefreshToken), HttpStatusCode.Unauthorized, "invalid-refresh-token");
        using var scope = api.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<TraderDbContext>();
        var userId = (await db.Users.SingleAsync(u => u.Email == trader.Email)).Id;
        Assert.DoesNotContain(await db.RefreshTokens.Where(t => t.UserId == userId).ToListAsync(), t => t.RevokedAt == null);
    }

    [Fact]
    public async Task Login_is_refused_until_the_email_is_verified_and_the_mailed_link_works_once()
    {
        var trader = Trader.New(api, "unverified");
        Assert.Equal(HttpStatusCode.Accepted, (await trader.Register()).StatusCode);
        await ProblemAssert.Is(await trader.Login(), HttpStatusCode.Forbidden, "email-not-verified");

        var link = (await trader.Mail("Verify")).Links.Single(l => l.Contains("verify-email?token="));
        var path = new Uri(link).PathAndQuery;
        Assert.Equal(HttpStatusCode.OK, (await api.Client.GetAsync(path)).StatusCode);
        await ProblemAssert.Is(await api.Client.GetAsync(path), HttpStatusCode.BadRequest, "invalid-token");

        Assert.Equal(HttpStatusCode.OK, (await trader.Login()).StatusCode);
    }

    [Fact]
    public async Task A_verification_link_expires()
    {
        var trader = Trader.New(api, "late");
        Assert.Equal(HttpStatusCode.Accepted, (await trader.Register()).StatusCode);
        var token = (await trader.Mail("Verify")).Tokens.Single();
        api.Time.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));
        await ProblemAssert.Is(await api.Client.PostAsJsonAsync("/api/v1/auth/verify-email", new { token }), HttpStatusCode.BadRequest, "invalid-token");
        await ProblemAssert.Is(await trader.Login(), HttpStatusCode.Forbidden, "email-not-verified");
    }

    [Fact]
    public async Task Logout_revokes_the_session_of_the_access_token()
    {
        var trader = Trader.New(api, "logout");
        await trader.RegisterAndVerify();
        var first = await trader.LoggedIn();
        var second = await trader.LoggedIn(); // another device: its own family

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/logout");
        request.Headers.Authorization = new("Bearer", first.AccessToken);
        Assert.Equal(HttpStatusCode.NoContent, (await api.Client.SendAsync(request)).StatusCode);

        await ProblemAssert.Is(await trader.Refresh(first.RefreshToken), HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, (await trader.Refresh(second.RefreshToken)).StatusCode);
    }

    [Fact]
    public async Task Registering_creates_the_tenant_with_its_paper_account_and_provisioning_again_changes_nothing()
    {
        var trader = Trader.New(api, "tenant");
        Assert.Equal(HttpStatusCode.Accepted, (await trader.Register()).StatusCode);

        using var scope = api.Factory.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<TraderUserManager>();
        var user = (await users.FindByEmailAsync(trader.Email))!;
        Assert.NotNull(user.TenantProvisionedAt);
        var tenant = await api.Tenant(user.TenantId);
        Assert.True(tenant.Exists);
        var paper = Assert.Single(tenant.Accounts).Value;
        Assert.Equal("paper-1", paper.AccountId);
        Assert.Equal(ApiFixture.PaperStartingCash, paper.Paper!.Cash);

        // A retry (e.g. after a timeout) of provisioning, and a second registration, leave it as it is.
        user.TenantProvisionedAt = null;
        Assert.True(await scope.ServiceProvider.GetRequiredService<TradingActors.Api.Tenancy.TenantProvisioning>().EnsureAsync(user, users, CancellationToken.None));
        Assert.Equal(HttpStatusCode.Accepted, (await trader.Register()).StatusCode);
        var again = await api.Tenant(user.TenantId);
        Assert.Equal(ApiFixture.PaperStartingCash, Assert.Single(again.Accounts).Value.Paper!.Cash);
        Assert.Equal(1, await api.Database.ScalarAsync($"SELECT count(*) FROM users WHERE normalized_email = '{trader.Email.ToUpperInvariant()}'"));
    }
}
