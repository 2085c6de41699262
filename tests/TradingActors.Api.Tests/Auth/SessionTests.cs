using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TradingActors.Api.Tests.Infrastructure;

namespace TradingActors.Api.Tests.Auth;

[Collection(ApiCollection.Name)]
public sealed class SessionTests(ApiFixture api)
{
    [Fact]
    public async Task Two_logins_are_two_sessions_and_revoking_one_stops_only_its_refresh_token()
    {
        var trader = Trader.New(api, "sessions");
        await trader.RegisterAndVerify();
        var laptop = await Trader.TokensOf(await trader.LoginAs("TestBrowser/1.0 (laptop)"));
        api.Time.Advance(TimeSpan.FromMinutes(1));
        var phone = await Trader.TokensOf(await trader.LoginAs("TestApp/2.0 (phone)"));

        var sessions = await Sessions(trader, laptop.AccessToken);
        Assert.Equal(2, sessions.Length);
        var laptopSession = Assert.Single(sessions, s => s.GetProperty("userAgent").GetString() == "TestBrowser/1.0 (laptop)");
        var phoneSession = Assert.Single(sessions, s => s.GetProperty("userAgent").GetString() == "TestApp/2.0 (phone)");
        Assert.True(laptopSession.GetProperty("current").GetBoolean()); // asked with the laptop's access token
        Assert.False(phoneSession.GetProperty("current").GetBoolean());
        Assert.Equal(Stored(api.Time.GetUtcNow().AddMinutes(-1)), laptopSession.GetProperty("createdAt").GetDateTimeOffset());

        // A refresh is a use of the session: last seen moves, created stays.
        api.Time.Advance(TimeSpan.FromMinutes(5));
        var phoneRotated = await Trader.TokensOf(await trader.Refresh(phone.RefreshToken));
        phoneSession = Assert.Single(await Sessions(trader, laptop.AccessToken), s => s.GetProperty("id").GetString() == phoneSession.GetProperty("id").GetString());
        Assert.Equal(Stored(api.Time.GetUtcNow()), phoneSession.GetProperty("lastSeenAt").GetDateTimeOffset());
        Assert.Equal(Stored(api.Time.GetUtcNow().AddMinutes(-5)), phoneSession.GetProperty("createdAt").GetDateTimeOffset());

        // Revoke the phone's session from the laptop: its refresh token is dead, the laptop's still works.
        var phoneId = phoneSession.GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.NoContent, (await trader.Delete($"/api/v1/auth/sessions/{phoneId}", laptop.AccessToken)).StatusCode);
        await ProblemAssert.Is(await trader.Refresh(phoneRotated.RefreshToken), HttpStatusCode.Unauthorized, "invalid-refresh-token");
        var laptopRefreshed = await trader.Refresh(laptop.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, laptopRefreshed.StatusCode);
        var remaining = Assert.Single(await Sessions(trader, (await Trader.TokensOf(laptopRefreshed)).AccessToken));
        Assert.Equal(laptopSession.GetProperty("id").GetString(), remaining.GetProperty("id").GetString());
        // Revoked already: the same 404 as an unknown id.
        await ProblemAssert.Is(await trader.Delete($"/api/v1/auth/sessions/{phoneId}", laptop.AccessToken), HttpStatusCode.NotFound, "session-not-found");
    }

    [Fact]
    public async Task Another_users_session_is_neither_listed_nor_revocable()
    {
        var alice = Trader.New(api, "alice");
        var mallory = Trader.New(api, "mallory");
        await alice.RegisterAndVerify();
        await mallory.RegisterAndVerify();
        var aliceTokens = await alice.LoggedIn();
        var malloryTokens = await mallory.LoggedIn();
        var aliceSessionId = Assert.Single(await Sessions(alice, aliceTokens.AccessToken)).GetProperty("id").GetString();

        var mallorySessions = await Sessions(mallory, malloryTokens.AccessToken);
        Assert.DoesNotContain(mallorySessions, s => s.GetProperty("id").GetString() == aliceSessionId);
        await ProblemAssert.Is(await mallory.Delete($"/api/v1/auth/sessions/{aliceSessionId}", malloryTokens.AccessToken), HttpStatusCode.NotFound, "session-not-found");
        await ProblemAssert.Is(await mallory.Delete($"/api/v1/auth/sessions/{Guid.NewGuid()}", malloryTokens.AccessToken), HttpStatusCode.NotFound, "session-not-found");
        await ProblemAssert.Is(await mallory.Delete("/api/v1/auth/sessions/not-a-guid", malloryTokens.AccessToken), HttpStatusCode.NotFound, "session-not-found");
        // Alice's session is untouched.
        Assert.Equal(HttpStatusCode.OK, (await alice.Refresh(aliceTokens.RefreshToken)).StatusCode);
        // And without a token nothing answers.
        Assert.Equal(HttpStatusCode.Unauthorized, (await alice.Get("/api/v1/auth/sessions", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await alice.Delete($"/api/v1/auth/sessions/{aliceSessionId}", null)).StatusCode);
    }

    [Fact]
    public async Task The_audit_trail_lists_only_the_callers_events_newest_first_page_by_page()
    {
        var alice = Trader.New(api, "audit-alice");
        var bob = Trader.New(api, "audit-bob");
        await alice.RegisterAndVerify();
        await bob.RegisterAndVerify();
        var aliceTokens = await alice.LoggedIn();
        Assert.Equal(HttpStatusCode.Unauthorized, (await alice.Login(password: "not the password at all")).StatusCode);
        var bobTokens = await bob.LoggedIn();
        Assert.Equal(HttpStatusCode.Unauthorized, (await bob.Login(password: "not the password either")).StatusCode);
        var bobSecond = await bob.LoggedIn();
        Assert.Equal(HttpStatusCode.NoContent, (await bob.Delete($"/api/v1/auth/sessions/{Assert.Single(await Sessions(bob, bobSecond.AccessToken), s => !s.GetProperty("current").GetBoolean()).GetProperty("id").GetString()}", bobSecond.AccessToken)).StatusCode);

        var alicePage = await Audit(alice, aliceTokens.AccessToken, "");
        var aliceKinds = alicePage.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("kind").GetString()!).ToArray();
        // Newest first: what alice did, in reverse order, and nothing of bob's.
        Assert.Equal(["login_failed", "login_succeeded", "email_verified", "registered"], aliceKinds);
        Assert.Null(NextCursor(alicePage)); // one page holds it all

        var bobKinds = (await Audit(bob, bobTokens.AccessToken, "")).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("kind").GetString()!).ToArray();
        Assert.Equal(["session_revoked", "login_succeeded", "login_failed", "login_succeeded", "email_verified", "registered"], bobKinds);

        // Pages of two: the cursor walks the same list, without gaps or repeats.
        var walked = new List<string>();
        string? cursor = null;
        do
        {
            var page = await Audit(bob, bobTokens.AccessToken, cursor is null ? "?limit=2" : $"?limit=2&before={cursor}");
            var items = page.GetProperty("items").EnumerateArray().ToArray();
            Assert.True(items.Length <= 2);
            walked.AddRange(items.Select(i => i.GetProperty("kind").GetString()!));
            cursor = NextCursor(page);
        } while (cursor is not null);
        Assert.Equal(bobKinds, walked);

        // Another user's cursor shows nothing of theirs either: the filter is the caller, not the cursor.
        var bobFirstId = (await Audit(bob, bobTokens.AccessToken, "?limit=1")).GetProperty("items")[0].GetProperty("id").GetInt64();
        var aliceWithBobsCursor = (await Audit(alice, aliceTokens.AccessToken, $"?before={bobFirstId + 1}")).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("kind").GetString()!).ToArray();
        Assert.Equal(aliceKinds, aliceWithBobsCursor);

        await ProblemAssert.Is(await alice.Get("/api/v1/audit?limit=0", aliceTokens.AccessToken), HttpStatusCode.BadRequest);
        await ProblemAssert.Is(await alice.Get("/api/v1/audit?before=abc", aliceTokens.AccessToken), HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.Unauthorized, (await alice.Get("/api/v1/audit", null)).StatusCode);
    }

    // Null members are left out of responses.
    private static string? NextCursor(JsonElement page) => page.TryGetProperty("nextCursor", out var c) ? c.GetString() : null;

    // PostgreSQL keeps microseconds.
    private static DateTimeOffset Stored(DateTimeOffset t) => new(t.Ticks - t.Ticks % 10, t.Offset);

    private static async Task<JsonElement[]> Sessions(Trader trader, string accessToken)
    {
        var response = await trader.Get("/api/v1/auth/sessions", accessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToArray();
    }

    private static async Task<JsonElement> Audit(Trader trader, string accessToken, string query)
    {
        var response = await trader.Get("/api/v1/audit" + query, accessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
