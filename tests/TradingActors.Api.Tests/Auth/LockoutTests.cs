using System.Net;
using TradingActors.Api.Tests.Infrastructure;

namespace TradingActors.Api.Tests.Auth;

[Collection(ApiCollection.Name)]
public sealed class LockoutTests(ApiFixture api)
{
    [Fact]
    public async Task Five_failed_logins_within_15_minutes_lock_the_account_for_15_minutes_by_the_injected_clock()
    {
        var trader = Trader.New(api, "lockout");
        await trader.RegisterAndVerify();

        for (var i = 0; i < 4; i++)
        {
            await ProblemAssert.Is(await trader.Login("wrong password " + i + " xyz"), HttpStatusCode.Unauthorized, "invalid-credentials");
            api.Time.Advance(TimeSpan.FromMinutes(3)); // 4 failures over 12 minutes: all inside the window
        }
        var fifth = await trader.Login("wrong password 5 xyz");
        await ProblemAssert.Is(fifth, HttpStatusCode.TooManyRequests, "account-locked");
        Assert.Equal(TimeSpan.FromMinutes(15), fifth.Headers.RetryAfter?.Delta);

        // The right password does not open a locked account.
        api.Time.Advance(TimeSpan.FromMinutes(14));
        var locked = await trader.Login();
        await ProblemAssert.Is(locked, HttpStatusCode.TooManyRequests, "account-locked");
        Assert.Equal(TimeSpan.FromMinutes(1), locked.Headers.RetryAfter?.Delta);

        api.Time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await trader.Login()).StatusCode);
    }

    [Fact]
    public async Task Failures_spread_over_more_than_15_minutes_do_not_lock_and_a_success_starts_the_count_again()
    {
        var trader = Trader.New(api, "window");
        await trader.RegisterAndVerify();

        for (var i = 0; i < 4; i++) await ProblemAssert.Is(await trader.Login("wrong password xyz"), HttpStatusCode.Unauthorized);
        api.Time.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));
        // The four are outside the window now: the fifth failure does not lock.
        await ProblemAssert.Is(await trader.Login("wrong password xyz"), HttpStatusCode.Unauthorized, "invalid-credentials");
        for (var i = 0; i < 3; i++) await ProblemAssert.Is(await trader.Login("wrong password xyz"), HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, (await trader.Login()).StatusCode);
        api.Time.Advance(TimeSpan.FromSeconds(1));
        // The four failures before the success no longer count: four more do not lock.
        for (var i = 0; i < 4; i++) await ProblemAssert.Is(await trader.Login("wrong password xyz"), HttpStatusCode.Unauthorized, "invalid-credentials");
        Assert.Equal(HttpStatusCode.OK, (await trader.Login()).StatusCode);
    }
}
