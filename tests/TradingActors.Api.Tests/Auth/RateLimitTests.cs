using System.Net;
using System.Net.Http.Json;
using TradingActors.Api.Tests.Infrastructure;

namespace TradingActors.Api.Tests.Auth;

/// <summary>A node whose login limit is 3 attempts per client IP per minute.</summary>
public sealed class RateLimitedApiFixture : ApiFixture
{
    protected override void Configure(Dictionary<string, string> settings) => settings["Trading:Api:LoginAttemptsPerIpPerMinute"] = "3";
}

[Collection(ApiCollection.Name)]
public sealed class RateLimitTests(RateLimitedApiFixture api) : IClassFixture<RateLimitedApiFixture>
{
    private Task<HttpResponseMessage> Login(string ip)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login")
        {
            Content = JsonContent.Create(new { email = $"someone-{Guid.NewGuid():N}@example.test", password = "whatever it is here" }),
        };
        request.Headers.Add(ClientAddressFromHeader.Header, ip);
        return api.Client.SendAsync(request);
    }

    [Fact]
    public async Task Logins_from_one_address_beyond_the_limit_get_429_with_retry_after_and_other_addresses_are_not_affected()
    {
        for (var i = 0; i < 3; i++)
            await ProblemAssert.Is(await Login("203.0.113.7"), HttpStatusCode.Unauthorized, "invalid-credentials");

        var limited = await Login("203.0.113.7");
        await ProblemAssert.Is(limited, HttpStatusCode.TooManyRequests, "rate-limited");
        Assert.InRange(limited.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));

        await ProblemAssert.Is(await Login("198.51.100.9"), HttpStatusCode.Unauthorized, "invalid-credentials");
    }
}
