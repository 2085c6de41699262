using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TradingActors.Api.Identity;
using TradingActors.Api.Tests.Infrastructure;

namespace TradingActors.Api.Tests.Auth;

[Collection(ApiCollection.Name)]
public sealed class AuthorizationTests(ApiFixture api)
{
    [Fact]
    public async Task Summary_needs_an_admin_and_health_stays_open()
    {
        var trader = Trader.New(api, "roles");
        await trader.RegisterAndVerify();
        var user = await trader.LoggedIn();

        Assert.Equal(HttpStatusCode.OK, (await trader.Get("/healthz", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await trader.Get("/readyz", null)).StatusCode);
        await ProblemAssert.Is(await trader.Get("/summary", null), HttpStatusCode.Unauthorized);
        await ProblemAssert.Is(await trader.Get("/summary", "not-a-token"), HttpStatusCode.Unauthorized);
        await ProblemAssert.Is(await trader.Get("/summary", user.AccessToken), HttpStatusCode.Forbidden);

        using (var scope = api.Factory.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<TraderUserManager>();
            await users.AddToRoleAsync((await users.FindByEmailAsync(trader.Email))!, "admin");
        }
        var admin = await trader.LoggedIn();
        Assert.Equal(HttpStatusCode.OK, (await trader.Get("/summary", admin.AccessToken)).StatusCode);

        // Access tokens live 15 minutes by the injected clock.
        api.Time.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));
        await ProblemAssert.Is(await trader.Get("/summary", admin.AccessToken), HttpStatusCode.Unauthorized);
        // A refused token is not logged either (IdentityModel hides security artifacts by default).
        Assert.DoesNotContain(api.Logs.Lines, line => line.Contains(admin.AccessToken, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_refused()
    {
        var now = api.Time.GetUtcNow().UtcDateTime;
        var forged = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "tradingactors",
            Audience = "tradingactors-api",
            Claims = new Dictionary<string, object> { ["sub"] = Guid.NewGuid().ToString(), ["role"] = "super_admin" },
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)), SecurityAlgorithms.HmacSha256),
        });
        await ProblemAssert.Is(await Trader.New(api, "forger").Get("/summary", forged), HttpStatusCode.Unauthorized);
        Assert.DoesNotContain(api.Logs.Lines, line => line.Contains(forged, StringComparison.Ordinal));
    }
}
